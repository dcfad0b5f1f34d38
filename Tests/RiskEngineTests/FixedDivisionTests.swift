import Testing
@testable import RiskEngine

@Suite("Fixed: the 256-bit division behind a × b / c")
struct FixedDivisionTests {
    /// Random 128-bit magnitudes of every width, so both the 64-bit divisor path and the generic
    /// one are taken, at their edges too.
    static func magnitude(_ rng: inout SplitMix64) -> UInt128 {
        let bits = Int.random(in: 1...128, using: &rng)
        let value = (UInt128(rng.next()) << 64) | UInt128(rng.next())
        return bits == 128 ? value : value & ((UInt128(1) << UInt128(bits)) - 1)
    }

    @Test("two hardware divisions give what the generic division gives, for every divisor width")
    func agreesWithGenericDivision() {
        var rng = SplitMix64(seed: 31)
        var smallDivisors = 0
        for _ in 0..<200_000 {
            var divisor = Self.magnitude(&rng)
            if divisor == 0 { divisor = 1 }
            let low = Self.magnitude(&rng)
            // The caller guarantees the high half is below the divisor.
            let high = Self.magnitude(&rng) % divisor
            let product = (high: high, low: low)
            let fast = Fixed.divide(product, by: divisor)
            let generic = divisor.dividingFullWidth(product)
            #expect(fast.quotient == generic.quotient && fast.remainder == generic.remainder, "\(product) / \(divisor)")
            if divisor >> 64 == 0 { smallDivisors += 1 }
        }
        #expect(smallDivisors > 50_000, "the 64-bit path was exercised")
        // The edges: the largest dividend under a divisor of 2⁶⁴ − 1, and a divisor of one.
        let maxSmall = UInt128(UInt64.max)
        let edge = (high: maxSmall - 1, low: UInt128.max)
        #expect(Fixed.divide(edge, by: maxSmall) == maxSmall.dividingFullWidth(edge))
        #expect(Fixed.divide((high: 0, low: 12345), by: 1) == (12345, 0))
    }

    @Test("a divisor past 64 bits: Knuth's two steps give what the generic division gives, at their edges")
    func wideDivisorEdges() {
        var rng = SplitMix64(seed: 61)
        // Divisors at each normalising shift (0...63), with low words that make the first
        // estimate too large (a small second word against a large remainder) and exact ones.
        var divisors: [UInt128] = [UInt128(1) << 64, (UInt128(1) << 64) + 1, UInt128.max, UInt128(1) << 127,
            (UInt128(1) << 127) | UInt128(UInt64.max), (UInt128(UInt64.max) << 64), (UInt128(UInt64.max) << 64) | 1]
        for shift in 0..<64 {
            let top = (UInt128(1) << 127) >> UInt128(shift)
            divisors.append(top)
            divisors.append(top | UInt128(UInt64.max))
            divisors.append(top | (UInt128(rng.next()) & ((top << 1) &- 1)))
        }
        for divisor in divisors {
            let highs: [UInt128] = [0, 1, divisor - 1, divisor / 2, divisor >> 64, (UInt128(rng.next()) << 64 | UInt128(rng.next())) % divisor]
            for high in highs {
                for low in [0, 1, UInt128.max, UInt128(UInt64.max), UInt128(UInt64.max) << 64, UInt128(rng.next()) << 64 | UInt128(rng.next())] {
                    let product = (high: high, low: low)
                    let fast = Fixed.divide(product, by: divisor)
                    let generic = divisor.dividingFullWidth(product)
                    #expect(fast.quotient == generic.quotient && fast.remainder == generic.remainder, "\(product) / \(divisor)")
                }
            }
        }
    }

    @Test("a 128-bit dividend over any divisor gives what the runtime's division gives")
    func narrowDivisionAgreesWithRuntime() {
        var rng = SplitMix64(seed: 53)
        var wide = 0
        for _ in 0..<300_000 {
            var divisor = Self.magnitude(&rng)
            if divisor == 0 { divisor = 1 }
            let dividend = Self.magnitude(&rng)
            let routed = Fixed.divide(dividend, by: divisor)
            let runtime = dividend.quotientAndRemainder(dividingBy: divisor)
            #expect(routed.quotient == runtime.quotient && routed.remainder == runtime.remainder, "\(dividend) / \(divisor)")
            if divisor >> 64 != 0 { wide += 1 }
        }
        #expect(wide > 100_000, "the wide-divisor route was exercised")
        var edges: [(UInt128, UInt128)] = [(UInt128.max, UInt128.max), (UInt128.max, UInt128(1) << 64), (UInt128.max - 1, UInt128.max),
            (UInt128.max, (UInt128(1) << 64) + 1), ((UInt128(1) << 64) - 1, UInt128(1) << 64), (UInt128(1) << 127, (UInt128(1) << 127) + 1)]
        // A 64-bit divisor whose quotient fits 64 bits (one hardware division) and one whose does not (two).
        let scale: UInt128 = 1_000_000_000_000_000_000
        let top = UInt128(UInt64.max)
        edges.append((scale * 12_345 + 7, scale))
        edges.append(((UInt128(5) << 64) | 3, 7))
        edges.append((UInt128(9) << 64, 7))
        edges.append((UInt128(7) << 64, 7))
        edges.append(((UInt128(6) << 64) | top, 7))
        edges.append(((top << 64) | 5, top))
        edges.append((((top - 1) << 64) | top, top))
        for (dividend, divisor) in edges {
            let routed = Fixed.divide(dividend, by: divisor)
            let runtime = dividend.quotientAndRemainder(dividingBy: divisor)
            #expect(routed.quotient == runtime.quotient && routed.remainder == runtime.remainder, "\(dividend) / \(divisor)")
        }
    }

