/// The engine decides every risk level: the thresholds are `EngineConfiguration.risk`
/// (`RiskBands`) and `signals`, and panes and reports show the class, never a threshold of their own.
extension Engine {
    /// A margin ratio's band (nil: bankrupt, which is alert).
    public func marginRatioLevel(_ ratio: Fixed?) -> SignalLevel {
        guard let ratio else { return .alert }
        if ratio >= configuration.risk.marginRatioAlert { return .alert }
        return ratio >= configuration.risk.marginRatioWarn ? .warn : .ok
    }

    /// A distance to liquidation's band (% of the mark; nil: no liquidation price, ok).
    public func distanceLevel(_ percent: Fixed?) -> SignalLevel {
        guard let percent else { return .ok }
        if percent < configuration.risk.distanceAlertPercent { return .alert }
        return percent < configuration.risk.distanceWarnPercent ? .warn : .ok
    }

    /// Whether a position is in the "near liquidation" band (its distance in the alert band).
    public func isNearLiquidation(_ index: Int32) -> Bool {
        let position = positions[Int(index)]
        guard position.isOpen, let mark = markets[Int(position.symbolIndex)].markPrice else { return false }
        return isNearLiquidation(position, mark: mark)
    }

    /// The same for a position and its market's mark, without a division (`gap × 100 <
    /// alert% × mark` is `gap ÷ mark × 100 < alert%` for a positive mark): counting a million
    /// positions a second must not cost a 128-bit division each.
    public func isNearLiquidation(_ position: Position, mark: Fixed) -> Bool {
        // Past its trigger at every price: as near as a position can be.
        if position.isOpen && position.isPastAtEveryPrice { return true }
        guard position.isOpen, mark.isPositive, let liquidation = position.liquidation else { return false }
        let gap = position.side == .long ? mark - liquidation : liquidation - mark
        return gap * 100 < configuration.risk.distanceAlertPercent * mark
    }

    /// Whether a reading's nearest position is nearer its liquidation than another's: past its
    /// trigger at every price first, then the smaller distance.
    static func isNearer(_ reading: StressedDeficit, than other: StressedDeficit) -> Bool {
        if reading.nearestIsPast != other.nearestIsPast { return reading.nearestIsPast }
        guard let distance = reading.nearestDistancePercent else { return false }
        guard let otherDistance = other.nearestDistancePercent else { return true }
        return distance < otherDistance
    }

    /// A book not changed for this long of session time belongs to a feed that ended, not paused.
    public static let endedBookAge: Int64 = 3_600 * 1_000_000_000

    /// Whether a market's book has not changed for `endedBookAge` (see `fundState`).
    public func isEnded(market index: Int) -> Bool {
        let last = markets[index].lastBookTime
        return last != .min && time &- last >= Engine.endedBookAge
    }

    /// Tells a book that changed again after `endedBookAge` without a change, where positions are
    /// monitored: they were placed (a synthetic book at the market's first mark, a positions file)
    /// against the book of then, and a recording of 2020 joined to one of 2024 liquidated the
    /// 2020 positions at the first 2024 event, emptying the fund with nothing said but that the
    /// inputs started years apart (operator trial). Told as it happens; a test of one subtraction
    /// on every book event.
    @inline(__always)
    mutating func noteResumed(market index: Int, after before: Int64, into notes: inout [EngineNotification]) {
        // An hour or more: an hour to the nanosecond too (attacker trial).
        guard before != .min, markets[index].lastBookTime &- before >= Engine.endedBookAge else { return }
        // Held: open ones (the list keeps closed ones too). Read only once the gap is found, so
        // the book's hot path pays the subtraction alone.
        guard samplingEnabled, markets[index].positionIndices.contains(where: { positions[Int($0)].isOpen }) else { return }
        notes.append(.marketCondition(MarketCondition(time: time, symbol: markets[index].symbol, kind: .resumed,
            reason: EventTime.duration(markets[index].lastBookTime &- before))))
    }

