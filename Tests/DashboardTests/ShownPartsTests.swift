import Testing
@testable import Dashboard
import RiskEngine

/// The fund pane's lines add up to its balance as shown: `balance 250,637.06` stood over `opening
/// 250,000.00`, `fees +618.01` and `surplus +19.04` (operator trial).
@Suite("Parts shown rounded add up to their total")
struct ShownPartsTests {
    @Test("each part within one unit of its value, and their sum the total as shown")
    func addsUp() {
        let parts = [Fixed(250_000), Fixed("618.0149")!, Fixed("19.0449")!]
        let total = parts.reduce(Fixed.zero, +)
        #expect(total.rounded(places: 2) == Fixed("250637.06")!)
        // Rounded each on its own they are a cent short.
        #expect(parts.map { $0.rounded(places: 2) }.reduce(Fixed.zero, +) == Fixed("250637.05")!)
        let shown = ShownParts.rounded(parts, total: total, places: 2)
        #expect(shown.reduce(Fixed.zero, +) == Fixed("250637.06")!, "\(shown)")
        #expect(shown[0] == Fixed(250_000))
        for (part, value) in zip(parts, shown) { #expect((part - value).magnitude < Fixed("0.01")!, "\(part) shown \(value)") }
    }

    @Test("a deficit (negative part) and a balance rounded down; parts that add up already are left alone; eight places for a coin")
    func negativeAndCoin() {
        let parts = [Fixed(8_000), Fixed("9741.504")!, Fixed("946.964")!, Fixed("-8874.224")!]
        let total = parts.reduce(Fixed.zero, +)
        let shown = ShownParts.rounded(parts, total: total, places: 2)
        #expect(shown.reduce(Fixed.zero, +) == total.rounded(places: 2), "\(shown)")
        let plain = [Fixed("1.25")!, Fixed("2.50")!]
        #expect(ShownParts.rounded(plain, total: Fixed("3.75")!, places: 2) == plain)
        let coin = [Fixed("0.123456785")!, Fixed("0.000000015")!]
        let coinShown = ShownParts.rounded(coin, total: coin[0] + coin[1], places: 8)
        #expect(coinShown.reduce(Fixed.zero, +) == (coin[0] + coin[1]).rounded(places: 8), "\(coinShown)")
        // Only the parts allowed take the unit (the opening and the deficits keep their own
        // rounding, as the report totals them); each part stays within a unit of its value.
        let fees = [Fixed(8_000), Fixed("9741.504")!, Fixed("946.964")!, Fixed("-8874.226")!]
        let feesTotal = fees.reduce(Fixed.zero, +)
        let kept = ShownParts.rounded(fees, total: feesTotal, places: 2, adjustable: [false, true, true, false])
        #expect(kept[0] == Fixed(8_000) && kept[3] == Fixed("-8874.23")!, "\(kept)")
        #expect(kept.reduce(Fixed.zero, +) == feesTotal.rounded(places: 2), "\(kept)")
        for (part, value) in zip(fees, kept) { #expect((part - value).magnitude < Fixed("0.01")!, "\(part) shown \(value)") }
        // Parts that do not make the total (a saturated sum) are only rounded.
        #expect(ShownParts.rounded([Fixed("1.004")!], total: Fixed(5), places: 2) == [Fixed(1)])
    }
}
