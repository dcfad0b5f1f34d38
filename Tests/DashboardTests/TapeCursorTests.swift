import Testing
@testable import Dashboard
@testable import RiskEngine

/// The tape's cursor as the run loop drives the model: the session is handed over while the model
/// is detached (an empty log in its place), and a jump back hands over an earlier session.
@Suite("The tape's cursor stays on its liquidation, through the run loop's hand-overs and jumps back")
struct TapeCursorTests {
    func selected(_ screen: AppModel) -> TapeEntry? { screen.tapeWindow(offset: screen.tapeCursor, length: 1).first }

    @Test("new lines handed over while the model is detached push the cursor with its line, not to the oldest", arguments: [false, true])
    func detachedHandOver(filtered: Bool) throws {
        var (engine, log) = cascade(positions: 400)
        var status = SessionStatus(kind: "REPLAY", source: "test")
        status.time = engine.time
        var screen = AppModel(width: 120, height: 40, status: status, engine: engine, log: log)
        screen.focusPane(.tape)
        if filtered { screen.press(.character("/"), .character("b"), .character("t"), .character("c"), .enter) }
        screen.press(.down, .down, .down)
        let before = try #require(selected(screen))
        screen.detachSession()
        log.record(engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(66_500), time: 5_000_000_000)))
        _ = screen.update(.session(engine: engine, log: log, status: status))
        #expect(selected(screen) == before)
        #expect(screen.tapeCursor > 3 && screen.tapeCursor < screen.tapeCount - 1)
        // And again, a turn later: each hand-over pushes it by that turn's lines only.
        screen.detachSession()
        let lines = TapeEntries.count(log)
        log.record(engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(70_000), time: 6_000_000_000)))
        #expect(TapeEntries.count(log) > lines, "the second rise liquidates more shorts")
        _ = screen.update(.session(engine: engine, log: log, status: status))
        #expect(selected(screen) == before)
    }

    @Test("after a jump back the cursor is on the liquidation it was on, when the earlier session has it; else on the newest", arguments: [false, true])
    func jumpBack(filtered: Bool) throws {
        var (engine, log) = cascade(positions: 400)
        let (earlierEngine, earlierLog) = (engine, log)
        log.record(engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(66_500), time: 5_000_000_000)))
        var status = SessionStatus(kind: "REPLAY", source: "test")
        status.time = engine.time
        var screen = AppModel(width: 120, height: 40, status: status, engine: engine, log: log)
        screen.focusPane(.tape)
        if filtered { screen.press(.character("/"), .character("u"), .character("s"), .character("d"), .character("t"), .enter) }
        let later = TapeEntries.count(log) - TapeEntries.count(earlierLog)
        #expect(later > 5)
        // A line the earlier session has: past the later ones.
        for _ in 0..<(later + 4) { screen.press(.down) }
        let before = try #require(selected(screen))
        #expect(before.time < 5_000_000_000)
        screen.detachSession()
        _ = screen.update(.session(engine: earlierEngine, log: earlierLog, status: status))
        #expect(selected(screen) == before)
        #expect(screen.tapeCursor == 4)
        // A line from after the time jumped back to: gone, the cursor on the newest.
        _ = screen.update(.session(engine: engine, log: log, status: status))
        screen.press(.home, .down)
        #expect(selected(screen)?.time == 5_000_000_000)
        screen.detachSession()
        _ = screen.update(.session(engine: earlierEngine, log: earlierLog, status: status))
        #expect(screen.tapeCursor == 0)
    }

    @Test("a jump that lands on a liquidation puts the cursor on it; one that lands on none, or finds nothing, leaves the cursor", arguments: ["]", "["])
    func jumpFollowsTheLanding(key: String) throws {
        var (engine, log) = cascade(positions: 400)
        var status = SessionStatus(kind: "REPLAY", source: "test")
        status.time = engine.time
        var screen = AppModel(width: 120, height: 40, status: status, engine: engine, log: log)
        screen.focusPane(.tape)
        screen.press(.down, .down, .down)
        let jump = screen.update(.key(.character(Character(key))))
        #expect(jump == [key == "]" ? .nextNotable(deficitsOnly: false) : .previousNotable(deficitsOnly: false)])
        #expect(screen.tapeCursor == 3, "the key alone moves nothing: the jump may find nothing")
        // The feed lands at 5 s and says so; the session handed over has the landing's liquidations as its newest.
        screen.followTape(toLandingAt: 5_000_000_000)
        screen.detachSession()
        log.record(engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(66_500), time: 5_000_000_000)))
        status.time = 5_000_000_000
        _ = screen.update(.session(engine: engine, log: log, status: status))
        #expect(screen.tapeCursor == 0)
        #expect(selected(screen)?.time == 5_000_000_000)
        // A landing with no line on the tape (an alert alone): the cursor stays on its line.
        screen.press(.down, .down)
        let before = try #require(selected(screen))
        screen.followTape(toLandingAt: 6_000_000_000)
        screen.detachSession()
        log.record(engine.apply(.clock(time: 6_000_000_000)))
        status.time = 6_000_000_000
        _ = screen.update(.session(engine: engine, log: log, status: status))
        #expect(selected(screen) == before && screen.tapeCursor == 2)
    }

    @Test("a jump that lands on one market's liquidation focuses that market; on several, the focus stays")
    func jumpFocusesTheLandingsMarket() throws {
        var (engine, log) = cascade(positions: 400)
        // A second market, chosen: the landing's liquidations are BTCUSDT's.
        log.record(engine.apply(.bookSnapshot(symbol: "ETHUSDT", bids: [(units("2999"), units("5"))], asks: [(units("3001"), units("5"))], time: engine.time)))
        log.record(engine.apply(.mark(symbol: "ETHUSDT", price: Fixed(3_000), time: engine.time)))
        var status = SessionStatus(kind: "REPLAY", source: "test")
        status.time = engine.time
        var screen = AppModel(width: 120, height: 40, status: status, engine: engine, log: log, symbol: "ETHUSDT")
        #expect(screen.focusedSymbol == "ETHUSDT")
        screen.followTape(toLandingAt: 5_000_000_000)
        screen.detachSession()
        log.record(engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(66_500), time: 5_000_000_000)))
        try #require(log.simulatedLiquidations.last?.time == 5_000_000_000)
        #expect(JumpLanding.market(at: 5_000_000_000, log: log) == "BTCUSDT")
        status.time = 5_000_000_000
        _ = screen.update(.session(engine: engine, log: log, status: status))
        #expect(screen.focusedSymbol == "BTCUSDT")
        // Landing on two markets at once: the focus is left where it is.
        var both = SessionLog()
        both.record(.marketCondition(MarketCondition(time: 7, symbol: "BTCUSDT", kind: .staleBook, reason: "gap")))
        both.record(.marketCondition(MarketCondition(time: 7, symbol: "ETHUSDT", kind: .staleBook, reason: "gap")))
        #expect(JumpLanding.market(at: 7, log: both) == nil)
    }

    @Test("a filter typed on the tape keeps the cursor on the line it was on while that line matches")
    func typedFilterKeepsTheLine() throws {
        var screen = cascadeModel(width: 120, height: 40, positions: 400)
        screen.focusPane(.tape)
        for _ in 0..<6 { screen.press(.down) }
        let before = try #require(selected(screen))
        guard case .simulated(let record) = before else { Issue.record("not a simulated line"); return }
        #expect(record.account.hasPrefix("acct-"))
        screen.press(.character("/"))
        for character in "acct-" { screen.press(.character(character)) }
        screen.press(.enter)
        #expect(selected(screen) == before, "confirming the filter sent the cursor to the first row")
        #expect(screen.tapeCursor == 6)
    }

    @Test("Esc on the filtered tape, or `d`, keeps the cursor on the line it was on")
    func clearingTheFilterKeepsTheLine() throws {
        var screen = cascadeModel(width: 120, height: 40, positions: 400)
        screen.focusPane(.tape)
        screen.press(.character("/"), .character("1"), .enter)
        screen.press(.down, .down, .down, .down)
        let before = try #require(selected(screen))
        screen.press(.escape)
        #expect(selected(screen) == before)
        #expect(screen.tapeCursor > 4, "unfiltered, more lines are above it")
    }
}

@Suite("A jump's prompt from a position's view")
struct JumpFromPositionViewTests {
    @Test("`:` from a position's view returns to the view once the jump is asked for, or the prompt is left")
    func backToTheView() {
        var screen = cascadeModel(width: 120, height: 40)
        screen.focusPane(.positions)
        screen.press(.down, .enter)
        guard case .detail(let position) = screen.mode else { Issue.record("no position view"); return }
        screen.press(.character(":"))
        guard case .prompt = screen.mode else { Issue.record("no prompt"); return }
        for character in "50%" { screen.press(.character(character)) }
        let effects = screen.update(.key(.enter))
        #expect(effects == [.jump("50%")])
        guard case .detail(let after) = screen.mode else { Issue.record("the view closed: \(screen.mode)"); return }
        #expect(after == position)
        screen.press(.character(":"), .escape)
        guard case .detail = screen.mode else { Issue.record("Esc on the prompt closed the view"); return }
        // From the dashboard, the prompt leaves the dashboard.
        screen.press(.escape, .character(":"), .escape)
        guard case .normal = screen.mode else { Issue.record("\(screen.mode)"); return }
    }
}
