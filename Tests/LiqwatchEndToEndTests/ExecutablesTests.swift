import Foundation
import Testing

/// Every executable answers --help and --version as swift-argument-parser does, without running
/// anything (a benchmark's --help must not run the benchmark, serve --help must not serve).
@Suite("Every executable: --help and --version")
struct ExecutablesTests {
    static func path(_ name: String) -> URL { BinaryRunner.binary.deletingLastPathComponent().appendingPathComponent(name) }

    @Test("--help and --version of liqwatch, its subcommands, liqwatch-bench and liqwatch-live-bench", arguments: [
        ("liqwatch", [String]()), ("liqwatch", ["demo"]), ("liqwatch", ["replay"]), ("liqwatch", ["live"]), ("liqwatch", ["margin"]),
        ("liqwatch-bench", []), ("liqwatch-live-bench", []), ("liqwatch-live-bench", ["serve"]), ("liqwatch-live-bench", ["measure"]),
    ])
    func helpAndVersion(executable: String, subcommand: [String]) throws {
        let started = Date()
        let help = try BinaryRunner.run(subcommand + ["--help"], executable: Self.path(executable))
        #expect(help.status == 0, "\(help.standardError)")
        #expect(help.standardOutput.contains("OVERVIEW:") || help.standardOutput.contains("USAGE:"), "\(help.standardOutput)")
        #expect(help.standardOutput.contains("--help"), "\(help.standardOutput)")
        let version = try BinaryRunner.run(subcommand + ["--version"], executable: Self.path(executable))
        #expect(version.status == 0, "\(version.standardError)")
        #expect(version.standardOutput.hasPrefix("\(executable) 0."), "\(version.standardOutput)")
        // Neither ran the benchmark or a server.
        #expect(Date().timeIntervalSince(started) < 10)
    }

    @Test("a negative number is read as a number and refused with the reason, not as a missing value")
    func negativeNumbers() throws {
        let result = try BinaryRunner.run(["margin", "--side", "long", "--size", "-1", "--entry", "50000", "--leverage", "10"])
        #expect(result.status == 2)
        #expect(result.standardError.contains("--size must be greater than zero"), "\(result.standardError)")
    }
}
