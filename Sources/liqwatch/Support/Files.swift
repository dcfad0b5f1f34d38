import ArgumentParser
import Foundation

/// Reads a small text file named on the command line; a missing or unreadable file is a usage error
/// that names the flag and the path.
func readTextFile(_ path: String, flag: String) throws -> String {
    guard FileManager.default.fileExists(atPath: path) else { throw ValidationError("--\(flag): no such file: \(path)") }
    guard let data = FileManager.default.contents(atPath: path) else { throw ValidationError("--\(flag): cannot read \(path)") }
    return String(decoding: data, as: UTF8.self)
}
