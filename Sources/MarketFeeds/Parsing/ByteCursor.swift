import RiskEngine

/// A span of bytes inside a line: valid only while the line's buffer is.
public struct ByteSpan {
    public var start: UnsafePointer<UInt8>
    public var count: Int

    @inlinable public init(start: UnsafePointer<UInt8>, count: Int) {
        self.start = start
        self.count = count
    }

    @inlinable public func equals(_ literal: StaticString) -> Bool {
        guard literal.utf8CodeUnitCount == count else { return false }
        return bytesCompare(start, literal.utf8Start, count) == 0
    }

    public var string: String { String(decoding: UnsafeBufferPointer(start: start, count: count), as: UTF8.self) }

    @inlinable public var bookUnits: Int64? { BookUnits.parse(start, count: count) }

    public var fixed: Fixed? {
        DecimalText.scaledInteger(from: start, count: count, places: Fixed.places, limit: Int128(1) << 126).map(Fixed.init(raw:))
    }

    /// A non-negative integer (ids, millisecond and nanosecond times).
    @inlinable public var integer: Int64? {
        guard count > 0 && count <= 19 else { return nil }
        var value: Int64 = 0
        // Up to 18 digits cannot overflow; only a 19th needs checking.
        let unchecked = min(count, 18)
        for offset in 0..<unchecked {
            let digit = start[offset] &- 48
            if digit > 9 { return nil }
            value = value &* 10 &+ Int64(digit)
        }
        if count == 19 {
            let digit = start[18] &- 48
            if digit > 9 { return nil }
            let (shifted, overflow) = value.multipliedReportingOverflow(by: 10)
            let (sum, carry) = shifted.addingReportingOverflow(Int64(digit))
            if overflow || carry { return nil }
            value = sum
        }
        return value
    }

    /// Whether the span holds the same bytes as `other` (a payload's symbol against its topic's).
    @inlinable public func equals(_ other: ByteSpan) -> Bool {
        count == other.count && bytesCompare(start, other.start, count) == 0
    }

    /// Whether the span begins with the bytes of `other`.
    @inlinable public func hasPrefix(_ other: ByteSpan) -> Bool {
        other.count <= count && bytesCompare(start, other.start, other.count) == 0
    }

    /// Whether the span ends with `literal`.
    @inlinable public func hasSuffix(_ literal: StaticString) -> Bool {
        let length = literal.utf8CodeUnitCount
        guard length <= count else { return false }
        return bytesCompare(start + (count - length), literal.utf8Start, length) == 0
    }
}

@inlinable func bytesCompare(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ count: Int) -> Int32 {
    var index = 0
    while index < count {
        if a[index] != b[index] { return a[index] < b[index] ? -1 : 1 }
        index += 1
    }
    return 0
}

/// A forward-only JSON reader over one line's bytes. Frames from exchanges are decoded with it key
/// by key, straight into integers, with no intermediate objects: this is the hot path of replay.
/// Every method fails softly (returns nil / false) on malformed input, and the caller counts the
/// line as malformed.
public struct ByteCursor {
    public let base: UnsafePointer<UInt8>
    public let end: Int
    public var index: Int

    public init(_ base: UnsafePointer<UInt8>, count: Int, from index: Int = 0) {
        self.base = base
        self.end = count
        self.index = index
    }

    @inlinable public var atEnd: Bool { index >= end }
    @inlinable public var peek: UInt8 { index < end ? base[index] : 0 }

    @inlinable public mutating func skipSpace() {
        while index < end {
            let byte = base[index]
            if byte != 0x20 && byte != 0x09 && byte != 0x0D && byte != 0x0A { return }
            index += 1
        }
    }

    @inlinable public mutating func consume(_ byte: UInt8) -> Bool {
        skipSpace()
        guard index < end, base[index] == byte else { return false }
        index += 1
        return true
    }

    /// A string's contents (escapes are left as they are; feed values we read never need them).
    @inlinable public mutating func string() -> ByteSpan? {
        skipSpace()
        guard index < end, base[index] == UInt8(ascii: "\"") else { return nil }
        index += 1
        let start = index
        while index < end {
            let byte = base[index]
            if byte == UInt8(ascii: "\"") {
                let span = ByteSpan(start: base + start, count: index - start)
                index += 1
                return span
            }
            if byte == UInt8(ascii: "\\") { index += 1 }
            index += 1
        }
        return nil
    }

