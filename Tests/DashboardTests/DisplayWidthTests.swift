import Foundation
import Testing
@testable import Dashboard
import RiskEngine

@Suite("Cells in display width; nothing from outside reaches the terminal")
struct DisplayWidthTests {
    @Test("widths: ASCII 1, CJK and emoji 2, combining marks 0, controls and format characters undrawable")
    func widths() {
        #expect(DisplayWidth.of("BTCUSDT") == 7)
        #expect(DisplayWidth.of("账户") == 4)
        #expect(DisplayWidth.of("🚀") == 2)
        #expect(DisplayWidth.of("e\u{301}") == 1)
        #expect(DisplayWidth.of("─│▲▼█") == 5)
        #expect(DisplayWidth.of(Unicode.Scalar(0x1B)!) == -1)
        #expect(DisplayWidth.of(Unicode.Scalar(0x202E)!) == -1)
        #expect(DisplayWidth.of(Unicode.Scalar(0x9B)!) == -1)
        #expect(Format.left("账户🚀", 8) == "账户🚀  ")
        #expect(DisplayWidth.of(Format.left("账户🚀x", 5)) == 5)
        #expect(Format.right("账户", 3) == " 户")
    }

    @Test("a wide character takes two cells; a control or a bidi override becomes one placeholder")
    func put() {
        var buffer = Buffer(width: 12, height: 2)
        let end = buffer.put("a账b\u{1B}[2Jc\u{202E}d", x: 0, y: 0)
        #expect(end == 11)
        #expect(buffer.lines[0] == "a账b\u{FFFD}[2Jc\u{FFFD}d")
        #expect(buffer[1, 0].character == "账" && buffer[2, 0].isContinuation)
        // A wide character that does not fit whole is left out, not cut.
        var narrow = Buffer(width: 3, height: 1)
        narrow.put("ab账", x: 0, y: 0)
        #expect(narrow.lines[0] == "ab")
        // Overwriting half of a wide character blanks its other half.
        buffer.put("Z", x: 2, y: 0)
        #expect(buffer.lines[0].hasPrefix("a Zb"))
        var ascii = Buffer(width: 10, height: 1, unicode: false)
        ascii.put("▲\u{7}账", x: 0, y: 0)
        #expect(ascii.lines[0] == "^??")
    }

    @Test("a wide account name does not shift the columns after it: the margin ratio stays in its column")
    func wideAccountKeepsColumns() {
        var engine = Engine()
        engine.openFund(asset: "USDT", balance: Fixed(50_000))
        engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(60_000), time: 1_000_000_000))
        engine.apply(.bookSnapshot(symbol: "BTCUSDT", bids: [(units("59999.90"), units("5"))], asks: [(units("60000.00"), units("5"))], time: 1_000_000_000))
        for (account, leverage) in [("plain-acct", 10), ("账户🚀\u{1B}]0;x\u{7}", 10)] {
            engine.apply(.position(PositionUpdate(account: account, symbol: "BTCUSDT", side: .long, quantity: Fixed(1),
                entryPrice: Fixed(60_000), mode: .isolated, leverage: Fixed(leverage)), time: 1_200_000_000))
        }
        engine.apply(.clock(time: 3_000_000_000))
        let lines = model(width: 200, height: 60, engine: engine).rendered().lines
        let rows = lines.filter { $0.contains("plain-acct") || $0.contains("账户") }
        #expect(rows.count == 2)
        // Both positions have the same figures: their rows match cell for cell after the account.
        func cells(_ line: String) -> [String] {
            var result: [String] = []
            for scalar in line.unicodeScalars { result.append(String(scalar)); if DisplayWidth.of(scalar) == 2 { result.append("") } }
            return result
        }
        let plain = cells(rows.first { $0.contains("plain-acct") }!)
        let wide = cells(rows.first { $0.contains("账户") }!)
        #expect(plain.count == wide.count)
        // From the symbol column to the end (the ADL queue too: the same score), cell for cell the same.
        // (Found by the symbol's name: the wide account's escapes, `\u{1B}`, hold a `B` of their own.)
        func symbolIndex(_ cells: [String]) -> Int? {
            cells.indices.first { cells[$0...].prefix(7).joined() == "BTCUSDT" }
        }
        let symbolColumn = symbolIndex(plain)!
        #expect(symbolIndex(wide) == symbolColumn)
        #expect(Array(plain[symbolColumn...]) == Array(wide[symbolColumn...]), "\n\(plain.joined())\n\(wide.joined())")
        // 4.16…%, rounded down as the engine's bands compare.
        #expect(wide.joined().contains("4.1%"))
        #expect(!lines.joined().unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 })
    }
}
