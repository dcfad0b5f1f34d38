/// A mark not applied because it is dated more than a second before the mark its market holds
/// (a mark of the day before replaced a fresh mark: review), named with both times.
///
/// Book snapshots are not judged so: refused when dated more than a second before the book and
/// the mark held, a mark and a book line dated minutes ahead (within what the time guards let
/// through) refused every true book and mark behind them, and a long was liquidated four minutes
/// late with a deficit of 3,610 (attacker trial, stop 68). A snapshot is as old as its own time.
public struct DatedBeforeHeld: Hashable, Sendable {
    public var symbol: String
    /// The event's own time.
    public var time: Int64
    /// The time the market was dated by: its mark's, or that of the book that overtook it
    /// (`MarketState.markOvertakenBy`).
    public var held: Int64
}

extension Engine {
    /// How far before the mark a market holds a mark may be dated and still be applied: feeds'
    /// clocks and a merge of streams jitter by milliseconds.
    static let datedBeforeTolerance: Int64 = 1_000_000_000

    /// Counts and notes a mark dated before the one its market held (not applied).
    mutating func noteDatedBefore(market index: Int, time eventTime: Int64, held: Int64, into notes: inout [EngineNotification]) {
        markets[index].counters.datedBeforeHeld += 1
        notes.append(.datedBeforeHeld(DatedBeforeHeld(symbol: markets[index].symbol, time: eventTime, held: held)))
    }
}
