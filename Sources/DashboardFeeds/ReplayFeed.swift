import Foundation
import Dashboard
import MarketFeeds
import RiskEngine

/// A recorded session (or the demo) under the replay clock: speed, pause, step, jumps, seeks.
public final class ReplayFeed: DashboardFeed {
    public let session: any SessionDriver
    public let clock: ReplayClock

    public init(session: any SessionDriver, clock: ReplayClock) {
        self.session = session
        self.clock = clock
        session.liquidationSlice = ReplayClock.interactiveLiquidationSlice
    }

    public var engine: Engine { session.engine }
    public var log: SessionLog { session.log }
    public var wakeDescriptor: Int32? { nil }

    /// Whether the session had ended when an advance last said what changed. The end can be
    /// found between advances: an advance that runs out of its time budget right after the last
    /// event stops before peeking past it, and the run loop's question of when the next event is
    /// due peeks (`wallUntilNextEvent`) and finds nothing. Compared within one advance only, that
    /// end was never drawn: the loop slept for a key with "▶ max" on screen (a loaded CI machine
    /// showed it).
    private var finishedReported = false
    /// The millisecond the last step landed in, and how many steps have landed in it: several
    /// events share a millisecond, and a step within one changed nothing the clock shows.
    private var steppedMillisecond: Int64?
    private var stepsInMillisecond = 0

    public func advance(wall: UInt64) throws(SessionError) -> Bool {
        // A jump under way goes on instead of the clock; the screen follows it.
        if pendingJump != nil {
            if let replies = try continueJump(slice: jumpSlices?.later) { finishedJumpReplies = replies }
            finishedReported = session.finished
            readSignalsIfStill()
            return true
        }
        // At most 12 ms of work a turn: a key waits less than a frame, even in a cascade.
        let applied = try clock.advance(wall: wall, wallBudget: 12_000_000)
        let finished = session.finished
        defer { finishedReported = finished }
        let read = readSignalsIfStill()
        return applied > 0 || finished != finishedReported || read
    }

    /// A session standing still (paused, stepped, at its end) shows its signals as they are now,
    /// not as the last once-a-second sample read them before the rest of that second's events:
    /// paused in a cascade, the fund pane said "no stressed deficit" beside a ladder whose bids
    /// had run out (operator trial). A running session's next sample comes within a second.
    /// True when the readings changed (a frame is due).
    @discardableResult private func readSignalsIfStill() -> Bool {
        (clock.paused || session.finished) && !session.isMidStep && session.readSignalsNow()
    }

    /// `.`: one event on, and a line saying where it landed: three presses within one
    /// millisecond left the clock as it was, with nothing to say the session had moved (operator
    /// trial).
    func stepOne(wall: UInt64) throws(SessionError) -> [FeedReply] {
        let liquidationsBefore = session.log.simulatedCount
        // Whether an event was applied: paused, nothing peeks ahead, so the session is not yet
        // known to be finished on its last event (review: a step past the end said it moved).
        guard try clock.stepOne(wall: wall), let time = session.lastTime else { return [.notice("no event left: the session is at its end")] }
        let millisecond = time / 1_000_000
        stepsInMillisecond = millisecond == steppedMillisecond ? stepsInMillisecond + 1 : 1
        steppedMillisecond = millisecond
        let liquidations = session.log.simulatedCount - liquidationsBefore
        var text = "one event on, at \(EventTime.timeOfDay(time))"
        if stepsInMillisecond > 1 { text += " (step \(stepsInMillisecond) within this millisecond)" }
        if liquidations > 0 { text += liquidations == 1 ? " · 1 liquidation" : " · \(liquidations) liquidations" }
        return [.notice(text)]
    }

    public func millisecondsUntilDue(wall: UInt64) -> Int32 {
        if pendingJump != nil { return 0 }
        guard let due = try? clock.wallUntilNextEvent(wall: wall) else {
            // Nothing is due; but if asking found the end, one more turn draws it.
            return session.finished != finishedReported ? 0 : -1
        }
        return Int32(min(1_000, due / 1_000_000))
    }

    /// Whether the session's events are of several days: recordings read that start a day apart
    /// or more, or a first and a last event of different days (times then say the date).
    var spansDays: Bool {
        guard session.timelineWarning == nil else { return true }
        guard let first = session.firstTime, let last = session.lastTime else { return false }
        return EventTime.date(first) != EventTime.date(last)
    }

