import RiskEngine

/// Asks over bids around the spread row: price, size, cumulative size and a depth bar; levels that
/// simulated liquidations consumed are marked; and the monitored positions' liquidation prices are
/// counted into the rows they fall in, because clusters of them are what the operator watches.
enum LadderPane {
    struct Row {
        var price: Int64
        var size: Int64
        var cumulative: Int64
        var consumed: Int64
        var liquidations: Int
        /// A run of rows liquidations ate to nothing, from the touch out, shown as one: the price
        /// of its far end (nil: one row), and how many rows it holds. In a cascade the eaten
        /// levels filled the bid half of the ladder with `0.000 eaten` and the live bids were off
        /// the pane (operator trial).
        var farPrice: Int64? = nil
        var eatenRows = 1

        var isEatenRun: Bool { farPrice != nil }
    }

    static func render(_ model: AppModel, _ rect: Rect, focused: Bool, _ buffer: inout Buffer) {
        let symbol = model.focusedSymbol
        let grouping = model.ladderGrouping
        // STALE outranks the grouping in a narrow title.
        // The feed's prices fall between the instrument's ticks (a wrong tick in an instrument
        // file): the rows, a tick each, and the prices shown are coarser than the book.
        let stale = model.staleTag(symbol: symbol)
        let offTick = symbol.flatMap { model.engine.market($0)?.offTickPrice } != nil
        // A side cut to the ladder's limit (`PriceLadder.levelLimit`): its far end is not known.
        let cut = symbol.flatMap { model.engine.market($0) }.map { $0.book.isCut(.bid) || $0.book.isCut(.ask) } == true
        let tags = stale + (offTick ? " · OFF TICK" : "") + (cut ? " · CUT" : "")
        let name = symbol.map(model.marketNames.title) ?? ""
        let short = symbol.map(model.marketNames.short) ?? ""
        // In a session of several venues the venue's tag stays after its name went (a stale
        // ladder at 120 columns read `Ladder BTCUSDT · STALE`, whose BTCUSDT unsaid: operator trial).
        let tagged = symbol.map(model.marketNames.compactTitle) ?? ""
        let named = tagged == short ? [short] : [tagged, short]
        // Last the stale reason goes, "STALE" stays (before the tick's warning); the venue's tag
        // goes after the reason.
        let shortest = named.flatMap { name in
            ["Ladder \(name)" + tags] + (!stale.isEmpty ? ["Ladder \(name) · STALE"] : offTick ? ["Ladder \(name) · OFF TICK"] : [])
        }
        // No market yet (a jump before the session's first event): no name and no grouping to
        // give (it read `Depth ladder  ×10 tick`: operator trial).
        let title = symbol == nil ? Buffer.fittingTitle(["Depth ladder", "Ladder"], width: rect.width)
            : Buffer.fittingTitle(["Depth ladder \(name) ×\(grouping) tick" + tags, "Depth ladder \(name)" + tags,
                "Ladder \(name)" + tags] + shortest, width: rect.width)
        buffer.box(rect, title: title, focused: focused)
        let inner = rect.inset(1)
        guard inner.height >= 4, let symbol, let market = model.engine.market(symbol) else {
            // At the end of inputs that made no market, nothing is coming: said, with why where
            // every line was malformed (`waiting for a book…` beside `■ END` read as loading:
            // operator trial).
            let status = model.status
            let text = !status.finished || symbol != nil || !model.engine.markets.isEmpty ? "waiting for a book…"
                : status.malformed > 0 ? "no market in the inputs: \(Format.count(status.malformed)) malformed line\(status.malformed == 1 ? "" : "s") (\(model.keymap.label(for: .health)): feed health)"
                : "no market in the inputs"
            for (row, line) in Format.wrapped(text, max(1, inner.width - 2)).prefix(max(1, inner.height - 1)).enumerated() {
                buffer.put(line, x: inner.x + 1, y: inner.y + 1 + row, role: .dim, limit: max(0, inner.width - 1))
            }
            return
        }
        let book = market.book
        let instrument = market.instrument
        // Every digit a row's price has (its tick's), up to eight: a coin at 0.01734 is not 0.0173.
        var decimals = min(instrument.priceDecimals, 8)
        // A feed's prices between the instrument's ticks: rows at the step of the price that fell
        // between them, with its digits (at the tick a level of 11,657.07 read `11,657.00`, a
        // price that never was: operator trial). The title still says OFF TICK.
        var baseStep = max(instrument.tickSize.bookUnits, 1)
        if let off = market.offTickPrice, off.isPositive {
            let places = BookUnits.significantDecimals(off.bookUnits)
            let fine = BookUnits.powerOfTen(BookUnits.places - places)
            if fine < baseStep {
                baseStep = fine
                decimals = max(decimals, places)
            }
        }
        if book.bids.isEmpty && book.asks.isEmpty {
            buffer.put("empty book", x: inner.x + 1, y: inner.y + 1, role: .dim)
            return
        }
        let levelsPerSide = (inner.height - 2) / 2
        // Saturated: an instrument file's tick of 10⁸ grouped by 1,000 trapped (attacker trial).
        let (product, overflow) = baseStep.multipliedReportingOverflow(by: grouping)
        let step = overflow ? Int64.max : product
        let shortLiquidations = model.table.shortLiquidations[symbol] ?? []
        let longLiquidations = model.table.longLiquidations[symbol] ?? []
        let reach = model.table.liquidationReach[symbol] ?? LiquidationReach()
        let asks = rows(book, .ask, step: step, count: levelsPerSide, liquidations: shortLiquidations, reach: reach)
        let bids = rows(book, .bid, step: step, count: levelsPerSide, liquidations: longLiquidations, reach: reach)
        let maxCumulative = max(asks.last?.cumulative ?? 1, bids.last?.cumulative ?? 1, 1)
        // Each column as wide as its widest figure (a number is never cut): what is left goes to
        // the depth bar and the markers; without room, the bar and then the cum column go first.
        let shown = asks + bids
        let sizeDecimals = Format.columnDecimals(shown.flatMap { [$0.size, $0.cumulative] }, instrument: instrument.sizeDecimals)
        // A space always parts the side's sign from the price: `−105,077.00` read as a negative
        // price (operator trial).
        let priceWidth = max(10, 1 + (shown.map { DisplayWidth.of(Format.units($0.price, decimals: decimals)) }.max() ?? 0))
        let sizeWidth = max(8, shown.map { DisplayWidth.of(Format.units($0.size, decimals: sizeDecimals)) }.max() ?? 0) + 1
        let cumWidth = max(8, shown.map { DisplayWidth.of(Format.units($0.cumulative, decimals: sizeDecimals)) }.max() ?? 0) + 1
        // Room for the markers (" eaten ◆12liq") only when a row has one.
        let markers = shown.map { ($0.consumed > 0 ? 6 : 0) + ($0.liquidations > 0 ? DisplayWidth.of(" ◆\($0.liquidations)liq") : 0) }
        let markerWidth = markers.max() ?? 0
        // A column that does not fit whole is not drawn: the cum, then the size.
        let showsSize = 1 + priceWidth + sizeWidth <= inner.width
        let showsCum = showsSize && 1 + priceWidth + sizeWidth + cumWidth <= inner.width
        let figuresWidth = 1 + priceWidth + (showsSize ? sizeWidth : 0) + (showsCum ? cumWidth : 0)
        let barWidth = max(0, inner.width - figuresWidth - 1 - markerWidth)
        var header = Format.right("price", 1 + priceWidth)
        if showsSize { header += Format.right("size", sizeWidth) }
        if showsCum { header += Format.right("cum", cumWidth) }
        // The bars' title where it fits whole, else a shorter one (`dept` was cut at 80 columns
        // beside six-digit prices).
        if barWidth > 0, let title = ["  depth", " dep", " d"].first(where: { DisplayWidth.of(header + $0) <= inner.width }) { header += title }
        buffer.put(header, x: inner.x, y: inner.y, role: .header, limit: inner.width)
        var y = inner.y + 1
        // Asks: farthest at the top, the best just above the spread row.
        for index in stride(from: levelsPerSide - 1, through: 0, by: -1) {
            if index < asks.count { asks[index].isEatenRun ? drawEatenRun(asks[index], side: .ask) : draw(asks[index], side: .ask) }
            if index == asks.count { drawEnd(.ask, asks, beyond: beyondBook(asks, .ask, liquidations: shortLiquidations, reach: reach)) }
            y += 1
        }
        // A top-of-book feed's side emptied of every level it shows: the spread is at least to
        // the deepest of them (the book past them is not known), as the signals say it.
        let pastShown = book.spreadPastShownLevels
        let spread = book.spread.map { Format.units($0, decimals: decimals) }
            ?? pastShown.map { "≥" + Format.units($0.spread, decimals: decimals) } ?? "—"
        let spreadBps = book.spreadBps.map { $0.formatted(2) } ?? pastShown?.bps.map { "≥" + $0.formatted(2) } ?? "—"
        // Every digit the mark has, at least the ladder's places: the ratios are worked from it.
        let mark = market.markPrice.map { Format.exactPrice($0, market.instrument) } ?? "—"
        let crossed = book.isCrossed ? " CROSSED" : (market.isStale ? (book.hasSnapshot ? " STALE" : " STALE: no book") : "")
        // Spread, mark, index and last side by side; a part that does not fit whole is left out
        // (the spread in bps first), so no figure is cut.
        // By importance: the spread and the mark, then the spread in bps, the index, the last.
        let parts: [(order: Int, text: String?)] = [
            // `≈`: liqwatch's proxy, not the exchange's mark (the feed has none; operator trial:
            // a proxy on the best ask of an emptied book read as the exchange's).
            (0, " spread \(spread)"), (2, market.markSource == .proxy ? " mark≈\(mark)" : " mark \(mark)"), (1, " (\(spreadBps) bps)"),
            (3, market.index.indexPrice.map { " idx " + $0.formatted(decimals, grouping: true) }),
            (4, market.lastTradePrice.map { " last " + Format.units($0, decimals: decimals) }),
        ]
        var chosen: [(order: Int, text: String)] = []
        for part in parts {
            guard let text = part.text else { continue }
            let width = chosen.reduce(0) { $0 + DisplayWidth.of($1.text) } + DisplayWidth.of(text) + DisplayWidth.of(crossed)
            if width <= inner.width { chosen.append((part.order, text)) }
        }
        let spreadRow = chosen.sorted { $0.order < $1.order }.map(\.text).joined()
        buffer.put(Format.left(spreadRow + crossed, inner.width), x: inner.x, y: y,
            role: crossed.isEmpty ? .spreadRow : .alert, limit: inner.width)
        y += 1
        for index in 0..<levelsPerSide {
            if index < bids.count { bids[index].isEatenRun ? drawEatenRun(bids[index], side: .bid) : draw(bids[index], side: .bid) }
            if index == bids.count { drawEnd(.bid, bids, beyond: beyondBook(bids, .bid, liquidations: longLiquidations, reach: reach)) }
            y += 1
        }

        func draw(_ row: Row, side: BookSide) {
            let role: StyleRole = side == .bid ? .bookBid : .bookAsk
            let marker = side == .bid ? "+" : "−"
            // A price wider than the pane is not drawn at all rather than cut.
            guard 1 + priceWidth <= inner.width else { return }
            var x = buffer.put(marker, x: inner.x, y: y, role: role)
            x = buffer.put(Format.right(Format.units(row.price, decimals: decimals), priceWidth), x: x, y: y, role: role)
            if showsSize {
                x = buffer.put(Format.right(Format.units(row.size, decimals: sizeDecimals), sizeWidth), x: x, y: y, role: row.consumed > 0 ? .consumed : .text)
            }
            if showsCum { x = buffer.put(Format.right(Format.units(row.cumulative, decimals: sizeDecimals), cumWidth), x: x, y: y, role: .dim) }
            // The gap before the bar, inside the pane only (figures that fill it leave none).
            if x < inner.maxX { x = buffer.put(" ", x: x, y: y) }
            if barWidth > 0 {
                let bar = Format.bar(Double(row.cumulative) / Double(maxCumulative), width: barWidth)
                x = buffer.put(Format.left(bar, barWidth), x: x, y: y, role: side == .bid ? .bookBidBar : .bookAskBar, limit: barWidth)
            }
            // The markers after the figures and the bar, never over them; a marker that does not
            // fit whole is left out. The liquidation count before `eaten` where both do not fit
            // (the size is drawn in the eaten colour anyway): at 120×40 grouped by 10 ticks the
            // eaten rows lost the counts of the next positions to go (operator trial).
            let cluster = row.liquidations > 0 ? DisplayWidth.of(" ◆\(row.liquidations)liq") : 0
            if row.consumed > 0 && x + 6 + cluster <= inner.maxX { x = buffer.put(" eaten", x: x, y: y, role: .consumed) }
            drawClusterMarker(row, x: x)
        }

        /// A run of eaten rows: its near price, then its far price and how many rows, in place of
        /// the size and cum columns (each form whole, or a shorter one).
        func drawEatenRun(_ row: Row, side: BookSide) {
            let role: StyleRole = side == .bid ? .bookBid : .bookAsk
            guard 1 + priceWidth <= inner.width, let far = row.farPrice else { return }
            var x = buffer.put(side == .bid ? "+" : "−", x: inner.x, y: y, role: role)
            x = buffer.put(Format.right(Format.units(row.price, decimals: decimals), priceWidth), x: x, y: y, role: role)
            let farText = Format.units(far, decimals: decimals)
            let rowsText = Format.count(row.eatenRows)
            let forms = [" to \(farText) eaten (\(rowsText) rows, nothing left)", " to \(farText) eaten (\(rowsText) rows)",
                         " to \(farText) eaten", " eaten ×\(rowsText)", " eaten"]
            // The liquidation prices in the run come before its words: below 200 columns the
            // longest form that fit left no room for `◆14liq`, the next wave's fourteen positions
            // (operator trial).
            let cluster = row.liquidations > 0 ? DisplayWidth.of(" ◆\(row.liquidations)liq") : 0
            let text = forms.first { x + DisplayWidth.of($0) + cluster <= inner.maxX } ?? forms.first { x + DisplayWidth.of($0) <= inner.maxX }
            if let text { x = buffer.put(text, x: x, y: y, role: .consumed) }
            drawClusterMarker(row, x: x)
        }

        func drawClusterMarker(_ row: Row, x: Int) {
            let cluster = " ◆\(row.liquidations)liq"
            if row.liquidations > 0 && x + DisplayWidth.of(cluster) <= inner.maxX {
                buffer.put(cluster, x: x, y: y, role: .liquidationMarker)
            }
        }

        /// Where a side's levels end before the pane does: the monitored positions whose
        /// liquidation prices lie past the book's last level (they will find nothing to fill
        /// against), which a ladder of blank rows never said.
        func drawEnd(_ side: BookSide, _ rows: [Row], beyond: Int?) {
            // Rows of levels liquidations have eaten, with nothing left, are no bids either.
            let nothingLeft = rows.allSatisfy { $0.size == 0 }
            var end = side == .bid ? (nothingLeft ? "no bids" : "bids end") : (nothingLeft ? "no asks" : "asks end")
            // A feed that shows only the top of the book stops there; the book does not end
            // (`bids end` read as an empty book past Hyperliquid's 20 levels: operator trial).
            if book.isCut(side) {
                // Cut to the ladder's limit (a flood of far levels): past it not known.
                end = "\(Format.count(side == .bid ? book.bids.count : book.asks.count)) levels kept, farther dropped"
            } else if book.endsAtShownLevels(side) {
                end = "\(book.shownLevels) level\(book.shownLevels == 1 ? "" : "s") shown, more not known"
            }
            let direction = side == .bid ? "below" : "above"
            var forms = [" \(end)"]
            if let beyond, beyond > 0 {
                let count = Format.count(beyond)
                let noun = beyond == 1 ? "liquidation" : "liquidations"
                forms = [" \(end) · \(count) \(noun) \(direction)", " \(end) · \(count) liq \(direction)", " \(end) · \(count) liq"] + forms
            }
            if book.isCut(side) { forms.append(" farther dropped") } else if book.endsAtShownLevels(side) { forms.append(" \(book.shownLevels) shown") }
            guard let text = forms.first(where: { DisplayWidth.of($0) <= inner.width }) else { return }
            buffer.put(text, x: inner.x, y: y, role: (beyond ?? 0) > 0 ? .alert : .dim, limit: inner.width)
        }
    }

