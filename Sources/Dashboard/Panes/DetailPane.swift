import RiskEngine

/// Enter on a position: every figure and the formula it came from, the book walk if it were
/// liquidated now, its margin-ratio history, its ADL rank and the account's other positions.
enum DetailPane {
    /// The view, its lines from `model.detailScroll` on (↑↓, PgUp/PgDn, Home/End scroll it: at
    /// 80×24 the account's line and the ADL rank were below the edge, out of reach).
    static func render(_ model: AppModel, position index: Int32, _ rect: Rect, _ buffer: inout Buffer) {
        let engine = model.engine
        guard Int(index) < engine.positions.count else { return }
        let risk = engine.risk(of: index)
        let inner = rect.inset(1)
        let all = lines(model, position: index, width: inner.width - 2)
        let first = min(model.detailScroll, maxScroll(lineCount: all.count, height: inner.height))
        let shown = all[first..<min(all.count, first + max(0, inner.height))]
        buffer.fill(rect, role: .help)
        let scrolls = all.count > inner.height
        let lines = " · lines \(Format.count(first + 1))–\(Format.count(first + shown.count)) of \(Format.count(all.count))"
        let keys = ", \(model.keymap.label(for: .moveDown))/\(model.keymap.label(for: .pageDown)) scroll"
        let head = "Position \(SafeText.escaped(risk.account)) · \(model.marketNames.title(risk.symbol))"
        let back = " · \(model.keymap.label(for: .back)) back"
        // Narrower, the title drops the keys' hint, then the way back, never cut mid-word (at 80
        // columns it ended "↓/PgDn scro").
        let titles = scrolls
            ? [head + back + lines + keys, head + back + lines, head + lines, head]
            : [head + back, head]
        buffer.box(rect, title: Buffer.fittingTitle(titles, width: rect.width), focused: true)
        for (offset, part) in shown.enumerated() {
            buffer.put(part.text, x: inner.x + 1, y: inner.y + offset, role: part.role, limit: inner.width - 2)
        }
    }

    /// How far the view can scroll: its last line at the bottom.
    static func maxScroll(lineCount: Int, height: Int) -> Int { max(0, lineCount - max(0, height)) }

