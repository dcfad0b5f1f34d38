import Testing
@testable import Dashboard
@testable import RiskEngine

/// One stray `q` ended a live session, its history and alerts with it (operator trial): live, the
/// quit key asks once; a replay quits at once.
@Suite("Quitting a live session takes the key twice")
struct LiveQuitTests {
    static func model(kind: String) -> AppModel {
        var status = SessionStatus(kind: kind, source: "test")
        let engine = DashboardTests.engine(positions: 4)
        status.time = engine.time
        return AppModel(width: 120, height: 40, status: status, engine: engine, log: SessionLog())
    }

    static func quits(_ effects: [Effect]) -> Bool { effects.contains { if case .quit = $0 { return true } else { return false } } }

    @Test("live: q asks, q again quits; any other key between stays")
    func live() {
        var app = Self.model(kind: "LIVE")
        #expect(!Self.quits(app.update(.key(.character("q")))))
        #expect(app.notice?.contains("quit the live session? q again quits") == true, "\(app.notice ?? "")")
        #expect(app.rendered().text.contains("q again quits"))
        // Another key: the question goes, and q asks again.
        _ = app.update(.key(.down))
        #expect(app.notice == nil && app.footerNotice == nil && !app.rendered().text.contains("q again quits"))
        #expect(!Self.quits(app.update(.key(.character("q")))))
        #expect(Self.quits(app.update(.key(.character("q")))))
        // A notice that comes after the question (a refused position's, every 50 ms) neither
        // hides it nor disarms it (attacker trial: q never quit).
        var busy = Self.model(kind: "LIVE")
        _ = busy.update(.key(.character("q")))
        busy.notice = "position refused: x BTCUSDT"
        #expect(busy.footerNotice?.hasPrefix("quit the live session?") == true)
        #expect(busy.rendered().text.contains("q again quits"))
        #expect(Self.quits(busy.update(.key(.character("q")))))
        // Another key answers it: the notice is back, the question gone.
        var answered = Self.model(kind: "LIVE")
        _ = answered.update(.key(.character("q")))
        _ = answered.update(.key(.down))
        answered.notice = "position refused: x BTCUSDT"
        #expect(answered.footerNotice == "position refused: x BTCUSDT" && !answered.rendered().text.contains("q again quits"))
        // From a view (help) alike.
        var help = Self.model(kind: "LIVE")
        _ = help.update(.key(.character("?")))
        #expect(!Self.quits(help.update(.key(.character("q")))))
        #expect(Self.quits(help.update(.key(.character("q")))))
    }

    @Test("a replay and the demo quit at once")
    func replay() {
        for kind in ["REPLAY", "DEMO"] {
            var app = Self.model(kind: kind)
            #expect(Self.quits(app.update(.key(.character("q")))), "\(kind)")
        }
    }
}
