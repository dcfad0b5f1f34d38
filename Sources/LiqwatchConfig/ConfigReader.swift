import Dashboard
import RiskEngine
import ScreenKit
import TOMLKit

/// Reads config.toml's text into `Settings`: known keys are checked and applied, unknown keys and
/// sections are warned about (the run goes on), bad values refuse the whole file. Never writes.
public enum ConfigReader {
    /// The parser's words, where they garble a quoted key (`cannot redefine existing integer
    /// ''spspread_warn_multiple' '` for a key given twice, once quoted): said plainly.
    static func plain(_ description: String) -> String {
        if let range = description.range(of: "cannot redefine existing ") {
            return String(description[..<range.lowerBound]) + "a key or table on this line is given twice (quoted or not, a name is one name)"
        }
        return description
    }

    public struct Result: Sendable {
        public var settings: Settings
        /// Unknown keys and sections, in line order.
        public var warnings: [ConfigProblem]
    }

    /// - Parameters:
    ///   - file: how messages name the file.
    ///   - directory: the file's folder, which relative paths in it (a theme, the alert log) are read from.
    ///   - home: what `~/` means.
    public static func read(text: String, file: String, directory: String? = nil, home: String? = nil) throws(ConfigFailure) -> Result {
        // A NUL in a key crashed TOMLKit's table iterator (every command stopped on a user's
        // config.toml), and in a value cut it short where it stood ("0.4\u00009" read as 0.4):
        // refused before parsing, by its line (attacker trial).
        if let line = nulLine(in: text) {
            throw ConfigFailure(problems: [ConfigProblem(file: file, line: line, key: nil,
                message: "a NUL character (written \\u0000 or \\U00000000, or raw) is not allowed in a config file")])
        }
        if let line = DottedKeyDepth.firstTooDeep(in: text) {
            throw ConfigFailure(problems: [ConfigProblem(file: file, line: line, key: nil,
                message: "a dotted key or table name of more than \(DottedKeyDepth.limit) parts: no key of liqwatch's has more than three")])
        }
        let document: TOMLTable
        do { document = try TOMLTable(string: text) } catch let error as TOMLParseError {
            throw ConfigFailure(problems: [ConfigProblem(file: file, line: error.source.begin.line, key: nil, message: "not TOML: \(ConfigReader.plain(error.description))")])
        } catch {
            throw ConfigFailure(problems: [ConfigProblem(file: file, line: nil, key: nil, message: "not TOML: \(error)")])
        }
        var reading = Reading(file: file, lines: SourceLines(text), context: ReadingContext(directory: directory, home: home))
        reading.apply(document)
        reading.checkOrder()
        let warnings = reading.warnings.sorted(by: Reading.lineOrder)
        guard reading.errors.isEmpty else {
            throw ConfigFailure(problems: reading.errors.sorted(by: Reading.lineOrder), warnings: warnings)
        }
        return Result(settings: reading.settings, warnings: warnings)
    }
}

extension ConfigReader {
    /// The first line (1-based) holding a NUL: raw, or as TOML's escapes `\u0000` or
    /// `\U00000000` (a backslash escaped itself, `\\u0000`, is not one).
    static func nulLine(in text: String) -> Int? {
        var line = 1
        let bytes = Array(text.utf8)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0 { return line }
            if byte == UInt8(ascii: "\n") { line += 1 }
            guard byte == UInt8(ascii: "\\") else { index += 1; continue }
            // A run of backslashes: an odd one escapes what follows.
            var end = index
            while end < bytes.count && bytes[end] == UInt8(ascii: "\\") { end += 1 }
            if (end - index) % 2 == 1 && end < bytes.count {
                let zeros = bytes[end] == UInt8(ascii: "u") ? 4 : bytes[end] == UInt8(ascii: "U") ? 8 : 0
                if zeros > 0 && end + zeros < bytes.count
                    && bytes[(end + 1)...(end + zeros)].allSatisfy({ $0 == UInt8(ascii: "0") }) {
                    return line
                }
            }
            index = end
        }
        return nil
    }
}

/// One pass over a parsed file.
struct Reading {
    let file: String
    let lines: SourceLines
    let context: ReadingContext
    var settings = Settings()
    var errors: [ConfigProblem] = []
    var warnings: [ConfigProblem] = []
    /// The keys the file set, for the checks across keys (a warn level past its alert level).
    var given: Set<String> = []

