

/// Everything a session's notifications said that a report, the tape or a jump needs: kept
/// bounded (recent lists) with complete totals, so memory stays flat however long the session.
public struct SessionLog: Sendable {
    public struct Alert: Hashable, Sendable {
        public var time: Int64
        public var symbol: String
        public var signal: SignalKind
        public var level: SignalLevel
        public var value: Double
        /// What a value alone would misstate (see `SignalChange`).
        public var unfilledQuantity: Double? = nil
        public var quantityUnit: String? = nil
        public var quantityDecimals: Int? = nil
        public var asset: String? = nil
        public var sideMissing = false
        /// The value is a floor: the book past the levels a top-of-book feed shows is not known.
        public var pastShownLevels = false
        /// Past the fund with nothing unfilled: ADL follows (see `SignalChange.passesFund`).
        public var passesFund = false

        /// A stressed deficit's quantity the book cannot fill, with its unit (`1.000 BTC`); nil
        /// for another signal, or none unfilled.
        public var unfilledText: String? {
            guard signal == .stressedDeficit, let unfilled = unfilledQuantity else { return nil }
            // At the market's lot, as the panes say it (`4,223,438.000 XRP` beside the panes'
            // `4,223,438`: review); the quantity came as a Double, so first back to 10⁻⁸.
            let quantity = Fixed(approximating: unfilled).rounded(places: 8)
            let text = quantityDecimals.map { Instrument.quantityText(quantity, sizeDecimals: $0) } ?? quantity.quantityText(unit: quantityUnit)
            return text + " " + (quantityUnit ?? "units")
        }

        /// The alert's figure for a person: the value, or what it stands for when the value
        /// cannot say it (a stressed deficit that is quantity the book cannot fill, a spread
        /// with a side of the book empty), its quantity in the unit the engine gave it.
        public func figure(unit: String) -> String {
            // Money in its asset's places: a coin-margined deficit of 0.0028 BTC read "0.00 BTC"
            // (attacker trial).
            let decimals = signal == .stressedDeficit ? AssetPrecision.decimals(forAsset: asset ?? unit) : 2
            if let unfilled = unfilledText {
                return (value > 0 ? Fixed(approximating: value).formatted(decimals, grouping: true) + " " + unit + " and " : "")
                    + "\(unfilled) the book cannot fill (ADL follows)"
            }
            if signal == .spread && sideMissing { return "a side of the book is empty" }
            let figure = Fixed(approximating: value).formatted(decimals, grouping: true) + " " + unit
            if signal == .stressedDeficit && passesFund {
                // A floor stays one (the book past the levels a top-of-book feed shows).
                return (pastShownLevels ? "at least " : "") + figure + " past what the fund holds (ADL follows)"
                    + (pastShownLevels ? "; the book past the levels the feed shows is not known" : "")
            }
            guard pastShownLevels else { return figure }
            // A floor: depth counts the levels the feed shows; a spread reaches to the deepest.
            if signal == .depth10 || signal == .depth50 { return figure + " in the levels the feed shows (the book past them is not known)" }
            return "at least " + figure + " (the book past the levels the feed shows is not known)"
        }
    }

