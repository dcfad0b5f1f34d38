/// What a live source feeds: a market (depth, marks, trades, liquidations of some symbols) or an
/// operator's event stream (positions, accounts, the fund, marks).
public enum LiveStreamKind: Sendable, Equatable {
    case market(symbols: [String])
    case events
}

/// A live feed running on threads of its own, handing raw frames to a `LiveQueue`.
public protocol LiveSource: AnyObject, Sendable {
    /// For the health view and the status bar ("binance-usdm", "events tcp://127.0.0.1:9100").
    var name: String { get }
    var kind: LiveStreamKind { get }
    /// How its frames are decoded and recorded.
    var format: RecordingFormat { get }
    /// Starts the source's threads. Throws when it cannot start at all (a port to listen on is
    /// taken): the session reports that and exits before anything runs.
    func start(queue: LiveQueue, stream: Int) throws(LiveStartError)
    /// Fetch a fresh REST depth snapshot for `symbol` (after a gap, a reconnect or a rotation); it
    /// arrives as a `.snapshot` item. Sources without snapshots ignore it.
    func requestSnapshot(symbol: String)
    /// Whether a book is re-synced by the stream itself (Bybit, OKX, Hyperliquid: a subscription
    /// starts with a snapshot, so `requestSnapshot` re-subscribes) rather than by a REST snapshot
    /// that arrives as a `.snapshot` item (Binance).
    var resyncsBySubscription: Bool { get }
    /// Whether it carries the venue-wide streams (marks, liquidations) of markets other
    /// connections carry the books of (Binance past 100 symbols): silent, every market of its
    /// venue is stale, not only its own.
    var feedsVenueWide: Bool { get }
    func stop()
}

extension LiveSource {
    public var resyncsBySubscription: Bool { false }
    public var feedsVenueWide: Bool { false }
}

/// A live source that could not start.
public struct LiveStartError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Monotonic and wall clocks for live sources (receive times are wall time, in ns since the epoch).
public enum LiveClock {
    public static func wallNanoseconds() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
    }

    public static func monotonicNanoseconds() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
    }
}

#if canImport(Glibc)
import Glibc
#endif
