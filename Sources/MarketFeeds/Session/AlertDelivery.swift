import Foundation
import RiskEngine
#if canImport(Glibc)
import Glibc
#endif

/// Hands each new alert to the operator's own systems:
/// - `--alert-log FILE`: appended as one JSON line, written with one `write` a line (no buffer),
///   so a crash loses none;
/// - `--on-alert CMD`: the command, run by `/bin/sh -c` as the operator wrote it, gets the alert
///   as one JSON line on its standard input. Feed strings never reach the command line. At most
///   `maximumRunning` run at once; the alerts beyond wait for a slot, at most `maximumWaiting` of
///   them (an alert beyond that is not handed to the hook, and counted);
///   one that runs longer than `timeout` is stopped (SIGTERM, then SIGKILL) and counted as failed.
///
/// What failed is counted, and the last failure kept, for the health view and the report.
public final class AlertDelivery: @unchecked Sendable {
    public struct Summary: Sendable, Equatable {
        public var logged = 0
        public var logFailures = 0
        public var hookRuns = 0
        public var hookFailures = 0
        public var hookSkipped = 0
        public var lastError: String?

        /// One line for the health view.
        public var line: String {
            var parts: [String] = []
            parts.append("alert log \(logged) written" + (logFailures > 0 ? ", \(logFailures) failed" : ""))
            parts.append("on-alert \(hookRuns) run, \(hookFailures) failed, \(hookSkipped) skipped (too many waiting)")
            if let lastError { parts.append("last error: \(lastError)") }
            return parts.joined(separator: " · ")
        }
    }

    public let logPath: String?
    public let command: String?
    public let maximumRunning: Int
    public let timeout: Double
    private let lock = NSLock()
    private var descriptor: Int32 = -1
    private var counts = Summary()
    private var running = 0
    /// The hooks running now, by pid, for `stopHooks` (a session ending leaves none behind).
    private var runningHooks: [pid_t: HookProcess] = [:]
    /// `stopHooks` was called: a hook stopped now is said to have been stopped by the end.
    private var stoppingAll = false
    private let finished = DispatchGroup()

    /// Opens the alert log (created if absent, appended to); fails with a reason a person can act on.
    public init(logPath: String?, command: String?, maximumRunning: Int = 4, maximumWaiting: Int = 256, timeout: Double = 10) throws(InputError) {
        self.logPath = logPath
        self.command = command
        self.maximumRunning = max(1, maximumRunning)
        self.maximumWaiting = max(0, maximumWaiting)
        self.timeout = timeout
        // A hook that exits without reading its input, or a log's reader that goes away (a
        // FIFO), must not take the process with it: the write fails with EPIPE and is counted.
        if command != nil || logPath != nil { signal(SIGPIPE, SIG_IGN) }
        if let logPath {
            // Non-blocking: a FIFO with no reader fails here at once (ENXIO) instead of holding
            // the start until one comes, and a reader that stops reading costs the lines it
            // misses, never a frozen session. A regular file ignores the flag.
            descriptor = open(logPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NONBLOCK, 0o644)
            guard descriptor >= 0 else {
                let failure = errno
                var status = stat()
                let isFIFO = stat(logPath, &status) == 0 && (status.st_mode & S_IFMT) == S_IFIFO
                let reason = failure == ENXIO && isFIFO ? "a FIFO that no process is reading (start its reader first)" : String(cString: strerror(failure))
                throw .unwritable(path: logPath, reason: reason)
            }
            // A log whose last line was left unended (by another writer, a crash) gets a line end
            // before the first alert: glued to it, the alert was lost to line readers (attacker trial).
            var status = stat()
            if fstat(descriptor, &status) == 0 && (status.st_mode & S_IFMT) == S_IFREG && status.st_size > 0 {
                // Read through a descriptor of its own: the log's is write-only.
                let reader = open(logPath, O_RDONLY | O_CLOEXEC)
                var last: UInt8 = 0
                if reader >= 0 {
                    if pread(reader, &last, 1, status.st_size - 1) == 1 && last != UInt8(ascii: "\n") { lineCutShort = true }
                    close(reader)
                }
            }
        }
    }

    /// How long a line begun on a full pipe may wait for its reader to make room for the rest
    /// (a line is never left half written while its reader is still reading).
    static let partialLineWaitMilliseconds: Int32 = 200

