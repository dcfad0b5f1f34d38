import Testing
@testable import Dashboard
import RiskEngine

/// A cascade: `count` positions around 60,000, then the mark falls 10 %, liquidating most longs
/// through the book. The engine and the log the dashboard would be given.
func cascade(positions count: Int, fallTo price: Int = 54_000) -> (Engine, SessionLog) {
    var engine = engine(positions: count)
    var log = SessionLog()
    log.record(engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(price), time: 4_000_000_000)))
    return (engine, log)
}

func cascadeModel(width: Int = 120, height: Int = 40, positions: Int = 600) -> AppModel {
    let (engine, log) = cascade(positions: positions)
    var status = SessionStatus(kind: "REPLAY", source: "test")
    status.time = engine.time
    return AppModel(width: width, height: height, status: status, engine: engine, log: log)
}

extension AppModel {
    mutating func press(_ keys: Key...) { for key in keys { _ = update(.key(key)) } }
    mutating func focusPane(_ pane: PaneID) {
        for _ in 0..<8 where focus != pane { press(.tab) }
    }
}

@Suite("Every list pane scrolls; the tape opens a liquidation")
struct ListPaneTests {
    @Test("the positions title says the cursor's row once it is off the first (a list scrolled mid-way looked like its top)")
    func positionsRow() {
        var screen = cascadeModel(width: 200, height: 60)
        screen.focusPane(.positions)
        #expect(!screen.rendered().lines.joined().contains("· row "))
        for _ in 0..<40 { screen.press(.down) }
        let title = screen.rendered().lines[screen.layout.positions.y]
        #expect(title.contains("· row 41"), "\(title)")
        screen.press(.tab)
        #expect(!screen.rendered().lines[screen.layout.positions.y].contains("· row "), "only while the list is focused")
    }

    @Test("the tape scrolls through every liquidation the log keeps, not only the newest 200")
    func tapeScrollsWholeLog() {
        var screen = cascadeModel(width: 200, height: 60)
        let total = screen.log.simulatedLiquidations.count
        #expect(total > 250, "the cascade should liquidate more than the old 200-row window: \(total)")
        screen.focusPane(.tape)
        screen.press(.end)
        #expect(screen.tapeCursor == total - 1)
        let text = screen.rendered().text
        // The oldest liquidation is on screen, with its account.
        let oldest = screen.log.simulatedLiquidations[0]
        #expect(text.contains(oldest.account), "the oldest liquidation's account on the tape")
        screen.press(.home)
        #expect(screen.tapeCursor == 0)
        // A page is the rows the tape shows (a fixed ten: operator trial).
        let page = AppModel.listRows(in: screen.layout.tape)
        #expect(page > 10, "\(page)")
        screen.press(.pageDown, .character("j"))
        #expect(screen.tapeCursor == page + 1)
    }

    @Test("the tape names the account at 120 columns and drops it before a figure at 80")
    func tapeAccountColumn() {
        let wide = cascadeModel(width: 200, height: 60).rendered().text
        #expect(wide.contains("account"))
        let screen = cascadeModel(width: 80, height: 24)
        let lines = screen.rendered().lines
        let tape = screen.layout.tape.inset(1)
        let header = String(lines[tape.y].unicodeScalars.dropFirst(tape.x).prefix(tape.width))
        #expect(header.contains("qty") && header.contains("deficit") && !header.contains("account"), "\(header)")
    }

