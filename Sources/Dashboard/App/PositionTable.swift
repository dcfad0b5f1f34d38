import RiskEngine

/// The columns of the positions pane, in the order `s` cycles through them.
public enum PositionColumn: String, CaseIterable, Sendable {
    case risk = "risk"
    case account, symbol, side, size, entry, mark, leverage
    case bracket = "mmr"
    case ratio = "margin ratio"
    case liquidation = "liq price"
    case bankruptcy = "bkr price"
    case distance = "dist"
    case deficit = "deficit now"
    case adl = "adl rank"
}

/// One row of the positions pane.
public struct PositionRow: Sendable {
    public var index: Int32
    public var account: String
    public var symbol: String
    public var side: Side
    public var mode: MarginMode
    public var quantity: Fixed
    public var entry: Fixed
    public var mark: Fixed?
    public var leverage: Fixed
    public var bracketRate: Fixed
    /// MM ÷ margin balance as a fraction; nil when bankrupt.
    public var ratio: Double?
    public var liquidation: Fixed?
    public var bankruptcy: Fixed?
    /// % of the mark the price may move against the position before liquidation.
    public var distance: Double?
    /// The deficit this position would leave if liquidated into the book now.
    public var deficitNow: Fixed
    /// Its place in its side's ADL queue (1–5 lights, the score).
    public var adl: ADLQueueEntry?
    /// The engine's classes of its margin ratio and distance to liquidation.
    public var marginLevel: SignalLevel = .ok
    public var distanceLevel: SignalLevel = .ok
}

/// The positions pane's rows: built from the engine at most once a second (10,000 positions cost
/// milliseconds to value and walk), sorted and filtered on demand.
///
/// Above `fullTableLimit` positions the table is a window: the `windowSize` positions that
/// come first in the pane's order, chosen in one pass over the engine's positions on keys that
/// cost nothing to read (no valuation, no book walk, no sort of a million rows), then valued,
/// walked and sorted. Columns that need a valuation (margin ratio, mmr, deficit, ADL) sort the
/// riskiest window. The ADL lights of a window are estimated from a sample of each side's queue.
public struct PositionTable: Sendable {
    public static let fullTableLimit = 5_000
    public static let windowSize = 1_000
    public private(set) var rows: [PositionRow] = []
    public private(set) var builtAt: Int64 = .min
    public private(set) var builtFromLiquidations = -1
    /// Every open position the engine monitors (the rows are all of them unless `windowed`).
    public private(set) var openPositions = 0
    /// Open positions the filter matched (equal to `openPositions` without a filter).
    public private(set) var matchingPositions = 0
    /// The rows are a window of `matchingPositions`, chosen by `windowColumn` (and direction).
    public private(set) var windowed = false
    public private(set) var windowColumn: PositionColumn = .risk
    public private(set) var windowDescending = false
    public private(set) var windowFilter = ""
    /// Liquidation prices (book units) per symbol, sorted ascending, for the ladder's clusters:
    /// every position's, or in a window those within the ladder's reach of the mark.
    public private(set) var longLiquidations: [String: [Int64]] = [:]
    public private(set) var shortLiquidations: [String: [Int64]] = [:]
    /// Open positions in the engine's "near liquidation" band, by symbol.
    public private(set) var nearLiquidation: [String: Int] = [:]
    /// Open positions by symbol.
    public private(set) var openBySymbol: [String: Int] = [:]

    public init() {}

    /// Rebuilds the rows. `column`, `descending` and `filter` choose the window when there are
    /// too many positions for a full table; `clusterReachTicks` is how far from the mark (in ticks
    /// of each market) the ladder can show liquidation clusters.
    public mutating func rebuild(
        from engine: Engine, liquidations: Int, column: PositionColumn = .risk, descending: Bool = false,
        filter: String = "", clusterReachTicks: Int64 = .max
    ) {
        builtAt = engine.time
        builtFromLiquidations = liquidations
        var clusters: ClusterCollector? = ClusterCollector(engine,
            reachTicks: engine.positions.count > PositionTable.fullTableLimit ? clusterReachTicks : .max)
        choose(from: engine, column: column, descending: descending, filter: filter, collecting: &clusters)
        if let clusters {
            (longLiquidations, shortLiquidations) = clusters.sorted(engine)
            nearLiquidation = clusters.nearBySymbol
            openBySymbol = clusters.openBySymbol
        }
    }

    /// Chooses the window again for another sort or filter (the clusters and counts stay).
    public mutating func rechoose(from engine: Engine, column: PositionColumn, descending: Bool, filter: String) {
        guard windowed else { return }
        var none: ClusterCollector? = nil
        choose(from: engine, column: column, descending: descending, filter: filter, collecting: &none)
    }

