import Foundation
import MarketFeeds
import RiskEngine

/// Cascades at exchange scale: what a liquidation costs end to end as the number of monitored
/// positions grows, a real replay that cascades against the same replay with no positions, and
/// loading a million-row positions file against reading the file.
enum CascadeBenchmarks {
    static func run() {
        liquidationCost()
        replayCascade()
        positionsFile()
    }

    // MARK: One liquidation, end to end

    /// An engine with `count` positions: 5,000 of them leveraged longs whose triggers lie in the
    /// mark's path, the rest 2x positions of both sides far from theirs (the ADL queue, ranked
    /// once every 30 s of event time as Binance does, so twice in this cascade). The book's bids
    /// are deep near the touch and thin further out, so later liquidations run out of book and
    /// deleverage. The cascade is the same at every size (the same risky longs, the same book,
    /// the same deleverages of the same share of the far side): only the positions watched
    /// beside it grow. Returns nanoseconds per liquidation over the cascade (walk, settlement,
    /// ledger, ADL, log, index), and the liquidations made.
    static func cascade(positions count: Int) -> (nanoseconds: Double, liquidations: Int, adl: Int, placement: Double) {
        var rng = SplitMix64(seed: 7)
        var engine = Engine()
        engine.openFund(asset: "USDT", balance: Fixed(2_000_000))
        var bids: [(price: Int64, size: Int64)] = []
        var asks: [(price: Int64, size: Int64)] = []
        for level in 0..<4_000 {
            // 0.10 apart from 59,999.90 down; 0.5 BTC a level for the first 500, then 0.01: the
            // risky longs (about 500 BTC) run out of book half way and deleverage.
            bids.append((BookUnits.perUnit * 59_999 + 90_000_000 - Int64(level) * 10_000_000, level < 500 ? 50_000_000 : 1_000_000))
            asks.append((BookUnits.perUnit * 60_000 + Int64(level) * 10_000_000, 200_000_000))
        }
        engine.apply(.bookSnapshot(symbol: "binance-usdm:BTCUSDT", bids: bids, asks: asks, time: 1))
        engine.apply(.mark(symbol: "binance-usdm:BTCUSDT", price: Fixed(60_000), time: 1))
        var notes: [EngineNotification] = []
        // Drawn first, so the figure is the engine's placing alone (through the batch path a
        // positions file and a synthetic book take).
        var updates: [PositionUpdate] = []
        updates.reserveCapacity(count)
        for index in 0..<count {
            let risky = index < 5_000
            let side: Side = risky || index & 1 == 0 ? .long : .short
            let leverage = risky ? Fixed(20 + Int(rng.next() % 100)) : Fixed(2)
            // The far side's quantities are larger (0.5 to 1.5 BTC), so that at 10k its 2,500
            // shorts stand behind the deleverages as a million's half million do: a share of them.
            let quantity = risky ? Fixed(1 + Int(rng.next() % 200)) / Fixed(1000) : Fixed(500 + Int(rng.next() % 1000)) / Fixed(1000)
            let entry = Fixed(60_000 - 50 + Int(rng.next() % 100))
            updates.append(PositionUpdate(account: "a\(index)", symbol: "binance-usdm:BTCUSDT", side: side, quantity: quantity,
                entryPrice: entry, mode: .isolated, leverage: leverage))
        }
        let placing = Stopwatch.now()
        engine.apply(positions: updates, time: 2, into: &notes) { if !$0.isEmpty { $0.removeAll(keepingCapacity: true) } }
        let placement = Double(Stopwatch.now() - placing) / Double(count)
        // The what-if an operator asks for before the cascade (x, -5), and the ladder of shocks
        // it shows beside it and the report prints: each on a copy of the whole engine.
        let skipWhatIf = ProcessInfo.processInfo.environment["LIQWATCH_BENCH_NO_WHATIF"] != nil
        let shock = skipWhatIf ? 0 : Stopwatch.measure { blackHole(try? engine.stress(symbol: "binance-usdm:BTCUSDT", shockPercent: Fixed(-5))) }
        let ladder = skipWhatIf ? 0 : Stopwatch.measure { blackHole(engine.stressLadder(symbol: "binance-usdm:BTCUSDT")) }
        report("what_if_shock_minus_5pct_\(count / 1000)k_positions", shock * 1e3, "ms", decimals: 1)
        report("what_if_ladder_of_\(StressLadder.shocks.count)_shocks_\(count / 1000)k_positions", ladder * 1e3, "ms", decimals: 1)
        // LIQWATCH_BENCH_CASCADE_REPEAT=N runs the cascade N more times first, each on a copy of
        // the engine, so that a profiler's samples are mostly the cascade's (placing a million
        // positions takes forty times as long as the cascade).
        let repeats = ProcessInfo.processInfo.environment["LIQWATCH_BENCH_CASCADE_REPEAT"].flatMap(Int.init) ?? 0
        for _ in 0..<max(0, repeats) {
            var copy = engine
            var time: Int64 = 3_000_000_000
            for step in 1...5_000 {
                time += 10_000_000
                copy.apply(.mark(symbol: "binance-usdm:BTCUSDT", price: Fixed(60_000) - Fixed(step) * Fixed("0.6")!, time: time), into: &notes)
                notes.removeAll(keepingCapacity: true)
            }
            blackHole(copy)
        }
        let before = engine.totals.liquidations
        let adlBefore = engine.totals.adlEvents
        var time: Int64 = 3_000_000_000
        var liquidations = 0
        let seconds = Stopwatch.measure {
            // The mark falls 5 % in 5,000 steps of 0.60, 10 ms apart: a cascade's pace (the
            // signals sample once a second as usual, fifty times in all).
            for step in 1...5_000 {
                time += 10_000_000
                engine.apply(.mark(symbol: "binance-usdm:BTCUSDT", price: Fixed(60_000) - Fixed(step) * Fixed("0.6")!, time: time), into: &notes)
                notes.removeAll(keepingCapacity: true)
            }
            liquidations = engine.totals.liquidations - before
        }
        blackHole(engine)
        let cells = engine.adlCellCounts
        report("adl_rankings_by_cells_\(count / 1000)k_positions", Double(cells.rankings), "rankings", decimals: 0)
        report("adl_cells_opened_of_bounded_\(count / 1000)k_positions", Double(cells.cellsOpened), "of \(cells.cellsBounded)", decimals: 0)
        report("adl_positions_scored_by_cells_\(count / 1000)k_positions", Double(cells.positionsTaken + cells.exactScored), "positions", decimals: 0)
        return (seconds / Double(max(1, liquidations)) * 1e9, liquidations, engine.totals.adlEvents - adlBefore, placement)
    }