    @Test("the tape's cursor stays on its liquidation while newer ones arrive")
    func tapeCursorAnchored() {
        var (engine, log) = cascade(positions: 400)
        var status = SessionStatus(kind: "REPLAY", source: "test")
        status.time = engine.time
        var screen = AppModel(width: 120, height: 40, status: status, engine: engine, log: log)
        screen.focusPane(.tape)
        screen.press(.down, .down, .down)
        guard case .simulated(let before)? = TapeEntries.window(screen.log, offset: screen.tapeCursor, length: 1).first else {
            Issue.record("no liquidation under the cursor"); return
        }
        // The shorts go as the mark rises far above: newer rows push the selected one down.
        log.record(engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(66_500), time: 5_000_000_000)))
        #expect(log.simulatedCount > screen.log.simulatedCount)
        _ = screen.update(.session(engine: engine, log: log, status: status))
        guard case .simulated(let after)? = TapeEntries.window(screen.log, offset: screen.tapeCursor, length: 1).first else {
            Issue.record("no liquidation under the cursor after the update"); return
        }
        #expect(after == before)
    }

    @Test("the rows a pane cannot show, on its bottom border: shorter where the pane is narrow, never cut")
    func hiddenRowsLabel() {
        // The tape at 80×24 (17 cells) scrolled to a middle row said nothing (operator trial): arrows.
        for (width, above, expected) in [(40, 3, " 3 above · 830 more below "), (19, 0, " 830 below "), (17, 20, " ↑20 · ↓830 "),
                                          (10, 0, " ↓830 "), (7, 0, nil)] {
            var buffer = Buffer(width: width + 2, height: 5)
            buffer.box(Rect(x: 0, y: 0, width: width + 2, height: 5), title: "", focused: false)
            TableRows.markHidden(above: above, below: 830, in: Rect(x: 1, y: 1, width: width, height: 3), &buffer)
            let border = buffer.lines[4]
            if let expected { #expect(border.contains(expected), "\(width): \(border)") } else { #expect(!border.contains("830"), "\(border)") }
        }
    }

    @Test("the position view at 80 columns cuts no figure: its formulas go, then its sentences wrap, and every figure on it is one the 120-column view shows whole")
    func detailCutsNoFigure() {
        func detail(width: Int, height: Int) -> [String] {
            var screen = cascadeModel(width: width, height: height)
            screen.focusPane(.positions)
            screen.press(.down, .down, .enter)
            guard case .detail = screen.mode else { Issue.record("no position view at \(width)"); return [] }
            return screen.rendered().text.components(separatedBy: "\n")
        }
        // Figures as the panes write them: digits with separators and decimals.
        let figure = /[0-9][0-9,]*(?:\.[0-9]+)?/
        // The counts of rows a pane behind the view cannot show depend on its height, not on the view.
        let hidden = /[0-9,]+ (?:more )?below|[0-9,]+ above/
        func figures(_ lines: [String]) -> [String] {
            lines.flatMap { $0.replacing(hidden, with: "").matches(of: figure).map { String($0.output) } }
        }
        let narrow = detail(width: 80, height: 24)
        let wide = Set(figures(detail(width: 120, height: 40)))
        #expect(narrow.contains { $0.contains("maintenance") } && narrow.contains { $0.contains("If liquidated now") })
        let cut = figures(narrow).filter { !wide.contains($0) }
        #expect(cut.isEmpty, "figures at 80 columns not whole at 120: \(cut)")
    }

    @Test("the position view's ADL rank counts its side with thousands separators (it read #168 of 1037 longs; operator trial)")
    func detailRankGrouped() {
        var screen = cascadeModel(width: 200, height: 60, positions: 16_000)
        screen.focusPane(.positions)
        screen.press(.enter)
        screen.press(.end)
        let text = screen.rendered().text
        guard let line = text.split(separator: "\n").first(where: { $0.contains("ADL queue:") }),
              let match = line.firstMatch(of: /of ≈?([0-9][0-9,]*) (long|short)s/) else {
            Issue.record("no ADL rank in the position view:\n\(text)")
            return
        }
        // Near its liquidation, in loss: a score of 0, tied with every other such position, so its
        // place is not a rank (it read "#5 of 1,079", as if next in line), but after those in profit.
        #expect(line.contains(" in profit") && line.contains(", of ") && (line.contains("after the ") || line.contains("tied with every other")) && !line.contains("#"), "\(line)")
        let count = String(match.output.1)
        #expect(Int(count.replacingOccurrences(of: ",", with: ""))! >= 1_000, "a side of \(count): too few to show a separator")
        #expect(count.contains(","), "\(line)")
    }

    @Test("at 80×24 the position view scrolls to its last line (the ADL rank, the account) and the list behind keeps its cursor")
    func detailScrolls() {
        // A whale beside the cascade: its walk takes many levels, its view more lines than fit.
        var (engine, log) = cascade(positions: 600)
        engine.apply(.position(PositionUpdate(account: "whale", symbol: "BTCUSDT", side: .long, quantity: Fixed(40),
            entryPrice: Fixed(54_100), mode: .isolated, leverage: Fixed(5)), time: engine.time))
        var status = SessionStatus(kind: "REPLAY", source: "test")
        status.time = engine.time
        var screen = AppModel(width: 80, height: 24, status: status, engine: engine, log: log)
        screen.focusPane(.positions)
        guard let whale = screen.visibleRows.firstIndex(where: { $0.account == "whale" }) else { Issue.record("no whale row"); return }
        for _ in 0..<whale { screen.press(.down) }
        let cursor = screen.cursor
        #expect(cursor == whale)
        screen.press(.enter)
        guard case .detail(let position) = screen.mode else { Issue.record("no position view"); return }
        let top = screen.rendered().text
        #expect(top.contains("scroll"), "the title says the view scrolls:\n\(top)")
        #expect(!top.contains("Account "), "the account's line is below the edge at first:\n\(top)")
        screen.press(.down, .down)
        #expect(screen.detailScroll == 2)
        screen.press(.end)
        let bottom = screen.rendered().text
        #expect(bottom.contains("ADL queue:") && bottom.contains("Account "), "\(bottom)")
        screen.press(.home)
        #expect(screen.detailScroll == 0)
        screen.press(.escape)
        #expect(screen.cursor == cursor, "keys in the view moved the list's cursor")
        screen.press(.enter)
        #expect({ if case .detail(position) = screen.mode { return true } else { return false } }(), "Enter opens the same position again")
    }

    @Test("a window of a large book keeps 'of all' in its title at every width (at 80 columns it read 1000/1000)")
    func windowTitleSaysOfAll() {
        for (width, height) in [(80, 24), (120, 40), (200, 60)] {
            let screen = cascadeModel(width: width, height: height, positions: 6_000)
            #expect(screen.table.windowed)
            let total = Format.count(screen.table.matchingPositions)
            let title = screen.rendered().lines.first { $0.contains("riskiest first") } ?? ""
            #expect(title.contains("of \(total)") || title.contains("of ≈"), "\(width)×\(height): \(title)")
            #expect(!title.contains("1000/1000"), "\(width)×\(height): \(title)")
        }
    }

    @Test("a window chosen for a filter that matches nothing says no position matches, not that none is monitored")
    func windowFilterMatchingNothing() {
        var screen = cascadeModel(width: 120, height: 40, positions: 6_000)
        #expect(screen.table.windowed)
        let open = screen.table.openPositions
        #expect(open > 1_000)
        screen.focusPane(.positions)
        screen.press(.character("/"))
        for character in "WHALE" { screen.press(.character(character)) }
        screen.press(.enter)
        while screen.table.isRebuilding { screen.completePendingWork(budget: .unbounded) }
        let text = screen.rendered().text
        #expect(screen.visibleRows.isEmpty)
        #expect(text.contains("no position matches the filter") && !text.contains("no monitored positions"), "\(text)")
        #expect(text.contains("first 0 of 0 matching"), "\(text)")
        #expect(screen.table.openPositions == open)
    }

    @Test("a window whose rows have closed since it was chosen says how many in its title, at every width")
    func windowSaysRowsClosedSinceChosen() {
        for (width, height) in [(80, 24), (120, 40), (200, 60)] {
            var screen = cascadeModel(width: width, height: height, positions: 6_000)
            var moved = screen.engine
            for row in screen.visibleRows.prefix(3) {
                let position = moved.positions[Int(row.index)]
                moved.apply(.position(PositionUpdate(account: row.account, symbol: row.symbol, side: position.side, quantity: .zero,
                    entryPrice: position.entryPrice, mode: position.mode, leverage: Fixed(10)), time: moved.time))
            }
            _ = screen.update(.session(engine: moved, log: screen.log, status: screen.status))
            let title = screen.rendered().lines.first { $0.contains("riskiest first") } ?? ""
            #expect(title.contains("3 closed"), "\(width)×\(height): \(title)")
        }
    }

    @Test("Enter on a tape row opens the liquidation: its book walk level by level, the money, the account; Enter again the position")
    func tapeDetail() {
        var screen = cascadeModel()
        screen.focusPane(.tape)
        screen.press(.end)
        screen.press(.enter)
        guard case .liquidation(.simulated(let record)) = screen.mode else { Issue.record("no liquidation view: \(screen.mode)"); return }
        let text = screen.rendered().text
        #expect(text.contains("Liquidation · \(record.account)"))
        #expect(text.contains("Book walk: \(record.levelsConsumed) level"))
        // Every level the walk took is listed, best first, and they add up to the filled quantity.
        #expect(!record.walk.isEmpty && record.walk.count == min(record.levelsConsumed, LiquidationRecord.keptLevels))
        let walked = record.walk.reduce(Int64(0)) { $0 + $1.size }
        if record.levelsConsumed <= LiquidationRecord.keptLevels { #expect(Fixed(bookUnits: walked) == record.filledQuantity) }
        #expect(text.contains(Fixed(bookUnits: record.walk[0].price).formatted(2, grouping: true)))
        #expect(text.contains("fund after"))
        screen.press(.enter)
        guard case .detail(let position) = screen.mode else { Issue.record("Enter did not open the position"); return }
        #expect(position == record.position)
        // Back to the liquidation it was opened from, then to the dashboard.
        screen.press(.escape)
        #expect({ if case .liquidation = screen.mode { return true } else { return false } }())
        screen.press(.escape)
        #expect({ if case .normal = screen.mode { return true } else { return false } }())
    }

    @Test("a liquidation beyond bankruptcy marks the levels that lost, and names the deficit")
    func deficitDetail() {
        // One long of 1 BTC at 20x over a book with 0.01 at the touch and the rest 15 % lower.
        var engine = Engine()
        engine.openFund(asset: "USDT", balance: Fixed(50_000))
        engine.apply(.bookSnapshot(symbol: "BTCUSDT", bids: [(units("59999.9"), units("0.01")), (units("51000"), units("100"))],
            asks: [(units("60000"), units("5"))], time: 1_000_000_000))
        engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(60_000), time: 1_000_000_000))
        engine.apply(.position(PositionUpdate(account: "whale", symbol: "BTCUSDT", side: .long, quantity: Fixed(1), entryPrice: Fixed(60_000),
            mode: .isolated, leverage: Fixed(20)), time: 1_100_000_000))
        var log = SessionLog()
        log.record(engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(56_000), time: 2_000_000_000)))
        guard let record = log.simulatedLiquidations.first(where: { $0.deficit.isPositive }) else {
            Issue.record("the cascade had no deficit"); return
        }
        var status = SessionStatus(kind: "REPLAY", source: "test")
        status.time = engine.time
        let screen = AppModel(width: 200, height: 60, status: status, engine: engine, log: log)
        let (_, lines) = LiquidationPane.describe(screen, record: record, rows: 50, width: 180)
        let text = lines.map(\.0).joined(separator: "\n")
        #expect(text.contains("beyond bankruptcy"))
        #expect(text.contains("Deficit \(Format.money(record.deficit)) USDT"))
        #expect(text.contains("filled notional \(Format.money(record.notional)) USDT"), "\(text)")
        // Beyond bankruptcy nothing is left for the fee: it is capped, and the line says so.
        let full = MarginMath.liquidationFee(notional: record.notional, rate: engine.market("BTCUSDT")!.instrument.liquidationFeeRate)
        #expect(record.fee < full && text.contains("(capped at what the close left; the rate gives \(Format.money(full)) USDT)"), "\(text)")
        var uncapped = record
        uncapped.fee = full
        #expect(!LiquidationPane.describe(screen, record: uncapped, rows: 50, width: 180).1.map(\.0).joined().contains("capped"))
        // The same position over a book with no bids at all: nothing filled, so no notional traded
        // (it read "notional 0.00 USDT" for a position worth 60,000).
        var empty = record
        empty.filledQuantity = .zero
        empty.notional = .zero
        empty.walk = []
        let (_, unfilled) = LiquidationPane.describe(screen, record: empty, rows: 50, width: 180)
        let unfilledText = unfilled.map(\.0).joined(separator: "\n")
        #expect(unfilledText.contains("nothing filled by the book") && !unfilledText.contains("notional 0.00"), "\(unfilledText)")
    }

    @Test("the what-if list scrolls and names market and account")
    func whatIfScrolls() {
        var screen = model(width: 80, height: 24, engine: engine(positions: 300))
        screen.press(.character("x"))
        for character in "-8" { screen.press(.character(character)) }
        screen.press(.enter)
        guard case .whatIf(let result, _) = screen.mode else { Issue.record("no what-if"); return }
        #expect(result.liquidations.count > 20)
        var text = screen.rendered().text
        #expect(text.contains("account") && text.contains(result.liquidations[0].account))
        #expect(text.contains("Liquidations in trigger order: 1–"))
        screen.press(.end)
        text = screen.rendered().text
        #expect(text.contains(result.liquidations[result.liquidations.count - 1].account))
        #expect(text.contains("of \(result.liquidations.count)"))
        screen.press(.home)
        #expect(screen.whatIfScroll == 0)
        // A page is the rows the list shows: PgDn puts the row after the last shown at the top
        // (a fixed ten was more than the list's rows at 80×24).
        func shownRange(_ text: String) -> (Int, Int)? {
            guard let line = text.split(separator: "\n").first(where: { $0.contains("Liquidations in trigger order: ") }),
                let range = line.split(separator: ":").last?.split(separator: " ").first else { return nil }
            let ends = range.split(separator: "–").compactMap { Int($0.replacingOccurrences(of: ",", with: "")) }
            return ends.count == 2 ? (ends[0], ends[1]) : nil
        }
        let firstPage = try! #require(shownRange(screen.rendered().text))
        #expect(firstPage.0 == 1 && firstPage.1 < 10, "a what-if list of fewer than ten rows at 80×24: \(firstPage)")
        screen.press(.pageDown)
        let secondPage = try! #require(shownRange(screen.rendered().text))
        #expect(secondPage.0 == firstPage.1 + 1)
        screen.press(.pageUp)
        #expect(try! #require(shownRange(screen.rendered().text)).0 == 1)
        // After G one k moves the list one row (it stood still until the scroll came back in range).
        screen.press(.end)
        let bottom = try! #require(shownRange(screen.rendered().text))
        #expect(bottom.1 == result.liquidations.count)
        screen.press(.character("k"))
        #expect(try! #require(shownRange(screen.rendered().text)).0 == bottom.0 - 1)
        screen.press(.home)
        // −99 % is a shock like any other (a 100 % fall is not: the mark would be zero).
        screen.press(.escape, .character("x"))
        for character in "-99" { screen.press(.character(character)) }
        screen.press(.enter)
        #expect({ if case .whatIf = screen.mode { return true } else { return false } }(), "−99 % refused: \(screen.notice ?? "")")
    }

    /// Before a session's first positions, a 99.99 % fall read `0 liquidations`, `Total deficit
    /// 0.00` and `No ADL`, as if the book absorbed it (operator trial).
    @Test("a what-if of a market with no monitored position says so, not `No ADL`")
    func whatIfWithoutPositions() {
        var screen = model(width: 120, height: 40, engine: engine(positions: 0))
        screen.press(.character("x"))
        for character in "-99" { screen.press(.character(character)) }
        screen.press(.enter)
        let text = screen.rendered().text
        #expect(text.contains("No monitored position in this market yet: nothing to liquidate") && !text.contains("No ADL"), "\(text)")
    }

    @Test("the what-if list's columns stay as they are while scrolling: laid out over every row, not each page")
    func whatIfColumnsStable() throws {
        var screen = model(width: 80, height: 24, engine: engine(positions: 300))
        screen.press(.character("x"))
        for character in "-8" { screen.press(.character(character)) }
        screen.press(.enter)
        guard case .whatIf(let result, _) = screen.mode else { Issue.record("no what-if"); return }
        #expect(result.liquidations.count >= 100, "row numbers of one to three digits: \(result.liquidations.count)")
        func header(_ text: String) -> String? { text.split(separator: "\n").first { $0.contains("account") && $0.contains("qty") }.map(String.init) }
        let top = try #require(header(screen.rendered().text))
        for _ in 0..<40 { screen.press(.pageDown) }
        let middle = try #require(header(screen.rendered().text))
        screen.press(.end)
        let bottom = try #require(header(screen.rendered().text))
        #expect(top == middle && middle == bottom, "\n\(top)\n\(middle)\n\(bottom)")
        // Sized for the widest row number from the first page on.
        let layout = try #require(screen.whatIfLayout)
        let widest = Format.count(result.liquidations.count).count
        #expect(layout.widths[0] == widest)
        #expect(top.contains(String(repeating: " ", count: widest - 1) + "#  "), "\(top)")
    }

    @Test("the what-if list names another market's leg of a cross account at 80×24")
    func whatIfOtherMarketsLeg() {
        // A cross account long 1.23 KEEP and 10.12 SUSHI (8-decimal sizes, as a learnt instrument's) on a
        // wallet of 4,000: a −10 % KEEP shock liquidates both legs; the SUSHI leg must not read as KEEP's.
        var engine = Engine()
        engine.openFund(asset: "USDT", balance: Fixed(10))
        for (symbol, bid, ask, mark) in [("KEEPUSDT", "59990", "60010", 60_000), ("SUSHIUSDT", "2999", "3001", 3_000)] {
            engine.apply(.bookSnapshot(symbol: symbol, bids: [(units(bid), units("50"))], asks: [(units(ask), units("50"))], time: 1_000_000_000))
            engine.apply(.mark(symbol: symbol, price: Fixed(mark), time: 1_000_000_000))
        }
        for (symbol, size, entry) in [("KEEPUSDT", "1.23456789", 60_000), ("SUSHIUSDT", "10.12345678", 3_000)] {
            engine.apply(.position(PositionUpdate(account: "X-1000413", symbol: symbol, side: .long, quantity: Fixed(size)!, entryPrice: Fixed(entry),
                mode: .cross, walletBalance: Fixed(4_000)), time: 1_000_000_000))
        }
        var status = SessionStatus(kind: "REPLAY", source: "test")
        status.time = engine.time
        var screen = AppModel(width: 80, height: 24, status: status, engine: engine, log: SessionLog(), symbol: "KEEPUSDT")
        screen.press(.character("x"))
        for character in "-10" { screen.press(.character(character)) }
        screen.press(.enter)
        guard case .whatIf(let result, _) = screen.mode else { Issue.record("no what-if: \(screen.notice ?? "")"); return }
        #expect(result.liquidations.contains { $0.symbol.hasSuffix("SUSHIUSDT") }, "\(result.liquidations.map(\.symbol))")
        #expect(WhatIfPane.listColumns[WhatIfPane.listMarketColumn].title == "market"
            && WhatIfPane.listColumns[WhatIfPane.listElsewhereColumn].title == "to ADL")
        // Each row of the list names its market (the other panes name both markets anyway).
        let rows = screen.rendered().lines.filter { $0.contains("X-1000413") || $0.contains("X-10004…") }
        #expect(rows.count == result.liquidations.count, "\(screen.rendered().text)")
        #expect(rows.contains { $0.contains("SUSHI") } && rows.contains { $0.contains("KEEP") }, "\(rows)")
    }

    @Test("the what-if list's quantities of one market line up in one number of places")
    func whatIfQuantitiesAligned() {
        var engine = Engine()
        engine.openFund(asset: "USDT", balance: Fixed(1_000_000))
        engine.apply(.bookSnapshot(symbol: "BTCUSDT", bids: [(units("59990"), units("50"))], asks: [(units("60010"), units("50"))], time: 1_000_000_000))
        engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(60_000), time: 1_000_000_000))
        for (account, size) in [("a", "0.063"), ("b", "0.01629")] {
            engine.apply(.position(PositionUpdate(account: account, symbol: "BTCUSDT", side: .long, quantity: Fixed(size)!, entryPrice: Fixed(60_000),
                mode: .isolated, leverage: Fixed(20)), time: 1_000_000_000))
        }
        var screen = model(width: 120, height: 40, engine: engine)
        screen.press(.character("x"))
        for character in "-10" { screen.press(.character(character)) }
        screen.press(.enter)
        let text = screen.rendered().text
        // `0.063` beside `0.01629` read as misaligned figures (operator trial): both with five places.
        #expect(text.contains("0.06300") && text.contains("0.01629"), "\(text)")
    }

    @Test("s sorts only by columns on screen: at 80×24 it never picks one the pane dropped")
    func sortSkipsHiddenColumns() {
        var screen = model(width: 80, height: 24, engine: engine(positions: 40))
        let inner = screen.layout.positions.inset(1)
        let shown = Set(PositionsPane.visibleColumns(screen, inner: inner).columns.map(\.column))
        #expect(shown.count < PositionColumn.allCases.count - 1)
        var seen: [PositionColumn] = []
        for _ in 0..<PositionColumn.allCases.count {
            screen.press(.character("s"))
            seen.append(screen.sortColumn)
        }
        for column in seen { #expect(column == .risk || shown.contains(column), "sorted by hidden \(column)") }
        #expect(Set(seen) == shown.union([.risk]))
    }

    @Test("s always comes back to riskiest first, whatever column the rows are sorted by, shown or not")
    func sortCycleReturnsToRisk() {
        for start in PositionColumn.allCases {
            var screen = model(width: 80, height: 24, engine: engine(positions: 40))
            screen.sortColumn = start
            var seen: [PositionColumn] = []
            for _ in 0..<PositionColumn.allCases.count where screen.sortColumn != .risk || seen.isEmpty {
                screen.press(.character("s"))
                seen.append(screen.sortColumn)
            }
            // A column not on screen started the cycle again at the first offered, and four
            // columns went round for ever in a replay of four markets (operator trial).
            #expect(seen.last == .risk, "from \(start): \(seen)")
            #expect(Set(seen).count == seen.count, "from \(start), a column came twice: \(seen)")
        }
        // Counted from the current column's place in the whole order.
        let order = PositionColumn.allCases
        #expect(AppModel.nextColumn(after: .leverage, in: order) { [.risk, .account, .symbol, .ratio].contains($0) } == .ratio)
        #expect(AppModel.nextColumn(after: .adl, in: order) { [.risk, .account].contains($0) } == .risk)
        #expect(AppModel.nextColumn(after: .risk, in: order) { _ in false } == .risk)
    }

    @Test("with several markets, a long market name shortens before the size goes (at 120 columns `UNI-USD-SWAP` whole cost the size, and `lev` came back)")
    func sizeOutlastsALongName() {
        let widest: [PositionColumn: Int] = [.account: 9, .symbol: 12, .size: 7, .ratio: 14, .liquidation: 10, .distance: 6, .deficit: 7]
        let chosen = PositionsPane.fitting(78, widest: widest, severalMarkets: true)
        let columns = chosen.map(\.column)
        #expect(columns.contains(.size) && columns.contains(.symbol) && columns.contains(.distance) && columns.contains(.deficit), "\(columns)")
        #expect(!columns.contains(.leverage) || columns.contains(.size))
        #expect(chosen.reduce(0) { $0 + $1.width + 1 } <= 78)
    }

    @Test("the column the rows are sorted by stays on screen while names still fit")
    func sortedColumnKept() {
        let narrow = PositionsPane.fitting(60).map(\.column)
        #expect(!narrow.contains(.leverage))
        let sorted = PositionsPane.fitting(60, sortedBy: .leverage).map(\.column)
        #expect(sorted.contains(.leverage) && sorted.contains(.ratio) && sorted.contains(.liquidation), "\(sorted)")
        // Kept, the width still holds: no figure is cut.
        #expect(PositionsPane.fitting(60, sortedBy: .leverage).reduce(0) { $0 + $1.width + 1 } <= 60)
        // But never in the deficit's place: at 80×24 (a pane 40 wide) sorted by side the arrows
        // took the deficit's room (operator trial); of the two the sorted column goes first.
        for column in [PositionColumn.side, .leverage, .size, .distance] {
            let small = PositionsPane.fitting(40, sortedBy: column).map(\.column)
            #expect(small.contains(.deficit) && small.contains(.ratio) && small.contains(.liquidation), "\(column): \(small)")
        }
    }

    @Test("the mouse: a click focuses a pane and selects the row; a click on the selected row opens it; the wheel scrolls")
    func mouse() {
        var screen = cascadeModel()
        let layout = screen.layout
        let tape = layout.tape.inset(1)
        // The third row of the tape (under its header).
        _ = screen.update(.mouse(.click(x: tape.x + 2, y: tape.y + 3)))
        #expect(screen.focus == .tape && screen.tapeCursor == 2)
        _ = screen.update(.mouse(.click(x: tape.x + 2, y: tape.y + 3)))
        #expect({ if case .liquidation = screen.mode { return true } else { return false } }())
        // Outside the view, a click closes it.
        _ = screen.update(.mouse(.click(x: 0, y: 0)))
        #expect({ if case .normal = screen.mode { return true } else { return false } }())
        let positions = layout.positions.inset(1)
        _ = screen.update(.mouse(.wheelDown(x: positions.x + 1, y: positions.y + 2)))
        #expect(screen.focus == .positions && screen.cursor == 3)
        _ = screen.update(.mouse(.wheelUp(x: positions.x + 1, y: positions.y + 2)))
        #expect(screen.cursor == 0)
    }

    @Test("a cut name says so with …; a name that fits is left whole")
    func names() {
        #expect(Format.name("account-with-a-long-name", 10) == "account-w…")
        #expect(Format.name("short", 10) == "short     ")
        // An account keeps both ends: numbered alike, accounts differ at the end.
        #expect(Format.middleName("I-3007412", 8) == "I-30…412")
        #expect(Format.middleName("I-3000412", 7) == "I-3…412" && Format.middleName("I-3000413", 7) == "I-3…413")
        #expect(Format.middleName("I-3000412", 9) == "I-3000412" && Format.middleName("ab", 4) == "ab  ")
        #expect(Format.middleName("账户账户账户", 7) == "账…账户" && DisplayWidth.of(Format.middleName("账户账户账户", 7)) == 7, "\(Format.middleName("账户账户账户", 7).debugDescription)")
        // A mark with no composed form is a placeholder cell, measured so when the name is cut:
        // the cut name takes the column's width as drawn, not one cell more (review).
        let cut = Format.name("alice\u{334}bobby", 8)
        var buffer = Buffer(width: 12, height: 1)
        #expect(buffer.put(cut, x: 0, y: 0) == 8 && DisplayWidth.of(cut) == 8, "\(cut)")
        #expect(Format.wordsThatFit("skipped 3y 12d with no event, to 2024-08-08T23:56:10.000Z", 40) == "skipped 3y 12d with no event, to …")
        // A closing aside goes whole first (`· paused (space plays on` at 80 columns).
        let alert = "→ 23:56:28.000: alert BTCUSDT stressed deficit vs fund · paused (space plays on)"
        #expect(Format.wordsThatFit(alert, 79) == "→ 23:56:28.000: alert BTCUSDT stressed deficit vs fund · paused")
        #expect(Format.wordsThatFit(alert, 80) == alert)
        #expect(Format.wordsThatFit(alert, 40) == "→ 23:56:28.000: alert BTCUSDT stressed …")
        // An aside with figures, or nested, is words like the others.
        let landing = "→ 23:56:17.250: 3 liquidations (1 with a deficit, 2 to ADL)"
        #expect(Format.wordsThatFit(landing, 50) == "→ 23:56:17.250: 3 liquidations (1 with a …")
        #expect(Format.wordsThatFit("alpha beta (gamma (delta))", 20) == "alpha beta (gamma …")
        // On a pane that is no list the hints name what the keys act on: the positions.
        var ladderFocused = model(width: 120, height: 40, engine: engine(positions: 10))
        ladderFocused.focusPane(.ladder)
        let hints = ladderFocused.rendered().text.split(separator: "\n").last.map(String.init) ?? ""
        #expect(hints.contains("↑↓ positions") && hints.contains("/ filter positions") && !hints.contains("Enter detail"), "\(hints)")
        ladderFocused.focusPane(.tape)
        #expect(ladderFocused.rendered().text.split(separator: "\n").last?.contains("Enter detail") == true)
        // The footer leaves the screen's last cell alone, and fits its notice to the cells before it.
        var screen = model(width: 80, height: 24, engine: engine(positions: 10))
        screen.notice = alert
        let footer = screen.rendered().text.split(separator: "\n", omittingEmptySubsequences: false)[23]
        #expect(footer.trimmingCharacters(in: .whitespaces) == "→ 23:56:28.000: alert BTCUSDT stressed deficit vs fund · paused", "\(footer)")
    }
}

