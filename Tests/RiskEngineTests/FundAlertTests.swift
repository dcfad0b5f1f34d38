import Testing
@testable import RiskEngine

/// A fund reaching its drawdown alert band, zero, or ADL is told once, dated at the liquidation
/// that brought it, and again only after the fund came back.
@Suite("Fund alerts")
struct FundAlertTests {
    static let symbol = "binance-usdm:BTCUSDT"
    static let second: Int64 = 1_000_000_000

    static func units(_ text: String) -> Int64 { Fixed(text)!.bookUnits }

    /// A fund of `opening` USDT (1,000 by default; 1,000.5 leaves the fund a remainder no whole lot
    /// of the next close fits), bids only at 58,000, two 50x longs whose bankruptcy (58,800) is above
    /// them, and a short in profit for ADL to close against.
    static func session(opening: String = "1000") -> Engine {
        var engine = Engine()
        engine.openFund(asset: "USDT", balance: Fixed(opening)!)
        engine.apply(.bookSnapshot(symbol: symbol, bids: [(units("58000"), units("10"))], asks: [(units("60000"), units("10"))], time: second))
        engine.apply(.mark(symbol: symbol, price: Fixed(60_000), time: second))
        for account in ["a", "b"] {
            engine.apply(.position(PositionUpdate(account: account, symbol: symbol, side: .long, quantity: Fixed(1), entryPrice: Fixed(60_000),
                mode: .isolated, leverage: Fixed(50)), time: second))
        }
        engine.apply(.position(PositionUpdate(account: "w", symbol: symbol, side: .short, quantity: Fixed(5), entryPrice: Fixed(70_000),
            mode: .isolated, leverage: Fixed(5)), time: second))
        return engine
    }

    /// Bids at 50,000 only, and a 50x long of 2 at 57,000 (bankrupt at 55,860): a deficit of
    /// 11,720 once the mark reaches 55,000.
    static func thinnerBookAndAnotherLong(_ engine: inout Engine, time: Int64) {
        engine.apply(.bookSnapshot(symbol: symbol, bids: [(units("50000"), units("10"))], asks: [(units("57000"), units("10"))], time: time))
        engine.apply(.position(PositionUpdate(account: "c", symbol: symbol, side: .long, quantity: Fixed(2), entryPrice: Fixed(57_000),
            mode: .isolated, leverage: Fixed(50)), time: time))
    }

    static func fundAlerts(_ notes: [EngineNotification]) -> [FundAlert] {
        notes.compactMap { if case .fundAlert(let alert) = $0 { return alert } else { return nil } }
    }

    @Test("two deficits past the fund: down past 50 %, exhausted, ADL began, each once, dated at the liquidation, named by fund and market")
    func eachOnce() throws {
        var engine = Self.session()
        let notes = engine.apply(.mark(symbol: Self.symbol, price: Fixed(57_000), time: 2 * Self.second))
        let alerts = Self.fundAlerts(notes)
        #expect(Set(alerts.map(\.kind)) == [.drawdown, .fundExhausted, .adlBegan], "\(alerts)")
        #expect(alerts.count == 3)
        #expect(alerts.allSatisfy { $0.time == 2 * Self.second && $0.venue == "binance-usdm" && $0.asset == "USDT" && $0.symbol == Self.symbol })
        let drawdown = try #require(alerts.first { $0.kind == .drawdown })
        #expect(drawdown.drawdown >= Fixed("0.5")! && drawdown.balance < Fixed(500))
        #expect(drawdown.message.hasPrefix("binance-usdm USDT fund down "))
        // The fund stands behind whole lots only: it is exhausted a little above zero.
        #expect((alerts.first { $0.kind == .fundExhausted }?.balance ?? Fixed(1_000)) < Fixed(1))
        // ADL again within the window (10 s) is the same episode; the fund still empty, no news.
        Self.thinnerBookAndAnotherLong(&engine, time: 3 * Self.second)
        let again = engine.apply(.mark(symbol: Self.symbol, price: Fixed(55_000), time: 4 * Self.second))
        #expect(again.liquidations.count == 1)
        #expect(Self.fundAlerts(again).isEmpty, "\(Self.fundAlerts(again))")
    }

