import Testing
@testable import Dashboard
@testable import RiskEngine

/// At 80 columns the footer dropped the replay's pause, time and jump keys, the ones a cascade
/// calls for, after the list's keys (operator trial).
@Suite("The footer's replay keys")
struct FooterReplayKeysTests {
    @Test("at 80×24 a replay's footer offers pause, time and the jumps; a live one offers none of them")
    func replayKeysFirst() {
        let footer = model(width: 80, height: 24, engine: engine(positions: 3)).rendered().lines.last ?? ""
        for hint in ["space pause", ": time", "[ ] jump", "? help", "q quit"] { #expect(footer.contains(hint), "\(hint): \(footer)") }
        let live = FooterPane.hints(Keymap.standard, replay: false)
        #expect(!live.contains("pause") && !live.contains("jump") && live.hasPrefix("? help  q quit  Tab focus"), "\(live)")
    }
}
