/// A liquidation the engine simulated: a monitored position that crossed its trigger, closed by an
/// IOC walk of the book.
public struct LiquidationRecord: Hashable, Sendable {
    public var time: Int64
    public var symbol: String
    public var account: String
    public var position: Int32
    /// The side of the position that was closed.
    public var side: Side
    public var quantity: Fixed
    public var markPrice: Fixed
    public var liquidationPrice: Fixed?
    public var bankruptcyPrice: Fixed
    /// Average price of the book fills; nil when the book had nothing.
    public var averageFill: Fixed?
    /// Filled by the book.
    public var filledQuantity: Fixed
    /// What the book had no level for: covered by ADL or taken over by the fund (see
    /// `UnfilledRule`), never booked as filled.
    public var unfilledQuantity: Fixed
    /// Closed against opposite positions at the bankruptcy price: the unfilled quantity under the
    /// ADL rule, and what the fund could not stand behind.
    public var adlQuantity: Fixed
    /// Taken over by the insurance fund at the bankruptcy price (the fund-takes-over rule).
    public var fundTakeoverQuantity: Fixed
    public var levelsConsumed: Int
    /// (average fill − mark) against the position, in basis points of the mark (positive = worse).
    public var slippageBps: Fixed?
    public var notional: Fixed
    public var fee: Fixed
    public var surplus: Fixed
    /// What the fills left above bankruptcy that went back to the trader, not to the fund
    /// (`MarginRules.leavesSurplusWithTrader`); `surplus` is then 0.
    public var surplusToOwner: Fixed = .zero
    /// Loss beyond the position's collateral (positive), before the fund, ADL or socialised loss.
    public var deficit: Fixed
    public var fundPaid: Fixed
    public var fundAfter: Fixed
    public var asset: String
    /// True for a partial step that left the account compliant.
    public var isPartial: Bool
    /// The book levels it took, best first, for the liquidation's detail: at most
    /// `LiquidationRecord.keptLevels` of them (`levelsConsumed` says how many there were), so a
    /// walk through thousands of levels keeps the log's memory bounded.
    public var walk: [Fill] = []
    /// The last (worst) level's price, also when `walk` was cut short.
    public var worstFillPrice: Int64?
    /// The levels a side the feed shows, when the walk ran past the deepest of them (a top-of-book
    /// feed, `OrderBook.endsAtShownLevels`), and the quantity past them: the book beyond is not
    /// known, and fills no better than its deepest level shown, where that quantity was settled
    /// (at bankruptcy where that is worse: a floor of the loss, in `filledQuantity`, the notional
    /// and the settlement, not in `walk`). 0 otherwise.
    public var pastShownLevels: Int32 = 0
    public var pastShownQuantity: Fixed = .zero

    public static let keptLevels = 32

    /// `fills` as the record keeps them: the same array when it is short (no copy), else its head.
    static func kept(_ fills: [Fill]) -> [Fill] {
        fills.count <= keptLevels ? fills : Array(fills.prefix(keptLevels))
    }
}

public struct ADLRecord: Hashable, Sendable {
    public var time: Int64
    public var symbol: String
    /// The position closed by auto-deleveraging (a profitable opposite-side position).
    public var account: String
    public var position: Int32
    public var side: Side
    public var quantity: Fixed
    public var price: Fixed
    /// The closed quantity's value at `price`, in `asset` (coin for an inverse contract).
    public var notional: Fixed
    public var asset: String
    public var score: Fixed
    public var rank: Int
    /// The bankrupt position whose unfilled quantity this covered (the tape's liquidation detail
    /// lists a liquidation's counterparties by it).
    public var forPosition: Int32
}

/// A liquidation that filled worse than its bankruptcy price.
public struct DeficitRecord: Hashable, Sendable {
    public var time: Int64
    public var symbol: String
    public var account: String
    public var asset: String
    /// The loss beyond the position's collateral (positive).
    public var amount: Fixed
}

public struct SocialisedLossRecord: Hashable, Sendable {
    public var time: Int64
    public var symbol: String
    public var asset: String
    public var loss: Fixed
    /// What the winners' profits could not cover.
    public var unrecovered: Fixed
    public var accountsCharged: Int
}

