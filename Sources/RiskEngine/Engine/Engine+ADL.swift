import CPrefetch
import Dispatch
import Synchronization

/// Auto-deleveraging: the queue of positions that would be closed against a liquidation the book
/// or the fund cannot cover, ranked as the configured venue documents (see `ADLRanking`).
extension Engine {
    /// Open positions of one side of a market in ADL order (highest score first; the position
    /// index breaks ties).
    public func adlRanking(market: Int, side: Side) -> [(position: Int32, score: Fixed)] {
        var ranked: [(position: Int32, score: Fixed)] = []
        let ranking = adlRanking(of: market)
        for index in markets[market].positionIndices {
            let position = positions[Int(index)]
            guard position.isOpen, position.side == side else { continue }
            ranked.append((index, adlScore(of: index, ranking: ranking)))
        }
        ranked.sort { $0.score != $1.score ? $0.score > $1.score : $0.position < $1.position }
        return ranked
    }

    /// The ranking a market's positions are deleveraged by: the one `--rules` set for every
    /// market, else the market's own venue's.
    @inline(__always)
    public func adlRanking(of market: Int) -> ADLRanking {
        configuration.adlRanking ?? ADLRanking.ofVenue(of: markets[market].instrument.marginRules)
    }

    /// A position's ADL score under its market's ranking, at its mark.
    public func adlScore(of index: Int32) -> Fixed {
        adlScore(of: index, ranking: adlRanking(of: Int(positions[Int(index)].symbolIndex)))
    }

    /// The same under `ranking`, asked once for a whole side.
    func adlScore(of index: Int32, ranking: ADLRanking) -> Fixed {
        switch ranking {
        case .binance: return binanceLeveragePnL(of: index)
        case .bitmex, .bybit, .okx: return valueScore(of: index)
        case .hyperliquid: return hyperliquidIndex(of: index)
        }
    }

    /// Hyperliquid's sorting index, `(mark ÷ entry) × (notional ÷ account value)` for a position
    /// in profit, `entry ÷ mark` for a short (see `ADLRanking.hyperliquid`); 0 for one not in
    /// profit or whose account value is not positive.
    func hyperliquidIndex(of index: Int32) -> Fixed {
        let position = positions[Int(index)]
        guard position.isOpen, position.entryPrice.isPositive else { return .zero }
        let terms = terms(of: position)
        let mark = valuationMark(of: position)
        guard mark.isPositive else { return .zero }
        let pnl = MarginMath.unrealisedPnL(terms, at: mark)
        guard pnl.isPositive else { return .zero }
        var accountValue = position.isolatedMargin + pnl
        if position.mode == .cross {
            let account = Int(position.accountIndex)
            accountValue = accounts[account].walletBalance + pnl
            if accounts[account].holdsSeveral { accountValue = accountValue + context(of: index).otherUnrealised }
        }
        guard accountValue.isPositive else { return .zero }
        let priceRatio = position.side == .long ? mark / position.entryPrice : position.entryPrice / mark
        return priceRatio * (MarginMath.notional(terms, at: mark) / accountValue)
    }

    /// Binance's "LeveragePnL": `max(0, uPnL) ÷ max(1, collateral) × margin ratio`, the margin
    /// ratio being `maintenance ÷ (collateral + uPnL)` (the account's, for cross), or 0 when that
    /// balance is not positive. Collateral is the isolated margin, or the cross wallet.
    func binanceLeveragePnL(of index: Int32) -> Fixed {
        let position = positions[Int(index)]
        var terms = terms(of: position)
        return binanceLeveragePnL(of: index, position, terms: &terms, mark: valuationMark(of: position), rules: marginRules(of: position))
    }

