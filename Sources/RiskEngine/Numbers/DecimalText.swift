/// Exact conversion between decimal text and scaled integers, byte by byte, with no `Double` and no
/// Foundation on the way. Decoders call `scaledInteger(from:count:places:)` on the raw bytes of a
/// frame, so a price such as `"61659.70"` becomes the integer 6_165_970_000_000 (10⁻⁸ units) without
/// ever being a floating-point number.
public enum DecimalText {
    /// Parses `[-+]digits[.digits]`. Returns nil for anything else: empty text, a second point,
    /// exponents, stray characters, digits beyond `places` that are not zeros (they would be lost),
    /// or a value whose scaled integer exceeds `limit`.
    ///
    /// Text of at most 19 digits and no more places than asked (every price, size and balance a
    /// feed or positions file sends) is read into 64 bits in one pass and scaled by one multiply;
    /// the rest (more digits, zeros past `places`) takes the digit-by-digit path, which decides
    /// the same way (a test compares them).
    @inlinable
    public static func scaledInteger(
        from start: UnsafePointer<UInt8>, count: Int, places: Int, limit: Int128 = Int128(Int64.max)
    ) -> Int128? {
        if count == 0 { return nil }
        guard places >= 0 && places <= 18 else { return scaledIntegerDigitByDigit(from: start, count: count, places: places, limit: limit) }
        let negative = start[0] == UInt8(ascii: "-")
        var index = negative || start[0] == UInt8(ascii: "+") ? 1 : 0
        let (value, digits, fractionDigits) = scanDigits(start, &index, end: count)
        // Junk, a sign inside, or a second point: never a decimal.
        if index < count || digits == 0 { return nil }
        // More digits than 64 bits hold, or places past the scale (zeros are accepted there).
        guard digits <= 19 && fractionDigits <= places else {
            return scaledIntegerDigitByDigit(from: start, count: count, places: places, limit: limit)
        }
        // Below 10¹⁹ × 10¹⁸: no overflow in 128 bits.
        let magnitude = Int128(value) &* Int128(powerOfTen(places - fractionDigits))
        if magnitude > limit { return nil }
        return negative ? -magnitude : magnitude
    }

    /// `[-+]digits[.digits]`: a decimal however long, for telling "too large or too precise" from
    /// "not a number" (the digit scanner every decimal is read with reads any number of digits).
    public static func isDecimalSyntax(_ text: String) -> Bool {
        var copy = text
        return copy.withUTF8 { bytes in
            guard let base = bytes.baseAddress, bytes.count > 0 else { return false }
            var index = base[0] == UInt8(ascii: "-") || base[0] == UInt8(ascii: "+") ? 1 : 0
            let scan = DecimalText.scanDigits(base, &index, end: bytes.count)
            return index == bytes.count && scan.digits > 0
        }
    }

    /// Reads digits with at most one point from `index` (left on the first other byte, or `end`),
    /// into 64 bits with no overflow check: exact for up to 19 digits, which the callers check.
    /// Shared by `scaledInteger` and the book's `BookUnits.scanPlain`.
    @inlinable @inline(__always)
    public static func scanDigits(_ base: UnsafePointer<UInt8>, _ index: inout Int, end: Int) -> (value: UInt64, digits: Int, fractionDigits: Int) {
        let start = index
        var value: UInt64 = 0
        var point = -1
        while index < end {
            let byte = base[index]
            let digit = byte &- UInt8(ascii: "0")
            if digit < 10 {
                value = value &* 10 &+ UInt64(digit)
            } else if byte == UInt8(ascii: "."), point < 0 {
                point = index
            } else {
                break
            }
            index += 1
        }
        let length = index - start
        return point < 0 ? (value, length, 0) : (value, length - 1, index - point - 1)
    }

