import RiskEngine

/// Every live stream: state, age of the last message, rate, and what went wrong.
enum HealthPane {
    static func render(_ model: AppModel, _ rect: Rect, _ buffer: inout Buffer) {
        buffer.fill(rect, role: .help)
        buffer.box(rect, title: "Feed health · \(model.keymap.label(for: .health)) or \(model.keymap.label(for: .back)) closes", focused: true)
        let box = rect.inset(1)
        let streams = model.status.streams
        var top = box.y
        // Wrapped over rows, never cut: at 80 columns `on-alert 62 run, 62 failed, 2` hid 238
        // skipped, and the last error read `on-alert sto` (attacker trial).
        func wrappedLines(_ text: String, role: StyleRole) {
            for line in Format.wrapped(text, box.width - 2).prefix(4) where top < box.maxY - 1 {
                buffer.put(line, x: box.x + 1, y: top, role: role, limit: box.width - 2)
                top += 1
            }
        }
        if let problem = model.status.recordingError {
            wrappedLines("Recording stopped: \(problem) · monitoring goes on", role: .alert)
        }
        if let last = model.status.lastMalformed, model.status.malformed > 0 {
            let count = model.status.malformed == 1 ? "1 malformed line" : "\(Format.count(model.status.malformed)) malformed lines"
            let text = count + (model.status.malformed == 1 ? ": " : ", the last: ") + last
            buffer.put(Format.wordsThatFit(text, box.width - 2), x: box.x + 1, y: top, role: .warn, limit: box.width - 2)
            top += 1
        }
        if let delivery = model.status.alertDelivery {
            wrappedLines("Alerts: " + delivery, role: delivery.contains("last error") ? .warn : .dim)
        }
        let inner = Rect(x: box.x, y: top, width: box.width, height: box.maxY - top)
        guard !streams.isEmpty else {
            buffer.put("No live streams: this is a \(model.status.kind.lowercased()) session.", x: inner.x + 2, y: inner.y + 1, role: .dim, limit: inner.width - 4)
            drawBooks(model, from: inner.y + 3, in: inner, &buffer)
            return
        }
        let header = Format.left("stream", 26) + Format.right("age", 8) + Format.right("msg/s", 8) + Format.right("messages", 11)
            + Format.right("gaps", 6) + Format.right("resyncs", 9) + Format.right("reconn", 8) + Format.right("bad", 6) + "  state"
        buffer.put(header, x: inner.x + 1, y: inner.y, role: .header, limit: inner.width - 1)
        var y = inner.y + 1
        for stream in streams where y + 1 < inner.maxY {
            let age = stream.age.map { Format.decimal($0, decimals: 1) + "s" } ?? "—"
            let line = Format.left(stream.name, 26) + Format.right(age, 8) + Format.right(String(stream.messagesPerSecond), 8)
                + Format.right(String(stream.messages), 11) + Format.right(String(stream.gaps), 6)
                + Format.right(String(stream.resyncs), 9) + Format.right(String(stream.reconnects), 8) + Format.right(String(stream.malformed), 6)
            var x = buffer.put(line, x: inner.x + 1, y: y, role: .text, limit: inner.width - 1)
            // Words, not letters: a state too long for the line ends in "…" (the whole reason is
            // on the line below, as the last error).
            let state = (stream.stale ? "STALE · " : "") + stream.state
            x = buffer.put("  " + Format.wordsThatFit(state, max(0, inner.maxX - x - 2)), x: x, y: y,
                role: stream.stale ? .alert : .text, limit: inner.maxX - x)
            y += 1
            let feeds = stream.symbols.map { "feeds " + $0.map(model.marketNames.short).joined(separator: ", ") + ": book, marks, trades, liquidations" } ?? "feeds positions, accounts, the fund, marks"
            buffer.put("  " + Format.wordsThatFit(feeds + (stream.lastError.map { " · last error" + (stream.lastErrorAge.map { " \(EventTime.duration(max(0, $0))) ago" } ?? "") + ": \($0)" } ?? ""), inner.width - 4),
                x: inner.x + 1, y: y, role: .dim, limit: inner.width - 2)
            y += 1
            for resync in stream.resync where y + 1 < inner.maxY {
                buffer.put("  " + resync, x: inner.x + 1, y: y, role: .warn, limit: inner.width - 2)
                y += 1
            }
        }
    }

