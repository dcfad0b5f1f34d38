import Dispatch
import Synchronization

/// The projection of a mark shock: what would be liquidated, in trigger order, compounding through
/// the book, and what it would cost the fund.
public struct StressResult: Sendable {
    public var symbol: String
    public var shockPercent: Fixed
    public var markBefore: Fixed
    public var markAfter: Fixed
    public var asset: String
    /// The projected liquidations and ADL closes, in order; empty when the projection kept only
    /// its totals (`stress(keepingRecords: false)`: a ladder's step at a million positions would
    /// hold half a million records, and the report and the ladder show only the totals).
    public var liquidations: [LiquidationRecord]
    public var adl: [ADLRecord]
    /// The totals, kept whether or not the records are.
    public var liquidationCount = 0
    public var adlCloseCount = 0
    public var liquidatedNotional: Fixed = .zero
    /// Quantity sent to ADL by the projected liquidations (what the book or the fund could not
    /// cover): the monitored positions closed (`adl`) and `adlUnfilled` beyond them.
    public var adlQuantity: Fixed = .zero
    /// What the monitored opposite positions took of it.
    public var adlClosedQuantity: Fixed = .zero
    /// In the market's settlement asset (coin for an inverse contract), of the monitored closes.
    public var adlNotional: Fixed = .zero
    public var adlUnfilled: Fixed
    public var totalDeficit: Fixed
    public var fundBefore: Fixed
    public var fundAfter: Fixed
    /// The unrealised PnL of what the fund holds after the shock (positions it took over, under
    /// `--unfilled fund-takes-over`, before the shock or in it), in every market it backs: this
    /// market's at the shocked mark, the others' at their marks. Money the fund would lose closing
    /// them there. Without it the ladder read "deficit 0, fund after 194.50" at every shock while
    /// the fund held 0.9 BTC taken over at 58,005 (attacker trial); the review found the first
    /// version counted this market's holdings only.
    public var fundHoldingsPnL: Fixed = .zero
    /// Whether the fund holds anything taken over after the shock (the report and the what-if
    /// show its holdings and equity then, whatever their PnL).
    public var fundHolds = false
    /// The fund's balance with `fundHoldingsPnL`: what it would have closing its holdings at the
    /// shocked mark.
    public var fundEquityAfter: Fixed { fundAfter + fundHoldingsPnL }
    public var socialisedLoss: Fixed
    /// Distinct positions liquidated or deleveraged.
    public var positionsHit: Int
    /// Distinct positions the ADL closes cut (each is cut once for each liquidation it covers).
    public var positionsDeleveraged = 0
    /// Why nothing could be liquidated into this market's book (no book, or a stale one): the
    /// triggers the shock crosses are not projected, and the result says so.
    public var blocked: LiquidationBlock?
    /// Whether the shock crosses any of the market's triggers: a blocked market's shock that
    /// crosses none has nothing waiting (the what-if said "triggers crossed" of a −1 % shock of
    /// an outdated book that crossed nothing: review).
    public var crossesTrigger = false

    /// What the book could not fill, and what of it the fund took over (the rest went to ADL).
    public var unfilledQuantity: Fixed = .zero
    public var fundTakeoverQuantity: Fixed = .zero
    /// What lay past the deepest level of a feed that shows only the top of the book (`shownLevels`
    /// a side): the book there is not known; it was settled at the deepest level shown (at
    /// bankruptcy where that is worse), no better than the book beyond, so the deficit and what
    /// follows are a floor.
    public var pastShownQuantity: Fixed = .zero
    public var shownLevels = 0
    /// Other markets where the shock's liquidations (cross accounts' legs there) left quantity
    /// the book could not fill: their quantities are in their own units, never summed here.
    public var otherMarketsUnfilled: Set<String> = []
    /// Positions of this market whose triggers the shocked mark crosses but which the engine
    /// would not liquidate: their cross accounts hold a leg in another market at a mark it cannot
    /// liquidate on (outdated, disputed; `Engine.liquidationWait`). Not projected: a shock of a
    /// market holding bankrupt cross positions read `0 liquidations … No ADL` beside a signals
    /// pane at ALERT (operator trial). `waitingLeg` names the first such leg's market and why.
    public var waitingOnLegs = 0
    public var waitingLeg: (symbol: String, block: LiquidationBlock)? = nil

}

/// The shocks the report's stress table and the what-if ladder show, in percent.
public enum StressLadder {
    public static let shocks: [Int] = [-20, -10, -5, -2, -1, 1, 2, 5, 10, 20]
}

