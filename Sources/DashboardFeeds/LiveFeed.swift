import Dashboard
import MarketFeeds
import RiskEngine

/// A live session: applies what the sources delivered (a bounded slice of work per turn, so keys
/// are handled while a feed floods) and refreshes stream ages a few times a second, so a stream
/// that falls silent turns STALE on screen without any event to say so.
public final class LiveFeed: DashboardFeed {
    public let session: LiveSession
    public let label: String
    var lastStatusWall: UInt64 = 0

    public init(session: LiveSession, label: String) {
        self.session = session
        self.label = label
        // A cascade is applied a slice at a time between looks at the keyboard, as in a replay.
        session.liquidationSlice = ReplayClock.interactiveLiquidationSlice
    }

    public var engine: Engine { session.engine }
    public var log: SessionLog { session.log }
    public var wakeDescriptor: Int32? { session.queue.wakeDescriptor }

    public func advance(wall: UInt64) throws(SessionError) -> Bool {
        let handled = session.pump(budget: 12_000_000)
        if handled > 0 || wall &- lastStatusWall >= 250_000_000 {
            lastStatusWall = wall
            return true
        }
        return false
    }

    public func millisecondsUntilDue(wall: UInt64) -> Int32 {
        session.queue.count > 0 || session.hasUnfinishedWork ? 0 : 250
    }

    public func status(wall: UInt64) -> SessionStatus {
        LiveStatus.sessionStatus(session, label: label)
    }

    public func newAlerts(_ watcher: inout AlertWatcher, wall: UInt64) -> [OperatorAlert] {
        session.newAlerts(&watcher, wall: LiveClock.wallNanoseconds())
    }

    public func perform(_ effect: Effect, wall: UInt64) throws(SessionError) -> [FeedReply] {
        switch effect {
        case .quit, .told: return []
        case .togglePause, .step, .faster, .slower, .nextNotable, .previousNotable, .jump, .jumpToAlert:
            return [.notice("live: pause, step, speed and jumps are for replays (record with --record, replay later)")]
        }
    }
}
