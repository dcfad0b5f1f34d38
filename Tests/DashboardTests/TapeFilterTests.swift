import Testing
@testable import Dashboard
import RiskEngine

/// The tape's filter (`/` on the tape, `d`): the lines it shows are exactly the log's kept lines
/// that match, newest first, however the log grew and let old lines go.
@Suite("The tape filters by account or symbol, and to deficits and ADL")
struct TapeFilterTests {
    /// The lines a filter must show, found the slow way: every kept line, merged, then matched.
    func expected(_ filter: TapeFilter, _ log: SessionLog) -> [TapeEntry] {
        TapeEntries.window(log, offset: 0, length: TapeEntries.count(log)).filter { entry in
            switch entry {
            case .simulated(let record): return filter.matches(record)
            case .exchange(let liquidation): return filter.matches(liquidation)
            }
        }
    }

    /// A log past its bound: `count` liquidations copied from a real one, every seventh with a
    /// deficit, every eleventh to ADL, and an exchange report every fifth.
    func longLog(_ count: Int, from template: LiquidationRecord, into log: inout SessionLog, startingAt first: Int = 0) {
        for index in first..<(first + count) {
            var record = template
            record.account = "acct-\(index)"
            record.symbol = index % 3 == 0 ? "binance-usdm:ETHUSDT" : "binance-usdm:BTCUSDT"
            record.time = Int64(index) * 1_000_000
            record.deficit = index % 7 == 0 ? Fixed(12) : .zero
            record.adlQuantity = index % 11 == 0 ? Fixed(1) : .zero
            record.fundTakeoverQuantity = .zero
            log.record(.liquidation(record))
            if index % 5 == 0 {
                log.record(.exchangeLiquidation(ExchangeLiquidation(symbol: "binance-usdm:ETHUSDT", side: .long, price: Fixed(3_000),
                    quantity: Fixed(1), time: Int64(index) * 1_000_000)))
            }
        }
    }

    @Test("as the log grows past its bound, a filter shows exactly its kept lines that match, in the tape's order")
    func followsTheLogPastItsBound() throws {
        let template = try #require(cascade(positions: 200).1.simulatedLiquidations.first)
        var log = SessionLog()
        longLog(3_000, from: template, into: &log)
        var byText = TapeFilter()
        byText.setText("ETH", log: log)
        var deficits = TapeFilter()
        deficits.setDeficitsOnly(true, log: log)
        var both = TapeFilter()
        both.setText("acct-1", log: log)
        both.setDeficitsOnly(true, log: log)
        for step in 0..<12 {
            for filter in [byText, deficits, both] {
                let want = expected(filter, log)
                #expect(filter.count == want.count, "step \(step)")
                #expect(filter.window(log, offset: 0, length: filter.count) == want, "step \(step)")
                #expect(filter.window(log, offset: 17, length: 40) == Array(want.dropFirst(17).prefix(40)), "step \(step)")
            }
            // 1,000 more: the log keeps 5,000 of each list, so the oldest go.
            longLog(1_000, from: template, into: &log, startingAt: 3_000 + step * 1_000)
            let appended = byText.refresh(log)
            let start = Int64(3_000 + step * 1_000) * 1_000_000
            #expect(appended == expected(byText, log).filter { $0.time >= start }.count, "the new lines that match: step \(step)")
            deficits.refresh(log)
            both.refresh(log)
        }
        #expect(log.simulatedCount == 15_000 && log.simulatedLiquidations.count == SessionLog.keep)
        #expect(deficits.count == expected(deficits, log).count && deficits.count > 0)
        // Exchange reports have no deficit the engine knows of: never among the deficits.
        #expect(!deficits.window(log, offset: 0, length: deficits.count).contains { if case .exchange = $0 { true } else { false } })
    }

    @Test("`/` on the focused tape filters it as typed; the title says the filter and how many lines it shows; Esc shows every line again")
    func slashOnTheTape() throws {
        var screen = cascadeModel(width: 200, height: 60)
        let total = TapeEntries.count(screen.log)
        let account = try #require(screen.log.simulatedLiquidations.last?.account)
        screen.focusPane(.tape)
        screen.press(.character("/"))
        for character in account { screen.press(.character(character)) }
        let matching = screen.log.simulatedLiquidations.filter { $0.account.lowercased().contains(account.lowercased()) }.count
        #expect(matching >= 1 && matching < total)
        #expect(screen.tapeCount == matching, "filtered as typed, before Enter")
        screen.press(.enter)
        #expect(screen.tapeCount == matching)
        let lines = screen.rendered().lines
        let title = lines[screen.layout.tape.y]
        #expect(title.contains("\"\(account)\": \(matching) shown"), "\(title)")
        let tape = screen.layout.tape.inset(1)
        let shown = lines[(tape.y + 1)..<(tape.y + 1 + min(matching, tape.height - 1))]
        #expect(shown.allSatisfy { $0.contains(account) }, "\(shown)")
        // The positions' filter is untouched.
        #expect(screen.filter.isEmpty)
        screen.press(.escape)
        #expect(screen.tapeCount == total)
        #expect(!screen.rendered().lines[screen.layout.tape.y].contains("\""))
    }

