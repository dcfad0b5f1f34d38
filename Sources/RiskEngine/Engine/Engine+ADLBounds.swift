import CPrefetch

/// Ranking a large side for ADL without scoring every position exactly.
///
/// A side is ranked once every `adlRefreshSeconds` of event time; at a million positions the
/// exact scores of the other side (four 128-bit multiplications and two 128-bit divisions each,
/// about 450,000 of them) were most of a cascade's cost, while a deleverage takes the best few
/// hundred. So an isolated position's score is first bounded from above in Double arithmetic,
/// and worked out exactly (as at the ranking: its inputs then are kept) only when its bound
/// could put it before the best exact score (`ADLQueueCache.settle`). The order is the exact
/// one: a position is taken only when no bound left could beat it.
extension Engine {
    /// Sides with at least this many positions (open or not) defer their scores; smaller ones
    /// are scored whole, which is cheap. Tests lower it to prove both give the same queue.
    static let adlDeferralThreshold = 4_096

    /// `range` of the side's list of the market (`MarketState.adlIndices`), ranked: exact scores
    /// where they cannot be deferred (cross positions, whose score reads their account as it
    /// stands; a bound too close to call), bounds with the inputs as they are now for the rest.
    func adlRankingParts(market: Int, side: Side, list: [Int32], range: Range<Int>, deferring: Bool) -> ADLRankingParts {
        var parts = ADLRankingParts()
        adlRankingParts(market: market, side: side, list: list, range: range, deferring: deferring, into: &parts)
        return parts
    }

    /// The same, appended to `parts` (whose arrays a ranking before may have left room in: a
    /// million positions' arrays made anew each time were a fifth of the ranking, the kernel
    /// clearing their pages).
    func adlRankingParts(market: Int, side: Side, list indices: [Int32], range: Range<Int>, deferring: Bool, into parts: inout ADLRankingParts) {
        let instrument = markets[market].instrument
        let rules = marginRules(of: instrument)
        guard deferring, adlRanking(of: market) == .binance, rules != .okx, let mark = markets[market].markPrice else {
            parts.exact += adlEntries(market: market, side: side, list: indices, range: range)
            return
        }
        if parts.sections.isEmpty { parts.sections.append(ADLDeferredSection()) }
        var section = ADLDeferredSection()
        swap(&section, &parts.sections[parts.sections.count - 1])
        defer { swap(&section, &parts.sections[parts.sections.count - 1]) }
        // Room for the whole range at once: grown by doubling, a million positions' arrays were
        // copied, their pages faulted and the old ones unmapped a dozen times each ranking (a
        // third of it at 1 M). Pages reserved and not written cost nothing.
        section.reserve(more: range.count)
        var terms = instrument.terms(side: side, quantity: .zero, entryPrice: .zero)
        let bounds = ADLBoundTerms(instrument: instrument, rules: rules, mark: mark)
        // An isolated position is bounded from its scan inputs (24 bytes beside it, see
        // `ADLScanInputs`), fetched ahead: at a million, a side's list reaches inputs scattered
        // over 24 MB. The position itself (112 bytes) is read only when they are unknown or too
        // close to call, and a cross position's account is fetched ahead too.
        let nearAhead = 4
        let lookahead = 8
        let fartherAhead = 16
        accounts.withUnsafeBufferPointer { accountStore in positions.withUnsafeBufferPointer { positionStore in
        adlScanInputs.withUnsafeBufferPointer { inputStore in
            let positionBase = positionStore.baseAddress!
            // None kept (a what-if's copy, see `dropADLScanInputs`): every position is read.
            let inputBase = keepsADLScanInputs ? inputStore.baseAddress : nil
            @inline(__always) func inputs(_ index: Int) -> ADLScanInputs { inputBase?[index] ?? .unknown }
            // Fetched ahead across the range's end too (the list goes on; a slice's next range
            // starts there).
            let listEnd = indices.count
            for offset in range {
                if offset + fartherAhead < listEnd, let inputBase {
                    liqwatch_prefetch(inputBase + Int(indices[offset + fartherAhead]))
                }
                // A position whose inputs are unknown (or cross) is read itself: fetched 8 ahead,
                // and a cross one's account 4 ahead, once the position is in.
                if offset + lookahead < listEnd {
                    let aheadIndex = Int(indices[offset + lookahead])
                    if inputs(aheadIndex).quantity.isNaN {
                        liqwatch_prefetch(positionBase + aheadIndex)
                        liqwatch_prefetch(UnsafeRawPointer(positionBase + aheadIndex) + 64)
                    }
                }
                if offset + nearAhead < listEnd {
                    let aheadIndex = Int(indices[offset + nearAhead])
                    if inputs(aheadIndex).quantity.isNaN {
                        let ahead = positionBase + aheadIndex
                        if ahead.pointee.mode == .cross { liqwatch_prefetch(accountStore.baseAddress! + Int(ahead.pointee.accountIndex)) }
                    }
                }
                let index = indices[offset]
                let inputs = inputs(Int(index))
                var bound: Double? = nil
                if !inputs.quantity.isNaN {
                    // Closed, or on the other side now.
                    guard side == .long ? inputs.quantity > 0 : inputs.quantity < 0 else { continue }
                    bound = bounds.leveragePnLBound(side: side, inputs)
                }
                if bound == nil {
                    let position = positionBase + Int(index)
                    guard position.pointee.isOpen, position.pointee.side == side else { continue }
                    if position.pointee.mode == .isolated { bound = bounds.leveragePnLBound(position) }
                    if bound == nil {
                        let score = binanceLeveragePnL(of: index, position.pointee, terms: &terms, mark: mark, rules: rules)
                        parts.exact.append(ADLHeapEntry(score: score, position: index, generation: 0))
                        continue
                    }
                }
                // Set above, or the position was scored exactly and skipped.
                let found = bound!
                if found == 0 {
                    // Not in profit at the ranking's mark: its score is 0 whatever else, and
                    // zeros are taken in the order of their positions (the list's, unless a
                    // position turned: `prepare` sorts them then).
                    section.zeros.append(index)
                } else {
                    section.heap.append(ADLDeferredEntry(bound: found, position: index, isZero: false))
                }
            }
        } } }
    }

