import Foundation
import RiskEngine

/// The built-in demo: a seeded, deterministic BTCUSDT market of about two and a half minutes.
///
/// It is a small agent model, not a curve: market makers quote a ladder at every tick near the
/// touch with log-normal sizes and walls at round numbers, cancel and re-quote; takers send market
/// orders in clustered bursts with heavy-tailed sizes that walk the book and print trades. What the
/// phases change is the makers' behaviour, as in a real sell-off:
///
/// - 0–40 s calm: one-tick spread, deep book, small two-sided flow;
/// - 40–75 s stress: makers widen and pull size near the touch, flow turns to selling;
/// - 75–105 s cascade: heavy selling into a thin, gapped bid side; the monitored longs liquidate,
///   their closes drain the book further, fills land below bankruptcy, the fund pays, then ADL;
/// - 105–150 s recovery: makers return, the spread closes, the price finds a floor.
struct DemoMarket {
    static let tick: Int64 = 10_000_000 // 0.10 in book units
    static let lot: Int64 = 100_000 // 0.001

    enum Phase { case calm, stress, cascade, recovery }

    var random: SplitMix64
    var bids: [Int64: Int64] = [:]
    var asks: [Int64: Int64] = [:]
    /// The makers' fair value, in ticks.
    var fair: Double
    var time: Int64
    let start: Int64
    var sellPressure = 0.0
    var gapped = false
    /// After the vacuum makers post a thin but deep ladder below the new price at once.
    var rebuildDepth = false

    init(seed: UInt64, startPrice: Double, start: Int64) {
        random = SplitMix64(seed: seed)
        fair = startPrice / 0.1
        time = start
        self.start = start
    }

    var elapsed: Double { Double(time - start) / 1e9 }

    var phase: Phase {
        switch elapsed {
        case ..<40: return .calm
        case ..<75: return .stress
        case ..<105: return .cascade
        default: return .recovery
        }
    }

    /// How many ticks makers stay away from fair value, and how much size they show near the touch.
    var makerHalfSpreadTicks: Double {
        switch phase {
        case .calm: return 0.5
        case .stress: return 0.5 + (elapsed - 40) / 35 * 6
        case .cascade: return 8 + 10 * sin(min(1, (elapsed - 75) / 10) * .pi / 2)
        case .recovery: return max(0.5, 18 - (elapsed - 105) * 0.6)
        }
    }

    var nearTouchSizeFactor: Double {
        switch phase {
        case .calm: return 1
        case .stress: return max(0.25, 1 - (elapsed - 40) / 35 * 0.75)
        case .cascade: return 0.12
        case .recovery: return min(1, 0.15 + (elapsed - 105) / 40)
        }
    }

    /// A size for a level `distance` ticks from the touch: log-normal, growing with distance, with
    /// walls at round hundreds.
    mutating func levelSize(distance: Int64, price: Int64) -> Int64 {
        let base = 0.02 + 0.004 * Double(distance)
        var size = base * exp(1.1 * random.normal())
        if distance < 20 { size *= nearTouchSizeFactor }
        if phase == .cascade { size *= 0.3 }
        if price % (1_000 * Self.tick) == 0 { size += 3 + 5 * random.unit() }
        return max(Self.lot, Int64(size * 1e8) / Self.lot * Self.lot)
    }

    /// The opening book: 400 levels a side.
    mutating func openingBook() -> (bids: [(price: Int64, size: Int64)], asks: [(price: Int64, size: Int64)]) {
        let mid = Int64(fair.rounded())
        for distance in 0..<400 {
            let bidPrice = (mid - 1 - Int64(distance)) * Self.tick
            let askPrice = (mid + Int64(distance)) * Self.tick
            bids[bidPrice] = levelSize(distance: Int64(distance), price: bidPrice)
            asks[askPrice] = levelSize(distance: Int64(distance), price: askPrice)
        }
        return (bids.map { ($0.key, $0.value) }, asks.map { ($0.key, $0.value) })
    }

    var bestBid: Int64? { bids.keys.max() }
    var bestAsk: Int64? { asks.keys.min() }

