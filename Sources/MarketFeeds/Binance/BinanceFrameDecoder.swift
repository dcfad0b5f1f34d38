import RiskEngine

/// A depth event with the update ids Binance's sync rules need.
///
/// Its levels are held as the engine's level changes, the bids first, in the frame's order: the
/// decoder writes them that way, so once the event is in sequence it becomes a book update without
/// another array being built on the engine's thread.
public struct DepthEvent: Sendable {
    public var symbol: String
    public var firstUpdateId: Int64
    public var finalUpdateId: Int64
    /// USDⓈ-M and COIN-M give the previous event's final id; spot does not.
    public var previousFinalUpdateId: Int64?
    /// The bid changes, then the ask changes.
    public var changes: [LevelChange]
    public var time: Int64

    public init(symbol: String, firstUpdateId: Int64, finalUpdateId: Int64, previousFinalUpdateId: Int64?,
        changes: [LevelChange], time: Int64)
    {
        self.symbol = symbol
        self.firstUpdateId = firstUpdateId
        self.finalUpdateId = finalUpdateId
        self.previousFinalUpdateId = previousFinalUpdateId
        self.changes = changes
        self.time = time
    }

    public init(symbol: String, firstUpdateId: Int64, finalUpdateId: Int64, previousFinalUpdateId: Int64?,
        bids: [(price: Int64, size: Int64)], asks: [(price: Int64, size: Int64)], time: Int64)
    {
        var changes: [LevelChange] = []
        changes.reserveCapacity(bids.count + asks.count)
        for level in bids { changes.append(LevelChange(side: .bid, price: level.price, size: level.size)) }
        for level in asks { changes.append(LevelChange(side: .ask, price: level.price, size: level.size)) }
        self.init(symbol: symbol, firstUpdateId: firstUpdateId, finalUpdateId: finalUpdateId,
            previousFinalUpdateId: previousFinalUpdateId, changes: changes, time: time)
    }

    public var bids: [(price: Int64, size: Int64)] { levels(.bid) }
    public var asks: [(price: Int64, size: Int64)] { levels(.ask) }

    func levels(_ side: BookSide) -> [(price: Int64, size: Int64)] {
        changes.filter { $0.side == side }.map { ($0.price, $0.size) }
    }
}

/// A REST depth snapshot. Binance's body does not name the symbol; the URL or the stream does.
public struct DepthSnapshot: Sendable {
    public var symbol: String?
    public var lastUpdateId: Int64
    public var bids: [(price: Int64, size: Int64)]
    public var asks: [(price: Int64, size: Int64)]
    public var time: Int64
}

/// What one feed frame says, before sequencing.
public enum FeedMessage: Sendable {
    case depth(DepthEvent)
    case snapshot(DepthSnapshot)
    case event(MarketEvent)
    /// A book message of a venue that sends its own snapshots (Bybit, OKX, Hyperliquid), with what
    /// the venue's integrity rule needs (`StreamBookUpdate`).
    case book(StreamBookUpdate)
    /// A well-formed frame the engine has no use for (book ticker, klines, ...): read and skipped.
    case skipped(kind: String)
    /// An event from a stream of the whole venue (Binance `!markPrice@arr@1s`, `!forceOrder@arr`,
    /// COIN-M `<pair>@markPrice@1s`): it names markets the session may not watch, so it is applied
    /// only to markets the session knows (`FeedApplier`), and never makes one.
    case venueWide(MarketEvent)

    /// The market the message is about, when it names one.
    public var symbol: String? {
        switch self {
        case .depth(let event): return event.symbol
        case .snapshot(let snapshot): return snapshot.symbol
        case .event(let event): return event.symbol
        case .book(let update): return update.symbol
        case .venueWide(let event): return event.symbol
        case .skipped: return nil
        }
    }

    /// The time the message carries, for merging inputs (`.min` for a skipped line). Read in
    /// place (`messages[i].time`): passing a message of an array to a function copied it, its
    /// arrays and strings retained and released, for every message merged and checked.
    public var time: Int64 {
        switch self {
        case .depth(let event): return event.time
        case .snapshot(let snapshot): return snapshot.time
        case .event(let event): return event.time
        case .book(let update): return update.time
        case .venueWide(let event): return event.time
        case .skipped: return .min
        }
    }

