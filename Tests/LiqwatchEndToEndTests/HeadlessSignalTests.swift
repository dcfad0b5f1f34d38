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

    @Test("told to stop, a run whose report would take minutes (one cross account's legs in 1,000 markets) ends within the report's grace")
    func longReportEndsAfterTheSignal() throws {
        let scratch = try BadInputCommandTests.Scratch()
        let markets = 1_000
        var positions = "account,symbol,side,size,entry_price,margin_mode,isolated_margin,wallet_balance,leverage\n"
        var recording = ""
        var time: Int64 = 1_723_161_255_000_000_000
        for market in 0..<markets {
            positions += "whale,S\(market)USDT,\(market % 2 == 0 ? "short" : "long"),1,100,cross,,,10\n"
            recording += #"{"type":"book","symbol":"S\#(market)USDT","bids":[["99","100"]],"asks":[["101","100"]],"time":\#(time)}"# + "\n"
        }
        for round in 0..<8 {
            for market in 0..<markets {
                time += 1_000_000
                recording += #"{"type":"mark","symbol":"S\#(market)USDT","price":"10\#(round % 5).1","time":\#(time)}"# + "\n"
            }
        }
        let positionsPath = scratch.url.appendingPathComponent("cross.csv").path
        let recordingPath = scratch.url.appendingPathComponent("cross.jsonl").path
        try positions.write(toFile: positionsPath, atomically: true, encoding: .utf8)
        try recording.write(toFile: recordingPath, atomically: true, encoding: .utf8)
        let script = """
            XDG_CONFIG_HOME='\(BinaryRunner.isolatedConfigHome)' '\(BinaryRunner.binary.path)' replay '\(recordingPath)' --positions '\(positionsPath)' \
              --headless --report text > '\(scratch.url.path)/out' 2> '\(scratch.url.path)/err' &
            pid=$!
            # Once the run watches for signals (it catches SIGTERM, bit 15 of SigCgt): a debug
            # build takes seconds over the start, when a signal stops it at once.
            until caught=$(awk '/^SigCgt/ { print $2 }' /proc/$pid/status 2>/dev/null) && [ -n "$caught" ] && (( 0x$caught & 0x4000 )); do
                kill -0 $pid 2>/dev/null || break
                sleep 0.1
            done
            start=$(date +%s)
            kill -TERM $pid
            wait $pid
            echo "exit=$? after=$(( $(date +%s) - start ))"
            """
        let result = try BinaryRunner.runShell(script)
        let exit = result.standardOutput
        #expect(exit.contains("exit=143"), "\(exit) \(result.standardError)")
        let after = Int(exit.components(separatedBy: "after=").last?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? .max
        #expect(after <= 20, "ended \(after) s after the signal")
        // The report, or the word that it was not done: never a silent end.
        let out = (try? String(contentsOfFile: scratch.url.path + "/out", encoding: .utf8)) ?? ""
        let err = (try? String(contentsOfFile: scratch.url.path + "/err", encoding: .utf8)) ?? ""
        #expect(out.contains("frames: ") || err.contains("liqwatch: stopped by signal 15: the "), "out: \(out.prefix(200)) err: \(err)")
    }
}
