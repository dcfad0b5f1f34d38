/// Order-book prices and sizes are `Int64` counts of 10⁻⁸ (a "book unit"). Every tick and lot that
/// exchanges use (0.10 USDT, 0.001 BTC, 1 contract, 0.0001 SUSHI) is a whole number of book units,
/// so a level is held exactly, and 64-bit integers keep the ladder small and fast to search. Money
/// maths converts to `Fixed` at the boundary; the conversion is exact in that direction.
public enum BookUnits {
    public static let places = 8
    public static let perUnit: Int64 = 100_000_000
    /// The largest price or size a level may carry (about 92 billion); decoders reject more.
    public static let limit = Int128(Int64.max)

    /// Parses decimal text from a frame into book units; nil when it is not an exact decimal that fits.
    ///
    /// This is the hottest function of a replay, so numbers of up to 18 digits (every real price
    /// and size) take a 64-bit path with no overflow checks needed; longer ones take the exact
    /// 128-bit path.
    @inlinable
    public static func parse(_ start: UnsafePointer<UInt8>, count: Int) -> Int64? {
        var index = 0
        var negative = false
        if count > 0 && start[0] == UInt8(ascii: "-") { negative = true; index = 1 }
        var value: Int64 = 0
        var digits = 0
        var fraction = -1
        while index < count {
            let byte = start[index]
            index += 1
            if byte == UInt8(ascii: ".") {
                if fraction >= 0 { return nil }
                fraction = 0
                continue
            }
            let digit = byte &- UInt8(ascii: "0")
            if digit > 9 { return nil }
            if fraction >= 0 {
                if fraction == places {
                    if digit != 0 { return nil }
                    continue
                }
                fraction += 1
            }
            digits += 1
            if digits > 18 { return slowParse(start, count: count) }
            value = value &* 10 &+ Int64(digit)
        }
        if digits == 0 { return nil }
        var scale = max(fraction, 0)
        while scale < places {
            let (scaled, overflow) = value.multipliedReportingOverflow(by: 10)
            if overflow { return nil }
            value = scaled
            scale += 1
        }
        return negative ? -value : value
    }

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
        let units = rounded(places: BookUnits.places).raw / Fixed.bookToFixed
        if units > Int128(Int64.max) { return .max }
        if units < Int128(Int64.min) { return .min }
        return Int64(units)
    }
}
