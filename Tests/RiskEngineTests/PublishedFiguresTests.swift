import Testing
@testable import RiskEngine

/// The figures exchanges publish, reproduced to the cent.
@Suite("Published exchange figures")
struct PublishedFiguresTests {
    func fixed(_ text: String) -> Fixed { Fixed(text)! }

    func linear(_ side: Side, _ quantity: String, at entry: String, brackets: BracketTable) -> PositionTerms {
        PositionTerms(side: side, quantity: fixed(quantity), entryPrice: fixed(entry), kind: .linear, brackets: brackets)
    }

    @Test("Bracket maintenance amounts follow cum_n = cap_{n-1} × (MMR_n − MMR_{n-1}) + cum_{n-1}")
    func bracketAmounts() {
        let amounts = Instrument.binanceBTCUSDTBrackets.brackets.map { $0.maintenanceAmount.formatted(0) }
        #expect(amounts == ["0", "50", "1300", "16300", "266300", "1266300", "2516300", "5016300", "25016300", "100016300"])
    }

    @Test("Cross, wallet 500, long 0.02 BTCUSDT at 50,000, bracket 0.4 % / 0 → LP 25,100.40")
    func crossLong() {
        let terms = linear(.long, "0.02", at: "50000", brackets: Instrument.binanceBTCUSDTBrackets)
        let price = MarginMath.liquidationPrice(terms, context: MarginContext(collateral: fixed("500")), rules: .binance)
        #expect(price?.formatted(2) == "25100.40")
    }

    @Test("Isolated 2 at 50,000, margin 5,000, bracket 0.5 % / 50 → long 47,713.57, short 52,263.68")
    func isolatedBothSides() {
        // Notional 100,000 sits in the second BTCUSDT bracket: 0.5 % with a maintenance amount of 50.
        let table = BracketTable(caps: [fixed("50000"), fixed("250000")], rates: [fixed("0.004"), fixed("0.005")])
        #expect(table.bracket(forNotional: fixed("100000")).maintenanceAmount == fixed("50"))
        let long = linear(.long, "2", at: "50000", brackets: table)
        let short = linear(.short, "2", at: "50000", brackets: table)
        let context = MarginContext.isolated(margin: fixed("5000"))
        #expect(MarginMath.liquidationPrice(long, context: context, rules: .binance)?.formatted(2) == "47713.57")
        #expect(MarginMath.liquidationPrice(short, context: context, rules: .binance)?.formatted(2) == "52263.68")
    }

    @Test("Bybit isolated long 1 at 20,000, 50x, MMR 0.5 % → IM 400, MM 100, LP 19,700; long 1 at 10,000 50x → BP 9,800")
    func bybit() {
        let table = BracketTable.single(rate: fixed("0.005"))
        let terms = linear(.long, "1", at: "20000", brackets: table)
        let initial = MarginMath.notional(terms, at: terms.entryPrice) / Fixed(50)
        #expect(initial == Fixed(400))
        #expect(MarginMath.maintenance(terms, rules: .bybit, at: fixed("19000")).margin == Fixed(100))
        let context = MarginContext.isolated(margin: initial)
        #expect(MarginMath.liquidationPrice(terms, context: context, rules: .bybit) == Fixed(19_700))
        let cheaper = linear(.long, "1", at: "10000", brackets: table)
        let margin = MarginMath.notional(cheaper, at: cheaper.entryPrice) / Fixed(50)
        #expect(MarginMath.bankruptcyPrice(cheaper, context: .isolated(margin: margin), rules: .bybit) == Fixed(9_800))
    }

