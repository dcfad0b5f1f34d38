import RiskEngine

/// Text read eight bytes at a time: the numbers of depth levels, and (through `load` and
/// `matches`) the skip over book tickers. The depth levels of a recording are nearly a third of
/// what the decoding thread does; a loop over their bytes mispredicts on every number's length,
/// and these few word operations do not branch on it.
///
/// `quotedBookUnits` returns nil when its fast case does not apply, for the caller's byte-by-byte
/// path to decide: it never accepts text that path would reject, nor reads it differently.
@usableFromInline enum WordDigits {
    @usableFromInline static let ones: UInt64 = 0x0101_0101_0101_0101
    @usableFromInline static let highBits: UInt64 = 0x8080_8080_8080_8080
    @usableFromInline static let zeros: UInt64 = 0x3030_3030_3030_3030

    /// The eight bytes at `pointer`, the first in the lowest byte.
    @inlinable @inline(__always)
    static func load(_ pointer: UnsafePointer<UInt8>) -> UInt64 {
        UInt64(littleEndian: UnsafeRawPointer(pointer).loadUnaligned(as: UInt64.self))
    }

    /// The high bit of each byte of `word` that equals `byte`, and no other (exact, unlike the
    /// borrow trick, which can flag the byte above a match).
    @inlinable @inline(__always)
    static func matches(_ word: UInt64, _ byte: UInt8) -> UInt64 {
        let difference = word ^ (ones &* UInt64(byte))
        let low7 = (difference & ~highBits) &+ ~highBits
        return ~(low7 | difference | ~highBits)
    }

    /// The low `bytes` bytes set (0 ≤ bytes ≤ 8).
    @inlinable @inline(__always)
    static func lowBytes(_ bytes: Int) -> UInt64 {
        bytes >= 8 ? ~0 : (UInt64(1) << UInt64(bytes &* 8)) &- 1
    }

    /// Whether all eight bytes are ASCII digits.
    @inlinable @inline(__always)
    static func allDigits(_ word: UInt64) -> Bool {
        let high = 0xF0F0_F0F0_F0F0_F0F0 as UInt64
        return ((word & high) | (((word &+ 0x0606_0606_0606_0606) & high) >> 4)) == 0x3333_3333_3333_3333
    }

    /// The value of eight ASCII digits, the first the most significant.
    @inlinable @inline(__always)
    static func value(ofEightDigits word: UInt64) -> UInt64 {
        var value = word &- zeros
        value = (value &* 10) &+ (value >> 8)
        value = (((value & 0x0000_00FF_0000_00FF) &* 0x000F_4240_0000_0064)
            &+ (((value >> 16) & 0x0000_00FF_0000_00FF) &* 0x0000_2710_0000_0001)) >> 32
        return value
    }

    /// A plain decimal of at most eight characters (digits and at most one point) that a quote
    /// ends, at `start`, in book units, and the index of that quote. Needs nine readable bytes
    /// (`start + 9 <= end`).
    @inlinable @inline(__always)
    static func quotedBookUnits(_ base: UnsafePointer<UInt8>, at start: Int, end: Int) -> (units: Int64, quote: Int)? {
        guard start + 9 <= end else { return nil }
        let word = load(base + start)
        let quotes = matches(word, UInt8(ascii: "\""))
        // The quote's offset: in the word, or right after it (eight characters, "61659.70").
        let length: Int
        if quotes != 0 {
            length = quotes.trailingZeroBitCount >> 3
        } else if base[start + 8] == UInt8(ascii: "\"") {
            length = 8
        } else {
            return nil
        }
        let inside = lowBytes(length)
        let points = matches(word, UInt8(ascii: ".")) & inside
        var digits = word & inside
        var count = length
        var fractionDigits = 0
        if points != 0 {
            // One point: close the gap it leaves (a second one stays and fails the digit test).
            let point = points.trailingZeroBitCount >> 3
            let below = lowBytes(point)
            digits = (digits & below) | ((digits >> 8) & ~below)
            count -= 1
            fractionDigits = count - point
        }
        guard count > 0 else { return nil }
        // Right-align the digits in the word, zeros in front, so that it reads as eight digits.
        let padded = (digits << UInt64((8 - count) &* 8)) | (zeros & lowBytes(8 - count))
        guard allDigits(padded) else { return nil }
        let units = Int64(value(ofEightDigits: padded)) &* BookUnits.powerOfTen(BookUnits.places - fractionDigits)
        return (units, start + length)
    }
}
