/// Why money moved into or out of the insurance fund.
public enum FundCause: String, Hashable, Sendable, CaseIterable {
    /// The fund's balance when monitoring began (`--insurance-fund`, a positions file).
    case opening
    /// The liquidation clearance fee: rate × liquidated notional, taken from what the fill left.
    case liquidationFee = "liquidation_fee"
    /// What a fill better than bankruptcy left after the fee.
    case surplus
    /// A fill worse than bankruptcy: paid by the fund.
    case deficit
    /// The operator's own system stated a new balance; the difference is booked here.
    case statement
}

public struct FundEntry: Hashable, Sendable {
    public var time: Int64
    /// The venue whose fund moved (`binance-usdm`; empty for markets of no venue).
    public var venue: String
    public var asset: String
    public var cause: FundCause
    /// Positive in, negative out.
    public var amount: Fixed
    public var balanceAfter: Fixed
    public var symbol: String?
    public var account: String?
}

/// The insurance fund of one venue in one settlement asset: a ledger of every movement with its
/// cause, the balance, its peak and low, and the drawdown from peak. Each venue backs its own
/// liquidations: Bybit's fund pays nothing of a Binance deficit, so a session of several venues
/// has a fund for each (`Engine.funds`).
public struct InsuranceFund: Hashable, Sendable {
    /// The venue (`binance-usdm`; empty for markets of no venue).
    public let venue: String
    public let asset: String
    public private(set) var balance: Fixed = .zero
    public private(set) var opening: Fixed = .zero
    public private(set) var peak: Fixed = .zero
    public private(set) var low: Fixed = .zero
    /// When the balance was last at `low` (the first time it got there).
    public private(set) var lowTime: Int64 = 0
    public private(set) var totals: [FundCause: Fixed] = [:]
    /// The deepest drawdown this session, as a fraction of the peak before it, and when it was
    /// reached: a fund drained to 0.05 and refilled by later fees read `drawdown 0.00 (0.0% of
    /// peak)` at the end of the demo, its low scrolled out of the chart (operator trial).
    public private(set) var deepestDrawdown: Fixed = .zero
    public private(set) var deepestDrawdownTime: Int64 = 0
    /// The most recent entries (bounded, so a long session's memory stays flat); `entryCount`
    /// counts all of them.
    public private(set) var recentEntries = RingBuffer<FundEntry>(capacity: InsuranceFund.recentLimit)
    public private(set) var entryCount = 0
    /// Positions closed by auto-deleveraging because this fund could not pay (or the book could not
    /// fill) a bankrupt close of its venue and asset.
    public internal(set) var adlEvents = 0
    /// Bankrupt closes of its venue and asset whose ADL went beyond the monitored positions (the
    /// opposite side the session watches held too little): ADL against counterparties liqwatch
    /// does not see, which must not read as no ADL.
    public internal(set) var adlBeyondMonitored = 0
    /// What socialised losses of this fund's venue and asset charged winners' profits, and what
    /// no profit covered (bad debt, positive), this session (`--shortfall socialised-loss`).
    /// Kept per fund, not per asset: the ledger's totals are per asset, and a Binance USDT fund
    /// pane showed Bybit USDT's socialised loss as its own (review).
    public internal(set) var socialisedCharged = Fixed.zero
    public internal(set) var badDebt = Fixed.zero
    /// Session time of the last close deleveraged for this fund (monitored or beyond); `.min` before.
    public internal(set) var lastDeleverageTime: Int64 = .min
    /// Whether ADL has happened for this fund this session, on monitored positions or beyond them.
    public var hasDeleveraged: Bool { adlEvents > 0 || adlBeyondMonitored > 0 }
    /// Its drawdown alert and its exhausted alert were told, and it has not come back under its
    /// warn band since (see `Engine.noteFundAlerts`).
    public internal(set) var drawdownAlerted = false
    public internal(set) var exhaustedAlerted = false
    public static let recentLimit = 10_000
    /// The largest balance a statement or an opening may give (a quadrillion): four venues'
    /// funds and every movement through them stay far inside `Fixed`'s range.
    public static let largestBalance = Fixed(1_000_000_000_000_000)

    public init(venue: String = "", asset: String) {
        self.venue = venue
        self.asset = asset
    }

    /// Whether anything moved through the fund or anyone stated it: a fund the session uses. A
    /// market's fund exists from the market's first event, empty until then.
    public var isInUse: Bool { entryCount > 0 }

    /// Books a movement. Deficit payments may take the balance below zero only if the caller
    /// allows it; the engine never does (what the fund cannot pay goes to ADL or socialised loss).
    mutating func book(
        _ amount: Fixed, cause: FundCause, time: Int64, symbol: String? = nil, account: String? = nil
    ) -> FundEntry {
        if entryCount == 0 && cause == .opening { opening = amount; peak = amount; low = amount; lowTime = time }
        balance += amount
        totals[cause, default: .zero] += amount
        if balance > peak { peak = balance }
        // A fund whose first movement is not its opening opened at nothing: its low is that 0
        // until the balance goes under it (an OKX coin fund that opened at 0 and took fees
        // reported `start 0, min 0.00016528`: operator trial).
        if balance < low { low = balance; lowTime = time }
        if balance < peak {
            let fraction = drawdownFraction
            if fraction > deepestDrawdown { deepestDrawdown = fraction; deepestDrawdownTime = time }
        }
        entryCount += 1
        let entry = FundEntry(
            time: time, venue: venue, asset: asset, cause: cause, amount: amount, balanceAfter: balance, symbol: symbol, account: account)
        recentEntries.append(entry)
        return entry
    }

    /// The lowest balance among the last `count` movements, or nil when there were none: what a
    /// chart sampled once a second must show of a drain and recovery within that second. Past the
    /// recent movements kept, the session's low counts when it came after `since`.
    public func lowestOfLast(_ count: Int, since: Int64) -> Fixed? {
        let kept = min(count, recentEntries.count)
        guard kept > 0 else { return nil }
        var lowest = recentEntries[recentEntries.count - 1].balanceAfter
        for offset in recentEntries.count - kept ..< recentEntries.count {
            lowest = Fixed.minimum(lowest, recentEntries[offset].balanceAfter)
        }
        if count > kept && lowTime > since { lowest = Fixed.minimum(lowest, low) }
        return lowest
    }

    /// How many of the fund's movements came after `time` (those past the recent ones kept are
    /// counted as after it: the session's low then stands for them, see `lowestOfLast`).
    public func movements(after time: Int64) -> Int {
        var count = 0
        var offset = recentEntries.count - 1
        while offset >= 0 && recentEntries[offset].time > time {
            count += 1
            offset -= 1
        }
        return offset < 0 ? entryCount : count
    }

    /// Whether anyone gave this fund a balance (an opening, even of zero, or a later statement).
    /// A fund that only ever saw liquidation money was never given: a deficit in its asset is paid
    /// from what those liquidations left, and what it cannot pay goes to ADL or socialised loss,
    /// exactly as for a fund given at zero (`Engine.closeBankrupt`).
    public var wasGiven: Bool { totals[.opening] != nil || totals[.statement] != nil }

    public var drawdown: Fixed { peak - balance }

    /// Drawdown as a fraction of the peak; zero for an empty fund.
    public var drawdownFraction: Fixed { peak.isPositive ? drawdown / peak : .zero }

    public var inflows: Fixed { (totals[.liquidationFee] ?? .zero) + (totals[.surplus] ?? .zero) }
    public var outflows: Fixed { -(totals[.deficit] ?? .zero) }
}