    /// The insurance fund of an asset on the session's leading venue (see `fund(_:)`).
    public func fundState(asset: String) -> FundState {
        let fund = fund(asset)
        return fundState(venue: fund.venue, asset: asset)
    }

    /// A venue's insurance fund of an asset as the operator reads it (the stressed deficit of the
    /// venue's markets in the asset as the signals last sampled it, or read it for a still screen,
    /// so a pane redrawn thirty times a second walks no book). ADL is active or happened when this fund's own liquidations
    /// deleveraged: another venue's ADL says nothing of this one.
    public func fundState(venue: String, asset: String) -> FundState {
        let fund = fund(venue: venue, asset: asset)
        let fundIndex = fundIndexes[FundKey(venue: venue, asset: asset)]
        let drawdown = fund.drawdownFraction
        func level(_ drawdown: Fixed) -> SignalLevel {
            drawdown >= configuration.risk.drawdownAlert ? .alert : (drawdown >= configuration.risk.drawdownWarn ? .warn : .ok)
        }
        let drawdownLevel = level(drawdown)
        var stressed = StressedDeficit()
        var stressedUnit: String? = nil
        var stressedMarket: String? = nil
        var stressedIndex: Int? = nil
        var backed = 0
        // A market whose book has not changed for an hour of session time is a feed that ended
        // (a recording of 2021 beside one of 2024), not one that paused: its last stress is
        // not the fund's while a market it backs is live (AKROUSDT's 2021 book read `ADL NEAR`
        // and `nearest liq 0.09%` on the fund of a 2024 session: operator trial). A fund whose
        // every market ended still shows the worst of them.
        // (A market with no book yet reads no stress, and counts as neither.)
        let anyLive = markets.indices.contains { markets[$0].fundIndex == fundIndex && markets[$0].lastBookTime != .min && !isEnded(market: $0) }
        var endedStressMarket: String? = nil
        var endedWorst: StressedDeficit? = nil
        var nearest: (reading: StressedDeficit, market: Int)? = nil
        for index in markets.indices where markets[index].fundIndex == fundIndex {
            backed += 1
            let reading = markets[index].shownStress
            if anyLive && isEnded(market: index) {
                // The worst of them, as the live ones are ranked: ADL first, then the larger
                // deficit (the first in the list was named: SUSHIUSDT's 3,701.91 over AKROUSDT's
                // 360,500.42 and ADL: operator trial).
                if reading.adlCertain || reading.deficit.isPositive || reading.unfilledQuantity.isPositive {
                    let worse = endedWorst.map { worst in
                        reading.adlCertain != worst.adlCertain ? reading.adlCertain : reading.deficit > worst.deficit
                    } ?? true
                    if worse {
                        endedWorst = reading
                        endedStressMarket = markets[index].symbol
                    }
                }
                continue
            }
            // ADL first, then the larger deficit; a floor (a walk past the levels a top-of-book
            // feed shows) over a figure of nothing, or the pane read "no stressed deficit". One
            // market's figure whole: a larger deficit elsewhere was shown with this one's ADL, as
            // if that deficit went to ADL (`40% of 5,000 → ADL` of a market whose book fills).
            let adlFirst = reading.adlCertain && !stressed.adlCertain
            let sameADL = reading.adlCertain == stressed.adlCertain
            let floorOverNothing = sameADL && stressed.deficit == reading.deficit
                && stressed.pastShownQuantity.isZero && reading.pastShownQuantity.isPositive
            // A book left thin (no money lost yet) over a stress of nothing: the larger share.
            let shareOverNothing = !stressed.adlCertain && !stressed.deficit.isPositive && !reading.deficit.isPositive
                && stressed.pastShownQuantity.isZero && stressed.unfilledQuantity.isZero && !reading.adlCertain
                && (reading.bookShare ?? 0) > (stressed.bookShare ?? 0)
            if adlFirst || (sameADL && reading.deficit > stressed.deficit) || floorOverNothing || shareOverNothing {
                stressed = reading
                stressedUnit = markets[index].instrument.quantityUnit
                stressedMarket = markets[index].symbol
                stressedIndex = index
            }
            if reading.positions > 0, reading.nearestIsPast || reading.nearestDistancePercent != nil,
               nearest.map({ Engine.isNearer(reading, than: $0.reading) }) ?? true {
                nearest = (reading, index)
            }
        }
        // No stress anywhere: the calm reading whose nearest position is nearest its liquidation,
        // so the fund says how close it is (the line came only with a stress, and went with the
        // ended market's it had followed, beside positions 0.05 % away: operator trial).
        var nearestMarket = stressedMarket
        if stressedMarket == nil, let nearest {
            stressed = nearest.reading
            stressedUnit = markets[nearest.market].instrument.quantityUnit
            nearestMarket = markets[nearest.market].symbol
        }
        let exposure = fundIndex.map { takeoverExposure(fund: $0).pnl } ?? .zero
        let adl: ADLState
        // ADL beyond the monitored positions is ADL all the same (it read "idle" with 0.62 BTC
        // deleveraged against counterparties the session does not watch).
        let deleveraged = fund.hasDeleveraged
        // Within the window (whole nanoseconds of it; a window past Int64's range is all time).
        let recent = deleveraged && fund.lastDeleverageTime != .min && time &- fund.lastDeleverageTime <= adlUnderWayWindow
        if deleveraged && !fund.balance.isPositive { adl = .active }
        else if recent { adl = .underWay }
        else if stressed.adlCertain || (stressed.deficit.isPositive && stressed.deficit >= fund.balance * configuration.risk.adlNearFraction) {
            adl = .near
        } else if deleveraged { adl = .happened }
        else { adl = .idle }
        var state = FundState(venue: venue, asset: asset, balance: fund.balance, drawdown: drawdown, drawdownLevel: drawdownLevel,
            stressed: stressed, stressedUnit: stressedUnit, stressedMarket: stressedMarket, nearestMarket: nearestMarket,
            endedStressMarket: endedStressMarket, marketsBacked: backed,
            takeoverExposure: exposure, adl: adl)
        state.nearFromEndedBook = adl == .near && stressedIndex.map { isEnded(market: $0) } == true
        state.deepestDrawdown = fund.deepestDrawdown
        state.deepestDrawdownLevel = level(fund.deepestDrawdown)
        state.deepestDrawdownTime = fund.deepestDrawdownTime
        return state
    }
}

