import CWideDivision

/// An exact decimal number: an `Int128` count of 10⁻¹⁸ units.
///
/// All risk maths (notional, margin, PnL, liquidation and bankruptcy prices, fund movements) runs on
/// `Fixed`, never on `Double`: a figure that an exchange publishes to the cent must come out to the
/// cent. Eighteen places keep inverse-contract maths (1 / price) exact far beyond a satoshi, and the
/// 128-bit count still holds ±1.7 × 10²⁰, more than any notional a desk will see. Products and
/// quotients go through a 256-bit intermediate and round half away from zero, so results do not
/// depend on the order of operations more than one unit in the last place. Arithmetic that would
/// leave the range saturates instead of trapping: bad input must never crash the dashboard.
public struct Fixed: Hashable, Comparable, Sendable {
    public static let places = 18
    public static let scale: Int128 = 1_000_000_000_000_000_000

    /// The value × 10¹⁸.
    public var raw: Int128

    @inlinable public init(raw: Int128) { self.raw = raw }

    @inlinable public init(_ integer: Int) { self.raw = Int128(integer) * Fixed.scale }

    public static let zero = Fixed(raw: 0)
    public static let one = Fixed(raw: scale)
    public static let max = Fixed(raw: .max)
    public static let min = Fixed(raw: .min + 1)

    @inlinable public static func < (lhs: Fixed, rhs: Fixed) -> Bool { lhs.raw < rhs.raw }

    public var isZero: Bool { raw == 0 }
    public var isNegative: Bool { raw < 0 }
    public var isPositive: Bool { raw > 0 }
    public var magnitude: Fixed { raw < 0 ? Fixed(raw: raw == .min ? .max : -raw) : self }
    public var signum: Int { raw > 0 ? 1 : (raw < 0 ? -1 : 0) }

    /// An approximation for drawing bars and sparklines only; never for money.
    public var approximateDouble: Double {
        let whole = raw / Fixed.scale
        let fraction = raw % Fixed.scale
        // Through Int64: Double(Int128) takes a slow generic path, and this runs for every
        // position of the table once a second. The fraction always fits; the whole part nearly so.
        let wholeDouble = whole.magnitude <= UInt128(Int64.max) ? Double(Int64(whole)) : Double(whole)
        return wholeDouble + Double(Int64(fraction)) / 1e18
    }

    /// Builds a value from a `Double` for display scales and synthetic generators only. Rounds to
    /// 10⁻⁹, which is exact for any price or size a generator produces.
    public init(approximating value: Double) {
        guard value.isFinite else { self = .zero; return }
        let nano = (value * 1e9).rounded()
        if nano >= 1.7e29 { self = .max; return }
        if nano <= -1.7e29 { self = .min; return }
        // Within Int64 (every price, size and notional) the conversion is one instruction; the
        // generic Double → Int128 conversion is a slow library path.
        if abs(nano) < 9.2e18 { self.raw = Int128(Int64(nano)) * 1_000_000_000; return }
        self.raw = Int128(nano) * 1_000_000_000
    }
}

// MARK: - Arithmetic

extension Fixed {
    @inlinable public static func + (lhs: Fixed, rhs: Fixed) -> Fixed {
        let (sum, overflow) = lhs.raw.addingReportingOverflow(rhs.raw)
        if overflow { return rhs.raw > 0 ? .max : .min }
        return Fixed(raw: sum)
    }

    @inlinable public static func - (lhs: Fixed, rhs: Fixed) -> Fixed {
        let (difference, overflow) = lhs.raw.subtractingReportingOverflow(rhs.raw)
        if overflow { return rhs.raw < 0 ? .max : .min }
        return Fixed(raw: difference)
    }

    @inlinable public static prefix func - (value: Fixed) -> Fixed {
        value.raw == .min ? .max : Fixed(raw: -value.raw)
    }

    public static func += (lhs: inout Fixed, rhs: Fixed) { lhs = lhs + rhs }
    public static func -= (lhs: inout Fixed, rhs: Fixed) { lhs = lhs - rhs }

