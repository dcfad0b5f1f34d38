import RiskEngine

/// Every monitored position, riskiest first (or sorted by any column), with `/` filtering.
enum PositionsPane {
    struct Column {
        var column: PositionColumn
        var title: String
        var width: Int
        /// Lower numbers stay when the pane is narrow.
        var priority: Int
    }

    static let columns: [Column] = [
        Column(column: .account, title: "account", width: 9, priority: 1),
        Column(column: .symbol, title: "symbol", width: 8, priority: 3),
        Column(column: .side, title: "side", width: 7, priority: 2),
        Column(column: .size, title: "size", width: 6, priority: 3),
        Column(column: .entry, title: "entry", width: 10, priority: 5),
        Column(column: .mark, title: "mark", width: 10, priority: 6),
        Column(column: .leverage, title: "lev", width: 5, priority: 5),
        Column(column: .bracket, title: "mmr", width: 6, priority: 7),
        Column(column: .ratio, title: "margin ratio", width: 14, priority: 0),
        Column(column: .liquidation, title: "liq price", width: 10, priority: 0),
        Column(column: .bankruptcy, title: "bkr price", width: 10, priority: 4),
        Column(column: .distance, title: "dist", width: 7, priority: 3),
        // What the book would leave if it were liquidated now: the figure this tool is for, kept
        // until only the margin ratio and the liquidation price are left.
        Column(column: .deficit, title: "deficit", width: 9, priority: 2),
        Column(column: .adl, title: "adl queue", width: 9, priority: 6),
    ]

    /// Margin ratio without its bar: what the column shrinks to before anything else goes.
    static let narrowRatioWidth = 8
    /// The ratio cell of a position past its trigger at its entry, with no mark yet.
    static let liquidatedAtEntryText = "liq at entry"
    /// The side as its arrow under the title "side".
    static let narrowSideWidth = 4
    /// A market's name shortened with "…" ("BTC-USD…"), with several markets on a narrow screen.
    static let narrowSymbolWidth = 8
    /// The narrowest an account's column gets to make room for the side's arrow.
    static let narrowAccountWidth = 7

