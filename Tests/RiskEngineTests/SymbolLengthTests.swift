import Testing
@testable import RiskEngine

/// A symbol refused for its length says so; one whose 64th byte falls inside a character is read
/// whole (cut there, the force-unwrapped text trapped: the fresh-clone CI's fuzzing).
@Suite("Symbols too long")
struct SymbolLengthTests {
    func reason(_ text: String) -> String {
        do throws(MarketNameError) { _ = try MarketResolver.default.resolve(text); return "resolved" } catch { return error.description }
    }

    @Test("letters past 64 bytes: too long; characters split at the 64th byte: not a symbol, no trap")
    func reasons() {
        #expect(reason(String(repeating: "X", count: 66) + "USDT").hasSuffix("is not a symbol: longer than 64 bytes"))
        #expect(reason(String(repeating: "é", count: 40) + "BTCUSDT").hasSuffix("is not a symbol (letters, digits, - _ . / @)"))
        #expect(reason(String(repeating: "\u{FFFD}", count: 25) + "BTCUSDT").hasSuffix("is not a symbol (letters, digits, - _ . / @)"))
        #expect(reason("BTCUSDT") == "resolved")
    }
}
