import RiskEngine

/// Every market of the session, a row each: what its feed says and what the engine makes of it.
/// `m` focuses the pane; the cursor and Enter choose the market the ladder, the signals, the
/// what-if and the detail follow (marked ▸). Columns take the width their widest figure needs and
/// are dropped by priority, never cut.
enum MarketsPane {
    struct Column: Sendable {
        var column: MarketColumn?
        var title: String
        var priority: Int
        var leftAligned = false
        /// A column that says nothing while the session has one venue: then it goes first.
        var onlyForSeveralVenues = false
        /// Names may be shortened to this many cells, with "…" (a 60-character symbol took the
        /// whole pane at 80×24 and every risk column went: attacker trial); figures never are.
        var cap: Int? = nil
        var cell: @Sendable (MarketRow, AppModel) -> (String, StyleRole)
        /// A narrower form of the cells, taken before the column would be dropped.
        var narrowCell: (@Sendable (MarketRow, AppModel) -> (String, StyleRole))? = nil
    }

    static let columns: [Column] = [
        Column(column: .symbol, title: "market", priority: 0, leftAligned: true, cap: 24) { row, model in
            ((row.symbol == model.focusedSymbol ? "▸ " : "  ") + model.marketNames.short(row.symbol), row.stale ? .alert : .text)
        },
        Column(column: nil, title: "venue", priority: 3, leftAligned: true, onlyForSeveralVenues: true,
               cell: { row, _ in (row.instrument.venue?.rawValue ?? "—", .dim) },
               // Its tag (`bn-um`, `hyper`) where the name has no room (operator trial: at 120
               // columns nothing said whose `BTC` was).
               narrowCell: { row, _ in (row.instrument.venue?.tag ?? "—", .dim) }),
        // Every digit, as the ladder and positions give it (0.01732 beside their 0.017315: operator trial).
        Column(column: .mark, title: "mark", priority: 0) { row, _ in (Format.exactPrice(row.mark, row.instrument), .text) },
        Column(column: nil, title: "index", priority: 6) { row, _ in (Format.price(row.index, row.instrument), .dim) },
        Column(column: .premium, title: "prem bps", priority: 3) { row, _ in
            (row.premiumBps.map { ($0 >= 0 ? "+" : "") + Format.decimal($0, decimals: 1) } ?? "—", .dim)
        },
        Column(column: .funding, title: "funding", priority: 4) { row, model in
            guard let rate = row.fundingRate else { return ("—", .dim) }
            // Toward zero: a rate of 0.99999999 read `100.0000%`, a rate the input check refuses
            // (attacker trial).
            var text = (rate * Fixed(100)).formatted(4, rounding: .towardZero) + "%"
            if let next = row.nextFundingTime, next >= model.engine.time {
                let minutes = (next - model.engine.time) / 60_000_000_000
                text += " in \(minutes / 60)h\(minutes % 60 < 10 ? "0" : "")\(minutes % 60)m"
            }
            return (text, .dim)
        },
        Column(column: nil, title: "OI", priority: 5) { row, _ in
            (row.openInterest.map { Format.compact($0.approximateDouble) } ?? "—", .dim)
        },
        Column(column: nil, title: "last", priority: 7) { row, _ in
            (row.lastTrade.map { Format.units($0, decimals: min(row.instrument.priceDecimals, 8)) } ?? "—", .dim)
        },
        Column(column: .spread, title: "spr bps", priority: 2) { row, _ in
            ((row.spreadIsFloor ? "≥" : "") + Format.decimal(row.spreadBps, decimals: 2), .text)
        },
        Column(column: .depth, title: "depth ±10bp", priority: 2) { row, _ in
            guard let depth = row.depth10 else { return ("—", .dim) }
            // In the quote it is counted in: a session's markets mix USDT, USDC and the dollars
            // of coin-margined contracts, and the bare figure read as one scale (operator trial).
            var text = (row.depth10IsFloor ? "≥" : "") + Format.compact(depth) + " " + row.instrument.quote
            if let baseline = row.depth10Baseline, baseline > 0 { text += " " + Format.decimal(depth / baseline, decimals: 2) + "x" }
            return (text, .text)
        },
        Column(column: .signal, title: "signal", priority: 0) { row, _ in
            if row.stale { return ("STALE", .alert) }
            // The book is fresh but nothing is liquidated on this mark (it read "ok").
            if row.markOutdated { return ("MARK OLD", .alert) }
            switch row.worstSignal {
            case .alert: return ("ALERT \(row.alertSignals)", .alert)
            case .warn: return ("warn", .warn)
            // No book to read: not "ok" (a market seen by its mark alone read ok beside the
            // signals pane's "no book": attacker trial).
            // Its baselines still learnt: not judged, not "ok" (operator trial).
            case .ok: return row.hasBook ? (row.learning ? ("learn", .dim) : ("ok", .ok)) : ("no book", .dim)
            }
        },
        Column(column: .liquidations, title: "liq60 ex/sim", priority: 1) { row, _ in
            // A venue with no liquidation stream (Hyperliquid) reports none: n/a, not 0. The count
            // carries the venue's completeness mark (3S: a sample; 3A: all), so the pane says what
            // the figure is worth at every width; a market of no named venue has none.
            let completeness = row.liquidationCompleteness
            let mark = completeness == .unknown ? "" : completeness.mark
            let exchange = completeness == .unpublished ? "n/a" : Format.count(row.exchangeLiquidations60s) + mark
            return ("\(exchange)/\(Format.count(row.simulatedLiquidations60s))", row.simulatedLiquidations60s + row.exchangeLiquidations60s > 0 ? .warn : .dim)
        },
        // The session's exchange-reported liquidations, with the venue's completeness mark (S a
        // sample, A all: `LiquidationCompleteness`): a sampled count is a floor. A venue with no
        // stream says n/a, never 0.
        Column(column: nil, title: "ex liqs", priority: 5) { row, _ in
            if row.liquidationCompleteness == .unpublished { return ("n/a", .dim) }
            return (Format.count(row.exchangeLiquidations) + " " + row.liquidationCompleteness.mark, row.exchangeLiquidations > 0 ? .warn : .dim)
        },
        // Their notional, exact to the asset's precision (cents, eight places for a coin), in the
        // settlement asset: a column too narrow for the whole figure goes, the digits stay.
        Column(column: nil, title: "ex notional", priority: 6) { row, _ in
            if row.liquidationCompleteness == .unpublished { return ("n/a", .dim) }
            if row.exchangeLiquidationNotional.isZero { return ("0", .dim) }
            let decimals = AssetPrecision.decimals(forAsset: row.asset)
            return (row.exchangeLiquidationNotional.formatted(decimals, grouping: true) + " " + row.asset, .text)
        },
        Column(column: .near, title: "near liq", priority: 1) { row, _ in
            (Format.count(row.nearLiquidation) + "/" + Format.count(row.positions), row.nearLiquidation > 0 ? .warn : .dim)
        },
        // To the cent below 10,000, as the fund pane shows it; compact where that would push the
        // column out (at 80×24 the exact `1,234.56 USDT` left no room for it: review).
        Column(column: .stressed, title: "stressed", priority: 0, cell: { row, _ in stressedCell(row, exact: true) },
               narrowCell: { row, _ in stressedCell(row, exact: false) }),
    ]

