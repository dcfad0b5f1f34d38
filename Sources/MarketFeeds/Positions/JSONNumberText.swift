import RiskEngine

/// A JSON number written with an exponent (`5e-05`, as Python's `json.dumps` writes small floats),
/// as the plain decimal it is exactly (`0.00005`), for a positions file's fields: decimals may be
/// numbers, and `"size": 5e-05` was refused as "not a decimal number" (attacker trial). Exponents
/// past ±40 are left as written (refused by the field's own check: no size or price needs them).
enum JSONNumberText {
    static func plain(_ value: JSONValue) -> String? {
        guard case .number(let text) = value else { return value.scalarText }
        return expanded(text) ?? text
    }

    /// `text` without its exponent; nil when it has none, or not one to expand.
    static func expanded(_ text: String) -> String? {
        // A mantissa of more digits than any field holds is left as written (a megabyte of zeros
        // was stripped one at a time: review), and so is an exponent past ±40 (`Int.min` trapped
        // in `abs`: review).
        guard text.utf8.count <= 80, let mark = text.firstIndex(where: { $0 == "e" || $0 == "E" }),
              let exponent = Int(text[text.index(after: mark)...]), (-40...40).contains(exponent) else { return nil }
        var mantissa = text[..<mark]
        let negative = mantissa.hasPrefix("-")
        if negative { mantissa = mantissa.dropFirst() }
        let parts = mantissa.split(separator: ".", omittingEmptySubsequences: false)
        // JSON's own form: digits before the point, and after it when there is one (`1.e2` is none).
        guard parts.count <= 2, !parts[0].isEmpty, parts.count == 1 || !parts[1].isEmpty else { return nil }
        var digits = Array(parts[0] + (parts.count == 2 ? parts[1] : ""))
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        // Where the point falls among the digits.
        var point = parts[0].count + exponent
        if point <= 0 {
            digits = Array(repeating: "0", count: 1 - point) + digits
            point = 1
        }
        if point >= digits.count { digits += Array(repeating: "0", count: point - digits.count) }
        // One zero before the point at most (`05.5` is no decimal the fields read).
        var whole = String(digits[..<point])
        while whole.count > 1 && whole.hasPrefix("0") { whole.removeFirst() }
        let fraction = String(digits[point...])
        return (negative ? "-" : "") + whole + (fraction.isEmpty ? "" : "." + fraction)
    }
}
