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
        // One day's alerts are written with the time of day; the title says the day.
        let day = book.timeSpan.flatMap { AlertColumns.timeStyle($0) == .timeOfDay ? " " + EventTime.date($0.lowerBound) : nil } ?? ""
        let title = Buffer.fittingTitle([
            "Alerts \(Format.count(book.total))\(kept) · \(book.unseen) new\(laterPart) · times UTC\(day) · Enter: go to · a: seen · Esc",
            "Alerts \(Format.count(book.total))\(kept) · \(book.unseen) new\(laterPart) · UTC\(day) · Enter: go to · Esc",
            "Alerts \(Format.count(book.total))\(kept) · \(book.unseen) new\(laterPart) · Enter: go to · Esc",
            "Alerts \(Format.count(book.total)) · \(book.unseen) new\(laterPart)",
        ], width: rect.width)
        buffer.box(rect, title: title, focused: true)
        let inner = rect.inset(1)
        guard inner.height >= 2 else { return }
        guard !book.alerts.isEmpty else {
            buffer.put("No alert yet. A signal at ALERT, a fund past its drawdown band, exhausted or into ADL, a stale book or feed, a lost connection or a stopped recording is told here.",
                x: inner.x + 1, y: inner.y + 1, role: .dim, limit: inner.width - 2)
            return
        }
        let columns = AlertColumns(book, names: model.marketNames, width: inner.width - 2)
        buffer.put(columns.header, x: inner.x + 1, y: inner.y, role: .header, limit: inner.width - 1)
        let body = Rect(x: inner.x, y: inner.y, width: inner.width, height: inner.height)
        TableRows.draw(count: book.alerts.count, cursor: cursor, in: body, focused: true, &buffer) { index, y, selected, buffer in
            let alert = book.alerts[index]
            let seen = book.isSeen(kept: index)
            let isLater = sessionTime.map { alert.time > $0 } ?? false
            let line = columns.line(alert, market: alert.market.map(model.marketNames.short) ?? "—",
                value: book.values[index], seen: isLater ? "later" : seen ? "seen" : "NEW ")
            buffer.put(line, x: inner.x + 1, y: y, role: selected ? .selection : (seen || isLater ? .dim : .alert), limit: inner.width - 1)
        }
    }

    static func what(_ alert: OperatorAlert) -> String {
        switch alert.kind {
        case .signal: return alert.signal?.title ?? "signal"
        // With its cause (`book stale: no snapshot yet`), as the report says it (operator trial).
        case .staleBook: return "book stale" + (alert.cause.map { ": " + $0 } ?? "") + " (liquidations wait)"
        case .markOutdated: return "mark outdated" + (alert.cause.map { ": " + $0 } ?? "") + " (liquidations wait)"
        case .marketResumed: return "book back after " + (alert.cause ?? "a gap") + " (positions of then)"
        case .staleFeed: return "feed STALE: " + streamName(alert)
        case .connectionLost: return "connection lost: " + streamName(alert)
        case .recordingStopped: return "recording stopped"
        case .fund: return fundWhat(alert, short: false)
        }
    }

    /// The alert's name, longest first, for a column of any width: a stale book's cause is kept
    /// before its explanation (`book stale: a gap in its updates` before `book stale`).
    static func whatCandidates(_ alert: OperatorAlert) -> [String] {
        guard alert.kind == .staleBook || alert.kind == .markOutdated, let cause = alert.cause else { return [what(alert)] }
        return [what(alert), (alert.kind == .staleBook ? "book stale: " : "mark outdated: ") + cause]
    }

    /// A feed alert's stream: its own field (a name may hold a space: `binance-usdm 2/4`).
    static func streamName(_ alert: OperatorAlert) -> String {
        alert.stream ?? String(alert.message.prefix { $0 != " " })
    }

    /// A fund alert in words: `fund down 73.2% from peak`, `fund empty: deficits to ADL`, `ADL began`.
    static func fundWhat(_ alert: OperatorAlert, short: Bool) -> String {
        switch alert.fundAlert?.kind {
        case .drawdown?:
            let percent = alert.fundAlert.map { $0.drawdownPercentText(places: 1) + "%" } ?? ""
            return short ? "fund down " + percent : "fund down \(percent) from its peak"
        case .fundExhausted?: return short ? "fund exhausted" : "fund exhausted: a deficit went past it"
        case .adlBegan?, nil: return short ? "ADL began" : "ADL began: profitable positions closed"
        }
    }

    /// The same where the column is narrow: a signal's short title, the others without their
    /// explanation (`book stale (liq` was cut mid-word at 80 columns: trial).
    static func shortWhat(_ alert: OperatorAlert) -> String {
        switch alert.kind {
        case .signal: return alert.signal?.shortTitle ?? "signal"
        case .staleBook: return "book stale"
        case .markOutdated: return "mark outdated"
        case .marketResumed: return "back after " + (alert.cause ?? "gap")
        case .staleFeed: return "feed STALE " + streamName(alert)
        case .connectionLost: return "conn. lost " + streamName(alert)
        case .recordingStopped: return "rec. stopped"
        case .fund: return fundWhat(alert, short: true)
        }
    }

    /// The shortest form, a word or two, for a column a few cells wide: the short forms were cut
    /// mid-word there (`Spread (b…`, `mark outd…`, `fund exha…` at 80 columns across years:
    /// operator trial).
    static func tinyWhat(_ alert: OperatorAlert) -> String {
        switch alert.kind {
        case .signal: return alert.signal?.tinyTitle ?? "signal"
        case .staleBook: return "stale"
        case .markOutdated: return "mark old"
        case .marketResumed: return "back"
        case .staleFeed: return "feed old"
        case .connectionLost: return "conn lost"
        case .recordingStopped: return "rec stop"
        case .fund:
            switch alert.fundAlert?.kind {
            case .drawdown?: return "fund down"
            case .fundExhausted?: return "fund out"
            case .adlBegan?, nil: return "ADL"
            }
        }
    }

    static func value(_ alert: OperatorAlert, engine: Engine?) -> String {
        // A fund's balance after the movement, in its asset, said to be one (`ADL began … 8,000.00
        // USDT` read as what ADL closed, `fund down 50.3% … 4,186.11` as the fall: operator trial).
        if let fund = alert.fundAlert {
            return "bal " + fund.balance.formatted(AssetPrecision.decimals(forAsset: fund.asset), grouping: true) + " " + fund.asset
        }
        // A spread alert without a value: a side of the book was empty (`OperatorAlert`).
        guard let value = alert.value, let signal = alert.signal else { return alert.signal == .spread ? "side empty" : "—" }
        let instrument = alert.market.flatMap { engine?.market($0)?.instrument }
        let asset = instrument?.settlementAsset ?? "USDT"
        // Notional in the market's quote: a coin-margined market's depth is dollars (`589k BTC`
        // read as coins: review).
        let quote = instrument?.quote ?? asset
        // A floor: the book past the levels a top-of-book feed shows is not known.
        let atLeast = alert.atLeast ? "≥" : ""
        switch signal {
        case .spread: return atLeast + Format.decimal(value, decimals: 2) + " bps"
        case .spreadVsDepth, .drainVsRefill: return atLeast + Format.decimal(value, decimals: 2) + "x"
        // Notional in the market's quote, said (`589k` alone: operator trial).
        case .depth10, .depth50, .liquidations10s, .liquidations60s: return atLeast + Format.compact(value) + " " + quote
        // At ALERT with no money short: what the book cannot fill goes to ADL, said with its
        // quantity; money short and quantity unfilled: both.
        case .stressedDeficit:
            let adl = alert.unfilled.map { "ADL " + $0 } ?? "ADL"
            guard value > 0 else { return adl }
            return Format.stressMoney(Fixed(approximating: value), asset: asset) + " " + asset + (alert.unfilled == nil && !alert.passesFund ? "" : " + ADL")
        }
    }
}
