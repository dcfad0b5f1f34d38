import Testing
@testable import Dashboard
@testable import RiskEngine

/// With several funds the pane showed the focused market's alone: another venue's drawdown or ADL
/// took focusing its markets in turn to find (operator trial).
@Suite("Other funds in the fund pane")
struct OtherFundsTests {
    @Test("every other fund in use gets a line with its balance and the engine's class; one whose ADL is near stays when rows are short")
    func otherFundsListed() {
        var engine = Engine()
        let binance = "binance-usdm:BTCUSDT", bybit = "bybit:BTCUSDT"
        engine.openFund(asset: "USDT", balance: Fixed(250_000), venue: "binance-usdm")
        engine.openFund(asset: "USDT", balance: Fixed(30), venue: "bybit")
        for symbol in [binance, bybit] { engine.apply(.mark(symbol: symbol, price: Fixed(60_000), time: 1)) }
        var status = SessionStatus(kind: "REPLAY", source: "test")
        status.time = engine.time
        var model = AppModel(width: 120, height: 40, status: status, engine: engine, symbol: binance)
        var buffer = Buffer(width: 44, height: 14)
        FundPane.render(model, Rect(x: 0, y: 0, width: 44, height: 14), focused: false, &buffer)
        var text = buffer.lines.joined(separator: "\n")
        #expect(text.contains("other fund    bybit USDT 30.00"), "\(text)")
        #expect(!text.contains("other fund    binance-usdm"), "the shown fund is not listed again:\n\(text)")
        // Bybit's stress makes ADL certain: its line is urgent, kept at five rows.
        let index = engine.marketIndex(of: bybit)!
        engine.markets[index].stressed = StressedDeficit(deficit: Fixed(20), unfilledQuantity: Fixed(3))
        engine.markets[index].stressed.adlCertain = true
        #expect(engine.fundState(venue: "bybit", asset: "USDT").adl == .near)
        model = AppModel(width: 80, height: 24, status: status, engine: engine, symbol: binance)
        buffer = Buffer(width: 44, height: 7)
        FundPane.render(model, Rect(x: 0, y: 0, width: 44, height: 7), focused: false, &buffer)
        text = buffer.lines.joined(separator: "\n")
        #expect(text.contains("bybit USDT 30.00 · ADL near"), "\(text)")
    }

    /// At 80×24 the title read `Fund USDT` beside Bybit's own USDT fund (operator trial).
    @Test("a narrow title keeps the venue's first word where no other fund's venue shares it")
    func narrowTitleNamesVenue() {
        var engine = Engine()
        engine.openFund(asset: "USDT", balance: Fixed(250_000), venue: "binance-usdm")
        engine.openFund(asset: "USDT", balance: Fixed(30), venue: "bybit")
        for symbol in ["binance-usdm:BTCUSDT", "bybit:BTCUSDT"] { engine.apply(.mark(symbol: symbol, price: Fixed(60_000), time: 1)) }
        var status = SessionStatus(kind: "REPLAY", source: "test")
        status.time = engine.time
        let model = AppModel(width: 80, height: 24, status: status, engine: engine, symbol: "binance-usdm:BTCUSDT")
        var buffer = Buffer(width: 21, height: 6)
        FundPane.render(model, Rect(x: 0, y: 0, width: 21, height: 6), focused: false, &buffer)
        #expect(buffer.lines[0].contains("binance USDT"), "\(buffer.lines[0])")
        // COIN-M's fund beside USD-M's: the first word is shared, so the whole name or none.
        var coins = Engine()
        coins.openFund(asset: "USDT", balance: Fixed(1_000), venue: "binance-usdm")
        coins.openFund(asset: "USDT", balance: Fixed(1_000), venue: "binance-coinm")
        for symbol in ["binance-usdm:BTCUSDT", "binance-coinm:BTCUSD_PERP"] { coins.apply(.mark(symbol: symbol, price: Fixed(60_000), time: 1)) }
        let shared = AppModel(width: 80, height: 24, status: status, engine: coins, symbol: "binance-usdm:BTCUSDT")
        var narrow = Buffer(width: 21, height: 6)
        FundPane.render(shared, Rect(x: 0, y: 0, width: 21, height: 6), focused: false, &narrow)
        #expect(!narrow.lines[0].contains("binance USDT"), "\(narrow.lines[0])")
    }
}
