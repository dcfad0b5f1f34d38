import Testing
import RiskEngine
@testable import Dashboard

@Suite("Distance to liquidation, as shown")
struct DistanceFormatTests {
    @Test("rounded down to a hundredth: 0.4999 % is 0.49 %, inside the 0.5 % alert band it is classed in")
    func roundedDown() throws {
        #expect(Format.distance(try #require(Fixed("0.4999"))) == "0.49%")
        #expect(Format.distance(try #require(Fixed("0.5"))) == "0.50%")
        #expect(Format.distance(try #require(Fixed("12.3456"))) == "12.34%")
        #expect(Format.distance(try #require(Fixed("1234.5"))) == "1,234.50%")
        // Past the liquidation price: further past, never `-0.00%`.
        #expect(Format.distance(try #require(Fixed("-0.004"))) == "-0.01%")
        #expect(Format.distance(nil) == "—")
        #expect(Format.distance(try #require(Fixed("0.29")), unit: "% of the mark") == "0.29% of the mark")
    }

    @Test("the stress's nearest position: its distance rounded down, `past` when negative, none without a side shown, and the signals line takes it only where it fits")
    func nearestAway() throws {
        var stress = StressedDeficit()
        stress.positions = 50
        stress.positionsSide = .long
        #expect(Format.nearestAway(stress) == nil)
        stress.nearestDistancePercent = try #require(Fixed("3.2099"))
        #expect(Format.nearestAway(stress) == "nearest 3.20% away")
        stress.nearestDistancePercent = try #require(Fixed("-0.1"))
        #expect(Format.nearestAway(stress) == "nearest past its liq price")
        // At its trigger (the engine liquidates at 0), or a cross leg past it at every price.
        stress.nearestDistancePercent = .zero
        #expect(Format.nearestAway(stress) == "nearest past its liq price")
        stress.nearestDistancePercent = nil
        stress.nearestPastAtEveryPrice = true
        #expect(Format.nearestAway(stress) == "nearest past its liq price")
        stress.nearestPastAtEveryPrice = false
        stress.nearestDistancePercent = try #require(Fixed("3.2"))
        let line = "stress of 50 longs: the deficit exceeds the fund → ADL"
        #expect(SignalsPane.withNearest(line, stress, width: 200) == line + " · nearest 3.20% away")
        #expect(SignalsPane.withNearest(line, stress, width: 60) == line)
    }

    @Test("the figure and the engine's class agree on both sides of every band's bound")
    func agreesWithClass() throws {
        let engine = Engine()
        let bounds = [engine.configuration.risk.distanceAlertPercent, engine.configuration.risk.distanceWarnPercent]
        let hair = try #require(Fixed("0.000001"))
        for bound in bounds {
            for value in [bound - hair, bound, bound + hair] {
                let shown = try #require(Fixed(String(Format.distance(value).dropLast())))
                #expect(engine.distanceLevel(value) == engine.distanceLevel(shown), "\(value) shown \(shown)")
            }
        }
    }
}

@Suite("Margin ratio and drawdown, as shown")
struct RatioFormatTests {
    @Test("the exact margin ratio to a tenth, rounded down: 49.96 % is 49.9 %, 99.996 % is 99.9 %; past 9,999 % capped")
    func ratioRoundedDown() throws {
        #expect(Format.marginRatio(try #require(Fixed("0.4996"))) == "49.9%")
        #expect(Format.marginRatio(try #require(Fixed("0.5"))) == "50.0%")
        #expect(Format.marginRatio(try #require(Fixed("0.99996"))) == "99.9%")
        #expect(Format.marginRatio(try #require(Fixed("1"))) == "100.0%")
        #expect(Format.marginRatio(try #require(Fixed("12.345"))) == "1,234.5%")
        #expect(Format.marginRatio(Fixed(200)) == ">9,999%")
        // Agrees with the engine's class on both sides of each bound.
        let engine = Engine()
        let hair = try #require(Fixed("0.0000001"))
        for bound in [engine.configuration.risk.marginRatioWarn, engine.configuration.risk.marginRatioAlert] {
            for value in [bound - hair, bound, bound + hair] {
                let shown = try #require(Fixed(String(Format.marginRatio(value).dropLast())))
                #expect(engine.marginRatioLevel(value) == engine.marginRatioLevel(shown / Fixed(100)), "\(value) shown \(shown)")
            }
        }
    }
}

@Suite("The fund's cover of a stressed deficit, as shown")
struct CoverShareTests {
    @Test("rounded down exactly: 9,960 of 10,000 is 99 %, not the 100 % that read as covered beside ADL near")
    func coverRoundedDown() {
        #expect(Format.coverShare(balance: Fixed(9_960), deficit: Fixed(10_000)) == "99%")
        #expect(Format.coverShare(balance: Fixed(10_000), deficit: Fixed(10_000)) == "100%")
        #expect(Format.coverShare(balance: Fixed(250_000), deficit: Fixed(1)) == ">9,999%")
        #expect(Format.coverShare(balance: .zero, deficit: Fixed(5)) == "0%")
        #expect(Format.coverShare(balance: Fixed(5), deficit: .zero) == "—")
    }
}
