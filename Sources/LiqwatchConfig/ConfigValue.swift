import Foundation
import RiskEngine
import TOMLKit

/// A value the file gave a known key, with what a check of it needs: its type from TOMLKit and its
/// text as written (numbers are read from the text, exactly, never through a Double).
struct ConfigValue {
    let value: any TOMLValueConvertible
    /// The value as written on its line, when it fits on one line.
    let rawText: String?
    /// Where the file is, for paths written relative to it.
    let context: ReadingContext

    /// Why a value is refused; the reader adds the file, the line and the key.
    struct Refusal: Error { let message: String }

    var typeName: String {
        switch value.type {
        case .table: return "a table"
        case .array: return "an array"
        case .string: return "a string"
        case .int: return "an integer"
        case .double: return "a number"
        case .bool: return "true or false"
        case .date, .time, .dateTime: return "a date or time"
        }
    }

    func string() throws(Refusal) -> String {
        guard value.type == .string, let text = value.string else { throw Refusal(message: "must be a string, not \(typeName)") }
        return text
    }

    /// A string, "" meaning none.
    func optionalString() throws(Refusal) -> String? {
        let text = try string()
        return text.isEmpty ? nil : text
    }

    func bool() throws(Refusal) -> Bool {
        guard value.type == .bool, let flag = value.bool else { throw Refusal(message: "must be true or false, not \(typeName)") }
        return flag
    }

    func integer(in range: ClosedRange<Int>, unit: String) throws(Refusal) -> Int {
        guard value.type == .int, let number = value.int else {
            // `30.0` is a number, and the refusal read "a whole number of seconds, not a number"
            // (attacker trial): said as what it is.
            if value.type == .double {
                throw Refusal(message: "must be a whole number of \(unit), written without a decimal point or an exponent (30, not 30.0 or 3e1)")
            }
            throw Refusal(message: "must be a whole number of \(unit), not \(typeName)")
        }
        guard range.contains(number) else { throw Refusal(message: "must be \(range.lowerBound) to \(range.upperBound) \(unit), not \(number)") }
        return number
    }

    /// An exact decimal: written as a number (`0.35`, `2`, `1_000_000.0`) or a string (`"0.35"`),
    /// parsed by `Fixed(String)` from the text itself.
    func decimal() throws(Refusal) -> Fixed {
        let text: String
        switch value.type {
        case .int:
            guard let number = value.int else { throw Refusal(message: "is not a number") }
            return Fixed(number)
        case .string:
            text = value.string ?? ""
        case .double:
            // TOMLKit hands a float over as a Double; the digits as written are exact.
            guard let raw = rawText else { throw Refusal(message: "write this number on its own key line, or as a string (\"0.35\")") }
            text = raw.filter { $0 != "_" }
        default:
            throw Refusal(message: "must be a number, not \(typeName)")
        }
        guard let fixed = Fixed(text.trimmingCharacters()) else {
            // A number too large or too precise is one (it read "not a plain decimal number").
            if DecimalText.isDecimalSyntax(text.trimmingCharacters()) {
                throw Refusal(message: "'\(text)' is too large or has more than 18 decimal places")
            }
            throw Refusal(message: "'\(text)' is not a plain decimal number (such as 0.35 or 250000)")
        }
        return fixed
    }

    /// A decimal within `range`, both ends included.
    func decimal(in range: ClosedRange<Fixed>, unit: String) throws(Refusal) -> Fixed {
        let number = try decimal()
        guard range.contains(number) else {
            throw Refusal(message: "must be \(range.lowerBound) to \(range.upperBound)\(unit.isEmpty ? "" : " " + unit), not \(number)")
        }
        return number
    }

    /// A decimal more than zero and at most `maximum`.
    func positiveDecimal(atMost maximum: Fixed, unit: String) throws(Refusal) -> Fixed {
        let number = try decimal()
        guard number.isPositive, number <= maximum else {
            throw Refusal(message: "must be more than 0 and at most \(maximum)\(unit.isEmpty ? "" : " " + unit), not \(number)")
        }
        return number
    }

    /// A list of strings; one string is a list of one.
    func strings() throws(Refusal) -> [String] {
        if value.type == .string, let text = value.string { return [text] }
        guard value.type == .array, let array = value.array else { throw Refusal(message: "must be a list of strings, not \(typeName)") }
        var result: [String] = []
        for element in array {
            guard element.type == .string, let text = element.string else { throw Refusal(message: "must be a list of strings") }
            result.append(text)
        }
        return result
    }

    /// A path as written in the file: `~/` is the home folder, a relative path is read from the
    /// config file's folder (not from wherever liqwatch was started).
    func path() throws(Refusal) -> String? {
        guard let text = try optionalString() else { return nil }
        return context.resolve(path: text)
    }
}

/// The config file's folder and the home folder, for the paths it names.
struct ReadingContext: Sendable {
    var directory: String?
    var home: String?

    func isReadableFile(_ path: String) -> Bool { BoundedRead.isReadableFile(path) }

    func resolve(path: String) -> String {
        if path == "~" { return home ?? path }
        if path.hasPrefix("~/"), let home { return home + path.dropFirst(1) }
        if path.hasPrefix("/") { return path }
        guard let directory, !directory.isEmpty else { return path }
        return directory.hasSuffix("/") ? directory + path : directory + "/" + path
    }
}

extension String {
    func trimmingCharacters() -> String { String(Substring(self).trimmingWhitespace()) }
}
