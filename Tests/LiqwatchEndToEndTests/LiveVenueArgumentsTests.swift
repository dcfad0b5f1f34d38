import Foundation
import Testing

/// `liqwatch live` naming markets on several venues: how the words become streams, and the
/// mistakes an operator makes, each refused with a message that says what to write instead.
@Suite("liqwatch live over several venues: arguments")
struct LiveVenueArgumentsTests {
    @Test("bad venue arguments: a clear message and exit code 2",
          arguments: [
              (["live", "bybit"], "bybit needs --symbols"),
              (["live", "okx", "hyperliquid"], "okx, hyperliquid needs --symbols"),
              (["live", "--symbols", "BTCUSDT", "bybit:ETHUSDT"], "--symbols needs a venue"),
              (["live", "deribit:BTC-PERPETUAL"], "no live adapter for deribit"),
              (["live", "binanse-usdm:BTCUSDT"], "unknown venue 'binanse-usdm'"),
              (["live", "okx:BTCUSDT"], "okx lists no BTCUSDT"),
              (["live", "bybit:BTCUSDT", "okx:BTC-USDT-SWAP", "--ws-url", "ws://127.0.0.1:1"], "say which venue the URL is for"),
              (["live", "bybit:BTCUSDT", "--ws-url", "kraken=ws://127.0.0.1:1"], "'kraken' is not a live venue"),
              (["live", "bybit:BTCUSDT", "--ws-url", "okx=ws://127.0.0.1:1"], "the session watches no okx market"),
              (["live", "bybit:BTCUSDT", "--ws-url", "http://127.0.0.1:1"], "is not a ws:// or wss://HOST URL"),
              (["live", "okx:BTC-USDT-SWAP", "--rest-url", "okx=http://127.0.0.1:1"], "okx is read over its WebSocket only"),
              (["live", "bybit:BTCUSDT", "--ws-url", "bybit=ws://127.0.0.1:1", "--ws-url", "bybit=ws://127.0.0.1:2"], "bybit is given twice"),
              (["live", "bybit:BTCUSDT", "events", "-"], "an event stream beside markets is --events SOURCE"),
              (["live", "events", "-", "bybit:BTCUSDT"], "live events takes one SOURCE"),
              (["live", "hyperliquid:BTC\"}]"], "is not a symbol"),
              (["live", "bybit:BTCUSDT", "--read-pace", "500"], "--read-pace must be 0 to 100 milliseconds"),
          ])
    func badArguments(arguments: [String], message: String) throws {
        // --duration: an argument wrongly accepted ends the run in a second instead of hanging the test.
        let result = try BinaryRunner.run(arguments + ["--headless", "--duration", "1", "--no-config"])
        #expect(result.status == 2, "\(result.standardError)")
        #expect(result.standardError.contains(message), "\(result.standardError)")
    }

    @Test("one stream per connection: Bybit linear and inverse apart, OKX and Hyperliquid one each, a repeated market once")
    func streamsPerConnection() throws {
        // Nothing listens on port 1: every stream stays reconnecting, which is enough to see them.
        let result = try BinaryRunner.run(["live", "bybit:BTCUSDT", "bybit:BTCUSD", "okx:BTC-USDT-SWAP", "hyperliquid:BTC", "bybit:btcusdt",
            "--ws-url", "bybit=ws://127.0.0.1:1", "--ws-url", "okx=ws://127.0.0.1:1", "--ws-url", "hyperliquid=ws://127.0.0.1:1",
            "--headless", "--duration", "1", "--report", "json", "--no-config"])
        #expect(result.status == 0, "\(result.standardError)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        let feed = try #require(report["feed"] as? [String: Any])
        let names = (feed["streams"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        #expect(names == ["bybit linear", "bybit inverse", "okx", "hyperliquid"])
        // Nothing listens: every attempt failed, and the report counts them (it read 0 reconnects).
        let failed = (feed["streams"] as? [[String: Any]] ?? []).compactMap { $0["failed_connections"] as? Int }
        #expect(failed.count == 4 && failed.allSatisfy { $0 >= 1 }, "\(feed)")
    }

    @Test("Binance symbols past a hundred go over several connections, each its own stream; past the engine's 10,000 markets the command is refused")
    func manyBinanceSymbols() throws {
        let symbols = (0..<150).map { "S\($0)USDT" }.joined(separator: ",")
        let result = try BinaryRunner.run(["live", "binance-usdm", "--symbols", symbols, "--ws-url", "ws://127.0.0.1:1", "--rest-url", "http://127.0.0.1:1",
            "--headless", "--duration", "1", "--report", "json", "--no-config"])
        #expect(result.status == 0, "\(result.standardError)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        let feed = try #require(report["feed"] as? [String: Any])
        let names = (feed["streams"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        #expect(names == ["binance-usdm 1/2", "binance-usdm 2/2"])
        let tooMany = (0..<10_001).map { "S\($0)USDT" }.joined(separator: ",")
        let refused = try BinaryRunner.run(["live", "binance-usdm", "--symbols", tooMany, "--headless", "--duration", "1", "--no-config"])
        #expect(refused.status == 2 && refused.standardError.contains("10001 markets named: a session watches at most 10000"), "\(refused.standardError)")
    }
}
