import CPrefetch

extension Engine {
    static let nanosecondsPerSecond: Int64 = 1_000_000_000

    /// Samples every symbol's signals once per second of event time. A jump in time (a gap in the
    /// recording) gives two samples, not one per missing second: the state before it
    /// (`sampleBeforeGap`) and the state after its first event.
    mutating func sampleSignals(into notes: inout [EngineNotification]) {
        nextSampleTime = (time / Engine.nanosecondsPerSecond + 1) * Engine.nanosecondsPerSecond
        changedSinceSample = false
        // The riskiest positions are read from the stored trigger prices: exact, for every one
        // (at most `crossSettleBudget` cross accounts of several symbols a sample).
        settleCrossGuards(budget: Engine.crossSettleBudget)
        signalsReadAt = time
        let maximumBookAge = configuration.maximumBookAge
        for index in markets.indices {
            // A book unchanged for longer than the engine trusts reads STALE (outdated) from the
            // moment it is, not only once a trigger crossed into it: a replay of several
            // recordings kept years-old books marked "ok" while the engine refused to liquidate
            // into them (operator trial). Cleared by the book's next change.
            if !markets[index].bookOutdated && markets[index].liquidationBlock(now: time, maximumAge: maximumBookAge) == .outdatedBook {
                markets[index].bookOutdated = true
            }
            let stress = readMarketForSample(index)
            noteConditions(market: index, into: &notes)
            markets[index].stressed = stress
            markets[index].signalsNow = nil
            let inputs = signalInputs(market: index, stressed: stress)
            let changes = markets[index].signals.sample(inputs, thresholds: configuration.signals, symbol: markets[index].symbol)
            for var change in changes {
                // The units an alert's reader needs (the alert hook has no instruments to ask).
                if change.kind == .stressedDeficit {
                    change.quantityUnit = markets[index].instrument.quantityUnit
                    change.quantityDecimals = markets[index].instrument.sizeDecimals
                    change.asset = markets[index].instrument.settlementAsset
                    // Past the fund, ADL follows only under the ADL rule: under socialised loss
                    // the winners and bad debt take it (it said "ADL follows": review).
                    if configuration.shortfall != .adl { change.passesFund = false }
                }
                notes.append(.signal(change))
            }
        }
    }

    /// Samples the state the events so far left, at the whole second after the last sample, when
    /// the event at `eventTime` comes a second or more past that: a gap in the events. A sample is
    /// taken at the first event past a second, after it; across a gap that is the state after the
    /// gap's first event, dated at its end, and the state before the gap was never sampled (a
    /// replay of several recordings dated OKX UNI's stressed-deficit alert, raised by the last OKX
    /// events, two and a half years later, when the Bybit file began: operator trial). Not before
    /// the session's first event (a positions file is placed at time 0), nor within a cascade.
    @inline(__always)
    mutating func sampleBeforeGap(until eventTime: Int64, into notes: inout [EngineNotification]) {
        guard samplingEnabled, time > 0, unfinishedCascade == nil, nextSampleTime > time,
              eventTime > nextSampleTime, eventTime - nextSampleTime >= Engine.nanosecondsPerSecond else { return }
        time = nextSampleTime
        sampleSignals(into: &notes)
    }

    /// How long a watched market may go without a first book before it is told (session time), as
    /// a live stream's subscription waits for its first (`LiveSession.firstBookGrace`).
    public static let noSnapshotGrace: Int64 = 5_000_000_000

    /// The inputs ended: every watched market's condition as it stands, a first book missing told
    /// without its grace (the session will not give it one).
    public mutating func noteConditionsAtEnd(into notes: inout [EngineNotification]) {
        guard samplingEnabled else { return }
        for index in markets.indices { noteConditions(market: index, into: &notes, graceOver: true) }
    }