    /// Every market's book as the engine holds it: snapshots and updates applied, gaps, and
    /// whether it can be trusted (the engine's own `staleReason`). A replay's health view said
    /// only that it had no live streams, while the report counted each book's gaps (operator
    /// trial). Snapshots are counted apart: a feed that sends only whole books (OKX's and
    /// Hyperliquid's top levels, a Tardis snapshot file) read `updates 0` for a book it had
    /// renewed thousands of times.
    static func drawBooks(_ model: AppModel, from top: Int, in inner: Rect, _ buffer: inout Buffer) {
        // The books that cannot be trusted first, then by name: the one STALE book of forty-one
        // was under "+28 more", the view not scrolling (attacker trial).
        let markets = model.engine.markets.sorted { ($0.isStale ? 0 : 1, $0.symbol) < ($1.isStale ? 0 : 1, $1.symbol) }
        guard !markets.isEmpty, top + 1 < inner.maxY else { return }
        // The rows shown (the view lists the first markets by name, then on its last row how many more).
        let rows = max(0, inner.maxY - top - 1)
        let counts: [(snapshots: String, updates: String, gaps: String)] = markets.prefix(markets.count > rows ? rows - 1 : rows).map {
            (Format.count($0.counters.snapshots), Format.count($0.counters.depthEvents), Format.count($0.counters.gaps))
        }
        // Each count column as wide as its widest figure; the snapshots go first where the line
        // has no room for every figure (a count is never cut).
        let updatesWidth = max(8, (counts.map { DisplayWidth.of($0.updates) }.max() ?? 0) + 1)
        let gapsWidth = max(6, (counts.map { DisplayWidth.of($0.gaps) }.max() ?? 0) + 1)
        let snapshotsWidth = max(10, (counts.map { DisplayWidth.of($0.snapshots) }.max() ?? 0) + 1)
        let room = inner.width - 1
        // The names give way to the counts (a name is shortened with "…", a count never cut).
        let widestName = markets.prefix(counts.count).map { DisplayWidth.of(model.marketNames.short($0.symbol)) }.max() ?? 6
        let nameWidth = max(1, min(28, max(6, widestName), room - updatesWidth - gapsWidth - 2))
        let showSnapshots = nameWidth + snapshotsWidth + updatesWidth + gapsWidth + 4 <= room
        var header = Format.left("book", nameWidth)
        if showSnapshots { header += Format.right("snapshots", snapshotsWidth) }
        header += Format.right("updates", updatesWidth) + Format.right("gaps", gapsWidth) + "  state"
        buffer.put(header, x: inner.x + 1, y: top, role: .header, limit: room)
        var y = top + 1
        for (index, market) in markets.enumerated() where y < inner.maxY {
            if y + 1 == inner.maxY && index < markets.count - 1 {
                buffer.put("+\(Format.count(markets.count - index)) more", x: inner.x + 1, y: y, role: .dim, limit: room)
                break
            }
            var line = Format.name(model.marketNames.short(market.symbol), nameWidth)
            if showSnapshots { line += Format.right(counts[index].snapshots, snapshotsWidth) }
            line += Format.right(counts[index].updates, updatesWidth) + Format.right(counts[index].gaps, gapsWidth)
            let x = buffer.put(line, x: inner.x + 1, y: y, role: .text, limit: room)
            let state = market.staleReason.map { "STALE (\($0))" } ?? "ok"
            buffer.put("  " + state, x: x, y: y, role: market.isStale ? .alert : .ok, limit: max(0, inner.maxX - x))
            y += 1
        }
    }
}
