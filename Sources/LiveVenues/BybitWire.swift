import Foundation
import MarketFeeds
import RiskEngine

/// Bybit v5 public streams (https://bybit-exchange.github.io/docs/v5/ws/connect): linear contracts
/// (USDT and USDC settled) on `/v5/public/linear`, inverse ones (coin settled, `BTCUSD`,
/// `BTCUSDH25`) on `/v5/public/inverse`, so one wire serves one category. Per market:
/// `orderbook.200` (snapshot, then deltas whose `u` rises by one; 100 ms), `publicTrade`, `tickers`
/// and `allLiquidation` (every liquidation, batched every 500 ms). Bybit drops a connection silent
/// for 10 minutes and asks for a ping every 20 s.
public struct BybitWire: VenueWire {
    public enum Category: String, Sendable {
        case linear, inverse
    }

    public let category: Category
    /// Bybit's own symbols (`BTCUSDT`).
    public let symbols: [String]
    public let url: String
    public static let bookDepth = 200

    /// `baseURL` is the host part (`wss://stream.bybit.com`, or a loopback exchange's); the
    /// category's path is added. `pingInterval`: Bybit's advice is 20 s (a test may ping sooner).
    public init(category: Category, symbols: [String], baseURL: String? = nil, pingInterval: Double? = 20) {
        self.category = category
        self.pingInterval = pingInterval
        self.symbols = symbols
        let base = (baseURL ?? "wss://stream.bybit.com").trimmingSuffix("/")
        url = base + "/v5/public/" + category.rawValue
    }

    /// Inverse contracts are quoted in USD and settled in the coin: `BTCUSD`, and the quarterlies
    /// `BTCUSDH25` (a month letter and a year).
    public static func category(of symbol: String) -> Category {
        let upper = symbol.uppercased()
        if upper.hasSuffix("USD") { return .inverse }
        let characters = Array(upper)
        if characters.count > 6, String(characters[(characters.count - 6)..<(characters.count - 3)]) == "USD",
            "FGHJKMNQUVXZ".contains(characters[characters.count - 3]), characters.suffix(2).allSatisfy(\.isNumber)
        {
            return .inverse
        }
        return .linear
    }

    public var name: String { "bybit \(category.rawValue)" }
    public var venue: Venue { .bybit }
    public var markets: [String] { symbols.map { MarketID.make(venue: .bybit, symbol: $0) } }

    public func subscriptions() -> [String] {
        let topics = symbols.flatMap { ["orderbook.\(Self.bookDepth).\($0)", "publicTrade.\($0)", "tickers.\($0)", "allLiquidation.\($0)"] }
        // At most 10 topics a request (Bybit's limit for spot, kept for every category).
        return stride(from: 0, to: topics.count, by: 10).map { start in
            Self.request("subscribe", Array(topics[start..<min(start + 10, topics.count)]))
        }
    }

    public func resubscription(market: String) -> [String] {
        let topic = "orderbook.\(Self.bookDepth).\(MarketID.symbol(of: market))"
        return [Self.request("unsubscribe", [topic]), Self.request("subscribe", [topic])]
    }

    static func request(_ operation: String, _ topics: [String]) -> String {
        "{\"op\":\"\(operation)\",\"args\":[" + topics.map { "\"\($0)\"" }.joined(separator: ",") + "]}"
    }

    public let pingInterval: Double?
    public var ping: String { "{\"op\":\"ping\"}" }

    /// `{"success":true,"ret_msg":"pong",...,"op":"ping"}` or `{"op":"pong",...}`.
    public func isHeartbeat(_ frame: [UInt8]) -> Bool {
        !frame.startsJSON(with: "{\"topic\"") && frame.count < 512 && frame.mentions("pong")
    }

    /// `{"success":false,"ret_msg":"error:handler not found",...,"op":"subscribe"}`.
    public func notice(in frame: [UInt8]) -> String? {
        guard !frame.startsJSON(with: "{\"topic\""), frame.count < 4096, frame.mentions("\"success\""),
            let object = try? JSONSerialization.jsonObject(with: Data(frame)) as? [String: Any], object["success"] as? Bool == false
        else { return nil }
        return "bybit refused \(object["op"] as? String ?? "a request"): \(object["ret_msg"] as? String ?? "no reason given")"
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String { hasSuffix(suffix) ? String(dropLast(suffix.count)) : self }
}
