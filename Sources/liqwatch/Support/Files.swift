import ArgumentParser
import Foundation
import LiqwatchConfig
import RiskEngine

/// A problem with what the command line named, not with the command line itself: a file that is
/// missing, unreadable or wrong at a line and field, a port in use, a session that cannot start.
/// It exits 2 like a usage error, with its message alone: the usage text after
/// "bad.csv:3: field size: must not be negative" sent the operator looking at the flags.
struct InputError: Error, CustomStringConvertible {
    var description: String
    /// One line, whatever the names it quotes hold (a newline in an account's name forged a line).
    init(_ description: String) { self.description = SafeText.escaped(description) }

    /// `error` itself, or the one ArgumentParser wrapped when a `validate()` threw it (its
    /// wrapper is not public: found by reflection, a few levels deep at most).
    static func within(_ error: Any, depth: Int = 0) -> InputError? {
        if let input = error as? InputError { return input }
        guard depth < 4 else { return nil }
        for child in Mirror(reflecting: error).children {
            if let found = within(child.value, depth: depth + 1) { return found }
        }
        return nil
    }
}

/// Reads a small text file named on the command line; a missing, unreadable or oversized file
/// (a device such as /dev/zero, read whole, never ended) names the flag and the path.
func readTextFile(_ path: String, flag: String, limit: Int = 64 << 20) throws -> String {
    switch BoundedRead.contents(of: path, limit: limit) {
    case .success(let data): return String(decoding: data, as: UTF8.self)
    // `InputError` escapes what it quotes (the path).
    case .failure(.missing): throw InputError("--\(flag): no such file: \(path)")
    case .failure(let failure): throw InputError("--\(flag): \(path) \(failure.reason)")
    }
}
