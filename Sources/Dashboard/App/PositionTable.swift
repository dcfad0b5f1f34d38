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
    /// Its value in the quote currency at the mark (at entry before one; an inverse contract's
    /// USD size): what `size` sorts by, so that sizes of different markets compare (AKROUSDT's 35
    /// million contracts, 600,000 USDT, came before BTC positions worth far more: operator trial;
    /// an inverse position's value in coin sorted 100,000 USD below 10 USDT: review).
    public var value: Fixed = .zero
    public var entry: Fixed
    public var mark: Fixed?
    public var leverage: Fixed
    public var bracketRate: Fixed
    /// MM ÷ margin balance as a fraction; nil when bankrupt.
    public var ratio: Double?
    /// The same exactly, as the engine classes it: shown rounded down (`Format.marginRatio`).
    public var ratioExact: Fixed? = nil
    public var liquidation: Fixed?
    /// Liquidated at any mark (no price: see `Position.isPastAtEveryPrice`).
    public var pastAtEveryPrice = false
    public var bankruptcy: Fixed?
    /// % of the mark the price may move against the position before liquidation (the sort's key).
    public var distance: Double?
    /// The same exactly, as the engine classes it: shown rounded down (`Format.distance`).
    public var distancePercent: Fixed? = nil
    /// The deficit this position would leave if liquidated into the book now.
    public var deficitNow: Fixed
    /// What of it the book could not take now (book units), and whether that would go to ADL (else
    /// the fund takes it over): in a cascade that has emptied the book every deficit reads 0, and
    /// this is what the liquidation would cost instead.
    public var unfilledNow: Int64 = 0
    public var unfilledToADL = true
    /// `unfilledNow` lies past the levels a top-of-book feed shows: not known to be unfillable,
    /// and `deficitNow` (its loss at the deepest level shown included) is a floor.
    public var unfilledPastShown = false
    /// Its market's book has had no snapshot yet: nothing to walk, the deficit is unknown (`—`).
    public var noBookYet = false
    /// The engine would not liquidate it now (its market's book or mark cannot be trusted, or a
    /// cross leg's mark elsewhere): no walk is what would happen, the deficit column says it
    /// waits, as the position's view does (the pane read `ADL` beside the view's `If liquidated
    /// now: — (cannot liquidate: book outdated)`: operator trial).
    public var liquidationWaits = false
    /// Its place in its side's ADL queue (1–5 lights, the score).
    public var adl: ADLQueueEntry?
    /// The engine's classes of its margin ratio and distance to liquidation.
    public var marginLevel: SignalLevel = .ok
    public var distanceLevel: SignalLevel = .ok
    /// Its market's book has stopped changing (`MarketState.bookOutdated`): drawn dim, and after
    /// the live books' rows in the risk order (`Engine.riskOrderKey`).
    public var bookOutdated = false
}