    /// Books back after a gap of an hour or more with positions held (`MarketCondition.Kind.resumed`):
    /// the first, and how many in all.
    public private(set) var firstResumed: MarketCondition? = nil
    public private(set) var resumedCount = 0
    public private(set) var simulatedLiquidations = RingBuffer<LiquidationRecord>(capacity: SessionLog.keep)
    public private(set) var exchangeLiquidations = RingBuffer<ExchangeLiquidation>(capacity: SessionLog.keep)
    public private(set) var adlRecords = RingBuffer<ADLRecord>(capacity: SessionLog.keep)
    public private(set) var alerts = RingBuffer<Alert>(capacity: SessionLog.keep)
    /// Funds reaching their drawdown alert, zero, or ADL (`FundAlert`), and how many in all.
    public private(set) var fundAlerts = RingBuffer<FundAlert>(capacity: SessionLog.keep)
    public private(set) var fundAlertCount = 0
    public private(set) var simulatedCount = 0
    public private(set) var exchangeCount = 0
    /// Per settlement asset (an inverse contract's notional is in coin).
    public private(set) var simulatedNotional: [String: Fixed] = [:]
    public private(set) var exchangeNotional: [String: Fixed] = [:]
    public private(set) var deficitCount = 0
    /// Per settlement asset.
    public private(set) var deficitTotal: [String: Fixed] = [:]
    /// The session's first deficit, and its largest in each settlement asset (the first of equal
    /// ones): amounts in different assets do not compare.
    public private(set) var firstDeficit: DeficitRecord?
    public private(set) var largestDeficits: [String: DeficitRecord] = [:]
    public private(set) var adlCount = 0
    /// Per settlement asset.
    public private(set) var adlNotional: [String: Fixed] = [:]
    /// Quantity sent to ADL beyond the monitored positions, per symbol (in the contract's units),
    /// and how many bankrupt closes sent it.
    public private(set) var adlBeyondMonitored: [String: Fixed] = [:]
    public private(set) var adlBeyondMonitoredCount = 0
    /// Deficits and ADL per venue (each venue's fund pays its own): by venue name.
    public private(set) var byVenue: [String: VenueTally] = [:]
    /// The venue of the symbol last tallied (a cascade names one symbol thousands of times).
    private var lastVenue: (symbol: String, venue: String)?

    public struct VenueTally: Hashable, Sendable {
        public var deficitCount = 0
        /// Per settlement asset.
        public var deficitTotal: [String: Fixed] = [:]
        public var adlCount = 0
        public var adlNotional: [String: Fixed] = [:]
    }

    private mutating func venue(of symbol: String) -> String {
        if let last = lastVenue, last.symbol == symbol { return last.venue }
        let venue = MarketID.venueName(of: symbol)
        lastVenue = (symbol, venue)
        return venue
    }
    public private(set) var alertCount = 0
    /// Books that became untrusted and marks that became outdated, as the samples found them.
    /// Room for every market's two at once (a sample after a reconnect finds thousands of books
    /// stale): a watcher that looks between samples misses none (see `ReplaySession.runToEnd`).
    public private(set) var conditions = RingBuffer<MarketCondition>(capacity: 2 * Engine.marketLimit)
    public private(set) var conditionCount = 0
    public private(set) var gaps = 0
    /// Triggers crossed in markets whose book could not be trusted (see `liquidationBlocked`).
    public struct Blocked: Hashable, Sendable {
        public var time: Int64
        public var symbol: String
        public var reason: LiquidationBlock
    }
    public private(set) var blockedLiquidations = 0
    /// Position updates the engine refused, and why.
    public struct Rejection: Hashable, Sendable {
        public var time: Int64
        public var account: String
        public var symbol: String
        public var reason: String
    }
    public private(set) var rejectedPositions = 0
    /// Fund statements refused (they named no venue while markets of the asset were on several),
    /// and the last one's words.
    public private(set) var refusedFundStatements = 0
    public private(set) var lastRefusedFundStatement: String?
    public private(set) var refusedWalletStatements = 0
    public private(set) var lastRefusedWalletStatement: String?
    public private(set) var rejections = RingBuffer<Rejection>(capacity: SessionLog.keep)
    public private(set) var blocked = RingBuffer<Blocked>(capacity: SessionLog.keep)
    public private(set) var crossedLevelsRemoved = 0
    /// Prices not applied for being too far from their market's reference (`Engine+Plausibility`):
    /// counted, and the first and the latest kept to name in the report.
    public private(set) var implausiblePriceCount = 0
    public private(set) var firstImplausiblePrice: ImplausiblePrice?
    public private(set) var lastImplausiblePrice: ImplausiblePrice?
    /// Snapshots not applied for contradicting themselves: counted, the first and the latest kept.
    public private(set) var refusedSnapshotCount = 0
    public private(set) var firstRefusedSnapshot: RefusedSnapshot?
    public private(set) var lastRefusedSnapshot: RefusedSnapshot?
    /// Events dated before what their market held, not applied: counted, the first and the latest kept.
    public private(set) var datedBeforeHeldCount = 0
    public private(set) var firstDatedBeforeHeld: DatedBeforeHeld?
    public private(set) var lastDatedBeforeHeld: DatedBeforeHeld?
    /// Times of notable events (liquidations, deficits, alerts) for jumping to next / previous.
    public private(set) var marks = RingBuffer<Int64>(capacity: SessionLog.keep * 4)
    /// Times of the liquidations that left a deficit or sent quantity to ADL or to the fund: where
    /// `]` / `[` go while the tape shows only those (in a cascade of thousands of liquidations
    /// they went to the next liquidation however the tape was filtered: operator trial).
    public private(set) var deficitMarks = RingBuffer<Int64>(capacity: SessionLog.keep * 4)
    public static let keep = 5_000

