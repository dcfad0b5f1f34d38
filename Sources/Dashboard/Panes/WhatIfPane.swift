import RiskEngine

/// `x`: the projection of a mark shock, liquidations in trigger order compounding through the book.
enum WhatIfPane {
    /// Returns how many rows the list of liquidations has on screen: a page for PgUp/PgDn.
    @discardableResult
    static func render(_ model: AppModel, result: StressResult, ladder: [StressResult], _ rect: Rect, _ buffer: inout Buffer) -> Int {
        buffer.fill(rect, role: .help)
        let percent = (result.shockPercent.isNegative ? "" : "+") + result.shockPercent.description
        buffer.box(rect, title: "What-if \(model.marketNames.title(result.symbol)) \(percent)% · \(model.keymap.label(for: .back)) back", focused: true)
        let inner = rect.inset(1)
        let instrument = model.engine.market(result.symbol)?.instrument
        var y = inner.y
        func line(_ text: String, _ role: StyleRole = .help) {
            guard y < inner.maxY else { return }
            buffer.put(text, x: inner.x + 1, y: y, role: role, limit: inner.width - 2)
            y += 1
        }
        /// The first of `forms` that fits whole (a figure is never cut: at 80 columns the ADL
        /// line lost its notional's last digits and its asset), else the last.
        func line(_ forms: [String], _ role: StyleRole) {
            line(forms.first { DisplayWidth.of($0) <= inner.width - 2 } ?? forms.last ?? "", role)
        }
        let unit = instrument.map { " " + $0.quantityUnit } ?? ""
        // At the market's lot, as its sizes are shown.
        func quantityText(_ quantity: Fixed) -> String { instrument?.quantityText(quantity) ?? quantity.quantityText(unit: unit) }
        // Money in its asset's places (a coin-margined market's deficit of 0.0028 BTC read 0.00).
        let places = AssetPrecision.decimals(forAsset: result.asset)
        func money(_ value: Fixed) -> String { Format.money(value, decimals: places) }
        // Positions hit: those liquidated and those ADL closed against them.
        let counts = "\(Format.count(result.liquidationCount)) liquidation\(result.liquidationCount == 1 ? "" : "s"), "
            + "\(Format.count(result.positionsHit)) position\(result.positionsHit == 1 ? "" : "s")"
        // Every digit the mark has: a mark off the tick (Bybit's XRPUSDT at 1.95375) read 1.9538
        // here beside the ladder and the reports' 1.95375 (operator trial).
        let mark = "Mark \(Format.exactPrice(result.markBefore, instrument)) → \(Format.exactPrice(result.markAfter, instrument))"
        // Shorter, never "hit" (the README's word for what the first form replaced: operator trial).
        line([mark + ": " + counts + " liquidated or deleveraged", mark + ": " + counts + " liq./ADL", mark + ": " + counts, counts], .title)
        if let block = result.blocked, !result.crossesTrigger {
            // Nothing crossed at this shock: the figures below are the shock's (nothing to
            // liquidate), and the block is said as what it would do to one that crossed.
            line(["No trigger crossed at this shock; \(block.message), so one that crossed would not be liquidated",
                  "No trigger crossed; \(block.message)", "None crossed; \(block.message)"], .warn)
        } else if let block = result.blocked {
            let why: String
            switch block {
            case .noBook: why = "the book has never had a snapshot"
            case .staleBook: why = "the book has been stale since a gap or a refused snapshot"
            case .outdatedBook: why = "the book has not changed for longer than the engine trusts"
            case .disputedMark: why = "the book refused a snapshot tenfold from the mark, and liquidations wait for the next mark"
            case .outdatedMark: why = "the mark has not been given for longer than the engine trusts, and liquidations wait for the next"
            case .noMark: why = "a cross account's leg in another market has no mark yet, and its liquidations wait for that market's first"
            }
            // Whole or shorter, never cut: at 80 columns "nothing below is projected" was the part lost.
            line(["Triggers crossed but \(block.message): \(why); nothing below is projected",
                  "Not projected: triggers crossed but \(block.message): \(why)",
                  "Not projected: triggers crossed but \(block.message)", "Not projected: \(block.message)"], .alert)
            // No figures: "Total deficit 0.00" and "No ADL" beside it read as a shock the market
            // absorbs, while the signals said ADL was near (operator trial). Unless the shock
            // liquidated elsewhere (a cross account's leg in another market, into its trusted
            // book): those figures are real, and shown below the line (review).
            if result.liquidationCount == 0 && result.adlCloseCount == 0 {
                line(["Nothing is liquidated into a book the engine does not trust: no deficit, fund or ADL figure for this shock",
                      "No deficit, fund or ADL figure: nothing is liquidated into this book", "No figures for this shock"], .dim)
                return 1
            }
        }
        // Crossed at the shocked mark but waiting for a cross leg's mark elsewhere: not projected,
        // and said before any figure (`0 liquidations … No ADL` beside bankrupt positions and a
        // signals pane at ALERT: operator trial).
        if result.waitingOnLegs > 0, let leg = result.waitingLeg {
            let count = "\(Format.count(result.waitingOnLegs)) position\(result.waitingOnLegs == 1 ? "" : "s")"
            let name = model.marketNames.short(leg.symbol)
            let short = leg.block == .noMark ? "no mark" : "mark " + (leg.block == .disputedMark ? "disputed" : "outdated")
            line(["\(count) crossed but not projected: \(result.waitingOnLegs == 1 ? "it waits" : "they wait") for a cross leg's \(leg.block.legMark) (\(name)), as the engine does",
                  "\(count) crossed, not projected: waiting for \(name)'s \(leg.block.legMark)", "\(count) wait (\(name) \(short))", "\(count) wait"], .alert)
        }
        // No position to liquidate: `0 liquidations`, `Total deficit 0.00` and `No ADL` read as a
        // book that absorbs a 99.99 % fall (a jump before the demo's first events: operator trial).
        if result.liquidationCount == 0 && result.adlCloseCount == 0, model.engine.market(result.symbol)?.positionCount == 0 {
            line(["No monitored position in this market yet: nothing to liquidate, so no deficit, fund or ADL figure for this shock",
                  "No monitored position here yet: nothing to liquidate", "No monitored position yet"], .warn)
            return 1
        }
        line("Total deficit \(money(result.totalDeficit)) \(result.asset) · fund \(money(result.fundBefore)) → \(money(result.fundAfter))", result.totalDeficit.isPositive ? .alert : .help)
        // What the fund holds (taken over) loses at the shocked mark: its balance alone read
        // solvent while it held a position under water (attacker trial).
        if result.fundHolds {
            let held = (result.fundHoldingsPnL.isPositive ? "+" : "") + money(result.fundHoldingsPnL)
            line(["What the fund took over: unrealised \(held) at this mark, equity \(money(result.fundEquityAfter)) \(result.asset)",
                  "Fund's takeovers \(held): equity \(money(result.fundEquityAfter))", "Takeovers \(held)"],
                result.fundHoldingsPnL.isNegative ? .alert : .help)
        }
        // Past the levels a top-of-book feed shows the book is not known, and fills no better than
        // its deepest level shown, where the engine settles it: the deficit is a floor (at the
        // bankruptcy price, sent to ADL, it cost the fund nothing, and a shock whose quantity there
        // was bankrupt far above those levels read as one the fund survives: operator trial).
        if result.pastShownQuantity.isPositive {
            let past = quantityText(result.pastShownQuantity) + unit
            let levels = result.shownLevels
            line(["\(past) lies past the \(levels) levels the feed shows: settled no better than the deepest of them or bankruptcy (a floor)",
                  "\(past) past the \(levels) levels shown: settled no better than the deepest (a floor)", "\(past) past the levels shown (a floor)"], .warn)
        }
        if result.unfilledQuantity.isPositive {
            let unfilled = quantityText(result.unfilledQuantity) + unit
            let takeover = quantityText(result.fundTakeoverQuantity) + unit
            let destination = result.fundTakeoverQuantity.isPositive ? "the fund takes over \(takeover)" : "it goes to ADL"
            let shortDestination = result.fundTakeoverQuantity.isPositive ? "fund \(takeover)" : "ADL"
            line(["The book cannot fill \(unfilled): \(destination)", "Unfillable \(unfilled) → \(shortDestination)"], .alert)
            // The side the shock closes into is empty now: the fund's figure holds only while no
            // maker comes back below bankruptcy (`fund 8,000.00 → 8,000.00` at 23:56:16 of the
            // demo read as safe, nine seconds before the refilled book drained it: operator trial).
            if let book = model.engine.market(result.symbol)?.book, book.hasSnapshot,
               result.shockPercent.isNegative ? book.bestBid == nil : book.bestAsk == nil {
                // Longs sell into bids, a loss below their bankruptcy prices; shorts buy back from
                // asks, a loss above theirs (review).
                let (side, edge) = result.shockPercent.isNegative ? ("bids", "below") : ("asks", "above")
                line(["The \(side) are empty now: the fund's figure holds only while none come back \(edge) bankruptcy, where each fill is a deficit",
                      // Conditional in every form: `refilled below bankruptcy, each fill is a
                      // deficit` above `Total deficit 0.00` read as a contradiction (operator trial).
                      "The \(side) are empty now: if they refill \(edge) bankruptcy, each fill will be a deficit",
                      "\(side.capitalized) empty: refills \(edge) bankruptcy would cost the fund"], .warn)
            }
        }
        let adlQuantity = quantityText(result.adlQuantity) + unit
        // The closes and their notional count every market's (a cross account's leg elsewhere
        // too): said so where another market's quantity went unfilled (review).
        let elsewhere = !result.otherMarketsUnfilled.isEmpty
        // How many positions those closes cut: a position is cut once for each liquidation it
        // covers, and `715 monitored closes` beside `321 liquidations, 719 positions` did not add
        // up (operator trial: 398 positions, cut 715 times).
        let cut = result.positionsDeleveraged
        let closes = (cut > 0 && cut <= result.adlCloseCount
            ? "\(Format.count(result.adlCloseCount)) close\(result.adlCloseCount == 1 ? "" : "s") of \(Format.count(cut)) monitored position\(cut == 1 ? "" : "s")"
            : "\(Format.count(result.adlCloseCount)) monitored close\(result.adlCloseCount == 1 ? "" : "s")") + (elsewhere ? " in all markets" : "")
        let adlForms = result.adlQuantity.isPositive
            ? ["ADL would follow for \(adlQuantity): \(closes) (\(money(result.adlNotional)) \(result.asset))",
               "ADL would follow for \(adlQuantity): \(closes)", "ADL for \(adlQuantity): \(closes)", "ADL \(adlQuantity)"]
            : elsewhere ? ["No ADL in this market: \(closes) (see below)", "No ADL in this market"]
            : result.waitingOnLegs > 0 ? ["No ADL projected: the waiting positions are not counted", "No ADL projected (waiting not counted)", "No ADL projected"]
            : [result.liquidationCount == 0 ? "No ADL" : "No ADL: the book and the fund cover the projected liquidations", "No ADL"]
        // Part of the ADL quantity, not more of it: `and 64.959 BTC beyond the monitored book`
        // under `ADL would follow for 174.834 BTC` read as either (operator trial).
        let beyond = result.adlUnfilled.isPositive ? "\(quantityText(result.adlUnfilled))\(unit) of it beyond the monitored book" : ""
        // On one line where it fits, else on a line of its own: at 80 columns the figure beyond
        // the monitored book was cut off after a comma.
        if beyond.isEmpty || DisplayWidth.of(adlForms[0] + ", " + beyond) <= inner.width - 2 {
            line(beyond.isEmpty ? adlForms : [adlForms[0] + ", " + beyond],
                result.adlQuantity.isPositive || elsewhere ? .alert : result.waitingOnLegs > 0 ? .warn : .ok)
        } else {
            line(adlForms, .alert)
            line(["  " + beyond, "  " + beyond.replacingOccurrences(of: " the monitored book", with: "")], .alert)
        }
        // Cross accounts' legs in other markets the shock liquidated, with quantity their books
        // could not fill: named, their quantities in their own units (summed into this market's,
        // 0.99 BTC read as 0.99 XYZ: attacker trial).
        if !result.otherMarketsUnfilled.isEmpty {
            let names = result.otherMarketsUnfilled.sorted().map { model.marketNames.short($0) }.joined(separator: ", ")
            line(["And unfillable quantity in \(names) (cross accounts' legs there; see the list)", "Also unfillable: \(names)"], .alert)
        }
        if result.socialisedLoss.isPositive { line("Socialised loss \(money(result.socialisedLoss))", .alert) }
        // The standard ladder of shocks for this market, beside the typed one.
        if !ladder.isEmpty && y + 3 < inner.maxY {
            y += 1
            // At most half the rows left, so the list of liquidations keeps room on a small screen.
            var room = max(0, min(inner.maxY - 5 - y, (inner.maxY - y) / 2 - 1))
            // Shocks left out are named on a line of their own (at 80×24 the upward half of the
            // ladder went without a word).
            if room < ladder.count { room = max(0, room - 1) }
            let steps = ladder.prefix(room)
            func shock(_ step: StressResult) -> String { (step.shockPercent.isNegative ? "" : "+") + step.shockPercent.description + "%" }
            // A fund holding positions taken over: its equity at each shocked mark, not its
            // balance alone (which read the same at every shock, attacker trial).
            let holds = steps.contains { $0.fundHolds }
            // One precision down the ADL column (rows of 4 and 5 places read unlike).
            let adlColumn = instrument?.quantityColumn(steps.map(\.adlQuantity)) ?? steps.map { quantityText($0.adlQuantity) }
            let rows = steps.enumerated().map { row, step -> [String] in
                [shock(step), Format.count(step.liquidationCount),
                 ladderDeficitCell(step, places: places), adlColumn[row],
                 money(holds ? step.fundEquityAfter : step.fundAfter),
                 // Past the levels a top-of-book feed shows: the row's figures are floors. Positions
                 // waiting for a cross leg's mark are not in them (every row read `0 0.00` beside
                 // 206 bankrupt positions: operator trial).
                 step.blocked != nil ? "blocked" : step.waitingOnLegs > 0 ? "\(Format.count(step.waitingOnLegs)) wait, not counted"
                    : step.pastShownQuantity.isPositive ? "floor: past shown levels" : ""]
            }
            var columns = ladderColumns
            if holds { columns[4].title = "fund equity" }
            let chosen = ColumnFit.fitting(columns, rows: rows, width: inner.width - 2, gap: 3)
            line(ColumnFit.line(columns.map(\.title), columns, chosen, gap: 3), .header)
            for (row, step) in zip(rows, steps) {
                line(ColumnFit.line(row, columns, chosen, gap: 3),
                    step.adlQuantity.isPositive || step.fundTakeoverQuantity.isPositive ? .alert
                        : step.totalDeficit.isPositive || step.waitingOnLegs > 0 ? .warn : .dim)
            }
            if steps.count < ladder.count {
                let left = ladder.dropFirst(steps.count)
                let named = left.count == 1 ? shock(left.first!) : "\(shock(left.first!)) to \(shock(left.last!))"
                let worst = left.filter { $0.adlQuantity.isPositive || $0.totalDeficit.isPositive }.count
                line("… \(left.count) more shock\(left.count == 1 ? "" : "s") (\(named))\(worst > 0 ? ", \(worst) with a deficit or ADL" : "")",
                    worst > 0 ? .warn : .dim)
            }
        }
        // The projected liquidations, in trigger order: a list that scrolls (j/k, PgUp/PgDn, g/G),
        // under a line that says which of them are on screen.
        let rowsLeft = inner.maxY - y - 2
        guard rowsLeft >= 1 else { return 1 }
        let total = result.liquidations.count
        let first = max(0, min(model.whatIfScroll, total - rowsLeft))
        let shown = result.liquidations.indices.dropFirst(first).prefix(rowsLeft)
        if total > 0 {
            // The keys shorter, then gone, before a word is cut (it ended `(j/k PgUp PgDn g G s` at
            // 80 columns: operator trial).
            let which = "Liquidations in trigger order: \(Format.count(first + 1))–\(Format.count(first + shown.count)) of \(Format.count(total))"
            line(total > rowsLeft ? [which + " (j/k PgUp PgDn g G scroll)", which + " (j/k g G scroll)", which] : [which], .dim)
        } else {
            y += 1
        }
        // Laid out over every projected liquidation (`listLayout`, once a result), and over the
        // rows on screen: the columns, their widths and a market's places stay as they are while
        // scrolling (they were fitted to each page, and changed under the operator: attacker trial).
        let page = listLayout(model, result: result, numbers: Array(shown))
        var layout = model.whatIfLayout ?? page
        layout.merge(page)
        let rows = shown.map { listRow(model, result: result, number: $0, layout: layout) }
        var columns = listColumns
        // Legs of cross accounts in other markets among them: each row names its market before
        // anything but the figures (at 80×24 the column went first, and a SUSHIUSDT leg's 342.80
        // read as a close of the shocked KEEPUSDT: operator trial).
        if layout.otherMarkets {
            columns[listMarketColumn].priority = 0
            columns[listMarketColumn].cap = 10
        }
        // What ADL (or the fund) took: the book's unfilled quantity, and fills the fund could not
        // stand behind (an ADL row read a blank "unfilled" beside its `+ADL`: operator trial).
        if layout.fundTakeover { columns[listElsewhereColumn].title = "ADL+fund" }
        // Rows that sent quantity to ADL keep its column beside the deficit (at 80×24 it went
        // first, and `+ADL` said nothing of how much: attacker trial).
        if layout.takenElsewhere { columns[listElsewhereColumn].priority = 0 }
        let chosen = ColumnFit.fitting(columns, rows: rows, width: inner.width - 2, gap: 2, atLeast: layout.widths)
        line(ColumnFit.line(columns.map(\.title), columns, chosen, gap: 2), .header)
        for (row, number) in zip(rows, shown) {
            let record = result.liquidations[number]
            line(ColumnFit.line(row, columns, chosen, gap: 2), record.deficit.isPositive || takenElsewhere(record).isPositive ? .alert : .help)
        }
        if result.liquidations.isEmpty && result.blocked == nil {
            line(result.waitingOnLegs > 0 ? "No position is liquidated in the projection; those waiting are named above." : "No position would be liquidated by this shock.",
                result.waitingOnLegs > 0 ? .warn : .ok)
        }
        return rowsLeft
    }

