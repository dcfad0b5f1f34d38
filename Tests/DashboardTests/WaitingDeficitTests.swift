import Testing
@testable import Dashboard
@testable import RiskEngine

/// The positions pane read `ADL` in the deficit column of a position whose own view said `If
/// liquidated now: — (cannot liquidate: book outdated)` (operator trial): the pane says it waits.
@Suite("A position the engine would not liquidate now: its deficit column says it waits")
struct WaitingDeficitTests {
    static let second: Int64 = 1_000_000_000
    static let start: Int64 = 1_723_161_255_000_000_000

    @Test("an outdated book: `waits` in the deficit column, as the position's view says; a fresh book: the walk again")
    func outdatedBook() {
        var engine = Engine()
        engine.apply(.bookSnapshot(symbol: "BTCUSDT", bids: [(units("59990"), units("0.1"))], asks: [(units("60010"), units("5"))], time: Self.start))
        engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(60_000), time: Self.start))
        // 5 BTC at 10x: the 0.1 BTC of bids leaves most of it unfilled (ADL) if liquidated now.
        engine.apply(.position(PositionUpdate(account: "big", symbol: "BTCUSDT", side: .long, quantity: Fixed(5), entryPrice: Fixed(60_000),
            mode: .isolated, leverage: Fixed(10)), time: Self.start))
        let fresh = PositionTable.row(of: 0, in: engine, adl: nil)
        #expect(!fresh.liquidationWaits && fresh.unfilledNow > 0)
        #expect(PositionsPane.content(fresh, .deficit, instrument: engine.markets[0].instrument, names: MarketNames(of: engine)).0.contains("ADL"))
        // The mark goes on for six minutes, the book does not: outdated.
        for step in 1...8 { engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(60_000), time: Self.start + Int64(step) * 45 * Self.second)) }
        #expect(engine.liquidationWait(position: 0) != nil)
        let waiting = PositionTable.row(of: 0, in: engine, adl: nil)
        #expect(waiting.liquidationWaits && waiting.deficitNow.isZero && waiting.unfilledNow == 0)
        let cell = PositionsPane.content(waiting, .deficit, instrument: engine.markets[0].instrument, names: MarketNames(of: engine))
        #expect(cell.0 == "waits" && cell.1 == .warn, "\(cell)")
        var status = SessionStatus(kind: "REPLAY", source: "test")
        status.time = engine.time
        var app = AppModel(width: 160, height: 48, status: status, engine: engine, log: SessionLog())
        _ = app.update(.key(.enter))
        let view = app.rendered().text
        #expect(view.contains("If liquidated now: — (") && view.contains("book"), "\(view)")
        // A book of now: the walk again.
        engine.apply(.bookSnapshot(symbol: "BTCUSDT", bids: [(units("59990"), units("0.1"))], asks: [(units("60010"), units("5"))],
            time: Self.start + 361 * Self.second))
        #expect(!PositionTable.row(of: 0, in: engine, adl: nil).liquidationWaits)
    }
}

@Suite("A window chosen by risk says it puts live books first")
struct LiveBooksFirstTitleTests {
    @Test("sorted by margin ratio out of a risk window with an outdated market, the title says live books come first; none outdated, it does not")
    func title() {
        let start = WaitingDeficitTests.start, second = WaitingDeficitTests.second
        var engine = Engine()
        for symbol in ["BTCUSDT", "ETHUSDT"] {
            engine.apply(.bookSnapshot(symbol: symbol, bids: [(units("59990"), units("5"))], asks: [(units("60010"), units("5"))], time: start))
            engine.apply(.mark(symbol: symbol, price: Fixed(60_000), time: start))
        }
        for index in 0..<6_000 {
            engine.apply(.position(PositionUpdate(account: "a\(index)", symbol: index % 2 == 0 ? "BTCUSDT" : "ETHUSDT", side: .long, quantity: Fixed(1),
                entryPrice: Fixed(60_000 + index % 500), mode: .isolated, leverage: Fixed(5 + index % 20)), time: start))
        }
        func title(_ engine: Engine) -> String {
            var status = SessionStatus(kind: "REPLAY", source: "test")
            status.time = engine.time
            var app = AppModel(width: 200, height: 60, status: status, engine: engine, log: SessionLog())
            for _ in 0..<PositionColumn.allCases.count where app.sortColumn != .ratio { app.press(.character("s")) }
            _ = app.update(.session(engine: engine, log: SessionLog(), status: status))
            return app.rendered().lines.first { $0.contains("Positions") } ?? ""
        }
        #expect(title(engine).contains("first 1,000 by risk of 6,000"), "\(title(engine))")
        // ETHUSDT's book goes quiet while its mark and BTCUSDT's book go on: outdated.
        for step in 1...8 {
            let time = start + Int64(step) * 45 * second
            engine.apply(.bookSnapshot(symbol: "BTCUSDT", bids: [(units("59990"), units("5"))], asks: [(units("60010"), units("5"))], time: time))
            engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(60_000), time: time))
            engine.apply(.mark(symbol: "ETHUSDT", price: Fixed(60_000), time: time))
        }
        #expect(engine.market("ETHUSDT")?.bookOutdated == true)
        #expect(title(engine).contains("first 1,000 by risk, live books first, of 6,000"), "\(title(engine))")
    }
}

