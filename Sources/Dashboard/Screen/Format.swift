import Foundation
import RiskEngine

/// Number and chart formatting for panes. Money and prices come from exact `Fixed` values;
/// `Double` only sizes bars and sparklines.
enum Format {
    static func price(_ value: Fixed?, _ instrument: Instrument?) -> String {
        guard let value else { return "—" }
        // Each market at its own tick's precision (an AKRO price has five places, a BTC one two).
        return value.formatted(instrument.map { min($0.priceDecimals, 8) } ?? 2, grouping: true)
    }

    /// A price with every digit it has (up to 8), at least the tick's: a mark from a feed may be
    /// finer than the tick (Bybit's 1.95374 on a 0.0001 tick read 1.9538, and the notional worked
    /// from it did not match the figure shown; operator trial).
    static func exactPrice(_ value: Fixed?, _ instrument: Instrument?) -> String {
        guard let value else { return "—" }
        return value.formatted(atLeast: instrument?.priceDecimals ?? 2, grouping: true)
    }

    static func units(_ value: Int64, decimals: Int) -> String {
        BookUnits.format(value, decimals: decimals, grouping: true)
    }

    /// The decimals a column of book-unit values is shown with: the instrument's (at most
    /// `floor`, so a contract nobody described does not fill its column with zeros), or more
    /// where a value needs them, up to eight: a number is shown exactly or not at all.
    /// A lot nobody described (a book unit, eight places) sets no places of its own: the values'
    /// digits do (a learnt contract's whole sizes read `3,384.0000` and pushed the ladder's
    /// cumulative column out: operator trial).
    static func columnDecimals(_ values: [Int64], instrument: Int, floor: Int = 4) -> Int {
        values.reduce(instrument >= BookUnits.places ? 0 : min(instrument, floor)) { max($0, BookUnits.significantDecimals($1)) }
    }

    /// A quantity with every digit it has (at least the instrument's lot decimals, up to four
    /// where none are needed), grouped, the same in every pane: "0.124" hid Hyperliquid's
    /// 0.12432 BTC, and the positions showed "25702.7353" where the tape showed "25,702.735".
    static func quantity(_ value: Fixed, _ instrument: Instrument?) -> String {
        // One rule for a market's quantities, the reports' and alerts' too (`Instrument.quantityText`).
        Instrument.quantityText(value, sizeDecimals: instrument?.sizeDecimals ?? 3)
    }

