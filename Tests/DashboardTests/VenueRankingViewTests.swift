import Testing
@testable import Dashboard
@testable import RiskEngine

/// What the views say where a market's venue ranks ADL its own way, and where a shock of a blocked
/// market crosses nothing (review).
@Suite("The views under each venue's ADL ranking, and a blocked market's quiet shock")
struct VenueRankingViewTests {
    static let second: Int64 = 1_000_000_000

    static func model(_ engine: Engine, _ symbol: String) -> AppModel {
        var status = SessionStatus(kind: "REPLAY", source: "test")
        status.time = engine.time
        return AppModel(width: 160, height: 50, status: status, engine: engine, log: SessionLog(), symbol: symbol)
    }

    @Test("a −1 % shock of an outdated book crosses no trigger: the what-if says so, never 'triggers crossed'")
    func quietShockOfBlockedMarket() throws {
        var engine = Engine()
        let symbol = "BTCUSDT"
        engine.apply(.bookSnapshot(symbol: symbol, bids: [(BookUnits.parse("59990")!, BookUnits.parse("5")!)],
            asks: [(BookUnits.parse("60010")!, BookUnits.parse("5")!)], time: Self.second))
        engine.apply(.mark(symbol: symbol, price: Fixed(60_000), time: Self.second))
        engine.apply(.position(PositionUpdate(account: "a", symbol: symbol, side: .long, quantity: Fixed(1), entryPrice: Fixed(60_000),
            mode: .isolated, leverage: Fixed(20)), time: Self.second))
        engine.apply(.mark(symbol: symbol, price: Fixed(60_010), time: 601 * Self.second))
        for (shock, crosses) in [(Fixed(-1), false), (Fixed(-20), true)] {
            let result = try engine.stress(symbol: symbol, shockPercent: shock)
            #expect(result.blocked == .outdatedBook && result.crossesTrigger == crosses, "\(shock)")
            var buffer = Buffer(width: 150, height: 40)
            _ = WhatIfPane.render(Self.model(engine, symbol), result: result, ladder: [], Rect(x: 0, y: 0, width: 150, height: 40), &buffer)
            let text = buffer.lines.joined(separator: "\n")
            #expect(text.contains("Triggers crossed but cannot liquidate: book outdated") == crosses, "\(shock): \(text)")
            #expect(text.contains("No trigger crossed at this shock; cannot liquidate: book outdated") == !crosses, "\(shock): \(text)")
        }
    }

    @Test("OKX ranks losers below 0 by how much they lose: the position view gives each its place, not 'tied' or 'after those in profit'")
    func okxLosersRanked() throws {
        let symbol = "okx:TEST-USDT-SWAP"
        var catalog = InstrumentCatalog()
        catalog.add(Instrument(symbol: symbol, tickSize: Fixed("0.01")!, lotSize: .one, kind: .linear, settlementAsset: "USDT",
            brackets: .single(rate: Fixed("0.005")!), liquidationFeeRate: .zero))
        var engine = Engine(configuration: EngineConfiguration(), catalog: catalog)
        engine.apply(.bookSnapshot(symbol: symbol, bids: [(BookUnits.parse("99.9")!, BookUnits.parse("1000")!)],
            asks: [(BookUnits.parse("100.1")!, BookUnits.parse("1000")!)], time: Self.second))
        engine.apply(.mark(symbol: symbol, price: Fixed(100), time: Self.second))
        for (account, entry) in [("a", 101), ("b", 102), ("c", 103)] {
            engine.apply(.position(PositionUpdate(account: account, symbol: symbol, side: .long, quantity: Fixed(1), entryPrice: Fixed(entry),
                mode: .isolated, leverage: Fixed(5)), time: Self.second))
        }
        #expect(engine.adlRanking(of: 0) == .okx)
        let model = Self.model(engine, symbol)
        var queueLines: [String] = []
        for position in 0..<3 {
            var buffer = Buffer(width: 158, height: 48)
            DetailPane.render(model, position: Int32(position), Rect(x: 0, y: 0, width: 158, height: 48), &buffer)
            queueLines += buffer.lines.filter { $0.contains("ADL queue") }
        }
        #expect(queueLines.count == 3)
        for line in queueLines {
            #expect(line.contains("okx ranking") && !line.contains("tied") && !line.contains("in profit"), "\(line)")
        }
        // The least losing long (entry 101) first.
        #expect(queueLines[0].contains("#1 of 3") && queueLines[2].contains("#3 of 3"), "\(queueLines)")
    }
}
