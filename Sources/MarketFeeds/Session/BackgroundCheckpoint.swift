import Foundation
import RiskEngine

/// A replay checkpoint made independent of the session on another thread.
///
/// A checkpoint shares the engine's storage with the session; the session's next change copies
/// it, hundreds of milliseconds at a million positions, in the middle of a dashboard's turn. Here
/// the checkpoint does the copy (`Engine.separateStorage`) on a thread of its own while the
/// session waits (the clock applies nothing meanwhile, the keyboard and the screen go on), and the
/// session's arrays are its own again when it resumes.
final class BackgroundCheckpoint: @unchecked Sendable {
    private let lock = NSLock()
    /// The checkpoint before and after separation: nil while the thread holds it.
    private var checkpoint: SessionCheckpoint?
    private var separated = false
    private let done = DispatchSemaphore(value: 0)

    /// Takes the only other reference to the session's storage: the caller keeps none.
    init(_ checkpoint: consuming SessionCheckpoint) {
        self.checkpoint = checkpoint
        DispatchQueue.global(qos: .userInitiated).async { self.separate() }
    }

    private func separate() {
        lock.lock()
        var working = checkpoint.take()
        lock.unlock()
        working?.separateStorage()
        lock.lock()
        checkpoint = working.take()
        separated = true
        lock.unlock()
        done.signal()
    }

    var isSeparated: Bool {
        lock.lock(); defer { lock.unlock() }
        return separated
    }

    /// The separated checkpoint, waiting for it when `wait`; nil if it is not ready.
    func result(wait: Bool) -> SessionCheckpoint? {
        if wait {
            done.wait()
            done.signal()
        }
        lock.lock(); defer { lock.unlock() }
        return separated ? checkpoint : nil
    }
}

extension SessionCheckpoint {
    mutating func separateStorage() {
        applier.engine.separateStorage()
    }
}
