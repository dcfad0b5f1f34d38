/// A side's isolated positions grouped into cells by what bounds their ADL score, so that a
/// ranking visits the cells and opens only those that could hold the best scores.
///
/// Binance's score of an isolated position, `pnl ÷ max(1, margin) × maintenance ÷ (margin +
/// pnl)`, does not depend on the quantity once it is written per unit: with `d` the PnL a unit,
/// `v` the value a unit at entry and `α = margin ÷ (quantity × v)` (the margin a unit of value,
/// about one over the leverage), it is at most `d ÷ (α·v) × ρ·(value a unit at the mark) ÷ (α·v +
/// d)`, `ρ` the largest maintenance rate the cell's quantities can reach. That bound falls as `α`
/// rises and moves one way with the entry on each side of the mark, so a cell of entries and of
/// `α` in known ranges has a bound read off its extremes. A ranking opens a cell, scoring its
/// positions as before (`Engine+ADLBounds`), only when its bound could beat the best score found:
/// at a million positions a ranking reads about 16,000 positions' bounds, where the scan read half
/// a million every refresh period.
///
/// The cells are grids over the three values' Double bit patterns (for positive Doubles their
/// order), one inside the other, found by hashing: a top cell spans a 2⁻⁴ share of the entry
/// (6 %), a 2⁻¹ share of `α` and four powers of two of the quantity (which reads the tier), and
/// each level below is sixteen times finer in the entry, four in `α` and two in the quantity. A
/// cell keeps the first `capacity` positions placed in it; a position finding it full goes on to
/// the cell of its values a level down (the last level keeps any number). So a crowd of alike
/// positions fills cells ever finer where it is, and a lone position stays in a coarse cell, with
/// no split ever moving a position. A ranking bounds the top cells, and opening a cell scores its
/// own positions and bounds its cells a level down (a cell's values' extremes cover every
/// position under it). A position joins its cell's list through links kept beside it (`next`,
/// `previous`), so it leaves the cell in constant time whenever its values change. (A tree of
/// cells split as they filled, each holding its positions in arrays of its own, tried at stop 42,
/// ranked as well but made placing half as dear again: the arrays and the splits.)
struct ADLCellNode: Sendable {
    /// The first position of the cell's own list (-1: empty), and how many it holds.
    var head: Int32 = -1
    var count: Int32 = 0
    /// Positions in the cell and in every cell under it.
    var subtreeCount: Int32 = 0
    /// The cell a level up (-1: a top cell, or the exact node).
    var parent: Int32 = -1
    var level: UInt8 = 0
    /// Positions of the side scored exactly at every ranking (cross ones, and isolated ones whose
    /// values cannot be bounded), not a cell of the grids.
    var isExact = false
    /// The cell's key at its level (`ADLCellIndex.gridKey`).
    var grid: UInt64 = 0
    /// The values of the positions placed in it or under it, at their extremes (widened, never
    /// narrowed: the cell's grid range already bounds them).
    var hull = ADLCellHull()
    /// The cells a level down, as made.
    var children: [Int32] = []

    init(grid: UInt64 = 0, level: UInt8 = 0, parent: Int32 = -1, isExact: Bool = false) {
        self.grid = grid
        self.level = level
        self.parent = parent
        self.isExact = isExact
    }
}

/// Every side's cells by their packed key and side: open addressing on a multiplicative hash (a
/// `Dictionary`'s SipHash was a third of placing a position in its cell), each entry one
/// 16-byte slot.
struct ADLCellTable: Sendable {
    private struct Entry: Sendable {
        var grid: UInt64 = .max
        var side: Int32 = -1
        var cell: Int32 = -1
    }

    private var entries = [Entry](repeating: Entry(), count: 16)
    /// 64 less the bits of the table's size: a place is the product's top bits, which every bit
    /// of the key reaches (its low bits would leave the entry's exponent out).
    private var placeShift: UInt64 = 60
    private(set) var count = 0

    @inline(__always) private func place(of grid: UInt64, side: Int32) -> Int {
        Int(truncatingIfNeeded: ((grid ^ UInt64(side) &* 0xD6E8_FEB8_6659_FD93) &* 0x9E37_79B9_7F4A_7C15) >> placeShift)
    }

    mutating func separateStorage() {
        entries.withUnsafeMutableBufferPointer { _ in }
    }

