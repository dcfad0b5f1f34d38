import RiskEngine

/// The columns of the markets pane, in the order `s` cycles through them there.
public enum MarketColumn: String, CaseIterable, Sendable {
    case risk = "risk"
    case symbol, mark
    case premium = "premium"
    case funding
    case spread
    case depth = "depth ±10bps"
    case signal = "signal"
    case liquidations = "liq 60s"
    case near = "near liq"
    case stressed = "stressed deficit"
}

/// One market as the markets pane shows it: what the feed says about it (mark, index, funding,
/// last trade, spread, depth) and what the engine makes of it (the worst signal, liquidations, the
/// positions near liquidation, the stressed deficit).
public struct MarketRow: Sendable, Equatable {
    public var symbol: String
    public var asset: String
    public var instrument: Instrument
    public var mark: Fixed?
    public var index: Fixed?
    /// (mark − index) ÷ index in basis points.
    public var premiumBps: Double?
    public var fundingRate: Fixed?
    public var nextFundingTime: Int64?
    public var openInterest: Fixed?
    public var lastTrade: Int64?
    public var spreadBps: Double?
    /// The spread and the depth are floors, read off a top-of-book feed's book only as far as it
    /// shows it (see `SignalReading.pastShownLevels`): said `≥` as the signals pane says them.
    public var spreadIsFloor = false
    /// Notional within ±10 bps (the thinner side) and its baseline, from the signals.
    public var depth10: Double?
    public var depth10Baseline: Double?
    public var depth10IsFloor = false
    /// The worst level among the market's signals.
    public var worstSignal: SignalLevel
    /// Some of its signals are not judged yet (their baselines learnt: `SignalReading.learning`).
    public var learning = false
    public var alertSignals: Int
    /// Liquidations in the last 60 s of session time: reported by the exchange, and simulated.
    public var exchangeLiquidations60s: Int
    public var simulatedLiquidations60s: Int
    /// Every liquidation the exchange reported for the market this session, and their notional in
    /// the settlement asset (exact); how complete the venue's stream is says what they are worth.
    public var exchangeLiquidations: Int
    public var exchangeLiquidationNotional: Fixed
    public var liquidationCompleteness: LiquidationCompleteness
    public var positions: Int
    public var nearLiquidation: Int
    public var stressedDeficit: Fixed
    public var adlCertain: Bool
    /// The stress ran past the levels a top-of-book feed shows: its deficit is a floor.
    public var stressedIsFloor = false
    /// The stress's positions near liquidation would take this share of the book (whole percent,
    /// the stressed deficit's WARN with no money lost), nil when they would not take the warning's.
    public var stressedBookSharePercent: Int? = nil
    /// What of the stress the book cannot fill (it goes to ADL, or the fund): the quantity the
    /// signals and fund panes name.
    public var stressedUnfilled: Fixed = .zero
    public var stale: Bool
    /// The mark is too old to liquidate on (`MarketState.markOutdated`).
    public var markOutdated: Bool = false
    public var hasBook: Bool
    /// The book stopped changing long ago (`MarketState.bookOutdated`: a recording of it ended, a
    /// stream that went quiet): not chosen to focus while a market with a live book exists.
    public var bookOutdated = false

    /// A book there is, and not outdated: a market without one is chosen to focus, and listed,
    /// after every market with one.
    var bookLive: Bool { hasBook && !bookOutdated }
}

/// Every market of the session, built once a second of session time and on demand, sorted and
/// filtered for the markets pane, and the one the dashboard focuses by default.
public struct MarketTable: Sendable {
    public private(set) var rows: [MarketRow] = []
    /// The market the dashboard focuses by default, chosen once a rebuild: every pane's title and
    /// the markets pane's every row asked for it, and choosing it reads every row (with 5,000
    /// markets a key took three seconds to answer: operator trial).
    public private(set) var riskiest: String?

    public init() {}

    /// `nearLiquidation` and `openPositions` by symbol come from the positions table's pass. The
    /// liquidations of the last 60 s are the market's own signal window (sampled once a second), so
    /// a flood on one market never pushes another's out, and nothing caps them.
    public mutating func rebuild(from engine: Engine, nearLiquidation: [String: Int], openPositions: [String: Int]) {
        // Read in place: a closure over the markets copied each one (its books, its signals),
        // a third of the build.
        var built: [MarketRow] = []
        built.reserveCapacity(engine.markets.count)
        for index in engine.markets.indices {
            let symbol = engine.markets[index].symbol
            built.append(MarketTable.row(of: engine.markets[index], positions: openPositions[symbol] ?? 0,
                                         nearLiquidation: nearLiquidation[symbol] ?? 0))
        }
        rows = built
        riskiest = MarketTable.riskiest(of: rows)
    }

