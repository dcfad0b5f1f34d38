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
