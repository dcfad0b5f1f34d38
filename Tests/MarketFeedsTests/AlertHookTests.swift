import Foundation
import Testing
@testable import MarketFeeds
import RiskEngine
#if canImport(Glibc)
import Glibc
#endif

/// `--on-alert`: a hook past its timeout is stopped with everything it started, counted as
/// failed, and its slot given back (four hung hooks silenced every hook for the rest of a shift,
/// their `sleep`s outliving liqwatch: attacker trial).
@Suite("The alert hook")
struct AlertHookTests {
    static func alert(_ number: Int) -> OperatorAlert {
        OperatorAlert(time: Int64(number) * 1_000_000_000, kind: .signal, market: "BTCUSDT", signal: .spread, value: 5, message: "spread \(number)")
    }

    /// Whether a process of this id is alive (not a zombie either).
    /// A folder a test's hooks write the pids of the children they start to, one a line; gone
    /// with the test.
    final class HookScratch {
        let path = NSTemporaryDirectory() + "liqwatch-hook-\(UUID().uuidString)"
        var childrenFile: String { path + "/children" }
        init() throws { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
        deinit { try? FileManager.default.removeItem(atPath: path) }
        /// The pids written so far (none while the file is not there yet).
        func children() -> [pid_t] {
            ((try? String(contentsOfFile: childrenFile, encoding: .utf8)) ?? "").split(separator: "\n").compactMap { pid_t($0) }
        }
    }

    static func alive(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return false }
        let state = stat.split(separator: ")").last?.split(separator: " ").first
        return state != "Z"
    }

    @Test("a hook past its timeout is stopped with its children, counted failed, and its slot is free for the next alert")
    func timedOutHookGivesItsSlotBack() throws {
        let scratch = try HookScratch()
        // Each run writes the pid of a child `sleep` it starts, then waits on it: a shell that
        // does not exec its last command, as a hook that pipes or backgrounds does.
        let hung = try AlertDelivery(logPath: nil, command: "sleep 600 & echo $! >> '\(scratch.childrenFile)'; wait", maximumRunning: 2,
            maximumWaiting: 0, timeout: 0.5)
        hung.deliver([Self.alert(1), Self.alert(2)])
        hung.deliver([Self.alert(3)])
        #expect(hung.summary.hookRuns == 2 && hung.summary.hookSkipped == 1, "\(hung.summary)")
        hung.waitForHooks(seconds: 10)
        let summary = hung.summary
        #expect(summary.hookFailures == 2, "\(summary)")
        #expect(summary.lastError == "on-alert stopped by signal 15 (over 0.5 s)", "\(summary)")
        let children = scratch.children()
        #expect(children.count == 2)
        // Their children went with them (the group was signalled, not the shell alone).
        let deadline = Date().addingTimeInterval(5)
        while children.contains(where: Self.alive) && Date() < deadline { usleep(20_000) }
        #expect(!children.contains(where: Self.alive), "the hooks' sleeps outlived them: \(children)")
        // The slots are free again: the next alerts run.
        hung.deliver([Self.alert(4), Self.alert(5)])
        #expect(hung.summary.hookRuns == 4 && hung.summary.hookSkipped == 1, "\(hung.summary)")
        hung.waitForHooks(seconds: 10)
    }

    /// The demo at max speed skipped 9 of its 20 alerts with a hook that ends at once: a burst
    /// beyond the running hooks now waits for their slots (attacker trial).
    @Test("a burst beyond the hooks running waits for their slots, in order; past the waiting bound an alert is skipped, counted")
    func burstWaitsForSlots() throws {
        let scratch = try HookScratch()
        let output = scratch.path + "/hooked"
        let quick = try AlertDelivery(logPath: nil, command: "cat >> '\(output)'", maximumRunning: 2, timeout: 10)
        quick.deliver((1...20).map(Self.alert))
        quick.waitForHooks(seconds: 20)
        let summary = quick.summary
        #expect(summary.hookRuns == 20 && summary.hookSkipped == 0 && summary.hookFailures == 0, "\(summary)")
        let lines = ((try? String(contentsOfFile: output, encoding: .utf8)) ?? "").split(separator: "\n")
        #expect(lines.count == 20, "\(lines)")
        #expect(!quick.hooksRunning)
        // One slot, two waiting: the rest of a burst of six is skipped.
        let bounded = try AlertDelivery(logPath: nil, command: "sleep 0.2", maximumRunning: 1, maximumWaiting: 2, timeout: 10)
        bounded.deliver((1...6).map(Self.alert))
        #expect(bounded.summary.hookRuns == 1 && bounded.summary.hookSkipped == 3, "\(bounded.summary)")
        bounded.waitForHooks(seconds: 20)
        #expect(bounded.summary.hookRuns == 3 && bounded.summary.hookSkipped == 3 && bounded.summary.hookFailures == 0, "\(bounded.summary)")
    }