    public func status(wall: UInt64) -> SessionStatus {
        var status = SessionStatus(kind: session.kind, source: session.sourceLabel)
        status.time = session.lastTime ?? session.firstTime ?? 0
        // Feed health: how far the session clock has run past the last message (event time).
        if let last = session.lastTime, !clock.paused && !session.finished && pendingJump == nil {
            status.lastMessageAge = max(0, clock.currentTime(wall: wall) - last)
        }
        status.progress = session.progress
        status.showsDate = spansDays
        status.speed = clock.speedLabel
        status.paused = clock.paused
        status.finished = session.finished
        let warning = session.timelineWarning
        status.announcements = (warning == nil ? 0 : 1) + clock.skippedQuiet
        if let skip = clock.lastSkip {
            status.latestAnnouncement = "skipped \(EventTime.duration(skip.to - skip.from)) with no event, to \(EventTime.iso8601(skip.to))"
        } else {
            status.latestAnnouncement = warning
        }
        let feed = session.feedSummary
        status.takeCounts(of: feed)
        return status
    }

    public func newAlerts(_ watcher: inout AlertWatcher, wall: UInt64) -> [OperatorAlert] { session.newAlerts(&watcher) }

    public func perform(_ effect: Effect, wall: UInt64) throws(SessionError) -> [FeedReply] {
        // Every effect, the jumps that answer with a notice too (review: a paused ] jump drew a
        // frame of the old sample).
        defer { readSignalsIfStill() }
        // A key for the replay stops a jump under way where it has got to, paused; space does
        // nothing more (it is how a jump is stopped), any other key then does what it says.
        if let jump = pendingJump, effect.actsOnTheReplay {
            pendingJump = nil
            clock.holdWhereItIs(wall: wall)
            let stopped = FeedReply.notice(stoppedText(jump))
            if effect == .togglePause { return [stopped] }
            // Another jump says what it does itself: the stop's line over its working notice read
            // `paused (space plays on)` while it ran, and stayed after it landed (review).
            switch effect {
            case .jump, .jumpToAlert, .nextNotable, .previousNotable: return try perform(effect, wall: wall)
            default: return [stopped] + (try perform(effect, wall: wall))
            }
        }
        switch effect {
        case .quit, .told: break
        case .togglePause: clock.togglePause(wall: wall)
        case .step: return try stepOne(wall: wall)
        case .faster: clock.faster(wall: wall)
        case .slower: clock.slower(wall: wall)
        case .nextNotable(let deficitsOnly):
            var search = clock.startNotableSearch(wall: wall, deficitsOnly: deficitsOnly)
            let names = { [session] in MarketNames(of: session.engine) }
            return try begin(PendingJump(
                what: deficitsOnly ? "looking for the next deficit or ADL" : "looking for the next liquidation or alert",
                searchedFrom: { search.landing == nil ? search.from : nil },
                work: { [clock] (wall, deadline) throws(SessionError) -> Bool in
                    try clock.continueNotableSearch(&search, wall: wall, deadline: deadline)
                },
                finish: { [unowned self] _ in
                    guard let found = search.landing else {
                        return [.notice(deficitsOnly ? "no later deficit or ADL (the tape's d filter is on)" : "no later liquidation, deficit or alert")]
                    }
                    return [.notice(JumpLanding.text(at: found, log: session.log, names: names(), dated: spansDays)), .landed(at: found)]
                }))
        case .previousNotable(let deficitsOnly):
            guard let found = clock.previousNotable(wall: wall, deficitsOnly: deficitsOnly) else {
                return [.notice(deficitsOnly ? "no earlier deficit or ADL (the tape's d filter is on)" : "no earlier liquidation, deficit or alert")]
            }
            return try begin(PendingJump(
                what: "going back to \(EventTime.timeOfDay(found))",
                work: { [clock] (wall, deadline) throws(SessionError) -> Bool in try clock.seek(to: found, wall: wall, deadline: deadline) },
                finish: { [unowned self] _ in
                    [.notice(JumpLanding.text(at: found, log: session.log, names: MarketNames(of: session.engine), dated: spansDays)), .landed(at: found)]
                }))
        case .jumpToAlert(let time):
            return try begin(PendingJump(
                what: "going to the alert's time",
                work: { [clock] (wall, deadline) throws(SessionError) -> Bool in
                    try clock.seek(toFirstEventAt: time, wall: wall, deadline: deadline)
                },
                finish: { [unowned self] wall in
                    // Paused, to be read: the model's footer says so.
                    clock.pause(wall: wall)
                    // Landed on the first event of the alert's millisecond: the next step is its
                    // second (it said nothing of the first, then "step 2" one press late: operator
                    // trial).
                    if let landed = session.lastTime {
                        steppedMillisecond = landed / 1_000_000
                        stepsInMillisecond = 1
                    }
                    return []
                }))
        case .jump(let typed):
            return try jump(typed, wall: wall)
        }
        return []
    }

