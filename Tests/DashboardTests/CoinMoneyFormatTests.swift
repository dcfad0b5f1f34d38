import Testing
@testable import Dashboard
@testable import RiskEngine

/// A coin's small amounts keep their eight places on screen: a stressed deficit of 0.0028 BTC
/// read "0.00" in the signals pane, the markets pane, the alerts view and the positions pane's
/// deficit column (attacker trial).
@Suite("Coin money on screen")
struct CoinMoneyFormatTests {
    @Test("compactMoney: a coin's amounts in eight places, as the tape shows them; dollars compact")
    func compactMoney() {
        #expect(Format.compactMoney(0.00283333, asset: "BTC") == "0.00283333")
        #expect(Format.compactMoney(0.00283333, asset: "USDT") == "0.00")
        #expect(Format.compactMoney(3_126.85031482, asset: "UNI") == "3,126.85031482")
        #expect(Format.compactMoney(1_234.5, asset: "USDT") == Format.compact(1_234.5))
    }

    @Test("stressMoney: a stressed deficit under ten thousand to the cent, as the fund pane shows it; above, compact; a coin exact")
    func stressMoney() {
        #expect(Format.stressMoney(Fixed("3442.27")!, asset: "USDT") == "3,442.27")
        #expect(Format.stressMoney(Fixed("9999.99")!, asset: "USDT") == "9,999.99")
        #expect(Format.stressMoney(Fixed(12_400), asset: "USDT") == "12.4k")
        #expect(Format.stressMoney(Fixed("1234.31536657")!, asset: "UNI") == "1,234.31536657")
        let reading = SignalReading(kind: .stressedDeficit, value: 3_442.27, baseline: 8_000, level: .warn, count: nil)
        #expect(SignalsPane.formatted(reading, unit: "BTC", asset: "USDT").0 == "3,442.27")
        // A deficit past the fund: ADL follows though the book fills every unit (the markets pane
        // said `+ ADL` beside this pane's bare figure: operator trial).
        var past = SignalReading(kind: .stressedDeficit, value: 360.50831079, baseline: 0, level: .alert, count: nil)
        past.adlCertain = true
        #expect(SignalsPane.formatted(past, unit: "contracts", asset: "UNI").0 == "360.50831079 UNI + ADL")
        // Depth in its quote: a coin-margined market's is dollars, not its coin.
        let depth = SignalReading(kind: .depth10, value: 1_200, baseline: 49_200, level: .ok, count: nil)
        #expect(SignalsPane.formatted(depth, unit: "contracts", asset: "BTC", quote: "USD").0 == "1,200 USD")
    }

    @Test("quantity bound for ADL reads at its market's lot, as its sizes do (XRP's 4,223,438.000 beside sizes of 4,332: operator trial)")
    func adlQuantityAtTheLot() {
        var reading = SignalReading(kind: .stressedDeficit, value: 0, baseline: 500_000, level: .alert, count: nil)
        reading.adlCertain = true
        reading.unfilledQuantity = 4_223_438
        let xrp = Instrument.linear(symbol: "bybit:XRPUSDT", tick: "0.0001", lot: "1")
        #expect(SignalsPane.formatted(reading, unit: "XRP", asset: "USDT", instrument: xrp).0 == "ADL 4,223,438 XRP")
        let btc = Instrument.linear(symbol: "BTCUSDT", tick: "0.1", lot: "0.001")
        reading.unfilledQuantity = 0.0004
        #expect(SignalsPane.formatted(reading, unit: "BTC", asset: "USDT", instrument: btc).0 == "ADL 0.0004 BTC", "a small quantity keeps its digits")
        #expect(SignalsPane.formatted(reading, unit: "BTC", asset: "USDT").0 == "ADL 0.0004 BTC")
    }

    @Test("the signals pane's stressed deficit of a BTC-settled market, and its fund")
    func signalsRow() {
        let reading = SignalReading(kind: .stressedDeficit, value: 0.00283333, baseline: 0.5, level: .alert, count: nil)
        let (value, baseline) = SignalsPane.formatted(reading, unit: "contracts", asset: "BTC")
        // Its coin named (it read as dollars beside the fund).
        #expect(value == "0.00283333 BTC")
        #expect(baseline == "fund 0.50000000")
        // Money and quantity the book cannot fill: both said.
        var both = reading
        both.unfilledQuantity = 4_275
        both.adlCertain = true
        #expect(SignalsPane.formatted(both, unit: "contracts", asset: "UNI").0 == "0.00283333 UNI + ADL")
        let dollars = SignalReading(kind: .stressedDeficit, value: 12_400, baseline: 250_000, level: .warn, count: nil)
        #expect(SignalsPane.formatted(dollars, unit: "BTC", asset: "USDT").0 == "12.4k")
    }
}

@Suite("A mark with every digit")
struct ExactPriceTests {
    @Test("a mark finer than the tick keeps its digits; one on the tick reads as the tick's")
    func markDigits() {
        #expect(Format.exactPrice(Fixed("1.95374")!, nil) == "1.95374")
        #expect(Format.exactPrice(Fixed(60_000), Instrument.btcusdt) == "60,000.00")
        #expect(Format.exactPrice(Fixed("60000.123456789")!, Instrument.btcusdt) == "60,000.12345679")
    }
}