@Suite("The liquidation view at 80×24")
struct NarrowLiquidationViewTests {
    @Test("its sentences wrap between words: every grouped figure on screen is whole")
    func noCutFigures() throws {
        var screen = cascadeModel(width: 80, height: 24)
        screen.focusPane(.tape)
        screen.press(.enter)
        guard case .liquidation(.simulated(let record)) = screen.mode else { Issue.record("no liquidation view"); return }
        let text = screen.rendered().text
        let instrument = screen.engine.market(record.symbol)?.instrument
        // The figures at the ends of its long sentences, each whole on the screen (at 80 columns
        // they used to be cut at the edge: `bankruptcy price 57,809.2`, `worst 58`).
        var figures = ["bankruptcy price " + Format.price(record.bankruptcyPrice, instrument), Format.money(record.fundAfter) + " USDT"]
        if let worst = record.worstFillPrice { figures.append("worst " + Format.price(Fixed(bookUnits: worst), instrument)) }
        for figure in figures {
            // A figure may start a wrapped line: the number itself must be on screen whole.
            let number = String(figure.split(separator: " ").first { $0.first?.isNumber ?? false } ?? "")
            #expect(!number.isEmpty && text.contains(number), "\(figure) not whole:\n\(text)")
        }
        #expect(Format.wrapped("a b  c", 10) == ["a b  c"])
        #expect(Format.wrapped("fund after 9,806.58 USDT", 16) == ["fund after", "9,806.58 USDT"])
    }
}

