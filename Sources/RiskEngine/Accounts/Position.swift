/// One open (or closed: quantity zero) position, as the engine stores it. Positions live in one
/// flat array so a million of them stay compact; accounts refer to them by index.
public struct Position: Hashable, Sendable {
    public var accountIndex: Int32
    public var symbolIndex: Int32
    public var side: Side
    /// One-way (`both`) or a hedge-mode leg.
    public var positionSide: PositionSide = .both
    public var mode: MarginMode
    /// The sides whose ADL lists of its market hold the position (bit 0 long, bit 1 short): see
    /// `MarketState.adlLongIndices`. In the byte of padding before `version`.
    var listedSides: UInt8 = 0
    /// Bumped on every change, so stale entries in the trigger index can be recognised.
    public var version: UInt32 = 0
    /// Base units (linear) or contracts (inverse); zero once closed.
    public var quantity: Fixed
    public var entryPrice: Fixed
    /// The position's own collateral when isolated; zero for cross.
    public var isolatedMargin: Fixed
    /// The leverage the position was opened with (for display and initial margin); zero if unknown.
    public var leverage: Fixed
    /// Cached by the engine whenever the position, its account or (for multi-symbol cross
    /// accounts) another mark changes. Zero means "none" (it can lose nothing it does not hold);
    /// negative (`Position.pastAtEveryPrice`) means past its trigger at every price (see
    /// `isPastAtEveryPrice`).
    public var liquidationPrice: Fixed = .zero
    public var bankruptcyPrice: Fixed = .zero

    public init(
        accountIndex: Int32, symbolIndex: Int32, side: Side, mode: MarginMode, quantity: Fixed,
        entryPrice: Fixed, isolatedMargin: Fixed, leverage: Fixed
    ) {
        self.accountIndex = accountIndex
        self.symbolIndex = symbolIndex
        self.side = side
        self.mode = mode
        self.quantity = quantity
        self.entryPrice = entryPrice
        self.isolatedMargin = isolatedMargin
        self.leverage = leverage
    }

    public var isOpen: Bool { quantity.isPositive }
    /// The liquidation price; nil when there is none, or when every price is past it.
    public var liquidation: Fixed? { liquidationPrice.isPositive ? liquidationPrice : nil }
    /// A cross leg whose account's other legs lose more than it could ever gain: its margin
    /// balance is below its maintenance at every price (`MarginMath.isPastAtEveryPrice`), so it is
    /// liquidated at whatever the mark is. Read as "no liquidation price", such a leg was never
    /// liquidated, while a smaller loss elsewhere got it liquidated (attacker trial).
    public var isPastAtEveryPrice: Bool { liquidationPrice.isNegative }
    /// What `liquidationPrice` holds for a leg past its trigger at every price.
    public static let pastAtEveryPrice = Fixed(raw: -1)
    /// The price the trigger index holds for the position: its liquidation price, a price every
    /// mark crosses for a leg past it at every price, nil when it has none.
    public var triggerPrice: Fixed? {
        if liquidationPrice.isPositive { return liquidationPrice }
        guard isPastAtEveryPrice else { return nil }
        return side == .long ? .max : Fixed(raw: 1)
    }

    /// Whether `mark` crosses the position's trigger (margin balance ≤ maintenance margin).
    @inline(__always)
    public func isCrossed(at mark: Fixed) -> Bool {
        guard let trigger = triggerPrice else { return false }
        return Position.crosses(side, trigger: trigger, at: mark)
    }

    /// Whether a price crosses a `side` position's trigger: a long's falls to it, a short's rises to it.
    @inline(__always)
    public static func crosses(_ side: Side, trigger: Fixed, at price: Fixed) -> Bool {
        side == .long ? price <= trigger : price >= trigger
    }

    /// What `liquidationPrice` holds for `terms` in `context`: the liquidation price, the
    /// sentinel of a leg past its trigger at every price, or zero for none.
    static func liquidationLevel(_ terms: PositionTerms, context: MarginContext, rules: MarginRules) -> Fixed {
        if let price = MarginMath.liquidationPrice(terms, context: context, rules: rules), price.isPositive { return price }
        return MarginMath.isPastAtEveryPrice(terms, context: context, rules: rules) ? pastAtEveryPrice : .zero
    }
    public var bankruptcy: Fixed? { bankruptcyPrice.isPositive ? bankruptcyPrice : nil }
}

/// An account: one per operator account id and settlement asset (a USDT wallet and a BTC wallet of
/// the same customer are separate, as on the exchange).
public struct Account: Hashable, Sendable {
    public var id: String
    public var asset: String
    /// The venue whose markets the account trades (`binance-usdm`, `bybit`; empty for markets of
    /// no venue). A cross wallet is a venue's: the same name on two exchanges is two accounts,
    /// whose profits and losses never back each other (no exchange pools margin with another).
    public var venue: String
    /// The cross-margin wallet balance; isolated positions carry their own margin.
    public var walletBalance: Fixed
    /// Indices of every position the account has held: one a symbol and position side, open or
    /// closed (a closed one is reopened in place). Readers skip the closed ones.
    public internal(set) var positions = PositionList()
    /// `positions.count > 1`, read without reading the list's array (see `PositionList`).
    public var holdsSeveral: Bool { positions.holdsSeveral }

    public init(id: String, asset: String, venue: String, walletBalance: Fixed) {
        self.id = id
        self.asset = asset
        self.venue = venue
        self.walletBalance = walletBalance
    }
}

/// Which position of an account and symbol an update is about. In Binance's one-way mode an account
/// holds one position per symbol (`both`); in hedge mode a LONG and a SHORT leg, side by side.
public enum PositionSide: Int8, Hashable, Sendable, CaseIterable {
    case both = 0
    case long = 1
    case short = -1

    /// "BOTH", "LONG", "SHORT" as Binance writes them.
    public var label: String { self == .both ? "BOTH" : (self == .long ? "LONG" : "SHORT") }

    public init?(label: String) {
        switch label.uppercased() {
        case "BOTH", "": self = .both
        case "LONG": self = .long
        case "SHORT": self = .short
        default: return nil
        }
    }
}

/// A change to a position from a positions file, the operator's stream or a generator. Setting the
/// quantity to zero closes the position.
public struct PositionUpdate: Hashable, Sendable {
    public var account: String
    public var symbol: String
    public var side: Side
    /// One-way (`both`) or a hedge-mode leg.
    public var positionSide: PositionSide = .both
    public var quantity: Fixed
    public var entryPrice: Fixed
    public var mode: MarginMode
    /// Isolated: the position's margin. Cross: ignored (see `walletBalance`).
    public var isolatedMargin: Fixed?
    /// Cross: sets the account's wallet balance when given.
    public var walletBalance: Fixed?
    public var leverage: Fixed?

    public init(
        account: String, symbol: String, side: Side, quantity: Fixed, entryPrice: Fixed, mode: MarginMode,
        isolatedMargin: Fixed? = nil, walletBalance: Fixed? = nil, leverage: Fixed? = nil, positionSide: PositionSide = .both
    ) {
        self.account = account
        self.symbol = symbol
        self.side = side
        self.positionSide = positionSide
        self.quantity = quantity
        self.entryPrice = entryPrice
        self.mode = mode
        self.isolatedMargin = isolatedMargin
        self.walletBalance = walletBalance
        self.leverage = leverage
    }
}
