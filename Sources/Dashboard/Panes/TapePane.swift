import RiskEngine

/// Liquidations, newest first: simulated ones, and the exchange's own marked apart. The cursor
/// scrolls through every one the log keeps; Enter opens a liquidation's detail.
enum TapePane {
    static let columns: [FitColumn] = [
        // Narrow, the time goes before the quantity and the deficit (the side shrinks to ▲/▼ first).
        FitColumn(title: "time", left: true, priority: 1),
        // Where the line comes from: "sim" (the engine), or "ex" and the venue's completeness mark
        // (`LiquidationCompleteness.mark`: S a sample, A all, ? not known), so a reader never
        // takes Binance's one-a-second sample for the venue's whole flow.
        FitColumn(title: "src", left: true, priority: 0),
        FitColumn(title: "venue", left: true, priority: 3, cap: 13),
        FitColumn(title: "sym", left: true, priority: 1, cap: 14),
        FitColumn(title: "side", left: true, priority: 0),
        FitColumn(title: "account", left: true, priority: 5, cap: 12),
        FitColumn(title: "qty", left: false, priority: 0),
        FitColumn(title: "bkr", left: false, priority: 2),
        FitColumn(title: "avg fill", left: false, priority: 2),
        FitColumn(title: "slip bp", left: false, priority: 6),
        FitColumn(title: "lv", left: false, priority: 7),
        // The figure the tape is read for stays last of all: of equal priorities the rightmost
        // goes first, and at 80×24 (19 cells) `12.4k +ADL` beside a quantity of 12.345 left the
        // quantity and no deficit (operator trial).
        FitColumn(title: "deficit", left: false, priority: -1),
        FitColumn(title: "fund after", left: false, priority: 4),
    ]
    static let accountColumn = 5
    static let venueColumn = 2
    static let timeColumn = 0
    static let symbolColumn = 3
    static let sourceColumn = 1
    static let sideColumn = 4
    static let quantityColumn = 6
    static let deficitColumn = 11

