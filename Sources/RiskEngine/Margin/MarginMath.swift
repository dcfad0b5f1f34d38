/// The exchange formulas, exact to 10⁻¹⁸. Every function is pure; the engine and the calculator
/// both call these, so the dashboard and `liqwatch margin` can never disagree.
///
/// Units: a linear contract's money is quote (USDT); an inverse contract's money is the base coin
/// (BTC for BTCUSD_PERP) and its quantity counts contracts of `contractSize` USD.
public enum MarginMath {
    // MARK: Value

    /// Position value at `price`: `Q × P` (quote) for linear, `N × CS / P` (coin) for inverse.
    public static func notional(_ terms: PositionTerms, at price: Fixed) -> Fixed {
        notional(kind: terms.kind, quantity: terms.quantity, at: price)
    }

    /// The same from the contract's kind and the quantity alone: a caller holding no terms need not
    /// build them (their bracket table, retained and released, was most of the cost).
    @inline(__always)
    public static func notional(kind: ContractKind, quantity: Fixed, at price: Fixed) -> Fixed {
        switch kind {
        case .linear:
            return quantity * price
        case .inverse(let contractSize):
            guard price.isPositive else { return .max }
            return quantity * contractSize / price
        }
    }

    /// Value in the quote currency (USD, USDT) at `price`: `Q × P` for linear, `N × CS` for inverse
    /// (whose contracts are of a USD size): what compares the size of positions across markets,
    /// where `notional` is in the coin for inverse contracts.
    @inline(__always)
    public static func quoteValue(kind: ContractKind, quantity: Fixed, at price: Fixed) -> Fixed {
        switch kind {
        case .linear: return quantity * price
        case .inverse(let contractSize): return quantity * contractSize
        }
    }

    /// The largest margin a leverage may imply (a quadrillion, the limit of a stated margin, wallet
    /// or fund): past it the money sums an account enters saturate, and the figures an operator
    /// reads beside them are meaningless.
    public static let largestImpliedMargin = Fixed(1_000_000_000_000_000)

    /// Whether `notional ÷ leverage` (the margin a leverage implies where none is stated) is within
    /// `largestImpliedMargin`. Checked in Double first (a positions file's rows are placed by the
    /// million), exactly only near or past the limit, as a product that cannot overflow (a
    /// notional and a leverage are at most 10²⁰ and 10³ where they are read).
    @inline(__always)
    public static func impliedMarginIsWithinLimit(notional: Fixed, leverage: Fixed) -> Bool {
        // Nearly every position: a leverage of 1 or more and a notional within the limit (two
        // comparisons; the Double conversions were 49 instructions a placed position).
        // (Raw literals: a static `Fixed` is a lazy global, checked at every read.)
        if leverage.raw >= 1_000_000_000_000_000_000 && notional.raw <= 1_000_000_000_000_000_000_000_000_000_000_000 { return true }
        guard leverage.isPositive else { return false }
        if notional.roughDouble < 0.5e15 * leverage.roughDouble { return true }
        return notional <= largestImpliedMargin * leverage
    }

    /// Unrealised PnL at `mark`: `side × Q × (P − EP)` linear; `side × N × CS × (1/EP − 1/P)` inverse.
    public static func unrealisedPnL(_ terms: PositionTerms, at mark: Fixed) -> Fixed {
        switch terms.kind {
        case .linear:
            return terms.signedQuantity * (mark - terms.entryPrice)
        case .inverse:
            return notional(terms, at: terms.entryPrice) * terms.side.sign - notional(terms, at: mark) * terms.side.sign
        }
    }

    /// What a venue's tier caps are compared with: the notional at the mark (Binance, Hyperliquid),
    /// the position value at entry (Bybit), the number of contracts (OKX).
    public static func tierMeasure(_ terms: PositionTerms, rules: MarginRules, at mark: Fixed) -> Fixed {
        switch rules {
        case .binance, .hyperliquid: return notional(terms, at: mark)
        case .bybit: return notional(terms, at: terms.entryPrice)
        case .okx: return terms.contracts
        }
    }

    /// The bracket as the venue applies it. OKX charges its tier's rate on the whole position and
    /// counts the liquidation fee in the requirement, so its bracket is the tier's rate plus the
    /// fee rate, with no maintenance amount; the other venues' brackets are the table's own.
    public static func appliedBracket(_ terms: PositionTerms, rules: MarginRules, at mark: Fixed) -> MarginBracket {
        let bracket = terms.brackets.bracket(forNotional: tierMeasure(terms, rules: rules, at: mark))
        guard rules == .okx else { return bracket }
        return MarginBracket(notionalCap: bracket.notionalCap,
            maintenanceMarginRate: bracket.maintenanceMarginRate + terms.liquidationFeeRate, maintenanceAmount: .zero)
    }

