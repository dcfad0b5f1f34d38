import Testing
@testable import Dashboard
@testable import RiskEngine

/// A market whose settlement asset no insurance fund was given for: the pane shows what the fund
/// holds, says no opening was given and where deficits past it go, and shows the fund of the
/// focused market's own asset.
@Suite("Fund pane: a settlement asset with no fund given")
struct FundNotGivenTests {
    /// The USDT fund given, and an OKX coin-margined swap (settled in BTC) with a book and a position.
    static func engine() -> Engine {
        var engine = DashboardTests.engine(positions: 4)
        let market = "okx:BTC-USD-SWAP"
        engine.apply(.mark(symbol: market, price: Fixed(60_000), time: 3_000_000_000))
        engine.apply(.bookSnapshot(symbol: market, bids: [(units("59990"), units("1000"))], asks: [(units("60010"), units("1000"))], time: 3_000_000_000))
        engine.apply(.position(PositionUpdate(account: "coin", symbol: market, side: .long, quantity: Fixed(1_000),
            entryPrice: Fixed(60_000), mode: .isolated, leverage: Fixed(10)), time: 3_000_000_000))
        return engine
    }

    @Test("focused on the BTC-settled market: its balance marked '(no opening given)', and where deficits past it go")
    func saysNoFund() {
        let screen = model(width: 120, height: 40, engine: Self.engine(), symbol: "okx:BTC-USD-SWAP")
        #expect(screen.focusedSymbol == "okx:BTC-USD-SWAP")
        let text = screen.rendered().text
        // Markets of two venues (BTCUSDT of none, okx): the fund's venue is named.
        #expect(text.contains("Insurance fund okx BTC"))
        #expect(text.contains("0.00000000 (no opening given)"))
        #expect(text.contains("none: past balance → ADL"))
    }

    @Test("focused on the USDT market: its fund, with its balance, as before")
    func givenFund() {
        let text = model(width: 120, height: 40, engine: Self.engine(), symbol: "BTCUSDT").rendered().text
        #expect(text.contains("Insurance fund USDT"))
        #expect(!text.contains("no opening given"))
        #expect(text.contains("50,000.00"))
    }

    @Test("focused on the USDT market: the BTC fund nobody gave, which backs a market with positions, is an other fund's line (it was in none)")
    func notGivenFundIsWatched() {
        let engine = Self.engine()
        let btc = engine.fundIndex(venue: "okx", asset: "BTC")
        #expect(btc != nil && !engine.fundOrder.contains(btc!) && engine.watchedFundOrder.contains(btc!))
        // At 200×60, where the pane has rows to spare (at 120×40 its own lines fill it: an idle
        // other fund is the line that gives way).
        let text = model(width: 200, height: 60, engine: engine, symbol: "BTCUSDT").rendered().text
        #expect(text.contains("other fund") && text.contains("okx BTC"), "\(text)")
    }