    /// 10^exponent for 0...18.
    @inlinable @inline(__always)
    static func powerOfTen(_ exponent: Int) -> UInt64 {
        switch exponent {
        case 0: return 1
        case 1: return 10
        case 2: return 100
        case 3: return 1_000
        case 4: return 10_000
        case 5: return 100_000
        case 6: return 1_000_000
        case 7: return 10_000_000
        case 8: return 100_000_000
        case 9: return 1_000_000_000
        case 10: return 10_000_000_000
        case 11: return 100_000_000_000
        case 12: return 1_000_000_000_000
        case 13: return 10_000_000_000_000
        case 14: return 100_000_000_000_000
        case 15: return 1_000_000_000_000_000
        case 16: return 10_000_000_000_000_000
        case 17: return 100_000_000_000_000_000
        default: return 1_000_000_000_000_000_000
        }
    }

    /// The definition: a check against limit / 10 at every digit and scaling step (any places,
    /// any number of digits).
    @usableFromInline
    static func scaledIntegerDigitByDigit(
        from start: UnsafePointer<UInt8>, count: Int, places: Int, limit: Int128
    ) -> Int128? {
        var index = 0
        var negative = false
        if count == 0 { return nil }
        if start[0] == UInt8(ascii: "-") { negative = true; index = 1 }
        else if start[0] == UInt8(ascii: "+") { index = 1 }
        var value: Int128 = 0
        var digits = 0
        var fractionDigits = 0
        var seenPoint = false
        // Past limit / 10 the next digit (or the scaling below) must exceed the limit. Divided
        // once: where the limit is not a constant folded in (a positions file's), a 128-bit
        // division at every digit and step cost more than the rest of the parse.
        let tenth = limit / 10
        while index < count {
            let byte = start[index]
            index += 1
            if byte == UInt8(ascii: ".") {
                if seenPoint { return nil }
                seenPoint = true
                continue
            }
            let digit = byte &- UInt8(ascii: "0")
            if digit > 9 { return nil }
            digits += 1
            if seenPoint {
                if fractionDigits == places {
                    // Extra precision is acceptable only when it is zeros ("0.10000000000").
                    if digit != 0 { return nil }
                    continue
                }
                fractionDigits += 1
            }
            if value > tenth { return nil }
            value = value * 10 + Int128(digit)
        }
        if digits == 0 { return nil }
        while fractionDigits < places {
            if value > tenth { return nil }
            value *= 10
            fractionDigits += 1
        }
        if value > limit { return nil }
        return negative ? -value : value
    }

    public static func scaledInteger(_ text: Substring, places: Int, limit: Int128 = Int128(Int64.max)) -> Int128? {
        var copy = String(text)
        return copy.withUTF8 { buffer in
            guard let base = buffer.baseAddress else { return nil }
            return scaledInteger(from: base, count: buffer.count, places: places, limit: limit)
        }
    }

    /// Writes a scaled integer as decimal text with exactly `decimals` places (rounded half away
    /// from zero), optionally grouping thousands with commas.
    public static func format(_ scaled: Int128, places: Int, decimals: Int, grouping: Bool = false) -> String {
        let shown = Swift.max(0, Swift.min(places, decimals))
        var value = scaled
        if shown < places {
            var unit: Int128 = 1
            for _ in 0..<(places - shown) { unit *= 10 }
            let remainder = value % unit
            value /= unit
            if remainder.magnitude >= unit.magnitude - remainder.magnitude { value += scaled < 0 ? -1 : 1 }
        }
        let negative = value < 0
        var digits = String(value.magnitude)
        if digits.count <= shown { digits = String(repeating: "0", count: shown - digits.count + 1) + digits }
        let splitIndex = digits.index(digits.endIndex, offsetBy: -shown)
        var whole = String(digits[..<splitIndex])
        let fraction = String(digits[splitIndex...])
        if grouping && whole.count > 3 {
            var grouped = ""
            for (offset, character) in whole.enumerated() {
                if offset > 0 && (whole.count - offset) % 3 == 0 { grouped.append(",") }
                grouped.append(character)
            }
            whole = grouped
        }
        let sign = negative && (value != 0) ? "-" : ""
        return shown == 0 ? sign + whole : sign + whole + "." + fraction
    }
}

