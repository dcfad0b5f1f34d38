/// `swift run -c release liqwatch-bench` — prints one figure a line as `name: value unit`.
/// Pass group names to run only some: `engine`, `replay`, `render`.
@main
enum BenchMain {
    static func main() {
        let groups = Set(CommandLine.arguments.dropFirst())
        if groups.isEmpty || groups.contains("engine") { EngineBenchmarks.run() }
        if groups.isEmpty || groups.contains("replay") { ReplayBenchmarks.run() }
        if groups.isEmpty || groups.contains("render") { RenderBenchmarks.run() }
    }
}
