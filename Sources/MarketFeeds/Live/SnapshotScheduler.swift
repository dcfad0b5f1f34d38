import RiskEngine

/// Decides when a book that lost its sync may ask the exchange for another snapshot: a REST depth
/// snapshot (Binance), or a subscription made again, which starts with one (Bybit, OKX,
/// Hyperliquid).
///
/// An unusable answer (stale, not JSON, another symbol's) or a failed request backs that symbol off
/// exponentially with jitter, from `floor` to `ceiling` seconds. A usable one ends the wait, but the
/// count of failures only starts again once the book has kept its sync for `calmAfter` seconds: a
/// book that breaks again right after each re-sync (a checksum that fails on every update) backs
/// off further each time instead of asking at once, twenty times a second. One request per symbol
/// is in flight at a time (asked again after `answerTimeout`). An exchange that says when to come
/// back (HTTP 429 or 418 with `Retry-After`) is waited for, for every symbol of that venue.
///
/// Each venue has its own budget a minute, below its limit (one venue's storm must not hold
/// another's re-sync): Binance's futures REST API allows 2,400 weight a minute per IP and a
/// 1,000-level depth snapshot weighs 20, so 1,200 (60 snapshots a minute) leaves half of the limit
/// to everything else; OKX allows 480 subscription requests an hour a connection and a re-sync
/// takes two, so 4 re-syncs a minute; Bybit and Hyperliquid 30 a minute.
public struct SnapshotScheduler: Sendable {
    public struct Configuration: Sendable, Equatable {
        public var floor: Double = 1
        public var ceiling: Double = 60
        /// Longer than a REST answer may take (`SnapshotFetcher`, 15 s): asked again sooner, the
        /// newer request would close one still under way.
        public var answerTimeout: Double = 16
        /// Seconds a book must keep its sync before its failures are forgotten.
        public var calmAfter: Double = 60
        /// The most a `Retry-After` is obeyed (a hostile answer must not silence a venue for a day).
        public var retryAfterCeiling: Double = 600
        /// The REST budget (Binance's, and any venue not named in `requestsPerMinute`).
        public var weightPerRequest = 20
        public var weightPerMinute = 1_200
        /// Venues whose snapshot is a subscription made again: requests a minute, each of weight 1.
        /// OKX: a re-sync is two requests (unsubscribe, subscribe), and OKX allows 480 an hour.
        public var requestsPerMinute: [String: Int] = ["okx": 4, "bybit": 30, "hyperliquid": 30]
        public init() {}

        /// The weight of one request for a market of `venue`, and that venue's budget a minute.
        func budget(venue: String) -> (weight: Int, perMinute: Int) {
            if let requests = requestsPerMinute[venue] { return (1, requests) }
            return (weightPerRequest, weightPerMinute)
        }
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
        /// Wall time (ns) the book last came back in sync after a failure (see `Configuration.calmAfter`).
        public var syncedSince: Int64?
    }

    public let configuration: Configuration
    public private(set) var states: [String: State] = [:]
    /// Wall times (ns) and weights of the requests made in the last minute, by venue.
    private var recent: [String: [(time: Int64, weight: Int)]] = [:]
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
        let venue = MarketID.venueName(of: symbol)
        if let hold = venueHolds[venue], wall < hold { return false }
        let budget = configuration.budget(venue: venue)
        recent[venue, default: []].removeAll { wall - $0.time >= 60_000_000_000 }
        let used = recent[venue, default: []].reduce(0) { $0 + $1.weight }
        if used + budget.weight > budget.perMinute {
            throttled += 1
            return false
        }
        recent[venue, default: []].append((wall, budget.weight))
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

    /// The snapshot asked for was applied and the book is in sync: nothing waits. Its failures
    /// are kept until it has stayed in sync for `calmAfter` (see `failed`).
    public mutating func succeeded(_ symbol: String, wall: Int64) {
        var state = states[symbol] ?? State()
        state.requestedAt = nil
        state.notBefore = 0
        state.lastProblem = nil
        state.syncedSince = wall
        states[symbol] = state
    }

    /// A book that was re-synced (`succeeded`) and lost its sync again: a failure like any other
    /// (else a checksum failing on every update would be re-synced at once, every time). Returns
    /// whether it was one.
    public mutating func brokeAgain(_ symbol: String, wall: Int64, reason: String) -> Bool {
        guard let state = states[symbol], let since = state.syncedSince, state.requestedAt == nil else { return false }
        // In sync for a while: a break like the first, re-synced at once.
        if Double(wall - since) / 1e9 >= configuration.calmAfter {
            states[symbol] = State()
            return false
        }
        failed(symbol, wall: wall, reason: reason)
        return true
    }

    /// The request failed or its answer did not re-sync the book (or the book broke again): wait
    /// before asking again, longer for each failure since the book last stayed in sync for
    /// `calmAfter` seconds (see `brokeAgain`). `retryAfter`: the exchange's own word on when to come back.
    public mutating func failed(_ symbol: String, wall: Int64, reason: String, retryAfter: Double? = nil) {
        // (Whether the book had been calm since its last re-sync is `brokeAgain`'s to decide.)
        var state = states[symbol] ?? State()
        state.syncedSince = nil
        state.requestedAt = nil
        state.failures += 1
        state.lastProblem = reason
        let step = min(configuration.ceiling, configuration.floor * Double(1 << min(state.failures - 1, 20)))
        // Jitter between the whole step and half again, never under the floor.
        let delay = max(configuration.floor, step * Double.random(in: 1.0...1.5))
        state.notBefore = wall + Int64(min(delay, configuration.ceiling * 1.5) * 1e9)
        states[symbol] = state
        if let retryAfter, retryAfter > 0 { holdVenue(of: symbol, until: wall + Int64(min(retryAfter, configuration.retryAfterCeiling) * 1e9)) }
    }

    /// No request for any market of `symbol`'s venue before `until` (an exchange's `Retry-After`
    /// is for the whole IP, not one symbol).
    public mutating func holdVenue(of symbol: String, until: Int64) {
        let venue = MarketID.venueName(of: symbol)
        venueHolds[venue] = max(venueHolds[venue] ?? 0, until)
    }

    /// Wall times (ns) before which a venue takes no request (its `Retry-After`).
    public private(set) var venueHolds: [String: Int64] = [:]

    /// A new connection re-syncs every book: requests may go at once (within the budget).
    public mutating func reset(_ symbol: String) {
        states[symbol] = State()
    }

    /// Seconds until `symbol` may ask again (0 if it may now), for the health view.
    public func waitSeconds(_ symbol: String, wall: Int64) -> Double {
        let held = venueHolds[MarketID.venueName(of: symbol)] ?? 0
        return max(0, Double(max(states[symbol]?.notBefore ?? 0, held) - wall) / 1e9)
    }
}
