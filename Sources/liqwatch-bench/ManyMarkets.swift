import RiskEngine

/// An engine watching `count` markets of two-level books around 100 and a mark each, at `start`:
/// what the signal and many-market frame figures are measured on.
func manyMarketsEngine(_ count: Int, start: Int64) -> Engine {
    let unit: Int64 = 100_000_000
    var engine = Engine()
    engine.openFund(asset: "USDT", balance: Fixed(1_000_000))
    for index in 0..<count {
        let symbol = "binance-usdm:M\(index)USDT"
        engine.apply(.bookSnapshot(symbol: symbol, bids: [(99 * unit, unit), (90 * unit, unit)],
            asks: [(101 * unit, unit), (110 * unit, unit)], time: start))
        engine.apply(.mark(symbol: symbol, price: Fixed(100), time: start))
    }
    return engine
}