    /// A typed jump (`:`): a time of day, a date and time, or a share of the session.
    private func jump(_ typed: String, wall: UInt64) throws(SessionError) -> [FeedReply] {
        /// Lands paused on the first event and says so.
        func landOnFirst(_ first: Int64, notice: String) throws(SessionError) -> [FeedReply] {
            // After every event of the first's millisecond, as a typed jump lands: the demo's
            // first event alone showed `Positions 0/0` and a what-if of `No ADL`, the rest of
            // its millisecond (its positions) one `.` at a time (operator trial).
            try begin(PendingJump(
                what: "going to the first event",
                work: { [clock] (wall, deadline) throws(SessionError) -> Bool in try clock.seek(to: first, wall: wall, deadline: deadline) },
                finish: { [clock] wall in
                    clock.pause(wall: wall)
                    return [.notice(notice)]
                }))
        }
        let peeked = try session.peekTime()
        // `2024-08-08 23:56:28` as well as `2024-08-08T23:56:28`.
        // Runs of spaces as one (`2024-08-08  23:56` was refused quoting text not typed: trial).
        var text = typed.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
        if text.count > 10, text.prefix(10).filter({ $0 == "-" }).count == 2, let space = text.firstIndex(of: " ") {
            text.replaceSubrange(space...space, with: "T")
        }
        let shown = SafeText.escaped(text)
        if text.hasSuffix("%"), let percent = Double(text.dropLast()), percent.isFinite, (0...100).contains(percent) {
            // 0 %: the first event, as a time before it lands there (it showed no event at all,
            // `--:--:--`, beside a progress bar at 8 %: operator and attacker re-trials).
            if percent == 0, let first = session.firstTime ?? peeked {
                return try landOnFirst(first, notice: atFirstEvent(first))
            }
            return try begin(PendingJump(
                what: "going to \(shown)",
                work: { [clock] (wall, deadline) throws(SessionError) -> Bool in
                    try clock.seek(fraction: percent / 100, wall: wall, deadline: deadline)
                },
                finish: { [unowned self] wall throws(SessionError) -> [FeedReply] in
                    // A share so small no event lies before it (`:0.01%` of bytes the first read
                    // had already passed) lands on the first event, as `0%` does: it showed no event
                    // at all, `--:--:--` and no notice (attacker trial).
                    if session.lastTime == nil, let first = try session.peekTime() {
                        try clock.seek(to: first, wall: wall)
                        clock.pause(wall: wall)
                        return [.notice(atFirstEvent(first))]
                    }
                    return (SeekNotice.fraction(text, landed: session.lastTime, spansDays: spansDays, byTime: session.knownEndTime != nil).map { [.notice($0)] } ?? []) + [.jumped]
                }))
        }
        guard let start = session.firstTime ?? peeked,
              let target = EventTime.parse(text, sessionStart: start, near: spansDays ? session.lastTime : nil) else {
            return [.notice("cannot jump to '\(text)': give HH:MM[:SS], a date and time, or 0% to 100%")]
        }
        // Before the first event: to the first event, said so (the session went back to
        // no event at all, its book and positions gone, with a footer that read as a
        // refusal: attacker trial).
        if target < start {
            return try landOnFirst(start, notice: SeekNotice.beforeFirst(target: target, first: start, spansDays: spansDays, dated: text.contains("T")))
        }
        return try begin(PendingJump(
            what: "going to \(shown)",
            work: { [clock] (wall, deadline) throws(SessionError) -> Bool in try clock.seek(to: target, wall: wall, deadline: deadline) },
            finish: { [unowned self] wall throws(SessionError) -> [FeedReply] in
                let landed = session.lastTime, next = try session.peekTime()
                guard let notice = SeekNotice.text(target: target, landed: landed, next: next, spansDays: spansDays, dated: text.contains("T")) else {
                    return [.jumped]
                }
                // Landed in a gap or before the first event: paused there, or playing on
                // skipped the gap at once and its notice gave way to "skipped 294d with no event".
                if SeekNotice.isGap(target: target, landed: landed, next: next) { clock.pause(wall: wall) }
                return [.notice(notice), .jumped]
            }))
    }

