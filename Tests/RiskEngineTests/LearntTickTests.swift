import Testing
@testable import RiskEngine

@Suite("A contract nobody described takes its tick from its book")
struct LearntTickTests {
    static func units(_ text: String) -> Int64 { BookUnits.parse(text)! }

    @Test("AKROUSDT at 0.01734: tick 0.00001, prices shown with five decimals; a finer price later makes it finer, never coarser")
    func learnt() {
        var engine = Engine()
        engine.apply(.bookSnapshot(symbol: "binance-usdm:AKROUSDT", bids: [(Self.units("0.01734"), Self.units("502")), (Self.units("0.0173"), Self.units("1"))],
            asks: [(Self.units("0.01735"), Self.units("10"))], time: 1))
        let market = engine.market("binance-usdm:AKROUSDT")!
        #expect(market.instrument.tickSize == Fixed("0.00001")!)
        #expect(market.instrument.priceDecimals == 5)
        engine.apply(.bookSnapshot(symbol: "binance-usdm:AKROUSDT", bids: [(Self.units("0.017345"), Self.units("1"))], asks: [], time: 2))
        #expect(engine.market("binance-usdm:AKROUSDT")!.instrument.tickSize == Fixed("0.000001")!)
        engine.apply(.bookSnapshot(symbol: "binance-usdm:AKROUSDT", bids: [(Self.units("0.02"), Self.units("1"))], asks: [], time: 3))
        #expect(engine.market("binance-usdm:AKROUSDT")!.instrument.tickSize == Fixed("0.000001")!)
        // A described contract keeps its tick whatever its book says.
        engine.apply(.bookSnapshot(symbol: "binance-usdm:BTCUSDT", bids: [(Self.units("60000.123"), Self.units("1"))], asks: [], time: 4))
        #expect(engine.market("binance-usdm:BTCUSDT")!.instrument.tickSize == Fixed("0.10")!)
    }
}
