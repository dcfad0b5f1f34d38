import RiskEngine

/// `A`: every alert of the session, oldest first, with its time (UTC), market, what it was, its
/// value, and whether the operator has seen it (`a`). Enter goes to the alert's market, and in a
/// replay to its time.
enum AlertsPane {
    static func render(_ model: AppModel, cursor: Int, _ rect: Rect, _ buffer: inout Buffer) {
        buffer.fill(rect, role: .help)
        let book = model.alertBook
        let kept = book.alerts.count < book.total ? " (newest \(Format.count(book.alerts.count)) kept)" : ""
        // In a replay jumped back: the alerts after the session's time, told on the way to a
        // later time, are marked "later" (they read NEW as if happening now: operator trial).
        let sessionTime = model.alertsSessionTime
        let later = sessionTime.map(book.laterThan) ?? 0
        let laterPart = later > 0 ? " · \(Format.count(later)) later than now" : ""
        let title = Buffer.fittingTitle([
            "Alerts \(Format.count(book.total))\(kept) · \(book.unseen) new\(laterPart) · times UTC · Enter: go to · a: seen · Esc",
            "Alerts \(Format.count(book.total))\(kept) · \(book.unseen) new\(laterPart) · Enter: go to · Esc",
            "Alerts \(Format.count(book.total)) · \(book.unseen) new\(laterPart)",
        ], width: rect.width)
        buffer.box(rect, title: title, focused: true)
        let inner = rect.inset(1)
        guard inner.height >= 2 else { return }
        guard !book.alerts.isEmpty else {
            buffer.put("No alert yet. A signal at ALERT, a stale book or feed, a lost connection or a stopped recording is told here.",
                x: inner.x + 1, y: inner.y + 1, role: .dim, limit: inner.width - 2)
            return
        }
        // Figures whole: the time, the market and the value take what they need; the alert's
        // name takes the rest (a name may be shortened, a figure never is).
        let range = TableRows.visibleRange(count: book.alerts.count, cursor: cursor, in: inner)
        let values = range.map { value(book.alerts[$0], model) }
        let markets = range.map { book.alerts[$0].market.map(model.marketNames.short) ?? "—" }
        let valueWidth = max(5, values.map(DisplayWidth.of).max() ?? 0)
        let marketWidth = min(22, max(6, markets.map(DisplayWidth.of).max() ?? 0))
        var timeWidth = 19
        var whatWidth = inner.width - 2 - timeWidth - marketWidth - valueWidth - 5 - 2 * 4
        if whatWidth < 16 {
            // Narrow: the time of day only (the title says UTC; the date is in the JSON log).
            timeWidth = 8
            whatWidth += 11
        }
        let header = Format.left("time", timeWidth) + "  " + Format.left("market", marketWidth) + "  " + Format.left("alert", max(0, whatWidth))
            + "  " + Format.right("value", valueWidth) + "  seen"
        buffer.put(header, x: inner.x + 1, y: inner.y, role: .header, limit: inner.width - 1)
        let body = Rect(x: inner.x, y: inner.y, width: inner.width, height: inner.height)
        TableRows.draw(count: book.alerts.count, cursor: cursor, in: body, focused: true, &buffer) { index, y, selected, buffer in
            let alert = book.alerts[index]
            let seen = book.isSeen(kept: index)
            let time = timeWidth == 19 ? dateTime(alert.time) : Format.clock(alert.time)
            var line = Format.left(time, timeWidth) + "  " + Format.left(markets[index - range.lowerBound], marketWidth) + "  "
            // A signal's short title where the long one would be cut ("Spread widening + depth fa").
            let named = DisplayWidth.of(what(alert)) <= whatWidth ? what(alert) : (alert.signal?.shortTitle ?? what(alert))
            let isLater = sessionTime.map { alert.time > $0 } ?? false
            line += Format.left(named, max(0, whatWidth)) + "  " + Format.right(values[index - range.lowerBound], valueWidth) + "  "
                + (isLater ? "later" : seen ? "seen" : "NEW ")
            buffer.put(line, x: inner.x + 1, y: y, role: selected ? .selection : (seen || isLater ? .dim : .alert), limit: inner.width - 1)
        }
    }

    /// `2024-08-08 23:56:10`: alerts of a long session need the date.
    static func dateTime(_ time: Int64) -> String {
        let iso = EventTime.iso8601(time)
        return String(iso.prefix(19)).replacingOccurrences(of: "T", with: " ")
    }

    static func what(_ alert: OperatorAlert) -> String {
        switch alert.kind {
        case .signal: return alert.signal?.title ?? "signal"
        case .staleBook: return "book stale (liquidations wait)"
        case .markOutdated: return "mark outdated (liquidations wait)"
        case .staleFeed: return "feed STALE: " + alert.message.prefix { $0 != " " }
        case .connectionLost: return "connection lost: " + alert.message.prefix { $0 != " " }
        case .recordingStopped: return "recording stopped"
        }
    }

    static func value(_ alert: OperatorAlert, _ model: AppModel) -> String {
        // A spread alert without a value: a side of the book was empty (`OperatorAlert`).
        guard let value = alert.value, let signal = alert.signal else { return alert.signal == .spread ? "side empty" : "—" }
        let asset = alert.market.flatMap { model.engine.market($0)?.instrument.settlementAsset } ?? "USDT"
        switch signal {
        case .spread: return Format.decimal(value, decimals: 2) + " bps"
        case .spreadVsDepth, .drainVsRefill: return Format.decimal(value, decimals: 2) + "x"
        // Notional in the market's settlement asset, said (`589k` alone: operator trial).
        case .depth10, .depth50, .liquidations10s, .liquidations60s: return Format.compact(value) + " " + asset
        // At ALERT with no money short: what the book cannot fill goes to ADL, said with its
        // quantity; money short and quantity unfilled: both.
        case .stressedDeficit:
            let adl = alert.unfilled.map { "ADL " + $0 } ?? "ADL"
            guard value > 0 else { return adl }
            return Format.compactMoney(value, asset: asset) + " " + asset + (alert.unfilled == nil ? "" : " + ADL")
        }
    }
}
