/// A chart's points with the session time of each, bounded: a jump back keeps the points up to
/// the time it lands on (the replay before it is the same), where they used to be dropped whole,
/// and a chart can say how much time its points span.
public struct TimedHistory: Sendable, Equatable {
    public private(set) var times: [Int64] = []
    public private(set) var values: [Double] = []
    /// The most points kept (the oldest go first).
    public let limit: Int

    public init(limit: Int) {
        self.limit = max(1, limit)
    }

    public var isEmpty: Bool { values.isEmpty }

    /// Session nanoseconds from the first point kept to the last.
    public var span: Int64 { (times.last ?? 0) &- (times.first ?? 0) }

    public mutating func append(_ value: Double, at time: Int64) {
        times.append(time)
        values.append(value)
        if values.count > limit {
            times.removeFirst(values.count - limit)
            values.removeFirst(values.count - limit)
        }
    }

    /// Drops the points later than `time` (the points are in time order).
    public mutating func dropPoints(after time: Int64) {
        guard let last = times.last, last > time else { return }
        let kept = times.firstIndex { $0 > time } ?? times.count
        times.removeSubrange(kept...)
        values.removeSubrange(kept...)
    }

    /// Drops every history's points later than `time`, and the histories left empty.
    public static func dropPoints<Key: Hashable>(after time: Int64, in histories: inout [Key: TimedHistory]) {
        for key in Array(histories.keys) {
            histories[key]?.dropPoints(after: time)
            if histories[key]?.isEmpty == true { histories[key] = nil }
        }
    }
}
