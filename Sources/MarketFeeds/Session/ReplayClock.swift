import RiskEngine

/// Maps a session's event time to wall time and drives it: speed, pause, single steps, jumps to
/// notable events, and seeks forwards or backwards. Backward seeks restore the latest engine
/// checkpoint at or before the target and replay from there, so they never start over.
///
/// The clock has no clock of its own: callers pass the wall time (monotonic nanoseconds), which is
/// what makes it testable.
public final class ReplayClock {
    /// Liquidations of one cascade a dashboard applies between two looks at the keyboard
    /// (`SessionDriver.liquidationSlice`): a few milliseconds at a million positions (10–20 µs
    /// each), so that the 12 ms a turn holds.
    public static let interactiveLiquidationSlice = 256
    public static let speeds: [Double] = [0.1, 0.25, 0.5, 1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, .infinity]

    public let driver: any SessionDriver
    public private(set) var speed: Double = 1
    public private(set) var paused = false
    /// Wall time and event time that correspond, from the last change of speed, pause or seek.
    var anchorWall: UInt64 = 0
    var anchorEvent: Int64 = 0
    var anchored = false
    var checkpoints: [SessionCheckpoint] = []
    public let checkpointInterval: Int64
    public static let maximumCheckpoints = 120
    /// What the checkpoints may hold between them. A checkpoint shares the engine's storage until
    /// the session changes it; from then on it is a copy, so a million positions make each one
    /// hundreds of megabytes, and the number kept is what fits here (at least two).
    public static let checkpointMemoryBudget = 1_500_000_000
    /// This session's: `checkpointMemoryBudget`, or half the memory the process may still take
    /// when that is less (a container's limit, `ulimit -v`), read once at the start.
    let memoryBudget: Int
    var nextCheckpoint: Int64 = .min
    /// From this engine size (`Engine.approximateBytes`, about 100,000 positions) a checkpoint the
    /// clock takes while playing is made on another thread (`BackgroundCheckpoint`).
    public static let backgroundCheckpointBytes = 32 << 20
    let backgroundCheckpointBytes: Int
    /// A checkpoint being separated from the session: nothing is applied until it is done.
    var checkpointInProgress: BackgroundCheckpoint?
    /// Wall time (monotonic ns) of the last large checkpoint taken while playing, and the least
    /// wall time between two of them.
    var lastLargeCheckpointWall: Int64?
    public static let largeCheckpointWallInterval: Int64 = 5_000_000_000
    let largeCheckpointWallInterval: Int64

    public init(driver: any SessionDriver, checkpointInterval: Int64 = 10_000_000_000,
                backgroundCheckpointBytes: Int = ReplayClock.backgroundCheckpointBytes,
                largeCheckpointWallInterval: Int64 = ReplayClock.largeCheckpointWallInterval) {
        self.driver = driver
        self.checkpointInterval = checkpointInterval
        memoryBudget = MemoryRoom.available().map { Int(clamping: $0 / 2) }.map { max(64 << 20, min(ReplayClock.checkpointMemoryBudget, $0)) }
            ?? ReplayClock.checkpointMemoryBudget
        self.backgroundCheckpointBytes = backgroundCheckpointBytes
        self.largeCheckpointWallInterval = largeCheckpointWallInterval
        takeCheckpoint(inBackground: engineIsLarge)
    }

    /// The event time the session is at: the virtual clock while playing, else the last event.
    public func currentTime(wall: UInt64) -> Int64 {
        guard anchored else { return driver.lastTime ?? driver.firstTime ?? 0 }
        if paused || speed.isInfinite { return max(anchorEvent, driver.lastTime ?? anchorEvent) }
        let elapsed = Double(wall &- anchorWall) * speed
        // Times are at most `EventTime.latest` (year 2200); the clock never runs past it.
        // (An anchor before 1970 is no event's: never subtracted from, so never a trap.)
        let room = anchorEvent < 0 ? 0 : Double(max(0, EventTime.latest - anchorEvent))
        return anchorEvent + Int64(min(max(0, elapsed), room))
    }

