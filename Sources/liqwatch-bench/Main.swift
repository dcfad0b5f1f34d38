/// `swift run -c release liqwatch-bench` — prints one figure a line as `name: value unit`.
/// Pass group names to run only some: `engine`, `replay`, `render`, `cascade` (or its parts
/// `liquidation`, `positions-file`); `replay-unpacked` times only
/// the unpacked replay, best of 30, for comparing two builds on a noisy machine.
@main
enum BenchMain {
    static func main() {
        let groups = Set(CommandLine.arguments.dropFirst())
        if groups.isEmpty || groups.contains("engine") { EngineBenchmarks.run() }
        if groups.isEmpty || groups.contains("replay") { ReplayBenchmarks.run() }
        if groups.contains("replay-unpacked") { ReplayBenchmarks.unpackedOnly(runs: 30) }
        if groups.isEmpty || groups.contains("render") { RenderBenchmarks.run() }
        if groups.isEmpty || groups.contains("cascade") { CascadeBenchmarks.run() }
        if groups.contains("liquidation") { CascadeBenchmarks.liquidationCost() }
        if groups.contains("positions-file") { CascadeBenchmarks.positionsFile() }
    }
}
