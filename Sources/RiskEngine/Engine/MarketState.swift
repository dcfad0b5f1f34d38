/// Everything the engine knows about one symbol.
public struct MarketState: Sendable {
    /// Its contract. The tick of a contract nobody described is learnt from its book (see
    /// `learnTick`); everything else is fixed.
    public internal(set) var instrument: Instrument
    /// The instrument came from no catalog entry: its tick is the feed's finest price step seen.
    var tickIsLearnt = false
    var tickLearntOnce = false
    public internal(set) var book: OrderBook
    /// The mark the triggers are evaluated at; nil until one is known.
    public internal(set) var markPrice: Fixed? {
        didSet { markBookUnits = markPrice.map(\.bookUnits) }
    }
    /// The mark in book units, kept with it: every trade and level is judged against it
    /// (`Engine+Plausibility`), and the conversion divides 128 bits.
    private(set) var markBookUnits: Int64?
    /// Session time the mark last changed (`.min`: never).
    var markTime: Int64 = .min
    /// Session time a mark was last given, changed or not (`.min`: never): how old the mark is.
    var markGivenTime: Int64 = .min
    /// The book's time when the held mark was given (`lastBookTime` then).
    var markArrivalBookTime: Int64 = .min
    /// The latest time of a book event that came after the held mark, dated after the book's time
    /// then and more than a second before the mark: the market has gone on behind a mark dated
    /// ahead of it, which then dates the market only this far (`Engine.apply(.mark)`). A quiet
    /// book overtakes nothing, nor do book lines of an older time, so a mark line of an older
    /// time merged in behind a fresh mark is still refused (attacker trial: trusting the book's
    /// age alone let a mark 195 s old replace the fresh one and liquidate a healthy long). Book
    /// times, not the session clock: any line dated ahead (the same mark twice, a trade) moved
    /// the clock past the book, and nothing overtook the mark again (review).
    var markOvertakenBy: Int64?
    /// The mark was past the age the engine liquidates on at the last signal sample (or read for
    /// a still screen), as `bookOutdated` for the book: the markets pane and the report say so.
    /// Cleared by the next mark.
    public internal(set) var markOutdated = false
    /// Whether the last signal sample told this market's book untrusted, and its mark outdated
    /// (`Engine.noteConditions`): an episode is told once, when a sample first finds it.
    var conditionToldStale = false
    /// The sample that first found the book without a snapshot, for its grace (`Engine.noSnapshotGrace`).
    var noSnapshotSince: Int64 = .min
    var conditionToldMarkOutdated = false
    /// A snapshot disagreed with this mark tenfold (see `Engine.refuseSnapshot`): until the next
    /// mark it is no reference, so a poisoned first mark cannot refuse every true snapshot.
    var markDisputed = false
    /// True once a mark stream has spoken; from then on the book no longer derives the mark.
    public internal(set) var markFromStream = false
    /// Where the mark comes from now.
    public internal(set) var markSource = MarkSource.proxy
    public internal(set) var lastTradePrice: Int64?
    public internal(set) var lastEventTime: Int64 = 0
    public internal(set) var counters = MarketCounters()
    var signals: SignalBoard
    /// The signals as a sample now would read them, kept from `Engine.readSignalsNow` until the
    /// next sample: what a still screen shows.
    var signalsNow: SignalsNow?
    var triggers = TriggerIndex()
    /// The guards of the cross accounts of several symbols with a leg here (`Engine+CrossGuards`):
    /// each entry an account (in `position`) and its stamp (in `version`), at the price of this
    /// market past which the account must be worked out again.
    var crossGuards = TriggerIndex()
    /// A mark here moved since the last signal sample without re-working every such account: their
    /// stored prices lag it until the sample works them out (`Engine.settleCrossGuards`).
    var crossGuardsDrifted = false
    /// Where in `multiSymbolCrossOrder` the next sample goes on working them out, when one
    /// sample's share did not reach them all (`Engine.crossSettleBudget`).
    var crossSettleCursor = 0
    /// The riskiest live entries of each side as the signals last read them (see
    /// `Engine.leadingEntries`): walking the heaps for them every second was a third of a sample.
    /// Changes to this market's positions (`Engine.bumpVersion`), counted.
    var positionChanges: UInt64 = 0
    var leadingLongs: LeadingEntries?
    var leadingShorts: LeadingEntries?
    /// Every position ever opened in this symbol (closed ones are skipped when scanned).
    var positionIndices: [Int32] = []