    @Test("`d` keeps the liquidations that left a deficit or went to ADL, from any pane; `d` again shows every one")
    func deficitsOnly() throws {
        // The cascade's book absorbs every liquidation: a few more that cost the fund, copied.
        let (engine, cascaded) = cascade(positions: 600)
        var log = cascaded
        let template = try #require(log.simulatedLiquidations.last)
        for index in 0..<9 {
            var record = template
            record.account = "costly-\(index)"
            record.time = engine.time
            if index % 3 == 0 { record.deficit = Fixed(250) } else if index % 3 == 1 { record.adlQuantity = Fixed(1) } else { record.fundTakeoverQuantity = Fixed(1) }
            log.record(.liquidation(record))
        }
        var status = SessionStatus(kind: "REPLAY", source: "test")
        status.time = engine.time
        var screen = AppModel(width: 120, height: 40, status: status, engine: engine, log: log)
        let total = TapeEntries.count(screen.log)
        let costly = screen.log.simulatedLiquidations.filter { $0.deficit.isPositive || $0.adlQuantity.isPositive || $0.fundTakeoverQuantity.isPositive }
        #expect(!costly.isEmpty && costly.count < total, "the cascade should have some of each: \(costly.count) of \(total)")
        screen.focusPane(.positions)
        screen.press(.character("d"))
        #expect(screen.tapeCount == costly.count)
        #expect(screen.focus == .positions)
        #expect(screen.rendered().lines[screen.layout.tape.y].contains("deficit or ADL: \(costly.count) shown"))
        let shown = screen.tapeWindow(offset: 0, length: screen.tapeCount)
        #expect(shown.allSatisfy { if case .simulated(let record) = $0 { record.account.hasPrefix("costly-") } else { false } })
        screen.press(.character("d"))
        #expect(screen.tapeCount == total)
    }

    @Test("filtered, the cursor stays on its liquidation while newer ones arrive, and Enter opens the one under it")
    func cursorAnchoredWhileFiltered() {
        var (engine, log) = cascade(positions: 400)
        var status = SessionStatus(kind: "REPLAY", source: "test")
        status.time = engine.time
        var screen = AppModel(width: 120, height: 40, status: status, engine: engine, log: log)
        screen.focusPane(.tape)
        screen.press(.character("/"), .character("B"), .character("T"), .character("C"), .enter)
        screen.press(.down, .down)
        let before = screen.tapeWindow(offset: screen.tapeCursor, length: 1).first
        log.record(engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(66_500), time: 5_000_000_000)))
        #expect(log.simulatedCount > screen.log.simulatedCount)
        _ = screen.update(.session(engine: engine, log: log, status: status))
        #expect(screen.tapeWindow(offset: screen.tapeCursor, length: 1).first == before)
        screen.press(.enter)
        guard case .liquidation(let opened) = screen.mode else { Issue.record("no liquidation opened"); return }
        #expect(opened == before)
    }

    @Test("with the tape focused the footer offers its filter and deficits-only, not the positions' sort")
    func footerWithTheTapeFocused() {
        var screen = cascadeModel(width: 120, height: 40)
        #expect(screen.rendered().lines.last?.contains("s/S sort") == true)
        screen.focusPane(.tape)
        let footer = screen.rendered().lines.last ?? ""
        #expect(footer.contains("/ filter tape") && footer.contains("d deficits/ADL") && !footer.contains("s/S sort"), "\(footer)")
    }

    @Test("a filter that matches nothing says so, with the count of the lines kept")
    func nothingMatches() {
        var screen = cascadeModel(width: 120, height: 40)
        screen.focusPane(.tape)
        screen.press(.character("/"))
        for character in "nobody-here" { screen.press(.character(character)) }
        screen.press(.enter)
        #expect(screen.tapeCount == 0)
        let text = screen.rendered().text
        #expect(text.contains("none of \(Format.count(TapeEntries.count(screen.log))) kept matches"), "\(text)")
    }
}

@Suite("The tape's deficits to the cent where there is room")
struct TapeDeficitCentsTests {
    func model(width: Int, height: Int, deficit: String) throws -> AppModel {
        let (engine, cascaded) = cascade(positions: 200)
        var log = cascaded
        var record = try #require(log.simulatedLiquidations.last)
        record.account = "costly"
        record.deficit = try #require(Fixed(deficit))
        log.record(.liquidation(record))
        var status = SessionStatus(kind: "REPLAY", source: "test")
        status.time = engine.time
        return AppModel(width: width, height: height, status: status, engine: engine, log: log)
    }

