public enum SignalLevel: Int, Hashable, Comparable, Sendable, CaseIterable {
    case ok = 0
    case warn = 1
    case alert = 2

    public static func < (lhs: SignalLevel, rhs: SignalLevel) -> Bool { lhs.rawValue < rhs.rawValue }
    public var label: String { ["ok", "warn", "alert"][rawValue] }
}

/// The signals, in the order an operator reads them: the two warnings that make a deficit likely
/// come first.
public enum SignalKind: String, Hashable, Sendable, CaseIterable {
    /// Spread widening while near-touch depth falls: `min(spread ÷ its baseline, depth baseline ÷
    /// depth within ±10 bps)`, capped at 100x — the factor by which both have moved against the
    /// book at once ("3x": the spread is at least three times its baseline and the depth at most a
    /// third of its). Its level follows the value: warn at `spreadVsDepthWarn`, alert at
    /// `spreadVsDepthAlert`.
    case spreadVsDepth = "spread_vs_depth"
    /// Liquidity removed against liquidity added within ±50 bps, per second, over the last
    /// seconds of a liquidation series (a liquidation in the last 30 s); ok outside a series.
    case drainVsRefill = "drain_vs_refill"
    /// Spread in bps against its rolling baseline.
    case spread
    /// Notional within ±10 bps of the mid on the thinner side, against its baseline.
    case depth10 = "depth_10bps"
    /// Notional within ±50 bps on the thinner side, against its baseline.
    case depth50 = "depth_50bps"
    /// Liquidation notional (simulated and exchange-reported) in the last 10 s.
    case liquidations10s = "liquidations_10s"
    /// Liquidation notional in the last 60 s.
    case liquidations60s = "liquidations_60s"
    /// The deficit the current book would produce if the riskiest positions were liquidated now,
    /// against the fund balance (the baseline). What the book cannot fill is counted too (see
    /// `Engine.stressedDeficit`): when it would go to ADL, or the deficit exceeds the fund, the
    /// level is ALERT whatever the amount.
    case stressedDeficit = "stressed_deficit"

    /// Hashes the case, not its raw string: the signals key their readings and histories by kind
    /// every second, and hashing the raw value hashed a string each time.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(ordinal)
    }

    /// Read off the market's book (and so not read while it has none).
    public var readsTheBook: Bool {
        switch self {
        case .spreadVsDepth, .drainVsRefill, .spread, .depth10, .depth50: return true
        case .liquidations10s, .liquidations60s, .stressedDeficit: return false
        }
    }

    var ordinal: UInt8 {
        switch self {
        case .spreadVsDepth: return 0
        case .drainVsRefill: return 1
        case .spread: return 2
        case .depth10: return 3
        case .depth50: return 4
        case .liquidations10s: return 5
        case .liquidations60s: return 6
        case .stressedDeficit: return 7
        }
    }

    /// What a value of this signal counts, for a report line (`12.5 bps`, `3.2x`): notional is in
    /// `quote` (a linear market's settlement asset, `USDT`; USD for a coin-margined one, whose
    /// contracts are dollars), a stressed deficit in the settlement `asset`. (Notional read "USD"
    /// for a USDT market: operator trial.)
    public func unit(asset: String, quote: String) -> String {
        switch self {
        case .spreadVsDepth, .drainVsRefill: return "x"
        case .spread: return "bps"
        case .depth10, .depth50: return quote + " notional"
        case .liquidations10s, .liquidations60s: return quote + " liquidated"
        case .stressedDeficit: return asset
        }
    }

    public var title: String {
        switch self {
        case .spreadVsDepth: return "Spread widening + depth falling"
        case .drainVsRefill: return "Depth drain vs refill (liq series)"
        case .spread: return "Spread (bps)"
        // The thinner side's (the one a cascade empties first): "Depth ±10 bps 205k" beside a
        // ladder with 140 BTC of asks within 10 bps read as the whole book's (operator trial).
        case .depth10: return "Depth ±10 bps, thinner side"
        case .depth50: return "Depth ±50 bps, thinner side"
        case .liquidations10s: return "Liquidations 10 s"
        case .liquidations60s: return "Liquidations 60 s"
        case .stressedDeficit: return "Stressed deficit vs fund"
        }
    }

    /// The title for a narrow pane (at most 16 cells).
    public var shortTitle: String {
        switch self {
        case .spreadVsDepth: return "Spread + depth"
        case .drainVsRefill: return "Drain vs refill"
        case .spread: return "Spread (bps)"
        case .depth10: return "Thinner ±10 bps"
        case .depth50: return "Thinner ±50 bps"
        case .liquidations10s: return "Liqs 10 s"
        case .liquidations60s: return "Liqs 60 s"
        case .stressedDeficit: return "Stressed deficit"
        }
    }

    /// The shortest, where a wide figure leaves its title a few cells (`Thinner ±1`, `Stressed d`
    /// were cut mid-word at 80 columns, the first read as ±1 bps: operator trial).
    public var tinyTitle: String {
        switch self {
        case .spreadVsDepth: return "Spr+dep"
        case .drainVsRefill: return "Drain"
        case .spread: return "Spread"
        case .depth10: return "±10bp"
        case .depth50: return "±50bp"
        case .liquidations10s: return "Liq 10s"
        case .liquidations60s: return "Liq 60s"
        case .stressedDeficit: return "Stress"
        }
    }
}

