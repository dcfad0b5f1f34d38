import Foundation
import Testing

/// What a person sees through the demo's cascade, at every size: no figure cut, and pure ASCII
/// when the terminal has no UTF-8.
@Suite("Whole figures and ASCII, end to end", .enabled(if: TmuxSession.isAvailable, "tmux is not installed"))
struct WholeFiguresTmuxTests {
    /// A grouped number whose group was cut (`59,47`, `8,`): a comma after a digit, followed by
    /// fewer than three digits.
    static let cutGroup = #"\d,\d{0,2}(?!\d)"#

    @Test("no grouped number is cut at 80×24, 100×30, 120×40 and 200×60 during the demo's cascade", arguments: [(80, 24), (100, 30), (120, 40), (200, 60)])
    func noCutNumbers(width: Int, height: Int) throws {
        let session = try TmuxSession(arguments: ["demo", "--speed", "25"], width: width, height: height)
        var frames = 0
        let deadline = Date().addingTimeInterval(30)
        var sawEnd = false
        while Date() < deadline && !sawEnd {
            let screen = session.screen()
            if !screen.isEmpty { frames += 1 }
            for (number, line) in screen.split(separator: "\n").enumerated() {
                let text = String(line)
                if let range = text.range(of: Self.cutGroup, options: .regularExpression) {
                    Issue.record("\(width)×\(height), line \(number + 1): a cut number '\(text[range])' in\n\(text)")
                }
            }
            sawEnd = screen.contains("■ END")
            Thread.sleep(forTimeInterval: 0.4)
        }
        #expect(sawEnd, "the demo did not reach its end in 30 s at \(width)×\(height)")
        #expect(frames > 10)
    }

    @Test("LANG=C: every cell is ASCII, and the minus of a price survives")
    func asciiWithoutUTF8() throws {
        let session = try TmuxSession(arguments: ["demo", "--speed", "25"], width: 120, height: 40, locale: "C")
        let screen = session.waitFor(seconds: 30) { $0.contains("END") }
        #expect(screen.contains("END"), "\(screen)")
        let foreign = screen.unicodeScalars.filter { !$0.isASCII }
        #expect(foreign.isEmpty, "non-ASCII on a LANG=C terminal: \(String(String.UnicodeScalarView(foreign)))\n\(screen)")
        #expect(screen.range(of: #"\|- \d\d,\d{3}\.\d\d"#, options: .regularExpression) != nil, "no ask row with its minus:\n\(screen)")
        #expect(!screen.contains("?? PAUSED") && !screen.contains("|? "), "\(screen)")
    }
}
