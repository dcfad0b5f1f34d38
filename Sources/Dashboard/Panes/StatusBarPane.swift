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
        var alertText = alerts > 0 ? count + " (a: seen) " : count + " "
        let stale = model.engine.hasStaleMarket
        let kind = " \(status.kind) "
        let reserved = DisplayWidth.of(kind) + (stale ? 11 : 0) + 1
        // The newest alert names its market and what it was, where there is room for it.
        if alerts > 0, let latest = model.alertBook.alerts.last {
            let what = latest.signal?.title.lowercased() ?? AlertsPane.what(latest)
            let named = count + ", last " + (latest.market.map { model.marketNames.short($0) + " " } ?? "") + what + " (a: seen, A: list) "
            if DisplayWidth.of(named) <= rect.width * 2 / 5 { alertText = named }
        }
        if DisplayWidth.of(alertText) > rect.width - reserved { alertText = count + " " }
        let alertStart = max(rect.x, rect.maxX - DisplayWidth.of(alertText))
        buffer.put(alertText, x: alertStart, y: rect.y, role: alerts > 0 ? .alert : .statusBar)
        let limit = alertStart - 1
        var x = buffer.put(kind, x: rect.x, y: rect.y, role: .selection)
        if stale { x = buffer.putWhole(" BOOK STALE", x: x, y: rect.y, role: .alert, maxX: limit) ?? x }
        func part(_ text: String, _ role: StyleRole = .statusBar) {
            if let next = buffer.putWhole(text, x: x, y: rect.y, role: role, maxX: limit) { x = next }
        }
        // The source is a name, not a figure: it may be shortened, to a quarter of the line.
        // A shortened one ends in "…", so a cut name never passes for a whole one.
        let sourceWidth = max(0, min(max(10, rect.width / 4), limit - x) - 1)
        let source = DisplayWidth.of(status.source) <= sourceWidth ? status.source : Format.name(status.source, sourceWidth).trimmingTrailingSpaces
        if sourceWidth > 0 { x = buffer.put(" " + source, x: x, y: rect.y, role: .statusBar, limit: sourceWidth + 1) }
        // The session clock, in UTC (said where there is room).
        let clock = status.time > 0 ? Format.clockMillis(status.time) : "--:--:--.---"
        let beforeClock = x
        part("  \(clock) UTC")
        if x == beforeClock { part("  \(clock)") }
        // A live session has no speed to play at nor pause (those keys are a replay's).
        if !status.isLive {
            let state = status.finished ? "■ END" : (status.paused ? "❚❚ PAUSED" : "▶ \(status.speed)")
            part("  \(state)", status.paused ? .warn : .statusBar)
        }
        if let progress = status.progress {
            part("  [" + Format.left(Format.bar(progress, width: 12), 12) + "] \(Int((progress * 100).rounded(.down)))%")
        }
        let staleStreams = status.staleStreams
        if !staleStreams.isEmpty {
            // Never silently frozen: say which stream stopped, and for how long (or at least that
            // one did, when the names do not fit).
            let names = staleStreams.map { stream in
                stream.name + (stream.age.map { " \(Format.decimal($0, decimals: 0))s" } ?? "")
            }.joined(separator: ", ")
            let before = x
            part("  STALE \(names) (h: health)", .alert)
            if x == before { part("  STALE (h)", .alert) }
        }
        var health = "  feed"
        if let age = status.lastMessageAge { health += " age \(Format.decimal(Double(age) / 1e9, decimals: 1))s" }
        health += " gaps \(status.gaps) resyncs \(status.resyncs)"
        if status.malformed > 0 { health += " bad \(status.malformed)" }
        part(health, status.gaps > 0 || stale ? .warn : .statusBar)
        if status.recordingError != nil { part(" REC FAILED (h)", .alert) }
    }
}
