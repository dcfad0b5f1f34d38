import Foundation
import Testing
@testable import MarketFeeds
import RiskEngine

/// Binance's REST depth body names no symbol, and its update ids are one sequence across symbols:
/// in a recording of several symbols a snapshot's id fell inside two to four streams' buffered
/// events, and the first of them in the dictionary's order (a different one each run) took it: a
/// market read another's book, a healthy short became a 99,544 USDT deficit (attacker trial).
@Suite("REST snapshots that name no symbol")
struct AnonymousSnapshotTests {
    static func event(_ symbol: String, _ first: Int64, _ final: Int64, price: String) -> FeedMessage {
        .depth(DepthEvent(symbol: symbol, firstUpdateId: first, finalUpdateId: final, previousFinalUpdateId: nil,
            bids: [(BookUnits.parse(price)!, BookUnits.parse("5")!)], asks: [], time: first))
    }

    static func snapshot(_ id: Int64, bid: String, ask: String) -> FeedMessage {
        .snapshot(DepthSnapshot(symbol: nil, lastUpdateId: id, bids: [(BookUnits.parse(bid)!, BookUnits.parse("10")!)],
            asks: [(BookUnits.parse(ask)!, BookUnits.parse("10")!)], time: id))
    }

    /// Two streams of like prices, AAAUSDT and BBBUSDT, whose buffered events both straddle the id
    /// of the snapshot that follows them.
    static func likeStreamsAndTheirSnapshot() -> (FeedApplier, String, String) {
        var applier = FeedApplier(options: SessionOptions())
        let first = "binance-usdm:AAAUSDT", second = "binance-usdm:BBBUSDT"
        applier.handle(event(first, 100, 200, price: "1.010"))
        applier.handle(event(second, 120, 220, price: "1.012"))
        applier.handle(snapshot(150, bid: "1.009", ask: "1.011"))
        return (applier, first, second)
    }

    func bestBid(_ applier: FeedApplier, _ market: String) -> Int64? { applier.engine.market(market)?.book.bids.best?.price }

    @Test("an id inside two streams' events goes to the stream whose prices are the snapshot's, whatever the names' order",
          arguments: [("binance-usdm:AKROUSDT", "binance-usdm:KEEPUSDT"), ("binance-usdm:ZZZUSDT", "binance-usdm:AAAUSDT")])
    func placedByPrice(cheap: String, dear: String) {
        var applier = FeedApplier(options: SessionOptions())
        // Both streams' buffered events straddle id 150.
        applier.handle(Self.event(cheap, 100, 200, price: "0.01730"))
        applier.handle(Self.event(dear, 120, 220, price: "0.2463"))
        applier.handle(Self.snapshot(150, bid: "0.01731", ask: "0.01733"))
        #expect(applier.synchronizers[cheap]?.isAwaitingSnapshot == false, "the cheap market's snapshot")
        #expect(applier.synchronizers[dear]?.isAwaitingSnapshot == true, "the dear market still waits for its own")
        applier.handle(Self.snapshot(160, bid: "0.2462", ask: "0.2465"))
        #expect(applier.synchronizers[dear]?.isAwaitingSnapshot == false)
        applier.handle(Self.event(cheap, 201, 230, price: "0.01729"))
        applier.handle(Self.event(dear, 221, 240, price: "0.2461"))
        #expect(bestBid(applier, cheap).map { $0 < BookUnits.parse("0.02")! } == true, "\(String(describing: bestBid(applier, cheap)))")
        #expect(bestBid(applier, dear).map { $0 > BookUnits.parse("0.2")! } == true, "\(String(describing: bestBid(applier, dear)))")
    }

