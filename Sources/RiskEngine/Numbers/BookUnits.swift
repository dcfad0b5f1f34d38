/// Order-book prices and sizes are `Int64` counts of 10⁻⁸ (a "book unit"). Every tick and lot that
/// exchanges use (0.10 USDT, 0.001 BTC, 1 contract, 0.0001 SUSHI) is a whole number of book units,
/// so a level is held exactly, and 64-bit integers keep the ladder small and fast to search. Money
/// maths converts to `Fixed` at the boundary; the conversion is exact in that direction.
public enum BookUnits {
    public static let places = 8
    public static let perUnit: Int64 = 100_000_000
    /// The largest price or size a level may carry (about 92 billion); decoders reject more.
    public static let limit = Int128(Int64.max)
    /// The same, as a price: a mark or an index above it is refused where it is applied (a mark
    /// of 9 × 10¹⁸ from an events line was taken, and every figure of its positions saturated;
    /// its refusal report read the clamped 92,233,720,368.54775807 for both prices: attacker trial).
    public static let largestPrice = Fixed(bookUnits: .max)

    /// Parses decimal text from a frame into book units; nil when it is not an exact decimal that fits.
    ///
    /// This is the hottest function of a replay, so numbers of up to 18 digits with at most 8
    /// decimal places (every real price and size) take one pass with no overflow checks and a single
    /// scaling multiply; anything else takes the exact 128-bit path.
    @inlinable
    public static func parse(_ start: UnsafePointer<UInt8>, count: Int) -> Int64? {
        var index = count > 0 && start[0] == UInt8(ascii: "-") ? 1 : 0
        let negative = index == 1
        let units = scanPlain(start, &index, end: count)
        // Another byte than a digit or one point: not a decimal.
        if index < count { return nil }
        guard let units else { return slowParse(start, count: count) }
        return negative ? -units : units
    }

    /// Reads digits with at most one point from `index` (left on the first other byte, or `end`)
    /// and scales them to book units in one pass with no overflow checks; nil when that cannot be
    /// exact (no digits, more than 18, more than 8 places, or overflow), for the caller to hand to
    /// the exact path. Shared by `parse` and the frame decoders' quoted numbers.
    @inlinable @inline(__always)
    public static func scanPlain(_ base: UnsafePointer<UInt8>, _ index: inout Int, end: Int) -> Int64? {
        let (value, digits, fractionDigits) = DecimalText.scanDigits(base, &index, end: end)
        // Up to 18 digits (`scaled` checks) fit 63 bits: the bit pattern is the value.
        return scaled(Int64(bitPattern: value), digits: digits, fractionDigits: fractionDigits)
    }

    /// The last step of a fast parse: `value` read from `digits` digits of which `fractionDigits`
    /// follow the point, scaled to book units. nil when the fast path cannot be exact (no digits,
    /// more than 18 digits, or more than 8 places) or the result overflows: the caller decides.
    @inlinable @inline(__always)
    public static func scaled(_ value: Int64, digits: Int, fractionDigits: Int) -> Int64? {
        guard digits > 0 && digits <= 18 && fractionDigits <= places else { return nil }
        let (units, overflow) = value.multipliedReportingOverflow(by: powerOfTen(places - fractionDigits))
        return overflow ? nil : units
    }

    /// 10^exponent for 0...8.
    @inlinable @inline(__always)
    public static func powerOfTen(_ exponent: Int) -> Int64 { Int64(DecimalText.powerOfTen(min(exponent, places))) }

    @usableFromInline
    static func slowParse(_ start: UnsafePointer<UInt8>, count: Int) -> Int64? {
        guard let value = DecimalText.scaledInteger(from: start, count: count, places: places, limit: limit)
        else { return nil }
        return Int64(value)
    }

    public static func parse(_ text: String) -> Int64? {
        guard let value = DecimalText.scaledInteger(Substring(text), places: places, limit: limit) else { return nil }
        return Int64(value)
    }

    /// The decimals a book-unit value needs to be shown exactly (0 to 8): 1.5 needs 1.
    public static func significantDecimals(_ value: Int64) -> Int {
        var rest = value
        var decimals = places
        while decimals > 0 && rest % 10 == 0 { rest /= 10; decimals -= 1 }
        return decimals
    }

    /// Decimal text with `decimals` places: `format(6_165_970_000_000, decimals: 2)` → "61659.70".
    public static func format(_ units: Int64, decimals: Int, grouping: Bool = false) -> String {
        DecimalText.format(Int128(units), places: places, decimals: decimals, grouping: grouping)
    }
}

extension Fixed {
    private static let bookToFixed: Int128 = 10_000_000_000

    @inlinable public init(bookUnits: Int64) { self.raw = Int128(bookUnits) * 10_000_000_000 }

    /// Book units, rounded half away from zero and clamped into range.
    public var bookUnits: Int64 {
        // Most values (sizes under 9.2 units, say) fit 64 bits, where the division is cheap.
        if let small = Int64(exactly: raw) {
            let quotient = small / 10_000_000_000
            let remainder = small % 10_000_000_000
            if remainder >= 5_000_000_000 { return quotient + 1 }
            if remainder <= -5_000_000_000 { return quotient - 1 }
            return quotient
        }
        let units = rounded(places: BookUnits.places).raw / Fixed.bookToFixed
        if units > Int128(Int64.max) { return .max }
        if units < Int128(Int64.min) { return .min }
        return Int64(units)
    }
}
