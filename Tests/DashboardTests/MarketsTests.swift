import Testing
@testable import Dashboard
@testable import RiskEngine

/// Five markets: BTCUSDT with positions near liquidation (the riskiest), ETHUSDT with an index and
/// funding, and three quiet ones with books only.
func fiveMarkets() -> Engine {
    var engine = engine(positions: 40)
    engine.apply(.index(IndexUpdate(symbol: "ETHUSDT", price: Fixed(3_000), fundingRate: Fixed("0.0001")!, nextFundingTime: 3_000_000_000 + 3_600_000_000_000 + 60_000_000_000,
        openInterest: Fixed(1_234_567), time: 3_000_000_000)))
    for (symbol, price) in [("ETHUSDT", "3001.00"), ("SOLUSDT", "150.00"), ("XRPUSDT", "0.5000"), ("DOGEUSDT", "0.10000")] {
        let best = units(price)
        let step = max(1, best / 10_000)
        engine.apply(.bookSnapshot(symbol: symbol, bids: (1...20).map { (best - Int64($0) * step, units("10")) },
            asks: (0..<20).map { (best + Int64($0) * step, units("10")) }, time: 3_000_000_000))
        engine.apply(.trade(symbol: symbol, price: best, size: units("1"), time: 3_000_000_000))
    }
    return engine
}