    static func liquidationCost() {
        var figures: [Int: Double] = [:]
        // LIQWATCH_BENCH_POSITIONS=10000 runs one size (for a profiler).
        let sizes = ProcessInfo.processInfo.environment["LIQWATCH_BENCH_POSITIONS"].flatMap(Int.init).map { [$0] } ?? [10_000, 100_000, 1_000_000]
        for count in sizes {
            let (nanoseconds, liquidations, adl, placement) = cascade(positions: count)
            report("placing_a_position_\(count / 1000)k_positions (a new account each)", placement, "ns", decimals: 0)
            figures[count] = nanoseconds
            report("liquidation_end_to_end_\(count / 1000)k_positions", nanoseconds, "ns", decimals: 0)
            report("liquidations_in_cascade_\(count / 1000)k_positions", Double(liquidations), "liquidations", decimals: 0)
            report("adl_closes_in_cascade_\(count / 1000)k_positions", Double(adl), "closes", decimals: 0)
        }
        if let large = figures[1_000_000], let small = figures[10_000] { report("liquidation_cost_ratio_1M_over_10k", large / small, "x") }
    }

    // MARK: A replay that cascades

    /// The BTCUSDT recording, unpacked, with no positions and with 300,000 and 1,000,000
    /// synthetic ones (placed around the first mark; a share of them liquidate as the price
    /// moves): the replay alone (`runToEnd`), not the report.
    static func replayCascade() {
        guard let unpacked = ReplayBenchmarks.unpackedRecording() else { return }
        defer { try? FileManager.default.removeItem(atPath: unpacked) }
        func replay(_ positions: Int) -> (seconds: Double, liquidations: Int, resident: Int) {
            var options = SessionOptions()
            options.syntheticPositions = positions
            var liquidations = 0
            var resident = 0
            let seconds = Stopwatch.measure {
                guard let session = try? ReplaySession(paths: [unpacked], options: options) else { return }
                try? session.runToEnd()
                liquidations = session.log.simulatedCount
                resident = Stopwatch.residentBytes()
                blackHole(session)
            }
            return (seconds, liquidations, resident)
        }
        var bare = Double.infinity
        for _ in 0..<5 { bare = min(bare, replay(0).seconds) }
        report("replay_no_positions_seconds", bare, "s", decimals: 4)
        for count in [300_000, 1_000_000] {
            let run = replay(count)
            report("replay_\(count / 1000)k_positions_seconds", run.seconds, "s", decimals: 3)
            report("replay_\(count / 1000)k_positions_liquidations", Double(run.liquidations), "liquidations", decimals: 0)
            report("replay_\(count / 1000)k_positions_over_no_positions", run.seconds / bare, "x")
            report("replay_\(count / 1000)k_positions_resident_MB", Double(run.resident) / 1e6, "MB", decimals: 0)
        }
    }

