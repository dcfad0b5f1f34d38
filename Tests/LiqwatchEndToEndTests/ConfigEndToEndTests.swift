import Foundation
import Testing

/// config.toml through the real binary. Every run here names its file with --config (or reads none):
/// `BinaryRunner` and `TmuxSession` point XDG_CONFIG_HOME at an empty folder, so the real user's
/// config is never read.
@Suite("config.toml, end to end")
struct ConfigEndToEndTests {
    /// Thresholds no signal of the demo's cascade reaches.
    static let deafSignals = """
        [signals]
        spread_warn_multiple = 500
        spread_alert_multiple = 1000
        depth_warn_fraction = 0.0002
        depth_alert_fraction = "0.0001"
        spread_vs_depth_warn = 500
        spread_vs_depth_alert = 1000
        drain_warn_ratio = 500
        drain_alert_ratio = 1000
        liquidations_10s_warn_count = 999999
        liquidations_10s_warn_notional = 1_000_000_000_000
        liquidations_10s_alert_count = 1000000
        liquidations_10s_alert_notional = 1_000_000_000_000
        liquidations_60s_warn_count = 999999
        liquidations_60s_warn_notional = 1_000_000_000_000
        liquidations_60s_alert_count = 1000000
        liquidations_60s_alert_notional = 1_000_000_000_000
        stressed_warn_fraction = 500
        stressed_alert_fraction = 1000

        """

