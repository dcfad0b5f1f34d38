import Testing
@testable import RiskEngine

/// The spread signals while the book empties: in the demo's vacuum a BTC spread of fifty ticks
/// (under 1 bps) and a book with no bids read "ok", because a 1 bps floor muted them.
@Suite("Spread signals in a vacuum")
struct SpreadSignalTests {
    static let second: Int64 = 1_000_000_000

    /// A board warmed on a one-tick BTC book (0.1 at 60,000: 0.0167 bps) with 30M of depth.
    func warmBoard(thresholds: SignalThresholds = SignalThresholds()) -> SignalBoard {
        var board = SignalBoard(historyLength: 60)
        for second in 0..<Int64(thresholds.warmupSamples + 5) {
            _ = board.sample(inputs(time: second * Self.second, spreadBps: 0.1 / 60_000 * 10_000, depth: 30_000_000),
                thresholds: thresholds, symbol: "BTCUSDT")
        }
        return board
    }

    /// A spread given in bps at 60,000 with a tick of 0.1 (0.0167 bps), in whole ticks as the engine counts them.
    func inputs(time: Int64, spreadBps: Double?, depth: Double, sideMissing: Bool = false) -> SignalBoard.Inputs {
        SignalBoard.Inputs(time: time, spreadBps: spreadBps, sideMissing: sideMissing,
            spreadTicks: spreadBps.map { Int64(($0 / (0.1 / 60_000 * 10_000)).rounded()) },
            depth10: depth, depth50: depth, mid: 60_000, stressed: StressedDeficit(), fundBalance: 1_000_000)
    }

    @Test("fifty ticks of spread under 1 bps with the depth gone: both spread signals alert")
    func fiftyTicks() {
        var board = warmBoard()
        let changes = board.sample(inputs(time: 100 * Self.second, spreadBps: 5.0 / 60_000 * 10_000, depth: 6_681),
            thresholds: SignalThresholds(), symbol: "BTCUSDT")
        #expect(board.readings[.spread]?.level == .alert)
        #expect(board.readings[.spreadVsDepth]?.level == .alert)
        #expect(changes.contains { $0.kind == .spreadVsDepth && $0.to == .alert })
    }

    @Test("with the tick floor off, the bps floor alone mutes the same spread (what it did before)")
    func tickFloorOff() {
        var thresholds = SignalThresholds()
        thresholds.spreadFloorTicks = 0
        var board = warmBoard(thresholds: thresholds)
        _ = board.sample(inputs(time: 100 * Self.second, spreadBps: 5.0 / 60_000 * 10_000, depth: 6_681), thresholds: thresholds, symbol: "BTCUSDT")
        #expect(board.readings[.spread]?.level == .ok)
        #expect(board.readings[.spreadVsDepth]?.value == 1)
    }

    @Test("a one-tick spread doubling is still not news")
    func oneTickDoubling() {
        var board = warmBoard()
        _ = board.sample(inputs(time: 100 * Self.second, spreadBps: 0.2 / 60_000 * 10_000, depth: 30_000_000),
            thresholds: SignalThresholds(), symbol: "BTCUSDT")
        #expect(board.readings[.spread]?.level == .ok)
        #expect(board.readings[.spreadVsDepth]?.level == .ok)
    }

    @Test("a book with no bids: the spread alerts as a side missing, and spread + depth reads the depth's fall")
    func sideMissing() {
        var board = warmBoard()
        let changes = board.sample(inputs(time: 100 * Self.second, spreadBps: nil, depth: 0, sideMissing: true),
            thresholds: SignalThresholds(), symbol: "BTCUSDT")
        let spread = board.readings[.spread]
        #expect(spread?.level == .alert && spread?.sideMissing == true)
        #expect(board.readings[.spreadVsDepth]?.value == SignalBoard.ratioCap)
        #expect(changes.contains { $0.kind == .spread && $0.sideMissing })
        // An empty side needs no baseline: it alerts from the first sample (the ratios, which
        // do, are not judged yet).
        var cold = SignalBoard(historyLength: 60)
        let first = cold.sample(inputs(time: 0, spreadBps: nil, depth: 0, sideMissing: true), thresholds: SignalThresholds(), symbol: "BTCUSDT")
        #expect(cold.readings[.spread]?.level == .alert && cold.readings[.spread]?.sideMissing == true)
        #expect(first.contains { $0.kind == .spread && $0.to == .alert && $0.sideMissing })
        #expect(cold.readings[.spreadVsDepth]?.level == .ok && cold.readings[.depth10]?.level == .ok)
    }

    @Test("the floor is the narrower of the bps floor and the ticks")
    func floor() {
        let thresholds = SignalThresholds()
        #expect(thresholds.spreadIsJudged(spreadBps: 1.0, spreadTicks: 2))
        #expect(!thresholds.spreadIsJudged(spreadBps: 0.99, spreadTicks: 9))
        #expect(thresholds.spreadIsJudged(spreadBps: 0.167, spreadTicks: 10))
        #expect(!thresholds.spreadIsJudged(spreadBps: 0.5, spreadTicks: nil))
        var off = thresholds
        off.spreadFloorTicks = 0
        #expect(!off.spreadIsJudged(spreadBps: 0.99, spreadTicks: 1_000))
    }

