import RiskEngine

/// One line of a recording whose time is far ahead of the lines around it: a damaged timestamp.
///
/// Applied, it moved the session's clock a day (or a century) ahead, and every line after it was
/// older than the clock: the signals' windows saw nothing more (a real recording with one such line
/// lost every alert), and every book read as outdated, so nothing more could be liquidated. A real
/// gap in a recording (a recorder down for three hours) looks the same at its first line, so a line
/// more than `tolerance` ahead of the input's latest time is held until the next line with a time:
/// when that one is back within the tolerance of the time before, the held line was a spike and is
/// malformed (its messages dropped, its line and time named); when it is ahead too, the jump was
/// real and both are applied. A held line at the end of the input is applied.
///
/// Each input has its own guard, worked by whichever thread decodes it; a decoding loop does not
/// hand its messages on while a line is held (`isHolding`), so the held messages are always the
/// last ones the loop appended.
struct TimeSpikeGuard: Sendable {
    /// How far ahead of an input's latest time a line may be without being held: the longest a
    /// book or a mark may go unchanged (`EngineConfiguration.maximumBookAge`, 300 s). With an
    /// hour, one line 5 to 60 minutes ahead moved the clock, and every book and mark after it read
    /// outdated: nothing was liquidated for as long as the line was ahead (attacker trial).
    static let tolerance: Int64 = EngineConfiguration().maximumBookAge
    /// Lines without a time (malformed, skipped) a held line waits through before it is let go
    /// unjudged: the hold must not keep a batch, or the replay's own thread, reading without end.
    static let longestHold = 256

    /// The latest time of the input's lines applied so far.
    private(set) var latest: Int64?
    /// The time of the last line applied (lines may go back in time; `latest` does not), and
    /// those of the last `typicalWindow` lines applied (a ring). A line ahead of `latest` is
    /// judged against where most of the lines before it are too: each line within the tolerance
    /// of `latest` raised it, and a spike every few lines, each 290 s ahead of the one before,
    /// walked the clock three hours ahead while the lines between stayed where they were, every
    /// book read as outdated and nothing was liquidated (attacker trial). Not against the last
    /// line alone: lines dated in the past between the real ones would get the real ones judged
    /// spikes.
    private(set) var recent: Int64?
    private var recentTimes: [Int64] = []
    private var recentSlot = 0
    static let typicalWindow = 8
    /// The held line: its number, where its messages start in the loop's array, its time, and the
    /// time it is ahead of (`latest`, or the lines' typical time): the next line back within the
    /// tolerance of that makes it a spike.
    private(set) var held: (line: Int, start: Int, time: Int64, reference: Int64)?
    /// Lines checked since the held line.
    private var linesSinceHeld = 0

    var isHolding: Bool { held != nil }

    /// Checks the line `line`, which appended `messages[start...]`. Returns the held line when this
    /// one shows it was a spike (its messages are removed from `messages`), with the field to name.
    ///
    /// A line that took the time of the line before it (`tookEarlierTime`: liqwatch's event lines
    /// may leave `time` out) is a line without a time here: it took a held line's time, and judged
    /// by it the spike passed for a real jump (one timeless trade line after a mark at 2100 let the
    /// clock jump a century: attacker trial). Its messages go with the held line's when that one is
    /// a spike (they carry its time).
    mutating func check(_ messages: inout [FeedMessage], from start: Int, line: Int, tookEarlierTime: Bool = false) -> (line: Int, field: String)? {
        var lineTime: Int64? = nil
        for index in start..<messages.count where !tookEarlierTime {
            // A time of 0 or less is none (a REST snapshot without `E` nor a receive time): the
            // engine does not move its clock for it, and neither does the guard.
            let time = messages[index].time
            if time > 0 { lineTime = max(lineTime ?? time, time) }
        }
        guard let lineTime else {
            if held != nil {
                linesSinceHeld += 1
                if linesSinceHeld > TimeSpikeGuard.longestHold { release() }
            }
            return nil
        }
        var start = start
        var spike: (line: Int, field: String)? = nil
        if let suspect = held {
            held = nil
            if lineTime <= suspect.reference &+ TimeSpikeGuard.tolerance {
                // The held line's messages go; the skipped-kind markers among them stay (they are
                // counted by kind, not applied), and its stream book messages become gaps.
                let before = latest ?? suspect.reference
                let kept = messages[suspect.start..<start].compactMap { TimeSpikeGuard.remains(of: $0, line: suspect.line, time: before) }
                messages.replaceSubrange(suspect.start..<start, with: kept)
                start = suspect.start + kept.count
                spike = (suspect.line, "time (\(EventTime.iso8601(suspect.time)), \(TimeSpikeGuard.gap(suspect.time &- suspect.reference)) ahead of the lines around it)")
                // This line is judged as any other, below: accepted at once, one 299 s ahead
                // after each far spike walked the clock ahead (attacker trial).
            } else {
                // The next line is ahead too: a real jump.
                accept(suspect.time)
            }
        }
        if let latest, lineTime > latest &+ TimeSpikeGuard.tolerance {
            held = (line, start, lineTime, latest)
            linesSinceHeld = 0
        } else if let latest, let recent, lineTime > latest, lineTime > recent &+ TimeSpikeGuard.tolerance,
                  let typical = typicalRecentTime(), lineTime > typical &+ TimeSpikeGuard.tolerance {
            // Within the tolerance of `latest`, but `latest` is a line the lines since have not
            // followed (the last line, and most of those before it, are more than the tolerance
            // behind this one). Asked only past the first two tests, which a line in time order
            // never passes.
            held = (line, start, lineTime, typical)
            linesSinceHeld = 0
        } else {
            accept(lineTime)
        }
        return spike
    }

