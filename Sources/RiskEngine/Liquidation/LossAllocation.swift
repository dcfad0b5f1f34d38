/// The pure parts of what happens after a liquidation: the ADL ranking and the pro-rata split of a
/// socialised loss. Kept apart from the engine so they can be checked against published figures.
public enum LossAllocation {
    /// Binance's ADL score. Values are signed (a short's values are negative):
    /// `PnL% = (mark value − entry value) / |entry value|`,
    /// `effective leverage = |mark value| / (mark value − bankruptcy value)`;
    /// the score is `PnL% × effective leverage` when PnL% > 0, `PnL% / effective leverage` otherwise.
    public static func adlScore(entryValue: Fixed, markValue: Fixed, bankruptcyValue: Fixed) -> Fixed {
        guard !entryValue.isZero else { return .zero }
        let pnlPercent = (markValue - entryValue) / entryValue.magnitude
        let equity = markValue - bankruptcyValue
        guard equity.isPositive else { return pnlPercent.isPositive ? .max : .min }
        let effectiveLeverage = markValue.magnitude / equity
        if pnlPercent.isPositive { return pnlPercent * effectiveLeverage }
        guard effectiveLeverage.isPositive else { return pnlPercent }
        return pnlPercent / effectiveLeverage
    }

    /// Splits `loss` over `profits` pro rata (`loss × own / total`), exactly: the shares add up to
    /// the loss (or to the total profit when that is smaller; nobody loses more than their profit),
    /// the rounding remainder going to the largest winner. Non-positive profits take no share.
    public static func socialise(loss: Fixed, profits: [Fixed]) -> [Fixed] {
        let total = profits.reduce(Fixed.zero) { $0 + Fixed.maximum(.zero, $1) }
        guard loss.isPositive, total.isPositive else { return profits.map { _ in .zero } }
        let charged = Fixed.minimum(loss, total)
        var shares = profits.map { profit -> Fixed in
            profit.isPositive ? (charged * profit / total).rounded(places: 12, .towardZero) : .zero
        }
        let assigned = shares.reduce(Fixed.zero, +)
        if let largest = profits.indices.max(by: { profits[$0] < profits[$1] }) {
            shares[largest] += charged - assigned
        }
        return shares
    }
}