    /// The columns that fit `width`: the highest priority numbers go first; then the margin
    /// ratio loses its bar; a column that does not fit whole is never drawn (no figure is cut).
    static func fitting(_ width: Int, widest: [PositionColumn: Int] = [:], severalMarkets: Bool = false,
                        sortedBy sorted: PositionColumn? = nil) -> [Column] {
        // Each column as wide as the widest figure it will show (a 120,774.8527 size, a
        // 61,683.2266 price), never narrower than its usual width.
        var chosen = columns.map { column -> Column in
            var column = column
            // Names (an account, a market) may be shortened; a figure never is.
            let cap = column.column == .account ? 16 : column.column == .symbol ? 22 : Int.max
            if let needed = widest[column.column] { column.width = max(column.width, min(cap, needed)) }
            // Several markets: a liquidation price must say whose market it is, before its side
            // (which the price against the mark tells) and its deficit.
            if severalMarkets && column.column == .symbol { column.priority = 1 }
            // The column the rows are sorted by stays as long as the names do: sorted by
            // leverage with the `lev` column dropped, the order read as no order, and `s`
            // lost its place in the cycle (operator trial).
            if column.column == sorted { column.priority = min(column.priority, 1) }
            return column
        }
        func total() -> Int { chosen.reduce(0, { $0 + $1.width + 1 }) }
        var dropped: [Column] = []
        let order = columns.map(\.column)
        /// Puts a column back among the chosen, in its place in the whole order.
        func insertInPlace(_ column: Column) {
            let place = order.firstIndex(of: column.column) ?? order.count
            chosen.insert(column, at: chosen.firstIndex { (order.firstIndex(of: $0.column) ?? 0) > place } ?? chosen.count)
        }
        func dropDown(to floor: Int) {
            while total() > width, let drop = chosen.indices.max(by: { chosen[$0].priority < chosen[$1].priority }), chosen[drop].priority > floor {
                dropped.append(chosen.remove(at: drop))
            }
        }
        /// With several markets, the market's name shortens (ending in "…") by what the columns
        /// are over, to no fewer than `narrowSymbolWidth` cells.
        func shortenSymbol() {
            guard severalMarkets, total() > width, let symbol = chosen.firstIndex(where: { $0.column == .symbol }) else { return }
            chosen[symbol].width = min(chosen[symbol].width, max(narrowSymbolWidth, chosen[symbol].width - (total() - width)))
        }
        // The side gives up its word for its arrow before any figure goes (at 120 columns a
        // replay's 8-decimal sizes pushed it out, and the deficit with it; operator trial).
        if total() > width, let side = chosen.firstIndex(where: { $0.column == .side }) {
            chosen[side].width = narrowSideWidth
        }
        // The columns less wanted than the size go; then a long market name shortens before the
        // size, the distance and the rest of priority 3 go (at 120 columns `UNI-USD-SWAP` whole
        // cost the size, the quantity that decides what the book must take, while `lev` came
        // back in the room left: operator trial).
        dropDown(to: 3)
        shortenSymbol()
        dropDown(to: 2)
        if total() > width, let ratio = chosen.firstIndex(where: { $0.column == .ratio }) {
            chosen[ratio].width = narrowRatioWidth
            chosen[ratio].title = "ratio"
        }
        // Then the market's name shortens (a name, ending in "…") before it goes.
        shortenSymbol()
        // The side and the deficit go first; then, before a name that tells the rows apart goes,
        // a long account name shortens (ending in `…`): at 80×24 with two markets a 16-cell name
        // went whole, the side and the deficit came back in its room, and thirty rows read
        // `BTCUSDT ▲ 50.0% 59,759.04` alike (attacker trial).
        dropDown(to: 1)
        if total() > width, let account = chosen.firstIndex(where: { $0.column == .account }), chosen[account].width > narrowAccountWidth {
            chosen[account].width = max(narrowAccountWidth, chosen[account].width - (total() - width))
        }
        dropDown(to: 0)
        while total() > width, !chosen.isEmpty { chosen.removeFirst() }
        // The sorted column never in the deficit's place, the figure this tool is for: sorted by
        // side at 80×24 the side's arrows took the deficit's room (operator trial). Of the two,
        // the deficit stays where it fits in the sorted column's room.
        if let sorted, sorted != .deficit, !chosen.contains(where: { $0.column == .deficit }),
           let at = chosen.firstIndex(where: { $0.column == sorted }), ![.ratio, .liquidation, .account, .symbol].contains(chosen[at].column),
           let deficit = dropped.first(where: { $0.column == .deficit }), total() - chosen[at].width + deficit.width <= width {
            dropped.append(chosen.remove(at: at))
            dropped.removeAll { $0.column == .deficit }
            insertInPlace(deficit)
        }
        // Room left once a wide column went (the ratio narrowed, the side to its arrow): a column
        // dropped before that fits now comes back, the most wanted first, in its place (at 110
        // columns the distance went while its room was left blank; operator trial).
        for column in dropped.reversed() where total() + column.width + 1 <= width { insertInPlace(column) }
        // Room left once the others went: the side's word back.
        if let side = chosen.firstIndex(where: { $0.column == .side }), let usual = columns.first(where: { $0.column == .side })?.width,
           chosen[side].width < usual, total() + usual - chosen[side].width <= width {
            chosen[side].width = usual
        }
        // The side dropped: its arrow alone, in a column of one cell under no title, where the
        // deficit's column, narrowed to its title and figures, leaves room (at 80×24 a short read
        // as a long: its liquidation price above the mark was all that told them apart; operator
        // trials).
        if !chosen.contains(where: { $0.column == .side }), let sideColumn = columns.first(where: { $0.column == .side }) {
            if total() + 2 > width, let deficit = chosen.firstIndex(where: { $0.column == .deficit }) {
                let narrowest = max(DisplayWidth.of(chosen[deficit].title), widest[.deficit] ?? 0)
                chosen[deficit].width = max(narrowest, chosen[deficit].width - (total() + 2 - width))
            }
            // Else the account's name gives the two cells, ending in `…` (at 80×24 with several
            // markets no deficit column was there to narrow, and no position said its side:
            // operator trial).
            if total() + 2 > width, let account = chosen.firstIndex(where: { $0.column == .account }),
               chosen[account].width - (total() + 2 - width) >= narrowAccountWidth {
                chosen[account].width -= total() + 2 - width
            }
            if total() + 2 <= width {
                var arrow = sideColumn
                arrow.width = 1
                arrow.title = ""
                let place = order.firstIndex(of: .side) ?? order.count
                let at = chosen.firstIndex { (order.firstIndex(of: $0.column) ?? 0) > place } ?? chosen.count
                chosen.insert(arrow, at: at)
            }
        }
        return chosen
    }

