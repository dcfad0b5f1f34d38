/// Exponential backoff with jitter: `base` doubling to `cap`, each delay between 50 % and 100 % of
/// its step so that many clients cut at once do not come back at once.
public enum Backoff {
    public static func delay(attempt: Int, base: Double = 0.5, cap: Double = 30) -> Double {
        let step = min(cap, base * Double(1 << min(max(attempt, 0), 16)))
        return step * Double.random(in: 0.5...1.0)
    }
}

/// When to try a connection again: the backoff grows with every attempt that failed or did not
/// last, and starts again only after a connection that lived `resetAfter` seconds. (A server that
/// accepts and closes at once must not be hammered every half second.)
public struct ReconnectPolicy: Sendable {
    public let base: Double
    public let cap: Double
    public let resetAfter: Double
    public private(set) var attempt = 0

    public init(base: Double = 0.5, cap: Double = 30, resetAfter: Double = 30) {
        self.base = base
        self.cap = cap
        self.resetAfter = resetAfter
    }

    /// The delay before the next attempt. `connectionLasted` is how long the connection that just
    /// ended was up (nil: the attempt failed to connect).
    public mutating func nextDelay(connectionLasted: Double?) -> Double {
        if let lasted = connectionLasted, lasted >= resetAfter { attempt = 0 }
        let delay = Backoff.delay(attempt: attempt, base: base, cap: cap)
        attempt += 1
        return delay
    }
}
