import Foundation
import MarketFeeds

/// Bybit v5 public streams (https://bybit-exchange.github.io/docs/v5/ws/connect) over a recording
/// of them (Bybit's order-book history files, or liqwatch's recordings):
/// - `{"op":"subscribe","args":["orderbook.200.XRPUSDT",...]}` is acknowledged
///   `{"success":true,"ret_msg":"","conn_id":...,"req_id":"","op":"subscribe"}`; a topic the exchange
///   does not have (an unknown symbol or kind) is refused `{"success":false,"ret_msg":"error:handler
///   not found,topic:...",...}` while the others of the request are subscribed.
/// - `{"op":"ping"}` is answered `{"success":true,"ret_msg":"pong",...,"op":"ping"}`.
/// - An `orderbook.N.SYMBOL` subscription starts with a `snapshot` of the exchange's book and its
///   current `u`; the recording's deltas (`u` + 1 each) follow. The recording's book of one depth is
///   served under whichever depth (1, 50, 200, 500, 1000) the client asks for, whole: trimming it
///   would make the client's book differ from the recording's where a delta reaches deeper.
///
/// The exchange's books are kept by liqwatch's own `BybitFrameDecoder`.
final class BybitLoopback: SubscriptionProtocol {
    let path: String
    private(set) var timeline: [TimelineFrame] = []
    private var texts: [String] = []
    /// The topic each frame carries as recorded (`orderbook.500.XRPUSDT`).
    private var recordedTopics: [String] = []
    /// The book message of each frame that is one, with its symbol.
    private var bookUpdates: [Int: (symbol: String, update: StreamBookUpdate)] = [:]
    private var books: [String: Book] = [:]
    /// The books the recording starts with (served again when it repeats).
    private var startingBooks: [String: Book] = [:]
    private let symbols: Set<String>
    private let connectionId = "2f8c4d1e-loopback-bybit"

    struct Book {
        var bids: [Int64: Int64] = [:]
        var asks: [Int64: Int64] = [:]
        var updateId: Int64 = 0

        mutating func apply(_ update: StreamBookUpdate) {
            switch update.levels {
            case .snapshot(let newBids, let newAsks):
                bids = Dictionary(newBids.map { ($0.price, $0.size) }, uniquingKeysWith: { $1 })
                asks = Dictionary(newAsks.map { ($0.price, $0.size) }, uniquingKeysWith: { $1 })
            case .delta(let changes):
                for change in changes {
                    let size = change.size == 0 ? nil : change.size
                    if change.side == .bid { bids[change.price] = size } else { asks[change.price] = size }
                }
            }
            if let sequence = update.sequence { updateId = sequence }
        }
    }

    static let bookDepths: Set<String> = ["1", "50", "200", "500", "1000"]
    /// The per-symbol topics liqwatch's wire subscribes besides the book (they carry no data here
    /// unless the recording has them).
    static let otherKinds: Set<String> = ["publicTrade", "tickers", "allLiquidation"]

    init(frames: [String], path recordingPath: String) throws {
        var decoder = BybitFrameDecoder()
        var messages: [FeedMessage] = []
        var symbols: Set<String> = []
        for frame in frames {
            guard let object = LoopbackText.object(frame), let topic = object["topic"] as? String else { continue }
            let parts = topic.split(separator: ".").map(String.init)
            guard parts.count >= 2, let symbol = parts.last else { continue }
            symbols.insert(symbol)
            messages.removeAll()
            let bytes = Array(frame.utf8)
            let outcome = bytes.withUnsafeBufferPointer { decoder.decode($0.baseAddress!, count: $0.count, receiveTime: 0, into: &messages) }
            if case .malformed(let field) = outcome { throw LoopbackError("\(recordingPath): a Bybit frame is malformed at \(field)") }
            var update: StreamBookUpdate? = nil
            for case .book(let book) in messages { update = book }
            if let update, books[symbol] == nil {
                // The first book of a symbol is the exchange's book before the timeline starts.
                guard update.isSnapshot else { continue }
                var book = Book()
                book.apply(update)
                books[symbol] = book
                continue
            }
            let index = texts.count
            if let update { bookUpdates[index] = (symbol, update) }
            texts.append(frame)
            recordedTopics.append(topic)
            timeline.append(TimelineFrame(stream: Self.stream(kind: parts[0], symbol: symbol), isBookDelta: update.map { !$0.isSnapshot } ?? false))
        }
        guard !symbols.isEmpty else { throw LoopbackError("\(recordingPath): no Bybit v5 frames") }
        self.symbols = symbols
        startingBooks = books
        let categories = Set(symbols.map(Self.category(of:)))
        guard categories.count == 1, let category = categories.first else {
            throw LoopbackError("\(recordingPath): linear and inverse symbols are on two Bybit endpoints; one recording serves one")
        }
        path = "/v5/public/" + category
    }

    /// Bybit's inverse contracts are quoted in USD (`BTCUSD`, quarterlies `BTCUSDH25`); the rest are
    /// linear. Each category has its own endpoint.
    static func category(of symbol: String) -> String {
        let characters = Array(symbol.uppercased())
        if symbol.uppercased().hasSuffix("USD") { return "inverse" }
        if characters.count > 6, String(characters[(characters.count - 6)..<(characters.count - 3)]) == "USD",
            "FGHJKMNQUVXZ".contains(characters[characters.count - 3]), characters.suffix(2).allSatisfy(\.isNumber)
        {
            return "inverse"
        }
        return "linear"
    }

