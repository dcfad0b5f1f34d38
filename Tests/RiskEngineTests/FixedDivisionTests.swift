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

    @Test("products at the scale of prices and sizes round half away from zero")
    func products() {
        #expect(fx("61659.70") * fx("1.486") == fx("91626.3142"))
        #expect(fx("-0.000000000000000003") * fx("0.5") == fx("-0.000000000000000002"))
        #expect(fx("2") / fx("3") == fx("0.666666666666666667"))
    }
}
