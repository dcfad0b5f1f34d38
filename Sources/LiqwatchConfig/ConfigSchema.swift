import Dashboard
import RiskEngine

/// One key config.toml knows: where it goes, what it means (the printed default's comment), its
/// default as TOML text (taken from the built-in default itself), and how a value is checked and
/// applied.
struct ConfigKey: Sendable {
    let section: String
    let name: String
    let comment: String
    let defaultText: String
    let apply: @Sendable (ConfigValue, inout Settings) throws(ConfigValue.Refusal) -> Void

    var path: String { "\(section).\(name)" }
}

/// A section of the file, in the order the printed default lists them.
struct ConfigSection: Sendable {
    let name: String
    let comment: String
}

/// Every key config.toml knows. The printed default, the unknown-key warnings and the reader all
/// come from this one list, so they cannot disagree.
enum ConfigSchema {
    /// The largest theme file read (`--theme` reads the same).
    static let largestTheme = 1 << 20

    static let sections: [ConfigSection] = [
        ConfigSection(name: "dashboard", comment: "How the dashboard looks and sounds."),
        ConfigSection(name: "replay", comment: "Replays and the demo."),
        ConfigSection(name: "alerts", comment: "Alerts beyond the screen (headless runs too)."),
        ConfigSection(name: "rules", comment: "The engine's rules for liquidation, shortfall and ADL."),
        ConfigSection(name: "signals", comment: "Warning signal thresholds: each signal is ok, warn or alert."),
        ConfigSection(name: "risk", comment: "Risk bands the panes and reports classify by."),
        ConfigSection(name: "markets", comment: "Default markets and venue."),
        ConfigSection(name: "keys", comment: "Key map: each action and its keys. Keys are one character, or space, Up, Down, Left, Right,\n# PgUp, PgDn, Home, End, Enter, Esc, Tab, S-Tab, Backspace. A key may do one thing only; the help (?) shows the map."),
    ]

    static let keys: [ConfigKey] = dashboard + replay + alerts + rules + signals + risk + markets + keyMap

    static func key(section: String, name: String) -> ConfigKey? { byPath["\(section).\(name)"] }

