import ArgumentParser
import Foundation
import LoopbackExchange
import RiskEngine
#if canImport(Glibc)
import Glibc
#endif

/// Live-feed CPU: a loopback Binance serves the real BTCUSDT recording at a fixed rate over a real
/// WebSocket, `liqwatch live ... --headless` runs against it for a while, and its CPU time (user +
/// system, from wait4's rusage) is divided by the wall time.
@main
struct LiveBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "liqwatch-live-bench",
        abstract: "CPU of a live session: liqwatch against a loopback Binance serving the real BTCUSDT recording.",
        discussion: """
            Build both first: swift build -c release --product liqwatch && swift build -c release --product liqwatch-live-bench
            """,
        version: "liqwatch-live-bench \(LiqwatchVersion.string)",
        subcommands: [Measure.self, Serve.self],
        defaultSubcommand: Measure.self)
}

struct Rate: ParsableArguments {
    @Option(help: "Messages a second the loopback exchange sends (1 to 100000).") var rate: Double = 1_000

    func validate() throws {
        guard rate >= 1 && rate <= 100_000 else { throw ValidationError("--rate must be 1 to 100000 messages a second") }
    }
}

/// The package root: the first folder above the binary that holds Package.swift.
func packageRoot() -> URL {
    let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    var root = executable
    while root.path != "/" && !FileManager.default.fileExists(atPath: root.appendingPathComponent("Package.swift").path) {
        root = root.deletingLastPathComponent()
    }
    return root
}

/// The loopback Binance, serving the recording; an error when the recording is absent.
func startExchange(rate: Double) throws -> LoopbackExchange {
    let recording = packageRoot().appendingPathComponent("../shared/data/binance-usdm/btcusdt_20240808.gz").standardized.path
    guard FileManager.default.fileExists(atPath: recording) else {
        throw ValidationError("the recording \(recording) is absent: nothing to serve")
    }
    var script = LoopbackExchange.Script()
    script.framesPerSecond = rate
    let exchange = try LoopbackExchange(recording: recording, script: script)
    try exchange.start()
    print("loopback exchange: --ws-url \(exchange.webSocketURL) --rest-url \(exchange.restURL) (\(exchange.frameCount) frames at \(Int(rate))/s)")
    return exchange
}

/// Loopback Bybit, OKX and Hyperliquid exchanges serving their real recordings over and over (each
/// pass starts with a snapshot), sharing `rate` messages a second.
func startVenues(rate: Double) throws -> LoopbackVenues {
    let root = packageRoot()
    let relative: [SubscriptionVenue: String] = [
        .bybit: "../shared/data/bybit/2024-12-01_XRPUSDT_ob500.data",
        .okx: "../shared/data/okx/OKX.ws.1.0",
        .hyperliquid: "../shared/data/hyperliquid/btcusd_20250126.gz",
    ]
    let paths = relative.mapValues { root.appendingPathComponent($0).standardized.path }
    for path in paths.values where !FileManager.default.fileExists(atPath: path) {
        throw ValidationError("the recording \(path) is absent: nothing to serve")
    }
    var script = LoopbackExchange.Script()
    script.framesPerSecond = rate
    let venues = try LoopbackVenues(recordings: paths, script: script, repeating: true)
    try venues.start()
    print("loopback venues: \(venues.webSocketArguments.joined(separator: " ")) (\(Int(rate))/s shared)")
    return venues
}

/// The markets the four-venue run watches: those the recordings hold.
let fourVenueMarkets = ["binance-usdm:BTCUSDT", "bybit:XRPUSDT", "okx:BTC-USD-220527", "okx:UNI-USD-SWAP", "hyperliquid:BTC"]

struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Only serve the loopback exchange (point liqwatch live at it); Ctrl-C stops.")
    @OptionGroup var rate: Rate

    func run() throws {
        let exchange = try startExchange(rate: rate.rate)
        defer { exchange.stop() }
        while true { sleep(60) }
    }
}

/// A running process's CPU time so far (user + system), from /proc/PID/stat; nil where there is no /proc.
func processCPUSeconds(_ pid: pid_t) -> Double? {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = text.lastIndex(of: ")") else { return nil }
    // After "pid (comm) ": state is field 3; utime and stime are fields 14 and 15, in clock ticks.
    let fields = text[text.index(after: close)...].split(separator: " ")
    guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
    return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
}