    /// How the list of projected liquidations is laid out over the rows `numbers` (all of them
    /// for `AppModel.whatIfLayout`): each market's quantity places, which columns it needs, and
    /// each column's widest cell.
    static func listLayout(_ model: AppModel, result: StressResult, numbers: [Int]) -> WhatIfListLayout {
        var layout = WhatIfListLayout()
        // The quantities of one market in one number of places, so they line up (`0.0633` beside
        // `0.01629`: operator trial).
        for number in numbers {
            let record = result.liquidations[number]
            let needed = Format.columnDecimals([record.quantity.bookUnits, takenElsewhere(record).bookUnits],
                instrument: instrument(of: record, model: model)?.sizeDecimals ?? 3)
            layout.quantityPlaces[record.symbol] = max(layout.quantityPlaces[record.symbol] ?? 0, needed)
            if record.symbol != result.symbol { layout.otherMarkets = true }
            if record.fundTakeoverQuantity.isPositive { layout.fundTakeover = true }
            if takenElsewhere(record).isPositive { layout.takenElsewhere = true }
        }
        layout.widths = Array(repeating: 0, count: listColumns.count)
        for number in numbers {
            for (column, cell) in listRow(model, result: result, number: number, layout: layout).enumerated() {
                layout.widths[column] = max(layout.widths[column], DisplayWidth.of(cell))
            }
        }
        return layout
    }

