import RiskEngine

extension ByteSpan {
    /// Whether the span starts with `literal`.
    func hasPrefix(_ literal: StaticString) -> Bool {
        let length = literal.utf8CodeUnitCount
        guard length <= count else { return false }
        return bytesCompare(start, literal.utf8Start, length) == 0
    }

    /// A symbol as a venue sends it: letters, digits, `- _ . / @`, at most 64 bytes (the rule of
    /// `MarketResolver`): a control character or a quote in a feed makes the frame malformed.
    var isSymbol: Bool {
        guard count > 0 && count <= 64 else { return false }
        for offset in 0..<count {
            let byte = start[offset]
            let ok = (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x2D || byte == 0x5F || byte == 0x2E || byte == 0x2F || byte == 0x40
            if !ok { return false }
        }
        return true
    }
}

extension ByteCursor {
    /// Walks an array's elements: `body` reads one element and returns false to stop (malformed).
    /// Returns false if the array is malformed or `body` stopped.
    mutating func array(_ body: (inout ByteCursor) -> Bool) -> Bool {
        guard consume(UInt8(ascii: "[")) else { return false }
        if consume(UInt8(ascii: "]")) { return true }
        while true {
            skipSpace()
            guard body(&self) else { return false }
            if consume(UInt8(ascii: ",")) { continue }
            return consume(UInt8(ascii: "]"))
        }
    }

    /// `[["px","sz",...], ...]`: the price and size text of each row (what follows them in a row is
    /// skipped); false when malformed or `body` refuses a row.
    mutating func textLevels(_ body: (_ price: ByteSpan, _ size: ByteSpan) -> Bool) -> Bool {
        array { cursor in
            guard cursor.consume(UInt8(ascii: "[")), let price = cursor.stringOrScalar(), cursor.consume(UInt8(ascii: ",")),
                let size = cursor.stringOrScalar()
            else { return false }
            while cursor.consume(UInt8(ascii: ",")) { guard cursor.skipValue() else { return false } }
            guard cursor.consume(UInt8(ascii: "]")) else { return false }
            return body(price, size)
        }
    }

    /// The span of the next value, skipped (read later, once the frame's other keys are known).
    mutating func valueSpan() -> ByteSpan? {
        skipSpace()
        let start = index
        guard skipValue() else { return nil }
        return ByteSpan(start: base + start, count: index - start)
    }
}

/// The venue a frame is from, told by its first key: Bybit v5 frames start with `topic` (or, for
/// answers to requests, `success`, `op`, `retCode`), OKX v5 frames with `arg` or `event`,
/// Hyperliquid's with `channel`; anything else is read as a Binance frame.
enum FrameShape {
    case binance, bybit, okx, hyperliquid

    static func of(_ base: UnsafePointer<UInt8>, count: Int) -> FrameShape {
        var cursor = ByteCursor(base, count: count)
        guard cursor.consume(UInt8(ascii: "{")), let key = cursor.string() else { return .binance }
        switch key.count {
        case 3: return key.equals("arg") ? .okx : .binance
        case 5: return key.equals("topic") ? .bybit : (key.equals("event") ? .okx : .binance)
        case 7: return key.equals("channel") ? .hyperliquid : (key.equals("success") || key.equals("retCode") ? .bybit : .binance)
        case 2: return key.equals("op") ? .bybit : .binance
        default: return .binance
        }
    }

    var venue: Venue? {
        switch self {
        case .binance: return nil
        case .bybit: return .bybit
        case .okx: return .okx
        case .hyperliquid: return .hyperliquid
        }
    }
}

/// One frame of any venue liqwatch decodes, handed to its venue's decoder by its shape
/// (`FrameShape`). Each venue's decoder keeps what it must between frames (OKX's copy of each book
/// for its checksum, Bybit's last tickers), so one `VenueFrames` serves one input.
public struct VenueFrames {
    var binanceSymbols = SymbolNames()
    var bybit = BybitFrameDecoder()
    public internal(set) var okx = OKXFrameDecoder()
    var hyperliquid = HyperliquidFrameDecoder()

    public init() {}

    public mutating func decode(_ base: UnsafePointer<UInt8>, count: Int, receiveTime: Int64?, into messages: inout [FeedMessage]) -> DecodeOutcome {
        switch FrameShape.of(base, count: count) {
        case .binance:
            return BinanceFrameDecoder.decode(base, count: count, receiveTime: receiveTime, into: &messages, symbols: &binanceSymbols)
        case .bybit: return bybit.decode(base, count: count, receiveTime: receiveTime, into: &messages)
        case .okx: return okx.decode(base, count: count, receiveTime: receiveTime, into: &messages)
        case .hyperliquid: return hyperliquid.decode(base, count: count, receiveTime: receiveTime, into: &messages)
        }
    }
}

/// `<receive time ns> <frame>` lines (liqwatch's own recordings of any venue, the hftbacktest
/// collector's Hyperliquid files) or bare frames (Bybit's order-book history files): each frame goes
/// to its venue's decoder.
public struct VenueLineDecoder: LineDecoder {
    let timestamped: Bool
    public internal(set) var frames = VenueFrames()

    public init(timestamped: Bool) { self.timestamped = timestamped }

    public mutating func decode(_ line: UnsafePointer<UInt8>, count: Int, into messages: inout [FeedMessage]) -> DecodeOutcome {
        var offset = 0
        var time: Int64? = nil
        if timestamped {
            guard let prefix = receiveTimePrefix(line, count: count) else { return .malformed(field: "receive time") }
            time = prefix.time
            offset = prefix.offset
        }
        return frames.decode(line + offset, count: count - offset, receiveTime: time, into: &messages)
    }
}