    static func stressedCell(_ row: MarketRow, exact: Bool) -> (String, StyleRole) {
        // Past the levels a top-of-book feed shows, the deficit is a floor.
        let floor = row.stressedIsFloor ? "≥" : ""
        // No money lost but most of the book spoken for: the share, at WARN (a dim `0` beside the
        // signals pane's WARN: review).
        if row.stressedDeficit.isZero && !row.adlCertain, let share = row.stressedBookSharePercent {
            return (floor + "0 · " + (share > 999 ? ">999" : Format.count(share)) + "%", .warn)
        }
        if row.stressedDeficit.isZero && !row.adlCertain { return (floor + "0", floor.isEmpty ? .dim : .text) }
        // No money to name, only quantity the book cannot fill: the quantity, as the signals
        // pane gives it (`0.00000000 UNI + ADL` read as harmless beside its `ADL 15,903
        // contracts`: operator trial).
        if !row.stressedDeficit.isPositive && row.adlCertain && row.stressedUnfilled.isPositive {
            let quantity = exact ? Format.quantity(row.stressedUnfilled, row.instrument) : Format.compact(row.stressedUnfilled.approximateDouble)
            return ("ADL " + floor + quantity + " " + row.instrument.quantityUnit, .alert)
        }
        let amount = exact ? Format.stressMoney(row.stressedDeficit, asset: row.asset) : Format.compactMoney(row.stressedDeficit, asset: row.asset)
        return (floor + amount + " " + row.asset + (row.adlCertain ? " + ADL" : ""), .alert)
    }


