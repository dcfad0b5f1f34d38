/// The mouse: a click focuses the pane under it and selects the row under it (a click on the
/// selected row opens it, as Enter does); the wheel scrolls the list under it. Over a view (help,
/// detail, what-if, alerts) the wheel scrolls the view and a click outside it closes it.
extension AppModel {
    mutating func handle(_ event: MouseEvent) -> [Effect] {
        if case .prompt = mode { return [] }
        let layout = self.layout
        switch event {
        case .wheelUp(let x, let y), .wheelDown(let x, let y):
            let action: Action = { if case .wheelUp = event { return .moveUp } else { return .moveDown } }()
            if case .normal = mode {
                guard let pane = pane(at: x, y, layout), focusablePanes.contains(pane) else { return [] }
                focus = pane
                for _ in 0..<3 { _ = perform(action) }
                return []
            }
            notice = nil
            var effects: [Effect] = []
            for _ in 0..<3 { effects += overlayKey(action) }
            return effects
        case .click(let x, let y):
            if case .normal = mode {
                guard let pane = pane(at: x, y, layout), focusablePanes.contains(pane) else { return [] }
                let wasFocused = focus == pane
                focus = pane
                guard let rect = rect(of: pane, layout), let row = listRow(pane, at: y, inner: rect.inset(1)) else { return [] }
                // A second click on the selected row opens it; the first click on a pane only
                // focuses it (the unfocused markets pane's cursor rests on its top row: a click
                // there changed the focused market at once; review).
                if wasFocused && row == selectedRow(pane) { return perform(.drillDown) }
                select(row, in: pane)
                return []
            }
            if case .alerts(let cursor) = mode, layout.overlay.contains(x: x, y: y) {
                // The alerts view lists rows under a header, as the pane draws them.
                let inner = layout.overlay.inset(1)
                let range = TableRows.visibleRange(count: alertBook.alerts.count, cursor: cursor, in: inner)
                let row = range.lowerBound + (y - inner.y - 1)
                if y > inner.y, range.contains(row) {
                    if row == cursor { return alertsViewKey(.drillDown, cursor: cursor) }
                    mode = .alerts(cursor: row)
                }
                return []
            }
            if !layout.overlay.contains(x: x, y: y) { mode = .normal }
            return []
        }
    }

    /// A key for the view on screen, as `handle(_ key:)` would route it.
    mutating func overlayKey(_ action: Action) -> [Effect] {
        switch mode {
        case .whatIf: scrollWhatIf(action)
        case .alerts(let cursor): return alertsViewKey(action, cursor: cursor)
        default: break
        }
        return []
    }

    func pane(at x: Int, _ y: Int, _ layout: Layout) -> PaneID? {
        PaneID.allCases.first { rect(of: $0, layout)?.contains(x: x, y: y) ?? false }
    }

    func rect(of pane: PaneID, _ layout: Layout) -> Rect? {
        switch pane {
        case .markets: return layout.markets
        case .ladder: return layout.ladder
        case .signals: return layout.signals
        case .positions: return layout.positions
        case .fund: return layout.fund
        case .tape: return layout.tape
        }
    }

    /// The list row drawn at screen line `y` of a list pane (rows start under the header line).
    func listRow(_ pane: PaneID, at y: Int, inner: Rect) -> Int? {
        guard y > inner.y, y < inner.maxY else { return nil }
        let count: Int
        switch pane {
        case .positions: count = visibleRows.count
        case .markets: count = visibleMarkets.count
        case .tape: count = tapeCount
        default: return nil
        }
        let range = TableRows.visibleRange(count: count, cursor: selectedRow(pane) ?? 0, in: inner)
        let row = range.lowerBound + (y - inner.y - 1)
        return range.contains(row) ? row : nil
    }

    func selectedRow(_ pane: PaneID) -> Int? {
        switch pane {
        case .positions: return cursor
        case .markets: return marketCursor
        case .tape: return tapeCursor
        default: return nil
        }
    }

    mutating func select(_ row: Int, in pane: PaneID) {
        switch pane {
        case .positions: cursor = row
        case .markets: marketCursor = row
        case .tape: tapeCursor = row
        default: break
        }
    }
}
