import Testing
@testable import RiskEngine

/// Long 10 at 100 with 10 of isolated margin: bankruptcy 99.00, liquidation 99.50 (MMR 0.5 %).
@Suite("Settlement against the bankruptcy price")
struct SettlementTests {
    func session(fund: String, bid: String, shortfall: ShortfallPolicy = .adl, counterparty: Bool = false) -> (Engine, [EngineNotification]) {
        var configuration = EngineConfiguration()
        configuration.shortfall = shortfall
        var engine = engine(with: [testInstrument()], configuration: configuration)
        engine.openFund(asset: "USDT", balance: fx(fund))
        // A mark stream pins the mark; otherwise the book's mid would trigger the position on load.
        engine.apply(.mark(symbol: "TESTUSDT", price: Fixed(100), time: 1))
        engine.apply(.bookSnapshot(symbol: "TESTUSDT", bids: [(units(bid), units("1000"))], asks: [(units("100.10"), units("1000"))], time: 1))
        engine.apply(.position(PositionUpdate(account: "loser", symbol: "TESTUSDT", side: .long, quantity: Fixed(10),
            entryPrice: Fixed(100), mode: .isolated, isolatedMargin: Fixed(10)), time: 2))
        if counterparty {
            engine.apply(.position(PositionUpdate(account: "winner", symbol: "TESTUSDT", side: .short, quantity: Fixed(20),
                entryPrice: Fixed(110), mode: .isolated, isolatedMargin: Fixed(500)), time: 3))
        }
        let notes = engine.apply(.mark(symbol: "TESTUSDT", price: fx("99.40"), time: 4))
        return (engine, notes)
    }

    @Test("bankruptcy and liquidation prices of the example")
    func prices() {
        let (engine, _) = session(fund: "100", bid: "99.25")
        let position = engine.positions[0]
        #expect(position.isOpen == false)
        let terms = PositionTerms(side: .long, quantity: Fixed(10), entryPrice: Fixed(100), kind: .linear, brackets: .single(rate: fx("0.005")))
        #expect(MarginMath.bankruptcyPrice(terms, context: .isolated(margin: Fixed(10)), rules: .binance) == Fixed(99))
        #expect(MarginMath.liquidationPrice(terms, context: .isolated(margin: Fixed(10)), rules: .binance)?.formatted(2) == "99.50")
    }

    @Test("a fill at 99.25 pays the fund 0.25 per contract")
    func surplus() {
        let (engine, notes) = session(fund: "100", bid: "99.25")
        let record = notes.liquidations.first!
        #expect(record.averageFill == fx("99.25"))
        #expect(record.surplus == fx("2.5"))
        #expect(record.deficit == .zero)
        #expect(engine.fund("USDT").balance == fx("102.5"))
        #expect(engine.moneyInSystem(asset: "USDT") == engine.deposits["USDT"])
    }

    @Test("with a fee rate the fee is taken first and the rest is surplus")
    func feeThenSurplus() {
        var engine = engine(with: [testInstrument(fee: "0.001")])
        engine.openFund(asset: "USDT", balance: Fixed(100))
        engine.apply(.bookSnapshot(symbol: "TESTUSDT", bids: [(units("99.25"), units("1000"))], asks: [(units("100.10"), units("1000"))], time: 1))
        engine.apply(.position(PositionUpdate(account: "a", symbol: "TESTUSDT", side: .long, quantity: Fixed(10),
            entryPrice: Fixed(100), mode: .isolated, isolatedMargin: Fixed(10)), time: 2))
        let record = engine.apply(.mark(symbol: "TESTUSDT", price: fx("99.40"), time: 3)).liquidations[0]
        #expect(record.fee == fx("0.9925"))
        #expect(record.surplus == fx("1.5075"))
    }

