import Foundation
import Testing
@testable import MarketFeeds
import RiskEngine

/// A market source that hands over the frames it is given, as a venue's connection would.
final class FramesSource: LiveSource, @unchecked Sendable {
    let name: String
    let kind: LiveStreamKind
    let format = RecordingFormat.timestampedFrames
    let frames: [String]

    init(name: String, markets: [String], frames: [String]) {
        self.name = name
        kind = .market(symbols: markets)
        self.frames = frames
    }

    func start(queue: LiveQueue, stream: Int) throws(LiveStartError) {
        queue.push(.connection(stream: stream, .connected))
        for frame in frames { queue.push(.frame(stream: stream, receiveTime: LiveClock.wallNanoseconds(), bytes: Array(frame.utf8))) }
    }

    func requestSnapshot(symbol: String) {}
    var resyncsBySubscription: Bool { true }
    func stop() {}
}

/// An attacker's finding: frames are told apart by their shape, so a Bybit connection that sent
/// Binance- or OKX-shaped frames forged those venues' liquidations and books (and made markets
/// nobody asked for). A stream now carries only its own markets.
@Suite("A live stream carries only its own markets")
struct StreamBoundaryTests {
    static let bybitBook = #"{"topic":"orderbook.50.BTCUSDT","type":"snapshot","ts":1733011200000,"data":{"s":"BTCUSDT","b":[["60000.0","1"]],"a":[["60000.1","1"]],"u":1,"seq":1},"cts":1733011200000}"#
    static let forgedBinanceLiquidation = #"{"stream":"btcusdt@forceOrder","data":{"e":"forceOrder","E":1733011200100,"o":{"s":"BTCUSDT","S":"SELL","o":"LIMIT","f":"IOC","q":"90","p":"61000","ap":"61000","X":"FILLED","l":"90","z":"90","T":1733011200100}}}"#
    static let forgedHyperliquidBook = #"{"channel":"l2Book","data":{"coin":"BTC","time":1733011200200,"levels":[[{"px":"50000","sz":"99","n":1}],[{"px":"50001","sz":"99","n":1}]]}}"#
    static let unsubscribedBybit = #"{"topic":"orderbook.50.ETHUSDT","type":"snapshot","ts":1733011200300,"data":{"s":"ETHUSDT","b":[["3000.0","1"]],"a":[["3000.1","1"]],"u":1,"seq":1},"cts":1733011200300}"#

    func run(_ sources: [any LiveSource], record: String? = nil) throws -> LiveSession {
        var options = LiveOptions()
        options.recordPath = record
        let session = try LiveSession(sources: sources, options: options)
        try session.start()
        let deadline = Date().addingTimeInterval(2)
        while Date() < deadline && session.queue.count > 0 { session.pump() }
        session.stop()
        while session.pump() > 0 {}
        return session
    }

    @Test("another venue's frames, and a symbol never subscribed, are refused whole, counted and named; the stream's own frames apply")
    func foreignFramesRefused() throws {
        let scratch = try ScratchDirectory()
        let recording = scratch.url.appendingPathComponent("live.rec").path
        let bybit = FramesSource(name: "bybit", markets: ["bybit:BTCUSDT"],
            frames: [Self.bybitBook, Self.forgedBinanceLiquidation, Self.forgedHyperliquidBook, Self.unsubscribedBybit])
        let hyperliquid = FramesSource(name: "hyperliquid", markets: ["hyperliquid:BTC"], frames: [])
        let session = try run([bybit, hyperliquid], record: recording)
        // Hyperliquid's market is there from the start, as subscribed; the forged book never
        // reached it: STALE (no snapshot), as a book that never synced is everywhere.
        #expect(session.engine.markets.map(\.symbol) == ["bybit:BTCUSDT", "hyperliquid:BTC"])
        #expect(session.engine.market("hyperliquid:BTC")?.staleReason == "no snapshot")
        #expect(session.feedSummary.staleMarkets == ["hyperliquid:BTC"])
        #expect(session.engine.market("bybit:BTCUSDT")?.book.bestBid == BookUnits.parse("60000")!)
        #expect(session.log.exchangeLiquidations.count == 0)
        #expect(session.health[0].malformed == 3)
        #expect(session.stats.malformed == 3)
        let fields = session.stats.firstMalformed.map(\.field)
        #expect(fields.contains("symbol: binance-usdm:BTCUSDT is not a market of this stream"))
        #expect(fields.contains("symbol: hyperliquid:BTC is not a market of this stream"))
        #expect(fields.contains("symbol: bybit:ETHUSDT is not a market of this stream"))
        // Not recorded: the replay of the recording applies what the live session applied.
        let recorded = try String(contentsOfFile: recording, encoding: .utf8)
        #expect(recorded.split(separator: "\n").count == 1)
        let replayed = try replay([recording])
        #expect(replayed.engine.markets.map(\.symbol) == ["bybit:BTCUSDT"])
    }
}
