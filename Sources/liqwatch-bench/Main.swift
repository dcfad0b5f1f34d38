import ArgumentParser
import RiskEngine

/// `swift run -c release liqwatch-bench` — prints one figure a line as `name: value unit`.
@main
struct BenchMain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "liqwatch-bench",
        abstract: "liqwatch's speed, measured beside reference programs timed in the same run (build with -c release).",
        discussion: """
            Groups: engine, replay, render, cascade (or its parts liquidation, positions-file, replay-cascade); \
            replay-unpacked times only the unpacked replay, best of 30, for comparing two builds on a \
            noisy machine; replay-gzip the gzipped replay over the unpacked one, their runs \
            alternating; replay-simdjson the bare replay against the simdjson reference, and decoding \
            alone; signals the per-second signal sample of 10,000 markets (also in engine); \
            render-markets a frame with 5,000 markets over one with one (also in render); cross-accounts \
            a replay watching cross accounts of two symbols, with the guards and without. No group \
            runs engine, replay, render and cascade.
            """,
        version: "liqwatch-bench \(LiqwatchVersion.string)")

    static let knownGroups: Set<String> = ["engine", "replay", "replay-unpacked", "replay-gzip", "render", "cascade", "liquidation", "positions-file", "replay-cascade", "replay-simdjson", "signals", "render-markets", "cross-accounts"]

    @Argument(help: "Groups to run (engine, replay, replay-unpacked, replay-gzip, replay-simdjson, render, cascade, liquidation, positions-file, replay-cascade, signals, render-markets, cross-accounts).")
    var groups: [String] = []

    func validate() throws {
        for group in groups where !Self.knownGroups.contains(group) {
            throw ValidationError("unknown group '\(group)': expected one of \(Self.knownGroups.sorted().joined(separator: ", "))")
        }
    }

    func run() {
        let groups = Set(self.groups)
        if groups.isEmpty || groups.contains("engine") { EngineBenchmarks.run() }
        if groups.isEmpty || groups.contains("replay") { ReplayBenchmarks.run() }
        if groups.contains("replay-unpacked") { ReplayBenchmarks.unpackedOnly(runs: 30) }
        if groups.contains("replay-gzip") { ReplayBenchmarks.gzipOverUnpacked(runs: 30) }
        if groups.contains("replay-simdjson") { ReplayBenchmarks.simdjsonOnly() }
        if groups.isEmpty || groups.contains("render") { RenderBenchmarks.run() }
        if groups.isEmpty || groups.contains("cascade") { CascadeBenchmarks.run() }
        if groups.contains("liquidation") { CascadeBenchmarks.liquidationCost() }
        if groups.contains("positions-file") { CascadeBenchmarks.positionsFile() }
        if groups.contains("replay-cascade") { CascadeBenchmarks.replayCascade() }
        if groups.contains("signals") { EngineBenchmarks.signalSamples() }
        if groups.contains("render-markets") { RenderBenchmarks.manyMarkets() }
        if groups.contains("cross-accounts") { CascadeBenchmarks.crossAccounts() }
    }
}
