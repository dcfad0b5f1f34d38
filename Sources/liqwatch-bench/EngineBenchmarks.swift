import RiskEngine
import Foundation
import MarketFeeds

/// The engine's speed figures (issue: ≥ 20 M book level updates/s on a 1,000-level book; a mark
/// tick that crosses nothing under 20 µs at 1 M positions and under 3× the 10 k figure).
enum EngineBenchmarks {
    /// A realistic update stream: most updates land near the touch (distance from the touch drawn
    /// from a geometric distribution, as in real depth feeds), a fifth remove a level and a fifth
    /// add one, the rest change a size. The book stays around 1,000 levels a side.
    static func bookUpdates() {
        var rng = SplitMix64(seed: 42)
        let tick: Int64 = 10_000_000 // 0.10
        let bestBid: Int64 = 6_000_000 * tick / 1_000 // about 60,000.00
        var bids: [(price: Int64, size: Int64)] = []
        var asks: [(price: Int64, size: Int64)] = []
        for level in 0..<1_000 {
            bids.append((bestBid - Int64(level) * tick, 1_000_000 + Int64(level)))
            asks.append((bestBid + tick + Int64(level) * tick, 1_000_000 + Int64(level)))
        }
        // With the tick, as the engine keeps its books: the levels near the touch are in its window.
        var book = OrderBook(tick: tick)
        book.applySnapshot(bids: bids, asks: asks)
        let count = 20_000_000
        var updates: [LevelChange] = []
        updates.reserveCapacity(1 << 16)
        for _ in 0..<(1 << 16) {
            let side: BookSide = rng.next() & 1 == 0 ? .bid : .ask
            var distance: Int64 = 0
            while rng.next() % 4 != 0 && distance < 999 { distance += 1 + Int64(rng.next() % 3) }
            let price = side == .bid ? bestBid - distance * tick : bestBid + tick + distance * tick
            let roll = rng.next() % 10
            let size: Int64 = roll < 2 ? 0 : 100_000 + Int64(rng.next() % 5_000_000)
            updates.append(LevelChange(side: side, price: price, size: size))
        }
        let mask = updates.count - 1
        // Five repetitions: this VM's timings are noisy, so both the best and the median are shown.
        var rates: [Double] = []
        for _ in 0..<5 {
            let seconds = Stopwatch.measure {
                for index in 0..<count {
                    let update = updates[index & mask]
                    book.applyLevel(side: update.side, price: update.price, size: update.size)
                }
            }
            rates.append(Double(count) / seconds / 1e6)
        }
        blackHole(book)
        rates.sort()
        report("book_level_updates_per_second_best_of_5", rates.last!, "M/s")
        report("book_level_updates_per_second_median_of_5", rates[2], "M/s")
        report("book_levels_after_run", Double(book.bids.count + book.asks.count) / 2, "levels/side", decimals: 0)
    }

    /// Builds an engine with `count` isolated positions spread around the mark (none near enough to
    /// trigger), then times mark ticks that move the mark without crossing a trigger.
    static func markTicks(positions count: Int) -> (perTick: Double, bytesPerPosition: Double) {
        var rng = SplitMix64(seed: UInt64(count))
        var engine = Engine()
        engine.openFund(asset: "USDT", balance: Fixed(1_000_000))
        engine.apply(.mark(symbol: "binance-usdm:BTCUSDT", price: Fixed(60_000), time: 1))
        let before = Stopwatch.residentBytes()
        for index in 0..<count {
            let side: Side = index & 1 == 0 ? .long : .short
            let leverage = Fixed(2 + Int(rng.next() % 18)) // liquidation 5 %–50 % away
            let quantity = Fixed(1 + Int(rng.next() % 2_000)) / Fixed(1000)
            let entry = Fixed(60_000 - 500 + Int(rng.next() % 1_000))
            engine.apply(.position(PositionUpdate(
                account: "a\(index)", symbol: "binance-usdm:BTCUSDT", side: side, quantity: quantity, entryPrice: entry,
                mode: .isolated, leverage: leverage), time: 2))
        }
        let after = Stopwatch.residentBytes()
        let ticks = 200_000
        var notes: [EngineNotification] = []
        notes.reserveCapacity(16)
        var time: Int64 = 3
        let seconds = Stopwatch.measure {
            for tick in 0..<ticks {
                // ±0.5 % around 60,000: far from every trigger.
                let offset = Fixed(Int(tick % 600) - 300)
                time += 1
                engine.apply(.mark(symbol: "binance-usdm:BTCUSDT", price: Fixed(60_000) + offset, time: time), into: &notes)
            }
        }
        blackHole(notes.count)
        precondition(engine.totals.liquidations == 0, "the benchmark must not trigger liquidations")
        return (seconds / Double(ticks) * 1e6, Double(after - before) / Double(count))
    }