    /// Tells a watched market's book untrusted, or its mark outdated, once an episode: when a
    /// sample first finds it so (after the session's first event: a positions file is placed at
    /// time 0, its books to come in the first frame).
    private mutating func noteConditions(market index: Int, into notes: inout [EngineNotification], graceOver: Bool = false) {
        let watched = time > 0 && markets[index].isWatched
        var stale = watched && markets[index].isStale
        // A book not given yet is told after a grace: a replay's positions are placed before the
        // first frame, and the first sample found a market whose snapshot came a moment later
        // (its alert at the session's first millisecond, every replay of a positions file).
        // A live subscription's own grace has passed already (`bookOverdue`).
        if stale && !markets[index].book.hasSnapshot && !markets[index].conditionToldStale && !markets[index].bookOverdue && !graceOver {
            if markets[index].noSnapshotSince == .min { markets[index].noSnapshotSince = time }
            stale = time &- markets[index].noSnapshotSince >= Engine.noSnapshotGrace
        } else if !stale {
            markets[index].noSnapshotSince = .min
        }
        // Told as an episode starts; the flag follows the condition, so its end lets the next be told.
        func starts(_ now: Bool, told: inout Bool) -> Bool {
            defer { told = now }
            return now && !told
        }
        if starts(stale, told: &markets[index].conditionToldStale) {
            let reason = markets[index].staleReason
            let bookTime = markets[index].lastBookTime
            notes.append(.marketCondition(MarketCondition(time: time, symbol: markets[index].symbol, kind: .staleBook,
                                                          reason: reason, since: reason == "outdated" && bookTime != .min ? bookTime : nil)))
        }
        if starts(watched && markets[index].markOutdated, told: &markets[index].conditionToldMarkOutdated) {
            let markTime = markets[index].markGivenTime
            notes.append(.marketCondition(MarketCondition(time: time, symbol: markets[index].symbol, kind: .markOutdated, reason: nil,
                                                          since: markTime != .min ? markTime : nil)))
        }
    }

    /// What a sample, or a read for a still screen, first takes of a market: whether its mark is
    /// outdated, its riskiest entries, and the stressed deficit from them.
    private mutating func readMarketForSample(_ index: Int) -> StressedDeficit {
        markets[index].markOutdated = markets[index].markIsOutdated(now: time, maximumAge: configuration.maximumBookAge)
        // The entries kept are read at once, not looked up and checked again.
        let reads = markets[index].markPrice != nil ? keepLeadingEntries(market: index) : nil
        return stressedDeficit(market: index, reads: reads)
    }

    /// What a market's signals are judged on now.
    func signalInputs(market index: Int, stressed: StressedDeficit) -> SignalBoard.Inputs {
        let book = markets[index].book
        let depth = depthValues(market: index, narrowBps: 10, wideBps: 50)
        // A top-of-book feed's side whose every level shown the simulations emptied is not
        // known to be empty: the book past those levels is not shown (a paused Hyperliquid
        // replay read `Spread side empty`, depth 0 and ALERT where the venue's book had ample
        // depth past its 20 levels: operator trial). Its spread is at least the distance to the
        // deepest level shown.
        let pastShown = book.spreadPastShownLevels
        let sideEmpty = book.bestBid == nil || book.bestAsk == nil
        return SignalBoard.Inputs(
            time: time,
            spreadBps: book.spreadBps?.approximateDouble,
            sideMissing: book.isSynced && sideEmpty && pastShown == nil,
            spreadPastShownBps: pastShown.map { $0.bps?.approximateDouble ?? 0 },
            // A learnt tick is the finest step a feed has shown, which one hostile level can
            // make 10⁻⁸: only a known instrument's tick sets the spread's floor.
            spreadTicks: markets[index].tickIsLearnt ? nil
                : Engine.spreadTicks(book.spread ?? pastShown?.spread, tick: markets[index].instrument.tickSize),
            depth10: depth.narrow,
            depth50: depth.wide,
            // With a side's price past the levels shown, the depth is what the feed shows (none).
            depth10PastShown: pastShown != nil || depth.narrowPastShown,
            depth50PastShown: pastShown != nil || depth.widePastShown,
            mid: book.mid?.approximateDouble,
            stressed: stressed,
            fundBalance: funds[Int(markets[index].fundIndex)].balance.approximateDouble,
            bookShown: book.hasSnapshot,
            bookFrozen: markets[index].bookOutdated)
    }

    /// The signals as a sample taken now would read them, shown until the next sample: for a
    /// session that stands still (paused, stepped, at its end). Signals are sampled once a
    /// second of session time, at the first event past it, so a paused dashboard kept showing
    /// the sample from before the rest of that second: "no stressed deficit" and a spread of
    /// 0.75 bps beside a ladder whose bids had run out under 1,040 liquidations (operator
    /// trial). The sample is taken on a copy of each board: nothing is learnt, no alert is
    /// raised and the next sample is the one the session would have taken, so a paused session
    /// goes on exactly as one never paused (and as a headless run). Nothing is done when no
    /// event came since the last sample; true when the readings were taken.
    @discardableResult
    public mutating func readSignalsNow() -> Bool {
        guard samplingEnabled && changedSinceSample && unfinishedCascade == nil else { return false }
        changedSinceSample = false
        settleCrossGuards(budget: Engine.crossSettleBudget)
        signalsReadAt = time
        for index in markets.indices {
            let stress = readMarketForSample(index)
            var board = markets[index].signals
            _ = board.sample(signalInputs(market: index, stressed: stress), thresholds: configuration.signals,
                symbol: markets[index].symbol)
            markets[index].signalsNow = SignalsNow(board: board, stressed: stress)
        }
        return true
    }

