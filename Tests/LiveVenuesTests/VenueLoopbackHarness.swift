import Foundation
import Testing
import LiveVenues
import LoopbackExchange
import MarketFeeds
import RiskEngine

/// A live session against one subscription loopback (Bybit, OKX, Hyperliquid) serving a real
/// recording, run until the exchange has gone through the recording and every watched book is in
/// sync again; and the replay of the same recording, to compare with.
struct VenueLiveRun {
    let session: LiveSession
    let exchange: SubscriptionLoopback.Counters
}

enum VenueLoopbackHarness {
    /// Every level of a market's book, exactly (book units): what the live book and the replay's
    /// must agree on.
    static func levels(_ engine: Engine, _ market: String) -> [String] {
        guard let book = engine.market(market)?.book else { return [] }
        return book.topLevels(.bid, count: 100_000).map { "bid \($0.price) x \($0.size)" }
            + book.topLevels(.ask, count: 100_000).map { "ask \($0.price) x \($0.size)" }
    }

    static func replay(_ paths: [String]) throws -> ReplaySession {
        let session = try ReplaySession(paths: paths, options: SessionOptions())
        try session.runToEnd()
        return session
    }

    /// Runs the session until the exchange has sent its whole recording, the books of `markets`
    /// are in sync, and everything sent has been applied (or nothing more came for half a second:
    /// frames written into a cut connection never arrive).
    /// It waits by sleeping the task, never by blocking its thread: the WebSocket client runs on
    /// Swift's cooperative threads (see `LoopbackLiveTests.runLive`).
    static func run(_ venue: SubscriptionVenue, recording: String, script: LoopbackExchange.Script, markets: [String],
        record: String? = nil, wire: (_ baseURL: String) -> any VenueWire) async throws -> VenueLiveRun
    {
        let exchange = try SubscriptionLoopback(venue: venue, recording: recording, script: script)
        try exchange.start()
        defer { exchange.stop() }
        let source = VenueWebSocketSource(wire: wire(exchange.baseURL))
        var options = LiveOptions()
        options.recordPath = record
        options.snapshots.answerTimeout = 1
        let session = try LiveSession(sources: [source], options: options)
        try session.start()
        defer { session.stop() }
        // Generous: a loaded two-core machine; a run normally ends in well under two seconds.
        let deadline = Date().addingTimeInterval(60)
        var quietSince: Date? = nil
        while Date() < deadline {
            if session.queue.count == 0 { try await Task.sleep(nanoseconds: 5_000_000) }
            let handled = session.pump()
            let counters = exchange.snapshot
            let synced = markets.allSatisfy { session.synchronizers[$0]?.isSynced ?? false }
            if counters.finished && synced && handled == 0 {
                if session.health[0].messages >= counters.messagesSent { break }
                if let since = quietSince, Date().timeIntervalSince(since) > 0.5 { break }
                quietSince = quietSince ?? Date()
            } else {
                quietSince = nil
            }
        }
        return VenueLiveRun(session: session, exchange: exchange.snapshot)
    }

    static func temporaryDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("liqwatch-venue-live-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }
}
