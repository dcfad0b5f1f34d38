import RiskEngine

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