    /// A spread (book units) in whole ticks, exactly; nil without a spread (a side empty) or with
    /// a tick finer than a book unit.
    static func spreadTicks(_ spread: Int64?, tick: Fixed) -> Int64? {
        let tickUnits = tick.bookUnits
        guard let spread, spread >= 0, tickUnits > 0 else { return nil }
        return spread / tickUnits
    }

    /// Depth on the thinner side within ±bps, in quote money (contracts × size for inverse).
    public func depthValue(market index: Int, withinBps bps: Int) -> Double {
        depthValues(market: index, narrowBps: bps, wideBps: bps).wide
    }

    /// `depthValue` for two bands at once, each side walked once: what the signals sample. A
    /// band is `…PastShown` when its thinner figure comes from a side of a top-of-book feed whose
    /// levels shown end inside the band (Hyperliquid's 20 levels span about 2.4 bps): the book
    /// past them is not known, so the figure is a floor.
    public func depthValues(market index: Int, narrowBps: Int, wideBps: Int)
        -> (narrow: Double, wide: Double, narrowPastShown: Bool, widePastShown: Bool) {
        let book = markets[index].book
        var bidsValue: (narrow: Fixed, wide: Fixed)
        var asksValue: (narrow: Fixed, wide: Fixed)
        switch markets[index].instrument.kind {
        case .linear:
            bidsValue = book.depthNotional(.bid, withinBps: narrowBps, and: wideBps)
            asksValue = book.depthNotional(.ask, withinBps: narrowBps, and: wideBps)
        case .inverse(let size):
            let bids = book.depthSize(.bid, withinBps: narrowBps, and: wideBps)
            let asks = book.depthSize(.ask, withinBps: narrowBps, and: wideBps)
            bidsValue = (Fixed(bookUnits: bids.narrow) * size, Fixed(bookUnits: bids.wide) * size)
            asksValue = (Fixed(bookUnits: asks.narrow) * size, Fixed(bookUnits: asks.wide) * size)
        }
        var pastShown = (bid: (narrow: false, wide: false), ask: (narrow: false, wide: false))
        if book.shownLevels > 0 || book.isCut(.bid) || book.isCut(.ask), let mid = book.mid {
            for side in [BookSide.bid, .ask] {
                guard let deepest = book.deepestShownPrice(side) else { continue }
                let narrowEdge = book.bandLimit(side, mid: mid, bps: narrowBps)
                let wideEdge = book.bandLimit(side, mid: mid, bps: wideBps)
                // Prices inside the band past the deepest level shown are not known.
                let flags = side == .bid ? (narrowEdge < deepest, wideEdge < deepest) : (narrowEdge > deepest, wideEdge > deepest)
                if side == .bid { pastShown.bid = flags } else { pastShown.ask = flags }
            }
        }
        // The thinner of a known figure and a floor is known where the known one is the smaller
        // (the floor's side has at least as much); a floor where the floor is.
        func thinner(_ bid: Fixed, _ bidFloor: Bool, _ ask: Fixed, _ askFloor: Bool) -> (Fixed, Bool) {
            let value = min(bid, ask)
            return (value, (bidFloor && (askFloor || bid < ask)) || (askFloor && (bidFloor || ask < bid)))
        }
        let narrow = thinner(bidsValue.narrow, pastShown.bid.narrow, asksValue.narrow, pastShown.ask.narrow)
        let wide = thinner(bidsValue.wide, pastShown.bid.wide, asksValue.wide, pastShown.ask.wide)
        return (narrow.0.approximateDouble, wide.0.approximateDouble, narrow.1, wide.1)
    }

    /// What the current book would leave if the riskiest positions of one side were liquidated
    /// now, one after the other through the overlay; the worse of the two sides.
    ///
    /// Each liquidation takes the book from the touch outwards and leaves the next one the rest, so
    /// the series is one walk for the sum of their sizes whose fills are shared out in order: the
    /// same fills, and so the same deficit to the unit, as walking each position through an
    /// overlay that records the one before, without copying the overlay once a position.
    ///
    /// What the book cannot fill is counted, not ignored: under the ADL rule it is the quantity
    /// that would be deleveraged (as is what the deficit leaves beyond the fund); under the
    /// fund-takes-over rule the fund would take it over at the bankruptcy price, and the fund's
    /// present loss on what it already holds is added to the deficit.
    public func stressedDeficit(market index: Int) -> StressedDeficit {
        stressedDeficit(market: index, reads: nil)
    }

