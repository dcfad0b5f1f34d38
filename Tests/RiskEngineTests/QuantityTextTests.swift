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
