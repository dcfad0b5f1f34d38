import Testing
@testable import Dashboard
@testable import RiskEngine

/// Exchange-reported liquidations of four venues on one tape, each marked with its venue and how
/// complete that venue's stream is; the markets pane counts them per market with their notional
/// in the settlement asset, and says n/a for Hyperliquid, which publishes none.
@Suite("Cross-venue liquidation tape")
struct CrossVenueTapeTests {
    static func session() -> (Engine, SessionLog) {
        var engine = Engine()
        var log = SessionLog()
        let books: [(String, String)] = [("binance-usdm:BTCUSDT", "60000.00"), ("bybit:XRPUSDT", "0.5000"),
            ("binance-coinm:BTCUSD_PERP", "60000.0"), ("hyperliquid:BTC", "60000")]
        for (market, price) in books {
            let best = units(price)
            let step = max(1, best / 10_000)
            log.record(engine.apply(.bookSnapshot(symbol: market, bids: (1...10).map { (best - Int64($0) * step, units("10")) },
                asks: (0..<10).map { (best + Int64($0) * step, units("10")) }, time: 1_000_000_000)))
        }
        let liquidations: [(String, Side, String, String)] = [
            ("binance-usdm:BTCUSDT", .long, "60000", "0.010"),
            ("binance-usdm:BTCUSDT", .short, "61000", "0.005"),
            ("bybit:XRPUSDT", .long, "0.5", "100"),
            ("binance-coinm:BTCUSD_PERP", .long, "60000", "3"),
        ]
        for (offset, (market, side, price, quantity)) in liquidations.enumerated() {
            log.record(engine.apply(.exchangeLiquidation(ExchangeLiquidation(symbol: market, side: side, price: Fixed(price)!,
                quantity: Fixed(quantity)!, time: 2_000_000_000 + Int64(offset) * 1_000_000))))
        }
        return (engine, log)
    }

    static func screen(width: Int, height: Int) -> AppModel {
        let (engine, log) = session()
        var screen = model(width: width, height: height, engine: engine)
        _ = screen.update(.session(engine: engine, log: log, status: screen.status))
        return screen
    }

    @Test("the engine counts each market's exchange liquidations and their notional, exact, in the settlement asset")
    func counts() {
        let (engine, log) = Self.session()
        // 0.010 × 60,000 + 0.005 × 61,000 = 600 + 305 = 905 USDT.
        #expect(engine.market("binance-usdm:BTCUSDT")?.counters.exchangeLiquidationNotional == Fixed(905))
        // 3 contracts × 100 USD ÷ 60,000 = 0.005 BTC.
        #expect(engine.market("binance-coinm:BTCUSD_PERP")?.counters.exchangeLiquidationNotional == Fixed("0.005")!)
        #expect(engine.market("bybit:XRPUSDT")?.counters.exchangeLiquidationNotional == Fixed(50))
        #expect(log.exchangeNotional == ["USDT": Fixed(955), "BTC": Fixed("0.005")!])
        #expect(Venue.binanceUSDM.liquidationCompleteness == .sample && Venue.okx.liquidationCompleteness == .sample)
        #expect(Venue.bybit.liquidationCompleteness == .all && Venue.hyperliquid.liquidationCompleteness == .unpublished)
    }

    @Test("at 200x60 every tape line names its venue and its mark; the markets pane shows counts, notional and n/a")
    func wide() {
        let screen = Self.screen(width: 200, height: 60)
        let lines = screen.rendered().lines
        let text = lines.joined(separator: "\n")
        #expect(text.contains("Liquidation tape 0 sim · 4 exch · ex S sample A all"), "\(text)")
        let tape = lines.filter { $0.contains("00:00:02 ex ") }
        #expect(tape.count == 4, "\(text)")
        #expect(tape.contains { $0.contains("ex S") && $0.contains("binance-usdm") && $0.contains("0.010") })
        #expect(tape.contains { $0.contains("ex S") && $0.contains("binance-coinm") })
        #expect(tape.contains { $0.contains("ex A") && $0.contains("bybit") && $0.contains(" 100 ") }, "\(tape)")
        // The markets pane: the count with the venue's mark, the notional whole, n/a for Hyperliquid.
        #expect(text.contains("ex liqs"), "\(text)")
        let row = { (name: String) in lines.first { $0.contains(name) && ($0.contains(" S ") || $0.contains(" A ") || $0.contains("n/a")) } ?? "" }
        #expect(row("BTCUSDT").contains("2 S"), "\(row("BTCUSDT"))")
        #expect(row("XRPUSDT").contains("1 A"), "\(row("XRPUSDT"))")
        #expect(row("BTCUSD_PERP").contains("0.00500000 BTC"), "\(text)")
        #expect(row("BTCUSDT").contains("905.00 USDT"), "\(text)")
        let hyperliquid = lines.first { $0.contains("BTC ") && $0.contains("n/a") && !$0.contains("BTCUSD") } ?? ""
        #expect(hyperliquid.contains("n/a/0"), "the liq60 column says n/a too: \(hyperliquid)")
    }

    @Test("narrower, the notional column goes whole before any digit is cut; the source mark stays")
    func narrow() {
        for (width, height) in [(80, 24), (120, 40)] {
            let text = Self.screen(width: width, height: height).rendered().lines.joined(separator: "\n")
            // A figure is shown whole or not at all.
            if text.contains("0.0050") { #expect(text.contains("0.00500000 BTC"), "\(width)x\(height)\n\(text)") }
            if text.contains("905.") { #expect(text.contains("905.00 USDT"), "\(width)x\(height)\n\(text)") }
            #expect(text.contains("ex S"), "\(width)x\(height)\n\(text)")
            // The markets pane's 60 s count carries the mark at every width the pane has.
            if text.contains("liq60") {
                #expect(text.range(of: #"\d+S/\d+"#, options: .regularExpression) != nil, "\(width)x\(height)\n\(text)")
                #expect(text.range(of: #"\d+A/\d+"#, options: .regularExpression) != nil, "\(width)x\(height)\n\(text)")
            }
        }
    }

    @Test("the help overlay gives the marks' legend")
    func help() {
        var screen = Self.screen(width: 120, height: 40)
        _ = screen.update(.key(.character("?")))
        #expect(screen.rendered().text.contains("exchange liqs: S sample (max 1/contract/s) · A all · n/a none"))
    }
}
