import Foundation

/// A value on its way to another thread, which takes it out once. Whoever handed it over keeps no
/// reference, so once taken the value's arrays are shared by nothing else: a checkpoint separated
/// from the session, a what-if's engine given arrays of its own, checkpoints let go of off the UI
/// thread.
public final class HandOver<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value?

    public init(_ value: consuming Value) { self.value = value }

    /// The value, the first time; nil after.
    public func take() -> Value? {
        lock.lock(); defer { lock.unlock() }
        return value.take()
    }
}