    @inline(__always)
    func cell(grid: UInt64, side: Int32) -> Int32? {
        var place = place(of: grid, side: side)
        while entries[place].grid != .max {
            if entries[place].grid == grid && entries[place].side == side { return entries[place].cell }
            place = (place + 1) & (entries.count - 1)
        }
        return nil
    }

    /// Adds a cell not in the table.
    mutating func insert(grid: UInt64, side: Int32, cell: Int32) {
        if 2 * (count + 1) > entries.count {
            let old = entries.filter { $0.grid != .max }
            entries = [Entry](repeating: Entry(), count: 2 * entries.count)
            placeShift -= 1
            count = 0
            for entry in old { insert(grid: entry.grid, side: entry.side, cell: entry.cell) }
        }
        var place = place(of: grid, side: side)
        while entries[place].grid != .max { place = (place + 1) & (entries.count - 1) }
        count += 1
        entries[place] = Entry(grid: grid, side: side, cell: cell)
    }
}

/// A position's cell (-1: none, it is closed) and its neighbours in the cell's list (-1: none).
struct ADLCellLink: Sendable {
    var container: Int32 = -1
    var next: Int32 = -1
    var previous: Int32 = -1
}

/// Every side's cells, and each position's place in them.
struct ADLCellIndex: Sendable {
    var nodes: [ADLCellNode] = []
    /// Each side's node of the positions scored exactly at every ranking (-1: the side has no
    /// cells yet), and its top cells, by `slot(market:side:)`.
    var exactNodes: [Int32] = []
    var roots: [[Int32]] = []
    /// Every cell of the grids, by key and side.
    var table = ADLCellTable()
    /// Each position's cell and neighbours in its list (one entry, so that placing a position
    /// touches one line of them).
    var links: [ADLCellLink] = []
    /// The ranking (`ADLCellQueue.stamp`) each position was last taken into: a position is taken
    /// once a ranking, whichever of its cell (or its first change since) reaches it first.
    var stamps: [UInt32] = []
    var lastStamp: UInt32 = 0
    /// How many grids, coarsest first (`gridKey` says each one's fineness).
    static let levelCount = 4
    /// How many positions a cell keeps before the next come to a cell a level down (tests
    /// lower it); the last level's cells keep any number.
    var capacity: Int32 = 2_048
    /// A what-if's copy of the engine (`Engine.dropADLScanInputs`): its cells stay as they were
    /// copied, for the rankings it was copied with (a position it changes is taken into them at
    /// its first change, as always, and one it closes is skipped when met); it ranks anew by the
    /// scan. Moving the positions it liquidates between cells copied the cells' arrays in every
    /// shock of a ladder.
    var isFrozen = false

    static func slot(market: Int, side: Side) -> Int { market * 2 + (side == .long ? 0 : 1) }

    /// A position's cell values, or nil when they cannot be bounded (the position is scored
    /// exactly): not isolated, not open, a margin or value too small or too large to trust in
    /// Double.
    @inline(__always)
    static func key(_ inputs: ADLScanInputs, contractSize: Double?) -> ADLCellKey? {
        let quantity = abs(inputs.quantity)
        let entry = inputs.entry
        let margin = inputs.margin
        guard quantity > 1e-12, quantity < 1e15, entry > 1e-9, entry < 1e15, margin > 1e-6, margin < 1e15 else { return nil }
        let valueAtEntry = contractSize.map { quantity * $0 / entry } ?? quantity * entry
        guard valueAtEntry > 1e-6, valueAtEntry < 1e18 else { return nil }
        let ratio = margin / valueAtEntry
        guard ratio > 1e-12, ratio < 1e12 else { return nil }
        return ADLCellKey(entry: entry.bitPattern, ratio: ratio.bitPattern, quantity: quantity.bitPattern)
    }

    /// The cell of `key` at `level`, packed: the level, then each value's exponent and leading
    /// mantissa bits (the sign is 0: the values are positive): at level 0 four of the entry's,
    /// one of `α`'s and the quantity's exponent less its last two bits, each level below four,
    /// two and one more (at level 3, 27 + 18 + 12 bits). Never `UInt64.max` (the table's empty
    /// mark): the top bit stays clear.
    @inline(__always)
    static func gridKey(_ key: ADLCellKey, level: Int) -> UInt64 {
        let level = UInt64(truncatingIfNeeded: level)
        let quantityWidth = 9 + level
        let ratioWidth = 12 + 2 * level
        let entryWidth = 15 + 4 * level
        let quantity = key.quantity >> (63 - quantityWidth)
        let ratio = key.ratio >> (63 - ratioWidth)
        let entry = key.entry >> (63 - entryWidth)
        return UInt64(level) << 61 | entry << (ratioWidth + quantityWidth) | ratio << quantityWidth | quantity
    }

