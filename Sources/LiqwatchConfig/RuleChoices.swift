import RiskEngine

/// The words the command line and config.toml share for the engine's rules and the replay speed,
/// parsed in one place so both accept exactly the same.
public enum RuleChoices {
    /// `full`, `partial` (down the maintenance brackets) or `partial:FRACTION` with 0.01 ≤ FRACTION < 1
    /// (`LiquidationStyle.smallestPartialFraction`).
    public static func liquidation(_ text: String) -> LiquidationStyle? {
        if text == "full" { return .full }
        if text == "partial" { return .tiered }
        if text.hasPrefix("partial:"), let fraction = Fixed(String(text.dropFirst(8))),
           fraction >= LiquidationStyle.smallestPartialFraction, fraction < .one {
            return .partial(fraction: fraction)
        }
        return nil
    }

    /// How config.toml writes a liquidation style (read back by `liquidation(_:)`).
    public static func text(of style: LiquidationStyle) -> String {
        switch style {
        case .full: return "full"
        case .tiered: return "partial"
        case .partial(let fraction): return "partial:\(fraction)"
        }
    }

    public static func rules(_ text: String) -> RulesProfile? { RulesProfile(rawValue: text.lowercased()) }

    /// Times real time: 0.1 to 1000, or infinity for `max`.
    public static func speed(_ text: String) -> Double? {
        if text == "max" { return .infinity }
        guard let value = Double(text), value >= 0.1, value <= 1000 else { return nil }
        return value
    }

    public static let adlRefreshRange = 1...3_600
    public static let onAlertTimeoutRange = 1.0...600.0
}
