import Testing
@testable import RiskEngine

/// `--insurance-fund` defaults to 250,000 USDT; an operator's events file states its own balance.
/// The default must give way to that statement, and nothing else's opening may be rewritten.
@Suite("Insurance fund opening")
struct FundOpeningTests {
    @Test("a default opening is replaced by the first stated balance, which becomes the opening")
    func defaultGivesWay() {
        var engine = engine(with: [testInstrument()])
        engine.openFund(asset: "USDT", balance: Fixed(250_000), provisional: true)
        engine.apply(.mark(symbol: "TESTUSDT", price: Fixed(100), time: 1))
        engine.apply(.insuranceFund(asset: "USDT", venue: nil, balance: Fixed(1_000_000), time: 5))
        let fund = engine.fund("USDT")
        #expect(fund.opening == Fixed(1_000_000) && fund.balance == Fixed(1_000_000))
        #expect(fund.low == Fixed(1_000_000) && fund.peak == Fixed(1_000_000))
        #expect(fund.entryCount == 1 && fund.totals[.statement] == nil)
        #expect(engine.moneyInSystem(asset: "USDT") == engine.deposits["USDT"])
        // Later statements are statements.
        engine.apply(.insuranceFund(asset: "USDT", venue: nil, balance: Fixed(900_000), time: 6))
        #expect(engine.fund("USDT").opening == Fixed(1_000_000) && engine.fund("USDT").totals[.statement] == Fixed(-100_000))
    }

    @Test("an opening the operator gave stands: the stated balance is booked against it")
    func givenOpeningStands() {
        var engine = engine(with: [testInstrument()])
        engine.openFund(asset: "USDT", balance: Fixed(250_000))
        engine.apply(.mark(symbol: "TESTUSDT", price: Fixed(100), time: 1))
        engine.apply(.insuranceFund(asset: "USDT", venue: nil, balance: Fixed(1_000_000), time: 5))
        #expect(engine.fund("USDT").opening == Fixed(250_000))
        #expect(engine.fund("USDT").totals[.statement] == Fixed(750_000))
        #expect(engine.moneyInSystem(asset: "USDT") == engine.deposits["USDT"])
    }

    @Test("once money has moved through a default fund, its opening stands too")
    func movementFixesTheOpening() {
        var engine = engine(with: [testInstrument()])
        engine.openFund(asset: "USDT", balance: Fixed(100), provisional: true)
        engine.apply(.mark(symbol: "TESTUSDT", price: Fixed(100), time: 1))
        engine.apply(.bookSnapshot(symbol: "TESTUSDT", bids: [(units("99.25"), units("1000"))], asks: [(units("100.10"), units("1000"))], time: 1))
        engine.apply(.position(PositionUpdate(account: "a", symbol: "TESTUSDT", side: .long, quantity: Fixed(10),
            entryPrice: Fixed(100), mode: .isolated, isolatedMargin: Fixed(10)), time: 2))
        #expect(engine.apply(.mark(symbol: "TESTUSDT", price: fx("99.40"), time: 3)).liquidations.count == 1)
        let afterLiquidation = engine.fund("USDT").balance
        #expect(afterLiquidation > Fixed(100))
        engine.apply(.insuranceFund(asset: "USDT", venue: nil, balance: Fixed(500), time: 4))
        #expect(engine.fund("USDT").opening == Fixed(100))
        #expect(engine.fund("USDT").totals[.statement] == Fixed(500) - afterLiquidation)
        #expect(engine.moneyInSystem(asset: "USDT") == engine.deposits["USDT"])
    }
}