@Suite("Percentages with thousands separators")
struct PercentGroupingTests {
    @Test("a fund covering its stressed deficit 63.68 times reads 6,368%, grouped as every other figure (it read 6368%)")
    func grouped() {
        #expect(Format.percent(63.68, decimals: 0) == "6,368%")
        #expect(Format.percent(0.1234) == "12.34%")
        #expect(Format.percentDown(Fixed("12.345")!, decimals: 1) == "1,234.5%")
    }
}

@Suite("Quantities in contracts, and a stress both short of money and unfillable")
struct ContractQuantityTests {
    @Test("whole contracts read as whole numbers; a coin's quantity keeps its places")
    func wholeContracts() {
        #expect(Fixed(7_262).quantityText(unit: "contracts") == "7,262")
        #expect(Fixed(7_262).quantityText(unit: " contracts") == "7,262")
        #expect(Fixed("0.5")!.quantityText(unit: "contracts") == "0.500")
        #expect(Fixed(24).quantityText(unit: "BTC") == "24.000")
        #expect(Fixed("0.0004")!.quantityText(unit: "BTC") == "0.0004")
    }

    @Test("the fund pane's stress line says the money short beside the quantity bound for ADL")
    func fundPaneSaysBoth() throws {
        // A long whose bankruptcy price is above the only bid, which holds a fifth of it: the
        // fifth fills beyond bankruptcy (a deficit), the rest finds nothing (unfillable, to ADL).
        var engine = Engine()
        engine.openFund(asset: "USDT", balance: Fixed(1_000))
        engine.apply(.bookSnapshot(symbol: "BTCUSDT", bids: [(units("50000"), units("1"))], asks: [(units("60001"), units("10"))], time: 1_000_000_000))
        engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(60_000), time: 1_000_000_000))
        engine.apply(.position(PositionUpdate(account: "thin", symbol: "BTCUSDT", side: .long, quantity: Fixed(5), entryPrice: Fixed(60_200),
            mode: .isolated, leverage: Fixed(100)), time: 1_000_000_000))
        var log = SessionLog()
        log.record(engine.apply(.clock(time: 3_000_000_000)))
        let state = engine.fundState(venue: engine.fund("USDT").venue, asset: "USDT")
        try #require(state.stressed.deficit.isPositive && state.stressed.unfilledQuantity.isPositive,
            "\(state.stressed) \(engine.positions.map { ($0.isOpen, $0.liquidationPrice as Any, $0.bankruptcyPrice as Any) }) \(engine.totals.positionsRejected)")
        var status = SessionStatus(kind: "REPLAY", source: "test")
        status.time = engine.time
        let screen = AppModel(width: 200, height: 60, status: status, engine: engine, log: log)
        let rect = screen.layout.fund
        let pane = screen.rendered().lines[rect.y..<rect.maxY].map { String(Array($0)[rect.x..<rect.maxX]) }.joined(separator: "\n")
        #expect(pane.contains("of " + Format.money(state.stressed.deficit)) && pane.contains("→ ADL"), "\(pane)")
    }
}

@Suite("The alerts view counts notional in the market's quote")
struct AlertQuoteTests {
    @Test("a coin-margined market's depth alert reads dollars, a linear market's its settlement asset")
    func depthQuote() {
        var engine = Engine()
        engine.apply(.mark(symbol: "binance-coinm:BTCUSD_PERP", price: Fixed(60_000), time: 1_000_000_000))
        engine.apply(.mark(symbol: "binance-usdm:BTCUSDT", price: Fixed(60_000), time: 1_000_000_000))
        let coin = OperatorAlert(time: 1, kind: .signal, market: "binance-coinm:BTCUSD_PERP", signal: .depth10, value: 589_000, message: "m")
        let linear = OperatorAlert(time: 1, kind: .signal, market: "binance-usdm:BTCUSDT", signal: .depth10, value: 589_000, message: "m")
        #expect(AlertsPane.value(coin, engine: engine) == "589k USD")
        #expect(AlertsPane.value(linear, engine: engine) == "589k USDT")
    }
}

/// The position view's isolated margin is the figure an operator recomputes a liquidation price
/// from: `10.42` for 302.2765 ÷ 29 gave a price 0.67 off the one shown (operator trial).
@Suite("Money shown for a formula")
struct MoneyForFormulaTests {
    @Test("cents when exact, else eight places (≈ when they round it), trailing zeros dropped to the asset's places")
    func forms() {
        #expect(Format.moneyForFormula(Fixed("10.42")!) == "10.42")
        #expect(Format.moneyForFormula(Fixed(1_324)) == "1,324.00")
        #expect(Format.moneyForFormula(Fixed("302.2765")! / Fixed(29)) == "≈10.42332759")
        #expect(Format.moneyForFormula(Fixed("10.4233")!) == "10.4233")
        #expect(Format.moneyForFormula(Fixed("0.123456789")!, decimals: 8) == "≈0.12345679")
        #expect(Format.moneyForFormula(Fixed("-5.125")!) == "-5.125")
    }
}
