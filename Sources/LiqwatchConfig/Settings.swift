import Dashboard
import RiskEngine

/// Everything config.toml can set, at the built-in defaults until a file or the command line says
/// otherwise. `ConfigReader` fills it from a file; `applying(_:)` puts the command line on top.
public struct Settings: Sendable, Equatable {
    // [dashboard]
    /// A built-in theme's name, or a theme file's path (resolved against the config file's folder).
    public var theme = "dark"
    public var bell = true
    // [replay]
    /// "0.1" to "1000", or "max".
    public var speed = "1"
    // [alerts]
    public var alertLog: String? = nil
    public var onAlert: String? = nil
    /// Seconds.
    public var onAlertTimeout = 10.0
    // [rules]
    public var rules = RulesProfile.venue
    public var liquidation = LiquidationStyle.full
    public var shortfall = ShortfallPolicy.adl
    public var unfilled = UnfilledRule.adl
    public var adlRefreshSeconds = 30
    // [signals] and [risk]
    public var signals = SignalThresholds()
    public var risk = RiskBands()
    // [markets]
    /// `--symbol`: nil, the market with the most monitored risk.
    public var focus: String? = nil
    /// The SOURCE of `liqwatch live` when none is given.
    public var liveSource: String? = nil
    /// `--symbols` of `liqwatch live` when none are given.
    public var liveSymbols: [String] = []
    // [keys]
    public var keymap = Keymap.standard

    public init() {}

    /// The engine's parameters these settings choose (the rest at the engine's defaults).
    public func engineConfiguration() -> EngineConfiguration {
        var configuration = EngineConfiguration()
        configuration.apply(profile: rules)
        configuration.liquidation = liquidation
        configuration.shortfall = shortfall
        configuration.unfilled = unfilled
        configuration.adlRefreshSeconds = Int64(adlRefreshSeconds)
        configuration.signals = signals
        configuration.risk = risk
        return configuration
    }

    /// The command line wins over the file, which won over the defaults: this is the one place the
    /// two meet.
    public func applying(_ commandLine: CommandLineChoices) -> Settings {
        var merged = self
        if let theme = commandLine.theme { merged.theme = theme }
        if let bell = commandLine.bell { merged.bell = bell }
        if let speed = commandLine.speed { merged.speed = speed }
        if let alertLog = commandLine.alertLog { merged.alertLog = alertLog }
        if let onAlert = commandLine.onAlert { merged.onAlert = onAlert }
        if let timeout = commandLine.onAlertTimeout { merged.onAlertTimeout = timeout }
        if let rules = commandLine.rules { merged.rules = rules }
        if let liquidation = commandLine.liquidation { merged.liquidation = liquidation }
        if let shortfall = commandLine.shortfall { merged.shortfall = shortfall }
        if let unfilled = commandLine.unfilled { merged.unfilled = unfilled }
        if let refresh = commandLine.adlRefreshSeconds { merged.adlRefreshSeconds = refresh }
        if let focus = commandLine.focus { merged.focus = focus }
        if let source = commandLine.liveSource { merged.liveSource = source }
        if let symbols = commandLine.liveSymbols { merged.liveSymbols = symbols }
        return merged
    }
}

/// What the command line said, nil where it said nothing (so the file's value stands).
public struct CommandLineChoices: Sendable, Equatable {
    public var theme: String?
    public var bell: Bool?
    public var speed: String?
    public var alertLog: String?
    public var onAlert: String?
    public var onAlertTimeout: Double?
    public var rules: RulesProfile?
    public var liquidation: LiquidationStyle?
    public var shortfall: ShortfallPolicy?
    public var unfilled: UnfilledRule?
    public var adlRefreshSeconds: Int?
    public var focus: String?
    public var liveSource: String?
    public var liveSymbols: [String]?

    public init() {}
}
