import RiskEngine

/// How much one slice of a rebuild may do: wall time, and (for tests) positions read.
public struct ScanBudget: Sendable {
    public var nanoseconds: UInt64
    /// Positions of the engine read in this slice, at most.
    public var positions: Int

    public init(nanoseconds: UInt64 = .max, positions: Int = .max) {
        self.nanoseconds = nanoseconds
        self.positions = positions
    }

    public static let unbounded = ScanBudget()

    /// The run loop's slice: short enough that a key pressed during it is answered well within
    /// its frame (33 ms), with the session's own turn of work (12 ms) and the frame.
    public static let turn = ScanBudget(nanoseconds: 4_000_000)
}

/// A rebuild of the positions table in slices: a pass over every position (counts, the ladder's
/// clusters, the ADL samples, the window's candidates in a bounded heap), then scoring the ADL
/// samples the window needs, valuing the chosen rows and sorting the clusters. Each slice stops
/// once its budget is spent, between chunks of a few thousand positions (a fraction of a
/// millisecond each).
///
/// The engine moves on between slices, and the scan holds no copy of it (a copy held while the
/// session runs would make its next change copy every position): each slice reads the engine it
/// is given. So a window chosen over several slices is revalidated at the end: a chosen position
/// closed since is dropped, and every row is valued from the engine as it is when it is valued.
/// A position that became risky after the pass went by it waits for the next rebuild, as any
/// change waits for the next rebuild of a table rebuilt every two seconds. A jump back in time
/// (a seek to an earlier checkpoint) starts the scan again.
public struct TableScan: Sendable {
    /// What the rebuild is for.
    public struct Request: Sendable {
        var liquidations: Int
        var windowed: Bool
        /// The window's key column (see `PositionTable.windowKeyColumn`) and direction.
        var column: PositionColumn
        var descending: Bool
        var filter: String
        var clusterReachTicks: Int64
        var collectingClusters: Bool
    }

    enum Phase: Sendable { case scanning, scoringSamples, valuing, sortingClusters, done }

    /// The pass keeps this many candidates for each row of the window: the pass and the valuing
    /// are several turns apart, and in a cascade the riskiest positions are the ones liquidated
    /// meanwhile. The window is the first `windowSize` candidates still open when they are valued
    /// (at 10x in the demo's cascade, nearly all of the first thousand were gone).
    static let candidatesPerRow = 4

    let request: Request
    /// The engine's time when the scan started.
    let startedAt: Int64
    /// The engine's revision when the scan started (`Engine.revision`).
    let startedAtRevision: Int
    /// How many positions the engine had placed (open or closed) when the scan began.
    let startedPlaced: Int
    var phase = Phase.scanning
    /// The next position to read (scanning), sample score (scoring), chosen row (valuing) or
    /// cluster list (sorting).
    var offset = 0
    var open = 0
    var matching = 0
    var selection: WindowSelection
    var clusters: ClusterCollector?
    /// An even sample of each market side's open positions, `market * 2` (longs) and
    /// `market * 2 + 1` (shorts), for the window's ADL lights.
    var samples: [ADLSideSample] = []
    /// A full table: every open position, in the engine's order.
    var everyOpen: [Int32] = []
    var chosen: [Int32] = []
    /// A market-sorted window's key of each market, made at the scan's first slice (`scan`); a
    /// market made since gets its key when a slice first meets it.
    var symbolKeys: [String] = []
    /// The sampled sides the window's rows are on, and their scores as they are scored.
    var sidesToScore: [Int] = []
    var sideBeingScored = 0
    var scores: [Int: [Fixed]] = [:]
    /// A full table's exact ADL queue (a few thousand positions: cheap).
    var exactQueue: [Int32: ADLQueueEntry]?
    public private(set) var rows: [PositionRow] = []
    var sortedLongs: [String: [Int64]] = [:]
    var sortedShorts: [String: [Int64]] = [:]
    /// The cluster list being sorted (the longs of market `offset / 2`, or its shorts).
    var clusterSort: ChunkedSort?
    /// The slices so far, and the longest of them in nanoseconds.
    public private(set) var slices = 0
    public private(set) var longestSlice: UInt64 = 0

    init(_ engine: Engine, request: Request) {
        self.request = request
        startedAt = engine.time
        startedAtRevision = engine.revision
        startedPlaced = engine.positions.count
        selection = WindowSelection(column: request.column, descending: request.descending)
        if request.collectingClusters { clusters = ClusterCollector(engine, reachTicks: request.clusterReachTicks) }
    }