/// The positions pane's rows: built from the engine every two seconds of session time (10,000
/// positions cost milliseconds to value and walk), sorted and filtered on demand.
///
/// Above `fullTableLimit` positions the table is a window: the `windowSize` positions that
/// come first in the pane's order, chosen in a pass over the engine's positions on keys that
/// cost nothing to read (no valuation, no book walk, no sort of a million rows), then valued,
/// walked and sorted. Columns that need a valuation (margin ratio, mmr, deficit, ADL) sort the
/// riskiest window. The ADL lights of a window are estimated from a sample of each side's queue.
///
/// A pass over a million positions costs 60–120 ms, several frames: a window is rebuilt by a
/// `TableScan` a few milliseconds at a time (`startRebuild`, then `continueRebuild` each turn
/// of the run loop), keys and frames in between. Until it is done the rows are the last window's,
/// each drawn from the engine as it is now (a position closed since shows as closed).
public struct PositionTable: Sendable {
    public static let fullTableLimit = 5_000
    public static let windowSize = 1_000
    public internal(set) var rows: [PositionRow] = []
    /// The engine's time when the rows last collected the clusters and counts (a rebuild, not a
    /// new sort): how old they are.
    public internal(set) var builtAt: Int64 = .min
    public internal(set) var builtFromLiquidations = -1
    /// The engine's revision then (`Engine.revision`): a step within one millisecond changes it
    /// and not the time.
    public internal(set) var builtAtRevision = -1
    /// The positions the engine had placed when the rows were chosen (see `AppModel`'s turn: an
    /// empty table is chosen again once some are placed).
    public internal(set) var builtPlaced = 0
    /// Every open position the engine monitors (the rows are all of them unless `windowed`).
    public internal(set) var openPositions = 0
    /// Open positions the filter matched (equal to `openPositions` without a filter).
    public internal(set) var matchingPositions = 0
    /// The rows are a window of `matchingPositions`, chosen by `windowColumn` (and direction).
    public internal(set) var windowed = false
    public internal(set) var windowColumn: PositionColumn = .risk
    public internal(set) var windowDescending = false
    public internal(set) var windowFilter = ""
    /// Liquidation prices (book units) per symbol, sorted ascending, for the ladder's clusters:
    /// every position's, or in a window those within the ladder's reach of the mark.
    public internal(set) var longLiquidations: [String: [Int64]] = [:]
    public internal(set) var shortLiquidations: [String: [Int64]] = [:]
    /// For a windowed table, the range the two lists above hold and the prices left out.
    public internal(set) var liquidationReach: [String: LiquidationReach] = [:]
    /// Open positions in the engine's "near liquidation" band, by symbol.
    public internal(set) var nearLiquidation: [String: Int] = [:]
    /// Open positions by symbol.
    public internal(set) var openBySymbol: [String: Int] = [:]
    /// The rebuild under way, if any: its rows replace these once it is done.
    public internal(set) var scan: TableScan?
    /// A window's ADL samples as its rebuild scored them, by market side (`ADLSideSample.side`):
    /// sorted scores and the sample's stride, so that a row the window does not hold (the
    /// list's live head) gets its lights the way the window's rows got theirs.
    public internal(set) var sampledADLScores: [Int: (scores: [Fixed], stride: Int)] = [:]

    /// A position's place in its side's ADL queue, estimated from the window's samples; nil when
    /// its side was not sampled (the window held none of it) or it is closed.
    public func adlEstimate(of index: Int32, in engine: Engine) -> ADLQueueEntry? {
        guard Int(index) < engine.positions.count else { return nil }
        let position = engine.positions[Int(index)]
        guard let sampled = sampledADLScores[ADLSideSample.side(of: position)] else { return nil }
        return engine.adlQueueEstimate(of: index, sortedScores: sampled.scores, stride: sampled.stride)
    }

    public init() {}

    /// A rebuild is under way (`continueRebuild` takes it on).
    public var isRebuilding: Bool { scan != nil }

    /// Rebuilds the rows at once. `column`, `descending` and `filter` choose the window when there
    /// are too many positions for a full table; `clusterReachTicks` is how far from the mark (in
    /// ticks of each market) the ladder can show liquidation clusters.
    public mutating func rebuild(
        from engine: Engine, liquidations: Int, column: PositionColumn = .risk, descending: Bool = false,
        filter: String = "", clusterReachTicks: Int64 = .max
    ) {
        startRebuild(from: engine, liquidations: liquidations, column: column, descending: descending, filter: filter,
            clusterReachTicks: clusterReachTicks)
        while !continueRebuild(with: engine, budget: .unbounded) {}
    }

    /// Starts a rebuild (replacing one under way) and returns at once: `continueRebuild` does the
    /// work in slices. Without `collectingClusters` only the window is chosen again (another sort
    /// or filter): the clusters and counts stay.
    public mutating func startRebuild(
        from engine: Engine, liquidations: Int, column: PositionColumn = .risk, descending: Bool = false,
        filter: String = "", clusterReachTicks: Int64 = .max, collectingClusters: Bool = true
    ) {
        let windowed = engine.positions.count > PositionTable.fullTableLimit
        let key = PositionTable.windowKeyColumn(column)
        scan = TableScan(engine, request: TableScan.Request(
            liquidations: liquidations, windowed: windowed, column: key, descending: key == column ? descending : false,
            filter: filter, clusterReachTicks: windowed ? clusterReachTicks : .max, collectingClusters: collectingClusters))
    }

    /// Does the next slice of the rebuild under way, within `budget`; true when it is done and the
    /// rows (and, if collected, the clusters and counts) are the new ones. `engine` is the engine
    /// as it is now: it may have moved on since the last slice (see `TableScan`).
    @discardableResult
    public mutating func continueRebuild(with engine: Engine, budget: ScanBudget) -> Bool {
        guard var running = scan else { return true }
        scan = nil
        guard running.advance(engine, budget: budget) else {
            scan = running
            return false
        }
        commit(running, engine)
        return true
    }