    private static let byPath: [String: ConfigKey] = Dictionary(keys.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })

    static let defaults = Settings()

    // MARK: - [dashboard] [replay] [alerts]

    static let dashboard: [ConfigKey] = [
        ConfigKey(section: "dashboard", name: "theme",
            comment: "Theme: \(BuiltInThemes.names.joined(separator: ", ")), or a theme file (~/ or a path from this file's folder). --theme",
            defaultText: quoted(defaults.theme)) { value, settings throws(ConfigValue.Refusal) in
            let text = try value.string()
            if BuiltInThemes.names.contains(text) { settings.theme = text; return }
            guard !text.isEmpty else { throw ConfigValue.Refusal(message: "must name a theme") }
            let path = value.context.resolve(path: text)
            guard value.context.isReadableFile(path) else {
                throw ConfigValue.Refusal(message: "'\(text)' is neither a built-in theme (\(BuiltInThemes.names.joined(separator: ", "))) nor a readable file")
            }
            // Checked as the dashboard will read it, so `config --check` says what it will refuse.
            guard BoundedRead.isRegularFile(path) else { throw ConfigValue.Refusal(message: "'\(text)' is not a regular file (a theme file is)") }
            if case .failure(let failure) = BoundedRead.contents(of: path, limit: ConfigSchema.largestTheme) {
                throw ConfigValue.Refusal(message: "'\(text)' \(failure.reason)")
            }
            settings.theme = path
        },
        ConfigKey(section: "dashboard", name: "bell",
            comment: "Ring the terminal bell once for the new alerts of a frame: true or false. --bell / --no-bell",
            defaultText: "\(defaults.bell)") { value, settings throws(ConfigValue.Refusal) in settings.bell = try value.bool() },
    ]

    static let replay: [ConfigKey] = [
        ConfigKey(section: "replay", name: "speed",
            comment: "Replay and demo speed, times real time: 0.1 to 1000, or \"max\". --speed",
            defaultText: quoted(defaults.speed)) { value, settings throws(ConfigValue.Refusal) in
            let text = value.value.type == .string ? try value.string() : try value.decimal().description
            guard RuleChoices.speed(text) != nil else { throw ConfigValue.Refusal(message: "must be 0.1 to 1000, or \"max\", not \(text)") }
            settings.speed = text
        },
    ]

    static let alerts: [ConfigKey] = [
        ConfigKey(section: "alerts", name: "log",
            comment: "Append every alert to this file as one JSON line (\"\": none; ~/ or a path from this file's folder). --alert-log",
            defaultText: quoted(defaults.alertLog ?? "")) { value, settings throws(ConfigValue.Refusal) in settings.alertLog = try value.path() },
        ConfigKey(section: "alerts", name: "on_alert",
            comment: "Run this command (/bin/sh -c) for each new alert, the alert as one JSON line on its standard input (\"\": none). --on-alert",
            defaultText: quoted(defaults.onAlert ?? "")) { value, settings throws(ConfigValue.Refusal) in
            let command = try value.optionalString()
            if let command, command.trimmingCharacters().isEmpty { throw ConfigValue.Refusal(message: "needs a command (or \"\" for none)") }
            settings.onAlert = command
        },
        ConfigKey(section: "alerts", name: "on_alert_timeout",
            comment: "Seconds an on_alert command may run before it is stopped, 1 to 600. --on-alert-timeout",
            defaultText: decimalText(defaults.onAlertTimeout)) { value, settings throws(ConfigValue.Refusal) in
            let seconds = try value.decimal(in: Fixed(1)...Fixed(600), unit: "seconds")
            settings.onAlertTimeout = double(seconds)
        },
    ]

    // MARK: - [rules]

    static let rules: [ConfigKey] = [
        ConfigKey(section: "rules", name: "profile",
            comment: "The margin maths and ADL ranking: venue (each market by its own venue's margin rule), or binance, bybit or bitmex for every market. --rules",
            defaultText: quoted(defaults.rules.rawValue)) { value, settings throws(ConfigValue.Refusal) in
            let text = try value.string()
            guard let profile = RuleChoices.rules(text) else { throw ConfigValue.Refusal(message: "must be venue, binance, bybit or bitmex, not '\(text)'") }
            settings.rules = profile
        },
        ConfigKey(section: "rules", name: "liquidation",
            comment: "How a triggered position is closed: full; partial (down the maintenance brackets); or partial:FRACTION (0.01 to 1). --liquidation",
            defaultText: quoted(RuleChoices.text(of: defaults.liquidation))) { value, settings throws(ConfigValue.Refusal) in
            let text = try value.string()
            guard let style = RuleChoices.liquidation(text) else {
                throw ConfigValue.Refusal(message: "must be full, partial, or partial:FRACTION with 0.01 <= FRACTION < 1, not '\(text)'")
            }
            settings.liquidation = style
        },
        ConfigKey(section: "rules", name: "shortfall",
            comment: "What the insurance fund cannot pay: adl or socialised-loss. --shortfall",
            defaultText: quoted(defaults.shortfall.rawValue)) { value, settings throws(ConfigValue.Refusal) in
            let text = try value.string()
            guard let policy = ShortfallPolicy(rawValue: text) else { throw ConfigValue.Refusal(message: "must be adl or socialised-loss, not '\(text)'") }
            settings.shortfall = policy
        },
        ConfigKey(section: "rules", name: "unfilled",
            comment: "What the book cannot fill: adl (the ADL queue, at the bankruptcy price) or fund-takes-over. --unfilled",
            defaultText: quoted(defaults.unfilled.rawValue)) { value, settings throws(ConfigValue.Refusal) in
            let text = try value.string()
            guard let rule = UnfilledRule(rawValue: text) else { throw ConfigValue.Refusal(message: "must be adl or fund-takes-over, not '\(text)'") }
            settings.unfilled = rule
        },
        ConfigKey(section: "rules", name: "adl_refresh",
            comment: "Seconds of event time between rankings of the ADL queue, 1 to 3600. --adl-refresh",
            defaultText: "\(defaults.adlRefreshSeconds)") { value, settings throws(ConfigValue.Refusal) in
            settings.adlRefreshSeconds = try value.integer(in: RuleChoices.adlRefreshRange, unit: "seconds")
        },
    ]

    // MARK: - [signals]

    /// A multiple or ratio of a signal's baseline (times), more than 0.
    static func signalMultiple(_ name: String, _ comment: String, _ field: WritableKeyPath<SignalThresholds, Double> & Sendable) -> ConfigKey {
        ConfigKey(section: "signals", name: name, comment: comment, defaultText: decimalText(defaults.signals[keyPath: field])) {
            value, settings throws(ConfigValue.Refusal) in
            settings.signals[keyPath: field] = double(try value.positiveDecimal(atMost: Fixed(1_000_000_000_000), unit: ""))
        }
    }

    /// A fraction, more than 0 and at most `maximum`.
    static func signalFraction(_ name: String, _ comment: String, _ field: WritableKeyPath<SignalThresholds, Double> & Sendable,
                               atMost maximum: Fixed = .one) -> ConfigKey {
        ConfigKey(section: "signals", name: name, comment: comment, defaultText: decimalText(defaults.signals[keyPath: field])) {
            value, settings throws(ConfigValue.Refusal) in
            settings.signals[keyPath: field] = double(try value.positiveDecimal(atMost: maximum, unit: ""))
        }
    }

    static func signalCount(_ name: String, _ comment: String, _ field: WritableKeyPath<SignalThresholds, Int> & Sendable,
                            range: ClosedRange<Int>, unit: String) -> ConfigKey {
        ConfigKey(section: "signals", name: name, comment: comment, defaultText: "\(defaults.signals[keyPath: field])") {
            value, settings throws(ConfigValue.Refusal) in
            settings.signals[keyPath: field] = try value.integer(in: range, unit: unit)
        }
    }

    static let signals: [ConfigKey] = [
        signalMultiple("spread_warn_multiple", "Spread: warn at this multiple of its baseline (times).", \.spreadWarnMultiple),
        signalMultiple("spread_alert_multiple", "Spread: alert at this multiple of its baseline (times).", \.spreadAlertMultiple),
        ConfigKey(section: "signals", name: "spread_floor_bps",
            comment: "Spread: always ok below this spread (basis points), so a one-tick spread doubling is not news.",
            defaultText: decimalText(defaults.signals.spreadFloorBps)) { value, settings throws(ConfigValue.Refusal) in
            settings.signals.spreadFloorBps = double(try value.decimal(in: Fixed.zero...Fixed(10_000), unit: "bps"))
        },
        signalCount("spread_floor_ticks", "Spread: judged from this many ticks even under spread_floor_bps, so fifty ticks of a BTC book are news though under 1 bps (0: the bps floor alone).",
            \.spreadFloorTicks, range: 0...1_000_000, unit: "ticks"),
        signalFraction("depth_warn_fraction", "Depth within ±10 bps: warn when it falls to this fraction of its baseline (0 to 1).", \.depthWarnFraction),
        signalFraction("depth_alert_fraction", "Depth within ±10 bps: alert when it falls to this fraction of its baseline (0 to 1).", \.depthAlertFraction),
        signalMultiple("spread_vs_depth_warn", "Spread widening + depth falling: warn when both moved this many times against the book (times).", \.spreadVsDepthWarn),
        signalMultiple("spread_vs_depth_alert", "Spread widening + depth falling: alert when both moved this many times against the book (times).", \.spreadVsDepthAlert),
        signalMultiple("drain_warn_ratio", "Depth drain in a liquidation series: warn at this ratio of liquidity removed to added (times).", \.drainWarnRatio),
        signalMultiple("drain_alert_ratio", "Depth drain in a liquidation series: alert at this ratio of liquidity removed to added (times).", \.drainAlertRatio),
        signalCount("drain_window_seconds", "The window the drain ratio is measured over (seconds).", \.drainWindowSeconds, range: 1...3_600, unit: "seconds"),
        ConfigKey(section: "signals", name: "series_seconds",
            comment: "A liquidation series goes on while the last liquidation is at most this old (seconds).",
            defaultText: "\(defaults.signals.seriesSeconds)") { value, settings throws(ConfigValue.Refusal) in
            settings.signals.seriesSeconds = Int64(try value.integer(in: 1...86_400, unit: "seconds"))
        },
        signalCount("liquidations_10s_warn_count", "Liquidations in 10 s: warn at this many (count)...", \.liquidations10sWarn.count, range: 1...1_000_000, unit: "liquidations"),
        signalMultiple("liquidations_10s_warn_notional", "...or at this notional (quote currency, e.g. USDT).", \.liquidations10sWarn.notional),
        signalCount("liquidations_10s_alert_count", "Liquidations in 10 s: alert at this many (count)...", \.liquidations10sAlert.count, range: 1...1_000_000, unit: "liquidations"),
        signalMultiple("liquidations_10s_alert_notional", "...or at this notional (quote currency).", \.liquidations10sAlert.notional),
        signalCount("liquidations_60s_warn_count", "Liquidations in 60 s: warn at this many (count)...", \.liquidations60sWarn.count, range: 1...1_000_000, unit: "liquidations"),
        signalMultiple("liquidations_60s_warn_notional", "...or at this notional (quote currency).", \.liquidations60sWarn.notional),
        signalCount("liquidations_60s_alert_count", "Liquidations in 60 s: alert at this many (count)...", \.liquidations60sAlert.count, range: 1...1_000_000, unit: "liquidations"),
        signalMultiple("liquidations_60s_alert_notional", "...or at this notional (quote currency).", \.liquidations60sAlert.notional),
        signalMultiple("stressed_warn_fraction", "Stressed deficit (the riskiest positions liquidated now): warn at this fraction of the fund (0.1 = 10 %).", \.stressedWarnFraction),
        signalMultiple("stressed_alert_fraction", "Stressed deficit: alert at this fraction of the fund.", \.stressedAlertFraction),
        // At least 0.05: the stress walks the book for the near positions' quantity ÷ this, every
        // second for every market with positions.
        ConfigKey(section: "signals", name: "stressed_book_share_warn",
            comment: "Stressed deficit: warn, whatever the money, when the positions near liquidation would take this share of the closing side of the book (0.05 to 1).",
            defaultText: decimalText(defaults.signals.stressedBookShareWarn)) { value, settings throws(ConfigValue.Refusal) in
            settings.signals.stressedBookShareWarn = double(try value.decimal(in: Fixed(5) / Fixed(100)...Fixed.one, unit: ""))
        },
        ConfigKey(section: "signals", name: "baseline_samples",
            comment: "Baselines: an exponential average over about this many one-second samples (samples).",
            defaultText: decimalText(defaults.signals.baselineSamples)) { value, settings throws(ConfigValue.Refusal) in
            settings.signals.baselineSamples = double(try value.decimal(in: Fixed(1)...Fixed(1_000_000), unit: "samples"))
        },
        signalCount("warmup_samples", "Baselines: always ok until this many samples were learnt (samples).", \.warmupSamples, range: 0...1_000_000, unit: "samples"),
        signalCount("history_length", "Sparkline history kept for each signal (one-second samples).", \.historyLength, range: 1...100_000, unit: "samples"),
    ]

    // MARK: - [risk]

    static func band(_ name: String, _ comment: String, _ field: WritableKeyPath<RiskBands, Fixed> & Sendable, atMost maximum: Fixed, unit: String) -> ConfigKey {
        ConfigKey(section: "risk", name: name, comment: comment, defaultText: defaults.risk[keyPath: field].description) {
            value, settings throws(ConfigValue.Refusal) in
            settings.risk[keyPath: field] = try value.positiveDecimal(atMost: maximum, unit: unit)
        }
    }

    static let risk: [ConfigKey] = [
        band("margin_ratio_warn", "Margin ratio (maintenance ÷ margin balance; 1 liquidates): warn from this (fraction).", \.marginRatioWarn, atMost: Fixed(10), unit: ""),
        band("margin_ratio_alert", "Margin ratio: alert from this (fraction).", \.marginRatioAlert, atMost: Fixed(10), unit: ""),
        band("distance_alert_percent", "Distance to liquidation: alert under this (% of the mark); such a position is near liquidation.", \.distanceAlertPercent, atMost: Fixed(100), unit: "%"),
        band("distance_warn_percent", "Distance to liquidation: warn under this (% of the mark).", \.distanceWarnPercent, atMost: Fixed(100), unit: "%"),
        band("drawdown_warn", "Insurance fund drawdown from its peak: warn from this (fraction, 0.1 = 10 %).", \.drawdownWarn, atMost: .one, unit: ""),
        band("drawdown_alert", "Insurance fund drawdown from its peak: alert from this (fraction).", \.drawdownAlert, atMost: .one, unit: ""),
        band("adl_near_fraction", "ADL is near when the stressed deficit is at least this fraction of the fund.", \.adlNearFraction, atMost: Fixed(1_000), unit: ""),
        band("adl_under_way_seconds", "ADL is under way while a close was deleveraged within this many seconds of session time.", \.adlUnderWaySeconds, atMost: Fixed(86_400), unit: "s"),
    ]

    // MARK: - [markets]

    /// A market name checked as the run checks it, so `config --check` does not pass what the run
    /// refuses: venue:symbol whole; a bare symbol by its form (the session's venues decide the rest).
    static func checkMarketName(_ text: String) throws(ConfigValue.Refusal) {
        do throws(MarketNameError) {
            if text.contains(":") { _ = try MarketResolver(venues: Venue.known).resolve(text) }
            else if !MarketResolver.isBareSymbol(text) { throw MarketNameError.badSymbol(text) }
        } catch {
            throw ConfigValue.Refusal(message: error.description)
        }
    }

    static let markets: [ConfigKey] = [
        ConfigKey(section: "markets", name: "focus",
            comment: "The market shown first (ladder, signals, what-if): venue:symbol or a bare symbol (\"\": the one with the most monitored risk). --symbol",
            defaultText: quoted(defaults.focus ?? "")) { value, settings throws(ConfigValue.Refusal) in
            let text = try value.optionalString()
            if let text, !text.isEmpty { try checkMarketName(text) }
            settings.focus = text
        },
        ConfigKey(section: "markets", name: "live_source",
            comment: "The venue `liqwatch live` watches when no SOURCE is given: binance-usdm, binance-coinm, bybit, okx or hyperliquid (\"\": SOURCE is required).",
            defaultText: quoted(defaults.liveSource ?? "")) { value, settings throws(ConfigValue.Refusal) in
            let text = try value.optionalString()
            // Checked as the run checks it, naming the key (a misspelt venue passed the check and
            // the run said `unknown source` with the usage of a flag nobody passed: attacker trial).
            if let text, !text.isEmpty {
                let live = Venue.live.map(\.rawValue).joined(separator: ", ")
                if text.contains(":") {
                    try checkMarketName(text)
                    if let venue = MarketID.venue(of: text), !Venue.live.contains(venue) {
                        throw ConfigValue.Refusal(message: "\(venue.rawValue) is not a venue liqwatch live connects to: \(live)")
                    }
                } else if !Venue.live.contains(where: { $0.rawValue == text }) {
                    throw ConfigValue.Refusal(message: "'\(SafeText.escaped(String(text.prefix(64))))' is not a venue liqwatch live connects to: \(live), or venue:symbol")
                }
            }
            settings.liveSource = text
        },
        ConfigKey(section: "markets", name: "live_symbols",
            comment: "The symbols `liqwatch live` watches when --symbols is not given, e.g. [\"BTCUSDT\", \"ETHUSDT\"]. --symbols",
            defaultText: "[" + defaults.liveSymbols.map(quoted).joined(separator: ", ") + "]") { value, settings throws(ConfigValue.Refusal) in
            let symbols = try value.strings().map { $0.trimmingCharacters() }
            if symbols.contains(where: \.isEmpty) { throw ConfigValue.Refusal(message: "has an empty symbol") }
            // Checked as `focus` is (one with an escape sequence passed the check and the run
            // blamed --symbols, attacker trial).
            for symbol in symbols {
                try checkMarketName(symbol)
                // A live symbol goes into subscription requests: the characters any live venue's
                // symbols have (`liqwatch live` checks each venue's own set; "BTC/USDT" passed
                // the form above and the run refused it; review).
                let name = symbol.split(separator: ":").last.map(String.init) ?? symbol
                guard name.allSatisfy({ ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "_" || $0 == "-" }) else {
                    throw ConfigValue.Refusal(message: "'\(SafeText.escaped(symbol))' is not a live symbol (ASCII letters, digits, _ or -)")
                }
            }
            settings.liveSymbols = symbols
        },
    ]

    // MARK: - [keys]

    /// One key a standard binding: checked by the reader as a whole (a key may do one thing only),
    /// so `apply` only checks the names.
    static let keyMap: [ConfigKey] = Keymap.standard.bindings.map { binding in
        ConfigKey(section: "keys", name: ActionNames.name(of: binding.action), comment: binding.description.prefix(1).uppercased() + binding.description.dropFirst() + ".",
            defaultText: "[" + binding.keys.map { quoted(KeyNames.name(of: $0)) }.joined(separator: ", ") + "]") { _, _ throws(ConfigValue.Refusal) in }
    }

    // MARK: - Text

    /// A TOML basic string.
    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    result += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16, uppercase: true)
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }

    /// A default held as a Double, as the shortest decimal that reads back to the same Double.
    static func decimalText(_ value: Double) -> String { "\(value)" }

    /// The Double nearest the exact decimal.
    static func double(_ value: Fixed) -> Double { Double(value.description) ?? value.approximateDouble }
}
