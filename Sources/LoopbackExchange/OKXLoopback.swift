import Foundation
import MarketFeeds

/// OKX v5 public streams (https://www.okx.com/docs-v5/en/#overview-websocket) over a recording of
/// them (cryptofeed's captures, or liqwatch's recordings), on `/ws/v5/public`:
/// - `{"op":"subscribe","args":[{"channel":"books","instId":"BTC-USD-220527"},...]}`: each argument
///   is acknowledged `{"event":"subscribe","arg":{...},"connId":...}`, or refused
///   `{"event":"error","code":"60018","msg":"Wrong URL or channel:books,instId:X doesn't exist",...}`
///   when the exchange has no such instrument or channel; a request that is not one is refused with
///   `60012` (invalid request).
/// - The text `ping` is answered `pong`.
/// - A `books` subscription starts with an `action:"snapshot"` of the exchange's book as it is then:
///   every level as the recording sent its text, the CRC32 `checksum` of the top 25 levels
///   (computed here, independently of liqwatch's decoder), `prevSeqId` -1 and `seqId` the book's last.
///   The recording's `update`s follow, each with `prevSeqId` the `seqId` before it. A capture from
///   before OKX sent `seqId` (2022) gets them numbered here, one a book message of an instrument, as
///   OKX numbers them; frames that have them keep their own.
final class OKXLoopback: SubscriptionProtocol {
    let path = "/ws/v5/public"
    private(set) var timeline: [TimelineFrame] = []
    private var texts: [String] = []
    private var bookChanges: [Int: BookChange] = [:]
    private var books: [String: Book] = [:]
    /// The books the recording starts with (served again when it repeats).
    private var startingBooks: [String: Book] = [:]
    /// The instruments of the recording, the indexes of their underlyings, and the channels served.
    private let instruments: Set<String>
    private let indexes: Set<String>
    static let instrumentChannels: Set<String> = ["books", "trades", "tickers", "mark-price", "funding-rate", "open-interest"]
    static let instrumentTypes: Set<String> = ["SPOT", "MARGIN", "SWAP", "FUTURES", "OPTION"]
    private let connectionId = "7c1e9a42"

    /// One book message: its levels as rows of text (`["30218.8","3","0","1"]`).
    struct BookChange {
        let instrument: String
        let isSnapshot: Bool
        let bids: [[String]]
        let asks: [[String]]
        let sequence: Int64
        let timestamp: String
    }

    /// A book as OKX keeps it for its checksum: each level's row as sent, by price.
    struct Book {
        var bids: [Int64: [String]] = [:]
        var asks: [Int64: [String]] = [:]
        var sequence: Int64 = 0
        var timestamp = "0"

        mutating func apply(_ change: BookChange) {
            if change.isSnapshot {
                bids.removeAll()
                asks.removeAll()
            }
            for row in change.bids { set(&bids, row) }
            for row in change.asks { set(&asks, row) }
            sequence = change.sequence
            timestamp = change.timestamp
        }

        private func set(_ side: inout [Int64: [String]], _ row: [String]) {
            guard row.count >= 2, let price = LoopbackText.units(row[0]), let size = LoopbackText.units(row[1]) else { return }
            side[price] = size == 0 ? nil : row
        }

        var sortedBids: [[String]] { bids.sorted { $0.key > $1.key }.map(\.value) }
        var sortedAsks: [[String]] { asks.sorted { $0.key < $1.key }.map(\.value) }

        /// OKX's checksum: the CRC32 of `bid1px:bid1sz:ask1px:ask1sz:...` over the top 25 levels of
        /// each side (a shorter side's levels simply run out), as a signed 32-bit integer.
        var checksum: Int32 {
            let topBids = sortedBids.prefix(25)
            let topAsks = sortedAsks.prefix(25)
            var parts: [String] = []
            for rank in 0..<max(topBids.count, topAsks.count) {
                if rank < topBids.count { parts.append(topBids[topBids.startIndex + rank][0] + ":" + topBids[topBids.startIndex + rank][1]) }
                if rank < topAsks.count { parts.append(topAsks[topAsks.startIndex + rank][0] + ":" + topAsks[topAsks.startIndex + rank][1]) }
            }
            return Int32(bitPattern: LoopbackCRC32.checksum(Array(parts.joined(separator: ":").utf8)))
        }
    }