    /// Whether a market whose book is outdated holds open positions, read in place, a flag a market
    /// (a copy of each of 10,000 markets a frame: review).
    static func outdatedBookHoldsOpenPositions(_ model: AppModel) -> Bool {
        for index in 0..<model.engine.markets.count where model.engine.markets[index].bookOutdated {
            if (model.table.openBySymbol[model.engine.markets[index].symbol] ?? 0) > 0 { return true }
        }
        return false
    }

    static func render(_ model: AppModel, _ rect: Rect, focused: Bool, _ buffer: inout Buffer) {
        let rows = model.visibleRows
        let direction = SortLabel.words(risk: model.sortColumn == .risk, text: [.account, .symbol, .side].contains(model.sortColumn),
            descending: model.sortDescending)
        // Of several markets `size` sorts by value, and says so.
        let sortName = model.sortColumn == .size && model.showsMarkets ? "size by value" : model.sortColumn.rawValue
        var title = "Positions \(Format.count(rows.count))/\(Format.count(model.table.rows.count)) · sort \(sortName) \(direction)"
        if model.table.windowed {
            // A million rows are not a table: the first thousand by the window's key, out of all.
            var key = model.table.windowColumn == model.sortColumn ? "" : " by \(model.table.windowColumn.rawValue)"
            // The risk order puts the positions of ended or outdated books after every live one:
            // a margin-ratio sort of its window left out a 76.6 % position of an ended market,
            // the title saying nothing (operator trial).
            if model.table.windowColumn == .risk && model.table.windowColumn != model.sortColumn, outdatedBookHoldsOpenPositions(model) {
                key += ", live books first,"
            }
            // Chosen for a filter, the count is of the positions it matched, not all monitored.
            let matching = model.table.windowFilter.isEmpty ? "" : " matching"
            title = "Positions: first \(Format.count(rows.count))\(key) of \(Format.count(model.table.matchingPositions))\(matching) · sort \(sortName) \(direction)"
            if model.pendingWindowChoice { title += " · choosing…" }
        }
        let filter = model.filter.isEmpty ? "" : " · filter '\(model.filter)'"
        var flags = model.status.operatorDataStale ? " · STALE" : ""
        if model.table.windowed {
            // In a cascade at a million positions the window's thousand riskiest are liquidated
            // within a second of being chosen, faster than it is chosen again: the title says how
            // many of the rows have closed since (they are listed after the open ones), so a
            // window of closed rows is not read as the book's riskiest open positions.
            let closed = rows.reduce(0) { count, row in count + (PositionTable.isOpen(row, in: model.engine) ? 0 : 1) }
            if closed > 0 { flags += " · \(Format.count(closed)) closed since chosen" }
        }
        // Narrower, the title loses words, never the order's direction, the filter or the flags
        // (STALE, rows closed since chosen): a cut "sort margin rat" told neither the column nor
        // the direction.
        let order = model.sortColumn == .risk ? direction : "\(model.sortColumn.rawValue) \(direction)"
        let filtered = filter.isEmpty ? "" : " · filtered"
        var narrower = ["Positions \(Format.count(rows.count))/\(Format.count(model.table.rows.count)) · \(order)" + filter + flags,
            "Positions \(Format.count(rows.count)) · \(order)" + filter + flags]
        if model.table.windowed {
            // A window's narrower titles keep "of all" (at 80 columns "1000/1000" read as a
            // thousand positions monitored, out of a million).
            let all = model.table.matchingPositions
            let shown = Format.count(rows.count)
            narrower = ["Positions \(shown) of \(Format.count(all)) · \(order)" + filter + flags,
                "\(shown) of \(Format.count(all)) · \(order)" + filter + flags,
                "\(shown) of \(Format.count(all)) · \(order)" + filtered + flags,
                "\(shown) of ≈\(Format.compact(Double(all))) · \(order)" + filtered + flags]
        }
        // Where the cursor is, when it is not on the first row and the whole title has room for it:
        // after a jump in time the cursor stays on its position, wherever it now ranks, and the
        // rows on screen looked like the top of the list (an operator's trial).
        var place = " · row \(Format.count(model.cursor + 1))"
        if !(focused && model.cursor > 0 && !rows.isEmpty && Buffer.titleFits(title + filter + flags + place, width: rect.width)) { place = "" }
        let inner = rect.inset(1)
        // The rows on screen, drawn from the engine as it is now (the table gives only the order),
        // and the columns that fit them.
        let (live, range, chosen) = inner.height >= 2 ? visibleColumns(model, inner: inner) : ([], 0..<0, [])
        // Each row's deficit is its liquidation's alone, now: where the title has room it says so
        // (in a cascade every row read 0 while together the rows emptied the book, read as
        // covered: operator trial; the stressed deficit is the figure of them together).
        let alone = chosen.contains { $0.column == .deficit } ? [title + filter + flags + place + " · deficit: each alone"] : []
        title = Buffer.fittingTitle(alone + [title + filter + flags + place] + narrower + ["Positions · \(order)" + filtered + flags,
            order + filtered + flags], width: rect.width)
        buffer.box(rect, title: title, focused: focused)
        guard inner.height >= 2 else { return }
        var x = inner.x
        for column in chosen {
            let text = column.column == .account || column.column == .symbol || column.column == .side
                ? Format.left(column.title, column.width) : Format.right(column.title, column.width)
            x = buffer.put(text + " ", x: x, y: inner.y, role: column.column == model.sortColumn ? .title : .header)
        }
        if rows.isEmpty {
            // While a windowed table is chosen again for the filter, the window on screen is the
            // old one: that none of it matches says nothing about the positions.
            // A window chosen for a filter that matched nothing is empty too: the positions
            // monitored say which (it said "no monitored positions" of 9,969: operator trial).
            let noneMonitored = model.table.windowed ? model.table.openPositions == 0 && model.table.windowFilter.isEmpty
                : model.table.rows.isEmpty
            // None open, some placed: they closed (after a cascade the pane said "no monitored
            // positions" beside a tape of thirty liquidations: attacker trial).
            let placed = model.engine.positions.count
            // Said only of a table chosen from all of them (one being chosen in slices is empty
            // until done: review).
            let chosenFromAll = !model.table.isRebuilding && model.table.builtPlaced == placed
            let empty = model.pendingWindowChoice || (placed > 0 && !chosenFromAll) ? "choosing the positions that match…"
                : noneMonitored ? (placed > 0 && model.filter.isEmpty ? "no open position: all \(Format.count(placed)) monitored have closed" : "no monitored positions")
                : "no position matches the filter"
            buffer.put(empty, x: inner.x + 1, y: inner.y + 1, role: .dim)
            return
        }
        let places = sizePlaces(live, model.engine)
        TableRows.draw(count: rows.count, cursor: model.cursor, in: inner, focused: focused, &buffer) { index, y, selected, buffer in
            let row = live[index - range.lowerBound]
            let market = model.engine.market(row.symbol)
            let instrument = market?.instrument
            // A position on a book that stopped changing long ago (its recording ended, its stream
            // went quiet) is drawn dim: its figures are frozen, and in a replay of recordings
            // years apart 2021 positions stood first beside 2024's live ones (operator trial).
            let frozen = market?.bookOutdated == true
            var x = inner.x
            for column in chosen {
                let (text, role) = cell(row, column.column, instrument: instrument, names: model.marketNames, width: column.width,
                    sizeDecimals: places[row.symbol])
                x = buffer.put(text + " ", x: x, y: y, role: selected ? .selection : frozen ? .dim : role)
            }
        }
    }