    @Test("a fill at 98.80 costs the fund 0.20 per contract")
    func deficit() {
        let (engine, notes) = session(fund: "100", bid: "98.80")
        let record = notes.liquidations.first!
        #expect(record.deficit == Fixed(2))
        #expect(record.fundPaid == Fixed(2))
        #expect(engine.fund("USDT").balance == Fixed(98))
        #expect(engine.totals.deficits == 1)
        #expect(engine.moneyInSystem(asset: "USDT") == engine.deposits["USDT"])
    }

    @Test("with an empty fund, ADL closes the opposite position at 99.00")
    func adlWhenFundEmpty() {
        let (engine, notes) = session(fund: "0", bid: "98.80", counterparty: true)
        let record = notes.liquidations.first!
        #expect(record.filledQuantity == .zero)
        #expect(record.adlQuantity == Fixed(10))
        let adl = notes.adl
        #expect(adl.count == 1)
        #expect(adl[0].price == Fixed(99))
        #expect(adl[0].quantity == Fixed(10))
        #expect(adl[0].account == "winner")
        #expect(engine.positions[1].quantity == Fixed(10))
        #expect(engine.fund("USDT").balance == .zero)
        #expect(engine.moneyInSystem(asset: "USDT") == engine.deposits["USDT"])
    }

    @Test("a fund that can pay part of the deficit pays that part, ADL takes the rest")
    func partlyFunded() {
        let (engine, notes) = session(fund: "1", bid: "98.80", counterparty: true)
        let record = notes.liquidations.first!
        // 0.20 per contract: the fund covers 5 contracts, ADL the other 5.
        #expect(record.filledQuantity == Fixed(5))
        #expect(record.adlQuantity == Fixed(5))
        #expect(engine.fund("USDT").balance == .zero)
    }

    @Test("socialised loss charges the winners when the fund is empty")
    func socialised() {
        let (engine, notes) = session(fund: "0", bid: "98.80", shortfall: .socialisedLoss, counterparty: true)
        #expect(notes.liquidations.first?.deficit == Fixed(2))
        let charged = notes.compactMap { if case .socialisedLoss(let r) = $0 { return r } else { return nil } }
        #expect(charged.first?.loss == Fixed(2))
        #expect(engine.positions[1].isolatedMargin == Fixed(498))
        #expect(engine.moneyInSystem(asset: "USDT") == engine.deposits["USDT"])
    }

    @Test("an empty book: the remainder is taken over at the bankruptcy price")
    func emptyBook() {
        var engine = engine(with: [testInstrument()])
        engine.openFund(asset: "USDT", balance: Fixed(100))
        // A snapshot that says the book is empty (a synced book with nothing in it).
        engine.apply(.bookSnapshot(symbol: "TESTUSDT", bids: [], asks: [], time: 1))
        engine.apply(.position(PositionUpdate(account: "a", symbol: "TESTUSDT", side: .long, quantity: Fixed(10),
            entryPrice: Fixed(100), mode: .isolated, isolatedMargin: Fixed(10)), time: 1))
        let record = engine.apply(.mark(symbol: "TESTUSDT", price: fx("99.40"), time: 2)).liquidations[0]
        #expect(record.unfilledQuantity == Fixed(10))
        #expect(record.averageFill == nil)
        #expect(engine.fund("USDT").balance == Fixed(100))
    }

    @Test("liquidations compound: the second walks what the first left")
    func cascadeThroughOverlay() {
        var engine = engine(with: [testInstrument()])
        engine.openFund(asset: "USDT", balance: Fixed(1000))
        engine.apply(.bookSnapshot(symbol: "TESTUSDT",
            bids: [(units("99.30"), units("10")), (units("99.00"), units("10")), (units("98.00"), units("100"))],
            asks: [(units("100.10"), units("100"))], time: 1))
        for account in ["a", "b"] {
            engine.apply(.position(PositionUpdate(account: account, symbol: "TESTUSDT", side: .long, quantity: Fixed(10),
                entryPrice: Fixed(100), mode: .isolated, isolatedMargin: Fixed(10)), time: 2))
        }
        let records = engine.apply(.mark(symbol: "TESTUSDT", price: fx("99.40"), time: 3)).liquidations
        #expect(records.count == 2)
        #expect(records[0].averageFill == fx("99.30"))
        #expect(records[1].averageFill == fx("99.00"))
        #expect(engine.market("TESTUSDT")!.book.consumed(.bid, at: units("99.30")) == units("10"))
        // The next feed update of a level replaces what the overlay took.
        engine.apply(.bookUpdate(symbol: "TESTUSDT", changes: [LevelChange(side: .bid, price: units("99.30"), size: units("4"))], time: 4))
        #expect(engine.market("TESTUSDT")!.book.consumed(.bid, at: units("99.30")) == 0)
        #expect(engine.market("TESTUSDT")!.book.best(.bid)?.price == units("99.30"))
    }

