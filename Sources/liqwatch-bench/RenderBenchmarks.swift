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