    /// The upper median of the last lines' times: where most of the lines are.
    func typicalRecentTime() -> Int64? {
        guard !recentTimes.isEmpty else { return nil }
        let sorted = recentTimes.sorted()
        return sorted[sorted.count / 2]
    }

    /// Lets a held line go unjudged: its messages are about to be handed on (a decoding thread
    /// stopped, a replay switching threads), where the guard's place in them no longer holds.
    mutating func release() { held = nil }

    /// What stays of a dropped line's message: a skipped-kind marker as it is; a stream book
    /// message (Bybit, OKX, Hyperliquid) as a gap, dated `time` (the lines' time before the spike).
    /// The venue's book moved by that message and the engine's did not: an OKX decoder had already
    /// applied it to its checksum copy, so every later checksum matched a book the engine did not
    /// have (0 gaps, a silently different book: attacker trial). Its levels go, its problem makes
    /// the book wait for a snapshot. Binance's depth events need nothing: their `U`/`u` show the hole.
    static func remains(of message: FeedMessage, line: Int, time: Int64) -> FeedMessage? {
        switch message {
        case .skipped:
            return message
        case .book(let update):
            // A line that changed nothing loses nothing (a spiked repeat, an empty heartbeat);
            // its sequence goes on, or the next OKX update's prevSeqId named a message the
            // synchronizer never had: a gap, the book stale to the end (review).
            if update.changesNothing {
                guard update.sequence != nil else { return nil }
                return .book(StreamBookUpdate(symbol: update.symbol, levels: .delta([]), sequence: update.sequence,
                    previousSequence: update.previousSequence, time: time))
            }
            let levels: StreamBookUpdate.Levels = update.isSnapshot ? .snapshot(bids: [], asks: []) : .delta([])
            // Its sequence goes with it: a Bybit message repeated (the same `u`) is a repeat, not a gap.
            return .book(StreamBookUpdate(symbol: update.symbol, levels: levels, sequence: update.sequence,
                previousSequence: update.previousSequence,
                problem: "line \(line) dropped (its time far ahead): the book lacks it", time: time))
        case .event(.bookGap(let symbol, _)):
            // A gap the line's decoder found (an events file's update that could not be read): a
            // gap still, dated here (it was lost with the line, and the book read ok: review).
            return .event(.bookGap(symbol: symbol, time: time))
        case .event(.bookSnapshot(let symbol, _, _, _, _)), .event(.bookUpdate(let symbol, _, _)):
            // An events file's or a Tardis file's book line has no sequence to show the hole: the
            // engine's book went on without it, its bids still there when the line had removed
            // them, stale 0 gaps (attacker trial). Its book is stale until a snapshot.
            return .event(.bookGap(symbol: symbol, time: time))
        default:
            return nil
        }
    }

    private mutating func accept(_ time: Int64) {
        let newest = max(latest ?? time, time)
        latest = newest
        // A line dated more than the tolerance before the clock (a position stamped with its
        // last update, an hour back) is applied but is no reference: a majority of such lines
        // made the median an hour old and every real mark between them a "spike" (attacker
        // trial), and the clock cannot be walked ahead through them (a spike past the tolerance
        // is held by the first test).
        guard time >= newest &- TimeSpikeGuard.tolerance else { return }
        recent = time
        if recentTimes.count < TimeSpikeGuard.typicalWindow {
            recentTimes.append(time)
        } else {
            recentTimes[recentSlot] = time
            recentSlot = (recentSlot + 1) % TimeSpikeGuard.typicalWindow
        }
    }

    /// "1d 2h", "3h 5m", "75y": how far ahead, for the message.
    static func gap(_ nanoseconds: Int64) -> String {
        let minutes = nanoseconds / 60_000_000_000
        let hours = minutes / 60, days = hours / 24
        if days >= 730 { return "\(days / 365)y" }
        if days > 0 { return "\(days)d \(hours % 24)h" }
        return "\(hours)h \(minutes % 60)m"
    }
}