    /// Works until the budget is spent or the rebuild is done (true).
    mutating func advance(_ engine: Engine, budget: ScanBudget) -> Bool {
        if engine.time < startedAt {
            // A jump back: what was read belongs to a later state.
            var fresh = TableScan(engine, request: request)
            fresh.slices = slices
            fresh.longestSlice = longestSlice
            self = fresh
        }
        let clock = ContinuousClock()
        let began = clock.now
        let limit = Duration.nanoseconds(Int64(clamping: budget.nanoseconds))
        var positionsLeft = budget.positions
        defer {
            slices += 1
            let spent = began.duration(to: clock.now).components
            longestSlice = max(longestSlice, UInt64(max(0, spent.seconds)) * 1_000_000_000 + UInt64(max(0, spent.attoseconds / 1_000_000_000)))
        }
        while phase != .done {
            guard positionsLeft > 0 else { return false }
            switch phase {
            case .scanning: positionsLeft -= scan(engine, upTo: min(4_096, positionsLeft))
            case .scoringSamples: positionsLeft -= scoreSamples(engine, upTo: min(256, positionsLeft))
            case .valuing: positionsLeft -= value(engine, upTo: min(32, positionsLeft))
            case .sortingClusters: positionsLeft -= sortClusters(engine, upTo: min(65_536, positionsLeft))
            case .done: break
            }
            if phase != .done && budget.nanoseconds != .max && began.duration(to: clock.now) >= limit { return false }
        }
        return true
    }

    /// Reads the next `count` positions at most; returns how many it read.
    mutating func scan(_ engine: Engine, upTo count: Int) -> Int {
        let end = min(engine.positions.count, offset + count)
        guard offset < end else {
            finishPass(engine)
            return 0
        }
        let range = offset..<end
        offset = end
        let marks = engine.markets.map(\.markPrice)
        let kinds = engine.markets.map(\.instrument.kind)
        guard request.windowed else {
            for index in range where engine.positions[index].isOpen {
                everyOpen.append(Int32(index))
                clusters?.add(engine.positions[index], engine, marks: marks)
            }
            return range.count
        }
        let needle = request.filter.lowercased()
        let symbols = needle.isEmpty ? [] : engine.markets.map { $0.symbol.lowercased() }
        func matches(_ position: Position) -> Bool {
            guard !needle.isEmpty else { return true }
            if symbols[Int(position.symbolIndex)].contains(needle) { return true }
            return engine.accounts[Int(position.accountIndex)].id.lowercased().contains(needle)
        }
        func scanRange<Key: Comparable & Sendable>(_ heap: inout BoundedSelection<Keyed<Key>>, _ key: (Position) -> Key) {
            for index in range {
                let position = engine.positions[index]
                guard position.isOpen else { continue }
                open += 1
                clusters?.add(position, engine, marks: marks)
                let side = ADLSideSample.side(of: position)
                if side >= samples.count { samples.append(contentsOf: repeatElement(ADLSideSample(), count: side + 1 - samples.count)) }
                samples[side].offer(Int32(index))
                guard matches(position) else { continue }
                matching += 1
                heap.offer(Keyed(key: key(position), index: Int32(index)))
            }
        }
        func mark(_ position: Position) -> Fixed? { marks[Int(position.symbolIndex)] }
        // The heap is taken out of the enum while it grows, so it is not copied.
        let taken = selection
        selection = .none
        switch taken {
        case .none: break
        case .text(var heap):
            switch request.column {
            case .account: scanRange(&heap) { engine.accounts[Int($0.accountIndex)].id }
            default:
                // The exchange's symbol, then the venue, as `PositionTable.symbolOrder` sorts the
                // rows (`PositionTable.symbolSortKey`).
                // Made once a scan, not a slice: 10,000 markets' keys each slice of 4,096 positions
                // cost more than the slice (review).
                if symbolKeys.count < engine.markets.count {
                    for index in symbolKeys.count..<engine.markets.count { symbolKeys.append(PositionTable.symbolSortKey(engine.markets[index].symbol)) }
                }
                let keys = symbolKeys
                scanRange(&heap) { keys[Int($0.symbolIndex)] }
            }
            selection = .text(heap)
        case .integer(var heap):
            // Long before short, as the words read (A→Z): the sign put shorts first.
            scanRange(&heap) { -$0.side.sign }
            selection = .integer(heap)
        case .fixed(var heap):
            switch request.column {
            // By value, as the rows sort (`PositionRow.value`).
            case .size: scanRange(&heap) { MarginMath.quoteValue(kind: kinds[Int($0.symbolIndex)], quantity: $0.quantity, at: mark($0) ?? $0.entryPrice) }
            case .entry: scanRange(&heap) { $0.entryPrice }
            case .mark: scanRange(&heap) { mark($0) ?? .zero }
            case .leverage: scanRange(&heap) { $0.leverage }
            case .liquidation: scanRange(&heap) { $0.liquidation ?? .zero }
            default: scanRange(&heap) { $0.bankruptcy ?? .zero }
            }
            selection = .fixed(heap)
        case .number(var heap):
            if request.column == .distance {
                scanRange(&heap) { position in mark(position).map { Engine.distanceKey(position, mark: $0) } ?? .infinity }
            } else {
                // Bankrupt first, then the distance to liquidation, as `ascending(_:_:by: .risk)`
                // orders the rows (the live head, `Engine.riskiestOpenPositions`, by the same key).
                scanRange(&heap) { position in mark(position).map { engine.riskOrderKey(position, mark: $0) } ?? .infinity }
            }
            selection = .number(heap)
        }
        return range.count
    }

