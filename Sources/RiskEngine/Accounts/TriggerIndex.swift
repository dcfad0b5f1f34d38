/// Positions of one symbol indexed by liquidation price, so that a mark tick looks only at the
/// positions whose trigger it crosses.
///
/// Longs sit in a max-heap (they liquidate when the mark falls to or below their price), shorts in
/// a min-heap. A tick that crosses nothing reads two heap tops: O(1). Each liquidation pops one
/// entry: O(log n). A position whose liquidation price changes is pushed again with a new version;
/// the old entry is recognised as stale when it surfaces and is dropped (lazy deletion), and the
/// heaps are rebuilt when stale entries outnumber live ones so memory stays bounded.
public struct TriggerIndex: Hashable, Sendable {
    public struct Entry: Hashable, Sendable {
        public var price: Fixed
        public var position: Int32
        public var version: UInt32
    }

    var longs: [Entry] = []
    var shorts: [Entry] = []
    var liveCount = 0
    /// Bumped by every change to the heaps, so that a reader can tell whether what it read from
    /// them still holds (the engine keeps the leading entries it samples every second). Not part
    /// of the index's value: two indexes holding the same entries are equal.
    public private(set) var generation: UInt64 = 0

    public init() {}

    public static func == (lhs: TriggerIndex, rhs: TriggerIndex) -> Bool {
        lhs.longs == rhs.longs && lhs.shorts == rhs.shorts && lhs.liveCount == rhs.liveCount
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(longs)
        hasher.combine(shorts)
        hasher.combine(liveCount)
    }

    public var entryCount: Int { longs.count + shorts.count }

    /// Whether stale entries outnumber the live ones enough to filter them out (`compactIfNeeded`).
    @inline(__always) public func needsCompacting(liveEntries: Int) -> Bool {
        entryCount > 1024 && entryCount > 2 * liveEntries
    }

    public mutating func insert(side: Side, price: Fixed, position: Int32, version: UInt32) {
        let entry = Entry(price: price, position: position, version: version)
        generation &+= 1
        if side == .long { Heap.push(&longs, entry, before: { $0.price > $1.price }) }
        else { Heap.push(&shorts, entry, before: { $0.price < $1.price }) }
    }

    /// The most endangered entry on a side (highest long price, lowest short price).
    public func top(_ side: Side) -> Entry? { side == .long ? longs.first : shorts.first }

    public mutating func popTop(_ side: Side) {
        generation &+= 1
        if side == .long { Heap.pop(&longs, before: { $0.price > $1.price }) }
        else { Heap.pop(&shorts, before: { $0.price < $1.price }) }
    }

    /// Up to `count` entries from the top of a side, in trigger order, without changing the heap:
    /// a best-first walk of the heap's tree, whose frontier is itself a small heap of slots,
    /// O(count log count). The signals call it every second for the stressed deficit.
    ///
    /// Each position comes once, even if the heap holds two live entries for it (the engine never
    /// makes such a pair, as every entry it pushes carries a new version, but the index does not
    /// rely on it).
    public func leading(_ side: Side, count: Int, isLive: (Entry) -> Bool) -> [Entry] {
        leading(side, count: count, upTo: count, while: { _ in false }, isLive: isLive).entries
    }

    /// The first `count` live entries of a side, then on while `near` holds of the next one, up
    /// to `limit` in all; and the first live entry left out (nil: none is), by which a reader can
    /// tell whether the list still holds at another mark.
    public func leading(_ side: Side, count: Int, upTo limit: Int, while near: (Entry) -> Bool,
                        isLive: (Entry) -> Bool) -> (entries: [Entry], next: Entry?) {
        guard limit > 0 else { return ([], nil) }
        // Each order written out where it is passed, so that the inlined walk compares directly.
        if side == .long {
            return TriggerIndex.leading(longs, count: count, limit: limit, near: near, isLive: isLive) { $0.price > $1.price }
        }
        return TriggerIndex.leading(shorts, count: count, limit: limit, near: near, isLive: isLive) { $0.price < $1.price }
    }