    /// The message as a stream of the whole venue hands it on: an event becomes `venueWide`.
    var handedOnVenueWide: FeedMessage {
        if case .event(let event) = self { return .venueWide(event) }
        return self
    }
}

/// Decodes Binance USDⓈ-M / COIN-M frames byte by byte: combined-stream wrappers
/// (`{"stream":...,"data":{...}}`), raw stream payloads, and REST depth snapshots. Handles
/// `depthUpdate` (any speed), `bookTicker`, `trade`, `aggTrade`, `markPriceUpdate` and `forceOrder`.
public enum BinanceFrameDecoder {
    /// Fields of a payload as spans into the line.
    struct Payload {
        var eventType: ByteSpan?
        var symbol: ByteSpan?
        var eventTime: Int64?
        var firstUpdateId: Int64?
        var finalUpdateId: Int64?
        var previousFinalUpdateId: Int64?
        var lastUpdateId: Int64?
        /// A snapshot's levels (`bids`, `asks`).
        var bids: [(price: Int64, size: Int64)] = []
        var asks: [(price: Int64, size: Int64)] = []
        /// A diff event's levels (`b`, `a`) as the engine's changes, bids first (see `DepthEvent`).
        var changes: [LevelChange] = []
        var bidChanges = 0
        var hasLevels = false
        var price: ByteSpan?
        var quantity: ByteSpan?
        var averagePrice: ByteSpan?
        /// markPriceUpdate: the index price, the funding rate and the next funding time (ms).
        var indexPrice: ByteSpan?
        var fundingRate: ByteSpan?
        var nextFundingTime: Int64?
        var side: ByteSpan?
        var order: Bool = false
        /// A payload of a kind the engine has no use for (`bookTicker`): its other members are
        /// skipped, not read.
        var skipRest = false
        /// The member whose value could not be read, to name it in the malformed count.
        var badField: String?
        /// The members read so far, a bit each (`Member`): a second one makes the frame malformed
        /// (`"s":"BTCUSDT","s":"ETHUSDT"` went to ETHUSDT's market, and a second mark price won,
        /// silently: attacker trial). A forceOrder's order object shares the bits: its `s`, `q`,
        /// `p` are the payload's, and a frame giving `s` beside the order's gives it twice.
        var seen: UInt32 = 0
        /// The member given twice, to name it.
        var duplicate: String?
        /// Reading a forceOrder's order object (a duplicate there is named `o.` and its key).
        var readingOrder = false

        /// The member given twice, as the malformed count names it.
        var twice: String? { duplicate.map { $0 + " (the key is given twice)" } }

        /// Whether `member` is read for the first time; else notes it as given twice.
        mutating func first(_ member: Member, _ key: ByteSpan) -> Bool {
            let bit = UInt32(1) << member.rawValue
            if seen & bit != 0 {
                if duplicate == nil { duplicate = (readingOrder ? "o." : "") + key.string }
                return false
            }
            seen |= bit
            return true
        }
    }

    /// The members the decoder reads, a bit each in `Payload.seen`.
    enum Member: UInt32 {
        case eventType, symbol, eventTime, firstUpdateId, finalUpdateId, price, quantity, side, indexPrice, fundingRate
        case time, bids, asks, order, previousFinalUpdateId, averagePrice, snapshotBids, snapshotAsks, lastUpdateId
    }

    /// Decodes one frame. `receiveTime` (ns) is used when the frame carries no event time.
    /// Returns nil for a malformed frame.
    public static func decode(_ base: UnsafePointer<UInt8>, count: Int, receiveTime: Int64?) -> FeedMessage? {
        var messages: [FeedMessage] = []
        var symbols = SymbolNames()
        switch decodeFrame(base, count: count, receiveTime: receiveTime, into: &messages, symbols: &symbols) {
        case .appended: return messages.first
        case .skipped(let kind): return .skipped(kind: kind)
        case .malformed: return nil
        }
    }

    /// Decodes one frame, appending what it says to `messages`: the replay's and the live feed's
    /// path, which builds no message for a skipped frame and reuses symbol names.
    public static func decode(_ base: UnsafePointer<UInt8>, count: Int, receiveTime: Int64?,
        into messages: inout [FeedMessage], symbols: inout SymbolNames) -> DecodeOutcome
    {
        switch decodeFrame(base, count: count, receiveTime: receiveTime, into: &messages, symbols: &symbols) {
        case .appended: return .decoded
        case .skipped: return .skipped
        case .malformed(let field): return .malformed(field: field)
        }
    }