    public var speedLabel: String {
        if speed.isInfinite { return "max" }
        if speed < 1 { return "\(speed)x" }
        return "\(Int(speed))x"
    }

    // MARK: Playing

    /// Applies every event due by `wall`, at most `budget` of them and for at most `wallBudget`
    /// nanoseconds (so a key is answered within a frame during a flood or a cascade of a million
    /// positions). Returns how many events were applied, and slices of a cut cascade continued.
    ///
    /// A step whose cascade the driver cuts (`SessionDriver.liquidationSlice`) goes on slice by
    /// slice within the budget, and at the next advance when the budget runs out: paused or not,
    /// as a pause holds the next event, not the one under way.
    @discardableResult
    public func advance(wall: UInt64, budget: Int = 20_000, wallBudget: UInt64 = .max) throws(SessionError) -> Int {
        // The session waits for a checkpoint being separated from it (its next change would copy).
        guard collectCheckpoint(wait: false) else { return 0 }
        let started = LiveClock.monotonicNanoseconds()
        func spent() -> Bool { UInt64(max(0, LiveClock.monotonicNanoseconds() - started)) >= wallBudget }
        var applied = 0
        while driver.isMidStep {
            driver.continueStep(liquidationLimit: driver.liquidationSlice)
            applied += 1
            if driver.isMidStep && spent() { return applied }
        }
        if applied > 0 {
            noteCheckpoint(background: true)
            if checkpointInProgress != nil { return applied }
        }
        if !anchored {
            guard let first = try driver.peekTime() else { return applied }
            anchor(event: first, wall: wall)
        }
        guard !paused else { return applied }
        let target = speed.isInfinite ? Int64.max : currentTime(wall: wall)
        var events = 0
        while events < budget, let next = try driver.peekTime(), next <= target {
            try driver.step()
            events += 1
            applied += 1
            while driver.isMidStep {
                if spent() { return applied }
                driver.continueStep(liquidationLimit: driver.liquidationSlice)
                applied += 1
            }
            noteCheckpoint(background: true)
            if checkpointInProgress != nil { break }
            // The wall clock is read after every event: eight events of a cascade, each under a
            // slice, can hold a key for 40 ms (a read costs about as much as a quiet event).
            if spent() { break }
        }
        if speed.isInfinite, let last = driver.lastTime { anchorEvent = last }
        try skipQuietTime(target: target, wall: wall)
        return applied
    }

    /// The longest the clock waits, in wall time, for the next event before it skips to it.
    public static let longestQuietWait: Double = 10_000_000_000
    /// How many quiet stretches were skipped, and the last one, for the operator.
    public private(set) var skippedQuiet = 0
    public private(set) var lastSkip: (from: Int64, to: Int64)?

    /// A recording with hours (or, merged with another, years) of nothing would leave the screen
    /// still for that long at 1x: the clock moves on to the next event and says so.
    func skipQuietTime(target: Int64, wall: UInt64) throws(SessionError) {
        guard !speed.isInfinite, let next = try driver.peekTime(), next > target,
            Double(next - target) / speed > ReplayClock.longestQuietWait else { return }
        anchor(event: next, wall: wall)
        // Before any event (a jump to 0 %), the wait is not of the recording: the clock stood at
        // no time, and `skipped 54y 233d with no event` measured from 1970 (attacker trial).
        guard let shown = driver.lastTime else { return }
        skippedQuiet += 1
        // From the event on screen, not the time typed into a gap: `skipped 132d 16h` after a jump
        // into a 1y 254d gap (attacker trial).
        lastSkip = (Swift.min(shown, target), next)
    }

