import RiskEngine

/// Anything that feeds the engine event by event: a replay of recordings or the demo generator.
/// The replay clock and the dashboard drive it through this, whatever it is.
public protocol SessionDriver: AnyObject {
    var engine: Engine { get }
    var log: SessionLog { get }
    var stats: FrameStats { get }
    /// Fraction of the session done, 0...1.
    var progress: Double { get }
    var firstTime: Int64? { get }
    var lastTime: Int64? { get }
    var finished: Bool { get }
    /// "REPLAY" or "DEMO".
    var kind: String { get }
    /// What is being read, for the status bar.
    var sourceLabel: String { get }
    /// The time of the next event, without applying it; nil at the end.
    func peekTime() throws(SessionError) -> Int64?
    /// Applies the next event; false at the end. A step that comes while the one before is
    /// unfinished (`isMidStep`) finishes that one first.
    @discardableResult func step() throws(SessionError) -> Bool
    /// Liquidations a step may start before it stops in the middle of its cascade (`isMidStep`),
    /// for `continueStep` to go on: a dashboard sets it so that a cascade of a hundred thousand
    /// accounts does not hold a key for a second. `Int.max` (the default) applies every step whole.
    /// Sliced or not, the session ends in the same state.
    var liquidationSlice: Int { get set }
    /// Whether the last step stopped in the middle of its cascade.
    var isMidStep: Bool { get }
    /// Goes on with an unfinished step for at most `liquidationLimit` more liquidations.
    func continueStep(liquidationLimit: Int)
    /// Reads the signals as they stand now for a screen showing the session standing still
    /// (`Engine.readSignalsNow`): changes nothing the session goes on from. True when it read them.
    @discardableResult func readSignalsNow() -> Bool
    /// Everything needed to come back to this point (for backward seeks).
    func checkpoint() -> SessionCheckpoint
    /// Returns to a checkpoint taken from this session.
    func restore(_ checkpoint: SessionCheckpoint) throws(SessionError)
    /// The session's end time when known in advance (the demo), for seeking by percentage.
    var knownEndTime: Int64? { get }
    /// Its feeds' health, counted as every session counts it.
    var feedSummary: FeedSummary { get }
    /// What the operator should know before trusting the timeline (inputs far apart in time).
    var timelineWarning: String? { get }
}

extension SessionDriver {
    public var timelineWarning: String? { nil }

    /// Finishes an unfinished step at once (before a seek, a single step, a report).
    public func finishStep() {
        while isMidStep { continueStep(liquidationLimit: .max) }
    }

    /// What is new for the operator since `watcher` last looked (a replay's time is event time).
    public func newAlerts(_ watcher: inout AlertWatcher) -> [OperatorAlert] {
        watcher.newAlerts(log: log, time: engine.time)
    }
}

/// A point in a session that can be returned to: the applier's state (the engine, a value cheap
/// to copy; the records; the books' sync state; the synthetic positions) and where the source
/// was. The same for every session: a replay's source is its inputs, the demo's its generator.
public struct SessionCheckpoint {
    public var time: Int64
    var applier: FeedApplier
    var stats: FrameStats
    var source: Source

    enum Source {
        case replay([ReplayInputPosition])
        case demo(DemoState)
    }
}

/// Where one replay input was: the lines consumed and the decoder's own state.
struct ReplayInputPosition {
    var linesConsumed: Int
    var decoder: any LineDecoder
    var timeGuard: TimeSpikeGuard
    var pending: [FeedMessage]
    var pendingIndex: Int
    var ended: Bool
}

/// The generator's state, for demo checkpoints.
struct DemoState {
    var market: DemoMarket
    var queue: [MarketEvent]
    var queueIndex: Int
}
