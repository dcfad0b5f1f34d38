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

/// Which venue's margin rule the maths follows. Each instrument carries its venue's rule
/// (`Instrument.marginRules`); `EngineConfiguration.rules` may impose one on every market.
public enum MarginRules: String, Hashable, Sendable, CaseIterable {
    /// Tiers by the notional at the mark; `MM = notional × MMR − maintenance amount` (Binance
    /// USDⓈ-M and COIN-M, "Leverage and Margin of USDⓈ-M Futures").
    case binance
    /// Tiers ("risk limits") by the position value at entry; `MM = value × MMR − MM deduction`, and
    /// `LP = EP ∓ (IM − MM)/Q` (Bybit's "Liquidation Price Calculation under Isolated Mode").
    case bybit
    /// Tiers ("position tiers") by the number of contracts, the tier's rate on the whole position
    /// (no deduction), valued at the mark; the liquidation fee counts in the requirement: OKX
    /// liquidates when `equity ≤ MM + liquidation fee` ("Tiered maintenance margin ratio rules").
    case okx
    /// Tiers ("margin tiers") by the notional at the mark, `MMR = 1 ÷ (2 × max leverage)` of the
    /// tier and `MM = notional × MMR − maintenance deduction`, the deduction built like Binance's
    /// (Hyperliquid's "Margin tiers"); its `liq_price = price − side × margin_available ÷ size ÷ (1
    /// − l × side)` is Binance's formula solved the same way ("Liquidations").
    case hyperliquid

    /// Whether what a liquidation's fills leave above the bankruptcy price (after any fee) stays
    /// with the trader rather than going to the fund. Hyperliquid: a liquidation through the book
    /// leaves "any remaining collateral" with the trader ("Liquidations"); only a backstop
    /// liquidation gives it to the liquidator vault. Binance, Bybit and OKX put it in the fund.
    public var leavesSurplusWithTrader: Bool { self == .hyperliquid }

    /// The venue whose own rule this is, by its market-id name.
    public static func ofVenue(_ venue: Venue?) -> MarginRules {
        switch venue {
        case .bybit?: return .bybit
        case .okx?: return .okx
        case .hyperliquid?: return .hyperliquid
        default: return .binance
        }
    }
}

/// What the margin maths needs to know of one position.
public struct PositionTerms: Hashable, Sendable {
    public var side: Side
    /// Base units for a linear contract; contracts for an inverse one. Always positive.
    public var quantity: Fixed
    public var entryPrice: Fixed
    public var kind: ContractKind
    public var brackets: BracketTable
    /// Coins one exchange contract of a linear instrument is worth (OKX's ctVal, 0.01 for
    /// BTC-USDT-SWAP): OKX's tiers count contracts, the engine's quantity counts coins. 1 elsewhere.
    public var coinsPerContract: Fixed
    /// The instrument's liquidation fee rate, which OKX's rule adds to the maintenance requirement.
    public var liquidationFeeRate: Fixed

    public init(side: Side, quantity: Fixed, entryPrice: Fixed, kind: ContractKind, brackets: BracketTable,
                coinsPerContract: Fixed = .one, liquidationFeeRate: Fixed = .zero) {
        self.side = side
        self.quantity = quantity
        self.entryPrice = entryPrice
        self.kind = kind
        self.brackets = brackets
        self.coinsPerContract = coinsPerContract
        self.liquidationFeeRate = liquidationFeeRate
    }

    /// The exchange's count of contracts: OKX's tiers are in it.
    public var contracts: Fixed {
        switch kind {
        case .linear: return coinsPerContract.isPositive ? quantity / coinsPerContract : quantity
        case .inverse: return quantity
        }
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
