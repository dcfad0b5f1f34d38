/// Formats and parses event times (nanoseconds since the Unix epoch, UTC) without Foundation's
/// date machinery: exact, and fast enough for a status bar redrawn thirty times a second. The
/// reports, the tape and the jump prompt all use it.
public enum EventTime {
    // MARK: Checked conversion of times from outside

    /// The latest time liqwatch represents: 2200-01-01T00:00:00Z, in nanoseconds since the epoch.
    ///
    /// Every time that comes from outside (a feed, a file, a socket, the keyboard) goes through one
    /// of the checked conversions below, which give nil for a time before the epoch or after this;
    /// the line that carried it is malformed. The bound leaves 62 years of headroom below
    /// `Int64.max`, so the engine's windows, samples and checkpoints can add to any accepted time
    /// without overflowing.
    public static let latest: Int64 = 7_258_118_400 * 1_000_000_000

    /// 2010-01-01T00:00:00Z in nanoseconds: no market liqwatch watches traded before it. A time in
    /// a file of liqwatch's own format earlier than this is seconds or milliseconds read as
    /// nanoseconds (`1723161255` is 1.7 s after the epoch), and the line is malformed: taken as
    /// given, ten minutes of events fell within two seconds of 1970, and every window, sample and
    /// outdated-book rule read them wrong (attacker trial).
    public static let earliestPlausible: Int64 = 1_262_304_000 * 1_000_000_000

    /// A time of liqwatch's own formats (nanoseconds), checked: nil with the reason when it is not
    /// one (a unit's hint for one before 2010).
    public static func plausibleNanoseconds(_ text: some StringProtocol) -> Result<Int64, TimeRefusal> {
        guard let value = Int64(text), isRepresentable(value) else { return .failure(TimeRefusal(reason: "expected nanoseconds since the epoch, from 2010 to 2200")) }
        guard value >= earliestPlausible else {
            let unit = value >= 1_000_000_000_000_000 && value < 100_000_000_000_000_000 ? "microseconds"
                : value >= 1_000_000_000_000 && value < 100_000_000_000_000 ? "milliseconds"
                : value >= 1_000_000_000 && value < 100_000_000_000 ? "seconds" : nil
            return .failure(TimeRefusal(reason: "before 2010 in nanoseconds" + (unit.map { ": a time in \($0)? write nanoseconds" } ?? ": expected nanoseconds since the epoch, from 2010 to 2200")))
        }
        return .success(value)
    }

    public struct TimeRefusal: Error, Sendable { public var reason: String }

    /// Whether a time (ns since the epoch) is one liqwatch represents.
    @inlinable public static func isRepresentable(_ nanoseconds: Int64) -> Bool {
        nanoseconds >= 0 && nanoseconds <= latest
    }

    /// Nanoseconds since the epoch, checked.
    @inlinable public static func fromNanoseconds(_ value: Int64) -> Int64? {
        isRepresentable(value) ? value : nil
    }

    /// Microseconds since the epoch (Tardis), as nanoseconds; nil when out of range.
    @inlinable public static func fromMicroseconds(_ value: Int64) -> Int64? {
        value >= 0 && value <= latest / 1_000 ? value * 1_000 : nil
    }

    /// Milliseconds since the epoch (exchange event times), as nanoseconds; nil when out of range.
    @inlinable public static func fromMilliseconds(_ value: Int64) -> Int64? {
        value >= 0 && value <= latest / 1_000_000 ? value * 1_000_000 : nil
    }

    /// Whole seconds since the epoch, as nanoseconds; nil when out of range.
    @inlinable public static func fromSeconds(_ value: Int64) -> Int64? {
        value >= 0 && value <= latest / 1_000_000_000 ? value * 1_000_000_000 : nil
    }

    // MARK: Formatting
    /// "2024-08-08T23:54:15.030Z"
    public static func iso8601(_ nanoseconds: Int64) -> String {
        let milliseconds = nanoseconds / 1_000_000
        var seconds = milliseconds / 1000
        let millis = Int(milliseconds % 1000)
        if milliseconds < 0 { seconds -= 1 }
        let (year, month, day) = civil(days: Int(seconds / 86_400))
        let secondOfDay = Int(seconds % 86_400)
        return "\(year)-\(two(month))-\(two(day))T\(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60)).\(three(millis))Z"
    }

    /// "2024-08-08": the UTC day, as `iso8601` writes it.
    public static func date(_ nanoseconds: Int64) -> String { String(iso8601(nanoseconds).prefix(10)) }

    /// "2024-08-08 23:54:15.030": the day and the time, where a session spans days.
    public static func dateAndTime(_ nanoseconds: Int64) -> String { date(nanoseconds) + " " + timeOfDay(nanoseconds) }

