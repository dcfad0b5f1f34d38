import Testing
@testable import RiskEngine

/// A snapshot states both sides at one moment: one crossing itself, or giving a price twice with
/// two sizes, is refused whole, the book kept as last known and STALE until a snapshot is applied
/// (a single bid 0.8 % over the best ask removed every ask it crossed and sent a short to ADL
/// against an empty side: attacker trial).
@Suite("Snapshots that contradict themselves")
struct RefusedSnapshotTests {
    static let symbol = "BTCUSDT"
    static func units(_ text: String) -> Int64 { BookUnits.parse(text)! }
    static func levels(_ pairs: [(String, String)]) -> [(price: Int64, size: Int64)] { pairs.map { (units($0.0), units($0.1)) } }
    static let asks = levels([("60010", "1"), ("60020", "2"), ("60030", "5")])
    static let bids = levels([("60000", "1"), ("59990", "2")])

    func refused(_ notes: [EngineNotification]) -> [RefusedSnapshot] {
        notes.compactMap { if case .snapshotRefused(let refused) = $0 { return refused } else { return nil } }
    }

    @Test("a bid above the best ask: refused, the asks kept as they were, STALE, and the next good snapshot applies")
    func crossedRefused() throws {
        var engine = Engine()
        engine.openFund(asset: "USDT", balance: Fixed(1_000))
        _ = engine.apply(.bookSnapshot(symbol: Self.symbol, bids: Self.bids, asks: Self.asks, time: 1_000_000_000))
        engine.apply(.position(PositionUpdate(account: "s", symbol: Self.symbol, side: .short, quantity: Fixed(1), entryPrice: Fixed(60_000),
            mode: .isolated, isolatedMargin: Fixed(1_000)), time: 1_000_000_000))
        let notes = engine.apply(.bookSnapshot(symbol: Self.symbol, bids: Self.levels([("60500", "0.001")]) + Self.bids, asks: Self.asks,
            time: 2_000_000_000))
        let refusal = try #require(refused(notes).first)
        #expect(refusal.reason == "a bid at 60,500.00 is above the ask at 60,010.00 of the same snapshot", "\(refusal)")
        let market = try #require(engine.market(Self.symbol))
        #expect(market.book.asks.count == 3 && market.book.bids.best?.price == Self.units("60000"), "the book changed")
        #expect(market.isStale && market.staleReason == "refused snapshot" && market.counters.snapshotsRefused == 1)
        #expect(market.counters.crossedLevelsRemoved == 0)
        // Nothing is liquidated into it meanwhile, and an update built on the refused snapshot
        // changes nothing.
        #expect(engine.liquidationBlock(market: 0) == .staleBook)
        engine.apply(.bookUpdate(symbol: Self.symbol, changes: [LevelChange(side: .ask, price: Self.units("60010"), size: 0)], time: 2_500_000_000))
        #expect(engine.market(Self.symbol)?.book.asks.count == 3)
        _ = engine.apply(.bookSnapshot(symbol: Self.symbol, bids: Self.bids, asks: Self.asks, time: 3_000_000_000))
        let after = try #require(engine.market(Self.symbol))
        #expect(!after.isStale && !after.snapshotRefused && after.staleReason == nil)
    }

    @Test("a price given twice with two sizes is refused, in order or not; twice with one size, or a zero beside a size, as said")
    func twiceGiven() {
        #expect(Engine.snapshotContradiction(bids: Self.levels([("60000", "1"), ("60000", "50"), ("59990", "2")]), asks: Self.asks)
            == "bids: the price 60,000 is given twice, with different sizes")
        #expect(Engine.snapshotContradiction(bids: Self.bids, asks: Self.levels([("60020", "1"), ("60010", "1"), ("60020", "0")]))
            == "asks: the price 60,020 is given twice, with different sizes")
        #expect(Engine.snapshotContradiction(bids: Self.levels([("60000", "1"), ("60000", "1")]), asks: Self.asks) == nil)
        #expect(Engine.snapshotContradiction(bids: Self.bids, asks: Self.asks) == nil)
        // A side in no order, its prices distinct: nothing to say.
        #expect(Engine.snapshotContradiction(bids: Self.levels([("59990", "2"), ("60000", "1"), ("59980", "1")]), asks: Self.asks) == nil)
        // A locked book, or a cross of one tick, is applied as before (Tardis's reconstruction of
        // Binance's book is locked for half a second at a time: review).
        #expect(Engine.snapshotContradiction(bids: Self.levels([("60010", "1")]), asks: Self.asks, tick: Self.units("0.1")) == nil)
        #expect(Engine.snapshotContradiction(bids: Self.levels([("60010.1", "1")]), asks: Self.asks, tick: Self.units("0.1")) == nil)
        #expect(Engine.snapshotContradiction(bids: Self.levels([("60010.2", "1")]), asks: Self.asks, tick: Self.units("0.1")) != nil)
        // One side empty: nothing crosses.
        #expect(Engine.snapshotContradiction(bids: [], asks: Self.asks) == nil)
    }

    @Test("a market's first snapshot refused: no book, said refused, and counted in the log")
    func firstRefused() throws {
        var engine = Engine()
        var log = SessionLog()
        log.record(engine.apply(.bookSnapshot(symbol: Self.symbol, bids: Self.levels([("60020", "1")]) + Self.bids, asks: Self.asks,
            time: 1_000_000_000)))
        let market = try #require(engine.market(Self.symbol))
        #expect(!market.book.hasSnapshot && market.staleReason == "refused snapshot")
        #expect(log.refusedSnapshotCount == 1 && log.firstRefusedSnapshot?.symbol == Self.symbol)
    }
}
