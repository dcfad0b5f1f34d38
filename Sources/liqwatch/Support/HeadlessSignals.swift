#if canImport(Glibc)
import Glibc
#endif
import CHookSpawn
import Dispatch
import Foundation
import Synchronization

/// SIGINT, SIGTERM, SIGHUP and SIGQUIT noted while a headless run applies its input, so that the
/// run stops where it is and still prints its report (then exits 128 + the signal). Until
/// `finish()`; from then on (the report can take a while: its stress tables at a million
/// positions) a signal stops the process at once, as it would any command. A run that has not
/// looked for the signal `graceSeconds` after it came (a replay waiting on a pipe that sends
/// nothing) is stopped by it then, as before: never a process a signal cannot stop. One that has
/// looked is left to finish (its alert hooks may take their timeout before the report), for at most
/// `reportGraceSeconds` after the signal.
final class HeadlessSignals: @unchecked Sendable {
    static let numbers = [SIGINT, SIGTERM, SIGHUP, SIGQUIT]
    static let graceSeconds = 5.0
    /// How long a run told to stop may take over its report (see the signal's handler).
    static let reportGraceSeconds = 15.0
    private let lock = NSLock()
    /// The first signal received.
    private var received: Int32?
    /// Whether the run has seen the signal (`signal` read it), or has finished.
    private var noticed = false
    private var sources: [any DispatchSourceSignal] = []
    /// The signals watched (those not ignored at the start).
    private var watched: [Int32] = []

    init() {
        // A signal the run was started with ignored stays so (a `nohup`'d run ended on a hangup;
        // a shell's background job ignores SIGINT and SIGQUIT: attacker trial).
        for number in Self.numbers where liqwatch_signal_ignored(number) == 0 {
            Glibc.signal(number, SIG_IGN)
            watched.append(number)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [self] in
                let first = lock.withLock { () -> Bool in
                    guard received == nil else { return false }
                    received = number
                    return true
                }
                DispatchQueue.global().asyncAfter(deadline: .now() + Self.graceSeconds) { [self] in
                    guard !lock.withLock({ noticed }) else { return }
                    Self.stop(by: number, "the run did not come to a stop \(Int(Self.graceSeconds)) s after it")
                }
                // Told to stop, the run ends within `reportGraceSeconds` of the first signal, its
                // report done or not: a report of one cross account's thousands of legs took
                // minutes after a SIGTERM, and `timeout` saw a run go on for 12 minutes (attacker
                // trial).
                guard first else { return }
                DispatchQueue.global().asyncAfter(deadline: .now() + Self.reportGraceSeconds) {
                    // Written and leaving: let be (freeing a large session can outlast the report).
                    guard !HeadlessSignals.reportWritten.load(ordering: .acquiring) else { return }
                    Self.stop(by: number, "the report was not done \(Int(Self.reportGraceSeconds)) s after it")
                }
            }
            source.resume()
            sources.append(source)
        }
    }

    /// The first signal received, if any (read by the run: it has seen it).
    var signal: Int32? {
        lock.withLock {
            if received != nil { noticed = true }
            return received
        }
    }

    /// Ends the process by `number`, as if it had not been watched, saying why.
    private static func stop(by number: Int32, _ why: String) {
        FileHandleOutput.standardError("liqwatch: stopped by signal \(number): \(why)\n")
        Glibc.signal(number, SIG_DFL)
        kill(getpid(), number)
    }

    /// Whether the run's report was written (the run then only leaves: see the signal's handler).
    static let reportWritten = Atomic<Bool>(false)
    static func noteReportWritten() { reportWritten.store(true, ordering: .releasing) }

    func finish() {
        lock.withLock { noticed = true }
        for source in sources { source.cancel() }
        sources = []
        for number in watched { Glibc.signal(number, SIG_DFL) }
    }
}