    /// BTCUSDT (tick 0.1) warmed on one-tick books at 60,000, then a book of bid 60,000.0 and ask
    /// 60,001.0: ten ticks. Ten ticks' worth of bps in floating point (the floor as it was worked
    /// out) comes out above this spread's own bps, which muted it; counted in ticks it is ten.
    @Test("a spread of exactly ten ticks is judged (the floor counted in ticks, not in floating-point bps)")
    func exactlyTenTicks() {
        var engine = Engine()
        let symbol = "binance-usdm:BTCUSDT"
        func units(_ text: String) -> Int64 { Fixed(text)!.bookUnits }
        let seconds = Int64(SignalThresholds().warmupSamples + 5)
        for second in 0..<seconds {
            engine.apply(.bookSnapshot(symbol: symbol, bids: [(units("59999.9"), units("50"))], asks: [(units("60000.0"), units("50"))],
                time: second * Self.second))
        }
        engine.apply(.bookSnapshot(symbol: symbol, bids: [(units("60000.0"), units("50"))], asks: [(units("60001.0"), units("50"))],
            time: seconds * Self.second))
        engine.apply(.bookSnapshot(symbol: symbol, bids: [(units("60000.0"), units("50"))], asks: [(units("60001.0"), units("50"))],
            time: (seconds + 1) * Self.second))
        let market = engine.markets[engine.marketIndex(of: symbol)!]
        let spreadBps = market.book.spreadBps!.approximateDouble
        // The old floor: ten ticks in bps of the mid, in doubles, above the spread itself.
        #expect(spreadBps < 10 * (0.1 / market.book.mid!.approximateDouble * 10_000))
        #expect(Engine.spreadTicks(market.book.spread, tick: market.instrument.tickSize) == 10)
        #expect(market.signals.readings[.spread]?.level == .alert, "\(String(describing: market.signals.readings[.spread]))")
    }
}

@Suite("Alerts say what their value cannot")
struct AlertWordingTests {
    @Test("a stressed deficit of quantity the book cannot fill tells the hook the quantity and its unit; an empty side no invented spread")
    func hookMessages() {
        var log = SessionLog()
        log.record(.signal(SignalChange(time: 5_000_000_000, symbol: "binance-usdm:BTCUSDT", kind: .stressedDeficit, from: .warn, to: .alert,
            value: 0, baseline: 8_000, unfilledQuantity: 24.112, quantityUnit: "BTC", asset: "USDT")))
        log.record(.signal(SignalChange(time: 5_000_000_000, symbol: "binance-usdm:BTCUSDT", kind: .spread, from: .ok, to: .alert,
            value: 1.67, baseline: 0.0167, sideMissing: true)))
        var watcher = AlertWatcher()
        let told = watcher.newAlerts(log: log, time: 5_000_000_000)
        #expect(told.count == 2)
        #expect(told.first?.message == "binance-usdm:BTCUSDT Stressed deficit vs fund at ALERT: 24.112 BTC the book cannot fill (ADL follows)")
        #expect(told.last?.message.hasSuffix(": a side of the book is empty") == true)
        #expect(told.last?.value == nil && !(told.last?.jsonLine.contains("\"value\"") ?? true))
        #expect(told.allSatisfy { !$0.atLeast && !$0.jsonLine.contains("at_least") })
    }

    @Test("a floor read off a top-of-book feed's book says so to the hook, and the report, by kind")
    func floorPastTheLevelsShown() {
        var log = SessionLog()
        log.record(.signal(SignalChange(time: 5_000_000_000, symbol: "hyperliquid:BTC", kind: .depth10, from: .ok, to: .alert,
            value: 0, baseline: 1_900_000, pastShownLevels: true)))
        log.record(.signal(SignalChange(time: 5_000_000_000, symbol: "hyperliquid:BTC", kind: .spread, from: .ok, to: .alert,
            value: 3.36, baseline: 0.1, pastShownLevels: true)))
        var watcher = AlertWatcher()
        let told = watcher.newAlerts(log: log, time: 5_000_000_000)
        #expect(told.count == 2 && told.allSatisfy { $0.atLeast && $0.jsonLine.contains("\"at_least\":true") })
        #expect(told.first?.message == "hyperliquid:BTC Depth ±10 bps, thinner side at ALERT: the book past the levels the feed shows is not known (the value is a floor)")
        #expect(log.alerts.last?.figure(unit: "bps") == "at least 3.36 bps (the book past the levels the feed shows is not known)")
        #expect(log.alerts.first?.figure(unit: "USDC notional") == "0.00 USDC notional in the levels the feed shows (the book past them is not known)")
    }
}