/// Where auto-deleveraging stands for a fund.
public enum ADLState: String, Hashable, Sendable {
    case idle
    /// It has happened this session; the fund is not empty now.
    case happened
    /// A close was deleveraged within `RiskBands.adlUnderWaySeconds`; the fund is not empty.
    case underWay = "under_way"
    /// The stressed deficit reaches the fund, or unfillable quantity would go to ADL.
    case near
    /// It has happened and the fund is empty.
    case active

    /// In words, for text (`under way`).
    public var label: String { self == .underWay ? "under way" : rawValue }
}

extension Engine {
    /// What a fund's takeovers are worth: the unrealised PnL of the positions it took over (only
    /// `--unfilled fund-takes-over` takes any) in every market it backs, each at its mark, or
    /// `shocked`'s market at the shocked price; and whether it holds any. The fund pane's and the
    /// report's exposure, and a stress step's fund equity, read this one sum.
    func takeoverExposure(fund fundIndex: Int32, shocked: (market: Int, price: Fixed)? = nil) -> (pnl: Fixed, holds: Bool) {
        guard configuration.unfilled == .fundTakesOver else { return (.zero, false) }
        var pnl = Fixed.zero
        var holds = false
        for index in markets.indices where markets[index].fundIndex == fundIndex {
            guard !markets[index].fundLong.isEmpty || !markets[index].fundShort.isEmpty else { continue }
            holds = true
            let mark = shocked.map { $0.market == index ? $0.price : markets[index].markPrice } ?? markets[index].markPrice
            if let mark { pnl += markets[index].fundExposure(at: mark) }
        }
        return (pnl, holds)
    }
}

