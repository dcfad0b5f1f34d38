// Instrument files (--instruments): InstrumentCatalog.merge of the input as JSON text. When it
// merges, each instrument it names gets a book, a mark and an isolated and a cross position in
// an engine built on that catalog, and the mark moves through them.
import MarketFeeds
import RiskEngine

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    var catalog = InstrumentCatalog.builtIn
    do { try catalog.merge(fileText: text, fileName: "instruments.json") } catch {
        _ = error.description
        return 0
    }
    var engine = Engine(catalog: catalog)
    engine.openFund(asset: "USDT", balance: Fixed(250_000))
    var notes: [EngineNotification] = []
    var time: Int64 = 1_723_161_255_000_000_000
    let symbols = catalog.instruments.keys.sorted().prefix(8)
    for symbol in symbols {
        let instrument = catalog.instrument(for: symbol)
        let mark = Fixed(100).rounded(toMultipleOf: instrument.tickSize)
        guard mark.isPositive else { continue }
        let size = (Fixed(10) * instrument.lotSize).rounded(toMultipleOf: instrument.lotSize)
        let units = mark.bookUnits
        guard units > 1 && units < Int64.max / 2 else { continue }
        engine.apply(.bookSnapshot(symbol: symbol, bids: [(units - 1, 100_000_000_000)], asks: [(units + 1, 100_000_000_000)], time: time),
            into: &notes)
        engine.apply(.position(PositionUpdate(account: "iso-" + symbol, symbol: symbol, side: .long, quantity: size, entryPrice: mark,
            mode: .isolated, leverage: Fixed(20)), time: time), into: &notes)
        engine.apply(.position(PositionUpdate(account: "cross", symbol: symbol, side: .short, quantity: size, entryPrice: mark,
            mode: .cross, walletBalance: Fixed(1_000)), time: time), into: &notes)
        for price in ["100", "90", "50", "110", "400", "1"] {
            time += 1_000_000_000
            engine.apply(.mark(symbol: symbol, price: Fixed(price)!, time: time), into: &notes)
        }
    }
    Fuzz.inspect(engine, stress: true)
    return 0
}
