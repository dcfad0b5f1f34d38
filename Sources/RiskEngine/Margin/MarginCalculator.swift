/// One position, as the operator types it into `liqwatch margin`.
public struct MarginQuestion: Sendable {
    public enum Collateral: Hashable, Sendable {
        /// Isolated margin placed on the position.
        case isolatedMargin(Fixed)
        /// Cross margin: the account's wallet balance backs the position (its only one).
        case walletBalance(Fixed)
        /// Isolated margin of notional-at-entry / leverage.
        case leverage(Fixed)
    }

    public var side: Side
    public var quantity: Fixed
    public var entryPrice: Fixed
    public var collateral: Collateral
    public var kind: ContractKind
    public var brackets: BracketTable
    public var rules: MarginRules
    public var mark: Fixed?
    /// Coins per exchange contract (OKX's linear ctVal; see `PositionTerms.coinsPerContract`).
    public var coinsPerContract: Fixed
    /// OKX's rule counts it in the maintenance requirement.
    public var liquidationFeeRate: Fixed

    public init(side: Side, quantity: Fixed, entryPrice: Fixed, collateral: Collateral, kind: ContractKind,
                brackets: BracketTable, rules: MarginRules, mark: Fixed?, coinsPerContract: Fixed = .one, liquidationFeeRate: Fixed = .zero) {
        self.side = side
        self.quantity = quantity
        self.entryPrice = entryPrice
        self.collateral = collateral
        self.kind = kind
        self.brackets = brackets
        self.rules = rules
        self.mark = mark
        self.coinsPerContract = coinsPerContract
        self.liquidationFeeRate = liquidationFeeRate
    }
}

public struct MarginAnswer: Hashable, Sendable {
    public var mode: MarginMode
    public var notional: Fixed
    public var initialMargin: Fixed
    /// At the mark when one is given, else at the entry price.
    public var maintenanceMargin: Fixed
    public var maintenanceMarginRate: Fixed
    public var maintenanceAmount: Fixed
    public var liquidationPrice: Fixed?
    public var bankruptcyPrice: Fixed?
    public var unrealisedPnL: Fixed?
    public var marginBalance: Fixed?
    /// MM / margin balance, as a fraction (1 = liquidation); nil without a mark.
    public var marginRatio: Fixed?
    public var distanceToLiquidationPct: Fixed?
    /// The bracket of the notional at the liquidation price, which that price is worked out in:
    /// it can differ from the bracket at entry (or the mark). A short of 4.9 BTC at 50,000 showed
    /// the 0.5 % bracket and a liquidation price that only the 1 % one gives (operator trial).
    public var liquidationBracket: MarginBracket?
}

public enum MarginCalculator {
    public static func answer(_ question: MarginQuestion) -> MarginAnswer {
        let terms = PositionTerms(side: question.side, quantity: question.quantity, entryPrice: question.entryPrice,
            kind: question.kind, brackets: question.brackets, coinsPerContract: question.coinsPerContract,
            liquidationFeeRate: question.liquidationFeeRate)
        let entryNotional = MarginMath.notional(terms, at: question.entryPrice)
        let mode: MarginMode
        let collateral: Fixed
        switch question.collateral {
        case .isolatedMargin(let margin): mode = .isolated; collateral = margin
        case .walletBalance(let wallet): mode = .cross; collateral = wallet
        case .leverage(let leverage): mode = .isolated; collateral = entryNotional / leverage
        }
        let context = MarginContext(collateral: collateral)
        let valuation = question.mark ?? question.entryPrice
        let maintenance = MarginMath.maintenance(terms, rules: question.rules, at: valuation)
        let liquidation = MarginMath.liquidationPrice(terms, context: context, rules: question.rules)
        var answer = MarginAnswer(
            mode: mode, notional: entryNotional, initialMargin: collateral, maintenanceMargin: maintenance.margin,
            maintenanceMarginRate: maintenance.bracket.maintenanceMarginRate,
            maintenanceAmount: maintenance.bracket.maintenanceAmount,
            liquidationPrice: liquidation,
            bankruptcyPrice: MarginMath.bankruptcyPrice(terms, context: context, rules: question.rules))
        if let liquidation, liquidation.isPositive {
            answer.liquidationBracket = MarginMath.maintenance(terms, rules: question.rules, at: liquidation).bracket
        }
        if let mark = question.mark {
            let pnl = MarginMath.unrealisedPnL(terms, at: mark)
            answer.unrealisedPnL = pnl
            answer.marginBalance = collateral + pnl
            answer.marginRatio = MarginMath.marginRatio(maintenance: maintenance.margin, marginBalance: collateral + pnl)
            answer.distanceToLiquidationPct = MarginMath.distanceToLiquidationPercent(side: question.side, mark: mark, liquidationPrice: liquidation)
        }
        return answer
    }
}