/// A signal's current reading. Values are `Double`: signals are indicators over exact figures,
/// not money, and they feed sparklines.
public struct SignalReading: Hashable, Sendable {
    public var kind: SignalKind
    public var value: Double
    public var baseline: Double?
    public var level: SignalLevel
    /// A count that goes with the value (liquidations in the window).
    public var count: Int?
    /// Of `count`, those the exchange reported (the rest were simulated).
    public var exchangeCount: Int? = nil
    /// The stressed deficit's quantity the book could not fill, and whether ADL would follow.
    public var unfilledQuantity: Double? = nil
    public var adlCertain = false
    /// The stressed deficit's quantity past the levels a top-of-book feed shows (see
    /// `StressedDeficit.pastShownQuantity`), and how many it shows a side.
    public var pastShownQuantity: Double? = nil
    public var shownLevels = 0
    /// The stressed deficit took `EngineConfiguration.stressedPositionsLimit` positions and more
    /// were near liquidation: a floor (`StressedDeficit.beyondLimit`).
    public var beyondLimit = false
    /// Judged against a baseline not learnt yet (the first `warmupSamples` of the market's book):
    /// its `ok` is no judgement. The Bybit and OKX recordings, 5 s and 11 s long, were never
    /// judged, a spread 142 times its baseline beside an empty ±10 bps reading `ok` (operator trial).
    public var learning = false
    /// The share of the book's closing side the stress's positions would take
    /// (`StressedDeficit.bookShare`), when at least the warning's.
    public var bookShare: Double? = nil
    /// The spread of a book with an empty side: its value is the cap, not a spread.
    public var sideMissing = false
    /// A signal read off the book while the market has none yet (a positions file names it, an
    /// exchange liquidation or a mark came first): its value is not a reading (`—`), and its
    /// history does not start with it (the sparkline drew a fall from 0 to the first real spread).
    public var noBook = false
    /// The value reads the book only as far as a top-of-book feed shows it, the book past those
    /// levels not being known: a floor (`≥`). The spread of a side whose levels shown the
    /// simulations emptied (to the deepest of them), the spread-and-depth ratio that widening
    /// gives, and a depth band reaching past the levels shown.
    public var pastShownLevels = false
}