    static func signalAlerts(_ result: BinaryRunner.Result) throws -> Int {
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any], "\(result.standardError)")
        let signals = try #require(report["signals"] as? [String: Any])
        return try #require(signals["alert_count"] as? Int)
    }

    @Test("demo --headless --config: the file's signal thresholds change the report; the printed default changes nothing")
    func thresholdsChangeTheReport() throws {
        let scratch = try BadInputCommandTests.Scratch()
        let standard = try BinaryRunner.run(["demo", "--headless"])
        #expect(standard.status == 0, "\(standard.standardError)")
        let standardAlerts = try Self.signalAlerts(standard)
        #expect(standardAlerts > 0)

        let deaf = try scratch.write("deaf.toml", Self.deafSignals)
        let quiet = try BinaryRunner.run(["demo", "--headless", "--config", deaf])
        #expect(quiet.status == 0, "\(quiet.standardError)")
        #expect(quiet.standardError.isEmpty, "\(quiet.standardError)")
        #expect(try Self.signalAlerts(quiet) < standardAlerts)

        let printed = try BinaryRunner.run(["config", "--print-default"])
        #expect(printed.status == 0)
        let defaults = try scratch.write("default.toml", printed.standardOutput)
        let same = try BinaryRunner.run(["demo", "--headless", "--config", defaults])
        #expect(same.status == 0, "\(same.standardError)")
        #expect(same.standardError.isEmpty, "\(same.standardError)")
        #expect(try Self.signalAlerts(same) == standardAlerts)

        let check = try BinaryRunner.run(["config", "--check", defaults])
        #expect(check.status == 0)
        #expect(check.standardError.isEmpty, "\(check.standardError)")
    }

    @Test("an unknown key is a warning with file and line and the run goes on; a bad value stops it with exit 2")
    func warningsAndErrors() throws {
        let scratch = try BadInputCommandTests.Scratch()
        let typo = try scratch.write("typo.toml", "[dashboard]\nbell = false\n\n[dashbord]\ntheme = \"light\"\n")
        let warned = try BinaryRunner.run(["demo", "--headless", "--report", "text", "--config", typo])
        #expect(warned.status == 0, "\(warned.standardError)")
        #expect(warned.standardError.contains("\(typo):4: unknown section '[dashbord]'"), "\(warned.standardError)")

        // A name from the file reaches the terminal escaped, like every outside string.
        let hostile = try scratch.write("hostile.toml", "[dashboard]\n\"\\u001B]2;owned\\u0007\u{202E}\" = 1\n")
        let escaped = try BinaryRunner.run(["config", "--check", hostile])
        #expect(escaped.status == 0)
        #expect(escaped.standardError.contains("hostile.toml:2: unknown key 'dashboard."), "\(escaped.standardError)")
        #expect(!BadInputCommandTests.hasTerminalControls(escaped.standardError), "\(escaped.standardError)")

        // A theme file's colours are checked as the dashboard reads them (they passed `--check`
        // and were warned of at the next start: attacker trial), escaped.
        _ = try scratch.write("odd.theme", "theme[text]=\"#FF\u{1B}[2JFF\"\ntheme[alert]=\"#FF0000\"\n")
        let themed = try scratch.write("themed.toml", "[dashboard]\ntheme = \"odd.theme\"\n")
        let themeCheck = try BinaryRunner.run(["config", "--check", themed])
        #expect(themeCheck.status == 0)
        #expect(themeCheck.standardOutput.hasSuffix("ok (1 warning)\n"), "\(themeCheck.standardOutput)")
        #expect(themeCheck.standardError.contains("odd.theme:1: text: '#FF\\u{1B}[2JFF' is not #RRGGBB"), "\(themeCheck.standardError)")
        #expect(!BadInputCommandTests.hasTerminalControls(themeCheck.standardError), "\(themeCheck.standardError)")

        let bad = try scratch.write("bad.toml", "[signals]\n# the spread\nspread_warn_multiple = \"lots\"\n")
        let refused = try BinaryRunner.run(["demo", "--headless", "--config", bad])
        #expect(refused.status == 2)
        #expect(refused.standardOutput.isEmpty)
        #expect(refused.standardError.contains("\(bad):3: signals.spread_warn_multiple: 'lots' is not a plain decimal number"), "\(refused.standardError)")
        #expect(try BinaryRunner.run(["config", "--check", bad]).status == 1)

        let missing = scratch.url.appendingPathComponent("missing.toml").path
        let absent = try BinaryRunner.run(["replay", "--headless", "--config", missing, "no-such-recording.gz"])
        #expect(absent.status == 2)
        #expect(absent.standardError.contains("\(missing): no such config file"), "\(absent.standardError)")

        // The file under the command line: --no-config reads nothing at all.
        #expect(try BinaryRunner.run(["demo", "--headless", "--no-config", "--seed", "2"]).status == 0)
        let both = try BinaryRunner.run(["demo", "--headless", "--no-config", "--config", bad])
        #expect(both.status == 2)
    }

    @Test("the command line wins over the file: --alert-log replaces the file's alerts.log (a path from the file's folder)")
    func commandLineWins() throws {
        let scratch = try BadInputCommandTests.Scratch()
        let config = try scratch.write("config.toml", "[alerts]\nlog = \"from-file.jsonl\"\n")
        let fromFile = scratch.url.appendingPathComponent("from-file.jsonl").path
        let fromCommandLine = scratch.url.appendingPathComponent("from-command-line.jsonl").path
        // From another folder: the file's relative path is read from the file's own folder.
        let first = try BinaryRunner.run(["demo", "--headless", "--config", config])
        #expect(first.status == 0, "\(first.standardError)")
        let logged = ((try? String(contentsOfFile: fromFile, encoding: .utf8)) ?? "").split(separator: "\n").count
        #expect(logged > 0)
        let second = try BinaryRunner.run(["demo", "--headless", "--config", config, "--alert-log", fromCommandLine])
        #expect(second.status == 0, "\(second.standardError)")
        #expect(((try? String(contentsOfFile: fromCommandLine, encoding: .utf8)) ?? "").split(separator: "\n").count == logged)
        #expect(((try? String(contentsOfFile: fromFile, encoding: .utf8)) ?? "").split(separator: "\n").count == logged)
    }

    @Test("live: the file's markets.live_source and live_symbols stand in for SOURCE and --symbols")
    func liveMarkets() throws {
        let scratch = try BadInputCommandTests.Scratch()
        let config = try scratch.write("live.toml", "[markets]\nlive_source = \"binance-usdm\"\nlive_symbols = [\"BTC/USDT\"]\n")
        // The symbol from the file is refused by the file's check, naming its line and key (the
        // run used to blame --symbols, which the operator never gave): nothing starts.
        let refused = try BinaryRunner.run(["live", "--headless", "--duration", "1", "--config", config])
        #expect(refused.status == 2)
        #expect(refused.standardError.contains("live.toml:3: markets.live_symbols: 'BTC/USDT' is not a live symbol"), "\(refused.standardError)")
        let none = try BinaryRunner.run(["live", "--headless", "--duration", "1", "--no-config"])
        #expect(none.status == 2)
        #expect(none.standardError.contains("give a SOURCE"), "\(none.standardError)")
    }

    @Test("config --path: --config, then $XDG_CONFIG_HOME, then ~/.config")
    func path() throws {
        let scratch = try BadInputCommandTests.Scratch()
        let xdg = scratch.url.appendingPathComponent("xdg").path
        let home = scratch.url.appendingPathComponent("home").path
        let fromXDG = try BinaryRunner.run(["config", "--path"], environment: ["XDG_CONFIG_HOME": xdg, "HOME": home])
        #expect(fromXDG.standardOutput == "\(xdg)/liqwatch/config.toml\n")
        #expect(fromXDG.standardError.contains("no config file there"))
        let fromHome = try BinaryRunner.run(["config", "--path"], environment: ["XDG_CONFIG_HOME": "", "HOME": home])
        #expect(fromHome.standardOutput == "\(home)/.config/liqwatch/config.toml\n")
        let given = try BinaryRunner.run(["config", "--path", "--config", "/etc/liqwatch.toml"])
        #expect(given.standardOutput == "/etc/liqwatch.toml\n")

        // A file at the standard place is read without --config.
        try FileManager.default.createDirectory(atPath: "\(xdg)/liqwatch", withIntermediateDirectories: true)
        try "[dashboard]\nbel = true\n".write(toFile: "\(xdg)/liqwatch/config.toml", atomically: true, encoding: .utf8)
        let found = try BinaryRunner.run(["demo", "--headless", "--report", "text"], environment: ["XDG_CONFIG_HOME": xdg])
        #expect(found.status == 0)
        #expect(found.standardError.contains("\(xdg)/liqwatch/config.toml:2: unknown key 'dashboard.bel'"), "\(found.standardError)")
    }
}

