import MarketFeeds
import RiskEngine

/// What a headless run's alert watcher finds, each time it looks: told to the operator's systems
/// when an alert log or hook was asked for, and the conditions (stale books, outdated marks,
/// streams) kept for the report whether or not (`ConditionAlertLog`).
struct HeadlessAlerts {
    var watcher = AlertWatcher()
    private(set) var conditions = ConditionAlertLog()
    let delivery: AlertDelivery?

    init(delivery: AlertDelivery?) { self.delivery = delivery }

    /// One look: `newAlerts` asks the session with the watcher (`session.newAlerts(&$0)`).
    mutating func look(_ newAlerts: (inout AlertWatcher) -> [OperatorAlert]) {
        let told = newAlerts(&watcher)
        conditions.record(told)
        delivery?.deliver(told)
    }
}
