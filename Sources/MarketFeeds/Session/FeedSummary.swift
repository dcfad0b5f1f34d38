import RiskEngine

/// What every session (a replay, the demo, a live session) counts about its feeds, counted the same
/// way for all three: the report, the status bar and the health view read this, never a session's
/// own fields.
public struct FeedSummary: Sendable, Equatable {
    /// Depth sequence gaps and the re-syncs that followed, over every market's synchronizer (a
    /// session without synchronizers, the demo, counts the engine's own book gaps).
    public var gaps = 0
    public var resyncs = 0
    /// Times a live stream had to reconnect (0 for a replay or the demo).
    public var reconnects = 0
    /// Lines or frames that could not be read, and the newest of them.
    public var malformed = 0
    public var lastMalformed: FrameStats.Malformed?
    /// Watched markets whose book cannot be trusted now (no snapshot yet, or a gap since).
    public var staleMarkets: [String] = []
    /// Every live stream (empty for a replay or the demo).
    public var streams: [Stream] = []

    public struct Stream: Sendable, Equatable {
        public var name: String
        public var messages: Int
        public var reconnects: Int
        /// Attempts that never went live (see `StreamHealth.failedConnections`).
        public var failedConnections = 0
        public var malformed: Int
        /// At the moment of the summary: the stream's state, seconds since its last message (nil
        /// before any), and whether it is STALE (silent past the session's threshold, or
        /// reconnecting): a report made while a venue is frozen says so, whatever its books say.
        public var state = "live"
        public var silentSeconds: Double?
        public var stale = false
        public var lastError: String?
    }

    public init() {}

    /// The counts of a session that applies feeds through `synchronizers` into `engine`.
    public init(engine: Engine, log: SessionLog, stats: FrameStats, synchronizers: [String: DepthSynchronizer], health: [StreamHealth] = [],
        wall: Int64 = 0, staleAfter: Double = 5)
    {
        if synchronizers.isEmpty {
            gaps = log.gaps
        } else {
            gaps = synchronizers.values.reduce(0) { $0 + $1.counters.gaps }
            resyncs = synchronizers.values.reduce(0) { $0 + $1.counters.resyncs }
        }
        malformed = stats.malformed
        lastMalformed = stats.lastMalformed
        reconnects = health.reduce(0) { $0 + $1.reconnects }
        staleMarkets = engine.staleMarkets.sorted()
        streams = health.map { stream in
            Stream(name: stream.name, messages: stream.messages, reconnects: stream.reconnects, failedConnections: stream.failedConnections,
                malformed: stream.malformed, state: stream.state.word, silentSeconds: stream.age(wall: wall),
                stale: stream.isStale(wall: wall, threshold: staleAfter), lastError: stream.lastError)
        }
    }
}
