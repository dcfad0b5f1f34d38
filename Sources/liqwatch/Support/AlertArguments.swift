import ArgumentParser
import Foundation
import MarketFeeds

/// How alerts reach the operator beyond the screen: the bell, an alert log, a command.
struct AlertArguments: ParsableArguments {
    @Flag(name: .customLong("no-bell"), help: "Do not ring the terminal bell on a new alert.") var noBell = false
    @Option(name: .customLong("alert-log"), help: "Append every alert to FILE as a JSON line, written as it happens (headless too).")
    var alertLog: String?
    @Option(name: .customLong("on-alert"), help: "Run CMD (by /bin/sh -c) for each new alert, the alert as a JSON line on its standard input; at most 4 at once, each stopped after --on-alert-timeout seconds (headless too).")
    var onAlert: String?
    @Option(name: .customLong("on-alert-timeout"), help: "Seconds an --on-alert command may run (1 to 600).") var onAlertTimeout: Double = 10

    func validate() throws {
        guard onAlertTimeout >= 1 && onAlertTimeout <= 600 else { throw ValidationError("--on-alert-timeout must be 1 to 600 seconds") }
        if let onAlert, onAlert.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--on-alert needs a command") }
        if let alertLog, alertLog.isEmpty { throw ValidationError("--alert-log needs a file") }
    }

    /// The delivery the options ask for; nil when they ask for none.
    func delivery() throws -> AlertDelivery? {
        guard alertLog != nil || onAlert != nil else { return nil }
        do { return try AlertDelivery(logPath: alertLog, command: onAlert, timeout: onAlertTimeout) } catch {
            throw ValidationError("--alert-log: \(error.description)")
        }
    }
}