    /// Every line of the view, wrapped to `width` cells.
    static func lines(_ model: AppModel, position index: Int32, width: Int) -> [(text: String, role: StyleRole)] {
        let engine = model.engine
        guard Int(index) < engine.positions.count, width > 0 else { return [] }
        let risk = engine.risk(of: index)
        let position = engine.currentPosition(index)
        let market = engine.markets[Int(position.symbolIndex)]
        let instrument = market.instrument
        var parts: [(text: String, role: StyleRole)] = []
        // A line too wide for the pane loses its formula ("   = …") first, then wraps between
        // words: a figure is never cut at the edge (at 80 columns the bracket's cap lost its last
        // digits, the walk's deficit its figure).
        func line(_ text: String, _ role: StyleRole = .help) {
            var text = text
            if DisplayWidth.of(text) > width, let formula = text.range(of: "   = ") { text = String(text[..<formula.lowerBound]) }
            for part in Format.wrapped(text, width) { parts.append((part, role)) }
        }
        func price(_ value: Fixed?) -> String { Format.price(value, instrument) }
        let asset = risk.asset
        // Cents for dollars, eight places for a coin (a coin-margined position's figures).
        let places = AssetPrecision.decimals(forAsset: asset)
        func money(_ value: Fixed) -> String { Format.money(value, decimals: places) }
        if !position.isOpen {
            // What closed it and how much, from the session's log (the view's figures are of the
            // position as it is: size 0; operator trial: "long 0 BTCUSDT" lost the 10 closed).
            // The ring buffers hold the session's latest thousands; an older close is not named.
            // Every step counts (a tiered or partial liquidation closes in several), and the line
            // says what the records show, not what made the last close (its account may have
            // closed the rest): review.
            let liquidations = model.log.simulatedLiquidations.filter { $0.position == index }
            let deleverages = model.log.adlRecords.filter { $0.position == index }
            var parts: [String] = []
            if let last = liquidations.last {
                let total = liquidations.reduce(Fixed.zero) { $0 + $1.quantity }
                let deficit = liquidations.reduce(Fixed.zero) { $0 + $1.deficit }
                parts.append("liquidated \(Format.quantity(total, instrument))"
                    + (liquidations.count > 1 ? " in \(liquidations.count) steps, the last" : "") + " at \(Format.clockMillis(last.time))"
                    + (deficit.isPositive ? ", deficit \(money(deficit)) \(asset)" : ""))
            }
            if let last = deleverages.last {
                let total = deleverages.reduce(Fixed.zero) { $0 + $1.quantity }
                parts.append("deleveraged \(Format.quantity(total, instrument))"
                    + (deleverages.count > 1 ? " in \(deleverages.count) closes, the last" : "") + " at \(price(last.price)), \(Format.clockMillis(last.time))")
            }
            line(parts.isEmpty ? "closed (liquidated, deleveraged or closed by its account)" : "closed; " + parts.joined(separator: "; "), .warn)
        }
        // A ratio and a distance are of an open position at a mark: a closed one, or one whose
        // market has no price yet, has neither (its figures at the entry price would mislead).
        func ratioText(_ ratio: Fixed?) -> String {
            if !position.isOpen { return "— (closed)" }
            if risk.markPrice == nil { return "— (no mark yet)" }
            // Rounded down, as the engine's bands compare (99.996 % read `100.00%`: review).
            return ratio.map { Format.percentDown($0, decimals: 2) } ?? "BANKRUPT"
        }
        let ratioRole: StyleRole = !position.isOpen || risk.markPrice == nil || engine.marginRatioLevel(risk.marginRatio) == .ok
            ? .help : .level(engine.marginRatioLevel(risk.marginRatio))
        // The engine would not liquidate here now (a gap made the book stale, it stopped
        // changing, the mark is outdated or disputed): said beside the mark and in place of the
        // walk, which read `deficit 0.00` on a book frozen by a gap (operator trial).
        // Or (below) a cross position past its trigger whose account holds a leg elsewhere at a mark
        // the engine will not liquidate on: one question of the engine says which.
        let wait = position.isOpen ? engine.liquidationWait(position: index) : nil
        let block = wait.flatMap { $0.ownMarket ? $0.block : nil }
        let markTag: String
        switch block {
        case .staleBook?: markTag = " (book STALE)"
        case .outdatedBook?: markTag = " (book outdated)"
        case .outdatedMark?: markTag = " (outdated)"
        case .disputedMark?: markTag = " (disputed)"
        case .noBook?, .noMark?, nil: markTag = ""
        }
        // Said beside a block's tag too (review: `(book outdated)` took its place).
        let proxyTag = engine.markets[Int(position.symbolIndex)].markSource == .proxy ? " (liqwatch's proxy: the feed gives no mark)" : ""
        line("\(Format.sideMark(risk.side)) \(Format.quantity(risk.quantity, instrument)) \(instrument.kind.isInverse ? "contracts " : "")\(model.marketNames.short(risk.symbol)) @ \(price(risk.entryPrice)), \(risk.mode.rawValue)\(risk.leverage.isZero ? "" : ", \(risk.leverage.formatted(0))x"); mark \(Format.exactPrice(risk.markPrice, instrument))\(markTag)\(proxyTag)", .title)
        if let block, block != .noBook {
            line("\(block.message.prefix(1).uppercased() + block.message.dropFirst()): the engine waits for \(block.waitsFor); the figures below are of the mark and book as they last stood", .alert)
        }
        // A cross position whose account holds a leg elsewhere at a mark the engine cannot
        // liquidate on waits for that mark, however bankrupt: said so (a BANKRUPT position open
        // for minutes gave no reason anywhere: operator trial).
        // Past its trigger at its own entry (its maintenance margin at entry more than its margin):
        // said, as `liqwatch margin` says it (`no mark` and a liquidation price past the entry
        // said nothing of it: operator trial).
        // Before any mark only: with one, the ratio says where it stands (a mark moved its way
        // keeps such a position alive: review).
        if position.isOpen && risk.markPrice == nil && risk.liquidatedAtEntry && !risk.pastAtEveryPrice {
            line("Liquidated at its own entry: its liquidation price \(price(risk.liquidationPrice)) is \(risk.side == .long ? "at or above" : "at or below") its entry (its maintenance margin at entry is more than its margin); the first mark liquidates it", .alert)
        }
        let legWait = wait.flatMap { $0.ownMarket ? nil : $0 }
        if let legWait {
            let leg = model.marketNames.short(legWait.symbol)
            switch legWait.block {
            case .noMark:
                line("Cannot liquidate while its cross leg in \(leg) has no mark yet (it could only be counted at its entry): the engine waits for \(legWait.block.waitsFor) there", .alert)
            default:
                line("Cannot liquidate while its cross leg in \(leg) is at \(legWait.block == .disputedMark ? "a disputed" : "an outdated") mark: the engine waits for \(legWait.block.waitsFor) there", .alert)
            }
        }
        line("notional         \(money(risk.notional)) \(asset)   = |Q| × mark\(instrument.kind.isInverse ? " (inverse: N × \(instrument.kind.contractSize) / mark)" : "")")
        // An inverse contract's PnL is in the coin: the linear formula beside it read −6,560 for
        // a figure of −0.000714 BTC (operator trial).
        let pnlFormula = instrument.kind.isInverse
            ? "side × N × \(instrument.kind.contractSize) × (1/entry − 1/mark)" : "side × Q × (mark − entry)"
        line("unrealised PnL   \(money(risk.unrealisedPnL)) \(asset)   = \(pnlFormula)", risk.unrealisedPnL.isNegative ? .negative : .positive)
        // The base the rate applies to, as the venue's rule has it: Bybit values the position at
        // entry (the line read "notional × 2.50%" under a notional at the mark, which does not
        // give the figure; operator trial), OKX takes no deduction.
        let rules = engine.marginRules(of: instrument)
        let rate = (risk.bracket.maintenanceMarginRate * Fixed(100)).formatted(2) + "%"
        // The last bracket has no cap (it is held as the range's bound, not a figure).
        let cap = risk.bracket.notionalCap == .max ? "last bracket, no cap" : "bracket cap \(Format.money(risk.bracket.notionalCap, decimals: 0))"
        let deducted = "− \(money(risk.bracket.maintenanceAmount)) (\(cap))"
        let maintenanceFormula: String
        switch rules {
        case .bybit:
            let valueAtEntry = MarginMath.notional(kind: instrument.kind, quantity: risk.quantity, at: risk.entryPrice)
            maintenanceFormula = "value at entry \(money(valueAtEntry)) × \(rate) \(deducted)"
        // Short enough to stay at 120 columns (the formula is the first thing a long line loses,
        // and OKX's was: operator trial).
        case .okx: maintenanceFormula = "notional × \(rate) (tier + liquidation fee)"
        case .binance, .hyperliquid: maintenanceFormula = "notional × \(rate) \(deducted)"
        }
        // A closed position has no maintenance: at its size of 0 the line named the first
        // bracket's 0.40 % beside a liquidation price worked out with the 0.50 % of its size then
        // (operator trial).
        line(position.isOpen ? "maintenance      \(money(risk.maintenanceMargin)) \(asset)   = " + maintenanceFormula
            : "maintenance      — (closed; the prices below are its last while open)")
        // A rate of liqwatch's assumption, not the venue's table: said on a line of its own, which
        // a narrow view keeps (the formula beside the figure is the first thing it drops).
        if position.isOpen && instrument.tiersAssumed {
            line("                 tiers assumed, not the venue's: give its table in an instrument file (--instruments)", .warn)
        }
        if risk.mode == .isolated {
            // The margin to eight places where the view has room for it, else to the cent (the
            // formula beside the figure goes before either).
            let precise = "margin balance   \(money(risk.marginBalance)) \(asset)   = isolated margin \(Format.moneyForFormula(position.isolatedMargin, decimals: places)) + unrealised PnL"
            line(DisplayWidth.of(precise) <= width ? precise
                : "margin balance   \(money(risk.marginBalance)) \(asset)   = isolated margin \(money(position.isolatedMargin)) + unrealised PnL")
            line("margin ratio     \(ratioText(risk.marginRatio))   = maintenance ÷ margin balance (100% liquidates)", ratioRole)
        } else {
            // A cross account: every leg's maintenance and PnL, so the ratio adds up by hand.
            let legs = engine.accounts[Int(position.accountIndex)].positions.filter { engine.positions[Int($0)].isOpen && engine.positions[Int($0)].mode == .cross }
            var totalMaintenance = Fixed.zero
            var totalPnL = Fixed.zero
            var unpriced = 0
            line("cross account    wallet \(money(engine.accounts[Int(position.accountIndex)].walletBalance)) \(asset); its cross legs:")
            for leg in legs {
                let legRisk = engine.risk(of: leg)
                let legInstrument = engine.markets[Int(engine.positions[Int(leg)].symbolIndex)].instrument
                totalMaintenance += legRisk.maintenanceMargin
                totalPnL += legRisk.unrealisedPnL
                // A leg whose market has no price yet is valued at its entry: PnL 0, maintenance
                // at entry, said so (a bare `at mark —` was the only clue: operator trial).
                if legRisk.markPrice == nil { unpriced += 1 }
                let at = legRisk.markPrice == nil ? "at entry (no mark yet)" : "at mark \(Format.price(legRisk.markPrice, legInstrument))"
                line("   \(Format.sideMark(legRisk.side)) \(Format.quantity(legRisk.quantity, legInstrument)) \(model.marketNames.short(legRisk.symbol)): maintenance \(money(legRisk.maintenanceMargin)), PnL \(money(legRisk.unrealisedPnL)) \(at)",
                    legRisk.markPrice == nil ? .warn : (leg == index ? .help : .dim))
            }
            line("margin balance   \(money(risk.marginBalance)) \(asset)   = wallet + Σ legs' PnL (\(money(totalPnL)))")
            line("margin ratio     \(ratioText(risk.marginRatio))   = Σ legs' maintenance (\(money(totalMaintenance))) ÷ margin balance (100% liquidates)", ratioRole)
            if unpriced > 0 {
                line("                 \(unpriced == 1 ? "a leg has" : "\(unpriced) legs have") no mark yet: valued at entry (PnL 0), so the ratio and the liquidation price assume its price has not moved", .warn)
            }
        }
        let formula: String
        switch (rules, instrument.kind.isInverse) {
        case (.binance, false), (.hyperliquid, false): formula = "(WB − TMM₁ + UPNL₁ + cum − side·Q·EP) ÷ (Q·MMR − side·Q)"
        case (.binance, true), (.hyperliquid, true): formula = "N·(MMR + side) ÷ (WB − TMM₁ + UPNL₁ + cum + side·N/EP), N = contracts × size"
        case (.bybit, false): formula = "EP ∓ (IM − MM) ÷ Q"
        case (.bybit, true): formula = "Q ÷ (PV ± (IM − MM))"
        case (.okx, false): formula = "(side·Q·EP − C) ÷ (Q·(side − MMR − fee))"
        case (.okx, true): formula = "N·(MMR + fee + side) ÷ (C + side·N/EP), N = contracts × size"
        }
        if risk.pastAtEveryPrice {
            line("liquidation      any price: the account's other positions lose more than this one can gain", .alert)
        } else {
            line("liquidation      \(price(risk.liquidationPrice))   = \(formula), \(rules.rawValue) rules", .liquidationMarker)
        }
        line("bankruptcy       \(price(risk.bankruptcyPrice))   = where the margin balance reaches zero")
        line("distance         \(position.isOpen ? risk.distanceToLiquidationPct.map { Format.distance($0, unit: "% of the mark") } ?? "—" : "— (closed)")")
        parts.append(("", .help))
        // The book walk now.
        let (walk, deficit) = Engine.liquidationWalk(position, instrument: instrument, book: market.book)
        let unfilledRule = engine.configuration.unfilled == .adl ? "to ADL" : "taken over by the fund"
        // A closed position has nothing to liquidate: `0 levels … deficit 0.00` read as a walk
        // the book absorbed (operator trial).
        if !position.isOpen {
            line("If liquidated now: — (closed)", .dim)
        } else if !market.book.hasSnapshot {
            // Not "0 levels, unfilled 1.000 (to ADL)": the book is not known yet.
            line("If liquidated now: — (no book for this market yet)", .dim)
        } else if let block {
            line("If liquidated now: — (\(block.message); it waits for \(block.waitsFor))", .warn)
        } else if let legWait {
            // As a blocked book's: `deficit 0.00` under the line saying it cannot be liquidated
            // read as safe (operator trial).
            line("If liquidated now: — (it waits for \(model.marketNames.short(legWait.symbol))'s \(legWait.block == .noMark ? "first" : "next") mark)", .warn)
        } else if walk.remainderPastShownLevels {
            // Past the levels a top-of-book feed shows the book is not known: its quantity is not
            // called unfilled, and the deficit (its loss at the deepest level shown included) is a
            // floor.
            let walkedSide = risk.side.closingBookSide
            let past = Format.units(walk.remainder, decimals: Format.columnDecimals([walk.remainder], instrument: instrument.sizeDecimals))
            line("If liquidated now: \(Format.count(walk.levelsConsumed)) level\(walk.levelsConsumed == 1 ? "" : "s"), average \(price(walk.averagePrice)), \(past) past the \(Format.count(market.book.shownLevels(walkedSide))) levels \(market.book.isCut(walkedSide) ? "kept" : "the feed shows") (the book there is not known), deficit at least \(money(deficit)) \(asset)",
                .warn)
        } else {
            line("If liquidated now: \(Format.count(walk.levelsConsumed)) level\(walk.levelsConsumed == 1 ? "" : "s"), average \(price(walk.averagePrice)), unfilled \(Format.units(walk.remainder, decimals: Format.columnDecimals([walk.remainder], instrument: instrument.sizeDecimals)))\(walk.remainder > 0 ? " (\(unfilledRule))" : ""), deficit \(money(deficit)) \(asset)",
                deficit.isPositive || walk.remainder > 0 ? .alert : .title)
            for fill in walk.fills.prefix(5) {
                line("   \(Format.units(fill.price, decimals: min(instrument.priceDecimals, 8))) × \(Format.units(fill.size, decimals: Format.columnDecimals([fill.size], instrument: instrument.sizeDecimals)))", .dim)
            }
            if walk.fills.count > 5 { line("   … \(Format.count(walk.fills.count - 5)) more level\(walk.fills.count == 6 ? "" : "s")", .dim) }
        }
        // Its points are the table's builds (every two seconds, twice a second in a cascade),
        // not seconds: the label says the time they span ("300 s" read off 300 points that
        // spanned ten minutes).
        let history = model.ratioHistory[index] ?? TimedHistory(limit: 1)
        let spanned = history.values.count < 2 ? "" : " over " + EventTime.duration(history.span)
        let points = history.isEmpty ? "none yet" : "\(Format.count(history.values.count)) point\(history.values.count == 1 ? "" : "s")"
        // Sampled while the position is on screen (the table's rows shown, or this view): said,
        // or the points read as its whole history (operator trial).
        let label = "Margin ratio history while shown (\(points)\(spanned)): "
        line(label + Format.sparkline(history.values, width: max(0, width - DisplayWidth.of(label) - 4)), .warn)
        let queue = model.table.rows.first(where: { $0.index == index })?.adl
        let ranking = engine.adlRanking(of: Int(position.symbolIndex))
        func queueText(_ entry: ADLQueueEntry) -> String {
            // A losing position scores 0 under Binance's ranking (and below 0 under none but
            // BitMEX's): tied with every other, its rank among them is arbitrary ("#5 of 1,079"
            // read as next in line: operator trial). It comes after every position in profit.
            // Under BitMEX's formula (Bybit's and OKX's too) a loser scores below 0 by how much
            // it loses, and is ranked among the others (`a tied with every other` was said of
            // OKX longs of distinct scores: review).
            if ranking.scoresLosersZero && !entry.score.isPositive {
                // Alone on its side it is first in line, as its five lights say ("after every
                // long in profit" beside them read as last: operator trial); with none in profit
                // it is tied with every other, the venue's pick among them.
                let side = risk.side.label
                let place: String
                if entry.ahead > 0 {
                    place = "after the \(entry.estimated ? "≈" : "")\(Format.count(entry.ahead)) \(side)\(entry.ahead == 1 ? "" : "s") in profit"
                } else if entry.of <= 1 {
                    place = "first in line: the only \(side)"
                } else {
                    place = "no \(side) in profit: tied with every other"
                }
                return "\(Format.lights(entry.lights)) \(entry.lights)/5, \(place), of \(entry.estimated ? "≈" : "")\(Format.count(entry.of)) \(risk.side.label)s (score \(entry.score.formatted(6)), \(ranking.rawValue) ranking)"
            }
            return "\(Format.lights(entry.lights)) \(entry.lights)/5, \(entry.estimated ? "≈" : "")#\(Format.count(entry.rank)) of \(entry.estimated ? "≈" : "")\(Format.count(entry.of)) \(risk.side.label)s, score \(entry.score.formatted(6)) (\(ranking.rawValue) ranking)"
        }
        line("ADL queue: " + (queue.map(queueText) ?? "—"))
        let others = engine.accounts[Int(position.accountIndex)].positions.filter { $0 != index && engine.positions[Int($0)].isOpen }
        line("Account \(SafeText.escaped(risk.account)): wallet \(money(engine.accounts[Int(position.accountIndex)].walletBalance)) \(asset), \(others.count) other position\(others.count == 1 ? "" : "s")")
        // The first hundred (a sub-account desk's book can hold thousands).
        for other in others.prefix(100) {
            let peer = engine.risk(of: other)
            // Each at its own market's tick (0.01731, not 0.02).
            let peerInstrument = engine.market(peer.symbol)?.instrument
            // A leg whose mark has crossed its liquidation price (waiting, as every leg of the
            // account is, on a market it cannot be liquidated in) says so: `liq 5.328` beside a
            // mark of 1.012 read as a long five times away from it (operator trial).
            var crossed = ""
            if !peer.pastAtEveryPrice, let mark = peer.markPrice, let liquidation = peer.liquidationPrice,
               Position.crosses(peer.side, trigger: liquidation, at: mark) {
                crossed = ", crossed at the mark \(Format.price(mark, peerInstrument))"
            } else if peer.markPrice == nil && peer.liquidatedAtEntry && !peer.pastAtEveryPrice {
                // Before any mark, past its trigger at its own entry: as the positions pane's
                // `liq at entry` says it (a long listed with a liquidation price above its entry,
                // and nothing said: operator trial).
                crossed = ", past it at its entry (no mark yet)"
            }
            line("   \(Format.sideMark(peer.side)) \(Format.quantity(peer.quantity, peerInstrument)) \(model.marketNames.short(peer.symbol)) @ \(Format.price(peer.entryPrice, peerInstrument)), liq \(peer.pastAtEveryPrice ? "at every price" : Format.price(peer.liquidationPrice, peerInstrument))\(crossed)",
                crossed.isEmpty ? .dim : .alert)
        }
        if others.count > 100 { line("   … \(others.count - 100) more", .dim) }
        return parts
    }
}