    /// "23:54:15.030", or "23:54:15" without milliseconds.
    public static func timeOfDay(_ nanoseconds: Int64, milliseconds showMilliseconds: Bool = true) -> String {
        let milliseconds = nanoseconds / 1_000_000
        let secondOfDay = Int((milliseconds / 1000) % 86_400)
        let clock = "\(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60))"
        return showMilliseconds ? clock + ".\(three(Int(milliseconds % 1000)))" : clock
    }

    /// "5m 44s"
    public static func duration(_ nanoseconds: Int64) -> String {
        let seconds = Int(nanoseconds / 1_000_000_000)
        // Years and days, for recordings merged from different times ("3y 12d").
        if seconds >= 365 * 86_400 { return "\(seconds / (365 * 86_400))y \(seconds % (365 * 86_400) / 86_400)d" }
        if seconds >= 86_400 { return "\(seconds / 86_400)d \(seconds / 3600 % 24)h" }
        if seconds >= 3600 { return "\(seconds / 3600)h \(seconds / 60 % 60)m" }
        if seconds >= 60 { return "\(seconds / 60)m \(seconds % 60)s" }
        return "\(seconds)s"
    }

    static func two(_ value: Int) -> String { value < 10 ? "0\(value)" : String(value) }
    static func three(_ value: Int) -> String { value < 10 ? "00\(value)" : (value < 100 ? "0\(value)" : String(value)) }

    /// Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
    static func civil(days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }

    /// Parses "23:55:10", "23:55", "2024-08-08T23:55:10Z" (UTC) relative to a session's day. A time
    /// of day alone is the one nearer the session's start, on its day or the next: in a session
    /// from 23:54 to 00:04, "00:01:20" is the next day's (it was the start's day, 23 hours before
    /// the session, and the jump emptied the screen; operator trial), "23:53" the start's day's.
    ///
    /// `near`: where the session stands, in a session of several days: a time of day alone is
    /// then the one nearest it, on its day, the day before or the day after (at 2024-08-08
    /// 23:57:51, `23:59:59` went to the first recording's day, 2021-07-22: operator trial).
    public static func parse(_ text: String, sessionStart: Int64, near position: Int64? = nil) -> Int64? {
        let reference = text.contains("T") ? sessionStart : position ?? sessionStart
        let dayStart = (reference / 86_400_000_000_000) * 86_400_000_000_000
        var timePart = Substring(text)
        var day = dayStart
        let dated = text.contains("T")
        if let t = text.firstIndex(of: "T") {
            let date = text[..<t].split(separator: "-").compactMap { Int($0) }
            // Typed at the keyboard: a year or day out of range must not overflow the day count.
            guard date.count == 3, (1970...2199).contains(date[0]), (1...12).contains(date[1]), (1...31).contains(date[2])
            else { return nil }
            // A day the month does not have (`2024-02-30` was taken as March 1: operator trial).
            let monthDays = date[1] == 12 ? 31 : daysFromCivil(date[0], date[1] + 1, 1) - daysFromCivil(date[0], date[1], 1)
            guard date[2] <= monthDays else { return nil }
            day = Int64(daysFromCivil(date[0], date[1], date[2])) * 86_400_000_000_000
            timePart = text[text.index(after: t)...]
        }
        if timePart.hasSuffix("Z") { timePart = timePart.dropLast() }
        let parts = timePart.split(separator: ":")
        guard (2...3).contains(parts.count), let hours = Int(parts[0]), let minutes = Int(parts[1]) else { return nil }
        var seconds: Fixed = .zero
        if parts.count == 3 { guard let value = Fixed(String(parts[2])) else { return nil }; seconds = value }
        guard (0..<24).contains(hours), (0..<60).contains(minutes), !seconds.isNegative, seconds < Fixed(60) else { return nil }
        let nanos = (seconds * Fixed(1_000_000_000)).rounded(places: 0).raw / Fixed.scale
        var time = day + Int64(hours * 3600 + minutes * 60) * 1_000_000_000 + Int64(nanos)
        let oneDay: Int64 = 86_400_000_000_000
        if !dated, position != nil {
            // The nearest of the three days' times (all within Int64: the reference is an event's).
            let candidates = [time - oneDay, time, time + oneDay].filter { $0 >= 0 }
            time = candidates.min { ($0 - reference).magnitude < ($1 - reference).magnitude } ?? time
        } else if !dated && time < sessionStart && time + oneDay - sessionStart < sessionStart - time {
            time += oneDay
        }
        return fromNanoseconds(time)
    }

    static func daysFromCivil(_ year: Int, _ month: Int, _ day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}