    /// A deferred position's exact score as the ranking would have made it: its inputs then (as
    /// kept by its first change since, `inputs`, or as they stand), at the ranking's mark (an
    /// isolated position's score reads nothing else).
    func deferredScore(_ entry: ADLDeferredEntry, _ inputs: ADLSnapshot?, market: Int, mark: Fixed) -> Fixed {
        var position = positions[Int(entry.position)]
        if let inputs {
            position.quantity = inputs.quantity
            position.entryPrice = inputs.entryPrice
            position.isolatedMargin = inputs.isolatedMargin
        }
        position.mode = .isolated
        let instrument = markets[market].instrument
        var terms = instrument.terms(side: position.side, quantity: .zero, entryPrice: .zero)
        return binanceLeveragePnL(of: entry.position, position, terms: &terms, mark: mark, rules: marginRules(of: instrument))
    }
}

extension Engine {
    /// Called before an open isolated position's quantity, entry or margin changes: a ranked
    /// queue of its side that defers scores keeps the inputs as they are (they are the ranking's
    /// until the first change), so that the position's deferred score, worked out later, is the
    /// one the ranking would have given it. Changes made while the queue is taken out of its
    /// market (a deleverage) touch only the position at its top, whose score is worked out.
    @inline(__always)
    mutating func willChangeADLInputs(_ index: Int32) {
        // Unknown until the change is made (`didChangeADLInputs`): a change made without that
        // call leaves the scan reading the position itself, never inputs gone stale.
        if keepsADLScanInputs { adlScanInputs[Int(index)] = .unknown }
        let position = positions[Int(index)]
        guard position.mode == .isolated, position.isOpen else { return }
        let market = Int(position.symbolIndex)
        // Asked of the queue in place: reading `markets[market].adlLongs` copied the whole market
        // (a third more instructions per liquidation at 10 k positions).
        // A queue past its refresh period is ranked anew before it is read again: it keeps
        // nothing (a live session's positions changing for hours would fill it).
        let now = time
        let period = configuration.adlRefreshSeconds
        let isFresh = { (rankedAt: Int64) in Engine.isWithin(periodSeconds: period, since: rankedAt, now: now) }
        if position.side == .long {
            if markets[market].adlLongs?.keepInputs(of: index, position, ifFresh: isFresh) == true {
                takeIntoRankingBeforeChange(index, market: market, side: .long)
            }
        } else {
            if markets[market].adlShorts?.keepInputs(of: index, position, ifFresh: isFresh) == true {
                takeIntoRankingBeforeChange(index, market: market, side: .short)
            }
        }
    }
}