    /// The same for a position read already, with its market's terms, mark and rule given: the
    /// ranking scores a whole side with one `PositionTerms` (its quantity and entry set for each
    /// position), where making the terms anew for each retained and released the market's tier
    /// table, from both scoring threads at once.
    @inline(__always)
    func binanceLeveragePnL(of index: Int32, _ position: Position, terms: inout PositionTerms, mark: Fixed, rules: MarginRules) -> Fixed {
        terms.side = position.side
        terms.quantity = position.quantity
        terms.entryPrice = position.entryPrice
        let pnl = MarginMath.unrealisedPnL(terms, at: mark)
        guard pnl.isPositive else { return .zero }
        var maintenance = MarginMath.maintenance(terms, rules: rules, at: mark).margin
        let collateral: Fixed
        var balance: Fixed
        if position.mode == .isolated {
            collateral = position.isolatedMargin
            balance = collateral + pnl
        } else {
            let account = Int(position.accountIndex)
            collateral = accounts[account].walletBalance
            balance = collateral + pnl
            // An account of this one position has no others to add (most of a large book).
            if accounts[account].holdsSeveral {
                let others = context(of: index)
                maintenance += others.otherMaintenance
                balance = balance + others.otherUnrealised
            }
        }
        guard balance.isPositive else { return .zero }
        return pnl / Fixed.maximum(.one, collateral) * (maintenance / balance)
    }

    /// BitMEX's (and Bybit's) ranking on the position's values (see `LossAllocation.adlScore`).
    func valueScore(of index: Int32) -> Fixed {
        let position = currentPosition(index)
        let instrument = markets[Int(position.symbolIndex)].instrument
        let mark = valuationMark(of: position)
        func value(at price: Fixed) -> Fixed { Engine.signedValue(side: position.side, quantity: position.quantity, price: price, kind: instrument.kind) }
        let bankruptcy = position.bankruptcy
        return LossAllocation.adlScore(entryValue: value(at: position.entryPrice), markValue: value(at: mark),
            bankruptcyValue: bankruptcy.map(value(at:)) ?? .zero)
    }

    /// A position's value as BitMEX signs it: linear `side × Q × P`; inverse `−side × N × CS ÷ P`
    /// (an inverse long is short the coin it is settled in). With these signs one formula ranks
    /// longs and shorts, linear and inverse.
    static func signedValue(side: Side, quantity: Fixed, price: Fixed, kind: ContractKind) -> Fixed {
        switch kind {
        case .linear: return quantity * price * side.sign
        case .inverse(let size):
            guard price.isPositive else { return .zero }
            return quantity * size / price * (-side.sign)
        }
    }

    /// Every open position's place in its side's ADL queue, as exchanges show it: 1 to 5 lights.
    /// Binance's quantile is the position's rank among its side's, ascending, over their count;
    /// the lights are that quantile in fifths, rounded up (BitMEX: "shown in 20 % increments"):
    /// `⌈5 × (1 + positions of its side scoring less) ÷ (positions of its side)⌉`. The top fifth
    /// shows 5; equal scores share the lights of the lowest of them (hundreds of losing positions
    /// all scoring 0 are last in the queue, one light, not five); a position alone on its side
    /// shows 5, as it would be deleveraged first.
    public func adlQueue() -> [Int32: ADLQueueEntry] {
        var result: [Int32: ADLQueueEntry] = [:]
        for market in markets.indices {
            for side in [Side.long, .short] {
                let ranked = adlRanking(market: market, side: side)
                let count = ranked.count
                // Ranked best first: a run of equal scores ends where a lower score starts; the
                // run's positions count one more than those scoring less (after the run).
                var runEnd = [Int](repeating: count - 1, count: count)
                var offset = count - 2
                while offset >= 0 {
                    runEnd[offset] = ranked[offset].score == ranked[offset + 1].score ? runEnd[offset + 1] : offset
                    offset -= 1
                }
                // Where each run starts: the positions before it score more.
                var runStart = 0
                for (offset, entry) in ranked.enumerated() {
                    if offset > 0 && ranked[offset - 1].score != entry.score { runStart = offset }
                    let atMost = count - runEnd[offset]
                    let lights = max(1, min(5, (5 * atMost + count - 1) / max(1, count)))
                    var queued = ADLQueueEntry(score: entry.score, rank: offset + 1, of: count, lights: lights)
                    queued.ahead = runStart
                    result[entry.position] = queued
                }
            }
        }
        return result
    }
}