    // MARK: Cross accounts of several symbols

    /// The BTCUSDT recording, unpacked, watching cross accounts that each hold a BTCUSDT long
    /// and an ETHUSDT short (one wallet for both, so every BTCUSDT mark moves the ETHUSDT leg's
    /// liquidation price): with the guards (`Engine+CrossGuards`) against re-working every such
    /// account on every mark, as before them, and against the same number of one-symbol accounts.
    static func crossAccounts() {
        guard let unpacked = ReplayBenchmarks.unpackedRecording() else { return }
        defer { try? FileManager.default.removeItem(atPath: unpacked) }
        func positions(_ accounts: Int, twoLegs: Bool) -> [PositionUpdate] {
            var rng = SplitMix64(seed: 11)
            var updates: [PositionUpdate] = []
            for index in 0..<accounts {
                let entry = Fixed(Int(55_000 + rng.next() % 7_000))
                updates.append(PositionUpdate(account: "x\(index)", symbol: "binance-usdm:BTCUSDT", side: .long, quantity: Fixed(1) / Fixed(100),
                    entryPrice: entry, mode: .cross, walletBalance: Fixed(Int(100 + rng.next() % 500))))
                if twoLegs {
                    updates.append(PositionUpdate(account: "x\(index)", symbol: "binance-usdm:ETHUSDT", side: .short, quantity: Fixed(1) / Fixed(10),
                        entryPrice: Fixed(2_500), mode: .cross))
                }
            }
            return updates
        }
        func replay(_ updates: [PositionUpdate], guards: Bool) -> Double {
            var options = SessionOptions()
            options.positions = updates
            options.configuration.crossGuards = guards
            return Stopwatch.measure {
                guard let session = try? ReplaySession(paths: [unpacked], options: options) else { return }
                try? session.runToEnd()
                blackHole(session)
            }
        }
        for accounts in [2_000, 20_000] {
            let single = positions(accounts, twoLegs: false)
            let double = positions(accounts, twoLegs: true)
            var oneSymbol = Double.infinity
            var guarded = Double.infinity
            for _ in 0..<3 {
                oneSymbol = min(oneSymbol, replay(single, guards: true))
                guarded = min(guarded, replay(double, guards: true))
            }
            // Re-working every account on every mark: one run (20,000 took 25 s).
            let everyMark = replay(double, guards: false)
            let name = "cross_\(accounts / 1000)k_two_leg_accounts"
            report("\(name)_guarded_seconds", guarded, "s", decimals: 3)
            report("\(name)_every_mark_seconds", everyMark, "s", decimals: 3)
            report("\(name)_every_mark_over_guarded", everyMark / guarded, "x")
            report("\(name)_guarded_over_one_leg_accounts", guarded / oneSymbol, "x")
        }
    }