    /// `Fixed.mulDiv` as it was before its 128-bit route: the 256-bit product and division
    /// whatever the operands.
    static func mulDivThroughFullWidth(_ a: Int128, _ b: Int128, _ c: Int128) -> Int128 {
        let negative = ((a < 0) != (b < 0)) != (c < 0)
        let product = a.magnitude.multipliedFullWidth(by: b.magnitude)
        let divisor = c.magnitude
        if product.high >= divisor { return negative ? Int128.min + 1 : Int128.max }
        let (quotient, remainder) = Fixed.divide(product, by: divisor)
        var rounded = quotient
        if remainder >= divisor - remainder { rounded &+= 1 }
        if rounded > UInt128(Int128.max) { return negative ? Int128.min + 1 : Int128.max }
        let value = Int128(rounded)
        return negative ? -value : value
    }

    /// A product that fits 128 bits is divided without the 256-bit intermediate; the result, its
    /// rounding and its saturation must be the same, for operands of every width and sign.
    @Test("the 128-bit route gives what the 256-bit route gives, and saturates the same")
    func narrowProductAgreesWithFullWidth() {
        var rng = SplitMix64(seed: 47)
        var narrow = 0
        for _ in 0..<200_000 {
            func signed(_ magnitude: UInt128) -> Int128 {
                let value = Int128(truncatingIfNeeded: magnitude >> 1)
                return rng.next() & 1 == 0 ? value : -value
            }
            let a = signed(Self.magnitude(&rng))
            let b = signed(Self.magnitude(&rng))
            let c = Int.random(in: 0..<4, using: &rng) == 0 ? Fixed.scale : signed(Self.magnitude(&rng))
            let routed = Fixed.mulDiv(a, b, c)
            #expect(routed == Self.mulDivThroughFullWidth(a, b, c), "\(a) × \(b) / \(c)")
            if a.magnitude.leadingZeroBitCount + b.magnitude.leadingZeroBitCount >= 128 { narrow += 1 }
        }
        #expect(narrow > 50_000, "the 128-bit route was exercised")
        #expect(Fixed.mulDiv(5, 3, 0) == Int128.max && Fixed.mulDiv(-5, 3, 0) == Int128.min + 1)
        #expect(Fixed.mulDiv(Int128.max, 1, 1) == Int128.max && Fixed.mulDiv(Int128.max, -1, 1) == -Int128.max)
        #expect(Fixed.mulDiv(7, 1, 2) == 4 && Fixed.mulDiv(-7, 1, 2) == -4 && Fixed.mulDiv(5, 1, 3) == 2)
    }

    /// Rounding divides the magnitude once; it must round as the plain `/` and `%` definition
    /// does, for either sign and every rule.
    @Test("rounding to a unit matches the definition for every rule and sign")
    func roundingMatchesDefinition() {
        var rng = SplitMix64(seed: 59)
        let rules: [RoundingRule] = [.halfAwayFromZero, .down, .up, .towardZero]
        for _ in 0..<50_000 {
            let raw = Int128(truncatingIfNeeded: Self.magnitude(&rng) >> 8) * (rng.next() & 1 == 0 ? 1 : -1)
            let step = Int128(Int.random(in: 2...1_000_000, using: &rng)) * (Int.random(in: 0..<2, using: &rng) == 0 ? 1 : 10_000_000_000)
            for rule in rules {
                let quotient = raw / step
                let remainder = raw % step
                var expected = quotient
                if remainder != 0 {
                    switch rule {
                    case .towardZero: break
                    case .down: if remainder < 0 { expected -= 1 }
                    case .up: if remainder > 0 { expected += 1 }
                    case .halfAwayFromZero: if remainder.magnitude * 2 >= step.magnitude { expected += remainder > 0 ? 1 : -1 }
                    }
                }
                #expect(Fixed(raw: raw).rounded(toMultipleOf: Fixed(raw: step), rule) == Fixed(raw: expected * step), "\(raw) to \(step) \(rule)")
            }
        }
        #expect(fx("-2.345").rounded(places: 2) == fx("-2.35") && fx("-2.345").rounded(places: 2, .towardZero) == fx("-2.34"))
        #expect(fx("2.345").rounded(places: 0, .up) == fx("3") && fx("-2.345").rounded(places: 0, .down) == fx("-3"))
    }

    @Test("products at the scale of prices and sizes round half away from zero")
    func products() {
        #expect(fx("61659.70") * fx("1.486") == fx("91626.3142"))
        #expect(fx("-0.000000000000000003") * fx("0.5") == fx("-0.000000000000000002"))
        #expect(fx("2") / fx("3") == fx("0.666666666666666667"))
    }

    @Test("times a side's sign (±1) is the product the 128-bit multiplication gives, saturation included")
    func timesSign() {
        func product(_ value: Fixed, _ factor: Int) -> Fixed {
            let (result, overflow) = value.raw.multipliedReportingOverflow(by: Int128(factor))
            if overflow { return (value.raw < 0) != (factor < 0) ? .min : .max }
            return Fixed(raw: result)
        }
        for raw in [Int128.min, Int128.min + 1, -1, 0, 1, Int128.max - 1, Int128.max, 123_456_789_000_000_000_000] {
            for factor in [1, -1, 2, -3] {
                #expect(Fixed(raw: raw) * factor == product(Fixed(raw: raw), factor), "\(raw) × \(factor)")
            }
        }
    }
}