    /// One 100 ms step: fair value moves, makers re-quote, takers trade.
    mutating func step(into events: inout [MarketEvent]) {
        time += 100_000_000
        let phase = phase
        // Fair value: heavy-tailed increments, drift by phase.
        let shock = random.normal() * (random.unit() < 0.05 ? 4 : 1)
        switch phase {
        case .calm: fair += 0.8 * shock
        case .stress: fair += 1.5 * shock - 3
        case .cascade:
            fair += 8 * shock - 25 - 10 * sellPressure
            // The liquidity vacuum: makers pull every bid and fair value gaps down about 1.2 %.
            if !gapped && elapsed >= 85 {
                gapped = true
                fair -= 9_000
                rebuildDepth = true
            }
        case .recovery: fair += 2 * shock + (elapsed < 115 ? -4 : 5)
        }
        // Makers move first; then takers hit what is there, and the book shows what they took.
        var quotes: [LevelChange] = []
        requote(&quotes)
        if !quotes.isEmpty { events.append(.bookUpdate(symbol: DemoSession.marketID, changes: quotes, time: time)) }
        var taken: [LevelChange] = []
        var trades: [MarketEvent] = []
        trade(&taken, into: &trades)
        if !taken.isEmpty { events.append(.bookUpdate(symbol: DemoSession.marketID, changes: taken, time: time)) }
        events.append(contentsOf: trades)
    }

    /// Makers pull quotes inside their new spread and refill the ladder behind it.
    mutating func requote(_ changes: inout [LevelChange]) {
        let half = makerHalfSpreadTicks
        let topBid = Int64((fair - half).rounded(.down)) * Self.tick
        let topAsk = Int64((fair + half).rounded(.up)) * Self.tick
        for price in bids.keys where price > topBid {
            bids[price] = nil
            changes.append(LevelChange(side: .bid, price: price, size: 0))
        }
        for price in asks.keys where price < topAsk {
            asks[price] = nil
            changes.append(LevelChange(side: .ask, price: price, size: 0))
        }
        // Refill: near-touch levels appear with a probability that falls when makers are scared.
        let refill = phase == .cascade ? 0.15 : (phase == .stress ? 0.45 : 0.8)
        let depth = rebuildDepth ? 700 : 60
        for distance in 0..<depth {
            for side in [BookSide.bid, .ask] {
                let price = side == .bid ? topBid - Int64(distance) * Self.tick : topAsk + Int64(distance) * Self.tick
                let book = side == .bid ? bids : asks
                if book[price] == nil {
                    // Gaps open on the bid side in the cascade: some levels are simply not quoted.
                    if random.unit() > (rebuildDepth ? 0.5 : refill * (distance < 3 ? 1 : 0.5)) { continue }
                } else if random.unit() > 0.12 {
                    continue
                }
                let size = levelSize(distance: Int64(distance), price: price)
                if side == .bid { bids[price] = size } else { asks[price] = size }
                changes.append(LevelChange(side: side, price: price, size: size))
            }
        }
        rebuildDepth = false
        // Keep the ladder from growing without bound.
        trimFar(&changes)
    }

    mutating func trimFar(_ changes: inout [LevelChange]) {
        if bids.count > 800, let best = bestBid {
            for price in bids.keys where price < best - 800 * Self.tick {
                bids[price] = nil
                changes.append(LevelChange(side: .bid, price: price, size: 0))
            }
        }
        if asks.count > 800, let best = bestAsk {
            for price in asks.keys where price > best + 800 * Self.tick {
                asks[price] = nil
                changes.append(LevelChange(side: .ask, price: price, size: 0))
            }
        }
    }

    /// Takers: bursts of market orders, selling-heavy from the stress phase on.
    mutating func trade(_ changes: inout [LevelChange], into events: inout [MarketEvent]) {
        let sellBias: Double
        let intensity: Double
        switch phase {
        case .calm: sellBias = 0.5; intensity = 0.6
        case .stress: sellBias = 0.62; intensity = 1.0
        case .cascade: sellBias = 0.85; intensity = 2.2
        case .recovery: sellBias = elapsed < 115 ? 0.6 : 0.4; intensity = 1.0
        }
        var orders = 0
        while random.unit() < intensity / Double(orders + 1) && orders < 6 { orders += 1 }
        sellPressure *= 0.8
        for _ in 0..<orders {
            let sell = random.unit() < sellBias
            // Pareto-tailed order sizes: mostly small, sometimes a block.
            let quantity = Int64(min(25.0, 0.01 / pow(random.unit(), 0.9) * (phase == .cascade ? 4 : 1)) * 1e8) / Self.lot * Self.lot
            guard quantity > 0 else { continue }
            var left = quantity
            while left > 0, let price = sell ? bestBid : bestAsk {
                let available = (sell ? bids[price] : asks[price]) ?? 0
                let take = min(available, left)
                left -= take
                let remaining = available - take
                if sell { bids[price] = remaining > 0 ? remaining : nil } else { asks[price] = remaining > 0 ? remaining : nil }
                changes.append(LevelChange(side: sell ? .bid : .ask, price: price, size: remaining))
                events.append(.trade(symbol: DemoSession.marketID, price: price, size: take, time: time))
            }
            if sell { sellPressure += Double(quantity) / 1e8 / 5 }
        }
    }
}
