import Foundation
import Testing
import LiveVenues
import LoopbackExchange
import MarketFeeds
import RiskEngine

/// The live Binance adapter against a loopback exchange that serves the real BTCUSDT recording over
/// a real WebSocket and REST: the live book must end where a replay of the same file ends, whatever
/// the exchange does to the connection.
@Suite("Live Binance over loopback", .enabled(if: SharedData.isPresent, SharedData.skipMessage), .serialized)
struct LoopbackLiveTests {
    static let recording = SharedData.path("binance-usdm/btcusdt_20240808.gz")

    /// The replay's final book, as text, for comparing.
    static let replayed: (book: [String], lastUpdateId: Int64?) = {
        let session = try! ReplaySession(paths: [recording], options: SessionOptions())
        try! session.runToEnd()
        return (topOfBook(session.engine), session.synchronizers["binance-usdm:BTCUSDT"]?.counters.lastUpdateId)
    }()

    static func topOfBook(_ engine: Engine) -> [String] {
        guard let book = engine.market("BTCUSDT")?.book else { return [] }
        let bids = book.topLevels(.bid, count: 10).map { "bid " + BookUnits.format($0.price, decimals: 2) + " × " + BookUnits.format($0.size, decimals: 3) }
        let asks = book.topLevels(.ask, count: 10).map { "ask " + BookUnits.format($0.price, decimals: 2) + " × " + BookUnits.format($0.size, decimals: 3) }
        return bids + asks
    }

    struct Run {
        let session: LiveSession
        let exchange: LoopbackExchange.Counters
    }

    /// Runs a live session against the exchange until every frame sent has been applied and the
    /// book is in sync again.
    /// It waits by sleeping the task, never by blocking its thread: the WebSocket client runs on
    /// Swift's cooperative threads, one a core, and a test blocking one beside another blocking
    /// test (the tmux ones wait on the screen) on a two-core machine starved the client for the
    /// whole deadline.
    func runLive(_ script: LoopbackExchange.Script, record: String? = nil) async throws -> Run {
        let exchange = try LoopbackExchange(recording: Self.recording, script: script)
        try exchange.start()
        defer { exchange.stop() }
        let source = BinanceLiveSource(market: .usdm, symbols: ["BTCUSDT"], webSocketURL: exchange.webSocketURL, restURL: exchange.restURL)
        var options = LiveOptions()
        options.recordPath = record
        options.snapshots.answerTimeout = 1
        let session = try LiveSession(sources: [source], options: options)
        try session.start()
        defer { session.stop() }
        let deadline = Date().addingTimeInterval(120)
        var quietSince: Date? = nil
        while Date() < deadline {
            if session.queue.count == 0 { try await Task.sleep(nanoseconds: 5_000_000) }
            let handled = session.pump()
            let counters = exchange.snapshot
            let synced = session.synchronizers["binance-usdm:BTCUSDT"].map { $0.isSynced && $0.counters.lastUpdateId == Self.replayed.lastUpdateId } ?? false
            // Done when the exchange has sent everything, the book is back in sync at the last
            // update, and nothing more has arrived for half a second (frames written into a cut
            // connection never arrive).
            if counters.finished && synced && handled == 0 {
                if session.health[0].messages >= counters.framesSent + counters.garbageSent { break }
                if let since = quietSince, Date().timeIntervalSince(since) > 0.5 { break }
                quietSince = quietSince ?? Date()
            } else {
                quietSince = nil
            }
        }
        return Run(session: session, exchange: exchange.snapshot)
    }

    @Test("the live book ends equal to the replay of the same file; pings are answered")
    func liveEqualsReplay() async throws {
        let run = try await runLive(LoopbackExchange.Script())
        #expect(Self.topOfBook(run.session.engine) == Self.replayed.book)
        #expect(run.session.synchronizers["binance-usdm:BTCUSDT"]?.counters.lastUpdateId == Self.replayed.lastUpdateId)
        #expect(run.session.synchronizers["binance-usdm:BTCUSDT"]?.counters.gaps == 0)
        #expect(run.session.stats.malformed == 0)
        #expect(run.session.health[0].messages == run.exchange.framesSent)
        #expect(run.exchange.pongsReceived >= 1)
    }

    @Test("a dropped frame is a gap: a fresh snapshot re-syncs the book")
    func droppedFrame() async throws {
        // Paced, so that the drop comes well after the first snapshot has synced the book.
        var script = LoopbackExchange.Script()
        script.framesPerSecond = 20_000
        script.dropDepthFrame = 5_000
        let run = try await runLive(script)
        let counters = try #require(run.session.synchronizers["binance-usdm:BTCUSDT"]).counters
        #expect(counters.gaps == 1)
        #expect(counters.resyncs == 1)
        #expect(run.exchange.snapshotsServed >= 2)
        #expect(Self.topOfBook(run.session.engine) == Self.replayed.book)
        #expect(!(run.session.engine.market("BTCUSDT")?.book.isStale ?? true))
    }

    @Test("the exchange cutting the connection mid-stream: reconnect, then re-sync")
    func cutConnection() async throws {
        var script = LoopbackExchange.Script()
        script.framesPerSecond = 20_000
        script.cutAfterFrames = 40_000
        let run = try await runLive(script)
        #expect(run.exchange.connections == 2)
        #expect(run.session.health[0].reconnects == 1)
        #expect(try #require(run.session.synchronizers["binance-usdm:BTCUSDT"]).counters.resyncs >= 1)
        // The summary the report, the status bar and the health view read counts the same.
        let feed = run.session.feedSummary
        #expect(feed.reconnects == 1)
        #expect(feed.resyncs == run.session.synchronizers["binance-usdm:BTCUSDT"]?.counters.resyncs)
        #expect(feed.streams.map(\.reconnects) == [1])
        #expect(Self.topOfBook(run.session.engine) == Self.replayed.book)
    }

    @Test("garbage frames are counted and survived")
    func garbage() async throws {
        var script = LoopbackExchange.Script()
        script.garbageEvery = 5_000
        let run = try await runLive(script)
        #expect(run.exchange.garbageSent >= 18)
        #expect(run.session.stats.malformed == run.exchange.garbageSent)
        #expect(run.session.health[0].malformed == run.exchange.garbageSent)
        #expect(run.session.stats.firstMalformed.first?.file == "binance-usdm")
        #expect(Self.topOfBook(run.session.engine) == Self.replayed.book)
    }

    @Test("a recording made from the live run replays to the same book, counts and liquidations")
    func recordingReplays() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("liqwatch-live-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("live.rec").path
        var script = LoopbackExchange.Script()
        script.framesPerSecond = 20_000
        script.dropDepthFrame = 4_000
        let run = try await runLive(script, record: path)
        let replay = try ReplaySession(paths: [path], options: SessionOptions())
        try replay.runToEnd()
        #expect(Self.topOfBook(replay.engine) == Self.topOfBook(run.session.engine))
        #expect(replay.stats.read == run.session.stats.read)
        #expect(replay.stats.applied == run.session.stats.applied)
        #expect(replay.synchronizers["binance-usdm:BTCUSDT"]?.counters == run.session.synchronizers["binance-usdm:BTCUSDT"]?.counters)
        #expect(replay.log.simulatedCount == run.session.log.simulatedCount)
    }
}