    static func render(_ model: AppModel, _ rect: Rect, focused: Bool, _ buffer: inout Buffer) {
        let log = model.log
        let total = model.tapeCount
        var title = "Liquidation tape \(Format.count(log.simulatedCount)) sim · \(Format.count(log.exchangeCount)) exch"
        // A filter says what it keeps and how many lines it shows, before anything optional.
        let filterLabel = model.tapeFilterLabel
        // "… shown": "deficits/ADL: 607" read as 607 deficits (218 in the report: operator trial).
        let filterPart = filterLabel.isEmpty ? "" : " · \(filterLabel): \(Format.count(total)) shown"
        // The marks' legend, when exchange lines are on the tape and the title has room for it.
        if !filterPart.isEmpty {
            title += filterPart
        } else if log.exchangeCount > 0 {
            let legend = " · ex \(LiquidationCompleteness.sample.mark) sample \(LiquidationCompleteness.all.mark) all"
            if Buffer.titleFits(title + legend, width: rect.width) { title += legend }
        }
        // Where the cursor is, when scrolled and when the title has room for it whole.
        let place = " · row \(Format.count(model.tapeCursor + 1))"
        if focused && model.tapeCursor > 0 && Buffer.titleFits(title + place, width: rect.width) { title += place }
        // Narrower, shorter words around whole counts (never a count cut).
        // Filtered, every shorter title still says so (a count of all the lines under a filter
        // would be read as the lines shown).
        let shorter = filterPart.isEmpty
            ? ["Tape \(Format.count(log.simulatedCount)) sim · \(Format.count(log.exchangeCount)) ex",
               "Tape \(Format.count(log.simulatedCount + log.exchangeCount))", "Tape"]
            : ["Tape \(Format.count(log.simulatedCount)) sim · \(Format.count(log.exchangeCount)) ex" + filterPart,
               "Tape" + filterPart, "Tape filtered: \(Format.count(total)) shown", "Tape filtered: \(Format.count(total))",
               "Filtered: \(Format.count(total))", "Tape filtered", "Tape"]
        title = Buffer.fittingTitle([title] + shorter, width: rect.width)
        buffer.box(rect, title: title, focused: focused)
        let inner = rect.inset(1)
        guard inner.height >= 2 else { return }
        if total == 0 {
            let unmatched = "none of \(Format.count(TapeEntries.count(log))) kept matches"
            let text = !filterLabel.isEmpty
                ? (DisplayWidth.of(unmatched) < inner.width ? unmatched : "none matches")
                : (inner.width >= 20 ? "no liquidations yet" : "none yet")
            buffer.put(text, x: inner.x + 1, y: inner.y, role: .dim, limit: inner.width - 1)
            return
        }
        let range = TableRows.visibleRange(count: total, cursor: model.tapeCursor, in: inner)
        let entries = model.tapeWindow(offset: range.lowerBound, length: range.count)
        let namingAssets = namesAssets(model.engine)
        // One venue: its name on every line says nothing, and its width goes to the figures. The
        // fit runs over the columns kept, and maps back to the table's column numbers.
        // No exchange-reported line: every line is "sim", which the title already says; its width
        // goes to the quantity (at 80 columns the difference between seeing it and not).
        let kept = columns.indices.filter { column in
            (model.marketNames.venues.count > 1 || column != venueColumn) && (log.exchangeCount > 0 || column != sourceColumn)
        }
        var shown = columns
        // Several markets: a line must say which was liquidated before it says when (the time
        // goes first; the quantity and the deficit stay last of all).
        let severalMarkets = model.showsMarkets
        if severalMarkets { shown[timeColumn].priority = 2 }
        func fit(_ rows: [(cells: [String], tail: String)]) -> [(column: Int, width: Int)] {
            ColumnFit.fitting(kept.map { shown[$0] }, rows: rows.map { row in kept.map { row.cells[$0] } }, width: inner.width)
                .map { (column: kept[$0.column], width: $0.width) }
        }
        // The rows' times with their day where the session spans days; a shorter form of it where
        // the longer costs the time column (at 120×40 the tape's rows of another day lost their
        // time altogether: operator trial).
        var times = timeStyle(entries, model)
        var rows = entries.map { cells($0, model, namingAssets: namingAssets, times: times) }
        while let shorter = times.shorterDated, !fit(rows).contains(where: { $0.column == timeColumn }) {
            times = shorter
            rows = entries.map { cells($0, model, namingAssets: namingAssets, times: times) }
        }
        let exactRows = entries.map { cells($0, model, namingAssets: namingAssets, exactDeficit: true, times: times) }
        /// Whether the columns chosen leave out what a line must say (the quantity, the deficit,
        /// with several markets the market, the time): the side then gives up its word (below).
        /// The time too (at 120×40, two markets, a `▼ short` row took the time's room and left
        /// eight cells blank: operator trial).
        func lacksRoom(_ chosen: [(column: Int, width: Int)]) -> Bool {
            !chosen.contains(where: { $0.column == quantityColumn }) || !chosen.contains(where: { $0.column == deficitColumn })
                || (severalMarkets && !chosen.contains(where: { $0.column == symbolColumn }))
                || !chosen.contains(where: { $0.column == timeColumn })
        }
        func fit() -> [(column: Int, width: Int)] { fit(rows) }
        /// The rows with the side as its arrow alone (`▲ long` → `▲`).
        func arrowed(_ rows: [(cells: [String], tail: String)]) -> [(cells: [String], tail: String)] {
            var rows = rows
            for index in rows.indices { rows[index].cells[sideColumn] = String(rows[index].cells[sideColumn].prefix(1)) }
            return rows
        }
        var chosen = fit()
        // Deficits to the cent where their width costs no column: `162` beside a view and a
        // report saying 161.85 did not reconcile (operator trial); compact where room is short.
        let exactChosen = fit(exactRows)
        if exactChosen.map(\.column) == chosen.map(\.column) {
            rows = exactRows
            chosen = exactChosen
        } else {
            // The side's word gives way before a deficit's cents: `long … 538` beside a view
            // saying 537.85 kept the word and rounded the figure (operator trial). Taken where the
            // exact figures beside arrows keep every column the compact ones would have (the
            // words, or the arrows the block below turns to): a cent never costs a column.
            let title = shown[sideColumn].title
            shown[sideColumn].title = ""
            let baseline = Set((lacksRoom(chosen) ? fit(arrowed(rows)) : chosen).map(\.column))
            let exactArrowed = arrowed(exactRows)
            let exactArrowedChosen = fit(exactArrowed)
            if baseline.isSubset(of: exactArrowedChosen.map(\.column)) {
                rows = exactArrowed
                chosen = exactArrowedChosen
            } else {
                shown[sideColumn].title = title
            }
        }
        // Too narrow for the quantity and the deficit (and, with several markets, the market; in
        // a session of several days, the rows' dated time) beside the side in words: the side as
        // its arrow alone ("▲ long" → "▲", under no title) makes the room (at 120×40 rows of
        // months before lost their `08-08 23:58` for the word `long`: operator trial).
        if lacksRoom(chosen) {
            rows = arrowed(rows)
            shown[sideColumn].title = ""
            chosen = fit()
        }
        // Several markets and still no room for the market (the tape at 80×24, 19 cells: a line
        // read "▲ 0.065 ADL" with nothing to say of which market): the deficit's title shortens to
        // "def", then the market's name to the room left (never below four cells, "BTC…").
        if severalMarkets && !chosen.contains(where: { $0.column == symbolColumn }) {
            shown[deficitColumn].title = "def"
            chosen = fit()
            if !chosen.contains(where: { $0.column == symbolColumn }) {
                let others = chosen.filter { shown[$0.column].priority <= 0 }
                let room = inner.width - others.reduce(0) { $0 + $1.width + 1 }
                if room >= 4 {
                    shown[symbolColumn].cap = room
                    chosen = fit()
                }
            }
        }
        // Still too narrow for the deficit: it gives up its asset's name (said where there is
        // room: several assets) before it goes (at 80 columns the named deficit was dropped and
        // only the quantity was left; operator trial).
        if !chosen.contains(where: { $0.column == deficitColumn }), namingAssets {
            for (index, entry) in entries.enumerated() {
                if case .simulated(let record) = entry { rows[index].cells[deficitColumn] = deficitCell(record) }
            }
            chosen = fit()
        }
        func line(_ texts: [String]) -> String { ColumnFit.line(texts, shown, chosen) }
        buffer.put(line(shown.map(\.title)), x: inner.x, y: inner.y, role: .header, limit: inner.width)
        let showsAccount = chosen.contains { $0.column == accountColumn }
        TableRows.draw(count: total, cursor: model.tapeCursor, in: inner, focused: focused, &buffer) { index, y, selected, buffer in
            let offset = index - range.lowerBound
            guard offset >= 0, offset < entries.count else { return }
            let role: StyleRole
            switch entries[offset] {
            case .simulated(let record): role = selected ? .selection : (record.deficit.isPositive || record.adlQuantity.isPositive ? .alert : .text)
            case .exchange: role = selected ? .selection : .exchange
            }
            let x = buffer.put(line(rows[offset].cells), x: inner.x, y: y, role: role, limit: inner.width)
            // What follows the columns (how the quantity was covered): whole, or not at all.
            var tail = rows[offset].tail
            if case .exchange = entries[offset], !showsAccount { tail = " EXCHANGE-REPORTED" + tail }
            buffer.putWhole(tail, x: x, y: y, role: role, maxX: inner.maxX)
        }
    }

