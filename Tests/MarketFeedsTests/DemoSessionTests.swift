import Testing
@testable import MarketFeeds
import RiskEngine

@Suite("Demo session")
struct DemoSessionTests {
    @Test("calm, then stress, then a cascade with deficits that draw the fund and an ADL, within about two minutes")
    func story() throws {
        let demo = DemoSession(seed: 1)
        var levelsAt: [Int: (spread: Fixed?, depth: Double)] = [:]
        var firstDeficit: Int64? = nil
        var firstADL: Int64? = nil
        var firstLiquidation: Int64? = nil
        var firstStressAlert: Int64? = nil
        var lowestFund = DemoSession.openingFund
        while try demo.step() {
            if firstStressAlert == nil, demo.engine.market("BTCUSDT")?.signalReadings[.stressedDeficit]?.level == .alert { firstStressAlert = demo.lastTime }
            if firstLiquidation == nil && demo.log.simulatedCount > 0 { firstLiquidation = demo.lastTime }
            let elapsed = Int((demo.lastTime! - DemoSession.startTime) / 1_000_000_000)
            if levelsAt[elapsed] == nil, let market = demo.engine.market("BTCUSDT"), market.book.mid != nil {
                levelsAt[elapsed] = (market.book.spreadBps, demo.engine.depthValue(market: demo.engine.marketIndex(of: "BTCUSDT")!, withinBps: 10))
            }
            if firstDeficit == nil && demo.log.deficitCount > 0 { firstDeficit = demo.lastTime }
            if firstADL == nil && demo.log.adlCount > 0 { firstADL = demo.lastTime }
            lowestFund = min(lowestFund, demo.engine.fund("USDT").balance)
        }
        #expect(demo.finished)
        // Calm: a one-tick spread and a deep book; stress: wider spread, thinner near-touch depth.
        let calm = try #require(levelsAt[20])
        let stress = try #require(levelsAt[70])
        #expect(calm.spread! < Fixed("0.05")!)
        #expect(stress.spread! > calm.spread!)
        #expect(stress.depth < calm.depth / 2)
        // The cascade: liquidations into a book that cannot take them (what it cannot fill goes to
        // ADL), a deficit, the fund drawn; all within about two minutes at 1x. The stressed deficit
        // saw it coming: ALERT before the first liquidation, and so before the first deficit.
        let deficitAt = try #require(firstDeficit)
        let adlAt = try #require(firstADL)
        let liquidationAt = try #require(firstLiquidation)
        let alertAt = try #require(firstStressAlert)
        #expect(deficitAt - DemoSession.startTime <= 120_000_000_000)
        #expect(adlAt >= liquidationAt)
        #expect(alertAt < liquidationAt)
        #expect(alertAt < deficitAt)
        #expect(lowestFund < DemoSession.openingFund)
        #expect(demo.log.alerts.contains { $0.signal == .spreadVsDepth || $0.signal == .spread })
        #expect(demo.engine.moneyInSystem(asset: "USDT") == demo.engine.deposits["USDT"])
    }

    @Test("the same seed gives the same session; another seed another one")
    func deterministic() throws {
        func summary(_ seed: UInt64) -> (Int, Fixed, Fixed?) {
            let demo = DemoSession(seed: seed, positions: 500)
            demo.runToEnd()
            return (demo.log.simulatedCount, demo.engine.fund("USDT").balance, demo.engine.market("BTCUSDT")?.markPrice)
        }
        let first = summary(3)
        let again = summary(3)
        #expect(first.0 == again.0 && first.1 == again.1 && first.2 == again.2)
        #expect(summary(4).2 != first.2)
    }
}