extension Engine {
    /// Called once a position's quantity, entry, margin, side or mode has changed: its scan
    /// inputs as they are now.
    @inline(__always)
    mutating func didChangeADLInputs(_ index: Int32) {
        let inputs = ADLScanInputs(positions[Int(index)])
        if keepsADLScanInputs { adlScanInputs[Int(index)] = inputs }
        placeInCells(index, inputs: inputs)
    }

    /// Lets go of the scan inputs, for a copy of the engine that lives for one projection (a
    /// what-if): its first change would otherwise copy the whole array (24 MB at a million
    /// positions, a tenth of a what-if ladder); its rankings read the positions themselves.
    mutating func dropADLScanInputs() {
        keepsADLScanInputs = false
        adlScanInputs = []
        // Its cells are left as they are (see `ADLCellIndex.isFrozen`).
        adlCells.isFrozen = true
    }

    /// Positions whose scan inputs are known and differ from the position as it stands (for
    /// tests: none, ever).
    var staleADLScanInputs: [Int32] {
        guard keepsADLScanInputs else { return [] }
        return positions.indices.filter { index in
            let kept = adlScanInputs[index]
            guard !kept.quantity.isNaN else { return false }
            let now = ADLScanInputs(positions[index])
            return kept.quantity.bitPattern != now.quantity.bitPattern || kept.entry.bitPattern != now.entry.bitPattern
                || kept.margin.bitPattern != now.margin.bitPattern
        }.map { Int32($0) }
    }
}

/// An isolated position's ADL score inputs in Double, as `ADLBoundTerms.leveragePnLBound` reads
/// them, kept beside the positions (`Engine.adlScanInputs`) so that a ranking's scan reads 24
/// bytes a position where it read the 112-byte position itself: at a million positions the scan,
/// a wait for memory and the conversion of three 128-bit values each, was most of a ranking.
///
/// Written after every change of the inputs (`Engine.didChangeADLInputs`) and made unknown before
/// it (`willChangeADLInputs`); unknown ones (and cross positions, whose score reads the account)
/// send the scan to the position itself, so a stale figure is never read.
struct ADLScanInputs: Sendable {
    /// `Fixed.roughDouble` of the quantity, negative for a short; 0 when closed; NaN when unknown.
    var quantity: Double
    var entry: Double
    var margin: Double

    static let unknown = ADLScanInputs(quantity: .nan, entry: 0, margin: 0)

    init(quantity: Double, entry: Double, margin: Double) {
        self.quantity = quantity
        self.entry = entry
        self.margin = margin
    }

    @inline(__always)
    init(_ position: borrowing Position) {
        guard position.mode == .isolated else { self = .unknown; return }
        let quantity = position.isOpen ? position.quantity.roughDouble : 0
        self.init(quantity: position.side == .long ? quantity : -quantity,
            entry: position.entryPrice.roughDouble, margin: position.isolatedMargin.roughDouble)
    }
}

/// What bounding a side's scores needs of its instrument, in Double.
struct ADLBoundTerms: Sendable {
    let mark: Fixed
    let markRough: Double
    /// Inverse contracts: the contract size; nil for linear.
    let contractSize: Double?
    /// Bybit compares its tiers with the value at entry; Binance and Hyperliquid at the mark.
    let tiersAtEntry: Bool
    let caps: [Double]
    let rates: [Double]
    let amounts: [Double]

    init(instrument: Instrument, rules: MarginRules, mark: Fixed) {
        self.mark = mark
        markRough = mark.roughDouble
        if case .inverse(let size) = instrument.kind { contractSize = size.roughDouble } else { contractSize = nil }
        tiersAtEntry = rules == .bybit
        let brackets = instrument.brackets.brackets
        caps = brackets.map { $0.notionalCap == .max ? .infinity : $0.notionalCap.roughDouble }
        rates = brackets.map(\.maintenanceMarginRate.roughDouble)
        amounts = brackets.map(\.maintenanceAmount.roughDouble)
    }