/// An operator's trial: paused after a short play, "riskiest first" kept the order of up to two
/// seconds of session before, and after a seek while paused the markets' near-liquidation counts
/// were the old table's.
@Suite("Paused, the tables follow the figures")
struct PausedTableTests {
    @Test("paused after the session moved: the positions table is rebuilt at once, and the markets' counts with it")
    func pausedRebuild() {
        var session = engine(positions: 60)
        var screen = model(width: 120, height: 40, engine: session)
        let before = screen.table.builtAt
        // 0.6 s of session: the mark falls (the longs' ratios rise), less than the 2 s between rebuilds.
        session.apply(.mark(symbol: "BTCUSDT", price: Fixed(59_400), time: session.time + 600_000_000))
        var status = screen.status
        status.time = session.time
        _ = screen.update(.session(engine: session, log: screen.log, status: status))
        #expect(screen.table.builtAt == before, "playing: the table waits for its two seconds")
        status.paused = true
        _ = screen.update(.session(engine: session, log: screen.log, status: status))
        #expect(screen.table.builtAt == session.time, "paused: rebuilt at the session's time")
        // The order shown is the one a table made now gives.
        let fresh = model(width: 120, height: 40, engine: session)
        #expect(screen.visibleRows.prefix(30).map(\.index) == fresh.visibleRows.prefix(30).map(\.index))
        #expect(screen.markets.rows.map(\.nearLiquidation) == fresh.markets.rows.map(\.nearLiquidation))
    }