    @Test("two streams of like prices that both straddle the id: the snapshot is never placed, each says why, even once one is placed by its own")
    func ambiguousNeverPlaced() {
        let setup = Self.likeStreamsAndTheirSnapshot()
        var applier = setup.0
        let first = setup.1, second = setup.2
        #expect(applier.synchronizers[first]?.isAwaitingSnapshot == true)
        #expect(applier.synchronizers[second]?.isAwaitingSnapshot == true)
        #expect(applier.synchronizers[first]?.counters.lastProblem == "a snapshot naming no symbol (lastUpdateId 150) fits AAAUSDT, BBBUSDT: not placed")
        #expect(applier.anonymousSnapshots.count == 1)
        // The second stream's own snapshot names it; the waiting one is still not the first's by
        // elimination (it left a snapshot to a stream of a like price whose book it was not).
        applier.handle(.snapshot(DepthSnapshot(symbol: second, lastUpdateId: 210, bids: [(BookUnits.parse("1.011")!, BookUnits.parse("1")!)],
            asks: [(BookUnits.parse("1.013")!, BookUnits.parse("1")!)], time: 210)))
        applier.handle(Self.event(second, 221, 225, price: "1.012"))
        #expect(applier.synchronizers[second]?.isAwaitingSnapshot == false)
        #expect(applier.synchronizers[first]?.isAwaitingSnapshot == true)
        #expect(applier.anonymousSnapshots.count == 1)
    }

    /// Given to the only stream waiting whatever its prices, a snapshot that came before its own
    /// stream's first event gave the other market its book, and a healthy long a deficit (attacker trial).
    @Test("a snapshot before its own stream's first event is not given to another stream; its own takes it when its events straddle it")
    func snapshotBeforeItsStream() {
        var applier = FeedApplier(options: SessionOptions())
        let dear = "binance-usdm:YYYUSDT", cheap = "binance-usdm:XXXUSDT"
        applier.handle(Self.event(dear, 100, 200, price: "300"))
        applier.handle(Self.snapshot(250, bid: "99.9", ask: "100.1"))
        #expect(applier.synchronizers[dear]?.isAwaitingSnapshot == true, "the other market's snapshot")
        applier.handle(Self.event(cheap, 240, 260, price: "100"))
        // The other stream's events have not reached the id: it could still be its owner.
        #expect(applier.synchronizers[cheap]?.isAwaitingSnapshot == true)
        applier.handle(Self.event(dear, 201, 300, price: "300"))
        #expect(applier.synchronizers[cheap]?.isAwaitingSnapshot == false)
        #expect(applier.synchronizers[dear]?.isAwaitingSnapshot == true)
        // A snapshot of a symbol with no stream at all: nobody's.
        applier.handle(Self.snapshot(270, bid: "4.99", ask: "5.01"))
        #expect(applier.synchronizers[dear]?.isAwaitingSnapshot == true)
    }

    /// Once a buffer overflowed and dropped the event that straddled the id, the other stream was
    /// taken for the only one and synced on the wrong book (review).
    @Test("a stream seen to straddle a waiting snapshot's id stays its candidate after its buffer drops that event")
    func candidatesOutliveTheBuffer() {
        let setup = Self.likeStreamsAndTheirSnapshot()
        var applier = setup.0
        let first = setup.1, second = setup.2
        // The first stream's buffer overflows: its event around 150 is dropped.
        for id in 0...Int64(DepthSynchronizer.bufferLimit) { applier.handle(Self.event(first, 201 + id, 201 + id, price: "1.010")) }
        #expect(applier.synchronizers[first]?.bufferStraddles(150) == false)
        // Another snapshot arrives: the first still waits, and is not handed to the second.
        applier.handle(Self.snapshot(99_999, bid: "1.009", ask: "1.011"))
        #expect(applier.synchronizers[second]?.isAwaitingSnapshot == true, "given the other stream's snapshot")
        #expect(applier.anonymousSnapshots.first?.candidates == [first, second])
    }

    @Test("a stray snapshot before the stream's own does not take its place: the one its events straddle goes first")
    func strayDoesNotBlock() {
        var applier = FeedApplier(options: SessionOptions())
        let only = "binance-usdm:XXXUSDT"
        applier.handle(Self.snapshot(1_000_000_000_000, bid: "99.9", ask: "100.1"))
        applier.handle(Self.snapshot(105, bid: "99.9", ask: "100.1"))
        applier.handle(Self.event(only, 101, 110, price: "99.9"))
        applier.handle(Self.event(only, 111, 120, price: "99.9"))
        #expect(applier.synchronizers[only]?.counters.gaps == 0, "\(String(describing: applier.synchronizers[only]?.counters))")
        #expect(applier.synchronizers[only]?.counters.applied == 2)
    }

