import Testing
@testable import RiskEngine

/// Past `stressedPositionsLimit` a side the stressed deficit is a floor, and says so only for the
/// side whose figure it gives (10,001 shorts into deep asks set `≥` on the longs' exact figure: review).
@Suite("The stressed deficit's limit, a side")
struct StressedBeyondLimitTests {
    func engine() -> Engine {
        var configuration = EngineConfiguration()
        configuration.stressedPositions = 1
        configuration.stressedPositionsLimit = 3
        var engine = Engine(configuration: configuration)
        engine.openFund(asset: "USDT", balance: Fixed(1_000_000))
        engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(60_000), time: 1_000_000_000))
        // Deep asks, one thin bid.
        engine.apply(.bookSnapshot(symbol: "BTCUSDT", bids: [(BookUnits.parse("59990")!, BookUnits.parse("0.1")!)],
            asks: [(BookUnits.parse("60010")!, BookUnits.parse("1000")!)], time: 1_000_000_000))
        return engine
    }

    /// `count` 200x positions of one side at the mark: liquidation within 0.5 % of it.
    func place(_ side: Side, _ count: Int, size: Int = 1, in engine: inout Engine) {
        for number in 0..<count {
            engine.apply(.position(PositionUpdate(account: "\(side)\(number)", symbol: "BTCUSDT", side: side, quantity: Fixed(size),
                entryPrice: Fixed(60_000), mode: .isolated, leverage: Fixed(200)), time: 1_100_000_000))
        }
    }

    @Test("five shorts near liquidation past a limit of three, one long the bids cannot fill: the long's figure, exact")
    func limitIsTheShortsNotTheLongs() {
        var engine = engine()
        place(.short, 5, in: &engine)
        place(.long, 1, size: 2, in: &engine)
        let stress = engine.stressedDeficit(market: 0)
        #expect(stress.positionsSide == .long && stress.positions == 1, "\(stress)")
        #expect(stress.unfilledQuantity == Fixed("1.9")!, "\(stress)")
        #expect(!stress.beyondLimit, "the shorts' limit marked the longs' figure: \(stress)")
        #expect(stress.positionsInWords { String($0) } == "1 long")
    }

    @Test("the side past its limit whose figure it is: a floor, said ≥")
    func limitOfTheFiguresSide() {
        var engine = engine()
        place(.long, 5, in: &engine)
        let stress = engine.stressedDeficit(market: 0)
        #expect(stress.positionsSide == .long && stress.positions == 3 && stress.beyondLimit, "\(stress)")
        #expect(stress.positionsInWords { String($0) } == "≥3 longs")
    }
}
