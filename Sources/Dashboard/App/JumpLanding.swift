import RiskEngine

/// The footer's word on a jump to the next or previous notable event.
public enum JumpLanding {
    /// The one market a jump landed on (its liquidations, the exchange's, its alerts), nil when
    /// it landed on several or none: the dashboard focuses it (the ladder and the fund stayed on
    /// the market focused before while the footer named a liquidation of another: operator trial).
    public static func market(at time: Int64, log: SessionLog) -> String? {
        let markets = Set(at(time, log.simulatedLiquidations, \.time).map(\.symbol))
            .union(at(time, log.exchangeLiquidations, \.time).map(\.symbol))
            .union(at(time, log.alerts, \.time).map(\.symbol))
            .union(at(time, log.conditions, \.time).map(\.symbol))
        return markets.count == 1 ? markets.first : nil
    }

    /// The market with the most of the landing's records (liquidations, the exchange's, alerts),
    /// the first named of those tied: where a landing on several markets goes when the market
    /// focused has ended.
    public static func busiestMarket(at time: Int64, log: SessionLog) -> String? {
        var counts: [String: Int] = [:]
        var order: [String] = []
        func count(_ symbol: String) {
            if counts[symbol] == nil { order.append(symbol) }
            counts[symbol, default: 0] += 1
        }
        at(time, log.simulatedLiquidations, \.time).forEach { count($0.symbol) }
        at(time, log.exchangeLiquidations, \.time).forEach { count($0.symbol) }
        at(time, log.alerts, \.time).forEach { count($0.symbol) }
        at(time, log.conditions, \.time).forEach { count($0.symbol) }
        return order.max { (counts[$0] ?? 0) < (counts[$1] ?? 0) }
    }

    /// The newest of `records` (oldest first) that are of `time`: the landing's, the session
    /// having just reached it.
    static func at<Records: BidirectionalCollection>(_ time: Int64, _ records: Records, _ timeOf: KeyPath<Records.Element, Int64>) -> [Records.Element] {
        records.reversed().prefix { $0[keyPath: timeOf] >= time }.filter { $0[keyPath: timeOf] == time }
    }

    /// What a jump (`]`, `[`) landed on, for the footer: the jump had said nothing, and a cascade's
    /// hundred liquidations a second were told apart only by watching the tape (operator trial).
    /// The log's newest records are the landing's (the session has just reached it).
    /// Markets by `names` (in a one-venue session, `BTCUSDT`, as every pane names it, not
    /// `binance-usdm:BTCUSDT`: operator trial).
    /// `dated`: the session spans days, and the time says its date (`[` in a session of four
    /// years read `→ 19:14:03.893: 2 alerts`, of no day: operator trial).
    public static func text(at time: Int64, log: SessionLog, names: MarketNames = MarketNames(), dated: Bool = false) -> String {
        let simulated = at(time, log.simulatedLiquidations, \.time)
        let exchange = at(time, log.exchangeLiquidations, \.time).count
        let alerts = at(time, log.alerts, \.time)
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
        let conditions = at(time, log.conditions, \.time)
        if alerts.count + conditions.count == 1 {
            if let only = alerts.first {
                parts.append("alert \(names.short(only.symbol)) \(only.signal.title.lowercased())")
            } else if let only = conditions.first {
                parts.append("alert \(names.short(only.symbol)) " + (only.kind == .staleBook ? "book stale" : only.kind == .markOutdated ? "mark outdated" : "book back after " + (only.reason ?? "a gap")))
            }
        } else if alerts.count + conditions.count > 1 {
            parts.append("\(Format.count(alerts.count + conditions.count)) alerts")
        }
        return "→ \(dated ? EventTime.date(time) + " " : "")\(Format.clockMillis(time)): " + (parts.isEmpty ? "a liquidation, deficit or alert" : parts.joined(separator: " · "))
    }
}