    /// The rows on screen (from the engine as it is now), their range in the view, and the columns
    /// that fit them: what the pane draws, and what `s` may sort by.
    static func visibleColumns(_ model: AppModel, inner: Rect) -> (rows: [PositionRow], range: Range<Int>, columns: [Column]) {
        let rows = model.visibleRows
        let range = TableRows.visibleRange(count: rows.count, cursor: model.cursor, in: inner)
        let live = range.map { PositionTable.row(of: rows[$0].index, in: model.engine, adl: rows[$0].adl) }
        var widest: [PositionColumn: Int] = [:]
        let places = sizePlaces(live, model.engine)
        for row in live {
            let instrument = model.engine.market(row.symbol)?.instrument
            for column in columns where column.column != .ratio && column.column != .risk {
                let text = cellText(row, column.column, instrument: instrument, names: model.marketNames, sizeDecimals: places[row.symbol])
                widest[column.column] = max(widest[column.column] ?? 0, DisplayWidth.of(text))
            }
        }
        return (live, range, fitting(inner.width, widest: widest, severalMarkets: model.showsMarkets,
                                      sortedBy: model.sortColumn))
    }

    /// A cell's text before it is padded to its column (what the column must be wide enough for).
    /// Read from the unpadded content: padding every visible cell to 500 columns and trimming it
    /// again cost most of a frame (13 ms at 200×60).
    static func cellText(_ row: PositionRow, _ column: PositionColumn, instrument: Instrument?, names: MarketNames, sizeDecimals: Int? = nil) -> String {
        content(row, column, instrument: instrument, names: names, sizeDecimals: sizeDecimals).text.trimmingLeadingAndTrailingSpaces
    }

