import Foundation
import Testing

/// A fund's later statements move its balance: the report says so, so that its start, inflows,
/// outflows and statements add up to its end (attacker trial: start 1,000, outflows 900, end 300).
@Suite("The report's fund adds up with statements")
struct FundStatementReportTests {
    @Test("statements after the opening are reported (JSON and text), and start + inflows − outflows + statements = end")
    func statementsAddUp() throws {
        let scratch = try BadInputCommandTests.Scratch()
        let lines = [
            #"{"type":"insurance_fund","asset":"USDT","balance":"1000","time":1723161255000000000}"#,
            #"{"type":"book","symbol":"BTCUSDT","bids":[["60000","1"],["59000","1"]],"asks":[["60010","1"],["61000","1"]],"time":1723161255000000000}"#,
            #"{"type":"mark","symbol":"BTCUSDT","price":"60005","time":1723161255000000000}"#,
            #"{"type":"position","account":"a","symbol":"BTCUSDT","side":"long","size":"1","entry_price":"60000","margin_mode":"isolated","isolated_margin":"1000","time":1723161255000000000}"#,
            #"{"type":"position","account":"b","symbol":"BTCUSDT","side":"short","size":"1","entry_price":"60000","margin_mode":"isolated","isolated_margin":"10000","time":1723161255000000000}"#,
            #"{"type":"insurance_fund","asset":"USDT","balance":"5000","time":1723161255500000000}"#,
            #"{"type":"book","symbol":"BTCUSDT","bids":[["50000","0.1"]],"asks":[["60010","1"]],"time":1723161256000000000}"#,
            #"{"type":"mark","symbol":"BTCUSDT","price":"58000","time":1723161257000000000}"#,
            #"{"type":"insurance_fund","asset":"USDT","balance":"300","time":1723161258000000000}"#,
        ].joined(separator: "\n") + "\n"
        let path = try scratch.write("statements.jsonl", lines)
        let json = try BinaryRunner.run(["replay", path, "--headless", "--report", "json", "--no-config"])
        #expect(json.status == 0, "\(json.standardError)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any])
        let fund = try #require(report["insurance_fund"] as? [String: Any])
        func number(_ key: String) -> Double { (fund[key] as? NSNumber)?.doubleValue ?? .nan }
        #expect(number("start") == 1_000 && number("end") == 300)
        #expect(number("outflows") > 0, "a deficit was paid")
        #expect(abs(number("start") + number("inflows") - number("outflows") + number("statements") - number("end")) < 1e-8, "\(fund)")
        let text = try BinaryRunner.run(["replay", path, "--headless", "--report", "text", "--no-config"])
        #expect(text.standardOutput.contains("statements +"), "\(text.standardOutput)")
    }
}