    /// Every position read: the window is the heap's, first first.
    mutating func finishPass(_ engine: Engine) {
        offset = 0
        guard request.windowed else {
            chosen = everyOpen
            everyOpen = []
            open = chosen.count
            matching = open
            exactQueue = engine.adlQueue()
            phase = .valuing
            return
        }
        chosen = selection.chosen
        selection = .none
        var sides = Set<Int>()
        for index in chosen where Int(index) < engine.positions.count {
            let position = engine.positions[Int(index)]
            let side = ADLSideSample.side(of: position)
            if side < samples.count { sides.insert(side) }
        }
        sidesToScore = sides.sorted()
        phase = .scoringSamples
    }

    /// Scores the next `count` positions of the samples the window's rows are on (a score values
    /// the position, and for cross margin its account's other positions); returns how many.
    mutating func scoreSamples(_ engine: Engine, upTo count: Int) -> Int {
        guard sideBeingScored < sidesToScore.count else {
            for key in scores.keys { scores[key]!.sort() }
            offset = 0
            phase = .valuing
            return 0
        }
        let side = sidesToScore[sideBeingScored]
        let sample = samples[side]
        let start = offset
        let end = min(sample.positions.count, offset + count)
        scores[side, default: []] += engine.adlScores(of: sample, side: side % 2 == 0 ? .long : .short, range: offset..<end)
        offset = end
        if offset >= sample.positions.count {
            sideBeingScored += 1
            offset = 0
        }
        return end - start
    }

    /// Values the next `count` candidates, in the window's order, as the engine is now: a
    /// position closed since it was chosen is dropped, and the next candidate takes its place
    /// until the window is full. Returns how many it read.
    mutating func value(_ engine: Engine, upTo count: Int) -> Int {
        let start = offset
        let rowLimit = request.windowed ? PositionTable.windowSize : Int.max
        while offset < chosen.count && offset - start < count && rows.count < rowLimit {
            let index = chosen[offset]
            offset += 1
            guard Int(index) < engine.positions.count && engine.positions[Int(index)].isOpen else { continue }
            let adl: ADLQueueEntry?
            if let exactQueue {
                adl = exactQueue[index]
            } else {
                let position = engine.positions[Int(index)]
                let side = ADLSideSample.side(of: position)
                adl = side < samples.count
                    ? engine.adlQueueEstimate(of: index, sortedScores: scores[side] ?? [], stride: samples[side].stride) : nil
            }
            rows.append(PositionTable.row(of: index, in: engine, adl: adl))
        }
        let handled = offset - start
        if offset >= chosen.count || rows.count >= rowLimit {
            offset = 0
            phase = clusters == nil ? .done : .sortingClusters
        }
        return handled
    }

    /// Sorts the ladder's liquidation prices, a list (a market's longs, or its shorts) a bounded
    /// step at a time: with the ladder grouped by 1,000 ticks a list holds most of a market's
    /// positions, and sorting half a million prices at once costs 40 ms. Returns the prices
    /// handled.
    mutating func sortClusters(_ engine: Engine, upTo count: Int) -> Int {
        guard clusters != nil, offset < 2 * clusters!.longs.count else {
            phase = .done
            return 0
        }
        let market = offset / 2
        let longs = offset % 2 == 0
        if clusterSort == nil {
            // Taken out of the collector: it is not needed once sorted, and is then not copied.
            let prices = longs ? clusters!.longs[market] : clusters!.shorts[market]
            if longs { clusters!.longs[market] = [] } else { clusters!.shorts[market] = [] }
            guard !prices.isEmpty else {
                offset += 1
                return 0
            }
            clusterSort = ChunkedSort(prices)
        }
        let handled = clusterSort!.step(upTo: count)
        if clusterSort!.isDone {
            if market < engine.markets.count {
                let symbol = engine.markets[market].symbol
                if longs { sortedLongs[symbol] = clusterSort!.items } else { sortedShorts[symbol] = clusterSort!.items }
            }
            clusterSort = nil
            offset += 1
        }
        return max(1, handled)
    }
}

