import Foundation

/// A flag one thread raises and another checks between blocking waits (a worker told to stop, a
/// headless run told SIGINT arrived).
public final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var raised = false
    public init() {}
    public func set() { lock.lock(); raised = true; lock.unlock() }
    public var isSet: Bool { lock.lock(); defer { lock.unlock() }; return raised }
}
