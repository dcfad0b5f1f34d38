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

/// A test contract's market under `profile` (the venue's rules by default), marked at 100 over a
/// book of 1,000 a side (best bid `bid`, best ask 100.1), with a USDT fund of `fund` where given.
func marketAt100(_ symbol: String, profile: RulesProfile = .venue, bid: String = "99.9", fund: Fixed? = nil) -> Engine {
    var configuration = EngineConfiguration()
    configuration.apply(profile: profile)
    var engine = engine(with: [testInstrument(symbol: symbol)], configuration: configuration)
    if let fund { engine.openFund(asset: "USDT", balance: fund) }
    engine.apply(.mark(symbol: symbol, price: Fixed(100), time: 1))
    engine.apply(.bookSnapshot(symbol: symbol, bids: [(units(bid), units("1000"))], asks: [(units("100.1"), units("1000"))], time: 1))
    return engine
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