    /// A market as the engine holds it now. The table's rows are the pane's order (built once a
    /// second); the pane draws each visible row from this, so no figure is older than the frame.
    /// The position counts come from the positions table's pass.
    public static func row(of market: MarketState, positions: Int, nearLiquidation: Int) -> MarketRow {
        let readings = market.signalReadings
        let (worst, alerts) = readings.worstAndAlerts
        let mark = market.markPrice
        let index = market.index.indexPrice
        var premium: Double? = nil
        if let mark, let index, index.isPositive {
            premium = ((mark - index) / index).approximateDouble * 10_000
        }
        // Not a reading while the market has no book (a depth of 0 beside a market with none).
        let depth = readings[.depth10].flatMap { $0.noBook ? nil : $0 }
        // A side emptied of every level a top-of-book feed shows: the spread's floor, as the
        // ladder and the signals give it (it read `—` beside their `≥3.36`: review).
        let spreadFloor = market.book.spreadPastShownLevels?.bps
        let window = readings[.liquidations60s]
        let exchange = window?.exchangeCount ?? 0
        return MarketRow(
            symbol: market.symbol, asset: market.instrument.settlementAsset, instrument: market.instrument,
            mark: mark, index: index, premiumBps: premium,
            fundingRate: market.index.fundingRate, nextFundingTime: market.index.nextFundingTime,
            openInterest: market.openInterest, lastTrade: market.lastTradePrice,
            spreadBps: market.book.spreadBps?.approximateDouble ?? spreadFloor?.approximateDouble,
            spreadIsFloor: spreadFloor != nil,
            depth10: depth?.value, depth10Baseline: depth?.baseline, depth10IsFloor: depth?.pastShownLevels ?? false,
            worstSignal: worst, learning: readings.isEmpty || readings.values.contains { $0.learning }, alertSignals: alerts,
            exchangeLiquidations60s: exchange, simulatedLiquidations60s: max(0, (window?.count ?? 0) - exchange),
            exchangeLiquidations: market.counters.exchangeLiquidations,
            exchangeLiquidationNotional: market.counters.exchangeLiquidationNotional,
            liquidationCompleteness: market.liquidationCompleteness,
            positions: positions, nearLiquidation: nearLiquidation,
            stressedDeficit: market.shownStress.deficit, adlCertain: market.shownStress.adlCertain,
            stressedIsFloor: market.shownStress.pastShownQuantity.isPositive,
            stressedBookSharePercent: market.shownStress.bookShare == nil ? nil : market.shownStress.bookSharePercent,
            stressedUnfilled: market.shownStress.unfilledQuantity,
            stale: market.isWatched && market.isStale, markOutdated: market.isWatched && market.markOutdated,
            hasBook: market.book.hasSnapshot || !market.book.bids.isEmpty || !market.book.asks.isEmpty,
            bookOutdated: market.bookOutdated)
    }

    /// The market with the most monitored risk: the largest stressed deficit, then the most
    /// positions near liquidation, the worst signal, the most positions. A market whose book is
    /// outdated, or which has none yet, is chosen only when every market's is: in a replay of
    /// recordings years apart the focus sat on a 2021 book, its frozen positions first, while the
    /// session clock was in 2025; at the start of a replay of four venues the focus sat on a
    /// market with no book (`empty book`, `STALE`) above the one live market whose position was
    /// at risk (operator trials).
    static func riskiest(of rows: [MarketRow]) -> String? {
        var live: Int?
        var any: Int?
        for index in rows.indices {
            if any == nil || riskFirst(rows[index], rows[any!]) { any = index }
            if rows[index].bookLive && (live == nil || riskFirst(rows[index], rows[live!])) { live = index }
        }
        return (live ?? any).map { rows[$0].symbol }
    }

