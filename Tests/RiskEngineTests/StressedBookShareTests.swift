import Testing
@testable import RiskEngine

/// The stressed deficit warns when the positions it liquidates would take most of the book's
/// closing side, though they lose no money: at 23:56:14 in the demo the longs nearest
/// liquidation would have taken 84 % of the bids and the stress read `0.00 ok`, a second before
/// the book emptied under them (operator trial).
@Suite("The stressed deficit's share of the book")
struct StressedBookShareTests {
    /// Bids (4 BTC in two levels just under a mark of 60,000 unless given), deep asks, a fund far
    /// larger than any deficit (so money alone never warns).
    func engine(_ configuration: EngineConfiguration = EngineConfiguration(),
                bids: [(String, String)] = [("59990", "2"), ("59980", "2")]) -> Engine {
        var engine = Engine(configuration: configuration)
        engine.openFund(asset: "USDT", balance: Fixed(1_000_000))
        engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(60_000), time: 1_000_000_000))
        engine.apply(.bookSnapshot(symbol: "BTCUSDT", bids: bids.map { (BookUnits.parse($0.0)!, BookUnits.parse($0.1)!) },
            asks: [(BookUnits.parse("60010")!, BookUnits.parse("1000")!)], time: 1_000_000_000))
        return engine
    }

    /// `count` longs of `size` BTC at 200x entered at the mark: liquidation within 0.5 % of it,
    /// bankruptcy about 300 below, so fills at 59,980 and up lose nothing.
    func placeLongs(_ count: Int, size: String = "1", leverage: Int = 200, name: String = "l", in engine: inout Engine) {
        for number in 0..<count {
            engine.apply(.position(PositionUpdate(account: "\(name)\(number)", symbol: "BTCUSDT", side: .long, quantity: Fixed(size)!,
                entryPrice: Fixed(60_000), mode: .isolated, leverage: Fixed(leverage)), time: 1_100_000_000))
        }
    }

    func sampled(_ engine: inout Engine) -> SignalReading {
        for second in 2...4 { engine.apply(.clock(time: Int64(second) * 1_000_000_000)) }
        return engine.market("BTCUSDT")!.signalReadings[.stressedDeficit]!
    }

    @Test("3 BTC of longs into 4 BTC of bids: 75 %, WARN with no deficit, in the fund's state too")
    func threeQuarters() {
        var engine = engine()
        placeLongs(3, in: &engine)
        let stress = engine.stressedDeficit(market: 0)
        #expect(stress.deficit.isZero && stress.unfilledQuantity.isZero && !stress.adlCertain, "\(stress)")
        #expect(stress.bookShare == 0.75 && stress.bookSharePercent == 75 && stress.bookShareSide == .long, "\(stress)")
        #expect(stress.bookSharePositions == 3 && stress.positions == 3 && stress.positionsSide == .long, "\(stress)")
        let reading = sampled(&engine)
        #expect(reading.level == .warn && reading.bookShare == 0.75, "\(reading)")
        let fund = engine.fundState(asset: "USDT")
        #expect(fund.stressed.bookShare == 0.75 && fund.stressed.bookShareSide == .long, "\(fund.stressed)")
    }

    @Test("exactly half the bids: at the warning's share, WARN")
    func exactlyHalf() {
        var engine = engine()
        placeLongs(2, in: &engine)
        #expect(engine.stressedDeficit(market: 0).bookShare == 0.5)
        #expect(sampled(&engine).level == .warn)
    }

    @Test("a quarter of the bids: no share worked out, ok")
    func aQuarter() {
        var engine = engine()
        placeLongs(1, in: &engine)
        let stress = engine.stressedDeficit(market: 0)
        #expect(stress.bookShare == nil, "\(stress)")
        let reading = sampled(&engine)
        #expect(reading.level == .ok && reading.bookShare == nil, "\(reading)")
    }

    @Test("positions far from liquidation count for nothing: the 50 riskiest a side are taken, but only those near it take the book")
    func farPositionsDoNotWarn() {
        var engine = engine()
        // 10x: liquidation about 54,000, 10 % below the mark; 1.5 BTC of them against 4 BTC of
        // bids (more than the warning's share, were they counted).
        placeLongs(1, size: "1.5", leverage: 10, name: "far", in: &engine)
        let stress = engine.stressedDeficit(market: 0)
        #expect(stress.positions == 1 && stress.bookShare == nil, "\(stress)")
        #expect(sampled(&engine).level == .ok)
        // Two near ones beside it: 2 of the 4 BTC, half, whatever the far one holds.
        placeLongs(2, in: &engine)
        let mixed = engine.stressedDeficit(market: 0)
        #expect(mixed.bookShare == 0.5 && mixed.bookSharePositions == 2 && mixed.positions == 2, "\(mixed)")
    }

    @Test("the percent is rounded down in integers: 0.57 of 1 BTC is 57 %, not the 56 a Double's 0.57 × 100 gives")
    func percentRoundedExactly() {
        var engine = engine(bids: [("59990", "1")])
        placeLongs(1, size: "0.57", in: &engine)
        let stress = engine.stressedDeficit(market: 0)
        #expect(stress.bookSharePercent == 57, "\(stress)")
    }

    @Test("a configured share of 0.2: a quarter warns")
    func configuredShare() {
        var configuration = EngineConfiguration()
        configuration.signals.stressedBookShareWarn = 0.2
        var engine = engine(configuration)
        placeLongs(1, in: &engine)
        #expect(engine.stressedDeficit(market: 0).bookShare == 0.25)
        #expect(sampled(&engine).level == .warn)
    }

    @Test("more than the bids hold: unfillable, ADL, ALERT (the share past 1 says no more)")
    func pastTheBook() {
        var engine = engine()
        placeLongs(5, in: &engine)
        let stress = engine.stressedDeficit(market: 0)
        #expect(stress.unfilledQuantity == Fixed(1) && stress.adlCertain, "\(stress)")
        #expect(sampled(&engine).level == .alert)
    }

    @Test("the fills the deficit is priced on are the first of the longer walk: the same deficit as a walk of their sum")
    func deficitUnchangedByTheLongerWalk() {
        // Bids under the longs' bankruptcy price (60,000 − 60,000 ÷ 200 = 59,700).
        var engine = engine(bids: [("59690", "2"), ("59680", "2")])
        placeLongs(3, in: &engine)
        let stress = engine.stressedDeficit(market: 0)
        // 2 BTC fill at 59,690 (10 short each), 1 at 59,680 (20 short): 40 in all, as a walk of
        // 3 BTC alone prices them; the walk on to the rest of the bids changes nothing.
        #expect(stress.deficit == Fixed(40), "\(stress)")
        #expect(stress.bookShare == 0.75 && stress.positionsSide == .long, "\(stress)")
    }
}