    /// A cross account's leg in another market, in that market's decimals and unit (AKROUSDT's
    /// 0.01734 read 0.02 with BTCUSDT's two: operator trial).
    static func instrument(of record: LiquidationRecord, model: AppModel) -> Instrument? {
        model.engine.market(record.symbol)?.instrument
    }

    /// One projected liquidation's cells, in `listColumns`' order.
    static func listRow(_ model: AppModel, result: StressResult, number: Int, layout: WhatIfListLayout) -> [String] {
        let record = result.liquidations[number]
        let own = instrument(of: record, model: model)
        let quantityPlaces = layout.quantityPlaces[record.symbol] ?? 3
        let places = AssetPrecision.decimals(forAsset: result.asset)
        return [Format.count(number + 1), model.marketNames.short(record.symbol), SafeText.escaped(record.account), Format.sideMark(record.side),
                record.quantity.formatted(quantityPlaces, grouping: true), Format.price(record.liquidationPrice, own), Format.price(record.bankruptcyPrice, own),
                Format.price(record.averageFill, own), record.slippageBps.map { $0.formatted(1) } ?? "—", "\(record.levelsConsumed)",
                deficitCell(record, places: places), Format.money(record.fundAfter, decimals: places),
                takenElsewhere(record).isPositive ? takenElsewhere(record).formatted(quantityPlaces, grouping: true) : ""]
    }

