import Testing
@testable import MarketFeeds
import RiskEngine

/// A REST snapshot the engine refuses (it crossed itself): the diffs chained onto it were applied
/// to an empty book and traded on, and a later good snapshot was ignored (attacker trial). Now the
/// stream waits for another snapshot, as after a gap, and takes the next that bridges it.
@Suite("A refused Binance snapshot, then the stream")
struct RefusedSnapshotSyncTests {
    static let market = "binance-usdm:BTCUSDT"

    static func event(_ first: Int64, _ final: Int64, bid: String) -> FeedMessage {
        .depth(DepthEvent(symbol: market, firstUpdateId: first, finalUpdateId: final, previousFinalUpdateId: nil,
            bids: [(BookUnits.parse(bid)!, BookUnits.parse("5")!)], asks: [], time: first))
    }

    static func snapshot(_ id: Int64, bids: [String], ask: String) -> FeedMessage {
        .snapshot(DepthSnapshot(symbol: market, lastUpdateId: id, bids: bids.map { (BookUnits.parse($0)!, BookUnits.parse("10")!) },
            asks: [(BookUnits.parse(ask)!, BookUnits.parse("10")!)], time: id))
    }

    @Test("the diffs after a refused snapshot change nothing; the next snapshot that bridges the stream is applied")
    func waitsForAnother() throws {
        var applier = FeedApplier(options: SessionOptions())
        applier.handle(Self.event(100, 200, bid: "59990"))
        // A bid above the ask: refused.
        applier.handle(Self.snapshot(150, bids: ["60100", "59980"], ask: "60050"))
        let refused = try #require(applier.engine.market(Self.market))
        #expect(refused.counters.snapshotsRefused == 1 && !refused.book.hasSnapshot && refused.staleReason == "refused snapshot")
        #expect(applier.synchronizers[Self.market]?.isAwaitingSnapshot == true)
        applier.handle(Self.event(201, 230, bid: "59995"))
        #expect(applier.engine.market(Self.market)?.book.bids.best == nil, "a diff was applied to the refused book")
        // A good snapshot bridging the stream: applied, the book trusted again.
        applier.handle(Self.snapshot(225, bids: ["59980"], ask: "60050"))
        let synced = try #require(applier.engine.market(Self.market))
        #expect(synced.book.hasSnapshot && !synced.isStale && synced.book.bids.best?.price == BookUnits.parse("59995"), "\(String(describing: synced.staleReason))")
    }
}
