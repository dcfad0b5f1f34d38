import ArgumentParser
import LiqwatchConfig
import MarketFeeds
import RiskEngine

/// `liqwatch demo`: the built-in session, a calm market that turns into a liquidation cascade.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "The built-in demo session (the default): a BTCUSDT sell-off with deficits and ADL.")

    @Option(parsing: .unconditional, help: "Seed of the generator (the same seed gives the same session).") var seed: UInt64 = 1
    @Option(name: .customLong("synthetic-positions"), parsing: .unconditional, help: "Monitored positions placed around the opening mark.")
    var syntheticPositions: Int = 3_000
    @Flag(help: "Run at full speed with no dashboard and print a report.") var headless = false
    @Option(help: "Report format for --headless: json or text.") var report: ReportFormat = .json
    @Option(help: "Theme: dark, light, monochrome, high-contrast, colorblind, or a theme file (default: dark).") var theme: String?
    @Option(name: .customLong("symbol"), help: "The market the ladder, the signals and the what-if show first (default: the one with the most monitored risk; m and Enter change it).")
    var focusSymbol: String?
    @Option(parsing: .unconditional, help: "Replay speed: 0.1 to 1000, or max (default: 1).") var speed: String?
    @OptionGroup var engineRules: RuleOptions
    @OptionGroup var alerts: AlertArguments
    @OptionGroup var config: ConfigArguments

    func validate() throws {
        if let theme { _ = try ThemeOption.load(theme) }
        if let speed { _ = try parseSpeed(speed) }
        guard (0...1_000_000).contains(syntheticPositions) else { throw ValidationError("--synthetic-positions must be between 0 and 1,000,000") }
    }

    /// The config file under the command line.
    func settings() throws -> Settings {
        var choices = CommandLineChoices()
        choices.theme = theme
        choices.speed = speed
        choices.focus = focusSymbol
        try engineRules.add(to: &choices)
        alerts.add(to: &choices)
        return try config.settings(commandLine: choices)
    }

    mutating func run() throws {
        let settings = try settings()
        let focus = try settings.focus.map { try resolveFocus($0, resolver: MarketResolver(venues: [.binanceUSDM])) }
        let demo = DemoSession(seed: seed, configuration: settings.engineConfiguration(), positions: syntheticPositions)
        let delivery = try AlertArguments.delivery(settings)
        if !headless {
            try DashboardRunner.run(session: demo, themes: try ThemeOption.load(settings.theme), speed: try parseSpeed(settings.speed), symbol: focus,
                alerts: DashboardAlerts(bell: settings.bell, delivery: delivery), keymap: settings.keymap)
            return
        }
        // A signal stops the demo where it is: the report of what was played, then 128 + it.
        let signals = HeadlessSignals()
        let stopped = { signals.signal != nil }
        // The watcher looks whether or not anyone is told: the report lists what it found.
        var alerts = HeadlessAlerts(delivery: delivery)
        demo.runToEnd({ alerts.look { demo.newAlerts(&$0) } }, stop: stopped)
        // Waited for until a signal comes; then stopped, none left behind.
        delivery?.waitForHooks(seconds: settings.onAlertTimeout + 2, stop: stopped)
        delivery?.stopHooks()
        signals.finish()
        let source = SessionReport.Source(kind: "demo", files: ["built-in demo, seed \(seed)"], firstTime: demo.firstTime, lastTime: demo.lastTime,
            feed: demo.feedSummary, alertsTold: alerts.watcher.told, alertDelivery: delivery?.summary, conditionAlerts: alerts.conditions)
        let text = report == .json
            ? SessionReport.json(engine: demo.engine, stats: demo.stats, log: demo.log, synchronizers: [:], source: source) + "\n"
            : SessionReport.text(engine: demo.engine, stats: demo.stats, log: demo.log, synchronizers: [:], source: source)
        try FileHandleOutput.report(text)
        if let signal = signals.signal { throw ExitCode(128 + signal) }
    }
}
