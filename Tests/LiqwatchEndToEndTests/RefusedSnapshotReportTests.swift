import Foundation
import Testing

/// A snapshot crossing itself is refused whole, and both reports say so (attacker trial: a
/// 0.001 BTC bid over the best ask wiped 8 BTC of asks, 0 malformed, and the short went to ADL).
@Suite("A crossed snapshot, refused, in the reports")
struct RefusedSnapshotReportTests {
    @Test("the attacker's events file: the asks stay, the book reads STALE (refused snapshot), the short is not liquidated")
    func crossedSnapshotReport() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("liqwatch-crossed-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("cross.jsonl").path
        let lines = [
            #"{"type":"book","symbol":"BTCUSDT","bids":[["60000","1"],["59990","2"]],"asks":[["60010","1"],["60020","2"],["60030","5"]],"time":1723161255000000000}"#,
            #"{"type":"position","account":"s","symbol":"BTCUSDT","side":"short","size":"1","entry_price":"60000","margin_mode":"isolated","isolated_margin":"1000","time":1723161255000000000}"#,
            #"{"type":"book","symbol":"BTCUSDT","bids":[["60500","0.001"],["60000","1"],["59990","2"]],"asks":[["60010","1"],["60020","2"],["60030","5"]],"time":1723161256000000000}"#,
        ]
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let text = try BinaryRunner.run(["replay", path, "--headless", "--report", "text"])
        #expect(text.status == 0, "\(text.standardError)")
        #expect(text.standardOutput.contains("snapshots refused (crossing themselves, or giving a price twice with two sizes: the book kept as last known, STALE until a snapshot is applied): 1; first 2024-08-08T23:54:16.000Z binance-usdm:BTCUSDT: a bid at 60,500.00 is above the ask at 60,010.00 of the same snapshot"),
            "\(text.standardOutput)")
        #expect(text.standardOutput.contains("BOOK STALE (refused snapshot)") && text.standardOutput.contains("its book is STALE (its last snapshot contradicted itself and was refused"), "\(text.standardOutput)")
        #expect(!text.standardOutput.contains("asks none") && !text.standardOutput.contains("ADL near"), "\(text.standardOutput)")
        let json = try BinaryRunner.run(["replay", path, "--headless", "--report", "json"])
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any])
        let refused = try #require(document["refused_snapshots"] as? [String: Any])
        #expect(refused["count"] as? Int == 1)
        let market = try #require((document["symbols"] as? [String: Any])?["binance-usdm:BTCUSDT"] as? [String: Any])
        #expect(market["snapshots_refused"] as? Int == 1 && market["stale"] as? Bool == true && market["crossed_levels_removed"] as? Int == 0)
        let asks = try #require((market["book"] as? [String: Any])?["asks"] as? [[String]])
        #expect(asks.count == 3, "\(asks)")
    }
}
