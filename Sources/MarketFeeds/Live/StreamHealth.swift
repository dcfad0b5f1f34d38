/// The health of one live stream: when it last spoke, how fast, and what went wrong. Ages are wall
/// time, so a stream that stops sending turns stale even though no event arrives to say so.
public struct StreamHealth: Sendable {
    public enum State: Sendable, Equatable {
        case connecting
        case live
        case reconnecting(reason: String, retryIn: Double?)
        /// A `listen://` source with no publisher connected.
        case listening
        case ended

        /// One word for reports: `connecting`, `live`, `reconnecting`, `listening`, `ended`.
        public var word: String {
            switch self {
            case .connecting: return "connecting"
            case .live: return "live"
            case .reconnecting: return "reconnecting"
            case .listening: return "listening"
            case .ended: return "ended"
            }
        }
    }

    public let name: String
    public let kind: LiveStreamKind
    public internal(set) var state: State = .connecting
    public internal(set) var messages = 0
    public internal(set) var malformed = 0
    public internal(set) var reconnects = 0
    /// Connection attempts that ended before the stream was live (refused, cut before or during
    /// the handshake): five in five seconds read `0 reconnects` (attacker trial).
    public internal(set) var failedConnections = 0
    public internal(set) var snapshotFailures = 0
    /// Refusals and warnings the venue sent (an unknown symbol in a subscription, a rate limit, a
    /// coming service upgrade).
    public internal(set) var venueNotices = 0
    /// Publishers connected to a `listen://` source (nil for other kinds).
    public internal(set) var publishers: Int?
    public internal(set) var lastError: String?
    /// Wall time (ns) `lastError` came: an error from the first connection attempt still read as
    /// news minutes after the stream went live (attacker trial).
    public internal(set) var lastErrorWall: Int64?

    mutating func noteError(_ text: String, wall: Int64) {
        lastError = text
        lastErrorWall = wall
    }
    /// Wall time (ns) of the last message; nil before the first.
    /// (Of the last message that carried market data: see `LiveSession.handle`.)
    public internal(set) var lastMessageWall: Int64?
    /// Set when the stream connects: a stream that never sends anything also goes stale.
    var connectedWall: Int64?
    /// Messages per second: the last complete second, and the one being counted.
    var currentSecond: Int64 = 0
    var countThisSecond = 0
    public internal(set) var ratePerSecond = 0

    /// It carries the marks and liquidations of its venue's markets on other connections too
    /// (`LiveSource.feedsVenueWide`).
    public var feedsVenueWide = false

    public init(name: String, kind: LiveStreamKind) {
        self.name = name
        self.kind = kind
    }

    mutating func noteMessage(wall: Int64) {
        messages += 1
        lastMessageWall = wall
        if state != .live && state != .ended { state = .live }
        let second = wall / 1_000_000_000
        if second != currentSecond { rollRate(to: second); }
        countThisSecond += 1
    }

    /// Puts back the time of the last message that carried market data (see `LiveSession.handle`).
    mutating func keepAge(since wall: Int64) { lastMessageWall = wall }

    mutating func rollRate(to second: Int64) {
        ratePerSecond = second == currentSecond + 1 ? countThisSecond : 0
        currentSecond = second
        countThisSecond = 0
    }

    /// Seconds since the stream last spoke (or connected, if it never did).
    public func age(wall: Int64) -> Double? {
        guard let since = lastMessageWall ?? connectedWall else { return nil }
        return Double(max(0, wall - since)) / 1e9
    }

    /// Messages per second, as of `wall` (a silent stream reads 0, not its last busy second).
    public func rate(wall: Int64) -> Int {
        let second = wall / 1_000_000_000
        if second == currentSecond { return ratePerSecond }
        return second == currentSecond + 1 ? countThisSecond : 0
    }

    /// Not between a lost connection and the next attempt.
    public var isConnected: Bool {
        if case .reconnecting = state { return false }
        return true
    }

    /// A message arrived since the stream last connected (or nothing more is to come): an
    /// outage, if there was one, is over. Connected alone is not enough: a venue that accepts
    /// the connection and closes it a second later would end and start an outage, and page
    /// again, at every attempt.
    public var isReceiving: Bool {
        if state == .ended { return true }
        guard state == .live, let last = lastMessageWall else { return false }
        return last >= (connectedWall ?? .min)
    }

    public func isStale(wall: Int64, threshold: Double) -> Bool {
        if state == .ended { return false }
        if case .reconnecting = state { return true }
        guard let age = age(wall: wall) else { return false }
        return age > threshold
    }
}