extension Engine {
    /// The ADL queue places of `indices` only, estimated from an even sample of at most
    /// `sampleSize` open positions of each side: ranking a million positions to show a thousand
    /// rows would cost the dashboard a second. A position's lights are its score's quantile in the
    /// sample (as `adlQueue` computes them over the whole side); its rank and the side's count are
    /// scaled from the sample.
    public func adlQueueEstimate(for indices: [Int32], sampleSize: Int = 4_096) -> [Int32: ADLQueueEntry] {
        struct SideKey: Hashable { var market: Int32; var side: Side }
        var wanted = Set<SideKey>()
        for index in indices where positions[Int(index)].isOpen {
            wanted.insert(SideKey(market: positions[Int(index)].symbolIndex, side: positions[Int(index)].side))
        }
        var samples: [SideKey: (scores: [Fixed], stride: Int)] = [:]
        for key in wanted {
            let members = markets[Int(key.market)].positionIndices
            func scores(stride: Int) -> [Fixed] {
                var scores: [Fixed] = []
                var offset = 0
                while offset < members.count {
                    let position = positions[Int(members[offset])]
                    if position.isOpen && position.side == key.side { scores.append(adlScore(of: members[offset])) }
                    offset += stride
                }
                return scores.sorted()
            }
            // Every open or closed position of the market is a candidate; the stride keeps the
            // sample even over the list, whatever share of it is open on this side. A side too
            // thin to be sampled that way (a few hundred shorts among a million longs) is ranked
            // whole: exact, and cheap for so few.
            let stride = max(1, members.count / max(1, sampleSize))
            var sample = scores(stride: stride)
            var used = stride
            if stride > 1 && sample.count < 64 {
                sample = scores(stride: 1)
                used = 1
            }
            samples[key] = (sample, used)
        }
        var result: [Int32: ADLQueueEntry] = [:]
        for index in indices where positions[Int(index)].isOpen {
            let position = positions[Int(index)]
            guard let sample = samples[SideKey(market: position.symbolIndex, side: position.side)], !sample.scores.isEmpty else { continue }
            result[index] = ADLQueueEntry.placed(score: adlScore(of: index), among: sample.scores, stride: sample.stride)
        }
        return result
    }

    /// The ADL queue a deleverage takes from: the side's open positions by score, as a heap ranked
    /// once every `adlRefreshSeconds` of event time (as Binance updates its quantiles) and reused
    /// by every deleverage within it, so a cascade does not rank every opposite position again for
    /// each liquidation. A position closed since the ranking is skipped; one reduced by ADL keeps
    /// its score (PnL% and leverage do not change with the quantity) and its place; a position
    /// placed or changed on that side is pushed again with its new score (`rescore`), and its
    /// older entry no longer counts. A large side is ranked by its cells (`ADLCells`), others by
    /// scanning the side's list. Takes the side's queue out of the market (ranked anew when
    /// there is none, or when it is due), so the caller holds the only reference and popping it
    /// copies nothing; `keepADLQueue` puts it back.
    mutating func takeADLQueue(market: Int, side: Side) -> ADLQueueCache {
        var cached: ADLQueueCache? = nil
        if side == .long { swap(&cached, &markets[market].adlLongs) } else { swap(&cached, &markets[market].adlShorts) }
        if let cached, isFresh(cached) { return cached }
        // Ranked in slices while the cascade was cut (see `ADLPreparation`).
        if let prepared = takePreparedQueue(market: market, side: side) { return prepared }
        // The ranking before leaves its arrays' room to this one (it was the only holder).
        var parts = ADLRankingParts()
        if var stale = cached {
            cached = nil
            parts = stale.takeParts()
        }
        if ranksByCells(market: market, side: side) { return rankByCells(market: market, side: side, recycling: &parts) }
        adlRankingParts(market: market, side: side, list: markets[market].adlIndices(side), into: &parts)
        return ADLQueueCache(ranked: parts, at: time, mark: markets[market].markPrice ?? .zero)
    }