    mutating func commit(_ done: TableScan, _ engine: Engine) {
        let request = done.request
        rows = done.rows
        windowed = request.windowed
        windowColumn = request.column
        windowDescending = request.descending
        windowFilter = request.filter
        openPositions = done.open
        matchingPositions = done.matching
        builtPlaced = done.startedPlaced
        if done.exactQueue == nil {
            var sampled: [Int: (scores: [Fixed], stride: Int)] = [:]
            for (side, scores) in done.scores where side < done.samples.count { sampled[side] = (scores, done.samples[side].stride) }
            sampledADLScores = sampled
        } else {
            sampledADLScores = [:]
        }
        if let clusters = done.clusters {
            builtAt = done.startedAt
            builtFromLiquidations = request.liquidations
            builtAtRevision = done.startedAtRevision
            longLiquidations = done.sortedLongs
            shortLiquidations = done.sortedShorts
            liquidationReach = clusters.reachBySymbol(engine)
            nearLiquidation = clusters.nearBySymbol(engine)
            openBySymbol = clusters.openBySymbol(engine)
        }
    }

    /// Whether a row's position is open in the engine as it is now (a row is the table's, from
    /// when it was chosen; its position may have closed since).
    @inline(__always)
    public static func isOpen(_ row: PositionRow, in engine: Engine) -> Bool {
        Int(row.index) < engine.positions.count && engine.positions[Int(row.index)].isOpen
    }

    /// A position as the engine values and classifies it now. The table's rows are the pane's
    /// order (valued when it was chosen); the pane draws each visible row from this, so no figure on
    /// screen is older than the frame. `adl` is the queue place the table's ranking gave.
    public static func row(of index: Int32, in engine: Engine, adl: ADLQueueEntry?) -> PositionRow {
        let position = engine.currentPosition(index)
        let risk = engine.risk(of: index)
        let market = engine.markets[Int(position.symbolIndex)]
        // No walk into a book that has had no snapshot yet: its market's recording has not begun
        // (or its feed has not answered), and "ADL" read as certain deleveraging (operator trial).
        let walkable = position.isOpen && market.book.hasSnapshot
        let waits = walkable && engine.liquidationWait(position: index) != nil
        let walked = walkable && !waits
            ? Engine.liquidationWalk(position, instrument: market.instrument, book: market.book) : nil
        return PositionRow(
            index: index, account: risk.account, symbol: risk.symbol, side: risk.side, mode: risk.mode,
            quantity: risk.quantity,
            value: MarginMath.quoteValue(kind: market.instrument.kind, quantity: risk.quantity, at: risk.markPrice ?? risk.entryPrice),
            entry: risk.entryPrice, mark: risk.markPrice, leverage: risk.leverage,
            bracketRate: risk.bracket.maintenanceMarginRate, ratio: risk.marginRatio?.approximateDouble, ratioExact: risk.marginRatio,
            liquidation: risk.liquidationPrice, pastAtEveryPrice: risk.pastAtEveryPrice, bankruptcy: risk.bankruptcyPrice,
            distance: risk.distanceToLiquidationPct?.approximateDouble, distancePercent: risk.distanceToLiquidationPct,
            deficitNow: walked?.deficit ?? .zero, unfilledNow: walked?.walk.remainder ?? 0,
            // The fund takes unfilled quantity over only while it has money; empty, it goes to ADL.
            unfilledToADL: engine.configuration.unfilled == .adl || !engine.fund(market: Int(position.symbolIndex)).balance.isPositive,
            unfilledPastShown: walked?.walk.remainderPastShownLevels ?? false,
            noBookYet: position.isOpen && !market.book.hasSnapshot, liquidationWaits: waits,
            // No mark, no ranking: a position alone on its side showed five lights and a score of 0
            // before its market had a price (operator trial).
            adl: position.isOpen && market.markPrice != nil ? adl : nil, marginLevel: engine.marginRatioLevel(risk.marginRatio),
            distanceLevel: engine.distanceLevel(risk.distanceToLiquidationPct), bookOutdated: market.bookOutdated)
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
        return !PositionTable.sameWindow(column: column, descending: descending, filter: filter,
            as: (windowColumn, windowDescending, windowFilter))
    }

