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
        /// A label and its figure: the label gives way to the figure (narrower, then shortened),
        /// and `extra` (a parenthesis after the figure) is left out when it does not fit whole.
        func line(_ label: String, _ value: String, _ role: StyleRole = .text, extra: String = "") {
            guard y < inner.maxY else { return }
            let full = value + extra
            let shown = DisplayWidth.of(full) + 1 <= inner.width ? full : value
            let labelWidth = max(0, min(13, inner.width - DisplayWidth.of(shown) - 1))
            let x = buffer.put(Format.left(label, labelWidth), x: inner.x, y: y, role: .dim, limit: labelWidth)
            buffer.putWhole((labelWidth > 0 ? " " : "") + shown, x: labelWidth > 0 ? x : inner.x, y: y, role: role, maxX: inner.maxX)
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
        line("drawdown", Format.money(fund.drawdown), state.drawdownLevel == .ok ? .text : .level(state.drawdownLevel),
            extra: " (" + Format.percent(state.drawdown.approximateDouble, decimals: 1) + " of peak)")
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