    @Test("a drawdown just short of a band reads short of it: 79.96 % is `79.9%`, not `80.0%`")
    func drawdownRoundedDown() {
        let alert = FundAlert(time: 0, venue: "binance-usdm", asset: "USDT", kind: .drawdown, balance: Fixed("200.4")!,
            drawdown: Fixed("0.7996")!, symbol: nil)
        #expect(alert.drawdownPercentText(places: 1) == "79.9" && alert.drawdownPercentText(places: 2) == "79.96")
        #expect(alert.message.contains("down 79.9% from its peak"), "\(alert.message)")
        var told = OperatorAlert(time: 0, kind: .fund, message: alert.message)
        told.fundAlert = alert
        #expect(told.jsonLine.contains(#""drawdown_pct":79.96"#), "\(told.jsonLine)")
        let deeper = FundAlert(time: 0, venue: "", asset: "USDT", kind: .drawdown, balance: .zero, drawdown: Fixed("0.79999")!, symbol: nil)
        #expect(deeper.drawdownPercentText(places: 2) == "79.99")
    }

    @Test("a fund left a remainder no lot fits (1,000.5) is exhausted all the same; a fee after it does not page again")
    func exhaustedAboveZero() {
        var engine = Self.session(opening: "1000.5")
        let notes = engine.apply(.mark(symbol: Self.symbol, price: Fixed(57_000), time: 2 * Self.second))
        #expect(Self.fundAlerts(notes).filter { $0.kind == .fundExhausted }.count == 1, "\(Self.fundAlerts(notes))")
        #expect(engine.fund("USDT").balance.isPositive)
        Self.thinnerBookAndAnotherLong(&engine, time: 3 * Self.second)
        let again = engine.apply(.mark(symbol: Self.symbol, price: Fixed(55_000), time: 4 * Self.second))
        #expect(again.liquidations.count == 1 && Self.fundAlerts(again).isEmpty, "\(Self.fundAlerts(again))")
    }

    @Test("a fund that came back (stated at its peak again) is told again; ADL after a quiet window begins again")
    func toldAgainAfterComingBack() {
        var engine = Self.session()
        _ = engine.apply(.mark(symbol: Self.symbol, price: Fixed(57_000), time: 2 * Self.second))
        // The operator's system restores the fund.
        let restored = engine.apply(.insuranceFund(asset: "USDT", venue: "binance-usdm", balance: Fixed(1_000), time: 3 * Self.second))
        #expect(Self.fundAlerts(restored).isEmpty)
        Self.thinnerBookAndAnotherLong(&engine, time: 20 * Self.second)
        let notes = engine.apply(.mark(symbol: Self.symbol, price: Fixed(55_000), time: 30 * Self.second))
        // This deficit leaves the fund a few dollars (3.80): exhausted all the same (the rest of
        // the close went to ADL).
        #expect(Set(Self.fundAlerts(notes).map(\.kind)) == [.drawdown, .fundExhausted, .adlBegan], "\(Self.fundAlerts(notes))")
        #expect(engine.fund("USDT").balance.isPositive)
    }

    @Test("the watcher tells them in time order with the signal alerts, names the fund in its JSON line, and a replay jumped back tells none again")
    func watcherRelays() throws {
        var engine = Self.session()
        var log = SessionLog()
        log.record(engine.apply(.mark(symbol: Self.symbol, price: Fixed(57_000), time: 2 * Self.second)))
        var watcher = AlertWatcher()
        let told = watcher.newAlerts(log: log, time: engine.time).filter { $0.kind == .fund }
        #expect(told.count == 3)
        let line = try #require(told.first { $0.fundAlert?.kind == .drawdown }?.jsonLine)
        #expect(line.contains(#""kind":"fund""#) && line.contains(#""fund":"binance-usdm USDT fund""#) && line.contains(#""fund_alert":"drawdown""#)
            && line.contains(#""asset":"USDT""#) && line.contains(#""balance":"#), "\(line)")
        #expect(watcher.newAlerts(log: log, time: engine.time).isEmpty)
        // The log rebuilt from the start (a seek back) and replayed to the same point: nothing new.
        var replayed = SessionLog()
        var again = Self.session()
        replayed.record(again.apply(.mark(symbol: Self.symbol, price: Fixed(57_000), time: 2 * Self.second)))
        #expect(watcher.newAlerts(log: SessionLog(), time: Self.second).isEmpty)
        #expect(watcher.newAlerts(log: replayed, time: again.time).filter { $0.kind == .fund }.isEmpty)
    }
}