    /// An upper bound of `Engine.binanceLeveragePnL` of an isolated position at `mark` (0 when it
    /// is not in profit, which makes its score 0), or nil when Double cannot be trusted to bound
    /// it (a balance near zero, a magnitude far out). The exact score is `pnl ÷ max(1, margin) ×
    /// (maintenance ÷ (margin + pnl))`, each operation rounded at 10⁻¹⁸; here each input carries
    /// a relative error of about 10⁻¹⁶, each of the dozen operations as much again, and the PnL's
    /// difference of two prices an absolute one: the bound widens the PnL and the maintenance by
    /// 10⁻¹² of the notional and the result by 10⁻⁹, relative and absolute, thousands of times
    /// what the arithmetic can be off by.
    @inline(__always)
    func leveragePnLBound(_ position: Position) -> Double? {
        withUnsafePointer(to: position) { leveragePnLBound($0) }
    }

    /// The same, of a position read where it lies (no copy of its 112 bytes).
    @inline(__always)
    func leveragePnLBound(_ position: UnsafePointer<Position>) -> Double? {
        let side = position.pointee.side
        let entryPrice = position.pointee.entryPrice
        let inProfit = side == .long ? mark > entryPrice : mark < entryPrice
        guard inProfit else { return 0 }
        return leveragePnLBound(side: side, quantity: position.pointee.quantity.roughDouble, entry: entryPrice.roughDouble,
            margin: position.pointee.isolatedMargin.roughDouble)
    }

    /// The same from the scan's inputs (`ADLScanInputs`): 0 when not in profit, nil when the
    /// position must be read (its entry too near the mark for Double to tell which side it is on).
    @inline(__always)
    func leveragePnLBound(side: Side, _ inputs: ADLScanInputs) -> Double? {
        let entry = inputs.entry
        // Rough values are within a few units of the 16th digit: apart by more than a billionth,
        // they compare as the exact ones do.
        guard markRough > 0, abs(markRough - entry) > 1e-9 * markRough else { return nil }
        let inProfit = side == .long ? markRough > entry : markRough < entry
        guard inProfit else { return 0 }
        return leveragePnLBound(side: side, quantity: abs(inputs.quantity), entry: entry, margin: inputs.margin)
    }

    /// The bound of a position in profit, from its inputs in Double.
    @inline(__always)
    func leveragePnLBound(side: Side, quantity: Double, entry: Double, margin: Double) -> Double? {
        let notionalAtMark: Double
        let notionalAtEntry: Double
        let pnl: Double
        if let contractSize {
            let coins = quantity * contractSize
            notionalAtMark = coins / markRough
            notionalAtEntry = coins / entry
            pnl = side == .long ? notionalAtEntry - notionalAtMark : notionalAtMark - notionalAtEntry
        } else {
            notionalAtMark = quantity * markRough
            notionalAtEntry = quantity * entry
            pnl = side == .long ? notionalAtMark - notionalAtEntry : notionalAtEntry - notionalAtMark
        }
        let slack = 1e-12 * (notionalAtMark + notionalAtEntry)
        let pnlHigh = pnl + slack
        let balanceLow = margin + pnl - slack
        // A balance near zero divides by almost nothing: the exact score decides.
        guard balanceLow > 1e-6 * (abs(margin) + abs(pnl)) + 1e-12 else { return nil }
        // Fixed saturates near 1.7e20: a margin, PnL, balance or notional near it is not bounded here.
        guard abs(margin) + abs(pnl) + notionalAtMark + notionalAtEntry < 1e19 else { return nil }
        let base = tiersAtEntry ? notionalAtEntry : notionalAtMark
        guard base.isFinite, base < 1e30 else { return nil }
        // The bracket the notional falls in; near a cap, the larger of the two brackets'
        // figures (the table is continuous there, so they nearly agree).
        guard !caps.isEmpty else { return pnlHigh / max(1, margin) * ((1e-12 * base + 1e-12) / balanceLow) * (1 + 1e-9) + 1e-9 }
        var tier = 0
        while tier < caps.count - 1 && base > caps[tier] { tier += 1 }
        var maintenance = base * rates[tier] - amounts[tier]
        if tier > 0 && base <= caps[tier - 1] * (1 + 1e-9) {
            maintenance = max(maintenance, base * rates[tier - 1] - amounts[tier - 1])
        }
        if tier < caps.count - 1 && base >= caps[tier] * (1 - 1e-9) {
            maintenance = max(maintenance, base * rates[tier + 1] - amounts[tier + 1])
        }
        let maintenanceHigh = max(0, maintenance) + 1e-12 * base + 1e-12
        // Each Fixed quotient is rounded to 1e-18 absolute, which the other factor multiplies.
        let score = (pnlHigh / max(1, margin) + 1e-18) * (maintenanceHigh / balanceLow + 1e-18)
        guard score.isFinite else { return nil }
        return score * (1 + 1e-9) + 1e-9
    }
}