    /// `reads`: each side's entries read just now (`keepLeadingEntries`), else read here.
    func stressedDeficit(market index: Int, reads: (long: LeadingEntries, short: LeadingEntries)?) -> StressedDeficit {
        // A book that cannot be trusted is STALE, not a stress: nothing would be liquidated into it.
        // An outdated mark leaves the book's answer standing: the stress walks the book from the
        // riskiest positions' bankruptcy prices, not from the mark (it read 0 the moment the mark
        // went outdated, beside the same book and positions; operator trial). A disputed one does
        // not: the book and the mark disagree tenfold, and one of them is wrong.
        let block = liquidationBlock(market: index)
        // A book gone quiet, or stale after a gap (its levels are kept as they were, not
        // cleared), is walked as last known, its market marked STALE: the risk it shows has not
        // gone because the feed did (a recording that ended turned `1,332 UNI + ADL` and `ADL
        // NEAR` into "no stressed deficit", `ADL idle` and every signal ok: operator trial; a
        // stress kept as it was last read stayed after its positions closed: review).
        guard markets[index].markPrice != nil,
            block == nil || block == .outdatedMark || block == .outdatedBook || block == .staleBook else {
            return StressedDeficit()
        }
        var worst = StressedDeficit()
        var allPositions = 0
        var anyBeyondLimit = false
        // Each side's nearest liquidation, for the side whose figures are shown (and whether that
        // position is past its trigger at every price).
        var nearestLong: (distance: Fixed?, pastAtEveryPrice: Bool) = (nil, false)
        var nearestShort: (distance: Fixed?, pastAtEveryPrice: Bool) = (nil, false)
        for side in [Side.long, Side.short] {
            let read = reads.map { side == .long ? $0.long : $0.short } ?? leadingRead(side, market: index)
            let riskiest = read.walk.walked.prefix(read.taken)
            guard !riskiest.isEmpty else { continue }
            allPositions += riskiest.count
            // More near liquidation than a sample walks: what this side gives is a floor.
            var sideBeyondLimit = false
            if riskiest.count >= read.limit, read.walk.walked.count > read.taken, let mark = markets[index].markPrice,
                nearBand(side, mark: mark)(read.walk.walked[read.taken]) {
                sideBeyondLimit = true
                anyBeyondLimit = true
            }
            // Copied only for a side with positions (every market is read every second).
            let instrument = markets[index].instrument
            let book = markets[index].book
            // Each position read once (see `forEachPosition`).
            var taken: [Position] = []
            taken.reserveCapacity(riskiest.count)
            // Those within the alert band (the riskiest come first in trigger order, and the band
            // is a prefix of them): the book share is theirs, the positions about to be
            // liquidated, not the rest of the 50 riskiest however far they are (the demo's 50
            // riskiest shorts, far from liquidation, read as taking 58 % of its asks).
            let nearCount = markets[index].markPrice.map { Engine.bandEnd(riskiest, from: 0, to: riskiest.count, near: nearBand(side, mark: $0)) } ?? 0
            var sum: Int64 = 0
            var nearSum: Int64 = 0
            forEachPosition(of: riskiest) { stored, entry in
                // A guarded cross leg's prices as its account stands now (`currentPosition`).
                let position = stored.mode == .cross ? currentPosition(entry.position) : stored
                if taken.isEmpty, let mark = markets[index].markPrice {
                    let nearest = (MarginMath.distanceToLiquidationPercent(side: side, mark: mark, liquidationPrice: position.liquidation),
                                   position.isPastAtEveryPrice)
                    if side == .long { nearestLong = nearest } else { nearestShort = nearest }
                }
                taken.append(position)
                let (added, overflow) = sum.addingReportingOverflow(position.quantity.bookUnits)
                sum = overflow ? .max : added
                if taken.count <= nearCount { nearSum = sum }
                return true
            }
            // Walked on to what the book-share warning needs: the positions near liquidation would
            // take at least `stressedBookShareWarn` of the side (as the book is known) exactly
            // when a walk of their sum ÷ that fraction runs out of it. The positions' fills are
            // the walk's first `sum` in book order, so the one walk serves both (at 23:56:14 in
            // the demo the longs nearest liquidation would have taken 84 % of the bids and the
            // stress read `0.00 ok`: operator trial).
            let warn = configuration.signals.stressedBookShareWarn
            let walk = book.walk(side.closingBookSide, quantity: nearSum > 0 ? Swift.max(sum, Engine.bookShareProbe(nearSum, warn: warn)) : sum)
            let fills = walk.fills
            // Of a side known whole (not past the levels a top-of-book feed shows, which says
            // nothing of the book beyond), only where it holds some, and only from the warning's
            // share up (the walk stops short of the rest), so `bookShare` is set exactly when
            // the signal warns for it.
            var share: (fraction: Double, percent: Int)? = nil
            if nearSum > 0 && walk.remainder > 0 && !walk.remainderPastShownLevels && walk.filled > 0 {
                let fraction = Double(nearSum) / Double(walk.filled)
                // Rounded down in integers: 0.57 × 100 is 56.99… in a Double.
                let percent = Int(Swift.min(Int128(100_000), Int128(nearSum) * 100 / Int128(walk.filled)))
                if fraction >= warn { share = (fraction, percent) }
            }
            // Past the levels a top-of-book feed shows, the book is not known: what the walk could
            // not fill there is said as such, not as unfillable (the quantity beyond Hyperliquid's
            // 20 levels read `ADL` where the venue's book had ample depth: operator trial), and
            // its loss is a floor (`pastShownLoss`).
            let pastShown = walk.remainderPastShownLevels
            var fillIndex = 0
            var leftInFill = fills.first?.size ?? 0
            var total = Fixed.zero
            var unfilled: Int64 = 0
            var unfilledNotional = Fixed.zero
            var unseen: Int64 = 0
            for position in taken {
                let quantity = position.quantity.bookUnits
                var needed = quantity
                var net = Fixed.zero
                let (firstFill, leftInFirst) = (fillIndex, leftInFill)
                var worstPrice: Int64? = nil
                while needed > 0 && fillIndex < fills.count {
                    let take = min(needed, leftInFill)
                    worstPrice = fills[fillIndex].price
                    needed -= take
                    leftInFill -= take
                    if leftInFill == 0 {
                        fillIndex += 1
                        leftInFill = fillIndex < fills.count ? fills[fillIndex].size : 0
                    }
                }
                // Its fills against its bankruptcy price, piece by piece, where they can leave a
                // deficit: its worst fill (the last, the book walked best first) is past its
                // bankruptcy price, or a loss past the levels shown is to be set against them.
                // Otherwise every piece is at or better than bankruptcy and the net is no deficit:
                // at a million positions, thousands near liquidation, the products were most of
                // the sample.
                if let bankruptcy = position.bankruptcy, let worst = worstPrice {
                    let worstFill = Fixed(bookUnits: worst)
                    let pastBankruptcy = position.side == .long ? worstFill < bankruptcy : worstFill > bankruptcy
                    if pastBankruptcy || (needed > 0 && pastShown) {
                        var left = quantity - needed
                        var index = firstFill
                        var inFill = leftInFirst
                        while left > 0 && index < fills.count {
                            let take = min(left, inFill)
                            net += Engine.pnlAtBankruptcy(position, bankruptcy: bankruptcy, instrument: instrument,
                                fill: Fill(price: fills[index].price, size: take))
                            left -= take
                            inFill -= take
                            if inFill == 0 {
                                index += 1
                                inFill = index < fills.count ? fills[index].size : 0
                            }
                        }
                    }
                }
                if needed > 0 && pastShown {
                    let (sum, overflow) = unseen.addingReportingOverflow(needed)
                    unseen = overflow ? .max : sum
                    if let deepest = walk.deepestShownPrice, let bankruptcy = position.bankruptcy {
                        net += Engine.pastShownLoss(position, bankruptcy: bankruptcy, instrument: instrument, deepest: deepest, size: needed)
                    }
                }
                if net.isNegative { total += -net }
                if needed > 0 && !pastShown {
                    let (sum, overflow) = unfilled.addingReportingOverflow(needed)
                    unfilled = overflow ? .max : sum
                    let terms = PositionTerms(side: position.side, quantity: Fixed(bookUnits: needed), entryPrice: position.entryPrice,
                        kind: instrument.kind, brackets: instrument.brackets)
                    unfilledNotional += MarginMath.notional(terms, at: position.bankruptcy ?? position.entryPrice)
                }
            }
            // Each side on its own: the larger deficit, and the larger quantity the book cannot
            // fill (a squeeze on one side while the other leaves a deficit is both).
            // The side whose figure is shown says how many it liquidated (both sides counted, 50
            // shorts that leave nothing beside the longs that go to ADL read as the stress's).
            if total > worst.deficit {
                worst.deficit = total
                if worst.unfilledNotional.isZero { (worst.positions, worst.positionsSide, worst.beyondLimit) = (riskiest.count, side, sideBeyondLimit) }
            }
            if unfilledNotional > worst.unfilledNotional {
                worst.unfilledNotional = unfilledNotional
                worst.unfilledQuantity = Fixed(bookUnits: unfilled)
                (worst.positions, worst.positionsSide, worst.beyondLimit) = (riskiest.count, side, sideBeyondLimit)
            }
            if let share, share.fraction > (worst.bookShare ?? 0) {
                (worst.bookShare, worst.bookSharePercent, worst.bookShareSide) = (share.fraction, share.percent, side)
                worst.bookSharePositions = nearCount
                if worst.deficit.isZero && worst.unfilledNotional.isZero && worst.pastShownQuantity.isZero {
                    (worst.positions, worst.positionsSide, worst.beyondLimit) = (nearCount, side, sideBeyondLimit)
                }
            }
            if unseen > 0 && Fixed(bookUnits: unseen) > worst.pastShownQuantity {
                worst.pastShownQuantity = Fixed(bookUnits: unseen)
                worst.shownLevels = markets[index].book.shownLevels(side == .long ? .bid : .ask)
                if worst.deficit.isZero && worst.unfilledNotional.isZero {
                    (worst.positions, worst.positionsSide, worst.beyondLimit) = (riskiest.count, side, sideBeyondLimit)
                }
            }
        }
        if configuration.unfilled == .fundTakesOver, let mark = markets[index].markPrice {
            let exposure = markets[index].fundExposure(at: mark)
            if exposure.isNegative { worst.deficit += -exposure }
        }
        if worst.positionsSide == nil { (worst.positions, worst.beyondLimit) = (allPositions, anyBeyondLimit) }
        if let side = worst.positionsSide {
            (worst.nearestDistancePercent, worst.nearestPastAtEveryPrice) = side == .long ? nearestLong : nearestShort
        } else {
            // No side leaves anything: how near the nearer side's nearest is, the figure that
            // says how close a calm book is to trouble (the reports gave none: operator trial).
            (worst.nearestDistancePercent, worst.nearestPastAtEveryPrice) = Engine.nearer(nearestLong, nearestShort)
        }
        worst.adlCertain = adlCertain(worst, market: index)
        return worst
    }