/// A list of prices sorted a bounded step at a time: runs of 8,192 sorted one a step, then merged
/// pairwise, each merge resumable at any element.
struct ChunkedSort: Sendable {
    static let run = 8_192
    private(set) var items: [Int64]
    private var scratch: [Int64] = []
    /// 0 while the runs are sorted; then the width of the runs being merged.
    private var width = 0
    private var pairStart = 0
    private var left = 0
    private var right = 0
    private var out = 0
    private(set) var isDone: Bool

    init(_ items: [Int64]) {
        self.items = items
        isDone = items.count <= 1
    }

    /// Sorts one run, or merges at most `count` elements; returns how many it handled.
    mutating func step(upTo count: Int) -> Int {
        guard !isDone else { return 0 }
        let total = items.count
        if width == 0 {
            let end = min(total, pairStart + ChunkedSort.run)
            items[pairStart..<end].sort()
            let handled = end - pairStart
            pairStart = end
            if pairStart >= total {
                width = ChunkedSort.run
                if width >= total {
                    isDone = true
                } else {
                    scratch = [Int64](repeating: 0, count: total)
                    startPair(at: 0)
                }
            }
            return handled
        }
        let middle = min(total, pairStart + width)
        let end = min(total, pairStart + 2 * width)
        var handled = 0
        while handled < count && out < end {
            if left < middle && (right >= end || items[left] <= items[right]) {
                scratch[out] = items[left]
                left += 1
            } else {
                scratch[out] = items[right]
                right += 1
            }
            out += 1
            handled += 1
        }
        if out >= end {
            if end >= total {
                swap(&items, &scratch)
                width *= 2
                if width >= total {
                    isDone = true
                    scratch = []
                } else {
                    startPair(at: 0)
                }
            } else {
                startPair(at: end)
            }
        }
        return handled
    }

    private mutating func startPair(at start: Int) {
        pairStart = start
        left = start
        right = min(items.count, start + width)
        out = start
    }
}

/// A position's key in a window's heap.
struct Keyed<Key: Comparable & Sendable>: Sendable {
    var key: Key
    var index: Int32
}

/// The window's heap, by the type of its key column.
enum WindowSelection: Sendable {
    case none
    case text(BoundedSelection<Keyed<String>>)
    case integer(BoundedSelection<Keyed<Int>>)
    case fixed(BoundedSelection<Keyed<Fixed>>)
    case number(BoundedSelection<Keyed<Double>>)

    init(column: PositionColumn, descending: Bool) {
        // Ties go to the lower index, as in `view`, so the window is the table's first rows.
        func heap<Key: Comparable & Sendable>(_: Key.Type) -> BoundedSelection<Keyed<Key>> {
            BoundedSelection(capacity: PositionTable.windowSize * TableScan.candidatesPerRow) { a, b in
                if a.key < b.key { return !descending }
                if b.key < a.key { return descending }
                return a.index < b.index
            }
        }
        switch column {
        case .account, .symbol: self = .text(heap(String.self))
        case .side: self = .integer(heap(Int.self))
        case .size, .entry, .mark, .leverage, .liquidation, .bankruptcy: self = .fixed(heap(Fixed.self))
        case .distance, .risk, .ratio, .bracket, .deficit, .adl: self = .number(heap(Double.self))
        }
    }

    /// The kept positions, first first.
    var chosen: [Int32] {
        switch self {
        case .none: return []
        case .text(let heap): return heap.elements.map(\.index)
        case .integer(let heap): return heap.elements.map(\.index)
        case .fixed(let heap): return heap.elements.map(\.index)
        case .number(let heap): return heap.elements.map(\.index)
        }
    }
}

