import Testing
@testable import RiskEngine

/// Quantities the book cannot fill, or ADL takes: a small one never reads as none.
@Suite("Quantity text")
struct QuantityTextTests {
    @Test("three places, more (up to eight) only where three read none, grouped", arguments: [
        ("2.558", "2.558"), ("0.0004", "0.0004"), ("24.1125", "24.113"), ("421461", "421,461.000"),
        ("0.000000015", "0.00000002"), ("0.000000004", "0.00000000"), ("1234.5", "1,234.500"), ("-0.0004", "-0.0004"), ("0", "0.000"),
    ])
    func places(value: String, text: String) {
        #expect(Fixed(value)!.quantityText() == text)
    }

    @Test("from a Double, as the signals keep it: no binary noise in the places")
    func fromDouble() {
        #expect(Fixed(approximating: 0.0004).quantityText() == "0.0004")
        #expect(Fixed(approximating: 2.558).quantityText() == "2.558")
    }
}
