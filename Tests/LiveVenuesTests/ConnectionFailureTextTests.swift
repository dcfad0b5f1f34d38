import Foundation
import NIOCore
import NIOHTTP1
import Testing
@testable import LiveVenues

/// The health view and the alerts say why a connection failed in words, whole.
@Suite("Connection failures in words")
struct ConnectionFailureTextTests {
    @Test("a system error reads as the system says it; a timeout and a closed channel in words")
    func words() {
        #expect(ConnectionFailureText.describe(IOError(errnoCode: ECONNREFUSED, reason: "connect")) == "connection refused")
        #expect(ConnectionFailureText.describe(ChannelError.connectTimeout(.seconds(10))) == "timed out connecting")
        #expect(ConnectionFailureText.describe(ChannelError.eof) == "the connection closed")
        // The handshake's failures in words, not as SwiftNIO names them (attacker trial).
        #expect(ConnectionFailureText.describe(NIOHTTPClientUpgradeError.upgraderDeniedUpgrade)
            == "the server's answer to the WebSocket handshake was not a WebSocket's (its accept key or headers)")
        #expect(ConnectionFailureText.describe(NIOHTTPClientUpgradeError.responseProtocolNotFound) == "the server did not switch to the WebSocket protocol")
    }
}

/// A venue's control messages are told by their first tokens, whatever whitespace JSON allows
/// between them (a notice with a space after its colon was not shown).
@Suite("Venue control messages with JSON whitespace")
struct VenueControlMessageTests {
    @Test("Hyperliquid's error and pong, OKX's event, with and without spaces between the tokens")
    func spacedTokens() {
        let hyperliquid = HyperliquidWire(coins: ["BTC"])
        for text in [#"{"channel":"error","data":"Invalid subscription"}"#, #" { "channel" : "error" , "data" : "Invalid subscription" }"#,
            "{\n\t\"channel\":\n\"error\",\"data\":\"Invalid subscription\"}"] {
            #expect(hyperliquid.notice(in: Array(text.utf8)) == "hyperliquid error: Invalid subscription", "\(text)")
        }
        #expect(hyperliquid.isHeartbeat(Array(#"{ "channel" : "pong" }"#.utf8)))
        #expect(!hyperliquid.isHeartbeat(Array(#"{"channel":"l2Book","data":{}}"#.utf8)))
        #expect(hyperliquid.notice(in: Array(#"{"channel":"errors","data":"x"}"#.utf8)) == nil)
        #expect(hyperliquid.notice(in: Array(#"{"chan nel":"error","data":"x"}"#.utf8)) == nil, "whitespace inside a string is not skipped")
        let okx = OKXWire(instruments: ["BTC-USDT-SWAP"])
        #expect(okx.notice(in: Array(#"{ "event" : "error", "msg" : "bad", "code" : "60012" }"#.utf8)) != nil)
    }

    /// An attacker's finding: Binance's error frame was counted among the frames of streams
    /// liqwatch does not apply, and never shown.
    @Test("Binance's error frame is the venue's notice; a stream's frame mentioning \"error\" is not")
    func binanceError() {
        #expect(BinanceLiveSource.notice(in: Array(#"{"error":{"code":2,"msg":"Invalid request: unknown stream"},"id":1}"#.utf8))
            == "binance error 2: Invalid request: unknown stream")
        #expect(BinanceLiveSource.notice(in: Array(#"{"id":1, "error" : {"msg":"x"}}"#.utf8)) == "binance error: x")
        #expect(BinanceLiveSource.notice(in: Array(#"{"stream":"btcusdt@trade","data":{"e":"trade","error":"no"}}"#.utf8)) == nil)
        #expect(BinanceLiveSource.notice(in: Array(#"{"result":null,"id":1}"#.utf8)) == nil)
        #expect(BinanceLiveSource.notice(in: Array(#"{"error":"not an object"}"#.utf8)) == nil)
    }
}
