import Testing
@testable import RiskEngine

/// A copy of the engine shares its markets until it changes one, and then copies that one alone:
/// as an array, a shock's first change copied every market, and a report stressing each of 2,000
/// markets took 16 s, 4,000 took 206 s (attacker trial).
@Suite("The engine's markets: copied one at a time, on write")
struct MarketStoreTests {
    /// One account holding an isolated long in each of `count` markets, each with a book and a mark.
    static func engine(markets count: Int) -> Engine {
        var engine = Engine()
        engine.openFund(asset: "USDT", balance: Fixed(1_000_000))
        for market in 0..<count {
            let symbol = "S\(market)USDT"
            engine.apply(.mark(symbol: symbol, price: Fixed(100), time: 1))
            engine.apply(.bookSnapshot(symbol: symbol, bids: [(units("99.9"), units("1000"))], asks: [(units("100.1"), units("1000"))], time: 1))
            engine.apply(.position(PositionUpdate(account: "x", symbol: symbol, side: .long, quantity: .one, entryPrice: Fixed(100),
                mode: .isolated, leverage: Fixed(10)), time: 2))
        }
        return engine
    }

    @Test("a copy's change to one market copies that market alone; the original keeps its own")
    func copiesOneMarket() throws {
        let engine = Self.engine(markets: 20)
        var copy = engine
        copy.markets[7].adlLongs = nil
        copy.markets[7].markFromStream = !engine.markets[7].markFromStream
        for market in 0..<20 {
            #expect(copy.markets.shares(market, with: engine.markets) == (market != 7), "market \(market)")
        }
        #expect(copy.markets[7].markFromStream != engine.markets[7].markFromStream)
        // Changed again, the copy's own market is changed in place.
        copy.markets[7].markFromStream = engine.markets[7].markFromStream
        #expect(copy.markets[7].markFromStream == engine.markets[7].markFromStream)
        #expect(!copy.markets.shares(7, with: engine.markets))
    }

    @Test("refreshing an account of positions in many markets changes none whose membership stands")
    func refreshLeavesMarketsShared() {
        let engine = Self.engine(markets: 50)
        var copy = engine
        copy.refreshAccount(copy.positions[0].accountIndex)
        #expect((0..<50).allSatisfy { copy.markets.shares($0, with: engine.markets) })
    }

    @Test("a shock on a copy, liquidating the account's leg there, leaves the original's markets and figures as they were")
    func shockLeavesOriginal() throws {
        let engine = Self.engine(markets: 30)
        let before = (0..<30).map { engine.markets[$0].book.bids.best?.size }
        let result = try engine.stress(symbol: "S4USDT", shockPercent: Fixed(-20))
        #expect(result.liquidationCount == 1)
        #expect((0..<30).map { engine.markets[$0].book.bids.best?.size } == before)
        #expect(engine.positions.count == 30 && (0..<30).allSatisfy { engine.positions[$0].isOpen })
    }
}
