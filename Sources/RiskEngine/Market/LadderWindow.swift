/// The levels of a ladder nearest its touch, one slot per tick, so that an update there finds its
/// level by arithmetic instead of a search, and adds or removes it without shifting any other.
///
/// Nineteen in twenty of the level changes in the BTCUSDT recording land within the 16,384 ticks
/// around the touch the window covers, where a sorted ladder spends most of an update searching and
/// shifting (and the levels deep in the book are cold in the cache). Keys are the ladder's
/// (ascending to the touch); slot `i` holds key `low + i × tick`. A bitmap of the occupied slots,
/// summarised one bit per block, finds the next level below a removed touch in a few instructions,
/// and per-block sums (64 slots a block) give the depth bands without walking the levels.
///
/// `PriceLadder` keeps every level at or above `low` here and every level below it in its chunks,
/// and moves the window when the touch leaves it (see `PriceLadder.placeWindow`).
@usableFromInline
struct LadderWindow: Sendable {
    @usableFromInline static let slotCount = 16_384
    @usableFromInline static let blockCount = slotCount / 64
    @usableFromInline static let summaryWordCount = blockCount / 64
    /// Where a placed window puts the touch: three quarters up, so the touch can rise a quarter of
    /// the window and fall most of it before the window has to move.
    static let touchSlot = slotCount * 3 / 4
    /// A window whose highest level has fallen below this slot is moved down to the touch.
    @usableFromInline static let lowestTouchSlot = slotCount / 8
    /// What `locate` returns for a key that has no slot.
    @usableFromInline static let below = -1
    @usableFromInline static let above = -2
    @usableFromInline static let offGrid = -3

    /// Σ size and Σ slot × size of one block's levels (wrapping, as the chunk sums).
    @usableFromInline struct Block: Sendable {
        @usableFromInline var occupied: UInt64 = 0
        /// Int128 although sizes are Int64: the key-value sum is rebuilt from it (see `sums`).
        @usableFromInline var sizeSum: Int128 = 0
        @usableFromInline var slotValueSum: Int128 = 0
        @usableFromInline init() {}
    }

    @usableFromInline let tick: Int64
    /// ⌈2⁶⁴ / tick⌉: the high word of offset × this is offset / tick for every offset on the grid
    /// (see `locate`).
    @usableFromInline let reciprocal: UInt64
    /// slotCount × tick: keys from `low` up to `low + span` (excluded) have a slot.
    @usableFromInline let span: Int64
    @usableFromInline var low: Int64 = 0
    /// One size a slot (0: no level); empty until the window is first placed.
    @usableFromInline var sizes: [Int64] = []
    @usableFromInline var blocks: [Block] = []
    /// Bit `b % 64` of word `b / 64` is set when block `b` holds a level.
    @usableFromInline var summary: [UInt64] = []
    @usableFromInline var count = 0
    /// The highest occupied slot (the touch when the window holds a level), -1 when empty.
    @usableFromInline var top = -1

    /// A window for a tick in book units. A tick below 2 (1 is 10⁻⁸, no instrument's) or so large
    /// that the window would span more than 2⁵² book units makes a window that is never placed.
    init(tick: Int64) {
        let usable = tick > 1 && tick <= (Int64(1) << 52) / Int64(LadderWindow.slotCount)
        self.tick = usable ? tick : 0
        self.reciprocal = usable ? UInt64.max / UInt64(tick) + 1 : 0
        self.span = usable ? tick * Int64(LadderWindow.slotCount) : 0
    }

    var canBePlaced: Bool { tick > 0 }
    @usableFromInline var isPlaced: Bool { !sizes.isEmpty }

    @inlinable func key(ofSlot slot: Int) -> Int64 { low &+ Int64(slot) &* tick }

    /// The slot of `key`, or `below`, `above`, or `offGrid` (inside the window but between ticks).
    @inlinable func locate(_ key: Int64) -> Int {
        let (offset, overflow) = key.subtractingReportingOverflow(low)
        if overflow { return key < low ? LadderWindow.below : LadderWindow.above }
        if offset < 0 { return LadderWindow.below }
        if offset >= span { return LadderWindow.above }
        // For offset = k × tick, offset × ⌈2⁶⁴/tick⌉ / 2⁶⁴ = k + k × tick × (under 1) / 2⁶⁴, and
        // k × tick < span ≤ 2⁵²: the high word is k. Checked by multiplying back, which also says
        // whether the key is on the grid at all.
        let slot = Int(truncatingIfNeeded: UInt64(truncatingIfNeeded: offset).multipliedFullWidth(by: reciprocal).high)
        return Int64(slot) &* tick == offset ? slot : LadderWindow.offGrid
    }

    /// Sets a slot's size (0 empties it) and returns the size it had.
    @inlinable mutating func set(slot: Int, size: Int64) -> Int64 {
        let previous = sizes[slot]
        if previous == size { return previous }
        sizes[slot] = size
        let block = slot >> 6
        let bit = UInt64(1) << UInt64(slot & 63)
        let delta = size &- previous
        blocks[block].sizeSum &+= Int128(delta)
        blocks[block].slotValueSum &+= Int128(slot) &* Int128(delta)
        if previous == 0 {
            if blocks[block].occupied == 0 { summary[block >> 6] |= UInt64(1) << UInt64(block & 63) }
            blocks[block].occupied |= bit
            count += 1
            if slot > top { top = slot }
        } else if size == 0 {
            blocks[block].occupied &= ~bit
            if blocks[block].occupied == 0 { summary[block >> 6] &= ~(UInt64(1) << UInt64(block & 63)) }
            count -= 1
            if slot == top { top = highestOccupied(below: slot) }
        }
        return previous
    }