    @Test("no market and no fund yet: the pane says the opening waits for its venue's first market, not a balance of 250,000.00")
    func noMarketYet() {
        var engine = Engine()
        engine.openFund(asset: "USDT", balance: Fixed(250_000), provisional: true)
        for (width, height) in [(120, 40), (80, 24)] {
            var status = SessionStatus(kind: "REPLAY", source: "test")
            status.time = engine.time
            let text = AppModel(width: width, height: height, status: status, engine: engine, log: SessionLog()).rendered().text
            #expect(text.contains("No fund yet") && !text.contains("balance"), "\(width)x\(height):\n\(text)")
        }
        let wide = AppModel(width: 200, height: 60, status: SessionStatus(kind: "REPLAY", source: "test"), engine: engine, log: SessionLog()).rendered().text
        #expect(wide.contains("No fund yet: 250,000.00 USDT opens with its venue's"), "\(wide)")
        // Its first market opens it: the balance is back.
        engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(60_000), time: 1))
        let opened = AppModel(width: 120, height: 40, status: SessionStatus(kind: "REPLAY", source: "test"), engine: engine, log: SessionLog()).rendered().text
        #expect(!opened.contains("No fund yet") && opened.contains("250,000.00"), "\(opened)")
    }

    /// Under socialised loss, an empty USDT fund, a 1 BTC long at 60,000 with 3,000 of margin
    /// filled at 50,000 (a deficit of 7,000), and `winners`' shorts entered at 60,000 (account,
    /// size, margin) holding their profit at 57,200; `before` adds markets first (at time `t`).
    static func socialisedPastAnEmptyFund(winners: [(String, String, Int)], before: (inout Engine, Int64) -> Void = { _, _ in }) -> Engine {
        var configuration = EngineConfiguration()
        configuration.shortfall = .socialisedLoss
        var engine = Engine(configuration: configuration)
        engine.openFund(asset: "USDT", balance: .zero)
        let t: Int64 = 1_723_161_255_000_000_000
        before(&engine, t)
        engine.apply(.bookSnapshot(symbol: "BTCUSDT", bids: [(units("59990"), units("1")), (units("50000"), units("5"))], asks: [(units("60010"), units("1"))], time: t))
        engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(60_000), time: t))
        engine.apply(.position(PositionUpdate(account: "loser", symbol: "BTCUSDT", side: .long, quantity: Fixed(1), entryPrice: Fixed(60_000),
            mode: .isolated, isolatedMargin: Fixed(3_000)), time: t))
        for (account, size, margin) in winners {
            engine.apply(.position(PositionUpdate(account: account, symbol: "BTCUSDT", side: .short, quantity: Fixed(size)!, entryPrice: Fixed(60_000),
                mode: .isolated, isolatedMargin: Fixed(margin)), time: t))
        }
        engine.apply(.bookSnapshot(symbol: "BTCUSDT", bids: [(units("50000"), units("5"))], asks: [(units("57400"), units("1"))], time: t + 1_000_000))
        engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(57_200), time: t + 2_000_000))
        // Every other market marked at the same time (none ended).
        for market in engine.markets where market.symbol != "binance-usdm:BTCUSDT" && market.symbol != "BTCUSDT" {
            engine.apply(.mark(symbol: market.symbol, price: Fixed(60_000), time: t + 2_000_000))
        }
        return engine
    }

    @Test("a loss socialised past an empty fund: the pane names it, with the bad debt, its label kept at 80×24, never as the fund's outflow")
    func socialisedLine() {
        let engine = Self.socialisedPastAnEmptyFund(winners: [("win1", "0.01", 60), ("win2", "0.03", 180)])
        #expect(engine.totals.socialisedTotal["USDT"] == Fixed(112))
        let wide = model(width: 120, height: 40, engine: engine, symbol: "BTCUSDT").rendered().text
        #expect(wide.contains("socialised") && wide.contains("112.00") && wide.contains("debt 6,888.00"), "\(wide)")
        #expect(!wide.contains("−112.00"), "not the fund's outflow: \(wide)")
        let narrow = model(width: 80, height: 24, engine: engine, symbol: "BTCUSDT").rendered().lines
        let line = narrow.first { $0.contains("112.00") } ?? ""
        #expect(line.contains("social"), "the label kept: \(narrow.joined(separator: "\n"))")
    }

    @Test("a loss socialised on one venue is that venue's fund's: another venue's fund of the same asset shows none (it showed the asset's total)")
    func socialisedIsTheVenuesOwn() {
        // A Bybit USDT market beside, with its own fund and nothing socialised.
        let engine = Self.socialisedPastAnEmptyFund(winners: [("win", "0.04", 240)]) { engine, time in
            engine.apply(.bookSnapshot(symbol: "bybit:BTCUSDT", bids: [(units("59990"), units("10"))], asks: [(units("60010"), units("10"))], time: time))
            engine.apply(.mark(symbol: "bybit:BTCUSDT", price: Fixed(60_000), time: time))
        }
        let binance = engine.funds.first { $0.venue != "bybit" && $0.asset == "USDT" }
        let bybit = engine.funds.first { $0.venue == "bybit" && $0.asset == "USDT" }
        #expect(binance?.socialisedCharged == Fixed(112) && binance?.badDebt == Fixed(6_888), "\(engine.funds.map { ($0.venue, $0.asset, $0.socialisedCharged, $0.badDebt) }) \(engine.totals.socialisedTotal)")
        #expect(bybit?.socialisedCharged == .zero && bybit?.badDebt == .zero)
        let own = model(width: 120, height: 40, engine: engine, symbol: "binance-usdm:BTCUSDT").rendered().text
        #expect(own.contains("socialised") && own.contains("debt 6,888.00"), "\(own)")
        let other = model(width: 120, height: 40, engine: engine, symbol: "bybit:BTCUSDT").rendered().text
        #expect(other.contains("fund bybit") && !other.contains("socialised") && !other.contains("6,888.00"), "\(other)")
    }

    @Test("another fund's ADL NEAR that comes from an ended book says so, and is not pressing")
    func endedNearOtherFund() {
        var engine = Engine()
        engine.openFund(asset: "USDT", balance: Fixed(1_000))
        // OLDUSDT (Binance): 20 of longs over 5 of bids, ADL certain; its book never changes again.
        engine.apply(.bookSnapshot(symbol: "OLDUSDT", bids: [(units("59000"), units("5"))], asks: [(units("60000"), units("10"))], time: 1_000_000_000))
        engine.apply(.mark(symbol: "OLDUSDT", price: Fixed(59_500), time: 1_000_000_000))
        engine.apply(.position(PositionUpdate(account: "o", symbol: "OLDUSDT", side: .long, quantity: Fixed(20), entryPrice: Fixed(60_000),
            mode: .isolated, leverage: Fixed(20)), time: 1_000_000_000))
        // A Bybit market live for an hour and more.
        for second in stride(from: Int64(2), through: 3_700, by: 30) {
            engine.apply(.bookSnapshot(symbol: "bybit:BTCUSDT", bids: [(units("59999"), units("\(second % 5 + 1)"))], asks: [(units("60001"), units("10"))],
                time: second * 1_000_000_000))
            engine.apply(.mark(symbol: "bybit:BTCUSDT", price: Fixed(60_000), time: second * 1_000_000_000))
        }
        let binance = engine.funds.firstIndex { $0.venue != "bybit" }.map { engine.funds[$0] }
        let state = engine.fundState(venue: binance?.venue ?? "", asset: "USDT")
        #expect(state.adl == .near && state.stressedMarket.flatMap(engine.marketIndex(of:)).map(engine.isEnded(market:)) == true, "\(state)")
        let text = model(width: 200, height: 60, engine: engine, symbol: "bybit:BTCUSDT").rendered().text
        #expect(text.contains("· ADL near (ended book)"), "\(text)")
        // Its own pane says it too, at every size (operator trial: a bare `NEAR: stress → ADL`).
        for (width, height) in [(80, 24), (120, 40), (200, 60)] {
            let own = model(width: width, height: height, engine: engine, symbol: "OLDUSDT").rendered().lines
            let adl = own.first { $0.contains("ADL") && $0.contains("NEAR") }
            #expect(adl?.contains("(ended") == true, "\(width)×\(height): \(own.joined(separator: "\n"))")
        }
    }

    @Test("calm, the fund pane still says how near the nearest liquidation is (it came only with a stress)")
    func calmNearest() {
        var engine = Engine()
        engine.openFund(asset: "USDT", balance: Fixed(50_000))
        let t: Int64 = 1_723_161_255_000_000_000
        engine.apply(.bookSnapshot(symbol: "BTCUSDT", bids: [(units("57290"), units("1000"))], asks: [(units("57310"), units("1000"))], time: t))
        engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(57_300), time: t))
        engine.apply(.position(PositionUpdate(account: "near", symbol: "BTCUSDT", side: .long, quantity: Fixed(1), entryPrice: Fixed(60_000),
            mode: .isolated, isolatedMargin: Fixed(3_000)), time: t))
        engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(57_300), time: t + 2_000_000_000))
        let stress = engine.markets[0].shownStress
        #expect(!stress.deficit.isPositive && !stress.adlCertain && stress.bookShare == nil, "\(stress)")
        let text = model(width: 120, height: 40, engine: engine, symbol: "BTCUSDT").rendered().text
        #expect(text.contains("nearest liq") && text.contains("no stressed deficit"), "\(text)")
    }

    @Test("a fund given at zero is a fund: its balance is shown, not 'no opening given'")
    func zeroIsGiven() {
        var engine = Self.engine()
        engine.openFund(asset: "BTC", balance: .zero)
        #expect(engine.fund("BTC").wasGiven)
        let text = model(width: 120, height: 40, engine: engine, symbol: "okx:BTC-USD-SWAP").rendered().text
        #expect(!text.contains("no opening given"))
        // BTCUSDT (a market of no venue) has a fund too: the title names the venue of the one shown.
        #expect(text.contains("Insurance fund okx BTC"))
    }

    @Test("the engine decides as before: a deficit in an asset with no fund goes to ADL, and liquidation money alone does not make a fund given")
    func engineUnchanged() {
        var engine = Engine()
        let market = "okx:BTC-USD-SWAP"
        engine.apply(.mark(symbol: market, price: Fixed(60_000), time: 1))
        // An empty bid side: the long cannot be sold, everything goes to ADL against the short.
        engine.apply(.bookSnapshot(symbol: market, bids: [], asks: [(units("60010"), units("1000"))], time: 1))
        engine.apply(.position(PositionUpdate(account: "winner", symbol: market, side: .short, quantity: Fixed(2_000),
            entryPrice: Fixed(70_000), mode: .isolated, leverage: Fixed(5)), time: 1))
        engine.apply(.position(PositionUpdate(account: "loser", symbol: market, side: .long, quantity: Fixed(1_000),
            entryPrice: Fixed(60_000), mode: .isolated, leverage: Fixed(20)), time: 1))
        let liquidation = engine.positions[1].liquidation!
        let notes = engine.apply(.mark(symbol: market, price: liquidation - Fixed(1), time: 2))
        #expect(notes.contains { if case .liquidation = $0 { return true } else { return false } })
        let adl = notes.compactMap { if case .adl(let record) = $0 { return record.account } else { return nil } }
        #expect(adl == ["winner"])
        #expect(!engine.fund("BTC").wasGiven)
        #expect(engine.moneyInSystem(asset: "BTC") == engine.deposits["BTC"])
    }

    @Test("a fund with no opening that its liquidations paid into shows that balance, its flows and its chart (operator trial: 'no fund given' beside its own deficits)")
    func unfundedBalanceShown() throws {
        var engine = Self.engine()
        let market = "okx:BTC-USD-SWAP"
        // The long's liquidation fills above its bankruptcy price: the surplus goes to the fund.
        let liquidation = try #require(engine.positions.last?.liquidation)
        var app = model(width: 120, height: 40, engine: engine, symbol: market)
        engine.apply(.mark(symbol: market, price: liquidation - Fixed(1), time: 4_000_000_000))
        let fund = engine.fund(venue: "okx", asset: "BTC")
        #expect(!fund.wasGiven && fund.balance.isPositive)
        var status = app.status
        status.time = engine.time
        _ = app.update(.session(engine: engine, log: app.log, status: status))
        let text = app.rendered().text
        let shown = Format.money(fund.balance, decimals: 8)
        #expect(text.contains(shown + " (no opening given)"), "the balance it holds: \(shown)")
        #expect(text.contains("in: surplus"))
        #expect(!text.contains("no fund given"))
    }
}

