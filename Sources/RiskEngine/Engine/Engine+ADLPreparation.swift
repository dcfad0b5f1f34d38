/// A side's ADL ranking made in slices while a cascade is cut.
///
/// A deleverage that finds its side's queue due ranks the whole side at once: at a million
/// positions every open position of the other side is scored (about 450,000 of them) and the heap
/// built, some 50 ms inside one liquidation, which no slicing of the cascade could cut. When a
/// cascade is applied in slices (a dashboard) and the next liquidation may need that ranking, the
/// cascade is cut before it instead, and `continueCascade` scores the side a chunk at a time, then
/// builds the heap a chunk at a time, while nothing else happens to the engine. The liquidation
/// that deleverages takes this ranking as its own (`takeADLQueue`).
///
/// It is the ranking the deleverage would have made: scored in the same state and at the same
/// time, except for what the cascade's liquidations changed between the two. Those change only the
/// accounts they touch (a liquidated position's account, wallets paid or charged, margins moved);
/// every account touched since is recorded, and its positions on the side are pushed again with
/// their scores at that moment, superseding their earlier entries (as `rescore` does), so the
/// queue pops the same positions in the same order as a ranking made there and then.
struct ADLPreparation: Sendable {
    var market: Int32
    var side: Side
    /// The event time it ranks at; a deleverage at another time ranks anew.
    var time: Int64
    var parts = ADLRankingParts()
    /// Whether the side defers its scores (see `Engine+ADLBounds`), decided when it begins.
    var deferring = false
    /// The mark the side is ranked at.
    var mark: Fixed = .zero
    /// Positions of the side's list (`MarketState.adlIndices`) scored so far.
    var scanned = 0
    /// Once scored: the next node to sift down in building the deferred heap (down to 0); -1
    /// when built.
    var nextNode: Int? = nil
    /// Then the same for the exact heap.
    var nextExactNode: Int? = nil
    /// Accounts touched since the scoring began (repeats allowed).
    var touchedAccounts: [Int32] = []

    var isComplete: Bool { nextNode == -1 && nextExactNode == -1 }

    func ranks(market: Int, side: Side, at time: Int64) -> Bool {
        self.market == Int32(market) && self.side == side && self.time == time
    }
}

extension Engine {
    /// Scored positions (or heap nodes sifted) per liquidation a slice allows: a slice of 256
    /// liquidations (`ReplayClock.interactiveLiquidationSlice`) scores about 16,000 positions, a
    /// millisecond or two, like the liquidations it stands for.
    static let preparationWorkPerLiquidation = 64

    /// Whether the liquidation of `liquidated`, about to start in a sliced cascade, should wait for
    /// `side`'s ranking to be prepared: the side's queue is due for ranking, the market is large
    /// enough that ranking it whole would hold the cascade (`adlPreparationThreshold`), no ranking
    /// for it is prepared, and the liquidation is likely to deleverage: the book cannot take the
    /// whole position (and the fund is not to take the rest over), or the fund cannot stand behind
    /// the fills' loss (`bankruptClosePlan`, the close's own first step). The guess only decides
    /// when the ranking is made, never what it is. A ranking prepared and not taken (the position
    /// was cut down in steps instead) is let go of at the cascade's end, and its side is not
    /// prepared again within the refresh period: at most one more ranking a side and period. The
    /// guess walks the book as the close will (once more per liquidation, only while a large
    /// side's queue is due in a sliced cascade).
    func wantsPreparedRanking(market: Int, side: Side, liquidated: Int32) -> Bool {
        guard markets[market].positionIndices.count >= adlPreparationThreshold else { return false }
        // Ranked by its cells, the side scores its exact node alone at once: cheap unless large.
        if ranksByCells(market: market, side: side) && exactNodeCount(market: market, side: side) < adlPreparationThreshold { return false }
        if let preparation = adlPreparation, preparation.ranks(market: market, side: side, at: time), preparation.isComplete {
            return false
        }
        let cached = side == .long ? markets[market].adlLongs : markets[market].adlShorts
        if let cached, isFresh(cached) { return false }
        if let unused = unusedPreparationAt[ADLSideKey(market: Int32(market), side: side)], isWithinRefreshPeriod(since: unused) {
            return false
        }
        // The close as it would go now (the position's bankruptcy price as last refreshed).
        let position = positions[Int(liquidated)]
        let fundBalance = fund(market: market).balance
        let plan = bankruptClosePlan(position, bankruptcy: position.bankruptcy ?? markets[market].markPrice ?? position.entryPrice,
            fundBefore: fundBalance)
        if plan.beyondFundUnits > 0 { return true }
        return plan.bookUnfilledUnits > 0 && !(configuration.unfilled == .fundTakesOver && fundBalance.isPositive)
    }

