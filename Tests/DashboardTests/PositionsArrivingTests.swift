import Testing
@testable import Dashboard
import RiskEngine

/// Positions placed after the table was chosen show at once, and positions that all closed are
/// said to have closed: at 0.1x an events file's positions were "no monitored positions" for 25 s
/// beside a stressed deficit at ALERT, and after its cascade the pane said the same beside a tape
/// of thirty liquidations (attacker trial).
@Suite("Positions arriving and leaving")
struct PositionsArrivingTests {
    @Test("a table chosen with no positions is chosen again at the next turn that has some")
    func arrivingShowAtOnce() {
        var bare = engine(positions: 0)
        var app = model(width: 120, height: 40, engine: bare)
        #expect(app.rendered().text.contains("no monitored positions"))
        // Placed a millisecond of session later: well within the two seconds between rebuilds.
        bare.apply(.position(PositionUpdate(account: "late", symbol: "BTCUSDT", side: .long, quantity: Fixed(1), entryPrice: Fixed(60_000),
            mode: .isolated, leverage: Fixed(20)), time: 3_001_000_000))
        var status = app.status
        status.time = bare.time
        _ = app.update(.session(engine: bare, log: SessionLog(), status: status))
        let text = app.rendered().text
        #expect(text.contains("Positions 1/1") && text.contains("late"), "\(text)")
    }

    @Test("every position closed: said so, not 'no monitored positions'")
    func allClosedSaySo() {
        var two = engine(positions: 2)
        var app = model(width: 120, height: 40, engine: two)
        for account in ["acct-0", "acct-1"] {
            let side: Side = account == "acct-0" ? .long : .short
            two.apply(.position(PositionUpdate(account: account, symbol: "BTCUSDT", side: side, quantity: .zero, entryPrice: Fixed(60_000),
                mode: .isolated, leverage: Fixed(5)), time: 6_000_000_000))
        }
        var status = app.status
        status.time = two.time
        _ = app.update(.session(engine: two, log: SessionLog(), status: status))
        let text = app.rendered().text
        #expect(text.contains("no open position: all 2 monitored have closed") && !text.contains("no monitored positions"), "\(text)")
    }
}
