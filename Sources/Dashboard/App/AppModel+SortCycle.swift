extension AppModel {
    /// The column `s` sorts by next: the first after `current`, in the columns' own order, that
    /// `isOffered` (on screen, or the risk order), wrapping round. Counted from the current
    /// column's place in the whole order, not among those offered: when the column sorted by
    /// was not on screen (the rows it brought widened another), the cycle began again at the
    /// first and looped through four columns for ever, never back to riskiest first (operator
    /// trial, a replay of four markets at 120×40).
    static func nextColumn<Column: Equatable>(after current: Column, in order: [Column], isOffered: (Column) -> Bool) -> Column {
        let start = order.firstIndex(of: current) ?? 0
        for step in 1...max(1, order.count) {
            let candidate = order[(start + step) % order.count]
            if isOffered(candidate) { return candidate }
        }
        return current
    }
}
