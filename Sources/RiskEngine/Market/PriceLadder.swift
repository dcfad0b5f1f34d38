public enum BookSide: Hashable, Sendable {
    case bid
    case ask

    public var opposite: BookSide { self == .bid ? .ask : .bid }
}

/// One level of a ladder: its key (see `PriceLadder`) and its size, side by side, so that the
/// search that finds a level has already brought its size into the cache.
@usableFromInline
struct LadderLevel: Sendable {
    @usableFromInline var key: Int64
    @usableFromInline var size: Int64

    @inlinable init(key: Int64, size: Int64) {
        self.key = key
        self.size = size
    }
}

/// A run of consecutive levels of a ladder, with the sums the depth bands need: the signals sum
/// the levels within ±50 bps every second, and a chunk wholly inside the band adds its sums instead
/// of its levels.
@usableFromInline
struct LadderChunk: Sendable {
    @usableFromInline var levels: [LadderLevel]
    /// Σ size and Σ key × size over `levels` (wrapping, so that no input can trap).
    @usableFromInline var sizeSum: Int64 = 0
    @usableFromInline var keyValueSum: Int128 = 0

    @usableFromInline init(levels: [LadderLevel]) {
        self.levels = levels
        for level in levels { add(key: level.key, size: level.size) }
    }

    @inlinable mutating func add(key: Int64, size: Int64) {
        sizeSum &+= size
        keyValueSum &+= Int128(key) &* Int128(size)
    }
}

/// One side of an L2 book: price levels held as exact integers (book units).
///
/// Levels are sorted by a key, the price for bids and −price for asks, so both sides ascend and
/// the touch is always the highest key. Given the instrument's tick, the levels nearest the touch
/// are held in a window of one slot per tick (`LadderWindow`), where most updates land and none
/// needs a search. Every level below the window is stored, key and size side by side, in chunks of
/// at most 128 levels: a feed update far from the touch (Binance's full-depth streams touch levels
/// thousands deep) shifts one chunk, not the whole side.
///
/// The window holds every level at or above its lowest key; the chunks hold the rest. Without a
/// tick, or once a level has come between the ticks, the chunks hold every level.
public struct PriceLadder: Sendable {
    public let side: BookSide
    @usableFromInline var window: LadderWindow
    /// Set when a level came between the window's ticks: the tick does not fit this feed, and the
    /// window stays unused until the ladder is replaced or emptied.
    @usableFromInline var windowDissolved = false
    /// The first price that came between the ticks (the tick given does not fit this feed): kept
    /// for good, through snapshots, so the operator can be told the instrument's tick is wrong.
    public internal(set) var firstOffTickPrice: Int64?
    @usableFromInline var chunks: [LadderChunk] = []
    /// Each chunk's first key, contiguous, so finding the chunk is a search in one small array.
    @usableFromInline var firstKeys: [Int64] = []
    /// Levels in the chunks (the window counts its own).
    @usableFromInline var chunkedCount = 0
    /// The chunk the last update landed in. A depth event's levels come in price order, often
    /// several to a chunk, so the next update is checked against it before the chunks are searched.
    /// Only a hint: it is checked every time, so a stale one costs a comparison.
    @usableFromInline var finger = 0
    /// Whether a level so large arrived (|price| × size above 2¹⁰²: a corrupt feed, or prices and
    /// sizes both in the billions) that the chunk sums could wrap; from then on the depth bands are
    /// walked level by level, with saturating sums, instead of read from the chunk sums.
    @usableFromInline var sumsMayOverflow = false
    @usableFromInline static let largestSummedValue = Int128(1) << 102
    /// Past this many levels the sums could wrap even below that bound.
    @usableFromInline static let largestSummedCount = 1 << 24
    public var sumsAreExact: Bool { !sumsMayOverflow && count < PriceLadder.largestSummedCount }