    @Test("paused, a step within the same millisecond (a new mark, the time unchanged) rebuilds the table: its order is the new mark's")
    func pausedStepWithinMillisecond() {
        var session = engine(positions: 60)
        var screen = model(width: 120, height: 40, engine: session)
        var status = screen.status
        status.paused = true
        status.time = session.time
        _ = screen.update(.session(engine: session, log: screen.log, status: status))
        let built = screen.table.builtAtRevision
        #expect(built == session.revision)
        // A mark at the very time the table was built at: the ratios move, the time does not.
        session.apply(.mark(symbol: "BTCUSDT", price: Fixed(59_300), time: session.time))
        #expect(session.time == screen.table.builtAt)
        _ = screen.update(.session(engine: session, log: screen.log, status: status))
        #expect(screen.table.builtAtRevision == session.revision && session.revision != built, "the order was the mark's before the step")
        let fresh = model(width: 120, height: 40, engine: session)
        #expect(screen.visibleRows.prefix(30).map(\.index) == fresh.visibleRows.prefix(30).map(\.index))
    }
}

@Suite("Sorting by side")
struct SideSortTests {
    @Test("side A→Z lists longs first, as the words read; Z→A shorts first (operator trial: A→Z showed shorts first)")
    func longsFirst() {
        var screen = cascadeModel()
        screen.focusPane(.positions)
        for _ in 0..<PositionColumn.allCases.count where screen.sortColumn != .side { screen.press(.character("s")) }
        #expect(screen.sortColumn == .side && !screen.sortDescending)
        let sides = screen.visibleRows.filter { !$0.quantity.isZero }.map(\.side)
        #expect(Set(sides) == [.long, .short], "the cascade has both sides")
        #expect(sides.first == .long)
        #expect(sides == sides.sorted { $0 == .long && $1 == .short }, "longs, then shorts")
        #expect(screen.rendered().text.contains("side A→Z"))
        screen.press(.character("S"))
        #expect(screen.sortDescending)
        #expect(screen.visibleRows.filter { !$0.quantity.isZero }.first?.side == .short)
    }
}

@Suite("The position view's maintenance line, per venue rule")
struct MaintenanceLineTests {
    @Test("Bybit: the rate applies to the value at entry, which the line gives (it said 'notional × rate' under the notional at the mark)")
    func bybitAtEntry() {
        var engine = Engine()
        let symbol = "bybit:BTCUSDT"
        engine.openFund(asset: "USDT", balance: Fixed(100_000))
        engine.apply(.bookSnapshot(symbol: symbol, bids: [(units("59000"), units("10"))], asks: [(units("59010"), units("10"))], time: 1))
        engine.apply(.mark(symbol: symbol, price: Fixed(59_000), time: 1))
        engine.apply(.position(PositionUpdate(account: "b", symbol: symbol, side: .long, quantity: Fixed(1), entryPrice: Fixed(60_000),
            mode: .isolated, leverage: Fixed(20)), time: 1))
        var status = SessionStatus(kind: "REPLAY", source: "test")
        status.time = engine.time
        var screen = AppModel(width: 160, height: 48, status: status, engine: engine, log: SessionLog(), symbol: symbol)
        screen.focusPane(.positions)
        screen.press(.enter)
        let text = screen.rendered().text
        let risk = engine.risk(of: 0)
        let maintenance = risk.maintenanceMargin.formatted(2, grouping: true)
        #expect(text.contains("maintenance      \(maintenance) USDT   = value at entry 60,000.00 × "), "\(text)")
        // And the figure is that: 60,000 × the bracket's rate − its deduction.
        #expect(risk.maintenanceMargin == Fixed(60_000) * risk.bracket.maintenanceMarginRate - risk.bracket.maintenanceAmount)
    }
}

@Suite("From a liquidation to its position and back")
struct LiquidationToPositionTests {
    @Test("Enter on a liquidation's view opens its position; Esc goes back to the liquidation, Esc again to the dashboard; the closed position says what closed it")
    func backToTheLiquidation() {
        var screen = cascadeModel()
        screen.focusPane(.tape)
        screen.press(.enter)
        guard case .liquidation(let entry) = screen.mode, case .simulated(let record) = entry else {
            Issue.record("no liquidation view"); return
        }
        screen.press(.enter)
        guard case .detail(let position) = screen.mode else { Issue.record("no position view"); return }
        #expect(position == record.position)
        let text = screen.rendered().text
        #expect(!screen.engine.positions[Int(position)].isOpen, "the cascade's first tape row closed its position")
        if !screen.engine.positions[Int(position)].isOpen {
            #expect(text.contains("closed; liquidated \(Format.quantity(record.quantity, screen.engine.markets[Int(screen.engine.positions[Int(position)].symbolIndex)].instrument))"), "\(text)")
            // No maintenance of a size of 0 (it named the first bracket's rate beside a
            // liquidation price worked out with another's; operator trial).
            #expect(text.contains("maintenance      — (closed") && !text.contains("maintenance      0.00"), "\(text)")
            // Nothing to walk the book with (`0 levels … deficit 0.00` read as a walk absorbed).
            #expect(text.contains("If liquidated now: — (closed)") && !text.contains("0 levels"), "\(text)")
            // Its ratio history ends at its close: a table built again adds no point.
            let before = screen.ratioHistory[position]?.values.count ?? 0
            screen.requestTableRebuild()
            #expect((screen.ratioHistory[position]?.values.count ?? 0) == before)
        }
        screen.press(.escape)
        guard case .liquidation = screen.mode else { Issue.record("Esc left the liquidation's view behind: \(screen.mode)"); return }
        screen.press(.escape)
        guard case .normal = screen.mode else { Issue.record("Esc did not close the liquidation's view"); return }
        // Opened from the positions pane, Esc goes to the dashboard as before.
        screen.focusPane(.positions)
        screen.press(.enter)
        screen.press(.escape)
        guard case .normal = screen.mode else { Issue.record("Esc from a position opened in the pane: \(screen.mode)"); return }
    }
}

