import RiskEngine

/// The footer's word on a jump to the next or previous notable event.
public enum JumpLanding {
    /// The one market a jump landed on (its liquidations, the exchange's, its alerts), nil when
    /// it landed on several or none: the dashboard focuses it (the ladder and the fund stayed on
    /// the market focused before while the footer named a liquidation of another: operator trial).
    public static func market(at time: Int64, log: SessionLog) -> String? {
        var markets = Set<String>()
        for record in log.simulatedLiquidations.reversed().prefix(while: { $0.time >= time }) where record.time == time { markets.insert(record.symbol) }
        for record in log.exchangeLiquidations.reversed().prefix(while: { $0.time >= time }) where record.time == time { markets.insert(record.symbol) }
        for alert in log.alerts.reversed().prefix(while: { $0.time >= time }) where alert.time == time { markets.insert(alert.symbol) }
        for condition in log.conditions.reversed().prefix(while: { $0.time >= time }) where condition.time == time { markets.insert(condition.symbol) }
        return markets.count == 1 ? markets.first : nil
    }

    /// What a jump (`]`, `[`) landed on, for the footer: the jump had said nothing, and a cascade's
    /// hundred liquidations a second were told apart only by watching the tape (operator trial).
    /// The log's newest records are the landing's (the session has just reached it).
    /// Markets by `names` (in a one-venue session, `BTCUSDT`, as every pane names it, not
    /// `binance-usdm:BTCUSDT`: operator trial).
    public static func text(at time: Int64, log: SessionLog, names: MarketNames = MarketNames()) -> String {
        let simulated = log.simulatedLiquidations.reversed().prefix { $0.time >= time }.filter { $0.time == time }
        let exchange = log.exchangeLiquidations.reversed().prefix { $0.time >= time }.filter { $0.time == time }.count
        let alerts = log.alerts.reversed().prefix { $0.time >= time }.filter { $0.time == time }
        var parts: [String] = []
        if simulated.count == 1, let only = simulated.first {
            var part = "liquidation \(Format.sideMark(only.side)) \(SafeText.escaped(only.account)) \(names.short(only.symbol))"
            if only.deficit.isPositive {
                part += ", deficit \(Format.money(only.deficit, decimals: AssetPrecision.decimals(forAsset: only.asset))) \(only.asset)"
            }
            if only.adlQuantity.isPositive { part += ", ADL" }
            parts.append(part)
        } else if simulated.count > 1 {
            let deficits = simulated.filter { $0.deficit.isPositive }.count
            let adl = simulated.filter { $0.adlQuantity.isPositive }.count
            var part = "\(Format.count(simulated.count)) liquidations"
            var notes: [String] = []
            if deficits > 0 { notes.append("\(Format.count(deficits)) with a deficit") }
            if adl > 0 { notes.append("\(Format.count(adl)) to ADL") }
            if !notes.isEmpty { part += " (" + notes.joined(separator: ", ") + ")" }
            parts.append(part)
        }
        if exchange > 0 { parts.append("\(Format.count(exchange)) reported by the exchange") }
        // A book untrusted and a mark outdated are alerts too (`MarketCondition`).
        let conditions = log.conditions.reversed().prefix { $0.time >= time }.filter { $0.time == time }
        if alerts.count + conditions.count == 1 {
            if let only = alerts.first {
                parts.append("alert \(names.short(only.symbol)) \(only.signal.title.lowercased())")
            } else if let only = conditions.first {
                parts.append("alert \(names.short(only.symbol)) " + (only.kind == .staleBook ? "book stale" : "mark outdated"))
            }
        } else if alerts.count + conditions.count > 1 {
            parts.append("\(Format.count(alerts.count + conditions.count)) alerts")
        }
        return "→ \(Format.clockMillis(time)): " + (parts.isEmpty ? "a liquidation, deficit or alert" : parts.joined(separator: " · "))
    }
}