    /// Wall nanoseconds until the next event is due, for the run loop's sleep (nil: nothing due).
    public func wallUntilNextEvent(wall: UInt64) throws(SessionError) -> UInt64? {
        // A checkpoint being separated: look again in a millisecond.
        if let inProgress = checkpointInProgress, !inProgress.isSeparated { return 1_000_000 }
        if driver.isMidStep { return 0 }
        guard !paused, let next = try driver.peekTime() else { return nil }
        if speed.isInfinite { return 0 }
        let now = currentTime(wall: wall)
        if next <= now { return 0 }
        return UInt64(Double(next - now) / speed)
    }

    func anchor(event: Int64, wall: UInt64) {
        anchorEvent = event
        anchorWall = wall
        anchored = true
    }

    /// Takes a checkpoint when one is due. `background`: a large one is separated from the session
    /// on another thread, and the caller applies nothing until `collectCheckpoint` says it is done
    /// (the clock's own advance); seeks and jumps take theirs at once.
    func noteCheckpoint(background: Bool = false) {
        // Only between whole steps: a checkpoint is a point the session can come back to.
        guard !driver.isMidStep, let time = driver.lastTime else { return }
        if nextCheckpoint == .min { nextCheckpoint = time + checkpointInterval; return }
        guard time >= nextCheckpoint else { return }
        // A large one copies hundreds of megabytes: played fast, at most one every few seconds of
        // wall time (a backward seek then replays a little more from the one before).
        let inBackground = background && engineIsLarge
        if inBackground {
            let now = LiveClock.monotonicNanoseconds()
            if let last = lastLargeCheckpointWall, now - last < largeCheckpointWallInterval { return }
            lastLargeCheckpointWall = now
        }
        nextCheckpoint = time + checkpointInterval
        if let last = checkpoints.last, last.time >= time { return }
        takeCheckpoint(inBackground: inBackground)
    }

    /// Whether the engine is large enough for its checkpoints to be made in the background.
    var engineIsLarge: Bool { driver.engine.approximateBytes >= backgroundCheckpointBytes }

    func takeCheckpoint(inBackground: Bool) {
        collectCheckpoint(wait: true)
        if inBackground {
            checkpointInProgress = BackgroundCheckpoint(driver.checkpoint())
        } else {
            keep(driver.checkpoint())
        }
    }

    /// Keeps a finished background checkpoint. Returns whether none is in progress any more.
    @discardableResult
    func collectCheckpoint(wait: Bool) -> Bool {
        guard let inProgress = checkpointInProgress else { return true }
        guard let checkpoint = inProgress.result(wait: wait) else { return false }
        checkpointInProgress = nil
        keep(checkpoint)
        return true
    }

    func keep(_ checkpoint: SessionCheckpoint) {
        checkpoints.append(checkpoint)
        // Thinned until within the limit: the limit falls as the engine grows (a market a
        // checkpoint), and one thinning a checkpoint left 120 of them where 15 fit.
        let limit = checkpointLimit
        while checkpoints.count > limit {
            // Keep the first and the newest, and thin the rest evenly: memory stays bounded.
            var kept: [SessionCheckpoint] = [checkpoints[0]]
            var dropped: [SessionCheckpoint] = []
            for (offset, checkpoint) in checkpoints.dropFirst().dropLast().enumerated() {
                if offset % 2 == 1 { kept.append(checkpoint) } else { dropped.append(checkpoint) }
            }
            kept.append(checkpoints[checkpoints.count - 1])
            checkpoints = kept
            BackgroundCheckpoint.release(dropped)
        }
    }

    public var checkpointCount: Int { checkpoints.count + (checkpointInProgress == nil ? 0 : 1) }

    /// How many checkpoints are kept: `maximumCheckpoints`, or fewer when the engine is so large
    /// that that many copies would not fit `checkpointMemoryBudget`.
    public var checkpointLimit: Int {
        let each = max(1, driver.engine.approximateBytes)
        return max(2, min(ReplayClock.maximumCheckpoints, memoryBudget / each))
    }

    // MARK: Controls

