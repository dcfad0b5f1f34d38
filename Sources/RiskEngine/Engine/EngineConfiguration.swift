/// What the fund's shortfall turns into.
public enum ShortfallPolicy: String, Hashable, Sendable {
    /// Close profitable opposite positions at the bankruptcy price, best ADL score first.
    case adl
    /// Charge the loss pro rata to the profitable opposite positions.
    case socialisedLoss = "socialised-loss"
}

/// How a triggered position is closed.
public enum LiquidationStyle: Hashable, Sendable {
    /// The whole position at once.
    case full
    /// Steps of `fraction` of the position (at least one lot), until the account is compliant; a
    /// step that fills worse than bankruptcy closes the rest at once.
    case partial(fraction: Fixed)
}

/// The engine's documented parameters. Defaults follow Binance.
public struct EngineConfiguration: Sendable {
    public var rules: MarginRules = .binance
    public var liquidation: LiquidationStyle = .full
    public var shortfall: ShortfallPolicy = .adl
    /// Used when a feed has no mark stream. See `MarkPriceRule`.
    public var markRule: MarkPriceRule = .medianOfBidAskLast
    public var signals = SignalThresholds()
    /// How many of the riskiest positions per side the stressed-deficit signal liquidates.
    public var stressedPositions = 50

    public init() {}
}

/// The mark when no mark stream is present.
public enum MarkPriceRule: String, Hashable, Sendable {
    /// Median of best bid, best ask and last trade (the mid until a trade prints). This is the
    /// shape of Binance's own fallback and resists a single thin-book print.
    case medianOfBidAskLast = "median"
    /// The mid of the book.
    case mid
}