    @inlinable static func mayWrapSums(key: Int64, size: Int64) -> Bool {
        // Both under 2⁵¹, as every real price and size is: the product is under 2¹⁰² without being
        // formed, and without reading the static bound (a lazy global, checked at every read).
        if key.magnitude | size.magnitude < 1 << 51 { return false }
        return (Int128(key) * Int128(size)).magnitude > largestSummedValue
    }
    public var count: Int { chunkedCount + window.count }
    @usableFromInline static let chunkCapacity = 128
    /// The most levels a side keeps below its window (16 bytes each: 16 MB). Past it the level
    /// farthest from the touch goes, and is counted (`farLevelsDropped`): a feed adding 100,000
    /// levels between the ticks a message grew one book by 15 MB a second, past a gigabyte,
    /// and froze the dashboard (attacker trial). The deepest real books (Binance's full-depth
    /// streams) hold some tens of thousands of levels a side.
    /// (Computed, not stored: a stored static is a global the hot `set` would read through its
    /// accessor at every insert.)
    @inlinable public static var levelLimit: Int { 1_000_000 }
    /// Levels dropped from the far end because the side held `levelLimit` (see there): beyond
    /// them the side is not known, and a walk that reaches its end finds less than the venue holds.
    public internal(set) var farLevelsDropped = 0
    /// Whether the side lost levels to `levelLimit` since it was last replaced whole (a
    /// snapshot) or emptied: its far end is not the venue's.
    public internal(set) var isCut = false

    /// A ladder for prices on a grid of `tick` book units (the instrument's tick); a tick of zero
    /// keeps every level in the chunks.
    public init(side: BookSide, tick: Int64 = 0) {
        self.side = side
        self.window = LadderWindow(tick: tick)
    }

    /// The tick the ladder was made for (0 for none).
    public var tick: Int64 { window.tick }

    public var isEmpty: Bool { count == 0 }

    @inlinable func key(for price: Int64) -> Int64 { side == .bid ? price : -price }
    @inlinable func price(forKey key: Int64) -> Int64 { side == .bid ? key : -key }

    /// Best price and size, or nil for an empty side.
    @inlinable public var best: (price: Int64, size: Int64)? {
        if window.top >= 0 { return (price(forKey: window.key(ofSlot: window.top)), window.sizes[window.top]) }
        guard let last = chunks.last?.levels.last else { return nil }
        return (price(forKey: last.key), last.size)
    }

    /// The level `depth` places from the touch (0 is the best).
    public func level(at depth: Int) -> (price: Int64, size: Int64) {
        var remaining = depth
        if remaining < window.count {
            var found: (price: Int64, size: Int64) = (0, 0)
            _ = window.forEachSlot(downFrom: window.top) { slot, size in
                if remaining > 0 { remaining -= 1; return true }
                found = (price(forKey: window.key(ofSlot: slot)), size)
                return false
            }
            return found
        }
        remaining -= window.count
        for chunk in chunks.reversed() {
            if remaining < chunk.levels.count {
                let level = chunk.levels[chunk.levels.count - 1 - remaining]
                return (price(forKey: level.key), level.size)
            }
            remaining -= chunk.levels.count
        }
        preconditionFailure("level \(depth) of a side with \(count) levels")
    }

    public func size(at price: Int64) -> Int64 {
        let key = key(for: price)
        if window.isPlaced {
            let slot = window.locate(key)
            if slot >= 0 { return window.sizes[slot] }
            // Above the window, or between its ticks: no level is there.
            if slot != LadderWindow.below { return 0 }
        }
        let (chunk, index, found) = search(key)
        return found ? chunks[chunk].levels[index].size : 0
    }