/// A position whose exact ADL score is put off: an upper bound of it, or (`isZero`) a position
/// not in profit, whose score is 0.
struct ADLDeferredEntry: Sendable {
    var bound: Double
    var position: Int32
    var isZero: Bool

    @inline(__always) static func before(_ a: ADLDeferredEntry, _ b: ADLDeferredEntry) -> Bool {
        a.bound != b.bound ? a.bound > b.bound : a.position < b.position
    }
}

/// An isolated position's score inputs as the ranking found them (its side and mode, its
/// market's terms and the ranking's mark are the queue's), kept when the position changes while
/// its score may still be deferred (`ADLQueueCache.inputsAtRanking`).
struct ADLSnapshot: Sendable {
    var quantity: Fixed
    var entryPrice: Fixed
    var isolatedMargin: Fixed
}

/// A side ranked, or a range of it: the exact scores, and the deferred ones in sections (a
/// ranking made on two threads has one each, never joined: the queue takes the best of their tops).
struct ADLRankingParts: Sendable {
    var exact: [ADLHeapEntry] = []
    var sections: [ADLDeferredSection] = []

    init(exact: [ADLHeapEntry] = [], sections: [ADLDeferredSection] = []) {
        self.exact = exact
        self.sections = sections
    }

    /// Another range's parts after these, its deferred ones joined to the last section.
    mutating func append(_ other: ADLRankingParts) {
        exact += other.exact
        for section in other.sections {
            if sections.isEmpty { sections.append(section) } else { sections[sections.count - 1].append(section) }
        }
    }

    /// Emptied, its arrays' room kept for the next ranking.
    mutating func empty() {
        exact.removeAll(keepingCapacity: true)
        for index in sections.indices { sections[index].empty() }
    }
}

/// Deferred positions of a range of a side: a heap by bound (`heap`), and those not in profit
/// at the ranking (score 0) in ascending order from `zeroHead` on.
///
/// Their inputs are not copied at the ranking (48 bytes a position written to fresh pages, a
/// quarter of a million's ranking): a position changed since keeps them in its queue instead
/// (`Engine.willChangeADLInputs`), and one unchanged is read as it stands.
///
/// A large section's heap holds only its best bounds, a few thousand (`portion`): a deleverage
/// takes the best few hundred of a side, and building a heap of a million bounds was a third of
/// a ranking. The others wait unordered in `rest`, every one of them below every bound in the
/// heap; when the heap has given out, the next portion of them is split off and made the heap.
/// So the entries come out in exactly the order one heap of them all would give.
struct ADLDeferredSection: Sendable {
    var heap: [ADLDeferredEntry] = []
    var zeros: [Int32] = []
    var zeroHead = 0
    /// Entries whose bounds are all below every bound in `heap` (empty whenever `heap` is).
    var rest: [ADLDeferredEntry] = []
    /// About how many entries the heap is built of at a time (see the type's comment), as
    /// `prepare` was given it; a section of more than four portions is split.
    var portion = ADLDeferredSection.defaultPortion

    static let defaultPortion = 4_096

    /// A later range's section after this one (neither prepared yet: a heap is built after).
    mutating func append(_ other: ADLDeferredSection) {
        precondition(rest.isEmpty && other.rest.isEmpty, "sections are joined before they are prepared")
        zeros += other.zeros[other.zeroHead...]
        heap += other.heap
    }

    /// Room for `more` positions beyond those held, grown at least twofold (a ranking made in
    /// slices asks for a slice at a time).
    mutating func reserve(more: Int) {
        func grow<Element>(_ array: inout [Element]) {
            let needed = array.count + more
            if array.capacity < needed { array.reserveCapacity(max(needed, 2 * array.capacity)) }
        }
        grow(&heap)
        grow(&zeros)
    }

