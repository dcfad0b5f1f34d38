/// A fund reaching a state the operator must be told of, dated at the movement that brought it:
/// its drawdown from peak reaching the alert band, a deficit it could not pay, ADL beginning for
/// it. The demo's fund fell to 0.05 USDT and ADL closed 833 positions with no alert raised: only
/// the signals' levels paged anyone (operator trial).
public struct FundAlert: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable {
        /// The drawdown from the fund's peak reached `RiskBands.drawdownAlert`.
        case drawdown
        /// A bankrupt close's deficit the fund could not pay (whole or in part): the rest went to
        /// ADL or socialised loss. Not "the balance reached zero": under ADL the fund stands behind
        /// whole lots only, and the demo's fund stopped at 0.05 USDT (review).
        case fundExhausted = "fund_exhausted"
        /// A close was deleveraged for the fund, the first or the first after
        /// `RiskBands.adlUnderWaySeconds` without one.
        case adlBegan = "adl_began"
    }

    public var time: Int64
    public var venue: String
    public var asset: String
    public var kind: Kind
    /// The balance after the movement, and its drawdown from the peak (a fraction).
    public var balance: Fixed
    public var drawdown: Fixed
    /// The market whose liquidation moved the fund, when one did (a statement is no market's).
    public var symbol: String?

    /// The drawdown in percent (the fraction × 100).
    public var drawdownPercent: Fixed { drawdown * Fixed(100) }

    /// The drawdown in percent to `places`, rounded down as every figure beside a risk class is
    /// (a drawdown of 79.96 % read `80.0%`, past an 80 % band it had not reached).
    public func drawdownPercentText(places: Int) -> String { drawdownPercent.formatted(places, rounding: .down) }

    /// The fund as a person names it: `binance-usdm USDT fund`.
    public var fundName: String { (venue.isEmpty ? "" : venue + " ") + asset + " fund" }

    /// What it says, for a person (the names are escaped where told: a venue or market name
    /// comes from a file).
    public var message: String {
        let places = AssetPrecision.decimals(forAsset: asset)
        let balanceText = balance.formatted(places, grouping: true) + " " + asset
        let cause = symbol.map { " (\($0))" } ?? ""
        switch kind {
        case .drawdown:
            let percent = drawdownPercentText(places: 1)
            return "\(fundName) down \(percent)% from its peak, at \(balanceText)\(cause)"
        case .fundExhausted:
            return "\(fundName) exhausted at \(balanceText): a deficit it could not pay went to ADL or socialised loss\(cause)"
        case .adlBegan:
            return "ADL began for the \(fundName)\(cause): a bankrupt close the book or the fund could not take was deleveraged against profitable positions"
        }
    }
}

extension Engine {
    /// The window in which a deleverage continues the same ADL episode (`RiskBands.adlUnderWaySeconds`,
    /// whole nanoseconds; a window past Int64's range is all time).
    var adlUnderWayWindow: Int64 {
        Int64(clamping: (configuration.risk.adlUnderWaySeconds * Fixed(1_000_000_000)).raw / Fixed.scale)
    }

    /// A `kind` alert of fund `index` as it stands now.
    func fundAlert(_ kind: FundAlert.Kind, fund index: Int32, time: Int64, symbol: String?) -> EngineNotification {
        let fund = funds[Int(index)]
        return .fundAlert(FundAlert(time: time, venue: fund.venue, asset: fund.asset, kind: kind, balance: fund.balance,
            drawdown: fund.drawdownFraction, symbol: symbol))
    }

    /// After money moved through fund `index` (not its opening): its drawdown reaching the alert
    /// band. Told once, and again only after the fund came back under the warn band (which also
    /// re-arms the exhausted alert: see `noteFundExhausted`).
    mutating func noteFundAlerts(_ index: Int32, cause: FundCause, time: Int64, symbol: String?, into notes: inout [EngineNotification]) {
        guard cause != .opening else { return }
        let drawdown = funds[Int(index)].drawdownFraction
        if drawdown >= configuration.risk.drawdownAlert {
            if !funds[Int(index)].drawdownAlerted {
                funds[Int(index)].drawdownAlerted = true
                notes.append(fundAlert(.drawdown, fund: index, time: time, symbol: symbol))
            }
        } else if drawdown < configuration.risk.drawdownWarn {
            funds[Int(index)].drawdownAlerted = false
            funds[Int(index)].exhaustedAlerted = false
        }
    }

    /// After a bankrupt close whose deficit fund `index` could not pay, whole or in part. Told
    /// once until the fund is back under its warn band (a fee after it must not page again at
    /// every later deficit of the same cascade).
    mutating func noteFundExhausted(_ index: Int32, time: Int64, symbol: String, into notes: inout [EngineNotification]) {
        guard !funds[Int(index)].exhaustedAlerted else { return }
        funds[Int(index)].exhaustedAlerted = true
        notes.append(fundAlert(.fundExhausted, fund: index, time: time, symbol: symbol))
    }

    /// Before a close is deleveraged for fund `index`: ADL beginning, when none was within the
    /// window (`adlUnderWayWindow`) before it.
    mutating func noteADLBegins(fund index: Int32, time: Int64, symbol: String, into notes: inout [EngineNotification]) {
        let last = funds[Int(index)].lastDeleverageTime
        guard last == .min || time &- last > adlUnderWayWindow else { return }
        notes.append(fundAlert(.adlBegan, fund: index, time: time, symbol: symbol))
    }
}
