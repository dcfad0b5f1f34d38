import RiskEngine

/// Every alert told to the operator this session (signals at ALERT, books gone stale, streams
/// silent or cut, a recording stopped), newest last, and how many the operator has seen (`a`).
/// Seeing an alert does not make it go: the alerts view (`A`) keeps it, marked seen.
public struct AlertBook: Sendable {
    /// The newest alerts kept (the count of all is `total`).
    public static let keep = 10_000
    public private(set) var alerts: [OperatorAlert] = []
    public private(set) var total = 0
    /// Alerts told before this ordinal were seen.
    public private(set) var seen = 0
    var watcher = AlertWatcher()
    /// The earliest and the latest time of an alert told this session: the alerts view writes
    /// its times with the date only when they span days, the year only when they span years.
    public private(set) var timeSpan: ClosedRange<Int64>?
    /// The widest value told, in cells, and the markets told: the view's columns are as wide as
    /// the whole list needs, not the rows on screen (they came and went while scrolling: trial).
    public private(set) var widestValue = 0
    public private(set) var marketsTold: Set<String> = []

    public init() {}

    public var unseen: Int { total - seen }

    /// The ordinal (0-based, over the whole session) of `alerts[index]`.
    public func ordinal(ofKept index: Int) -> Int { total - alerts.count + index }

    public func isSeen(kept index: Int) -> Bool { ordinal(ofKept: index) < seen }

    /// Looks at the session again; returns what is new (to ring the bell for and hand on).
    mutating func observe(engine: Engine, log: SessionLog, status: SessionStatus) -> [OperatorAlert] {
        let fresh = watcher.newAlerts(log: log, streams: status.streamConditions,
            recordingError: status.recordingError, time: max(engine.time, status.time))
        guard !fresh.isEmpty else { return [] }
        append(fresh, engine: engine)
        return fresh
    }

    /// Each kept alert's value as written when it was told (beside `alerts`): written again at
    /// each frame from the engine of the moment, a coin-settled value after a jump back to before
    /// its market existed read USDT, wider than its column, and lost its first digit (review).
    public private(set) var values: [String] = []

    private mutating func append(_ told: [OperatorAlert], engine: Engine?) {
        alerts.append(contentsOf: told)
        values.append(contentsOf: told.map { AlertsPane.value($0, engine: engine) })
        total += told.count
        if alerts.count > AlertBook.keep {
            alerts.removeFirst(alerts.count - AlertBook.keep)
            values.removeFirst(values.count - AlertBook.keep)
        }
        for alert in told {
            timeSpan = timeSpan.map { min($0.lowerBound, alert.time)...max($0.upperBound, alert.time) } ?? alert.time...alert.time
            if let market = alert.market { marketsTold.insert(market) }
        }
        for value in values.suffix(told.count) { widestValue = max(widestValue, DisplayWidth.of(value)) }
    }

    mutating func acknowledge() { seen = total }

    /// Alerts told, as `observe` adds them (tests).
    mutating func appendForTest(_ told: [OperatorAlert], engine: Engine? = nil) {
        append(told, engine: engine)
    }

    /// How many kept alerts come after `time`: in a replay jumped back, alerts told on the way
    /// to a later time that the session has not reached again (they stay: they were told). All
    /// of them are looked at (at most `keep`): after a jump back an alert of the earlier time is
    /// told after the later ones (review).
    public func laterThan(_ time: Int64) -> Int {
        alerts.reduce(0) { $0 + ($1.time > time ? 1 : 0) }
    }

    /// The alerts as of a replay's `time` (nil: live, every alert is now's): those later than it
    /// (told on the way to a later time, not happened again yet) counted apart, as the status bar
    /// and the terminal's title both count them, in one pass over the kept alerts.
    public struct Counts: Equatable, Sendable {
        /// Not seen, and not later.
        public var unseen: Int
        /// Every alert told, but the later ones.
        public var total: Int
        public var later: Int
    }

    /// The counts as of `time` (see `Counts`).
    public func counts(at time: Int64?) -> Counts {
        var later = 0
        var unseenLater = 0
        if let time {
            for (index, alert) in alerts.enumerated() where alert.time > time {
                later += 1
                if !isSeen(kept: index) { unseenLater += 1 }
            }
        }
        return Counts(unseen: max(0, unseen - unseenLater), total: total - min(later, total), later: later)
    }

    /// The newest alert at or before `time` (nil: none).
    public func latest(atOrBefore time: Int64) -> OperatorAlert? {
        alerts.last { $0.time <= time }
    }

    /// The terminal's title, so that a tab or a tmux window says it without being looked at.
    /// In a replay jumped back, the alerts later than the session's time are counted apart, as
    /// the status bar counts them (the title said `12 seen` where the status bar said `7 alerts
    /// seen · 5 later`: operator trial).
    func windowTitle(stale: Bool, at time: Int64?) -> String {
        let now = counts(at: time)
        var parts: [String] = []
        if stale { parts.append("STALE") }
        if now.unseen > 0 { parts.append("\(now.unseen) alert\(now.unseen == 1 ? "" : "s")") }
        else if now.total > 0 { parts.append("\(now.total) seen") }
        else if !stale && now.later == 0 { parts.append("no alerts") }
        if now.later > 0 { parts.append("\(now.later) later") }
        return "liqwatch — " + parts.joined(separator: " · ")
    }
}
