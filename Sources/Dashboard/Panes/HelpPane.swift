import RiskEngine

/// `?`: generated from the keymap that drives the keys. In two columns when one does not hold
/// every key (80×24): no key is ever left out of its own help.
enum HelpPane {
    /// `mark≈`: the ladder's mark is liqwatch's proxy (the feed gives none), not the exchange's.
    static let legend = "▲ long  ▼ short · − ask  + bid · mark≈ proxy · sorts in words · UTC"
    /// The completeness marks of exchange-reported liquidations (tape `src`, markets `ex liqs`),
    /// from `LiquidationCompleteness`, the one place they are defined.
    /// Short enough for 80 columns.
    static let liquidationLegend = "exchange liqs: \(LiquidationCompleteness.sample.mark) sample (max 1/contract/s) · "
        + "\(LiquidationCompleteness.all.mark) all · n/a none"
    /// What the deficit columns (tape, positions, what-if list) say where the book could not take a
    /// liquidation.
    static let coverLegend = "deficit: ADL deleveraged · FUND fund took it · x +ADL: deficit, and ADL"

    static func render(_ model: AppModel, _ rect: Rect, _ buffer: inout Buffer) {
        buffer.fill(rect, role: .help)
        let keymap = model.keymap
        buffer.box(rect, title: "Keys · \(keymap.label(for: .help)) or \(keymap.label(for: .back)) closes", focused: true)
        let inner = rect.inset(1)
        let bindings = keymap.bindings
        // Rows left for keys: the two legends and the watch-only line take three (the tape's
        // legend goes in a row the keys leave, never in one of theirs).
        let rowsForKeys = max(1, inner.height - 3)
        let columns = bindings.count > rowsForKeys ? 2 : 1
        let perColumn = (bindings.count + columns - 1) / columns
        let columnWidth = (inner.width - 2) / columns
        let keyWidth = columns == 1 ? 16 : 10
        for (index, binding) in bindings.enumerated() {
            let column = index / perColumn
            let y = inner.y + index % perColumn
            guard y < inner.maxY - (columns == 1 ? 0 : 3) else { continue }
            let x0 = inner.x + 2 + column * columnWidth
            let keys = binding.keys.map(\.label).joined(separator: " / ")
            let x = buffer.put(Format.left(keys, keyWidth), x: x0, y: y, role: .title)
            let room = max(0, x0 + columnWidth - 1 - x)
            buffer.put(Format.name(binding.description(fitting: room), room).trimmingTrailingSpaces, x: x, y: y, role: .help, limit: room)
        }
        var y = inner.y + min(perColumn, rowsForKeys)
        if y < inner.maxY {
            buffer.put(legend, x: inner.x + 2, y: y, role: .help, limit: inner.width - 4)
            y += 1
        }
        if y < inner.maxY {
            buffer.put(liquidationLegend, x: inner.x + 2, y: y, role: .help, limit: inner.width - 4)
            y += 1
        }
        if y < inner.maxY - 1 && perColumn < rowsForKeys && DisplayWidth.of(coverLegend) <= inner.width - 4 {
            buffer.put(coverLegend, x: inner.x + 2, y: y, role: .help, limit: inner.width - 4)
            y += 1
        }
        if y < inner.maxY {
            buffer.put("liqwatch only watches: nothing here places or changes an order.", x: inner.x + 2, y: y, role: .dim, limit: inner.width - 4)
        }
    }
}