    /// The places the size column gives each market's rows on screen: as many as the one that
    /// needs the most (each row its own, Hyperliquid's `0.03452`, `0.0029` and `0.00111` stood
    /// with their points out of line: operator trial).
    static func sizePlaces(_ rows: [PositionRow], _ engine: Engine) -> [String: Int] {
        var places: [String: Int] = [:]
        for row in rows {
            let own = Format.columnDecimals([row.quantity.bookUnits], instrument: engine.market(row.symbol)?.instrument.sizeDecimals ?? 3)
            places[row.symbol] = max(places[row.symbol] ?? 0, own)
        }
        return places
    }

    static func cell(_ row: PositionRow, _ column: PositionColumn, instrument: Instrument?, names: MarketNames, width: Int,
                     sizeDecimals: Int? = nil) -> (String, StyleRole) {
        let (text, role) = content(row, column, instrument: instrument, names: names, sizeDecimals: sizeDecimals)
        switch column {
        // Names too long for the column are shortened with "…", never run into the next column:
        // an account keeps both ends (`Format.middleName`), a market its start.
        case .account: return (Format.middleName(text, width), role)
        case .symbol: return (Format.marketName(text, width), role)
        // Narrowed to its arrow (`narrowSideWidth`): ▲ or ▼ alone, as the tape does at 80 columns.
        case .side: return (Format.left(width < DisplayWidth.of(text) ? String(text.prefix(1)) : text, width), role)
        // The bar only beside a figure it leaves whole room for.
        case .ratio where !row.quantity.isZero && row.mark != nil && width > narrowRatioWidth && DisplayWidth.of(text) <= width - 6:
            let bar = Format.left(Format.bar(row.ratio ?? 1, width: 5), 5)
            return (Format.right(text, width - 6) + " " + bar, role)
        // Never cut to `at entry`, which says nothing of a liquidation.
        case .ratio where text == liquidatedAtEntryText && width < DisplayWidth.of(text):
            return (Format.right(width >= 9 ? "liq@entry" : "liq@open", width), role)
        case .risk: return ("", .text)
        default: return (Format.right(text, width), role)
        }
    }