    public static func * (lhs: Fixed, rhs: Fixed) -> Fixed {
        Fixed(raw: mulDiv(lhs.raw, rhs.raw, Fixed.scale))
    }

    /// Division rounds half away from zero; dividing by zero saturates towards the dividend's sign
    /// (callers that can meet a zero divisor check for it first and say what it means).
    public static func / (lhs: Fixed, rhs: Fixed) -> Fixed {
        if rhs.raw == 0 { return lhs.raw >= 0 ? .max : .min }
        return Fixed(raw: mulDiv(lhs.raw, Fixed.scale, rhs.raw))
    }

    public static func * (lhs: Fixed, rhs: Int) -> Fixed {
        // A side's sign, mostly (three times a position placed): the same results, saturation
        // included (−Int128.min saturates to the largest, as the product does), without the
        // 128-bit multiplication.
        if rhs == 1 { return lhs }
        if rhs == -1 { return -lhs }
        let (product, overflow) = lhs.raw.multipliedReportingOverflow(by: Int128(rhs))
        if overflow { return (lhs.raw < 0) != (rhs < 0) ? .min : .max }
        return Fixed(raw: product)
    }

    /// `a × b / c` with a 256-bit intermediate, rounded half away from zero, saturating.
    @usableFromInline static func mulDiv(_ a: Int128, _ b: Int128, _ c: Int128) -> Int128 {
        let negative = ((a < 0) != (b < 0)) != (c < 0)
        let x = a.magnitude
        let y = b.magnitude
        let divisor = c.magnitude
        if divisor == 0 { return negative ? Int128.min + 1 : Int128.max }
        let quotient: UInt128
        let remainder: UInt128
        if x.leadingZeroBitCount + y.leadingZeroBitCount >= 128 {
            // The product fits 128 bits (x < 2^(128 − lz x), y < 2^(128 − lz y)), as most do: one
            // multiplication, and a 128-bit division instead of the 256-bit one, whose generic
            // form (for a divisor past 64 bits: every price) is a loop of some 150 instructions.
            (quotient, remainder) = divide(x &* y, by: divisor)
        } else {
            let product = x.multipliedFullWidth(by: y)
            if product.high >= divisor { return negative ? Int128.min + 1 : Int128.max }
            (quotient, remainder) = divide(product, by: divisor)
        }
        var rounded = quotient
        // Round half away from zero: compare 2 × remainder with the divisor without overflowing.
        if remainder >= divisor - remainder { rounded &+= 1 }
        if rounded > UInt128(Int128.max) { return negative ? Int128.min + 1 : Int128.max }
        // In range (checked above): the converting initialiser called a generic `init(exactly:)`
        // once a product, a tenth of `mulDiv`'s instructions.
        let value = Int128(bitPattern: rounded)
        return negative ? -value : value
    }

    /// A 256-bit `product` over `divisor`, given `product.high < divisor`. A divisor that fits
    /// in 64 bits (10¹⁸, the scale of every `Fixed` product, and most others) takes two hardware
    /// divisions; a wider one (a quotient `x / y` of two values above about 18 whose dividend is
    /// above about 300: margin over balance, PnL over collateral) takes two of Knuth's steps, a
    /// hardware division each. The generic 256-by-128 division was a loop of runtime divisions,
    /// half of ranking a side's ADL queue.
    @usableFromInline static func divide(_ product: (high: UInt128, low: UInt128), by divisor: UInt128)
        -> (quotient: UInt128, remainder: UInt128)
    {
        guard divisor >> 64 == 0 else { return divideWide(product, by: divisor) }
        let small = UInt64(truncatingIfNeeded: divisor)
        // product.high < divisor < 2⁶⁴, so each step's high word is below the divisor.
        let upper = wideDivide(high: UInt64(truncatingIfNeeded: product.high), low: UInt64(truncatingIfNeeded: product.low >> 64), by: small)
        let lower = wideDivide(high: upper.remainder, low: UInt64(truncatingIfNeeded: product.low), by: small)
        return ((UInt128(upper.quotient) << 64) | UInt128(lower.quotient), UInt128(lower.remainder))
    }

