import RiskEngine

/// The insurance fund: balance with its chart over the session, inflows and outflows by cause,
/// drawdown from peak, how much of the stressed deficit it covers, and how close ADL is.
enum FundPane {
    static func render(_ model: AppModel, _ rect: Rect, focused: Bool, _ buffer: inout Buffer) {
        let engine = model.engine
        let asset = engine.primaryAsset
        let fund = engine.fund(asset)
        buffer.box(rect, title: "Insurance fund \(asset)" + (model.status.operatorDataStale ? " · STALE" : ""), focused: focused)
        let inner = rect.inset(1)
        guard inner.height >= 3 else { return }
        var y = inner.y
        func line(_ label: String, _ value: String, _ role: StyleRole = .text) {
            guard y < inner.maxY else { return }
            let x = buffer.put(Format.left(label, 14), x: inner.x, y: y, role: .dim)
            buffer.put(value, x: x, y: y, role: role, limit: inner.maxX - x)
            y += 1
        }
        line("balance", Format.money(fund.balance), fund.balance.isPositive ? .fund : .alert)
        if !model.fundHistory.isEmpty && y < inner.maxY {
            buffer.put(Format.sparkline(model.fundHistory, width: inner.width), x: inner.x, y: y, role: .fund, limit: inner.width)
            y += 1
        }
        line("in: fees", "+" + Format.money(fund.totals[.liquidationFee] ?? .zero), .positive)
        line("in: surplus", "+" + Format.money(fund.totals[.surplus] ?? .zero), .positive)
        line("out: deficits", "−" + Format.money(fund.outflows), fund.outflows.isPositive ? .negative : .dim)
        // Every class below is the engine's (`Engine.fundState`); the pane holds no threshold.
        let state = engine.fundState(asset: asset)
        line("drawdown", Format.money(fund.drawdown) + " (" + Format.percent(state.drawdown.approximateDouble, decimals: 1) + " of peak)",
            state.drawdownLevel == .ok ? .text : .level(state.drawdownLevel))
        if !state.takeoverExposure.isZero {
            line("taken over", "unrealised " + Format.money(state.takeoverExposure), state.takeoverExposure.isNegative ? .negative : .positive)
        }
        let stressed = state.stressed
        let coverage: String
        if stressed.unfilledQuantity.isPositive {
            coverage = "unfillable " + stressed.unfilledQuantity.formatted(3, grouping: true) + (engine.configuration.unfilled == .adl ? " → ADL" : " → fund")
        } else if stressed.deficit.isPositive {
            coverage = Format.percent(fund.balance.approximateDouble / stressed.deficit.approximateDouble, decimals: 0) + " of " + Format.money(stressed.deficit)
        } else {
            coverage = "no stressed deficit"
        }
        line("covers stress", coverage, stressed.adlCertain ? .alert : (stressed.deficit.isPositive ? .warn : .text))
        let adlState: (String, StyleRole)
        switch state.adl {
        case .active: adlState = ("ACTIVE: fund empty, \(model.log.adlCount) closes", .alert)
        case .near: adlState = (stressed.adlCertain ? "NEAR: stress → ADL" : "NEAR: stress ≥ fund", .warn)
        case .happened: adlState = ("\(model.log.adlCount) closes so far", .warn)
        case .idle: adlState = ("idle", .ok)
        }
        line("ADL", adlState.0, adlState.1)
    }
}

/// Liquidations, newest first: simulated ones, and the exchange's own marked apart.
enum TapePane {
    static func render(_ model: AppModel, _ rect: Rect, focused: Bool, _ buffer: inout Buffer) {
        let log = model.log
        buffer.box(rect, title: "Liquidation tape \(log.simulatedCount) sim · \(log.exchangeCount) exch", focused: focused)
        let inner = rect.inset(1)
        guard inner.height >= 2 else { return }
        let header = "time     sym      side   qty       bkr       avg fill  slip bp lv  deficit   fund after"
        buffer.put(header, x: inner.x, y: inner.y, role: .header, limit: inner.width)
        enum Entry { case simulated(LiquidationRecord), exchange(ExchangeLiquidation) }
        var entries: [(Int64, Entry)] = log.simulatedLiquidations.suffix(200).map { ($0.time, .simulated($0)) }
        entries += log.exchangeLiquidations.suffix(200).map { ($0.time, .exchange($0)) }
        entries.sort { $0.0 > $1.0 }
        if entries.isEmpty {
            buffer.put("no liquidations yet", x: inner.x + 1, y: inner.y + 1, role: .dim)
            return
        }
        let visible = inner.height - 1
        let top = max(0, min(model.tapeCursor - visible + 1, entries.count - visible))
        for offset in 0..<min(visible, entries.count - top) {
            let y = inner.y + 1 + offset
            let selected = focused && top + offset == model.tapeCursor
            switch entries[top + offset].1 {
            case .simulated(let record):
                let instrument = model.engine.market(record.symbol)?.instrument
                var text = Format.clock(record.time) + " " + Format.left(record.symbol, 8) + " "
                text += Format.left(Format.sideMark(record.side), 7)
                text += Format.right(record.quantity.formatted(3), 8) + " "
                text += Format.right(Format.price(record.bankruptcyPrice, instrument), 9) + " "
                text += Format.right(Format.price(record.averageFill, instrument), 9) + " "
                text += Format.right(record.slippageBps.map { $0.formatted(1) } ?? "—", 7) + " "
                text += Format.right("\(record.levelsConsumed)", 3) + " "
                text += Format.right(record.deficit.isZero ? "0" : Format.compact(record.deficit.approximateDouble), 8) + " "
                text += Format.right(Format.compact(record.fundAfter.approximateDouble), 10)
                // How the quantity was covered: the book, ADL, the fund taking it over.
                if record.unfilledQuantity.isPositive { text += " unfilled " + record.unfilledQuantity.formatted(3) }
                if record.adlQuantity.isPositive { text += " ADL " + record.adlQuantity.formatted(3) }
                if record.fundTakeoverQuantity.isPositive { text += " FUND " + record.fundTakeoverQuantity.formatted(3) }
                if record.isPartial { text += " partial" }
                buffer.put(text, x: inner.x, y: y, role: selected ? .selection : (record.deficit.isPositive ? .alert : .text), limit: inner.width)
            case .exchange(let liquidation):
                var text = Format.clock(liquidation.time) + " " + Format.left(liquidation.symbol, 8) + " "
                text += Format.left(Format.sideMark(liquidation.side), 7)
                text += Format.right(liquidation.quantity.formatted(3), 8) + " "
                text += "EXCHANGE-REPORTED @ " + liquidation.price.formatted(2, grouping: true)
                buffer.put(text, x: inner.x, y: y, role: selected ? .selection : .exchange, limit: inner.width)
            }
        }
    }
}