@Suite("Markets pane and the focused market")
struct MarketsTests {
    @Test("one row a market; the default focus is the market with the most monitored risk")
    func rowsAndDefault() {
        let screen = model(width: 160, height: 48, engine: fiveMarkets())
        #expect(screen.markets.rows.count == 5)
        #expect(screen.showsMarkets)
        #expect(screen.focusedSymbol == "BTCUSDT")
        let text = screen.rendered().text
        #expect(text.contains("Markets 5/5 · sort risk riskiest first"))
        for symbol in ["▸ BTCUSDT", "ETHUSDT", "SOLUSDT", "XRPUSDT", "DOGEUSDT"] { #expect(text.contains(symbol), "\(symbol)") }
        // ETHUSDT: mark from its book (the median of bid, ask and last), index 3,000, premium and
        // funding 0.0100 % in 1h01m.
        let eth = screen.markets.rows.first { $0.symbol == "ETHUSDT" }!
        #expect(eth.index == Fixed(3_000))
        #expect(eth.fundingRate == Fixed("0.0001")!)
        #expect(eth.openInterest == Fixed(1_234_567))
        // Funding and open interest are among the first columns to give way (at 160 columns the
        // depth's ratio to its baseline takes their room): at 200 columns they are there.
        let wide = model(width: 200, height: 60, engine: fiveMarkets()).rendered().text
        #expect(wide.contains("0.0100% in 1h01m") && wide.contains("1.23M"), "\(wide)")
        #expect(text.contains("Depth ladder BTCUSDT"))
    }

    @Test("a funding rate is cut toward zero, never rounded up to a rate the input check refuses")
    func fundingTowardZero() {
        var engine = fiveMarkets()
        engine.apply(.index(IndexUpdate(symbol: "ETHUSDT", price: Fixed(3_000), fundingRate: Fixed("0.99999999")!, nextFundingTime: nil,
            openInterest: nil, time: 3_000_000_001)))
        engine.apply(.index(IndexUpdate(symbol: "SOLUSDT", price: Fixed(150), fundingRate: Fixed("-0.00012345")!, nextFundingTime: nil,
            openInterest: nil, time: 3_000_000_001)))
        let wide = model(width: 200, height: 60, engine: engine).rendered().text
        #expect(wide.contains("99.9999%") && !wide.contains("100.0000%"), "\(wide)")
        #expect(wide.contains("-0.0123%"), "\(wide)")
    }

    @Test("m focuses the markets pane; the cursor and Enter move the ladder and the signals to another market")
    func focusByKeys() {
        var screen = model(width: 160, height: 48, engine: fiveMarkets())
        _ = screen.update(.key(.character("m")))
        #expect(screen.focus == .markets)
        // The cursor starts on the focused market (the riskiest, at the top).
        #expect(screen.visibleMarkets[screen.marketCursor].symbol == screen.focusedSymbol)
        let target = screen.visibleMarkets[2].symbol
        _ = screen.update(.key(.character("j")))
        _ = screen.update(.key(.character("j")))
        #expect(screen.marketCursor == 2)
        _ = screen.update(.key(.enter))
        #expect(screen.focusedSymbol == target)
        let lines = screen.rendered().lines
        #expect(lines.contains { $0.contains("Depth ladder \(target)") })
        #expect(lines.contains { $0.contains("Signals \(target)") })
        #expect(lines.contains { $0.contains("▸ \(target)") })
        // Enter in the markets pane chose a market; it opened no position detail.
        if case .detail = screen.mode { Issue.record("Enter in the markets pane opened a position") }
    }

    @Test("--symbol chooses the market at start; s sorts and / filters the markets while the pane is focused")
    func symbolSortFilter() {
        var screen = AppModel(width: 160, height: 48, status: SessionStatus(kind: "REPLAY", source: "test"), engine: fiveMarkets(),
            log: SessionLog(), symbol: "SOLUSDT")
        #expect(screen.focusedSymbol == "SOLUSDT")
        _ = screen.update(.key(.character("m")))
        _ = screen.update(.key(.character("s")))
        #expect(screen.marketSortColumn == .symbol)
        #expect(screen.visibleMarkets.map(\.symbol) == ["BTCUSDT", "DOGEUSDT", "ETHUSDT", "SOLUSDT", "XRPUSDT"])
        #expect(screen.sortColumn == .risk)
        _ = screen.update(.key(.character("/")))
        for character in "usdt" { _ = screen.update(.key(.character(character))) }
        _ = screen.update(.key(.character("x"))) // typed into the prompt, not the what-if
        _ = screen.update(.key(.backspace))
        _ = screen.update(.key(.enter))
        #expect(screen.marketFilter == "usdt")
        // The prompt opens with the filter as it is: four backspaces clear "usdt".
        _ = screen.update(.key(.character("/")))
        for _ in 0..<4 { _ = screen.update(.key(.backspace)) }
        for character in "eth" { _ = screen.update(.key(.character(character))) }
        _ = screen.update(.key(.enter))
        #expect(screen.visibleMarkets.map(\.symbol) == ["ETHUSDT"])
        #expect(screen.filter.isEmpty)
    }

    @Test("the status bar names the newest alert's market and signal, and says only the count when narrow")
    func alertNamesItsMarket() {
        var log = SessionLog()
        log.record(.signal(SignalChange(time: 3_000_000_000, symbol: "ETHUSDT", kind: .spread, from: .warn, to: .alert, value: 12, baseline: 1)))
        let wide = AppModel(width: 160, height: 48, status: SessionStatus(kind: "REPLAY", source: "test"), engine: fiveMarkets(), log: log)
        #expect(wide.rendered().lines[0].contains("⚠ 1 ALERT, last ETHUSDT spread (bps) (a: seen, A: list)"), "\(wide.rendered().lines[0])")
        let narrow = AppModel(width: 80, height: 24, status: SessionStatus(kind: "REPLAY", source: "test"), engine: fiveMarkets(), log: log)
        #expect(narrow.rendered().lines[0].contains("1 ALERT"), "\(narrow.rendered().lines[0])")
    }

    @Test("one market: no markets pane, m says why, Tab skips it")
    func oneMarket() {
        var screen = model(width: 120, height: 40, engine: engine(positions: 3))
        #expect(!screen.showsMarkets)
        #expect(!screen.rendered().text.contains("Markets "))
        _ = screen.update(.key(.character("m")))
        #expect(screen.focus != .markets)
        for _ in 0..<6 { _ = screen.update(.key(.tab)); #expect(screen.focus != .markets) }
    }

    @Test("every size from 80×24 to 200×60 shows the markets pane with whole figures")
    func sizes() {
        for (width, height) in [(80, 24), (100, 30), (120, 40), (160, 48), (200, 60)] {
            let lines = model(width: width, height: height, engine: fiveMarkets()).rendered().lines
            #expect(lines.contains { $0.contains("Markets 5/5") }, "\(width)×\(height)")
            #expect(lines.contains { $0.contains("BTCUSDT") && $0.contains("60,000") }, "\(width)×\(height): BTCUSDT's mark")
        }
    }
}

@Suite("Markets and windows: what a review found")
struct MarketsReviewTests {
    @Test("sorting the markets again (s, S) keeps the cursor on its market: Enter then focuses the market it was on")
    func sortKeepsTheCursorsMarket() {
        var screen = model(width: 160, height: 48, engine: fiveMarkets())
        _ = screen.update(.key(.character("m")))
        _ = screen.update(.key(.character("G")))
        let chosen = screen.visibleMarkets[screen.marketCursor].symbol
        for key in ["s", "s", "S", "s", "s", "s", "s"] {
            _ = screen.update(.key(.character(Character(key))))
            #expect(screen.visibleMarkets[screen.marketCursor].symbol == chosen, "after \(key): \(screen.marketSortColumn)")
        }
        _ = screen.update(.key(.enter))
        #expect(screen.focusedSymbol == chosen)
    }

    @Test("not focused, the markets pane shows its top (the riskiest), not the market its cursor had: a one-row pane at 80×24")
    func unfocusedShowsTheTop() {
        var screen = model(width: 160, height: 48, engine: fiveMarkets())
        _ = screen.update(.key(.character("m")))
        _ = screen.update(.key(.character("G")))
        #expect(screen.marketCursor == 4)
        _ = screen.update(.key(.tab))
        #expect(screen.focus != .markets)
        var engine = fiveMarkets()
        engine.apply(.clock(time: 9_000_000_000))
        _ = screen.update(.session(engine: engine, log: SessionLog(), status: SessionStatus(kind: "REPLAY", source: "test")))
        #expect(screen.marketCursor == 0)
        // Drawn in one row: the riskiest market.
        var buffer = Buffer(width: 60, height: 4)
        MarketsPane.render(screen, Rect(x: 0, y: 0, width: 60, height: 4), focused: false, &buffer)
        #expect(buffer.lines[2].contains(screen.visibleMarkets[0].symbol.split(separator: ":").last!), "\(buffer.lines)")
    }

    /// In a replay of recordings years apart the focus sat on a 2021 book while the clock was in
    /// 2025, and at 80×24 the one-row markets pane showed another, STALE market with the ▸ off
    /// screen (operator trial).
    @Test("the default focus passes over a market whose book is outdated; the unfocused pane keeps the focused market in sight")
    func focusSkipsOutdatedBooks() {
        var engine = fiveMarkets()
        var screen = model(width: 160, height: 48, engine: engine)
        let riskiest = screen.focusedSymbol
        #expect(riskiest == "BTCUSDT")
        let index = engine.marketIndex(of: "BTCUSDT")!
        engine.markets[index].bookOutdated = true
        _ = screen.update(.session(engine: engine, log: SessionLog(), status: screen.status))
        screen.rebuildMarkets()
        #expect(screen.focusedSymbol != "BTCUSDT" && screen.focusedSymbol != nil, "\(String(describing: screen.focusedSymbol))")
        // Chosen, it is shown even so; in a one-row pane, not focused, its row is the one drawn.
        _ = screen.update(.key(.character("m")))
        _ = screen.update(.key(.character("G")))
        _ = screen.update(.key(.enter))
        let chosen = screen.focusedSymbol!
        _ = screen.update(.key(.tab))
        var buffer = Buffer(width: 60, height: 4)
        MarketsPane.render(screen, Rect(x: 0, y: 0, width: 60, height: 4), focused: false, &buffer)
        #expect(buffer.lines[2].contains("▸ " + chosen.split(separator: ":").last!), "\(buffer.lines)")
    }

    @Test("a position on an outdated book is drawn dim; one on a live book is not")
    func frozenPositionsDim() {
        var engine = fiveMarkets()
        let index = engine.marketIndex(of: "BTCUSDT")!
        var screen = model(width: 160, height: 48, engine: engine)
        func rowRoles() -> [StyleRole] {
            var buffer = Buffer(width: 90, height: 8)
            PositionsPane.render(screen, Rect(x: 0, y: 0, width: 90, height: 8), focused: false, &buffer)
            return (2..<6).map { buffer[2, $0].role }
        }
        #expect(!rowRoles().contains(.dim), "\(rowRoles())")
        engine.markets[index].bookOutdated = true
        _ = screen.update(.session(engine: engine, log: SessionLog(), status: screen.status))
        #expect(rowRoles().allSatisfy { $0 == .dim }, "\(rowRoles())")
    }

    @Test("the markets cursor stays on its market when the rows are sorted again")
    func cursorFollowsItsMarket() {
        var screen = model(width: 160, height: 48, engine: fiveMarkets())
        _ = screen.update(.key(.character("m")))
        _ = screen.update(.key(.character("j")))
        _ = screen.update(.key(.character("j")))
        let under = screen.visibleMarkets[screen.marketCursor].symbol
        // ETHUSDT's book drains: the risk order changes when the markets are built again.
        var engine = fiveMarkets()
        engine.apply(.clock(time: 9_000_000_000))
        _ = screen.update(.session(engine: engine, log: SessionLog(), status: SessionStatus(kind: "REPLAY", source: "test")))
        #expect(screen.visibleMarkets[screen.marketCursor].symbol == under)
        _ = screen.update(.key(.enter))
        #expect(screen.focusedSymbol == under)
    }

    @Test("a market's positions are its open ones; a closed position leaves the count")
    func openPositionsOnly() {
        var engine = fiveMarkets()
        engine.apply(.position(PositionUpdate(account: "acct-0", symbol: "BTCUSDT", side: .long, quantity: .zero, entryPrice: Fixed(60_000),
            mode: .isolated, leverage: Fixed(5)), time: 3_000_000_000))
        let screen = model(width: 160, height: 48, engine: engine)
        #expect(screen.markets.rows.first { $0.symbol == "BTCUSDT" }?.positions == 39)
    }

    @Test("a windowed table over a mark near the largest price a book holds: no crash, clusters clamped")
    func hugeMark() {
        var engine = Engine()
        engine.openFund(asset: "USDT", balance: Fixed(1_000))
        for index in 0..<(PositionTable.fullTableLimit + 10) {
            engine.apply(.position(PositionUpdate(account: "a\(index)", symbol: "BTCUSDT", side: .long, quantity: Fixed(1),
                entryPrice: Fixed(60_000), mode: .isolated, leverage: Fixed(2)), time: 1))
        }
        engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(92_233_720_368), time: 2))
        var table = PositionTable()
        table.rebuild(from: engine, liquidations: 0, clusterReachTicks: 1_000_000)
        #expect(table.windowed)
        #expect(table.rows.count == PositionTable.windowSize)
    }

