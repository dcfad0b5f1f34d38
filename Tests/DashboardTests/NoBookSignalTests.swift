import Testing
@testable import Dashboard
import RiskEngine

/// A market with no book has no signal to read: its signal column says so, as the signals pane
/// does, and sorts after the markets whose books read ok (it read "ok": attacker trial).
@Suite("A market with no book in the markets pane")
struct NoBookSignalTests {
    @Test("a mark alone reads `no book`, the same market with a book `ok`; sorted by the signal column, after it")
    func noBookIsNotOk() throws {
        var engine = Engine()
        engine.apply(.mark(symbol: "binance-usdm:ETHUSDT", price: Fixed(3_000), time: 1_000_000_000))
        engine.apply(.bookSnapshot(symbol: "binance-usdm:BTCUSDT", bids: [(units("59990"), units("5"))], asks: [(units("60010"), units("5"))], time: 1_000_000_000))
        engine.apply(.mark(symbol: "binance-usdm:BTCUSDT", price: Fixed(60_000), time: 2_000_000_000))
        // Sampled past the baselines' warm-up: judged, `ok` (before it, `learn`).
        let warmup = Int64(engine.configuration.signals.warmupSamples)
        for second in 3...(warmup + 4) {
            engine.apply(.bookUpdate(symbol: "binance-usdm:BTCUSDT", changes: [LevelChange(side: .bid, price: units("59990"), size: units("5") + second)],
                time: second * 1_000_000_000))
        }
        let screen = model(width: 120, height: 40, engine: engine)
        let signal = try #require(MarketsPane.columns.first { $0.title == "signal" })
        let eth = MarketTable.row(of: try #require(engine.market("binance-usdm:ETHUSDT")), positions: 0, nearLiquidation: 0)
        let btc = MarketTable.row(of: try #require(engine.market("binance-usdm:BTCUSDT")), positions: 0, nearLiquidation: 0)
        #expect(signal.cell(eth, screen).0 == "no book")
        #expect(signal.cell(btc, screen).0 == "ok")
        #expect(MarketTable.ascending(eth, btc, by: .signal) && !MarketTable.ascending(btc, eth, by: .signal))
    }
}
