import RiskEngine

/// The top line: what is being watched, the session clock, replay progress and speed, feed health
/// and the latched alerts.
enum StatusBarPane {
    static func render(_ model: AppModel, _ rect: Rect, _ buffer: inout Buffer) {
        buffer.fill(rect, role: .statusBar)
        let status = model.status
        // The alert count and LIVE/REPLAY/STALE are the last to go: the alerts are placed first at
        // the right end, and the rest fills the line from the left, each part whole or not at all.
        // In a replay jumped back, alerts after the session's time (told on the way to a later
        // time) are counted apart: `⚠ 16 ALERTS` beside the calm panes of 23:55:40, the first
        // alert at 23:55:47 (operator trial).
        let now = model.alertBook.counts(at: model.alertsSessionTime)
        let (later, alerts, total) = (now.later, now.unseen, now.total)
        let laterText = later > 0 ? " · \(later) later" : ""
        let count = (alerts > 0 ? " ⚠ \(alerts) ALERT\(alerts == 1 ? "" : "S")" : (total > 0 ? " \(total) alert\(total == 1 ? "" : "s") seen" : " no alerts"))
            + laterText
        let stale = model.engine.hasStaleMarket
        // Named where a third of the line has room for it; else the plain marker, which the
        // line keeps to the last (the named one, drawn whole or not at all, was lost first).
        let namedStale = stale ? Self.staleMark(model) : ""
        let plainStale = stale ? Self.plainStaleMark(model) : ""
        var staleMark = DisplayWidth.of(namedStale) <= rect.width / 3 ? namedStale : plainStale
        let kind = " \(status.kind) "
        let parts = leftParts(status, stale: stale)
        // The alert's longer forms (the newest alert named, the key hint) take only room the
        // left side's parts would not use: feed health went the moment an alert fired (at 120
        // columns, leaving blank columns where it had been).
        var alertForms: [String] = []
        let latestShown = model.alertsSessionTime.map { model.alertBook.latest(atOrBefore: $0) } ?? model.alertBook.alerts.last
        if alerts > 0, let latest = latestShown {
            // The signal's short name where the long one does not fit ("Depth drain vs refill (liq
            // series)", the cascade's own alert, was never named: operator trial).
            let names = [latest.signal?.title.lowercased(), latest.signal?.shortTitle.lowercased()].compactMap { $0 }
            for what in names.isEmpty ? AlertsPane.whatCandidates(latest) + [AlertsPane.shortWhat(latest)] : names {
                let named = count + ", last " + (latest.market.map { model.marketNames.short($0) + " " } ?? "") + what + " (a: seen, A: list) "
                if DisplayWidth.of(named) <= rect.width * 2 / 5 { alertForms.append(named); break }
            }
        }
        if alerts > 0 { alertForms.append(count + " (a: seen) ") }
        let plain = count + " "
        let kindWidth = DisplayWidth.of(kind)
        // One layout of the left side, for a given right end: what is drawn, and what it left out.
        func left(endingAt limit: Int, staleMark: String) -> LeftSide {
            let staleShown = stale && rect.x + kindWidth + DisplayWidth.of(staleMark) <= min(limit, rect.maxX)
            return layoutLeft(parts, source: status.source, from: rect.x + kindWidth + (staleShown ? DisplayWidth.of(staleMark) : 0), limit: limit,
                lineWidth: rect.width, staleShown: staleShown, essentials: status.isLive ? 1 : 2)
        }
        // The stale book's name only where it costs the clock and the play state nothing (a replay
        // of four years lost its date to `BOOK STALE BTC-PERPETUAL` while playing: operator trial).
        // (The other parts, progress and feed health, give way to the name as before.)
        if staleMark != plainStale && left(endingAt: rect.maxX - DisplayWidth.of(plain) - 1, staleMark: staleMark).essentialLost
            > left(endingAt: rect.maxX - DisplayWidth.of(plain) - 1, staleMark: plainStale).essentialLost {
            staleMark = plainStale
        }
        func left(endingAt limit: Int) -> LeftSide { left(endingAt: limit, staleMark: staleMark) }
        let least = left(endingAt: rect.maxX - DisplayWidth.of(plain) - 1).lost
        var alertText = alertForms.first { form in left(endingAt: rect.maxX - DisplayWidth.of(form) - 1).lost <= least } ?? plain
        let reserved = kindWidth + (stale ? DisplayWidth.of(staleMark) : 0) + 1
        if DisplayWidth.of(alertText) > rect.width - reserved { alertText = count + " " }
        let alertStart = max(rect.x, rect.maxX - DisplayWidth.of(alertText))
        buffer.put(alertText, x: alertStart, y: rect.y, role: alerts > 0 ? .alert : .statusBar)
        let side = left(endingAt: alertStart - 1)
        var x = buffer.put(kind, x: rect.x, y: rect.y, role: .selection)
        if side.staleShown { x = buffer.put(staleMark, x: x, y: rect.y, role: .alert) }
        if !side.source.isEmpty { x = buffer.put(side.source, x: x, y: rect.y, role: .statusBar) }
        for part in side.parts { x = buffer.put(part.text, x: x, y: rect.y, role: part.role) }
    }

