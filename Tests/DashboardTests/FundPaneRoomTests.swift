import Testing
@testable import Dashboard
@testable import RiskEngine

/// The fund pane's rows go to lines it can draw whole.
@Suite("Fund pane rows")
struct FundPaneRoomTests {
    @Test("a balance too wide to the cent is shown compact; no row is left blank")
    func unfittableFigureGivesWay() {
        var engine = Engine()
        // 1,000,000,000,000,000.00: 25 columns, wider than the pane's 15.
        engine.openFund(asset: "USDT", balance: Fixed(1_000_000_000_000_000))
        engine.apply(.mark(symbol: "binance-usdm:BTCUSDT", price: Fixed(60_000), time: 1))
        var status = SessionStatus(kind: "REPLAY", source: "test")
        status.time = engine.time
        let model = AppModel(width: 80, height: 24, status: status, engine: engine, symbol: "binance-usdm:BTCUSDT")
        var buffer = Buffer(width: 17, height: 7)
        FundPane.render(model, Rect(x: 0, y: 0, width: 17, height: 7), focused: false, &buffer)
        let inner = buffer.lines[1..<6].map { String($0.dropFirst().dropLast()) }
        // Five rows, five lines drawn: the balance compact (it gave way to the lines after it, and
        // the pane lost its most important figure: attacker trial), none blank, none cut.
        #expect(inner.allSatisfy { !$0.trimmingCharacters(in: .whitespaces).isEmpty }, "\(buffer.lines.joined(separator: "\n"))")
        #expect(!buffer.lines.joined().contains("1,000,000,000"), "never cut: \(buffer.lines)")
        #expect(inner[0].hasPrefix("bal") && inner[0].hasSuffix("1.00e+15"), "\(buffer.lines)")
        #expect(inner[1].hasPrefix("in: fees"), "\(buffer.lines)")
    }

    /// A fund opened at 8,000 and stated at 8,250 since, the model at 120×40.
    static func statedFund() -> (model: AppModel, status: SessionStatus, symbol: String) {
        var engine = Engine()
        let symbol = "binance-usdm:BTCUSDT"
        engine.openFund(asset: "USDT", balance: Fixed(8_000))
        engine.apply(.mark(symbol: symbol, price: Fixed(60_000), time: 1))
        engine.apply(.insuranceFund(asset: "USDT", venue: "binance-usdm", balance: Fixed(8_250), time: 2))
        var status = SessionStatus(kind: "REPLAY", source: "test")
        status.time = engine.time
        return (AppModel(width: 120, height: 40, status: status, engine: engine, symbol: symbol), status, symbol)
    }

    @Test("the opening and the statements are on the pane: its lines add up to the balance")
    func openingAndStatements() {
        let (model, status, symbol) = Self.statedFund()
        var buffer = Buffer(width: 40, height: 12)
        FundPane.render(model, Rect(x: 0, y: 0, width: 40, height: 12), focused: false, &buffer)
        let text = buffer.lines.joined(separator: "\n")
        #expect(text.contains("balance       8,250.00"), "\(text)")
        #expect(text.contains("opening       8,000.00"), "\(text)")
        #expect(text.contains("statements    +250.00"), "\(text)")
        // A fund with no statement has no such line.
        var quiet = Engine()
        quiet.openFund(asset: "USDT", balance: Fixed(8_000))
        quiet.apply(.mark(symbol: symbol, price: Fixed(60_000), time: 1))
        var plain = Buffer(width: 40, height: 12)
        FundPane.render(AppModel(width: 120, height: 40, status: status, engine: quiet, symbol: symbol),
            Rect(x: 0, y: 0, width: 40, height: 12), focused: false, &plain)
        #expect(!plain.lines.joined().contains("statements") && plain.lines.joined().contains("opening       8,000.00"), "\(plain.lines)")
    }

    @Test("rows short: the opening and the statements give way first, and the balance's line says them, so the lines still add up")
    func openingFoldedIntoBalance() {
        let model = Self.statedFund().model
        // Six rows: balance, fees, surplus, deficits, drawdown, covers stress, ADL need seven and more.
        var buffer = Buffer(width: 60, height: 8)
        FundPane.render(model, Rect(x: 0, y: 0, width: 60, height: 8), focused: false, &buffer)
        let text = buffer.lines.joined(separator: "\n")
        #expect(!text.contains("opening ") && !text.contains("statements "), "\(text)")
        #expect(text.contains("8,250.00 (opened 8,000.00, stated +250.00)"), "\(text)")
        // Narrower (the pane at 120×40), the opening alone.
        var narrow = Buffer(width: 41, height: 8)
        FundPane.render(model, Rect(x: 0, y: 0, width: 41, height: 8), focused: false, &narrow)
        #expect(narrow.lines.joined().contains("8,250.00 (opened 8,000.00)"), "\(narrow.lines)")
        // With the rows for them, they have their own lines and the balance's says nothing more.
        var tall = Buffer(width: 41, height: 14)
        FundPane.render(model, Rect(x: 0, y: 0, width: 41, height: 14), focused: false, &tall)
        let whole = tall.lines.joined(separator: "\n")
        #expect(whole.contains("opening       8,000.00") && !whole.contains("(opened"), "\(whole)")
    }

    @Test("the balance's chart says the range it is scaled to, where the pane has room")
    func chartRange() {
        var buffer = Buffer(width: 40, height: 1)
        FundPane.drawChart([8_000, 8_000, 8_003, 8_015.97], places: 2, at: 0, in: Rect(x: 0, y: 0, width: 40, height: 1), &buffer)
        #expect(buffer.lines[0] == "▁▁▂█ lows 8,000–8,016", "each point is its second's low: \(buffer.lines)")
        // Short of room for the word, the range alone.
        var plain = Buffer(width: 30, height: 1)
        FundPane.drawChart([8_000, 8_000, 8_003, 8_015.97], places: 2, at: 0, in: Rect(x: 0, y: 0, width: 30, height: 1), &plain)
        #expect(plain.lines[0] == "▁▁▂█ 8,000–8,016", "\(plain.lines)")
        var narrow = Buffer(width: 20, height: 1)
        FundPane.drawChart([8_000, 8_015.97], places: 2, at: 0, in: Rect(x: 0, y: 0, width: 20, height: 1), &narrow)
        #expect(narrow.lines[0] == "▁█")
        // A coin fund's range with four places.
        var coin = Buffer(width: 40, height: 1)
        FundPane.drawChart([1.5, 1.25], places: 8, at: 0, in: Rect(x: 0, y: 0, width: 40, height: 1), &coin)
        #expect(coin.lines[0] == "█▁ lows 1.2500–1.5000", "\(coin.lines)")
    }
}
