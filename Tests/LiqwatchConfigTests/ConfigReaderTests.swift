import Foundation
import Dashboard
import RiskEngine
import ScreenKit
import Testing
@testable import LiqwatchConfig

/// Reads `text` as config.toml; a failure is recorded and read as the defaults.
func read(_ text: String, directory: String? = nil) throws -> ConfigReader.Result {
    try ConfigReader.read(text: text, file: "config.toml", directory: directory, home: "/home/operator")
}

/// The problems a file is refused for, as the operator reads them.
func refusal(_ text: String) -> [String] {
    do {
        _ = try ConfigReader.read(text: text, file: "config.toml")
        return []
    } catch {
        return error.problems.map(\.description)
    }
}

@Suite("config.toml: reading")
struct ConfigReaderTests {
    /// A NUL in a key crashed TOMLKit's table iterator (a user's config.toml stopped every
    /// command), and in a value cut it short ("0.4\u00009" read as 0.4): refused by its line.
    @Test("a NUL, raw or escaped, in a key, a section or a value is refused by its line; an escaped backslash is not a NUL")
    func nulRefused() throws {
        let message = "a NUL character (written \\u0000 or \\U00000000, or raw) is not allowed in a config file"
        #expect(refusal("[dashboard]\n\"\\u0000\" = 1\n") == ["config.toml:2: \(message)"])
        #expect(refusal("[\"\\u0000\"]\n") == ["config.toml:1: \(message)"])
        #expect(refusal("[markets]\nfocus = \"BTCUSDT\\U00000000x\"\n") == ["config.toml:2: \(message)"])
        #expect(refusal("[dashboard]\ntheme = \"dark\u{0}\"\n") == ["config.toml:2: \(message)"])
        // `\\u0000` is a backslash and the text u0000; `\u0001` is U+0001: no NUL either.
        #expect(ConfigReader.nulLine(in: "# \\\\u0000\n") == nil)
        #expect(ConfigReader.nulLine(in: "a = \"\\u0001\"\n") == nil)
        #expect(ConfigReader.nulLine(in: "a = \"\\\\\\u0000\"\n") == 1)
    }

    /// A 400 KB key of 200,000 dotted parts overflowed TOMLKit's stack: every command that read
    /// the config crashed (attacker trial). Refused by its line before it is parsed.
    @Test("a dotted key or table name of more than 32 parts is refused by its line, before TOMLKit recurses through it")
    func deepDottedKeysRefused() throws {
        let message = "a dotted key or table name of more than 32 parts: no key of liqwatch's has more than three"
        let deepKey = "a" + String(repeating: ".b", count: 200_000) + " = 1\n"
        #expect(refusal("[signals]\n" + deepKey) == ["config.toml:2: \(message)"])
        let deepTable = "[a" + String(repeating: ".a", count: 200_000) + "]\n"
        #expect(refusal("# a comment\n\n" + deepTable) == ["config.toml:3: \(message)"])
        #expect(refusal("x = { " + String(repeating: "\"q\" . ", count: 40) + "z = 1 }\n") == ["config.toml:1: \(message)"])
        // 32 parts, quoted dots, floats, arrays, dates and strings spanning lines are no deep key.
        let parts32 = "k" + String(repeating: ".k", count: 31) + " = 1\n"
        #expect(DottedKeyDepth.firstTooDeep(in: parts32) == nil)
        #expect(DottedKeyDepth.firstTooDeep(in: parts32.replacingOccurrences(of: "k = 1", with: "k.k = 1")) == 1)
        let ordinary = "\"" + String(repeating: "a.", count: 100) + "\" = 1\nlist = [" + Array(repeating: "1.5", count: 100).joined(separator: ", ")
            + "]\nwhen = 1979-05-27T07:32:00.999Z\ntext = \"\"\"\n" + String(repeating: "x.", count: 100) + "\n\"\"\"\n# " + String(repeating: "c.", count: 100) + "\n"
        #expect(DottedKeyDepth.firstTooDeep(in: ordinary) == nil)
        #expect(DottedKeyDepth.firstTooDeep(in: ordinary + String(repeating: "d.", count: 40) + "d = 2\n") == 8)
        // A multi-line string closes with up to two more quotes (`"""x""""` is `x"`): read as a
        // fourth quote opening a string, the deep key after it was hidden, and TOMLKit crashed (review).
        for quote in ["\"", "'"] {
            let closing = String(repeating: quote, count: 3)
            let hidden = "[signals]\nnote = \(closing)x\(closing)\(quote) # \(closing)\(quote)\n" + deepKey
            #expect(DottedKeyDepth.firstTooDeep(in: hidden) == 3, "\(quote)")
            let valid = "a = [\(closing)x\(closing)\(quote), \"" + String(repeating: "p.", count: 40) + "p\"]\n"
            #expect(DottedKeyDepth.firstTooDeep(in: valid) == nil, "\(quote)")
        }
        // Lines are counted once: an escaped newline in a multi-line string, an unterminated string.
        #expect(DottedKeyDepth.firstTooDeep(in: "t = \"\"\"a\\\nb\"\"\"\n" + parts32.replacingOccurrences(of: "k = 1", with: "k.k = 1")) == 3)
        #expect(DottedKeyDepth.firstTooDeep(in: "t = \"open\n" + parts32.replacingOccurrences(of: "k = 1", with: "k.k = 1")) == 2)
    }