@Suite("Positions columns under wide figures")
struct PositionColumnFitTests {
    @Test("at 80×24 the side keeps its arrow in a column of one cell, the deficit's narrowed to its title (a short read as a long)")
    func sideArrowAt80() {
        // The positions pane at 80×24: 40 columns inside.
        let chosen = PositionsPane.fitting(40, widest: [.account: 9, .deficit: 3, .liquidation: 9])
        let side = chosen.first { $0.column == .side }
        #expect(side?.width == 1 && side?.title == "", "\(chosen.map { ($0.column, $0.width) })")
        #expect(chosen.map(\.column).contains(.deficit) && chosen.map(\.column).contains(.ratio) && chosen.map(\.column).contains(.liquidation))
        #expect(chosen.reduce(0) { $0 + $1.width + 1 } <= 40)
        // A deficit too wide to narrow keeps its figures: the arrow then waits for room.
        let wide = PositionsPane.fitting(40, widest: [.account: 9, .deficit: 12, .liquidation: 9])
        #expect(wide.first { $0.column == .deficit }.map { $0.width >= 12 } ?? true)
        #expect(wide.reduce(0) { $0 + $1.width + 1 } <= 40)
    }

    @Test("an 8-decimal size narrows the side to its arrow before the side or the deficit goes (operator trial at 120 columns)")
    func sideNarrowsBeforeItGoes() {
        // The positions pane at 120×40 with several markets: about 78 columns inside.
        let chosen = PositionsPane.fitting(78, widest: [.size: 14, .account: 9, .symbol: 14], severalMarkets: true)
        let columns = chosen.map(\.column)
        #expect(columns.contains(.side) && columns.contains(.deficit) && columns.contains(.symbol), "\(chosen.map { "\($0.column):\($0.width)" })")
        #expect(chosen.reduce(0) { $0 + $1.width + 1 } <= 78)
        // With room, the side keeps its word.
        let wide = PositionsPane.fitting(196, widest: [.size: 14], severalMarkets: true)
        #expect(wide.first { $0.column == .side }?.width == 7)
    }

    @Test("at every width the columns fit, in their order, and no column left out would fit in the room left (at 110 the distance went with its room left blank)")
    func noRoomLeftBlank() {
        let order = PositionsPane.columns.map(\.column)
        for widest in [[PositionColumn: Int](), [.size: 14, .account: 9, .symbol: 14], [.size: 6, .liquidation: 12]] {
            for several in [false, true] {
                for width in 30...220 {
                    let chosen = PositionsPane.fitting(width, widest: widest, severalMarkets: several)
                    let used = chosen.reduce(0) { $0 + $1.width + 1 }
                    #expect(used <= width)
                    let places = chosen.map { order.firstIndex(of: $0.column)! }
                    #expect(places == places.sorted(), "width \(width): out of order")
                    for column in PositionsPane.columns where !chosen.contains(where: { $0.column == column.column }) {
                        let needed = max(column.width, widest[column.column] ?? 0) + 1
                        #expect(used + needed > width, "width \(width), several \(several): \(column.column) fits in the room left")
                    }
                }
            }
        }
    }
}

@Suite("Each view's footer, and the speed while paused")
struct ViewFooterTests {
    @Test("a position's view and a liquidation's offer their own keys, not the dashboard's 'Enter detail'; paused, the status bar says the speed")
    func viewKeys() {
        var screen = cascadeModel()
        screen.focusPane(.tape)
        screen.press(.enter)
        var footer = screen.rendered().lines[screen.layout.footer.y]
        #expect(footer.contains("Enter its position") && footer.contains("Esc back") && !footer.contains("Enter detail"), "\(footer)")
        screen.press(.enter)
        footer = screen.rendered().lines[screen.layout.footer.y]
        #expect(footer.contains("Esc back") && footer.contains("scroll") && !footer.contains("Enter detail"), "\(footer)")
        var status = screen.status
        status.paused = true
        status.speed = "0.25x"
        _ = screen.update(.session(engine: screen.engine, log: screen.log, status: status))
        #expect(screen.rendered().lines[0].contains("❚❚ PAUSED 0.25x"), "\(screen.rendered().lines[0])")
    }
}

/// An operator's trial: a replay's first recording, ended years before, led "riskiest first"
/// with frozen, dimmed rows; the live market's positions were off screen.
@Suite("Risk order and outdated books")
struct OutdatedBookRiskOrderTests {
    /// BTCUSDT's book stops at 1 s with longs near liquidation; ETHUSDT's goes on, its longs safer.
    static func session(positions: Int) -> Engine {
        var engine = Engine()
        engine.openFund(asset: "USDT", balance: Fixed(100_000))
        engine.apply(.bookSnapshot(symbol: "BTCUSDT", bids: [(units("59990"), units("50"))], asks: [(units("60010"), units("50"))], time: 1_000_000_000))
        engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(60_000), time: 1_000_000_000))
        engine.apply(.bookSnapshot(symbol: "ETHUSDT", bids: [(units("2999"), units("500"))], asks: [(units("3001"), units("500"))], time: 1_000_000_000))
        engine.apply(.mark(symbol: "ETHUSDT", price: Fixed(3_000), time: 1_000_000_000))
        for index in 0..<positions {
            // BTC at 50x (about 1.6 % from liquidation), ETH at 10x (about 9.6 %).
            engine.apply(.position(PositionUpdate(account: "b\(index)", symbol: "BTCUSDT", side: .long, quantity: Fixed(1), entryPrice: Fixed(60_000),
                mode: .isolated, leverage: Fixed(50)), time: 1_000_000_000))
            engine.apply(.position(PositionUpdate(account: "e\(index)", symbol: "ETHUSDT", side: .long, quantity: Fixed(1), entryPrice: Fixed(3_000),
                mode: .isolated, leverage: Fixed(10)), time: 1_000_000_000))
        }
        // ETH's book changes every 10 s for ten minutes; BTC's never again.
        for second in stride(from: 10, through: 600, by: 10) {
            engine.apply(.bookUpdate(symbol: "ETHUSDT", changes: [LevelChange(side: .bid, price: units("2999"), size: units("\(500 + second)"))],
                time: Int64(second) * 1_000_000_000))
        }
        return engine
    }

    @Test("positions of a book that stopped changing come after the live books' in the risk order, full table and live head")
    func outdatedLast() {
        let engine = Self.session(positions: 20)
        let btc = engine.marketIndex(of: "BTCUSDT")!
        #expect(engine.markets[btc].bookOutdated)
        let screen = model(width: 120, height: 40, engine: engine)
        let symbols = screen.visibleRows.map(\.symbol)
        #expect(symbols.prefix(20).allSatisfy { $0 == "ETHUSDT" } && symbols.suffix(20).allSatisfy { $0 == "BTCUSDT" }, "\(symbols)")
        // The markets pane orders them so too (the ended ones filled it, the live one below).
        #expect(screen.markets.view(filter: "", column: .risk, descending: false).map(\.symbol) == ["ETHUSDT", "BTCUSDT"])
        let head = engine.riskiestOpenPositions(count: 25).map { engine.markets[Int(engine.positions[Int($0)].symbolIndex)].symbol }
        #expect(head.prefix(20).allSatisfy { $0 == "ETHUSDT" } && head.suffix(5).allSatisfy { $0 == "BTCUSDT" }, "\(head)")
    }

    @Test("a window over more positions than the table holds chooses the live books' first too")
    func outdatedLastInAWindow() {
        let engine = Self.session(positions: 3_000)
        var table = PositionTable()
        table.rebuild(from: engine, liquidations: 0)
        #expect(table.windowed)
        let symbols = table.view(filter: "", column: .risk, descending: false).map(\.symbol)
        #expect(symbols.count == PositionTable.windowSize && symbols.allSatisfy { $0 == "ETHUSDT" })
    }
}

@Suite("The fund pane adds up at 80×24")
struct FundPaneAddsUpTests {
    @Test("with deficits paid and no room for both inflow lines, one line of both stands beside them (the chart gives way)")
    func inflowsBesideDeficits() throws {
        try inflowsBesideDeficits(opening: 10_000)
    }

    @Test("the line of both inflows never pushes the ADL line off (with a drawdown past its level, six lines are urgent)")
    func adlStaysOverInflows() throws {
        try inflowsBesideDeficits(opening: 1_000)
    }