    /// The venue of a market, filtered for the screen (a venue name comes from a feed or a file).
    static func venueName(_ market: String) -> String {
        MarketID.venue(of: market).map { SafeText.escaped($0.rawValue) } ?? ""
    }

    /// A deficit, short where it is money (`12.4k` USDT), exact where it is a coin: an inverse
    /// market's 0.00035420 BTC read "0.00".
    static func deficit(_ amount: Fixed, asset: String) -> String { Format.compactMoney(amount, asset: asset) }

    /// The deficit column: the deficit, and where the quantity the book could not take went when
    /// it went to ADL or to the fund. A close the book could not fill at all, deleveraged at the
    /// bankruptcy price, has no deficit: "0" there read as a liquidation the book absorbed, all
    /// through a cascade that had emptied it (the tail that says "ADL 0.067" rarely has room).
    static func deficitCell(_ record: LiquidationRecord, namingAsset: Bool = false, exact: Bool = false) -> String {
        let amount = exact ? Format.money(record.deficit, decimals: AssetPrecision.decimals(forAsset: record.asset)) : deficit(record.deficit, asset: record.asset)
        return withCover(record, amount: record.deficit.isZero ? "0" : amount + (namingAsset ? " " + record.asset : ""))
    }

    /// Whether the session's markets settle in more than one asset (a USDT market beside a
    /// BTC-settled one): a deficit then names its asset (`0.00016246 BTC` beside `12.4k USDT`;
    /// operator trial: they sat side by side with no unit). Read off the markets, not the funds (a
    /// fund stated for an asset no market settles in named USDT on every line; review); once a
    /// frame, not once a row.
    static func namesAssets(_ engine: Engine) -> Bool {
        guard let first = engine.markets.first?.instrument.settlementAsset else { return false }
        return engine.markets.contains { $0.instrument.settlementAsset != first }
    }