    /// Whether a side of this market defers its scores (see `Engine+ADLBounds`).
    func defersADLScores(market: Int) -> Bool { markets[market].positionIndices.count >= adlDeferralThreshold }

    /// Whether a ranked queue may still be used at the present time (within the refresh period).
    func isFresh(_ cached: ADLQueueCache) -> Bool { isWithinRefreshPeriod(since: cached.rankedAt) }

    /// Whether the present time is less than `adlRefreshSeconds` after `start` (and not before it).
    func isWithinRefreshPeriod(since start: Int64) -> Bool {
        Engine.isWithin(periodSeconds: configuration.adlRefreshSeconds, since: start, now: time)
    }

    static func isWithin(periodSeconds: Int64, since start: Int64, now: Int64) -> Bool {
        let period = Int64(clamping: periodSeconds).multipliedReportingOverflow(by: 1_000_000_000)
        return now >= start && (period.overflow || now - start < max(1, period.partialValue))
    }

    /// Sides this large are scored in two halves at once: at a million positions one side's
    /// scores (each a few 128-bit divisions) hold a cascade's liquidation for about 80 ms.
    static let parallelScoringThreshold = 65_536

    /// The open positions of the side in `list` (its list, or its exact node's: see `ADLCells`)
    /// ranked (scored, or bounded: see `adlRankingParts`), in the list's order.
    func adlRankingParts(market: Int, side: Side, list: [Int32], into parts: inout ADLRankingParts) {
        let count = list.count
        let deferring = defersADLScores(market: market)
        guard count >= parallelRankingThreshold else {
            adlRankingParts(market: market, side: side, list: list, range: 0..<count, deferring: deferring, into: &parts)
            for index in parts.sections.indices { parts.sections[index].prepare(heapify: true, portion: adlSectionPortion) }
            return
        }
        // Each half on its own thread, into a section of its own (the room of the ranking before
        // reused), its heap built there too; the engine is only read meanwhile.
        let halves = [0..<count / 2, count / 2..<count]
        var recycled = parts.sections
        while recycled.count < 2 { recycled.append(ADLDeferredSection()) }
        let done = Mutex<[ADLRankingParts]>([ADLRankingParts(sections: [recycled[0]]), ADLRankingParts(sections: [recycled[1]])])
        recycled.removeAll()
        parts.sections.removeAll()
        let engine = self
        DispatchQueue.concurrentPerform(iterations: 2) { half in
            var part = done.withLock { results in
                var taken = ADLRankingParts()
                swap(&taken, &results[half])
                return taken
            }
            engine.adlRankingParts(market: market, side: side, list: list, range: halves[half], deferring: deferring, into: &part)
            for index in part.sections.indices { part.sections[index].prepare(heapify: true, portion: engine.adlSectionPortion) }
            done.withLock { $0[half] = part }
        }
        done.withLock { results in
            for half in 0..<2 {
                parts.exact += results[half].exact
                parts.sections += results[half].sections.filter { !$0.heap.isEmpty || !$0.zeros.isEmpty || !$0.rest.isEmpty }
            }
        }
    }

