/// An engine's copy made independent of the engine it was copied from.
///
/// A copy shares every array with the original until one of them writes it; then the writer
/// copies. At a million positions the first write after a replay checkpoint copies hundreds of
/// megabytes, on whichever thread writes first: the session's, between two keys of a dashboard.
/// `separateStorage` does that copy on the copy's side instead, on a thread that can afford it
/// (`ReplayClock`'s background checkpoints), so the session finds its arrays its own again.
extension Engine {
    public mutating func separateStorage() {
        positions.withUnsafeMutableBufferPointer { _ in }
        adlScanInputs.withUnsafeMutableBufferPointer { _ in }
        adlCells.separateStorage()
        // An account's list of positions stays shared: the session copies a list of a few
        // entries when it changes one.
        accounts.withUnsafeMutableBufferPointer { _ in }
        accountIndexes.separateStorage()
        // A ranking being prepared in slices (a checkpoint is never taken mid-cascade, but a
        // what-if copy may be).
        adlPreparation?.parts.separateStorage()
        for index in markets.indices {
            markets[index].triggers.separateStorage()
            markets[index].positionIndices.withUnsafeMutableBufferPointer { _ in }
            markets[index].adlLongIndices.withUnsafeMutableBufferPointer { _ in }
            markets[index].adlShortIndices.withUnsafeMutableBufferPointer { _ in }
            markets[index].adlLongs?.separateStorage()
            markets[index].adlShorts?.separateStorage()
        }
    }
}

extension TriggerIndex {
    mutating func separateStorage() {
        longs.withUnsafeMutableBufferPointer { _ in }
        shorts.withUnsafeMutableBufferPointer { _ in }
    }
}

extension ADLQueueCache {
    mutating func separateStorage() {
        heap.withUnsafeMutableBufferPointer { _ in }
        cells.pending.withUnsafeMutableBufferPointer { _ in }
        cells.opened.withUnsafeMutableBufferPointer { _ in }
        for index in sections.indices { sections[index].separateStorage() }
    }
}

extension ADLRankingParts {
    mutating func separateStorage() {
        exact.withUnsafeMutableBufferPointer { _ in }
        for index in sections.indices { sections[index].separateStorage() }
    }
}

extension ADLDeferredSection {
    mutating func separateStorage() {
        heap.withUnsafeMutableBufferPointer { _ in }
        zeros.withUnsafeMutableBufferPointer { _ in }
        rest.withUnsafeMutableBufferPointer { _ in }
    }
}

extension ADLCellIndex {
    mutating func separateStorage() {
        links.withUnsafeMutableBufferPointer { _ in }
        table.separateStorage()
        roots.withUnsafeMutableBufferPointer { _ in }
        exactNodes.withUnsafeMutableBufferPointer { _ in }
        stamps.withUnsafeMutableBufferPointer { _ in }
        nodes.withUnsafeMutableBufferPointer { _ in }
    }
}
