import Foundation
import Testing
import LiveVenues
import LoopbackExchange
import MarketFeeds
import RiskEngine

/// The live Bybit adapter (`BybitWire` over `VenueWebSocketSource`) against a loopback Bybit v5
/// serving the real XRPUSDT order-book recording: the live book must end where a replay of the same
/// file ends, whatever the exchange does to the connection.
@Suite("Live Bybit over loopback", .enabled(if: SharedData.isPresent, SharedData.skipMessage), .serialized)
struct BybitLoopbackLiveTests {
    static let recording = SharedData.path("bybit/2024-12-01_XRPUSDT_ob500.data")
    static let market = "bybit:XRPUSDT"

    static let replayed: (levels: [String], lastUpdateId: Int64?) = {
        let session = try! VenueLoopbackHarness.replay([recording])
        return (VenueLoopbackHarness.levels(session.engine, market), session.synchronizers[market]?.counters.lastUpdateId)
    }()

    func run(_ script: LoopbackExchange.Script, symbols: [String] = ["XRPUSDT"], pingInterval: Double? = 20, record: String? = nil) async throws -> VenueLiveRun {
        try await VenueLoopbackHarness.run(.bybit, recording: Self.recording, script: script, markets: [Self.market], record: record) { base in
            BybitWire(category: .linear, symbols: symbols, baseURL: base, pingInterval: pingInterval)
        }
    }

    @Test("the live book ends equal to the replay of the same file; pings are answered")
    func liveEqualsReplay() async throws {
        // Paced over about half a second, so that pings every 0.1 s are sent while frames flow.
        var script = LoopbackExchange.Script()
        script.framesPerSecond = 100
        let run = try await run(script, pingInterval: 0.1)
        let counters = try #require(run.session.synchronizers[Self.market]).counters
        #expect(!Self.replayed.levels.isEmpty)
        #expect(VenueLoopbackHarness.levels(run.session.engine, Self.market) == Self.replayed.levels)
        #expect(counters.lastUpdateId == Self.replayed.lastUpdateId)
        // The subscription's snapshot, then all 49 deltas of the file.
        #expect(counters.snapshots == 1 && counters.applied == 49 && counters.gaps == 0)
        #expect(run.session.stats.malformed == 0)
        #expect(run.exchange.framesSent == 49)
        #expect(run.exchange.snapshotsSent == 1)
        #expect(run.exchange.subscribesReceived["orderbook.200.XRPUSDT"] == 1)
        #expect(run.exchange.subscribesReceived["publicTrade.XRPUSDT"] == 1)
        #expect(run.exchange.refusals == 0)
        #expect(run.exchange.pingsReceived > 0)
        #expect(run.session.health[0].venueNotices == 0)
        // Everything but the pongs reached the session (acknowledgements are decoded and skipped).
        #expect(run.session.health[0].messages == run.exchange.messagesSent)
    }

    @Test("a dropped delta is one gap; re-subscribing re-syncs the book from the exchange's snapshot")
    func droppedDelta() async throws {
        var script = LoopbackExchange.Script()
        script.framesPerSecond = 200
        script.dropDepthFrame = 10
        let run = try await run(script)
        let counters = try #require(run.session.synchronizers[Self.market]).counters
        #expect(counters.gaps == 1)
        #expect(counters.resyncs == 1)
        #expect(counters.lastProblem?.hasPrefix("u ") == true, "\(counters.lastProblem ?? "none")")
        #expect(run.exchange.bookDeltasDropped == 1)
        #expect(run.exchange.subscribesReceived["orderbook.200.XRPUSDT"] == 2)
        #expect(run.exchange.unsubscribesReceived["orderbook.200.XRPUSDT"] == 1)
        #expect(run.exchange.snapshotsSent == 2)
        #expect(VenueLoopbackHarness.levels(run.session.engine, Self.market) == Self.replayed.levels)
        #expect(counters.lastUpdateId == Self.replayed.lastUpdateId)
        #expect(!(run.session.engine.market(Self.market)?.book.isStale ?? true))
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
        #expect(run.exchange.subscribesReceived["orderbook.200.XRPUSDT"] == 2)
        #expect(run.session.feedSummary.reconnects == 1)
        #expect(VenueLoopbackHarness.levels(run.session.engine, Self.market) == Self.replayed.levels)
        #expect(run.session.synchronizers[Self.market]?.counters.lastUpdateId == Self.replayed.lastUpdateId)
    }

    @Test("garbage frames are counted and survived")
    func garbage() async throws {
        var script = LoopbackExchange.Script()
        script.garbageEvery = 10
        let run = try await run(script)
        #expect(run.exchange.garbageSent == 4)
        #expect(run.session.stats.malformed == run.exchange.garbageSent)
        #expect(run.session.health[0].malformed == run.exchange.garbageSent)
        #expect(run.session.synchronizers[Self.market]?.counters.gaps == 0)
        #expect(VenueLoopbackHarness.levels(run.session.engine, Self.market) == Self.replayed.levels)
    }

    @Test("a topic the exchange does not have is refused as Bybit refuses it; the refusal reaches the stream's health")
    func refusal() async throws {
        let run = try await run(LoopbackExchange.Script(), symbols: ["XRPUSDT", "NOSUCHUSDT"])
        #expect(run.exchange.refusals >= 1)
        #expect(run.session.health[0].venueNotices >= 1)
        let lastError = run.session.health[0].lastError ?? ""
        #expect(lastError.contains("handler not found") && lastError.contains("NOSUCHUSDT"), "\(lastError)")
        // The topics that exist were subscribed all the same.
        #expect(VenueLoopbackHarness.levels(run.session.engine, Self.market) == Self.replayed.levels)
    }

    @Test("a recording of the live run replays to the same book, counts and liquidations")
    func recordingReplays() async throws {
        let directory = try VenueLoopbackHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("bybit.rec").path
        var script = LoopbackExchange.Script()
        script.framesPerSecond = 200
        script.dropDepthFrame = 5
        let run = try await run(script, record: path)
        let replay = try VenueLoopbackHarness.replay([path])
        #expect(VenueLoopbackHarness.levels(replay.engine, Self.market) == VenueLoopbackHarness.levels(run.session.engine, Self.market))
        #expect(replay.stats.read == run.session.stats.read)
        #expect(replay.stats.applied == run.session.stats.applied)
        #expect(replay.synchronizers[Self.market]?.counters == run.session.synchronizers[Self.market]?.counters)
        #expect(replay.log.simulatedCount == run.session.log.simulatedCount)
    }
}
