import Foundation
import LoopbackExchange
#if canImport(Glibc)
import Glibc
#endif

// Live-feed CPU: a loopback Binance serves the real BTCUSDT recording at a fixed rate over a real
// WebSocket, `liqwatch live ... --headless` runs against it for a while, and its CPU time (user +
// system, from wait4's rusage) is divided by the wall time.
//
//   swift build -c release --product liqwatch --product liqwatch-live-bench
//   .build/release/liqwatch-live-bench [--rate 1000] [--seconds 30] [--positions 10000]
//   .build/release/liqwatch-live-bench serve [--rate 1000]     (a loopback exchange to point liqwatch at)

let arguments = Array(CommandLine.arguments.dropFirst())
let serveOnly = arguments.first == "serve"
@MainActor func option(_ name: String, _ fallback: Double) -> Double {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count, let value = Double(arguments[index + 1]) else { return fallback }
    return value
}
let rate = option("--rate", 1_000)
let seconds = option("--seconds", 30)
let positions = Int(option("--positions", 10_000))
let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
// The package root: the first folder above the binary that holds Package.swift.
var root = executable
while root.path != "/" && !FileManager.default.fileExists(atPath: root.appendingPathComponent("Package.swift").path) {
    root = root.deletingLastPathComponent()
}
let recording = root.appendingPathComponent("../shared/data/binance-usdm/btcusdt_20240808.gz").standardized.path

guard FileManager.default.fileExists(atPath: recording) else {
    print("the recording \(recording) is absent: nothing to serve")
    exit(1)
}
var script = LoopbackExchange.Script()
script.framesPerSecond = rate
let exchange = try LoopbackExchange(recording: recording, script: script)
try exchange.start()
print("loopback exchange: --ws-url \(exchange.webSocketURL) --rest-url \(exchange.restURL) (\(exchange.frameCount) frames at \(Int(rate))/s)")
if serveOnly {
    while true { sleep(60) }
}

let liqwatch = executable.appendingPathComponent("liqwatch").path
let command = [liqwatch, "live", "binance-usdm", "--symbols", "BTCUSDT", "--ws-url", exchange.webSocketURL, "--rest-url", exchange.restURL,
               "--synthetic-positions", String(positions), "--headless", "--duration", String(seconds), "--report", "text"]
var pid: pid_t = 0
let cArguments = command.map { strdup($0) } + [nil]
var actions = posix_spawn_file_actions_t()
posix_spawn_file_actions_init(&actions)
posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
let wallStart = Date()
guard posix_spawn(&pid, liqwatch, &actions, nil, cArguments, environ) == 0 else {
    print("cannot start \(liqwatch): build it first (swift build -c release --product liqwatch)")
    exit(1)
}
var status: Int32 = 0
var usage = rusage()
_ = wait4(pid, &status, 0, &usage)
let wall = Date().timeIntervalSince(wallStart)
let cpu = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
let sent = exchange.snapshot.framesSent
exchange.stop()
print("liqwatch live, \(positions) synthetic positions, \(Int(rate)) msg/s offered for \(Int(seconds)) s: \(sent) frames sent")
print(String(format: "process CPU %.2f s over %.1f s wall = %.1f %% of a core (max RSS %.0f MB)", cpu, wall, cpu / wall * 100, Double(usage.ru_maxrss) / 1024))
