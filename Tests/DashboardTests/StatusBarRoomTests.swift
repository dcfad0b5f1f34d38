import Testing
@testable import Dashboard
@testable import RiskEngine

/// The status bar's parts when an alert fires: the alert's longer forms take only room the other
/// parts leave.
@Suite("Status bar room")
struct StatusBarRoomTests {
    @Test("feed health stays when the first alert fires at 120 columns; the alert gives up its hint and its name first")
    func healthStaysBesideAlerts() {
        var screen = model(width: 120, height: 40, engine: fiveMarkets())
        var status = screen.status
        status.source = "btcusdt_20240808.gz"
        status.lastMessageAge = 0
        var log = SessionLog()
        _ = screen.update(.session(engine: screen.engine, log: log, status: status))
        #expect(screen.rendered().lines[0].contains("feed age 0.0s gaps 0 resyncs 0"), "\(screen.rendered().lines[0])")
        log.record(AlertTests.signal(3_000_000_000, "ETHUSDT"))
        _ = screen.update(.session(engine: screen.engine, log: log, status: status))
        let line = screen.rendered().lines[0]
        #expect(line.contains("feed age 0.0s gaps 0 resyncs 0") && line.contains("⚠ 1 ALERT"), "\(line)")
        // With room to spare the alert is named (200 columns).
        var wide = model(width: 200, height: 60, engine: fiveMarkets())
        _ = wide.update(.session(engine: wide.engine, log: log, status: status))
        let wideLine = wide.rendered().lines[0]
        #expect(wideLine.contains("feed age 0.0s") && wideLine.contains("last ETH") && wideLine.contains("(a: seen, A: list)"), "\(wideLine)")
    }

    @Test("a stale book is named in the status bar; several are counted (BOOK STALE alone named none of four markets); a book that never came is NO BOOK")
    func staleBooksNamed() {
        var one = engine(positions: 3, book: false)
        #expect(one.staleMarkets == ["BTCUSDT"])
        #expect(model(width: 120, height: 40, engine: one).rendered().lines[0].contains("NO BOOK BTCUSDT"))
        one.apply(.position(PositionUpdate(account: "e", symbol: "ETHUSDT", side: .long, quantity: Fixed(1), entryPrice: Fixed(3_000),
            mode: .isolated, isolatedMargin: Fixed(300)), time: 3_000_000_000))
        let line = model(width: 120, height: 40, engine: one).rendered().lines[0]
        #expect(line.contains("2 NO BOOK") && !line.contains("BOOK STALE") && !line.contains("NO BOOK BTCUSDT"), "\(line)")
        // A book with a gap since its snapshot is stale, and counted apart from those never had.
        var gapped = engine(positions: 3)
        gapped.apply(.bookGap(symbol: "BTCUSDT", time: 2_000_000_000))
        #expect(model(width: 120, height: 40, engine: gapped).rendered().lines[0].contains("BOOK STALE BTCUSDT"))
        gapped.apply(.position(PositionUpdate(account: "e", symbol: "ETHUSDT", side: .long, quantity: Fixed(1), entryPrice: Fixed(3_000),
            mode: .isolated, isolatedMargin: Fixed(300)), time: 3_000_000_000))
        #expect(gapped.staleMarketsByKind.noBook == ["ETHUSDT"] && gapped.staleMarketsByKind.stale == ["BTCUSDT"])
        let both = model(width: 120, height: 40, engine: gapped).rendered().lines[0]
        #expect(both.contains("1 BOOK STALE, 1 NO BOOK"), "\(both)")
        // No room for the counts: the plain marker says STALE when any book went stale.
        #expect(StatusBarPane.plainStaleMark(model(width: 120, height: 40, engine: gapped)) == " 2 STALE")
        #expect(StatusBarPane.plainStaleMark(model(width: 120, height: 40, engine: one)) == " 2 NO BOOK")
        var single = engine(positions: 3)
        single.apply(.bookGap(symbol: "BTCUSDT", time: 2_000_000_000))
        #expect(StatusBarPane.plainStaleMark(model(width: 120, height: 40, engine: single)) == " BOOK STALE")
    }