/// What liquidating the riskiest positions of a market into its current book would leave (the
/// worse side).
public struct StressedDeficit: Hashable, Sendable {
    /// Money beyond the positions' collateral (fills worse than bankruptcy; under the
    /// fund-takes-over rule, plus the fund's present loss on what it holds).
    public var deficit: Fixed = .zero
    /// Quantity the book could not fill at all, and its value at the bankruptcy prices.
    public var unfilledQuantity: Fixed = .zero
    public var unfilledNotional: Fixed = .zero
    /// ADL would follow: the deficit exceeds the fund, or unfillable quantity goes to ADL.
    public var adlCertain = false
    /// Quantity past the deepest level of a feed that shows only the top of the book (`shownLevels`
    /// a side): not known to be unfillable, and not in `unfilledQuantity`; its loss at the deepest
    /// level shown is in `deficit`, which is then a floor (ADL follows where it passes the fund).
    public var pastShownQuantity: Fixed = .zero
    public var shownLevels = 0
    /// The positions liquidated into the book (see `Engine.leadingEntries`): of the side whose
    /// figures these are (`positionsSide`), else of both sides.
    public var positions = 0
    public var positionsSide: Side? = nil
    /// How far the mark was from the liquidation price of the nearest of `positions` (of
    /// `positionsSide`) when the stress was read, in % of the mark (negative: past it, its
    /// liquidation waiting on a book or a mark the engine does not trust); where no side's figure
    /// is shown, the nearer side's nearest (a calm book still says how close it is); nil with no
    /// position or no liquidation price. The stress liquidates the riskiest
    /// positions however far they are: `ADL near` stood beside positions 3.2 % away, and only
    /// this says how soon (operator trial).
    public var nearestDistancePercent: Fixed? = nil
    /// The nearest of them is at or past its liquidation (a distance of 0 or less, or a cross leg
    /// past its trigger at every price, which has no liquidation price): its liquidation waits on
    /// a book or a mark the engine does not trust.
    public var nearestIsPast: Bool {
        nearestPastAtEveryPrice || (nearestDistancePercent.map { !$0.isPositive } ?? false)
    }
    /// The nearest is a cross leg past its trigger at every price (no liquidation price; it was
    /// read as no side shown: review).
    public var nearestPastAtEveryPrice = false
    /// More positions were near liquidation than a sample takes (`stressedPositionsLimit` a
    /// side): the figures are a floor.
    public var beyondLimit = false
    /// The share of the closing side of the book (as known: not for a feed that shows only its
    /// top levels and ran out of them) the positions of `bookShareSide` near liquidation (within
    /// the alert band, `bookSharePositions` of them) would take, where it is at least
    /// `SignalThresholds.stressedBookShareWarn` (the walk stops short of the rest); over 1 where
    /// the book cannot fill them. nil below that, or not known. `bookSharePercent` is it in
    /// whole percent, rounded down exactly.
    public var bookShare: Double? = nil
    public var bookSharePercent = 0
    public var bookShareSide: Side? = nil
    public var bookSharePositions = 0
    /// The figures are a floor: the book past the levels the feed shows is not known, or more
    /// positions were near liquidation than were taken.
    public var isFloor: Bool { pastShownQuantity.isPositive || beyondLimit }

    /// `101 longs`, `1 short`, `100 positions` (both sides, when neither side's figure is shown),
    /// `≥10,000 longs` past the limit; `count` writes the number.
    public func positionsInWords(_ count: (Int) -> String) -> String {
        (beyondLimit ? "≥" : "") + count(positions) + " " + StressedDeficit.noun(positions, positionsSide)
    }

    /// `80 longs`: the positions near liquidation whose book share this is (`bookSharePositions`).
    public func bookSharePositionsInWords(_ count: (Int) -> String) -> String {
        count(bookSharePositions) + " " + StressedDeficit.noun(bookSharePositions, bookShareSide)
    }

    /// The side of the book the share is of: the bids longs close into, the asks of shorts.
    public var bookShareBook: String { bookShareSide == .short ? "asks" : "bids" }

    /// `long`, `longs`, `short`, `shorts`, `position`, `positions` (a side of none: both).
    static func noun(_ count: Int, _ side: Side?) -> String {
        switch side {
        case .long?: return count == 1 ? "long" : "longs"
        case .short?: return count == 1 ? "short" : "shorts"
        case nil: return count == 1 ? "position" : "positions"
        }
    }

    public init(deficit: Fixed = .zero, unfilledQuantity: Fixed = .zero, unfilledNotional: Fixed = .zero) {
        self.deficit = deficit
        self.unfilledQuantity = unfilledQuantity
        self.unfilledNotional = unfilledNotional
    }
}

