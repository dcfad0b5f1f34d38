import Foundation
#if canImport(Glibc)
import Glibc
#endif
import RiskEngine

/// A replay checkpoint made independent of the session on another thread.
///
/// A checkpoint shares the engine's storage with the session; the session's next change copies
/// it, hundreds of milliseconds at a million positions, in the middle of a dashboard's turn. Here
/// the checkpoint does the copy (`Engine.separateStorage`) on a thread of its own while the
/// session waits (the clock applies nothing meanwhile, the keyboard and the screen go on), and the
/// session's arrays are its own again when it resumes.
final class BackgroundCheckpoint: @unchecked Sendable {
    /// The checkpoint as taken: the only other reference to the session's storage.
    private let taken: HandOver<SessionCheckpoint>
    private let lock = NSLock()
    /// The checkpoint once separated.
    private var separatedCheckpoint: SessionCheckpoint?
    private let done = DispatchSemaphore(value: 0)

    /// Takes the only other reference to the session's storage: the caller keeps none.
    init(_ checkpoint: consuming SessionCheckpoint) {
        taken = HandOver(checkpoint)
        BackgroundCheckpoint.runBehindTheScreen { self.separate() }
    }

    /// Runs `work` on a thread of its own at a lower priority (nice 10): on two cores the copy
    /// would otherwise take half the dashboard's core from it, while the session waits anyway.
    static func runBehindTheScreen(_ work: @escaping @Sendable () -> Void) {
        let thread = Thread {
            #if canImport(Glibc)
            // On Linux, PRIO_PROCESS with 0 is the calling thread alone.
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10)
            #endif
            work()
        }
        thread.name = "liqwatch-checkpoint"
        thread.start()
    }

    private func separate() {
        var working = taken.take()
        working?.separateStorage()
        lock.lock()
        separatedCheckpoint = working.take()
        lock.unlock()
        done.signal()
    }

    var isSeparated: Bool {
        lock.lock(); defer { lock.unlock() }
        return separatedCheckpoint != nil
    }

    /// The separated checkpoint, waiting for it when `wait`; nil if it is not ready.
    func result(wait: Bool) -> SessionCheckpoint? {
        if wait {
            done.wait()
            done.signal()
        }
        lock.lock(); defer { lock.unlock() }
        return separatedCheckpoint
    }
}

extension BackgroundCheckpoint {
    /// Lets go of checkpoints on another thread: at a million positions one holds a million
    /// accounts whose names and lists are released one by one, tens of milliseconds that a
    /// dashboard's turn should not spend.
    static func release(_ checkpoints: consuming [SessionCheckpoint]) {
        guard !checkpoints.isEmpty else { return }
        let held = HandOver(checkpoints)
        runBehindTheScreen { _ = held.take() }
    }
}

extension SessionCheckpoint {
    mutating func separateStorage() {
        applier.engine.separateStorage()
    }
}