    /// Starts preparing `side`'s ranking of `market` at the present time (unless it is under way).
    mutating func beginPreparation(market: Int, side: Side) {
        if let preparation = adlPreparation {
            if preparation.ranks(market: market, side: side, at: time) { return }
            // Another side's, not taken: let go of as at a cascade's end (so it is not made again
            // within the period).
            dropPreparation()
        }
        var preparation = ADLPreparation(market: Int32(market), side: side, time: time)
        preparation.deferring = defersADLScores(market: market)
        preparation.mark = markets[market].markPrice ?? .zero
        adlPreparation = preparation
    }

    /// Does up to `work` positions' scoring, or heap nodes' sifting, of the preparation under way.
    mutating func advancePreparation(work: Int) {
        guard var preparation = adlPreparation, !preparation.isComplete else { return }
        adlPreparation = nil // held here alone while it grows: no copy of its entries
        let market = Int(preparation.market)
        var left = work
        if preparation.nextNode == nil {
            let count = markets[market].adlIndices(preparation.side).count
            let end = min(count, preparation.scanned + left)
            preparation.parts.append(adlRankingParts(market: market, side: preparation.side, list: markets[market].adlIndices(preparation.side),
                range: preparation.scanned..<end,
                deferring: preparation.deferring))
            left -= end - preparation.scanned
            preparation.scanned = end
            if end == count {
                if preparation.parts.sections.isEmpty { preparation.parts.sections.append(ADLDeferredSection()) }
                preparation.parts.sections[0].prepare(heapify: false)
                preparation.nextNode = max(-1, preparation.parts.sections[0].heap.count / 2 - 1)
            }
        }
        if let node = preparation.nextNode, node >= 0, left > 0 {
            preparation.nextNode = Heap.heapify(&preparation.parts.sections[0].heap, from: node, work: &left, before: ADLDeferredEntry.before)
        }
        if preparation.nextNode == -1 && preparation.nextExactNode == nil {
            preparation.nextExactNode = max(-1, preparation.parts.exact.count / 2 - 1)
        }
        if let node = preparation.nextExactNode, node >= 0, left > 0 {
            preparation.nextExactNode = Heap.heapify(&preparation.parts.exact, from: node, work: &left, before: ADLHeapEntry.before)
        }
        adlPreparation = preparation
    }

    /// The prepared ranking of `side` of `market`, if one is complete for the present time, with
    /// the positions of the accounts touched since pushed again at their present scores.
    mutating func takePreparedQueue(market: Int, side: Side) -> ADLQueueCache? {
        guard let preparation = adlPreparation, preparation.isComplete, preparation.ranks(market: market, side: side, at: time)
        else { return nil }
        adlPreparation = nil
        preparedRankingsTaken += 1
        var queue = ADLQueueCache(ranked: preparation.parts, at: time, mark: preparation.mark, heapified: true)
        var touched = preparation.touchedAccounts
        touched.sort()
        var previous: Int32? = nil
        for account in touched where account != previous {
            previous = account
            for index in accounts[Int(account)].positions {
                let position = positions[Int(index)]
                guard position.isOpen, position.side == side, Int(position.symbolIndex) == market else { continue }
                queue.push(ADLHeapEntry(score: adlScore(of: index), position: index, generation: 0))
            }
        }
        return queue
    }

    /// Records that an account's positions or money changed (see `ADLPreparation`).
    @inline(__always) mutating func noteTouched(account: Int32) {
        if adlPreparation != nil { adlPreparation!.touchedAccounts.append(account) }
    }

    /// The cut cascade is over (or finished at once): a ranking prepared for it and not taken is
    /// no use to any later state; its side is not prepared again within the refresh period.
    mutating func dropPreparation() {
        guard let preparation = adlPreparation else { return }
        adlPreparation = nil
        unusedPreparationAt[ADLSideKey(market: preparation.market, side: preparation.side)] = preparation.time
    }
}

/// A side of a market, as a key.
struct ADLSideKey: Hashable, Sendable {
    var market: Int32
    var side: Side
}