public enum StressError: Error, Hashable, Sendable, CustomStringConvertible {
    case unknownSymbol(String)
    case noMark(String)
    case shockOutOfRange

    public var description: String {
        switch self {
        case .unknownSymbol(let symbol): return "no market for \(symbol)"
        case .noMark(let symbol): return "\(symbol) has no mark price (its feed has given none)"
        case .shockOutOfRange: return "the shock must be above -100% and at most +1000%"
        }
    }
}

extension Engine {
    /// Shocks the mark of `symbol` by `shockPercent` (−5 means 5 % down) on a copy of the engine and
    /// returns the projection: the book is moved with the mark, the positions whose triggers the
    /// move crosses are liquidated in trigger order through it. The engine itself is untouched.
    /// Without `keepingRecords`, the result holds the totals only (see `StressResult.liquidations`).
    public func stress(symbol: String, shockPercent: Fixed, keepingRecords: Bool = true) throws(StressError) -> StressResult {
        try stress(symbol: symbol, shockPercent: shockPercent, keepingRecords: keepingRecords, liquidationsPerSlice: 4_096)
    }

    /// `stress`, its cascade cut every `liquidationsPerSlice` liquidations (`.max`: applied whole).
    /// `copyingAlways`: never the shortcut of a shock that crosses no trigger (tests compare the two).
    func stress(symbol: String, shockPercent: Fixed, keepingRecords: Bool, liquidationsPerSlice slice: Int,
                copyingAlways: Bool = false) throws(StressError) -> StressResult {
        guard let index = marketIndex(of: symbol) else { throw StressError.unknownSymbol(symbol) }
        guard let mark = markets[index].markPrice else { throw StressError.noMark(symbol) }
        guard shockPercent > Fixed(-100), shockPercent <= Fixed(1000) else { throw StressError.shockOutOfRange }
        let asset = markets[index].instrument.settlementAsset
        let tick = markets[index].instrument.tickSize
        // A shock near -100 % rounds to a mark of 0, which no market quotes (the engine ignores a
        // mark that is not positive: the projection read "→ 0.00: 0 liquidations"); the lowest
        // price the market can quote, one tick (a market of no tick: a book's smallest unit),
        // stands for it, and the result shows it.
        let exact = mark * (Fixed(100) + shockPercent) / Fixed(100)
        var shocked = Fixed.maximum(exact.rounded(toMultipleOf: tick), tick.isPositive ? tick : Fixed(bookUnits: 1))
        // A tick coarser than the move (an instrument file's tick of 10⁸ on BTCUSDT) rounded a
        // −5 % shock up to the tick, a rise that liquidated the shorts (attacker trial): such a
        // mark is taken to the book's unit instead, the way the shock goes.
        if (shockPercent.isNegative && shocked >= mark) || (shockPercent.isPositive && shocked <= mark) {
            shocked = Fixed(bookUnits: Swift.max(1, exact.bookUnits))
        }
        // The fund as it stands, without a copy of the engine, where nothing would be liquidated
        // (never mid-cascade: that one ends first). A market no position was ever placed in has
        // nothing to liquidate, and a shock of its mark moves nothing else (the engine's markets
        // array, copied for each of a report's markets, made the report quadratic in them: 10,000
        // marks of distinct symbols from an event stream kept a headless report building for
        // minutes; attacker trial). Nor does a shock that crosses none of the market's triggers,
        // no cross account spanning markets here (whose other legs it would revalue): then what
        // the fund holds is valued at the shocked mark (a report's stress tables copied every
        // market for each of ten shocks of each market with positions: 2,000 such markets took
        // 17 s; attacker trial).
        let noPositions = markets[index].positionIndices.isEmpty
        if !isMidCascade && (noPositions
            || (!copyingAlways && markets[index].multiSymbolCrossAccounts.isEmpty && !crossesTrigger(market: index, at: shocked))) {
            let balance = fund(market: index).balance
            var result = StressResult(
                symbol: symbol, shockPercent: shockPercent, markBefore: mark, markAfter: shocked, asset: asset,
                liquidations: [], adl: [], adlUnfilled: .zero, totalDeficit: .zero, fundBefore: balance,
                fundAfter: balance, socialisedLoss: .zero, positionsHit: 0, blocked: nil)
            if !noPositions {
                (result.fundHoldingsPnL, result.fundHolds) = takeoverExposure(fund: markets[index].fundIndex, shocked: (index, shocked))
                // Said on every row of a market whose book or mark is not liquidated into, as
                // on the rows that cross a trigger (the report's −1 % and +1 % rows alone read as
                // if the book were fine: operator trial).
                result.blocked = liquidationBlock(market: index)
            }
            return result
        }
        var copy = self
        copy.samplingEnabled = false
        copy.dropADLScanInputs()
        var notes: [EngineNotification] = []
        // Taken in the middle of a cascade applied in slices (a dashboard): the event under way
        // ends first, at the present mark, and its liquidations are part of the projection.
        if copy.isMidCascade { copy.finishCascade(into: &notes) }
        // The ADL queues were ranked at the present mark: the shocked one ranks them anew.
        copy.markets[index].adlLongs = nil
        copy.markets[index].adlShorts = nil
        // The book moves with the mark, its shape kept, as in a gap: the liquidations meet the
        // liquidity that would stand at the shocked price, and each one's fills consume it for
        // the next (the overlay), so they compound.
        copy.markets[index].book = copy.markets[index].book.shifted(by: (shocked - mark).bookUnits)
        copy.markets[index].markFromStream = true
        var result = StressResult(
            symbol: symbol, shockPercent: shockPercent, markBefore: mark, markAfter: shocked, asset: asset,
            liquidations: [], adl: [], adlUnfilled: .zero, totalDeficit: .zero, fundBefore: fund(market: index).balance,
            fundAfter: .zero, socialisedLoss: .zero, positionsHit: 0, blocked: nil)
        var hit = Set<Int32>()
        var deleveraged = Set<Int32>()
        // Quantities are the shocked market's only: a cross account's leg elsewhere liquidated by
        // the shock counts its quantity in its own market's unit (a BTCUSDT leg's 0.99 BTC bound
        // for ADL was reported as 0.99 XYZ of a shock of XYZUSDT: attacker trial). Its money is
        // counted, in the shocked market's asset.
        let shockedSymbol = markets[index].symbol
        func tally(_ notes: inout [EngineNotification]) {
            for note in notes {
                switch note {
                case .liquidation(let record):
                    if keepingRecords { result.liquidations.append(record) }
                    result.liquidationCount += 1
                    result.liquidatedNotional += record.notional
                    if record.asset == asset { result.totalDeficit += record.deficit }
                    if record.symbol == shockedSymbol {
                        result.adlQuantity += record.adlQuantity
                        result.unfilledQuantity += record.unfilledQuantity
                        result.fundTakeoverQuantity += record.fundTakeoverQuantity
                        if record.pastShownLevels > 0 {
                            result.pastShownQuantity += record.pastShownQuantity
                            result.shownLevels = Int(record.pastShownLevels)
                        }
                    } else if record.unfilledQuantity.isPositive || record.adlQuantity.isPositive {
                        result.otherMarketsUnfilled.insert(record.symbol)
                    }
                    hit.insert(record.position)
                case .adl(let record):
                    if keepingRecords { result.adl.append(record) }
                    result.adlCloseCount += 1
                    if record.symbol == shockedSymbol { result.adlClosedQuantity += record.quantity }
                    result.adlNotional += record.notional
                    hit.insert(record.position)
                    deleveraged.insert(record.position)
                case .adlUnfilled(let symbol, let quantity, _):
                    if symbol == shockedSymbol { result.adlUnfilled += quantity } else { result.otherMarketsUnfilled.insert(symbol) }
                case .socialisedLoss(let record):
                    result.socialisedLoss += record.loss
                case .liquidationBlocked(let symbol, let reason, _) where symbol == self.markets[index].symbol:
                    result.blocked = reason
                default:
                    break
                }
            }
            notes.removeAll(keepingCapacity: true)
        }
        tally(&notes)
        // The shocked mark's cascade in slices, each slice's notes tallied and dropped: at a
        // million positions a shock liquidates hundreds of thousands, whose notes held at once
        // were a hundred megabytes a shock in flight. Sliced or whole, the cascade is the same.
        copy.beginSlice(slice)
        copy.setMark(market: index, price: shocked, into: &notes)
        copy.endSlice()
        tally(&notes)
        while copy.isMidCascade {
            copy.continueCascade(into: &notes, liquidationLimit: slice)
            tally(&notes)
        }
        result.fundAfter = copy.fund(market: index).balance
        // Only fund-takes-over takes positions over (`takeoverExposure` reads no market otherwise:
        // every shock of every market reading every market made a report quadratic).
        (result.fundHoldingsPnL, result.fundHolds) = copy.takeoverExposure(fund: copy.markets[index].fundIndex, shocked: (index, shocked))
        result.positionsHit = hit.count
        result.positionsDeleveraged = deleveraged.count
        // Blocked before the shock too (noted once, so no note now): say so all the same, crossed
        // trigger or not (as the rows that take no copy say it).
        if let block = copy.liquidationBlock(market: index) { result.blocked = block }
        result.crossesTrigger = result.liquidationCount > 0 || copy.hasCrossedTrigger(market: index)
        if result.blocked == nil { (result.waitingOnLegs, result.waitingLeg) = copy.positionsWaitingOnLegs(market: index) }
        return result
    }

