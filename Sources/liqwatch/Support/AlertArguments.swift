import ArgumentParser
import Foundation
import LiqwatchConfig
import MarketFeeds

/// How alerts reach the operator beyond the screen: the bell, an alert log, a command. Each is
/// optional here so that one not given leaves the config file's choice standing.
struct AlertArguments: ParsableArguments {
    @Flag(inversion: .prefixedNo, help: "Ring the terminal bell on a new alert (default: on).") var bell: Bool?
    @Option(name: .customLong("alert-log"), help: "Append every alert to FILE as a JSON line, written as it happens (headless too).")
    var alertLog: String?
    @Option(name: .customLong("on-alert"), help: "Run CMD (by /bin/sh -c) for each new alert, the alert as a JSON line on its standard input; at most 4 at once, each stopped after --on-alert-timeout seconds (headless too).")
    var onAlert: String?
    @Option(name: .customLong("on-alert-timeout"), parsing: .unconditional, help: "Seconds an --on-alert command may run (1 to 600; default: 10).") var onAlertTimeout: Double?

    func validate() throws {
        if let onAlertTimeout, !RuleChoices.onAlertTimeoutRange.contains(onAlertTimeout) {
            throw ValidationError("--on-alert-timeout must be 1 to 600 seconds")
        }
        if let onAlert, onAlert.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--on-alert needs a command") }
        if let alertLog, alertLog.isEmpty { throw ValidationError("--alert-log needs a file") }
    }

    func add(to choices: inout CommandLineChoices) {
        choices.bell = bell
        choices.alertLog = alertLog
        choices.onAlert = onAlert
        choices.onAlertTimeout = onAlertTimeout
    }

    /// The delivery the settings ask for; nil when they ask for none.
    static func delivery(_ settings: Settings) throws -> AlertDelivery? {
        guard settings.alertLog != nil || settings.onAlert != nil else { return nil }
        do { return try AlertDelivery(logPath: settings.alertLog, command: settings.onAlert, timeout: settings.onAlertTimeout) } catch {
            throw InputError("--alert-log: \(error.description)")
        }
    }
}