    /// `(high · 2⁶⁴ + low) / divisor` for `high < divisor`, in one hardware division (see
    /// `liqwatch_divide_wide`); every caller holds `high` below the divisor by construction.
    @inline(__always) static func wideDivide(high: UInt64, low: UInt64, by divisor: UInt64)
        -> (quotient: UInt64, remainder: UInt64)
    {
        assert(high < divisor, "the quotient of a wide division must fit 64 bits")
        var remainder: UInt64 = 0
        let quotient = liqwatch_divide_wide(high, low, divisor, &remainder)
        return (quotient, remainder)
    }

    /// `divide(product, by:)` for a divisor of 65 to 128 bits (Knuth, TAOCP 4.3.1, algorithm D,
    /// with a two-word divisor and two quotient words). Normalised so the divisor's top bit is set,
    /// the dividend's top two words stay below it (`product.high < divisor`), so each quotient word
    /// fits 64 bits.
    @usableFromInline static func divideWide(_ product: (high: UInt128, low: UInt128), by divisor: UInt128)
        -> (quotient: UInt128, remainder: UInt128)
    {
        let shift = UInt128(divisor.leadingZeroBitCount) // 0...63
        let normalised = divisor << shift
        let high = shift == 0 ? product.high : (product.high << shift) | (product.low >> (128 - shift))
        let low = product.low << shift
        let upper = divideThreeWords(high, UInt64(truncatingIfNeeded: low >> 64), by: normalised)
        let lower = divideThreeWords(upper.remainder, UInt64(truncatingIfNeeded: low), by: normalised)
        return ((UInt128(upper.quotient) << 64) | UInt128(lower.quotient), lower.remainder >> shift)
    }

    /// `(top · 2⁶⁴ + next) / divisor` for a normalised divisor (top bit set) and `top < divisor`:
    /// the quotient (64 bits) and the remainder. The estimate from the divisor's top word is
    /// corrected against its second word; with a divisor of two words that test is exact.
    @inline(__always) static func divideThreeWords(_ top: UInt128, _ next: UInt64, by divisor: UInt128)
        -> (quotient: UInt64, remainder: UInt128)
    {
        let divisorHigh = UInt64(truncatingIfNeeded: divisor >> 64)
        let divisorLow = UInt64(truncatingIfNeeded: divisor)
        let topHigh = UInt64(truncatingIfNeeded: top >> 64)
        var estimate: UInt64
        var rest: UInt128
        if topHigh >= divisorHigh {
            // topHigh == divisorHigh (top < divisor): the quotient word is at most 2⁶⁴ − 1.
            estimate = .max
            rest = top &- UInt128(estimate) &* UInt128(divisorHigh)
        } else {
            let division = wideDivide(high: topHigh, low: UInt64(truncatingIfNeeded: top), by: divisorHigh)
            estimate = division.quotient
            rest = UInt128(division.remainder)
        }
        // While estimate × divisor exceeds the dividend (tested on the second word: rest · 2⁶⁴ +
        // next against estimate × divisorLow), one less; at most twice.
        while rest >> 64 == 0, UInt128(estimate) &* UInt128(divisorLow) > ((rest << 64) | UInt128(next)) {
            estimate -= 1
            rest &+= UInt128(divisorHigh)
        }
        // The true remainder is below the divisor, so it is exact modulo 2¹²⁸.
        let remainder = ((rest &<< 64) | UInt128(next)) &- UInt128(estimate) &* UInt128(divisorLow)
        return (estimate, remainder)
    }

