import Dashboard
import MarketFeeds
import RiskEngine

/// A live session's state as the dashboard shows it.
public enum LiveStatus {
    public static func sessionStatus(_ session: LiveSession, label: String) -> SessionStatus {
        let wall = LiveClock.wallNanoseconds()
        var status = SessionStatus(kind: "LIVE", source: label)
        status.time = wall
        status.lastMessageAge = session.health.compactMap { $0.lastMessageWall }.max().map { max(0, wall - $0) }
        let feed = session.feedSummary
        status.takeCounts(of: feed)
        status.streams = session.health.map { stream($0, session: session, wall: wall) }
        status.recordingError = session.recordingError
        return status
    }

    public static func stream(_ health: StreamHealth, session: LiveSession, wall: Int64) -> StreamStatus {
        var symbols: [String]? = nil
        var gaps = 0
        var resyncs = 0
        var resync: [String] = []
        if case .market(let names) = health.kind {
            var carried = names
            // Its venue's marks and liquidations for the markets other connections carry the
            // books of: silent, those are stale too (their books fresh, their marks frozen).
            if health.feedsVenueWide, let venue = names.first.flatMap(MarketID.venue(of:)) {
                for other in session.health where other.name != health.name {
                    if case .market(let theirs) = other.kind, theirs.first.flatMap(MarketID.venue(of:)) == venue { carried += theirs }
                }
            }
            symbols = carried
            for name in names {
                gaps += session.synchronizers[name]?.counters.gaps ?? 0
                resyncs += session.synchronizers[name]?.counters.resyncs ?? 0
                if let state = session.resyncState(symbol: name, wall: wall) { resync.append("\(MarketID.symbol(of: name)) \(state)") }
            }
        }
        var status = StreamStatus(
            name: health.name, state: describe(health.state), age: health.age(wall: wall), messagesPerSecond: health.rate(wall: wall),
            messages: health.messages, gaps: gaps, resyncs: resyncs, reconnects: health.reconnects, malformed: health.malformed,
            stale: health.isStale(wall: wall, threshold: session.options.staleAfter), symbols: symbols, lastError: health.lastError,
            resync: resync)
        status.lastErrorAge = health.lastErrorWall.map { max(0, wall &- $0) }
        status.connected = health.isConnected
        status.receiving = health.isReceiving
        return status
    }

    public static func describe(_ state: StreamHealth.State) -> String {
        switch state {
        case .connecting: return "connecting"
        case .live: return "live"
        case .ended: return "ended"
        case .listening: return "listening, no publisher"
        case .reconnecting(let reason, let retryIn):
            guard let retryIn else { return "failed: \(reason)" }
            return "reconnecting in \(String(format: "%.1f", retryIn)) s: \(reason)"
        }
    }
}
