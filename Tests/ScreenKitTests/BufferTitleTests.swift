import Testing
@testable import ScreenKit

/// A box title too long for its border: shortened at a word, with "…" (cut at the edge it read
/// `Signals SUSHIUSDT · binance-usdm · ST` and touched the corner: operator trial).
@Suite("Box titles")
struct BufferTitleTests {
    @Test("a title that does not fit ends at a word with …, no separator before it, no number cut; one that fits is whole")
    func shortenedAtAWord() {
        #expect(Buffer.shortened(title: "Signals SUSHIUSDT · binance-usdm · STALE (outdated)", room: 34) == "Signals SUSHIUSDT · binance-usdm…")
        #expect(Buffer.shortened(title: "Signals SUSHIUSDT · binance-usdm · STALE (outdated)", room: 30) == "Signals SUSHIUSDT…")
        #expect(Buffer.shortened(title: "Tape filtered: 1,234 shown", room: 18) == "Tape filtered…")
        #expect(Buffer.shortened(title: "Tape filtered: 1,234 shown", room: 26) == "Tape filtered: 1,234 shown")
        #expect(Buffer.shortened(title: "Averyveryverylongword", room: 8) == "…")
        var buffer = Buffer(width: 30, height: 3)
        buffer.box(Rect(x: 0, y: 0, width: 30, height: 3), title: "Signals SUSHIUSDT · binance-usdm · STALE")
        let top = buffer.lines[0]
        #expect(top.hasPrefix("┌─ Signals SUSHIUSDT… ─"), "\(top)")
        #expect(top.hasSuffix("─┐"), "\(top)")
    }

    @Test("a title of exactly the room titleFits promises keeps its space before the corner")
    func exactTitleKeepsItsSpace() {
        let title = "Depth ladder UNI-USD-SWAP ×1 tick"
        let width = DisplayWidth.of(title) + 5
        #expect(Buffer.titleFits(title, width: width) && !Buffer.titleFits(title, width: width - 1))
        var buffer = Buffer(width: width, height: 3)
        buffer.box(Rect(x: 0, y: 0, width: width, height: 3), title: title)
        // `×1 tick─┐` touched the border (operator trial).
        #expect(buffer.lines[0] == "┌─ " + title + " ┐", "\(buffer.lines[0])")
    }
}
