import Foundation
import MarketFeeds
import RiskEngine

/// OKX v5 public streams (https://www.okx.com/docs-v5/en/#overview-websocket): `books` (400 levels,
/// a snapshot on subscribe, then updates carrying a CRC32 checksum of the top 25 levels and
/// `seqId`/`prevSeqId`), `trades`, `mark-price`, `index-tickers` (of the contract's index, e.g.
/// `BTC-USDT`), `funding-rate` (swaps only) and `open-interest` per instrument, and `liquidation-orders` of every
/// swap (OKX sends at most one liquidation per contract per second). OKX drops a connection silent
/// for 30 s: the text `ping` every 20 s, answered `pong`.
public struct OKXWire: VenueWire {
    /// OKX's instrument ids (`BTC-USDT-SWAP`, `BTC-USD-SWAP`, `BTC-USD-250328`).
    public let instruments: [String]
    public let url: String

    /// `baseURL` is the host part (`wss://ws.okx.com:8443`, or a loopback exchange's).
    /// `pingInterval`: under OKX's 30 s of silence (a test may ping sooner).
    public init(instruments: [String], baseURL: String? = nil, pingInterval: Double? = 20) {
        self.instruments = instruments
        self.pingInterval = pingInterval
        url = (baseURL ?? "wss://ws.okx.com:8443").trimmingSuffix("/") + "/ws/v5/public"
    }

    public var name: String { "okx" }
    public var venue: Venue { .okx }
    public var markets: [String] { instruments.map { MarketID.make(venue: .okx, symbol: $0) } }

    /// `BTC-USDT-SWAP` → `BTC-USDT`: the index its mark follows.
    static func index(of instrument: String) -> String {
        instrument.split(separator: "-").prefix(2).joined(separator: "-")
    }

    public func subscriptions() -> [String] {
        var arguments: [String] = []
        for instrument in instruments {
            // OKX publishes funding for perpetual swaps only: asked for a future's, it answers an
            // error (a notice on every connect for nothing).
            let channels = instrument.hasSuffix("-SWAP") ? ["books", "trades", "mark-price", "funding-rate", "open-interest"] : ["books", "trades", "mark-price", "open-interest"]
            for channel in channels {
                arguments.append("{\"channel\":\"\(channel)\",\"instId\":\"\(instrument)\"}")
            }
        }
        for index in Set(instruments.map(Self.index(of:))).sorted() {
            arguments.append("{\"channel\":\"index-tickers\",\"instId\":\"\(index)\"}")
        }
        let kinds = Set(instruments.map { $0.hasSuffix("-SWAP") ? "SWAP" : "FUTURES" }).sorted()
        for kind in kinds { arguments.append("{\"channel\":\"liquidation-orders\",\"instType\":\"\(kind)\"}") }
        // OKX limits a request to 64 KB; 20 arguments a request stays far below it.
        return stride(from: 0, to: arguments.count, by: 20).map { start in
            "{\"op\":\"subscribe\",\"args\":[" + arguments[start..<min(start + 20, arguments.count)].joined(separator: ",") + "]}"
        }
    }

    /// A fresh `books` snapshot: unsubscribe, then subscribe again (OKX's advice after a checksum
    /// or sequence failure).
    public func resubscription(market: String) -> [String] {
        let argument = "{\"channel\":\"books\",\"instId\":\"\(MarketID.symbol(of: market))\"}"
        return ["{\"op\":\"unsubscribe\",\"args\":[\(argument)]}", "{\"op\":\"subscribe\",\"args\":[\(argument)]}"]
    }

    public let pingInterval: Double?
    public var ping: String { "ping" }

    public func isHeartbeat(_ frame: [UInt8]) -> Bool { frame == Array("pong".utf8) }

    /// `{"event":"error","code":"60018","msg":"..."}` and `{"event":"notice",...}` (a coming
    /// service upgrade that will cut the connection).
    public func notice(in frame: [UInt8]) -> String? {
        guard frame.startsJSON(with: "{\"event\""), frame.count < 4096,
            let object = try? JSONSerialization.jsonObject(with: Data(frame)) as? [String: Any],
            let event = object["event"] as? String, event == "error" || event == "notice"
        else { return nil }
        let code = object["code"] as? String ?? "?"
        return "okx \(event) \(code): \(object["msg"] as? String ?? "no message")"
    }
}
