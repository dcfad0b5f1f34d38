import Foundation
import Testing

/// Synthetic positions are placed at a market's first mark with a book on both sides; a market
/// that never had them got none, and the report said nothing of it (a one-sided Deribit book).
@Suite("Synthetic positions not placed, in the reports")
struct SyntheticPlacementReportTests {
    @Test("a market with a one-sided book and no mark: the text and JSON reports say it got none, and what it lacked")
    func oneSidedBook() throws {
        let scratch = try BadInputCommandTests.Scratch()
        let events = try scratch.write("one-sided.ndjson", [
            #"{"type":"book","symbol":"binance-usdm:ETHUSDT","bids":[],"asks":[["3000","5"],["3001","2"]],"time":1723161256000000000}"#,
            #"{"type":"book","symbol":"binance-usdm:BTCUSDT","bids":[["59999","1"]],"asks":[["60001","1"]],"time":1723161256000000000}"#,
            #"{"type":"mark","symbol":"binance-usdm:BTCUSDT","price":"60000","time":1723161257000000000}"#,
        ].joined(separator: "\n") + "\n")
        let text = try BinaryRunner.run(["replay", events, "--synthetic-positions", "100", "--headless", "--report", "text"])
        #expect(text.status == 0, "\(text.standardError)")
        #expect(text.standardOutput.contains(
            "  synthetic positions: none on binance-usdm:ETHUSDT, which never had a mark and a book on both sides (no mark, no bids)"),
            "\(text.standardOutput)")
        #expect(!text.standardOutput.contains("none on binance-usdm:BTCUSDT"), "\(text.standardOutput)")
        #expect(text.standardOutput.contains("  bids none\n"), "\(text.standardOutput)")
        let json = try BinaryRunner.run(["replay", events, "--synthetic-positions", "100", "--headless", "--report", "json"])
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any])
        let positions = try #require(report["positions"] as? [String: Any])
        let missing = try #require(positions["synthetic_not_placed"] as? [[String: Any]])
        #expect(missing.count == 1 && missing[0]["symbol"] as? String == "binance-usdm:ETHUSDT" && missing[0]["lacked"] as? String == "no mark, no bids")
        // Without synthetic positions asked for, nothing is said.
        let plain = try BinaryRunner.run(["replay", events, "--headless", "--report", "text"])
        #expect(!plain.standardOutput.contains("synthetic positions"), "\(plain.standardOutput)")
    }
}