    /// What one frame gave: a message appended, a well-formed frame of a kind the engine does not
    /// use, or a malformed frame.
    enum FrameOutcome {
        case appended
        case skipped(kind: String)
        /// `field` names what was wrong ("frame" when the JSON itself is not a frame).
        case malformed(field: String)
    }

    /// The one decoding path behind both `decode` functions.
    static func decodeFrame(_ base: UnsafePointer<UInt8>, count: Int, receiveTime: Int64?,
        into messages: inout [FeedMessage], symbols: inout SymbolNames) -> FrameOutcome
    {
        var cursor = ByteCursor(base, count: count)
        var payload = Payload()
        var elements: [Payload]? = nil
        var listProblem: String? = nil
        var streamName: ByteSpan? = nil
        var skippedBookTicker = false
        var sawData = false
        // A member of the frame itself (a REST snapshot's, an unwrapped event's) that could not be
        // read: named as it is (a `lastUpdateId` past 64 bits was counted as a bad "frame").
        var badMember: String? = nil
        let ok = cursor.object { key, cursor in
            if key.equals("data") {
                // A second payload would be read over the first.
                if sawData { payload.duplicate = payload.duplicate ?? "data"; badMember = payload.twice; return nil }
                sawData = true
                // Seven frames in ten of a full recording are book tickers, which the engine does
                // not use (the depth stream is the book): their payload is only checked to be
                // well-formed JSON, by skipping it, not decoded.
                if let stream = streamName, stream.hasSuffix("@bookTicker") {
                    skippedBookTicker = true
                    return false
                }
                cursor.skipSpace()
                // The all-market streams (`!markPrice@arr@1s`, COIN-M `<pair>@markPrice@1s`) send
                // a list of payloads.
                if cursor.peek == UInt8(ascii: "[") {
                    let read = readPayloads(&cursor, into: &elements, problem: &listProblem)
                    return read
                }
                return readPayload(&cursor, into: &payload)
            }
            let read: Bool?
            if key.equals("stream") {
                // A second stream name would change how the frame is read (venue-wide or not).
                if streamName != nil { payload.duplicate = payload.duplicate ?? "stream"; badMember = payload.twice; return nil }
                streamName = cursor.string(); read = streamName != nil
            } else {
                read = readField(key, &cursor, into: &payload)
            }
            if read == nil && badMember == nil { badMember = payload.twice ?? (key.count <= 32 && key.isSymbol ? key.string : "a member") }
            return read
        }
        guard ok else {
            if let listProblem { return .malformed(field: listProblem) }
            if let badField = payload.badField { return .malformed(field: "data." + badField) }
            return .malformed(field: badMember ?? "frame")
        }
        cursor.skipSpace()
        guard cursor.atEnd else { return .malformed(field: "frame") }
        if skippedBookTicker { return .skipped(kind: "bookTicker") }
        // A stream of the whole venue: a list (every symbol's mark) or a `!` stream (every
        // symbol's liquidations, one frame each).
        let venueWide = elements != nil || (streamName.map { $0.count > 0 && $0.start[0] == UInt8(ascii: "!") } ?? false)
        if let elements {
            // Every element is a payload of its own; one that is not usable makes the frame
            // malformed, named by its place and field, and nothing of it is applied.
            let before = messages.count
            var skippedKind: String? = nil
            for (position, element) in elements.enumerated() {
                switch append(element, stream: streamName, venueWide: true, receiveTime: receiveTime, into: &messages, symbols: &symbols) {
                case .appended: break
                case .skipped(let kind): skippedKind = kind
                case .malformed(let field):
                    messages.removeSubrange(before...)
                    return .malformed(field: "data[\(position)]: " + field)
                }
            }
            if messages.count > before { return .appended }
            return .skipped(kind: skippedKind ?? "empty list")
        }
        return append(payload, stream: streamName, venueWide: venueWide, receiveTime: receiveTime, into: &messages, symbols: &symbols)
    }

    /// At most this many payloads in one frame's list (Binance's all-market mark price stream
    /// carries one per listed symbol: a few hundred).
    static let maximumPayloads = 10_000