    func adlEntries(market: Int, side: Side, list indices: [Int32], range: Range<Int>) -> [ADLHeapEntry] {
        var entries: [ADLHeapEntry] = []
        entries.reserveCapacity(range.count / 2 + 1)
        let ranking = adlRanking(of: market)
        guard ranking == .binance else {
            for index in indices[range] {
                let position = positions[Int(index)]
                guard position.isOpen, position.side == side else { continue }
                entries.append(ADLHeapEntry(score: adlScore(of: index, ranking: ranking), position: index, generation: 0))
            }
            return entries
        }
        // Every position of the list is of this market: its terms, mark and rule are the same.
        let instrument = markets[market].instrument
        let rules = marginRules(of: instrument)
        let mark = markets[market].markPrice
        var terms = instrument.terms(side: side, quantity: .zero, entryPrice: .zero)
        // A cross position's score reads its account, a cache miss at a million accounts (the
        // positions are read in order, the accounts are not): the account of the position a few
        // places on is asked of memory while this one is scored.
        let lookahead = 8
        accounts.withUnsafeBufferPointer { accountStore in
            for offset in range {
                if offset + lookahead < range.upperBound {
                    let ahead = positions[Int(indices[offset + lookahead])]
                    if ahead.mode == .cross { liqwatch_prefetch(accountStore.baseAddress! + Int(ahead.accountIndex)) }
                }
                let index = indices[offset]
                let position = positions[Int(index)]
                guard position.isOpen, position.side == side else { continue }
                let score = binanceLeveragePnL(of: index, position, terms: &terms, mark: mark ?? position.entryPrice, rules: rules)
                entries.append(ADLHeapEntry(score: score, position: index, generation: 0))
            }
        }
        return entries
    }

    mutating func keepADLQueue(_ queue: ADLQueueCache, market: Int, side: Side) {
        if side == .long { markets[market].adlLongs = queue } else { markets[market].adlShorts = queue }
    }

    /// A position placed or changed: its side's ranked queue (if any) takes it with its score now.
    mutating func rescore(_ index: Int32) {
        let position = positions[Int(index)]
        guard position.isOpen else { return }
        let market = Int(position.symbolIndex)
        let present = position.side == .long ? markets[market].adlLongs != nil : markets[market].adlShorts != nil
        guard present else { return }
        var queue = takeADLQueue(market: market, side: position.side)
        queue.push(ADLHeapEntry(score: adlScore(of: index), position: index, generation: 0))
        keepADLQueue(queue, market: market, side: position.side)
    }
}

/// An entry of a side's ADL heap: the best score first, the lower position index on a tie.
struct ADLHeapEntry: Sendable {
    var score: Fixed
    var position: Int32
    /// 0 for the ranking; a later push of the same position counts instead (see `ADLQueueCache`).
    var generation: UInt32

    @inline(__always) static func before(_ a: ADLHeapEntry, _ b: ADLHeapEntry) -> Bool {
        a.score != b.score ? a.score > b.score : a.position < b.position
    }
}

/// A side's ADL heap as ranked at `rankedAt`, with the positions pushed again since.
struct ADLQueueCache: Sendable {
    var rankedAt: Int64
    /// Exact scores: the ranking's, the deferred ones worked out so far, and pushes since.
    var heap: [ADLHeapEntry]
    /// The generation of each position's latest entry, for the positions pushed since the ranking.
    var latest: [Int32: UInt32] = [:]
    var generations: UInt32 = 0
    /// Positions whose exact score waits until it could be the best (see `settle`).
    var sections: [ADLDeferredSection] = []
    /// The mark the side was ranked at: deferred scores are worked out at it.
    var mark: Fixed = .zero
    /// Isolated positions of the side changed since the ranking, with their inputs as the
    /// ranking found them (kept by the first change, `Engine.willChangeADLInputs`): a deferred
    /// score is worked out from these, or from the position as it stands.
    var inputsAtRanking: [Int32: ADLSnapshot] = [:]
    /// A side ranked by its cells: those not opened yet, and the positions of those opened.
    var cells = ADLCellQueue()