    @Test("the ADL lights of a window: a thin side is ranked whole, a sampled one never ranks past its count")
    func adlEstimate() {
        var engine = Engine()
        engine.openFund(asset: "USDT", balance: Fixed(1_000))
        engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(60_000), time: 1))
        for index in 0..<6_000 {
            engine.apply(.position(PositionUpdate(account: "l\(index)", symbol: "BTCUSDT", side: .long, quantity: Fixed(1),
                entryPrice: Fixed(50_000 + index), mode: .isolated, leverage: Fixed(5)), time: 2))
        }
        for index in 0..<3 {
            engine.apply(.position(PositionUpdate(account: "s\(index)", symbol: "BTCUSDT", side: .short, quantity: Fixed(1),
                entryPrice: Fixed(61_000 + index * 100), mode: .isolated, leverage: Fixed(5)), time: 2))
        }
        let shorts = (0..<Int32(engine.positions.count)).filter { engine.positions[Int($0)].side == .short }
        let longs = Array(0..<Int32(200))
        let estimate = engine.adlQueueEstimate(for: shorts + longs, sampleSize: 256)
        let exact = engine.adlQueue()
        for index in shorts {
            // Three shorts among six thousand longs: ranked whole, the same as the exact queue.
            #expect(estimate[index]?.estimated == false)
            #expect(estimate[index]?.lights == exact[index]?.lights)
            #expect(estimate[index]?.rank == exact[index]?.rank)
        }
        for index in longs {
            guard let entry = estimate[index], let truth = exact[index] else { Issue.record("no ADL entry for \(index)"); continue }
            #expect(entry.estimated)
            #expect(entry.rank >= 1 && entry.rank <= entry.of)
            #expect(abs(entry.lights - truth.lights) <= 1, "\(index): \(entry.lights) against \(truth.lights)")
        }
    }
}

