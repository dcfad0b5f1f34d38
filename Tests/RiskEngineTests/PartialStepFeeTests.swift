import Testing
@testable import RiskEngine

/// An attacker's trial: a partial-liquidation step filled exactly at the bankruptcy price paid the
/// liquidation fee out of the margin backing the rest, whose bankruptcy price then moved against the
/// fund (a deficit of 1,005 where a whole liquidation leaves 1,000).
@Suite("A partial step pays its fee out of what its fills leave beyond bankruptcy")
struct PartialStepFeeTests {
    /// A 2 BTC long at 60,000 with 6,000 of margin (bankruptcy 57,000), liquidated into a book
    /// whose best bid, 1 BTC, is at its bankruptcy price and whose next is 1,000 lower.
    func fundAfter(_ style: LiquidationStyle) -> (fund: Fixed, deficits: Fixed, fees: Fixed) {
        var configuration = EngineConfiguration()
        configuration.liquidation = style
        var engine = Engine(configuration: configuration)
        engine.openFund(asset: "USDT", balance: Fixed(250_000))
        engine.apply(.bookSnapshot(symbol: "BTCUSDT", bids: [(units("60000"), units("5"))], asks: [(units("60010"), units("5"))], time: 1_000_000_000))
        engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(60_005), time: 1_000_000_000))
        engine.apply(.position(PositionUpdate(account: "al", symbol: "BTCUSDT", side: .long, quantity: Fixed(2), entryPrice: Fixed(60_000),
            mode: .isolated, isolatedMargin: Fixed(6_000)), time: 1_000_000_000))
        engine.apply(.bookSnapshot(symbol: "BTCUSDT", bids: [(units("57000"), units("1")), (units("56000"), units("5"))],
            asks: [(units("57010"), units("5"))], time: 2_000_000_000))
        let notes = engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(57_005), time: 2_000_000_000))
        let deficits = notes.reduce(Fixed.zero) { sum, note in if case .deficit(let record) = note { return sum + record.amount } else { return sum } }
        let fund = engine.fund("USDT")
        return (fund.balance, deficits, fund.totals[.liquidationFee] ?? .zero)
    }

    @Test("a step at the bankruptcy price pays no fee: the deficit is the whole liquidation's")
    func noFeeAtBankruptcy() {
        let partial = fundAfter(.partial(fraction: fx("0.5")))
        let whole = fundAfter(.full)
        #expect(partial.deficits == Fixed(1_000), "\(partial)")
        #expect(partial.fees.isZero)
        #expect(partial.fund == whole.fund, "\(partial) against \(whole)")
    }
}
