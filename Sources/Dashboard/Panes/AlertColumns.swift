import RiskEngine

/// The alerts view's columns, sized for the whole list rather than the rows on screen (widths,
/// and the date, came and went while it scrolled: operator trial), and squeezed in a fixed order
/// where the view is narrow: the gaps first, then the alert's name (its short form, then "…"),
/// then the market's name, and the date last. A figure is never cut.
struct AlertColumns {
    enum TimeStyle: Equatable {
        /// `23:56:10`: every alert of one day (the title says which).
        case timeOfDay
        /// `08-08 23:56:10`: days of one year.
        case monthDay
        /// `2024-08-08 23:56:10`: a replay of recordings years apart.
        case full
        /// `08-08 23:56`: the shortest form that still says the day (the tape's, where the others
        /// cost it the time column).
        case monthDayMinutes

        /// The next shorter form that still carries the day, or nil.
        var shorterDated: TimeStyle? {
            switch self {
            case .full: return .monthDay
            case .monthDay: return .monthDayMinutes
            case .monthDayMinutes, .timeOfDay: return nil
            }
        }
    }

    static let seenWidth = 5
    private(set) var time: TimeStyle
    private(set) var timeWidth: Int
    private(set) var marketWidth: Int
    private(set) var whatWidth = 0
    private(set) var valueWidth: Int
    private(set) var gap = 2

    /// `width`: the cells the line may take.
    init(_ book: AlertBook, names: MarketNames, width: Int) {
        time = book.timeSpan.map(AlertColumns.timeStyle) ?? .timeOfDay
        timeWidth = AlertColumns.width(of: time)
        valueWidth = max(5, book.widestValue)
        let widestMarket = book.marketsTold.map { DisplayWidth.of(names.short($0)) }.max() ?? 0
        marketWidth = min(22, max(6, widestMarket))
        func rest() -> Int { width - timeWidth - marketWidth - valueWidth - AlertColumns.seenWidth - 4 * gap }
        if rest() < 16 { gap = 1 }
        if rest() < 10 { marketWidth = min(marketWidth, max(8, marketWidth - (10 - rest()))) }
        while rest() < 8, time != .timeOfDay {
            time = time == .full ? .monthDay : .timeOfDay
            timeWidth = AlertColumns.width(of: time)
        }
        whatWidth = max(0, rest())
    }

    var header: String {
        let separator = String(repeating: " ", count: gap)
        return [Format.left("time", timeWidth), Format.left("market", marketWidth), Format.left("alert", whatWidth),
                // The value when the alert was raised, not now: the signals pane beside it read
                // `ADL 6.127 BTC` against the alert's `5.870` at the same second (operator trial).
                Format.right(valueWidth >= 8 ? "at alert" : "value", valueWidth), "seen"].joined(separator: separator)
    }

    func line(_ alert: OperatorAlert, market: String, value: String, seen: String) -> String {
        let separator = String(repeating: " ", count: gap)
        let named = (AlertsPane.whatCandidates(alert) + [AlertsPane.shortWhat(alert)]).first { DisplayWidth.of($0) <= whatWidth }
            ?? AlertsPane.tinyWhat(alert)
        return [Format.left(text(alert.time), timeWidth), Format.marketName(market, marketWidth), Format.name(named, whatWidth),
                Format.right(value, valueWidth), seen].joined(separator: separator)
    }

    func text(_ time: Int64) -> String { AlertColumns.text(time, style: self.time) }

    /// A time as `style` gives it (the tape's rows too).
    static func text(_ time: Int64, style: TimeStyle) -> String {
        switch style {
        case .timeOfDay: return Format.clock(time)
        case .monthDay: return String(AlertColumns.dateTime(time).dropFirst(5))
        case .full: return AlertColumns.dateTime(time)
        case .monthDayMinutes: return String(AlertColumns.dateTime(time).dropFirst(5).prefix(11))
        }
    }

    static func width(of style: TimeStyle) -> Int {
        switch style {
        case .timeOfDay: return 8
        case .monthDay: return 14
        case .full: return 19
        case .monthDayMinutes: return 11
        }
    }

    static func timeStyle(_ span: ClosedRange<Int64>) -> TimeStyle {
        let first = EventTime.date(span.lowerBound), last = EventTime.date(span.upperBound)
        if first == last { return .timeOfDay }
        return first.prefix(4) == last.prefix(4) ? .monthDay : .full
    }

    /// `2024-08-08 23:56:10`.
    static func dateTime(_ time: Int64) -> String {
        String(EventTime.iso8601(time).prefix(19)).replacingOccurrences(of: "T", with: " ")
    }
}