    @Test("alerts still waiting when the session ends are not run, and are counted; the wait for hooks ends")
    func waitingAtTheEnd() throws {
        let long = try AlertDelivery(logPath: nil, command: "sleep 600", maximumRunning: 1, timeout: 300)
        long.deliver((1...4).map(Self.alert))
        long.stopHooks()
        let summary = long.summary
        #expect(summary.hookRuns == 1 && summary.hookSkipped == 3, "\(summary)")
        #expect(summary.lastError?.contains("stopped by signal") == true || summary.lastError?.contains("still waiting") == true, "\(summary)")
        let started = Date()
        long.waitForHooks(seconds: 10)
        #expect(Date().timeIntervalSince(started) < 5, "the wait for hooks did not end: a waiting alert's entry was never left")
        #expect(!long.hooksRunning)
    }

    @Test("a child that ignores SIGTERM is killed with SIGKILL once the grace is over, though its shell ended; a hook that handles SIGTERM and exits 0 is counted failed")
    func childIgnoringTermIsKilled() throws {
        let scratch = try HookScratch()
        let stubborn = try AlertDelivery(logPath: nil, command: "(trap '' TERM; exec sleep 600) & echo $! >> '\(scratch.childrenFile)'; wait", timeout: 0.5)
        stubborn.deliver([Self.alert(1)])
        stubborn.waitForHooks(seconds: 10)
        let children = scratch.children()
        #expect(children.count == 1)
        let deadline = Date().addingTimeInterval(5)
        while children.contains(where: Self.alive) && Date() < deadline { usleep(20_000) }
        #expect(!children.contains(where: Self.alive), "a child that ignores SIGTERM outlived its hook: \(children)")
        #expect(stubborn.summary.hookFailures == 1, "\(stubborn.summary)")
        let graceful = try AlertDelivery(logPath: nil, command: "trap 'exit 0' TERM; sleep 600 & wait", timeout: 0.5)
        graceful.deliver([Self.alert(1)])
        graceful.waitForHooks(seconds: 10)
        #expect(graceful.summary.hookFailures == 1 && graceful.summary.lastError?.contains("(over 0.5 s)") == true, "\(graceful.summary)")
    }

    @Test("a hook whose shell ends at once, leaving a process running in its group: the process is stopped, the slot held until it is gone")
    func backgroundedChildIsStopped() throws {
        let scratch = try HookScratch()
        // 17 such `sleep`s outlived a session, past the limit of four and the timeout (attacker trial).
        let leaving = try AlertDelivery(logPath: nil, command: "sleep 600 & echo $! >> '\(scratch.childrenFile)'; echo started", maximumRunning: 1, timeout: 30)
        leaving.deliver([Self.alert(1)])
        leaving.waitForHooks(seconds: 10)
        let children = scratch.children()
        #expect(children.count == 1)
        #expect(!children.contains(where: Self.alive), "a hook's background process outlived it: \(children)")
        #expect(leaving.summary.hookRuns == 1 && leaving.summary.hookFailures == 0, "\(leaving.summary)")
        // And one that leaves nothing behind is not held: it ends at once.
        let quick = try AlertDelivery(logPath: nil, command: "cat > /dev/null", timeout: 30)
        let started = Date()
        quick.deliver([Self.alert(1)])
        quick.waitForHooks(seconds: 10)
        #expect(Date().timeIntervalSince(started) < 1.5, "a hook with nothing left was held")
    }

    @Test("hooks still running when the session ends are stopped with what they started: none outlives liqwatch")
    func stopHooksAtTheEnd() throws {
        let scratch = try HookScratch()
        // Four `sleep 317` hooks outlived q, SIGTERM and a crash (attacker trial).
        let long = try AlertDelivery(logPath: nil, command: "sleep 600 & echo $! >> '\(scratch.childrenFile)'; wait", timeout: 300)
        long.deliver([Self.alert(1), Self.alert(2)])
        var children: [pid_t] = []
        let written = Date().addingTimeInterval(5)
        while children.count < 2 && Date() < written {
            usleep(20_000)
            children = scratch.children()
        }
        #expect(children.count == 2)
        let started = Date()
        long.stopHooks()
        #expect(Date().timeIntervalSince(started) < 4, "stopping took \(Date().timeIntervalSince(started)) s")
        let deadline = Date().addingTimeInterval(3)
        while children.contains(where: Self.alive) && Date() < deadline { usleep(20_000) }
        #expect(!children.contains(where: Self.alive), "hooks outlived the session: \(children)")
        #expect(long.summary.hookFailures == 2, "\(long.summary)")
        #expect(long.summary.lastError == "on-alert stopped by signal 15 (still running when the session ended)", "\(long.summary)")
        // With none running it returns at once.
        let idle = Date()
        long.stopHooks()
        #expect(Date().timeIntervalSince(idle) < 0.5)
    }