    /// Makes room for positions up to `count`, in steps that double (placing a position grew
    /// the lists by one each).
    @inline(__always)
    mutating func growPositions(to count: Int) {
        guard links.count < count else { return }
        let more = Swift.max(count, 2 * links.count, 1_024) - links.count
        links.append(contentsOf: repeatElement(ADLCellLink(), count: more))
        stamps.append(contentsOf: repeatElement(0, count: more))
    }

    mutating func reserve(positions count: Int) {
        if !isFrozen && links.count < count { growPositions(to: count) }
    }

    /// The stamp of a new ranking. Past 2³² rankings the stamps come round: every position's is
    /// cleared first, so that none left from an old ranking reads as taken into the new one.
    mutating func nextStamp() -> UInt32 {
        lastStamp &+= 1
        if lastStamp == 0 {
            for index in stamps.indices { stamps[index] = 0 }
            lastStamp = 1
        }
        return lastStamp
    }

    /// The side's exact node, if the side has cells.
    @inline(__always)
    func exactNode(_ slot: Int) -> Int32? {
        slot < exactNodes.count && exactNodes[slot] >= 0 ? exactNodes[slot] : nil
    }

    /// The side's exact node, the side made on first use.
    mutating func makeSide(_ slot: Int) -> Int32 {
        if let exact = exactNode(slot) { return exact }
        let exact = Int32(nodes.count)
        nodes.append(ADLCellNode(isExact: true))
        if slot >= exactNodes.count {
            exactNodes.append(contentsOf: repeatElement(-1, count: slot + 1 - exactNodes.count))
            roots.append(contentsOf: repeatElement([], count: slot + 1 - roots.count))
        }
        exactNodes[slot] = exact
        return exact
    }

    /// The cell of values `key` at `level` on side `slot` (made under `parent` if there is none).
    @inline(__always)
    mutating func cell(_ key: ADLCellKey, level: Int, parent: Int32, slot: Int) -> Int32 {
        let grid = ADLCellIndex.gridKey(key, level: level)
        if let found = table.cell(grid: grid, side: Int32(truncatingIfNeeded: slot)) { return found }
        return makeCell(grid: grid, level: level, parent: parent, slot: slot)
    }

    private mutating func makeCell(grid: UInt64, level: Int, parent: Int32, slot: Int) -> Int32 {
        let node = Int32(nodes.count)
        nodes.append(ADLCellNode(grid: grid, level: UInt8(level), parent: parent))
        table.insert(grid: grid, side: Int32(truncatingIfNeeded: slot), cell: node)
        if parent < 0 { roots[slot].append(node) } else { nodes[Int(parent)].children.append(node) }
        return node
    }

    /// Puts position `index`, of values `key` (nil: scored exactly), in its cell on side `slot`,
    /// out of the one it was in: the first cell on its values' way down with room, or the one it
    /// is in if that comes first; every cell passed covers its values.
    @inline(__always)
    mutating func place(_ index: Int32, slot: Int, key: ADLCellKey?) {
        let exact: Int32
        if let known = exactNode(slot) { exact = known } else { exact = makeSide(slot) }
        let current = links[Int(index)].container
        guard let key else {
            if current != exact { move(index, to: exact) }
            return
        }
        let last = ADLCellIndex.levelCount - 1
        var level = 0
        var node = cell(key, level: 0, parent: -1, slot: slot)
        while true {
            nodes[Int(node)].hull.widen(to: key)
            if node == current { return }
            if level == last || nodes[Int(node)].count < capacity { break }
            level += 1
            node = cell(key, level: level, parent: node, slot: slot)
        }
        move(index, to: node)
    }

    @inline(__always)
    private mutating func move(_ index: Int32, to node: Int32) {
        if links[Int(index)].container >= 0 { remove(index) }
        let head = nodes[Int(node)].head
        links[Int(index)] = ADLCellLink(container: node, next: head, previous: -1)
        if head >= 0 { links[Int(head)].previous = index }
        nodes[Int(node)].head = index
        nodes[Int(node)].count += 1
        var above = node
        while above >= 0 {
            nodes[Int(above)].subtreeCount += 1
            above = nodes[Int(above)].parent
        }
    }

