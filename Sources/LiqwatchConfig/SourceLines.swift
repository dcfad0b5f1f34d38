/// Where each key of a TOML text is written, and the value's text as written.
///
/// TOMLKit gives the parsed values but not their positions, and a warning or an error must name the
/// line. The text has already been accepted by TOMLKit, so this scanner only has to follow valid
/// TOML: table headers, `key = value` lines (dotted and quoted keys), and values that run over
/// several lines (arrays, multi-line strings), whose inner lines are not keys.
struct SourceLines: Sendable {
    struct Entry: Sendable {
        var line: Int
        /// The value as written, up to a comment; only for a value that starts and ends on its line.
        var rawValue: String?
    }

    private(set) var keys: [[String]: Entry] = [:]
    private(set) var headers: [[String]: Int] = [:]

    init(_ text: String) {
        var table: [String] = []
        var state = ValueState()
        for (index, lineText) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            var line = Substring(lineText)
            if line.hasSuffix("\r") { line = line.dropLast() }
            if state.isOpen {
                _ = Self.scanValue(line, &state)
                continue
            }
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            if trimmed.hasPrefix("[") {
                let isArray = trimmed.hasPrefix("[[")
                var inner = trimmed.dropFirst(isArray ? 2 : 1)
                if let close = Self.firstUnquoted("]", in: inner) { inner = inner[..<close] }
                table = Self.keyPath(inner)
                if headers[table] == nil { headers[table] = number }
                continue
            }
            guard let equals = Self.firstUnquoted("=", in: trimmed) else { continue }
            let path = table + Self.keyPath(trimmed[..<equals])
            let valueText = trimmed[trimmed.index(after: equals)...]
            let commentStart = Self.scanValue(valueText, &state)
            let raw = valueText[..<(commentStart ?? valueText.endIndex)].trimmingWhitespace()
            if keys[path] == nil { keys[path] = Entry(line: number, rawValue: state.isOpen ? nil : String(raw)) }
        }
    }

    /// The line a dotted key is written on: its own line; for a key inside an inline table, the
    /// line of the table's key; for a table, its header.
    func line(of path: [String]) -> Int? {
        var prefix = path
        while !prefix.isEmpty {
            if let entry = keys[prefix] { return entry.line }
            if let header = headers[prefix] { return header }
            prefix.removeLast()
        }
        return nil
    }

    /// The value's own text (`0.35`, `1_000_000`), exactly as written.
    func rawValue(of path: [String]) -> String? { keys[path]?.rawValue }

    // MARK: - Scanning

    /// Open brackets and strings carried from one line to the next.
    struct ValueState: Sendable {
        var depth = 0
        /// `"""` or `'''` while inside a multi-line string.
        var multiline: String?
        var isOpen: Bool { depth > 0 || multiline != nil }
    }

    /// Follows a value's text through strings and brackets; returns where a comment starts.
    static func scanValue(_ text: Substring, _ state: inout ValueState) -> Substring.Index? {
        var index = text.startIndex
        while index < text.endIndex {
            if let delimiter = state.multiline {
                if text[index...].hasPrefix(delimiter) {
                    state.multiline = nil
                    index = text.index(index, offsetBy: 3)
                    continue
                }
                if delimiter == "\"\"\"" && text[index] == "\\" { index = text.index(index, offsetBy: 2, limitedBy: text.endIndex) ?? text.endIndex; continue }
                index = text.index(after: index)
                continue
            }
            let character = text[index]
            switch character {
            case "\"", "'":
                let triple = String(repeating: character, count: 3)
                if text[index...].hasPrefix(triple) {
                    state.multiline = triple
                    index = text.index(index, offsetBy: 3)
                    continue
                }
                index = endOfString(text, from: index)
                continue
            case "[", "{": state.depth += 1
            case "]", "}": state.depth = max(0, state.depth - 1)
            case "#": return index
            default: break
            }
            index = text.index(after: index)
        }
        return nil
    }

    /// Just past the closing quote of the one-line string that opens at `start`.
    static func endOfString(_ text: Substring, from start: Substring.Index) -> Substring.Index {
        let quote = text[start]
        var index = text.index(after: start)
        while index < text.endIndex {
            if quote == "\"" && text[index] == "\\" {
                index = text.index(index, offsetBy: 2, limitedBy: text.endIndex) ?? text.endIndex
                continue
            }
            if text[index] == quote { return text.index(after: index) }
            index = text.index(after: index)
        }
        return text.endIndex
    }

    /// The first `target` outside quotes.
    static func firstUnquoted(_ target: Character, in text: Substring) -> Substring.Index? {
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if character == "\"" || character == "'" { index = endOfString(text, from: index); continue }
            if character == target { return index }
            index = text.index(after: index)
        }
        return nil
    }

    /// `a."b.c" . d` → ["a", "b.c", "d"].
    static func keyPath(_ text: Substring) -> [String] {
        var parts: [String] = []
        var rest = text
        while true {
            rest = rest.trimmingWhitespace()
            guard let first = rest.first else { break }
            if first == "\"" || first == "'" {
                let end = endOfString(rest, from: rest.startIndex)
                var quoted = rest[rest.index(after: rest.startIndex)..<end]
                if quoted.last == first { quoted = quoted.dropLast() }
                parts.append(first == "\"" ? unescapeBasic(quoted) : String(quoted))
                rest = rest[end...].trimmingWhitespace()
            } else {
                let end = rest.firstIndex(of: ".") ?? rest.endIndex
                parts.append(String(rest[..<end].trimmingWhitespace()))
                rest = rest[end...]
            }
            guard rest.first == "." else { break }
            rest = rest.dropFirst()
        }
        return parts
    }

    /// A basic string's escapes (`\"`, `\\`, `\n`, `\u001B`, ...), so that a quoted key is found
    /// under the name TOMLKit gives it.
    static func unescapeBasic(_ text: Substring) -> String {
        var result = ""
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            index = text.index(after: index)
            guard character == "\\", index < text.endIndex else { result.append(character); continue }
            let escape = text[index]
            index = text.index(after: index)
            switch escape {
            case "n": result.append("\n")
            case "t": result.append("\t")
            case "r": result.append("\r")
            case "b": result.append("\u{08}")
            case "f": result.append("\u{0C}")
            case "e": result.append("\u{1B}")
            case "u", "U":
                let length = escape == "u" ? 4 : 8
                let end = text.index(index, offsetBy: length, limitedBy: text.endIndex) ?? text.endIndex
                if let value = UInt32(text[index..<end], radix: 16), let scalar = Unicode.Scalar(value) {
                    result.unicodeScalars.append(scalar)
                    index = end
                } else {
                    result.append(escape)
                }
            default: result.append(escape)
            }
        }
        return result
    }
}

extension Substring {
    func trimmingWhitespace() -> Substring {
        var result = self.drop { $0 == " " || $0 == "\t" }
        while let last = result.last, last == " " || last == "\t" { result = result.dropLast() }
        return result
    }
}
