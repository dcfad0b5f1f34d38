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

    @Test("another venue's frames are refused whole, counted and named, not recorded; the stream's own venue's frames apply")
    func foreignFramesRefused() throws {
        let scratch = try ScratchDirectory()
        let recording = scratch.url.appendingPathComponent("live.rec").path
        let bybit = FramesSource(name: "bybit", markets: ["bybit:BTCUSDT"],
            frames: [Self.bybitBook, Self.forgedBinanceLiquidation, Self.forgedHyperliquidBook, Self.unsubscribedBybit])
        let hyperliquid = FramesSource(name: "hyperliquid", markets: ["hyperliquid:BTC"], frames: [])
        let session = try run([bybit, hyperliquid], record: recording)
        // Hyperliquid's market is there from the start, as subscribed; the forged book never
        // reached it: STALE (no snapshot), as a book that never synced is everywhere. Bybit's
        // ETHUSDT, not subscribed but Bybit's own word, is applied (and recorded, below).
        #expect(session.engine.markets.map(\.symbol) == ["bybit:BTCUSDT", "hyperliquid:BTC", "bybit:ETHUSDT"])
        #expect(session.engine.market("hyperliquid:BTC")?.staleReason == "no snapshot")
        // No page in the first seconds (every book waits a moment for its first snapshot); past
        // the grace, one that has none is STALE in the status bar and the alerts.
        #expect(session.feedSummary.staleMarkets == [])
        session.noteOverdueBooks(wall: session.startedWall + Int64(LiveSession.firstBookGrace * 1e9) + 1)
        #expect(session.feedSummary.staleMarkets == ["hyperliquid:BTC"])
        #expect(session.engine.market("bybit:BTCUSDT")?.book.bestBid == BookUnits.parse("60000")!)
        #expect(session.log.exchangeLiquidations.count == 0)
        #expect(session.health[0].malformed == 2)
        #expect(session.stats.malformed == 2)
        let fields = session.stats.firstMalformed.map(\.field)
        #expect(fields.contains("symbol: binance-usdm:BTCUSDT is another venue's market"))
        #expect(fields.contains("symbol: hyperliquid:BTC is another venue's market"))
        // Each stream's state is in the summary the reports print: live and speaking now; a
        // minute later, with nothing since, STALE and how long silent.
        let now = session.feedSummary.streams
        #expect(now.map(\.state) == ["live", "live"])
        #expect(now[0].stale == false && (now[0].silentSeconds ?? 99) < 5)
        // Hyperliquid sent nothing: silent since it connected.
        #expect((now[1].silentSeconds ?? 99) < 5)
        let later = FeedSummary(engine: session.engine, log: session.log, stats: session.stats, synchronizers: session.synchronizers,
            health: session.health, wall: LiveClock.wallNanoseconds() + 60_000_000_000, staleAfter: 5)
        #expect(later.streams.allSatisfy { $0.stale })
        #expect((later.streams[0].silentSeconds ?? 0) >= 60)
        // The refused frames are not recorded: the replay of the recording decodes and applies
        // exactly what the live session did (its markets are those that sent something).
        let recorded = try String(contentsOfFile: recording, encoding: .utf8)
        #expect(recorded.split(separator: "\n").count == 2)
        let replayed = try replay([recording])
        #expect(replayed.engine.markets.map(\.symbol) == ["bybit:BTCUSDT", "bybit:ETHUSDT"])
        #expect(replayed.engine.market("bybit:BTCUSDT")?.book == session.engine.market("bybit:BTCUSDT")?.book)
        #expect(replayed.engine.market("bybit:ETHUSDT")?.book == session.engine.market("bybit:ETHUSDT")?.book)
    }
}