    mutating func empty() {
        // The larger room goes to the heap, which the next ranking fills with the whole range.
        if rest.capacity > heap.capacity { swap(&heap, &rest) }
        heap.removeAll(keepingCapacity: true)
        zeros.removeAll(keepingCapacity: true)
        rest.removeAll(keepingCapacity: true)
        zeroHead = 0
    }

    /// The section's best deferred position: the bounds' top or the first zero (bound 0, by
    /// position), as an entry (a zero's marked `isZero`).
    @inline(__always) var best: ADLDeferredEntry? {
        let zero = zeroHead < zeros.count ? ADLDeferredEntry(bound: 0, position: zeros[zeroHead], isZero: true) : nil
        guard let top = heap.first else { return zero }
        guard let zero else { return top }
        return ADLDeferredEntry.before(top, zero) ? top : zero
    }

    /// Removes `best` (which the caller has just read).
    @inline(__always) mutating func removeBest(_ best: ADLDeferredEntry) {
        if best.isZero { zeroHead += 1; return }
        Heap.pop(&heap, before: ADLDeferredEntry.before)
        if heap.isEmpty && !rest.isEmpty { takeNextPortion() }
    }

    /// Ready to be taken from: heapified (its best portion, see the type's comment), zeros in
    /// order (they are, as the list is, unless not). Not heapified: the caller builds the heap
    /// of every entry itself, in slices (`Engine.advancePreparation`).
    mutating func prepare(heapify: Bool, portion: Int = ADLDeferredSection.defaultPortion) {
        self.portion = max(1, portion)
        if heapify {
            splitOffRest()
            Heap.heapify(&heap, before: ADLDeferredEntry.before)
        }
        if zip(zeros, zeros.dropFirst()).contains(where: { $0 >= $1 }) { zeros.sort() }
    }

    /// The heap has given out: the rest's best portion becomes the heap.
    mutating func takeNextPortion() {
        swap(&heap, &rest)
        splitOffRest()
        Heap.heapify(&heap, before: ADLDeferredEntry.before)
    }

    /// Leaves in `heap` about `portion` of its entries, those with the highest bounds, and moves
    /// the others, every one below each that stays, to `rest` (empty before). The dividing bound
    /// is read off a sample of evenly spaced entries; whatever it is, every entry at or above it
    /// stays and every one below goes, so the order taken is exact and only the portion's size
    /// depends on the sample.
    mutating func splitOffRest() {
        let count = heap.count
        guard count > 4 * portion, rest.isEmpty else { return }
        let sampleSize = 1_024
        var sample = (0..<sampleSize).map { heap[$0 * count / sampleSize].bound }
        sample.sort(by: >)
        // The sample's place that about `portion` of all the entries are at or above.
        let threshold = sample[max(0, portion * sampleSize / count - 1)]
        // Bounds are finite (`leveragePnLBound` returns none that is not); were one not, every
        // comparison with it would be false and the heap would be left empty: no split then.
        guard threshold.isFinite else { return }
        // The portion goes into the rest's room (empty: a heap given out, or a ranking's first).
        var portionHeap: [ADLDeferredEntry] = []
        swap(&portionHeap, &rest)
        portionHeap.reserveCapacity(2 * portion)
        var kept = 0
        heap.withUnsafeMutableBufferPointer { entries in
            for index in entries.indices {
                let entry = entries[index]
                if entry.bound >= threshold {
                    portionHeap.append(entry)
                } else {
                    entries[kept] = entry
                    kept += 1
                }
            }
        }
        heap.removeLast(count - kept)
        swap(&heap, &portionHeap)
        swap(&rest, &portionHeap)
    }
}

extension Fixed {
    /// The value in Double, within a couple of units of its last place: the two halves of the raw
    /// value converted apart (a 128-bit conversion, or a division by 10¹⁸, costs many times more).
    @inlinable @inline(__always) public var roughDouble: Double {
        let magnitude = raw.magnitude
        let high = UInt64(truncatingIfNeeded: magnitude >> 64)
        let low = UInt64(truncatingIfNeeded: magnitude)
        let value = (Double(high) * 18_446_744_073_709_551_616.0 + Double(low)) * 1e-18
        return raw < 0 ? -value : value
    }

    /// A Double no larger than the value (for comparing a bound with an exact score).
    @inline(__always) var roughDoubleBelow: Double {
        let rough = roughDouble
        return rough - abs(rough) * 1e-12
    }
}
