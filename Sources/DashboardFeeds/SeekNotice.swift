import Dashboard
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
        // With the date when the session spans days or the date was typed (`:2024-08-07 23:56:20`
        // in the demo was answered with a time of day alone: operator trial).
        func when(_ time: Int64) -> String {
            spansDays || dated ? EventTime.dateAndTime(time) : EventTime.timeOfDay(time)
        }
        // The day a time alone was taken on, said first where there is room.
        let taken = spansDays && !dated ? "taken on \(EventTime.date(target)) (type a date for another day)" : nil
        // What happened, longest first; narrower, where it landed and what comes next go last of
        // all (at 80 columns the footer was cut after `no event at 2021-07-22 …`: operator trial).
        var forms: [String] = []
        if landed == nil {
            forms = ["\(when(target)) is before the first event" + (next.map { " (\(when($0)))" } ?? "")]
            if let next { forms.append("before the first event, \(when(next))") }
        } else if let landed, isGap(target: target, landed: landed, next: next) {
            let after = next.map { "; next \(when($0))" } ?? "; none after"
            forms = ["no event at \(when(target)); paused at the one before, \(when(landed))" + after,
                     "none at \(EventTime.timeOfDay(target)); paused at \(when(landed))" + after,
                     "paused at \(when(landed))" + after]
        } else if let landed, target &- landed >= 1_000_000_000 {
            // The next event is close after the time asked, the last before it far away (the start
            // of a recording months after the one before): the screen shows the last one's time,
            // and said nothing (`:2024-12-01 00:00:00` showed 2024-08-08 23:59:59: operator trial).
            let after = next.map { "; next \(when($0))" } ?? ""
            forms = ["no event at \(when(target)); at the one before, \(when(landed))" + after,
                     "none at \(EventTime.timeOfDay(target)); at \(when(landed))" + after,
                     "at \(when(landed))" + after]
        }
        if forms.isEmpty { return taken }
        return NoticeForms.joined((taken.map { t in forms.map { t + " · " + $0 } } ?? []) + forms)
    }

    /// A jump to before the first event, which lands on it.
    static func beforeFirst(target: Int64, first: Int64, spansDays: Bool, dated: Bool) -> String {
        func when(_ time: Int64) -> String { spansDays || dated ? EventTime.dateAndTime(time) : EventTime.timeOfDay(time) }
        return "\(when(target)) is before the first event: at the first, \(when(first))"
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
        let at = spansDays ? EventTime.dateAndTime(landed) : EventTime.timeOfDay(landed)
        return "at \(at): \(typed) of the inputs' bytes read"
    }
}
