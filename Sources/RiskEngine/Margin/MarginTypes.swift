public enum Side: Int8, Hashable, Sendable, CaseIterable {
    case long = 1
    case short = -1

    /// +1 for long, −1 for short: the `side` of Binance's formulas.
    public var sign: Int { Int(rawValue) }
    public var opposite: Side { self == .long ? .short : .long }
    /// The book a forced close of this side trades against: a long is sold into the bids.
    public var closingBookSide: BookSide { self == .long ? .bid : .ask }
    public var label: String { self == .long ? "long" : "short" }
}

public enum MarginMode: String, Hashable, Sendable {
    case isolated
    case cross
}

/// Which exchange's conventions the maths follows.
public enum MarginRules: String, Hashable, Sendable, CaseIterable {
    /// Maintenance margin on the notional at the mark, tiered by bracket (Binance USDⓈ-M and COIN-M).
    case binance
    /// Maintenance margin on the entry value (Bybit's published liquidation formulas).
    case bybit
}

/// What the margin maths needs to know of one position.
public struct PositionTerms: Hashable, Sendable {
    public var side: Side
    /// Base units for a linear contract; contracts for an inverse one. Always positive.
    public var quantity: Fixed
    public var entryPrice: Fixed
    public var kind: ContractKind
    public var brackets: BracketTable

    public init(side: Side, quantity: Fixed, entryPrice: Fixed, kind: ContractKind, brackets: BracketTable) {
        self.side = side
        self.quantity = quantity
        self.entryPrice = entryPrice
        self.kind = kind
        self.brackets = brackets
    }

    /// Quantity with the side's sign.
    public var signedQuantity: Fixed { side == .long ? quantity : -quantity }
}

/// The collateral a position draws on. For an isolated position: its own margin and nothing else.
/// For a cross position: the account's wallet balance, less the maintenance margin of the account's
/// other positions (TMM₁) plus their unrealised PnL (UPNL₁), each at its own mark.
public struct MarginContext: Hashable, Sendable {
    public var collateral: Fixed
    public var otherMaintenance: Fixed
    public var otherUnrealised: Fixed

    public init(collateral: Fixed, otherMaintenance: Fixed = .zero, otherUnrealised: Fixed = .zero) {
        self.collateral = collateral
        self.otherMaintenance = otherMaintenance
        self.otherUnrealised = otherUnrealised
    }

    public static func isolated(margin: Fixed) -> MarginContext { MarginContext(collateral: margin) }
}
