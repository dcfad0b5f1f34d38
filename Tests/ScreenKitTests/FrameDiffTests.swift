import Testing
import ScreenKit

@Suite("Screen kit: buffers, the frame diff and the test terminal")
struct FrameDiffTests {
    func frame(_ lines: [String], width: Int = 20) -> Buffer { Buffer(lines: lines, width: width) }

    @Test("the first frame writes every row; the same frame again writes nothing")
    func unchangedFrame() {
        var terminal = TestTerminal(width: 20, height: 3)
        let first = frame(["status", "│ 60,000.00 ▲ long", "footer"])
        terminal.draw(first)
        #expect(terminal.rowsWritten == 3)
        #expect(terminal.screen.lines == first.lines)
        terminal.draw(first)
        #expect(terminal.rowsWritten == 0 && terminal.bytesWritten == 0)
    }

    @Test("one changed cell rewrites only its row; the screen ends up as the buffer")
    func oneRow() {
        var terminal = TestTerminal(width: 20, height: 3)
        terminal.draw(frame(["status", "│ 60,000.00", "footer"]))
        terminal.draw(frame(["status", "│ 60,000.10", "footer"]))
        #expect(terminal.rowsWritten == 1)
        #expect(terminal.screen.lines == ["status", "│ 60,000.10", "footer"])
    }

    @Test("runs split where the role changes; a wide character takes two cells and is written once")
    func runsAndWideCharacters() {
        var buffer = Buffer(width: 12, height: 2)
        buffer.put("ab", x: 0, y: 0, role: .text)
        buffer.put("中c", x: 2, y: 0, role: .alert)
        let diff = FrameDiff(from: nil, to: buffer)
        #expect(diff.runs.filter { $0.row == 0 }.map(\.text) == ["ab", "中c", "       "])
        #expect(diff.runs.filter { $0.row == 0 }.map(\.role) == [.text, .alert, .text])
        var terminal = TestTerminal(width: 12, height: 2)
        terminal.draw(buffer)
        #expect(terminal.screen.lines == buffer.lines)
    }

    @Test("the bottom-right cell is never written (a terminal would scroll); a new size repaints all")
    func bottomRightAndResize() {
        let buffer = frame(["abc", "xyz"], width: 3)
        let diff = FrameDiff(from: nil, to: buffer)
        #expect(diff.runs.last?.text == "xy")
        #expect(FrameDiff(from: frame(["abc"], width: 3), to: buffer).rows == 2)
    }

    @Test("what a feed sends can never reach the terminal raw: controls become one visible cell")
    func controls() {
        var buffer = Buffer(width: 20, height: 1)
        buffer.put("A\u{1B}]0;pwned\u{07}B", x: 0, y: 0)
        let text = FrameDiff(from: nil, to: buffer).runs.map(\.text).joined()
        #expect(!text.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F })
    }

    @Test("an invisible character is drawn as a visible placeholder, the soft hyphen too (it had width 1 and went out raw; review)")
    func invisibleCharacters() {
        for invisible in ["\u{AD}", "\u{34F}", "\u{2028}", "\u{E0031}", "\u{200B}"] {
            var buffer = Buffer(width: 10, height: 1)
            buffer.put("a" + invisible + "b", x: 0, y: 0)
            let text = FrameDiff(from: nil, to: buffer).runs.map(\.text).joined()
            #expect(!text.unicodeScalars.contains(invisible.unicodeScalars.first!), "\(invisible.unicodeScalars.first!.value)")
            #expect(text.hasPrefix("a\u{FFFD}b"), "\(text)")
        }
    }
}
