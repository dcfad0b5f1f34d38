/// An event not applied because it is dated more than a second before what its market holds: a
/// mark before the mark held, a book snapshot before the book held. Applied, a book line
/// dated a minute back replaced the live book with one of another time, and the next mark
/// liquidated a long into its thin bids (a deficit of 11,033.50: attacker trial); a mark of the day
/// before replaced a fresh mark (review).
public struct DatedBeforeHeld: Hashable, Sendable {
    public var symbol: String
    /// `mark` or `book snapshot`.
    public var what: String
    /// The event's own time.
    public var time: Int64
    /// The time of what the market held (its mark's, or its book's).
    public var held: Int64
}

extension Engine {
    /// How far before what a market holds an event may be dated and still be applied: feeds'
    /// clocks and a merge of streams jitter by milliseconds.
    static let datedBeforeTolerance: Int64 = 1_000_000_000

    /// The time a snapshot is judged against: the time of the book the market holds, a book that
    /// can be trusted, but no later than the market's mark (a book line dated minutes ahead, within
    /// what the time guards let through, would otherwise refuse every true snapshot behind it and
    /// hold its own levels for as long). Nil when any snapshot is taken: a book with no snapshot
    /// yet, or stale after a gap or a refusal (a snapshot is how it recovers), or a market with no
    /// mark of a stream yet.
    ///
    /// Snapshots only: an update refused would leave a venue's sequenced book missing a change.
    ///
    /// Read field by field in place: a copy of the market (its book, its signals) a snapshot would
    /// cost more than the rest of this.
    func heldBookTime(market index: Int) -> Int64? {
        guard markets[index].book.hasSnapshot, !markets[index].book.isStale, !markets[index].snapshotRefused else { return nil }
        let bookTime = markets[index].lastBookTime
        let markTime = markets[index].markGivenTime
        // No mark of a stream yet: nothing to judge a book line dated ahead by (one would refuse
        // every true snapshot behind it for as long: review; a mark derived from the book is as
        // old as the book that made it, the line dated ahead itself), and nothing is liquidated
        // without a mark.
        guard bookTime != .min, markTime != .min, markets[index].markFromStream else { return nil }
        return Swift.min(bookTime, markTime)
    }

    /// Counts and notes an event dated before what its market held (not applied).
    mutating func noteDatedBefore(market index: Int, what: String, time eventTime: Int64, held: Int64, into notes: inout [EngineNotification]) {
        markets[index].counters.datedBeforeHeld += 1
        notes.append(.datedBeforeHeld(DatedBeforeHeld(symbol: markets[index].symbol, what: what, time: eventTime, held: held)))
    }
}
