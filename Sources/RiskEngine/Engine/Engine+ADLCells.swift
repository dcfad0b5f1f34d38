/// The engine's side of `ADLCells`: keeping each position in its cell, ranking a side by its
/// cells, opening them as a deleverage reaches them.
///
/// A ranking made with cells is the ranking the scan makes: the same positions, each scored as
/// at the ranking, taken in the same exact order. A position is taken into it once (its stamp):
/// from the exact node at the ranking, from its cell when the cell is opened, or, when it
/// changes before its cell is opened, at that first change, from its inputs as they were (the
/// ranking's). A position placed after the ranking may be met in an opened cell: its entry
/// there is the ranking's kind (generation 0), and the one pushed when it was placed
/// (`rescore`) supersedes it.
extension Engine {
    /// Whether a ranking of this side is made by its cells: where the scan would defer scores
    /// (a large side, Binance's ranking, a rule whose tiers read the mark's notional), with a mark.
    func ranksByCells(market: Int, side: Side) -> Bool {
        guard usesADLCells, !adlCells.isFrozen, defersADLScores(market: market), adlRanking(of: market) == .binance,
              markets[market].markPrice != nil else { return false }
        let rules = marginRules(of: markets[market].instrument)
        guard rules == .binance || rules == .hyperliquid else { return false }
        return adlCells.exactNode(ADLCellIndex.slot(market: market, side: side)) != nil
    }

    /// How many positions a ranking by cells of this side scores at once (its exact node's).
    func exactNodeCount(market: Int, side: Side) -> Int {
        guard let exact = adlCells.exactNode(ADLCellIndex.slot(market: market, side: side)) else { return 0 }
        return Int(adlCells.nodes[Int(exact)].count)
    }

    /// Puts a position in the cell of its values now, `inputs` (called once they have changed).
    @inline(__always)
    mutating func placeInCells(_ index: Int32, inputs: ADLScanInputs) {
        guard usesADLCells, !adlCells.isFrozen else { return }
        adlCells.growPositions(to: positions.count)
        guard positions[Int(index)].isOpen else {
            adlCells.remove(index)
            return
        }
        let market = Int(positions[Int(index)].symbolIndex)
        let slot = ADLCellIndex.slot(market: market, side: positions[Int(index)].side)
        let key = positions[Int(index)].mode == .isolated ? ADLCellIndex.key(inputs, contractSize: cellContractSize(market: market)) : nil
        adlCells.place(index, slot: slot, key: key)
    }

    @inline(__always)
    func cellContractSize(market: Int) -> Double? {
        if case .inverse(let size) = markets[market].instrument.kind { return size.roughDouble }
        return nil
    }

    /// A side ranked by its cells: its exact node scored (as the scan scores), its top cells
    /// bounded at the mark and left unopened (a cell opened bounds those under it).
    mutating func rankByCells(market: Int, side: Side, recycling parts: inout ADLRankingParts) -> ADLQueueCache {
        let slot = ADLCellIndex.slot(market: market, side: side)
        let exactMembers = adlCells.members(of: adlCells.exactNode(slot)!)
        adlRankingParts(market: market, side: side, list: exactMembers, into: &parts)
        let stamp = adlCells.nextStamp()
        for index in exactMembers { adlCells.stamps[Int(index)] = stamp }
        let mark = markets[market].markPrice!
        let instrument = markets[market].instrument
        let cellBounds = ADLCellBounds(instrument: instrument, side: side, mark: mark)
        var pending: [ADLCellEntry] = []
        for node in adlCells.roots[slot] where adlCells.nodes[Int(node)].subtreeCount > 0 {
            pending.append(ADLCellEntry(bound: cellBounds.bound(adlCells.nodes[Int(node)]), node: node))
        }
        Heap.heapify(&pending, before: ADLCellEntry.before)
        adlCellCounts.rankings += 1
        adlCellCounts.cellsBounded += pending.count
        adlCellCounts.exactScored += exactMembers.count
        var queue = ADLQueueCache(ranked: parts, at: time, mark: mark)
        queue.cells = ADLCellQueue(stamp: stamp, side: side, pending: pending,
            bounds: ADLBoundTerms(instrument: instrument, rules: marginRules(of: instrument), mark: mark), cellBounds: cellBounds)
        return queue
    }

