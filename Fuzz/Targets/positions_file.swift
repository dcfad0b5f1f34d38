// Positions files (--positions): CSV with a header row, or JSON (a list, or {"positions": [...]}),
// loaded through PositionsFile.load from a file. When the file loads, its positions are placed in
// an engine (default rules, and Bybit rules with partial liquidation and socialised loss) and a
// fixed market moves through them: a book and marks at, below and above each symbol's first entry.
import MarketFeeds
import RiskEngine

let configurations: [EngineConfiguration] = {
    var other = EngineConfiguration()
    other.rules = .bybit
    other.liquidation = .partial(fraction: Fixed("0.25")!)
    other.shortfall = .socialisedLoss
    return [EngineConfiguration(), other]
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let path = Scratch.write(data, size, name: "positions.csv")
    let positions: [PositionUpdate]
    do { positions = try PositionsFile.load(path: path, catalog: .builtIn) } catch {
        _ = error.description
        return 0
    }
    guard !positions.isEmpty else { return 0 }
    var entries: [(symbol: String, entry: Fixed)] = []
    for position in positions where !entries.contains(where: { $0.symbol == position.symbol }) {
        entries.append((position.symbol, position.entryPrice))
    }
    for configuration in configurations {
        var engine = Engine(configuration: configuration)
        engine.openFund(asset: "USDT", balance: Fixed(250_000))
        var notes: [EngineNotification] = []
        var log = SessionLog()
        var time: Int64 = 1_723_161_255_000_000_000
        for position in positions.prefix(500) { engine.apply(.position(position, time: time), into: &notes) }
        for (symbol, entry) in entries.prefix(8) {
            let tick = engine.catalog.instrument(for: symbol).tickSize
            for factor in ["1", "0.5", "0.999", "1.001", "2", "0.0001", "1"] {
                let price = (entry * Fixed(factor)!).rounded(toMultipleOf: tick)
                guard price.isPositive else { continue }
                let units = price.bookUnits
                time += 1_000_000_000
                if units > 2 && units < Int64.max / 4 {
                    engine.apply(.bookSnapshot(symbol: symbol, bids: [(units - 1, 100_000_000), (units / 2, 1_000_000_000)],
                        asks: [(units + 1, 100_000_000), (units + units / 2, 1_000_000_000)], time: time), into: &notes)
                }
                engine.apply(.mark(symbol: symbol, price: price, time: time), into: &notes)
                log.record(notes)
                notes.removeAll(keepingCapacity: true)
            }
        }
        Fuzz.inspect(engine, stress: true)
    }
    return 0
}