    /// The columns that fit `width`, each as wide as its widest cell; the highest priority
    /// numbers go first.
    static func fitting(_ width: Int, rows: [MarketRow], model: AppModel) -> [(column: Column, width: Int)] {
        fitting(width, measure: measure(rows, model: model), model: model)
    }

    /// Each column's widest cell over `rows`, the title's at least, and the columns whose every
    /// cell says nothing.
    static func measure(_ rows: [MarketRow], model: AppModel) -> MarketColumnMeasure {
        var measure = MarketColumnMeasure()
        measure.rowCount = rows.count
        for column in columns {
            var widest = DisplayWidth.of(column.title)
            var empty = true
            for row in rows {
                let text = column.cell(row, model).0
                widest = max(widest, DisplayWidth.of(text))
                if text != "—" { empty = false }
            }
            if let cap = column.cap { widest = min(widest, max(DisplayWidth.of(column.title), cap)) }
            measure.widths[column.title] = widest
            if !rows.isEmpty && empty { measure.empty.insert(column.title) }
            if let narrow = column.narrowCell {
                measure.narrowWidths[column.title] = rows.reduce(DisplayWidth.of(column.title)) { max($0, DisplayWidth.of(narrow($1, model).0)) }
            }
        }
        return measure
    }

    /// The columns that fit `width`, sized by `measure`.
    static func fitting(_ width: Int, measure: MarketColumnMeasure, model: AppModel) -> [(column: Column, width: Int)] {
        // Markets named without a venue (an engine fed directly) have no venue column.
        let named = model.marketNames.venues.isEmpty ? columns.filter { !$0.onlyForSeveralVenues } : columns
        let empty = measure.empty
        let all = named.map { column -> (column: Column, width: Int) in
            (column, measure.widths[column.title] ?? DisplayWidth.of(column.title))
        }
        var chosen = all
        func total() -> Int { chosen.reduce(0, { $0 + $1.width + 1 }) }
        let severalVenues = model.marketNames.venues.count > 1
        // A column that says nothing for any row (no feed carries an index) goes before any other.
        func priority(_ column: Column) -> Int {
            if empty.contains(column.title) && column.priority > 0 { return 100 }
            return column.onlyForSeveralVenues && !severalVenues ? 99 : column.priority
        }
        while total() > width,
            let drop = chosen.indices.max(by: { priority(chosen[$0].column) < priority(chosen[$1].column) }),
            priority(chosen[drop].column) > 0 {
            chosen.remove(at: drop)
        }
        // Still too wide: the narrower forms of the cells that have one, before any column goes.
        if total() > width {
            for index in chosen.indices {
                guard let narrow = chosen[index].column.narrowCell else { continue }
                var column = chosen[index].column
                column.cell = narrow
                column.narrowCell = nil
                chosen[index] = (column, measure.narrowWidths[column.title] ?? DisplayWidth.of(column.title))
            }
        }
        // Still too wide: a long name gives way first, down to 12 cells (`▸ ` and ten of its
        // characters, ending in "…"): one 60-character symbol took the whole pane at 80×24 and
        // every risk column went (attacker trial).
        if total() > width, let market = chosen.firstIndex(where: { $0.column.column == .symbol }), chosen[market].width > 12 {
            chosen[market].width = max(12, chosen[market].width - (total() - width))
        }
        // Still too wide (a long symbol, a long figure): the mark goes, then the signal, then the
        // stressed deficit, the market never (the rightmost went first, and at 80×24 a replay's
        // pane kept the mark and lost the stressed deficit: operator trial).
        for dropped in [MarketColumn.mark, .signal, .stressed] where total() > width {
            chosen.removeAll { $0.column.column == dropped }
        }
        while total() > width, chosen.count > 1 { chosen.removeLast() }
        // Columns dropped while wider ones stood that fit in what is left come back, the most
        // important first, in their places (at 120×40 `liq60` went and left 17 blank cells).
        let kept = Set(chosen.map(\.column.title))
        let order = all.indices.filter { !kept.contains(all[$0].column.title) && priority(all[$0].column) < 99 }
            .sorted { priority(all[$0].column) < priority(all[$1].column) }
        for index in order {
            var item = all[index]
            // The venue comes back as its tag where its name does not fit.
            if total() + item.width + 1 > width, item.column.onlyForSeveralVenues, let narrow = item.column.narrowCell {
                item.column.cell = narrow
                item.column.narrowCell = nil
                item.width = measure.narrowWidths[item.column.title] ?? DisplayWidth.of(item.column.title)
            }
            guard total() + item.width + 1 <= width else { continue }
            let place = chosen.firstIndex { item in (all.firstIndex { $0.column.title == item.column.title } ?? 0) > index } ?? chosen.count
            chosen.insert(item, at: place)
        }
        return chosen
    }