    static func riskFirst(_ a: MarketRow, _ b: MarketRow) -> Bool {
        // A book that stopped changing, or none yet, after every live one, as the positions are
        // ordered (four ended recordings' markets filled the pane and the only live one was "1
        // more below": operator trial); the signal column says STALE.
        if a.bookLive != b.bookLive { return a.bookLive }
        if a.stressedDeficit != b.stressedDeficit { return a.stressedDeficit > b.stressedDeficit }
        if a.nearLiquidation != b.nearLiquidation { return a.nearLiquidation > b.nearLiquidation }
        if a.worstSignal != b.worstSignal { return a.worstSignal > b.worstSignal }
        if a.positions != b.positions { return a.positions > b.positions }
        if a.hasBook != b.hasBook { return a.hasBook }
        return a.symbol < b.symbol
    }

    /// Rows whose symbol contains `filter` (case-insensitive), sorted by `column`.
    public func view(filter: String, column: MarketColumn, descending: Bool) -> [MarketRow] {
        let needle = filter.lowercased()
        // The rows' places sorted, not the rows: a row is large (its instrument's tiers and
        // names), and sorting 5,000 of them copied each many times, a third of the dashboard's
        // turn at each second of session time.
        var order = needle.isEmpty ? Array(rows.indices) : rows.indices.filter { rows[$0].symbol.lowercased().contains(needle) }
        order.sort { i, j in
            if column == .risk { return descending ? MarketTable.riskFirst(rows[j], rows[i]) : MarketTable.riskFirst(rows[i], rows[j]) }
            let ordered = MarketTable.ascending(rows[i], rows[j], by: column)
            if ordered == MarketTable.ascending(rows[j], rows[i], by: column) { return rows[i].symbol < rows[j].symbol }
            return descending ? !ordered : ordered
        }
        return order.map { rows[$0] }
    }

    static func ascending(_ a: MarketRow, _ b: MarketRow, by column: MarketColumn) -> Bool {
        func optional(_ x: Double?, _ y: Double?) -> Bool { (x ?? -.infinity) < (y ?? -.infinity) }
        switch column {
        case .risk: return riskFirst(a, b)
        // By the exchange's symbol, then the venue: BTCUSDT of two venues side by side.
        case .symbol:
            let (left, right) = (a.instrument.exchangeSymbol, b.instrument.exchangeSymbol)
            return left != right ? left < right : a.symbol < b.symbol
        case .mark: return (a.mark ?? .zero) < (b.mark ?? .zero)
        case .premium: return optional(a.premiumBps.map(abs), b.premiumBps.map(abs))
        case .funding: return optional(a.fundingRate.map { abs($0.approximateDouble) }, b.fundingRate.map { abs($0.approximateDouble) })
        case .spread: return optional(a.spreadBps, b.spreadBps)
        case .depth: return optional(a.depth10, b.depth10)
        // As the column reads: ALERT (by count), then STALE, MARK OLD, warn, ok, no book (the
        // level under a STALE, which the column does not show, split the STALE rows around an ok
        // one: operator trial).
        case .signal:
            func shown(_ row: MarketRow) -> (Int, Int) {
                if row.stale { return (3, 0) }
                if row.markOutdated { return (2, 0) }
                switch row.worstSignal {
                case .alert: return (4, row.alertSignals)
                case .warn: return (1, 0)
                case .ok: return row.hasBook ? (0, 1) : (0, 0)
                }
            }
            return shown(a) < shown(b)
        case .liquidations:
            return a.exchangeLiquidations60s + a.simulatedLiquidations60s < b.exchangeLiquidations60s + b.simulatedLiquidations60s
        case .near: return a.nearLiquidation < b.nearLiquidation
        // A stress the book cannot fill, certain ADL, is the worst whatever its money (it sat last,
        // below markets at `0`, as a deficit of zero: operator trial); then the deficit, then the
        // share of the book it would take.
        case .stressed:
            if a.adlCertain != b.adlCertain { return b.adlCertain }
            if a.stressedDeficit != b.stressedDeficit { return a.stressedDeficit < b.stressedDeficit }
            return (a.stressedBookSharePercent ?? -1) < (b.stressedBookSharePercent ?? -1)
        }
    }

    /// Riskiest, largest or widest first, except the symbol (alphabetical).
    public static func defaultDescending(_ column: MarketColumn) -> Bool {
        switch column {
        case .risk, .symbol: return false
        default: return true
        }
    }
}