    /// Subscriptions are keyed by stream: every depth of one symbol's book is the same stream.
    static func stream(kind: String, symbol: String) -> String { kind + "." + symbol }

    /// The stream a topic names, or nil when the exchange has no such topic.
    func stream(ofTopic topic: String) -> String? {
        let parts = topic.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        if parts.count == 3, parts[0] == "orderbook", Self.bookDepths.contains(parts[1]), symbols.contains(parts[2]) {
            return Self.stream(kind: "orderbook", symbol: parts[2])
        }
        if parts.count == 2, Self.otherKinds.contains(parts[0]), symbols.contains(parts[1]) { return topic }
        return nil
    }

    func rewind() { books = startingBooks }

    var bookStreams: [String] { startingBooks.keys.sorted().map { Self.stream(kind: "orderbook", symbol: $0) } }

    func advance(past index: Int) {
        guard let entry = bookUpdates[index] else { return }
        books[entry.symbol, default: Book()].apply(entry.update)
    }

    func text(of index: Int, subscribedAs name: String) -> String {
        let recorded = recordedTopics[index]
        guard name != recorded else { return texts[index] }
        let prefix = "{\"topic\":\"\(recorded)\""
        guard texts[index].hasPrefix(prefix) else { return texts[index] }
        return "{\"topic\":\"\(name)\"" + texts[index].dropFirst(prefix.count)
    }

    func answer(_ request: String, counters: inout SubscriptionLoopback.Counters) -> [LoopbackAnswer] {
        guard let object = LoopbackText.object(request), let operation = object["op"] as? String else {
            counters.refusals += 1
            return [.reply(reply(success: false, message: "error:request not valid json", operation: "", requestId: ""))]
        }
        let requestId = (object["req_id"] as? String).map { String($0.prefix(64)) } ?? ""
        switch operation {
        case "ping":
            counters.pingsReceived += 1
            return [.pong(reply(success: true, message: "pong", operation: "ping", requestId: requestId))]
        case "subscribe", "unsubscribe":
            guard let topics = object["args"] as? [String], !topics.isEmpty else {
                counters.refusals += 1
                return [.reply(reply(success: false, message: "error:args not valid", operation: operation, requestId: requestId))]
            }
            var changes: [LoopbackAnswer] = []
            var refused: [String] = []
            for topic in topics.prefix(100) {
                if operation == "subscribe" { counters.subscribesReceived[topic, default: 0] += 1 }
                else { counters.unsubscribesReceived[topic, default: 0] += 1 }
                guard let stream = stream(ofTopic: topic) else {
                    refused.append(topic)
                    continue
                }
                changes.append(operation == "subscribe" ? .subscribe(stream: stream, name: topic, reply: nil) : .unsubscribe(stream: stream, reply: nil))
            }
            let answer: String
            if refused.isEmpty {
                answer = reply(success: true, message: "", operation: operation, requestId: requestId)
            } else {
                counters.refusals += 1
                answer = reply(success: false, message: "error:handler not found,topic:" + refused.joined(separator: ","), operation: operation, requestId: requestId)
            }
            // The answer first, then the snapshots of the books subscribed, as Bybit sends them.
            return [.reply(answer)] + changes
        default:
            counters.refusals += 1
            return [.reply(reply(success: false, message: "error:unknown op " + operation, operation: operation, requestId: requestId))]
        }
    }

    func reply(success: Bool, message: String, operation: String, requestId: String) -> String {
        "{\"success\":\(success),\"ret_msg\":\(LoopbackText.quoted(message)),\"conn_id\":\"\(connectionId)\",\"req_id\":\(LoopbackText.quoted(requestId)),\"op\":\(LoopbackText.quoted(operation))}"
    }

    func snapshot(stream: String, subscribedAs name: String) -> String? {
        guard stream.hasPrefix("orderbook."), let book = books[String(stream.dropFirst("orderbook.".count))] else { return nil }
        let symbol = String(stream.dropFirst("orderbook.".count))
        func side(_ levels: [Int64: Int64], descending: Bool) -> String {
            let sorted = levels.sorted { descending ? $0.key > $1.key : $0.key < $1.key }
            return "[" + sorted.map { "[\"\(ExchangeBook.decimal($0.key))\",\"\(ExchangeBook.decimal($0.value))\"]" }.joined(separator: ",") + "]"
        }
        let now = LoopbackText.milliseconds()
        return "{\"topic\":\"\(name)\",\"type\":\"snapshot\",\"ts\":\(now),\"data\":{\"s\":\"\(symbol)\",\"b\":\(side(book.bids, descending: true)),\"a\":\(side(book.asks, descending: false)),\"u\":\(book.updateId),\"seq\":\(book.updateId)},\"cts\":\(now)}"
    }

    func garbage(_ number: Int) -> String {
        number % 2 == 0 ? "{\"topic\":\"orderbook.200.\(symbols.sorted().first ?? "XRPUSDT")\",\"type\":\"delta\",\"data\":{\"s\":" : "not json at all \u{7f}"
    }
}