    @Test("161.85 reads 161.85 on the tape where the column has room (it read 162 beside a view and a report saying 161.85)", arguments: [(120, 40), (200, 60)])
    func cents(size: (Int, Int)) throws {
        let screen = try model(width: size.0, height: size.1, deficit: "161.85")
        let tape = screen.layout.tape.inset(1)
        let newest = screen.rendered().lines[tape.y + 1]
        #expect(newest.contains("161.85"), "\(newest)")
    }

    @Test("the side's word gives way before a deficit's cents: never `long … 538` beside a view saying 537.85", arguments: [(80, 24), (120, 40), (200, 60)])
    func wordBeforeCents(size: (Int, Int)) throws {
        var sawArrowOnly = false
        for deficit in ["537.85", "12,345.67", "1,234,567.89", "98,765,432.10"] {
            let screen = try model(width: size.0, height: size.1, deficit: deficit.replacingOccurrences(of: ",", with: ""))
            let tape = screen.layout.tape.inset(1)
            let newest = screen.rendered().lines[tape.y + 1]
            let hasWord = newest.contains(" long ") || newest.contains(" short ")
            #expect(!hasWord || newest.contains(deficit), "\(size) \(deficit): the word kept, the figure rounded: \(newest)")
            if !hasWord && newest.contains(deficit) { sawArrowOnly = true }
        }
        // Somewhere the exact figure needed the word's room (the test would pass with no word ever shown).
        if size.0 == 120 { #expect(sawArrowOnly, "at 120x40 no deficit needed the side's room") }
    }

    @Test("the deficit is never dropped for its cents: compact where the exact figure would cost a column")
    func compactWhenNarrow() throws {
        let screen = try model(width: 120, height: 40, deficit: "123456789012.89")
        let tape = screen.layout.tape.inset(1)
        let lines = screen.rendered().lines
        #expect(lines[tape.y].contains("deficit"), "\(lines[tape.y])")
        let newest = lines[tape.y + 1]
        #expect(newest.contains("123B"), "the exact figure costs a column here: \(newest)")
    }
}

@Suite("The liquidation view's quantities as the tape's")
struct LiquidationViewQuantityTests {
    @Test("a whole quantity reads 0.700 in the liquidation view, as on the tape (it read 4 where the tape read 4.000)")
    func quantitiesWithTheLotsPlaces() throws {
        var screen = cascadeModel(width: 120, height: 40)
        let record = try #require(screen.log.simulatedLiquidations.last)
        let instrument = screen.engine.market(record.symbol)?.instrument
        let shown = Format.quantity(record.quantity, instrument)
        #expect(shown.contains("."), "\(shown)")
        screen.focusPane(.tape)
        screen.press(.enter)
        let text = screen.rendered().text
        #expect(text.contains("\(shown) closed"), "\(text)")
        #expect(text.contains("filled \(Format.quantity(record.filledQuantity, instrument)) of \(shown)"), "\(text)")
    }
}

@Suite("The positions' sizes line up on their points")
struct PositionSizePlacesTests {
    @Test("one market's sizes on screen share the places the one needing most has; another market keeps its own")
    func sharedPlaces() {
        var engine = Engine()
        engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(60_000), time: 1_000_000_000))
        engine.apply(.mark(symbol: "ETHUSDT", price: Fixed(3_000), time: 1_000_000_000))
        for (index, size) in ["0.03452", "0.0029", "0.00111", "1"].enumerated() {
            engine.apply(.position(PositionUpdate(account: "b\(index)", symbol: "BTCUSDT", side: .long, quantity: Fixed(size)!,
                entryPrice: Fixed(60_000), mode: .isolated, leverage: Fixed(10)), time: 1_000_000_000))
        }
        engine.apply(.position(PositionUpdate(account: "e", symbol: "ETHUSDT", side: .long, quantity: Fixed(2),
            entryPrice: Fixed(3_000), mode: .isolated, leverage: Fixed(10)), time: 1_000_000_000))
        let rows = engine.positions.indices.map { PositionTable.row(of: Int32($0), in: engine, adl: nil) }
        let places = PositionsPane.sizePlaces(rows, engine)
        #expect(places[rows[0].symbol] == 5, "\(places)")
        #expect(places[rows[4].symbol] == 3, "\(places)")
        let texts = rows.map { PositionsPane.cellText($0, .size, instrument: engine.market($0.symbol)?.instrument, names: MarketNames(),
            sizeDecimals: places[$0.symbol]) }
        #expect(texts == ["0.03452", "0.00290", "0.00111", "1.00000", "2.000"], "\(texts)")
    }
}