    @inline(__always)
    private static func leading(_ heap: [Entry], count: Int, limit: Int, near: (Entry) -> Bool, isLive: (Entry) -> Bool,
                                before: (Entry, Entry) -> Bool) -> (entries: [Entry], next: Entry?) {
        guard !heap.isEmpty else { return ([], nil) }
        var result: [Entry] = []
        result.reserveCapacity(Swift.min(count, heap.count))
        var next: Entry? = nil
        // A set only pays for itself past a few dozen positions; below, a scan of the result is
        // cheaper than hashing.
        var seen: Set<Int32>? = nil
        heap.withUnsafeBufferPointer { entries in
            var frontier: [Int] = [0]
            frontier.reserveCapacity(2 * Swift.min(count, entries.count) + 2)
            while let slot = frontier.first {
                Heap.pop(&frontier) { before(entries[$0], entries[$1]) }
                let entry = entries[slot]
                if isLive(entry) {
                    if result.count >= count && (result.count >= limit || !near(entry)) {
                        next = entry
                        break
                    }
                    if seen == nil && result.count >= TriggerIndex.scannedDuplicates {
                        seen = Set(result.map(\.position))
                    }
                    let isNew: Bool
                    if seen != nil { isNew = seen!.insert(entry.position).inserted }
                    else { isNew = !result.contains { $0.position == entry.position } }
                    if isNew { result.append(entry) }
                }
                let left = 2 * slot + 1
                if left < entries.count { Heap.push(&frontier, left) { before(entries[$0], entries[$1]) } }
                if left + 1 < entries.count { Heap.push(&frontier, left + 1) { before(entries[$0], entries[$1]) } }
            }
        }
        return (result, next)
    }

    /// Up to this many leading entries, duplicates are found by scanning the result.
    static let scannedDuplicates = 64

    /// Rebuilds both heaps from their live entries when stale ones have piled up.
    public mutating func compactIfNeeded(liveEntries: Int, isLive: (Entry) -> Bool) {
        guard needsCompacting(liveEntries: liveEntries) else { return }
        generation &+= 1
        longs = longs.filter(isLive)
        shorts = shorts.filter(isLive)
        Heap.heapify(&longs, before: { $0.price > $1.price })
        Heap.heapify(&shorts, before: { $0.price < $1.price })
    }
}

/// Binary-heap primitives over a plain array. Always inlined, so that each caller's comparison is
/// compiled into the loop instead of called through a closure at every step.
enum Heap {
    @inline(__always) static func push<T>(_ heap: inout [T], _ element: T, before: (T, T) -> Bool) {
        heap.append(element)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            if !before(heap[child], heap[parent]) { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    @inline(__always) static func pop<T>(_ heap: inout [T], before: (T, T) -> Bool) {
        guard !heap.isEmpty else { return }
        let last = heap.removeLast()
        guard !heap.isEmpty else { return }
        heap[0] = last
        siftDown(&heap, from: 0, before: before)
    }

    @inline(__always) static func siftDown<T>(_ heap: inout [T], from start: Int, before: (T, T) -> Bool) {
        var parent = start
        let count = heap.count
        while true {
            let left = 2 * parent + 1
            if left >= count { return }
            var chosen = left
            if left + 1 < count && before(heap[left + 1], heap[left]) { chosen = left + 1 }
            if !before(heap[chosen], heap[parent]) { return }
            heap.swapAt(chosen, parent)
            parent = chosen
        }
    }

    /// Floyd's heap building a few nodes at a time, in the order `heapify` takes them: sifts down
    /// from `node` towards 0 while `work` lasts, and returns the next node (-1 once built).
    @inline(__always) static func heapify<T>(_ heap: inout [T], from node: Int, work: inout Int, before: (T, T) -> Bool) -> Int {
        var node = node
        while node >= 0 && work > 0 {
            siftDown(&heap, from: node, before: before)
            node -= 1
            work -= 1
        }
        return node
    }

    static func heapify<T>(_ heap: inout [T], before: (T, T) -> Bool) {
        guard heap.count > 1 else { return }
        for index in stride(from: heap.count / 2 - 1, through: 0, by: -1) { siftDown(&heap, from: index, before: before) }
    }
}