    /// A cell's figure or name and its style, before it is fitted to its column.
    static func content(_ row: PositionRow, _ column: PositionColumn, instrument: Instrument?, names: MarketNames,
                        sizeDecimals: Int? = nil) -> (text: String, role: StyleRole) {
        switch column {
        case .account: return (SafeText.escaped(row.account), .text)
        case .symbol: return (names.short(row.symbol), .text)
        case .side: return (Format.sideMark(row.side), row.side == .long ? .positive : .negative)
        // Every digit the size has, never rounded, grouped as the tape and the ladder group it.
        case .size: return (sizeDecimals.map { row.quantity.formatted($0, grouping: true) } ?? Format.quantity(row.quantity, instrument), .text)
        case .entry: return (Format.price(row.entry, instrument), .text)
        // Every digit it has: the ratio is worked from it (SUSHI's 7.6115 read 7.612 beside a
        // ratio of 96.8 %, which 7.612 makes 98.4 %: operator trial).
        case .mark: return (Format.exactPrice(row.mark, instrument), .dim)
        case .leverage: return (row.leverage.isZero ? "—" : row.leverage.formatted(0) + "x", .text)
        case .bracket: return ((row.bracketRate * Fixed(100)).formatted(2) + "%", .dim)
        case .ratio:
            // Closed since the table's order was chosen (liquidated, or closed by its account).
            if row.quantity.isZero { return ("closed", .dim) }
            // No price yet: a ratio at the entry price would look like a reading.
            // Past its trigger at its entry: the first mark liquidates it (`no mark` said nothing).
            if row.mark == nil {
                return PositionRisk.liquidatesAtEntry(side: row.side, entry: row.entry, liquidation: row.liquidation, pastAtEveryPrice: row.pastAtEveryPrice)
                    ? (liquidatedAtEntryText, .alert) : ("no mark", .dim)
            }
            return (row.ratioExact.map { Format.marginRatio($0) } ?? "BANKRUPT", StyleRole.level(row.marginLevel))
        // Past it at every price: "—" read as a position that cannot be liquidated.
        case .liquidation: return row.pastAtEveryPrice ? ("any", .alert) : (Format.price(row.liquidation, instrument), .liquidationMarker)
        case .bankruptcy: return (Format.price(row.bankruptcy, instrument), .dim)
        case .distance:
            // Past its trigger at every price: "—" in the ok colour read as safe (review).
            if row.pastAtEveryPrice { return ("past", .alert) }
            let role: StyleRole = row.distanceLevel == .ok ? .text : .level(row.distanceLevel)
            return (Format.distance(row.distancePercent), role)
        case .deficit:
            // As the tape marks a liquidation the book could not take: "ADL" (or "FUND") where
            // none of it would be a deficit, "1.2k +ADL" beside one; "0" read as a close the book
            // would absorb all through a cascade that had emptied it.
            if row.noBookYet { return ("—", .dim) }
            if row.liquidationWaits { return ("waits", .warn) }
            let amount = row.deficitNow.isZero ? "0" : Format.compactMoney(row.deficitNow, asset: instrument?.settlementAsset ?? "USDT")
            // Past the levels a top-of-book feed shows: not unfillable, the deficit is a floor.
            if row.unfilledPastShown { return ("≥" + amount, .warn) }
            let cover = row.unfilledNow > 0 ? (row.unfilledToADL ? "ADL" : "FUND") : nil
            return (TapePane.withCover(amount: amount, deficitIsZero: row.deficitNow.isZero, cover: cover),
                    row.deficitNow.isZero && cover == nil ? .dim : .alert)
        case .adl:
            // The 1–5 lights exchanges show, and the score they rank by (negative under BitMEX's
            // ranking for a losing position: it is shown as it is, not as zero).
            let text = row.adl.map { Format.lights($0.lights) + " " + Format.score($0.score) } ?? "—"
            return (text, (row.adl?.lights ?? 0) >= 4 ? .warn : .dim)
        case .risk: return ("", .text)
        }
    }
}

extension String {
    var trimmingLeadingAndTrailingSpaces: String {
        var text = Substring(self)
        while text.first == " " { text.removeFirst() }
        while text.last == " " { text.removeLast() }
        return String(text)
    }
}