    /// A bare scalar (number, true, false, null) as text.
    @inlinable public mutating func scalar() -> ByteSpan? {
        skipSpace()
        let start = index
        while index < end {
            let byte = base[index]
            if byte == UInt8(ascii: ",") || byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") || byte == 0x20 { break }
            index += 1
        }
        return index > start ? ByteSpan(start: base + start, count: index - start) : nil
    }

    /// Reads a member's value into `slot` the first time its key comes; a second time the member
    /// is malformed (nil) and `twice` names it (a second `s` or mark price was read over the first:
    /// attacker trial). Nil too when the value does not read.
    @inlinable @inline(__always)
    public mutating func readOnce<Value>(_ slot: inout Value?, _ name: String, twice: inout String?,
        _ read: (inout ByteCursor) -> Value?) -> Bool?
    {
        guard slot == nil else { twice = name; return nil }
        slot = read(&self)
        return slot == nil ? nil : true
    }

    /// A string or a bare scalar, whichever comes (exchanges quote numbers or not).
    @inlinable public mutating func stringOrScalar() -> ByteSpan? {
        skipSpace()
        return peek == UInt8(ascii: "\"") ? string() : scalar()
    }

    /// Skips one value of any kind, nested ones included.
    public mutating func skipValue() -> Bool {
        skipSpace()
        guard index < end else { return false }
        switch base[index] {
        case UInt8(ascii: "\""):
            return string() != nil
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            return skipComposite()
        default:
            return scalar() != nil
        }
    }

    /// Skips an object or array by counting brackets outside strings: seven frames in ten of a
    /// recording are book tickers, checked this way and not decoded. Eight bytes at a time: a word
    /// gives the places of its quotes, backslashes and brackets at once, and only those are
    /// visited, in order; the last few bytes go one at a time.
    @inlinable mutating func skipComposite() -> Bool {
        var depth = 0
        var scan = index
        var inString = false
        while scan + 8 <= end {
            let word = WordDigits.load(base + scan)
            let quotes = WordDigits.matches(word, UInt8(ascii: "\""))
            let escapes = WordDigits.matches(word, UInt8(ascii: "\\"))
            // `{` and `[` (0x7B, 0x5B) differ only in bit 5, as do `}` and `]`.
            let folded = word | 0x2020_2020_2020_2020
            let opens = WordDigits.matches(folded, UInt8(ascii: "{"))
            let closes = WordDigits.matches(folded, UInt8(ascii: "}"))
            var marks = quotes | escapes | opens | closes
            var escapedNextWord = false
            while marks != 0 {
                let mark = marks & (0 &- marks)
                marks &= marks &- 1
                if inString {
                    if mark & escapes != 0 {
                        // The byte after a backslash is part of the string, whatever it is.
                        let next = mark << 8
                        if next == 0 { escapedNextWord = true } else { marks &= ~next }
                    } else if mark & quotes != 0 {
                        inString = false
                    }
                } else if mark & quotes != 0 {
                    inString = true
                } else if mark & opens != 0 {
                    depth += 1
                } else if mark & closes != 0 {
                    depth -= 1
                    if depth == 0 {
                        index = scan + (mark.trailingZeroBitCount >> 3) + 1
                        return true
                    }
                }
            }
            scan += escapedNextWord ? 9 : 8
        }
        while scan < end {
            let byte = base[scan]
            if inString {
                if byte == UInt8(ascii: "\\") {
                    scan += 2
                    continue
                }
                if byte == UInt8(ascii: "\"") { inString = false }
            } else if byte == UInt8(ascii: "\"") {
                inString = true
            } else if byte | 0x20 == UInt8(ascii: "{") {
                depth += 1
            } else if byte | 0x20 == UInt8(ascii: "}") {
                depth -= 1
                if depth == 0 {
                    index = scan + 1
                    return true
                }
            }
            scan += 1
        }
        return false
    }

    /// Walks an object's members: `body` gets each key and must consume its value (or return false
    /// to leave it to be skipped). Returns false if the object is malformed.
    public mutating func object(_ body: (ByteSpan, inout ByteCursor) -> Bool?) -> Bool {
        guard consume(UInt8(ascii: "{")) else { return false }
        if consume(UInt8(ascii: "}")) { return true }
        while true {
            guard let key = string(), consume(UInt8(ascii: ":")) else { return false }
            switch body(key, &self) {
            case .some(true): break
            case .some(false): guard skipValue() else { return false }
            case .none: return false
            }
            if consume(UInt8(ascii: ",")) { continue }
            return consume(UInt8(ascii: "}"))
        }
    }