    deinit { if descriptor >= 0 { close(descriptor) } }

    public var isActive: Bool { logPath != nil || command != nil }

    public var summary: Summary { lock.withLock { counts } }

    /// Whether a hook is running now (its end will change the counts).
    public var hooksRunning: Bool { lock.withLock { running > 0 } }

    public func deliver(_ alerts: [OperatorAlert]) {
        for alert in alerts {
            let line = alert.jsonLine + "\n"
            if descriptor >= 0 { append(line) }
            if let command { run(command, input: line) }
        }
    }

    /// Waits up to `seconds` for hooks still running (a headless run's end: its last alerts must
    /// reach the pager before the process exits).
    public func waitForHooks(seconds: Double, stop: () -> Bool = { false }) {
        // In steps, so that a signal meanwhile (`stop`) ends the wait (a headless run signalled
        // while it waited was stopped by the signal's grace, its report never printed).
        let deadline = DispatchTime.now() + seconds
        while DispatchTime.now() < deadline && !stop() {
            if finished.wait(timeout: min(deadline, .now() + 0.1)) == .success { return }
        }
    }

    /// Stops every hook still running, with what it started (SIGTERM to its group, SIGKILL after
    /// the grace), and waits for them: liqwatch leaves no hook behind when it ends (four `sleep
    /// 317` hooks outlived every way out: q, SIGTERM, a crash: attacker trial). Returns at once
    /// when none runs.
    public func stopHooks() {
        let (hooks, dropped, busy) = lock.withLock { () -> ([HookProcess], Int, Bool) in
            // Always: a hook being started from the queue now is stopped as it registers.
            stoppingAll = true
            // Alerts still waiting for a slot are not run once the session ends: counted.
            let dropped = waiting.count
            counts.hookSkipped += dropped
            if dropped > 0 { counts.lastError = "on-alert: \(dropped) alert\(dropped == 1 ? "" : "s") still waiting when the session ended" }
            waiting.removeAll()
            return (Array(runningHooks.values), dropped, running > 0 || !runningHooks.isEmpty)
        }
        for _ in 0..<dropped { finished.leave() }
        // A slot taken by a hook still starting counts: it is waited for too.
        guard busy else { return }
        for hook in hooks { hook.signalGroup(SIGTERM, overTime: false) }
        if finished.wait(timeout: .now() + HookProcess.killGrace) == .success { return }
        for hook in lock.withLock({ Array(runningHooks.values) }) { hook.signalGroup(SIGKILL, overTime: false) }
        _ = finished.wait(timeout: .now() + 1)
    }

    /// A line was cut short (its reader made no room for the rest in time): the next begins with
    /// a line end, so the cut line stands alone and the next is whole on its own line (review).
    private var lineCutShort = false

    private func append(_ line: String) {
        let bytes = Array(((lineCutShort ? "\n" : "") + line).utf8)
        var begun = 0
        let written = bytes.withUnsafeBytes { buffer -> Int in
            var offset = 0
            defer { begun = offset }
            while offset < buffer.count {
                let result = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if result < 0 {
                    if errno == EINTR { continue }
                    // A pipe whose reader is behind: a line not begun is dropped (counted); one
                    // begun waits a little for room, so the reader never sees half a line
                    // followed by the next.
                    if errno == EAGAIN && offset > 0 {
                        var waiting = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
                        if poll(&waiting, 1, AlertDelivery.partialLineWaitMilliseconds) > 0 { continue }
                        errno = EAGAIN
                    }
                    return -Int(errno)
                }
                offset += result
            }
            return offset
        }
        // Only the writing thread (the session's) reads and sets it.
        if written >= 0 { lineCutShort = false } else if begun > 0 {
            // A file that took part of the line and no more: the part is taken back (1,024 bytes
            // ended mid-line: attacker trial), the file left as it was before the call (a line
            // end owed to an earlier cut stays owed). A pipe's reader has the part already: the
            // next line begins with a line end.
            if !PartialLine.takeBack(begun, from: descriptor) { lineCutShort = true }
        }
        lock.withLock {
            if written < 0 {
                counts.logFailures += 1
                let reason = -written == Int(EAGAIN) ? "its reader is not keeping up (line dropped)" : String(cString: strerror(Int32(-written)))
                counts.lastError = "alert log \(SafeText.escaped(logPath ?? "")): \(reason)"
            } else {
                counts.logged += 1
            }
        }
    }