    /// Liquidations a venue-wide stream (Binance `!forceOrder@arr`) reported on markets the session
    /// does not watch, by market. They are counted, not put on the tape and not made markets: the
    /// operator's tape and markets pane stay about what they monitor (a venue-wide cascade on
    /// hundreds of symbols would otherwise push the watched markets' liquidations out of the
    /// bounded tape and fill the markets pane with rows that have no book and no positions), while
    /// the report still says where else the venue was liquidating, and how much.
    public struct UnwatchedTally: Hashable, Sendable {
        public var count = 0
        /// In the market's settlement asset (coin for an inverse contract).
        public var notional = Fixed.zero
        public var asset = ""
        public var lastTime: Int64 = 0
    }
    public private(set) var unwatchedLiquidations: [String: UnwatchedTally] = [:]
    public private(set) var unwatchedCount = 0
    /// Liquidations of markets beyond `unwatchedMarketsKept` distinct ones: counted only.
    public private(set) var unwatchedOverflow = 0
    /// Marks, index prices and funding from a venue-wide stream for markets the session does not
    /// know: not applied (see `FeedApplier`), counted so that the report can say so.
    public private(set) var unwatchedMarks = 0
    /// Binance lists a few hundred contracts per venue; a feed naming more distinct markets than
    /// this is not believed any further, so memory stays bounded.
    public static let unwatchedMarketsKept = 2_048

    /// A liquidation of a market the session does not watch, valued by the engine (`Engine.valued`).
    public mutating func recordUnwatched(_ liquidation: ExchangeLiquidation) {
        unwatchedCount += 1
        guard unwatchedLiquidations[liquidation.symbol] != nil || unwatchedLiquidations.count < SessionLog.unwatchedMarketsKept else {
            unwatchedOverflow += 1
            return
        }
        var tally = unwatchedLiquidations[liquidation.symbol] ?? UnwatchedTally()
        tally.count += 1
        if let notional = liquidation.notional { tally.notional += notional }
        tally.asset = liquidation.asset ?? tally.asset
        tally.lastTime = max(tally.lastTime, liquidation.time)
        unwatchedLiquidations[liquidation.symbol] = tally
    }

    public mutating func noteUnwatchedMark() { unwatchedMarks += 1 }

    public init() {}

    public mutating func record(_ notes: [EngineNotification]) {
        for note in notes { record(note) }
    }

