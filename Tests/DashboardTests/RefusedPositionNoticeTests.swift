import Testing
@testable import Dashboard
@testable import RiskEngine

/// A position the engine refuses mid-session (from an event stream) is told on the screen, not
/// only in the exit report.
@Suite("Refused positions reach the footer")
struct RefusedPositionNoticeTests {
    static func refusal(_ account: String, time: Int64) -> EngineNotification {
        .positionRejected(account: account, symbol: "BTCUSDT", reason: "leverage 0.000000000000000001 implies an isolated margin past 1,000,000,000,000,000 USDT", time: time)
    }

    @Test("the newest refusal is noticed once, with the count so far; a seek back that forgets them shows the next again")
    func noticedOnce() {
        var screen = model(width: 160, height: 48, engine: engine(positions: 10))
        var log = SessionLog()
        log.record(Self.refusal("acct\u{1B}[2J", time: 1_000_000_000))
        _ = screen.update(.session(engine: screen.engine, log: log, status: screen.status))
        // The account's escape is shown escaped, never sent to the terminal.
        #expect(screen.notice == "position refused: acct\\u{1B}[2J BTCUSDT: leverage 0.000000000000000001 implies an isolated margin past 1,000,000,000,000,000 USDT")
        screen.notice = nil
        _ = screen.update(.session(engine: screen.engine, log: log, status: screen.status))
        #expect(screen.notice == nil, "told once")
        log.record(Self.refusal("b", time: 2_000_000_000))
        _ = screen.update(.session(engine: screen.engine, log: log, status: screen.status))
        #expect(screen.notice?.hasPrefix("position refused (2 so far): b BTCUSDT: leverage") == true, "\(screen.notice ?? "")")
        #expect(screen.rendered().text.contains("position refused (2 so far): b BTCUSDT"), "\(screen.rendered().text)")
        // A seek back: the log restored from before both.
        screen.notice = nil
        var restored = SessionLog()
        _ = screen.update(.session(engine: screen.engine, log: restored, status: screen.status))
        #expect(screen.notice == nil)
        restored.record(Self.refusal("c", time: 1_500_000_000))
        _ = screen.update(.session(engine: screen.engine, log: restored, status: screen.status))
        #expect(screen.notice?.hasPrefix("position refused: c BTCUSDT") == true, "\(screen.notice ?? "")")
    }
}
