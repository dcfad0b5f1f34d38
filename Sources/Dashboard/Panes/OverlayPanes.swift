import RiskEngine

/// Enter on a position: every figure and the formula it came from, the book walk if it were
/// liquidated now, its margin-ratio history, its ADL rank and the account's other positions.
enum DetailPane {
    static func render(_ model: AppModel, position index: Int32, _ rect: Rect, _ buffer: inout Buffer) {
        let engine = model.engine
        guard Int(index) < engine.positions.count else { return }
        let risk = engine.risk(of: index)
        let position = engine.positions[Int(index)]
        let market = engine.markets[Int(position.symbolIndex)]
        let instrument = market.instrument
        buffer.fill(rect, role: .help)
        buffer.box(rect, title: "Position \(risk.account) · \(risk.symbol) · Esc back", focused: true)
        let inner = rect.inset(1)
        var y = inner.y
        func line(_ text: String, _ role: StyleRole = .help) {
            guard y < inner.maxY else { return }
            buffer.put(text, x: inner.x + 1, y: y, role: role, limit: inner.width - 2)
            y += 1
        }
        func price(_ value: Fixed?) -> String { Format.price(value, instrument) }
        let asset = risk.asset
        if !position.isOpen { line("closed (liquidated or deleveraged)", .warn) }
        line("\(Format.sideMark(risk.side)) \(risk.quantity) \(instrument.kind.isInverse ? "contracts " : "")\(risk.symbol) @ \(price(risk.entryPrice)), \(risk.mode.rawValue)\(risk.leverage.isZero ? "" : ", \(risk.leverage.formatted(0))x"); mark \(price(risk.markPrice))", .title)
        line("notional         \(Format.money(risk.notional)) \(asset)   = |Q| × mark\(instrument.kind.isInverse ? " (inverse: N × \(instrument.kind.contractSize) / mark)" : "")")
        line("unrealised PnL   \(Format.money(risk.unrealisedPnL)) \(asset)   = side × Q × (mark − entry)", risk.unrealisedPnL.isNegative ? .negative : .positive)
        line("maintenance      \(Format.money(risk.maintenanceMargin)) \(asset)   = notional × \((risk.bracket.maintenanceMarginRate * Fixed(100)).formatted(2))% − \(Format.money(risk.bracket.maintenanceAmount)) (bracket cap \(Format.money(risk.bracket.notionalCap, decimals: 0)))")
        if risk.mode == .isolated {
            line("margin balance   \(Format.money(risk.marginBalance)) \(asset)   = isolated margin \(Format.money(position.isolatedMargin)) + unrealised PnL")
            line("margin ratio     \(risk.marginRatio.map { ($0 * Fixed(100)).formatted(2) + "%" } ?? "BANKRUPT")   = maintenance ÷ margin balance (100% liquidates)",
                engine.marginRatioLevel(risk.marginRatio) == .ok ? .help : .level(engine.marginRatioLevel(risk.marginRatio)))
        } else {
            // A cross account: every leg's maintenance and PnL, so the ratio adds up by hand.
            let legs = engine.accounts[Int(position.accountIndex)].positions.filter { engine.positions[Int($0)].isOpen && engine.positions[Int($0)].mode == .cross }
            var totalMaintenance = Fixed.zero
            var totalPnL = Fixed.zero
            line("cross account    wallet \(Format.money(engine.accounts[Int(position.accountIndex)].walletBalance)) \(asset); its cross legs:")
            for leg in legs {
                let legRisk = engine.risk(of: leg)
                let legInstrument = engine.markets[Int(engine.positions[Int(leg)].symbolIndex)].instrument
                totalMaintenance += legRisk.maintenanceMargin
                totalPnL += legRisk.unrealisedPnL
                line("   \(Format.sideMark(legRisk.side)) \(legRisk.quantity) \(legRisk.symbol): maintenance \(Format.money(legRisk.maintenanceMargin)), PnL \(Format.money(legRisk.unrealisedPnL)) at mark \(Format.price(legRisk.markPrice, legInstrument))", leg == index ? .help : .dim)
            }
            line("margin balance   \(Format.money(risk.marginBalance)) \(asset)   = wallet + Σ legs' PnL (\(Format.money(totalPnL)))")
            line("margin ratio     \(risk.marginRatio.map { ($0 * Fixed(100)).formatted(2) + "%" } ?? "BANKRUPT")   = Σ legs' maintenance (\(Format.money(totalMaintenance))) ÷ margin balance (100% liquidates)",
                engine.marginRatioLevel(risk.marginRatio) == .ok ? .help : .level(engine.marginRatioLevel(risk.marginRatio)))
        }
        let formula: String
        switch (engine.configuration.rules, instrument.kind.isInverse) {
        case (.binance, false): formula = "(WB − TMM₁ + UPNL₁ + cum − side·Q·EP) ÷ (Q·MMR − side·Q)"
        case (.binance, true): formula = "N·(MMR + side) ÷ (WB − TMM₁ + UPNL₁ + cum + side·N/EP), N = contracts × size"
        case (.bybit, false): formula = "EP ∓ (IM − MM) ÷ Q"
        case (.bybit, true): formula = "Q ÷ (PV ± (IM − MM))"
        }
        line("liquidation      \(price(risk.liquidationPrice))   = \(formula), \(engine.configuration.rules.rawValue) rules", .liquidationMarker)
        line("bankruptcy       \(price(risk.bankruptcyPrice))   = where the margin balance reaches zero")
        line("distance         \(risk.distanceToLiquidationPct.map { $0.formatted(2) + "% of the mark" } ?? "—")")
        y += 1
        // The book walk now.
        let (walk, deficit) = Engine.liquidationWalk(position, instrument: instrument, book: market.book)
        let unfilledRule = engine.configuration.unfilled == .adl ? "to ADL" : "taken over by the fund"
        line("If liquidated now: \(walk.levelsConsumed) levels, average \(price(walk.averagePrice)), unfilled \(Format.units(walk.remainder, decimals: min(instrument.sizeDecimals, 4)))\(walk.remainder > 0 ? " (\(unfilledRule))" : ""), deficit \(Format.money(deficit)) \(asset)",
            deficit.isPositive || walk.remainder > 0 ? .alert : .title)
        for fill in walk.fills.prefix(5) {
            line("   \(Format.units(fill.price, decimals: min(instrument.priceDecimals, 4))) × \(Format.units(fill.size, decimals: min(instrument.sizeDecimals, 4)))", .dim)
        }
        if walk.fills.count > 5 { line("   … \(walk.fills.count - 5) more levels", .dim) }
        let history = model.ratioHistory[index] ?? []
        line("Margin ratio history (\(history.count) s): " + Format.sparkline(history, width: max(0, inner.width - 40)), .warn)
        let queue = model.table.rows.first(where: { $0.index == index })?.adl
        line("ADL queue: \(queue.map { "\(Format.lights($0.lights)) \($0.lights)/5, \($0.estimated ? "≈" : "")#\($0.rank) of \($0.estimated ? "≈" : "")\($0.of) \(risk.side.label)s, score \($0.score.formatted(6)) (\(engine.configuration.adlRanking.rawValue) ranking)" } ?? "—")")
        let others = engine.accounts[Int(position.accountIndex)].positions.filter { $0 != index && engine.positions[Int($0)].isOpen }
        line("Account \(risk.account): wallet \(Format.money(engine.accounts[Int(position.accountIndex)].walletBalance)) \(asset), \(others.count) other position\(others.count == 1 ? "" : "s")")
        for other in others.prefix(max(0, inner.maxY - y)) {
            let peer = engine.risk(of: other)
            line("   \(Format.sideMark(peer.side)) \(peer.quantity) \(peer.symbol) @ \(Format.price(peer.entryPrice, nil)), liq \(Format.price(peer.liquidationPrice, nil))", .dim)
        }
    }
}

/// `x`: the projection of a mark shock, liquidations in trigger order compounding through the book.
enum WhatIfPane {
    static func render(_ model: AppModel, result: StressResult, ladder: [StressResult], _ rect: Rect, _ buffer: inout Buffer) {
        buffer.fill(rect, role: .help)
        let percent = (result.shockPercent.isNegative ? "" : "+") + result.shockPercent.description
        buffer.box(rect, title: "What-if \(result.symbol) \(percent)% · Esc back", focused: true)
        let inner = rect.inset(1)
        let instrument = model.engine.market(result.symbol)?.instrument
        var y = inner.y
        func line(_ text: String, _ role: StyleRole = .help) {
            guard y < inner.maxY else { return }
            buffer.put(text, x: inner.x + 1, y: y, role: role, limit: inner.width - 2)
            y += 1
        }
        line("Mark \(Format.price(result.markBefore, instrument)) → \(Format.price(result.markAfter, instrument)): \(result.liquidations.count) liquidations, \(result.positionsHit) positions hit", .title)
        if let block = result.blocked {
            line("Triggers crossed but \(block.message): the book has \(block == .noBook ? "never had a snapshot" : "been stale since a gap"); nothing below is projected", .alert)
        }
        line("Total deficit \(Format.money(result.totalDeficit)) \(result.asset) · fund \(Format.money(result.fundBefore)) → \(Format.money(result.fundAfter))", result.totalDeficit.isPositive ? .alert : .help)
        if result.unfilledQuantity.isPositive {
            line("The book cannot fill \(result.unfilledQuantity.formatted(3, grouping: true)): \(result.fundTakeoverQuantity.isPositive ? "the fund takes over \(result.fundTakeoverQuantity.formatted(3, grouping: true))" : "it goes to ADL")", .alert)
        }
        let adl = result.adlQuantity.isPositive
            ? "ADL would follow for \(result.adlQuantity.formatted(3, grouping: true)): \(result.adl.count) monitored closes (\(Format.money(result.adlNotional)) \(result.asset))"
                + (result.adlUnfilled.isPositive ? ", \(result.adlUnfilled.formatted(3, grouping: true)) beyond the monitored book" : "")
            : (result.liquidations.isEmpty ? "No ADL" : "No ADL: the book and the fund cover the projected liquidations")
        line(adl, result.adlQuantity.isPositive ? .alert : .ok)
        if result.socialisedLoss.isPositive { line("Socialised loss \(Format.money(result.socialisedLoss))", .alert) }
        // The standard ladder of shocks for this market, beside the typed one.
        if !ladder.isEmpty && y + 3 < inner.maxY {
            y += 1
            line("shock    liqs   deficit        ADL qty    fund after", .header)
            for step in ladder {
                guard y < inner.maxY - 4 else { break }
                let label = (step.shockPercent.isNegative ? "" : "+") + step.shockPercent.description + "%"
                var text = Format.left(label, 7) + Format.right("\(step.liquidations.count)", 6)
                text += Format.right(Format.money(step.totalDeficit), 12) + Format.right(step.adlQuantity.formatted(3, grouping: true), 13)
                text += Format.right(Format.money(step.fundAfter), 14)
                if step.blocked != nil { text += "  blocked" }
                line(text, step.adlQuantity.isPositive || step.totalDeficit.isPositive ? .warn : .dim)
            }
        }
        y += 1
        line("  #  account      side     qty       liq price  bkr price  avg fill   slip bp  lv  deficit    fund after", .header)
        for (number, record) in result.liquidations.enumerated() {
            guard y < inner.maxY else { break }
            var text = Format.right("\(number + 1)", 3) + "  " + Format.left(record.account, 12) + " " + Format.left(Format.sideMark(record.side), 8)
            text += Format.right(record.quantity.formatted(3), 8) + "  " + Format.right(Format.price(record.liquidationPrice, instrument), 10)
            text += " " + Format.right(Format.price(record.bankruptcyPrice, instrument), 10) + " " + Format.right(Format.price(record.averageFill, instrument), 10)
            text += " " + Format.right(record.slippageBps.map { $0.formatted(1) } ?? "—", 8) + Format.right("\(record.levelsConsumed)", 4)
            text += " " + Format.right(Format.money(record.deficit), 10) + " " + Format.right(Format.money(record.fundAfter), 12)
            if record.unfilledQuantity.isPositive { text += "  unfilled \(record.unfilledQuantity.formatted(3))" }
            line(text, record.deficit.isPositive || record.unfilledQuantity.isPositive ? .alert : .help)
        }
        if result.liquidations.isEmpty && result.blocked == nil { line("No position would be liquidated by this shock.", .ok) }
    }
}

/// `?`: generated from the keymap that drives the keys.
enum HelpPane {
    static func render(_ model: AppModel, _ rect: Rect, _ buffer: inout Buffer) {
        buffer.fill(rect, role: .help)
        buffer.box(rect, title: "Keys · ? or Esc closes", focused: true)
        let inner = rect.inset(1)
        var y = inner.y
        for binding in Keymap.bindings where y < inner.maxY {
            let keys = binding.keys.map(\.label).joined(separator: " / ")
            let x = buffer.put(Format.left(keys, 16), x: inner.x + 2, y: y, role: .title)
            buffer.put(binding.description, x: x, y: y, role: .help, limit: inner.maxX - x)
            y += 1
        }
        if y < inner.maxY {
            buffer.put("liqwatch only watches: nothing here places or changes an order.", x: inner.x + 2, y: y + (y + 1 < inner.maxY ? 1 : 0), role: .dim, limit: inner.width - 4)
        }
    }
}

enum TooSmallPane {
    static func render(_ model: AppModel, _ buffer: inout Buffer) {
        let lines = ["terminal too small", "\(model.width)×\(model.height); liqwatch needs at least \(AppModel.minimumWidth)×\(AppModel.minimumHeight)", "resize the window, or q to quit"]
        let top = max(0, model.height / 2 - 1)
        for (offset, text) in lines.enumerated() {
            let x = max(0, (model.width - text.count) / 2)
            buffer.put(text, x: x, y: top + offset, role: offset == 0 ? .alert : .text)
        }
    }
}

extension AppModel {
    /// Draws the whole screen.
    public func render(into buffer: inout Buffer) {
        buffer.fill(Rect(x: 0, y: 0, width: buffer.width, height: buffer.height))
        if isTooSmall {
            TooSmallPane.render(self, &buffer)
            return
        }
        let layout = Layout(width: width, height: height, markets: showsMarkets ? engine.markets.count : 1)
        StatusBarPane.render(self, layout.status, &buffer)
        if let rect = layout.markets { MarketsPane.render(self, rect, focused: focus == .markets, &buffer) }
        LadderPane.render(self, layout.ladder, focused: focus == .ladder, &buffer)
        SignalsPane.render(self, layout.signals, focused: focus == .signals, &buffer)
        PositionsPane.render(self, layout.positions, focused: focus == .positions, &buffer)
        FundPane.render(self, layout.fund, focused: focus == .fund, &buffer)
        TapePane.render(self, layout.tape, focused: focus == .tape, &buffer)
        FooterPane.render(self, layout.footer, &buffer)
        switch mode {
        case .help: HelpPane.render(self, layout.overlay, &buffer)
        case .health: HealthPane.render(self, layout.overlay, &buffer)
        case .detail(let position): DetailPane.render(self, position: position, layout.overlay, &buffer)
        case .whatIf(let result, let ladder): WhatIfPane.render(self, result: result, ladder: ladder, layout.overlay, &buffer)
        case .normal, .prompt: break
        }
    }

