import RiskEngine

/// `x`: the projection of a mark shock, liquidations in trigger order compounding through the book.
enum WhatIfPane {
    static func render(_ model: AppModel, result: StressResult, ladder: [StressResult], _ rect: Rect, _ buffer: inout Buffer) {
        buffer.fill(rect, role: .help)
        let percent = (result.shockPercent.isNegative ? "" : "+") + result.shockPercent.description
        buffer.box(rect, title: "What-if \(model.marketNames.title(result.symbol)) \(percent)% · Esc back", focused: true)
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
