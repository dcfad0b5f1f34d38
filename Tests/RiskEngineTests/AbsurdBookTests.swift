import Testing
@testable import RiskEngine

/// A corrupt or hostile feed can carry the largest prices and sizes a book unit holds; the
/// engine must give saturated figures for them, never trap.
@Suite("Absurd books")
struct AbsurdBookTests {
    static let huge = BookUnits.parse("92233720368")!

    @Test("depth bands, walks and the signal sample of a book at the limits of a book unit do not trap")
    func noTrap() {
        let huge = Self.huge
        var book = OrderBook()
        book.applySnapshot(bids: [(huge - 2, huge), (huge - 3, huge), (huge - 4, huge)],
            asks: [(huge - 1, huge), (huge, huge)])
        let bands = book.depthNotional(.bid, withinBps: 10, and: 50)
        #expect(bands.wide == Fixed.max && bands.narrow == Fixed.max)
        _ = book.depthSize(.ask, withinBps: 50)
        let walk = book.walk(.bid, quantity: huge)
        #expect(walk.filledValue == Fixed.max)
        // With an overlay (liquidity a simulated liquidation took), the walked path.
        book.consume(.bid, fills: [Fill(price: huge - 2, size: 1)])
        #expect(book.depthNotional(.bid, withinBps: 50) == Fixed.max)

        var engine = engine(with: [testInstrument()])
        engine.apply(.bookSnapshot(symbol: "TESTUSDT", bids: [(huge - 2, huge), (huge - 3, huge)], asks: [(huge - 1, huge)], time: 1))
        engine.apply(.mark(symbol: "TESTUSDT", price: Fixed(bookUnits: huge - 1), time: 2_000_000_000))
        engine.apply(.trade(symbol: "TESTUSDT", price: huge - 1, size: huge, time: 3_000_000_000))
        #expect(engine.markets[0].book.bids.count == 2)
    }
}
