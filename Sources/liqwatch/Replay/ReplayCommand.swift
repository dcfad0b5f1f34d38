import ArgumentParser
import LiqwatchConfig
import MarketFeeds
import RiskEngine
#if canImport(Glibc)
import Glibc
#endif

enum ReportFormat: String, ExpressibleByArgument, CaseIterable {
    case json
    case text
}

/// `liqwatch replay FILE...`: a recorded session through the engine.
struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay recordings (Binance frames, cryptofeed, Tardis CSV, liqwatch events; .gz or -).",
        discussion: """
            Examples:
              liqwatch replay ../shared/data/binance-usdm/btcusdt_20240808.gz --synthetic-positions 10000 --headless --report text
              liqwatch replay session.gz --positions book.csv --insurance-fund 500000 --headless --report json
              zcat session.gz | liqwatch replay - --headless
            """)

    @Argument(help: "Recordings to replay together, merged by time; - reads standard input.") var files: [String]
    @OptionGroup var session: SessionArguments
    @Flag(help: "Replay at full speed with no dashboard and print a report.") var headless = false
    @Option(help: "Report format for --headless: json or text.") var report: ReportFormat = .json
    @Flag(help: "Stop at the first malformed line instead of counting and skipping it.") var strict = false
    @Option(help: "Theme: dark, light, monochrome, high-contrast, colorblind, or a theme file (default: dark).") var theme: String?
    @Option(name: .customLong("symbol"), help: "The market the ladder, the signals and the what-if show first (default: the one with the most monitored risk; m and Enter change it).")
    var focusSymbol: String?
    @Option(parsing: .unconditional, help: "Replay speed: 0.1 to 1000, or max (default: 1).") var speed: String?
    @OptionGroup var alerts: AlertArguments
    @OptionGroup var config: ConfigArguments

    func validate() throws {
        if let theme { _ = try ThemeOption.load(theme) }
        if let speed { _ = try parseSpeed(speed) }
        if files.isEmpty { throw ValidationError("give at least one recording (or - for standard input)") }
        if files.filter({ $0 == "-" }).count > 1 { throw ValidationError("standard input (-) can be read only once") }
        // The same recording twice (a path given twice, or two names of one file): merged with
        // itself, its depth events were dropped as repeats and its trades counted twice, with
        // nothing said (attacker trial).
        var seen: [FileIdentity: String] = [:]
        // A copy under another name too: the same size and the same first 64 KiB (469 trades
        // counted as 938: attacker trial).
        var contents: [FileHead: String] = [:]
        for file in files where file != "-" {
            guard let identity = FileIdentity(path: file) else { continue }
            if let first = seen[identity] {
                throw ValidationError("\(SafeText.escaped(file)) is the same file as \(SafeText.escaped(first)): give each recording once")
            }
            seen[identity] = file
            if let head = FileHead(path: file) {
                if let first = contents[head] {
                    throw ValidationError("\(SafeText.escaped(file)) holds the same recording as \(SafeText.escaped(first)) (the same size and first 64 KiB): give each recording once")
                }
                contents[head] = file
            }
        }
        if files.contains("-") && !headless {
            throw ValidationError("standard input (-) is the recording, so it cannot also be the keyboard: add --headless, or replay a file")
        }
    }

    /// The config file under the command line.
    func settings() throws -> Settings {
        var choices = CommandLineChoices()
        choices.theme = theme
        choices.speed = speed
        choices.focus = focusSymbol
        try session.engineRules.add(to: &choices)
        alerts.add(to: &choices)
        return try config.settings(commandLine: choices)
    }

    mutating func run() throws {
        let settings = try settings()
        let focus: String?
        let replay: ReplaySession
        // In a scope of their own: the options hold a positions file's rows, which the session's
        // engine holds from here on.
        do {
            let options = try session.sessionOptions(venues: files.flatMap(RecordingVenues.of(path:)), strict: strict,
                configuration: settings.engineConfiguration())
            focus = try settings.focus.map { try resolveFocus($0, resolver: options.resolver) }
            do { replay = try ReplaySession(paths: files, options: options) } catch {
                if error.isUsageError { throw InputError(error.description) }
                throw error
            }
        }
        let delivery = try AlertArguments.delivery(settings)
        if !headless {
            try DashboardRunner.run(session: replay, themes: try ThemeOption.load(settings.theme), speed: try parseSpeed(settings.speed), symbol: focus,
                alerts: DashboardAlerts(bell: settings.bell, delivery: delivery), keymap: settings.keymap)
            return
        }
        var failure: SessionError? = nil
        // Inputs far apart in time: said before the run (the first peek reads each one's start).
        if files.count > 1, (try? replay.peekTime()) != nil, let warning = replay.timelineWarning {
            FileHandleOutput.standardError("liqwatch: \(SafeText.escaped(warning))\n")
        }
        // A signal stops the replay where it is: the report of what was replayed, then 128 + it.
        let signals = HeadlessSignals()
        let stopped = { signals.signal != nil }
        // The watcher looks whether or not anyone is told: the report lists the books, marks and
        // streams it found wanting, as the dashboard's alerts view does.
        var alerts = HeadlessAlerts(delivery: delivery)
        do {
            try replay.runToEnd({ alerts.look { replay.newAlerts(&$0) } }, stop: stopped)
        } catch { failure = error }
        // The last alerts' hooks get their time however the run ended (a failed one's too: they
        // tell of what came before the failure), a signal ends the wait; then none left behind.
        delivery?.waitForHooks(seconds: settings.onAlertTimeout + 2, stop: stopped)
        delivery?.stopHooks()
        signals.finish()
        // The failure first: a report that cannot be written must not hide it (review).
        if let failure { FileHandleOutput.standardError("liqwatch: \(failure.description)\n") }
        HeadlessWarnings.print(engine: replay.engine, log: replay.log)
        try printReport(replay, alertsTold: alerts.watcher.told, delivery: delivery?.summary, conditions: alerts.conditions)
        if failure != nil { throw ExitCode(1) }
        if let signal = signals.signal { throw ExitCode(128 + signal) }
    }

    func printReport(_ replay: ReplaySession, alertsTold: Int, delivery: AlertDelivery.Summary?, conditions: ConditionAlertLog) throws {
        let source = SessionReport.Source(kind: "replay", files: files, firstTime: replay.firstTime, lastTime: replay.lastTime,
            unverified: replay.unverifiedInputs, feed: replay.feedSummary, alertsTold: alertsTold, alertDelivery: delivery,
            unseeded: replay.unseededMarkets, conditionAlerts: conditions)
        let text = report == .json
            ? SessionReport.json(engine: replay.engine, stats: replay.stats, log: replay.log, synchronizers: replay.synchronizers, source: source) + "\n"
            : SessionReport.text(engine: replay.engine, stats: replay.stats, log: replay.log, synchronizers: replay.synchronizers, source: source)
        try FileHandleOutput.report(text)
    }
}