    /// `amount` (the deficit as a column shows it), or where the quantity the book could not take
    /// went instead of it or beside it (the tape's and the what-if list's deficit columns).
    static func withCover(_ record: LiquidationRecord, amount: String) -> String {
        // Settled past the levels a top-of-book feed shows: the deficit is a floor.
        withCover(amount: (record.pastShownQuantity.isPositive ? "≥" : "") + amount, deficitIsZero: record.deficit.isZero,
            cover: cover(adlQuantity: record.adlQuantity, fundTakeoverQuantity: record.fundTakeoverQuantity))
    }

    /// Where what the book could not take went: "ADL", "FUND" (the fund took it over), or nil.
    static func cover(adlQuantity: Fixed, fundTakeoverQuantity: Fixed) -> String? {
        adlQuantity.isPositive ? "ADL" : fundTakeoverQuantity.isPositive ? "FUND" : nil
    }

    /// The mark itself, for every deficit column (the tape, the what-if list and ladder, the
    /// positions pane): `cover` ("ADL", "FUND") alone where there is no deficit, after the
    /// amount where there is one, the amount alone where nothing went past the book.
    static func withCover(amount: String, deficitIsZero: Bool, cover: String?) -> String {
        guard let cover else { return amount }
        return deficitIsZero ? cover : amount + " +" + cover
    }

    /// How the rows give their times: the time of day, unless the session spans days and the rows
    /// shown and the session's clock are not all of one day (at 2025-01-26 19:14:19 the tape read
    /// `23:58:34 BTCUSDT …` of 2024-08-08, as if of that evening: operator trial), then with the
    /// month and day, or the whole date across years, as the alerts view gives them.
    static func timeStyle(_ entries: [TapeEntry], _ model: AppModel) -> AlertColumns.TimeStyle {
        guard model.status.showsDate, let first = entries.first?.time else { return .timeOfDay }
        var low = first, high = first
        for entry in entries {
            low = min(low, entry.time)
            high = max(high, entry.time)
        }
        if model.status.time > 0 {
            low = min(low, model.status.time)
            high = max(high, model.status.time)
        }
        return AlertColumns.timeStyle(low...high)
    }

    /// A row's cells, one per column, and what follows them.
    static func cells(_ entry: TapeEntry, _ model: AppModel, namingAssets: Bool = false, exactDeficit: Bool = false,
                      times: AlertColumns.TimeStyle = .timeOfDay) -> (cells: [String], tail: String) {
        switch entry {
        case .simulated(let record):
            let instrument = model.engine.market(record.symbol)?.instrument
            var tail = ""
            // How the quantity was covered: the book, ADL, the fund taking it over; each quantity
            // with its unit and where it went, after the deficit cell's mark ("0.00001488 BTC +ADL
            // ADL 1" read as the mark twice and a bare 1; operator trial).
            func quantity(_ value: Fixed) -> String {
                Format.quantity(value, instrument) + (instrument.map { " " + $0.quantityUnit } ?? "")
            }
            if record.pastShownQuantity.isPositive { tail += " · " + quantity(record.pastShownQuantity) + " past the levels shown" }
            if record.unfilledQuantity.isPositive { tail += " · " + quantity(record.unfilledQuantity) + " unfilled" }
            if record.adlQuantity.isPositive { tail += " · " + quantity(record.adlQuantity) + " to ADL" }
            if record.fundTakeoverQuantity.isPositive { tail += " · " + quantity(record.fundTakeoverQuantity) + " to the fund" }
            if record.isPartial { tail += " · partial" }
            return ([AlertColumns.text(record.time, style: times), "sim", venueName(record.symbol), model.marketNames.short(record.symbol), Format.sideMark(record.side),
                     SafeText.escaped(record.account), Format.quantity(record.quantity, instrument),
                     Format.price(record.bankruptcyPrice, instrument), Format.price(record.averageFill, instrument),
                     record.slippageBps.map { $0.formatted(1) } ?? "—", "\(record.levelsConsumed)",
                     deficitCell(record, namingAsset: namingAssets, exact: exactDeficit),
                     // Exact: "250k" on every row hid a deficit of 40.09 the fund paid.
                     Format.money(record.fundAfter, decimals: AssetPrecision.decimals(forAsset: record.asset))], tail)
        case .exchange(let liquidation):
            let instrument = model.engine.market(liquidation.symbol)?.instrument
            let completeness = MarketID.venue(of: liquidation.symbol)?.liquidationCompleteness ?? .unknown
            return ([AlertColumns.text(liquidation.time, style: times), "ex " + completeness.mark, venueName(liquidation.symbol),
                     model.marketNames.short(liquidation.symbol), Format.sideMark(liquidation.side),
                     "EXCHANGE", Format.quantity(liquidation.quantity, instrument), "", Format.price(liquidation.price, instrument), "", "", "", ""], "")
        }
    }
}
