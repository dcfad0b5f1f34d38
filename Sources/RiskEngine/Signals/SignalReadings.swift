/// A market's latest reading of each signal, one slot a kind.
///
/// The signals of every market are sampled every second of session time: a dictionary keyed by
/// kind hashed eight keys and copied its storage each sample, for each market, a third of a
/// sample's time (a session naming 10,000 markets spent 9 µs a market a second).
public struct SignalReadings: Hashable, Sendable {
    private var slots: [SignalReading?] = Array(repeating: nil, count: SignalKind.allCases.count)

    public init() {}

    public subscript(kind: SignalKind) -> SignalReading? {
        get { slots[Int(kind.ordinal)] }
        set { slots[Int(kind.ordinal)] = newValue }
    }

    /// The readings there are, in `SignalKind.allCases`' order.
    public var values: [SignalReading] { slots.compactMap { $0 } }

    /// The worst level read and how many readings are at ALERT, without gathering the readings
    /// (the markets table asks it of every market once a second).
    public var worstAndAlerts: (worst: SignalLevel, alerts: Int) {
        var worst = SignalLevel.ok
        var alerts = 0
        for case let reading? in slots {
            worst = max(worst, reading.level)
            if reading.level == .alert { alerts += 1 }
        }
        return (worst, alerts)
    }

    /// No signal read yet (the first sample reads them all).
    public var isEmpty: Bool { slots.allSatisfy { $0 == nil } }
}

/// The last `capacity` values of a signal, for its sparkline: a ring, so a sample's append moves
/// nothing (shifting the whole history left, and copying it where a reading shared it, was a
/// tenth of a sample).
struct History: Sendable {
    private var storage: [Double] = []
    /// Where the oldest value is, once the ring is full.
    private var oldest = 0
    let capacity: Int

    init(capacity: Int) { self.capacity = max(0, capacity) }

    mutating func append(_ value: Double) {
        guard capacity > 0 else { return }
        if storage.count < capacity {
            storage.append(value)
        } else {
            storage[oldest] = value
            oldest = oldest + 1 == capacity ? 0 : oldest + 1
        }
    }

    /// Oldest first.
    var values: [Double] { last(storage.count) }

    /// The newest `count` values (or all there are), oldest first: what a sparkline of `count`
    /// cells draws, without copying a history of up to 100,000 values each frame.
    func last(_ count: Int) -> [Double] {
        let count = max(0, min(count, storage.count))
        var values: [Double] = []
        values.reserveCapacity(count)
        // The newest value sits just before `oldest` (at the end while the ring is filling).
        let end = oldest == 0 ? storage.count : oldest
        let start = end - count
        if start >= 0 {
            values.append(contentsOf: storage[start..<end])
        } else {
            values.append(contentsOf: storage[(storage.count + start)...])
            values.append(contentsOf: storage[..<end])
        }
        return values
    }
}
