import Foundation
import MarketFeeds

/// The mutable part of a source, shared by its tasks and the session's thread.
final class SourceState: @unchecked Sendable {
    private let lock = NSLock()
    private var queue: LiveQueue?
    private var stream = 0
    private var task: Task<Void, Never>?
    private var isStopped = false

    func attach(queue: LiveQueue, stream: Int) {
        lock.lock(); defer { lock.unlock() }
        self.queue = queue
        self.stream = stream
    }

    var attachment: (LiveQueue, Int)? {
        lock.lock(); defer { lock.unlock() }
        return queue.map { ($0, stream) }
    }

    func setTask(_ task: Task<Void, Never>) {
        lock.lock(); defer { lock.unlock() }
        self.task = task
    }

    var stopped: Bool {
        lock.lock(); defer { lock.unlock() }
        return isStopped
    }

    func stop() {
        lock.lock()
        isStopped = true
        let running = task
        lock.unlock()
        running?.cancel()
    }
}
