import Testing
@testable import Dashboard
import ScreenKit

/// The markets pane at 80×24 shows one row and `4 more below`: whether one of the four is at ALERT
/// was not said (operator trial). The border says it, in the alert's colour, at every width.
@Suite("Hidden rows at ALERT")
struct HiddenAlertRowsTests {
    func border(width: Int, above: Int, below: Int, alerts: Int) -> String {
        // As the panes call it: the inside of a box, whose bottom border is the line below it.
        var buffer = Buffer(width: width + 2, height: 5)
        buffer.box(Rect(x: 0, y: 0, width: width + 2, height: 5), title: "", focused: false)
        TableRows.markHidden(above: above, below: below, alerts: alerts, in: Rect(x: 1, y: 1, width: width, height: 3), &buffer)
        return buffer.lines[4]
    }

    @Test("the count of hidden rows at ALERT goes beside the hidden count, shorter as the pane narrows, alone at the narrowest")
    func said() {
        #expect(border(width: 60, above: 0, below: 4, alerts: 1).contains(" 4 more below · 1 at ALERT "))
        #expect(border(width: 28, above: 0, below: 4, alerts: 1).contains(" 4 below · 1 at ALERT "))
        #expect(border(width: 24, above: 2, below: 4, alerts: 3).contains(" ↑2 · ↓4 · 3 ALERT "))
        #expect(border(width: 17, above: 20, below: 472, alerts: 3).contains(" 3 at ALERT "))
        // None at ALERT: as before.
        #expect(border(width: 60, above: 0, below: 4, alerts: 0).contains(" 4 more below ") && !border(width: 60, above: 0, below: 4, alerts: 0).contains("ALERT"))
    }

    @Test("the label is drawn in the alert's role when a hidden row is at ALERT")
    func role() {
        var buffer = Buffer(width: 42, height: 5)
        TableRows.markHidden(above: 0, below: 4, alerts: 1, in: Rect(x: 1, y: 1, width: 40, height: 3), &buffer)
        let x = buffer.lines[4].firstIndex(of: "4").map { buffer.lines[4].distance(from: buffer.lines[4].startIndex, to: $0) }
        #expect(x.map { buffer[$0, 4].role } == .alert)
    }
}