    /// `price` rounded up to a multiple of `step`, or `price` itself where that would pass the
    /// largest book unit.
    static func roundedUp(_ price: Int64, to step: Int64) -> Int64 {
        let remainder = price % step
        guard remainder != 0 else { return price }
        let (up, overflow) = (price - remainder).addingReportingOverflow(step)
        return overflow ? price : up
    }

    /// How many liquidation prices lie past the last of a side's rows that has something left
    /// (all of them when none has): below the lowest bid row, above the highest ask row (the rows
    /// they would trigger at are gone, as the mark gets there through them). `liquidations`
    /// (sorted) are those the table listed, within `reach.range`; those it left out beyond the
    /// range are counted in `reach.outside`. Nil when the count cannot be told: the rows reach
    /// past the listed range, so some of the prices left out lie within the book.
    static func beyondBook(_ rows: [Row], _ side: BookSide, liquidations: [Int64],
                           reach: LiquidationReach = LiquidationReach()) -> Int? {
        let outside = reach.outside
        // Past the last row with something left: rows of eaten levels beyond it take nothing.
        guard let last = rows.last(where: { $0.size > 0 }) else {
            return liquidations.count + (side == .bid ? outside.longsBelow + outside.longsAbove : outside.shortsBelow + outside.shortsAbove)
        }
        if side == .bid {
            let (below, overflow) = last.price.subtractingReportingOverflow(1)
            if overflow { return 0 }
            // Every price left out below the range must lie below the last row too, and every one
            // left out above it above the last row (the book may have moved past the range since
            // the table was scanned).
            guard outside.longsBelow == 0 || reach.range.lowerBound <= below + 1 else { return nil }
            guard outside.longsAbove == 0 || reach.range.upperBound >= below else { return nil }
            return PositionTable.count(liquidations, from: .min, through: below) + outside.longsBelow
        }
        let (above, overflow) = last.price.addingReportingOverflow(1)
        if overflow { return 0 }
        // Every price left out above the range must lie above the last row too, and every one
        // left out below it below the last row.
        guard outside.shortsAbove == 0 || reach.range.upperBound >= above - 1 else { return nil }
        guard outside.shortsBelow == 0 || reach.range.lowerBound <= above else { return nil }
        return PositionTable.count(liquidations, from: above, through: .max) + outside.shortsAbove
    }