@Suite("Markets named venue:symbol")
struct VenueNamesTests {
    /// BTCUSDT on two venues, ETHUSDT on one.
    static func twoVenues() -> Engine {
        var engine = Engine()
        for (market, price) in [("binance-usdm:BTCUSDT", "60000.0"), ("bybit:BTCUSDT", "60010.0"), ("binance-usdm:ETHUSDT", "3000.00")] {
            let best = units(price)
            engine.apply(.bookSnapshot(symbol: market, bids: (1...10).map { (best - Int64($0) * 1_000_000, units("1")) },
                asks: (0..<10).map { (best + Int64($0) * 1_000_000, units("1")) }, time: 1_000_000_000))
            engine.apply(.mark(symbol: market, price: Fixed(price)!, time: 1_000_000_000))
        }
        return engine
    }

    @Test("a symbol two venues list is named venue:symbol; a unique one by its symbol; the venue column and titles say the venue")
    func names() {
        var screen = model(width: 200, height: 60, engine: Self.twoVenues())
        #expect(screen.marketNames.short("binance-usdm:BTCUSDT") == "binance-usdm:BTCUSDT")
        #expect(screen.marketNames.short("bybit:BTCUSDT") == "bybit:BTCUSDT")
        #expect(screen.marketNames.short("binance-usdm:ETHUSDT") == "ETHUSDT")
        #expect(screen.marketNames.title("binance-usdm:ETHUSDT") == "ETHUSDT · binance-usdm")
        let text = screen.rendered().text
        #expect(text.contains("venue"))
        #expect(text.contains("bybit:BTCUSDT"))
        #expect(text.contains("  ETHUSDT "))
        // A bare symbol finds its market only when one venue lists it.
        #expect(screen.engine.market("ETHUSDT") != nil)
        #expect(screen.engine.market("BTCUSDT") == nil)
        _ = screen.update(.key(.character("m")))
        #expect(screen.rendered().text.contains("Markets 3/3"))
    }

