import CursesTerminal
import Dashboard
import MarketFeeds
import RiskEngine
#if canImport(Glibc)
import Glibc
#endif

/// The dashboard's frame cost: a full frame rendered into the buffer at 200×60 with 10,000
/// positions (goal under 1 ms), and the bytes written to the terminal for a frame where nothing
/// changed (goal 0), counted by giving curses a memory stream as its terminal.
enum RenderBenchmarks {
    static func run() {
        tenThousand()
        manyMarkets()
        million()
    }

    /// A frame with 5,000 markets watched, beside the same frame with one: every pane's title asks
    /// which market is focused, and choosing it read every market (a key took three seconds).
    static func manyMarkets() {
        func frame(markets: Int) -> Double {
            let start: Int64 = 1_700_000_000 * 1_000_000_000
            var engine = manyMarketsEngine(markets, start: start)
            engine.apply(.clock(time: start + 1_000_000_000))
            var status = SessionStatus(kind: "replay", source: "bench")
            status.time = start + 1_000_000_000
            var model = AppModel(width: 200, height: 60, status: status, engine: engine, log: SessionLog())
            _ = model.update(.session(engine: engine, log: SessionLog(), status: status))
            var buffer = Buffer(width: 200, height: 60)
            let frames = 30
            let seconds = Stopwatch.measure {
                for _ in 0..<frames { model.render(into: &buffer) }
            }
            blackHole(buffer)
            // A second of session time later: the tables are built again (once a second).
            // The engine's sample runs on the session's thread; the dashboard's turn and the
            // slices of work after it on the dashboard's, each answering keys between them.
            let rebuilds = 10
            var later = engine
            var updates = 0.0
            var slowestSlice = 0.0
            for second in 2...(rebuilds + 1) {
                later.apply(.clock(time: start + Int64(second) * 1_000_000_000))
                status.time = later.time
                updates += Stopwatch.measure { _ = model.update(.session(engine: later, log: SessionLog(), status: status)) }
                while model.hasPendingWork {
                    slowestSlice = max(slowestSlice, Stopwatch.measure { model.completePendingWork(budget: .turn) })
                }
            }
            if markets > 1 {
                report("dashboard_turn_new_second_5k_markets (tables built)", updates / Double(rebuilds) * 1e3, "ms", decimals: 2)
                report("dashboard_slice_max_5k_markets (columns measured)", slowestSlice * 1e3, "ms", decimals: 2)
            }
            return seconds / Double(frames) * 1e3
        }
        let one = frame(markets: 1)
        let many = frame(markets: 5_000)
        report("render_frame_200x60_1_market", one, "ms", decimals: 3)
        report("render_frame_200x60_5k_markets", many, "ms", decimals: 3)
        report("render_frame_5k_markets_over_1", many / one, "x")
    }