    /// Takes position `index` out of its cell.
    @inline(__always)
    mutating func remove(_ index: Int32) {
        guard Int(index) < links.count else { return }
        let link = links[Int(index)]
        let node = link.container
        guard node >= 0 else { return }
        let before = link.previous
        let after = link.next
        if before >= 0 { links[Int(before)].next = after } else { nodes[Int(node)].head = after }
        if after >= 0 { links[Int(after)].previous = before }
        nodes[Int(node)].count -= 1
        var above = node
        while above >= 0 {
            nodes[Int(above)].subtreeCount -= 1
            above = nodes[Int(above)].parent
        }
        links[Int(index)] = ADLCellLink()
    }

    /// The positions of a cell's own list, in its order.
    func members(of node: Int32) -> [Int32] {
        var members: [Int32] = []
        members.reserveCapacity(Int(nodes[Int(node)].count))
        var current = nodes[Int(node)].head
        while current >= 0 {
            members.append(current)
            current = links[Int(current)].next
        }
        return members
    }
}

/// The extremes of a cell's positions' values (empty: no position).
struct ADLCellHull: Sendable {
    var entryMin = Double.infinity
    var entryMax = -Double.infinity
    var ratioMin = Double.infinity
    var quantityMin = Double.infinity
    var quantityMax = -Double.infinity

    @inline(__always) mutating func widen(to key: ADLCellKey) {
        let entry = Double(bitPattern: key.entry)
        let ratio = Double(bitPattern: key.ratio)
        let quantity = Double(bitPattern: key.quantity)
        entryMin = Swift.min(entryMin, entry)
        entryMax = Swift.max(entryMax, entry)
        ratioMin = Swift.min(ratioMin, ratio)
        quantityMin = Swift.min(quantityMin, quantity)
        quantityMax = Swift.max(quantityMax, quantity)
    }
}

/// A position's cell values: the bit patterns of its entry, `α` and quantity (positive Doubles,
/// ordered as their patterns).
struct ADLCellKey: Sendable, Equatable {
    var entry: UInt64
    var ratio: UInt64
    var quantity: UInt64
}

/// What bounding a side's cells needs of its market at a ranking's mark.
struct ADLCellBounds: Sendable {
    let side: Side
    let mark: Double
    let isInverse: Bool
    /// Inverse contracts' size (1 for linear): the tiers read the notional.
    let contractSize: Double
    /// Each bracket's notionals (above the one before's cap, up to its own), rate and
    /// maintenance amount.
    let lows: [Double]
    let caps: [Double]
    let rates: [Double]
    let amounts: [Double]

    init(instrument: Instrument, side: Side, mark: Fixed) {
        self.side = side
        self.mark = mark.roughDouble
        if case .inverse(let size) = instrument.kind {
            isInverse = true
            contractSize = size.roughDouble
        } else {
            isInverse = false
            contractSize = 1
        }
        var lows: [Double] = []
        var caps: [Double] = []
        var low = 0.0
        for bracket in instrument.brackets.brackets {
            lows.append(low)
            low = bracket.notionalCap == .max ? .infinity : bracket.notionalCap.roughDouble
            caps.append(low)
        }
        // Past the last cap the last bracket applies.
        if !caps.isEmpty { caps[caps.count - 1] = .infinity }
        self.lows = lows
        self.caps = caps
        rates = instrument.brackets.brackets.map(\.maintenanceMarginRate.roughDouble)
        amounts = instrument.brackets.brackets.map(\.maintenanceAmount.roughDouble)
    }

