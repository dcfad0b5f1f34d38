/// How a pane's title says its order, in words: ▲ and ▼ mean long and short in these panes, so a
/// sort direction is never an arrow (`sort risk riskiest first`, `sort margin ratio high→low`).
enum SortLabel {
    static func words(risk: Bool, text: Bool, descending: Bool) -> String {
        if risk { return descending ? "safest first" : "riskiest first" }
        if text { return descending ? "Z→A" : "A→Z" }
        return descending ? "high→low" : "low→high"
    }
}