public enum EngineNotification: Hashable, Sendable {
    /// Boxed (`indirect`): a liquidation record is 409 bytes and the next largest payload 140,
    /// and every notification is as large as the largest; unboxed, each append, growth and read
    /// of a list of notifications (thousands in a cascade or a stress) moved 409 bytes a note.
    indirect case liquidation(LiquidationRecord)
    case deficit(DeficitRecord)
    case fund(FundEntry)
    case adl(ADLRecord)
    /// Quantity that needed ADL but found no monitored counterparty (the exchange would deleverage
    /// someone outside the monitored book).
    case adlUnfilled(symbol: String, quantity: Fixed, time: Int64)
    case socialisedLoss(SocialisedLossRecord)
    case exchangeLiquidation(ExchangeLiquidation)
    /// An exchange's liquidation of a market the session holds no room for: liquidation prints
    /// alone made `Engine.liquidationMarketLimit` markets.
    case unwatchedLiquidation(ExchangeLiquidation)
    case signal(SignalChange)
    /// A fund's drawdown reached the alert band, its balance zero, or ADL began for it.
    case fundAlert(FundAlert)
    case bookGap(symbol: String, time: Int64)
    case crossedBook(symbol: String, levelsRemoved: Int, time: Int64)
    /// A price not applied: a thousandfold from the market's reference (see `ImplausiblePrice`).
    case implausiblePrice(ImplausiblePrice)
    /// A snapshot not applied: it contradicted itself (see `RefusedSnapshot`).
    case snapshotRefused(RefusedSnapshot)
    /// A mark dated more than a second before the one its market held: not applied (see
    /// `DatedBeforeHeld`).
    case datedBeforeHeld(DatedBeforeHeld)
    /// Positions crossed their trigger in a market whose book cannot be trusted: they stay open and
    /// are liquidated once a snapshot re-syncs the book. Noted once per episode, not per tick.
    case liquidationBlocked(symbol: String, reason: LiquidationBlock, time: Int64)
    /// A position update the engine would not apply (see `Engine.hedgeConflict`).
    case positionRejected(account: String, symbol: String, reason: String, time: Int64)
    /// A fund statement the engine would not apply: it named no venue and markets of its asset
    /// are on several (see `Engine.fundVenue`).
    case fundStatementRefused(asset: String, balance: Fixed, reason: String, time: Int64)
    /// An account's wallet statement the engine would not apply: it named no venue and accounts
    /// of that name hold positions on several (see `Engine.accountVenue`).
    case walletStatementRefused(account: String, asset: String, balance: Fixed, reason: String, time: Int64)
    /// A watched market's book became untrusted or its mark outdated, as a signal sample found it
    /// (`Engine.noteConditions`).
    case marketCondition(MarketCondition)
}

/// A watched market's book that cannot be trusted (no snapshot, a gap, no change for longer than
/// the engine trusts) or its mark not given for longer than that, found by a signal sample: dated
/// by session time and decided by the engine, so the dashboard at any speed and a headless report
/// tell the same episodes at the same times (they were told when a look at the screen's pace, or
/// every 4,096 events headless, happened to find them: the same replay gave 14 alerts at 100×, 11
/// at full speed and 10 in its report, the stale books dated differently in each: operator trial).
public struct MarketCondition: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable {
        case staleBook
        case markOutdated
        /// The book of a market holding positions changed again after more than
        /// `Engine.endedBookAge` without a change (recordings of one market years apart, a feed
        /// back after hours): its positions were stated against the book of then.
        case resumed
    }
    public var time: Int64
    public var symbol: String
    public var kind: Kind
    /// Why the book cannot be trusted (`MarketState.staleReason`); for `resumed`, how long the
    /// book had not changed (`4y 301d`); nil for a mark.
    public var reason: String?
    /// For an outdated book or mark: when it last changed. The condition's own time is the sample
    /// that found it, which in a replay of recordings apart is the next recording's first second
    /// (a book that ended at 23:59:59 on 2024-08-08 was told stale at 2024-12-01 00:00:00.691, and
    /// nothing on screen said when it had stopped: operator trial).
    public var since: Int64? = nil
}

/// Why the engine will not liquidate into a market's book.
public enum LiquidationBlock: String, Hashable, Sendable {
    /// The book has never had a snapshot.
    case noBook = "no book"
    /// A gap made the book stale; it waits for a snapshot.
    case staleBook = "book stale"
    /// The book has not changed for longer than `EngineConfiguration.maximumBookAgeSeconds` of
    /// session time (a dead feed, or recordings of different years merged): liquidating into it
    /// would fill at prices of another time. It waits for the book's next update.
    case outdatedBook = "book outdated"
    /// The book refused a snapshot as tenfold from the mark (`Engine.refuseSnapshot`): one of the
    /// two is wrong, and liquidations wait for the next mark. A poisoned first mark of 1 had gone
    /// on liquidating into the next, true snapshot (attacker trial).
    case disputedMark = "mark disputed"
    /// The mark has not been given for longer than `EngineConfiguration.maximumBookAgeSeconds`
    /// of session time (its stream died, or a line of another time was merged in): liquidating
    /// on it would judge positions at a price of another time. It waits for the next mark. A
    /// mark line of 1970 merged before a fresh book liquidated a healthy position into that book
    /// (attacker trial).
    case outdatedMark = "mark outdated"
    /// A cross account's leg in this market has never had a mark (a positions file's market no
    /// recording covers, or one whose recording starts later): the account's margin could only
    /// count the leg at its entry, a price of another time. Its other legs wait for this market's
    /// first mark. A cross BTC long in profit was liquidated at the book's first moment on an ETH
    /// leg valued at its entry, and the fund booked 20,400 from it (operator trial).
    case noMark = "no mark"

    /// "cannot liquidate: no book"
    public var message: String { "cannot liquidate: \(rawValue)" }

    /// The mark a cross account waits for in its leg's market, when this block is that market's
    /// mark (`disputed mark`, `first mark`): the stress tables said `outdated mark` of a leg
    /// never marked (review of the first-mark wait).
    public var legMark: String {
        switch self {
        case .disputedMark: return "disputed mark"
        case .noMark: return "first mark"
        default: return "outdated mark"
        }
    }

    /// What the engine waits for before it liquidates again.
    public var waitsFor: String {
        switch self {
        case .noBook: return "its first snapshot"
        case .staleBook: return "a fresh snapshot (after a gap in its feed, or a snapshot refused)"
        case .outdatedBook: return "the book's next change"
        case .disputedMark, .outdatedMark: return "the next mark"
        case .noMark: return "its first mark"
        }
    }
}