    /// The maintenance margin and the bracket it came from, by the venue's rule: on the notional at
    /// the mark (Binance, Hyperliquid, OKX) or on the entry value (Bybit).
    public static func maintenance(_ terms: PositionTerms, rules: MarginRules, at mark: Fixed) -> (bracket: MarginBracket, margin: Fixed) {
        let base = rules == .bybit ? notional(terms, at: terms.entryPrice) : notional(terms, at: mark)
        // Outside OKX the tier measure is this same value (`tierMeasure`): one multiplication, not
        // two (the ADL ranking computes this for every position of a side).
        let bracket = rules == .okx ? appliedBracket(terms, rules: rules, at: mark) : terms.brackets.bracket(forNotional: base)
        // Worked from a saturated notional the margin is no figure either: it saturates with it
        // (half of a saturated notional read as an exact maintenance margin: attacker trial).
        if base.isSaturated { return (bracket, .max) }
        return (bracket, Fixed.maximum(.zero, bracket.maintenanceMargin(notional: base)))
    }

    /// The largest quantity (a multiple of `lot`) whose tier measure at `price` is at most `cap`:
    /// what a tiered partial liquidation cuts a position down to.
    public static func quantity(fittingTierCap cap: Fixed, _ terms: PositionTerms, rules: MarginRules, at price: Fixed, lot: Fixed) -> Fixed {
        let exact: Fixed
        switch (rules, terms.kind) {
        case (.okx, .linear): exact = cap * terms.coinsPerContract
        case (.okx, .inverse): exact = cap
        case (_, .linear): exact = cap / price
        case (_, .inverse(let size)): exact = cap * price / size
        }
        return exact.rounded(toMultipleOf: lot, .down)
    }

    /// `rate × liquidated notional` (in the contract's settlement money).
    public static func liquidationFee(notional: Fixed, rate: Fixed) -> Fixed { notional.magnitude * rate }

    // MARK: Liquidation price

    /// The mark at which margin balance equals maintenance margin, or nil when there is none (a
    /// fully collateralised long, a hedging inverse short).
    public static func liquidationPrice(_ terms: PositionTerms, context: MarginContext, rules: MarginRules) -> Fixed? {
        guard terms.quantity.isPositive, terms.entryPrice.isPositive else { return nil }
        switch rules {
        case .binance, .hyperliquid: return binanceLiquidationPrice(terms, context: context)
        case .bybit: return bybitLiquidationPrice(terms, context: context)
        case .okx:
            // OKX's tier depends on the contracts alone, never on the price: one solution.
            // Linear: `LP = (side·Q·EP − C) ÷ (Q·(side − r))`, which is OKX's published long
            // `(margin − ctVal·|pos|·avgPx) ÷ (ctVal·|pos|·(mmr + fee − 1))` and short
            // `(margin + ctVal·|pos|·avgPx) ÷ (ctVal·|pos|·(1 + mmr + fee))`; inverse
            // `LP = N·(r + side) ÷ (C + side·N/EP)`; r = tier MMR + liquidation fee rate. Both are
            // Binance's forms with that rate and no maintenance amount.
            return binanceLiquidationPrice(terms, context: context, bracket: appliedBracket(terms, rules: .okx, at: terms.entryPrice))
        }
    }

    /// Whether the position's margin balance is at or below its maintenance margin at every price,
    /// the other positions' share held as it is now: where `liquidationPrice` finds no price
    /// because every price is past it, not because none is (a long that cannot lose its
    /// collateral, an inverse short worth less than it). Only a linear short (its best case, a
    /// price near 0, gains `Q·EP`) and an inverse long (its best, a price without bound, gains
    /// `N·CS/EP` in coin) can be: a cross leg whose account's other legs lose more than that.
    /// Bybit's maintenance margin is on the entry value, so it is what the best case must pass;
    /// the others' falls to nothing with the notional.
    public static func isPastAtEveryPrice(_ terms: PositionTerms, context: MarginContext, rules: MarginRules) -> Bool {
        guard terms.quantity.isPositive, terms.entryPrice.isPositive else { return false }
        let base = context.collateral - context.otherMaintenance + context.otherUnrealised
        let best: Fixed
        switch (terms.kind, terms.side) {
        case (.linear, .short), (.inverse, .long): best = base + notional(terms, at: terms.entryPrice)
        default: return false
        }
        let floor = rules == .bybit ? maintenance(terms, rules: .bybit, at: terms.entryPrice).margin : .zero
        return best <= floor
    }

