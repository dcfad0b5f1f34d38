import Dashboard
import MarketFeeds
import RiskEngine

/// What the run loop drives: a replay or the demo under a replay clock, or a live session.
protocol DashboardFeed: AnyObject {
    var engine: Engine { get }
    var log: SessionLog { get }
    /// Readable when the feed has work (live frames waiting), polled with the keyboard.
    var wakeDescriptor: Int32? { get }
    /// Applies what is due now; true when something the screen shows changed.
    func advance(wall: UInt64) throws(ReplayError) -> Bool
    /// Milliseconds until the feed has work again (-1: only a key or the wake descriptor).
    func millisecondsUntilDue(wall: UInt64) -> Int32
    func perform(_ effect: Effect, model: inout AppModel, wall: UInt64) throws(ReplayError)
    func status(wall: UInt64) -> SessionStatus
}

/// A recorded session (or the demo) under the replay clock: speed, pause, step, jumps, seeks.
final class ReplayFeed: DashboardFeed {
    let session: any SessionDriver
    let clock: ReplayClock

    init(session: any SessionDriver, clock: ReplayClock) {
        self.session = session
        self.clock = clock
    }

    var engine: Engine { session.engine }
    var log: SessionLog { session.log }
    var wakeDescriptor: Int32? { nil }

    func advance(wall: UInt64) throws(ReplayError) -> Bool {
        let finishedBefore = session.finished
        // At most 12 ms of work a turn: a key waits less than a frame, even in a cascade.
        return try clock.advance(wall: wall, wallBudget: 12_000_000) > 0 || session.finished != finishedBefore
    }

    func millisecondsUntilDue(wall: UInt64) -> Int32 {
        guard let due = try? clock.wallUntilNextEvent(wall: wall) else { return -1 }
        return Int32(min(1_000, due / 1_000_000))
    }

    func status(wall: UInt64) -> SessionStatus {
        var status = SessionStatus(kind: session.kind, source: session.sourceLabel)
        status.time = session.lastTime ?? session.firstTime ?? 0
        // Feed health: how far the session clock has run past the last message (event time).
        if let last = session.lastTime, !clock.paused && !session.finished {
            status.lastMessageAge = max(0, clock.currentTime(wall: wall) - last)
        }
        status.progress = session.progress
        status.speed = clock.speedLabel
        status.paused = clock.paused
        status.finished = session.finished
        status.malformed = session.stats.malformed
        status.gaps = session.log.gaps
        if let replay = session as? ReplaySession {
            status.resyncs = replay.synchronizers.values.reduce(0) { $0 + $1.counters.resyncs }
        }
        return status
    }

    func perform(_ effect: Effect, model: inout AppModel, wall: UInt64) throws(ReplayError) {
        switch effect {
        case .quit: break
        case .togglePause: clock.togglePause(wall: wall)
        case .step: try clock.stepOne(wall: wall)
        case .faster: clock.faster(wall: wall)
        case .slower: clock.slower(wall: wall)
        case .nextNotable:
            if try clock.jumpToNextNotable(wall: wall) == nil { model.show(notice: "no later liquidation, deficit or alert") }
        case .previousNotable:
            if try clock.jumpToPreviousNotable(wall: wall) == nil { model.show(notice: "no earlier liquidation, deficit or alert") }
        case .jump(let text):
            let peeked = try session.peekTime()
            if text.hasSuffix("%"), let percent = Double(text.dropLast()) {
                try clock.seek(fraction: percent / 100, wall: wall)
            } else if let start = session.firstTime ?? peeked, let target = EventTime.parse(text, sessionStart: start) {
                try clock.seek(to: target, wall: wall)
            } else {
                model.show(notice: "cannot jump to '\\(text)': give HH:MM[:SS], an ISO time or a percentage like 50%")
            }
        }
    }
}

/// A live session: applies what the sources delivered (a bounded slice of work per turn, so keys
/// are handled while a feed floods) and refreshes stream ages a few times a second, so a stream
/// that falls silent turns STALE on screen without any event to say so.
final class LiveFeed: DashboardFeed {
    let session: LiveSession
    let label: String
    var lastStatusWall: UInt64 = 0

    init(session: LiveSession, label: String) {
        self.session = session
        self.label = label
    }

    var engine: Engine { session.engine }
    var log: SessionLog { session.log }
    var wakeDescriptor: Int32? { session.queue.wakeDescriptor }

    func advance(wall: UInt64) throws(ReplayError) -> Bool {
        let handled = session.pump(budget: 12_000_000)
        if handled > 0 || wall &- lastStatusWall >= 250_000_000 {
            lastStatusWall = wall
            return true
        }
        return false
    }

    func millisecondsUntilDue(wall: UInt64) -> Int32 {
        session.queue.count > 0 ? 0 : 250
    }

    func status(wall: UInt64) -> SessionStatus {
        LiveStatus.sessionStatus(session, label: label)
    }

    func perform(_ effect: Effect, model: inout AppModel, wall: UInt64) throws(ReplayError) {
        switch effect {
        case .quit: break
        case .togglePause, .step, .faster, .slower, .nextNotable, .previousNotable, .jump:
            model.show(notice: "live: pause, step, speed and jumps are for replays (record with --record, replay later)")
        }
    }
}