    /// Chooses the rows (all of them, or the window) and values them. One pass over the positions
    /// does everything that reads all of them (counting, the clusters when `clusters` is given,
    /// choosing the window): at a million positions each pass is ~100 MB of memory.
    mutating func choose(
        from engine: Engine, column: PositionColumn, descending: Bool, filter: String, collecting clusters: inout ClusterCollector?
    ) {
        var open = 0
        let chosen: [Int32]
        if engine.positions.count > PositionTable.fullTableLimit {
            windowed = true
            windowColumn = PositionTable.windowKeyColumn(column)
            windowDescending = windowColumn == column ? descending : false
            windowFilter = filter
            chosen = selectWindow(engine, column: windowColumn, descending: windowDescending, filter: filter) { position in
                open += 1
                clusters?.add(position)
            }
        } else {
            windowed = false
            var all: [Int32] = []
            for (offset, position) in engine.positions.enumerated() where position.isOpen {
                all.append(Int32(offset))
                clusters?.add(position)
            }
            open = all.count
            matchingPositions = open
            chosen = all
        }
        openPositions = open
        let queue = windowed ? engine.adlQueueEstimate(for: chosen) : engine.adlQueue()
        var result: [PositionRow] = []
        result.reserveCapacity(chosen.count)
        for index in chosen { result.append(PositionTable.row(of: index, in: engine, adl: queue[index])) }
        rows = result
    }

    /// A position as the engine values and classifies it now. The table's rows are the pane's
    /// order (valued when it was chosen); the pane draws each visible row from this, so no figure on
    /// screen is older than the frame. `adl` is the queue place the table's ranking gave.
    public static func row(of index: Int32, in engine: Engine, adl: ADLQueueEntry?) -> PositionRow {
        let position = engine.positions[Int(index)]
        let risk = engine.risk(of: index)
        let market = engine.markets[Int(position.symbolIndex)]
        return PositionRow(
            index: index, account: risk.account, symbol: risk.symbol, side: risk.side, mode: risk.mode,
            quantity: risk.quantity, entry: risk.entryPrice, mark: risk.markPrice, leverage: risk.leverage,
            bracketRate: risk.bracket.maintenanceMarginRate, ratio: risk.marginRatio?.approximateDouble,
            liquidation: risk.liquidationPrice, bankruptcy: risk.bankruptcyPrice,
            distance: risk.distanceToLiquidationPct?.approximateDouble,
            deficitNow: position.isOpen ? Engine.liquidationWalk(position, instrument: market.instrument, book: market.book).deficit : .zero,
            adl: position.isOpen ? adl : nil, marginLevel: engine.marginRatioLevel(risk.marginRatio),
            distanceLevel: engine.distanceLevel(risk.distanceToLiquidationPct))
    }

    /// The column a window is chosen by: the column itself when its key is read without valuing
    /// the position, else the risk order.
    public static func windowKeyColumn(_ column: PositionColumn) -> PositionColumn {
        switch column {
        case .ratio, .bracket, .deficit, .adl: return .risk
        default: return column
        }
    }

    /// Whether the rows must be rebuilt to show `column`, `descending` and `filter`: a window
    /// chosen by another key, direction or filter holds the wrong positions.
    public func needsRebuild(column: PositionColumn, descending: Bool, filter: String) -> Bool {
        guard windowed else { return false }
        let key = PositionTable.windowKeyColumn(column)
        return key != windowColumn || (key == column && descending != windowDescending) || filter != windowFilter
    }