    @Test("each venue has a tag of five letters at most; a venue liqwatch does not know keeps its name")
    func tags() {
        #expect(Venue.known.map(\.tag) == ["bn-um", "bn-cm", "bybit", "okx", "hyper", "drbt"])
        #expect(Venue("kraken-futures").tag == "kraken-futures")
        #expect(Venue.known.allSatisfy { $0.tag.count <= 5 })
    }

    @Test("where the venue's name has no room in the markets pane, its tag does: at 120 columns four venues' markets each say whose")
    func venueTagColumn() {
        let engine = Self.twoVenues()
        let wide = model(width: 200, height: 60, engine: engine)
        let measure = MarketsPane.measure(wide.visibleMarkets, model: wide)
        var venueWidths: [Int: Int] = [:]
        for width in 30...160 {
            let columns = MarketsPane.fitting(width, measure: measure, model: wide)
            guard let venue = columns.first(where: { $0.column.title == "venue" }) else { continue }
            venueWidths[width] = venue.width
            let cells = wide.visibleMarkets.map { venue.column.cell($0, wide).0 }
            // The name where it fits, else the tag; never a name cut.
            #expect(Set(cells) == (venue.width == 5 ? ["bn-um", "bybit"] : ["binance-usdm", "bybit"]), "\(width): \(cells)")
        }
        #expect(Set(venueWidths.values) == [5, "binance-usdm".count], "\(venueWidths)")
        // Narrower than the name needs, the tag; wider, the name.
        let firstName = venueWidths.filter { $0.value == 12 }.keys.min() ?? 0
        #expect(venueWidths.filter { $0.value == 5 }.keys.allSatisfy { $0 < firstName })
        // One venue: no venue column at any width.
        let single = model(width: 200, height: 60, engine: fiveMarkets())
        #expect(!MarketsPane.fitting(200, measure: MarketsPane.measure(single.visibleMarkets, model: single), model: single)
            .contains { $0.column.title == "venue" })
    }

    @Test("a narrow ladder title keeps the venue's tag after its name, before the stale reason")
    func ladderTitleTag() {
        var engine = Self.twoVenues()
        // A mark, a position and no book: STALE (no book).
        engine.apply(.mark(symbol: "binance-usdm:SOLUSDT", price: Fixed(150), time: 1_000_000_000))
        engine.apply(.position(PositionUpdate(account: "a", symbol: "binance-usdm:SOLUSDT", side: .long, quantity: Fixed(1), entryPrice: Fixed(150),
            mode: .isolated, isolatedMargin: Fixed(15)), time: 1_000_000_000))
        var status = SessionStatus(kind: "REPLAY", source: "test")
        status.time = engine.time
        func title(_ symbol: String, width: Int) -> String {
            let model = AppModel(width: 120, height: 40, status: status, engine: engine, log: SessionLog(), symbol: symbol)
            var buffer = Buffer(width: width, height: 12)
            LadderPane.render(model, Rect(x: 0, y: 0, width: width, height: 12), focused: false, &buffer)
            return buffer.lines[0]
        }
        #expect(title("binance-usdm:SOLUSDT", width: 60).contains("Depth ladder SOLUSDT · binance-usdm · STALE (no book)"))
        #expect(title("binance-usdm:SOLUSDT", width: 38).contains("Ladder SOLUSDT · bn-um · STALE ─"), "\(title("binance-usdm:SOLUSDT", width: 38))")
        #expect(title("binance-usdm:SOLUSDT", width: 28).contains("Ladder SOLUSDT · STALE"))
        #expect(title("binance-usdm:ETHUSDT", width: 28).contains("Ladder ETHUSDT · bn-um"), "\(title("binance-usdm:ETHUSDT", width: 28))")
        // A symbol two venues list is named whole, no tag beside it.
        #expect(title("bybit:BTCUSDT", width: 60).contains("Depth ladder bybit:BTCUSDT ×"))
    }
}