    /// The standard ladder of shocks (`StressLadder.shocks`) for one market; empty when it has no mark.
    ///
    /// Each shock runs on its own copy of the engine, independent of the others, so two run at
    /// once: at a million positions a shock costs a tenth of a second or more (the copy of the
    /// positions, the ADL ranking at the shocked mark, the liquidations), and the ladder is what
    /// the report and the what-if wait for. Two, not one a core: every copy in flight holds its
    /// own copy of the positions. The results are the same, in the same order, as one by one.
    /// Each step keeps its totals only (`keepingRecords: false`): what the report and the ladder show.
    /// Positions past which a ladder's shocks run two at a time only where the memory left holds
    /// two copies of the engine (`stressCopyBytesPerPosition` each, measured: a 2,000,000-position
    /// report peaked at 3.0 GB with two copies, 1.9 GB with one).
    public static let stressLadderOneCopyAbove = 1_000_000
    static let stressCopyBytesPerPosition: UInt64 = 700

    public func stressLadder(symbol: String) -> [StressResult] {
        let shocks = StressLadder.shocks
        let results = Mutex<[StressResult?]>(Array(repeating: nil, count: shocks.count))
        // Two at a time only where two copies fit in the memory left: each copy in flight holds
        // its own positions and accounts, and two of 5,000,000 positions beside the engine's own
        // ran a report out of memory at its end (attacker trial). Below a million positions two
        // copies are a few hundred megabytes at most.
        let twoFit = positions.count <= Engine.stressLadderOneCopyAbove
            || MemoryRoom.available().map { $0 / 2 > UInt64(positions.count) * Engine.stressCopyBytesPerPosition } ?? false
        let workers = Swift.min(twoFit ? 2 : 1, shocks.count)
        let engine = self
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            for offset in stride(from: worker, to: shocks.count, by: workers) {
                let result = try? engine.stress(symbol: symbol, shockPercent: Fixed(shocks[offset]), keepingRecords: false)
                results.withLock { $0[offset] = result }
            }
        }
        return results.withLock { $0.compactMap { $0 } }
    }
}