    public func togglePause(wall: UInt64) {
        let now = currentTime(wall: wall)
        paused.toggle()
        // Before the first event the clock has nothing to hold on to: the first advance anchors it.
        if anchored { anchor(event: now, wall: wall) }
    }

    /// Pauses on the last event applied: a seek stopped part way (a key during a jump) left the
    /// clock's anchor where the jump began.
    public func holdWhereItIs(wall: UInt64) {
        paused = true
        if let last = driver.lastTime { anchor(event: last, wall: wall) }
    }

    /// Pauses where the clock is now (nothing when paused already).
    public func pause(wall: UInt64) {
        if !paused { togglePause(wall: wall) }
    }

    public func setSpeed(_ newSpeed: Double, wall: UInt64) {
        let now = currentTime(wall: wall)
        speed = newSpeed.isInfinite ? .infinity : min(1000, max(0.1, newSpeed))
        if anchored { anchor(event: now, wall: wall) }
    }

    public func faster(wall: UInt64) {
        if let next = ReplayClock.speeds.first(where: { $0 > speed }) { setSpeed(next, wall: wall) }
    }

    public func slower(wall: UInt64) {
        if let previous = ReplayClock.speeds.last(where: { $0 < speed }) { setSpeed(previous, wall: wall) }
    }

    /// Applies exactly one event and pauses there.
    /// Returns whether an event was applied (none is left at the end).
    @discardableResult
    public func stepOne(wall: UInt64) throws(SessionError) -> Bool {
        collectCheckpoint(wait: true)
        paused = true
        driver.finishStep()
        let stepped = try driver.step()
        if stepped {
            driver.finishStep()
            noteCheckpoint()
        }
        anchor(event: driver.lastTime ?? 0, wall: wall)
        return stepped
    }

    // MARK: Seeking
    //
    // A seek can read seconds of a large replay (six recordings and 20,000 positions: 8 s), and
    // the dashboard answered no key meanwhile (`?` waited 6 s: operator trial). Given a `deadline`
    // (monotonic nanoseconds), a seek stops when it passes and returns false; called again with
    // the same goal it takes up where it stopped, so the run loop answers keys between slices.
    // Without one it runs to its end, as the headless paths and the tests want.

    /// Finishes a step under way (a cascade cut into slices), until `deadline`: true when done.
    private func finishStep(by deadline: Int64?) -> Bool {
        guard driver.isMidStep else { return true }
        guard let deadline else {
            driver.finishStep()
            noteCheckpoint()
            return true
        }
        // A slice at least each call, then the deadline: a deadline already passed made no
        // progress at all, call after call.
        while driver.isMidStep {
            driver.continueStep(liquidationLimit: driver.liquidationSlice)
            if driver.isMidStep && LiveClock.monotonicNanoseconds() >= deadline { return false }
        }
        noteCheckpoint()
        return true
    }

    /// Replays events while `more()` says so, until `deadline`. True when `more()` said no or the
    /// session ended; false when the deadline came first.
    private func replayForward(by deadline: Int64?, while more: () throws(SessionError) -> Bool) throws(SessionError) -> Bool {
        guard finishStep(by: deadline) else { return false }
        var stepped = 0
        while try more() {
            guard try driver.step() else { return true }
            guard finishStep(by: deadline) else { return false }
            noteCheckpoint()
            stepped += 1
            // The wall clock read every eighth event: a quiet event costs about as much as a read.
            if let deadline, stepped & 7 == 0, LiveClock.monotonicNanoseconds() >= deadline { return false }
        }
        return true
    }

