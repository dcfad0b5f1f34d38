import RiskEngine

/// Enter on a tape row: one liquidation as it happened — the book walk it took level by level,
/// how the quantity the book could not take was covered (ADL counterparties, the fund), the money
/// (fee, surplus or deficit, what the fund paid) and the account. Enter again opens the position.
enum LiquidationPane {
    static func render(_ model: AppModel, entry: TapeEntry, _ rect: Rect, _ buffer: inout Buffer) {
        buffer.fill(rect, role: .help)
        let inner = rect.inset(1)
        var y = inner.y
        // Sentences carry figures: they wrap between words, never cut at the edge.
        func line(_ text: String, _ role: StyleRole = .help) {
            buffer.putWrapped(text, x: inner.x + 1, y: &y, width: inner.width - 2, bottom: inner.maxY, role: role)
        }
        switch entry {
        case .exchange(let liquidation):
            let instrument = model.engine.market(liquidation.symbol)?.instrument
            buffer.box(rect, title: "Exchange-reported liquidation · \(model.marketNames.title(liquidation.symbol)) · \(model.keymap.label(for: .back)) back", focused: true)
            line(EventTime.iso8601(liquidation.time), .title)
            line("\(Format.sideMark(liquidation.side)) \(Format.quantity(liquidation.quantity, instrument)) @ \(Format.price(liquidation.price, instrument))")
            if let notional = liquidation.notional, let asset = liquidation.asset {
                line("notional \(Format.money(notional, decimals: AssetPrecision.decimals(forAsset: asset))) \(asset)")
            }
            line("Reported by the exchange: its own book walk, account and deficit are not published.", .dim)
        case .simulated(let record):
            let (title, lines) = describe(model, record: record, rows: inner.height, width: inner.width - 2)
            buffer.box(rect, title: title, focused: true)
            for (text, role) in lines { line(text, role) }
        }
    }