    @Test("Bracket rule: a liquidation price in another bracket is recomputed with that bracket")
    func bracketAtLiquidationPrice() {
        // Short 5 BTC at 49,000 (notional 245,000: bracket 0.5 %) with 60,000 margin: the first
        // answer lies above 50,000 × 5 = 250,000 notional, in the 1 % bracket.
        let terms = linear(.short, "5", at: "49000", brackets: Instrument.binanceBTCUSDTBrackets)
        let context = MarginContext.isolated(margin: fixed("60000"))
        let price = MarginMath.liquidationPrice(terms, context: context, rules: .binance)!
        let bracket = terms.brackets.bracket(forNotional: price * Fixed(5))
        #expect(bracket.maintenanceMarginRate == fixed("0.01"))
        // (60,000 + 1,300 + 245,000) / (5 × 0.01 + 5) = 60,653.47
        #expect(price.formatted(2) == "60653.47")
    }

    @Test("Inverse: margin balance equals maintenance margin at the liquidation price")
    func inverseLiquidation() {
        let terms = PositionTerms(side: .long, quantity: Fixed(1000), entryPrice: fixed("50000"),
            kind: .inverse(contractSize: Fixed(100)), brackets: Instrument.binanceBTCUSDPerpBrackets)
        let margin = fixed("0.1") // 2 BTC notional at 20x
        let price = MarginMath.liquidationPrice(terms, context: .isolated(margin: margin), rules: .binance)!
        let balance = margin + MarginMath.unrealisedPnL(terms, at: price)
        let maintenance = MarginMath.maintenance(terms, rules: .binance, at: price).margin
        #expect((balance - maintenance).magnitude < fixed("0.000000000001"))
        let bankruptcy = MarginMath.bankruptcyPrice(terms, context: .isolated(margin: margin), rules: .binance)!
        #expect((margin + MarginMath.unrealisedPnL(terms, at: bankruptcy)).magnitude < fixed("0.000000000001"))
        #expect(bankruptcy < price && price < terms.entryPrice)
    }

    @Test("Bybit inverse: LP = Q / (PV + (IM − MM))")
    func bybitInverse() {
        let terms = PositionTerms(side: .long, quantity: Fixed(100), entryPrice: fixed("10000"),
            kind: .inverse(contractSize: .one), brackets: .single(rate: fixed("0.005")))
        // Q = 100 USD, PV = 0.01 BTC, IM at 10x = 0.001, MM = 0.00005 → LP = 100 / 0.01095
        let price = MarginMath.liquidationPrice(terms, context: .isolated(margin: fixed("0.001")), rules: .bybit)!
        #expect(price.formatted(2) == "9132.42")
    }

    @Test("Liquidation fee of 0.1 BTC at 40,000 at 0.5 % → 20")
    func liquidationFee() {
        #expect(MarginMath.liquidationFee(notional: fixed("0.1") * Fixed(40_000), rate: fixed("0.005")) == Fixed(20))
    }

    @Test("ADL score: long 100 / 120 / 90 → 0.8; short −100 / −80 / −110 → 0.5333")
    func adlScores() {
        #expect(LossAllocation.adlScore(entryValue: Fixed(100), markValue: Fixed(120), bankruptcyValue: Fixed(90)) == fixed("0.8"))
        let short = LossAllocation.adlScore(entryValue: Fixed(-100), markValue: Fixed(-80), bankruptcyValue: Fixed(-110))
        #expect(short.formatted(4) == "0.5333")
        // A losing position ranks by PnL% / leverage, below every winner.
        let loser = LossAllocation.adlScore(entryValue: Fixed(100), markValue: Fixed(95), bankruptcyValue: Fixed(90))
        #expect(loser.isNegative)
    }

    @Test("Socialised loss of 10,000 over winners with 171,000 of profit: each loses 10,000 × own / 171,000")
    func socialisedLoss() {
        let profits = [Fixed(100_000), Fixed(50_000), Fixed(21_000), Fixed(-5_000)]
        let shares = LossAllocation.socialise(loss: Fixed(10_000), profits: profits)
        #expect(shares[0].formatted(2) == "5847.95")
        #expect(shares[1].formatted(2) == "2923.98")
        #expect(shares[2].formatted(2) == "1228.07")
        #expect(shares[3] == .zero)
        #expect(shares.reduce(Fixed.zero, +) == Fixed(10_000))
    }
}