    /// Moves to event time `target`, forwards by replaying, backwards from the nearest checkpoint.
    /// Returns false when `deadline` came first (call again to go on).
    @discardableResult
    public func seek(to target: Int64, wall: UInt64, deadline: Int64? = nil) throws(SessionError) -> Bool {
        collectCheckpoint(wait: true)
        // Taken up again, the session is at or before the target: only the first call goes back.
        let now = driver.lastTime ?? .min
        if target < now {
            driver.finishStep()
            let checkpoint = checkpoints.last(where: { $0.time <= target }) ?? checkpoints[0]
            try driver.restore(checkpoint)
            checkpoints.removeAll { $0.time > checkpoint.time }
            nextCheckpoint = checkpoint.time + checkpointInterval
        }
        let done = try replayForward(by: deadline) { () throws(SessionError) -> Bool in
            guard let next = try driver.peekTime() else { return false }
            return next <= target
        }
        guard done else { return false }
        anchor(event: max(target, driver.lastTime ?? target), wall: wall)
        return true
    }

    /// Moves to just after the first event at or past `target`: where the signals sampled at
    /// `target` (an alert's time) were read, before the rest of its millisecond's events.
    @discardableResult
    public func seek(toFirstEventAt target: Int64, wall: UInt64, deadline: Int64? = nil) throws(SessionError) -> Bool {
        guard try seek(to: target &- 1, wall: wall, deadline: deadline) else { return false }
        if let next = try driver.peekTime(), next >= target, next <= target &+ 1_000_000_000 {
            try driver.step()
            driver.finishStep()
            noteCheckpoint()
        }
        anchor(event: max(target, driver.lastTime ?? target), wall: wall)
        return true
    }

    /// Seeks to a fraction of the session: by time when the end is known (the demo), else by how
    /// much of the recordings has been read.
    @discardableResult
    public func seek(fraction: Double, wall: UInt64, deadline: Int64? = nil) throws(SessionError) -> Bool {
        collectCheckpoint(wait: true)
        let clamped = min(1, max(0, fraction))
        let peeked = try driver.peekTime()
        if let end = driver.knownEndTime, let start = driver.firstTime ?? peeked {
            return try seek(to: start + Int64(Double(end - start) * clamped), wall: wall, deadline: deadline)
        }
        // Taken up again, the session has read less than the fraction: only the first call goes back.
        if clamped < driver.progress {
            driver.finishStep()
            let checkpoint = checkpoints[0]
            try driver.restore(checkpoint)
            checkpoints.removeSubrange(1...)
            nextCheckpoint = .min
        }
        guard try replayForward(by: deadline, while: { driver.progress < clamped || clamped >= 1 }) else { return false }
        anchor(event: driver.lastTime ?? 0, wall: wall)
        return true
    }

    /// A search for the next liquidation, deficit or signal alert (`]`), taken on a slice at a time
    /// (`continueNotableSearch`).
    public struct NotableSearch {
        /// The session's time when the search began: what is found comes after it.
        public let from: Int64
        /// Where the operator was, whole (a step within a millisecond included), to come back to
        /// when nothing later is found; nil when a mark already kept gave the landing.
        fileprivate(set) var before: Int64?
        fileprivate(set) var saved: SessionCheckpoint?
        public let deficitsOnly: Bool
        /// The liquidation or alert found, being sought to with the rest of its time's events.
        public fileprivate(set) var landing: Int64?
        /// The step under way finished (in slices) and the starting point kept: a `]` pressed in
        /// a cascade cut into slices finished it at once, keys held meanwhile (review).
        fileprivate(set) var prepared = false
    }

    /// The times `]` and `[` land on: every liquidation, deficit and alert, or with `deficitsOnly`
    /// (the tape's `d` filter) the liquidations that left a deficit or went to ADL or the fund.
    func notableMarks(deficitsOnly: Bool) -> RingBuffer<Int64> {
        deficitsOnly ? driver.log.deficitMarks : driver.log.marks
    }

    /// Begins a search for the next liquidation, deficit or signal alert; with `deficitsOnly`, for
    /// the next liquidation that left a deficit or sent quantity to ADL or the fund (the tape's
    /// `d` filter).
    public func startNotableSearch(wall: UInt64, deficitsOnly: Bool = false) -> NotableSearch {
        collectCheckpoint(wait: true)
        return NotableSearch(from: currentTime(wall: wall), before: nil, saved: nil, deficitsOnly: deficitsOnly, landing: nil)
    }

