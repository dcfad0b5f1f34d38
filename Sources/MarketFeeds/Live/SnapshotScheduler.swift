/// Decides when a book that lost its sync may ask the exchange for another REST depth snapshot.
///
/// An unusable answer (stale, not JSON, another symbol's) or a failed request backs that symbol off
/// exponentially with jitter, from `floor` to `ceiling` seconds; a usable one resets it. One request
/// per symbol is in flight at a time (asked again after `answerTimeout`). All requests share a
/// budget of request weight per minute, below the exchange's limit: Binance's futures REST API
/// allows 2,400 weight a minute per IP and a 1,000-level depth snapshot weighs 20, so the default
/// budget of 1,200 (60 snapshots a minute) leaves half of the limit to everything else.
public struct SnapshotScheduler: Sendable {
    public struct Configuration: Sendable, Equatable {
        public var floor: Double = 1
        public var ceiling: Double = 60
        public var answerTimeout: Double = 5
        public var weightPerRequest = 20
        public var weightPerMinute = 1_200
        public init() {}
    }

    /// What a symbol is waiting for, for the health view.
    public struct State: Sendable, Equatable {
        /// Requests that failed or gave an unusable snapshot since the last good one.
        public var failures = 0
        /// Wall time (ns) of the request in flight, if any.
        public var requestedAt: Int64?
        /// Wall time (ns) before which no request is made.
        public var notBefore: Int64 = 0
        public var lastProblem: String?
    }

    public let configuration: Configuration
    public private(set) var states: [String: State] = [:]
    /// Wall times (ns) and weights of the requests made in the last minute.
    private var recent: [(time: Int64, weight: Int)] = []
    public private(set) var requestsMade = 0
    /// Requests held back by the weight budget.
    public private(set) var throttled = 0

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Whether a request for `symbol` may be made now; if so it is counted as made.
    public mutating func mayRequest(_ symbol: String, wall: Int64) -> Bool {
        if let asked = states[symbol]?.requestedAt {
            if Double(wall - asked) / 1e9 < configuration.answerTimeout { return false }
            // Never answered: a failure like any other, backed off the same way.
            failed(symbol, wall: wall, reason: "no answer within \(Int(configuration.answerTimeout)) s")
        }
        var state = states[symbol] ?? State()
        if wall < state.notBefore { return false }
        recent.removeAll { wall - $0.time >= 60_000_000_000 }
        let used = recent.reduce(0) { $0 + $1.weight }
        if used + configuration.weightPerRequest > configuration.weightPerMinute {
            throttled += 1
            return false
        }
        recent.append((wall, configuration.weightPerRequest))
        state.requestedAt = wall
        states[symbol] = state
        requestsMade += 1
        return true
    }

    /// A snapshot asked for otherwise (a venue's subscription, which starts with one): it is
    /// waited for as a request's answer (asked again after `answerTimeout`), outside the budget.
    public mutating func noteRequested(_ symbol: String, wall: Int64) {
        states[symbol, default: State()].requestedAt = wall
    }

    /// The symbols whose request is not answered yet.
    public var requestsInFlight: [String] { states.compactMap { $0.value.requestedAt == nil ? nil : $0.key } }
    public var hasRequestsInFlight: Bool { states.values.contains { $0.requestedAt != nil } }

    /// The snapshot asked for was applied and the book is in sync: the backoff starts again.
    public mutating func succeeded(_ symbol: String) {
        states[symbol] = State()
    }

    /// The request failed or its answer did not re-sync the book: wait before asking again.
    public mutating func failed(_ symbol: String, wall: Int64, reason: String) {
        var state = states[symbol] ?? State()
        state.requestedAt = nil
        state.failures += 1
        state.lastProblem = reason
        let step = min(configuration.ceiling, configuration.floor * Double(1 << min(state.failures - 1, 20)))
        // Jitter between the whole step and half again, never under the floor.
        let delay = max(configuration.floor, step * Double.random(in: 1.0...1.5))
        state.notBefore = wall + Int64(min(delay, configuration.ceiling * 1.5) * 1e9)
        states[symbol] = state
    }

    /// A new connection re-syncs every book: requests may go at once (within the budget).
    public mutating func reset(_ symbol: String) {
        states[symbol] = State()
    }

    /// Seconds until `symbol` may ask again (0 if it may now), for the health view.
    public func waitSeconds(_ symbol: String, wall: Int64) -> Double {
        guard let state = states[symbol] else { return 0 }
        return max(0, Double(state.notBefore - wall) / 1e9)
    }
}
