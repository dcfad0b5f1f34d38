import Testing
@testable import RiskEngine

/// An operator's system re-sends positions as they are (a periodic full state, a reconnect): an
/// update that changes nothing must leave the position exactly as watched as before.
@Suite("Position updates that change nothing")
struct RepeatedUpdateTests {
    func update(quantity: String = "10") -> PositionUpdate {
        PositionUpdate(account: "a", symbol: "TESTUSDT", side: .long, quantity: fx(quantity),
            entryPrice: Fixed(100), mode: .isolated, isolatedMargin: Fixed(10))
    }

    func engineWithPosition(repeats: Int) -> Engine {
        var engine = engine(with: [testInstrument()])
        engine.openFund(asset: "USDT", balance: Fixed(100))
        engine.apply(.mark(symbol: "TESTUSDT", price: Fixed(100), time: 1))
        engine.apply(.bookSnapshot(symbol: "TESTUSDT", bids: [(units("99.25"), units("1000"))], asks: [(units("100.10"), units("1000"))], time: 1))
        for repeatIndex in 0...repeats { engine.apply(.position(update(), time: Int64(2 + repeatIndex))) }
        return engine
    }

    @Test("a position sent again unchanged is still liquidated when the mark crosses its trigger")
    func resentPositionStillTriggers() {
        for repeats in [0, 1, 3] {
            var engine = engineWithPosition(repeats: repeats)
            let notes = engine.apply(.mark(symbol: "TESTUSDT", price: fx("99.40"), time: 10))
            #expect(notes.liquidations.count == 1, "sent \(repeats + 1) times")
            #expect(engine.positions[0].isOpen == false, "sent \(repeats + 1) times")
        }
    }

    @Test("a position sent again unchanged stays among the riskiest the signals stress")
    func resentPositionStaysRanked() {
        let once = engineWithPosition(repeats: 0)
        let thrice = engineWithPosition(repeats: 2)
        let market = thrice.marketIndex(of: "TESTUSDT")!
        let isLive: (TriggerIndex.Entry) -> Bool = { thrice.isLive($0) }
        #expect(thrice.markets[market].triggers.leading(.long, count: 10, isLive: isLive).map(\.position) == [0])
        #expect(thrice.stressedDeficit(market: market) == once.stressedDeficit(market: market))
    }
}