    /// The signals of every market are sampled once a second of session time, touched or not:
    /// what one market's sample costs with 10,000 markets of two-level books and marks, beside
    /// one book level update timed in the same run (the work a feed asks of the engine most).
    static func signalSamples() {
        let markets = 10_000
        let unit: Int64 = 100_000_000
        let start: Int64 = 1_700_000_000 * 1_000_000_000
        var engine = manyMarketsEngine(markets, start: start)
        let seconds = 30
        var notes: [EngineNotification] = []
        let elapsed = Stopwatch.measure {
            for second in 1...seconds {
                engine.apply(.clock(time: start + Int64(second) * 1_000_000_000), into: &notes)
            }
        }
        blackHole(notes.count)
        let perMarket = elapsed / Double(seconds * markets) * 1e6
        var book = OrderBook(tick: unit / 100)
        book.applySnapshot(bids: [(99 * unit, unit)], asks: [(101 * unit, unit)])
        let updates = 2_000_000
        let updateSeconds = Stopwatch.measure {
            for index in 0..<updates { book.applyLevel(side: .bid, price: 98 * unit, size: Int64(index & 1023) + 1) }
        }
        blackHole(book)
        let perUpdate = updateSeconds / Double(updates) * 1e6
        report("signal_sample_per_market_10k_markets", perMarket, "µs", decimals: 3)
        report("signal_sample_over_book_level_update", perMarket / perUpdate, "x")
        report("signal_samples_10k_markets_per_session_second", perMarket * Double(markets) / 1000, "ms")
        // The same through the replay (an events file, the engine held by the session): a copy
        // of the engine per market sampled (a mutation in a call's arguments) made this quadratic
        // in the markets, where the engine alone above stayed flat (attacker trial: 5,000 markets
        // took 25 s a session second).
        let few = replaySamplePerMarket(markets: 1_000), many = replaySamplePerMarket(markets: 10_000)
        report("replay_signal_sample_per_market_1k_markets", few, "µs", decimals: 3)
        report("replay_signal_sample_per_market_10k_markets", many, "µs", decimals: 3)
        report("replay_signal_sample_10k_over_1k_markets", many / few, "x")
    }

    /// A market's share of a second's sample in a headless replay of an events file of `markets`
    /// one-level books and 30 seconds of one mark each, less the same file's books alone.
    static func replaySamplePerMarket(markets: Int) -> Double {
        let seconds = 30
        let start: Int64 = 1_723_161_255_000_000_000
        let directory = FileManager.default.temporaryDirectory.path
        func file(marks: Int) -> String {
            var text = ""
            for index in 0..<markets {
                text += #"{"type":"book","symbol":"S\#(index)USDT","bids":[["100","5"]],"asks":[["101","5"]],"time":\#(start + Int64(index))}"# + "\n"
            }
            for second in stride(from: 1, through: marks, by: 1) {
                text += #"{"type":"mark","symbol":"S0USDT","price":"100.5","time":\#(start + Int64(second) * 1_000_000_000)}"# + "\n"
            }
            let path = directory + "/liqwatch-bench-markets-\(markets)-\(marks)-\(getpid()).jsonl"
            FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
            return path
        }
        let (booksOnly, withSamples) = (file(marks: 0), file(marks: seconds))
        defer { for path in [booksOnly, withSamples] { try? FileManager.default.removeItem(atPath: path) } }
        func best(_ path: String) -> Double {
            var best = Double.infinity
            for _ in 0..<3 {
                best = min(best, Stopwatch.measure {
                    guard let session = try? ReplaySession(paths: [path], options: SessionOptions()) else { return }
                    try? session.runToEnd()
                })
            }
            return best
        }
        return max(0, best(withSamples) - best(booksOnly)) / Double(seconds * markets) * 1e6
    }

    static func run() {
        bookUpdates()
        signalSamples()
        var figures: [Int: Double] = [:]
        for count in [10_000, 100_000, 1_000_000] {
            let (perTick, bytes) = markTicks(positions: count)
            figures[count] = perTick
            report("mark_tick_no_trigger_\(count / 1000)k_positions", perTick, "µs", decimals: 3)
            if count == 1_000_000 { report("memory_per_position", bytes, "bytes", decimals: 0) }
        }
        report("mark_tick_ratio_1M_over_10k", figures[1_000_000]! / figures[10_000]!, "x")
    }
}
