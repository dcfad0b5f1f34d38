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
        million()
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
        // A sort key: a windowed table is chosen again over all the positions.
        // A sort key: answered at once with the window sorted; the window is then chosen again
        // over every position when no key waits (the run loop's idle turn).
        var answers: [Double] = []
        var choices: [(column: String, seconds: Double)] = []
        for _ in 0..<PositionColumn.allCases.count {
            answers.append(Stopwatch.measure {
                _ = model.update(.key(.character("s")))
                model.render(into: &buffer)
            })
            let seconds = Stopwatch.measure {
                model.completePendingWork()
                model.render(into: &buffer)
            }
            choices.append((model.sortColumn.rawValue, seconds))
        }
        report("key_sort_1M_positions_answer_worst_ms", answers.max()! * 1e3, "ms", decimals: 2)
        let worst = choices.max { $0.seconds < $1.seconds }!
        report("window_rechosen_after_sort_1M_worst_ms (\(worst.column), idle turn)", worst.seconds * 1e3, "ms", decimals: 1)
        report("window_rechosen_after_sort_1M_median_ms", choices.map(\.seconds).sorted()[choices.count / 2] * 1e3, "ms", decimals: 1)
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
