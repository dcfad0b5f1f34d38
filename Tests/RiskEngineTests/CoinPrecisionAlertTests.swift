import Testing
@testable import RiskEngine

/// A coin-margined market's money is shown in the coin's eight places wherever a stressed deficit
/// is told: a deficit of 0.0028 BTC read "0.00 BTC" in the report, the alert's message and the
/// dashboard, and 0.0028 in the alert log's value (attacker trial).
@Suite("Coin amounts in alerts")
struct CoinPrecisionAlertTests {
    static func alert(value: Double, asset: String, unfilled: Double? = 990) -> SessionLog.Alert {
        SessionLog.Alert(time: 1, symbol: "binance-coinm:BTCUSD_PERP", signal: .stressedDeficit, level: .alert, value: value,
            unfilledQuantity: unfilled, quantityUnit: "contracts", asset: asset)
    }

    @Test("the figure of a BTC deficit has eight places, a USDT one two")
    func figure() {
        #expect(Self.alert(value: 0.00283333, asset: "BTC").figure(unit: "BTC")
            == "0.00283333 BTC and 990 contracts the book cannot fill (ADL follows)")
        #expect(Self.alert(value: 0.00283333, asset: "BTC", unfilled: nil).figure(unit: "BTC") == "0.00283333 BTC")
        #expect(Self.alert(value: 1_234.567, asset: "USDT", unfilled: nil).figure(unit: "USDT") == "1,234.57 USDT")
    }

    @Test("the alert told to the log and the hook: a BTC deficit's value and message in eight places")
    func told() {
        var log = SessionLog()
        var notes: [EngineNotification] = []
        var change = SignalChange(time: 5, symbol: "binance-coinm:BTCUSD_PERP", kind: .stressedDeficit, from: .ok, to: .alert, value: 0.00001546)
        change.unfilledQuantity = 990
        change.quantityUnit = "contracts"
        change.asset = "BTC"
        notes.append(.signal(change))
        log.record(notes)
        var watcher = AlertWatcher()
        let told = watcher.newAlerts(log: log, time: 5)
        #expect(told.count == 1)
        #expect(told.first?.message.contains("0.00001546 BTC") == true, "\(told.first?.message ?? "")")
        #expect(told.first?.jsonLine.contains("\"value\":0.00001546") == true, "\(told.first?.jsonLine ?? "")")
    }
}

@Suite("What a market's quantities count")
struct QuantityUnitTests {
    @Test("the base coin for Binance, Bybit, OKX linear and Hyperliquid; contracts for inverse")
    func units() {
        let catalog = InstrumentCatalog.builtIn
        for (market, unit) in [("binance-usdm:BTCUSDT", "BTC"), ("bybit:BTCUSDT", "BTC"), ("okx:BTC-USDT-SWAP", "BTC"),
                               ("hyperliquid:BTC", "BTC"), ("binance-coinm:BTCUSD_PERP", "contracts"), ("okx:BTC-USD-SWAP", "contracts")] {
            let instrument = catalog.instrument(for: market)
            #expect(instrument.quantityUnit == unit, "\(market): \(instrument.quantityUnit)")
        }
    }
}
