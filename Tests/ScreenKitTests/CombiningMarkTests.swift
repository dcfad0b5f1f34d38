import Testing
@testable import ScreenKit

/// A combining mark composes with the character before it where Unicode has one character for
/// the pair: a decomposed `José` read `Jose`, and an account `a` + U+0301 read as the account `a`
/// (attacker trial).
@Suite("Combining marks on screen")
struct CombiningMarkTests {
    @Test("a decomposed name is drawn composed, measured as drawn; a mark with no composed form is a placeholder cell")
    func composed() {
        var buffer = Buffer(width: 10, height: 3)
        let end = buffer.put("Jose\u{301}|", x: 0, y: 0)
        #expect(buffer.lines[0].hasPrefix("José|") && end == 5, "\(buffer.lines[0])")
        #expect(DisplayWidth.of("Jose\u{301}") == 4)
        buffer.put("a\u{301}", x: 0, y: 1)
        #expect(buffer.lines[1].hasPrefix("á") && !buffer.lines[1].hasPrefix("a"), "\(buffer.lines[1])")
        // q + U+0301 has no composed form: the mark is a placeholder cell, measured so (left
        // out, `alice` + U+0334 read as `alice`, another account: attacker trial).
        let after = buffer.put("q\u{301}x", x: 0, y: 2)
        #expect(buffer.lines[2].hasPrefix("q\u{FFFD}x") && after == 3 && DisplayWidth.of("q\u{301}x") == 3, "\(buffer.lines[2])")
        var names = Buffer(width: 10, height: 2)
        names.put("alice", x: 0, y: 0)
        names.put("alice\u{334}", x: 0, y: 1)
        #expect(names.lines[0] != names.lines[1], "\(names.lines)")
    }
}