    /// Opens a cell of a ranked queue: each position of its own list not taken into the ranking
    /// yet is, scored as the scan would have, and the cells under it wait in the queue by their
    /// bounds.
    mutating func openCell(_ node: Int32, queue: inout ADLQueueCache, market: Int) {
        let stamp = queue.cells.stamp
        let bounds = queue.cells.bounds!
        adlCellCounts.cellsOpened += 1
        if let cellBounds = queue.cells.cellBounds {
            for child in adlCells.nodes[Int(node)].children where adlCells.nodes[Int(child)].subtreeCount > 0 {
                Heap.push(&queue.cells.pending, ADLCellEntry(bound: cellBounds.bound(adlCells.nodes[Int(child)]), node: child),
                    before: ADLCellEntry.before)
                adlCellCounts.cellsBounded += 1
            }
        }
        // Taking a position into the ranking moves no position between cells.
        var current = adlCells.nodes[Int(node)].head
        while current >= 0 {
            if adlCells.stamps[Int(current)] != stamp {
                adlCells.stamps[Int(current)] = stamp
                takeIntoRanking(current, queue: &queue, bounds: bounds, market: market)
            }
            current = adlCells.links[Int(current)].next
        }
    }

    /// Position `index`, with its inputs as at the ranking (kept by its first change since, or as
    /// they stand), into the queue: bounded among the opened positions, or scored exactly when
    /// Double cannot bound it.
    mutating func takeIntoRanking(_ index: Int32, queue: inout ADLQueueCache, bounds: ADLBoundTerms, market: Int) {
        let side = queue.cells.side
        adlCellCounts.positionsTaken += 1
        let snapshot = queue.inputsAtRanking[index]
        var inputs: ADLScanInputs
        if let snapshot {
            let quantity = snapshot.quantity.roughDouble
            inputs = ADLScanInputs(quantity: side == .long ? quantity : -quantity, entry: snapshot.entryPrice.roughDouble,
                margin: snapshot.isolatedMargin.roughDouble)
        } else {
            inputs = keepsADLScanInputs && Int(index) < adlScanInputs.count ? adlScanInputs[Int(index)] : .unknown
            if inputs.quantity.isNaN { inputs = ADLScanInputs(positions[Int(index)]) }
        }
        // Cross (it was then, or it was placed since), closed, or on the other side.
        guard !inputs.quantity.isNaN, side == .long ? inputs.quantity > 0 : inputs.quantity < 0 else { return }
        if let bound = bounds.leveragePnLBound(side: side, inputs) {
            Heap.push(&queue.cells.opened, ADLDeferredEntry(bound: bound, position: index, isZero: bound == 0), before: ADLDeferredEntry.before)
        } else {
            let score = deferredScore(ADLDeferredEntry(bound: 0, position: index, isZero: false), snapshot, market: market, mark: queue.mark)
            Heap.push(&queue.heap, ADLHeapEntry(score: score, position: index, generation: 0), before: ADLHeapEntry.before)
        }
    }

    /// An isolated position about to change for the first time since its side was ranked by
    /// cells, its cell not opened yet: taken into the ranking now, from its inputs as they still
    /// are (the ranking's).
    mutating func takeIntoRankingBeforeChange(_ index: Int32, market: Int, side: Side) {
        guard Int(index) < adlCells.stamps.count else { return }
        var queue: ADLQueueCache? = nil
        if side == .long { swap(&queue, &markets[market].adlLongs) } else { swap(&queue, &markets[market].adlShorts) }
        if let stamp = queue?.cells.stamp, stamp != 0, queue?.cells.pending.isEmpty == false, adlCells.stamps[Int(index)] != stamp,
           isFresh(queue!), let bounds = queue?.cells.bounds {
            adlCells.stamps[Int(index)] = stamp
            adlCellCounts.takenBeforeChange += 1
            takeIntoRanking(index, queue: &queue!, bounds: bounds, market: market)
        }
        if side == .long { swap(&queue, &markets[market].adlLongs) } else { swap(&queue, &markets[market].adlShorts) }
    }