    /// What one market holds, roughly, for the memory its copies take (a replay's checkpoints,
    /// `Engine.approximateBytes`): its signals' histories and baselines, about 24 KB whatever its
    /// size (sampled every second, every market's are copied into every checkpoint: 4,000 markets
    /// held 120 checkpoints of 100 MB each and a replay died at 3.7 GB: attacker trial), its
    /// book's levels and its position lists.
    var approximateBytes: Int {
        24_000 + (book.bids.count + book.asks.count) * 24
            + (positionIndices.count + adlLongIndices.count + adlShortIndices.count) * MemoryLayout<Int32>.stride
    }
    /// Every position ever open on each side, in the order it first was (closed ones, and those
    /// that turned, are skipped when scanned): an ADL ranking reads one side's, where reading
    /// every position of the market to find the side's was half of a million's ranking.
    var adlLongIndices: [Int32] = []
    var adlShortIndices: [Int32] = []

    func adlIndices(_ side: Side) -> [Int32] { side == .long ? adlLongIndices : adlShortIndices }
    /// Cross accounts that hold this symbol and at least one other: re-evaluated on this mark.
    /// Changed only through `setMultiSymbolCross`, which keeps `multiSymbolCrossOrder` true.
    private(set) var multiSymbolCrossAccounts: Set<Int32> = []
    /// The same accounts in ascending order, the order a mark re-evaluates them in; kept until the
    /// set changes (sorting the set on every mark was a live session's largest engine cost).
    private var sortedMultiSymbolCross: [Int32]? = []

    /// Makes `account` a member of `multiSymbolCrossAccounts` or not.
    mutating func setMultiSymbolCross(_ account: Int32, member: Bool) {
        if member {
            if multiSymbolCrossAccounts.insert(account).inserted { sortedMultiSymbolCross = nil }
        } else if !multiSymbolCrossAccounts.isEmpty, multiSymbolCrossAccounts.remove(account) != nil {
            sortedMultiSymbolCross = nil
        }
    }

    /// `multiSymbolCrossAccounts` in ascending order.
    mutating func multiSymbolCrossOrder() -> [Int32] {
        if let sorted = sortedMultiSymbolCross { return sorted }
        let sorted = multiSymbolCrossAccounts.sorted()
        sortedMultiSymbolCross = sorted
        return sorted
    }
    /// A trigger crossed while the book could not be trusted, and no liquidation was made: noted
    /// once, and the triggers are processed again when a snapshot re-syncs the book.
    public internal(set) var liquidationBlocked: LiquidationBlock?
    /// What the insurance fund took over of liquidations the book could not fill (the
    /// fund-takes-over rule), held marked to market: a long and a short side.
    public internal(set) var fundLong = FundHolding()
    public internal(set) var fundShort = FundHolding()
    /// The insurance fund that backs this market's liquidations: its venue's fund in its
    /// settlement asset (an index into `Engine.funds`, made with the market).
    public internal(set) var fundIndex: Int32 = 0
    /// The venue of the market's id (`binance-usdm`; empty for an id without one), worked out
    /// once: an account key names it, and cutting it from the id for every position placed was
    /// a sixth of placing one.
    public internal(set) var venue = ""
    /// Each side's ADL queue as last ranked (see `Engine.takeADLQueue`).
    var adlLongs: ADLQueueCache?
    var adlShorts: ADLQueueCache?
    /// The stressed deficit as the signals last sampled it (once a second of event time).
    public internal(set) var stressed = StressedDeficit()
    /// Open interest as the feed last gave it (Tardis `derivative_ticker`, liqwatch `index` events).
    public internal(set) var openInterest: Fixed?
    /// The index price and funding the feed gives, when it gives them (see `IndexAnchoredMark`).
    public internal(set) var index = IndexAnchoredMark()

    init(instrument: Instrument, historyLength: Int) {
        self.instrument = instrument
        self.book = OrderBook(tick: instrument.tickSize.bookUnits)
        self.signals = SignalBoard(historyLength: historyLength)
    }

    public var symbol: String { instrument.symbol }