private func model(width: Int, height: Int, engine: Engine, symbol: String) -> AppModel {
    var status = SessionStatus(kind: "REPLAY", source: "test")
    status.time = engine.time
    return AppModel(width: width, height: height, status: status, engine: engine, log: SessionLog(), symbol: symbol)
}

@Suite("The tape's deficits name their asset when the session has several")
struct TapeAssetTests {
    @Test("a USDT market beside a BTC-settled one: deficits name their asset; one asset alone: none")
    func namesAssets() throws {
        #expect(TapePane.namesAssets(FundNotGivenTests.engine()))
        #expect(!TapePane.namesAssets(DashboardTests.engine(positions: 4)))
        // A BTC deficit in a two-asset session, as the tape's deficit column shows it.
        var engine = Engine()
        let market = "okx:BTC-USD-SWAP"
        engine.openFund(asset: "BTC", balance: Fixed(1))
        engine.apply(.mark(symbol: market, price: Fixed(60_000), time: 1))
        engine.apply(.bookSnapshot(symbol: market, bids: [(units("50000"), units("1000"))], asks: [(units("60010"), units("1000"))], time: 1))
        engine.apply(.position(PositionUpdate(account: "loser", symbol: market, side: .long, quantity: Fixed(100),
            entryPrice: Fixed(60_000), mode: .isolated, leverage: Fixed(50)), time: 1))
        let liquidation = try #require(engine.positions[0].liquidation)
        let notes = engine.apply(.mark(symbol: market, price: liquidation - Fixed(1), time: 2))
        let record = try #require(notes.compactMap { if case .liquidation(let record) = $0 { return record } else { return nil } }.first)
        #expect(record.deficit.isPositive)
        #expect(TapePane.deficitCell(record, namingAsset: true) == TapePane.deficit(record.deficit, asset: "BTC") + " BTC")
        #expect(TapePane.deficitCell(record) == TapePane.deficit(record.deficit, asset: "BTC"))
    }
}