    @Test("the printed default reads back, with no warning, into exactly the built-in defaults")
    func printedDefaultRoundTrip() throws {
        let text = DefaultConfig.text
        let result = try read(text)
        #expect(result.warnings.isEmpty, "\(result.warnings)")
        #expect(result.settings == Settings())
        #expect(result.settings.signals == SignalThresholds())
        #expect(result.settings.risk == RiskBands())
        #expect(result.settings.keymap == Keymap.standard)
        // Every key the reader knows is in it, each with a comment line above.
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for key in ConfigSchema.keys {
            let index = try #require(lines.firstIndex(of: "\(key.name) = \(key.defaultText)"), "\(key.path) is not printed")
            #expect(lines[index - 1].hasPrefix("# "), "\(key.path) has no comment")
        }
        for action in Action.allCases { #expect(text.contains("\n\(ActionNames.name(of: action)) = ["), "\(action)") }
    }

    @Test("the file's values replace the defaults; decimals are exact, as numbers or strings")
    func values() throws {
        let result = try read("""
            [dashboard]
            theme = "light"
            bell = false

            [replay]
            speed = 10

            [alerts]
            log = "alerts.jsonl"
            on_alert = "logger -t liqwatch"
            on_alert_timeout = 2.5

            [rules]
            profile = "bybit"
            liquidation = "partial:0.25"
            shortfall = "socialised-loss"
            unfilled = "fund-takes-over"
            adl_refresh = 60

            [signals]
            spread_warn_multiple = 1.5
            liquidations_10s_warn_notional = 1_000_000.5
            liquidations_10s_alert_notional = "2000000"
            series_seconds = 45

            [risk]
            margin_ratio_warn = 0.123456789012345678
            margin_ratio_alert = "0.9"
            distance_warn_percent = 3

            [markets]
            focus = "binance-usdm:ETHUSDT"
            live_source = "binance-usdm"
            live_symbols = ["BTCUSDT", "ETHUSDT"]
            """, directory: "/etc/liqwatch")
        #expect(result.warnings.isEmpty)
        let settings = result.settings
        #expect(settings.theme == "light")
        #expect(settings.bell == false)
        #expect(settings.speed == "10")
        #expect(settings.alertLog == "/etc/liqwatch/alerts.jsonl")
        #expect(settings.onAlert == "logger -t liqwatch")
        #expect(settings.onAlertTimeout == 2.5)
        #expect(settings.rules == .bybit)
        #expect(settings.liquidation == .partial(fraction: Fixed("0.25")!))
        #expect(settings.shortfall == .socialisedLoss)
        #expect(settings.unfilled == .fundTakesOver)
        #expect(settings.adlRefreshSeconds == 60)
        #expect(settings.signals.spreadWarnMultiple == 1.5)
        #expect(settings.signals.liquidations10sWarn.notional == 1_000_000.5)
        #expect(settings.signals.liquidations10sAlert.notional == 2_000_000)
        #expect(settings.signals.seriesSeconds == 45)
        // Eighteen places survive exactly: the text went to Fixed, never through a Double.
        #expect(settings.risk.marginRatioWarn == Fixed("0.123456789012345678")!)
        #expect(settings.risk.marginRatioAlert == Fixed("0.9")!)
        #expect(settings.risk.distanceWarnPercent == Fixed(3))
        #expect(settings.focus == "binance-usdm:ETHUSDT")
        #expect(settings.liveSource == "binance-usdm")
        #expect(settings.liveSymbols == ["BTCUSDT", "ETHUSDT"])
        let engine = settings.engineConfiguration()
        #expect(engine.rules == .bybit)
        #expect(engine.adlRanking == .bybit)
        #expect(engine.signals.spreadWarnMultiple == 1.5)
        #expect(engine.risk.marginRatioAlert == Fixed("0.9")!)
        #expect(engine.adlRefreshSeconds == 60)
    }

    @Test("an empty file is the defaults; paths start from the file's folder or ~/")
    func emptyAndPaths() throws {
        #expect(try read("").settings == Settings())
        #expect(try read("# nothing\n").settings == Settings())
        #expect(try read("[alerts]\nlog = \"~/alerts.jsonl\"").settings.alertLog == "/home/operator/alerts.jsonl")
        #expect(try read("[alerts]\nlog = \"/var/log/a.jsonl\"").settings.alertLog == "/var/log/a.jsonl")
        #expect(try read("[alerts]\nlog = \"\"").settings.alertLog == nil)
    }

    @Test("unknown keys and sections are warned about with the file and the line, and the rest is read")
    func unknownKeys() throws {
        let result = try read("""
            # liqwatch
            [dashbord]
            theme = "light"

            [dashboard]
            bell = false
            them = "light"
            "quoted key" = 1

            [signals]
            spread_warn_multiple = 3
            spread_warn_multipel = 3
            ports = [
              1,
              2,
            ]
            depth = { warn = 0.5 }
            colour = "red"

            [risk.extra]
            x = 1
            """)
        #expect(result.settings.bell == false)
        #expect(result.settings.signals.spreadWarnMultiple == 3)
        #expect(result.settings.theme == "dark")
        #expect(result.warnings.map(\.description) == [
            "config.toml:2: unknown section '[dashbord]'",
            "config.toml:7: unknown key 'dashboard.them'",
            "config.toml:8: unknown key 'dashboard.quoted key'",
            "config.toml:12: unknown key 'signals.spread_warn_multipel'",
            "config.toml:13: unknown key 'signals.ports'",
            "config.toml:17: unknown key 'signals.depth'",
            "config.toml:18: unknown key 'signals.colour'",
            "config.toml:20: unknown key 'risk.extra'",
        ])
    }

    @Test("dotted keys and a key outside every section are found on their lines")
    func dottedKeys() throws {
        let result = try read("""
            theme = "light"
            dashboard.bell = false
            dashboard.bel = true
            """)
        #expect(result.settings.bell == false)
        #expect(result.warnings.map(\.description) == [
            "config.toml:1: unknown key 'theme' (keys belong in a section such as [dashboard])",
            "config.toml:3: unknown key 'dashboard.bel'",
        ])
    }

    @Test("bad values refuse the file, each named by file, line and key, in line order")
    func badValues() {
        #expect(refusal("""
            [dashboard]
            bell = "yes"
            theme = "no-such-theme"

            [replay]
            speed = 5000

            [signals]
            spread_warn_multiple = "two"
            depth_warn_fraction = 1.5
            warmup_samples = 2.5
            spread_floor_bps = 1e3

            [rules]
            profile = "ftx"
            adl_refresh = 0
            liquidation = "partial:2"
            """) == [
            "config.toml:2: dashboard.bell: must be true or false, not a string",
            "config.toml:3: dashboard.theme: 'no-such-theme' is neither a built-in theme (dark, light, monochrome, high-contrast, colorblind) nor a readable file",
            "config.toml:6: replay.speed: must be 0.1 to 1000, or \"max\", not 5000",
            "config.toml:9: signals.spread_warn_multiple: 'two' is not a plain decimal number (such as 0.35 or 250000)",
            "config.toml:10: signals.depth_warn_fraction: must be more than 0 and at most 1, not 1.5",
            // A number, said as what it is (it read "a whole number of samples, not a number").
            "config.toml:11: signals.warmup_samples: must be a whole number of samples, written without a decimal point or an exponent (30, not 30.0 or 3e1)",
            "config.toml:12: signals.spread_floor_bps: '1e3' is not a plain decimal number (such as 0.35 or 250000)",
            "config.toml:15: rules.profile: must be venue, binance, bybit or bitmex, not 'ftx'",
            "config.toml:16: rules.adl_refresh: must be 1 to 3600 seconds, not 0",
            "config.toml:17: rules.liquidation: must be full, partial, or partial:FRACTION with 0.01 <= FRACTION < 1, not 'partial:2'",
        ])
        #expect(refusal("dashboard = 3") == ["config.toml:1: dashboard: must be a section ([dashboard]), not a single value"])
        // A decimal with more places than liqwatch keeps is one, said so (it read "not a plain decimal number").
        #expect(refusal("[signals]\nspread_warn_multiple = \"2.0000000000000000001\"\n") == [
            "config.toml:2: signals.spread_warn_multiple: '2.0000000000000000001' is too large or has more than 18 decimal places",
        ])
    }

    @Test("a warn level past its alert level is refused on the line that set it")
    func levelsInOrder() {
        #expect(refusal("[signals]\nspread_alert_multiple = 1.5\n") == [
            "config.toml:2: signals.spread_alert_multiple: must be at least spread_warn_multiple (2), not 1.5",
        ])
        #expect(refusal("[signals]\ndepth_alert_fraction = 0.25\ndepth_warn_fraction = 0.2\n") == [
            "config.toml:3: signals.depth_warn_fraction: must be at least depth_alert_fraction (0.25), not 0.2",
        ])
        #expect(refusal("[risk]\nmargin_ratio_warn = 0.9\n") == [
            "config.toml:2: risk.margin_ratio_warn: must be at most margin_ratio_alert (0.8), not 0.9",
        ])
    }

    @Test("a TOML syntax error names the file and the line")
    func syntaxError() {
        let problems = refusal("[dashboard]\nbell = true\ntheme = \"dark\n")
        #expect(problems.count == 1)
        #expect(problems.first?.hasPrefix("config.toml:3: not TOML: ") == true, "\(problems)")
        #expect(refusal("[dashboard]\n[dashboard]\n").first?.hasPrefix("config.toml:2: ") == true)
        // A key given twice, once quoted: said plainly (the parser's words garbled the key:
        // `''spspread_warn_multiple' '`: attacker trial).
        let twice = refusal("[signals]\n\"spread_warn_multiple\" = 3\n'spread_warn_multiple' = 3\n")
        #expect(twice == ["config.toml:3: not TOML: Error while parsing key-value pair: a key or table on this line is given twice (quoted or not, a name is one name)"],
            "\(twice)")
    }
}

@Suite("config.toml: command line over file over defaults")
struct PrecedenceTests {
    @Test("what the command line gives wins; what it leaves out keeps the file's value")
    func commandLineWins() throws {
        let file = try read("""
            [dashboard]
            theme = "light"
            bell = false
            [replay]
            speed = "max"
            [rules]
            profile = "bitmex"
            shortfall = "socialised-loss"
            [markets]
            focus = "ETHUSDT"
            """).settings
        var commandLine = CommandLineChoices()
        commandLine.theme = "monochrome"
        commandLine.rules = .binance
        commandLine.bell = true
        let merged = file.applying(commandLine)
        #expect(merged.theme == "monochrome")
        #expect(merged.bell == true)
        #expect(merged.rules == .binance)
        #expect(merged.speed == "max")
        #expect(merged.shortfall == .socialisedLoss)
        #expect(merged.focus == "ETHUSDT")
        #expect(Settings().applying(CommandLineChoices()) == Settings())
        #expect(file.applying(CommandLineChoices()) == file)
    }
}

@Suite("config.toml: where it is")
struct ConfigLocationTests {
    static func always(_ path: String) -> Bool { true }
    static func never(_ path: String) -> Bool { false }

    @Test("--config, then $XDG_CONFIG_HOME, then ~/.config; only an existing file is read; --no-config none")
    func lookup() {
        let environment = ["HOME": "/home/operator", "XDG_CONFIG_HOME": "/xdg"]
        #expect(ConfigLocation.choose(given: "my.toml", ignore: false, environment: environment, exists: Self.never) == .given("my.toml"))
        #expect(ConfigLocation.choose(given: nil, ignore: false, environment: environment, exists: Self.always) == .found("/xdg/liqwatch/config.toml"))
        #expect(ConfigLocation.choose(given: nil, ignore: false, environment: ["HOME": "/home/operator"], exists: Self.always)
            == .found("/home/operator/.config/liqwatch/config.toml"))
        // A relative XDG_CONFIG_HOME is invalid by the XDG rules and ignored.
        #expect(ConfigLocation.choose(given: nil, ignore: false, environment: ["HOME": "/h", "XDG_CONFIG_HOME": "rel"], exists: Self.always)
            == .found("/h/.config/liqwatch/config.toml"))
        #expect(ConfigLocation.choose(given: nil, ignore: false, environment: environment, exists: Self.never) == .absent(lookedAt: "/xdg/liqwatch/config.toml"))
        #expect(ConfigLocation.choose(given: nil, ignore: false, environment: [:], exists: Self.always) == .absent(lookedAt: nil))
        #expect(ConfigLocation.choose(given: nil, ignore: true, environment: environment, exists: Self.always) == .ignored)
    }

    @Test("a missing --config file is an error naming it; /dev/null is an empty one")
    func missingFile() throws {
        #expect(try ConfigFile.load(path: "/dev/null").settings == Settings())
        #expect(throws: ConfigFailure.self) { try ConfigFile.load(path: "/") }
        #expect(throws: ConfigFailure.self) { try ConfigFile.load(path: "/nonexistent/liqwatch.toml") }
        do { _ = try ConfigFile.load(path: "/nonexistent/liqwatch.toml") } catch {
            #expect(error.description == "/nonexistent/liqwatch.toml: no such config file")
        }
    }
}

@Suite("config.toml: the README's example")
struct ReadmeExampleTests {
    @Test("the example in the README's Configuration section reads with no warning")
    func readmeExample() throws {
        let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("README.md")
        let text = try String(contentsOf: readme, encoding: .utf8)
        let section = try #require(text.range(of: "## Configuration\n"))
        let start = try #require(text.range(of: "```toml\n", range: section.upperBound..<text.endIndex))
        let end = try #require(text.range(of: "```\n", range: start.upperBound..<text.endIndex))
        let result = try read(String(text[start.upperBound..<end.lowerBound]))
        #expect(result.warnings.isEmpty, "\(result.warnings)")
        #expect(result.settings.theme == "colorblind")
        #expect(result.settings.keymap.action(for: .character("Q")) == .quit)
    }
}

/// A partial liquidation's step has a floor: one of 10⁻¹⁸ of a position made 33 million
/// liquidations of 50 positions and 7.6 GB (attacker trial).
@Suite("config.toml and the flag: the partial liquidation's smallest step")
struct PartialFractionFloorTests {
    @Test("partial:0.01 is read; below it the key is refused by name, and the flag's parser refuses it too")
    func floor() throws {
        let settings = try read("[rules]\nliquidation = \"partial:0.01\"\n").settings
        #expect(settings.liquidation == .partial(fraction: Fixed("0.01")!))
        for tiny in ["0.009", "0.000000000000000001", "0"] {
            let problems = refusal("[rules]\nliquidation = \"partial:\(tiny)\"\n")
            #expect(problems.count == 1)
            #expect(problems.first?.contains("rules.liquidation") == true, "\(problems)")
            #expect(problems.first?.contains("0.01") == true, "\(problems)")
            #expect(RuleChoices.liquidation("partial:\(tiny)") == nil)
        }
        #expect(RuleChoices.liquidation("partial:0.5") == .partial(fraction: Fixed("0.5")!))
    }
}

@Suite("config.toml: live symbols checked by their form")
struct LiveSymbolsCheckTests {
    @Test("a live symbol with an escape sequence is refused by file, line and key, shown escaped; good ones are read")
    func escapeInSymbol() throws {
        let problems = refusal("[markets]\nlive_source = \"binance-usdm\"\nlive_symbols = [\"BTCUSDT\", \"BTC\\u001b]0;PWN\\u0007USDT\"]\n")
        #expect(problems.count == 1)
        #expect(problems.first?.hasPrefix("config.toml:3: markets.live_symbols") == true, "\(problems)")
        #expect(problems.first?.contains("\u{1B}") == false, "\(problems)")
        #expect(try read("[markets]\nlive_symbols = [\"BTCUSDT\", \"bybit:ETHUSDT\", \"okx:BTC-USDT-SWAP\"]\n").settings.liveSymbols
            == ["BTCUSDT", "bybit:ETHUSDT", "okx:BTC-USDT-SWAP"])
        let slash = refusal("[markets]\nlive_symbols = [\"BTC/USDT\"]\n")
        #expect(slash.first?.contains("is not a live symbol") == true, "\(slash)")
    }
}
