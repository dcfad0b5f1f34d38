import Foundation
import LoopbackExchange
import Testing

/// `liqwatch live binance-coinm --symbols BTCUSD_PERP` as an operator runs it, against the loopback
/// exchange serving a synthetic COIN-M recording (`LoopbackExchange.syntheticCoinMRecording`):
/// the report's book is the replay's, the mark comes from the pair's mark list, and the
/// liquidation's notional is in BTC.
@Suite("liqwatch live binance-coinm, end to end", .serialized)
struct CoinMLiveCommandTests {
    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "not JSON: \(text.prefix(400))")
    }

    @Test("a headless COIN-M live run reports the replay's book, the mark and the liquidation in coin")
    func headless() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("liqwatch-coinm-e2e-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("coinm.rec").path
        try LoopbackExchange.syntheticCoinMRecording().write(toFile: path, atomically: true, encoding: .utf8)
        let exchange = try LoopbackExchange(recording: path)
        try exchange.start()
        defer { exchange.stop() }
        let live = try BinaryRunner.run(["live", "binance-coinm", "--symbols", "BTCUSD_PERP", "--ws-url", exchange.webSocketURL,
            "--rest-url", exchange.restURL, "--headless", "--duration", "6", "--report", "json"])
        #expect(live.status == 0, "\(live.standardError)")
        #expect(exchange.snapshot.finished)
        #expect(exchange.snapshot.restRequests.contains { $0.hasPrefix("/dapi/v1/depth?symbol=BTCUSD_PERP&limit=1000") })
        let replay = try BinaryRunner.run(["replay", path, "--headless", "--report", "json"])
        #expect(replay.status == 0, "\(replay.standardError)")
        let liveSymbols = try #require(try Self.json(live.standardOutput)["symbols"] as? [String: Any])
        let replaySymbols = try #require(try Self.json(replay.standardOutput)["symbols"] as? [String: Any])
        // Only the watched contract is a market: the quarterlies of the mark list and the ETHUSD
        // liquidation make none.
        #expect(liveSymbols.keys.sorted() == ["binance-coinm:BTCUSD_PERP"])
        let perp = try #require(liveSymbols["binance-coinm:BTCUSD_PERP"] as? [String: Any])
        let replayed = try #require(replaySymbols["binance-coinm:BTCUSD_PERP"] as? [String: Any])
        let book = try #require(perp["book"] as? [String: Any])
        let replayBook = try #require(replayed["book"] as? [String: Any])
        #expect(book["bids"] as? [[String]] == replayBook["bids"] as? [[String]])
        #expect(book["asks"] as? [[String]] == replayBook["asks"] as? [[String]])
        #expect((book["bids"] as? [[String]])?.count == 10)
        #expect(perp["last_update_id"] as? Int == replayed["last_update_id"] as? Int)
        #expect(perp["mark"] as? String == "62500.00")
        #expect(perp["mark_source"] as? String == "stream")
        // 3 contracts × 100 USD ÷ 60,000.0 = 0.005 BTC, a sample of Binance's liquidations.
        let liquidations = try #require(perp["exchange_liquidations"] as? [String: Any])
        #expect(liquidations["count"] as? Int == 1)
        #expect((liquidations["notional"] as? NSNumber)?.doubleValue == 0.005)
        #expect(liquidations["asset"] as? String == "BTC")
        #expect(liquidations["completeness"] as? String == "sample")
    }
}
