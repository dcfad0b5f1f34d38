import Testing
@testable import ScreenKit

/// A character the terminal's C library gives no width is drawn as nothing by ncurses; it is
/// written as a placeholder over the cells `DisplayWidth` gave it (attacker trial: U+1FAE8 in an
/// account name showed blank and moved every later column a cell left).
@Suite("Characters the C library cannot measure")
struct LibcUnmeasuredTests {
    /// A C library of Unicode 14: the emoji of Unicode 15 unknown.
    static func oldLibc(_ value: UInt32) -> Int32 {
        if value == 0x1FAE8 || value == 0x1FA77 { return -1 }
        return DisplayWidth.of(Unicode.Scalar(value)!) >= 2 ? 2 : 1
    }

    @Test("an unmeasurable emoji becomes a placeholder padded to its two cells; the rest is kept, and the width of the text stays")
    func placeholderKeepsColumns() {
        let name = "alice\u{1FAE8} BTCUSDT ▲ long"
        let drawn = LibcUnmeasured.drawable(name, width: Self.oldLibc)
        #expect(drawn == "alice\u{FFFD}  BTCUSDT ▲ long")
        #expect(DisplayWidth.of(drawn) == DisplayWidth.of(name))
        #expect(LibcUnmeasured.drawable("\u{1FA77}x", width: Self.oldLibc) == "\u{FFFD} x")
    }

    @Test("text every character of which the library measures is returned as it is")
    func measuredUnchanged() {
        for text in ["plain ASCII 1,234.56", "│− 58,257.90 ███▏", "日本語 😀 é"] {
            #expect(LibcUnmeasured.drawable(text, width: Self.oldLibc) == text)
        }
    }
}
