/// What the fund's shortfall turns into.
public enum ShortfallPolicy: String, Hashable, Sendable {
    /// Close profitable opposite positions at the bankruptcy price, best ADL score first.
    case adl
    /// Charge the loss pro rata to the profitable opposite positions.
    case socialisedLoss = "socialised-loss"
}

/// What happens to the quantity of a liquidation the book cannot fill (the walk ran out of levels).
/// It is never booked as if it had been filled at the bankruptcy price for free.
public enum UnfilledRule: String, Hashable, Sendable {
    /// Closed against the ranked opposite positions at the bankruptcy price (Binance: a
    /// liquidation the market cannot fill goes to ADL). The default.
    case adl
    /// The insurance fund takes it over at the bankruptcy price and holds it as a position marked
    /// to market: its loss is fund exposure and counts in the stressed deficit. When the fund is
    /// empty it cannot take anything over, and the quantity goes to ADL.
    case fundTakesOver = "fund-takes-over"
}

/// How a triggered position is closed.
public enum LiquidationStyle: Hashable, Sendable {
    /// The whole position at once.
    case full
    /// As Binance and Bybit do: a position above the first maintenance bracket (risk-limit tier)
    /// is reduced, in steps, to the cap of the bracket below, paying the liquidation fee on each
    /// step's notional, until the account is compliant; a first-bracket position is closed in full.
    case tiered
    /// Steps of `fraction` of the position (at least one lot), until the account is compliant; a
    /// step that fills worse than bankruptcy closes the rest at once.
    case partial(fraction: Fixed)

    /// The smallest step a `partial` liquidation may take, 1 %: a step of 10⁻¹⁸ of a position
    /// (one lot at a time) made 33 million liquidations of 50 positions, 7.6 GB and a minute and
    /// a half (attacker trial). At 1 % a position takes at most a few hundred steps.
    public static let smallestPartialFraction = Fixed("0.01")!
}

/// How positions are ranked for auto-deleveraging, as each venue documents it.
public enum ADLRanking: String, Hashable, Sendable, CaseIterable {
    /// Binance's "LeveragePnL": `max(0, unrealised PnL) ÷ max(1, collateral) × margin ratio`, where
    /// the margin ratio is `maintenance ÷ (collateral + unrealised PnL)` (0 when that is not
    /// positive). A losing position scores 0.
    case binance
    /// BitMEX: `PnL% × effective leverage` when PnL% > 0, `PnL% ÷ effective leverage` otherwise;
    /// `PnL% = (mark value − entry value) ÷ |entry value|`, `effective leverage = |mark value| ÷
    /// (mark value − bankruptcy value)`, in position values (an inverse contract's in coin).
    case bitmex
    /// Bybit ranks by "profit and effective leverage" without publishing the formula; BitMEX's
    /// is used, as Bybit's own older help showed.
    case bybit
    /// OKX: "leverage PnL% = position's PnL% × effective leverage … and vice versa" (its
    /// "Introduction to auto-deleveraging"): BitMEX's words, and BitMEX's formula, which defines
    /// them; OKX does not define PnL% or effective leverage further.
    case okx
    /// Hyperliquid: `(mark ÷ entry) × (notional ÷ account value)` for a position in profit (its
    /// "Auto-deleveraging"), the notional at the mark; the account value is the cross account's
    /// equity (wallet plus every cross leg's unrealised PnL), or an isolated position's margin plus
    /// its PnL. The docs write the ratio of prices as a long's; a short in profit takes `entry ÷
    /// mark`, or the most profitable shorts would come last. A position not in profit (or in an
    /// account of no value) scores 0: the index ranks "users in profit".
    case hyperliquid

    /// Whether a position not in profit scores 0 (Binance's LeveragePnL, Hyperliquid's index: all
    /// tied, after every one in profit), or below 0 by how much it loses (BitMEX's formula, and
    /// Bybit's and OKX's, which use it): ranked among themselves.
    public var scoresLosersZero: Bool {
        switch self {
        case .binance, .hyperliquid: return true
        case .bitmex, .bybit, .okx: return false
        }
    }

    /// The ranking of the venue whose margin rules a market follows (its instrument's: the
    /// venue of its market id, Binance's for a market of no venue).
    public static func ofVenue(of rules: MarginRules) -> ADLRanking {
        switch rules {
        case .binance: return .binance
        case .bybit: return .bybit
        case .okx: return .okx
        case .hyperliquid: return .hyperliquid
        }
    }
}

