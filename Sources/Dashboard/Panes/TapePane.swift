import RiskEngine

/// Liquidations, newest first: simulated ones, and the exchange's own marked apart.
enum TapePane {
    static func render(_ model: AppModel, _ rect: Rect, focused: Bool, _ buffer: inout Buffer) {
        let log = model.log
        buffer.box(rect, title: "Liquidation tape \(log.simulatedCount) sim · \(log.exchangeCount) exch", focused: focused)
        let inner = rect.inset(1)
        guard inner.height >= 2 else { return }
        enum Entry { case simulated(LiquidationRecord), exchange(ExchangeLiquidation) }
        var entries: [(Int64, Entry)] = log.simulatedLiquidations.suffix(200).map { ($0.time, .simulated($0)) }
        entries += log.exchangeLiquidations.suffix(200).map { ($0.time, .exchange($0)) }
        entries.sort { $0.0 > $1.0 }
        let titles = ["time", "sym", "side", "qty", "bkr", "avg fill", "slip bp", "lv", "deficit", "fund after"]
        if entries.isEmpty {
            let text = inner.width >= 20 ? "no liquidations yet" : "none yet"
            buffer.put(text, x: inner.x + 1, y: inner.y, role: .dim, limit: inner.width - 1)
            return
        }
        let visible = inner.height - 1
        let top = max(0, min(model.tapeCursor - visible + 1, entries.count - visible))
        let shown = entries[top..<min(entries.count, top + visible)]
        /// A row's cells (the first three left-aligned), and what follows them (how the quantity
        /// was covered, or the exchange's report).
        func cells(_ entry: Entry) -> (cells: [String], tail: String) {
            switch entry {
            case .simulated(let record):
                let instrument = model.engine.market(record.symbol)?.instrument
                var tail = ""
                // How the quantity was covered: the book, ADL, the fund taking it over.
                if record.unfilledQuantity.isPositive { tail += " unfilled " + record.unfilledQuantity.formatted(3) }
                if record.adlQuantity.isPositive { tail += " ADL " + record.adlQuantity.formatted(3) }
                if record.fundTakeoverQuantity.isPositive { tail += " FUND " + record.fundTakeoverQuantity.formatted(3) }
                if record.isPartial { tail += " partial" }
                return ([Format.clock(record.time), model.marketNames.short(record.symbol), Format.sideMark(record.side), record.quantity.formatted(3),
                         Format.price(record.bankruptcyPrice, instrument), Format.price(record.averageFill, instrument),
                         record.slippageBps.map { $0.formatted(1) } ?? "—", "\(record.levelsConsumed)",
                         record.deficit.isZero ? "0" : Format.compact(record.deficit.approximateDouble),
                         Format.compact(record.fundAfter.approximateDouble)], tail)
            case .exchange(let liquidation):
                return ([Format.clock(liquidation.time), model.marketNames.short(liquidation.symbol), Format.sideMark(liquidation.side), liquidation.quantity.formatted(3)],
                        " EXCHANGE-REPORTED @ " + liquidation.price.formatted(2, grouping: true))
            }
        }
        let rows = shown.map { cells($0.1) }
        // Each column as wide as its widest cell; columns that do not fit whole are left out, from
        // the right (a figure is never cut).
        var widths = titles.map { DisplayWidth.of($0) }
        for row in rows { for (column, cell) in row.cells.enumerated() { widths[column] = max(widths[column], DisplayWidth.of(cell)) } }
        var columns = 0
        var used = 0
        while columns < titles.count, used + widths[columns] + (columns > 0 ? 1 : 0) <= inner.width {
            used += widths[columns] + (columns > 0 ? 1 : 0)
            columns += 1
        }
        func line(_ texts: [String]) -> String {
            (0..<min(columns, texts.count)).map { column in
                column < 3 ? Format.left(texts[column], widths[column]) : Format.right(texts[column], widths[column])
            }.joined(separator: " ")
        }
        buffer.put(line(titles), x: inner.x, y: inner.y, role: .header, limit: inner.width)
        for (offset, (entry, row)) in zip(shown, rows).enumerated() {
            let y = inner.y + 1 + offset
            let selected = focused && top + offset == model.tapeCursor
            let role: StyleRole
            switch entry.1 {
            case .simulated(let record): role = selected ? .selection : (record.deficit.isPositive ? .alert : .text)
            case .exchange: role = selected ? .selection : .exchange
            }
            let x = buffer.put(line(row.cells), x: inner.x, y: y, role: role, limit: inner.width)
            // What follows the columns: whole, or not at all.
            if columns == titles.count || row.cells.count <= columns { buffer.putWhole(row.tail, x: x, y: y, role: role, maxX: inner.maxX) }
        }
    }
}
