import RiskEngine

/// What the footer says after a `:` jump, where the landing would not explain itself: in a replay
/// of recordings years apart, `:23:56:28` landed on the first recording's last event, 22:26:11 of
/// 2021-07-22 (a time alone is the session's first day's), with nothing on screen to say why, and
/// `:23:50` before the demo's first event left an empty screen and `--:--:--` (operator trial).
enum SeekNotice {
    /// - Parameters:
    ///   - asked: what was typed; `target`, the time it was read as.
    ///   - landed: the last event applied (nil: none yet); `next`, the next event (nil: the end).
    ///   - spansDays: the session's events are of several days (times are then written with the date).
    ///   - dated: the typed time named its day.
    static func text(target: Int64, landed: Int64?, next: Int64?, spansDays: Bool, dated: Bool) -> String? {
        func when(_ time: Int64) -> String {
            spansDays ? EventTime.iso8601(time).prefix(10) + " " + EventTime.timeOfDay(time) : EventTime.timeOfDay(time)
        }
        var parts: [String] = []
        if landed == nil {
            parts.append("\(when(target)) is before the first event" + (next.map { " (\(when($0)))" } ?? "") + ": nothing has happened yet")
        } else if let landed, isGap(target: target, landed: landed, next: next) {
            let after = next.map { "the next at \(when($0))" } ?? "none after it"
            parts.append("no event at \(when(target)): at the last before it, \(when(landed)); \(after)")
        }
        if spansDays && !dated {
            let day = String(EventTime.iso8601(target).prefix(10))
            parts.append("a time alone is taken on \(day); give the date for another day (:YYYY-MM-DD HH:MM:SS)")
        }
        return parts.isEmpty ? nil : parts.joined(separator: " · ")
    }

    /// Whether `target` fell where nothing happens: before the first event, or a second or more
    /// from the events on both sides of it.
    static func isGap(target: Int64, landed: Int64?, next: Int64?) -> Bool {
        guard let landed else { return true }
        let gap: Int64 = 1_000_000_000
        return target &- landed >= gap && (next.map { $0 &- target >= gap } ?? true)
    }

    /// `:50%` in a replay: a share of what the inputs hold (each file's bytes read, averaged),
    /// which in recordings of different lengths and years is no share of the time.
    static func fraction(_ typed: String, landed: Int64?, spansDays: Bool, byTime: Bool) -> String? {
        guard !byTime, let landed else { return nil }
        let at = spansDays ? EventTime.iso8601(landed).prefix(10) + " " + EventTime.timeOfDay(landed) : EventTime.timeOfDay(landed)
        return "\(typed) of the inputs read (each file's share, averaged): at \(at)"
    }
}
