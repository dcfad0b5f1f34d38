/// Columns of a list pane sized to what they show, and dropped by priority when the pane is too
/// narrow: a figure is never cut, only a name may be shortened (to its cap, with "…").
struct FitColumn {
    var title: String
    /// Left-aligned (names), else right-aligned (figures).
    var left: Bool
    /// Lower numbers stay when the pane is narrow.
    var priority: Int
    /// Names may be shortened to this many cells; figures never are (nil).
    var cap: Int? = nil
}

enum ColumnFit {
    /// The columns that fit `width` (with `gap` spaces between), each as wide as its widest cell
    /// (of `rows`, and `atLeast` where given: cells measured over rows not shown): the highest
    /// priority numbers go first, the rightmost of equals first.
    static func fitting(_ columns: [FitColumn], rows: [[String]], width: Int, gap: Int = 1, atLeast: [Int] = []) -> [(column: Int, width: Int)] {
        var chosen: [(column: Int, width: Int, priority: Int)] = columns.enumerated().map { index, column in
            let title = DisplayWidth.of(column.title)
            var widest = max(title, index < atLeast.count ? atLeast[index] : 0)
            for row in rows where index < row.count { widest = max(widest, DisplayWidth.of(row[index])) }
            return (index, min(widest, max(title, column.cap ?? .max)), column.priority)
        }
        func total() -> Int { chosen.reduce(-gap) { $0 + $1.width + gap } }
        while total() > width, let drop = chosen.indices.max(by: { chosen[$0].priority <= chosen[$1].priority }) {
            chosen.remove(at: drop)
        }
        return chosen.map { ($0.column, $0.width) }
    }

    /// One line of the chosen columns.
    static func line(_ cells: [String], _ columns: [FitColumn], _ chosen: [(column: Int, width: Int)], gap: Int = 1) -> String {
        chosen.map { column, width in
            let text = column < cells.count ? cells[column] : ""
            return columns[column].left ? Format.name(text, width) : Format.right(text, width)
        }.joined(separator: String(repeating: " ", count: gap))
    }
}