    init(frames: [String], path recordingPath: String) throws {
        var instruments: Set<String> = []
        var indexes: Set<String> = []
        var lastSequence: [String: Int64] = [:]
        for frame in frames {
            // The recorder's own answers (`{"event":"subscribe",...}`) are not the market's frames.
            guard let object = LoopbackText.object(frame), object["event"] == nil, let argument = object["arg"] as? [String: Any],
                let channel = argument["channel"] as? String
            else { continue }
            let instrument = argument["instId"] as? String
            let stream: String
            if channel == "liquidation-orders" {
                stream = Self.stream(channel, argument["instType"] as? String ?? "")
            } else {
                guard let instrument else { continue }
                stream = Self.stream(channel, instrument)
                if channel == "index-tickers" { indexes.insert(instrument) } else {
                    instruments.insert(instrument)
                    indexes.insert(Self.index(of: instrument))
                }
            }
            var text = frame
            var change: BookChange? = nil
            if channel == "books", let instrument, let action = object["action"] as? String,
                let element = (object["data"] as? [[String: Any]])?.first
            {
                let isSnapshot = action == "snapshot"
                let sequence: Int64
                if let own = (element["seqId"] as? NSNumber)?.int64Value {
                    sequence = own
                } else {
                    // OKX numbers each book message of an instrument; this capture predates it.
                    sequence = (lastSequence[instrument] ?? 0) + 1
                    let previous = isSnapshot ? -1 : (lastSequence[instrument] ?? -1)
                    guard let data = text.range(of: "\"data\":[{") else { throw LoopbackError("\(recordingPath): an OKX books frame without data") }
                    text.insert(contentsOf: "\"prevSeqId\":\(previous),\"seqId\":\(sequence),", at: data.upperBound)
                }
                lastSequence[instrument] = sequence
                change = BookChange(instrument: instrument, isSnapshot: isSnapshot, bids: Self.rows(element["bids"]), asks: Self.rows(element["asks"]),
                    sequence: sequence, timestamp: element["ts"] as? String ?? "0")
            }
            if let change, books[change.instrument] == nil {
                // The first book of an instrument is the exchange's book before the timeline starts.
                guard change.isSnapshot else { continue }
                var book = Book()
                book.apply(change)
                books[change.instrument] = book
                continue
            }
            if let change { bookChanges[texts.count] = change }
            texts.append(text)
            timeline.append(TimelineFrame(stream: stream, isBookDelta: change.map { !$0.isSnapshot } ?? false))
        }
        guard !instruments.isEmpty else { throw LoopbackError("\(recordingPath): no OKX v5 frames") }
        self.instruments = instruments
        self.indexes = indexes
        startingBooks = books
    }

    static func rows(_ value: Any?) -> [[String]] {
        (value as? [[Any]] ?? []).map { row in row.map { "\($0)" } }
    }

    static func stream(_ channel: String, _ key: String) -> String { channel + ":" + key }

    /// `BTC-USD-220527` → `BTC-USD`, the index `index-tickers` names.
    static func index(of instrument: String) -> String {
        instrument.split(separator: "-").prefix(2).joined(separator: "-")
    }

    func rewind() { books = startingBooks }

    var bookStreams: [String] { startingBooks.keys.sorted().map { Self.stream("books", $0) } }

    func advance(past index: Int) {
        guard let change = bookChanges[index] else { return }
        books[change.instrument, default: Book()].apply(change)
    }

    func text(of index: Int, subscribedAs name: String) -> String { texts[index] }

