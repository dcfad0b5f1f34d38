/// TOMLKit (toml++) builds a table for every part of a dotted key and walks them recursively: a
/// 400 KB file of one key `a.b.b.b…` (200,000 parts, well under the size limit) overflowed the
/// stack and crashed every command that read the config (attacker trial). Its nesting limit covers
/// arrays and inline tables, not dotted keys, so the parts are counted before the file is parsed.
enum DottedKeyDepth {
    /// More parts than any key of liqwatch's has (`themes.name.role` is three), by far.
    static let limit = 32

    /// The first line (1-based) with a dotted key (or a table header) of more than `limit` parts,
    /// counted outside strings and comments: a run of bare or quoted parts joined by dots.
    static func firstTooDeep(in text: String, limit: Int = DottedKeyDepth.limit) -> Int? {
        let bytes = Array(text.utf8)
        var line = 1
        var parts = 0
        var afterDot = false
        var index = 0
        func part() -> Bool {
            parts = afterDot ? parts + 1 : 1
            afterDot = false
            return parts > limit
        }
        func isBare(_ byte: UInt8) -> Bool {
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+")
        }
        /// The index after a string opened at `start` (its quote). A one-line string ends at its
        /// line's end at the latest (the newline is left to the main loop, which counts lines); a
        /// multi-line one takes up to two more quotes at its close (`"""x""""` is `x"`).
        func endOfString(from start: Int) -> Int {
            let quote = bytes[start]
            let triple = start + 2 < bytes.count && bytes[start + 1] == quote && bytes[start + 2] == quote
            var at = start + (triple ? 3 : 1)
            while at < bytes.count {
                let byte = bytes[at]
                if byte == UInt8(ascii: "\n") && !triple { return at }
                if byte == UInt8(ascii: "\\") && quote == UInt8(ascii: "\"") {
                    // A one-line string never runs past its line, escaped newline or not.
                    if !triple && at + 1 < bytes.count && bytes[at + 1] == UInt8(ascii: "\n") { return at + 1 }
                    at += 2
                    continue
                }
                if byte == quote {
                    if !triple { return at + 1 }
                    if at + 2 < bytes.count && bytes[at + 1] == quote && bytes[at + 2] == quote {
                        var end = at + 3
                        while end < bytes.count && end < at + 5 && bytes[end] == quote { end += 1 }
                        return end
                    }
                }
                at += 1
            }
            return at
        }
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                let wasKeyPart = !(index + 2 < bytes.count && bytes[index + 1] == byte && bytes[index + 2] == byte)
                let end = min(endOfString(from: index), bytes.count)
                // Lines a multi-line string spans (escaped newlines too) are counted here, once.
                let spanned = bytes[index..<end].reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
                index = end
                if wasKeyPart && spanned == 0 { if part() { return line } } else { parts = 0; afterDot = false }
                line += spanned
                continue
            case UInt8(ascii: "."):
                afterDot = true
            case UInt8(ascii: " "), UInt8(ascii: "\t"):
                break
            case UInt8(ascii: "#"):
                while index < bytes.count && bytes[index] != UInt8(ascii: "\n") { index += 1 }
                continue
            default:
                if isBare(byte) {
                    while index < bytes.count && isBare(bytes[index]) { index += 1 }
                    if part() { return line }
                    continue
                }
                if byte == UInt8(ascii: "\n") { line += 1 }
                parts = 0
                afterDot = false
            }
            index += 1
        }
        return nil
    }
}
