/// Text from outside (a symbol or an account from a feed, a field of a malformed line, a file name)
/// made safe for a terminal. Every output liqwatch writes passes through here or through the cell
/// buffer, which uses the same test: an escape sequence in a name can never reach the terminal
/// (OSC 0 would retitle the window, OSC 52 write the clipboard), and the characters that reorder or
/// hide text (bidi overrides, zero-width joiners) cannot disguise a figure.
public enum SafeText {
    /// Whether a scalar must not be written to a terminal as it is: C0 and C1 controls, DEL, the
    /// invisible format characters (general category Cf: bidi embeddings, overrides and isolates,
    /// zero-width space and joiners, word joiner, invisible operators, the byte-order mark,
    /// interlinear annotation, the soft hyphen, Arabic and Egyptian format controls, musical
    /// beams, tags), the line and paragraph separators (Zl, Zp: a line break inside a report line),
    /// and the characters that show as nothing (the combining grapheme joiner, Hangul fillers,
    /// Khmer inherent vowels, the variation selectors): `a\u{AD}b` printed as `ab`, and
    /// `alice\u{FE0F}`, another account than `alice`, printed as `alice` (attacker trials). So
    /// are the blanks that are not the space (no-break, figure, ideographic spaces and the rest of
    /// general category Zs, the blank braille pattern), unassigned code points, noncharacters and
    /// private-use characters: `alice` + U+00A0 or U+3000 read as `alice ` and U+0378 or U+FFFF
    /// vanished, each another account than `alice` whose deficit read as hers (attacker trial).
    @inlinable public static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        return value < 0x370 ? isUnsafeBelowGreek(value) : isUnsafeAbove(scalar, knownCategory: nil)
    }

    /// The same, given the scalar's general category where the caller has looked it up already
    /// (`DisplayWidth` does: one lookup a character, not two).
    @inlinable public static func isUnsafe(_ scalar: Unicode.Scalar, knownCategory: Unicode.GeneralCategory?) -> Bool {
        let value = scalar.value
        return value < 0x370 ? isUnsafeBelowGreek(value) : isUnsafeAbove(scalar, knownCategory: knownCategory)
    }

    /// The rule below U+0370 (Latin, its marks): every character a frame draws passes here, so it
    /// is inlined where it is asked (the whole rule grown past inlining made every cell a call:
    /// a frame a third slower).
    @inlinable @inline(__always) public static func isUnsafeBelowGreek(_ value: UInt32) -> Bool {
        value < 0x20 || (value >= 0x7F && value <= 0xA0) || value == 0xAD || value == 0x34F
    }

    /// The rule from U+0370 up.
    @usableFromInline static func isUnsafeAbove(_ scalar: Unicode.Scalar, knownCategory: Unicode.GeneralCategory?) -> Bool {
        let value = scalar.value
        switch value {
        case 0x1680, 0x2000...0x200A, 0x202F, 0x205F, 0x3000, 0x2800, 0xFDD0...0xFDEF, 0xE000...0xF8FF, 0xF0000...0x10FFFF:
            return true
        case 0x0600...0x0605, 0x061C, 0x06DD, 0x070F, 0x0890...0x0891, 0x08E2, 0x115F...0x1160, 0x17B4...0x17B5, 0x180B...0x180F,
             0xFE00...0xFE0F, 0xE0100...0xE01EF,
             0x200B...0x200F, 0x2028...0x202E, 0x2060...0x2064, 0x2066...0x206F, 0x3164, 0xFEFF, 0xFFA0, 0xFFF9...0xFFFB,
             0x110BD, 0x110CD, 0x13430...0x1343F, 0x1BCA0...0x1BCA3, 0x1D173...0x1D17A, 0xE0001, 0xE0020...0xE007F:
            return true
        default:
            // U+FFFE and U+FFFF of every plane are noncharacters.
            return value & 0xFFFE == 0xFFFE || (knownCategory ?? scalar.properties.generalCategory) == .unassigned
        }
    }

    /// The text with every unsafe scalar written as a visible escape (`\u{1B}`). With
    /// `keepingLines`, newlines and tabs stay (a report's own layout); every other control goes.
    public static func escaped(_ text: String, keepingLines: Bool = false) -> String {
        // Nearly every string is clean: leave it untouched without building a copy.
        guard text.unicodeScalars.contains(where: { isUnsafe($0) && !(keepingLines && ($0 == "\n" || $0 == "\t")) }) else {
            return text
        }
        // Built as UTF-8 bytes and decoded once: appending to a `String.UnicodeScalarView` copied
        // the whole text at every append (a name of 200,000 escapes took half a minute to print).
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count + text.utf8.count / 2)
        let hexDigits = Array("0123456789ABCDEF".utf8)
        for scalar in text.unicodeScalars {
            if isUnsafe(scalar) && !(keepingLines && (scalar == "\n" || scalar == "\t")) {
                bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "{")])
                var digits: [UInt8] = []
                var value = scalar.value
                repeat {
                    digits.append(hexDigits[Int(value & 0xF)])
                    value >>= 4
                } while value > 0
                bytes.append(contentsOf: digits.reversed())
                bytes.append(UInt8(ascii: "}"))
            } else {
                UTF8.encode(scalar) { bytes.append($0) }
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `text` as a JSON string: every character `escaped` makes visible written as it writes it
    /// (`\u{1B}` as text, its backslash JSON-escaped), then quotes, backslashes and line ends
    /// escaped. Decoded by a script, a name still carries no escape sequence: written as JSON
    /// escapes (`\u001b`), `jq -r` turned an account's `\u001b[2J` back into the sequence and
    /// cleared the operator's screen (attacker trial). The same name reads the same in the text
    /// report, on screen and in JSON.
    public static func jsonQuoted(_ text: String) -> String {
        // In a name that needs escapes, a backslash of its own is escaped too (`\u{5C}`), so it
        // reads back whole (review). A name of plain text holding `\u{1B}` reads as the text
        // report and the screen show it: as one holding ESC does (text escaped upstream, a
        // malformed line's reason, is plain text here and is not escaped twice).
        let needsEscapes = text.unicodeScalars.contains { isUnsafe($0) && $0 != "\n" && $0 != "\t" }
        let visible = needsEscapes ? escaped(text.split(separator: "\\", omittingEmptySubsequences: false).joined(separator: "\\u{5C}"), keepingLines: true) : text
        var result = "\""
        for scalar in visible.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            default:
                // Nothing unsafe is left (`escaped` wrote it out); a control below U+0020 would
                // still be invalid raw in JSON, so the rule stands as a guard.
                if scalar.value < 0x20 {
                    result += "\\u" + String(repeating: "0", count: max(0, 4 - String(scalar.value, radix: 16).count)) + String(scalar.value, radix: 16)
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }
}