    // MARK: Jumps under way

    /// A jump that reads the replay (see `ReplayClock`'s seeking), taken on a slice a turn when
    /// `jumpSlices` are given, so that keys are answered meanwhile.
    struct PendingJump {
        /// What the jump does, for the line that says it was stopped (`going to 23:56:28`).
        var what: String
        /// For a search (`]`) that has found nothing yet, the time it looked from: a stop says
        /// nothing was found since (asked when it stops).
        var searchedFrom: () -> Int64? = { nil }
        /// Takes the jump on until the deadline (monotonic ns), at the wall time given: true when done.
        var work: (_ wall: UInt64, _ deadline: Int64?) throws(SessionError) -> Bool
        /// What the operator is told once it is done (it may pause the clock).
        var finish: (_ wall: UInt64) throws(SessionError) -> [FeedReply]
    }

    private var pendingJump: PendingJump?
    /// Whether the session had ended when the jump under way began (it lands paused, see `begin`).
    private var jumpFromTheEnd = false
    /// What a jump finished by an advance has to say, for the run loop to take.
    private var finishedJumpReplies: [FeedReply]?

    /// How long a jump reads the replay at a time (monotonic ns): the first slice with the key
    /// (a jump that short, the demo's, answers at once), then each turn's.
    public struct JumpSlices: Sendable {
        public var first: Int64
        public var later: Int64
        public init(first: Int64, later: Int64) {
            self.first = first
            self.later = later
        }
        /// The dashboard's: a later slice as long as a turn's advance of a playing session.
        public static let interactive = JumpSlices(first: 25_000_000, later: 12_000_000)
    }

    /// Jumps read a slice a turn (the dashboard's run loop), or at once when nil (one-shot callers).
    public var jumpSlices: JumpSlices? = nil

    public var isWorking: Bool { pendingJump != nil }

    public func takeFinishedWork() -> [FeedReply]? {
        defer { finishedJumpReplies = nil }
        return finishedJumpReplies
    }

    private func begin(_ jump: PendingJump) throws(SessionError) -> [FeedReply] {
        // A jump from the end lands paused: playing on (at max speed, or 50×) replayed back to
        // the end before the frame was drawn, and the operator who let a replay finish could not
        // go back to its cascade (operator trial).
        jumpFromTheEnd = session.finished
        pendingJump = jump
        return try continueJump(slice: jumpSlices?.first) ?? [.underWay]
    }

    /// One slice more of the jump under way; its replies once it is done, nil while it goes on.
    private func continueJump(slice: Int64?) throws(SessionError) -> [FeedReply]? {
        guard let jump = pendingJump else { return nil }
        let started = LiveClock.monotonicNanoseconds()
        let done: Bool
        do {
            done = try jump.work(UInt64(started), slice.map { started + $0 })
        } catch {
            pendingJump = nil
            throw error
        }
        guard done else { return nil }
        pendingJump = nil
        let wall = UInt64(LiveClock.monotonicNanoseconds())
        let replies = try jump.finish(wall)
        if jumpFromTheEnd && !session.finished { clock.pause(wall: wall) }
        return replies
    }

    /// A time as the session's notices write it: with its date when the session spans days.
    private func when(_ time: Int64) -> String { spansDays ? EventTime.dateAndTime(time) : EventTime.timeOfDay(time) }

    /// What a jump that landed on the first event says.
    private func atFirstEvent(_ first: Int64) -> String { "at the first event, " + when(first) }

    /// What a key says of the jump it stopped.
    private func stoppedText(_ jump: PendingJump) -> String {
        let here = session.lastTime.map(when) ?? "the start"
        let since = jump.searchedFrom().map { ": none since " + when($0) } ?? ""
        // Narrower, where it stopped and what it found come first (at 80 columns the line lost
        // `none since …` and `paused`: operator trial).
        return NoticeForms.joined([
            "stopped \(jump.what) at \(here)\(since) · paused (space plays on)",
            "stopped at \(here)\(since) · paused",
            "stopped at \(here) · paused",
        ])
    }
}