/// The thresholds by which the engine classifies risk. Panes and reports show the engine's class,
/// never a threshold of their own.
public struct RiskBands: Sendable, Equatable {
    /// Margin ratio (maintenance ÷ margin balance; 100 % liquidates): warn from, alert from.
    public var marginRatioWarn = Fixed("0.5")!
    public var marginRatioAlert = Fixed("0.8")!
    /// Distance to liquidation, % of the mark: alert under, warn under. A position inside the alert
    /// band is "near liquidation".
    public var distanceAlertPercent = Fixed("0.5")!
    public var distanceWarnPercent = Fixed(2)
    /// Fund drawdown from its peak, as a fraction: warn from, alert from.
    public var drawdownWarn = Fixed("0.1")!
    public var drawdownAlert = Fixed("0.5")!
    /// "ADL near": the stressed deficit is at least this fraction of the fund.
    public var adlNearFraction = Fixed.one
    /// "ADL under way": a close of this fund's venue and asset was deleveraged within this many
    /// seconds of session time (and the fund is not empty: that is "active"). "Near" read as not
    /// started all through a cascade that was deleveraging (operator trial).
    public var adlUnderWaySeconds = Fixed(10)

    public init() {}
}

/// The engine's documented parameters. Defaults follow Binance.
public struct EngineConfiguration: Sendable {
    /// One margin rule for every market, as `--rules binance|bybit|bitmex` asks; nil (the default):
    /// each market by its own venue's rule (`Instrument.marginRules`).
    public var rules: MarginRules? = nil
    public var liquidation: LiquidationStyle = .full
    public var shortfall: ShortfallPolicy = .adl
    public var unfilled: UnfilledRule = .adl
    /// One ranking for every market, as `--rules binance|bybit|bitmex` asks; nil (the default):
    /// each market by its own venue's (`ADLRanking.ofVenue`). OKX and Hyperliquid markets were
    /// ranked by Binance's LeveragePnL under the venue profile.
    public var adlRanking: ADLRanking? = nil
    /// Whether a mark re-works only the cross accounts of several symbols whose guard it crosses
    /// (see `Engine+CrossGuards`), or every such account holding the symbol, as before: the
    /// reference the tests hold the guards to (the same liquidations, the same figures shown).
    public var crossGuards = true
    /// Used when a feed has no mark stream. See `MarkPriceRule`.
    public var markRule: MarkPriceRule = .medianOfBidAskLast
    public var signals = SignalThresholds()
    public var risk = RiskBands()
    /// How many of the riskiest positions per side the stressed-deficit signal liquidates at
    /// least, however far from liquidation.
    public var stressedPositions = 50
    /// And at most: past the riskiest it goes on through every position near liquidation
    /// (`RiskBands.distanceAlertPercent`), up to this many a side (a sample walks them once a
    /// second; past it the deficit is a floor, said so).
    public var stressedPositionsLimit = 10_000
    /// How often, in seconds of event time, the ADL queue is ranked again: Binance updates its
    /// ADL quantiles every 30 s. Between rankings a deleverage takes from the queue as ranked (a
    /// position placed or changed since joins it with its score at that moment), so a cascade
    /// costs one ranking of the opposite side per period, not one per liquidation.
    public var adlRefreshSeconds: Int64 = 30
    /// A book with no change for this long (seconds of session time) is not liquidated into
    /// (`LiquidationBlock.outdatedBook`) and reads STALE: a perpetual's book changes many times a
    /// second, so five minutes of silence is a dead feed, not a quiet market. A mark not given
    /// again for as long is not liquidated on either (`LiquidationBlock.outdatedMark`): exchanges
    /// publish it every second or three.
    public var maximumBookAgeSeconds: Int64 = 300
    /// The same in nanoseconds of session time, as the book's and the mark's ages are measured.
    public var maximumBookAge: Int64 { maximumBookAgeSeconds &* 1_000_000_000 }

    public init() {}

    /// A venue's rules at once: margin maths and ADL ranking.
    public mutating func apply(profile: RulesProfile) {
        rules = profile.marginRules
        adlRanking = profile.adlRanking
    }
}

/// A venue's rule set, as `--rules` names it.
public enum RulesProfile: String, Hashable, Sendable, CaseIterable {
    /// Each market's margin maths and ADL ranking by its own venue (Bybit's for `bybit:`, OKX's
    /// for `okx:`, ...): the default.
    case venue
    case binance, bybit, bitmex

    /// BitMEX computes maintenance on the position value at the mark, as Binance does. Nil: each
    /// market's own venue rule.
    public var marginRules: MarginRules? {
        switch self {
        case .venue: return nil
        case .bybit: return .bybit
        case .binance, .bitmex: return .binance
        }
    }
    /// Nil: each market's own venue's ranking.
    public var adlRanking: ADLRanking? {
        switch self {
        case .venue: return nil
        case .binance: return .binance
        case .bybit: return .bybit
        case .bitmex: return .bitmex
        }
    }
}

/// The mark when no mark stream is present.
public enum MarkPriceRule: String, Hashable, Sendable {
    /// Median of best bid, best ask and last trade (the mid until a trade prints). A proxy of
    /// ours, not an exchange's rule: it resists a single thin-book print. When the feed carries an
    /// index price, Binance's index-anchored rule is used instead (see `IndexAnchoredMark`).
    case medianOfBidAskLast = "median"
    /// The mid of the book.
    case mid
}