    /// A book event of `eventTime` came: notes whether it overtook the held mark (see
    /// `markOvertakenBy`). Two comparisons a book event.
    @inline(__always)
    mutating func noteBookTime(_ eventTime: Int64) {
        guard markGivenTime != .min && eventTime > markArrivalBookTime && eventTime < markGivenTime &- 1_000_000_000 else { return }
        markOvertakenBy = Swift.max(markOvertakenBy ?? .min, eventTime)
    }

    /// For a contract nobody described: the finest price step of a snapshot's prices (`0.00001` for
    /// AKROUSDT's `0.01734`) becomes its tick, so prices show at the feed's own precision and a
    /// what-if rounds to it. The first snapshot sets it; later ones only make it finer.
    mutating func learnTick(bids: [(price: Int64, size: Int64)], asks: [(price: Int64, size: Int64)]) {
        guard tickIsLearnt, !(bids.isEmpty && asks.isEmpty) else { return }
        var places = 0
        for level in bids.prefix(50) + asks.prefix(50) {
            places = max(places, BookUnits.significantDecimals(level.price))
            if places == BookUnits.places { break }
        }
        let tick = Fixed(bookUnits: BookUnits.powerOfTen(BookUnits.places - places))
        if !tickLearntOnce || tick < instrument.tickSize {
            instrument.tickSize = tick
            tickLearntOnce = true
        }
    }

    /// A price the feed sent between the ticks of the instrument it was described with (a tick
    /// learnt from the feed cannot be wrong this way): the instrument's tick does not fit the feed,
    /// so its prices are shown and rounded to a coarser step than they have. Nil when they fit.
    public var offTickPrice: Fixed? {
        guard !tickIsLearnt, let units = book.firstOffTickPrice else { return nil }
        return Fixed(bookUnits: units)
    }

    /// Positions ever opened in this market (closed ones included).
    public var positionCount: Int { positionIndices.count }

    /// How complete the market's exchange-reported liquidations are: its venue's stream's word,
    /// unless the venue publishes none and the session was told of some anyway (an events file's
    /// `liquidation` lines of Hyperliquid): then counted, completeness unknown (the session's total
    /// counted them while the market's own count said none exists: attacker trial).
    public var liquidationCompleteness: LiquidationCompleteness {
        let venue = instrument.venue?.liquidationCompleteness ?? .unknown
        return venue == .unpublished && counters.exchangeLiquidations > 0 ? .unknown : venue
    }

    /// The book cannot be trusted (never had a snapshot, a gap since, or outdated): STALE wherever shown.
    public var isStale: Bool { staleReason != nil }
    /// Why the book cannot be trusted, in a word or two ("no snapshot", "gap", "outdated"), or
    /// nil when it can: the one definition `isStale` reads.
    public var staleReason: String? {
        if !book.hasSnapshot { return snapshotRefused ? "refused snapshot" : "no snapshot" }
        if book.isStale { return snapshotRefused ? "refused snapshot" : "gap" }
        if bookOutdated { return "outdated" }
        return nil
    }
    /// A `staleReason` in words, for an alert (nil: any of them).
    public static func staleReasonInWords(_ reason: String?) -> String {
        switch reason {
        case "no snapshot": return "no snapshot yet"
        case "gap": return "a gap in its updates"
        case "refused snapshot": return "its last snapshot contradicted itself and was refused"
        case "outdated": return "no change for longer than the engine trusts"
        default: return "no snapshot yet, a gap, or no change for longer than the engine trusts"
        }
    }
    /// Session time of the book's last snapshot or update (`Int64.min`: none yet).
    public internal(set) var lastBookTime: Int64 = .min
    /// Set when a crossed trigger found the book outdated; cleared by the book's next change.
    public internal(set) var bookOutdated = false
    /// The last snapshot was refused (`RefusedSnapshot`): the book is stale, as last known, until
    /// a snapshot is applied.
    public internal(set) var snapshotRefused = false

    /// A live stream subscribed to this market's book and no usable book came within its grace
    /// (see `Engine.watch(market:)`, `Engine.noteBookOverdue(market:)`).
    public internal(set) var bookOverdue = false

    /// A market whose book matters to the operator: it has monitored positions or a book feed
    /// (one that sent something, or one a live session subscribed to, which may never send a
    /// usable book: then it is STALE, not absent). A market seen only through the exchange's
    /// liquidation or trade prints is not flagged STALE on screen (the report still says its book
    /// is not synced).
    public var isWatched: Bool {
        bookOverdue || !positionIndices.isEmpty || counters.snapshots > 0 || counters.depthEvents > 0 || counters.gaps > 0
    }