extension Engine {
    /// The positions of a market whose triggers its mark crosses and which wait for a cross leg's
    /// mark elsewhere (see `StressResult.waitingOnLegs`), with the first such leg. Every other
    /// crossed position was liquidated before this is asked, so the walk meets the waiting ones
    /// and stops at the first entry not crossed.
    func positionsWaitingOnLegs(market index: Int) -> (count: Int, first: (symbol: String, block: LiquidationBlock)?) {
        guard let mark = markets[index].markPrice, !markets[index].multiSymbolCrossAccounts.isEmpty else { return (0, nil) }
        var count = 0
        var first: (symbol: String, block: LiquidationBlock)? = nil
        for side in [Side.long, Side.short] {
            let crossed = { (entry: TriggerIndex.Entry) in side == .long ? mark <= entry.price : mark >= entry.price }
            var walk = markets[index].triggers.startWalk()
            markets[index].triggers.continueWalk(side, &walk, isLive: { isLive($0) }) { walked in
                walked.last.map { !crossed($0) } ?? false
            }
            for entry in walk.walked where crossed(entry) {
                guard let waiting = crossLegMarkBlock(entry.position) else { continue }
                count += 1
                if first == nil { first = (markets[waiting.market].symbol, waiting.block) }
            }
        }
        return (count, first)
    }

    /// Why the engine would not liquidate a position now, if it would not: its own market's
    /// block (`ownMarket`), else, past its trigger, a cross leg's mark in another market
    /// (`crossLegMarkBlock`).
    public func liquidationWait(position index: Int32) -> (symbol: String, block: LiquidationBlock, ownMarket: Bool)? {
        let market = Int(positions[Int(index)].symbolIndex)
        if let block = liquidationBlock(market: market) { return (markets[market].symbol, block, true) }
        // Only a position past its trigger waits: a healthy one read `Cannot liquidate` and lost
        // its walk for a leg's late mark (review).
        guard isTriggered(index), let waiting = crossLegMarkBlock(index) else { return nil }
        return (markets[waiting.market].symbol, waiting.block, false)
    }
}
