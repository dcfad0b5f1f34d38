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

    /// The review: a venue's snapshot refused as dated before the book held left the stream's
    /// synchronizer on the refused snapshot's sequence, its next diffs chained onto the older book
    /// the engine kept. Now the book goes stale and the stream waits for another snapshot.
    @Test("a stream's snapshot dated a minute before the book held: not applied, the book stale, the stream waits for another")
    func datedBeforeTheBook() throws {
        let t: Int64 = 1_723_161_255_000_000_000, second: Int64 = 1_000_000_000
        func event(_ first: Int64, _ final: Int64, bid: String, at time: Int64) -> FeedMessage {
            .depth(DepthEvent(symbol: Self.market, firstUpdateId: first, finalUpdateId: final, previousFinalUpdateId: nil,
                bids: [(BookUnits.parse(bid)!, BookUnits.parse("5")!)], asks: [], time: time))
        }
        func snapshot(_ id: Int64, bid: String, at time: Int64) -> FeedMessage {
            .snapshot(DepthSnapshot(symbol: Self.market, lastUpdateId: id, bids: [(BookUnits.parse(bid)!, BookUnits.parse("10")!)],
                asks: [(BookUnits.parse("60050")!, BookUnits.parse("10")!)], time: time))
        }
        var applier = FeedApplier(options: SessionOptions())
        applier.handle(event(100, 200, bid: "59990", at: t))
        applier.handle(snapshot(150, bid: "59980", at: t))
        applier.handle(.event(.mark(symbol: Self.market, price: Fixed(60_000), time: t)))
        applier.handle(event(201, 300, bid: "59991", at: t + 60 * second))
        applier.handle(.event(.mark(symbol: Self.market, price: Fixed(60_000), time: t + 60 * second)))
        #expect(applier.engine.market(Self.market)?.isStale == false)
        // A snapshot past the stream (update 350) dated a minute before: refused, the book stale,
        // waiting (an older one by its id the synchronizer drops itself).
        applier.handle(snapshot(350, bid: "50000", at: t))
        let refused = try #require(applier.engine.market(Self.market))
        #expect(refused.counters.datedBeforeHeld == 1 && refused.isStale, "\(String(describing: refused.staleReason))")
        #expect(refused.book.bids.best?.price != BookUnits.parse("50000"))
        #expect(applier.synchronizers[Self.market]?.isAwaitingSnapshot == true)
        // The next snapshot of now that bridges the stream: applied, trusted again.
        applier.handle(event(301, 400, bid: "59992", at: t + 61 * second))
        applier.handle(snapshot(380, bid: "59985", at: t + 61 * second))
        let synced = try #require(applier.engine.market(Self.market))
        #expect(synced.book.hasSnapshot && !synced.isStale, "\(String(describing: synced.staleReason))")
    }
}