    /// The nearer of two sides' nearest positions: one past its trigger at every price first,
    /// then the smaller distance.
    static func nearer(_ a: (distance: Fixed?, pastAtEveryPrice: Bool), _ b: (distance: Fixed?, pastAtEveryPrice: Bool))
        -> (distance: Fixed?, pastAtEveryPrice: Bool) {
        if a.pastAtEveryPrice || b.pastAtEveryPrice { return a.pastAtEveryPrice ? a : b }
        guard let first = a.distance else { return b }
        guard let second = b.distance else { return a }
        return second < first ? b : a
    }

    /// The quantity to walk the book for so that a side holding at most `quantity ÷ warn` is
    /// walked whole (one more than that, so a side of exactly that much runs out too), saturating.
    static func bookShareProbe(_ quantity: Int64, warn: Double) -> Int64 {
        guard warn > 0, warn < 1 else { return quantity < .max ? quantity + 1 : .max }
        let probe = (Double(quantity) / warn).rounded(.down)
        return probe < 9.2e18 ? Swift.max(quantity, Int64(probe)) + 1 : .max
    }

    /// Whether a stress of a market would end in ADL: what the fund could not pay, and what the
    /// book could not fill under the ADL rule (or with the fund empty), would be deleveraged.
    func adlCertain(_ stress: StressedDeficit, market index: Int) -> Bool {
        let fundBalance = Fixed.maximum(.zero, funds[Int(markets[index].fundIndex)].balance)
        return stress.deficit > fundBalance
            || (stress.unfilledQuantity.isPositive && (configuration.unfilled == .adl || !fundBalance.isPositive))
    }

