import Testing
@testable import Dashboard
import RiskEngine

/// At 80×24 the signals pane has room for four of its eight signals: an operator's trial found the
/// four shown reading `ok` while the hidden liquidation counts and stressed deficit were at ALERT.
@Suite("Signals that do not all fit")
struct SignalsRoomTests {
    let all = SignalKind.allCases

    @Test("the signals at ALERT, then at WARN, take the rows; the last row counts the hidden ones")
    func alertsFirst() {
        let levels: [SignalKind: SignalLevel] = [.liquidations60s: .alert, .stressedDeficit: .alert, .spread: .warn]
        let shown = SignalsPane.shownKinds(all, rows: 5) { levels[$0] ?? .ok }
        // Four rows of signals and the count: both alerts, the warning, and the first signal at ok.
        #expect(shown.kinds == [.spreadVsDepth, .spread, .liquidations60s, .stressedDeficit])
        #expect(Set(shown.hidden) == Set(all).subtracting(shown.kinds))
        #expect(shown.kinds.count + shown.hidden.count == all.count)
    }

    @Test("everything at ALERT: the stressed deficit is among the rows shown")
    func deficitFirstAmongEquals() {
        let shown = SignalsPane.shownKinds(all, rows: 4) { _ in .alert }
        #expect(shown.kinds == [.spreadVsDepth, .drainVsRefill, .stressedDeficit])
        #expect(shown.hidden.count == all.count - 3)
    }

    @Test("with room for all, all are shown in their order and nothing is counted")
    func roomForAll() {
        let shown = SignalsPane.shownKinds(all, rows: all.count) { _ in .alert }
        #expect(shown.kinds == all && shown.hidden.isEmpty)
        let none = SignalsPane.shownKinds(all, rows: 1) { _ in .ok }
        #expect(none.kinds.isEmpty && none.hidden == all)
    }
}
