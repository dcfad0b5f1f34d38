import Foundation
import MarketFeeds

/// Hyperliquid's WebSocket (https://hyperliquid.gitbook.io/hyperliquid-docs/for-developers/api/websocket)
/// over a recording of it (the hftbacktest collector's files, or liqwatch's recordings), on `/ws`:
/// - `{"method":"subscribe","subscription":{"type":"l2Book","coin":"BTC"}}` is acknowledged
///   `{"channel":"subscriptionResponse","data":{"method":"subscribe","subscription":{...}}}`; a coin
///   or type the exchange does not have is refused `{"channel":"error","data":"Invalid subscription ..."}`,
///   and a request that is not JSON `{"channel":"error","data":"Error parsing JSON into valid websocket request: ..."}`.
/// - `{"method":"ping"}` is answered `{"channel":"pong"}`.
/// - Every `l2Book` message is the whole book, so the exchange's book is the last one it passed: an
///   `l2Book` subscription starts with it, as Hyperliquid sends the book at once on subscribe.
final class HyperliquidLoopback: SubscriptionProtocol {
    let path = "/ws"
    private(set) var timeline: [TimelineFrame] = []
    private var texts: [String] = []
    /// The coin of each `l2Book` frame.
    private var bookCoins: [Int: String] = [:]
    /// The current book of each coin: the text of its last `l2Book` message.
    private var books: [String: String] = [:]
    /// The books the recording starts with (served again when it repeats).
    private var startingBooks: [String: String] = [:]
    private let coins: Set<String>
    static let types: Set<String> = ["l2Book", "trades", "activeAssetCtx"]

    init(frames: [String], path recordingPath: String) throws {
        var coins: Set<String> = []
        for frame in frames {
            guard let object = LoopbackText.object(frame), let channel = object["channel"] as? String, Self.types.contains(channel) else { continue }
            let coin: String?
            if let data = object["data"] as? [String: Any] { coin = data["coin"] as? String }
            else { coin = ((object["data"] as? [[String: Any]])?.first?["coin"]) as? String }
            guard let coin else { continue }
            coins.insert(coin)
            if channel == "l2Book" {
                // The first book of a coin is the exchange's book before the timeline starts.
                if books[coin] == nil {
                    books[coin] = frame
                    continue
                }
                bookCoins[texts.count] = coin
            }
            texts.append(frame)
            timeline.append(TimelineFrame(stream: Self.stream(channel, coin), isBookDelta: false))
        }
        guard !coins.isEmpty else { throw LoopbackError("\(recordingPath): no Hyperliquid frames") }
        self.coins = coins
        startingBooks = books
    }

    static func stream(_ type: String, _ coin: String) -> String { type + ":" + coin }

    func rewind() { books = startingBooks }

    var bookStreams: [String] { startingBooks.keys.sorted().map { Self.stream("l2Book", $0) } }

    func advance(past index: Int) {
        if let coin = bookCoins[index] { books[coin] = texts[index] }
    }

    func text(of index: Int, subscribedAs name: String) -> String { texts[index] }

    func answer(_ request: String, counters: inout SubscriptionLoopback.Counters) -> [LoopbackAnswer] {
        guard let object = LoopbackText.object(request), let method = object["method"] as? String else {
            counters.refusals += 1
            return [.reply(error("Error parsing JSON into valid websocket request: " + request))]
        }
        if method == "ping" {
            counters.pingsReceived += 1
            return [.pong("{\"channel\":\"pong\"}")]
        }
        guard method == "subscribe" || method == "unsubscribe", let subscription = object["subscription"] as? [String: Any],
            let type = subscription["type"] as? String
        else {
            counters.refusals += 1
            return [.reply(error("Error parsing JSON into valid websocket request: " + request))]
        }
        let coin = subscription["coin"] as? String ?? ""
        let stream = Self.stream(type, coin)
        if method == "subscribe" { counters.subscribesReceived[stream, default: 0] += 1 }
        else { counters.unsubscribesReceived[stream, default: 0] += 1 }
        let echo = "{\"type\":\(LoopbackText.quoted(type)),\"coin\":\(LoopbackText.quoted(coin))}"
        guard Self.types.contains(type), coins.contains(coin) else {
            counters.refusals += 1
            return [.reply(error("Invalid subscription " + echo))]
        }
        let acknowledgement = "{\"channel\":\"subscriptionResponse\",\"data\":{\"method\":\"\(method)\",\"subscription\":\(echo)}}"
        return [method == "subscribe" ? .subscribe(stream: stream, name: stream, reply: acknowledgement) : .unsubscribe(stream: stream, reply: acknowledgement)]
    }

    func error(_ message: String) -> String {
        "{\"channel\":\"error\",\"data\":\(LoopbackText.quoted(message))}"
    }

    func snapshot(stream: String, subscribedAs name: String) -> String? {
        guard stream.hasPrefix("l2Book:") else { return nil }
        return books[String(stream.dropFirst("l2Book:".count))]
    }

    func garbage(_ number: Int) -> String {
        number % 2 == 0 ? "{\"channel\":\"l2Book\",\"data\":{\"coin\":" : "not json at all \u{7f}"
    }
}