    // MARK: A million-row positions file

    static func positionsFile() {
        let path = NSTemporaryDirectory() + "liqwatch-bench-positions.csv"
        defer { try? FileManager.default.removeItem(atPath: path) }
        var text = "account,symbol,side,size,entry_price,margin_mode,isolated_margin,wallet_balance,leverage\n"
        // LIQWATCH_BENCH_ROWS=100000 writes a smaller file (for a profiler).
        let rows = max(1, ProcessInfo.processInfo.environment["LIQWATCH_BENCH_ROWS"].flatMap(Int.init) ?? 1_000_000)
        text.reserveCapacity(rows * 53)
        var rng = SplitMix64(seed: 3)
        for index in 0..<rows {
            let cross = index % 4 == 0
            let side = index & 1 == 0 ? "long" : "short"
            let size = "0.\(String(100 + rng.next() % 900))"
            let entry = "\(59_000 + rng.next() % 2_000).\(rng.next() % 10)"
            if cross {
                text += "acct-\(index),BTCUSDT,\(side),\(size),\(entry),cross,,\(1_000 + rng.next() % 9_000),\n"
            } else {
                text += "acct-\(index),BTCUSDT,\(side),\(size),\(entry),isolated,,,\(2 + rng.next() % 100)\n"
            }
        }
        guard (try? text.write(toFile: path, atomically: false, encoding: .utf8)) != nil else { print("positions_file: skipped"); return }
        let bytes = Double(text.utf8.count)
        var readBest = Double.infinity
        for _ in 0..<5 {
            readBest = min(readBest, Stopwatch.measure {
                blackHole(FileManager.default.contents(atPath: path)?.count)
            })
        }
        var loadBest = Double.infinity
        var placeBest = Double.infinity
        for _ in 0..<3 {
            var updates: [PositionUpdate] = []
            loadBest = min(loadBest, Stopwatch.measure {
                updates = (try? PositionsFile.load(path: path, catalog: .builtIn)) ?? []
            })
            placeBest = min(placeBest, Stopwatch.measure {
                var engine = Engine()
                engine.apply(.mark(symbol: "binance-usdm:BTCUSDT", price: Fixed(60_000), time: 1))
                var notes: [EngineNotification] = []
                engine.apply(positions: updates, time: 1, into: &notes) { if !$0.isEmpty { $0.removeAll(keepingCapacity: true) } }
                blackHole(engine)
            })
            blackHole(updates)
        }
        report("positions_file_MB", bytes / 1e6, "MB", decimals: 1)
        report("positions_file_read_MB_per_second", bytes / readBest / 1e6, "MB/s", decimals: 0)
        report("positions_file_parse_MB_per_second", bytes / loadBest / 1e6, "MB/s", decimals: 0)
        report("positions_file_parse_and_place_MB_per_second", bytes / (loadBest + placeBest) / 1e6, "MB/s", decimals: 0)
        report("positions_file_placing_a_position", placeBest / Double(rows) * 1e9, "ns", decimals: 0)
        // The same rows ended by lone CRs (a classic Mac export): parsed as fast (each line once
        // looked for an LF to the end of the file, which made this quadratic).
        let crText = text.replacingOccurrences(of: "\n", with: "\r")
        guard (try? crText.write(toFile: path, atomically: false, encoding: .utf8)) != nil else { return }
        var crBest = Double.infinity
        for _ in 0..<3 {
            crBest = min(crBest, Stopwatch.measure { blackHole(try? PositionsFile.load(path: path, catalog: .builtIn)) })
        }
        report("positions_file_cr_lines_parse_MB_per_second", bytes / crBest / 1e6, "MB/s", decimals: 0)
    }
}
