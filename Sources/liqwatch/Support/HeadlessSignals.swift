#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Foundation

/// SIGINT, SIGTERM, SIGHUP and SIGQUIT noted while a headless run applies its input, so that the
/// run stops where it is and still prints its report (then exits 128 + the signal). Until
/// `finish()`; from then on (the report can take a while: its stress tables at a million
/// positions) a signal stops the process at once, as it would any command. A run that has not
/// stopped `graceSeconds` after a signal (a replay waiting on a pipe that sends nothing never
/// looks for it) is stopped by the signal then, as before: never a process a signal cannot stop.
final class HeadlessSignals: @unchecked Sendable {
    static let numbers = [SIGINT, SIGTERM, SIGHUP, SIGQUIT]
    static let graceSeconds = 5.0
    let received = SignalLatch()
    private let finished = SignalLatch()
    private var sources: [any DispatchSourceSignal] = []

    init() {
        for number in Self.numbers {
            Glibc.signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [received, finished] in
                received.set(number)
                DispatchQueue.global().asyncAfter(deadline: .now() + Self.graceSeconds) {
                    guard finished.value == nil else { return }
                    Glibc.signal(number, SIG_DFL)
                    kill(getpid(), number)
                }
            }
            source.resume()
            sources.append(source)
        }
    }

    /// The first signal received, if any.
    var signal: Int32? { received.value }

    func finish() {
        finished.set(0)
        for source in sources { source.cancel() }
        sources = []
        for number in Self.numbers { Glibc.signal(number, SIG_DFL) }
    }
}

/// The first signal a headless run received.
final class SignalLatch: @unchecked Sendable {
    private let lock = NSLock()
    private var number: Int32?
    func set(_ signal: Int32) { lock.lock(); if number == nil { number = signal }; lock.unlock() }
    var value: Int32? { lock.lock(); defer { lock.unlock() }; return number }
}