struct Measure: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "measure", abstract: "Run liqwatch live against the loopback exchange and print its CPU (the default).")
    @OptionGroup var rate: Rate
    @Option(help: "Seconds to run (1 to 3600).") var seconds: Double = 30
    @Option(help: "Synthetic positions liqwatch monitors (0 to 2000000).") var positions: Int = 10_000
    @Flag(help: "Spread the rate over four venues: a quarter to Binance, the rest to loopback Bybit, OKX and Hyperliquid (their recordings repeat).")
    var fourVenues = false
    @Flag(help: "Print liqwatch's own report (streams, reconnects, gaps) after the figures, to check the run was healthy.")
    var showReport = false

    func validate() throws {
        guard seconds >= 1 && seconds <= 3_600 else { throw ValidationError("--seconds must be 1 to 3600") }
        guard (0...2_000_000).contains(positions) else { throw ValidationError("--positions must be 0 to 2000000") }
    }

    /// Sleeps until `date`; false if it is already past.
    static func sleep(until date: Date) -> Bool {
        let wait = date.timeIntervalSinceNow
        guard wait > 0 else { return false }
        usleep(useconds_t(wait * 1e6))
        return true
    }

    func run() throws {
        let exchange = try startExchange(rate: fourVenues ? rate.rate / 4 : rate.rate)
        defer { exchange.stop() }
        let venues = fourVenues ? try startVenues(rate: rate.rate * 3 / 4) : nil
        defer { venues?.stop() }
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        let liqwatch = executable.appendingPathComponent("liqwatch").path
        var command = [liqwatch, "live"]
        if let venues {
            command += fourVenueMarkets + ["--ws-url", "binance-usdm=\(exchange.webSocketURL)", "--rest-url", "binance-usdm=\(exchange.restURL)"] + venues.webSocketArguments
        } else {
            command += ["binance-usdm", "--symbols", "BTCUSDT", "--ws-url", exchange.webSocketURL, "--rest-url", exchange.restURL]
        }
        command += ["--synthetic-positions", String(positions), "--headless", "--duration", String(seconds), "--report", "text"]
        var pid: pid_t = 0
        let cArguments = command.map { strdup($0) } + [nil]
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        let reportPath = NSTemporaryDirectory() + "liqwatch-live-bench-\(getpid()).txt"
        posix_spawn_file_actions_addopen(&actions, 1, showReport ? reportPath : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let wallStart = Date()
        guard posix_spawn(&pid, liqwatch, &actions, nil, cArguments, environ) == 0 else {
            throw ValidationError("cannot start \(liqwatch): build it first (swift build -c release --product liqwatch)")
        }
        var status: Int32 = 0
        var usage = rusage()
        // The steady session alone, without the start (synthetic positions, connections, snapshots)
        // and the report (stress tables): the child's CPU from /proc over the window from 5 s
        // after the start to 1 s before the end of --seconds.
        var steady: (cpu: Double, wall: Double)?
        // The CPU before the window (launch, positions, connections, snapshots, the first
        // cascade) and after it (the last second, the exit report): one-offs, printed apart.
        var beforeWindow: Double?
        var windowEnd: Double?
        if seconds >= 10, Self.sleep(until: wallStart.addingTimeInterval(5)), let start = processCPUSeconds(pid) {
            beforeWindow = start
            let windowStart = Date()
            if Self.sleep(until: wallStart.addingTimeInterval(seconds - 1)), let end = processCPUSeconds(pid) {
                steady = (end - start, Date().timeIntervalSince(windowStart))
                windowEnd = end
            }
        }
        _ = wait4(pid, &status, 0, &usage)
        let wall = Date().timeIntervalSince(wallStart)
        let cpu = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
        let binanceSent = exchange.snapshot.framesSent
        let venueSent = venues.map { venues in
            SubscriptionVenue.allCases.map { venue in (venue, venues.exchanges[venue]?.snapshot.messagesSent ?? 0) }
        } ?? []
        let sent = binanceSent + venueSent.reduce(0) { $0 + $1.1 }
        let where_ = venues == nil ? "binance-usdm" : "4 venues: binance-usdm \(binanceSent), " + venueSent.map { "\($0.0.rawValue) \($0.1)" }.joined(separator: ", ")
        print("liqwatch live, \(positions) synthetic positions, \(Int(rate.rate)) msg/s offered for \(Int(seconds)) s: \(sent) messages sent (\(where_)) = \(Int(Double(sent) / seconds)) msg/s")
        print(String(format: "process CPU %.2f s over %.1f s wall = %.1f %% of a core (max RSS %.0f MB)", cpu, wall, cpu / wall * 100, Double(usage.ru_maxrss) / 1024))
        if let steady {
            print(String(format: "steady session (from 5 s to %.0f s, /proc): CPU %.2f s over %.1f s = %.1f %% of a core", seconds - 1, steady.cpu, steady.wall, steady.cpu / steady.wall * 100))
        }
        if let beforeWindow, let windowEnd {
            print(String(format: "one-offs: the first 5 s (start, positions, snapshots, first cascade) %.2f s CPU; the last second and the exit report (stress tables) %.2f s CPU", beforeWindow, cpu - windowEnd))
        }
        if showReport {
            for venue in SubscriptionVenue.allCases {
                guard let counters = venues?.exchanges[venue]?.snapshot else { continue }
                print("loopback \(venue.rawValue): \(counters.messagesSent) messages (\(counters.framesSent) frames, \(counters.snapshotsSent) snapshots), \(counters.connections) connections, subscribes \(counters.subscribesReceived.sorted { $0.key < $1.key }), \(counters.pingsReceived) pings, \(counters.refusals) refusals, \(counters.passes) passes")
            }
            print((try? String(contentsOfFile: reportPath, encoding: .utf8)) ?? "(no report)")
            try? FileManager.default.removeItem(atPath: reportPath)
        }
    }
}