/// An attacker's finding: a REST snapshot at another market's prices (3,000 on a BTCUSDT stream at
/// 60,000) was taken whole, being judged only against its own median; every true level after it
/// was then refused as implausible against it, and the book read synced, fresh and wrong.
@Suite("A snapshot tenfold from the mark is refused")
struct SnapshotAgainstMarkTests {
    static func line(_ milliseconds: Int64, _ frame: String) -> String { "\(milliseconds * 1_000_000) \(frame)" }
    static func mark(_ milliseconds: Int64, _ price: String) -> String {
        line(milliseconds, #"{"stream":"btcusdt@markPrice","data":{"e":"markPriceUpdate","E":\#(milliseconds),"s":"BTCUSDT","p":"\#(price)","i":"\#(price)","P":"\#(price)","r":"0.0001","T":1723190400000}}"#)
    }
    static func depth(_ milliseconds: Int64, first: Int, last: Int, bid: String, ask: String) -> String {
        line(milliseconds, #"{"stream":"btcusdt@depth@100ms","data":{"e":"depthUpdate","E":\#(milliseconds),"T":\#(milliseconds),"s":"BTCUSDT","U":\#(first),"u":\#(last),"pu":\#(first - 1),"b":[["\#(bid)","1"]],"a":[["\#(ask)","1"]]}}"#)
    }
    static func snapshot(_ milliseconds: Int64, id: Int, bid: String, ask: String) -> String {
        line(milliseconds, #"{"lastUpdateId":\#(id),"E":\#(milliseconds),"T":\#(milliseconds),"bids":[["\#(bid)","2"]],"asks":[["\#(ask)","2"]]}"#)
    }

    @Test("refused whole, counted and named; the book stays stale until a snapshot that agrees with the mark")
    func refusedThenTrue() throws {
        let scratch = try ScratchDirectory()
        let t: Int64 = 1_723_161_256_000
        let path = try scratch.write("session.rec", [
            Self.mark(t, "60000.00"),
            Self.depth(t + 100, first: 100, last: 101, bid: "59999.9", ask: "60000.1"),
            Self.snapshot(t + 150, id: 100, bid: "3000.0", ask: "3000.1"),
            Self.depth(t + 200, first: 102, last: 103, bid: "59999.8", ask: "60000.2"),
            Self.snapshot(t + 300, id: 102, bid: "59999.0", ask: "60001.0"),
            Self.depth(t + 400, first: 104, last: 105, bid: "59999.7", ask: "60000.3"),
        ].joined(separator: "\n") + "\n")
        let session = try replay([path])
        let market = try #require(session.engine.market("binance-usdm:BTCUSDT"))
        #expect(market.counters.implausiblePricesRefused == 1)
        #expect(session.log.implausiblePriceCount == 1)
        #expect(session.log.firstImplausiblePrice?.source == .snapshot)
        #expect(session.log.firstImplausiblePrice?.price == Fixed("3000.1"))
        // Dated at the snapshot, not at the update before it (it is not applied, and did not
        // move the clock: attacker trial).
        #expect(session.log.firstImplausiblePrice?.time == (t + 150) * 1_000_000)
        // The true snapshot and the updates that bridge it make the book; nothing at 3,000.
        #expect(!market.isStale)
        #expect(market.book.bids.best?.price == BookUnits.parse("59999.8"))
        #expect(market.book.asks.best?.price == BookUnits.parse("60000.2"))
        #expect(market.book.bids.size(at: BookUnits.parse("3000")!) == 0)
        let synchronizer = try #require(session.synchronizers["binance-usdm:BTCUSDT"])
        #expect(synchronizer.counters.gaps == 1)

        // The mark sent again unchanged is a reference again: a second poisoned snapshot after
        // it is refused too (a reviewer's finding: the dispute outlived the same mark re-sent).
        let twice = try scratch.write("twice.rec", [
            Self.mark(t, "60000.00"),
            Self.depth(t + 100, first: 100, last: 101, bid: "59999.9", ask: "60000.1"),
            Self.snapshot(t + 150, id: 100, bid: "3000.0", ask: "3000.1"),
            Self.mark(t + 1_000, "60000.00"),
            Self.depth(t + 1_100, first: 102, last: 103, bid: "59999.8", ask: "60000.2"),
            Self.snapshot(t + 1_150, id: 102, bid: "3000.0", ask: "3000.1"),
            Self.depth(t + 1_200, first: 104, last: 105, bid: "59999.7", ask: "60000.3"),
        ].joined(separator: "\n") + "\n")
        let refusedTwice = try replay([twice])
        #expect(refusedTwice.engine.market("binance-usdm:BTCUSDT")?.counters.implausiblePricesRefused == 2)
        #expect(refusedTwice.engine.market("binance-usdm:BTCUSDT")?.isStale == true)
        #expect(refusedTwice.engine.market("binance-usdm:BTCUSDT")?.book.bids.size(at: BookUnits.parse("3000")!) == 0)

        // With no true snapshot after it, the book ends stale and says why.
        let refusedOnly = try scratch.write("refused.rec", [
            Self.mark(t, "60000.00"),
            Self.depth(t + 100, first: 100, last: 101, bid: "59999.9", ask: "60000.1"),
            Self.snapshot(t + 150, id: 100, bid: "3000.0", ask: "3000.1"),
            Self.depth(t + 200, first: 102, last: 103, bid: "59999.8", ask: "60000.2"),
        ].joined(separator: "\n") + "\n")
        let stale = try replay([refusedOnly])
        #expect(stale.engine.market("binance-usdm:BTCUSDT")?.isStale == true)
        #expect(stale.synchronizers["binance-usdm:BTCUSDT"]?.counters.lastProblem == "snapshot at 3000.1, tenfold from the mark 60000")
    }
}