    /// The dashboard while a million positions cascade: the demo with 1,000,000 positions, 90 s
    /// in (its cascade under way). The positions table is a window of the first 1,000 (see
    /// `PositionTable`); a key must be answered within a frame (33 ms) and a frame drawn in 2 ms.
    static func million() {
        let demo = DemoSession(seed: 1, positions: 1_000_000)
        while (try? demo.step()) == true, (demo.lastTime ?? 0) < DemoSession.startTime + 90_000_000_000 {}
        var status = SessionStatus(kind: demo.kind, source: demo.sourceLabel)
        status.time = demo.lastTime ?? 0
        report("dashboard_1M_positions_open", Double(demo.engine.positions.lazy.filter(\.isOpen).count), "positions", decimals: 0)
        report("dashboard_1M_liquidations_so_far", Double(demo.log.simulatedCount), "liquidations", decimals: 0)
        var model = AppModel(width: 200, height: 60, status: status, engine: demo.engine, log: demo.log)
        var rebuild = Double.infinity
        for _ in 0..<3 {
            rebuild = min(rebuild, Stopwatch.measure { model = AppModel(width: 200, height: 60, status: status, engine: demo.engine, log: demo.log) })
        }
        report("positions_table_rebuild_1M_ms (every 2 s of session time)", rebuild * 1e3, "ms", decimals: 1)
        var buffer = Buffer(width: 200, height: 60)
        let frames = 100
        let frame = Stopwatch.measure { for _ in 0..<frames { model.render(into: &buffer) } } / Double(frames)
        report("render_frame_200x60_1M_positions", frame * 1e3, "ms", decimals: 3)
        // A cursor key: the model's update and the frame it causes.
        var worstMove = 0.0
        for _ in 0..<50 {
            worstMove = max(worstMove, Stopwatch.measure {
                _ = model.update(.key(.character("j")))
                model.render(into: &buffer)
            })
        }
        report("key_move_cursor_1M_positions_worst_ms", worstMove * 1e3, "ms", decimals: 2)
        // A sort key: answered at once with the window sorted; the window is then chosen again
        // over every position in slices, one a turn of the run loop (`completePendingWork`).
        var answers: [Double] = []
        var choices: [(column: String, seconds: Double, slices: Int)] = []
        var longestChoiceSlice = 0.0
        for _ in 0..<PositionColumn.allCases.count {
            answers.append(Stopwatch.measure {
                _ = model.update(.key(.character("s")))
                model.render(into: &buffer)
            })
            var slices = 0
            var seconds = 0.0
            while model.hasPendingWork {
                let slice = Stopwatch.measure {
                    model.completePendingWork(budget: .turn)
                    model.render(into: &buffer)
                }
                longestChoiceSlice = max(longestChoiceSlice, slice)
                seconds += slice
                slices += 1
            }
            choices.append((model.sortColumn.rawValue, seconds, slices))
        }
        report("key_sort_1M_positions_answer_worst_ms", answers.max()! * 1e3, "ms", decimals: 2)
        let worst = choices.max { $0.seconds < $1.seconds }!
        report("window_rechosen_after_sort_1M_worst_total_ms (\(worst.column), \(worst.slices) slices)", worst.seconds * 1e3, "ms", decimals: 1)
        report("window_rechosen_after_sort_1M_median_total_ms", choices.map(\.seconds).sorted()[choices.count / 2] * 1e3, "ms", decimals: 1)
        report("window_rechosen_after_sort_1M_longest_slice_ms (with its frame)", longestChoiceSlice * 1e3, "ms", decimals: 2)
        // A full rebuild (the clusters and counts too) at each ladder grouping (`z` asks for one):
        // by 1,000 ticks the ladder reaches furthest, the most liquidation prices to sort.
        for grouping in [10, 100, 1_000, 1] {
            _ = model.update(.key(.character("z")))
            var longest = 0.0
            var total = 0.0
            var slices = 0
            while model.hasPendingWork {
                let slice = Stopwatch.measure { model.completePendingWork(budget: .turn) }
                longest = max(longest, slice)
                total += slice
                slices += 1
            }
            guard grouping == 1 || grouping == 1_000 else { continue }
            report("table_rebuilt_in_slices_1M_ladder_grouping_\(grouping)_total_ms (\(slices) slices)", total * 1e3, "ms", decimals: 1)
            report("table_rebuilt_in_slices_1M_ladder_grouping_\(grouping)_longest_slice_ms", longest * 1e3, "ms", decimals: 2)
        }
        blackHole(buffer)
        blackHole(model)
        for checkpoints in [true, false] {
            cascadeRunLoop(slicing: true, checkpoints: checkpoints)
            cascadeRunLoop(slicing: false, checkpoints: checkpoints)
        }
    }

