import Testing
@testable import RiskEngine

/// What a liquidation's fills leave above the bankruptcy price: the fund's at Binance, Bybit and
/// OKX; the trader's at Hyperliquid, whose book liquidations leave "any remaining collateral" with
/// the trader (the fund gained it: operator trial, every Hyperliquid what-if overstated).
@Suite("A liquidation's surplus: to the fund, or back to the trader on Hyperliquid")
struct SurplusToOwnerTests {
    /// A long of 10 at 100 with 10 of margin (bankruptcy 99), liquidated at a mark of 99.4 into
    /// bids at 99.3: the fills leave 0.3 × 10 = 3 above bankruptcy.
    static func liquidated(_ symbol: String, mode: MarginMode, profile: RulesProfile = .venue) -> (Engine, [EngineNotification]) {
        var engine = marketAt100(symbol, profile: profile, bid: "99.3", fund: Fixed(1_000))
        let update = mode == .isolated
            ? PositionUpdate(account: "a", symbol: symbol, side: .long, quantity: Fixed(10), entryPrice: Fixed(100), mode: .isolated, isolatedMargin: Fixed(10))
            : PositionUpdate(account: "a", symbol: symbol, side: .long, quantity: Fixed(10), entryPrice: Fixed(100), mode: .cross, walletBalance: Fixed(10))
        engine.apply(.position(update, time: 2))
        let notes = engine.apply(.mark(symbol: symbol, price: fx("99.4"), time: 3))
        return (engine, notes)
    }

    @Test("Hyperliquid, isolated and cross: the 3 left above bankruptcy goes back to the wallet; the fund is unchanged")
    func hyperliquidLeavesItWithTheTrader() throws {
        for mode in [MarginMode.isolated, .cross] {
            let (engine, notes) = Self.liquidated("hyperliquid:TEST", mode: mode)
            let record = try #require(notes.liquidations.first, "\(mode)")
            #expect(record.bankruptcyPrice == Fixed(99) && record.averageFill == fx("99.3"), "\(mode)")
            #expect(record.surplusToOwner == Fixed(3) && record.surplus == .zero && record.fee == .zero, "\(mode)")
            #expect(record.fundAfter == Fixed(1_000), "\(mode)")
            #expect(engine.accounts[0].walletBalance == Fixed(3), "\(mode)")
            #expect(engine.funds[0].balance == Fixed(1_000) && engine.funds[0].inflows == .zero, "\(mode)")
        }
    }

    @Test("Binance, and Hyperliquid under --rules binance: the 3 goes to the fund, the wallet keeps nothing")
    func otherVenuesGiveItToTheFund() throws {
        for (symbol, profile) in [("binance-usdm:TESTUSDT", RulesProfile.venue), ("hyperliquid:TEST", .binance)] {
            let (engine, notes) = Self.liquidated(symbol, mode: .isolated, profile: profile)
            let record = try #require(notes.liquidations.first, "\(symbol)")
            #expect(record.surplus == Fixed(3) && record.surplusToOwner == .zero, "\(symbol)")
            #expect(engine.funds[0].balance == Fixed(1_003) && engine.accounts[0].walletBalance == .zero, "\(symbol)")
        }
    }
}