    /// Which books are stale: `BOOK STALE` alone named none, beside four markets of which one was
    /// live (operator trial). One market by its short name (up to 16 cells), several by count;
    /// books that never came (`NO BOOK`) apart from books gone stale (a gap, or outdated).
    static func staleMark(_ model: AppModel) -> String {
        let (noBook, stale) = model.engine.staleMarketsByKind
        func named(_ markets: [String], one: String, several: String) -> String {
            guard markets.count == 1, let only = markets.first else { return " \(Format.count(markets.count)) \(several)" }
            let name = model.marketNames.short(only)
            return DisplayWidth.of(name) <= 16 ? " \(one) \(name)" : " \(one)"
        }
        if noBook.isEmpty { return named(stale, one: "BOOK STALE", several: "BOOKS STALE") }
        if stale.isEmpty { return named(noBook, one: "NO BOOK", several: "NO BOOK") }
        return " \(Format.count(stale.count)) BOOK\(stale.count == 1 ? "" : "S") STALE, \(Format.count(noBook.count)) NO BOOK"
    }

    /// The marker where the line has no room for names: `NO BOOK` when no book ever came, `BOOK
    /// STALE` when any went stale, and with a count where there are several (`6 STALE`: at 80
    /// columns a bare `BOOK STALE` beside a live market on screen read as that market's, six
    /// books being stale: operator trial).
    static func plainStaleMark(_ model: AppModel) -> String {
        let (noBook, stale) = model.engine.staleMarketsByKind
        let count = noBook.count + stale.count
        if stale.isEmpty { return count > 1 ? " \(Format.count(count)) NO BOOK" : " NO BOOK" }
        return count > 1 ? " \(Format.count(count)) STALE" : " BOOK STALE"
    }

    /// The left side after LIVE/REPLAY as drawn up to a right end: the marker of a stale book,
    /// the source (a name, so it may be shortened, ending in "…"), and the parts that fit, each
    /// whole, or its shorter form, or left out.
    struct LeftSide {
        var staleShown: Bool
        var source: String
        var parts: [(text: String, role: StyleRole)]
        /// How much was left out: a part drawn in its n-th shorter form counts n, one left out one
        /// more than its forms (the alert's longer forms take only room that leaves this as it is
        /// without them).
        var lost: Int
        /// The same of the essential parts alone (the clock, and a replay's play state).
        var essentialLost = 0
    }

