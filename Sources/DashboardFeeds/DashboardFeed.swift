import Dashboard
import MarketFeeds
import RiskEngine

/// What the run loop drives: a replay or the demo under a replay clock, or a live session.
public protocol DashboardFeed: AnyObject {
    var engine: Engine { get }
    var log: SessionLog { get }
    /// Readable when the feed has work (live frames waiting), polled with the keyboard.
    var wakeDescriptor: Int32? { get }
    /// Applies what is due now; true when something the screen shows changed.
    func advance(wall: UInt64) throws(SessionError) -> Bool
    /// Milliseconds until the feed has work again (-1: only a key or the wake descriptor).
    func millisecondsUntilDue(wall: UInt64) -> Int32
    /// Carries out what a key asked for; what the operator should be told comes back as
    /// messages for the model (the feed never writes to it).
    func perform(_ effect: Effect, wall: UInt64) throws(SessionError) -> [FeedReply]
    func status(wall: UInt64) -> SessionStatus
    /// What the operator must be told that `watcher` has not seen yet.
    func newAlerts(_ watcher: inout AlertWatcher, wall: UInt64) -> [OperatorAlert]
    /// Whether an effect is still under way (a jump taken on a slice a turn, see `advance`).
    var isWorking: Bool { get }
    /// What an effect that went on across turns replied when it ended in the last advance (once).
    func takeFinishedWork() -> [FeedReply]?
}

extension DashboardFeed {
    public var isWorking: Bool { false }
    public func takeFinishedWork() -> [FeedReply]? { nil }
}

/// What performing an effect has to tell the dashboard.
public enum FeedReply: Equatable, Sendable {
    /// A line for the footer: a jump that could not be made, a key that does nothing live.
    case notice(String)
    /// A jump (`]`, `[`) stopped the session at this time: the tape's cursor goes to the
    /// landing's liquidation, when the tape shows one there.
    case landed(at: Int64)
    /// A typed jump (`:`) landed: a focused market that has ended there gives way (see
    /// `AppModel.noteTypedJump`).
    case jumped
    /// The effect goes on across turns (a long jump): its working notice stays until the feed
    /// hands its replies over (`takeFinishedWork`), or a key for the replay stops it.
    case underWay
}

extension AppModel {
    /// Shows what a feed replied.
    public mutating func apply(_ replies: [FeedReply]) {
        for reply in replies {
            switch reply {
            case .notice(let text): show(notice: text)
            case .landed(let time): followTape(toLandingAt: time)
            case .jumped: noteTypedJump()
            case .underWay: break
            }
        }
    }
}