    @Test("waiting for hooks ends early when asked (a signal during a headless run's wait)")
    func waitEndsWhenAsked() throws {
        let long = try AlertDelivery(logPath: nil, command: "sleep 600", timeout: 300)
        long.deliver([Self.alert(1)])
        let started = Date()
        let asked = Date().addingTimeInterval(0.3)
        long.waitForHooks(seconds: 30, stop: { Date() > asked })
        #expect(Date().timeIntervalSince(started) < 2, "waited \(Date().timeIntervalSince(started)) s")
        long.stopHooks()
    }

    @Test("a log whose last line was left unended: the first alert begins on a line of its own")
    func unendedLogLine() throws {
        let path = NSTemporaryDirectory() + "liqwatch-log-\(UUID().uuidString).jsonl"
        defer { unlink(path) }
        try #"{"partial":"#.write(toFile: path, atomically: true, encoding: .utf8)
        let log = try AlertDelivery(logPath: path, command: nil)
        log.deliver([Self.alert(1)])
        let written = try String(contentsOfFile: path, encoding: .utf8)
        #expect(written == #"{"partial":"# + "\n" + Self.alert(1).jsonLine + "\n", "\(written)")
    }

    @Test("a hook gets the alert on its standard input, its exit status counted; one that ends in time is not signalled")
    func hookReadsItsAlert() throws {
        let output = NSTemporaryDirectory() + "liqwatch-hook-\(UUID().uuidString).jsonl"
        defer { unlink(output) }
        let delivery = try AlertDelivery(logPath: nil, command: "cat >> '\(output)'", timeout: 10)
        delivery.deliver([Self.alert(1)])
        delivery.waitForHooks(seconds: 10)
        #expect(delivery.summary.hookRuns == 1 && delivery.summary.hookFailures == 0, "\(delivery.summary)")
        let written = try String(contentsOfFile: output, encoding: .utf8)
        #expect(written == Self.alert(1).jsonLine + "\n", "\(written)")
        let failing = try AlertDelivery(logPath: nil, command: "cat > /dev/null; exit 3", timeout: 10)
        failing.deliver([Self.alert(1)])
        failing.waitForHooks(seconds: 10)
        #expect(failing.summary.hookFailures == 1 && failing.summary.lastError == "on-alert exited 3", "\(failing.summary)")
    }

    @Test("a hook does not inherit liqwatch's descriptors or its ignored SIGPIPE")
    func hookStartsClean() throws {
        let output = NSTemporaryDirectory() + "liqwatch-hook-\(UUID().uuidString).txt"
        defer { unlink(output) }
        // A descriptor of ours, not close-on-exec: the hook must not see it.
        let opened = open("/dev/null", O_RDONLY)
        try #require(opened >= 0)
        let ours = dup2(opened, 77)
        close(opened)
        try #require(ours == 77)
        defer { close(ours) }
        signal(SIGPIPE, SIG_IGN)
        signal(SIGXFSZ, SIG_IGN)
        let delivery = try AlertDelivery(logPath: nil, command: "ls /proc/self/fd > '\(output)'; grep SigIgn /proc/self/status >> '\(output)'", timeout: 10)
        delivery.deliver([Self.alert(1)])
        delivery.waitForHooks(seconds: 10)
        let listed = try String(contentsOfFile: output, encoding: .utf8)
        let descriptors = listed.split(separator: "\n").compactMap { Int($0) }
        #expect(!descriptors.isEmpty && !descriptors.contains(Int(ours)), "\(listed)")
        let ignored = listed.split(separator: "\n").first { $0.hasPrefix("SigIgn:") }.map { $0.dropFirst(7).trimmingCharacters(in: .whitespaces) } ?? ""
        let mask = UInt64(ignored, radix: 16) ?? .max
        #expect(mask & (1 << UInt64(SIGPIPE - 1)) == 0, "SIGPIPE ignored in the hook: \(listed)")
        #expect(mask & (1 << UInt64(SIGXFSZ - 1)) == 0, "SIGXFSZ ignored in the hook: \(listed)")
    }
}