    /// At 80 columns a replay of several files kept `BINANCE_FUTURES.ws…` and lost whether it was
    /// playing, paused or at its end; recordings years apart showed no date anywhere (operator trial).
    @Test("at 80 columns the play state, the clock and the alerts stay and the source gives way; a session of several days shows the date")
    func playStateBeforeSource() {
        var one = engine(positions: 3, book: false)
        one.apply(.position(PositionUpdate(account: "e", symbol: "ETHUSDT", side: .long, quantity: Fixed(1), entryPrice: Fixed(3_000),
            mode: .isolated, isolatedMargin: Fixed(300)), time: 3_000_000_000))
        var screen = model(width: 80, height: 24, engine: one)
        var status = screen.status
        status.source = "BINANCE_FUTURES.ws.1.0 + OKX.ws.1.0 + btcusdt_20240808.gz + 2024-12-01_XRPUSDT_ob500.data"
        status.progress = 0.37
        status.speed = "max"
        var log = SessionLog()
        log.record(AlertTests.signal(3_000_000_000, "ETHUSDT"))
        // The two books the engine's sample found untrusted.
        log.record(AlertTests.condition(3_000_000_000, "BTCUSDT"))
        log.record(AlertTests.condition(3_000_000_000, "ETHUSDT"))
        for (paused, finished, state) in [(false, false, "▶ max"), (true, false, "❚❚ PAUSED"), (false, true, "■ END")] {
            status.paused = paused
            status.finished = finished
            _ = screen.update(.session(engine: screen.engine, log: log, status: status))
            let line = screen.rendered().lines[0]
            #expect(line.contains(state) && line.contains("2 NO BOOK") && line.contains("⚠ 3 ALERTS") && line.contains(":00:03.000"), "\(line)")
        }
        status.showsDate = true
        status.time = 1_723_161_600_000_000_000 + 3_000_000_000
        status.finished = false
        _ = screen.update(.session(engine: screen.engine, log: log, status: status))
        let dated = screen.rendered().lines[0]
        #expect(dated.contains("2024-08-09 00:00:03") && dated.contains("▶ max") && dated.contains("⚠ 3 ALERTS"), "\(dated)")
        // Paused, dated: the play state before the clock's longer forms (the date and `UTC` took
        // the room first and PAUSED went: review).
        status.paused = true
        _ = screen.update(.session(engine: screen.engine, log: log, status: status))
        let pausedDated = screen.rendered().lines[0]
        #expect(pausedDated.contains("❚❚ PAUSED") && pausedDated.contains("00:00:03") && pausedDated.contains("⚠ 3 ALERTS"), "\(pausedDated)")
        status.paused = false
        var wide = model(width: 200, height: 60, engine: one)
        // One new alert: its hint and the last alert's name leave the room the source needs.
        var signalOnly = SessionLog()
        signalOnly.record(AlertTests.signal(3_000_000_000, "ETHUSDT"))
        _ = wide.update(.session(engine: wide.engine, log: signalOnly, status: status))
        let wideLine = wide.rendered().lines[0]
        #expect(wideLine.contains("BINANCE_FUTURES.ws.1.0 + OKX") && wideLine.contains("2024-08-09 00:00:03.000 UTC"), "\(wideLine)")
    }

    @Test("at 80 columns, playing a session of several days, the date stays: the stale book's name and the alert's hint give way to it")
    func dateBeforeStaleNameAndHint() {
        var engine = engine(positions: 3)
        engine.apply(.position(PositionUpdate(account: "d", symbol: "deribit:BTC-PERPETUAL", side: .long, quantity: Fixed(100),
            entryPrice: Fixed(30_000), mode: .isolated, leverage: Fixed(10)), time: 3_000_000_000))
        #expect(engine.staleMarkets == ["deribit:BTC-PERPETUAL"])
        var screen = model(width: 80, height: 24, engine: engine)
        var status = screen.status
        status.source = "OKX.ws.1.0 + deribit_incremental_book_L2_BTC-PERPETUAL.csv"
        status.speed = "1x"
        status.showsDate = true
        status.time = 1_652_459_228_024_000_000
        var log = SessionLog()
        log.record(AlertTests.signal(3_000_000_000, "BTCUSDT"))
        log.record(AlertTests.signal(3_000_000_000, "BTCUSDT", .depth10))
        _ = screen.update(.session(engine: screen.engine, log: log, status: status))
        let line = screen.rendered().lines[0]
        #expect(line.contains("2022-05-13 16:27:08") && line.contains("▶ 1x") && line.contains("NO BOOK") && line.contains("ALERTS"), "\(line)")
        // With room, the stale book is named and the clock keeps its date.
        var wide = model(width: 200, height: 60, engine: engine)
        _ = wide.update(.session(engine: wide.engine, log: log, status: status))
        let wideLine = wide.rendered().lines[0]
        #expect(wideLine.contains("NO BOOK BTC-PERPETUAL") && wideLine.contains("2022-05-13 16:27:08.024 UTC"), "\(wideLine)")
        // A session of one day at 80 columns: the name costs the clock nothing, and the progress
        // and feed health give way to it as before (review).
        var one = model(width: 80, height: 24, engine: engine)
        var day = status
        day.showsDate = false
        day.progress = 0.5
        day.lastMessageAge = 0
        _ = one.update(.session(engine: one.engine, log: log, status: day))
        let oneLine = one.rendered().lines[0]
        #expect(oneLine.contains("NO BOOK BTC-PERPETUAL") && oneLine.contains("16:27:08") && oneLine.contains("▶ 1x"), "\(oneLine)")
    }
}