    /// The fund's unrealised PnL on what it took over, at `mark` (negative is a loss: exposure).
    public func fundExposure(at mark: Fixed) -> Fixed {
        fundLong.unrealisedPnL(side: .long, kind: instrument.kind, at: mark)
            + fundShort.unrealisedPnL(side: .short, kind: instrument.kind, at: mark)
    }

    /// Why the engine would not liquidate into this book now; nil when it would. `now` is the
    /// session time and `maximumAge` the longest a book may go unchanged (nanoseconds).
    /// Why the engine would not liquidate on this market's mark now, whatever its book: the
    /// mark's own part of `liquidationBlock`. A cross account's leg here is valued at this mark.
    public func markBlock(now: Int64, maximumAge: Int64) -> LiquidationBlock? {
        if markDisputed { return .disputedMark }
        return markIsOutdated(now: now, maximumAge: maximumAge) ? .outdatedMark : nil
    }

    /// Whether the mark was last given longer ago than `maximumAge` (never given: not outdated).
    @inline(__always)
    func markIsOutdated(now: Int64, maximumAge: Int64) -> Bool {
        markGivenTime != .min && now &- markGivenTime > maximumAge
    }

    /// Whether the book last changed longer ago than `maximumAge` (by its events' own times).
    @inline(__always)
    func bookIsOutdated(now: Int64, maximumAge: Int64) -> Bool {
        lastBookTime != .min && now &- lastBookTime > maximumAge
    }

    public func liquidationBlock(now: Int64, maximumAge: Int64) -> LiquidationBlock? {
        if !book.hasSnapshot { return .noBook }
        if book.isStale { return .staleBook }
        if markDisputed { return .disputedMark }
        if bookIsOutdated(now: now, maximumAge: maximumAge) { return .outdatedBook }
        return markIsOutdated(now: now, maximumAge: maximumAge) ? .outdatedMark : nil
    }
    /// The signals as the screen shows them: the last sample's, or those read since for a
    /// session standing still (`Engine.readSignalsNow`).
    public var signalReadings: SignalReadings { signalsNow?.board.readings ?? signals.readings }
    /// A signal's recent values, oldest first, as the screen shows them (its sparkline).
    public func signalHistory(_ kind: SignalKind) -> [Double] {
        if let now = signalsNow { return now.board.history(kind) }
        return signals.history(kind)
    }
    /// Its newest `count` values, oldest first: what a sparkline of `count` cells draws.
    public func signalHistory(_ kind: SignalKind, last count: Int) -> [Double] {
        if let now = signalsNow { return now.board.history(kind, last: count) }
        return signals.history(kind, last: count)
    }
    /// The stressed deficit the same way (the reports read it too, the session ended).
    public var shownStress: StressedDeficit { signalsNow?.stressed ?? stressed }
}

/// A market's signals read for a still screen, not sampled (see `Engine.readSignalsNow`).
///
/// A class, held by reference: a market carries it only while a still screen shows it, and a
/// board inline made every market's state larger, and every copy of one dearer, all session.
final class SignalsNow: Sendable {
    /// A copy of the market's board that took the sample.
    let board: SignalBoard
    let stressed: StressedDeficit

    init(board: SignalBoard, stressed: StressedDeficit) {
        self.board = board
        self.stressed = stressed
    }
}

/// Where a market's mark comes from.
public enum MarkSource: String, Hashable, Sendable {
    /// The exchange's own mark stream.
    case stream
    /// Binance's rule anchored on the index the feed gives (`IndexAnchoredMark`).
    case indexAnchored = "index-anchored"
    /// liqwatch's proxy from the book and the last trade (`MarkPriceRule`): not an exchange's mark.
    case proxy

    /// What a mark of this source is, where it is not the exchange's own (nil for a stream's),
    /// for a report line: every trigger, ratio and distance is worked from it, and a proxy that
    /// sat on the best ask of an emptied book read as the exchange's mark (operator trial).
    public func explanation(rule: MarkPriceRule) -> String? {
        switch self {
        case .stream: return nil
        case .indexAnchored: return "Binance's mark rule worked from the feed's index: the feed gives no mark"
        case .proxy:
            switch rule {
            case .medianOfBidAskLast: return "liqwatch's proxy, the median of best bid, best ask and last trade: the feed gives no mark"
            case .mid: return "liqwatch's proxy, the book's mid: the feed gives no mark"
            }
        }
    }
}

