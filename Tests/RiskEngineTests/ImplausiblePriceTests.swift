import Testing
@testable import RiskEngine

/// A price a thousandfold from its market's reference never reaches the book or the mark: one
/// bid at the largest book unit used to cross out every ask, fill a liquidation at 92 billion and
/// book billions to the insurance fund.
@Suite("Implausible prices")
struct ImplausiblePriceTests {
    static let second: Int64 = 1_000_000_000

    /// A 60,000 book, two levels a side, and a long of 2 at 60,000 on 3,000 of margin.
    func session() -> Engine {
        var engine = engine(with: [testInstrument()])
        engine.openFund(asset: "USDT", balance: fx("250000"), provisional: false)
        engine.apply(.bookSnapshot(symbol: "TESTUSDT", bids: [(units("60000"), units("5")), (units("59999"), units("5"))],
            asks: [(units("60001"), units("5")), (units("60002"), units("5"))], time: Self.second))
        engine.apply(.position(PositionUpdate(account: "a", symbol: "TESTUSDT", side: .long, quantity: fx("2"),
            entryPrice: fx("60000"), mode: .isolated, isolatedMargin: fx("3000")), time: Self.second))
        return engine
    }

    @Test("a bid at the largest book unit is refused, counted and noted; the rest of its update is applied")
    func absurdLevel() {
        var engine = session()
        var notes: [EngineNotification] = []
        engine.apply(.bookUpdate(symbol: "TESTUSDT", changes: [
            LevelChange(side: .bid, price: BookUnits.parse("92233720368.54775807")!, size: units("5")),
            LevelChange(side: .bid, price: units("59998"), size: units("1")),
        ], time: 2 * Self.second), into: &notes)
        let market = engine.markets[0]
        #expect(market.book.bids.best?.price == units("60000"))
        #expect(market.book.asks.best?.price == units("60001"), "the asks were not crossed out")
        #expect(market.book.bids.count == 3, "the plausible level of the same update is applied")
        #expect(market.counters.implausiblePricesRefused == 1)
        let refused = notes.compactMap { note -> ImplausiblePrice? in
            if case .implausiblePrice(let refused) = note { return refused } else { return nil }
        }
        #expect(refused.count == 1)
        #expect(refused.first?.source == .bookLevel(.bid))
        #expect(refused.first?.reference == fx("60000.5"), "judged against the book's mid before the update")
        // The long is liquidated into the real book, not at 92 billion: the fund gains a fee or
        // a surplus of this book's size, never billions.
        engine.apply(.mark(symbol: "TESTUSDT", price: fx("58500"), time: 3 * Self.second), into: &notes)
        #expect(engine.totals.liquidations == 1)
        #expect(engine.fund("USDT").balance < fx("260000"))
    }

    @Test("marks, trades and index prices a thousandfold away are refused; within the factor they apply")
    func marksTradesIndex() {
        var engine = session()
        var notes: [EngineNotification] = []
        engine.apply(.mark(symbol: "TESTUSDT", price: fx("60000"), time: 2 * Self.second), into: &notes)
        engine.apply(.mark(symbol: "TESTUSDT", price: fx("60000001"), time: 3 * Self.second), into: &notes)
        #expect(engine.markets[0].markPrice == fx("60000"))
        engine.apply(.mark(symbol: "TESTUSDT", price: fx("59"), time: 4 * Self.second), into: &notes)
        #expect(engine.markets[0].markPrice == fx("60000"))
        engine.apply(.trade(symbol: "TESTUSDT", price: units("0.0001"), size: units("1"), time: 5 * Self.second), into: &notes)
        #expect(engine.markets[0].lastTradePrice == nil)
        engine.apply(.index(IndexUpdate(symbol: "TESTUSDT", price: fx("99999999"), time: 6 * Self.second)), into: &notes)
        #expect(engine.markets[0].index.indexPrice == nil)
        #expect(engine.markets[0].counters.implausiblePricesRefused == 4)
        // A crash of 90 % is a price, not garbage.
        engine.apply(.mark(symbol: "TESTUSDT", price: fx("6000"), time: 7 * Self.second), into: &notes)
        #expect(engine.markets[0].markPrice == fx("6000"))
        #expect(engine.markets[0].counters.implausiblePricesRefused == 4)
    }

    @Test("a market with no reference yet takes its first snapshot whole; a snapshot is judged against the mark")
    func firstSnapshot() {
        var engine = engine(with: [testInstrument()])
        engine.apply(.bookSnapshot(symbol: "TESTUSDT", bids: [(units("1"), units("5"))], asks: [(units("90000"), units("5"))], time: Self.second))
        #expect(engine.markets[0].book.bids.count == 1 && engine.markets[0].book.asks.count == 1)
        engine.apply(.mark(symbol: "TESTUSDT", price: fx("60000"), time: 2 * Self.second))
        engine.apply(.bookSnapshot(symbol: "TESTUSDT", bids: [(units("59999"), units("5")), (units("1"), units("5"))],
            asks: [(units("60001"), units("5"))], time: 3 * Self.second))
        #expect(engine.markets[0].book.bids.count == 1)
        #expect(engine.markets[0].counters.implausiblePricesRefused == 1)
    }

    @Test("the band's bounds: the factor either way is plausible, a unit beyond is not, and no bound overflows")
    func bounds() throws {
        let band = try #require(Engine.PriceBand(reference: 1_000_000))
        #expect(band.contains(1_000_000_000) && !band.contains(1_000_000_001))
        #expect(band.contains(1_000) && !band.contains(999))
        let top = try #require(Engine.PriceBand(reference: .max))
        #expect(top.contains(.max) && top.high == .max)
        #expect(Engine.PriceBand(reference: 0) == nil && Engine.PriceBand(reference: nil) == nil)
    }
}