    /// The run loop while the demo's million positions cascade at full speed (from 90 s in), with keys pressed at
    /// random moments (one every 0–20 ms of wall time): each turn reads the keys, answers them
    /// and draws the answer, applies the session's work (at most 12 ms, as `ReplayFeed`), does a
    /// slice of the table's rebuild (`ScanBudget.turn`) and draws a frame when one is due (33 ms),
    /// holding the engine only while it handles keys and renders, as `DashboardRunner` does. At
    /// full speed a rebuild is always due, so one is under way nearly every turn. A key's latency
    /// is from the moment it was pressed to the end of the frame that answers it (curses' write
    /// to the terminal is not counted). `slicing: false` is the loop as it was: each event whole, the rebuild in one
    /// pass inside the session's update, keys after the session's work, their frame in the next
    /// 33 ms slot.
    ///
    /// The replay clock keeps a checkpoint of the session every 10 s of session time (for jumps
    /// back): the engine's next change after one copies every position and account, hundreds of
    /// milliseconds at a million, inside the session's advance. `checkpoints: false` runs the
    /// same loop without them, to tell the dashboard's stalls from the clock's.
    static func cascadeRunLoop(slicing: Bool, checkpoints: Bool, seconds: Double = 8) {
        let label = (slicing ? "sliced" : "one_pass_as_before") + (checkpoints ? "" : "_no_checkpoints")
        // Each loop from the same moment of the same cascade: the demo 60 s in, to its end.
        let demo = DemoSession(seed: 1, positions: 1_000_000)
        while (try? demo.step()) == true, (demo.lastTime ?? 0) < DemoSession.startTime + 60_000_000_000 {}
        // Sliced, the cascade of one mark is applied a few hundred liquidations at a time, as the
        // dashboard's `ReplayFeed` does; as before, each event whole.
        if slicing { demo.liquidationSlice = ReplayClock.interactiveLiquidationSlice }
        let clock = checkpoints ? ReplayClock(driver: demo) : ReplayClock(driver: demo, checkpointInterval: Int64.max / 4)
        clock.setSpeed(.infinity, wall: Stopwatch.now())
        var status = SessionStatus(kind: demo.kind, source: demo.sourceLabel)
        status.time = demo.lastTime ?? 0
        var model = AppModel(width: 200, height: 60, status: status, engine: demo.engine, log: demo.log)
        model.detachSession()
        var buffer = Buffer(width: 200, height: 60)
        var random = SplitMix(seed: slicing ? 7 : 11)
        // Mostly cursor moves; now and then another sort or its reverse, which choose the window
        // again (and restart a choice under way: one every few keys would never let one end).
        let keys: [Character] = Array(repeating: "j", count: 49) + Array(repeating: "k", count: 49) + ["s", "S"]
        let started = Stopwatch.now()
        var nextKey = started + random.next(below: 20_000_000)
        var pressed: [UInt64] = []
        var latencies: [Double] = []
        var latenciesDuringRebuild: [Double] = []
        var longestSlice: UInt64 = 0
        var longestAdvance: UInt64 = 0
        var longestTurn: UInt64 = 0
        var longestFrame: UInt64 = 0
        var slices = 0
        var rebuildsDone = 0
        var lastFrame: UInt64 = 0
        var liquidationsBefore = demo.log.simulatedCount
        func draw() {
            let before = Stopwatch.now()
            model.render(into: &buffer)
            model.needsRedraw = false
            lastFrame = Stopwatch.now()
            longestFrame = max(longestFrame, lastFrame - before)
        }
        /// Keys read and handled, waiting for the frame that shows their answer.
        var handled: [UInt64] = []
        /// When the table's rebuild last did work: a key pressed before then waited through it.
        var rebuildWorkEnded: UInt64 = 0
        var longAdvances = 0
        /// Every session advance, so a key's wait can be split into the engine's and the rest.
        var advances: [(start: UInt64, end: UInt64)] = []
        var latenciesLessAdvances: [Double] = []
        func handle(_ count: Int) {
            for time in pressed.prefix(count) {
                _ = model.update(.key(.character(keys[Int(random.next(below: UInt64(keys.count)))])))
                handled.append(time)
            }
            pressed.removeFirst(count)
        }
        func answer() {
            let now = Stopwatch.now()
            for pressedAt in handled {
                let latency = Double(now - pressedAt) / 1e6
                latencies.append(latency)
                // What ran between the key and its answer: a rebuild's work, a long advance.
                if pressedAt < rebuildWorkEnded { latenciesDuringRebuild.append(latency) }
                // The dashboard's own share: the wait less the session's advances within it.
                var engine: UInt64 = 0
                for advance in advances.reversed() {
                    guard advance.end > pressedAt else { break }
                    engine += advance.end - max(advance.start, pressedAt)
                }
                latenciesLessAdvances.append(latency - Double(engine) / 1e6)
            }
            handled.removeAll()
        }
        while Stopwatch.now() - started < UInt64(seconds * 1e9) && !demo.finished {
            let turnStart = Stopwatch.now()
            // The keys pressed until now are what the terminal has for this turn.
            while nextKey <= turnStart {
                pressed.append(nextKey)
                nextKey += 1 + random.next(below: 20_000_000)
            }
            let read = pressed.count
            if slicing && read > 0 {
                model.attach(engine: demo.engine, log: demo.log)
                handle(read)
                draw()
                answer()
                model.detachSession()
            }
            let advanceStart = Stopwatch.now()
            let applied = (try? clock.advance(wall: advanceStart, wallBudget: 12_000_000)) ?? 0
            let advanceEnded = Stopwatch.now()
            advances.append((advanceStart, advanceEnded))
            longestAdvance = max(longestAdvance, advanceEnded - advanceStart)
            if advanceEnded - advanceStart > 33_000_000 {
                // One event's whole cascade, or the copy of the engine after a checkpoint.
                longAdvances += 1
            }
            status.time = demo.lastTime ?? status.time
            if applied > 0 {
                _ = model.update(.session(engine: demo.engine, log: demo.log, status: status))
            } else {
                model.attach(engine: demo.engine, log: demo.log)
            }
            if !slicing && model.hasPendingWork && !model.pendingWindowChoice {
                // As before: the table rebuilt in one pass inside the session's update.
                let passStart = Stopwatch.now()
                model.completePendingWork(budget: .unbounded)
                longestSlice = max(longestSlice, Stopwatch.now() - passStart)
                rebuildsDone += 1
                rebuildWorkEnded = Stopwatch.now()
            }
            if !slicing && read > 0 { handle(read) }
            if slicing && model.hasPendingWork {
                let sliceStart = Stopwatch.now()
                model.completePendingWork(budget: .turn)
                longestSlice = max(longestSlice, Stopwatch.now() - sliceStart)
                slices += 1
                if !model.hasPendingWork { rebuildsDone += 1 }
                rebuildWorkEnded = Stopwatch.now()
            } else if !slicing && read == 0 && model.pendingWindowChoice {
                // As before: a sort's window chosen again in one pass once no key waits.
                let passStart = Stopwatch.now()
                model.completePendingWork(budget: .unbounded)
                longestSlice = max(longestSlice, Stopwatch.now() - passStart)
                rebuildsDone += 1
                rebuildWorkEnded = Stopwatch.now()
            }
            let afterWork = Stopwatch.now()
            if model.needsRedraw && afterWork - lastFrame >= 33_000_000 {
                draw()
                answer()
            }
            model.detachSession()
            longestTurn = max(longestTurn, Stopwatch.now() - turnStart)
        }
        liquidationsBefore = demo.log.simulatedCount - liquidationsBefore
        let sorted = latencies.sorted()
        func ms(_ nanoseconds: UInt64) -> Double { Double(nanoseconds) / 1e6 }
        report("cascade_1M_\(label)_keys_pressed (\(latenciesDuringRebuild.count) during a rebuild)", Double(latencies.count), "keys", decimals: 0)
        report("cascade_1M_\(label)_liquidations_during_run", Double(liquidationsBefore), "liquidations", decimals: 0)
        report("cascade_1M_\(label)_table_rebuilds_completed", Double(rebuildsDone), "rebuilds", decimals: 0)
        report("cascade_1M_\(label)_adl_rankings_prepared_in_slices", Double(demo.engine.preparedRankingsTaken), "rankings", decimals: 0)
        report("cascade_1M_\(label)_key_latency_worst_ms (goal 33)", sorted.last ?? 0, "ms", decimals: 1)
        report("cascade_1M_\(label)_key_latency_p99_ms", sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, sorted.count * 99 / 100)], "ms", decimals: 1)
        report("cascade_1M_\(label)_key_latency_during_rebuild_worst_ms", latenciesDuringRebuild.max() ?? 0, "ms", decimals: 1)
        report("cascade_1M_\(label)_key_latency_less_session_advances_worst_ms (the dashboard's own share)",
            latenciesLessAdvances.max() ?? 0, "ms", decimals: 1)
        report("cascade_1M_\(label)_session_advances_over_33_ms", Double(longAdvances), "advances", decimals: 0)
        report("cascade_1M_\(label)_longest_table_slice_ms", ms(longestSlice), "ms", decimals: 2)
        report("cascade_1M_\(label)_longest_session_advance_ms (budget 12)", ms(longestAdvance), "ms", decimals: 1)
        report("cascade_1M_\(label)_longest_turn_ms (UI thread between sleeps)", ms(longestTurn), "ms", decimals: 1)
        report("cascade_1M_\(label)_longest_frame_200x60_ms", ms(longestFrame), "ms", decimals: 2)
        if slicing { report("cascade_1M_\(label)_table_slices", Double(slices), "slices", decimals: 0) }
        blackHole(buffer)
        blackHole(model)
    }

    static func tenThousand() {
        let demo = DemoSession(seed: 1, positions: 10_000)
        while (try? demo.step()) == true, (demo.lastTime ?? 0) < DemoSession.startTime + 90_000_000_000 {}
        var status = SessionStatus(kind: demo.kind, source: demo.sourceLabel)
        status.time = demo.lastTime ?? 0
        status.progress = demo.progress
        var model = AppModel(width: 200, height: 60, status: status, engine: demo.engine, log: demo.log)
        _ = model.update(.session(engine: demo.engine, log: demo.log, status: status))
        var buffer = Buffer(width: 200, height: 60)
        let frames = 300
        let seconds = Stopwatch.measure {
            for _ in 0..<frames { model.render(into: &buffer) }
        }
        blackHole(buffer)
        report("render_frame_200x60_10k_positions", seconds / Double(frames) * 1e3, "ms", decimals: 3)
        let rebuild = Stopwatch.measure { _ = AppModel(width: 200, height: 60, status: status, engine: demo.engine, log: demo.log) }
        report("positions_table_rebuild_10k (once a second)", rebuild * 1e3, "ms", decimals: 2)

        // Bytes to the terminal: the first frame, then the same frame again. ncurses writes to the
        // stream's file descriptor, so the terminal here is a temporary file whose size is read.
        guard let file = tmpfile() else { print("terminal_bytes: skipped (no temporary file)"); return }
        func written() -> Int {
            fflush(file)
            var info = stat()
            fstat(fileno(file), &info)
            return Int(info.st_size)
        }
        let terminal = CursesTerminal(output: file, terminalType: "xterm-256color")
        terminal.draw(buffer, theme: .dark)
        let first = written()
        let rowsWritten = terminal.draw(buffer, theme: .dark)
        let unchanged = written() - first
        terminal.restore()
        fclose(file)
        report("terminal_bytes_first_frame", Double(first), "bytes", decimals: 0)
        report("terminal_bytes_unchanged_frame", Double(unchanged), "bytes", decimals: 0)
        report("terminal_rows_written_unchanged_frame", Double(rowsWritten), "rows", decimals: 0)
    }
}

/// A small seeded generator, so the moments keys are pressed are the same in every run.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func next(below bound: UInt64) -> UInt64 { next() % max(1, bound) }
}