    @Test("six urgent lines for five rows (a drawdown past its level, deficits, stress, ADL): the drawdown gives its row to the inflows, its class on the balance")
    func drawdownGivesWayToInflows() throws {
        // A fund of 5,000 fed 400 of fees+surplus, then paying a 50x long's deficit in bids
        // far below its bankruptcy price: a drawdown past its level, and a whale short bound for ADL in the stress.
        var (engine, log) = Self.thickLongLiquidated(fund: 5_000, at: 54_500)
        engine.apply(.position(PositionUpdate(account: "thin", symbol: "BTCUSDT", side: .long, quantity: Fixed(4), entryPrice: Fixed(55_000),
            mode: .isolated, leverage: Fixed(50)), time: 2_000_000_000))
        engine.apply(.position(PositionUpdate(account: "whale", symbol: "BTCUSDT", side: .short, quantity: Fixed(100), entryPrice: Fixed(55_000),
            mode: .isolated, leverage: Fixed(20)), time: 2_000_000_000))
        engine.apply(.bookSnapshot(symbol: "BTCUSDT", bids: [(units("52000"), units("10"))], asks: [(units("52100"), units("0.5"))], time: 2_500_000_000))
        log.record(engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(53_000), time: 3_000_000_000)))
        log.record(engine.apply(.clock(time: 4_000_000_000)))
        let fund = engine.fund("USDT")
        let state = engine.fundState(venue: fund.venue, asset: "USDT")
        try #require(fund.outflows.isPositive && state.drawdownLevel != .ok && state.adl != .idle && engine.markets[0].stressed.adlCertain,
            "the case: out \(fund.outflows), drawdown \(state.drawdownLevel), ADL \(state.adl)")
        let rows = Self.fundPaneRows(engine, log, width: 80, height: 24)
        let pane = rows.joined(separator: "\n")
        Self.expectInflowsBesideOutflows(pane, fund)
        #expect(rows.contains { $0.dropFirst().hasPrefix("ADL ") } && !pane.contains("drawdown"), "\(pane)")
        // Roomy, the nearest line names the stress's side: the whale's short, not the nearest of all.
        #expect(engine.markets[0].stressed.positionsSide == .short)
        let roomy = Self.fundPaneRows(engine, log, width: 200, height: 60).joined(separator: "\n")
        #expect(roomy.contains("nearest short") && !roomy.contains("nearest liq"), "\(roomy)")
    }

    @Test("the opening counted in the inflows' line keeps a label beside a six-figure balance (250,970.85 stood bare)")
    func largeOpeningKeepsALabel() throws {
        try inflowsBesideDeficits(opening: 250_000)
    }

    @Test("fees and a surplus into a 250,000 fund, no deficit: at 80×24 every figure of the fund pane keeps a word saying what it is")
    func everyFigureLabelled() {
        let (engine, log) = Self.thickLongLiquidated(fund: 250_000, at: 54_000)
        #expect(engine.fund("USDT").totals[.liquidationFee]?.isPositive == true)
        for (width, height) in [(80, 24), (100, 30), (120, 40)] {
            // Inside the pane's border.
            let rows = Self.fundPaneRows(engine, log, width: width, height: height).dropFirst().dropLast().map { String($0.dropFirst().dropLast()) }
            for row in rows {
                // A word first, or the chart's blocks: never a bare figure, signed or not.
                let cells = row.drop { $0 == " " }
                #expect(cells.first.map { $0.isLetter || ("▁"..."█").contains($0) } ?? true, "\(width)×\(height): \(rows.joined(separator: "\n"))")
            }
        }
    }

    @discardableResult
    /// The fund pane's own rows, borders included, on a screen of `width`×`height`.
    static func fundPaneRows(_ engine: Engine, _ log: SessionLog, width: Int, height: Int) -> [String] {
        var status = SessionStatus(kind: "REPLAY", source: "test")
        status.time = engine.time
        let screen = AppModel(width: width, height: height, status: status, engine: engine, log: log)
        let rect = screen.layout.fund
        return screen.rendered().lines[rect.y..<rect.maxY].map { String(Array($0)[rect.x..<rect.maxX]) }
    }

    /// What came in stands beside what went out: the inflows, or counted with the opening where
    /// they have no line of their own, and the deficits paid.
    static func expectInflowsBesideOutflows(_ pane: String, _ fund: InsuranceFund) {
        let inflows = (fund.totals[.liquidationFee] ?? .zero) + (fund.totals[.surplus] ?? .zero)
        #expect((pane.contains("+" + Format.money(inflows)) || pane.contains(Format.money(fund.opening + inflows)))
            && pane.contains("−" + Format.money(fund.outflows)), "\(pane)")
    }

    /// A fund of `fund` and a 10x long of 1 BTC at 60,000 over bids at 58,000, liquidated at a mark of
    /// `mark` (a fee and a surplus into the fund).
    static func thickLongLiquidated(fund: Int, at mark: Int) -> (Engine, SessionLog) {
        var engine = Engine()
        engine.openFund(asset: "USDT", balance: Fixed(fund))
        engine.apply(.bookSnapshot(symbol: "BTCUSDT", bids: [(units("58000"), units("10"))], asks: [(units("60000"), units("10"))], time: 1_000_000_000))
        engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(60_000), time: 1_000_000_000))
        engine.apply(.position(PositionUpdate(account: "thick", symbol: "BTCUSDT", side: .long, quantity: Fixed(1), entryPrice: Fixed(60_000),
            mode: .isolated, leverage: Fixed(10)), time: 1_000_000_000))
        var log = SessionLog()
        log.record(engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(mark), time: 2_000_000_000)))
        return (engine, log)
    }

    func inflowsBesideDeficits(opening: Int) throws -> SignalLevel {
        var drawdown = SignalLevel.ok
        // A 50x long whose bankruptcy price (58,800) is above the only bids (58,000): a deficit;
        // a 10x long filled there, far above its bankruptcy price: a surplus.
        var engine = Engine()
        engine.openFund(asset: "USDT", balance: Fixed(opening))
        engine.apply(.bookSnapshot(symbol: "BTCUSDT", bids: [(units("58000"), units("10"))], asks: [(units("60000"), units("10"))], time: 1_000_000_000))
        engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(60_000), time: 1_000_000_000))
        for (account, leverage) in [("thin", 50), ("thick", 10)] {
            engine.apply(.position(PositionUpdate(account: account, symbol: "BTCUSDT", side: .long, quantity: Fixed(1), entryPrice: Fixed(60_000),
                mode: .isolated, leverage: Fixed(leverage)), time: 1_000_000_000))
        }
        // A short the asks cannot close: a stressed deficit bound for ADL, whose lines the pane
        // keeps first (with the balance and the deficits, four of its five rows).
        engine.apply(.position(PositionUpdate(account: "whale", symbol: "BTCUSDT", side: .short, quantity: Fixed(100), entryPrice: Fixed(60_000),
            mode: .isolated, leverage: Fixed(20)), time: 1_000_000_000))
        var log = SessionLog()
        log.record(engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(54_000), time: 2_000_000_000)))
        log.record(engine.apply(.clock(time: 3_000_000_000)))
        #expect(engine.markets[0].stressed.adlCertain)
        let fund = engine.fund("USDT")
        #expect(fund.outflows.isPositive, "the cascade pays deficits")
        // The fund pane's own cells (the tape beside it says ADL too).
        let rows = Self.fundPaneRows(engine, log, width: 80, height: 24)
        let pane = rows.joined(separator: "\n")
        let inflows = (fund.totals[.liquidationFee] ?? .zero) + (fund.totals[.surplus] ?? .zero)
        // The ADL line itself (the stress line's "→ ADL" is another).
        #expect(rows.contains { $0.dropFirst().hasPrefix("ADL ") }, "\(pane)")
        let state = engine.fundState(venue: fund.venue, asset: "USDT")
        // The inflows alone, or counted with the opening where it has no room of its own; with six
        // urgent lines for five rows (a drawdown past its level) the drawdown gives its row, not the
        // inflows (`balance 36.57`, `out −249,963.43` did not add up: operator trial).
        Self.expectInflowsBesideOutflows(pane, fund)
        // A figure is never shown without the word saying what it is.
        for row in rows where row.contains(Format.money(fund.opening + inflows)) {
            let cells = row.dropFirst().drop { $0 == " " }
            #expect(cells.first.map { !$0.isNumber } ?? false, "\(pane)")
        }
        drawdown = state.drawdownLevel
        // Balance = opening + inflows − outflows, to the figures shown.
        #expect(fund.opening + inflows - fund.outflows == fund.balance)
        // Roomy, the two lines each.
        let roomy = Self.fundPaneRows(engine, log, width: 200, height: 60).joined(separator: "\n")
        #expect(roomy.contains("in: fees") && roomy.contains("in: surplus") && !roomy.contains("fees+surplus"), "\(roomy)")
        return drawdown
    }
}

