import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
import LiveVenues
import DashboardFeeds
import Dispatch
import EventStreams
import Foundation
import LiqwatchConfig
import MarketFeeds
import RiskEngine

/// `liqwatch live ...`: live markets on Binance, Bybit, OKX and Hyperliquid, side by side, and/or
/// the operator's own event stream.
struct LiveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "live",
        abstract: "Watch live markets (Binance USDⓈ-M and COIN-M, Bybit, OKX, Hyperliquid) and/or your own event stream.",
        discussion: """
            SOURCE is a venue (binance-usdm, binance-coinm, bybit, okx, hyperliquid) with --symbols, \
            markets named whole as venue:symbol (several venues at once), or events. An event stream \
            (liqwatch event lines, see the README) is read from - (standard input), tcp://HOST:PORT \
            (liqwatch connects), listen://[HOST:]PORT (liqwatch listens; 127.0.0.1 unless a host is \
            given) or a file that is followed as it grows.

            Examples:
              liqwatch live binance-usdm --symbols BTCUSDT,ETHUSDT
              liqwatch live binance-usdm:BTCUSDT bybit:BTCUSDT okx:BTC-USDT-SWAP hyperliquid:BTC
              liqwatch live bybit --symbols BTCUSDT,BTCUSD --record bybit.rec
              liqwatch live binance-usdm --symbols BTCUSDT --events tcp://127.0.0.1:9100 --record today.rec
              liqwatch live binance-coinm --symbols BTCUSD_PERP
              liqwatch live events listen://9100 --positions book.csv
              liqwatch live binance-usdm --symbols BTCUSDT --headless --duration 60 --report json
            """)

    @Argument(help: "Venues (binance-usdm, binance-coinm, bybit, okx, hyperliquid), venue:symbol markets, or events SOURCE (default: the config file's markets.live_source).")
    var words: [String] = []
    @Option(help: "Symbols of the venue(s) named, comma-separated (e.g. BTCUSDT,ETHUSDT; default: the config file's markets.live_symbols).") var symbols: String?
    @Option(name: .customLong("events"), help: "An event stream beside the markets (same forms as SOURCE for events).")
    var extraEvents: String?
    @Option(name: .customLong("ws-url"), help: "[VENUE=]URL: a venue's WebSocket base URL (a testnet, a loopback exchange), e.g. binance-usdm=wss://fstream.binancefuture.com. Repeat for each venue.")
    var webSocketURLs: [String] = []
    @Option(name: .customLong("rest-url"), help: "[VENUE=]URL: a Binance venue's REST base URL for depth snapshots, e.g. https://testnet.binancefuture.com.")
    var restURLs: [String] = []
    @Option(help: "Record every raw frame with its receive time (ns) to FILE, in the replay format.") var record: String?
    @Option(name: .customLong("record-max-mb"), parsing: .unconditional, help: "Start a new recording file (FILE.1, FILE.2, ...) after this many MB.")
    var recordMaxMB: Double?
    @Option(name: .customLong("record-max-minutes"), parsing: .unconditional, help: "Start a new recording file after this many minutes.")
    var recordMaxMinutes: Double?
    @Option(name: .customLong("stale-after"), parsing: .unconditional, help: "Seconds of silence after which a stream is STALE.") var staleAfter: Double = 5
    @Option(name: .customLong("read-pace"), parsing: .unconditional, help: "Milliseconds a quiet WebSocket stream's frames gather before they are read (0 to 100; 0 reads each at once, at more CPU; a busy stream is always read at once).")
    var readPace: Int = ReadPace.defaultMilliseconds
    @Option(name: .customLong("events-idle-timeout"), parsing: .unconditional, help: "listen://: close a publisher silent for this many seconds.")
    var eventsIdleTimeout: Double = 300
    @OptionGroup var session: SessionArguments
    @OptionGroup var alerts: AlertArguments
    @Flag(help: "No dashboard: run for --duration seconds (or until Ctrl-C) and print a report.") var headless = false
    @Option(parsing: .unconditional, help: "With --headless: seconds to run before the report.") var duration: Double?
    @Option(help: "Report format for --headless: json or text.") var report: ReportFormat = .json
    @Option(help: "Theme: dark, light, monochrome, high-contrast, colorblind, or a theme file (default: dark).") var theme: String?
    @Option(name: .customLong("symbol"), help: "The market the ladder, the signals and the what-if show first (default: the one with the most monitored risk; m and Enter change it).")
    var focusSymbol: String?
    @OptionGroup var config: ConfigArguments

    func validate() throws {
        if let theme { _ = try ThemeOption.load(theme) }
        // Sources the command line names whole are checked here, where a mistake is shown with this
        // command's usage; those that need the config file's markets, when it is read (run).
        if !words.isEmpty && (words.first == "events" || symbols != nil || words.allSatisfy({ $0.contains(":") })) {
            _ = try sources(Settings())
        }
        // Each check written so that NaN fails it (`nan <= 0` is false: --stale-after nan
        // turned stale detection off, and --duration nan ended the run at once: attacker trial).
        if !(staleAfter > 0) { throw ValidationError("--stale-after must be more than 0 seconds") }
        if !(0...100).contains(readPace) { throw ValidationError("--read-pace must be 0 to 100 milliseconds") }
        if let duration, !(duration > 0) { throw ValidationError("--duration must be more than 0 seconds") }
        if duration != nil && !headless { throw ValidationError("--duration is for --headless runs") }
        if staleAfter > 86_400 { throw ValidationError("--stale-after must be at most 86400 seconds (a day)") }
        if let duration, duration > 31_536_000 { throw ValidationError("--duration must be at most 31536000 seconds (a year)") }
        // From 1 MB and 1 minute: 0.000001 MB started a file a frame, 3,001 files in 3 s, all
        // named on the report's first line (attacker trial).
        if let recordMaxMB, !(recordMaxMB >= 1 && recordMaxMB <= 1_000_000) { throw ValidationError("--record-max-mb must be at least 1 and at most 1000000") }
        if let recordMaxMinutes, !(recordMaxMinutes >= 1 && recordMaxMinutes <= 525_600) {
            throw ValidationError("--record-max-minutes must be at least 1 and at most 525600 (a year)")
        }
        if !(eventsIdleTimeout > 0 && eventsIdleTimeout <= 86_400) { throw ValidationError("--events-idle-timeout must be more than 0 and at most 86400 seconds") }
        if (recordMaxMB != nil || recordMaxMinutes != nil) && record == nil { throw ValidationError("--record-max-mb and --record-max-minutes need --record FILE") }
        if let record {
            // Never over a file: the input it replays, the positions file, the last session's
            // recording or its segments were all truncated (attacker trial).
            let existing = LiveRecorder.existingFiles(basePath: record)
            if !existing.isEmpty {
                let named = existing.prefix(3).map { "'" + SafeText.escaped($0) + "'" }.joined(separator: ", ") + (existing.count > 3 ? " and \(existing.count - 3) more" : "")
                throw ValidationError("--record: \(named) exist\(existing.count == 1 ? "s" : "") already, and a recording never writes over a file: move \(existing.count == 1 ? "it" : "them") away or record to another name")
            }
            if let alertLog = alerts.alertLog, [record, record + ".events"].contains(alertLog) {
                throw ValidationError("--record and --alert-log name the same file: give each its own")
            }
        }
        let readsStandardInput = (words.first == "events" && words.dropFirst().first == "-") || extraEvents == "-"
        if readsStandardInput && !headless {
            throw ValidationError("standard input (-) is the event stream, so it cannot also be the keyboard: add --headless, or use tcp://, listen:// or a file")
        }
    }

    /// `--symbols A,B` as a list.
    var symbolList: [String]? {
        symbols.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
    }

    /// The config file under the command line.
    func settings() throws -> Settings {
        var choices = CommandLineChoices()
        choices.theme = theme
        choices.focus = focusSymbol
        choices.liveSymbols = symbolList
        try session.engineRules.add(to: &choices)
        alerts.add(to: &choices)
        return try config.settings(commandLine: choices)
    }

    /// The sources the arguments (and the config file's `[markets]`) name.
    func sources(_ settings: Settings) throws -> [any LiveSource] {
        if words.first == "events" {
            guard words.count >= 2 else { throw ValidationError("live events needs a SOURCE: -, tcp://HOST:PORT, listen://[HOST:]PORT or a file") }
            guard words.count == 2 else { throw ValidationError("live events takes one SOURCE; markets beside it are named first: liqwatch live bybit:BTCUSDT --events SOURCE") }
            if symbols != nil || !webSocketURLs.isEmpty || !restURLs.isEmpty || extraEvents != nil {
                throw ValidationError("--symbols, --ws-url, --rest-url and --events are for venues (\(LiveVenueName.list))")
            }
            return [try eventStream(words[1])]
        }
        if words.contains("events") { throw ValidationError("an event stream beside markets is --events SOURCE") }
        var given = words
        if given.isEmpty {
            guard let source = settings.liveSource, !source.isEmpty else {
                throw ValidationError("give a SOURCE: a venue (\(LiveVenueName.list)) with --symbols, venue:symbol, or events (or set markets.live_source in the config file)")
            }
            given = [source]
        }
        let list = symbolList ?? (words.isEmpty || !words.allSatisfy({ $0.contains(":") }) ? settings.liveSymbols : [])
        let choice = try LiveMarketChoice.parse(words: given, symbols: list)
        let endpoints = try LiveEndpoints.parse(webSocket: webSocketURLs, rest: restURLs, venues: choice.venues)
        var result = choice.sources(endpoints: endpoints)
        if let extraEvents { result.append(try eventStream(extraEvents)) }
        return result
    }

    func eventStream(_ text: String) throws -> EventStreamSource {
        switch EventStreamSource.Endpoint.parse(text) {
        case .success(let endpoint):
            var limits = EventStreamSource.ListenLimits()
            limits.idleTimeout = eventsIdleTimeout
            return EventStreamSource(endpoint: endpoint, label: text, limits: limits)
        case .failure(let error): throw ValidationError(error.description)
        }
    }

    func run() throws {
        let settings = try settings()
        let sources = try sources(settings)
        var options = LiveOptions()
        let venues = sources.compactMap { source -> Venue? in
            guard case .market(let markets) = source.kind, let first = markets.first else { return nil }
            return MarketID.venue(of: first)
        }
        options.session = try session.sessionOptions(venues: venues, strict: false, configuration: settings.engineConfiguration())
        let focus = try settings.focus.map { try resolveFocus($0, resolver: options.session.resolver) }
        options.staleAfter = staleAfter
        ReadPace.set(milliseconds: readPace)
        options.recordPath = record
        options.rotation = LiveRecorder.Rotation(maxBytes: recordMaxMB.map { Int($0 * 1_000_000) }, maxSeconds: recordMaxMinutes.map { $0 * 60 })
        let live: LiveSession
        do { live = try LiveSession(sources: sources, options: options) } catch { throw InputError(error.description) }
        let label = sources.map { source in
            if case .market(let markets) = source.kind { return "\(source.name) \(markets.map(MarketID.symbol(of:)).joined(separator: ","))" }
            return source.name
        }.joined(separator: " + ")
        let delivery = try AlertArguments.delivery(settings)
        if !headless {
            // A source that cannot start (a listen:// port in use) fails before the screen is taken.
            do { try live.start() } catch { throw InputError(error.description) }
            defer { live.stop() }
            try DashboardRunner.run(feed: LiveFeed(session: live, label: label), themes: try ThemeOption.load(settings.theme), symbol: focus,
                alerts: DashboardAlerts(bell: settings.bell, delivery: delivery), keymap: settings.keymap)
            return
        }
        let signal: Int32?
        var alerts = HeadlessAlerts(delivery: delivery)
        do {
            signal = try runHeadless(live, alerts: &alerts, hookTimeout: settings.onAlertTimeout)
        } catch {
            throw InputError(error.description)
        }
        let reportSource = SessionReport.Source(kind: "live", files: live.recordedPaths.isEmpty ? [label] : live.recordedPaths,
            firstTime: live.firstTime, lastTime: live.lastTime, feed: live.feedSummary, alertsTold: alerts.watcher.told,
            alertDelivery: delivery?.summary, conditionAlerts: alerts.conditions)
        let text = report == .json
            ? SessionReport.json(engine: live.engine, stats: live.stats, log: live.log, synchronizers: live.synchronizers, source: reportSource) + "\n"
            : SessionReport.text(engine: live.engine, stats: live.stats, log: live.log, synchronizers: live.synchronizers, source: reportSource)
        // A stop by a signal exits 128 + its number (130 for Ctrl-C), the shell's convention; a
        // recording that failed (a full disk) exits 1: a server's supervisor must see both. Said
        // before the report, which the same full disk may stop.
        if let problem = live.recordingError { FileHandleOutput.standardError("liqwatch: recording stopped: \(problem)\n") }
        HeadlessWarnings.print(engine: live.engine, log: live.log)
        try FileHandleOutput.report(text)
        if live.recordingError != nil && signal == nil { throw ExitCode(1) }
        if let signal { throw ExitCode(128 + signal) }
    }

    /// Microseconds a headless run lets frames gather between two pumps (see `runHeadless`): at most
    /// this much latency added to a frame, for a tenth of the wake-ups at a thousand frames a second.
    static let headlessGather: useconds_t = 10_000

    /// Applies what arrives until the duration is up or a signal (SIGINT, SIGTERM, SIGHUP,
    /// SIGQUIT) asks to stop; the report follows either way. Returns the signal, if one stopped it.
    /// The watcher looks whether or not anyone is told (`HeadlessAlerts`).
    func runHeadless(_ live: LiveSession, alerts: inout HeadlessAlerts, hookTimeout: Double) throws(LiveStartError) -> Int32? {
        let signals = HeadlessSignals()
        try live.start()
        let deadline = duration.map { Date().addingTimeInterval($0) }
        while signals.signal == nil {
            if let deadline, Date() >= deadline { break }
            live.queue.wait(seconds: 0.1)
            live.pump(budget: 50_000_000)
            alerts.look { live.newAlerts(&$0, wall: LiveClock.wallNanoseconds()) }
            // What arrives in the next few milliseconds is applied together at the next pump: one
            // wake of this thread for the batches of every venue, not one per batch the event loop
            // hands over (each a futex wake and two context switches). A frame waits at most this
            // much longer before it is applied. Not when the pump left items (a flood): at once.
            if live.queue.count == 0 { usleep(Self.headlessGather) }
        }
        live.stop()
        // What had already arrived is applied before the report, and its alerts told.
        while live.pump() > 0 {}
        alerts.look { live.newAlerts(&$0, wall: LiveClock.wallNanoseconds()) }
        alerts.delivery?.waitForHooks(seconds: hookTimeout + 2, stop: { signals.signal != nil })
        alerts.delivery?.stopHooks()
        // A signal from here on (the report can take a while: its stress tables at a million
        // positions) stops the run at once, as it would any command: ignored, SIGTERM, SIGINT and
        // SIGHUP went unanswered for minutes while a report was built (attacker trial).
        signals.finish()
        return signals.signal
    }
}
