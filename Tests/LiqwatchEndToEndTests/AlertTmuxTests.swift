import Foundation
import Testing

/// Alerts that reach an operator who is not looking: the bell byte, the terminal title, the alert
/// log and the hook, from the real binary in a real terminal.
@Suite("Alerts end to end", .enabled(if: TmuxSession.isAvailable, "tmux is not installed"))
struct AlertTmuxTests {
    static func jsonObjects(_ text: String) -> [[String: Any]?] {
        text.split(separator: "\n").map { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    @Test("the demo's cascade: the bell rings, the title counts the alerts, every alert reaches the log and the hook as valid JSON")
    func bellTitleLogAndHook() throws {
        let scratch = try BadInputCommandTests.Scratch()
        let log = scratch.url.appendingPathComponent("alerts.jsonl").path
        let hooked = scratch.url.appendingPathComponent("hooked.jsonl").path
        let raw = scratch.url.appendingPathComponent("raw.out").path
        let session = try TmuxSession(arguments: ["demo", "--speed", "20", "--alert-log", log, "--on-alert", "cat >> '\(hooked)'"])
        session.pipeOutput(to: raw)
        // The cascade latches alerts within a few seconds at 20x.
        let screen = session.waitFor(seconds: 60) { $0.contains("ALERT") && $0.contains("(a: seen") }
        #expect(screen.contains("⚠"), "\(screen)")
        let title = session.paneTitle()
        #expect(title.hasPrefix("liqwatch — ") && title.contains("alert"), "title: \(title)")
        // The bell: a BEL byte that is not the end of a title sequence (ESC ] 2 ; ... BEL).
        let deadline = Date().addingTimeInterval(20)
        var bells = 0
        while Date() < deadline {
            let bytes = (try? Data(contentsOf: URL(fileURLWithPath: raw))) ?? Data()
            let text = String(decoding: bytes, as: UTF8.self)
            let withoutTitles = text.replacingOccurrences(of: "\u{1B}\\][0-9];[^\u{07}]*\u{07}", with: "", options: .regularExpression)
            bells = withoutTitles.filter { $0 == "\u{07}" }.count
            if bells > 0 { break }
            Thread.sleep(forTimeInterval: 0.2)
        }
        #expect(bells > 0, "no bell byte in the terminal output")
        // `a` marks them seen: the title says so. At the demo's end, so that no alert comes after
        // (the key hint beside the count is not what this asks: it gives way to feed health).
        _ = session.waitFor(seconds: 60) { $0.contains("■ END") }
        session.send("a")
        let seen = session.waitFor(seconds: 10) { $0.contains("seen") && !$0.contains("(a: seen") }
        #expect(seen.contains("seen"), "\(seen)")
        session.send("q")
        _ = session.waitFor(seconds: 15) { $0.contains("EXIT=") }
        // The title the terminal had is back: a tab must not go on saying "liqwatch — 3 alerts".
        let after = session.paneTitle()
        #expect(!after.hasPrefix("liqwatch"), "title after q: \(after)")
        // Every alert: in the log, valid JSON with its kind and time; and the hook got each one.
        let logged = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        let objects = Self.jsonObjects(logged)
        #expect(!objects.isEmpty, "the alert log is empty")
        #expect(objects.allSatisfy { $0 != nil }, "a line of the log is not JSON:\n\(logged)")
        #expect(objects.allSatisfy { ($0?["kind"] as? String) != nil && ($0?["time"] as? String)?.hasSuffix("Z") == true })
        #expect(objects.contains { $0?["market"] as? String == "binance-usdm:BTCUSDT" && $0?["kind"] as? String == "signal" })
        let hookedText = (try? String(contentsOfFile: hooked, encoding: .utf8)) ?? ""
        #expect(Set(hookedText.split(separator: "\n")) == Set(logged.split(separator: "\n")), "hook:\n\(hookedText)\nlog:\n\(logged)")
        #expect(hookedText.split(separator: "\n").count == logged.split(separator: "\n").count)
    }

    /// At max speed the demo is read in a few turns: the health view said `alert log 0 written ·
    /// on-alert 0 run` for good beside the alerts written, and 9 of 20 alerts were skipped by a
    /// hook that ends at once (attacker trial).
    @Test("at max speed every alert reaches the log and the hook, and the health view counts them all")
    func healthCountsAtMaxSpeed() throws {
        let scratch = try BadInputCommandTests.Scratch()
        let log = scratch.url.appendingPathComponent("alerts.jsonl").path
        let hooked = scratch.url.appendingPathComponent("hooked.jsonl").path
        let session = try TmuxSession(arguments: ["demo", "--speed", "max", "--no-config", "--alert-log", log, "--on-alert", "cat >> '\(hooked)'"])
        _ = session.waitFor(seconds: 60) { $0.contains("■ END") }
        func lines(_ path: String) -> Int { ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").count }
        let logged = lines(log)
        #expect(logged > 10, "the demo told \(logged) alerts")
        // Every hook run (they end at once).
        let deadline = Date().addingTimeInterval(20)
        while lines(hooked) < logged && Date() < deadline { Thread.sleep(forTimeInterval: 0.2) }
        #expect(lines(hooked) == logged)
        session.send("h")
        let health = session.waitFor(seconds: 10, all: ["alert log \(logged) written · on-alert \(logged) run, 0 failed, 0 skipped"])
        #expect(health.contains("alert log \(logged) written · on-alert \(logged) run, 0 failed, 0 skipped"), "\(health)")
        session.send("q")
    }

    @Test("Enter on an alert in the alerts view lands paused at its time, and the footer says what it landed on")
    func alertsViewLanding() throws {
        let session = try TmuxSession(arguments: ["demo", "--speed", "20"])
        _ = session.waitFor(seconds: 60) { $0.contains("■ END") }
        session.send("A")
        _ = session.waitFor(seconds: 10) { $0.contains("Alerts") }
        session.send("Enter")
        // The working notice (`going to the alert's time…`) gave way to a blank footer: the key's
        // own message is put back once the jump is done (operator trial).
        let landed = session.waitFor(seconds: 20) { $0.contains("· paused (space plays on)") }
        #expect(landed.contains(": alert ") && landed.contains("· paused (space plays on)"), "\(landed)")
        let still = session.waitStill(seconds: 5)
        #expect(still.contains("· paused (space plays on)"), "\(still)")
        session.send("q")
        _ = session.waitFor(seconds: 15) { $0.contains("EXIT=") }
    }

    @Test("headless: the demo hands every alert to the log and the hook; a failing hook is counted in the report")
    func headless() throws {
        let scratch = try BadInputCommandTests.Scratch()
        let log = scratch.url.appendingPathComponent("alerts.jsonl").path
        let hooked = scratch.url.appendingPathComponent("hooked.jsonl").path
        let result = try BinaryRunner.run(["demo", "--headless", "--alert-log", log, "--on-alert", "cat >> '\(hooked)'"])
        #expect(result.status == 0, "\(result.standardError)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        let delivery = try #require(report["alert_delivery"] as? [String: Any])
        let told = try #require(delivery["alerts_told"] as? Int)
        #expect(told > 0)
        #expect(delivery["logged"] as? Int == told)
        let logged = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        #expect(logged.split(separator: "\n").count == told)
        #expect(Self.jsonObjects(logged).allSatisfy { $0 != nil })
        // Hooks run at most four at once: those that did run all wrote their line.
        let runs = try #require(delivery["hook_runs"] as? Int)
        let hookedLines = ((try? String(contentsOfFile: hooked, encoding: .utf8)) ?? "").split(separator: "\n")
        #expect(hookedLines.count == runs)
        #expect(runs + (delivery["hook_skipped"] as? Int ?? 0) == told)
        #expect(delivery["hook_failures"] as? Int == 0)

        let failing = try BinaryRunner.run(["demo", "--headless", "--on-alert", "exit 3"])
        let failed = try #require((try JSONSerialization.jsonObject(with: Data(failing.standardOutput.utf8)) as? [String: Any])?["alert_delivery"] as? [String: Any])
        #expect((failed["hook_failures"] as? Int ?? 0) > 0)
        #expect((failed["last_error"] as? String)?.contains("exited 3") == true, "\(failed)")
    }

    @Test("a file-size limit: the alert log keeps whole lines, the failures are counted, the session ends as usual")
    func fileSizeLimit() throws {
        let scratch = try BadInputCommandTests.Scratch()
        let log = scratch.url.appendingPathComponent("alerts.jsonl").path
        // 1,024 bytes: the demo's second or third alert line crosses it. By default SIGXFSZ ended
        // the process mid-line, the terminal left raw (attacker trial).
        let result = try BinaryRunner.runShell("ulimit -f 1; exec '\(BinaryRunner.binary.path)' demo --headless --no-config --alert-log '\(log)'")
        #expect(result.status == 0, "\(result.status) \(result.standardError)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        let delivery = try #require(report["alert_delivery"] as? [String: Any])
        #expect((delivery["log_failures"] as? Int ?? 0) > 0, "\(delivery)")
        let logged = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        #expect(!logged.isEmpty && logged.hasSuffix("\n"), "a line left half written: \(logged.suffix(80))")
        #expect(Self.jsonObjects(logged).allSatisfy { $0 != nil })
        #expect(delivery["logged"] as? Int == logged.split(separator: "\n").count, "\(delivery)")
    }

    @Test("a file-size limit under --record: the recording ends on a whole line, the run exits 1")
    func recordingFileSizeLimit() throws {
        let scratch = try BadInputCommandTests.Scratch()
        let events = try scratch.write("ev.jsonl", (0..<300).map {
            #"{"type":"mark","symbol":"binance-usdm:BTCUSDT","price":"\#(60_000 + $0)","time":\#(1_723_161_255_000_000_000 + Int64($0) * 10_000_000)}"#
        }.joined(separator: "\n") + "\n")
        let recording = scratch.url.appendingPathComponent("rec.txt").path
        // 4,096 bytes: the recording ended mid-line, its last line malformed (attacker trial).
        let result = try BinaryRunner.runShell("ulimit -f 4; exec '\(BinaryRunner.binary.path)' live events '\(events)' --record '\(recording)' --headless --duration 2")
        #expect(result.status == 1, "\(result.status) \(result.standardError)")
        let recorded = try String(contentsOfFile: recording, encoding: .utf8)
        #expect(!recorded.isEmpty && recorded.hasSuffix("\n"), "\(recorded.suffix(80))")
        let replayed = try BinaryRunner.run(["replay", recording, "--headless", "--report", "json"])
        #expect(replayed.status == 0 && !replayed.standardError.contains("malformed"), "\(replayed.standardError)")
    }

    @Test("a headless run started with SIGHUP ignored (nohup) runs on through a hangup")
    func nohupKeepsHangupIgnored() throws {
        let scratch = try BadInputCommandTests.Scratch()
        let events = try scratch.write("ev.jsonl", #"{"type":"mark","symbol":"binance-usdm:BTCUSDT","price":"60000","time":1723161255000000000}"# + "\n")
        // It ended 129 on the hangup (attacker trial).
        let result = try BinaryRunner.runShell("trap '' HUP; '\(BinaryRunner.binary.path)' live events '\(events)' --headless --duration 2 --report text > /dev/null & child=$!; sleep 1; kill -HUP $child; wait $child; echo rc=$?")
        #expect(result.standardOutput.contains("rc=0"), "\(result.standardOutput) \(result.standardError)")
    }
}
