import Foundation
import Testing

/// The reports' exchange-reported liquidations, per market and per venue, with how complete each
/// venue's stream is, from a small recording in liqwatch's own layout (`<ns> <frame>`) built from
/// the frame formats Binance and Bybit document: Binance's per-symbol and all-market forceOrder
/// streams, its all-market mark list, and Bybit's allLiquidation.
@Suite("Exchange liquidations in the reports")
struct ExchangeLiquidationReportTests {
    static let start: Int64 = 1_735_689_600_000

    static func recording() -> String {
        func forceOrder(_ stream: String, _ ms: Int64, _ symbol: String, _ side: String, _ quantity: String, _ average: String) -> String {
            #"{"stream":"\#(stream)","data":{"e":"forceOrder","E":\#(ms),"o":{"s":"\#(symbol)","S":"\#(side)","o":"LIMIT","f":"IOC","q":"\#(quantity)","p":"\#(average)","ap":"\#(average)","X":"FILLED","l":"\#(quantity)","z":"\#(quantity)","T":\#(ms)}}}"#
        }
        func mark(_ symbol: String, _ price: String) -> String {
            #"{"e":"markPriceUpdate","E":\#(start + 3),"s":"\#(symbol)","p":"\#(price)","P":"0","i":"\#(price)","r":"0.00010000","T":\#(start + 28_800_000)}"#
        }
        let frames = [
            // The per-symbol stream makes its market, as it always did.
            forceOrder("btcusdt@forceOrder", start, "BTCUSDT", "SELL", "0.010", "60000"),
            // The all-market stream: BTCUSDT is known now; DOGEUSDT is not, and stays off the tape.
            forceOrder("!forceOrder@arr", start + 1, "BTCUSDT", "BUY", "0.005", "61000"),
            forceOrder("!forceOrder@arr", start + 2, "DOGEUSDT", "SELL", "1000", "0.1"),
            // Marks of every symbol: BTCUSDT's is applied, SOLUSDT's (and its index) dropped.
            #"{"stream":"!markPrice@arr@1s","data":[\#(mark("BTCUSDT", "60500.00")),\#(mark("SOLUSDT", "150.000"))]}"#,
            #"{"topic":"allLiquidation.XRPUSDT","type":"snapshot","ts":\#(start + 4),"data":[{"T":\#(start + 4),"s":"XRPUSDT","S":"Sell","v":"100","p":"0.5000"}]}"#,
        ]
        return frames.enumerated().map { "\((start + Int64($0.offset)) * 1_000_000) \($0.element)" }.joined(separator: "\n") + "\n"
    }

    static func run(_ format: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("liqwatch-exliq-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("venues.rec").path
        try recording().write(toFile: path, atomically: true, encoding: .utf8)
        let result = try BinaryRunner.run(["replay", path, "--headless", "--report", format])
        #expect(result.status == 0, "\(result.standardError)")
        return result.standardOutput
    }

    @Test("JSON: per market count, notional in the settlement asset and completeness; unwatched markets by market")
    func json() throws {
        let report = try #require(try JSONSerialization.jsonObject(with: Data(Self.run("json").utf8)) as? [String: Any])
        let symbols = try #require(report["symbols"] as? [String: Any])
        #expect(symbols.keys.sorted() == ["binance-usdm:BTCUSDT", "bybit:XRPUSDT"])
        let btc = try #require((symbols["binance-usdm:BTCUSDT"] as? [String: Any])?["exchange_liquidations"] as? [String: Any])
        // 0.010 × 60,000 = 600 and 0.005 × 61,000 = 305: 905 USDT.
        #expect(btc["count"] as? Int == 2)
        #expect((btc["notional"] as? NSNumber)?.doubleValue == 905)
        #expect(btc["asset"] as? String == "USDT")
        #expect(btc["completeness"] as? String == "sample")
        let xrp = try #require((symbols["bybit:XRPUSDT"] as? [String: Any])?["exchange_liquidations"] as? [String: Any])
        // 100 × 0.5 = 50 USDT, from a stream of every liquidation.
        #expect(xrp["count"] as? Int == 1)
        #expect((xrp["notional"] as? NSNumber)?.doubleValue == 50)
        #expect(xrp["completeness"] as? String == "all")
        let exchange = try #require((report["liquidations"] as? [String: Any])?["exchange"] as? [String: Any])
        #expect(exchange["count"] as? Int == 3)
        #expect(exchange["completeness_by_venue"] as? [String: String] == ["binance-usdm": "sample", "bybit": "all"])
        let unwatched = try #require(exchange["unwatched"] as? [String: Any])
        #expect(unwatched["count"] as? Int == 1)
        #expect(unwatched["marks_dropped"] as? Int == 2)
        let doge = try #require((unwatched["by_market"] as? [String: Any])?["binance-usdm:DOGEUSDT"] as? [String: Any])
        // 1,000 × 0.1 = 100 USDT.
        #expect(doge["count"] as? Int == 1)
        #expect((doge["notional"] as? NSNumber)?.doubleValue == 100)
        #expect(doge["completeness"] as? String == "sample")
        // The all-market mark reached the known market.
        #expect((symbols["binance-usdm:BTCUSDT"] as? [String: Any])?["mark"] as? String == "60500.00")
    }

    @Test("text: the figures whole, with what the venue's stream is worth")
    func text() throws {
        let text = try Self.run("text")
        #expect(text.contains("2 exchange liquidations (sample, at most 1 per contract per second), 905.00 USDT"), "\(text)")
        #expect(text.contains("1 exchange liquidations (all liquidations), 50.00 USDT"), "\(text)")
        #expect(text.contains("on markets not watched: 1"), "\(text)")
        #expect(text.contains("binance-usdm:DOGEUSDT 1 (100.00 USDT)"), "\(text)")
    }
}
