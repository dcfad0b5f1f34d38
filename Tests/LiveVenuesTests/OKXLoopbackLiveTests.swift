import Foundation
import Testing
import LiveVenues
import LoopbackExchange
import MarketFeeds
import RiskEngine

/// The live OKX adapter (`OKXWire` over `VenueWebSocketSource`) against a loopback OKX v5 serving the
/// real cryptofeed capture (a BTC-USD future and the UNI-USD swap; its spot book is served but not
/// watched): the books must end where a replay of the same file ends, every checksum verified,
/// including those of the snapshots the loopback computes.
@Suite("Live OKX over loopback", .enabled(if: SharedData.isPresent, SharedData.skipMessage), .serialized)
struct OKXLoopbackLiveTests {
    static let recording = SharedData.path("okx/OKX.ws.1.0")
    static let instruments = ["BTC-USD-220527", "UNI-USD-SWAP"]
    static let markets = instruments.map { "okx:" + $0 }

    static let replayed: (levels: [String: [String]], counters: [String: DepthSynchronizer.Counters]) = {
        let session = try! VenueLoopbackHarness.replay([recording])
        var levels: [String: [String]] = [:]
        var counters: [String: DepthSynchronizer.Counters] = [:]
        for market in markets {
            levels[market] = VenueLoopbackHarness.levels(session.engine, market)
            counters[market] = session.synchronizers[market]?.counters
        }
        return (levels, counters)
    }()

    func run(_ script: LoopbackExchange.Script, instruments: [String] = instruments, pingInterval: Double? = 20, record: String? = nil) async throws -> VenueLiveRun {
        try await VenueLoopbackHarness.run(.okx, recording: Self.recording, script: script, markets: Self.markets, record: record) { base in
            OKXWire(instruments: instruments, baseURL: base, pingInterval: pingInterval)
        }
    }

    func expectBooksAsReplayed(_ run: VenueLiveRun, sourceLocation: SourceLocation = #_sourceLocation) {
        for market in Self.markets {
            #expect(!(Self.replayed.levels[market] ?? []).isEmpty, "\(market)", sourceLocation: sourceLocation)
            #expect(VenueLoopbackHarness.levels(run.session.engine, market) == Self.replayed.levels[market], "\(market)", sourceLocation: sourceLocation)
        }
    }

    @Test("the live books end equal to the replay of the same file, every checksum verified; pings are answered")
    func liveEqualsReplay() async throws {
        var script = LoopbackExchange.Script()
        script.framesPerSecond = 800
        let run = try await run(script, pingInterval: 0.1)
        expectBooksAsReplayed(run)
        for market in Self.markets {
            let live = try #require(run.session.synchronizers[market]).counters
            let replayed = try #require(Self.replayed.counters[market])
            // The loopback's own snapshot (checksum computed by it) stands for the file's first one.
            #expect(live.snapshots == 1 && live.gaps == 0, "\(market)")
            #expect(live.applied == replayed.applied, "\(market)")
            #expect(live.checksumsVerified == replayed.checksumsVerified, "\(market)")
            #expect(live.checksumsVerified == live.applied + 1, "\(market)")
            // The loopback numbers the capture's book messages (seqId), which the file lacks.
            #expect(live.lastUpdateId != nil && replayed.lastUpdateId == nil, "\(market)")
        }
        #expect(run.session.stats.malformed == 0)
        #expect(run.exchange.snapshotsSent == 2)
        #expect(run.exchange.subscribesReceived["books:UNI-USD-SWAP"] == 1)
        #expect(run.exchange.subscribesReceived["index-tickers:BTC-USD"] == 1)
        #expect(run.exchange.subscribesReceived["liquidation-orders:SWAP"] == 1)
        #expect(run.exchange.subscribesReceived["books:BTC-USDT"] == nil)
        #expect(run.exchange.refusals == 0)
        #expect(run.exchange.pingsReceived > 0)
        #expect(run.session.health[0].venueNotices == 0)
        #expect(run.session.health[0].messages == run.exchange.messagesSent)
    }

    @Test("a dropped update is one gap (prevSeqId); re-subscribing re-syncs from the exchange's snapshot")
    func droppedDelta() async throws {
        var script = LoopbackExchange.Script()
        script.framesPerSecond = 800
        script.dropDepthFrame = 30
        let run = try await run(script)
        let counters = try Self.markets.map { try #require(run.session.synchronizers[$0]).counters }
        #expect(counters.map(\.gaps).reduce(0, +) == 1)
        #expect(counters.map(\.resyncs).reduce(0, +) == 1)
        let broken = try #require(counters.first { $0.gaps == 1 })
        // The decoder's checksum or the synchronizer's prevSeqId rule, whichever saw it first.
        let problem = broken.lastProblem ?? "none"
        #expect(problem.hasPrefix("prevSeqId") || problem.hasPrefix("checksum"), "\(problem)")
        #expect(run.exchange.bookDeltasDropped == 1)
        #expect(run.exchange.snapshotsSent == 3)
        #expect(run.exchange.unsubscribesReceived.values.reduce(0, +) == 1)
        expectBooksAsReplayed(run)
        for market in Self.markets { #expect(!(run.session.engine.market(market)?.book.isStale ?? true), "\(market)") }
    }

    @Test("the exchange cutting the connection: reconnect, subscribe again, the same final books")
    func cutConnection() async throws {
        var script = LoopbackExchange.Script()
        script.framesPerSecond = 800
        script.cutAfterFrames = 100
        let run = try await run(script)
        #expect(run.exchange.cuts == 1)
        #expect(run.exchange.connections == 2)
        #expect(run.session.health[0].reconnects == 1)
        #expect(run.exchange.subscribesReceived["books:BTC-USD-220527"] == 2)
        #expect(run.exchange.snapshotsSent == 4)
        expectBooksAsReplayed(run)
        for market in Self.markets { #expect(run.session.synchronizers[market]?.counters.gaps == 0, "\(market)") }
    }

    @Test("garbage frames are counted and survived")
    func garbage() async throws {
        var script = LoopbackExchange.Script()
        script.garbageEvery = 25
        let run = try await run(script)
        #expect(run.exchange.garbageSent == run.exchange.framesSent / 25 && run.exchange.garbageSent >= 5)
        #expect(run.session.stats.malformed == run.exchange.garbageSent)
        #expect(run.session.health[0].malformed == run.exchange.garbageSent)
        expectBooksAsReplayed(run)
    }

    @Test("an instrument the exchange does not have is refused with OKX's 60018; the refusal reaches the stream's health")
    func refusal() async throws {
        let run = try await run(LoopbackExchange.Script(), instruments: Self.instruments + ["DOGE-USD-SWAP"])
        #expect(run.exchange.refusals >= 5)
        #expect(run.session.health[0].venueNotices >= 5)
        let lastError = run.session.health[0].lastError ?? ""
        // The last of the refusals: the swap's channels, or its index's (`DOGE-USD`).
        #expect(lastError.contains("60018") && lastError.contains("DOGE-USD"), "\(lastError)")
        expectBooksAsReplayed(run)
    }
}