    /// Reads a list of payloads; on failure `problem` names the element and the member.
    static func readPayloads(_ cursor: inout ByteCursor, into elements: inout [Payload]?, problem: inout String?) -> Bool? {
        guard cursor.consume(UInt8(ascii: "[")) else { return nil }
        var list: [Payload] = []
        cursor.skipSpace()
        if cursor.consume(UInt8(ascii: "]")) { elements = list; return true }
        while true {
            cursor.skipSpace()
            guard list.count < maximumPayloads else {
                problem = "data: more than \(maximumPayloads) entries"
                return nil
            }
            var element = Payload()
            guard cursor.peek == UInt8(ascii: "{") else {
                problem = "data[\(list.count)]: not an object"
                return nil
            }
            guard readPayload(&cursor, into: &element) == true else {
                problem = "data[\(list.count)]" + (element.badField.map { ": " + $0 } ?? "")
                return nil
            }
            list.append(element)
            cursor.skipSpace()
            if cursor.consume(UInt8(ascii: ",")) { continue }
            guard cursor.consume(UInt8(ascii: "]")) else {
                problem = "data[\(list.count)]: no , or ] after it"
                return nil
            }
            elements = list
            return true
        }
    }

    /// The messages of one payload: its event, and for a mark price update its index and funding.
    /// Events of a venue-wide stream are handed on as such (`FeedMessage.venueWide`).
    static func append(_ payload: Payload, stream streamName: ByteSpan?, venueWide: Bool, receiveTime: Int64?,
        into messages: inout [FeedMessage], symbols: inout SymbolNames) -> FrameOutcome
    {
        var time: Int64 = 0
        // An event time no clock can give marks a damaged frame, even where the receive time is
        // the one used (a year-2264 `E` behind a receive-time prefix was applied).
        if let milliseconds = payload.eventTime {
            guard let checked = EventTime.fromMilliseconds(milliseconds) else { return .malformed(field: "E (event time)") }
            time = checked
        }
        if let receiveTime { time = receiveTime }
        // A payload of one symbol's stream names that symbol (a COIN-M pair's stream, `btcusd@…`,
        // its contracts `BTCUSD_PERP`, `BTCUSD_250328`): `"stream":"btcusdt@trade"` carrying
        // `"s":"ETHUSDT"` went to ETHUSDT's market (attacker trial).
        if let streamName, let symbol = payload.symbol, !streamMatches(streamName, symbol: symbol, pair: venueWide) {
            return .malformed(field: "s (symbol): not the stream's symbol")
        }
        guard let message = interpret(payload, stream: streamName, time: time, symbols: &symbols) else {
            return .malformed(field: problem(of: payload) ?? "frame")
        }
        if case .skipped(let kind) = message { return .skipped(kind: kind) }
        var index: FeedMessage? = nil
        // A mark price update also gives the index and the funding: the markets pane shows them.
        if case .event(.mark(let symbol, _, _)) = message, let indexPrice = payload.indexPrice {
            // An index that is not a decimal, or a funding rate that is not one (COIN-M delivery
            // contracts send "" for none) or is beyond ±100 %, is refused. An index of zero (a
            // contract being settled or delisted) gives no index update: in an all-market list,
            // refusing it would refuse every other market's mark of that second with it.
            guard let price = indexPrice.fixed, !price.isNegative else { return .malformed(field: "i (index price)") }
            var rate: Fixed? = nil
            if let text = payload.fundingRate, text.count > 0 {
                guard let parsed = text.fixed, IndexUpdate.isPlausible(fundingRate: parsed) else { return .malformed(field: "r (funding rate)") }
                rate = parsed
            }
            let next = payload.nextFundingTime.flatMap { $0 > 0 ? EventTime.fromMilliseconds($0) : nil }
            if price.isPositive {
                index = .event(.index(IndexUpdate(symbol: symbol, price: price, fundingRate: rate, nextFundingTime: next, time: time)))
            }
        }
        // Appended one by one, not through a list of the two: that list was an allocation and
        // two copies of every message decoded.
        messages.append(venueWide ? message.handedOnVenueWide : message)
        if let index { messages.append(venueWide ? index.handedOnVenueWide : index) }
        return .appended
    }