    public mutating func record(_ note: EngineNotification) {
        switch note {
        case .liquidation(let record):
            simulatedCount += 1
            simulatedNotional[record.asset, default: .zero] += record.notional
            append(&simulatedLiquidations, record)
            addMark(record.time)
            if record.deficit.isPositive || record.adlQuantity.isPositive || record.fundTakeoverQuantity.isPositive,
                deficitMarks.last != record.time {
                deficitMarks.append(record.time)
            }
        case .deficit(let record):
            deficitCount += 1
            deficitTotal[record.asset, default: .zero] += record.amount
            let venue = venue(of: record.symbol)
            byVenue[venue, default: VenueTally()].deficitCount += 1
            byVenue[venue, default: VenueTally()].deficitTotal[record.asset, default: .zero] += record.amount
            if firstDeficit == nil { firstDeficit = record }
            if record.amount > (largestDeficits[record.asset]?.amount ?? .zero) { largestDeficits[record.asset] = record }
            addMark(record.time)
        case .adl(let record):
            adlCount += 1
            adlNotional[record.asset, default: .zero] += record.notional
            let venue = venue(of: record.symbol)
            byVenue[venue, default: VenueTally()].adlCount += 1
            byVenue[venue, default: VenueTally()].adlNotional[record.asset, default: .zero] += record.notional
            append(&adlRecords, record)
        case .exchangeLiquidation(let liquidation):
            exchangeCount += 1
            if let notional = liquidation.notional, let asset = liquidation.asset {
                exchangeNotional[asset, default: .zero] += notional
            }
            append(&exchangeLiquidations, liquidation)
            addMark(liquidation.time)
        case .signal(let change):
            if change.to == .alert {
                alertCount += 1
                append(&alerts, Alert(time: change.time, symbol: change.symbol, signal: change.kind, level: change.to, value: change.value,
                    unfilledQuantity: change.unfilledQuantity, quantityUnit: change.quantityUnit, quantityDecimals: change.quantityDecimals, asset: change.asset,
                    sideMissing: change.sideMissing, pastShownLevels: change.pastShownLevels, passesFund: change.passesFund))
                addMark(change.time)
            }
        case .bookGap:
            gaps += 1
        case .crossedBook(_, let removed, _):
            crossedLevelsRemoved += removed
        case .implausiblePrice(let refused):
            implausiblePriceCount += 1
            if firstImplausiblePrice == nil { firstImplausiblePrice = refused }
            lastImplausiblePrice = refused
        case .snapshotRefused(let refused):
            refusedSnapshotCount += 1
            if firstRefusedSnapshot == nil { firstRefusedSnapshot = refused }
            lastRefusedSnapshot = refused
        case .datedBeforeHeld(let refused):
            datedBeforeHeldCount += 1
            if firstDatedBeforeHeld == nil { firstDatedBeforeHeld = refused }
            lastDatedBeforeHeld = refused
        case .liquidationBlocked(let symbol, let reason, let time):
            blockedLiquidations += 1
            append(&blocked, Blocked(time: time, symbol: symbol, reason: reason))
        case .positionRejected(let account, let symbol, let reason, let time):
            rejectedPositions += 1
            append(&rejections, Rejection(time: time, account: account, symbol: symbol, reason: reason))
        case .fundStatementRefused(let asset, let balance, let reason, let time):
            refusedFundStatements += 1
            lastRefusedFundStatement = "\(EventTime.iso8601(time)) \(asset) \(balance.formatted(AssetPrecision.decimals(forAsset: asset), grouping: true)): \(reason)"
        case .adlUnfilled(let symbol, let quantity, _):
            adlBeyondMonitoredCount += 1
            adlBeyondMonitored[symbol, default: .zero] += quantity
        case .fundAlert(let alert):
            fundAlertCount += 1
            append(&fundAlerts, alert)
            addMark(alert.time)
        case .walletStatementRefused(let account, let asset, let balance, let reason, let time):
            refusedWalletStatements += 1
            lastRefusedWalletStatement = "\(EventTime.iso8601(time)) \(account) \(asset) \(balance.formatted(AssetPrecision.decimals(forAsset: asset), grouping: true)): \(reason)"
        case .unwatchedLiquidation(let liquidation):
            recordUnwatched(liquidation)
        case .marketCondition(let condition):
            conditionCount += 1
            // The first book back after a gap and how many, whole (the list is bounded).
            if condition.kind == .resumed {
                resumedCount += 1
                if firstResumed == nil { firstResumed = condition }
            }
            append(&conditions, condition)
            // An alert `]` and `[` land on, as the status bar and the alerts view count it (they
            // went past it: "no later liquidation, deficit or alert" beside `4 later`: operator trial).
            addMark(condition.time)
        case .fund, .socialisedLoss:
            break
        }
    }

    private mutating func addMark(_ time: Int64) {
        if marks.last != time { marks.append(time) }
    }

    private func append<T>(_ list: inout RingBuffer<T>, _ element: T) {
        list.append(element)
    }
}
