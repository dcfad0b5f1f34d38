/// The rows of a table pane under its header line (positions, markets): the cursor's row kept in
/// the middle while it can be, and filled as selected when the pane has the focus.
enum TableRows {
    /// Calls `row` with each visible row's index, its line and whether it is the selected one.
    /// The indexes of the rows on screen, for sizing columns to what they will show.
    static func visibleRange(count: Int, cursor: Int, in inner: Rect) -> Range<Int> {
        guard count > 0 else { return 0..<0 }
        let visible = max(0, inner.height - 1)
        let cursor = min(cursor, count - 1)
        let top = max(0, min(cursor - visible / 2, count - visible))
        return top..<min(count, top + visible)
    }

    /// `alertsHidden`: how many of the rows outside the range shown are at ALERT (the markets
    /// pane's; 0 for a table whose rows have no level).
    static func draw(count: Int, cursor: Int, in inner: Rect, focused: Bool, _ buffer: inout Buffer,
                     alertsHidden: (Range<Int>) -> Int = { _ in 0 },
                     row: (_ index: Int, _ y: Int, _ selected: Bool, _ buffer: inout Buffer) -> Void) {
        guard count > 0 else { return }
        let visible = inner.height - 1
        let cursor = min(cursor, count - 1)
        let top = max(0, min(cursor - visible / 2, count - visible))
        let shown = max(0, min(visible, count - top))
        for offset in 0..<shown {
            let y = inner.y + 1 + offset
            let selected = top + offset == cursor && focused
            if selected { buffer.fill(Rect(x: inner.x, y: y, width: inner.width, height: 1), role: .selection) }
            row(top + offset, y, selected, &buffer)
        }
        let hidden = count - shown > 0 ? alertsHidden(top..<(top + shown)) : 0
        markHidden(above: top, below: count - top - shown, alerts: hidden, in: inner, &buffer)
    }

    /// The rows the pane cannot show, on its bottom border (`inner` is a box's inside, so its
    /// last line is the border's): a markets pane of five listed four, with nothing to say a
    /// fifth was there, and the one live market of the session was the one off screen (operator
    /// trial). Said whole or not at all.
    static func markHidden(above: Int, below: Int, alerts: Int = 0, in inner: Rect, _ buffer: inout Buffer) {
        guard above > 0 || below > 0 else { return }
        // Shorter where the pane is narrow (the tape at 80 columns had room for `830 below` and
        // said nothing: operator trial).
        // Hidden rows at ALERT said first of all (the markets pane at 80×24 shows one row and
        // `4 more below`, whether or not one of the four was at ALERT: operator trial).
        let alert = alerts > 0 ? "\(Format.count(alerts)) at ALERT" : nil
        let long = [above > 0 ? "\(Format.count(above)) above" : nil, below > 0 ? "\(Format.count(below)) more below" : nil, alert]
        let short = [above > 0 ? "\(Format.count(above)) above" : nil, below > 0 ? "\(Format.count(below)) below" : nil, alert]
        // Narrower still, arrows (the tape at 80×24 scrolled to a middle row: `20 above · 472
        // below` did not fit its 17 cells, and the border said nothing: operator trial).
        let arrows = [above > 0 ? "↑\(Format.count(above))" : nil, below > 0 ? "↓\(Format.count(below))" : nil, alerts > 0 ? "\(Format.count(alerts)) ALERT" : nil]
        let alertOnly = alerts > 0 ? [alert] : []
        for parts in [long, short, arrows, alertOnly] where !parts.isEmpty {
            let label = " " + parts.compactMap { $0 }.joined(separator: " · ") + " "
            let width = DisplayWidth.of(label)
            guard width + 4 <= inner.width else { continue }
            buffer.put(label, x: inner.maxX - width - 1, y: inner.maxY, role: alerts > 0 ? .alert : .dim)
            return
        }
    }
}
