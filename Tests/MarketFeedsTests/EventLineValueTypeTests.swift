import Testing
@testable import MarketFeeds
import RiskEngine

/// A key of a line's type given a list or an object, or a book's `snapshot` that is neither true
/// nor false, is malformed naming the key: read as left out (or as a snapshot), a listed isolated
/// margin booked a deficit of 1,400.00 and `"snapshot": 0` wiped the book, with 0 malformed
/// (attacker trial).
@Suite("Events lines: values of the wrong JSON type")
struct EventLineValueTypeTests {
    static let time = "1723161255000000000"

    func field(_ line: String) -> String? {
        if case .malformed(let field) = decodeEventLine(line) { return field }
        return nil
    }

    @Test("a list or an object for an optional key of the line's type is malformed, naming it", arguments: [
        (#"{"type":"position","account":"q","symbol":"BTCUSDT","side":"long","size":"1","entry_price":"60000","margin_mode":"isolated","leverage":"100","isolated_margin":[30000],"time":T}"#, "isolated_margin"),
        (#"{"type":"position","account":"q","symbol":"BTCUSDT","side":"long","size":"1","entry_price":"60000","margin_mode":"isolated","isolated_margin":"600","leverage":{"x":1},"time":T}"#, "leverage"),
        (#"{"type":"position","account":"q","symbol":"BTCUSDT","side":"long","size":"1","entry_price":"60000","margin_mode":["cross"],"wallet_balance":"5000","time":T}"#, "margin_mode"),
        (#"{"type":"account","account":"q","wallet_balance":"5000","venue":["bybit"],"time":T}"#, "venue"),
        (#"{"type":"mark","symbol":"BTCUSDT","price":"60000","venue":["bybit"],"time":T}"#, "venue"),
        (#"{"type":"mark","symbol":"BTCUSDT","price":"60000","time":[]}"#, "time"),
        (#"{"type":"mark","symbol":"BTCUSDT","price":"60000","time":{"ns":1}}"#, "time"),
        (#"{"type":"index","symbol":"BTCUSDT","price":"60000","funding_rate":[0.0001],"time":T}"#, "funding_rate"),
        (#"{"type":"book","symbol":"BTCUSDT","bids":[["60000","1"]],"asks":[["60010","1"]],"shown_levels":[20],"time":T}"#, "shown_levels"),
    ])
    func nestedValueRefused(line: String, key: String) {
        let found = field(line.replacingOccurrences(of: "T}", with: Self.time + "}"))
        #expect(found == "\(key): expected a number or a string, not a list or an object", "\(String(describing: found))")
    }

    /// `"asset": true` made a fund of TRUE, with 0 malformed (attacker trial).
    @Test("a name given as true or false, or a word as a number, is malformed naming the key; an account id may be a number", arguments: [
        (#"{"type":"insurance_fund","asset":true,"balance":"2000000","time":1723161255000000000}"#, "asset: expected a string, not true or false"),
        (#"{"type":"account","account":false,"wallet_balance":"5","time":1723161255000000000}"#, "account: expected a string, not true or false"),
        (#"{"type":"account","account":"a","asset":1,"wallet_balance":"5","time":1723161255000000000}"#, "asset: expected a string, not a number"),
        (#"{"type":"liquidation","symbol":"BTCUSDT","side":1,"price":"60000","size":"1","time":1723161255000000000}"#, "side: expected a string, not a number"),
    ])
    func wordsAreStrings(line: String, expected: String) {
        #expect(field(line) == expected, "\(String(describing: field(line)))")
    }

    @Test("the same lines with plain values are read")
    func plainValuesRead() {
        let line = #"{"type":"position","account":"q","symbol":"BTCUSDT","side":"long","size":"1","entry_price":"60000","margin_mode":"isolated","leverage":"100","isolated_margin":"30000","time":T}"#
        #expect(field(line.replacingOccurrences(of: "T}", with: Self.time + "}")) == nil)
        // A numeric account id is an id.
        #expect(field(#"{"type":"account","account":12345,"wallet_balance":"5","time":1723161255000000000}"#) == nil)
        // A key of another type's line is passed over as before (a trade's side on a mark line).
        #expect(field(#"{"type":"mark","symbol":"BTCUSDT","price":"60000","side":["x"],"time":1723161255000000000}"#) == nil)
    }

    @Test("a book's snapshot is true or false; left out or null it is a snapshot; anything else is malformed")
    func snapshotFlag() throws {
        for (given, snapshot) in [("true", true), ("false", false), (#""true""#, true), (#""false""#, false), ("null", true)] {
            #expect(try LiqwatchEventDecoder.isSnapshot(decodeJSON("{\"s\":\(given)}")["s"]) == snapshot, "\(given)")
        }
        #expect(try LiqwatchEventDecoder.isSnapshot(nil))
        for given in ["0", "1", #""no""#, "[false]", "{}"] {
            let line = #"{"type":"book","symbol":"BTCUSDT","bids":[["59980","3"]],"asks":[["60030","1"]],"snapshot":"# + given + #","time":1723161255000000000}"#
            #expect(field(line) == "snapshot: expected true or false", "\(given)")
        }
    }

    @Test("a book update whose snapshot flag is refused gaps its market's book, as an unread update does")
    func refusedFlagGaps() throws {
        var decoder = LiqwatchEventDecoder()
        var messages: [FeedMessage] = []
        func decode(_ line: String) {
            var bytes = Array(line.utf8)
            _ = bytes.withUnsafeMutableBufferPointer { decoder.decode($0.baseAddress!, count: $0.count, into: &messages) }
        }
        decode(#"{"type":"book","symbol":"BTCUSDT","bids":[["60000","1"]],"asks":[["60010","1"]],"time":1723161255000000000}"#)
        messages.removeAll()
        decode(#"{"type":"book","symbol":"BTCUSDT","bids":[["59980","3"]],"snapshot":0,"time":1723161255000000001}"#)
        #expect(messages.contains { if case .event(.bookGap) = $0 { return true } else { return false } }, "\(messages)")
    }
}

/// One JSON object parsed, for the flag's cases.
private func decodeJSON(_ text: String) throws -> JSONValue {
    try JSONValue.parse(text)
}