@Suite("Panes draw the engine as it is now")
struct LiveCellsTests {
    @Test("a mark that moves between table rebuilds shows at once in the positions and markets panes; a closed row says closed")
    func cellsFollowTheEngine() {
        var screen = model(width: 200, height: 60, engine: fiveMarkets())
        #expect(screen.rendered().text.contains("60,000.00"))
        var moved = screen.engine
        moved.apply(.mark(symbol: "BTCUSDT", price: Fixed("60123.40")!, time: 3_000_000_001))
        // The first row's position closes by its account.
        let first = screen.visibleRows[0]
        let position = moved.positions[Int(first.index)]
        moved.apply(.position(PositionUpdate(account: first.account, symbol: first.symbol, side: position.side, quantity: .zero,
            entryPrice: position.entryPrice, mode: position.mode, leverage: Fixed(10)), time: 3_000_000_002))
        screen.attach(engine: moved, log: screen.log)
        let lines = screen.rendered().lines
        // The table was not rebuilt (its rows still hold the old mark), yet every pane shows the new one.
        #expect(screen.visibleRows.contains { $0.mark == Fixed(60_000) })
        #expect(lines.contains { $0.contains("▸ BTCUSDT") && $0.contains("60,123.40") }, "markets pane")
        #expect(lines.filter { $0.contains("acct-") && $0.contains("60,123.40") }.count > 3, "positions pane")
        #expect(lines.contains { $0.contains(first.account + " ") && $0.contains("closed") }, "\(first.account)")
    }

    @Test("after a jump back in time the table is chosen again in another order: the cursor stays on its position, not on its row number")
    func cursorFollowsItsPositionAfterAJump() {
        let earlier = fiveMarkets()
        var later = earlier
        later.apply(.mark(symbol: "BTCUSDT", price: Fixed(61_500), time: 3_500_000_000))
        var screen = model(width: 200, height: 60, engine: later)
        for _ in 0..<4 { _ = screen.update(.key(.down)) }
        let held = screen.visibleRows[4].index
        var status = screen.status
        status.paused = true
        _ = screen.update(.session(engine: earlier, log: screen.log, status: status))
        #expect(screen.visibleRows.firstIndex { $0.index == held } != 4, "the order did not change: the test shows nothing")
        #expect(screen.visibleRows[screen.cursor].index == held, "the cursor stayed on row \(screen.cursor + 1), another position")
    }

    @Test("in a cascade the rows closed since the table was built go after the open ones, the cursor staying on its position")
    func closedRowsSink() {
        var screen = model(width: 200, height: 60, engine: fiveMarkets())
        let before = screen.visibleRows.map(\.index)
        #expect(before.count > 6)
        // The cursor on the fifth row; the first three and the sixth positions close (liquidated,
        // or closed by their accounts) before the table is built again.
        for _ in 0..<4 { _ = screen.update(.key(.down)) }
        #expect(screen.cursor == 4)
        var moved = screen.engine
        for offset in [0, 1, 2, 5] {
            let row = screen.visibleRows[offset]
            let position = moved.positions[Int(row.index)]
            moved.apply(.position(PositionUpdate(account: row.account, symbol: row.symbol, side: position.side, quantity: .zero,
                entryPrice: position.entryPrice, mode: position.mode, leverage: Fixed(10)), time: 3_000_000_002))
        }
        _ = screen.update(.session(engine: moved, log: screen.log, status: screen.status))
        let after = screen.visibleRows.map(\.index)
        let closed = [0, 1, 2, 5].map { before[$0] }
        #expect(after == before.filter { !closed.contains($0) } + closed)
        #expect(screen.visibleRows[screen.cursor].index == before[4], "the cursor stays on its position")
        // A cursor on a row that closes stays where it is, among the open rows (it followed the
        // closed row to the end of the list: the safest positions, the cascade out of sight).
        let cursorBefore = screen.cursor
        var again = screen.engine
        let row = screen.visibleRows[cursorBefore]
        let held = again.positions[Int(row.index)]
        again.apply(.position(PositionUpdate(account: row.account, symbol: row.symbol, side: held.side, quantity: .zero,
            entryPrice: held.entryPrice, mode: held.mode, leverage: Fixed(10)), time: 3_000_000_003))
        _ = screen.update(.session(engine: again, log: screen.log, status: screen.status))
        #expect(screen.cursor == cursorBefore)
        #expect(screen.engine.positions[Int(screen.visibleRows[screen.cursor].index)].isOpen)
        let lines = screen.rendered().lines
        let firstRow = lines.firstIndex { $0.contains(screen.visibleRows[0].account + " ") } ?? 0
        #expect(!lines[firstRow].contains("closed"), "\(lines[firstRow])")
    }
}