    /// The chunk holding `key` (or where it belongs), the index in it, and whether it is there.
    ///
    /// Both searches are fixed runs of halving steps written out one after another, each a select
    /// rather than a branch. A full-depth feed updates levels all over the book, so the branches of
    /// a classic binary search are a coin toss: about six mispredictions a search, the largest
    /// part of what a level update cost. (Written as a loop, the compiler turns the selects back
    /// into branches.) A step past the end reads the last key, which the first check has shown to
    /// be above `key`, so it never moves.
    @inlinable func search(_ key: Int64) -> (chunk: Int, index: Int, found: Bool) {
        let chunk = chunkIndex(for: key)
        if chunk < 0 { return (0, 0, false) }
        return search(key, inChunk: chunk)
    }

    /// `search`, trying the chunk of the previous update first.
    @inlinable mutating func searchFromFinger(_ key: Int64) -> (chunk: Int, index: Int, found: Bool) {
        let hint = finger
        let chunkCount = firstKeys.count
        if hint < chunkCount && firstKeys[hint] <= key && (hint == chunkCount - 1 || firstKeys[hint + 1] > key) {
            return search(key, inChunk: hint)
        }
        let chunk = chunkIndex(for: key)
        if chunk < 0 { return (0, 0, false) }
        finger = chunk
        return search(key, inChunk: chunk)
    }

    @inlinable func search(_ key: Int64, inChunk chunk: Int) -> (chunk: Int, index: Int, found: Bool) {
        chunks[chunk].levels.withUnsafeBufferPointer { buffer in
            let count = buffer.count
            // Most keys sit near the end of their chunk (the touch): check there first.
            if count == 0 || buffer[count - 1].key < key { return (chunk, count, false) }
            // The last index whose key is below `key` (-1 for none): at most last - 1, as the
            // last key is not below. Halving from a first step of width w covers last ≤ 2w - 1:
            // a chunk holds at most 128 keys when searched (last ≤ 127), so seven steps do, and
            // fewer for a short chunk.
            let last = count - 1
            var below = -1
            @inline(__always) func step(_ width: Int) {
                let probe = Swift.min(below + width, last)
                below = buffer[probe].key < key ? probe : below
            }
            if last >= 16 {
                if last >= 64 { step(64) }
                step(32); step(16)
            }
            step(8); step(4); step(2); step(1)
            let index = below + 1
            return (chunk, index, buffer[index].key == key)
        }
    }

    /// The last chunk whose first key is ≤ key (or chunk 0; -1 for an empty ladder). The touch's
    /// chunk is checked first.
    @inlinable func chunkIndex(for key: Int64) -> Int {
        let chunkCount = chunks.count
        if chunkCount == 0 { return -1 }
        return firstKeys.withUnsafeBufferPointer { firsts in
            let last = chunkCount - 1
            if firsts[last] <= key { return last }
            if chunkCount > PriceLadder.searchStepsCover { return PriceLadder.lastChunk(notAbove: key, firsts: firsts) }
            // Only the steps the ladder needs (a first step of width w covers last ≤ 2w): each
            // is a dependent load, so a wasted one costs as much as a useful one. The guards
            // depend on the chunk count alone, which the processor predicts.
            var base = 0
            @inline(__always) func step(_ width: Int) {
                let probe = Swift.min(base + width, last)
                base = firsts[probe] <= key ? probe : base
            }
            if last >= 64 {
                if last >= 512 { step(2048); step(1024); step(512) }
                step(256); step(128); step(64)
            }
            step(32); step(16); step(8); step(4); step(2); step(1)
            return base
        }
    }

    /// How many chunks the written-out chunk search covers (4,096 chunks hold 262,144 levels at
    /// the least); a bigger ladder searches its chunks in a loop.
    @usableFromInline static let searchStepsCover = 4_096

    /// The last chunk whose first key is ≤ key, given that the last chunk's is above it.
    @usableFromInline static func lastChunk(notAbove key: Int64, firsts: UnsafeBufferPointer<Int64>) -> Int {
        var low = 0
        var high = firsts.count - 1
        while low + 1 < high {
            let middle = (low + high) >> 1
            if firsts[middle] <= key { low = middle } else { high = middle }
        }
        return low
    }