    /// The quantity of a projected liquidation the book did not close for it: what it could not
    /// fill, and the fills the fund could not stand behind, taken by ADL or the fund.
    static func takenElsewhere(_ record: LiquidationRecord) -> Fixed { record.adlQuantity + record.fundTakeoverQuantity }

    /// A projected liquidation's deficit, and ADL or FUND where the book could not take it all
    /// (as on the tape: "0.00" read as absorbed).
    static func deficitCell(_ record: LiquidationRecord, places: Int = 2) -> String {
        TapePane.withCover(record, amount: Format.money(record.deficit, decimals: places))
    }

    /// A shock's deficit as the tape and the positions pane mark what the book cannot take: "ADL"
    /// (or "1,234.00 +ADL", "FUND"). With the bids gone every shock read a deficit of 0.00 and the
    /// fund untouched, the ADL column beside it the only sign (operator trial), and that column is
    /// the first to go on a narrow pane.
    static func ladderDeficitCell(_ step: StressResult, places: Int = 2) -> String {
        TapePane.withCover(amount: Format.money(step.totalDeficit, decimals: places), deficitIsZero: step.totalDeficit.isZero,
            cover: TapePane.cover(adlQuantity: step.adlQuantity, fundTakeoverQuantity: step.fundTakeoverQuantity))
    }