    /// Keeps a position's inputs before its first change since the ranking (a queue that
    /// defers nothing reads none). Returns whether the queue is ranked by cells not all opened
    /// yet, the position's first change since (it may have to be taken into the ranking now:
    /// `Engine.takeIntoRankingBeforeChange`). Asked in place: reading the queue out of its
    /// market retained every array of it.
    @discardableResult
    mutating func keepInputs(of index: Int32, _ position: Position, ifFresh isFresh: (Int64) -> Bool) -> Bool {
        guard !sections.isEmpty || cells.isRanking, inputsAtRanking[index] == nil, isFresh(rankedAt) else { return false }
        inputsAtRanking[index] = ADLSnapshot(quantity: position.quantity, entryPrice: position.entryPrice,
            isolatedMargin: position.isolatedMargin)
        return cells.isRanking && !cells.pending.isEmpty
    }

    /// A ranking's parts made into the queue: the exact heap built here, unless `heapified`;
    /// the deferred sections are ready (`ADLDeferredSection.prepare`).
    init(ranked parts: ADLRankingParts, at time: Int64, mark: Fixed, heapified: Bool = false) {
        rankedAt = time
        heap = parts.exact
        sections = parts.sections
        self.mark = mark
        if !heapified { Heap.heapify(&heap, before: ADLHeapEntry.before) }
    }

    /// This ranking's arrays, emptied, for the next (this one is let go of): moved out, so that
    /// emptying them keeps their room instead of copying.
    mutating func takeParts() -> ADLRankingParts {
        var parts = ADLRankingParts()
        swap(&parts.exact, &heap)
        swap(&parts.sections, &sections)
        inputsAtRanking = [:]
        cells = ADLCellQueue()
        parts.empty()
        return parts
    }

    mutating func push(_ entry: ADLHeapEntry) {
        generations &+= 1
        var entry = entry
        entry.generation = generations
        latest[entry.position] = generations
        Heap.push(&heap, entry, before: ADLHeapEntry.before)
    }

    /// Whether an entry is the position's current one (not superseded by a later push).
    func isCurrent(_ entry: ADLHeapEntry) -> Bool {
        latest[entry.position].map { $0 == entry.generation } ?? true
    }
}

/// A position's place in its side's ADL queue.
public struct ADLQueueEntry: Hashable, Sendable {
    public var score: Fixed
    /// 1 is first to be deleveraged.
    public var rank: Int
    public var of: Int
    /// 1 to 5, the indicator exchanges show (5: the top fifth).
    public var lights: Int
    /// Rank, count and lights are estimated from a sample of the side (see `adlQueueEstimate`).
    public var estimated = false
    /// Positions of the side scoring more (estimated with the rest): those deleveraged before it.
    /// A losing position alone on its side, or among losers only, has none ahead and is first in
    /// line, which its five lights say (the position view said "after every long in profit" beside
    /// them: operator trial).
    public var ahead = 0

    /// A score's place among `sortedScores`, the scores of its side's sample (ascending), taken
    /// every `stride`-th open position of the side: its lights are its score's quantile in the
    /// sample; a stride of 1 is the whole side, exact.
    static func placed(score: Fixed, among sortedScores: [Fixed], stride: Int) -> ADLQueueEntry {
        let exact = stride == 1
        // A whole side holds the position itself; a sample may not, so it joins its own.
        let count = sortedScores.count + (exact ? 0 : 1)
        let atMost = countBelow(score, in: sortedScores, orEqual: false) + 1
        let lights = max(1, min(5, (5 * atMost + count - 1) / count))
        let above = max(0, count - atMost)
        var queued = ADLQueueEntry(score: score, rank: above * stride + 1, of: exact ? count : (count - 1) * stride + 1,
            lights: lights, estimated: !exact)
        queued.ahead = (sortedScores.count - countBelow(score, in: sortedScores, orEqual: true)) * stride
        return queued
    }

    /// How many of `ascending` (sorted) are less than `score`, or also equal to it.
    static func countBelow(_ score: Fixed, in ascending: [Fixed], orEqual: Bool) -> Int {
        var lower = 0
        var upper = ascending.count
        while lower < upper {
            let middle = (lower + upper) / 2
            if ascending[middle] < score || (orEqual && ascending[middle] == score) { lower = middle + 1 } else { upper = middle }
        }
        return lower
    }
}
