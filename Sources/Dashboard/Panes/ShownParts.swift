import RiskEngine

/// Parts of a total, shown rounded, that must add up to the total as shown: each rounded to
/// `places` on its own, the fund pane's `balance 250,637.06` stood over `opening 250,000.00`,
/// `fees +618.01` and `surplus +19.04`, a cent short (operator trial). Each part is rounded,
/// then the difference from the rounded total is given a last-place unit at a time to the parts
/// the rounding moved furthest from their value (largest remainders), so every part shown is
/// within one unit of its value and the parts add up.
enum ShownParts {
    static func rounded(_ parts: [Fixed], total: Fixed, places: Int) -> [Fixed] {
        var shown = parts.map { $0.rounded(places: places) }
        // Parts that do not make the total exactly (saturated sums) are left as rounded.
        guard !parts.isEmpty, parts.reduce(Fixed.zero, +) == total else { return shown }
        let clamped = max(0, min(Fixed.places, places))
        var unitRaw = Fixed.scale
        for _ in 0..<clamped { unitRaw /= 10 }
        let unit = Fixed(raw: unitRaw)
        var gap = total.rounded(places: places) - shown.reduce(Fixed.zero, +)
        // At most one unit a part: the gap is less than half a unit a part.
        var moved = Set<Int>()
        while !gap.isZero && moved.count < parts.count {
            let up = gap.isPositive
            // The part rounded down furthest (to move up), or up furthest (to move down).
            let candidates = parts.indices.filter { !moved.contains($0) }
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