    /// As many whole words as fit, with "…" when some are left out: a figure in a notice is
    /// never cut in the middle (`2024-08-08T2`).
    static func wordsThatFit(_ text: String, _ width: Int) -> String {
        guard DisplayWidth.of(text) > width else { return text }
        // A closing parenthesis is an aside: it goes whole before the words it follows are cut
        // (at 80 columns `· paused (space plays on` lost its ")": operator trial).
        // Only a plain aside: one with figures says something (`(1 with a deficit, 2 to ADL)`),
        // and a nested one would be cut at its inner parenthesis (review).
        if text.hasSuffix(")"), let open = text.range(of: " (", options: .backwards) {
            let aside = text[open.upperBound...].dropLast()
            let shorter = String(text[..<open.lowerBound])
            if !aside.contains(where: { $0.isNumber || $0 == "(" || $0 == ")" }), DisplayWidth.of(shorter) <= width { return shorter }
        }
        var kept = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: false) {
            let next = kept.isEmpty ? String(word) : kept + " " + word
            if DisplayWidth.of(next) + 2 > width { break }
            kept = next
        }
        return kept + " …"
    }

    /// A count with thousands separators: 1,000,000.
    static func count(_ value: Int) -> String { Fixed(value).formatted(0, grouping: true) }

    static func money(_ value: Fixed, decimals: Int = 2) -> String { value.formatted(decimals, grouping: true) }

    /// Money a reader recomputes from: to the cent when that is all it has, else to eight places
    /// (`10.42332759`), `≈` when even those round it. An isolated margin of 302.2765 ÷ 29 shown
    /// `10.42` gave a liquidation price 0.67 off the one shown (operator trial).
    static func moneyForFormula(_ value: Fixed, decimals: Int = 2) -> String {
        if value.rounded(places: decimals) == value { return money(value, decimals: decimals) }
        let places = max(decimals, 8)
        let rounded = value.rounded(places: places)
        var text = rounded.formatted(places, grouping: true)
        // Trailing zeros past the asset's own places say nothing.
        while text.hasSuffix("0"), let dot = text.firstIndex(of: "."), text.distance(from: dot, to: text.endIndex) > decimals + 1 {
            text.removeLast()
        }
        return (rounded == value ? "" : "≈") + text
    }

    /// 1,234,567 → "1.23M"; for columns that must stay narrow.
    static func compact(_ value: Double) -> String {
        let magnitude = abs(value)
        // A reading at the largest figure liqwatch holds is a sum that saturated, a bound and not
        // a figure: `≥`, as the exact forms show it (the signals pane's depth and the alerts
        // view read `1.70e+20` bare: attacker trial).
        if magnitude >= saturatedMagnitude { return (value < 0 ? "≤-" : "≥") + String(format: "%.2e", magnitude) }
        let sign = value < 0 ? "-" : ""
        func fixed(_ number: Double, _ suffix: String) -> String {
            sign + Fixed(approximating: number).formatted(number >= 100 ? 0 : (number >= 10 ? 1 : 2)) + suffix
        }
        // Trillions too: an exchange's reported notional of 9.2T each read `166021B` (attacker trial).
        if magnitude >= 1e12 { return magnitude >= 1e15 ? sign + String(format: "%.2e", magnitude) : fixed(magnitude / 1e12, "T") }
        if magnitude >= 1e9 { return fixed(magnitude / 1e9, "B") }
        if magnitude >= 1e6 { return fixed(magnitude / 1e6, "M") }
        if magnitude >= 1e4 { return fixed(magnitude / 1e3, "k") }
        return sign + Fixed(approximating: magnitude).formatted(magnitude >= 100 ? 0 : 2, grouping: true)
    }

    /// An amount of `asset` as the deficit columns show money: dollars compact (`12.4k`), a coin
    /// exact in its eight places, as the tape shows it (a stressed deficit of 0.0028 BTC read
    /// "0.00" in `compact`'s cents, and 3,126.85 UNI read "3,127" beside the report's figure).
    static func compactMoney(_ value: Fixed, asset: String) -> String {
        let places = AssetPrecision.decimals(forAsset: asset)
        return places > 2 ? money(value, decimals: places) : compact(value.approximateDouble)
    }

    /// The magnitude of a saturated figure as a Double: `compact` marks it with `≥` or `≤`
    /// (`1.70e+20` read as a figure: review).
    static let saturatedMagnitude = Fixed.max.approximateDouble

    /// A stressed deficit as the markets and signals panes show it: below ten thousand to the
    /// cent, as the fund pane shows the same figure (`3,442` beside its `3,442.27` read as
    /// another figure, a whole number with no suffix passing for an exact one: operator trial);
    /// above, compact (`12.4k`); a coin exact.
    static func stressMoney(_ value: Fixed, asset: String) -> String {
        let places = AssetPrecision.decimals(forAsset: asset)
        return places > 2 || value.magnitude < Fixed(10_000) ? money(value, decimals: places) : compact(value.approximateDouble)
    }

    /// The same of a signal's reading (a Double).
    static func compactMoney(_ value: Double, asset: String) -> String {
        compactMoney(Fixed(approximating: value), asset: asset)
    }

    static func percent(_ fraction: Double?, decimals: Int = 2) -> String {
        guard let fraction, fraction.isFinite else { return "—" }
        return Fixed(approximating: fraction * 100).formatted(decimals, grouping: true) + "%"
    }

    /// A share of the book the stressed deficit's positions would take, in whole percent
    /// rounded down by the engine (`99%` for 99.6 %: `100%` would say the book runs out, and it
    /// does not), `>999%` past that; `≥` where more were near liquidation than were taken.
    static func bookShare(_ stress: StressedDeficit) -> String {
        let floor = stress.beyondLimit && stress.positionsSide == stress.bookShareSide ? "≥" : ""
        return floor + (stress.bookSharePercent > 999 ? ">999" : Format.count(stress.bookSharePercent)) + "%"
    }

    /// How far the nearest of the stress's positions is from its liquidation price (`nearest
    /// 3.20% away`, rounded down as every distance; `nearest past its liq price` while its
    /// liquidation waits), or nil with no position or distance: the stress liquidates the
    /// riskiest however far they are, and `ADL near` read as imminent beside positions 3.2 %
    /// away (operator trial).
    static func nearestAway(_ stress: StressedDeficit) -> String? {
        guard stress.positions > 0 else { return nil }
        if stress.nearestIsPast { return "nearest past its liq price" }
        guard let distance = stress.nearestDistancePercent else { return nil }
        return "nearest \(Format.distance(distance)) away"
    }

    /// What share of a stressed deficit the fund's balance covers, in whole percent rounded down
    /// exactly: ADL is near from a deficit of the balance up, and a fund of 9,960 beside a
    /// deficit of 10,000 read `100%` (rounded to the nearest from Doubles) beside `ADL near`
    /// (review). Past 9,999 % `>9,999%`.
    static func coverShare(balance: Fixed, deficit: Fixed) -> String {
        guard deficit.isPositive else { return "—" }
        return cappedPercentDown(balance * Fixed(100) / deficit, decimals: 0)
    }

    /// A percentage rounded down, as the engine's bounds compare, that stops growing where its
    /// size stops mattering: a margin ratio of 9,999 % is as far past liquidation (100 %) as one
    /// of 10²⁰ % (a margin balance a hair above zero), and reads ">9,999%" instead of a figure no
    /// column can hold.
    static func cappedPercentDown(_ percent: Fixed, decimals: Int) -> String {
        if percent >= Fixed(9_999) + Fixed(raw: Fixed.scale / 2) { return ">9,999%" }
        return percent.formatted(decimals, rounding: .down, grouping: true) + "%"
    }

    /// The engine's exact margin ratio to a tenth, rounded down as its bands compare (`≥ 50 %`
    /// warns: 49.96 % read `50.0%` in the ok colour, review), so below 100 % it never reads
    /// `100.0%` (99.96 % did, a missed liquidation to the eye: operator trial).
    static func marginRatio(_ ratio: Fixed) -> String { cappedPercentDown(ratio * Fixed(100), decimals: 1) }

    /// A fraction (a drawdown, a ratio) as a percentage rounded down, as the engine's bounds compare.
    static func percentDown(_ fraction: Fixed, decimals: Int) -> String { cappedPercentDown(fraction * Fixed(100), decimals: decimals) }

    /// A distance to liquidation (% of the mark) to a hundredth, rounded down, so the figure and
    /// the engine's class of it agree: the alert band is `< 0.5 %`, and 0.4999 % rounded to the
    /// nearest read `0.50%` in the alert colour (review). A class's bounds have at most two
    /// decimals, and `x < b` exactly when `x` rounded down to hundredths is `< b`.
    static func distance(_ percent: Fixed?, unit: String = "%") -> String {
        guard let percent else { return "—" }
        return percent.formatted(2, rounding: .down, grouping: true) + unit
    }

    static func decimal(_ value: Double?, decimals: Int = 2) -> String {
        guard let value, value.isFinite else { return "—" }
        return Fixed(approximating: value).formatted(decimals, grouping: true)
    }

    /// Right-aligns (or truncates) to a width in cells (display width: a CJK character is two).
    static func right(_ text: String, _ width: Int) -> String {
        let cells = DisplayWidth.of(text)
        if cells > width { return fitted(text, width, keepingEnd: true) }
        return String(repeating: " ", count: width - cells) + text
    }

    /// A name (an account, a market) in at most `width` cells: shortened with a closing "…" so a
    /// cut name never passes for a whole one. Figures never go through here.
    static func name(_ text: String, _ width: Int) -> String {
        guard DisplayWidth.of(text) > width else { return left(text, width) }
        guard width > 1 else { return left("…", width) }
        return left(fitted(text, width - 1, keepingEnd: false).trimmingTrailingSpaces + "…", width)
    }

    /// An identifier too long for `width` cells kept at both ends, `…` in the middle (`I-30…412`):
    /// accounts numbered alike differ at their ends, and cut at the end `I-3007412` and
    /// `I-3000412` read as one, `I-30074…` and `I-30004…` as nothing (operator trial, 80×24).
    static func middleName(_ text: String, _ width: Int) -> String {
        guard DisplayWidth.of(text) > width else { return left(text, width) }
        guard width >= 5 else { return name(text, width) }
        let tail = (width - 1) / 2
        // `fitted` pads what it keeps to the width asked (a wide character may leave a cell).
        let head = fitted(text, width - 1 - tail, keepingEnd: false).trimmingTrailingSpaces
        let end = fitted(text, width - 1 - DisplayWidth.of(head), keepingEnd: true)
        return left(head + "…" + end.drop { $0 == " " }, width)
    }

    /// A market's name too long for `width` cells, cut so what tells markets apart stays: its last
    /// part whole where it fits beside a few characters of the rest (`BTC-U…220527`, the expiry
    /// that tells two futures apart; cut at the end, `BTC-USD-2205…` dropped it: operator trial),
    /// else both ends (`BTC-…527`).
    static func marketName(_ text: String, _ width: Int) -> String {
        guard DisplayWidth.of(text) > width else { return left(text, width) }
        if let separator = text.lastIndex(where: { $0 == "-" || $0 == "_" || $0 == ":" }) {
            let last = String(text[text.index(after: separator)...])
            let lastWidth = DisplayWidth.of(last)
            if lastWidth >= 1 && width - 1 - lastWidth >= 3 {
                let head = fitted(text, width - 1 - lastWidth, keepingEnd: false).trimmingTrailingSpaces
                return left(head + "…" + last, width)
            }
        }
        return middleName(text, width)
    }

    /// `text` in lines of at most `width` cells, broken between words, so a figure in a sentence
    /// moves to the next line whole instead of being cut at the edge (a word wider than the line
    /// stands alone on its line).
    static func wrapped(_ text: String, _ width: Int) -> [String] {
        // A line that fits is kept as it is (its alignment spaces too).
        guard DisplayWidth.of(text) > width else { return [text] }
        var lines: [String] = []
        var current = ""
        for word in text.split(separator: " ") {
            let next = current.isEmpty ? String(word) : current + " " + word
            if DisplayWidth.of(next) > width && !current.isEmpty {
                lines.append(current)
                current = String(word)
            } else {
                current = next
            }
        }
        if !current.isEmpty || lines.isEmpty { lines.append(current) }
        return lines
    }

    /// Left-aligns (or truncates) to a width in cells.
    static func left(_ text: String, _ width: Int) -> String {
        let cells = DisplayWidth.of(text)
        if cells > width { return fitted(text, width, keepingEnd: false) }
        return text + String(repeating: " ", count: width - cells)
    }

    /// The longest start (or end) of `text` that takes at most `width` cells, padded to exactly
    /// `width` when a wide character would have straddled the edge.
    static func fitted(_ text: String, _ width: Int, keepingEnd: Bool) -> String {
        guard width > 0 else { return "" }
        var kept = String.UnicodeScalarView()
        var cells = 0
        // Measured as the buffer draws it: composed, and a mark left over a placeholder cell
        // (counted as none, `alice` + U+0334 took a cell more than measured and moved every
        // column after it: review).
        // Composed only where it holds a mark, as `DisplayWidth.of` does: normalising every name
        // cut to its column, each frame, was work for nothing.
        let source = text.unicodeScalars.contains { DisplayWidth.of($0) == 0 } ? DisplayWidth.composed(text) ?? text : text
        let scalars = keepingEnd ? Array(source.unicodeScalars.reversed()) : Array(source.unicodeScalars)
        for scalar in scalars {
            let measured = DisplayWidth.of(scalar)
            let taken = measured <= 0 ? 1 : measured
            if cells + taken > width { break }
            kept.append(scalar)
            cells += taken
        }
        let body = keepingEnd ? String(String.UnicodeScalarView(kept.reversed())) : String(kept)
        let pad = String(repeating: " ", count: width - cells)
        return keepingEnd ? pad + body : body + pad
    }

    /// An ADL score: four places under 1 (Binance's scores are small fractions), two above.
    static func score(_ value: Fixed) -> String {
        let magnitude = value.isNegative ? -value : value
        return value.formatted(magnitude < Fixed.one ? 4 : 2, grouping: true)
    }

    /// The ADL queue indicator exchanges show: `lit` of five lights ("■■■□□").
    static func lights(_ lit: Int) -> String {
        let count = max(0, min(5, lit))
        return String(repeating: "■", count: count) + String(repeating: "□", count: 5 - count)
    }

    static let sparks: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    /// The last `width` values as a sparkline scaled to their own range, or `fromZero` from 0 to
    /// their largest: heights in proportion to the values, for a chart with no scale beside it
    /// (a ratio at ALERT easing from 10.49x to 9.96x was drawn falling from the top to the
    /// bottom, and read as a recovery: operator trial).
    static func sparkline(_ values: [Double], width: Int, fromZero: Bool = false) -> String {
        let shown = values.suffix(width).filter(\.isFinite)
        guard var low = shown.min(), let high = shown.max() else { return "" }
        if fromZero { low = Swift.min(low, 0) }
        let span = high - low
        return String(shown.map { value in
            let level = span > 0 ? Int(((value - low) / span * 7).rounded()) : (fromZero ? 0 : 3)
            return sparks[max(0, min(7, level))]
        })
    }

    static let eighths: [Character] = ["▏", "▎", "▍", "▌", "▋", "▊", "▉", "█"]

    /// A horizontal bar of `fraction` of `width` cells, with eighth-cell resolution.
    static func bar(_ fraction: Double, width: Int) -> String {
        guard width > 0, fraction.isFinite, fraction > 0 else { return "" }
        let eighthsTotal = Int((min(1, fraction) * Double(width) * 8).rounded())
        let full = eighthsTotal / 8
        let rest = eighthsTotal % 8
        var text = String(repeating: "█", count: full)
        if rest > 0 && full < width { text.append(eighths[rest - 1]) }
        return text
    }

    static func clock(_ nanoseconds: Int64) -> String { EventTime.timeOfDay(nanoseconds, milliseconds: false) }

    static func clockMillis(_ nanoseconds: Int64) -> String { EventTime.timeOfDay(nanoseconds) }

    static func sideMark(_ side: Side) -> String { side == .long ? "▲ long" : "▼ short" }
}

extension String {
    var trimmingTrailingSpaces: String {
        var text = Substring(self)
        while text.last == " " { text.removeLast() }
        return String(text)
    }
}