    /// The positions of a side the stressed deficit liquidates: at least the `stressedPositions`
    /// riskiest live trigger entries, and on while they are near liquidation at the mark (within
    /// `RiskBands.distanceAlertPercent`, the markets pane's "near liq"), at most
    /// `stressedPositionsLimit`. The 50 riskiest alone read `ADL 6.070 BTC` while the demo's
    /// empty book had 1,699 liquidations below it and ADL took 95 BTC (operator trial).
    ///
    /// Those the signals kept at the last sample are taken again while they still hold: the index
    /// has not changed (its generation), each of them is still live (an entry only ever goes from
    /// live to stale: a position's version only grows, and a position reopened is pushed anew,
    /// which changes the index; a market counts its positions' changes, so while none changed no
    /// entry is looked at again); at each mark the band is found again among those walked (they are
    /// in trigger order, the near ones first), and the walk taken further where it ends past them.
    func leadingEntries(_ side: Side, market index: Int) -> [TriggerIndex.Entry] {
        let read = leadingRead(side, market: index)
        return Array(read.walk.walked.prefix(read.taken))
    }

    private func leadingRead(_ side: Side, market index: Int) -> LeadingEntries {
        leadingRead(side, market: index, kept: side == .long ? markets[index].leadingLongs : markets[index].leadingShorts)
    }

