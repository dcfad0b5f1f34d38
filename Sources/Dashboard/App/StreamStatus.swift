import RiskEngine

/// One live stream as the dashboard shows it (the status bar, stale pane titles, the health view).
public struct StreamStatus: Sendable, Equatable {
    public var name: String
    /// "live", "connecting", "reconnecting in 1.2 s: reason", "ended".
    public var state: String
    /// Seconds since the stream last spoke.
    public var age: Double?
    public var messagesPerSecond: Int
    public var messages: Int
    public var gaps: Int
    public var resyncs: Int
    public var reconnects: Int
    public var malformed: Int
    public var stale: Bool
    /// The symbols whose book, marks and trades it feeds; nil for an operator's event stream
    /// (positions, accounts, the fund).
    public var symbols: [String]?
    public var lastError: String?
    /// Nanoseconds since `lastError` came (nil when not known).
    public var lastErrorAge: Int64?
    /// Books of this stream waiting to re-sync, and what they wait for ("BTCUSDT re-sync: 2
    /// failed, next in 4 s (the snapshot did not bridge the stream)").
    public var resync: [String] = []
    /// False while the stream is reconnecting (its connection was lost).
    public var connected = true
    /// Messages arrive (the stream is live): what ends an outage (see `StreamCondition`).
    public var receiving = true

    public init(name: String, state: String, age: Double?, messagesPerSecond: Int, messages: Int, gaps: Int, resyncs: Int,
                reconnects: Int, malformed: Int, stale: Bool, symbols: [String]?, lastError: String?, resync: [String] = []) {
        self.resync = resync
        self.name = name
        self.state = state
        self.age = age
        self.messagesPerSecond = messagesPerSecond
        self.messages = messages
        self.gaps = gaps
        self.resyncs = resyncs
        self.reconnects = reconnects
        self.malformed = malformed
        self.stale = stale
        self.symbols = symbols
        self.lastError = lastError
    }
}

extension SessionStatus {
    /// Whether the market data of `symbol` comes from a stream that is stale now.
    public func isStale(symbol: String?) -> Bool {
        guard let symbol else { return false }
        return streams.contains { $0.stale && ($0.symbols?.contains(symbol) ?? false) }
    }

    /// Whether the positions, accounts and fund come from an event stream that is stale now.
    public var operatorDataStale: Bool { streams.contains { $0.stale && $0.symbols == nil } }

    public var staleStreams: [StreamStatus] { streams.filter(\.stale) }

    /// The streams as the alert watcher judges them.
    public var streamConditions: [StreamCondition] {
        streams.map { StreamCondition(name: $0.name, stale: $0.stale, connected: $0.connected, receiving: $0.receiving) }
    }
}
