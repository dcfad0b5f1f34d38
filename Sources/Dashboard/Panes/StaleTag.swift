import RiskEngine

extension AppModel {
    /// " · STALE" on the title of a pane fed by a stale stream or showing a book that cannot be
    /// trusted (no snapshot yet, or a gap since).
    func staleTag(symbol: String?) -> String {
        if status.isStale(symbol: symbol) { return " · STALE" }
        guard let symbol, let market = engine.market(symbol), market.isWatched, let reason = market.staleReason else { return "" }
        return " · STALE (\(reason == "no snapshot" ? "no book" : reason))"
    }
}