    /// Binance (and Hyperliquid, whose formula is the same equation), one-way mode:
    /// linear  `LP = (WB − TMM₁ + UPNL₁ + cum − side·Q·EP) / (Q·MMR − side·Q)`;
    /// inverse `LP = (N·MMR + side·N) / ((WB − TMM₁ + UPNL₁ + cum)/CS + side·N/EP)`.
    /// The bracket is first the one at entry; when the bracket at the resulting price differs, the
    /// price is recomputed with that bracket (Binance's rule), until it settles.
    static func binanceLiquidationPrice(_ terms: PositionTerms, context: MarginContext) -> Fixed? {
        // Worked out once (the bracket at entry, and a linear price's numerator at each bracket tried).
        let entryNotional = notional(terms, at: terms.entryPrice)
        var bracket = terms.brackets.bracket(forNotional: entryNotional)
        var tried: [MarginBracket] = []
        var price: Fixed? = nil
        for _ in 0..<(terms.brackets.brackets.count + 2) {
            price = binanceLiquidationPrice(terms, context: context, bracket: bracket, entryNotional: entryNotional)
            guard let candidate = price else { return nil }
            let atLiquidation = terms.brackets.bracket(forNotional: notional(terms, at: candidate))
            if atLiquidation == bracket { return candidate }
            // A price that sits exactly where two brackets meet could flip between them; stop at
            // the first repeat, where the maintenance margin is the same either side.
            if tried.contains(atLiquidation) { return candidate }
            tried.append(bracket)
            bracket = atLiquidation
        }
        return price
    }

    /// `entryNotional`, when given, is `notional(terms, at: terms.entryPrice)` (for a linear
    /// contract `Q·EP`, the same product).
    static func binanceLiquidationPrice(_ terms: PositionTerms, context: MarginContext, bracket: MarginBracket,
                                        entryNotional: Fixed? = nil) -> Fixed? {
        let side = terms.side.sign
        let q = terms.quantity
        let mmr = bracket.maintenanceMarginRate
        let available = context.collateral - context.otherMaintenance + context.otherUnrealised + bracket.maintenanceAmount
        switch terms.kind {
        case .linear:
            let numerator = available - (entryNotional ?? q * terms.entryPrice) * side
            let denominator = q * mmr - q * side
            guard !denominator.isZero else { return nil }
            let price = numerator / denominator
            return price.isPositive ? price : nil
        case .inverse(let contractSize):
            // A long has both terms positive; a short above 1x has both negative (its collateral
            // is less than its value in coin). Either way the price is their quotient; a short
            // collateralised beyond its value (a hedge) has none.
            let numerator = q * mmr + q * side
            let denominator = available / contractSize + q * side / terms.entryPrice
            guard !denominator.isZero else { return nil }
            let price = numerator / denominator
            return price.isPositive ? price : nil
        }
    }

    /// Bybit: linear `LP = EP ∓ (IM − MM)/Q`; inverse `LP = Q/(PV ± (IM − MM))` with `Q` the position
    /// value in USD and `PV = Q/EP`. For a cross position, IM is what the account can lose before
    /// its other positions' maintenance margin is touched.
    static func bybitLiquidationPrice(_ terms: PositionTerms, context: MarginContext) -> Fixed? {
        let mm = maintenance(terms, rules: .bybit, at: terms.entryPrice).margin
        let im = context.collateral - context.otherMaintenance + context.otherUnrealised
        return bybitPrice(terms, lossAbsorbed: im - mm)
    }

    // MARK: Bankruptcy price

    /// The mark at which the margin balance reaches zero: the same for both rule sets (no
    /// maintenance margin, collateral plus the other positions' PnL).
    public static func bankruptcyPrice(_ terms: PositionTerms, context: MarginContext, rules: MarginRules) -> Fixed? {
        guard terms.quantity.isPositive, terms.entryPrice.isPositive else { return nil }
        return bybitPrice(terms, lossAbsorbed: context.collateral + context.otherUnrealised)
    }

    /// The price at which the position has lost exactly `lossAbsorbed` (money of the contract).
    static func bybitPrice(_ terms: PositionTerms, lossAbsorbed: Fixed) -> Fixed? {
        switch terms.kind {
        case .linear:
            let price = terms.entryPrice - lossAbsorbed / terms.quantity * terms.side.sign
            return price.isPositive ? price : nil
        case .inverse(let contractSize):
            let usdValue = terms.quantity * contractSize
            let coinValue = usdValue / terms.entryPrice
            let denominator = coinValue + lossAbsorbed * terms.side.sign
            guard denominator.isPositive else { return nil }
            return usdValue / denominator
        }
    }

    // MARK: Ratios

    /// `MM / margin balance`; nil when the margin balance is zero or negative (already bankrupt).
    public static func marginRatio(maintenance: Fixed, marginBalance: Fixed) -> Fixed? {
        guard marginBalance.isPositive else { return nil }
        return maintenance / marginBalance
    }

    /// How far the mark may move against the position before it is liquidated, in % of the mark.
    public static func distanceToLiquidationPercent(side: Side, mark: Fixed, liquidationPrice: Fixed?) -> Fixed? {
        guard mark.isPositive, let liquidation = liquidationPrice else { return nil }
        let distance = side == .long ? mark - liquidation : liquidation - mark
        return distance / mark * Fixed(100)
    }
}