    /// The highest occupied slot below `slot`, -1 for none.
    @inlinable func highestOccupied(below slot: Int) -> Int {
        let block = slot >> 6
        let lower = blocks[block].occupied & ((UInt64(1) << UInt64(slot & 63)) &- 1)
        if lower != 0 { return block << 6 | (63 - lower.leadingZeroBitCount) }
        let found = highestOccupiedBlock(below: block)
        if found < 0 { return -1 }
        return found << 6 | (63 - blocks[found].occupied.leadingZeroBitCount)
    }

    /// The highest block below `block` that holds a level, -1 for none.
    @inlinable func highestOccupiedBlock(below block: Int) -> Int {
        var word = block >> 6
        var bits = summary[word] & ((UInt64(1) << UInt64(block & 63)) &- 1)
        while bits == 0 {
            if word == 0 { return -1 }
            word -= 1
            bits = summary[word]
        }
        return word << 6 | (63 - bits.leadingZeroBitCount)
    }

    /// Makes the window hold no level, starting at `low` (allocating it the first time).
    mutating func clear(low newLow: Int64) {
        if sizes.isEmpty {
            sizes = Array(repeating: 0, count: LadderWindow.slotCount)
            blocks = Array(repeating: Block(), count: LadderWindow.blockCount)
            summary = Array(repeating: 0, count: LadderWindow.summaryWordCount)
        } else if count > 0 {
            var block = 0
            while block < LadderWindow.blockCount {
                var bits = blocks[block].occupied
                while bits != 0 {
                    sizes[block << 6 | bits.trailingZeroBitCount] = 0
                    bits &= bits &- 1
                }
                blocks[block] = Block()
                block += 1
            }
            for word in summary.indices { summary[word] = 0 }
        }
        count = 0
        top = -1
        low = newLow
    }

    /// Forgets the window entirely (a ladder emptied, or one whose levels are off the grid).
    mutating func release() {
        sizes = []
        blocks = []
        summary = []
        count = 0
        top = -1
    }

    /// Visits the occupied slots from `from` (inclusive) downwards until `body` returns false;
    /// returns false when `body` stopped it.
    @inlinable func forEachSlot(downFrom from: Int, _ body: (_ slot: Int, _ size: Int64) -> Bool) -> Bool {
        guard from >= 0 else { return true }
        return sizes.withUnsafeBufferPointer { sizes in
            blocks.withUnsafeBufferPointer { blocks in
                var block = from >> 6
                var bits = blocks[block].occupied & (from & 63 == 63 ? ~0 : (UInt64(1) << UInt64((from & 63) + 1)) &- 1)
                while true {
                    while bits != 0 {
                        let slot = block << 6 | (63 - bits.leadingZeroBitCount)
                        if !body(slot, sizes[slot]) { return false }
                        bits &= ~(UInt64(1) << UInt64(slot & 63))
                    }
                    block = highestOccupiedBlock(below: block)
                    if block < 0 { return true }
                    bits = blocks[block].occupied
                }
            }
        }
    }

    /// Σ size and Σ key × size of the levels in slots `from` and above (wrapping).
    @inlinable func sums(fromSlot from: Int) -> (size: Int64, keyValue: Int128) {
        guard count > 0, from <= top else { return (0, 0) }
        let start = Swift.max(0, from)
        var size: Int128 = 0
        var slotValue: Int128 = 0
        // Whole blocks from the touch's down to the one above `start`, then the slots of `start`'s.
        let first = start >> 6
        var block = top >> 6
        while block > first {
            size &+= blocks[block].sizeSum
            slotValue &+= blocks[block].slotValueSum
            block -= 1
        }
        if start & 63 == 0 {
            size &+= blocks[first].sizeSum
            slotValue &+= blocks[first].slotValueSum
        } else {
            var bits = blocks[first].occupied & ~((UInt64(1) << UInt64(start & 63)) &- 1)
            while bits != 0 {
                let slot = first << 6 | bits.trailingZeroBitCount
                size &+= Int128(sizes[slot])
                slotValue &+= Int128(slot) &* Int128(sizes[slot])
                bits &= bits &- 1
            }
        }
        // Σ (low + slot × tick) × size = low × Σ size + tick × Σ slot × size.
        return (Int64(truncatingIfNeeded: size), Int128(low) &* size &+ Int128(tick) &* slotValue)
    }

    /// The first slot whose key is at or above `key` (0 when all are, slotCount when none is).
    @inlinable func firstSlot(atOrAbove key: Int64) -> Int {
        if key <= low { return 0 }
        let (offset, overflow) = key.subtractingReportingOverflow(low)
        if overflow || offset >= span { return LadderWindow.slotCount }
        return Int((offset + tick - 1) / tick)
    }
}
