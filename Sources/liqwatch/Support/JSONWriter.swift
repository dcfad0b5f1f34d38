import RiskEngine

/// Writes JSON with keys in the order given (reports are read by people too) and numbers as exact
/// decimals: a `Fixed` is printed from its digits, never through `Double`.
enum JSON {
    indirect enum Value {
        case object([(String, Value)])
        case array([Value])
        case string(String)
        /// A number's exact text.
        case number(String)
        case bool(Bool)
        case null
    }

    static func number(_ value: Fixed, decimals: Int) -> Value {
        // Saturated: no figure (a bound is not a number a script should add up).
        if value.isSaturated { return .null }
        // Trimmed as bytes: `String.contains` went through Foundation and each `removeLast` walked
        // graphemes, most of a report of thousands of markets' stress rows.
        var bytes = Array(value.formatted(decimals).utf8)
        if bytes.contains(UInt8(ascii: ".")) {
            while bytes.last == UInt8(ascii: "0") { bytes.removeLast() }
            if bytes.last == UInt8(ascii: ".") { bytes.removeLast() }
        }
        let text = String(decoding: bytes, as: UTF8.self)
        return .number(text == "-0" ? "0" : text)
    }

    static func number(_ value: Fixed?, decimals: Int) -> Value {
        value.map { number($0, decimals: decimals) } ?? .null
    }

    static func number(_ value: Int) -> Value { .number(String(value)) }

    static func number(_ value: Double, decimals: Int = 6) -> Value {
        guard value.isFinite else { return .null }
        return number(Fixed(approximating: value), decimals: decimals)
    }

    static func render(_ value: Value, indent: Int = 0, pretty: Bool = true) -> String {
        var output = ""
        write(value, indent: indent, pretty: pretty, into: &output)
        return output
    }

    private static func write(_ value: Value, indent: Int, pretty: Bool, into output: inout String) {
        let pad = pretty ? String(repeating: "  ", count: indent + 1) : ""
        let closePad = pretty ? String(repeating: "  ", count: indent) : ""
        let newline = pretty ? "\n" : ""
        switch value {
        case .object(let members):
            if members.isEmpty { output += "{}"; return }
            output += "{" + newline
            for (offset, member) in members.enumerated() {
                output += pad + quoted(member.0) + (pretty ? ": " : ":")
                write(member.1, indent: indent + 1, pretty: pretty, into: &output)
                output += (offset < members.count - 1 ? "," : "") + newline
            }
            output += closePad + "}"
        case .array(let values):
            if values.isEmpty { output += "[]"; return }
            let scalarsOnly = values.allSatisfy { if case .object = $0 { return false }; if case .array(let inner) = $0 { return inner.allSatisfy { if case .object = $0 { return false }; return true } }; return true }
            if scalarsOnly {
                output += "["
                for (offset, element) in values.enumerated() {
                    write(element, indent: indent + 1, pretty: false, into: &output)
                    if offset < values.count - 1 { output += pretty ? ", " : "," }
                }
                output += "]"
                return
            }
            output += "[" + newline
            for (offset, element) in values.enumerated() {
                output += pad
                write(element, indent: indent + 1, pretty: pretty, into: &output)
                output += (offset < values.count - 1 ? "," : "") + newline
            }
            output += closePad + "]"
        case .string(let text): output += quoted(text)
        case .number(let text): output += text
        case .bool(let flag): output += flag ? "true" : "false"
        case .null: output += "null"
        }
    }

    static func quoted(_ text: String) -> String { SafeText.jsonQuoted(text) }
}
