import Testing
@testable import Dashboard
import RiskEngine

/// The status bar counts malformed lines ("bad 3"); the health view says which was the last, its
/// number and what was wrong first, so an operator can find it in the sender's file or log.
@Suite("Health view: the last malformed line")
struct MalformedLineHealthTests {
    func healthView(width: Int, malformed: Int, place: String, line: Int, field: String) -> [String] {
        var model = model(width: width, height: 24, engine: engine(positions: 3))
        var status = model.status
        status.malformed = malformed
        status.lastMalformed = SessionStatus.malformedLineText(place: place, line: line, field: field)
        _ = model.update(.session(engine: model.engine, log: SessionLog(), status: status))
        _ = model.update(.key(.character("h")))
        return model.rendered().lines
    }

    @Test("its line number, what was wrong and where, under the title; a long place shortened by words, never the number")
    func namedInTheHealthView() {
        let lines = healthView(width: 200, malformed: 3, place: "events listen://9100 (from 127.0.0.1:51234)", line: 1_204,
            field: "price: 'abc' is not a decimal number")
        #expect(lines.contains { $0.contains("3 malformed lines, the last: line 1,204 · price: 'abc' is not a decimal number · in events listen://9100 (from 127.0.0.1:51234)") },
            "not said whole at 200 columns")
        let narrow = healthView(width: 80, malformed: 1, place: "/var/log/risk/exporter/a-very-long-directory-name/events-2026-12-04.ndjson", line: 17,
            field: "side: 'up' is not long or short")
        let said = narrow.first { $0.contains("1 malformed line:") }
        #expect(said?.contains("line 17 · side: 'up' is not long or short") == true, "not said at 80 columns")
        #expect(said?.contains("…") == true)
    }

    @Test("what came from outside is filtered: an escape sequence in a field or a place does not reach the screen")
    func filtered() {
        let lines = healthView(width: 120, malformed: 1, place: "events \u{1B}]0;owned\u{07}", line: 2, field: "account: \u{1B}[2J")
        let text = lines.joined(separator: "\n")
        #expect(!text.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 })
        #expect(text.contains("line 2"))
    }

    @Test("no malformed line: nothing said")
    func nothingToSay() {
        let lines = healthView(width: 120, malformed: 0, place: "x", line: 1, field: "y")
        #expect(!lines.contains { $0.contains("malformed line") })
    }
}