    /// Whether the rebuild under way chooses the window `column`, `descending` and `filter` need.
    public func isRebuilding(column: PositionColumn, descending: Bool, filter: String) -> Bool {
        guard let request = scan?.request else { return false }
        return PositionTable.sameWindow(column: column, descending: descending, filter: filter,
            as: (request.column, request.descending, request.filter))
    }

    static func sameWindow(column: PositionColumn, descending: Bool, filter: String,
                           as window: (column: PositionColumn, descending: Bool, filter: String)) -> Bool {
        let key = PositionTable.windowKeyColumn(column)
        return key == window.column && (key != column || descending == window.descending) && filter == window.filter
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

    /// The risk order's key of a row, as `Engine.riskKey` orders positions: -1 for one bankrupt
    /// (no ratio) or past its trigger at every price (last otherwise: the window chose it
    /// first and the rows sorted it last; review), else the distance to liquidation.
    static func riskKey(_ row: PositionRow) -> Double {
        row.ratio == nil || row.pastAtEveryPrice ? -1 : (row.distance ?? .infinity)
    }

    /// Market ids (`venue:symbol`) in the order of their exchange symbols, then of their venues;
    /// compared in place (a sort of a million rows).
    /// The same order as one key a market (a windowed scan's heap compares keys, made once a
    /// market): the exchange symbol, U+0001 (below every symbol's character, so a symbol sorts
    /// before a longer one it begins), then the whole id.
    static func symbolSortKey(_ id: String) -> String { MarketID.symbol(of: id) + "\u{1}" + id }

    static func symbolOrder(_ a: String, _ b: String) -> Bool {
        func exchangeSymbol(_ id: String) -> Substring { id.firstIndex(of: ":").map { id[id.index(after: $0)...] } ?? id[...] }
        let (left, right) = (exchangeSymbol(a), exchangeSymbol(b))
        return left != right ? left < right : a < b
    }

    /// "Riskiest first" is the default: smallest distance to liquidation, bankrupt ones first.
    static func ascending(_ a: PositionRow, _ b: PositionRow, by column: PositionColumn) -> Bool {
        func optional(_ x: Double?, _ y: Double?) -> Bool { (x ?? .infinity) < (y ?? .infinity) }
        switch column {
        // A book that stopped changing after every live one (`Engine.riskOrderKey`).
        case .risk: return (a.bookOutdated ? 1 : 0, riskKey(a)) < (b.bookOutdated ? 1 : 0, riskKey(b))
        case .account: return a.account < b.account
        // By the exchange's symbol, as the column shows it, then the venue (by the whole id, the
        // venue went first: Hyperliquid's `BTC` sorted after every Binance symbol: operator trial).
        case .symbol: return symbolOrder(a.symbol, b.symbol)
        // As the words read (A→Z: long before short; operator trial: shorts came first).
        case .side: return a.side.sign > b.side.sign
        // By value: of one market the same order as the quantity, and of several a comparable one.
        case .size: return a.value != b.value ? a.value < b.value : a.quantity < b.quantity
        case .entry: return a.entry < b.entry
        case .mark: return (a.mark ?? .zero) < (b.mark ?? .zero)
        case .leverage: return a.leverage < b.leverage
        case .bracket: return a.bracketRate < b.bracketRate
        case .ratio: return (a.ratio ?? .infinity) < (b.ratio ?? .infinity)
        case .liquidation: return (a.liquidation ?? .zero) < (b.liquidation ?? .zero)
        case .bankruptcy: return (a.bankruptcy ?? .zero) < (b.bankruptcy ?? .zero)
        case .distance: return optional(a.distance, b.distance)
        // Where the deficits are equal (all 0 once the book is empty), the quantity the book
        // could not take: what goes to ADL.
        case .deficit: return a.deficitNow != b.deficitNow ? a.deficitNow < b.deficitNow : a.unfilledNow < b.unfilledNow
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
struct BoundedSelection<Element: Sendable>: Sendable {
    let capacity: Int
    let before: @Sendable (Element, Element) -> Bool
    private(set) var heap: [Element] = []

    init(capacity: Int, before: @escaping @Sendable (Element, Element) -> Bool) {
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
