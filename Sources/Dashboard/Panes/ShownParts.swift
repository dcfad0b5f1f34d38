import RiskEngine

/// Parts of a total, shown rounded, that must add up to the total as shown: each rounded to
/// `places` on its own, the fund pane's `balance 250,637.06` stood over `opening 250,000.00`,
/// `fees +618.01` and `surplus +19.04`, a cent short (operator trial). Each part is rounded,
/// then the difference from the rounded total is given a last-place unit at a time to the parts
/// the rounding moved furthest from their value (largest remainders), so every part shown is
/// within one unit of its value and the parts add up.
enum ShownParts {
    /// `adjustable`: which parts may take the unit (all when empty); the others stay as they
    /// round on their own, and a gap they alone cannot close is left.
    static func rounded(_ parts: [Fixed], total: Fixed, places: Int, adjustable: [Bool] = []) -> [Fixed] {
        var shown = parts.map { $0.rounded(places: places) }
        // Parts that do not make the total exactly (saturated sums) are left as rounded.
        guard !parts.isEmpty, parts.reduce(Fixed.zero, +) == total else { return shown }
        let clamped = max(0, min(Fixed.places, places))
        var unitRaw = Fixed.scale
        for _ in 0..<clamped { unitRaw /= 10 }
        let unit = Fixed(raw: unitRaw)
        var gap = total.rounded(places: places) - shown.reduce(Fixed.zero, +)
        // At most one unit a part: each part's rounding is off by half a unit at most, so the
        // gap is within the parts' count of units, and every part moved was rounded the gap's way.
        var moved = Set<Int>()
        let movable = parts.indices.filter { adjustable.isEmpty || ($0 < adjustable.count && adjustable[$0]) }
        while !gap.isZero && moved.count < movable.count {
            let up = gap.isPositive
            // The part rounded down furthest (to move up), or up furthest (to move down).
            // Only a part the rounding moved the other way: moved again, it stays within a unit.
            let candidates = movable.filter { !moved.contains($0) && (up ? parts[$0] > shown[$0] : parts[$0] < shown[$0]) }
            guard let pick = candidates.max(by: { a, b in
                let ra = parts[a] - shown[a], rb = parts[b] - shown[b]
                return up ? ra < rb : ra > rb
            }) else { break }
            shown[pick] = shown[pick] + (up ? unit : Fixed.zero - unit)
            gap = gap - (up ? unit : Fixed.zero - unit)
            moved.insert(pick)
        }
        return shown
    }
}