public struct SignalChange: Hashable, Sendable {
    public var time: Int64
    public var symbol: String
    public var kind: SignalKind
    public var from: SignalLevel
    public var to: SignalLevel
    public var value: Double
    public var baseline: Double?
    /// A stressed deficit's quantity the book could not fill (ADL or the fund would take it),
    /// when that is what raised it: its value alone reads 0.
    public var unfilledQuantity: Double? = nil
    /// What that quantity counts (`Instrument.quantityUnit`), its lot's decimals
    /// (`Instrument.sizeDecimals`), and the deficit's asset.
    public var quantityUnit: String? = nil
    public var quantityDecimals: Int? = nil
    public var asset: String? = nil
    /// A spread raised because a side of the book is empty: there is no spread to give.
    public var sideMissing = false
    /// The value is a floor (see `SignalReading.pastShownLevels`).
    public var pastShownLevels = false
    /// A stressed deficit past what the fund holds, with no quantity the book cannot fill: ADL
    /// follows all the same (a coin fund nobody gave, at zero; its alert said a bare figure
    /// where the panes said `+ ADL`: operator trial).
    public var passesFund = false
}

/// Every threshold, documented and adjustable.
public struct SignalThresholds: Sendable {
    /// Spread level: warn at this multiple of its baseline, alert at the second; and only when the
    /// spread is at least `spreadFloorBps` or `spreadFloorTicks` ticks, whichever is narrower (a
    /// one-tick spread doubling is not news; a BTC spread of fifty ticks is, though under 1 bps).
    public var spreadWarnMultiple = 2.0
    public var spreadAlertMultiple = 4.0
    public var spreadFloorBps = 1.0
    /// 0: the bps floor alone.
    public var spreadFloorTicks = 10

    /// Whether a spread is wide enough to judge: at least the bps floor, or at least
    /// `spreadFloorTicks` whole ticks of a known instrument (`spreadTicks`, counted exactly in
    /// book units: a spread of exactly ten ticks is ten, where ten ticks' worth of bps in floating
    /// point can come out a hair above the spread's own bps and mute it).
    public func spreadIsJudged(spreadBps: Double, spreadTicks: Int64?) -> Bool {
        if spreadBps >= spreadFloorBps { return true }
        guard spreadFloorTicks > 0, let spreadTicks else { return false }
        return spreadTicks >= Int64(spreadFloorTicks)
    }
    /// Depth level: warn when depth falls to this fraction of its baseline, alert at the second.
    public var depthWarnFraction = 0.5
    public var depthAlertFraction = 0.25
    /// Spread widening + depth falling: warn when both have moved this many times against the
    /// book, alert at the second (the same multiples as the spread and depth levels: ×2 and ×4).
    public var spreadVsDepthWarn = 2.0
    public var spreadVsDepthAlert = 4.0
    /// Drain ratio (removed / added) during a liquidation series, capped at 100x.
    public var drainWarnRatio = 2.0
    public var drainAlertRatio = 4.0
    public var drainWindowSeconds = 5
    public var seriesSeconds: Int64 = 30
    /// Liquidations in 10 s: warn at either count or notional, alert at the second pair.
    public var liquidations10sWarn = (count: 3, notional: 250_000.0)
    public var liquidations10sAlert = (count: 10, notional: 1_000_000.0)
    public var liquidations60sWarn = (count: 10, notional: 1_000_000.0)
    public var liquidations60sAlert = (count: 30, notional: 5_000_000.0)
    /// Stressed deficit as a fraction of the fund balance.
    public var stressedWarnFraction = 0.1
    public var stressedAlertFraction = 0.5
    /// Stressed deficit: warn, whatever the money, when the positions it liquidates would take
    /// this share of the closing side of the book (the book left this thin, the next
    /// liquidations fill far from the mark).
    public var stressedBookShareWarn = 0.5
    /// Baselines: an exponential average over about this many one-second samples, learnt from the
    /// first `warmupSamples` before any level other than ok is given.
    public var baselineSamples = 300.0
    public var warmupSamples = 20
    public var historyLength = 120

    public init() {}
}