    /// Sets the size at a price; zero removes the level. Returns the size it had before.
    @inlinable @discardableResult
    public mutating func set(price: Int64, size: Int64) -> Int64 {
        let key = key(for: price)
        if size > 0 && PriceLadder.mayWrapSums(key: key, size: size) { sumsMayOverflow = true }
        guard window.isPlaced else { return setAwayFromWindow(key: key, size: size, location: LadderWindow.below) }
        let slot = window.locate(key)
        guard slot >= 0 else { return setAwayFromWindow(key: key, size: size, location: slot) }
        let previous = window.set(slot: slot, size: size)
        // The touch has fallen to the bottom of the window, or out of it: the window follows it.
        if window.top < LadderWindow.lowestTouchSlot && size == 0 && previous > 0 { lowerWindow() }
        return previous
    }

    /// `set` for a key the window does not hold: `location` is where `LadderWindow.locate` put it
    /// (`below` also when the window is not placed).
    @usableFromInline mutating func setAwayFromWindow(key: Int64, size: Int64, location: Int) -> Int64 {
        // Every key at or above the window's lowest is in it, on its grid: a removal above or
        // between its ticks removes nothing.
        if size <= 0 && location != LadderWindow.below { return 0 }
        var location = location
        if size > 0 && window.canBePlaced && !windowDissolved {
            if location == LadderWindow.above {
                // The new level is the new touch, above the window: the window moves up to it.
                placeWindow(touchKey: key)
                location = window.isPlaced ? window.locate(key) : LadderWindow.below
            } else if window.count == 0 {
                // A new ladder, or one whose levels near the touch have all gone.
                placeWindow(touchKey: Swift.max(key, chunks.last?.levels.last?.key ?? key))
                location = window.isPlaced ? window.locate(key) : LadderWindow.below
            } else if location == LadderWindow.offGrid {
                dissolveWindow(offTick: key)
                location = LadderWindow.below
            }
        }
        if location >= 0 { return window.set(slot: location, size: size) }
        // Placed at a touch above it, the window found this key between its ticks.
        if location == LadderWindow.offGrid { dissolveWindow(offTick: key) }
        return setInChunks(key: key, size: size)
    }

    /// `set` in the chunks.
    @inlinable
    mutating func setInChunks(key: Int64, size: Int64) -> Int64 {
        let (chunk, index, found) = searchFromFinger(key)
        if found {
            let previous = chunks[chunk].levels[index].size
            chunks[chunk].add(key: key, size: size &- previous)
            if size > 0 {
                chunks[chunk].levels[index].size = size
            } else {
                chunks[chunk].levels.remove(at: index)
                chunkedCount -= 1
                if chunks[chunk].levels.isEmpty {
                    chunks.remove(at: chunk)
                    firstKeys.remove(at: chunk)
                } else if index == 0 {
                    firstKeys[chunk] = chunks[chunk].levels[0].key
                }
            }
            return previous
        }
        guard size > 0 else { return 0 }
        if chunks.isEmpty {
            chunks.append(LadderChunk(levels: [LadderLevel(key: key, size: size)]))
            firstKeys.append(key)
        } else {
            chunks[chunk].levels.insert(LadderLevel(key: key, size: size), at: index)
            chunks[chunk].add(key: key, size: size)
            if index == 0 { firstKeys[chunk] = key }
            if chunks[chunk].levels.count > PriceLadder.chunkCapacity { split(chunk) }
        }
        chunkedCount += 1
        if chunkedCount > PriceLadder.levelLimit { dropFarthest() }
        return 0
    }

    /// Removes the chunked level farthest from the touch (the lowest key), counted.
    @usableFromInline mutating func dropFarthest() {
        guard !chunks.isEmpty else { return }
        let removed = chunks[0].levels.removeFirst()
        chunks[0].add(key: removed.key, size: 0 &- removed.size)
        if chunks[0].levels.isEmpty {
            chunks.removeFirst()
            firstKeys.removeFirst()
            finger = 0
        } else {
            firstKeys[0] = chunks[0].levels[0].key
        }
        chunkedCount -= 1
        farLevelsDropped += 1
        isCut = true
    }

