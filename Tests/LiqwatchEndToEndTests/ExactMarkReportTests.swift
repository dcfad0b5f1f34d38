import Foundation
import Testing

/// The JSON report's mark is the engine's, exact: a mark made from the book's mid (no mark
/// stream) sits half a tick off the grid, and was written rounded to the tick (1.9538 beside the
/// position view's 1.95375: operator trial).
@Suite("The report's mark and funding rate, exact")
struct ExactMarkReportTests {
    @Test("a mark from the mid of 60,000.0 and 60,000.1 reads 60000.05 in the JSON report; a mark on the tick keeps the tick's places")
    func midMark() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("liqwatch-mark-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        func report(_ lines: [String]) throws -> String? {
            let path = directory.appendingPathComponent("events-\(UUID().uuidString.prefix(6)).jsonl").path
            try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
            let result = try BinaryRunner.run(["replay", path, "--headless", "--report", "json"])
            #expect(result.status == 0, "\(result.standardError)")
            let json = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any]
            return ((json?["symbols"] as? [String: Any])?["binance-usdm:BTCUSDT"] as? [String: Any])?["mark"] as? String
        }
        let book = #"{"type":"book","symbol":"BTCUSDT","bids":[["60000.0","1"]],"asks":[["60000.1","1"]],"time":1723161255000000000}"#
        #expect(try report([book]) == "60000.05")
        #expect(try report([book, #"{"type":"mark","symbol":"BTCUSDT","price":"60000.1","time":1723161256000000000}"#]) == "60000.10")
    }

    /// Every trigger is worked from the mark: a proxy on an emptied book's best ask read as the
    /// exchange's own mark (operator trial).
    @Test("the text report says a mark is liqwatch's proxy, or Binance's rule from the index; a stream's mark is left bare")
    func markSourceSaid() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("liqwatch-marksource-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        func marketLine(_ lines: [String]) throws -> String {
            let path = directory.appendingPathComponent("events-\(UUID().uuidString.prefix(6)).jsonl").path
            try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
            let result = try BinaryRunner.run(["replay", path, "--headless", "--report", "text", "--no-config"])
            #expect(result.status == 0, "\(result.standardError)")
            return result.standardOutput.split(separator: "\n").first { $0.hasPrefix("binance-usdm:BTCUSDT: mark") }.map(String.init) ?? ""
        }
        let book = #"{"type":"book","symbol":"BTCUSDT","bids":[["60000.0","1"]],"asks":[["60000.1","1"]],"time":1723161255000000000}"#
        #expect(try marketLine([book]).contains("mark 60,000.05 USDT (liqwatch's proxy, the median of best bid, best ask and last trade: the feed gives no mark)"))
        let index = #"{"type":"index","symbol":"BTCUSDT","price":"60000","funding_rate":"0.0001","time":1723161256000000000}"#
        #expect(try marketLine([book, index]).contains("(Binance's mark rule worked from the feed's index: the feed gives no mark)"))
        let streamed = try marketLine([book, #"{"type":"mark","symbol":"BTCUSDT","price":"60000.1","time":1723161256000000000}"#])
        #expect(streamed.contains("mark 60,000.10 USDT,") && !streamed.contains("proxy"), "\(streamed)")
    }

    /// OKX gives funding rates of up to 18 places: the report wrote them at 8.
    @Test("a funding rate of fifteen places is written whole; one of four as it is")
    func fundingRateWhole() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("liqwatch-funding-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        func fundingRate(_ rate: String) throws -> String {
            let path = directory.appendingPathComponent("events-\(UUID().uuidString.prefix(6)).jsonl").path
            let lines = [#"{"type":"book","symbol":"BTCUSDT","bids":[["60000.0","1"]],"asks":[["60000.1","1"]],"time":1723161255000000000}"#,
                         #"{"type":"index","symbol":"BTCUSDT","price":"60000","funding_rate":""# + rate + #"","time":1723161256000000000}"#]
            try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
            let result = try BinaryRunner.run(["replay", path, "--headless", "--report", "json"])
            #expect(result.status == 0, "\(result.standardError)")
            #expect((try? JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8))) != nil)
            guard let range = result.standardOutput.range(of: #""funding_rate":\s*[-0-9.]+"#, options: .regularExpression) else { return "" }
            return String(result.standardOutput[range].split(separator: ":").last!).trimmingCharacters(in: .whitespaces)
        }
        #expect(try fundingRate("0.000227985782722") == "0.000227985782722")
        #expect(try fundingRate("-0.0002") == "-0.0002")
    }
}
