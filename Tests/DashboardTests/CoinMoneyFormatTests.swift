import Testing
@testable import Dashboard
@testable import RiskEngine

/// A coin's small amounts keep their eight places on screen: a stressed deficit of 0.0028 BTC
/// read "0.00" in the signals pane, the markets pane, the alerts view and the positions pane's
/// deficit column (attacker trial).
@Suite("Coin money on screen")
struct CoinMoneyFormatTests {
    @Test("compactMoney: a coin's amounts in eight places, as the tape shows them; dollars compact")
    func compactMoney() {
        #expect(Format.compactMoney(0.00283333, asset: "BTC") == "0.00283333")
        #expect(Format.compactMoney(0.00283333, asset: "USDT") == "0.00")
        #expect(Format.compactMoney(3_126.85031482, asset: "UNI") == "3,126.85031482")
        #expect(Format.compactMoney(1_234.5, asset: "USDT") == Format.compact(1_234.5))
    }

    @Test("stressMoney: a stressed deficit under ten thousand to the cent, as the fund pane shows it; above, compact; a coin exact")
    func stressMoney() {
        #expect(Format.stressMoney(Fixed("3442.27")!, asset: "USDT") == "3,442.27")
        #expect(Format.stressMoney(Fixed("9999.99")!, asset: "USDT") == "9,999.99")
        #expect(Format.stressMoney(Fixed(12_400), asset: "USDT") == "12.4k")
        #expect(Format.stressMoney(Fixed("1234.31536657")!, asset: "UNI") == "1,234.31536657")
        let reading = SignalReading(kind: .stressedDeficit, value: 3_442.27, baseline: 8_000, level: .warn, count: nil, history: [])
        #expect(SignalsPane.formatted(reading, unit: "BTC", asset: "USDT").0 == "3,442.27")
    }

    @Test("the signals pane's stressed deficit of a BTC-settled market, and its fund")
    func signalsRow() {
        let reading = SignalReading(kind: .stressedDeficit, value: 0.00283333, baseline: 0.5, level: .alert, count: nil, history: [])
        let (value, baseline) = SignalsPane.formatted(reading, unit: "contracts", asset: "BTC")
        // Its coin named (it read as dollars beside the fund).
        #expect(value == "0.00283333 BTC")
        #expect(baseline == "fund 0.50000000")
        // Money and quantity the book cannot fill: both said.
        var both = reading
        both.unfilledQuantity = 4_275
        both.adlCertain = true
        #expect(SignalsPane.formatted(both, unit: "contracts", asset: "UNI").0 == "0.00283333 UNI + ADL")
        let dollars = SignalReading(kind: .stressedDeficit, value: 12_400, baseline: 250_000, level: .warn, count: nil, history: [])
        #expect(SignalsPane.formatted(dollars, unit: "BTC", asset: "USDT").0 == "12.4k")
    }
}

@Suite("A mark with every digit")
struct ExactPriceTests {
    @Test("a mark finer than the tick keeps its digits; one on the tick reads as the tick's")
    func markDigits() {
        #expect(Format.exactPrice(Fixed("1.95374")!, nil) == "1.95374")
        #expect(Format.exactPrice(Fixed(60_000), Instrument.btcusdt) == "60,000.00")
        #expect(Format.exactPrice(Fixed("60000.123456789")!, Instrument.btcusdt) == "60,000.12345679")
    }
}

@Suite("Percentages with thousands separators")
struct PercentGroupingTests {
    @Test("a fund covering its stressed deficit 63.68 times reads 6,368%, grouped as every other figure (it read 6368%)")
    func grouped() {
        #expect(Format.percent(63.68, decimals: 0) == "6,368%")
        #expect(Format.percent(0.1234) == "12.34%")
        #expect(Format.cappedPercent(12.345) == "1,234.5%")
    }
}