    /// The `windowSize` open positions that come first by `column`, in one pass with a bounded
    /// heap (O(n log k)), reading only the position, its account's name and its market's mark.
    mutating func selectWindow(
        _ engine: Engine, column: PositionColumn, descending: Bool, filter: String, each: (Position) -> Void
    ) -> [Int32] {
        let needle = filter.lowercased()
        let marks = engine.markets.map(\.markPrice)
        let symbols = engine.markets.map { $0.symbol.lowercased() }
        var matching = 0
        func matches(_ position: Position) -> Bool {
            guard !needle.isEmpty else { return true }
            if symbols[Int(position.symbolIndex)].contains(needle) { return true }
            return engine.accounts[Int(position.accountIndex)].id.lowercased().contains(needle)
        }
        func select<Key>(_ key: (Position) -> Key, _ ascending: @escaping (Key, Key) -> Bool) -> [Int32] {
            // Ties go to the lower index, as in `view`, so the window is the table's first rows.
            var selection = BoundedSelection<(key: Key, index: Int32)>(capacity: PositionTable.windowSize) { a, b in
                if ascending(a.key, b.key) { return !descending }
                if ascending(b.key, a.key) { return descending }
                return a.index < b.index
            }
            for (offset, position) in engine.positions.enumerated() where position.isOpen {
                each(position)
                guard matches(position) else { continue }
                matching += 1
                selection.offer((key(position), Int32(offset)))
            }
            return selection.elements.map(\.index)
        }
        func mark(_ position: Position) -> Fixed? { marks[Int(position.symbolIndex)] }
        /// The distance to liquidation in % of the mark, in floating point: it only chooses the
        /// window (the rows are then valued exactly), and a 128-bit division a position would
        /// cost more than the rest of the pass.
        func distance(_ position: Position, _ price: Fixed) -> Double {
            guard let liquidation = position.liquidation, price.isPositive else { return .infinity }
            let gap = position.side == .long ? price.approximateDouble - liquidation.approximateDouble : liquidation.approximateDouble - price.approximateDouble
            return gap / price.approximateDouble * 100
        }
        let chosen: [Int32]
        switch column {
        case .account:
            chosen = select({ engine.accounts[Int($0.accountIndex)].id }, <)
        case .symbol:
            chosen = select({ engine.markets[Int($0.symbolIndex)].symbol }, <)
        case .side: chosen = select({ $0.side.sign }, <)
        case .size: chosen = select({ $0.quantity }, <)
        case .entry: chosen = select({ $0.entryPrice }, <)
        case .mark: chosen = select({ mark($0) ?? .zero }, <)
        case .leverage: chosen = select({ $0.leverage }, <)
        case .liquidation: chosen = select({ $0.liquidation ?? .zero }, <)
        case .bankruptcy: chosen = select({ $0.bankruptcy ?? .zero }, <)
        case .distance:
            chosen = select({ position in mark(position).map { distance(position, $0) } ?? .infinity }, <)
        case .risk, .ratio, .bracket, .deficit, .adl:
            // Bankrupt first (the mark beyond the bankruptcy price: no margin left), then the
            // distance to liquidation, as `ascending(_:_:by: .risk)` orders the rows.
            chosen = select({ position in
                guard let price = mark(position) else { return Double.infinity }
                if let bankruptcy = position.bankruptcy, position.side == .long ? price <= bankruptcy : price >= bankruptcy { return -1 }
                return distance(position, price)
            }, <)
        }
        matchingPositions = matching
        return chosen
    }

    /// How many of the sorted `prices` lie in `low...high`.
    public static func count(_ prices: [Int64], from low: Int64, through high: Int64) -> Int {
        func firstIndex(notBelow value: Int64) -> Int {
            var lower = 0
            var upper = prices.count
            while lower < upper {
                let middle = (lower + upper) / 2
                if prices[middle] < value { lower = middle + 1 } else { upper = middle }
            }
            return lower
        }
        guard low <= high else { return 0 }
        return firstIndex(notBelow: high == .max ? high : high + 1) - firstIndex(notBelow: low)
    }

    /// Rows matching `filter` (account or symbol, case-insensitive), sorted. A window holds only
    /// the rows it was chosen for; `needsRebuild` says when it must be chosen again.
    public func view(filter: String, column: PositionColumn, descending: Bool) -> [PositionRow] {
        let needle = filter.lowercased()
        var shown = needle.isEmpty ? rows : rows.filter { $0.account.lowercased().contains(needle) || $0.symbol.lowercased().contains(needle) }
        shown.sort { a, b in
            let ordered = PositionTable.ascending(a, b, by: column)
            if ordered == PositionTable.ascending(b, a, by: column) { return a.index < b.index }
            return descending ? !ordered : ordered
        }
        return shown
    }

    /// "Riskiest first" is the default: smallest distance to liquidation, bankrupt ones first.
    static func ascending(_ a: PositionRow, _ b: PositionRow, by column: PositionColumn) -> Bool {
        func optional(_ x: Double?, _ y: Double?) -> Bool { (x ?? .infinity) < (y ?? .infinity) }
        switch column {
        case .risk: return (a.ratio == nil ? -1 : (a.distance ?? .infinity)) < (b.ratio == nil ? -1 : (b.distance ?? .infinity))
        case .account: return a.account < b.account
        case .symbol: return a.symbol < b.symbol
        case .side: return a.side.sign < b.side.sign
        case .size: return a.quantity < b.quantity
        case .entry: return a.entry < b.entry
        case .mark: return (a.mark ?? .zero) < (b.mark ?? .zero)
        case .leverage: return a.leverage < b.leverage
        case .bracket: return a.bracketRate < b.bracketRate
        case .ratio: return (a.ratio ?? .infinity) < (b.ratio ?? .infinity)
        case .liquidation: return (a.liquidation ?? .zero) < (b.liquidation ?? .zero)
        case .bankruptcy: return (a.bankruptcy ?? .zero) < (b.bankruptcy ?? .zero)
        case .distance: return optional(a.distance, b.distance)
        case .deficit: return a.deficitNow < b.deficitNow
        case .adl: return (a.adl?.rank ?? .max) < (b.adl?.rank ?? .max)
        }
    }