    /// Alerts waiting for a hook's slot, oldest first: a burst beyond `maximumRunning` is run as
    /// slots free, not skipped (the demo at max speed skipped 9 of its 20 alerts with a hook that
    /// ends at once: attacker trial). Bounded: past `maximumWaiting` an alert is skipped, counted.
    private var waiting: [String] = []
    public let maximumWaiting: Int

    private func run(_ command: String, input: String) {
        enum Admission { case now, queued, skipped }
        let admission = lock.withLock { () -> Admission in
            if running < maximumRunning {
                running += 1
                counts.hookRuns += 1
                return .now
            }
            guard waiting.count < maximumWaiting && !stoppingAll else {
                counts.hookSkipped += 1
                return .skipped
            }
            waiting.append(input)
            // Entered for a waiting alert too (a headless run's end waits for it), under the
            // lock: a hook ending on its own thread can take it and leave before an enter made
            // after the lock, and the group's count would go below zero (review).
            finished.enter()
            return .queued
        }
        guard admission == .now else { return }
        finished.enter()
        spawn(command, input: input)
    }

    /// Starts a hook in the slot taken for it (`finished` entered for it).
    private func spawn(_ command: String, input: String) {
        let hook: HookProcess
        do {
            hook = try HookProcess.spawn(command, input: input)
        } catch {
            let next = lock.withLock { () -> String? in
                counts.hookFailures += 1
                counts.lastError = "on-alert could not start: \(error.reason)"
                return takeNextWaiting()
            }
            finished.leave()
            if let next { spawn(command, input: next) }
            return
        }
        // Stopped past its time, its whole process group (the shell and what it started: a
        // `sleep` under a shell outlived a SIGTERM to the shell alone, whose slot was never given
        // back, and after four such hooks no alert reached any hook for the rest of the session:
        // attacker trial).
        let timeoutSeconds = timeout
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout) {
            guard hook.signalGroup(SIGTERM, overTime: true) else { return }
            DispatchQueue.global().asyncAfter(deadline: .now() + HookProcess.killGrace) { _ = hook.signalGroup(SIGKILL, overTime: true) }
        }
        // Registered, or stopped at once when the session's end came while it was starting (a
        // hook taken from the queue as `stopHooks` looked found neither running nor waiting,
        // and outlived liqwatch: review).
        let stopNow = lock.withLock { () -> Bool in
            runningHooks[hook.pid] = hook
            return stoppingAll
        }
        if stopNow { _ = hook.signalGroup(SIGTERM, overTime: false) }
        // Waited for on a thread of its own (a blocking wait, at most `maximumRunning` at once).
        Thread.detachNewThread { [weak self] in
            let ending = hook.waitForEnd()
            guard let self else { return }
            let next = self.lock.withLock { () -> String? in
                // Only this hook's entry: its pid, reaped, may already be a new hook's.
                if self.runningHooks[hook.pid] === hook { self.runningHooks[hook.pid] = nil }
                switch ending {
                case .exited(0): break
                case .exited(let status):
                    self.counts.hookFailures += 1
                    self.counts.lastError = "on-alert exited \(status)"
                case .signalled(let signal, let overTime):
                    self.counts.hookFailures += 1
                    self.counts.lastError = "on-alert stopped by signal \(signal)" + (overTime ? " (over \(Self.seconds(timeoutSeconds)) s)"
                        : self.stoppingAll ? " (still running when the session ended)" : "")
                }
                return self.takeNextWaiting()
            }
            self.finished.leave()
            // The slot goes to the alert waiting longest.
            if let next { self.spawn(command, input: next) }
        }
    }

    /// A slot given back (under the lock): the next waiting alert takes it, or the slot is free.
    private func takeNextWaiting() -> String? {
        guard !waiting.isEmpty && !stoppingAll else {
            running -= 1
            return nil
        }
        counts.hookRuns += 1
        return waiting.removeFirst()
    }

    /// `2`, `0.5`: a timeout as given.
    static func seconds(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e9 ? String(Int(value)) : String(value)
    }
}