@Suite("The footer when the focused market is not in the session")
struct FocusedMarketGoneTests {
    @Test("--symbol's market not there yet blames --symbol; a market chosen in the session and gone after a seek back does not")
    func whoseMarket() {
        var status = SessionStatus(kind: "REPLAY", source: "test")
        let early = DashboardTests.engine(positions: 4)
        status.time = early.time
        let given = AppModel(width: 120, height: 40, status: status, engine: early, log: SessionLog(), symbol: "okx:BTC-USD-SWAP")
        #expect(given.rendered().text.contains("--symbol okx:BTC-USD-SWAP: no such market in this session yet"))
        // Chosen in the markets pane, then a seek back to before the market appeared.
        let later = FundNotGivenTests.engine()
        var screen = AppModel(width: 120, height: 40, status: status, engine: later, log: SessionLog())
        screen.press(.character("m"))
        for _ in 0..<screen.visibleMarkets.count {
            if screen.visibleMarkets[screen.marketCursor].symbol == "okx:BTC-USD-SWAP" { break }
            screen.press(.down)
        }
        screen.press(.enter)
        #expect(screen.chosenSymbol == "okx:BTC-USD-SWAP")
        _ = screen.update(.session(engine: early, log: SessionLog(), status: status))
        let text = screen.rendered().text
        #expect(!text.contains("--symbol"), "\(text)")
        #expect(text.contains("okx:BTC-USD-SWAP: not in the session at this time"), "\(text)")
    }
}

