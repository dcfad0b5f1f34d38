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

@Suite("A fund with no opening")
struct FundWithoutOpeningTests {
    @Test("a fund whose first movement is a fee opened at 0: its low is 0 at the opening, never above its start")
    func lowIsTheOpeningZero() {
        var fund = InsuranceFund(venue: "okx", asset: "BTC")
        _ = fund.book(Fixed("0.00016528")!, cause: .liquidationFee, time: 5)
        _ = fund.book(Fixed("0.0104")!, cause: .surplus, time: 6)
        #expect(fund.opening == .zero && fund.low == .zero && fund.lowTime == 0)
        #expect(fund.low <= fund.opening && fund.peak == fund.balance)
        // An opening booked first is its low until the balance goes under it.
        var opened = InsuranceFund(venue: "okx", asset: "USDT")
        _ = opened.book(Fixed(100), cause: .opening, time: 0)
        _ = opened.book(Fixed(-40), cause: .deficit, time: 7)
        _ = opened.book(Fixed(10), cause: .liquidationFee, time: 8)
        #expect(opened.low == Fixed(60) && opened.lowTime == 7 && opened.peak == Fixed(100))
    }
}