    /// Lays the left side out from `start` to `limit`: `render` draws exactly this, and chooses
    /// the alert's form by what each would cost it (one layout: two, a simulation beside the
    /// drawing, could disagree). The parts (the clock, the play state, progress, feed health) take
    /// the room first, each whole, or a shorter form, or left out; the source, a file name, takes
    /// what they leave (to a quarter of the line), shortened with "…" or left out. It used to take
    /// its quarter first: at 80 columns a replay of several files kept `BINANCE_FUTURES.ws…` and
    /// lost whether it was playing, paused or at its end (operator trial).
    static func layoutLeft(_ parts: [(text: String, role: StyleRole, shorter: [String])], source: String, from start: Int, limit: Int,
                           lineWidth: Int, staleShown: Bool = false, essentials: Int = 2) -> LeftSide {
        var side = LeftSide(staleShown: staleShown, source: "", parts: [], lost: 0)
        let room = max(0, limit - start)
        // Each part, in order, takes its longest form that fits with room kept for the shortest
        // forms of the essential parts after it (the clock and the play state): the clock's date
        // and `UTC` pushed the play state out (review).
        let shortest = parts.map { DisplayWidth.of(($0.shorter.last ?? $0.text)) }
        var used = 0
        let essentialEnd = min(essentials, parts.count)
        for (index, part) in parts.enumerated() {
            var reserve = index + 1 < essentialEnd ? shortest[(index + 1)..<essentialEnd].reduce(0, +) : 0
            // Kept only when it can be used: a play state that does not fit anyway leaves the
            // clock its date (review).
            if used + shortest[index] + reserve > room { reserve = 0 }
            // The reserve holds back a longer form only: the clock's shortest comes before the
            // play state (at 80 columns the clock went and PAUSED stayed: operator trial).
            let candidates = [part.text] + part.shorter
            if let (offset, form) = candidates.enumerated().first(where: { offset, form in
                used + DisplayWidth.of(form) + (offset == candidates.count - 1 ? 0 : reserve) <= room
            }) {
                side.parts.append((form, part.role))
                used += DisplayWidth.of(form)
                // Each shorter form down costs one more: the clock without its date (its fourth
                // form) costs more than without `UTC` (its second), so the alert's hint does not
                // take the date's room (operator trial).
                side.lost += offset
                if index < essentialEnd { side.essentialLost += offset }
            } else {
                side.lost += candidates.count + 1
                if index < essentialEnd { side.essentialLost += candidates.count + 1 }
            }
        }
        // The source in what is left, to a quarter of the line at most; a name cut to less than
        // ten cells says nothing (`built-…`: operator trial) and is left out.
        let sourceWidth = min(max(10, lineWidth / 4), room - used) - 1
        if sourceWidth >= 10 || (sourceWidth >= 1 && DisplayWidth.of(source) <= sourceWidth) {
            let name = DisplayWidth.of(source) <= sourceWidth ? source : Format.name(source, sourceWidth).trimmingTrailingSpaces
            side.source = " " + name
        }
        return side
    }

    /// The parts after the source, in order, each drawn whole (or its shorter form) or not at all.
    static func leftParts(_ status: SessionStatus, stale: Bool) -> [(text: String, role: StyleRole, shorter: [String])] {
        var parts: [(text: String, role: StyleRole, shorter: [String])] = []
        // The session clock, in UTC (said where there is room); with the date when the session
        // spans days (a replay of recordings years apart showed no date anywhere: operator trial).
        let clock = status.time > 0 ? Format.clockMillis(status.time) : "--:--:--.---"
        if status.showsDate && status.time > 0 {
            let date = EventTime.date(status.time)
            parts.append(("  \(date) \(clock) UTC", .statusBar, ["  \(date) \(clock)", "  \(date) \(clock.prefix(8))", "  \(clock)"]))
        } else {
            parts.append(("  \(clock) UTC", .statusBar, ["  \(clock)"]))
        }
        // A live session has no speed to play at nor pause (those keys are a replay's).
        if !status.isLive {
            // Paused, the speed it will resume at is said too: +/- while paused changed it with
            // nothing on screen to show (operator trial).
            let state = status.finished ? "■ END" : (status.paused ? "❚❚ PAUSED \(status.speed)" : "▶ \(status.speed)")
            parts.append(("  \(state)", status.paused ? .warn : .statusBar, status.paused && !status.finished ? ["  ❚❚ PAUSED"] : []))
        }
        if let progress = status.progress {
            let percent = "\(Int((progress * 100).rounded(.down)))%"
            parts.append(("  [" + Format.left(Format.bar(progress, width: 12), 12) + "] " + percent, .statusBar, ["  " + percent]))
        }
        let staleStreams = status.staleStreams
        if !staleStreams.isEmpty {
            // Never silently frozen: say which stream stopped, and for how long (or at least that
            // one did, when the names do not fit).
            let names = staleStreams.map { stream in
                stream.name + (stream.age.map { " \(Format.decimal($0, decimals: 0))s" } ?? "")
            }.joined(separator: ", ")
            parts.append(("  STALE \(names) (h: health)", .alert, ["  STALE (h)"]))
        }
        var health = "  feed"
        if let age = status.lastMessageAge { health += " age \(Format.decimal(Double(age) / 1e9, decimals: 1))s" }
        let counts = " gaps \(status.gaps) resyncs \(status.resyncs)" + (status.malformed > 0 ? " bad \(status.malformed)" : "")
        health += counts
        // Shorter, the counts alone (a gap or a bad line is what the operator must not miss).
        parts.append((health, status.gaps > 0 || stale ? .warn : .statusBar, [" " + counts]))
        if status.recordingError != nil { parts.append((" REC FAILED (h)", .alert, [])) }
        return parts
    }
}