/// Leading trigger entries read from a market's index at one of its generations.
struct LeadingEntries: Sendable {
    /// The riskiest taken whatever their distance, and the most taken.
    var count: Int
    var limit: Int
    /// The walk of the side's trigger heap so far (it may have gone past those taken now).
    var walk: TriggerIndex.LeadingWalk
    /// How many of the walked were taken at the mark of the read.
    var taken: Int
    /// The market's `positionChanges` when every one walked was last known live.
    var positionChanges: UInt64
}

/// A position the insurance fund holds: quantity taken over at bankruptcy prices, and its average
/// entry (a quantity-weighted mean for linear contracts, the harmonic mean for inverse ones, so
/// the value in coin adds up).
public struct FundHolding: Hashable, Sendable {
    public internal(set) var quantity: Fixed = .zero
    public internal(set) var entryPrice: Fixed = .zero

    public init() {}

    public var isEmpty: Bool { !quantity.isPositive }

    mutating func add(quantity added: Fixed, price: Fixed, kind: ContractKind) {
        guard added.isPositive, price.isPositive else { return }
        if quantity.isZero {
            quantity = added
            entryPrice = price
            return
        }
        switch kind {
        case .linear: entryPrice = (quantity * entryPrice + added * price) / (quantity + added)
        case .inverse: entryPrice = (quantity + added) / (quantity / entryPrice + added / price)
        }
        quantity += added
    }

    /// Its PnL at `mark` for the side it was taken over on.
    public func unrealisedPnL(side: Side, kind: ContractKind, at mark: Fixed) -> Fixed {
        guard quantity.isPositive, mark.isPositive else { return .zero }
        let terms = PositionTerms(side: side, quantity: quantity, entryPrice: entryPrice, kind: kind, brackets: BracketTable(caps: [], rates: []))
        return MarginMath.unrealisedPnL(terms, at: mark)
    }
}

public struct MarketCounters: Hashable, Sendable {
    public var snapshots = 0
    public var depthEvents = 0
    public var levelChanges = 0
    public var gaps = 0
    public var trades = 0
    public var marks = 0
    public var crossedLevelsRemoved = 0
    /// Book levels, marks, trades, index prices and reported liquidations not applied: too far
    /// from the market's reference (`Engine+Plausibility`).
    public var implausiblePricesRefused = 0
    /// Snapshots not applied for contradicting themselves (`RefusedSnapshot`).
    public var snapshotsRefused = 0
    /// Marks dated more than a second before the mark the market held (`DatedBeforeHeld`).
    public var datedBeforeHeld = 0
    public var simulatedLiquidations = 0
    /// Episodes of triggers crossed while the book could not be trusted.
    public var blockedLiquidations = 0
    public var exchangeLiquidations = 0
    /// The notional of those, in the market's settlement asset (coin for an inverse contract):
    /// exact, summed from each liquidation's own notional.
    public var exchangeLiquidationNotional = Fixed.zero
}

/// Totals across the engine, for reports.
public struct EngineTotals: Hashable, Sendable {
    public var liquidations = 0
    public var partialSteps = 0
    public var deficits = 0
    public var deficitTotal: [String: Fixed] = [:]
    public var adlEvents = 0
    public var adlQuantityBySymbol: [String: Fixed] = [:]
    public var adlNotional: [String: Fixed] = [:]
    public var socialisedLosses = 0
    public var socialisedTotal: [String: Fixed] = [:]
    /// Events not applied because their time is outside what liqwatch represents (see `EventTime`).
    public var eventsOutOfTimeRange = 0
    /// Events (and positions) of a market the session had no room for (`Engine.marketLimit`).
    public var eventsPastMarketLimit = 0
    /// Liquidations whose unfilled quantity the fund took over.
    public var fundTakeovers = 0
    /// Liquidations whose walk ran past the levels a top-of-book feed shows (the rest settled at
    /// the deepest level shown or at bankruptcy, the worse: a floor).
    public var liquidationsPastShownLevels = 0
    /// Fund statements naming no venue while markets of their asset were on several (refused).
    public var fundStatementsRefused = 0
    /// Position updates refused (hedge-mode conflicts).
    public var positionsRejected = 0
}
