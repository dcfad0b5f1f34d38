@testable import RiskEngine

/// Property tests replay exactly from their seed.
typealias SeededGenerator = SplitMix64

func fx(_ text: String) -> Fixed { Fixed(text)! }
func units(_ text: String) -> Int64 { BookUnits.parse(text)! }

/// A linear test contract: tick 0.01, lot 1, one maintenance bracket, no fee unless asked.
func testInstrument(symbol: String = "TESTUSDT", mmr: String = "0.005", fee: String = "0") -> Instrument {
    Instrument(symbol: symbol, tickSize: fx("0.01"), lotSize: .one, kind: .linear, settlementAsset: "USDT",
        brackets: .single(rate: fx(mmr)), liquidationFeeRate: fx(fee))
}

func engine(with instruments: [Instrument], configuration: EngineConfiguration = EngineConfiguration()) -> Engine {
    var catalog = InstrumentCatalog()
    for instrument in instruments { catalog.add(instrument) }
    return Engine(configuration: configuration, catalog: catalog)
}

extension Array where Element == EngineNotification {
    var liquidations: [LiquidationRecord] { compactMap { if case .liquidation(let r) = $0 { return r } else { return nil } } }
    var adl: [ADLRecord] { compactMap { if case .adl(let r) = $0 { return r } else { return nil } } }
    var fundEntries: [FundEntry] { compactMap { if case .fund(let r) = $0 { return r } else { return nil } } }
}
