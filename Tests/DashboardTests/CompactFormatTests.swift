import Testing
@testable import Dashboard
import RiskEngine

@Suite("Compact amounts")
struct CompactFormatTests {
    @Test("thousands to trillions, and an absurd amount in powers of ten, never `166021B`")
    func suffixes() {
        #expect(Format.compact(12_400) == "12.4k")
        #expect(Format.compact(16_700_000) == "16.7M")
        #expect(Format.compact(2_500_000_000) == "2.50B")
        #expect(Format.compact(166_021_000_000_000) == "166T", "the attacker trial's 166021B")
        #expect(Format.compact(9_200_000_000_000) == "9.20T")
        #expect(Format.compact(-3_000_000_000_000) == "-3.00T")
        #expect(Format.compact(4.2e17) == "4.20e+17")
    }

    @Test("a figure at the largest liqwatch holds is a saturated sum: compact says so with ≥ or ≤, once, in every form")
    func saturated() {
        #expect(Format.compact(Fixed.max.approximateDouble) == "≥1.70e+20")
        #expect(Format.compact(Fixed.min.approximateDouble) == "≤-1.70e+20")
        #expect(Format.compact(1.6e20) == "1.60e+20")
        #expect(Format.compactMoney(Fixed.max, asset: "USDT") == "≥1.70e+20")
        #expect(Format.compactMoney(Fixed.max.approximateDouble, asset: "USDT") == "≥1.70e+20")
        #expect(Format.stressMoney(Fixed.max, asset: "USDT") == "≥1.70e+20")
    }
}

@Suite("A market's name cut to its column")
struct MarketNameCutTests {
    @Test("the last part stays whole where it fits beside three characters of the rest, else both ends; a name that fits is as it is")
    func cuts() {
        #expect(Format.marketName("BTC-USD-220527", 12) == "BTC-U…220527")
        #expect(Format.marketName("BTC-USD-220527", 14) == "BTC-USD-220527")
        #expect(Format.marketName("BTC-USD-220527", 8) == "BTC-…527")
        #expect(Format.marketName("binance-usdm:BTCUSDT", 13) == "binan…BTCUSDT")
        #expect(Format.marketName("BTCUSD_PERP", 9) == "BTCU…PERP")
        #expect(Format.marketName("ABCDEFGHIJKLMNOP", 9) == "ABCD…MNOP")
        #expect(Format.marketName("BTCUSDT", 10) == "BTCUSDT   ")
    }
}