    static func lineOrder(_ first: ConfigProblem, _ second: ConfigProblem) -> Bool {
        (first.line ?? .max, first.key ?? "") < (second.line ?? .max, second.key ?? "")
    }

    func problem(_ path: [String], _ message: String) -> ConfigProblem {
        ConfigProblem(file: file, line: lines.line(of: path), key: path.joined(separator: "."), message: message)
    }

    mutating func apply(_ document: TOMLTable) {
        let known = Set(ConfigSchema.sections.map(\.name))
        for (sectionName, value) in document {
            guard known.contains(sectionName) else {
                // A section is an unknown table; anything else at the top is a key outside every section.
                let what = value.type == .table ? "unknown section '[\(sectionName)]'" : "unknown key '\(sectionName)' (keys belong in a section such as [dashboard])"
                warnings.append(ConfigProblem(file: file, line: lines.line(of: [sectionName]), key: nil, message: what))
                continue
            }
            guard let table = value.table else {
                errors.append(problem([sectionName], "must be a section ([\(sectionName)]), not a single value"))
                continue
            }
            if sectionName == "keys" { applyKeys(table); continue }
            for (name, entry) in table {
                let path = [sectionName, name]
                guard let key = ConfigSchema.key(section: sectionName, name: name) else {
                    warnings.append(ConfigProblem(file: file, line: lines.line(of: path), key: nil, message: "unknown key '\(sectionName).\(name)'"))
                    continue
                }
                do {
                    try key.apply(ConfigValue(value: entry, rawText: lines.rawValue(of: path), context: context), &settings)
                    given.insert(key.path)
                } catch { errors.append(problem(path, error.message)) }
            }
        }
    }

    /// `[keys]`: each action's keys. An unknown action, an unknown key name or a key that would do
    /// two things refuses the file: a key map that silently did something else is worse than none.
    mutating func applyKeys(_ table: TOMLTable) {
        var overrides: [Action: [Key]] = [:]
        var lineOfAction: [Action: Int] = [:]
        for (name, entry) in table {
            let path = ["keys", name]
            guard let action = ActionNames.action(named: name) else {
                let names = Action.allCases.map(ActionNames.name(of:)).joined(separator: ", ")
                errors.append(problem(path, "unknown action '\(name)' (actions: \(names))"))
                continue
            }
            let value = ConfigValue(value: entry, rawText: lines.rawValue(of: path), context: context)
            let names: [String]
            do { names = try value.strings() } catch { errors.append(problem(path, error.message)); continue }
            var keys: [Key] = []
            for keyName in names {
                guard let key = KeyNames.key(named: keyName) else {
                    // Its characters named where they would not show (`' '` was U+00A0: attacker trial).
                    errors.append(problem(path, "unknown key '\(KeyNames.visible(keyName))' (a key is \(KeyNames.spelledOut))"))
                    continue
                }
                keys.append(key)
            }
            overrides[action] = keys
            lineOfAction[action] = lines.line(of: path)
        }
        guard !overrides.isEmpty, errors.isEmpty else { return }
        do { settings.keymap = try Keymap(overrides: overrides) } catch {
            switch error {
            case .noKeys(let action):
                errors.append(problem(["keys", ActionNames.name(of: action)], "needs at least one key (an action with none could never be asked for)"))
            case .keyBoundTwice(let key, let action, let other):
                // Name the rebinding the operator wrote: the later of the two lines when both were.
                let blamed = [action, other].filter { overrides[$0] != nil }.max { (lineOfAction[$0] ?? 0) < (lineOfAction[$1] ?? 0) } ?? action
                let partner = blamed == action ? other : action
                errors.append(problem(["keys", ActionNames.name(of: blamed)],
                    "'\(KeyNames.name(of: key))' is also bound to \(ActionNames.name(of: partner)); a key may do one thing only"))
            }
        }
    }