@Suite("Health view of a replay")
struct ReplayHealthTests {
    @Test("a replay's health view lists every book: updates, gaps, and whether it can be trusted")
    func booksListed() {
        var engine = fiveMarkets()
        engine.apply(.bookGap(symbol: "ETHUSDT", time: 4_000_000_000))
        var screen = model(width: 120, height: 40, engine: engine)
        _ = screen.update(.key(.character("h")))
        let text = screen.rendered().text
        #expect(text.contains("No live streams"), "\(text)")
        let eth = screen.rendered().lines.first { $0.contains("ETHUSDT") && $0.contains("STALE (gap)") }
        #expect(eth != nil, "\(text)")
        #expect(eth?.contains(" 1  STALE (gap)") == true, "\(eth ?? "")")
        #expect(screen.rendered().lines.contains { $0.contains("BTCUSDT") && $0.hasSuffix("ok") || ($0.contains("BTCUSDT") && $0.contains("  ok ")) })
    }
}

@Suite("The markets pane's depth names its quote; its stressed cell says ADL as the signals pane does")
struct MarketsDepthUnitTests {
    func cell(_ title: String, _ row: MarketRow, _ screen: AppModel) throws -> String {
        let column = try #require(MarketsPane.columns.first { $0.title == title })
        return column.cell(row, screen).0
    }

    @Test("USDT for a linear market, USD for a coin-margined one (its contracts are dollars), never a bare figure")
    func depthQuote() throws {
        let screen = model(width: 160, height: 48, engine: fiveMarkets())
        var row = try #require(screen.markets.rows.first { $0.symbol == "BTCUSDT" })
        row.depth10 = 16_700_000
        row.depth10Baseline = nil
        #expect(try cell("depth ±10bp", row, screen) == "16.7M USDT")
        row.instrument = Instrument.btcusdPerp
        row.asset = "BTC"
        row.depth10Baseline = 33_400_000
        #expect(try cell("depth ±10bp", row, screen) == "16.7M USD 0.50x")
        row.stressedDeficit = Fixed(0)
        row.adlCertain = true
        #expect(try cell("stressed", row, screen).hasSuffix("BTC + ADL"))
    }
}

