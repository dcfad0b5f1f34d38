import Testing
@testable import Dashboard
@testable import RiskEngine

@Suite("The what-if prompt's answers")
struct WhatIfPromptTests {
    @Test("a shock past what a figure holds is out of range, not 'not a percentage'; words are not a percentage")
    func outOfRange() {
        for (typed, said) in [("99999999999999999999999", "what-if: the shock must be above -100% and at most +1000% ('99999999999999999999999')"),
                              ("-1e400%", "what-if: '-1e400%' is not a percentage"), ("ten", "what-if: 'ten' is not a percentage"),
                              ("2000", "what-if: the shock must be above -100% and at most +1000%")] {
            var screen = model(width: 120, height: 40, engine: engine(positions: 4))
            _ = screen.update(.key(.character("x")))
            for character in typed { _ = screen.update(.key(.character(character))) }
            _ = screen.update(.key(.enter))
            #expect(screen.notice == said, "\(typed): \(screen.notice ?? "nil")")
        }
    }
}