    /// Whether a payload's symbol belongs to the stream it came on: the stream's name up to its
    /// first `@`, any case, is the symbol, or, for an element of a pair's list (`pair`: COIN-M's
    /// `btcusd@markPrice@1s`), the symbol's pair before a `_` (a single payload of `btcusdt@trade`
    /// naming `BTCUSDT_250328` would feed the quarterly contract from the perpetual's stream:
    /// review). A stream of the whole venue (`!markPrice@arr@1s`) names none, and an empty name
    /// says nothing.
    static func streamMatches(_ stream: ByteSpan, symbol: ByteSpan, pair: Bool = false) -> Bool {
        guard stream.count > 0, stream.start[0] != UInt8(ascii: "!") else { return true }
        var length = 0
        while length < stream.count && stream.start[length] != UInt8(ascii: "@") { length += 1 }
        guard length <= symbol.count else { return false }
        for offset in 0..<length {
            var byte = symbol.start[offset]
            if byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") { byte |= 0x20 }
            var named = stream.start[offset]
            if named >= UInt8(ascii: "A") && named <= UInt8(ascii: "Z") { named |= 0x20 }
            if byte != named { return false }
        }
        return length == symbol.count || (pair && symbol.start[length] == UInt8(ascii: "_"))
    }

    /// Which field made a payload unusable (for the malformed count), by its event type's needs.
    static func problem(of payload: Payload) -> String? {
        func symbolProblem() -> String? {
            guard let symbol = payload.symbol else { return "s (symbol)" }
            return symbol.isSymbol ? nil : "s (symbol)"
        }
        guard let type = payload.eventType else {
            if payload.lastUpdateId == nil { return "e (event type)" }
            if payload.symbol != nil, let problem = symbolProblem() { return problem }
            return "bids/asks"
        }
        if type.equals("markPriceUpdate") {
            if let problem = symbolProblem() { return problem }
            return "p (mark price)"
        }
        if type.equals("forceOrder") {
            guard payload.order else { return "o (order)" }
            if let problem = symbolProblem() { return problem }
            guard let side = payload.side, side.equals("SELL") || side.equals("BUY") else { return "o.S (side)" }
            guard let quantity = payload.quantity?.fixed, quantity.isPositive else { return "o.q (quantity)" }
            return "o.ap/o.p (price)"
        }
        if type.equals("trade") || type.equals("aggTrade") {
            if let problem = symbolProblem() { return problem }
            return "p/q (price, quantity)"
        }
        if type.equals("depthUpdate") {
            if let problem = symbolProblem() { return problem }
            return "U/u/b/a (update ids, levels)"
        }
        return nil
    }

    static func readPayload(_ cursor: inout ByteCursor, into payload: inout Payload) -> Bool? {
        let ok = cursor.object { key, cursor in
            let read = readField(key, &cursor, into: &payload)
            // The first member that could not be read names the problem.
            if read == nil && payload.badField == nil { payload.badField = payload.twice ?? (key.count <= 32 && key.isSymbol ? key.string : "a member") }
            return read
        }
        return ok ? true : nil
    }