/// The fund as the engine classifies it.
public struct FundState: Hashable, Sendable {
    public var venue: String
    public var asset: String
    public var balance: Fixed
    /// From the peak, as a fraction.
    public var drawdown: Fixed
    public var drawdownLevel: SignalLevel
    /// The session's deepest drawdown (a fraction of the peak before it), its class, and when.
    public var deepestDrawdown = Fixed.zero
    public var deepestDrawdownLevel = SignalLevel.ok
    public var deepestDrawdownTime: Int64 = 0
    /// Whether the session's deepest drawdown, past its level, was deeper than the drawdown now
    /// by a point or more: the pane says how deep it went and when (a fund refilled within the
    /// event that drained it read `73.7% of peak` where it had gone to 99.9 %).
    public var showsDeeperDrawdown: Bool {
        deepestDrawdownLevel != .ok && deepestDrawdown - drawdown >= Fixed("0.01")!
    }
    /// The worst market's stressed deficit in this asset, whole: one whose stress makes ADL
    /// certain before any other, then the largest deficit (ADL certain if any market's is).
    public var stressed: StressedDeficit
    /// What that market's quantities count (`BTC`, `contracts`): the unit of `stressed`'s
    /// quantity the book cannot fill.
    public var stressedUnit: String?
    /// That market (nil while no market's stress shows anything), and how many markets the fund
    /// backs: a fund shared by several shows the worst one's stress, which is not the focused
    /// market's.
    public var stressedMarket: String? = nil
    /// The market whose position `stressed.nearestDistancePercent` is of: `stressedMarket`, or with
    /// no stress anywhere the one whose nearest position is nearest its liquidation.
    public var nearestMarket: String? = nil
    /// A market whose book ended (`Engine.isEnded`) with a stress of its own that `stressed`
    /// leaves out, the fund backing a live one: said beside the fund's figure (its signals read
    /// ALERT while its fund said no stressed deficit: operator trial).
    public var endedStressMarket: String? = nil
    /// ADL NEAR from the stress of a market whose book ended (every market the fund backs ended):
    /// said so, and not pressing (a Binance fund's `ADL near` from AKROUSDT's 2021 book stood
    /// first in a 2022 moment: operator trial).
    public var nearFromEndedBook = false
    public var marketsBacked = 0
    /// The fund's unrealised PnL on what it took over (negative is a loss).
    public var takeoverExposure: Fixed
    public var adl: ADLState
}

extension Engine {
    /// Watched markets whose book cannot be trusted now (no snapshot yet, or a gap since), in the
    /// order they appeared: what the status bar, the feed summary and the alerts call stale.
    public var staleMarkets: [String] { markets.filter { $0.isWatched && $0.isStale }.map(\.symbol) }

    /// Watched markets whose mark is too old to liquidate on (as of the last signal sample:
    /// `MarketState.markOutdated`), their book trusted or not: a feed that died whole is a stale
    /// book and an outdated mark, and only the mark's alert says cross accounts with a position
    /// there wait too.
    public var outdatedMarkMarkets: [String] { markets.filter { $0.isWatched && $0.markOutdated }.map(\.symbol) }

    /// The stale markets' names, those that never had a book (no snapshot: a positions file's
    /// market no recording covers, a stream that sent none) apart from those whose book went stale
    /// (a gap, or no change for too long): the status bar said `BOOKS STALE` of both, which read as
    /// a gap where no book ever came.
    public var staleMarketsByKind: (noBook: [String], stale: [String]) {
        var noBook: [String] = []
        var stale: [String] = []
        for market in markets where market.isWatched && market.isStale {
            // A market whose only snapshot was refused had a book sent, a bad one: stale, not absent.
            if market.book.hasSnapshot || market.snapshotRefused { stale.append(market.symbol) } else { noBook.append(market.symbol) }
        }
        return (noBook, stale)
    }

    /// Whether any watched market's book is stale, without listing them.
    public var hasStaleMarket: Bool { markets.contains { $0.isWatched && $0.isStale } }
}