    /// `kept`: the read the last sample kept, taken out of the market so that its walk, taken
    /// further, is not copied.
    private func leadingRead(_ side: Side, market index: Int, kept: consuming LeadingEntries?) -> LeadingEntries {
        let count = configuration.stressedPositions
        let limit = Swift.max(count, configuration.stressedPositionsLimit)
        let triggers = markets[index].triggers
        let changes = markets[index].positionChanges
        var walk: TriggerIndex.LeadingWalk
        // Whether every entry walked is known live: no position of the market changed since.
        var knownLive = false
        if let kept = kept.take(), kept.walk.generation == triggers.generation, kept.count == count, kept.limit == limit {
            walk = kept.walk
            knownLive = kept.positionChanges == changes
        } else {
            walk = triggers.startWalk()
            knownLive = true
        }
        guard let mark = markets[index].markPrice else {
            if !knownLive && !allLive(walk.walked[...]) { walk = triggers.startWalk() }
            triggers.continueWalk(side, &walk, isLive: { isLive($0) }) { $0.count >= count }
            return LeadingEntries(count: count, limit: limit, walk: walk, taken: Swift.min(count, walk.walked.count), positionChanges: changes)
        }
        let near = nearBand(side, mark: mark)
        // How many of those walked are taken at this mark: the riskiest, then on while near (in
        // trigger order the near ones come first, so a binary search finds where they end).
        func takenCount(_ walked: [TriggerIndex.Entry]) -> Int {
            Engine.bandEnd(walked[...], from: Swift.min(count, walked.count), to: Swift.min(limit, walked.count), near: near)
        }
        // One of them gone stale (a position closed or changed without a new entry): walked again.
        // Every one walked is checked, not only those taken now: the read is kept as known live,
        // and a band that widens later takes the rest without a look.
        if !knownLive && !allLive(walk.walked[...]) { walk = triggers.startWalk() }
        var taken = takenCount(walk.walked)
        // On until the entry after those taken is walked too: it says whether more are near
        // than the limit takes, and a mark that moves on finds where the band ends.
        if taken == walk.walked.count && !walk.isExhausted {
            triggers.continueWalk(side, &walk, isLive: { isLive($0) }) { walked in
                walked.count > count && (walked.count > limit || !near(walked[walked.count - 1]))
            }
            taken = takenCount(walk.walked)
        }
        return LeadingEntries(count: count, limit: limit, walk: walk, taken: taken, positionChanges: changes)
    }

