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
    public var filledQuantity: Fixed
    /// Taken over at the bankruptcy price because the book ran out.
    public var remainderAtBankruptcy: Fixed
    /// Closed against opposite positions at the bankruptcy price because the fund could not pay.
    public var adlQuantity: Fixed
    public var levelsConsumed: Int
    /// (average fill − mark) against the position, in basis points of the mark (positive = worse).
    public var slippageBps: Fixed?
    public var notional: Fixed
    public var fee: Fixed
    public var surplus: Fixed
    /// Loss beyond the position's collateral (positive), before the fund, ADL or socialised loss.
    public var deficit: Fixed
    public var fundPaid: Fixed
    public var fundAfter: Fixed
    public var asset: String
    /// True for a partial step that left the account compliant.
    public var isPartial: Bool
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
    public var score: Fixed
    public var rank: Int
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
    case liquidation(LiquidationRecord)
    case deficit(symbol: String, asset: String, amount: Fixed, time: Int64)
    case fund(FundEntry)
    case adl(ADLRecord)
    /// Quantity that needed ADL but found no monitored counterparty (the exchange would deleverage
    /// someone outside the monitored book).
    case adlUnfilled(symbol: String, quantity: Fixed, time: Int64)
    case socialisedLoss(SocialisedLossRecord)
    case exchangeLiquidation(ExchangeLiquidation)
    case signal(SignalChange)
    case bookGap(symbol: String, time: Int64)
    case crossedBook(symbol: String, levelsRemoved: Int, time: Int64)
    /// Positions crossed their trigger in a market whose book cannot be trusted: they stay open and
    /// are liquidated once a snapshot re-syncs the book. Noted once per episode, not per tick.
    case liquidationBlocked(symbol: String, reason: LiquidationBlock, time: Int64)
}

/// Why the engine will not liquidate into a market's book.
public enum LiquidationBlock: String, Hashable, Sendable {
    /// The book has never had a snapshot.
    case noBook = "no book"
    /// A gap made the book stale; it waits for a snapshot.
    case staleBook = "book stale"

    /// "cannot liquidate: no book"
    public var message: String { "cannot liquidate: \(rawValue)" }
}