    /// Takes a search on until `deadline`: false when the deadline came first (call again), true
    /// when it is over, the time found in `landing` (nil: none, and the session is back where the
    /// operator was).
    public func continueNotableSearch(_ search: inout NotableSearch, wall: UInt64, deadline: Int64? = nil) throws(SessionError) -> Bool {
        if !search.prepared {
            // The step under way first, a slice at a time; then a mark kept already, or where the
            // operator is, to come back to.
            guard finishStep(by: deadline) else { return false }
            search.prepared = true
            let from = search.from
            if let known = notableMarks(deficitsOnly: search.deficitsOnly).first(where: { $0 > from }) {
                search.landing = known
            } else {
                search.before = driver.lastTime
                search.saved = driver.checkpoint()
            }
        }
        if let landing = search.landing { return try seek(to: landing, wall: wall, deadline: deadline) }
        let deficitsOnly = search.deficitsOnly
        // Every mark kept at the start is at or before `from`, so a later one is new. (The count
        // compared before stops growing once the ring is full, 20,000 marks into a cascade, and `]`
        // then replayed to the session's end.)
        let from = search.from
        var found: Int64? = nil
        let done = try replayForward(by: deadline) {
            if let latest = notableMarks(deficitsOnly: deficitsOnly).last, latest > from { found = latest }
            return found == nil
        }
        if let found {
            // With the rest of its time's events, as `[` and a typed jump land: stopped after the
            // event that made it, the screen showed another mark and other ratios than `[` back to
            // the same liquidation, under the same footer (operator trial).
            search.landing = found
            return try seek(to: found, wall: wall, deadline: deadline)
        }
        guard done else { return false }
        // Nothing later: back where the operator was. The replay was read to its end to know it,
        // and left there the clock read END and the operator had to seek back (operator trial).
        // A pipe cannot be read again: it stays at its end, as before.
        if driver.lastTime != search.before, let saved = search.saved, (try? driver.restore(saved)) != nil {
            anchor(event: from, wall: wall)
            return true
        }
        anchor(event: driver.lastTime ?? from, wall: wall)
        return true
    }

    /// Jumps forward to the next liquidation, deficit or signal alert (replaying until one happens),
    /// at once. Returns its time, or nil when the session ends first.
    @discardableResult
    public func jumpToNextNotable(wall: UInt64, deficitsOnly: Bool = false) throws(SessionError) -> Int64? {
        var search = startNotableSearch(wall: wall, deficitsOnly: deficitsOnly)
        _ = try continueNotableSearch(&search, wall: wall)
        return search.landing
    }

    /// The previous liquidation, deficit or alert: one before the millisecond the clock shows.
    /// Paused a fraction of a millisecond past a liquidation (the clock reading its time), `[` went
    /// to that same liquidation and the clock did not move (operator trial).
    public func previousNotable(wall: UInt64, deficitsOnly: Bool = false) -> Int64? {
        collectCheckpoint(wait: true)
        driver.finishStep()
        // The status bar shows the last event's time, not the virtual clock's: paused a moment
        // past an alert at 23:56:28.000 the clock ran on to 28.001, and `[` went back to the same
        // alert, the clock shown not moving (operator trial).
        let now = driver.lastTime ?? currentTime(wall: wall)
        let shown = now - ((now % 1_000_000) + 1_000_000) % 1_000_000
        let marks = notableMarks(deficitsOnly: deficitsOnly)
        return marks.last(where: { $0 < shown })
    }

    /// Jumps back to the previous liquidation, deficit or alert (`previousNotable`), at once.
    @discardableResult
    public func jumpToPreviousNotable(wall: UInt64, deficitsOnly: Bool = false) throws(SessionError) -> Int64? {
        guard let found = previousNotable(wall: wall, deficitsOnly: deficitsOnly) else { return nil }
        try seek(to: found, wall: wall)
        return found
    }
}