    /// The rows as the pane draws them: in the table's order, from the engine as it is now.
    static func shownRows(_ model: AppModel) -> [MarketRow] {
        model.visibleMarkets.map { fresh($0, model) }
    }

    /// A row of the table read again from the engine as it is now (the table is built once a
    /// second of session time).
    static func fresh(_ row: MarketRow, _ model: AppModel) -> MarketRow {
        model.engine.market(row.symbol).map { MarketTable.row(of: $0, positions: row.positions, nearLiquidation: row.nearLiquidation) } ?? row
    }

    /// The rows on screen, read now, and the columns that fit: sized by every listed market's
    /// cells as the table was last built (`AppModel.marketColumnMeasure`), and by the rows on
    /// screen as they read now, so a figure grown since is not cut. Reading and measuring every
    /// market each frame took 34 ms a frame with 5,000 markets.
    static func page(_ model: AppModel, inner: Rect, focused: Bool) -> (range: Range<Int>, rows: [MarketRow], cursor: Int,
        columns: [(column: Column, width: Int)]) {
        let listed = model.visibleMarkets
        // Not worked by the operator, the pane keeps the market the ladder shows (▸) in sight: at
        // 80×24 its one row showed another, STALE one, the ▸ off screen (operator trial).
        let focusedSymbol = model.focusedSymbol
        let cursor = focused ? model.marketCursor : (listed.firstIndex { $0.symbol == focusedSymbol } ?? model.marketCursor)
        let range = TableRows.visibleRange(count: listed.count, cursor: cursor, in: inner)
        let rows = range.map { fresh(listed[$0], model) }
        var measure = model.marketColumnMeasure
        measure.merge(self.measure(rows, model: model))
        return (range, rows, cursor, fitting(inner.width, measure: measure, model: model))
    }

    /// The sortable columns the pane shows at its width (`s` cycles through these only).
    static func shownColumns(_ model: AppModel) -> Set<MarketColumn> {
        guard let rect = model.layout.markets else { return [] }
        return Set(page(model, inner: rect.inset(1), focused: model.focus == .markets).columns.compactMap(\.column.column))
    }