    /// A 128-bit `dividend` over a nonzero `divisor`, in hardware divisions: for a divisor that
    /// fits 64 bits one where the quotient does too, else two; one for a wider divisor (prices
    /// are), whose quotient fits 64 bits.
    ///
    /// For the wider divisor (Hacker's Delight, `divlu` applied to double words): the divisor's
    /// top 64 bits, normalised, divide the dividend halved; the estimate, scaled back, is the
    /// quotient or one above it, and one comparison settles which.
    @inline(__always)
    @usableFromInline static func divide(_ dividend: UInt128, by divisor: UInt128) -> (quotient: UInt128, remainder: UInt128) {
        if divisor >> 64 == 0 {
            // A quotient that fits 64 bits (a product of two figures over 10¹⁸, mostly) is one
            // hardware division, not two: placing a position works out half a dozen.
            let small = UInt64(truncatingIfNeeded: divisor)
            let high = UInt64(truncatingIfNeeded: dividend >> 64)
            guard high < small else { return divide((high: 0, low: dividend), by: divisor) }
            let one = wideDivide(high: high, low: UInt64(truncatingIfNeeded: dividend), by: small)
            return (UInt128(one.quotient), UInt128(one.remainder))
        }
        let shift = divisor.leadingZeroBitCount // 0...63
        let divisorTop = UInt64(truncatingIfNeeded: (divisor << UInt128(shift)) >> 64) // ≥ 2⁶³
        let halved = dividend >> 1 // its high word < 2⁶³ ≤ divisorTop: the division cannot overflow
        let estimate = wideDivide(high: UInt64(truncatingIfNeeded: halved >> 64), low: UInt64(truncatingIfNeeded: halved), by: divisorTop).quotient
        var quotient = (UInt128(estimate) << UInt128(shift)) >> 63
        if quotient != 0 { quotient -= 1 }
        var remainder = dividend &- quotient &* divisor
        if remainder >= divisor {
            quotient += 1
            remainder -= divisor
        }
        return (quotient, remainder)
    }

    public static func minimum(_ a: Fixed, _ b: Fixed) -> Fixed { a < b ? a : b }
    public static func maximum(_ a: Fixed, _ b: Fixed) -> Fixed { a > b ? a : b }
}

// MARK: - Rounding

public enum RoundingRule: Sendable {
    case halfAwayFromZero
    case down // towards negative infinity
    case up // towards positive infinity
    case towardZero
}

extension Fixed {
    /// Rounds to a number of decimal places (0...18).
    public func rounded(places: Int, _ rule: RoundingRule = .halfAwayFromZero) -> Fixed {
        let clamped = Swift.max(0, Swift.min(Fixed.places, places))
        return rounded(toUnit: Fixed.unit(droppingDigits: Fixed.places - clamped), rule)
    }

    /// 10^digits for 0 ≤ digits ≤ 18, multiplied out in 64 bits (it fits): in 128 bits the loop
    /// cost more than the rounding, and synthetic books round every position's margin.
    static func unit(droppingDigits digits: Int) -> Int128 {
        var unit: Int64 = 1
        for _ in 0..<digits { unit &*= 10 }
        return Int128(unit)
    }

    /// Rounds to a whole multiple of `step` (a tick or a lot). A zero step returns the value.
    public func rounded(toMultipleOf step: Fixed, _ rule: RoundingRule = .halfAwayFromZero) -> Fixed {
        guard step.raw > 0 else { return self }
        return rounded(toUnit: step.raw, rule)
    }

    private func rounded(toUnit unit: Int128, _ rule: RoundingRule) -> Fixed {
        if unit <= 1 { return self }
        // Truncating, as `/` and `%` are, in one division of the magnitudes (two hardware
        // divisions for any tick, lot or decimal unit) instead of two runtime calls.
        let (magnitudeQuotient, magnitudeRemainder) = Fixed.divide(raw.magnitude, by: unit.magnitude)
        let quotient = raw < 0 ? -Int128(magnitudeQuotient) : Int128(magnitudeQuotient)
        let remainder = raw < 0 ? -Int128(magnitudeRemainder) : Int128(magnitudeRemainder)
        if remainder == 0 { return self }
        var result = quotient
        switch rule {
        case .towardZero:
            break
        case .down:
            if remainder < 0 { result -= 1 }
        case .up:
            if remainder > 0 { result += 1 }
        case .halfAwayFromZero:
            if remainder.magnitude >= unit.magnitude - remainder.magnitude {
                result += remainder > 0 ? 1 : -1
            }
        }
        let (scaled, overflow) = result.multipliedReportingOverflow(by: unit)
        return overflow ? (raw < 0 ? .min : .max) : Fixed(raw: scaled)
    }
}