/// A regular file's size and a digest of its first 64 KiB: two files alike in both hold the same
/// recording (a copy under another name). A digest, not the bytes: a thousand recordings kept
/// 64 MB of heads (review).
struct FileHead: Hashable {
    var size: Int64
    var digest: [UInt64]

    init?(path: String) {
        var status = stat()
        guard stat(path, &status) == 0, status.st_mode & S_IFMT == S_IFREG, status.st_size > 0 else { return nil }
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes = [UInt8](repeating: 0, count: 65_536)
        let count = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        size = Int64(status.st_size)
        // Two FNV-1a hashes of different seeds: 128 bits, which two different heads do not share.
        var first: UInt64 = 0xcbf29ce484222325, second: UInt64 = 0x84222325cbf29ce4
        for byte in bytes.prefix(count) {
            first = (first ^ UInt64(byte)) &* 0x100000001b3
            second = (second ^ UInt64(byte)) &* 0x100000001b3 &+ 0x9e3779b97f4a7c15
        }
        digest = [first, second, UInt64(count)]
    }
}

/// A file's device and inode: two paths naming one file have the same. Pipes and devices are left
/// out (each `<(...)` is its own).
struct FileIdentity: Hashable {
    var device: UInt64
    var inode: UInt64

    init?(path: String) {
        var status = stat()
        guard stat(path, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { return nil }
        device = UInt64(status.st_dev)
        inode = UInt64(status.st_ino)
    }
}
