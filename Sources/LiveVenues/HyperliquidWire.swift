import Foundation
import MarketFeeds
import RiskEngine

/// Hyperliquid's WebSocket (https://hyperliquid.gitbook.io/hyperliquid-docs/for-developers/api/websocket):
/// per coin `l2Book` (every message a whole book of about 20 levels a side, so there is no sequence
/// to break and nothing to re-sync), `trades` and `activeAssetCtx` (mark, oracle price, funding,
/// open interest). Hyperliquid publishes no market-wide liquidation stream. It closes a connection
/// silent for 60 s: `{"method":"ping"}` every 30 s, answered `{"channel":"pong"}`.
public struct HyperliquidWire: VenueWire {
    /// Hyperliquid's coin names, in their case (`BTC`, `kPEPE`).
    public let coins: [String]
    public let url: String

    /// `baseURL` is the host part (`wss://api.hyperliquid.xyz`, or a loopback exchange's).
    /// `pingInterval`: under Hyperliquid's 60 s of silence (a test may ping sooner).
    public init(coins: [String], baseURL: String? = nil, pingInterval: Double? = 30) {
        self.coins = coins
        self.pingInterval = pingInterval
        url = (baseURL ?? "wss://api.hyperliquid.xyz").trimmingSuffix("/") + "/ws"
    }

    public var name: String { "hyperliquid" }
    public var venue: Venue { .hyperliquid }
    public var markets: [String] { coins.map { MarketID.make(venue: .hyperliquid, symbol: $0) } }

    static func request(_ method: String, _ type: String, _ coin: String) -> String {
        "{\"method\":\"\(method)\",\"subscription\":{\"type\":\"\(type)\",\"coin\":\"\(coin)\"}}"
    }

    public func subscriptions() -> [String] {
        coins.flatMap { coin in ["l2Book", "trades", "activeAssetCtx"].map { Self.request("subscribe", $0, coin) } }
    }

    /// Every `l2Book` message is a whole book, so the next one re-syncs; subscribing again only
    /// brings it sooner.
    public func resubscription(market: String) -> [String] {
        let coin = MarketID.symbol(of: market)
        return [Self.request("unsubscribe", "l2Book", coin), Self.request("subscribe", "l2Book", coin)]
    }

    public let pingInterval: Double?
    public var ping: String { "{\"method\":\"ping\"}" }

    public func isHeartbeat(_ frame: [UInt8]) -> Bool { frame.startsJSON(with: "{\"channel\":\"pong\"") }

    /// `{"channel":"error","data":"Invalid subscription ..."}`.
    public func notice(in frame: [UInt8]) -> String? {
        guard frame.startsJSON(with: "{\"channel\":\"error\""), frame.count < 4096,
            let object = try? JSONSerialization.jsonObject(with: Data(frame)) as? [String: Any]
        else { return nil }
        return "hyperliquid error: \(object["data"].map { "\($0)" } ?? "no message")"
    }
}
