import Foundation
import Testing
import LiveVenues
@testable import LoopbackExchange
import MarketFeeds
import RiskEngine

/// A venue's wire that sends garbage requests before its real subscriptions: the loopback must
/// refuse each as its venue does, and go on serving the connection.
struct GarbageRequestsWire: VenueWire {
    let inner: any VenueWire
    let garbage: [String]

    var name: String { inner.name }
    var venue: Venue { inner.venue }
    var markets: [String] { inner.markets }
    var url: String { inner.url }
    func subscriptions() -> [String] { garbage + inner.subscriptions() }
    func resubscription(market: String) -> [String] { inner.resubscription(market: market) }
    var pingInterval: Double? { inner.pingInterval }
    var ping: String { inner.ping }
    func isHeartbeat(_ frame: [UInt8]) -> Bool { inner.isHeartbeat(frame) }
    func notice(in frame: [UInt8]) -> String? { inner.notice(in: frame) }
}

@Suite("Loopback venues refuse garbage requests and keep serving", .enabled(if: SharedData.isPresent, SharedData.skipMessage), .serialized)
struct LoopbackRequestGarbageTests {
    /// Requests no venue takes: not JSON, JSON of the wrong shape, control characters, deep nesting
    /// (a parser that recursed per level would overflow its stack), and a long one.
    static let garbage: [String] = [
        "",
        "{",
        "not json \u{0}\u{1}\u{7f}",
        "[1,2,3]",
        "{\"op\":42,\"method\":7}",
        "{\"op\":\"subscribe\",\"args\":\"orderbook\",\"method\":\"subscribe\",\"subscription\":[]}",
        String(repeating: "[", count: 30_000),
        "{\"x\":\"" + String(repeating: "\u{e9}", count: 20_000) + "\"}",
    ]

    @Test("each garbage request is refused once, as the venue refuses it; the book still ends as the replay's",
        arguments: [SubscriptionVenue.bybit, .okx, .hyperliquid])
    func garbageRequests(venue: SubscriptionVenue) async throws {
        let recording: String
        let market: String
        let wire: (String) -> any VenueWire
        switch venue {
        case .bybit:
            recording = SharedData.path("bybit/2024-12-01_XRPUSDT_ob500.data")
            market = "bybit:XRPUSDT"
            wire = { BybitWire(category: .linear, symbols: ["XRPUSDT"], baseURL: $0) }
        case .okx:
            recording = SharedData.path("okx/OKX.ws.1.0")
            market = "okx:UNI-USD-SWAP"
            wire = { OKXWire(instruments: ["UNI-USD-SWAP"], baseURL: $0) }
        case .hyperliquid:
            recording = SharedData.path("hyperliquid/btcusd_20250126.gz")
            market = "hyperliquid:BTC"
            wire = { HyperliquidWire(coins: ["BTC"], baseURL: $0) }
        }
        let run = try await VenueLoopbackHarness.run(venue, recording: recording, script: LoopbackExchange.Script(), markets: [market]) { base in
            GarbageRequestsWire(inner: wire(base), garbage: Self.garbage)
        }
        #expect(run.exchange.refusals == Self.garbage.count)
        #expect(run.session.health[0].venueNotices == Self.garbage.count)
        #expect(run.exchange.connections == 1)
        #expect(run.session.stats.malformed == 0)
        let replay = try VenueLoopbackHarness.replay([recording])
        #expect(!VenueLoopbackHarness.levels(replay.engine, market).isEmpty)
        #expect(VenueLoopbackHarness.levels(run.session.engine, market) == VenueLoopbackHarness.levels(replay.engine, market))
    }

    @Test("subscribe counts by topic are bounded: invented names beyond the limit share one count")
    func boundedTopicCounts() {
        var total: [String: Int] = [:]
        SubscriptionLoopback.merge(Dictionary(uniqueKeysWithValues: (0..<5_000).map { ("invented.\($0)", 1) }), into: &total)
        SubscriptionLoopback.merge(["x" + String(repeating: "y", count: 10_000): 1], into: &total)
        #expect(total.count == SubscriptionLoopback.countedTopics + 1)
        #expect(total[SubscriptionLoopback.otherTopics] == 5_001 - SubscriptionLoopback.countedTopics)
        #expect(total.values.reduce(0, +) == 5_001)
        #expect(total.keys.allSatisfy { $0.count <= 200 })
    }

    @Test("only the venue's path is upgraded: a client on another path never connects", arguments: [SubscriptionVenue.bybit, .okx, .hyperliquid])
    func otherPath(venue: SubscriptionVenue) async throws {
        let recordings: [SubscriptionVenue: String] = [
            .bybit: "bybit/2024-12-01_XRPUSDT_ob500.data", .okx: "okx/OKX.ws.1.0", .hyperliquid: "hyperliquid/btcusd_20250126.gz",
        ]
        let exchange = try SubscriptionLoopback(venue: venue, recording: SharedData.path(recordings[venue]!))
        try exchange.start()
        defer { exchange.stop() }
        // A WebSocket client on the wrong path: the upgrade is refused and the session never connects.
        let source = VenueWebSocketSource(wire: HyperliquidWire(coins: ["BTC"], baseURL: exchange.baseURL + (venue == .hyperliquid ? "/elsewhere" : "")))
        let session = try LiveSession(sources: [source], options: LiveOptions())
        try session.start()
        defer { session.stop() }
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline && session.health[0].lastError == nil {
            try await Task.sleep(nanoseconds: 10_000_000)
            session.pump()
        }
        #expect(session.health[0].lastError != nil)
        #expect(session.health[0].reconnects == 0 && session.health[0].messages == 0)
        #expect(exchange.snapshot.connections == 0)
        #expect(exchange.path == ["bybit": "/v5/public/linear", "okx": "/ws/v5/public", "hyperliquid": "/ws"][venue.rawValue])
    }
}