    /// The last row joins the one before it when both were eaten to nothing (a run of them is
    /// one row: see `Row.farPrice`). Called once a row is whole, before the next is begun.
    static func collapseEatenRun(_ rows: inout [Row]) {
        guard rows.count >= 2 else { return }
        let last = rows[rows.count - 1]
        let previous = rows[rows.count - 2]
        guard last.size == 0, last.consumed > 0, previous.size == 0, previous.consumed > 0 else { return }
        rows[rows.count - 2].farPrice = last.price
        rows[rows.count - 2].eatenRows += last.eatenRows
        rows[rows.count - 2].consumed &+= last.consumed
        rows[rows.count - 2].cumulative = last.cumulative
        rows.removeLast()
    }

    /// Levels grouped into buckets of `step`, from the touch outwards, with cumulative size; a
    /// run of buckets eaten to nothing is one row.
    static func rows(_ book: OrderBook, _ side: BookSide, step: Int64, count: Int, liquidations: [Int64],
                     reach: LiquidationReach = LiquidationReach()) -> [Row] {
        var rows: [Row] = []
        var cumulative: Int64 = 0
        // The feed's levels, those liquidations emptied included (shown eaten, with nothing left).
        book.forEachFeedLevel(side) { price, size, consumed in
            // Bids round down into their bucket, asks up: a bucket's price is its worst price.
            // Saturating: a level near the largest book unit (a corrupt feed's) must not trap.
            let bucket = side == .bid ? (price / step) * step : LadderPane.roundedUp(price, to: step)
            let left = max(0, size - consumed)
            cumulative &+= left
            if let last = rows.last, last.price == bucket {
                rows[rows.count - 1].size &+= left
                rows[rows.count - 1].cumulative = cumulative
                rows[rows.count - 1].consumed &+= consumed
            } else {
                collapseEatenRun(&rows)
                if rows.count == count { return false }
                rows.append(Row(price: bucket, size: left, cumulative: cumulative, consumed: consumed, liquidations: 0))
            }
            return true
        }
        collapseEatenRun(&rows)
        // Count liquidation prices into the rows they trigger at: a long's when the mark falls to
        // its price, the first bid row at or below it; a short's the first ask row at or above it.
        // So a bid row covers prices from itself up to just below the row before it (the touch's
        // row every price above it), an ask row from just above the row before it up to itself.
        // (A bid row covered the prices from just above the next row down to itself: a long
        // liquidated at 58,649.403 was counted in the 58,649.50 row, the mark not yet at it, and
        // the positions pane said 58,649.40: operator trial.)
        // A run of eaten rows reaches to its far end (its last row's range went one step past its
        // near price only, and the run's liquidation prices went uncounted: review).
        for index in rows.indices {
            let far = rows[index].farPrice ?? rows[index].price
            let before = index == 0 ? nil : rows[index - 1].farPrice ?? rows[index - 1].price
            rows[index].liquidations = side == .bid
                ? PositionTable.count(liquidations, from: far, through: before.map { $0 - 1 } ?? .max)
                : PositionTable.count(liquidations, from: before.map { $0 + 1 } ?? .min, through: far)
        }
        // The touch's row takes every price past it towards the mark and beyond (crossed
        // positions waiting for a book they can be liquidated into too): with a windowed table,
        // those left out past the listed range as well, where all of them lie in it (they were
        // counted nowhere: review).
        if let first = rows.first {
            let far = first.farPrice ?? first.price
            if side == .bid, reach.outside.longsAbove > 0, reach.range.upperBound >= far {
                rows[0].liquidations += reach.outside.longsAbove
            } else if side == .ask, reach.outside.shortsBelow > 0, reach.range.lowerBound <= far {
                rows[0].liquidations += reach.outside.shortsBelow
            }
        }
        return rows
    }
}