    /// The box's title and the lines, for `rows` lines of `width` cells.
    static func describe(_ model: AppModel, record: LiquidationRecord, rows height: Int, width: Int) -> (String, [(String, StyleRole)]) {
        var lines: [(String, StyleRole)] = []
        func line(_ text: String, _ role: StyleRole) {
            // The walk's table lines fit by construction; sentences wrap between words.
            for part in Format.wrapped(text, width) { lines.append((part, role)) }
        }
        let instrument = model.engine.market(record.symbol)?.instrument
        let asset = record.asset
        let places = AssetPrecision.decimals(forAsset: asset)
        func money(_ value: Fixed) -> String { Format.money(value, decimals: places) + " " + asset }
        func price(_ value: Fixed?) -> String { Format.price(value, instrument) }
        // Quantities as the tape and the positions show them (`4.000`, where this view read `4`).
        func quantity(_ value: Fixed) -> String { Format.quantity(value, instrument) }
        func units(_ value: Int64) -> String { quantity(Fixed(bookUnits: value)) }
        let kind = record.isPartial ? "Partial liquidation" : "Liquidation"
        let title = "\(kind) · \(SafeText.escaped(record.account)) · \(model.marketNames.title(record.symbol)) · \(model.keymap.label(for: .drillDown)) position · \(model.keymap.label(for: .back)) back"
        line("\(EventTime.iso8601(record.time)): \(Format.sideMark(record.side)) \(quantity(record.quantity)) closed, account \(SafeText.escaped(record.account))", .title)
        line("mark \(price(record.markPrice)) · liquidation price \(price(record.liquidationPrice)) · bankruptcy price \(price(record.bankruptcyPrice))", .help)

        // The walk, best level first, each fill against the bankruptcy price.
        let filled = record.filledQuantity
        var walkLine = "Book walk: \(record.levelsConsumed) level\(record.levelsConsumed == 1 ? "" : "s"), filled \(quantity(filled)) of \(quantity(record.quantity))"
        if let average = record.averageFill { walkLine += ", average \(price(average))" }
        if let worst = record.worstFillPrice { walkLine += ", worst \(price(Fixed(bookUnits: worst)))" }
        if let slippage = record.slippageBps { walkLine += ", slippage \(slippage.formatted(1)) bp" }
        line(walkLine, .help)
        let bankruptcyUnits = record.bankruptcyPrice.bookUnits
        // Beyond bankruptcy: a long is closed by selling, so a fill under its bankruptcy price loses.
        func beyond(_ fill: Fill) -> Bool { record.side == .long ? fill.price < bankruptcyUnits : fill.price > bankruptcyUnits }
        let rowsLeft = max(0, height - lines.count - 9)
        if !record.walk.isEmpty && rowsLeft >= 2 {
            var cumulative: Int64 = 0
            var rows: [[String]] = []
            var roles: [StyleRole] = []
            let shown = record.walk.prefix(rowsLeft - 1)
            for (number, fill) in shown.enumerated() {
                cumulative += fill.size
                rows.append(["\(number + 1)", price(Fixed(bookUnits: fill.price)), units(fill.size), units(cumulative),
                             beyond(fill) ? "beyond bankruptcy" : ""])
                roles.append(beyond(fill) ? .alert : .help)
            }
            let chosen = ColumnFit.fitting(walkColumns, rows: rows, width: width - 2, gap: 2)
            line("  " + ColumnFit.line(walkColumns.map(\.title), walkColumns, chosen, gap: 2), .header)
            for (row, role) in zip(rows, roles) { line("  " + ColumnFit.line(row, walkColumns, chosen, gap: 2), role) }
            let more = record.levelsConsumed - shown.count
            if more > 0 { line("  … \(Format.count(more)) more level\(more == 1 ? "" : "s") to the worst fill\(record.worstFillPrice.map { " at " + price(Fixed(bookUnits: $0)) } ?? "")", .dim) }
        } else if record.walk.isEmpty && record.pastShownLevels > 0 {
            // Earlier liquidations had eaten every level a top-of-book feed shows: the book past
            // them is not known, not empty (it read "the book had no level", the empty-book claim
            // the settlement below contradicts: operator trial).
            line("  no level the feed shows was left on the closing side (earlier liquidations had taken them)", .warn)
        } else if record.walk.isEmpty {
            line("  the book had no level on the closing side", .alert)
        }

        // What the book did not take, and who took it.
        if record.pastShownQuantity.isPositive {
            // The feed shows the top of the book only: the book beyond is not known, and fills no
            // better than the deepest level shown, where the engine settled it (a floor). Such a
            // close leaves nothing unfilled: a side that shows no price is walked as an empty one.
            line("\(quantity(record.pastShownQuantity)) lay past the \(Format.count(Int(record.pastShownLevels))) levels the feed shows: settled at the deepest level shown (at bankruptcy where that is worse), no better than the book beyond: the deficit is a floor.", .warn)
        }
        if record.unfilledQuantity.isPositive {
            line("The book could not fill \(quantity(record.unfilledQuantity)).", .alert)
        }
        // What the book had but the fund could not stand behind (ADL policy: the walk stops where
        // the fund is spent; the demo's whale read `filled 1.290 of 4.000` beside bids that went on,
        // with nothing saying why: operator trial).
        let beyondFund = record.adlQuantity - Fixed.maximum(.zero, record.unfilledQuantity - record.fundTakeoverQuantity)
        if beyondFund.isPositive {
            let fills = record.pastShownLevels > 0 ? "fills (the book's, or the settlement past the levels shown)" : "the book's fills"
            line("The fund could not stand behind \(quantity(beyondFund)) more of \(fills) (it had \(money(record.fundAfter + record.fundPaid)) before paying this one's deficit): the walk stopped there, and ADL takes the rest at the bankruptcy price.", .warn)
        }
        if record.fundTakeoverQuantity.isPositive {
            line("The insurance fund took over \(quantity(record.fundTakeoverQuantity)) at the bankruptcy price, marked to market.", .warn)
        }
        if record.adlQuantity.isPositive {
            let counterparties = model.log.adlRecords.filter { $0.forPosition == record.position && $0.time == record.time && $0.symbol == record.symbol }
            let taken = counterparties.reduce(Fixed.zero) { $0 + $1.quantity }
            line("ADL closed \(quantity(taken)) of \(quantity(record.adlQuantity)) against \(counterparties.count) profitable \(record.side.opposite.label)\(counterparties.count == 1 ? "" : "s") at \(price(record.bankruptcyPrice))"
                + (taken < record.adlQuantity ? "; \(quantity(record.adlQuantity - taken)) beyond the monitored book" : ""), .warn)
            for counterparty in counterparties.prefix(3) {
                line("  #\(counterparty.rank) \(SafeText.escaped(counterparty.account)) \(quantity(counterparty.quantity)), score \(counterparty.score.formatted(6))", .help)
            }
            if counterparties.count > 3 { line("  … \(counterparties.count - 3) more", .dim) }
        }

        // The money, as the fund saw it.
        if record.deficit.isPositive {
            line("Deficit \(money(record.deficit)): the fills lost more than the collateral; the fund paid \(money(record.fundPaid)), fund after \(money(record.fundAfter))", .alert)
        } else if record.surplusToOwner.isPositive {
            // Hyperliquid's book liquidations leave it with the trader (`leavesSurplusWithTrader`).
            line("Fee \(money(record.fee)) to the fund; \(money(record.surplusToOwner)) above bankruptcy left with the trader, as the venue does; fund after \(money(record.fundAfter))", .ok)
        } else {
            line("Fee \(money(record.fee)) and surplus \(money(record.surplus)) to the fund; fund after \(money(record.fundAfter))", .ok)
        }
        // The notional is what the book filled (the fee is charged on it): a liquidation the book
        // could not fill at all read "notional 0.00" for a position worth a thousand.
        if record.filledQuantity.isPositive {
            // The fee is the rate on the notional, but never more than the fill left above the
            // bankruptcy price: 15.97 beside 0.5 % of 4,068.12 (20.34) read as wrong (operator trial).
            let full = instrument.map { MarginMath.liquidationFee(notional: record.notional, rate: $0.liquidationFeeRate) }
            let capped = full.map { record.fee < $0 } ?? false
            line("filled notional \(money(record.notional)) · liquidation fee \(money(record.fee))"
                + (capped ? " (capped at what the close left; the rate gives \(money(full!)))" : ""), .dim)
        } else {
            line("nothing filled by the book: no traded notional, no liquidation fee", .dim)
        }
        return (title, lines)
    }

    static let walkColumns: [FitColumn] = [
        FitColumn(title: "lv", left: false, priority: 0),
        FitColumn(title: "price", left: false, priority: 0),
        FitColumn(title: "size", left: false, priority: 0),
        FitColumn(title: "cumulative", left: false, priority: 1),
        FitColumn(title: "", left: true, priority: 2),
    ]
}
