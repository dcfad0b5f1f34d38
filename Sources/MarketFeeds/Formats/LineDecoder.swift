import RiskEngine

/// What decoding one line gave.
public enum DecodeOutcome: Sendable, Equatable {
    /// Messages were appended.
    case decoded
    /// A well-formed line with nothing for the engine (a book ticker, a subscription answer).
    case skipped
    /// A file's header line (Tardis CSV's column names): not a frame, so not counted as one (the
    /// report said `1 skipped: frames of streams liqwatch does not apply` of every Tardis file).
    case header
    /// Not what the format says; `field` names what was wrong.
    case malformed(field: String)

    /// A line longer than `LineReader.maximumLineLength`, never decoded.
    public static var overlongLine: DecodeOutcome { .malformed(field: "line (longer than \(LineReader.maximumLineLength >> 20) MiB)") }
}

/// Turns lines of one format into feed messages. Decoders that group rows (Tardis book rows of
/// one timestamp) hold them until the group ends or `finish` is called.
public protocol LineDecoder {
    mutating func decode(_ line: UnsafePointer<UInt8>, count: Int, into messages: inout [FeedMessage]) -> DecodeOutcome
    mutating func finish(into messages: inout [FeedMessage])
    /// Whether the line last decoded stated no time of its own and took the one before (liqwatch's
    /// event lines may): the time-spike guard judges a held line by the next line that states one.
    var lastLineTookEarlierTime: Bool { get }
}

extension LineDecoder {
    public mutating func finish(into messages: inout [FeedMessage]) {}
    public var lastLineTookEarlierTime: Bool { false }
}

/// Parses a non-negative decimal time (seconds with a fraction) into nanoseconds, exactly; nil for a
/// time liqwatch does not represent (see `EventTime.latest`).
func nanoseconds(fromSeconds span: ByteSpan) -> Int64? {
    guard let value = DecimalText.scaledInteger(from: span.start, count: span.count, places: 9, limit: Int128(EventTime.latest)),
        value >= 0 else { return nil }
    return EventTime.fromNanoseconds(Int64(value))
}

/// Finds `byte` in a line from `offset`; -1 if absent.
func find(_ byte: UInt8, in line: UnsafePointer<UInt8>, count: Int, from offset: Int = 0) -> Int {
    var index = offset
    while index < count {
        if line[index] == byte { return index }
        index += 1
    }
    return -1
}

/// `<receive time ns> <frame>` lines, or bare frames.
public struct BinanceLineDecoder: LineDecoder {
    let timestamped: Bool
    var symbols = SymbolNames()

    public init(timestamped: Bool) { self.timestamped = timestamped }

    public mutating func decode(_ line: UnsafePointer<UInt8>, count: Int, into messages: inout [FeedMessage]) -> DecodeOutcome {
        var offset = 0
        var time: Int64? = nil
        if timestamped {
            guard let prefix = receiveTimePrefix(line, count: count) else { return .malformed(field: "receive time") }
            time = prefix.time
            offset = prefix.offset
        }
        return BinanceFrameDecoder.decode(line + offset, count: count - offset, receiveTime: time, into: &messages, symbols: &symbols)
    }
}

/// cryptofeed's WebSocket capture: the first line is `<url> <-> <time>`, then `<time>: <frame>`
/// (received) and `<url> <- <time>: <frame>` (sent, skipped). Binance, Bybit, OKX and Hyperliquid
/// frames, each to its venue's decoder (`VenueFrames`).
public struct CryptofeedLineDecoder: LineDecoder {
    public internal(set) var frames = VenueFrames()

    public init() {}

    public mutating func decode(_ line: UnsafePointer<UInt8>, count: Int, into messages: inout [FeedMessage]) -> DecodeOutcome {
        if count > 3 && (line[0] == UInt8(ascii: "w") || line[0] == UInt8(ascii: "h")) { return .skipped }
        let colon = find(UInt8(ascii: ":"), in: line, count: count)
        guard colon > 0, let time = nanoseconds(fromSeconds: ByteSpan(start: line, count: colon)) else {
            return .malformed(field: "capture time")
        }
        return frames.decode(line + colon + 1, count: count - colon - 1, receiveTime: time, into: &messages)
    }
}

/// cryptofeed's REST capture: `<url> -> <time>: <body>`; the symbol comes from the URL's query.
public struct CryptofeedHTTPLineDecoder: LineDecoder {
    public init() {}

    public mutating func decode(_ line: UnsafePointer<UInt8>, count: Int, into messages: inout [FeedMessage]) -> DecodeOutcome {
        let text = ByteSpan(start: line, count: min(count, 2048)).string
        guard let arrow = text.range(of: " -> ") else { return .malformed(field: "url") }
        let url = text[..<arrow.lowerBound]
        guard let query = url.split(separator: "?").dropFirst().first,
            let symbol = query.split(separator: "&").first(where: { $0.hasPrefix("symbol=") })?.dropFirst(7)
        else { return .skipped }
        let afterArrow = text.utf8.distance(from: text.startIndex, to: arrow.upperBound)
        let colon = find(UInt8(ascii: ":"), in: line, count: count, from: afterArrow)
        guard colon > 0, let time = nanoseconds(fromSeconds: ByteSpan(start: line + afterArrow, count: colon - afterArrow)) else {
            return .malformed(field: "capture time")
        }
        guard case .snapshot(var snapshot)? = BinanceFrameDecoder.decode(line + colon + 1, count: count - colon - 1, receiveTime: time) else {
            return .malformed(field: "depth snapshot body")
        }
        let name = String(symbol).uppercased()
        snapshot.symbol = MarketID.make(venue: Venue.binance(forSymbol: name), symbol: name)
        messages.append(.snapshot(snapshot))
        return .decoded
    }
}

/// Splits liqwatch's `<receive time ns> <frame>` line: the time, and where the frame starts; nil
/// when the prefix is not a representable time. Shared by every venue's line decoder.
@inline(__always)
func receiveTimePrefix(_ line: UnsafePointer<UInt8>, count: Int) -> (time: Int64, offset: Int)? {
    let space = find(0x20, in: line, count: count)
    guard space > 0, let nanos = ByteSpan(start: line, count: space).integer.flatMap(EventTime.fromNanoseconds) else { return nil }
    return (nanos, space + 1)
}