    @Test("one stream, no mark: a snapshot of other prices its events straddle (a symbol the recording has no stream of) is not its book")
    func otherSymbolsSnapshotInOneStream() {
        var applier = FeedApplier(options: SessionOptions())
        let only = "binance-usdm:XXXUSDT"
        applier.handle(Self.event(only, 100, 200, price: "100"))
        applier.handle(Self.snapshot(150, bid: "299.9", ask: "300.1"))
        #expect(applier.synchronizers[only]?.isAwaitingSnapshot == true, "given another symbol's book")
        applier.handle(Self.snapshot(180, bid: "99.9", ask: "100.1"))
        #expect(applier.synchronizers[only]?.isAwaitingSnapshot == false)
        applier.handle(Self.event(only, 201, 210, price: "100"))
        #expect(bestBid(applier, only).map { $0 < BookUnits.parse("200")! } == true)
    }

    /// The first stream to straddle the id took it: BTCUSDT got BTCUSDC's book, and BTCUSDC never
    /// synced (review).
    @Test("a snapshot waits until every stream's events have reached its id: the first to straddle it is not its owner for that")
    func firstToStraddleIsNotTheOwner() {
        var applier = FeedApplier(options: SessionOptions())
        let usdt = "binance-usdm:BTCUSDT", usdc = "binance-usdm:BTCUSDC"
        applier.handle(Self.event(usdc, 90, 110, price: "60010"))
        applier.handle(Self.event(usdt, 100, 200, price: "60000"))
        applier.handle(Self.snapshot(150, bid: "60009", ask: "60011"))
        #expect(applier.synchronizers[usdt]?.isAwaitingSnapshot == true, "taken by the first stream to straddle it")
        applier.handle(Self.event(usdc, 111, 220, price: "60010"))
        // Both straddle it at like prices: ambiguous, neither takes it.
        #expect(applier.synchronizers[usdt]?.isAwaitingSnapshot == true)
        #expect(applier.synchronizers[usdc]?.isAwaitingSnapshot == true)
        // A stray snapshot far ahead of a synced single stream is not applied to it.
        var single = FeedApplier(options: SessionOptions())
        let only = "binance-usdm:XXXUSDT"
        single.handle(Self.snapshot(150, bid: "99.9", ask: "100.1"))
        single.handle(Self.event(only, 100, 200, price: "100"))
        single.handle(Self.event(only, 201, 210, price: "100"))
        #expect(single.synchronizers[only]?.counters.applied == 2)
        single.handle(Self.snapshot(1_000_000_000_000, bid: "99.9", ask: "100.1"))
        single.handle(Self.event(only, 211, 220, price: "100"))
        #expect(single.synchronizers[only]?.counters.applied == 3, "frozen by a stray snapshot")
    }

    @Test("snapshots no stream takes are kept to the newest few")
    func unplacedBounded() {
        var applier = FeedApplier(options: SessionOptions())
        applier.handle(Self.event("binance-usdm:AAAUSDT", 100, 200, price: "1.010"))
        applier.handle(Self.event("binance-usdm:BBBUSDT", 100, 200, price: "1.010"))
        for id in 0..<1_000 { applier.handle(Self.snapshot(Int64(10_000 + id), bid: "1", ask: "1.1")) }
        #expect(applier.anonymousSnapshots.count == FeedApplier.anonymousSnapshotLimit)
    }

    @Test("a recorded snapshot names the symbol it was asked for, and decodes as that symbol's")
    func recordedSnapshotNamesItsSymbol() throws {
        let body = Array(#"{"lastUpdateId":150,"E":1,"T":1,"bids":[["0.01731","10"]],"asks":[["0.01733","10"]]}"#.utf8)
        let named = LiveRecorder.naming("AKROUSDT", inSnapshot: body)
        #expect(String(decoding: named, as: UTF8.self).hasSuffix(#"["0.01733","10"]],"s":"AKROUSDT"}"#))
        let message = named.withUnsafeBufferPointer { BinanceFrameDecoder.decode($0.baseAddress!, count: $0.count, receiveTime: 1) }
        guard case .snapshot(let snapshot)? = message else { Issue.record("not a snapshot: \(String(describing: message))"); return }
        #expect(snapshot.symbol == "binance-usdm:AKROUSDT")
        // Not an object (an error page): left as it came.
        #expect(LiveRecorder.naming("AKROUSDT", inSnapshot: Array("<html>".utf8)) == Array("<html>".utf8))
        #expect(String(decoding: LiveRecorder.naming("X", inSnapshot: Array(" { } ".utf8)), as: UTF8.self) == #" { "s":"X"} "#)
    }
}