    func answer(_ request: String, counters: inout SubscriptionLoopback.Counters) -> [LoopbackAnswer] {
        if request == "ping" {
            counters.pingsReceived += 1
            return [.pong("pong")]
        }
        guard let object = LoopbackText.object(request), let operation = object["op"] as? String,
            operation == "subscribe" || operation == "unsubscribe", let arguments = object["args"] as? [[String: Any]], !arguments.isEmpty
        else {
            counters.refusals += 1
            return [.reply(error("60012", "Invalid request: " + request))]
        }
        var answers: [LoopbackAnswer] = []
        for argument in arguments.prefix(100) {
            let channel = argument["channel"] as? String ?? ""
            let instrument = argument["instId"] as? String
            let instrumentType = argument["instType"] as? String
            let topic = Self.stream(channel, instrument ?? instrumentType ?? "")
            if operation == "subscribe" { counters.subscribesReceived[topic, default: 0] += 1 }
            else { counters.unsubscribesReceived[topic, default: 0] += 1 }
            let known: Bool
            switch channel {
            case "index-tickers": known = instrument.map(indexes.contains) ?? false
            case "liquidation-orders": known = instrumentType.map(Self.instrumentTypes.contains) ?? false
            // OKX publishes funding for perpetual swaps only.
            case "funding-rate": known = instrument.map { instruments.contains($0) && $0.hasSuffix("-SWAP") } ?? false
            default: known = Self.instrumentChannels.contains(channel) && (instrument.map(instruments.contains) ?? false)
            }
            guard known else {
                counters.refusals += 1
                let named = instrument.map { ",instId:\($0)" } ?? instrumentType.map { ",instType:\($0)" } ?? ""
                answers.append(.reply(error("60018", "Wrong URL or channel:\(channel)\(named) doesn't exist")))
                continue
            }
            let echo: String
            if channel == "liquidation-orders" {
                echo = "{\"channel\":\(LoopbackText.quoted(channel)),\"instType\":\(LoopbackText.quoted(instrumentType ?? ""))}"
            } else {
                echo = "{\"channel\":\(LoopbackText.quoted(channel)),\"instId\":\(LoopbackText.quoted(instrument ?? ""))}"
            }
            let acknowledgement = "{\"event\":\"\(operation)\",\"arg\":\(echo),\"connId\":\"\(connectionId)\"}"
            answers.append(operation == "subscribe" ? .subscribe(stream: topic, name: topic, reply: acknowledgement) : .unsubscribe(stream: topic, reply: acknowledgement))
        }
        return answers
    }

    func error(_ code: String, _ message: String) -> String {
        "{\"event\":\"error\",\"code\":\"\(code)\",\"msg\":\(LoopbackText.quoted(message)),\"connId\":\"\(connectionId)\"}"
    }

    func snapshot(stream: String, subscribedAs name: String) -> String? {
        guard stream.hasPrefix("books:") else { return nil }
        let instrument = String(stream.dropFirst("books:".count))
        guard let book = books[instrument] else { return nil }
        func side(_ rows: [[String]]) -> String {
            "[" + rows.map { "[" + $0.map { LoopbackText.quoted($0) }.joined(separator: ",") + "]" }.joined(separator: ",") + "]"
        }
        return "{\"arg\":{\"channel\":\"books\",\"instId\":\(LoopbackText.quoted(instrument))},\"action\":\"snapshot\",\"data\":[{\"asks\":\(side(book.sortedAsks)),\"bids\":\(side(book.sortedBids)),\"ts\":\(LoopbackText.quoted(book.timestamp)),\"checksum\":\(book.checksum),\"prevSeqId\":-1,\"seqId\":\(book.sequence)}]}"
    }

    func garbage(_ number: Int) -> String {
        number % 2 == 0 ? "{\"arg\":{\"channel\":\"books\",\"instId\":" : "not json at all \u{7f}"
    }
}

/// CRC-32 (IEEE 802.3, zlib's and OKX's), kept apart from liqwatch's so the loopback's checksums
/// check the decoder's rather than repeat it.
enum LoopbackCRC32 {
    static let table: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 { value = value & 1 != 0 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1 }
        return value
    }

    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }
}
