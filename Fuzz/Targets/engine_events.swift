// The engine fed decoded events, directly (no replay machinery, no Binance depth sync: the engine
// must take any sequence of events). The input's format is sniffed from its first line as a replay
// does (liqwatch event lines when it is none): operator events (positions, accounts, the fund,
// marks, books, trades, liquidations), Binance frames, cryptofeed or Tardis rows. Before the first
// event the engine already watches positions on BTCUSDT, ETHUSDT and BTCUSD_PERP (inverse): a
// synthetic book around 61,800 / 3,000 plus a few hand-made isolated and cross ones, so marks
// and books that move reach liquidations, the fund, ADL and the signals. Afterwards the target reads
// the engine as the dashboard does (risk of every position, ADL ranking, depth, stress what-ifs).
import MarketFeeds
import RiskEngine

/// The replay's defaults (Binance rules, full liquidation, ADL), and the other choices (Bybit rules,
/// partial liquidation in quarters, socialised loss, mark from the mid): every input runs on both.
let configurations: [EngineConfiguration] = {
    var other = EngineConfiguration()
    other.rules = .bybit
    other.liquidation = .partial(fraction: Fixed("0.25")!)
    other.shortfall = .socialisedLoss
    other.markRule = .mid
    return [EngineConfiguration(), other]
}()

let prepared: [Engine] = configurations.map { configuration in
    var engine = Engine(configuration: configuration)
    engine.openFund(asset: "USDT", balance: Fixed(250_000), provisional: true)
    engine.openFund(asset: "BTC", balance: Fixed(5))
    var notes: [EngineNotification] = []
    var synthetic = SyntheticPositions(count: 40, seed: 7)
    let catalog = InstrumentCatalog.builtIn
    for (symbol, mark) in [("BTCUSDT", "61800"), ("ETHUSDT", "3000"), ("BTCUSD_PERP", "61800")] {
        for position in synthetic.positions(for: catalog.instrument(for: symbol), mark: Fixed(mark)!) {
            engine.apply(position: position, time: 0, into: &notes)
        }
    }
    let hand: [PositionUpdate] = [
        PositionUpdate(account: "alice", symbol: "BTCUSDT", side: .long, quantity: Fixed("0.5")!, entryPrice: Fixed("60000")!,
            mode: .isolated, isolatedMargin: Fixed("3000")!),
        PositionUpdate(account: "bob", symbol: "BTCUSDT", side: .short, quantity: Fixed("1")!, entryPrice: Fixed("61000")!,
            mode: .cross, walletBalance: Fixed("5000")!),
        PositionUpdate(account: "bob", symbol: "ETHUSDT", side: .long, quantity: Fixed("10")!, entryPrice: Fixed("3000")!,
            mode: .cross, leverage: Fixed("20")!),
        PositionUpdate(account: "carol", symbol: "BTCUSD_PERP", side: .long, quantity: Fixed("100")!, entryPrice: Fixed("61800")!,
            mode: .isolated, leverage: Fixed("50")!),
    ]
    for position in hand { engine.apply(position: position, time: 0, into: &notes) }
    return engine
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    for engine in prepared { run(engine, data, size) }
    return 0
}

func run(_ start: Engine, _ data: UnsafePointer<UInt8>, _ size: Int) {
    var engine = start
    var log = SessionLog()
    var decoder = Fuzz.decoder(for: Fuzz.sniff(data, size) ?? .liqwatchEvents)
    var messages: [FeedMessage] = []
    var notes: [EngineNotification] = []
    func apply(_ messages: [FeedMessage]) {
        for message in messages {
            guard let event = Fuzz.events(of: message) else { continue }
            notes.removeAll(keepingCapacity: true)
            engine.apply(event, into: &notes)
            if !notes.isEmpty { log.record(notes) }
        }
    }
    Fuzz.forEachLine(data, size) { line, count in
        messages.removeAll(keepingCapacity: true)
        switch decoder.decode(line, count: count, into: &messages) {
        case .decoded, .skipped, .header, .malformed: break
        }
        apply(messages)
    }
    messages.removeAll(keepingCapacity: true)
    decoder.finish(into: &messages)
    apply(messages)
    Fuzz.inspect(engine, stress: true)
}