    static let ladderColumns: [FitColumn] = [
        FitColumn(title: "shock", left: true, priority: 0),
        FitColumn(title: "liqs", left: false, priority: 0),
        FitColumn(title: "deficit", left: false, priority: 0),
        FitColumn(title: "ADL qty", left: false, priority: 1),
        FitColumn(title: "fund after", left: false, priority: 2),
        FitColumn(title: "", left: true, priority: 3),
    ]

    static let listColumns: [FitColumn] = [
        FitColumn(title: "#", left: false, priority: 0),
        FitColumn(title: "market", left: true, priority: 3, cap: 14),
        FitColumn(title: "account", left: true, priority: 1, cap: 14),
        FitColumn(title: "side", left: true, priority: 0),
        FitColumn(title: "qty", left: false, priority: 0),
        FitColumn(title: "liq price", left: false, priority: 2),
        FitColumn(title: "bkr price", left: false, priority: 2),
        FitColumn(title: "avg fill", left: false, priority: 1),
        FitColumn(title: "slip bp", left: false, priority: 4),
        FitColumn(title: "lv", left: false, priority: 5),
        FitColumn(title: "deficit", left: false, priority: 0),
        FitColumn(title: "fund after", left: false, priority: 3),
        FitColumn(title: "to ADL", left: false, priority: 2),
    ]
    static let listMarketColumn = 1
    static let listElsewhereColumn = 12

}

/// The what-if list's layout over a set of its rows (see `WhatIfPane.listLayout`).
struct WhatIfListLayout: Sendable, Equatable {
    /// Each market's quantity places.
    var quantityPlaces: [String: Int] = [:]
    /// Legs in markets other than the shocked one; quantity the fund took over; quantity sent to
    /// ADL or the fund.
    var otherMarkets = false
    var fundTakeover = false
    var takenElsewhere = false
    /// Each column's widest cell (`WhatIfPane.listColumns`' order), titles aside.
    var widths: [Int] = []

    /// Both sets of rows: the more places, any column either needs, the wider cells.
    mutating func merge(_ other: WhatIfListLayout) {
        quantityPlaces.merge(other.quantityPlaces, uniquingKeysWith: max)
        otherMarkets = otherMarkets || other.otherMarkets
        fundTakeover = fundTakeover || other.fundTakeover
        takenElsewhere = takenElsewhere || other.takenElsewhere
        if widths.count < other.widths.count { widths += Array(repeating: 0, count: other.widths.count - widths.count) }
        for (index, width) in other.widths.enumerated() { widths[index] = max(widths[index], width) }
    }
}
