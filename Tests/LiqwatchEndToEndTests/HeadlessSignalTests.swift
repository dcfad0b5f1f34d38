import Foundation
import Testing

/// A headless replay stopped by a signal prints the report of what it replayed, then exits
/// 128 + the signal (the README's exit codes). It died at once, with no report (attacker trial).
@Suite("Headless runs stopped by a signal")
struct HeadlessSignalTests {
    @Test("a signal during a headless replay of an endless input: the report of what was replayed, once, then exit 128 + the signal",
        arguments: [("TERM", 143), ("HUP", 129)])
    func reportThenExit(signal: String, status: Int) throws {
        let binary = BinaryRunner.binary.path
        // Mark lines without end on standard input: the replay is still running when the signal
        // comes, however fast the machine (a file could be over before it).
        let script = """
            yes '{"type":"mark","symbol":"BTCUSDT","price":"61650.4","time":1723161255030000000}' \
              | XDG_CONFIG_HOME='\(BinaryRunner.isolatedConfigHome)' '\(binary)' replay - --headless --report text &
            pid=$!
            sleep 1
            kill -\(signal) $pid
            wait $pid
            echo "exit=$?"
            """
        let result = try BinaryRunner.runShell(script)
        #expect(result.standardOutput.contains("exit=\(status)"), "\(result.standardOutput.suffix(200)) \(result.standardError)")
        #expect(result.standardOutput.components(separatedBy: "liqwatch replay: ").count == 2, "one report: \(result.standardOutput.prefix(300))")
        #expect(result.standardOutput.contains("frames: "), "no report: \(result.standardOutput.prefix(300))")
    }
}