/// The ladder's liquidation clusters: liquidation prices by market and side, every position's or
/// only those within `reachTicks` of the market's mark when the scan started (a windowed table).
/// Holds no engine: a scan's slices each read the engine as it is then.
struct ClusterCollector: Sendable {
    var longs: [[Int64]]
    var shorts: [[Int64]]
    var ranges: [ClosedRange<Int64>]
    /// Positions in the engine's "near liquidation" band, and open positions, by market (the
    /// markets pane shows them).
    var near: [Int]
    var open: [Int]
    /// Liquidation prices left out of the lists for lying outside `ranges`, by market and side:
    /// counted, so that the ladder can say how many lie past the end of the book (a windowed
    /// table of 300,000 positions listed a few hundred within reach and said "272 below").
    var outside: [LiquidationsOutside]

    init(_ engine: Engine, reachTicks: Int64) {
        longs = [[Int64]](repeating: [], count: engine.markets.count)
        shorts = longs
        near = [Int](repeating: 0, count: engine.markets.count)
        open = near
        outside = [LiquidationsOutside](repeating: LiquidationsOutside(), count: engine.markets.count)
        ranges = engine.markets.map { market in
            guard reachTicks != .max, let mark = market.markPrice else { return Int64.min...Int64.max }
            let reach = max(0, reachTicks).multipliedReportingOverflow(by: max(1, market.instrument.tickSize.bookUnits))
            if reach.overflow { return Int64.min...Int64.max }
            // Clamped, never wrapped: a mark near the largest price must not turn the range over.
            let center = mark.bookUnits
            let low = center.subtractingReportingOverflow(reach.partialValue)
            let high = center.addingReportingOverflow(reach.partialValue)
            return (low.overflow ? Int64.min : low.partialValue)...(high.overflow ? Int64.max : high.partialValue)
        }
    }

    @inline(__always) mutating func add(_ position: Position, _ engine: Engine, marks: [Fixed?]) {
        let market = Int(position.symbolIndex)
        if market >= open.count {
            // A market listed since the scan started: all its liquidations are within reach.
            let added = market + 1 - open.count
            longs.append(contentsOf: repeatElement([], count: added))
            shorts.append(contentsOf: repeatElement([], count: added))
            near.append(contentsOf: repeatElement(0, count: added))
            open.append(contentsOf: repeatElement(0, count: added))
            ranges.append(contentsOf: repeatElement(Int64.min...Int64.max, count: added))
            outside.append(contentsOf: repeatElement(LiquidationsOutside(), count: added))
        }
        open[market] += 1
        if let mark = marks[market], engine.isNearLiquidation(position, mark: mark) { near[market] += 1 }
        guard let price = position.liquidation?.bookUnits else { return }
        guard ranges[market].contains(price) else {
            outside[market].count(side: position.side, below: price < ranges[market].lowerBound)
            return
        }
        if position.side == .long { longs[market].append(price) } else { shorts[market].append(price) }
    }

    /// Every market's range and the prices outside it, by symbol (the ladder's count past the book).
    func reachBySymbol(_ engine: Engine) -> [String: LiquidationReach] {
        var result: [String: LiquidationReach] = [:]
        for offset in ranges.indices where offset < engine.markets.count {
            result[engine.markets[offset].symbol] = LiquidationReach(range: ranges[offset], outside: outside[offset])
        }
        return result
    }

    func openBySymbol(_ engine: Engine) -> [String: Int] {
        var result: [String: Int] = [:]
        for (offset, count) in open.enumerated() where count > 0 && offset < engine.markets.count { result[engine.markets[offset].symbol] = count }
        return result
    }

    func nearBySymbol(_ engine: Engine) -> [String: Int] {
        var result: [String: Int] = [:]
        for (offset, count) in near.enumerated() where count > 0 && offset < engine.markets.count { result[engine.markets[offset].symbol] = count }
        return result
    }
}

/// Liquidation prices of one market outside the range a windowed table lists, by side and end.
public struct LiquidationsOutside: Hashable, Sendable {
    public var longsBelow = 0
    public var longsAbove = 0
    public var shortsBelow = 0
    public var shortsAbove = 0

    mutating func count(side: Side, below: Bool) {
        switch (side, below) {
        case (.long, true): longsBelow += 1
        case (.long, false): longsAbove += 1
        case (.short, true): shortsBelow += 1
        case (.short, false): shortsAbove += 1
        }
    }
}

/// The range of liquidation prices a table listed for a market (all of them: every price), and
/// how many it left out on each side of it.
public struct LiquidationReach: Hashable, Sendable {
    public var range: ClosedRange<Int64> = Int64.min...Int64.max
    public var outside = LiquidationsOutside()
}