    /// Works out the exact score (as at the ranking) of every deferred position, and opens every
    /// cell, whose bound could put it before the best exact entry, best bound first: after it,
    /// the first of `heap` is the first of the whole side in the exact order. An entry moved is
    /// one of the ranking's (generation 0): superseded or closed since, it is dropped at the top
    /// as any other.
    mutating func settle(_ queue: inout ADLQueueCache, market: Int) {
        let mark = queue.mark
        while true {
            // The best deferred position of every section, and of the cells (or their best
            // unopened cell, which comes before any position of equal bound).
            var next: (section: Int, entry: ADLDeferredEntry)? = nil
            for index in queue.sections.indices {
                guard let best = queue.sections[index].best else { continue }
                if next.map({ ADLDeferredEntry.before(best, $0.entry) }) ?? true { next = (index, best) }
            }
            if let best = queue.cells.best, next.map({ ADLDeferredEntry.before(best, $0.entry) }) ?? true { next = (-1, best) }
            guard let (chosen, candidate) = next else { return }
            if let best = queue.heap.first {
                if candidate.bound < best.score.roughDoubleBelow { return }
                // A zero's score is exactly 0: after a best of 0 with a lower index it waits (a
                // side gone through to its losers took every zero into the heap at once).
                if candidate.isZero && (best.score.isPositive || (best.score.isZero && best.position < candidate.position)) { return }
            }
            if chosen < 0 && candidate.position == ADLCellQueue.cellMarker {
                let cell = queue.cells.pending[0]
                Heap.pop(&queue.cells.pending, before: ADLCellEntry.before)
                openCell(cell.node, queue: &queue, market: market)
                continue
            }
            if chosen < 0 {
                Heap.pop(&queue.cells.opened, before: ADLDeferredEntry.before)
            } else {
                queue.sections[chosen].removeBest(candidate)
            }
            let exact = candidate.isZero ? Fixed.zero : deferredScore(candidate, queue.inputsAtRanking[candidate.position], market: market, mark: mark)
            Heap.push(&queue.heap, ADLHeapEntry(score: exact, position: candidate.position, generation: 0), before: ADLHeapEntry.before)
        }
    }
}

extension Engine {
    /// Positions not in a cell of their values as they stand (one on their values' way down the
    /// grids, every cell above it covering them), or not in their cell's list as it says; cells
    /// whose counts are wrong (as `Int32.min + cell`). For tests: none, ever.
    var misplacedInADLCells: [Int32] {
        guard usesADLCells, !adlCells.isFrozen else { return [] }
        var cells = adlCells
        cells.growPositions(to: positions.count)
        // Each cell's list walked: its positions say they are in it, its count is its length.
        var listed = [Int32](repeating: -1, count: positions.count)
        var misplaced = Set<Int32>()
        var subtree = [Int32](repeating: 0, count: cells.nodes.count)
        for node in cells.nodes.indices {
            var length: Int32 = 0
            var before: Int32 = -1
            var current = cells.nodes[node].head
            while current >= 0, length <= Int32(positions.count) {
                if cells.links[Int(current)].container != Int32(node) || cells.links[Int(current)].previous != before || listed[Int(current)] >= 0 {
                    misplaced.insert(current)
                }
                listed[Int(current)] = Int32(node)
                length += 1
                before = current
                current = cells.links[Int(current)].next
            }
            if length != cells.nodes[node].count { misplaced.insert(Int32.min + Int32(node)) }
            var above = Int32(node)
            while above >= 0 {
                subtree[Int(above)] += length
                above = cells.nodes[Int(above)].parent
            }
        }
        for node in cells.nodes.indices where subtree[node] != cells.nodes[node].subtreeCount { misplaced.insert(Int32.min + Int32(node)) }
        for index in positions.indices {
            let position = positions[index]
            guard position.isOpen else {
                if cells.links[index].container != -1 || listed[index] != -1 { misplaced.insert(Int32(index)) }
                continue
            }
            let slot = ADLCellIndex.slot(market: Int(position.symbolIndex), side: position.side)
            let container = cells.links[index].container
            guard container >= 0, listed[index] == container else {
                misplaced.insert(Int32(index))
                continue
            }
            let key = position.mode == .isolated
                ? ADLCellIndex.key(ADLScanInputs(position), contractSize: cellContractSize(market: Int(position.symbolIndex))) : nil
            guard let key else {
                if container != cells.makeSide(slot) { misplaced.insert(Int32(index)) }
                continue
            }
            var node = container
            var expectedLevel = Int(cells.nodes[Int(node)].level)
            while node >= 0 {
                let cell = cells.nodes[Int(node)]
                let hull = cell.hull
                let entry = Double(bitPattern: key.entry)
                let ratio = Double(bitPattern: key.ratio)
                let quantity = Double(bitPattern: key.quantity)
                let covered = hull.entryMin <= entry && entry <= hull.entryMax && hull.ratioMin <= ratio
                    && hull.quantityMin <= quantity && quantity <= hull.quantityMax
                if cell.isExact || Int(cell.level) != expectedLevel || cell.grid != ADLCellIndex.gridKey(key, level: expectedLevel) || !covered
                    || (cell.parent < 0) != (expectedLevel == 0) {
                    misplaced.insert(Int32(index))
                    break
                }
                node = cell.parent
                expectedLevel -= 1
            }
        }
        return misplaced.sorted()
    }
}