    /// A price or size, quoted or bare, read straight into book units in one pass over its bytes:
    /// the levels of depth frames are most of what a replay reads. Anything unusual (a sign, an
    /// exponent, more than 18 digits or 8 places) goes through `BookUnits.parse`, which is exact.
    @inlinable public mutating func bookUnits() -> Int64? {
        skipSpace()
        guard index < end, base[index] == UInt8(ascii: "\"") else { return scalar()?.bookUnits }
        let start = index + 1
        var scan = start
        let units = BookUnits.scanPlain(base, &scan, end: end)
        if scan < end && base[scan] == UInt8(ascii: "\"") {
            index = scan + 1
            return units ?? BookUnits.parse(base + start, count: scan - start)
        }
        return string()?.bookUnits
    }

    /// Reads `[["price","size"], ...]` into levels (a REST snapshot's `bids` or `asks`); false if
    /// malformed or a number is not exact.
    public mutating func levels(into levels: inout [(price: Int64, size: Int64)]) -> Bool {
        readLevels { levels.append(($0, $1)) }
    }

    /// Reads `[["price","size"], ...]` as one side's level changes, appended to `changes`.
    public mutating func levels(side: BookSide, into changes: inout [LevelChange]) -> Bool {
        // Both sides of a diff event go into one array: room for the usual event (about 70
        // levels in a full-depth stream) in one allocation.
        if changes.capacity < 128 { changes.reserveCapacity(128) }
        return readLevels { changes.append(LevelChange(side: side, price: $0, size: $1)) }
    }

    @inline(__always)
    mutating func readLevels(_ append: (_ price: Int64, _ size: Int64) -> Void) -> Bool {
        guard consume(UInt8(ascii: "[")) else { return false }
        if consume(UInt8(ascii: "]")) { return true }
        while true {
            if let level = compactLevel(at: index), level.price > 0 {
                append(level.price, level.size)
                index = level.next
            } else {
                guard consume(UInt8(ascii: "[")), let price = bookUnits(), consume(UInt8(ascii: ",")),
                    let size = bookUnits(), consume(UInt8(ascii: "]")), price > 0, size >= 0
                else { return false }
                append(price, size)
            }
            if index < end && base[index] == UInt8(ascii: ",") { index += 1; continue }
            if consume(UInt8(ascii: ",")) { continue }
            return consume(UInt8(ascii: "]"))
        }
    }

    /// A level written the way exchanges write it, `["61659.70","1.486"]` with no spaces and plain
    /// digits, read in one pass; nil for any other shape, which the general path then reads (or
    /// rejects) exactly.
    @inlinable @inline(__always)
    func compactLevel(at start: Int) -> (price: Int64, size: Int64, next: Int)? {
        var scan = start
        guard scan + 2 < end, base[scan] == UInt8(ascii: "["), base[scan + 1] == UInt8(ascii: "\"") else { return nil }
        scan += 2
        // Numbers of up to eight characters, the usual case, a word at a time.
        if let price = WordDigits.quotedBookUnits(base, at: scan, end: end), price.quote + 2 < end,
            base[price.quote + 1] == UInt8(ascii: ","), base[price.quote + 2] == UInt8(ascii: "\""),
            let size = WordDigits.quotedBookUnits(base, at: price.quote + 3, end: end), size.quote + 1 < end,
            base[size.quote + 1] == UInt8(ascii: "]")
        {
            return (price.units, size.units, size.quote + 2)
        }
        guard let price = BookUnits.scanPlain(base, &scan, end: end), scan + 2 < end, base[scan] == UInt8(ascii: "\""),
            base[scan + 1] == UInt8(ascii: ","), base[scan + 2] == UInt8(ascii: "\"")
        else { return nil }
        scan += 3
        guard let size = BookUnits.scanPlain(base, &scan, end: end), scan + 1 < end, base[scan] == UInt8(ascii: "\""),
            base[scan + 1] == UInt8(ascii: "]")
        else { return nil }
        return (price, size, scan + 2)
    }
}
