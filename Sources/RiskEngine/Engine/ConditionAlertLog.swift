/// The alerts an `AlertWatcher` told of conditions rather than signals: books that could not be
/// trusted, marks not given, streams silent or cut off, a recording that stopped. The session log
/// keeps signal and fund alerts; these exist only as the watcher tells them, and a headless
/// report left them out (a replay the dashboard showed seven alerts for reported one, its three
/// stale books and three outdated marks nowhere: operator trial). Bounded, with the whole count.
public struct ConditionAlertLog: Sendable {
    public private(set) var count = 0
    public private(set) var recent = RingBuffer<OperatorAlert>(capacity: ConditionAlertLog.keep)
    public static let keep = 200

    public init() {}

    /// Keeps the condition alerts of `told` (a watcher's look), in the order told.
    public mutating func record(_ told: [OperatorAlert]) {
        for alert in told where alert.kind != .signal && alert.kind != .fund {
            count += 1
            recent.append(alert)
        }
    }
}
