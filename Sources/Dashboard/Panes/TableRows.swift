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

    static func draw(count: Int, cursor: Int, in inner: Rect, focused: Bool, _ buffer: inout Buffer,
                     row: (_ index: Int, _ y: Int, _ selected: Bool, _ buffer: inout Buffer) -> Void) {
        guard count > 0 else { return }
        let visible = inner.height - 1
        let cursor = min(cursor, count - 1)
        let top = max(0, min(cursor - visible / 2, count - visible))
        for offset in 0..<max(0, min(visible, count - top)) {
            let y = inner.y + 1 + offset
            let selected = top + offset == cursor && focused
            if selected { buffer.fill(Rect(x: inner.x, y: y, width: inner.width, height: 1), role: .selection) }
            row(top + offset, y, selected, &buffer)
        }
    }
}