@Suite("A seek back to before positions were placed")
struct SeekBeforePositionsTests {
    /// The screen on the later engine, the positions pane focused, and the status both share.
    static func screen(on later: Engine) -> (AppModel, SessionStatus) {
        var status = SessionStatus(kind: "REPLAY", source: "test")
        status.time = later.time
        var screen = AppModel(width: 120, height: 40, status: status, engine: later, log: SessionLog())
        screen.focusPane(.positions)
        return (screen, status)
    }

    @Test("rows and a position's view of positions the engine no longer holds go; nothing traps")
    func fewerPositions() {
        let earlier = DashboardTests.engine(positions: 5)
        var (screen, status) = Self.screen(on: DashboardTests.engine(positions: 30))
        guard let row = screen.visibleRows.firstIndex(where: { $0.index >= 5 }) else { Issue.record("no row past 5"); return }
        for _ in 0..<row { screen.press(.down) }
        screen.press(.enter)
        guard case .detail(let position) = screen.mode else { Issue.record("no position view"); return }
        #expect(Int(position) >= 5, "the view shows a position the earlier engine does not hold")
        _ = screen.update(.session(engine: earlier, log: SessionLog(), status: status))
        #expect({ if case .normal = screen.mode { return true } else { return false } }())
        #expect(screen.visibleRows.allSatisfy { Int($0.index) < 5 })
        #expect(!screen.visibleRows.isEmpty)
        let text = screen.rendered().text
        #expect(text.contains("Positions"))
    }

    @Test("past 5,000 positions (a rebuild in slices): a sort right after the seek back draws no row the engine lacks (review)")
    func sortWhileRebuilding() {
        let earlier = DashboardTests.engine(positions: 6_000)
        var (screen, status) = Self.screen(on: DashboardTests.engine(positions: 8_000))
        screen.press(.character("s"), .character("S"))
        _ = screen.update(.session(engine: earlier, log: SessionLog(), status: status))
        screen.press(.character("s"))
        #expect(screen.table.rows.allSatisfy { Int($0.index) < 6_000 })
        #expect(screen.visibleRows.allSatisfy { Int($0.index) < 6_000 })
        #expect(screen.rendered().text.contains("Positions"))
    }
}