    static func render(_ model: AppModel, _ rect: Rect, focused: Bool, _ buffer: inout Buffer) {
        let count = model.visibleMarkets.count
        let direction = SortLabel.words(risk: model.marketSortColumn == .risk, text: model.marketSortColumn == .symbol,
            descending: model.marketSortDescending)
        let filter = model.marketFilter.isEmpty ? "" : " · filter '\(model.marketFilter)'"
        // Narrower, words go, never the direction or the filter.
        let order = model.marketSortColumn == .risk ? direction : "\(model.marketSortColumn.rawValue) \(direction)"
        let filtered = filter.isEmpty ? "" : " · filtered"
        let title = Buffer.fittingTitle([
            "Markets \(Format.count(count))/\(Format.count(model.markets.rows.count)) · sort \(model.marketSortColumn.rawValue) \(direction)" + filter,
            "Markets \(Format.count(count))/\(Format.count(model.markets.rows.count)) · \(order)" + filter, "Markets \(Format.count(count)) · \(order)" + filter,
            "Markets · \(order)" + filtered, order + filtered], width: rect.width)
        buffer.box(rect, title: title, focused: focused)
        let inner = rect.inset(1)
        guard inner.height >= 2 else { return }
        let page = page(model, inner: inner, focused: focused)
        let chosen = page.columns
        var x = inner.x
        for (column, width) in chosen {
            let text = column.leftAligned ? Format.left(column.title, width) : Format.right(column.title, width)
            x = buffer.put(text + " ", x: x, y: inner.y, role: column.column == model.marketSortColumn ? .title : .header,
                limit: max(0, inner.maxX - x))
        }
        if count == 0 {
            buffer.put(model.markets.rows.isEmpty ? "no market yet" : "no market matches the filter", x: inner.x + 1, y: inner.y + 1, role: .dim)
            return
        }
        // Not worked by the operator, the pane keeps the market the ladder shows (▸) in sight: at
        // 80×24 its one row showed another, STALE one, the ▸ off screen (operator trial).
        let listed = model.visibleMarkets
        let alertsHidden = { (shown: Range<Int>) in
            // Those whose signal column reads ALERT (a STALE or MARK OLD row reads so instead).
            listed.indices.reduce(0) { count, index in
                let row = listed[index]
                return count + (!shown.contains(index) && !row.stale && !row.markOutdated && row.worstSignal == .alert ? 1 : 0)
            }
        }
        TableRows.draw(count: count, cursor: page.cursor, in: inner, focused: focused, &buffer, alertsHidden: alertsHidden) { index, y, selected, buffer in
            guard page.range.contains(index) else { return }
            let row = page.rows[index - page.range.lowerBound]
            var x = inner.x
            for (column, width) in chosen {
                let (text, role) = column.cell(row, model)
                // A name longer than its column ends in "…"; a figure is never shortened (its
                // column is as wide as its widest).
                let cell = column.column == .symbol ? Format.marketName(text, width)
                    : column.leftAligned ? Format.name(text, width) : Format.right(text, width)
                x = buffer.put(cell + " ", x: x, y: y, role: selected ? .selection : role, limit: max(0, inner.maxX - x))
            }
        }
    }
}

/// The widest cell of each markets-pane column over some rows (by the column's title), the
/// widest of its narrower form, and the columns whose every cell says nothing (`—`).
struct MarketColumnMeasure: Sendable, Equatable {
    var widths: [String: Int] = [:]
    var narrowWidths: [String: Int] = [:]
    var empty: Set<String> = []
    var rowCount = 0

    /// Both sets of rows at once: the wider of each width; empty only where both are (or where
    /// the other measured no row).
    mutating func merge(_ other: MarketColumnMeasure) {
        widths.merge(other.widths, uniquingKeysWith: max)
        narrowWidths.merge(other.narrowWidths, uniquingKeysWith: max)
        if rowCount == 0 { empty = other.empty } else if other.rowCount > 0 { empty.formIntersection(other.empty) }
        rowCount += other.rowCount
    }
}

/// The markets pane's columns being measured over many markets, a slice at a time.
struct MarketMeasurePass: Sendable {
    let rows: [MarketRow]
    var next = 0
    var measure = MarketColumnMeasure()

    init(rows: [MarketRow]) { self.rows = rows }
}
