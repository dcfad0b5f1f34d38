import Foundation
import Testing

/// `liqwatch replay` on the Bybit, OKX and Hyperliquid recordings of `../shared/data`, the real
/// binary, headless: the report names each market and its book.
@Suite("Venue replays, end to end",
    .enabled(if: FileManager.default.fileExists(atPath: BinaryRunner.packageRoot.appendingPathComponent("../shared/data").path),
        "../shared/data is absent: the real recordings are not here, so this test is skipped"))
struct VenueReplayCommandTests {
    @Test("the report names the market and its book", arguments: [
        ("../shared/data/bybit/2024-12-01_XRPUSDT_ob500.data", "bybit:XRPUSDT", 0),
        ("../shared/data/okx/OKX.ws.1.0", "okx:UNI-USD-SWAP", 0),
        ("../shared/data/okx/OKX.ws.1.0", "okx:BTC-USD-220527", 0),
        ("../shared/data/hyperliquid/btcusd_20250126.gz", "hyperliquid:BTC", 0),
    ])
    func report(file: String, market: String, gaps: Int) throws {
        let result = try BinaryRunner.run(["replay", file, "--headless", "--report", "json"])
        #expect(result.status == 0, "\(result.standardError)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        let symbols = try #require(report["symbols"] as? [String: Any])
        let entry = try #require(symbols[market] as? [String: Any], "\(symbols.keys.sorted())")
        let book = try #require(entry["book"] as? [String: Any])
        #expect((book["bids"] as? [Any])?.count == 10)
        #expect((book["asks"] as? [Any])?.count == 10)
        #expect(entry["gaps"] as? Int == gaps)
        #expect(entry["stale"] as? Bool == false)
        #expect(entry["book_synced"] as? Bool == true)
        let frames = try #require(report["frames"] as? [String: Any])
        #expect(frames["malformed"] as? Int == 0)
    }

    @Test("the OKX capture's spot instrument is skipped and said so in the report")
    func okxSkipped() throws {
        let result = try BinaryRunner.run(["replay", "../shared/data/okx/OKX.ws.1.0", "--headless", "--report", "json"])
        #expect(result.status == 0, "\(result.standardError)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        let frames = try #require(report["frames"] as? [String: Any])
        let skipped = try #require(frames["skipped_instruments"] as? [String: Any])
        #expect(skipped.keys.sorted() == ["okx:BTC-USDT (spot: liqwatch watches swaps and futures)"])
        let symbols = try #require(report["symbols"] as? [String: Any])
        let uni = try #require(symbols["okx:UNI-USD-SWAP"] as? [String: Any])
        #expect((uni["checksums_verified"] as? Int ?? 0) > 10)
        let text = try BinaryRunner.run(["replay", "../shared/data/okx/OKX.ws.1.0", "--headless", "--report", "text"])
        #expect(text.standardOutput.contains("okx:BTC-USDT (spot: liqwatch watches swaps and futures)"), "\(text.standardOutput)")
    }

    @Test("OKX's coin-margined markets settle in BTC and UNI, for which no fund was given: the report says so instead of a fund of 0")
    func noFundGiven() throws {
        let arguments = ["replay", "../shared/data/okx/OKX.ws.1.0", "--headless", "--synthetic-positions", "200", "--seed", "3"]
        let result = try BinaryRunner.run(arguments + ["--report", "json"])
        #expect(result.status == 0, "\(result.standardError)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        let fund = try #require(report["insurance_fund"] as? [String: Any])
        #expect(fund["not_given"] as? [String] == ["BTC", "UNI"])
        let text = try BinaryRunner.run(arguments + ["--report", "text"])
        #expect(text.standardOutput.contains("no insurance fund given for UNI: its deficits go to ADL"), "\(text.standardOutput)")
    }
}
