import RiskEngine

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