    // MARK: Moving the window

    /// Places the window so that `touchKey` (at or above every level) sits three quarters up it:
    /// the window's levels go to the chunks, and the chunks' levels from the window's new lowest
    /// key up come back into it. A level off the window's grid dissolves the window.
    @usableFromInline mutating func placeWindow(touchKey: Int64) {
        // A touch between the ticks: the grid runs from it, so a book whose every level shares
        // its offset (one level a side, or all at .05 on a 0.1 tick) never dissolves the window.
        if firstOffTickPrice == nil, window.tick > 0, touchKey % window.tick != 0 { firstOffTickPrice = price(forKey: touchKey) }
        drainWindow()
        let (low, overflow) = touchKey.subtractingReportingOverflow(Int64(LadderWindow.touchSlot) &* window.tick)
        // A touch so near the end of the range that the window cannot hold it (no tick at fault).
        if overflow { dissolveWindow(offTick: nil); return }
        window.clear(low: low)
        while let level = chunks.last?.levels.last, level.key >= low {
            let slot = window.locate(level.key)
            if slot < 0 { dissolveWindow(offTick: level.key); return }
            _ = window.set(slot: slot, size: level.size)
            removeChunkTop()
        }
        trimToLimit()
    }

    /// Moves the window down to the touch, which has fallen to its bottom or below it.
    @usableFromInline mutating func lowerWindow() {
        if window.top >= 0 { placeWindow(touchKey: window.key(ofSlot: window.top)) }
        else if let level = chunks.last?.levels.last { placeWindow(touchKey: level.key) }
    }

    /// Moves every level of the window to the chunks and stops using the window.
    @usableFromInline mutating func dissolveWindow(offTick key: Int64?) {
        if firstOffTickPrice == nil, let key {
            // The window's grid runs from its touch: either `key` is off the tick, or the touch
            // the window was placed at is (and every level on the tick then looks off the grid).
            // The touch it was placed at is a level's key, three quarters up from its lowest.
            let tick = window.tick
            let anchor = window.low &+ Int64(LadderWindow.touchSlot) &* tick
            let offGrid = [key, anchor].first { tick > 0 && $0 % tick != 0 } ?? key
            firstOffTickPrice = price(forKey: offGrid)
        }
        drainWindow()
        window.release()
        windowDissolved = true
        trimToLimit()
    }

    /// Moves the window's levels to the end of the chunks (they are above every chunked key).
    mutating func drainWindow() {
        guard window.count > 0 else { return }
        var block = 0
        while block < LadderWindow.blockCount {
            var bits = window.blocks[block].occupied
            while bits != 0 {
                let slot = block << 6 | bits.trailingZeroBitCount
                appendToChunks(LadderLevel(key: window.key(ofSlot: slot), size: window.sizes[slot]))
                bits &= bits &- 1
            }
            block += 1
        }
        window.clear(low: window.low)
    }

    /// Adds a level above every chunked one: to the last chunk while it is under half full (as a
    /// snapshot fills them), else to a new chunk.
    mutating func appendToChunks(_ level: LadderLevel) {
        if let last = chunks.indices.last, chunks[last].levels.count < PriceLadder.chunkCapacity / 2 {
            chunks[last].levels.append(level)
            chunks[last].add(key: level.key, size: level.size)
        } else {
            chunks.append(LadderChunk(levels: [level]))
            firstKeys.append(level.key)
        }
        chunkedCount += 1
    }

    /// Drops the farthest levels past the limit, once a move of the window is done: trimmed as
    /// the window drained into the chunks, a side at the limit lost the levels the window then
    /// took back, thousands at every move of the touch (review).
    mutating func trimToLimit() {
        while chunkedCount > PriceLadder.levelLimit { dropFarthest() }
    }