    /// A fresh buffer of the model's size.
    public func rendered() -> Buffer {
        var buffer = Buffer(width: width, height: height, unicode: unicode)
        render(into: &buffer)
        return buffer
    }
}

/// Every live stream: state, age of the last message, rate, and what went wrong.
enum HealthPane {
    static func render(_ model: AppModel, _ rect: Rect, _ buffer: inout Buffer) {
        buffer.fill(rect, role: .help)
        buffer.box(rect, title: "Feed health · h or Esc closes", focused: true)
        let box = rect.inset(1)
        let streams = model.status.streams
        var top = box.y
        if let problem = model.status.recordingError {
            buffer.put("Recording stopped: \(problem) · monitoring goes on", x: box.x + 1, y: top, role: .alert, limit: box.width - 2)
            top += 1
        }
        let inner = Rect(x: box.x, y: top, width: box.width, height: box.maxY - top)
        guard !streams.isEmpty else {
            buffer.put("No live streams: this is a \(model.status.kind.lowercased()) session.", x: inner.x + 2, y: inner.y + 1, role: .dim, limit: inner.width - 4)
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
            x = buffer.put("  " + (stream.stale ? "STALE · " : "") + stream.state, x: x, y: y, role: stream.stale ? .alert : .text, limit: inner.maxX - x)
            y += 1
            let feeds = stream.symbols.map { "feeds " + $0.joined(separator: ", ") + ": book, marks, trades, liquidations" } ?? "feeds positions, accounts, the fund, marks"
            buffer.put("  " + feeds + (stream.lastError.map { " · last error: \($0)" } ?? ""), x: inner.x + 1, y: y, role: .dim, limit: inner.width - 2)
            y += 1
            for resync in stream.resync where y + 1 < inner.maxY {
                buffer.put("  " + resync, x: inner.x + 1, y: y, role: .warn, limit: inner.width - 2)
                y += 1
            }
        }
    }
}

extension AppModel {
    /// " · STALE" on the title of a pane fed by a stale stream or showing a book that cannot be
    /// trusted (no snapshot yet, or a gap since).
    func staleTag(symbol: String?) -> String {
        if status.isStale(symbol: symbol) { return " · STALE" }
        guard let symbol, let market = engine.market(symbol), market.isWatched, market.isStale else { return "" }
        return market.book.hasSnapshot ? " · STALE (gap)" : " · STALE (no book)"
    }
}
