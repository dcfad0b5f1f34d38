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
public struct PositionTable: Sendable {
    public private(set) var rows: [PositionRow] = []
    public private(set) var builtAt: Int64 = .min
    public private(set) var builtFromLiquidations = -1
    /// Liquidation prices (book units) per symbol, sorted ascending, for the ladder's clusters.
    public private(set) var longLiquidations: [String: [Int64]] = [:]
    public private(set) var shortLiquidations: [String: [Int64]] = [:]

    public init() {}

    public mutating func rebuild(from engine: Engine, liquidations: Int) {
        builtAt = engine.time
        builtFromLiquidations = liquidations
        let queue = engine.adlQueue()
        var result: [PositionRow] = []
        result.reserveCapacity(engine.positions.count)
        for (offset, position) in engine.positions.enumerated() where position.isOpen {
            let index = Int32(offset)
            let risk = engine.risk(of: index)
            let market = engine.markets[Int(position.symbolIndex)]
            result.append(PositionRow(
                index: index, account: risk.account, symbol: risk.symbol, side: risk.side, mode: risk.mode,
                quantity: risk.quantity, entry: risk.entryPrice, mark: risk.markPrice, leverage: risk.leverage,
                bracketRate: risk.bracket.maintenanceMarginRate, ratio: risk.marginRatio?.approximateDouble,
                liquidation: risk.liquidationPrice, bankruptcy: risk.bankruptcyPrice,
                distance: risk.distanceToLiquidationPct?.approximateDouble,
                deficitNow: Engine.liquidationWalk(position, instrument: market.instrument, book: market.book).deficit,
                adl: queue[index], marginLevel: engine.marginRatioLevel(risk.marginRatio),
                distanceLevel: engine.distanceLevel(risk.distanceToLiquidationPct)))
        }
        rows = result
        var longs: [String: [Int64]] = [:]
        var shorts: [String: [Int64]] = [:]
        for row in result {
            guard let price = row.liquidation else { continue }
            if row.side == .long { longs[row.symbol, default: []].append(price.bookUnits) }
            else { shorts[row.symbol, default: []].append(price.bookUnits) }
        }
        longLiquidations = longs.mapValues { $0.sorted() }
        shortLiquidations = shorts.mapValues { $0.sorted() }
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

    /// Rows matching `filter` (account or symbol, case-insensitive), sorted.
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