    /// An upper bound of the exact score of every position whose values lie in `node`'s ranges:
    /// 0 when none of them can be in profit.
    func bound(_ node: ADLCellNode) -> Double {
        let hull = node.hull
        guard hull.entryMin <= hull.entryMax else { return 0 }
        let entryLow = hull.entryMin
        let entryHigh = hull.entryMax
        let ratio = hull.ratioMin * (1 - 1e-12)
        guard mark > 0, entryLow > 0, entryHigh.isFinite, ratio > 0, ratio.isFinite else { return .infinity }
        // In profit only on the mark's side (widened by a billionth, as Doubles are judged).
        var low = entryLow * (1 - 1e-12)
        var high = entryHigh * (1 + 1e-12)
        if side == .long { high = Swift.min(high, mark * (1 + 1e-9)) } else { low = Swift.max(low, mark * (1 - 1e-9)) }
        guard low < high else { return 0 }
        // Value a unit at the mark (a unit of quantity, or of quantity × contract size for inverse).
        let valueAtMark = isInverse ? 1 / mark : mark
        // The maintenance a unit of notional, `rate − amount ÷ notional`, at most over the
        // notionals the cell's quantities reach at the mark, bracket by bracket.
        let quantityHigh = hull.quantityMax
        let notionalLow = hull.quantityMin * contractSize * valueAtMark * (1 - 1e-9)
        let notionalHigh = quantityHigh * contractSize * valueAtMark * (1 + 1e-9)
        guard notionalHigh.isFinite else { return .infinity }
        var rate = 0.0
        for tier in rates.indices where lows[tier] <= notionalHigh && caps[tier] >= notionalLow {
            let amount = amounts[tier]
            let notional = amount >= 0 ? Swift.min(caps[tier], notionalHigh) : Swift.max(lows[tier], notionalLow)
            guard notional > 0 else { return .infinity }
            rate = Swift.max(rate, rates[tier] - amount / notional)
        }
        rate = rate * (1 + 1e-9) + 1e-12
        // Each factor is monotonic in the entry on either side of the mark: its largest is at an
        // end of the range or at the mark.
        var pnlShare = 0.0
        var maintenanceShare = 0.0
        func consider(_ entry: Double) {
            let valueAtEntry = isInverse ? 1 / entry : entry
            let pnl: Double
            if isInverse {
                pnl = Swift.max(0, side == .long ? 1 / entry - 1 / mark : 1 / mark - 1 / entry)
            } else {
                pnl = Swift.max(0, side == .long ? mark - entry : entry - mark)
            }
            let margin = ratio * valueAtEntry
            pnlShare = Swift.max(pnlShare, pnl / margin)
            maintenanceShare = Swift.max(maintenanceShare, valueAtMark * rate / (margin + pnl))
        }
        consider(low)
        consider(high)
        if low < mark && mark < high { consider(mark) }
        let bound = pnlShare * maintenanceShare * (1 + 1e-6) + 1e-9
        return bound.isFinite ? bound : .infinity
    }
}

/// A cell waiting in a ranked queue, by its bound.
struct ADLCellEntry: Sendable {
    var bound: Double
    var node: Int32

    @inline(__always) static func before(_ a: ADLCellEntry, _ b: ADLCellEntry) -> Bool {
        a.bound != b.bound ? a.bound > b.bound : a.node < b.node
    }
}

/// A side ranked by its cells, in its queue (`ADLQueueCache.cells`): the cells not opened yet,
/// by bound, and the positions of those opened.
struct ADLCellQueue: Sendable {
    /// Positions taken into this ranking carry it (`ADLCellIndex.stamps`); 0: not ranked by cells.
    var stamp: UInt32 = 0
    var side: Side = .long
    /// Cells not opened, a heap by bound.
    var pending: [ADLCellEntry] = []
    /// Positions of the cells opened: a heap of `ADLDeferredEntry` (zeros among them, bound 0).
    var opened: [ADLDeferredEntry] = []
    /// The per-position bounds at the ranking's mark.
    var bounds: ADLBoundTerms? = nil
    /// The cells' bounds at the ranking's mark (a cell opened bounds the cells under it).
    var cellBounds: ADLCellBounds? = nil

    var isRanking: Bool { stamp != 0 }

    /// Stands for an unopened cell among deferred entries: before any of equal bound.
    static let cellMarker = Int32.min

    /// The best of the opened positions and the best unopened cell (as an entry of
    /// `cellMarker`).
    @inline(__always) var best: ADLDeferredEntry? {
        let cell = pending.first.map { ADLDeferredEntry(bound: $0.bound, position: ADLCellQueue.cellMarker, isZero: false) }
        guard let top = opened.first else { return cell }
        guard let cell else { return top }
        return ADLDeferredEntry.before(cell, top) ? cell : top
    }
}

/// How much of their sides rankings by cells read (printed by the benchmark).
public struct ADLCellCounts: Sendable {
    public var rankings = 0
    public var cellsBounded = 0
    public var cellsOpened = 0
    public var positionsTaken = 0
    public var takenBeforeChange = 0
    public var exactScored = 0
}
