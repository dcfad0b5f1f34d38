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

    /// The heaps' orders: the most endangered first, and among equal prices the lowest position
    /// (or account) first. Equal triggers are common (identical rows of an export or a synthetic
    /// book); by price alone their order was the order the heap happened to be built in, so two
    /// engines that pushed the same live entries through different histories (a cross account
    /// re-worked on every mark, and one guarded) liquidated them in different orders (review).
    @inline(__always) static func longBefore(_ a: Entry, _ b: Entry) -> Bool {
        a.price > b.price || (a.price == b.price && a.position < b.position)
    }
    @inline(__always) static func shortBefore(_ a: Entry, _ b: Entry) -> Bool {
        a.price < b.price || (a.price == b.price && a.position < b.position)
    }

    /// Whether stale entries outnumber the live ones enough to filter them out (`compactIfNeeded`).
    @inline(__always) public func needsCompacting(liveEntries: Int) -> Bool {
        entryCount > 1024 && entryCount > 2 * liveEntries
    }

    public mutating func insert(side: Side, price: Fixed, position: Int32, version: UInt32) {
        let entry = Entry(price: price, position: position, version: version)
        generation &+= 1
        if side == .long { Heap.push(&longs, entry, before: { TriggerIndex.longBefore($0, $1) }) }
        else { Heap.push(&shorts, entry, before: { TriggerIndex.shortBefore($0, $1) }) }
    }

    /// The most endangered entry on a side (highest long price, lowest short price).
    public func top(_ side: Side) -> Entry? { side == .long ? longs.first : shorts.first }

    public mutating func popTop(_ side: Side) {
        generation &+= 1
        if side == .long { Heap.pop(&longs, before: { TriggerIndex.longBefore($0, $1) }) }
        else { Heap.pop(&shorts, before: { TriggerIndex.shortBefore($0, $1) }) }
    }

    /// Up to `count` entries from the top of a side, in trigger order, without changing the heap:
    /// a best-first walk of the heap's tree, whose frontier is itself a small heap of slots,
    /// O(count log count). The signals call it every second for the stressed deficit.
    ///
    /// Each position comes once, even if the heap holds two live entries for it (the engine never
    /// makes such a pair, as every entry it pushes carries a new version, but the index does not
    /// rely on it).
    public func leading(_ side: Side, count: Int, isLive: (Entry) -> Bool) -> [Entry] {
        var walk = startWalk()
        continueWalk(side, &walk, isLive: isLive) { $0.count >= count }
        return walk.walked
    }

    /// A best-first walk of a side's heap from its top, to be taken further while the index is
    /// unchanged (`generation`): the stressed deficit reads the positions near liquidation every
    /// second, and a mark that moved a little needs a few more of them, not the walk again.
    public struct LeadingWalk: Sendable {
        /// The live entries met so far, in trigger order, each position once.
        public fileprivate(set) var walked: [Entry] = []
        /// The heap's slots not yet visited whose parents were: the walk's own small heap.
        fileprivate var frontier: [Int]
        /// The positions walked, once there are more than a scan of `walked` finds cheaply.
        fileprivate var seen: Set<Int32>? = nil
        public let generation: UInt64
        public var isExhausted: Bool { frontier.isEmpty }
    }

    public func startWalk() -> LeadingWalk {
        LeadingWalk(frontier: [0], generation: generation)
    }

    /// Walks on, appending each live entry not walked yet, until `done` holds of what is walked
    /// (asked before each step) or the side has no more.
    public func continueWalk(_ side: Side, _ walk: inout LeadingWalk, isLive: (Entry) -> Bool, until done: ([Entry]) -> Bool) {
        // A walk of the index as it was: its slots may be other entries now, or past the heap.
        if walk.generation != generation { walk = startWalk() }
        // Each order written out where it is passed, so that the inlined walk compares directly.
        if side == .long { TriggerIndex.continueWalk(longs, &walk, isLive: isLive, until: done) { TriggerIndex.longBefore($0, $1) } }
        else { TriggerIndex.continueWalk(shorts, &walk, isLive: isLive, until: done) { TriggerIndex.shortBefore($0, $1) } }
    }

    @inline(__always)
    private static func continueWalk(_ heap: [Entry], _ walk: inout LeadingWalk, isLive: (Entry) -> Bool,
                                     until done: ([Entry]) -> Bool, before: (Entry, Entry) -> Bool) {
        heap.withUnsafeBufferPointer { entries in
            // An index of no entries: nothing to visit (a slot past the heap is never pushed).
            if walk.frontier.first.map({ $0 >= entries.count }) ?? false { walk.frontier.removeAll() }
            while !done(walk.walked), let slot = walk.frontier.first {
                Heap.pop(&walk.frontier) { before(entries[$0], entries[$1]) }
                let entry = entries[slot]
                if isLive(entry) {
                    // A set only pays for itself past a few dozen positions; below, a scan of the
                    // walk is cheaper than hashing.
                    if walk.seen == nil && walk.walked.count >= TriggerIndex.scannedDuplicates {
                        walk.seen = Set(walk.walked.map(\.position))
                    }
                    let isNew: Bool
                    if walk.seen != nil { isNew = walk.seen!.insert(entry.position).inserted }
                    else { isNew = !walk.walked.contains { $0.position == entry.position } }
                    if isNew { walk.walked.append(entry) }
                }
                let left = 2 * slot + 1
                if left < entries.count { Heap.push(&walk.frontier, left) { before(entries[$0], entries[$1]) } }
                if left + 1 < entries.count { Heap.push(&walk.frontier, left + 1) { before(entries[$0], entries[$1]) } }
            }
        }
    }

    /// Up to this many leading entries, duplicates are found by scanning the result.
    static let scannedDuplicates = 64

    /// Rebuilds both heaps from their live entries when stale ones have piled up.
    public mutating func compactIfNeeded(liveEntries: Int, isLive: (Entry) -> Bool) {
        guard needsCompacting(liveEntries: liveEntries) else { return }
        generation &+= 1
        longs = longs.filter(isLive)
        shorts = shorts.filter(isLive)
        Heap.heapify(&longs, before: { TriggerIndex.longBefore($0, $1) })
        Heap.heapify(&shorts, before: { TriggerIndex.shortBefore($0, $1) })
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