    /// Reads one member of a payload. Returns false to have the value skipped, nil if malformed
    /// (a member given twice among them: `Payload.duplicate` names it).
    static func readField(_ key: ByteSpan, _ cursor: inout ByteCursor, into payload: inout Payload) -> Bool? {
        guard key.count > 0, !payload.skipRest else { return false }
        switch key.count {
        case 1:
            switch key.start[0] {
            case UInt8(ascii: "e"):
                guard payload.first(.eventType, key) else { return nil }
                payload.eventType = cursor.string()
                guard let type = payload.eventType else { return nil }
                if type.equals("bookTicker") && !payload.order { payload.skipRest = true }
                return true
            case UInt8(ascii: "s"):
                guard payload.first(.symbol, key) else { return nil }
                payload.symbol = cursor.string(); return payload.symbol == nil ? nil : true
            case UInt8(ascii: "E"):
                guard payload.first(.eventTime, key) else { return nil }
                payload.eventTime = cursor.scalar()?.integer; return payload.eventTime == nil ? nil : true
            case UInt8(ascii: "U"):
                guard payload.first(.firstUpdateId, key) else { return nil }
                payload.firstUpdateId = cursor.scalar()?.integer; return payload.firstUpdateId == nil ? nil : true
            case UInt8(ascii: "u"):
                guard payload.first(.finalUpdateId, key) else { return nil }
                payload.finalUpdateId = cursor.scalar()?.integer; return payload.finalUpdateId == nil ? nil : true
            case UInt8(ascii: "p"):
                guard payload.first(.price, key) else { return nil }
                payload.price = cursor.stringOrScalar(); return payload.price == nil ? nil : true
            case UInt8(ascii: "q"):
                guard payload.first(.quantity, key) else { return nil }
                payload.quantity = cursor.stringOrScalar(); return payload.quantity == nil ? nil : true
            case UInt8(ascii: "S"):
                guard payload.first(.side, key) else { return nil }
                payload.side = cursor.string(); return payload.side == nil ? nil : true
            case UInt8(ascii: "i"):
                guard payload.first(.indexPrice, key) else { return nil }
                payload.indexPrice = cursor.stringOrScalar(); return payload.indexPrice == nil ? nil : true
            case UInt8(ascii: "r"):
                guard payload.first(.fundingRate, key) else { return nil }
                payload.fundingRate = cursor.stringOrScalar(); return payload.fundingRate == nil ? nil : true
            case UInt8(ascii: "T"):
                // The next funding time in a markPriceUpdate (a trade time elsewhere, unused).
                guard payload.first(.time, key) else { return nil }
                guard let span = cursor.stringOrScalar() else { return nil }
                payload.nextFundingTime = span.integer
                return true
            case UInt8(ascii: "b"), UInt8(ascii: "a"):
                let isBid = key.start[0] == UInt8(ascii: "b")
                guard payload.first(isBid ? .bids : .asks, key) else { return nil }
                cursor.skipSpace()
                if cursor.peek == UInt8(ascii: "[") {
                    payload.hasLevels = true
                    return readChanges(isBid ? .bid : .ask, &cursor, into: &payload) ? true : nil
                }
                // A best bid / ask as a string (a book ticker whose "e" did not come first).
                guard let span = cursor.stringOrScalar(), span.bookUnits != nil else { return nil }
                return true
            case UInt8(ascii: "o"):
                // forceOrder: the order object holds the fields (inside it, "o" is the order type).
                cursor.skipSpace()
                guard cursor.peek == UInt8(ascii: "{") else { return false }
                guard payload.first(.order, key) else { return nil }
                payload.order = true
                payload.readingOrder = true
                let ok = cursor.object { key, cursor in readField(key, &cursor, into: &payload) }
                payload.readingOrder = false
                return ok ? true : nil
            default:
                return false
            }
        case 2:
            if key.equals("pu") {
                guard payload.first(.previousFinalUpdateId, key) else { return nil }
                payload.previousFinalUpdateId = cursor.scalar()?.integer; return payload.previousFinalUpdateId == nil ? nil : true
            }
            if key.equals("ap") {
                guard payload.first(.averagePrice, key) else { return nil }
                payload.averagePrice = cursor.stringOrScalar(); return payload.averagePrice == nil ? nil : true
            }
            return false
        case 4:
            if key.equals("bids") {
                guard payload.first(.snapshotBids, key) else { return nil }
                payload.hasLevels = true; return cursor.levels(into: &payload.bids) ? true : nil
            }
            if key.equals("asks") {
                guard payload.first(.snapshotAsks, key) else { return nil }
                payload.hasLevels = true; return cursor.levels(into: &payload.asks) ? true : nil
            }
            return false
        case 12:
            if key.equals("lastUpdateId") {
                guard payload.first(.lastUpdateId, key) else { return nil }
                payload.lastUpdateId = cursor.scalar()?.integer; return payload.lastUpdateId == nil ? nil : true
            }
            return false
        default:
            return false
        }
    }

    /// Reads a diff event's `b` or `a` into the payload's changes, keeping the bids in front.
    static func readChanges(_ side: BookSide, _ cursor: inout ByteCursor, into payload: inout Payload) -> Bool {
        if side == .ask || payload.bidChanges == payload.changes.count {
            let before = payload.changes.count
            guard cursor.levels(side: side, into: &payload.changes) else { return false }
            if side == .bid { payload.bidChanges += payload.changes.count - before }
            return true
        }
        // Bids after asks (no exchange writes them so, but JSON allows it).
        var bids: [LevelChange] = []
        guard cursor.levels(side: .bid, into: &bids) else { return false }
        payload.changes.insert(contentsOf: bids, at: payload.bidChanges)
        payload.bidChanges += bids.count
        return true
    }