/// A stale-book alert carried the time of the sample that found it (in a replay of recordings
/// apart, the next recording's first second), and nothing said when the book had stopped
/// (operator trial): an outdated book's or mark's alert says when it last changed.
@Suite("An outdated book's or mark's alert says since when")
struct OutdatedSinceTests {
    @Test("the book: `no change since` its last change; the mark: `last given` its time")
    func since() throws {
        let start = WaitingDeficitTests.start, second = WaitingDeficitTests.second
        var engine = Engine()
        var notes: [EngineNotification] = []
        for symbol in ["BTCUSDT", "ETHUSDT"] {
            notes += engine.apply(.bookSnapshot(symbol: symbol, bids: [(units("59990"), units("5"))], asks: [(units("60010"), units("5"))], time: start))
            notes += engine.apply(.mark(symbol: symbol, price: Fixed(60_000), time: start))
            notes += engine.apply(.position(PositionUpdate(account: "a", symbol: symbol, side: .long, quantity: Fixed(1), entryPrice: Fixed(60_000),
                mode: .isolated, leverage: Fixed(10)), time: start))
        }
        // BTCUSDT's book stops; ETHUSDT's mark stops (its book goes on).
        for step in 1...10 {
            let time = start + Int64(step) * 45 * second
            notes += engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(60_000), time: time))
            notes += engine.apply(.bookSnapshot(symbol: "ETHUSDT", bids: [(units("59990"), units("5"))], asks: [(units("60010"), units("5"))], time: time))
        }
        let conditions = notes.compactMap { if case .marketCondition(let condition) = $0 { return condition } else { return nil } }
        let book = conditions.first { $0.kind == .staleBook && $0.symbol == "BTCUSDT" }
        #expect(book?.since == start && (book?.time ?? 0) > start + 300 * second, "\(conditions)")
        let bookAlert = AlertWatcher.alert(of: try #require(book))
        #expect(bookAlert.cause == "no change since 2024-08-08T23:54:15.000Z", "\(bookAlert.cause ?? "")")
        #expect(AlertsPane.what(bookAlert) == "book stale: no change since 2024-08-08T23:54:15.000Z (liquidations wait)")
        let mark = conditions.first { $0.kind == .markOutdated && $0.symbol == "ETHUSDT" }
        #expect(mark?.since == start, "\(conditions)")
        let markAlert = AlertWatcher.alert(of: try #require(mark))
        #expect(markAlert.message.contains("(last given 2024-08-08T23:54:15.000Z)") && AlertsPane.what(markAlert).hasPrefix("mark outdated: last given"))
    }
}

/// After `]` on a BTCUSDT alert and `:100%`, the end of a four-venue replay showed `Ladder BTCUSDT ·
/// STALE` while the one live market was third in the list (operator trial).
@Suite("A typed jump that lands where the chosen market has ended")
struct TypedJumpFocusTests {
    static func engine(secondsBetween: Int64) -> Engine {
        let start = WaitingDeficitTests.start, second = WaitingDeficitTests.second
        var engine = Engine()
        engine.apply(.bookSnapshot(symbol: "BTCUSDT", bids: [(units("59990"), units("5"))], asks: [(units("60010"), units("5"))], time: start))
        engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(60_000), time: start))
        engine.apply(.bookSnapshot(symbol: "hyperliquid:BTC", bids: [(units("99990"), units("5"))], asks: [(units("100010"), units("5"))],
            time: start + secondsBetween * second))
        engine.apply(.mark(symbol: "hyperliquid:BTC", price: Fixed(100_000), time: start + secondsBetween * second))
        return engine
    }

    @Test("the chosen market ended at the landing: the focus goes to the live one; not ended, or no typed jump, it stays")
    func refocus() {
        for (between, jumped, expected) in [(Int64(7_200), true, "hyperliquid:BTC"), (7_200, false, "BTCUSDT"), (600, true, "BTCUSDT")] {
            let engine = Self.engine(secondsBetween: between)
            var status = SessionStatus(kind: "REPLAY", source: "test")
            status.time = engine.time
            var app = AppModel(width: 120, height: 40, status: status, engine: engine, log: SessionLog(), symbol: "BTCUSDT")
            #expect(app.focusedSymbol == "BTCUSDT")
            if jumped { app.noteTypedJump() }
            app.keepTapeCursor(newlyMatched: 0)
            #expect(app.focusedSymbol == expected, "\(between) s apart, jumped \(jumped): \(app.focusedSymbol ?? "nil")")
        }
    }
}