    /// Where the entries near liquidation end among `entries[from..<to]` (offsets from the
    /// slice's start): in trigger order the near ones come first, so a binary search finds it.
    static func bandEnd(_ entries: ArraySlice<TriggerIndex.Entry>, from: Int, to: Int, near: (TriggerIndex.Entry) -> Bool) -> Int {
        var low = from, high = to
        while low < high {
            let middle = (low + high) / 2
            if near(entries[entries.startIndex + middle]) { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// Whether every one of `entries` is live.
    private func allLive(_ entries: ArraySlice<TriggerIndex.Entry>) -> Bool {
        forEachPosition(of: entries) { Engine.isLive($0, as: $1) }
    }

    /// Hands `body` each entry's position in turn, fetched a few ahead (positions near liquidation
    /// lie scattered through a million, and waiting on memory was most of the sample), until it
    /// returns false; whether it never did.
    @discardableResult
    private func forEachPosition(of entries: ArraySlice<TriggerIndex.Entry>,
                                 _ body: (Position, TriggerIndex.Entry) -> Bool) -> Bool {
        guard !entries.isEmpty else { return true }
        return positions.withUnsafeBufferPointer { all in
            // Not empty: the entries name positions in it.
            guard let base = all.baseAddress else { return false }
            let lookahead = 8
            for offset in entries.indices {
                if offset + lookahead < entries.endIndex {
                    let ahead = base + Int(entries[offset + lookahead].position)
                    liqwatch_prefetch(ahead)
                    liqwatch_prefetch(UnsafeRawPointer(ahead) + 64)
                }
                if !body(all[Int(entries[offset].position)], entries[offset]) { return false }
            }
            return true
        }
    }

    /// Whether a trigger entry of `side` is near liquidation at `mark` (as `isNearLiquidation`
    /// judges a position: `gap × 100 < alert% × mark`, no division).
    private func nearBand(_ side: Side, mark: Fixed) -> (TriggerIndex.Entry) -> Bool {
        let bound = configuration.risk.distanceAlertPercent * mark
        if side == .long { return { (mark - $0.price) * 100 < bound } }
        return { ($0.price - mark) * 100 < bound }
    }

    /// Keeps each side's leading entries for the next samples (see `leadingEntries`).
    @discardableResult
    mutating func keepLeadingEntries(market index: Int) -> (long: LeadingEntries, short: LeadingEntries) {
        // Taken out before the reads: taken in their arguments, a change to `markets` while
        // `self` was held for the call copied the whole engine and every market, each market
        // of each sample (5,000 markets took 25 s a second of session time: attacker trial).
        let keptLongs = markets[index].leadingLongs.take()
        let keptShorts = markets[index].leadingShorts.take()
        let longs = leadingRead(.long, market: index, kept: consume keptLongs)
        let shorts = leadingRead(.short, market: index, kept: consume keptShorts)
        markets[index].leadingLongs = longs
        markets[index].leadingShorts = shorts
        return (longs, shorts)
    }

    /// The walk a position's liquidation would make through `book` now, and the deficit it would
    /// leave against its bankruptcy price (zero when the fills are at or better than bankruptcy).
    public static func liquidationWalk(_ position: Position, instrument: Instrument, book: OrderBook) -> (walk: BookWalk, deficit: Fixed) {
        let walk = book.walk(position.side.closingBookSide, quantity: position.quantity.bookUnits)
        guard let bankruptcy = position.bankruptcy else { return (walk, .zero) }
        var net = Fixed.zero
        for fill in walk.fills {
            net += pnlAtBankruptcy(position, bankruptcy: bankruptcy, instrument: instrument, fill: fill)
        }
        if let deepest = walk.deepestShownPrice {
            net += pastShownLoss(position, bankruptcy: bankruptcy, instrument: instrument, deepest: deepest, size: walk.remainder)
        }
        return (walk, net.isNegative ? -net : .zero)
    }

    /// What `size` past the levels a top-of-book feed shows makes against bankruptcy: the book
    /// beyond fills no better than the deepest level shown, so its loss there is a floor (a fund
    /// read as surviving a shock whose quantity past the levels shown was bankrupt far above them:
    /// operator trial); a loss only, no gain being claimed from a book the feed does not show.
    /// (`bankruptClosePlan` settles it at the same price, the worse of the two.)
    static func pastShownLoss(_ position: Position, bankruptcy: Fixed, instrument: Instrument, deepest: Int64, size: Int64) -> Fixed {
        Fixed.minimum(.zero, pnlAtBankruptcy(position, bankruptcy: bankruptcy, instrument: instrument, fill: Fill(price: deepest, size: size)))
    }

    /// What closing `fill.size` of a position at `fill.price` makes against its bankruptcy price:
    /// negative is a deficit.
    static func pnlAtBankruptcy(_ position: Position, bankruptcy: Fixed, instrument: Instrument, fill: Fill) -> Fixed {
        // A linear contract's, as `MarginMath.unrealisedPnL` computes it (signed quantity times
        // the move), without making its terms: the stressed deficit asks this of every position
        // near liquidation every second, and the terms retained and released the instrument's
        // brackets each time.
        if case .linear = instrument.kind {
            let quantity = Fixed(bookUnits: fill.size)
            return (position.side == .long ? quantity : -quantity) * (Fixed(bookUnits: fill.price) - bankruptcy)
        }
        let terms = PositionTerms(side: position.side, quantity: Fixed(bookUnits: fill.size), entryPrice: bankruptcy,
            kind: instrument.kind, brackets: instrument.brackets)
        return MarginMath.unrealisedPnL(terms, at: Fixed(bookUnits: fill.price))
    }

    /// The deficit position `index` would leave if liquidated into its book now (no compounding).
    public func deficitIfLiquidatedNow(_ index: Int32) -> Fixed {
        let position = currentPosition(index)
        let market = markets[Int(position.symbolIndex)]
        return Engine.liquidationWalk(position, instrument: market.instrument, book: market.book).deficit
    }
}
