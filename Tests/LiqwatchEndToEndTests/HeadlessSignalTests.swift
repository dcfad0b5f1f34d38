import Foundation
import Testing

/// A headless replay stopped by a signal prints the report of what it replayed, then exits
/// 128 + the signal (the README's exit codes). It died at once, with no report (attacker trial).
@Suite("Headless runs stopped by a signal")
struct HeadlessSignalTests {
    @Test("SIGTERM during a long headless replay: the report of what was replayed, then exit 143", arguments: ["TERM", "HUP"])
    func reportThenExit(signal: String) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("liqwatch-signal-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let marks = folder.appendingPathComponent("marks.gz").path
        let binary = BinaryRunner.binary.path
        // 400 MB of mark lines (a few MB packed): far longer to replay than the second given.
        let script = """
            yes '{"type":"mark","symbol":"BTCUSDT","price":"61650.4","time":1723161255030000000}' | head -c 400M | gzip -1 > '\(marks)'
            XDG_CONFIG_HOME='\(BinaryRunner.isolatedConfigHome)' '\(binary)' replay '\(marks)' --headless --report text &
            pid=$!
            sleep 1
            kill -\(signal) $pid
            wait $pid
            echo "exit=$?"
            """
        let result = try BinaryRunner.runShell(script)
        let expected = signal == "TERM" ? 143 : 129
        #expect(result.standardOutput.contains("exit=\(expected)"), "\(result.standardOutput.suffix(200)) \(result.standardError)")
        #expect(result.standardOutput.contains("liqwatch replay: "), "no report: \(result.standardOutput.prefix(300))")
        #expect(result.standardOutput.contains("frames: "), "no report: \(result.standardOutput.prefix(300))")
    }
}