    @Test("partial liquidation reduces the position until the account is compliant")
    func partial() {
        var configuration = EngineConfiguration()
        configuration.liquidation = .partial(fraction: fx("0.25"))
        var engine = engine(with: [testInstrument()], configuration: configuration)
        engine.openFund(asset: "USDT", balance: Fixed(100))
        engine.apply(.mark(symbol: "TESTUSDT", price: Fixed(100), time: 1))
        engine.apply(.bookSnapshot(symbol: "TESTUSDT", bids: [(units("99.45"), units("1000"))], asks: [(units("99.50"), units("1000"))], time: 1))
        engine.apply(.position(PositionUpdate(account: "a", symbol: "TESTUSDT", side: .long, quantity: Fixed(100),
            entryPrice: Fixed(100), mode: .cross, walletBalance: Fixed(100)), time: 2))
        let notes = engine.apply(.mark(symbol: "TESTUSDT", price: fx("99.48"), time: 3))
        #expect(notes.liquidations.allSatisfy { $0.isPartial })
        #expect(!notes.liquidations.isEmpty)
        let position = engine.positions[0]
        #expect(position.isOpen)
        #expect(position.quantity < Fixed(100))
        #expect(!engine.isTriggered(0))
        #expect(engine.moneyInSystem(asset: "USDT") == engine.deposits["USDT"])
    }

    @Test("what-if runs on a copy and leaves the engine untouched")
    func stressIsACopy() throws {
        var engine = engine(with: [testInstrument()])
        engine.openFund(asset: "USDT", balance: Fixed(10))
        engine.apply(.bookSnapshot(symbol: "TESTUSDT", bids: [(units("99.90"), units("1")), (units("95.00"), units("100"))], asks: [(units("100.10"), units("100"))], time: 1))
        engine.apply(.position(PositionUpdate(account: "a", symbol: "TESTUSDT", side: .long, quantity: Fixed(10),
            entryPrice: Fixed(100), mode: .isolated, isolatedMargin: Fixed(10)), time: 2))
        engine.apply(.position(PositionUpdate(account: "b", symbol: "TESTUSDT", side: .short, quantity: Fixed(10),
            entryPrice: Fixed(101), mode: .isolated, isolatedMargin: Fixed(100)), time: 2))
        engine.apply(.mark(symbol: "TESTUSDT", price: Fixed(100), time: 3))
        let result = try engine.stress(symbol: "TESTUSDT", shockPercent: Fixed(-5))
        #expect(result.markAfter == Fixed(95))
        #expect(result.liquidations.count == 1)
        // The book moves with the mark (−5): 1 @ 94.90 and the rest @ 90.00, all below bankruptcy
        // (99). The fund (10) stands behind 1 lot at 94.90 (−4.10) and 1 at 90.00 (−9 would be too
        // much: only 5.90 is left, so 0): deficit 4.10, fund 5.90, the other 9 deleveraged.
        #expect(result.totalDeficit == fx("4.1"))
        #expect(result.fundAfter == fx("5.9"))
        #expect(result.adlQuantity == Fixed(9))
        #expect(result.positionsHit == 2)
        #expect(engine.positions[0].isOpen)
        #expect(engine.fund("USDT").balance == Fixed(10))
        #expect(engine.market("TESTUSDT")!.markPrice == Fixed(100))
    }
}
