import RiskEngine

/// The top line: what is being watched, the session clock, replay progress and speed, feed health
/// and the latched alerts.
enum StatusBarPane {
    static func render(_ model: AppModel, _ rect: Rect, _ buffer: inout Buffer) {
        buffer.fill(rect, role: .statusBar)
        let status = model.status
        // The alert count and LIVE/REPLAY/STALE are the last to go: the alerts are placed first at
        // the right end, and the rest fills the line from the left, each part whole or not at all.
        let alerts = model.unacknowledgedAlerts
        let total = model.alertBook.total
        let count = alerts > 0 ? " ⚠ \(alerts) ALERT\(alerts == 1 ? "" : "S")" : (total > 0 ? " \(total) alert\(total == 1 ? "" : "s") seen" : " no alerts")
        let stale = model.engine.hasStaleMarket
        let kind = " \(status.kind) "
        let parts = leftParts(status, stale: stale)
        // The alert's longer forms (the newest alert named, the key hint) take only room the
        // left side's parts would not use: feed health went the moment an alert fired (at 120
        // columns, leaving blank columns where it had been).
        var alertForms: [String] = []
        if alerts > 0, let latest = model.alertBook.alerts.last {
            let what = latest.signal?.title.lowercased() ?? AlertsPane.what(latest)
            let named = count + ", last " + (latest.market.map { model.marketNames.short($0) + " " } ?? "") + what + " (a: seen, A: list) "
            if DisplayWidth.of(named) <= rect.width * 2 / 5 { alertForms.append(named) }
        }
        if alerts > 0 { alertForms.append(count + " (a: seen) ") }
        let plain = count + " "
        let leftFirst = DisplayWidth.of(kind) + (stale ? 11 : 0)
        let least = lost(parts, source: status.source, from: rect.x + leftFirst, limit: rect.maxX - DisplayWidth.of(plain) - 1, lineWidth: rect.width)
        var alertText = alertForms.first { form in
            lost(parts, source: status.source, from: rect.x + leftFirst, limit: rect.maxX - DisplayWidth.of(form) - 1, lineWidth: rect.width) <= least
        } ?? plain
        let reserved = DisplayWidth.of(kind) + (stale ? 11 : 0) + 1
        if DisplayWidth.of(alertText) > rect.width - reserved { alertText = count + " " }
        let alertStart = max(rect.x, rect.maxX - DisplayWidth.of(alertText))
        buffer.put(alertText, x: alertStart, y: rect.y, role: alerts > 0 ? .alert : .statusBar)
        let limit = alertStart - 1
        var x = buffer.put(kind, x: rect.x, y: rect.y, role: .selection)
        if stale { x = buffer.putWhole(" BOOK STALE", x: x, y: rect.y, role: .alert, maxX: limit) ?? x }
        // The source is a name, not a figure: it may be shortened, to a quarter of the line.
        // A shortened one ends in "…", so a cut name never passes for a whole one.
        let sourceWidth = max(0, min(max(10, rect.width / 4), limit - x) - 1)
        let source = DisplayWidth.of(status.source) <= sourceWidth ? status.source : Format.name(status.source, sourceWidth).trimmingTrailingSpaces
        if sourceWidth > 0 { x = buffer.put(" " + source, x: x, y: rect.y, role: .statusBar, limit: sourceWidth + 1) }
        for part in parts {
            if let next = buffer.putWhole(part.text, x: x, y: rect.y, role: part.role, maxX: limit) {
                x = next
            } else if let shorter = part.shorter, let next = buffer.putWhole(shorter, x: x, y: rect.y, role: part.role, maxX: limit) {
                x = next
            }
        }
    }

    /// How much of the left side a limit leaves out (a part shortened counts 1, one left out 2),
    /// laid out as `render` lays it out.
    static func lost(_ parts: [(text: String, role: StyleRole, shorter: String?)], source: String, from start: Int, limit: Int,
                     lineWidth: Int) -> Int {
        var x = start
        let sourceWidth = max(0, min(max(10, lineWidth / 4), limit - x) - 1)
        if sourceWidth > 0 { x += min(DisplayWidth.of(source), sourceWidth) + 1 }
        var lost = 0
        for part in parts {
            if x + DisplayWidth.of(part.text) <= limit {
                x += DisplayWidth.of(part.text)
            } else if let shorter = part.shorter, x + DisplayWidth.of(shorter) <= limit {
                x += DisplayWidth.of(shorter)
                lost += 1
            } else {
                lost += 2
            }
        }
        return lost
    }

    /// The parts after the source, in order, each drawn whole (or its shorter form) or not at all.
    static func leftParts(_ status: SessionStatus, stale: Bool) -> [(text: String, role: StyleRole, shorter: String?)] {
        var parts: [(text: String, role: StyleRole, shorter: String?)] = []
        // The session clock, in UTC (said where there is room).
        let clock = status.time > 0 ? Format.clockMillis(status.time) : "--:--:--.---"
        parts.append(("  \(clock) UTC", .statusBar, "  \(clock)"))
        // A live session has no speed to play at nor pause (those keys are a replay's).
        if !status.isLive {
            let state = status.finished ? "■ END" : (status.paused ? "❚❚ PAUSED" : "▶ \(status.speed)")
            parts.append(("  \(state)", status.paused ? .warn : .statusBar, nil))
        }
        if let progress = status.progress {
            parts.append(("  [" + Format.left(Format.bar(progress, width: 12), 12) + "] \(Int((progress * 100).rounded(.down)))%", .statusBar, nil))
        }
        let staleStreams = status.staleStreams
        if !staleStreams.isEmpty {
            // Never silently frozen: say which stream stopped, and for how long (or at least that
            // one did, when the names do not fit).
            let names = staleStreams.map { stream in
                stream.name + (stream.age.map { " \(Format.decimal($0, decimals: 0))s" } ?? "")
            }.joined(separator: ", ")
            parts.append(("  STALE \(names) (h: health)", .alert, "  STALE (h)"))
        }
        var health = "  feed"
        if let age = status.lastMessageAge { health += " age \(Format.decimal(Double(age) / 1e9, decimals: 1))s" }
        let counts = " gaps \(status.gaps) resyncs \(status.resyncs)" + (status.malformed > 0 ? " bad \(status.malformed)" : "")
        health += counts
        // Shorter, the counts alone (a gap or a bad line is what the operator must not miss).
        parts.append((health, status.gaps > 0 || stale ? .warn : .statusBar, " " + counts))
        if status.recordingError != nil { parts.append((" REC FAILED (h)", .alert, nil)) }
        return parts
    }
}