    /// Removes the highest chunked level.
    mutating func removeChunkTop() {
        let last = chunks.count - 1
        let removed = chunks[last].levels.removeLast()
        chunks[last].add(key: removed.key, size: 0 &- removed.size)
        if chunks[last].levels.isEmpty { chunks.removeLast(); firstKeys.removeLast() }
        chunkedCount -= 1
    }

    @usableFromInline mutating func split(_ chunk: Int) {
        let half = chunks[chunk].levels.count / 2
        let upper = LadderChunk(levels: Array(chunks[chunk].levels[half...]))
        chunks[chunk].levels.removeSubrange(half...)
        chunks[chunk].sizeSum &-= upper.sizeSum
        chunks[chunk].keyValueSum &-= upper.keyValueSum
        chunks.insert(upper, at: chunk + 1)
        firstKeys.insert(upper.levels[0].key, at: chunk + 1)
    }

    public mutating func removeAll() {
        chunks.removeAll(keepingCapacity: true)
        firstKeys.removeAll(keepingCapacity: true)
        chunkedCount = 0
        if window.isPlaced { window.clear(low: window.low) }
        windowDissolved = false
        sumsMayOverflow = false
        isCut = false
    }

    /// Removes every level at or through `price` from the touch: the levels a newer update on the
    /// other side has proved stale. Returns how many were removed.
    @discardableResult
    mutating func removeLevels(crossing price: Int64) -> Int {
        var removed = 0
        while let top = best, side == .bid ? top.price >= price : top.price <= price {
            set(price: top.price, size: 0)
            removed += 1
        }
        return removed
    }

    /// Replaces the side with `levels` (any order; duplicates keep the last; zero sizes dropped).
    mutating func replace(with levels: [(price: Int64, size: Int64)]) {
        let sorted = levels.filter { $0.size > 0 }.map { LadderLevel(key: key(for: $0.price), size: $0.size) }.sorted { $0.key < $1.key }
        var unique: [LadderLevel] = []
        unique.reserveCapacity(sorted.count)
        sumsMayOverflow = false
        for level in sorted {
            if PriceLadder.mayWrapSums(key: level.key, size: level.size) { sumsMayOverflow = true }
            if let last = unique.last, last.key == level.key { unique[unique.count - 1].size = level.size; continue }
            unique.append(level)
        }
        // The nearest `levelLimit` (keys ascend to the touch), the rest counted as dropped.
        isCut = unique.count > PriceLadder.levelLimit
        if isCut {
            farLevelsDropped += unique.count - PriceLadder.levelLimit
            unique.removeFirst(unique.count - PriceLadder.levelLimit)
        }
        chunks.removeAll()
        firstKeys.removeAll()
        if window.isPlaced { window.clear(low: window.low) }
        windowDissolved = false
        let step = PriceLadder.chunkCapacity / 2
        var start = 0
        while start < unique.count {
            let end = min(unique.count, start + step)
            chunks.append(LadderChunk(levels: Array(unique[start..<end])))
            firstKeys.append(unique[start].key)
            start = end
        }
        chunkedCount = unique.count
        if window.canBePlaced, let touch = unique.last { placeWindow(touchKey: touch.key) }
    }