@Suite("The markets pane sorts by the columns it shows")
struct MarketsSortShownTests {
    @Test("s cycles through the risk order and the columns on screen only; a wider pane offers more", arguments: [(120, 40), (200, 60)])
    func onlyShownColumns(size: (Int, Int)) {
        var screen = model(width: size.0, height: size.1, engine: fiveMarkets())
        screen.press(.character("m"))
        let shown = MarketsPane.shownColumns(screen)
        #expect(!shown.isEmpty)
        var seen: Set<MarketColumn> = []
        for _ in 0..<(MarketColumn.allCases.count * 2) {
            screen.press(.character("s"))
            seen.insert(screen.marketSortColumn)
        }
        #expect(seen == shown.union([.risk]), "\(size): \(seen) against \(shown)")
        if size.0 == 120 { #expect(!seen.contains(.premium) && !seen.contains(.funding), "\(seen)") }
        if size.0 == 200 { #expect(seen.contains(.premium) && seen.contains(.funding), "\(seen)") }
    }
}

@Suite("The markets pane's stressed column at 80 columns")
struct MarketsStressedNarrowTests {
    @Test("a stressed deficit under 10,000 is exact where there is room, compact rather than dropped where there is not")
    func compactBeforeDropped() throws {
        var rows = MarketsPane.shownRows(model(width: 200, height: 60, engine: fiveMarkets()))
        let index = try #require(rows.firstIndex { $0.symbol == "BTCUSDT" })
        rows[index].stressedDeficit = Fixed("1234.56")!
        rows[index].worstSignal = .alert
        rows[index].alertSignals = 3
        let wide = model(width: 200, height: 60, engine: fiveMarkets())
        let roomy = MarketsPane.fitting(120, rows: rows, model: wide)
        let stressed = try #require(roomy.first { $0.column.column == .stressed })
        #expect(stressed.column.cell(rows[index], wide).0 == "1,234.56 USDT")
        let narrow = MarketsPane.fitting(40, rows: rows, model: wide)
        let kept = try #require(narrow.first { $0.column.column == .stressed }, "the stressed column was dropped: \(narrow.map(\.column.title))")
        #expect(kept.column.cell(rows[index], wide).0 == "1,235 USDT")
        #expect(narrow.reduce(0) { $0 + $1.width + 1 } <= 40)
        // A coin's exact figure, too wide beside the mark and the signal: they go, it stays.
        rows[index].asset = "UNI"
        rows[index].adlCertain = true
        rows[index].stressedDeficit = Fixed("1234.31536657")!
        let coin = MarketsPane.fitting(40, rows: rows, model: wide).map { $0.column.column }
        #expect(coin.contains(.stressed) && coin.contains(.symbol) && !coin.contains(.mark), "\(coin)")
    }

    @Test("a column dropped while a wider one stood comes back when what is left holds it")
    func droppedColumnsComeBack() {
        let wide = model(width: 200, height: 60, engine: fiveMarkets())
        let rows = MarketsPane.shownRows(wide)
        for width in [60, 80, 100, 120, 160] {
            let chosen = MarketsPane.fitting(width, rows: rows, model: wide)
            let used = chosen.reduce(0) { $0 + $1.width + 1 }
            #expect(used <= width)
            let shown = Set(chosen.map(\.column.title))
            for column in MarketsPane.columns where !shown.contains(column.title) {
                let cells = rows.map { DisplayWidth.of(column.cell($0, wide).0) }
                let need = max(DisplayWidth.of(column.title), cells.max() ?? 0) + 1
                let saysNothing = !rows.isEmpty && rows.allSatisfy { column.cell($0, wide).0 == "—" }
                #expect(used + need > width || saysNothing || column.onlyForSeveralVenues, "\(width): \(column.title) fits in \(width - used) cells left")
            }
        }
    }
}

@Suite("Sorting the markets by their signal column")
struct MarketsSignalSortTests {
    @Test("rows sort as the column reads: ALERT by count, STALE, MARK OLD, warn, ok; a STALE row's hidden level does not split them")
    func asShown() {
        let base = MarketsPane.shownRows(model(width: 200, height: 60, engine: fiveMarkets()))[0]
        func row(_ name: String, _ level: SignalLevel, alerts: Int = 0, stale: Bool = false, old: Bool = false) -> MarketRow {
            var row = base
            row.symbol = name
            row.worstSignal = level
            row.alertSignals = alerts
            row.stale = stale
            row.markOutdated = old
            return row
        }
        let rows = [row("okA", .ok), row("staleOk", .ok, stale: true), row("alert1", .alert, alerts: 1), row("staleAlert", .alert, alerts: 3, stale: true),
                    row("warn", .warn), row("old", .ok, old: true), row("alert3", .alert, alerts: 3)]
        let sorted = rows.sorted { MarketTable.ascending($1, $0, by: .signal) }.map(\.symbol)
        #expect(Array(sorted.prefix(2)) == ["alert3", "alert1"])
        #expect(Set(sorted[2...3]) == ["staleOk", "staleAlert"], "\(sorted)")
        #expect(Array(sorted[4...]) == ["old", "warn", "okA"], "\(sorted)")
    }
}

@Suite("Exchange liquidations of a venue that publishes none")
struct UnpublishedLiquidationsTests {
    @Test("Hyperliquid publishes none: n/a, until the session is told of some (an events file's lines), then counted")
    func countedWhenTold() throws {
        var engine = Engine()
        engine.apply(.mark(symbol: "hyperliquid:BTC", price: Fixed(60_000), time: 1_000_000_000))
        engine.apply(.mark(symbol: "binance-usdm:BTCUSDT", price: Fixed(60_000), time: 1_000_000_000))
        let quiet = try #require(engine.market("hyperliquid:BTC"))
        #expect(quiet.liquidationCompleteness == .unpublished)
        engine.apply(.exchangeLiquidation(ExchangeLiquidation(symbol: "hyperliquid:BTC", side: .long, price: Fixed(60_000),
            quantity: .one, time: 2_000_000_000)))
        let told = try #require(engine.market("hyperliquid:BTC"))
        #expect(told.liquidationCompleteness == .unknown && told.counters.exchangeLiquidations == 1)
        let screen = model(width: 200, height: 60, engine: engine)
        let row = try #require(screen.markets.rows.first { $0.symbol == "hyperliquid:BTC" })
        let column = try #require(MarketsPane.columns.first { $0.title == "ex liqs" })
        #expect(column.cell(row, screen).0 == "1 ?")
    }
}