extension Fixed: CustomStringConvertible, LosslessStringConvertible {
    /// Parses exact decimal text: "25100.40", "-0.004", "1000000".
    public init?(_ description: String) {
        guard let raw = DecimalText.scaledInteger(
            Substring(description), places: Fixed.places, limit: Int128(1) << 126)
        else { return nil }
        self.raw = raw
    }

    /// Every significant digit, no trailing zeros: "25100.4016064", "50", "-0.2".
    public var description: String {
        var text = DecimalText.format(raw, places: Fixed.places, decimals: Fixed.places)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text == "-0" ? "0" : text
    }

    /// Every digit it has up to a book unit's eight places, and at least `places`: a price finer
    /// than its tick (a mark worked from the mid, half a tick) shown as it is. The screen's and
    /// the text report's one rule (`1.95375` read `1.9538` in the report: operator trial).
    public func formatted(atLeast places: Int, grouping: Bool) -> String {
        var decimals = Swift.min(places, BookUnits.places)
        while decimals < BookUnits.places && rounded(places: decimals) != self { decimals += 1 }
        return formatted(decimals, grouping: grouping)
    }

    /// How many decimal places its exact value needs: 0 for a whole number, 5 for `1.95375`.
    public var significantPlaces: Int {
        var places = Fixed.places
        var magnitude = raw.magnitude
        while places > 0 && magnitude % 10 == 0 {
            magnitude /= 10
            places -= 1
        }
        return places
    }

    /// A quantity in `unit`: whole contracts as whole numbers (`7,262 contracts`: it read
    /// `7,262.000`, operator trial), anything else as `quantityText()`.
    public func quantityText(unit: String?, grouping: Bool = true) -> String {
        if let unit, unit == "contracts" || unit == " contracts", rounded(toMultipleOf: .one) == self {
            return formatted(0, grouping: grouping)
        }
        return quantityText(grouping: grouping)
    }

    /// A quantity with `minimum` decimals, or as many more (up to 8) as a small one needs not to
    /// read as none: "2.558", "0.0004" (with three places it read "0.000": a quantity the book
    /// cannot fill, shown as nothing).
    public func quantityText(minimum: Int = 3, grouping: Bool = true) -> String {
        var places = minimum
        var text = formatted(places, grouping: grouping)
        while places < 8 && !isZero && !text.contains(where: { $0 >= "1" && $0 <= "9" }) {
            places += 1
            text = formatted(places, grouping: grouping)
        }
        return text
    }

    /// Fixed number of decimals, rounded half away from zero: `formatted(2)` → "25100.40". A
    /// figure that saturated (arithmetic past the range, about 1.7 × 10²⁰) reads as the bound it
    /// is, `≥170,141,183,460,469,231,731.69`: the sum of two liquidations of 10²⁰ printed as an
    /// exact 1.7 × 10²⁰ (attacker trial).
    public func formatted(_ decimals: Int, grouping: Bool = false) -> String {
        let text = DecimalText.format(raw, places: Fixed.places, decimals: decimals, grouping: grouping)
        return isSaturated ? (isNegative ? "≤" : "≥") + text : text
    }

    /// At the range's bound: arithmetic that would have left the range stopped here.
    public var isSaturated: Bool { self == .max || self == .min }

    /// Fixed number of decimals, rounded by `rule`: a figure beside a risk class is rounded
    /// `.down`, as the engine's bounds compare, so it never reads across a bound.
    public func formatted(_ decimals: Int, rounding rule: RoundingRule, grouping: Bool = false) -> String {
        isSaturated ? formatted(decimals, grouping: grouping) : rounded(places: decimals, rule).formatted(decimals, grouping: grouping)
    }
}