@Suite("What-if on a book the engine does not trust")
struct BlockedWhatIfTests {
    /// A dashboard on `engine` at `symbol`, the what-if of `shock` (percent, as typed) opened.
    static func whatIf(_ engine: Engine, on symbol: String, shock: String, width: Int = 200, height: Int = 60) -> AppModel {
        var status = SessionStatus(kind: "REPLAY", source: "test")
        status.time = engine.time
        var screen = AppModel(width: width, height: height, status: status, engine: engine, log: SessionLog(), symbol: symbol)
        screen.press(.character("x"))
        for character in shock { screen.press(.character(character)) }
        screen.press(.enter)
        return screen
    }

    @Test("a shock whose only unfillable quantity is another market's cross leg says so, not 'No ADL: the book and the fund cover'")
    func otherMarketsUnfilled() throws {
        var engine = Engine()
        engine.openFund(asset: "USDT", balance: Fixed(100))
        let t: Int64 = 1_723_161_255_000_000_000
        engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(60_000), time: t))
        engine.apply(.mark(symbol: "XYZUSDT", price: Fixed(1), time: t))
        engine.apply(.bookSnapshot(symbol: "BTCUSDT", bids: [(units("59990"), units("0.01"))], asks: [(units("60010"), units("0.01"))], time: t))
        engine.apply(.bookSnapshot(symbol: "XYZUSDT", bids: [(units("0.999"), units("100000"))], asks: [(units("1.001"), units("100000"))], time: t))
        engine.apply(.account(id: "a", asset: "USDT", venue: "", venueGiven: false, walletBalance: Fixed(2_200), time: t))
        engine.apply(.position(PositionUpdate(account: "a", symbol: "BTCUSDT", side: .long, quantity: Fixed(1), entryPrice: Fixed(60_000),
            mode: .cross, leverage: Fixed(50)), time: t))
        engine.apply(.position(PositionUpdate(account: "a", symbol: "XYZUSDT", side: .long, quantity: Fixed(10_000), entryPrice: Fixed(1),
            mode: .cross, leverage: Fixed(50)), time: t))
        let screen = Self.whatIf(engine, on: "XYZUSDT", shock: "-20")
        guard case .whatIf(let result, _) = screen.mode else { Issue.record("no what-if"); return }
        try #require(!result.otherMarketsUnfilled.isEmpty, "\(result.liquidations)")
        let text = screen.rendered().text
        #expect(text.contains("And unfillable quantity in BTCUSDT") && !text.contains("the book and the fund cover"), "\(text)")
    }

    @Test("another market's cross leg liquidated by the shock is listed in its own market's decimals")
    func otherLegInItsDecimals() throws {
        var engine = Engine()
        engine.openFund(asset: "USDT", balance: Fixed(100_000))
        let t: Int64 = 1_723_161_255_000_000_000
        engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(60_000), time: t))
        engine.apply(.mark(symbol: "AKROUSDT", price: Fixed("0.01734")!, time: t))
        engine.apply(.bookSnapshot(symbol: "BTCUSDT", bids: [(units("59990"), units("50"))], asks: [(units("60010"), units("50"))], time: t))
        engine.apply(.bookSnapshot(symbol: "AKROUSDT", bids: [(units("0.01733"), units("10000000"))], asks: [(units("0.01735"), units("10000000"))], time: t))
        engine.apply(.account(id: "a", asset: "USDT", venue: "", venueGiven: false, walletBalance: Fixed(2_200), time: t))
        engine.apply(.position(PositionUpdate(account: "a", symbol: "BTCUSDT", side: .long, quantity: Fixed(1), entryPrice: Fixed(60_000),
            mode: .cross, leverage: Fixed(50)), time: t))
        engine.apply(.position(PositionUpdate(account: "a", symbol: "AKROUSDT", side: .long, quantity: Fixed(100_000), entryPrice: Fixed("0.01734")!,
            mode: .cross, leverage: Fixed(50)), time: t))
        let screen = Self.whatIf(engine, on: "BTCUSDT", shock: "-20")
        guard case .whatIf(let result, _) = screen.mode else { Issue.record("no what-if"); return }
        let leg = try #require(result.liquidations.first { $0.symbol.hasSuffix("AKROUSDT") }, "\(result.liquidations)")
        let row = try #require(screen.rendered().lines.first { $0.contains("AKROUSDT") && $0.contains(" a ") })
        // Five places, as AKRO's tick has; BTCUSDT's two read 0.02 for every AKRO price.
        #expect(row.contains(leg.averageFill!.formatted(5, grouping: true)), "\(row)")
        #expect(!row.contains(" 0.02 "), "\(row)")
    }

    @Test("a shock on a market whose book stopped changing says it is not projected, and gives no deficit, fund or ADL figure")
    func noFigures() {
        let engine = OutdatedBookRiskOrderTests.session(positions: 20)
        for (width, height) in [(80, 24), (200, 60)] {
            let screen = Self.whatIf(engine, on: "BTCUSDT", shock: "-50", width: width, height: height)
            guard case .whatIf(let result, _) = screen.mode else { Issue.record("no what-if"); return }
            #expect(result.blocked != nil)
            let text = screen.rendered().text
            #expect(text.contains("Not projected") || text.contains("nothing below is projected"), "\(text)")
            #expect(!text.contains("Total deficit") && !text.contains("No ADL"), "\(text)")
            #expect(text.contains("No deficit, fund or ADL figure") || text.contains("no deficit, fund or ADL figure") || text.contains("No figures"))
        }
    }
}

@Suite("What-if on a blocked market that liquidates elsewhere")
struct BlockedWhatIfElsewhereTests {
    @Test("a cross account's other leg liquidated by the shock is shown with its figures, under the not-projected line")
    func otherLegShown() {
        var engine = Engine()
        engine.openFund(asset: "USDT", balance: Fixed(100_000))
        engine.apply(.bookSnapshot(symbol: "BTCUSDT", bids: [(units("59990"), units("50"))], asks: [(units("60010"), units("50"))], time: 1_000_000_000))
        engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(60_000), time: 1_000_000_000))
        engine.apply(.bookSnapshot(symbol: "ETHUSDT", bids: [(units("2999"), units("500"))], asks: [(units("3001"), units("500"))], time: 1_000_000_000))
        engine.apply(.mark(symbol: "ETHUSDT", price: Fixed(3_000), time: 1_000_000_000))
        engine.apply(.position(PositionUpdate(account: "x", symbol: "BTCUSDT", side: .long, quantity: Fixed(1), entryPrice: Fixed(60_000),
            mode: .cross, walletBalance: Fixed(5_000)), time: 1_000_000_000))
        engine.apply(.position(PositionUpdate(account: "x", symbol: "ETHUSDT", side: .long, quantity: Fixed(10), entryPrice: Fixed(3_000),
            mode: .cross), time: 1_000_000_000))
        // ETH's book goes on; BTC's stops (outdated after 300 s).
        for second in stride(from: 10, through: 400, by: 10) {
            engine.apply(.bookUpdate(symbol: "ETHUSDT", changes: [LevelChange(side: .bid, price: units("2999"), size: units("\(500 + second)"))],
                time: Int64(second) * 1_000_000_000))
        }
        engine.apply(.mark(symbol: "ETHUSDT", price: Fixed(3_000), time: 401_000_000_000))
        #expect(engine.markets[engine.marketIndex(of: "BTCUSDT")!].bookOutdated)
        let screen = BlockedWhatIfTests.whatIf(engine, on: "BTCUSDT", shock: "-20")
        guard case .whatIf(let result, _) = screen.mode else { Issue.record("no what-if"); return }
        #expect(result.blocked != nil)
        let text = screen.rendered().text
        #expect(text.contains("nothing below is projected") || text.contains("Not projected"), "\(text)")
        // The ETH leg, liquidated into its trusted book by the BTC leg's loss at the shocked mark.
        #expect(result.liquidationCount > 0, "\(result.liquidationCount) \(result.adlCloseCount)")
        #expect(text.contains("Total deficit") && !text.contains("No deficit, fund or ADL figure"), "\(text)")
    }
}
