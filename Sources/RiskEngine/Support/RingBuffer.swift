/// The most recent `capacity` elements, oldest first: appending past the capacity overwrites the
/// oldest in place, so a bounded list costs O(1) an append and never shifts its elements (a
/// `removeFirst` on a full array of 5,000 records was most of a liquidation's cost). A value type:
/// copied with the engine for checkpoints and what-ifs, shared until written.
public struct RingBuffer<Element: Sendable>: RandomAccessCollection, Sendable {
    public let capacity: Int
    private var storage: [Element] = []
    /// Where the oldest element is once the storage is full.
    private var head = 0

    public init(capacity: Int) {
        self.capacity = Swift.max(1, capacity)
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { storage.count }

    /// The `position`-th element, oldest first.
    public subscript(position: Int) -> Element {
        let index = head + position
        return storage[index < storage.count ? index : index - storage.count]
    }

    public mutating func append(_ element: Element) {
        if storage.count < capacity {
            storage.append(element)
        } else {
            storage[head] = element
            head = head + 1 == capacity ? 0 : head + 1
        }
    }

    public mutating func removeAll() {
        storage.removeAll()
        head = 0
    }

    /// The elements, oldest first, as an array.
    public var elements: [Element] { Array(self) }
}

extension RingBuffer: Equatable where Element: Equatable {
    public static func == (lhs: RingBuffer, rhs: RingBuffer) -> Bool {
        lhs.capacity == rhs.capacity && lhs.elementsEqual(rhs)
    }
}

extension RingBuffer: Hashable where Element: Hashable {
    public func hash(into hasher: inout Hasher) {
        hasher.combine(capacity)
        hasher.combine(count)
        for element in self { hasher.combine(element) }
    }
}

/// Times (and values) in a sliding window of event time: appended in time order, dropped from the
/// front once older than the window, with a running sum, so reading the window costs nothing per
/// element. Its length is what the window holds, however fast entries come.
struct TimeWindow: Sendable {
    private var times: [Int64] = []
    private var values: [Double] = []
    private var head = 0
    private(set) var sum = 0.0

    var count: Int { times.count - head }

    mutating func append(time: Int64, value: Double) {
        times.append(time)
        values.append(value)
        sum += value
    }

    /// Drops entries older than `span` before `now`.
    mutating func expire(before now: Int64, span: Int64) {
        while head < times.count && now - times[head] > span {
            sum -= values[head]
            head += 1
        }
        if head == times.count {
            times.removeAll(keepingCapacity: true)
            values.removeAll(keepingCapacity: true)
            head = 0
            sum = 0
        } else if head > 1_024 && head * 2 > times.count {
            times.removeFirst(head)
            values.removeFirst(head)
            head = 0
        }
    }

    /// The count and sum of the entries within `span` before `now` (a shorter window than the one
    /// kept), found by a binary search for its start.
    func within(_ span: Int64, of now: Int64) -> (count: Int, sum: Double) {
        var low = head
        var high = times.count
        while low < high {
            let middle = (low + high) / 2
            if now - times[middle] > span { low = middle + 1 } else { high = middle }
        }
        var total = 0.0
        for index in low..<times.count { total += values[index] }
        return (times.count - low, total)
    }
}