    /// The sort each column starts with: riskiest, largest or highest first where that is what
    /// an operator looks for.
    public static func defaultDescending(_ column: PositionColumn) -> Bool {
        switch column {
        case .risk, .account, .symbol, .side, .distance, .adl: return false
        default: return true
        }
    }
}

/// The `capacity` elements that come first in an order, offered one at a time: a heap whose root
/// is the last of those kept, so an element that comes later costs one comparison.
struct BoundedSelection<Element> {
    let capacity: Int
    let before: (Element, Element) -> Bool
    private(set) var heap: [Element] = []

    init(capacity: Int, before: @escaping (Element, Element) -> Bool) {
        self.capacity = capacity
        self.before = before
        heap.reserveCapacity(capacity)
    }

    mutating func offer(_ element: Element) {
        guard capacity > 0 else { return }
        if heap.count < capacity {
            heap.append(element)
            var child = heap.count - 1
            while child > 0 {
                let parent = (child - 1) / 2
                guard before(heap[parent], heap[child]) else { break }
                heap.swapAt(parent, child)
                child = parent
            }
        } else if before(element, heap[0]) {
            heap[0] = element
            var parent = 0
            while true {
                let left = 2 * parent + 1
                guard left < heap.count else { break }
                var last = left
                if left + 1 < heap.count && before(heap[left], heap[left + 1]) { last = left + 1 }
                guard before(heap[parent], heap[last]) else { break }
                heap.swapAt(parent, last)
                parent = last
            }
        }
    }

    /// The kept elements, first first.
    var elements: [Element] { heap.sorted(by: before) }
}

/// The ladder's liquidation clusters: liquidation prices by market and side, every position's or
/// only those within `reachTicks` of the market's mark (a windowed table).
struct ClusterCollector {
    var longs: [[Int64]]
    var shorts: [[Int64]]
    let ranges: [ClosedRange<Int64>]
    /// Positions in the engine's "near liquidation" band, and open positions, by market (the
    /// markets pane shows them).
    var near: [Int]
    var open: [Int]
    let marks: [Fixed?]
    let engine: Engine

    init(_ engine: Engine, reachTicks: Int64) {
        self.engine = engine
        longs = [[Int64]](repeating: [], count: engine.markets.count)
        shorts = longs
        near = [Int](repeating: 0, count: engine.markets.count)
        open = near
        marks = engine.markets.map(\.markPrice)
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

    @inline(__always) mutating func add(_ position: Position) {
        open[Int(position.symbolIndex)] += 1
        if let mark = marks[Int(position.symbolIndex)], engine.isNearLiquidation(position, mark: mark) { near[Int(position.symbolIndex)] += 1 }
        guard let price = position.liquidation?.bookUnits, ranges[Int(position.symbolIndex)].contains(price) else { return }
        if position.side == .long { longs[Int(position.symbolIndex)].append(price) } else { shorts[Int(position.symbolIndex)].append(price) }
    }

    var openBySymbol: [String: Int] {
        var result: [String: Int] = [:]
        for (offset, count) in open.enumerated() where count > 0 { result[engine.markets[offset].symbol] = count }
        return result
    }

    var nearBySymbol: [String: Int] {
        var result: [String: Int] = [:]
        for (offset, count) in near.enumerated() where count > 0 { result[engine.markets[offset].symbol] = count }
        return result
    }

    func sorted(_ engine: Engine) -> (longs: [String: [Int64]], shorts: [String: [Int64]]) {
        var longPrices: [String: [Int64]] = [:]
        var shortPrices: [String: [Int64]] = [:]
        for (offset, market) in engine.markets.enumerated() {
            if !longs[offset].isEmpty { longPrices[market.symbol] = longs[offset].sorted() }
            if !shorts[offset].isEmpty { shortPrices[market.symbol] = shorts[offset].sorted() }
        }
        return (longPrices, shortPrices)
    }
}
