import RiskEngine

extension AppModel {
    /// " · STALE" on the title of a pane fed by a stale stream or showing a book that cannot be
    /// trusted (no snapshot yet, or a gap since); " · MARK OUTDATED" (or DISPUTED) when the book
    /// can be but the mark cannot, so nothing is liquidated in the market: positions past their
    /// triggers stood open with nothing on screen saying why.
    func staleTag(symbol: String?) -> String {
        if status.isStale(symbol: symbol) { return " · STALE" }
        guard let symbol, let market = engine.market(symbol), market.isWatched else { return "" }
        if let reason = market.staleReason { return " · STALE (\(reason == "no snapshot" ? "no book" : reason))" }
        switch market.liquidationBlock(now: engine.time, maximumAge: engine.configuration.maximumBookAge) {
        case .outdatedMark: return " · MARK OUTDATED"
        case .disputedMark: return " · MARK DISPUTED"
        default: return ""
        }
    }
}
