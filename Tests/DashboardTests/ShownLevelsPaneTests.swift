import Testing
@testable import Dashboard
@testable import RiskEngine

/// What the panes say when a stress runs past the levels a top-of-book feed shows: the quantity
/// past them, and no ADL (Hyperliquid's 20 levels read `ADL 3.241 BTC … ALERT` where the venue's
/// book had ample depth: operator trial). The same book shown whole says ADL, as before.
@Suite("Panes over a book the feed shows the top of")
struct ShownLevelsPaneTests {
    /// 20 BTC of longs over 5 BTC of bids in five levels, the feed showing `shownLevels` a side.
    static func engine(shownLevels: Int) -> Engine {
        var engine = Engine()
        engine.openFund(asset: "USDT", balance: Fixed(1_000_000))
        let bids = ["59500", "59490", "59480", "59470", "59460"].map { (units($0), units("1")) }
        engine.apply(.bookSnapshot(symbol: "BTCUSDT", bids: bids, asks: [(units("59510"), units("10"))], time: 1_000_000_000,
            shownLevels: shownLevels))
        engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(59_505), time: 1_000_000_000))
        engine.apply(.position(PositionUpdate(account: "a", symbol: "BTCUSDT", side: .long, quantity: Fixed(20), entryPrice: Fixed(60_000),
            mode: .isolated, leverage: Fixed(20)), time: 1_000_000_000))
        engine.apply(.clock(time: 3_000_000_000))
        return engine
    }

    @Test("signals, positions and fund panes: the quantity past the levels shown, a floor, no ADL; a whole book: ADL")
    func signalsPositionsFund() {
        let standard = model(width: 120, height: 40, engine: Self.engine(shownLevels: 5)).rendered().text
        #expect(standard.contains("≥0.00  fund 1.00M"), "the signals pane: \(standard)")
        #expect(standard.contains("5 levels shown, more not known") && !standard.contains("bids end"), "the ladder: \(standard)")
        #expect(standard.contains("15.000 BTC past shown levels"), "the fund pane: \(standard)")
        #expect(!standard.contains("+ ADL") && !standard.contains("→ ADL") && !standard.contains("cannot fill"), "\(standard)")
        let small = model(width: 80, height: 24, engine: Self.engine(shownLevels: 5)).rendered().text
        #expect(small.contains("57,625.64      ≥0"), "the positions pane: \(small)")
        // The fund pane 21 cells wide, as at 80×24, with room for every line: the stress line keeps its
        // label and says the floor (a bare `past shown levels` was left: operator trial).
        var buffer = Buffer(width: 21, height: 14)
        FundPane.render(model(width: 80, height: 24, engine: Self.engine(shownLevels: 5)), Rect(x: 0, y: 0, width: 21, height: 14),
            focused: false, &buffer)
        #expect(buffer.lines.contains { $0.contains("covers") && $0.contains("≥0 deficit") }, "\(buffer.lines)")
        let large = model(width: 200, height: 60, engine: Self.engine(shownLevels: 5)).rendered().text
        #expect(large.contains("no loss at the levels shown; 15.000 BTC past them"), "\(large)")
        for (width, height) in [(120, 40), (80, 24), (200, 60)] {
            let whole = model(width: width, height: height, engine: Self.engine(shownLevels: 0)).rendered().text
            #expect(whole.contains("ADL"), "\(whole)")
            #expect(!whole.contains("past the") && !whole.contains("past shown") && !whole.contains("≥"), "\(whole)")
        }
    }

    @Test("a side cut to the level limit: the stress past it reads the levels kept, grouped, not a feed's levels")
    func cutSideReadsKept() {
        // A whole-book feed's bids of a million and five levels a hundredth apart, 0.000001 BTC each:
        // the nearest million are kept, and 20 BTC of longs walk past all of them.
        var engine = Engine()
        engine.openFund(asset: "USDT", balance: Fixed(1_000_000))
        let top = units("59500")
        let step = units("0.01")
        let bids = (0..<(PriceLadder.levelLimit + 5)).map { (top - Int64($0) * step, units("0.000001")) }
        engine.apply(.bookSnapshot(symbol: "BTCUSDT", bids: bids, asks: [(units("59510"), units("10"))], time: 1_000_000_000))
        engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(59_505), time: 1_000_000_000))
        engine.apply(.position(PositionUpdate(account: "a", symbol: "BTCUSDT", side: .long, quantity: Fixed(20), entryPrice: Fixed(60_000),
            mode: .isolated, leverage: Fixed(20)), time: 1_000_000_000))
        engine.apply(.clock(time: 3_000_000_000))
        #expect(engine.markets[0].book.isCut(.bid))
        // The signals pane, with a row to spare under its signals.
        var buffer = Buffer(width: 100, height: 14)
        SignalsPane.render(model(width: 200, height: 60, engine: engine), Rect(x: 0, y: 0, width: 100, height: 14), focused: false, &buffer)
        #expect(buffer.lines.contains { $0.contains("stress: 19.000 BTC past the 1,000,000 levels kept") }, "\(buffer.lines)")
        #expect(!buffer.lines.contains { $0.contains("levels the feed shows") }, "\(buffer.lines)")
        // The position's detail says the same of its own walk.
        var screen = model(width: 200, height: 60, engine: engine)
        screen.press(.enter)
        let detail = screen.rendered().text
        #expect(detail.contains("past the 1,000,000 levels kept (the book there is not known)"), "\(detail)")
    }

    @Test("the markets view marks the stressed deficit a floor")
    func marketsFloor() {
        let row = MarketTable.row(of: Self.engine(shownLevels: 5).markets[0], positions: 1, nearLiquidation: 0)
        #expect(row.stressedIsFloor)
        #expect(MarketsPane.stressedCell(row, exact: true).0 == "≥0")
        let whole = MarketTable.row(of: Self.engine(shownLevels: 0).markets[0], positions: 1, nearLiquidation: 0)
        // No money lost, only quantity the book cannot fill: the quantity (operator trial).
        #expect(MarketsPane.stressedCell(whole, exact: true).0 == "ADL 15.000 BTC")
        // Bids emptied of every level shown: the spread's floor and the depth's, as the signals give them.
        let emptied = MarketTable.row(of: Self.emptiedBids(shownLevels: 2).markets[0], positions: 0, nearLiquidation: 0)
        #expect(emptied.spreadIsFloor && emptied.spreadBps.map { abs($0 - 3.3613) < 0.001 } == true && emptied.depth10IsFloor, "\(emptied)")
        let emptiedWhole = MarketTable.row(of: Self.emptiedBids(shownLevels: 0).markets[0], positions: 0, nearLiquidation: 0)
        #expect(!emptiedWhole.spreadIsFloor && emptiedWhole.spreadBps == nil && !emptiedWhole.depth10IsFloor)
    }

    @Test("the what-if of a shock: the quantity past the levels shown settled at the deepest, a floor, on its ladder row too")
    func whatIf() throws {
        var screen = model(width: 120, height: 40, engine: Self.engine(shownLevels: 5))
        screen.press(.character("x"))
        for character in "-10" { screen.press(.character(character)) }
        screen.press(.enter)
        guard case .whatIf(let result, _) = screen.mode else { Issue.record("no what-if: \(screen.notice ?? "")"); return }
        #expect(result.pastShownQuantity == Fixed(15))
        let text = screen.rendered().text
        #expect(text.contains("15.000 BTC past the 5 levels shown: settled no better than the deepest (a floor)"), "\(text)")
        #expect(!text.contains("The book cannot fill") && !text.contains("ADL would follow"), "a fund of a million pays the floor: \(text)")
        #expect(text.contains("floor: past shown levels"), "the ladder's rows: \(text)")
    }

    @Test("a liquidation's view says where the walk stopped: past the levels shown, or where the fund could not stand behind more fills")
    func liquidationViewSaysWhy() throws {
        // A fund of 100 behind a long whose fills fall below bankruptcy: the walk stops where it is spent.
        var engine = Engine()
        engine.openFund(asset: "USDT", balance: Fixed(100))
        let bids = ["56900", "56800", "56700"].map { (units($0), units("5")) }
        engine.apply(.bookSnapshot(symbol: "BTCUSDT", bids: bids, asks: [(units("59510"), units("10"))], time: 1_000_000_000, shownLevels: 20))
        engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(59_505), time: 1_000_000_000))
        engine.apply(.position(PositionUpdate(account: "a", symbol: "BTCUSDT", side: .long, quantity: Fixed(10), entryPrice: Fixed(60_000),
            mode: .isolated, leverage: Fixed(20)), time: 1_000_000_000))
        var log = SessionLog()
        log.record(engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(56_000), time: 2_000_000_000)))
        let record = try #require(log.simulatedLiquidations.first)
        #expect(record.adlQuantity.isPositive && record.unfilledQuantity.isZero && record.pastShownQuantity.isZero, "\(record)")
        var status = SessionStatus(kind: "REPLAY", source: "test")
        status.time = engine.time
        let screen = AppModel(width: 200, height: 60, status: status, engine: engine, log: log)
        let text = LiquidationPane.describe(screen, record: record, rows: 50, width: 180).1.map(\.0).joined(separator: "\n")
        #expect(text.contains("The fund could not stand behind 9.000 more of the book's fills (it had 100.00 USDT before paying this one's deficit)"), "\(text)")
        // Past the levels a top-of-book feed shows.
        var past = Self.engine(shownLevels: 5)
        var pastLog = SessionLog()
        pastLog.record(past.apply(.mark(symbol: "BTCUSDT", price: Fixed(55_000), time: 4_000_000_000)))
        let pastRecord = try #require(pastLog.simulatedLiquidations.first)
        let pastScreen = AppModel(width: 200, height: 60, status: status, engine: past, log: pastLog)
        let pastText = LiquidationPane.describe(pastScreen, record: pastRecord, rows: 50, width: 180).1.map(\.0).joined(separator: "\n")
        #expect(pastText.contains("15.000 lay past the 5 levels the feed shows: settled at the deepest level shown (at bankruptcy where that is worse), no better than the book beyond: the deficit is a floor."),
            "\(pastText)")
        // Settled no better than bankruptcy: the fund is given no surplus from a book it cannot see.
        #expect(pastRecord.surplus + pastRecord.fee == ["59500", "59490", "59480", "59470", "59460"].reduce(Fixed.zero) { $0 + Fixed($1)! - Fixed(57_000) },
            "\(pastRecord.surplus) \(pastRecord.fee)")
        #expect(!pastText.contains("could not fill") && !pastText.contains("could not stand behind"), "\(pastText)")
        // The tape and the what-if list mark its deficit a floor; a whole book's stays bare.
        #expect(TapePane.deficitCell(pastRecord) == "≥0" && WhatIfPane.deficitCell(pastRecord) == "≥0.00")
        #expect(TapePane.deficitCell(record) == "100 +ADL", "\(TapePane.deficitCell(record))")
        // A second long, closed after the first took every level shown: no level left, not an empty book.
        var second = Self.engine(shownLevels: 5)
        second.apply(.position(PositionUpdate(account: "b", symbol: "BTCUSDT", side: .long, quantity: Fixed(3), entryPrice: Fixed(60_000),
            mode: .isolated, leverage: Fixed(20)), time: 3_000_000_000))
        var secondLog = SessionLog()
        secondLog.record(second.apply(.mark(symbol: "BTCUSDT", price: Fixed(55_000), time: 4_000_000_000)))
        let after = try #require(secondLog.simulatedLiquidations.first { $0.walk.isEmpty })
        #expect(after.pastShownQuantity.isPositive)
        let afterText = LiquidationPane.describe(AppModel(width: 200, height: 60, status: status, engine: second, log: secondLog),
            record: after, rows: 50, width: 180).1.map(\.0).joined(separator: "\n")
        #expect(afterText.contains("no level the feed shows was left on the closing side (earlier liquidations had taken them)"), "\(afterText)")
        #expect(!afterText.contains("the book had no level"), "\(afterText)")
        // The same close with a fund that could stand behind none of the settlement: nothing settled
        // past the levels shown, and still no claim of an empty book.
        var unsettled = after
        unsettled.pastShownQuantity = .zero
        let unsettledText = LiquidationPane.describe(AppModel(width: 200, height: 60, status: status, engine: second, log: secondLog),
            record: unsettled, rows: 50, width: 180).1.map(\.0).joined(separator: "\n")
        #expect(unsettledText.contains("no level the feed shows was left") && !unsettledText.contains("the book had no level"), "\(unsettledText)")
    }

    /// Two levels a side, shown two a side (or whole), warmed; then a long of 8 BTC liquidated into
    /// bids of 3 + 3, and the signals sampled a second later.
    static func emptiedBids(shownLevels: Int) -> Engine {
        var engine = Engine()
        engine.openFund(asset: "USDT", balance: Fixed(1_000_000))
        let second: Int64 = 1_000_000_000
        let warm = Int64(SignalThresholds().warmupSamples + 5)
        for time in 0..<warm {
            engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(59_505), time: time * second))
            engine.apply(.bookSnapshot(symbol: "BTCUSDT", bids: [(units("59500"), units("3")), (units("59490"), units("3"))],
                asks: [(units("59510"), units("3")), (units("59520"), units("3"))], time: time * second + 1, shownLevels: shownLevels))
        }
        engine.apply(.position(PositionUpdate(account: "a", symbol: "BTCUSDT", side: .long, quantity: Fixed(8), entryPrice: Fixed(60_000),
            mode: .isolated, leverage: Fixed(20)), time: warm * second))
        engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(57_000), time: warm * second + 5))
        engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(57_000), time: (warm + 1) * second + 5))
        return engine
    }

    @Test("bids the simulations emptied of every level shown: the signals and the ladder give the spread's floor, no empty side")
    func emptiedTopOfBook() {
        for (width, height) in [(80, 24), (120, 40), (200, 60)] {
            let text = model(width: width, height: height, engine: Self.emptiedBids(shownLevels: 2)).rendered().text
            #expect(text.contains("spread ≥20.00"), "the ladder at \(width)×\(height): \(text)")
            #expect(!text.contains("side empty") && !text.contains("spread —"), "\(text)")
            if width >= 120 {
                // The depth the feed shows, a floor, not judged (at 80×24 its rows give way to those judged).
                #expect(text.contains("≥0.00 USDT") && !text.contains("0.00 USDT  ALERT"), "at \(width)×\(height): \(text)")
                #expect(text.contains("≥3.36 bps"), "the signals pane: \(text)")
                if width == 200 { #expect(text.contains("(≥3.36 bps)"), "the ladder: \(text)") }
            }
            let whole = model(width: width, height: height, engine: Self.emptiedBids(shownLevels: 0)).rendered().text
            #expect(!whole.contains("≥") && whole.contains("spread —"), "\(whole)")
            if width >= 120 { #expect(whole.contains("side empty"), "\(whole)") }
        }
    }
}
