import Foundation
import Testing
import LiveVenues
import LoopbackExchange
import MarketFeeds
import RiskEngine

/// The live Hyperliquid adapter (`HyperliquidWire` over `VenueWebSocketSource`) against a loopback
/// Hyperliquid serving the real BTC recording (whole-book `l2Book` messages and trades).
@Suite("Live Hyperliquid over loopback", .enabled(if: SharedData.isPresent, SharedData.skipMessage), .serialized)
struct HyperliquidLoopbackLiveTests {
    static let recording = SharedData.path("hyperliquid/btcusd_20250126.gz")
    static let market = "hyperliquid:BTC"

    static let replayed: (levels: [String], trades: Int?, snapshots: Int?) = {
        let session = try! VenueLoopbackHarness.replay([recording])
        return (VenueLoopbackHarness.levels(session.engine, market), session.engine.market(market)?.counters.trades,
            session.synchronizers[market]?.counters.snapshots)
    }()

    func run(_ script: LoopbackExchange.Script, coins: [String] = ["BTC"], pingInterval: Double? = 30, record: String? = nil) async throws -> VenueLiveRun {
        try await VenueLoopbackHarness.run(.hyperliquid, recording: Self.recording, script: script, markets: [Self.market], record: record) { base in
            HyperliquidWire(coins: coins, baseURL: base, pingInterval: pingInterval)
        }
    }

    @Test("the live book ends equal to the replay of the same file, every trade seen; pings are answered")
    func liveEqualsReplay() async throws {
        var script = LoopbackExchange.Script()
        script.framesPerSecond = 100
        let run = try await run(script, pingInterval: 0.1)
        #expect(!Self.replayed.levels.isEmpty)
        #expect(VenueLoopbackHarness.levels(run.session.engine, Self.market) == Self.replayed.levels)
        // The book the subscription starts with stands for the file's first; the rest follow.
        let counters = try #require(run.session.synchronizers[Self.market]).counters
        #expect(counters.gaps == 0)
        #expect(counters.snapshots == Self.replayed.snapshots)
        #expect(run.exchange.snapshotsSent == 1)
        #expect(run.session.engine.market(Self.market)?.counters.trades == Self.replayed.trades)
        #expect(run.exchange.subscribesReceived["l2Book:BTC"] == 1)
        #expect(run.exchange.subscribesReceived["activeAssetCtx:BTC"] == 1)
        #expect(run.exchange.pingsReceived > 0)
        #expect(run.session.stats.malformed == 0)
        #expect(run.session.health[0].messages == run.exchange.messagesSent)
    }

    @Test("the exchange cutting the connection: reconnect, subscribe again, the same final book")
    func cutConnection() async throws {
        var script = LoopbackExchange.Script()
        script.framesPerSecond = 200
        script.cutAfterFrames = 20
        let run = try await run(script)
        #expect(run.exchange.cuts == 1)
        #expect(run.exchange.connections == 2)
        #expect(run.session.health[0].reconnects == 1)
        #expect(run.exchange.subscribesReceived["l2Book:BTC"] == 2)
        #expect(VenueLoopbackHarness.levels(run.session.engine, Self.market) == Self.replayed.levels)
    }

    @Test("garbage frames are counted and survived")
    func garbage() async throws {
        var script = LoopbackExchange.Script()
        script.garbageEvery = 10
        let run = try await run(script)
        #expect(run.exchange.garbageSent == 5)
        #expect(run.session.stats.malformed == run.exchange.garbageSent)
        #expect(run.session.health[0].malformed == run.exchange.garbageSent)
        #expect(VenueLoopbackHarness.levels(run.session.engine, Self.market) == Self.replayed.levels)
    }

    @Test("a coin the exchange does not have is refused with a channel error; the refusal reaches the stream's health")
    func refusal() async throws {
        let run = try await run(LoopbackExchange.Script(), coins: ["BTC", "NOPE"])
        #expect(run.exchange.refusals >= 3)
        #expect(run.session.health[0].venueNotices >= 3)
        let lastError = run.session.health[0].lastError ?? ""
        #expect(lastError.hasPrefix("hyperliquid error") && lastError.contains("NOPE"), "\(lastError)")
        #expect(VenueLoopbackHarness.levels(run.session.engine, Self.market) == Self.replayed.levels)
    }
}