    /// Σ size and Σ price × size of the levels from the touch out to `wideLimit`, and of those out
    /// to `narrowLimit` (a price no farther from the touch), limits included: the depth bands.
    /// Chunks wholly inside a band add their sums; only the chunk a limit falls in is walked.
    @inlinable
    public func bandSums(narrowLimit: Int64, wideLimit: Int64)
        -> (narrowSize: Int64, wideSize: Int64, narrowValue: Int128, wideValue: Int128)
    {
        // In key order both sides ascend to the touch, so "within" is key ≥ the limit's key.
        let narrowKey = key(for: narrowLimit)
        let wideKey = key(for: wideLimit)
        var narrowSize: Int64 = 0
        var wideSize: Int64 = 0
        var narrowKeyValue: Int128 = 0
        var wideKeyValue: Int128 = 0
        // Keys are −price on the ask side.
        let sign: Int128 = side == .bid ? 1 : -1
        if window.count > 0 {
            let wide = window.sums(fromSlot: window.firstSlot(atOrAbove: wideKey))
            let narrow = window.sums(fromSlot: window.firstSlot(atOrAbove: narrowKey))
            (wideSize, wideKeyValue, narrowSize, narrowKeyValue) = (wide.size, wide.keyValue, narrow.size, narrow.keyValue)
            // Both bands end inside the window: the chunks, all below it, add nothing.
            if wideKey >= window.low { return (narrowSize, wideSize, narrowKeyValue &* sign, wideKeyValue &* sign) }
        }
        var chunk = chunks.count - 1
        while chunk >= 0 {
            let farthest = firstKeys[chunk]
            if farthest >= wideKey {
                wideSize &+= chunks[chunk].sizeSum
                wideKeyValue &+= chunks[chunk].keyValueSum
                if farthest >= narrowKey {
                    narrowSize &+= chunks[chunk].sizeSum
                    narrowKeyValue &+= chunks[chunk].keyValueSum
                    chunk -= 1
                    continue
                }
            }
            // The chunk a limit falls in: its levels one by one, from the touch.
            let wholeInWide = farthest >= wideKey
            let reachedEnd: Bool = chunks[chunk].levels.withUnsafeBufferPointer { levels in
                var index = levels.count - 1
                while index >= 0 {
                    let level = levels[index]
                    if level.key < wideKey { return true }
                    let value = Int128(level.key) &* Int128(level.size)
                    if !wholeInWide {
                        wideSize &+= level.size
                        wideKeyValue &+= value
                    }
                    if level.key >= narrowKey {
                        narrowSize &+= level.size
                        narrowKeyValue &+= value
                    } else if wholeInWide {
                        return false
                    }
                    index -= 1
                }
                return false
            }
            if reachedEnd || !wholeInWide { break }
            chunk -= 1
        }
        return (narrowSize, wideSize, narrowKeyValue &* sign, wideKeyValue &* sign)
    }

    /// Visits levels from the touch outwards until `body` returns false.
    @inlinable
    public func forEachFromTouch(_ body: (_ price: Int64, _ size: Int64) -> Bool) {
        let isBid = side == .bid
        if window.count > 0 {
            let window = self.window
            let finished = window.forEachSlot(downFrom: window.top) { slot, size in
                let key = window.key(ofSlot: slot)
                return body(isBid ? key : -key, size)
            }
            if !finished { return }
        }
        var chunk = chunks.count - 1
        while chunk >= 0 {
            let stopped = chunks[chunk].levels.withUnsafeBufferPointer { levels in
                var index = levels.count - 1
                while index >= 0 {
                    let level = levels[index]
                    if !body(isBid ? level.key : -level.key, level.size) { return true }
                    index -= 1
                }
                return false
            }
            if stopped { return }
            chunk -= 1
        }
    }
}

extension PriceLadder: Hashable {
    /// Two ladders are equal when they hold the same levels, however they are chunked.
    public static func == (lhs: PriceLadder, rhs: PriceLadder) -> Bool {
        guard lhs.side == rhs.side, lhs.count == rhs.count else { return false }
        var left: [(Int64, Int64)] = []
        var right: [(Int64, Int64)] = []
        left.reserveCapacity(lhs.count)
        right.reserveCapacity(rhs.count)
        lhs.forEachFromTouch { left.append(($0, $1)); return true }
        rhs.forEachFromTouch { right.append(($0, $1)); return true }
        return left.elementsEqual(right) { $0.0 == $1.0 && $0.1 == $1.1 }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(side)
        hasher.combine(count)
        if let best { hasher.combine(best.price); hasher.combine(best.size) }
    }
}
