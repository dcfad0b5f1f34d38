/// One maintenance-margin tier: positions whose notional is above the previous cap and at most
/// `notionalCap` use `maintenanceMarginRate`, minus `maintenanceAmount` (Binance's "cum").
public struct MarginBracket: Hashable, Sendable {
    public var notionalCap: Fixed
    public var maintenanceMarginRate: Fixed
    public var maintenanceAmount: Fixed

    public init(notionalCap: Fixed, maintenanceMarginRate: Fixed, maintenanceAmount: Fixed) {
        self.notionalCap = notionalCap
        self.maintenanceMarginRate = maintenanceMarginRate
        self.maintenanceAmount = maintenanceAmount
    }

    /// `MM = notional × MMR − maintenance amount`.
    public func maintenanceMargin(notional: Fixed) -> Fixed {
        notional.magnitude * maintenanceMarginRate - maintenanceAmount
    }
}

/// A tiered maintenance-margin table. The maintenance amounts are derived, never typed in:
/// `cum_n = cap_{n−1} × (MMR_n − MMR_{n−1}) + cum_{n−1}`, which makes the maintenance margin
/// continuous across a bracket boundary.
public struct BracketTable: Hashable, Sendable {
    public private(set) var brackets: [MarginBracket]

    /// `caps` must rise strictly; rates should not fall. An empty list means no maintenance margin.
    public init(caps: [Fixed], rates: [Fixed]) {
        var result: [MarginBracket] = []
        var previousCap = Fixed.zero
        var previousRate = Fixed.zero
        var cumulative = Fixed.zero
        for (cap, rate) in zip(caps, rates) {
            if !result.isEmpty { cumulative = previousCap * (rate - previousRate) + cumulative }
            result.append(MarginBracket(notionalCap: cap, maintenanceMarginRate: rate, maintenanceAmount: cumulative))
            previousCap = cap
            previousRate = rate
        }
        brackets = result
    }

    init(capsAndRates: [(Int, String)]) {
        self.init(caps: capsAndRates.map { Fixed($0.0) }, rates: capsAndRates.map { Fixed($0.1)! })
    }

    /// Hyperliquid's margin tiers: where each tier starts (notional, the first at 0) and its max
    /// leverage. A tier's maintenance rate is half its initial margin rate at max leverage, `1 ÷ (2
    /// × max leverage)`; its cap is where the next tier starts, so the derived maintenance amounts
    /// are Hyperliquid's deductions (`deduction_n = deduction_{n−1} + lower_bound_n × (MMR_n −
    /// MMR_{n−1})`).
    public init(marginTiers: [(lowerBound: Fixed, maxLeverage: Fixed)]) {
        self.init(caps: marginTiers.dropFirst().map(\.lowerBound) + [Fixed.max],
            rates: marginTiers.map { Fixed.one / (Fixed(2) * $0.maxLeverage) })
    }

    /// Checks Hyperliquid-form tiers typed by an operator: the first from 0, bounds rising, leverage
    /// at least 1 and not rising.
    public static func validateMarginTiers(_ tiers: [(lowerBound: Fixed, maxLeverage: Fixed)]) -> String? {
        guard let first = tiers.first else { return "at least one tier is needed" }
        if !first.lowerBound.isZero { return "tier 1 must start at 0" }
        for index in tiers.indices {
            if tiers[index].maxLeverage < .one { return "tier \(index + 1): max leverage must be at least 1" }
            if index > 0 && tiers[index].lowerBound <= tiers[index - 1].lowerBound { return "tier \(index + 1): lower bounds must rise" }
            if index > 0 && tiers[index].maxLeverage > tiers[index - 1].maxLeverage { return "tier \(index + 1): max leverage must not rise" }
        }
        return nil
    }

    /// One bracket with no maintenance amount, for `--mmr R`.
    public static func single(rate: Fixed) -> BracketTable {
        BracketTable(caps: [Fixed.max], rates: [rate])
    }

    /// The bracket whose range holds `notional` (the last one beyond the final cap).
    public func bracket(forNotional notional: Fixed) -> MarginBracket {
        let value = notional.magnitude
        for bracket in brackets where value <= bracket.notionalCap { return bracket }
        return brackets.last ?? MarginBracket(notionalCap: .max, maintenanceMarginRate: .zero, maintenanceAmount: .zero)
    }

    /// The highest maintenance rate a table may give: every venue's last tier is at most 50 %
    /// (Binance's), and a rate near 1 made a liquidation price of 10²² saturate and print as
    /// a figure (`--mmr 0.999999999999999999`: attacker trial).
    public static let highestRate = Fixed("0.5")!

    /// Checks a table typed by an operator: caps rising, rates in [0, 0.5] and not falling.
    public static func validate(caps: [Fixed], rates: [Fixed]) -> String? {
        if caps.isEmpty { return "at least one bracket is needed" }
        for index in caps.indices {
            if !caps[index].isPositive { return "bracket \(index + 1): cap must be positive" }
            if rates[index].isNegative || rates[index] > highestRate { return "bracket \(index + 1): rate must be in [0, 0.5] (no venue's is higher)" }
            if index > 0 && caps[index] <= caps[index - 1] { return "bracket \(index + 1): caps must rise" }
            if index > 0 && rates[index] < rates[index - 1] { return "bracket \(index + 1): rates must not fall" }
        }
        return nil
    }
}
