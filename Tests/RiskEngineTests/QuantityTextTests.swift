import Testing
@testable import RiskEngine

@Suite("A market's quantity in words, at its lot")
struct QuantityTextTests {
    @Test("whole lots as whole numbers, a lot of 0.001 with three places, more only where the quantity has more digits")
    func atTheLot() {
        var instrument = testInstrument(symbol: "AKROUSDT")
        #expect(instrument.quantityText(fx("10242811")) == "10,242,811", "the report's 10,242,811.000 AKRO")
        #expect(instrument.quantityText(fx("2.5")) == "2.5")
        #expect(instrument.quantityText(.zero) == "0")
        instrument.lotSize = fx("0.001")
        #expect(instrument.quantityText(fx("6.238")) == "6.238")
        #expect(instrument.quantityText(fx("6")) == "6.000")
        #expect(instrument.quantityText(fx("0.0004")) == "0.0004")
        #expect(instrument.quantityText(fx("1234.5"), grouping: false) == "1234.500")
        // A lot nobody described (a book unit): the quantity's own digits.
        instrument.lotSize = fx("0.00000001")
        #expect(instrument.quantityText(fx("3")) == "3")
        #expect(instrument.quantityText(fx("0.12432")) == "0.12432")
        // Past eight places: rounded at eight, never cut.
        #expect(instrument.quantityText(fx("0.123456789")) == "0.12345679")
    }
}

@Suite("A column of quantities")
struct QuantityColumnTests {
    /// A stress table's ADL column read `335.6302`, `269.42779`, `0.0000`, `110.7720` (operator trial).
    @Test("every row of a column at the places the one needing most has")
    func onePrecision() {
        let hyperliquid = InstrumentCatalog.builtIn.instrument(for: "hyperliquid:BTC")
        let column = hyperliquid.quantityColumn([Fixed("335.6302")!, Fixed("269.42779")!, .zero, Fixed("110.772")!])
        #expect(column == ["335.63020", "269.42779", "0.00000", "110.77200"], "\(column)")
        // None needing more than the lot's: the lot's (at most four).
        let binance = InstrumentCatalog.builtIn.instrument(for: "binance-usdm:BTCUSDT")
        #expect(binance.quantityColumn([Fixed("1.5")!, .zero]) == ["1.500", "0.000"])
        #expect(binance.quantityColumn([]) == [])
    }
}

@Suite("Maintenance tiers of liqwatch's assumption")
struct TiersAssumedTests {
    @Test("a venue's fallback tiers and Binance tables taken by another pair are assumed; published tables are not")
    func assumed() {
        let catalog = InstrumentCatalog.builtIn
        // Published tables.
        for known in ["binance-usdm:BTCUSDT", "bybit:BTCUSDT", "okx:BTC-USD-SWAP", "hyperliquid:BTC", "binance-coinm:BTCUSD_PERP", "binance-coinm:BTCUSD_250328"] {
            #expect(!catalog.instrument(for: known).tiersAssumed, "\(known)")
        }
        // Fallbacks, and tables of another pair.
        for assumed in ["binance-usdm:SUSHIUSDT", "binance-usdm:ETHUSDT", "bybit:XRPUSDT", "bybit:DOGEUSDT", "okx:UNI-USD-SWAP",
                        "okx:PEPE-USDT-SWAP", "hyperliquid:DOGE", "binance-coinm:SOLUSD_PERP", "deribit:BTC-PERPETUAL"] {
            #expect(catalog.instrument(for: assumed).tiersAssumed, "\(assumed)")
        }
    }
}
