import Testing
@testable import RiskEngine

/// The stress liquidates the riskiest positions however far they are: it says how far the nearest
/// of the side it gives is (`ADL near` read as imminent beside positions 3.2 % away: operator trial).
@Suite("The stressed deficit's nearest position")
struct StressedNearestTests {
    func engine() -> Engine {
        var configuration = EngineConfiguration()
        configuration.stressedPositions = 2
        var engine = Engine(configuration: configuration)
        engine.openFund(asset: "USDT", balance: Fixed(100))
        engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(60_000), time: 1_000_000_000))
        // One thin bid far below: the longs cannot be filled.
        engine.apply(.bookSnapshot(symbol: "BTCUSDT", bids: [(BookUnits.parse("50000")!, BookUnits.parse("0.1")!)],
            asks: [(BookUnits.parse("60010")!, BookUnits.parse("1000")!)], time: 1_000_000_000))
        return engine
    }

    @Test("two longs, 20x and 10x: the stress gives the 20x one's distance, exact, and no side shown gives none")
    func nearestOfTheShownSide() throws {
        var engine = engine()
        #expect(engine.stressedDeficit(market: 0).nearestDistancePercent == nil)
        for (account, leverage) in [("far", 10), ("near", 20)] {
            engine.apply(.position(PositionUpdate(account: account, symbol: "BTCUSDT", side: .long, quantity: Fixed(1),
                entryPrice: Fixed(60_000), mode: .isolated, leverage: Fixed(leverage)), time: 1_100_000_000))
        }
        let stress = engine.stressedDeficit(market: 0)
        #expect(stress.positionsSide == .long && stress.positions == 2 && stress.unfilledQuantity.isPositive, "\(stress)")
        let near = try #require(engine.positions.first { engine.accounts[Int($0.accountIndex)].id == "near" })
        let expected = MarginMath.distanceToLiquidationPercent(side: .long, mark: Fixed(60_000), liquidationPrice: near.liquidation)
        #expect(expected != nil && stress.nearestDistancePercent == expected, "\(stress)")
        // About 4.6 % (5 % of margin less the 0.4 % maintenance): not the 10x one's 9.6 %.
        #expect(stress.nearestDistancePercent! > Fixed(4) && stress.nearestDistancePercent! < Fixed(5), "\(stress)")
    }

    @Test("a long past its liquidation price, waiting on a stale book, reads negative")
    func pastItsPrice() {
        var engine = engine()
        engine.apply(.position(PositionUpdate(account: "a", symbol: "BTCUSDT", side: .long, quantity: Fixed(1),
            entryPrice: Fixed(60_000), mode: .isolated, leverage: Fixed(20)), time: 1_100_000_000))
        engine.apply(.bookGap(symbol: "BTCUSDT", time: 1_200_000_000))
        engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(55_000), time: 1_300_000_000))
        let stress = engine.stressedDeficit(market: 0)
        #expect(stress.nearestDistancePercent.map(\.isNegative) == true, "\(stress)")
    }

    @Test("a calm book, no side leaving anything: the nearer side's nearest, so a report still says how close trouble is")
    func calmBookGivesTheNearerSide() throws {
        var engine = Engine()
        engine.openFund(asset: "USDT", balance: Fixed(1_000_000))
        engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(60_000), time: 1_000_000_000))
        engine.apply(.bookSnapshot(symbol: "BTCUSDT", bids: [(BookUnits.parse("59990")!, BookUnits.parse("1000")!)],
            asks: [(BookUnits.parse("60010")!, BookUnits.parse("1000")!)], time: 1_000_000_000))
        for (account, side, leverage) in [("long", Side.long, 10), ("short", Side.short, 25)] {
            engine.apply(.position(PositionUpdate(account: account, symbol: "BTCUSDT", side: side, quantity: Fixed(1),
                entryPrice: Fixed(60_000), mode: .isolated, leverage: Fixed(leverage)), time: 1_100_000_000))
        }
        let stress = engine.stressedDeficit(market: 0)
        #expect(stress.positionsSide == nil && stress.deficit.isZero && !stress.unfilledQuantity.isPositive, "\(stress)")
        let short = try #require(engine.positions.first { $0.side == .short })
        let expected = MarginMath.distanceToLiquidationPercent(side: .short, mark: Fixed(60_000), liquidationPrice: short.liquidation)
        // The 25x short, about 3.6 % away, not the 10x long's 9.6 % (it was nil: operator trial).
        #expect(expected != nil && stress.nearestDistancePercent == expected, "\(stress)")
        #expect(Engine.nearer((Fixed(5), false), (nil, false)).distance == Fixed(5))
        #expect(Engine.nearer((Fixed(5), false), (Fixed(9), true)).pastAtEveryPrice)
    }
}
