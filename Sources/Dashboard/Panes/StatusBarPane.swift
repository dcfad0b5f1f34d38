import RiskEngine

/// The top line: what is being watched, the session clock, replay progress and speed, feed health
/// and the latched alerts.
enum StatusBarPane {
    static func render(_ model: AppModel, _ rect: Rect, _ buffer: inout Buffer) {
        buffer.fill(rect, role: .statusBar)
        let status = model.status
        var x = buffer.put(" \(status.kind) ", x: rect.x, y: rect.y, role: .selection)
        x = buffer.put(" \(status.source)", x: x, y: rect.y, role: .statusBar, limit: max(10, rect.width / 4))
        x = buffer.put("  \(status.time > 0 ? Format.clockMillis(status.time) : "--:--:--.---")", x: x, y: rect.y, role: .statusBar)
        let state = status.finished ? "■ END" : (status.paused ? "❚❚ PAUSED" : "▶ \(status.speed)")
        x = buffer.put("  \(state)", x: x, y: rect.y, role: status.paused ? .warn : .statusBar)
        if let progress = status.progress {
            let width = 12
            let filled = Format.bar(progress, width: width)
            x = buffer.put("  [", x: x, y: rect.y, role: .statusBar)
            x = buffer.put(Format.left(filled, width), x: x, y: rect.y, role: .statusBar)
            x = buffer.put("] \(Int((progress * 100).rounded(.down)))%", x: x, y: rect.y, role: .statusBar)
        }
        var health = "  feed"
        if let age = status.lastMessageAge { health += " age \(Format.decimal(Double(age) / 1e9, decimals: 1))s" }
        health += " gaps \(status.gaps) resyncs \(status.resyncs)"
        if status.malformed > 0 { health += " bad \(status.malformed)" }
        let stale = model.engine.markets.contains { $0.isWatched && $0.isStale }
        x = buffer.put(health, x: x, y: rect.y, role: status.gaps > 0 || stale ? .warn : .statusBar)
        if stale { x = buffer.put(" BOOK STALE", x: x, y: rect.y, role: .alert) }
        if status.recordingError != nil { x = buffer.put(" REC FAILED (h)", x: x, y: rect.y, role: .alert) }
        let staleStreams = status.staleStreams
        if !staleStreams.isEmpty {
            // Never silently frozen: say which stream stopped, and for how long.
            let names = staleStreams.map { stream in
                stream.name + (stream.age.map { " \(Format.decimal($0, decimals: 0))s" } ?? "")
            }.joined(separator: ", ")
            x = buffer.put(" STALE \(names) (h: health) ", x: x + 1, y: rect.y, role: .alert)
        }
        let alerts = model.unacknowledgedAlerts
        var alertText = alerts > 0 ? " ⚠ \(alerts) ALERT\(alerts == 1 ? "" : "S") (a: ack) " : " no alerts "
        // The newest alert names its market and signal, where there is room for it.
        if alerts > 0, let latest = model.log.alerts.last {
            let named = " ⚠ \(alerts) ALERT\(alerts == 1 ? "" : "S"), last \(latest.symbol) \(latest.signal.title.lowercased()) (a: ack) "
            if DisplayWidth.of(named) <= rect.maxX - x - 1 { alertText = named }
        }
        let start = max(x + 1, rect.maxX - DisplayWidth.of(alertText))
        buffer.put(alertText, x: start, y: rect.y, role: alerts > 0 ? .alert : .statusBar)
    }
}