@Suite("config.toml [keys] under tmux", .enabled(if: TmuxSession.isAvailable, "tmux is not installed"))
struct ConfigKeysTmuxTests {
    @Test("demo --config with a [keys] rebinding: the footer and the help name the new keys, and they work")
    func reboundHelp() throws {
        let scratch = try BadInputCommandTests.Scratch()
        let keys = try scratch.write("keys.toml", "[keys]\nhelp = [\"H\", \"?\"]\nhealth = [\"F\"]\nquit = [\"Q\"]\n")
        let session = try TmuxSession(arguments: ["demo", "--config", keys])
        let screen = session.waitFor(all: DashboardTmuxTests.panes + ["H help  Q quit"])
        #expect(screen.contains("H help  Q quit"), "\(screen)")
        session.send("H")
        let padding = String(repeating: " ", count: 15)
        let texts = ["Keys · H or Esc closes", "H / ?\(String(repeating: " ", count: 11))help (this screen)", "Q\(padding)quit", "F\(padding)feed health"]
        let help = session.waitFor(all: texts)
        for text in texts { #expect(help.contains(text), "no \(text):\n\(help)") }
        session.send("Escape")
        _ = session.waitFor { !$0.contains("Keys ·") }
        // q no longer quits; Q does.
        session.send("q")
        Thread.sleep(forTimeInterval: 0.5)
        #expect(!session.screen().contains("EXIT="))
        session.send("Q")
        let exited = session.waitFor { $0.contains("EXIT=") }
        #expect(exited.contains("EXIT=0"), "\(exited)")
    }
}