    /// A snapshot's levels, wherever the frame put them (`bids`/`asks`, or `b`/`a`).
    static func snapshotLevels(_ payload: Payload) -> (bids: [(price: Int64, size: Int64)], asks: [(price: Int64, size: Int64)]) {
        guard !payload.changes.isEmpty else { return (payload.bids, payload.asks) }
        let changes = payload.changes
        return (payload.bids + changes[..<payload.bidChanges].map { ($0.price, $0.size) },
            payload.asks + changes[payload.bidChanges...].map { ($0.price, $0.size) })
    }

    /// A diff event's changes, wherever the frame put them (`b`/`a`, or `bids`/`asks`).
    static func eventChanges(_ payload: Payload) -> [LevelChange] {
        guard !payload.bids.isEmpty || !payload.asks.isEmpty else { return payload.changes }
        var changes = Array(payload.changes[..<payload.bidChanges])
        changes += payload.bids.map { LevelChange(side: .bid, price: $0.price, size: $0.size) }
        changes += payload.changes[payload.bidChanges...]
        changes += payload.asks.map { LevelChange(side: .ask, price: $0.price, size: $0.size) }
        return changes
    }

    static func interpret(_ payload: Payload, stream: ByteSpan?, time: Int64, symbols: inout SymbolNames) -> FeedMessage? {
        if let lastUpdateId = payload.lastUpdateId, payload.hasLevels, payload.eventType == nil {
            // A symbol becomes a market, shown and reported: only a symbol's characters are taken.
            if let symbol = payload.symbol, !symbol.isSymbol { return nil }
            let levels = snapshotLevels(payload)
            return .snapshot(DepthSnapshot(symbol: payload.symbol.map { symbols.name($0) }, lastUpdateId: lastUpdateId,
                bids: levels.bids, asks: levels.asks, time: time))
        }
        guard let type = payload.eventType else { return nil }
        if type.equals("depthUpdate") {
            guard let symbol = payload.symbol, symbol.isSymbol, let first = payload.firstUpdateId, let final = payload.finalUpdateId,
                first <= final, payload.hasLevels
            else { return nil }
            return .depth(DepthEvent(symbol: symbols.name(symbol), firstUpdateId: first, finalUpdateId: final,
                previousFinalUpdateId: payload.previousFinalUpdateId, changes: eventChanges(payload), time: time))
        }
        if type.equals("trade") || type.equals("aggTrade") {
            guard let symbol = payload.symbol, symbol.isSymbol, let price = payload.price?.bookUnits, let size = payload.quantity?.bookUnits,
                price > 0, size >= 0
            else { return nil }
            return .event(.trade(symbol: symbols.name(symbol), price: price, size: size, time: time))
        }
        if type.equals("markPriceUpdate") {
            guard let symbol = payload.symbol, symbol.isSymbol, let price = payload.price?.fixed, price.isPositive else { return nil }
            return .event(.mark(symbol: symbols.name(symbol), price: price, time: time))
        }
        if type.equals("forceOrder") {
            // The symbol reaches the tape and the report: only a symbol's characters are taken.
            guard payload.order, let symbol = payload.symbol, symbol.isSymbol, let side = payload.side,
                side.equals("SELL") || side.equals("BUY"),
                let quantity = payload.quantity?.fixed, quantity.isPositive
            else { return nil }
            // The average fill, or the order's price when nothing filled yet ("ap":"0"); the
            // notional divides by it for an inverse contract, so it must be positive.
            let average = payload.averagePrice?.fixed
            guard let price = (average?.isPositive ?? false) ? average : payload.price?.fixed, price.isPositive else { return nil }
            // A SELL liquidation order closes a long; a BUY closes a short.
            let liquidated: Side = side.equals("SELL") ? .long : .short
            return .event(.exchangeLiquidation(ExchangeLiquidation(
                symbol: symbols.name(symbol), side: liquidated, price: price, quantity: quantity, time: time)))
        }
        if type.equals("bookTicker") { return .skipped(kind: "bookTicker") }
        return .skipped(kind: type.string)
    }
}