    /// Levels must come in order: a warn level past its alert level would alert before it warns.
    mutating func checkOrder() {
        let signals = settings.signals
        let risk = settings.risk
        func pair(_ section: String, _ lowerName: String, _ lower: Double, _ upperName: String, _ upper: Double) -> OrderedPair {
            OrderedPair(section: section, lowerName: lowerName, lower: Self.shown(lower), upperName: upperName, upper: Self.shown(upper), inOrder: lower <= upper)
        }
        func pair(_ section: String, _ lowerName: String, _ lower: Fixed, _ upperName: String, _ upper: Fixed) -> OrderedPair {
            OrderedPair(section: section, lowerName: lowerName, lower: lower.description, upperName: upperName, upper: upper.description, inOrder: lower <= upper)
        }
        let pairs = [
            pair("signals", "spread_warn_multiple", signals.spreadWarnMultiple, "spread_alert_multiple", signals.spreadAlertMultiple),
            // Depth falls: its alert fraction is the lower one.
            pair("signals", "depth_alert_fraction", signals.depthAlertFraction, "depth_warn_fraction", signals.depthWarnFraction),
            pair("signals", "spread_vs_depth_warn", signals.spreadVsDepthWarn, "spread_vs_depth_alert", signals.spreadVsDepthAlert),
            pair("signals", "drain_warn_ratio", signals.drainWarnRatio, "drain_alert_ratio", signals.drainAlertRatio),
            pair("signals", "liquidations_10s_warn_count", Double(signals.liquidations10sWarn.count), "liquidations_10s_alert_count", Double(signals.liquidations10sAlert.count)),
            pair("signals", "liquidations_10s_warn_notional", signals.liquidations10sWarn.notional, "liquidations_10s_alert_notional", signals.liquidations10sAlert.notional),
            pair("signals", "liquidations_60s_warn_count", Double(signals.liquidations60sWarn.count), "liquidations_60s_alert_count", Double(signals.liquidations60sAlert.count)),
            pair("signals", "liquidations_60s_warn_notional", signals.liquidations60sWarn.notional, "liquidations_60s_alert_notional", signals.liquidations60sAlert.notional),
            pair("signals", "stressed_warn_fraction", signals.stressedWarnFraction, "stressed_alert_fraction", signals.stressedAlertFraction),
            pair("risk", "margin_ratio_warn", risk.marginRatioWarn, "margin_ratio_alert", risk.marginRatioAlert),
            // Distance shrinks towards liquidation: its alert band is the lower one.
            pair("risk", "distance_alert_percent", risk.distanceAlertPercent, "distance_warn_percent", risk.distanceWarnPercent),
            pair("risk", "drawdown_warn", risk.drawdownWarn, "drawdown_alert", risk.drawdownAlert),
        ]
        for pair in pairs where !pair.inOrder { refuse(pair) }
        checkLiveSymbols()
    }

    /// `live_symbols` are looked up on `live_source`'s venue when `liqwatch live` is given no
    /// SOURCE: a symbol of another venue's shape (`BTCUSDT` for OKX, whose are `BTC-USDT-SWAP`)
    /// passed the check and the run refused it, blaming `--symbols`, which nobody gave (review).
    /// Only when both are this file's (`live_source` a venue, not venue:symbol).
    mutating func checkLiveSymbols() {
        guard given.contains("markets.live_symbols"), let source = settings.liveSource,
              let venue = Venue.parse(source), Venue.live.contains(venue) else { return }
        // A market named whole (`binance-usdm:BTCUSDT`) is looked up on its own venue.
        guard let unlisted = settings.liveSymbols.first(where: { !$0.contains(":") && !venue.lists($0) }) else { return }
        errors.append(problem(["markets", "live_symbols"],
            "live_source \(venue.rawValue) lists no \(SafeText.escaped(String(unlisted.prefix(64)))): \(venue.symbolShape)"))
    }

    struct OrderedPair {
        let section: String
        let lowerName: String
        let lower: String
        let upperName: String
        let upper: String
        let inOrder: Bool
    }

    /// The message goes to the line of whichever of the two the file set (the later one when it
    /// set both).
    mutating func refuse(_ pair: OrderedPair) {
        let lowerPath = [pair.section, pair.lowerName], upperPath = [pair.section, pair.upperName]
        let setLower = given.contains(lowerPath.joined(separator: ".")), setUpper = given.contains(upperPath.joined(separator: "."))
        guard setLower || setUpper else { return }
        let blameUpper = setUpper && (!setLower || (lines.line(of: upperPath) ?? 0) >= (lines.line(of: lowerPath) ?? 0))
        let message = blameUpper
            ? "must be at least \(pair.lowerName) (\(pair.lower)), not \(pair.upper)"
            : "must be at most \(pair.upperName) (\(pair.upper)), not \(pair.lower)"
        errors.append(problem(blameUpper ? upperPath : lowerPath, message))
    }

    static func shown(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : "\(value)"
    }
}
