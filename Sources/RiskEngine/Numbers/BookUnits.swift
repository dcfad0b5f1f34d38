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
    @inlinable
    public static func parse(_ start: UnsafePointer<UInt8>, count: Int) -> Int64? {
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
