import Testing
@testable import RiskEngine

/// A cross leg whose account's other legs lose more than it could ever gain has no liquidation
/// price because every price is past it: it is liquidated at whatever the mark is, not kept as if
/// it could never be (attacker trial: a smaller loss elsewhere got it liquidated, a larger never).
@Suite("Cross legs past their trigger at every price")
struct PastAtEveryPriceTests {
    func linear(_ side: Side, quantity: String, entry: String) -> PositionTerms {
        testInstrument().terms(side: side, quantity: fx(quantity), entryPrice: fx(entry))
    }

    func inverse(_ side: Side, contracts: Int, entry: String) -> PositionTerms {
        PositionTerms(side: side, quantity: Fixed(contracts), entryPrice: fx(entry), kind: .inverse(contractSize: Fixed(100)),
            brackets: .single(rate: fx("0.005")))
    }

    /// The margin balance less the maintenance margin at `price`, the other legs held as they are.
    func excess(_ terms: PositionTerms, _ context: MarginContext, rules: MarginRules, at price: Fixed) -> Fixed {
        context.collateral - context.otherMaintenance + context.otherUnrealised + MarginMath.unrealisedPnL(terms, at: price)
            - MarginMath.maintenance(terms, rules: rules, at: price).margin
    }

    @Test("the rule against the margin balance itself, for every kind, side and venue rule: past at every price exactly when no price leaves the margin balance above maintenance")
    func agreesWithTheMarginBalance() {
        let prices = ["0.01", "1", "100", "1000", "2999", "3000", "3001", "6000", "60000", "1000000"].map(fx)
        let cases: [(String, PositionTerms)] = [
            ("linear short", linear(.short, quantity: "1", entry: "3000")),
            ("linear long", linear(.long, quantity: "1", entry: "3000")),
            ("inverse long", inverse(.long, contracts: 100, entry: "3000")),
            ("inverse short", inverse(.short, contracts: 100, entry: "3000")),
        ]
        for rules in [MarginRules.binance, .bybit, .okx, .hyperliquid] {
            for (name, terms) in cases {
                // From an account with room to one whose other legs lose far more than the leg is worth.
                let money = terms.kind.isInverse ? ["1", "0", "-0.3", "-1", "-3.3334", "-50"] : ["1000", "0", "-2000", "-2999", "-3000", "-3001", "-90000"]
                for other in money.map(fx) {
                    let context = MarginContext(collateral: terms.kind.isInverse ? fx("0.01") : Fixed(10), otherMaintenance: .zero, otherUnrealised: other)
                    let flagged = MarginMath.isPastAtEveryPrice(terms, context: context, rules: rules)
                    let everyPricePast = prices.allSatisfy { !excess(terms, context, rules: rules, at: $0).isPositive }
                    if flagged {
                        #expect(everyPricePast, "\(rules) \(name) \(other): flagged, but some price leaves margin above maintenance")
                        #expect(MarginMath.liquidationPrice(terms, context: context, rules: rules) == nil, "\(rules) \(name) \(other)")
                    } else if MarginMath.liquidationPrice(terms, context: context, rules: rules) == nil {
                        // No price and not flagged: a leg that cannot be liquidated (a long holding
                        // its value, an inverse short worth less than its collateral).
                        #expect(prices.allSatisfy { excess(terms, context, rules: rules, at: $0).isPositive },
                            "\(rules) \(name) \(other): neither a price nor past at every price")
                    }
                }
            }
        }
    }

    /// X: wallet 10,000, long 10 BTCUSDT (a market with no book) and short 1 ETHUSDT, at 60,000
    /// and 3,000; the ETH book given or not.
    func crossAccount(ethBook: Bool) -> Engine {
        var engine = engine(with: [testInstrument(symbol: "BTCUSDT"), testInstrument(symbol: "ETHUSDT")])
        engine.openFund(asset: "USDT", balance: Fixed(100_000))
        engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(60_000), time: 1))
        engine.apply(.mark(symbol: "ETHUSDT", price: Fixed(3_000), time: 1))
        if ethBook {
            engine.apply(.bookSnapshot(symbol: "ETHUSDT", bids: [(units("2999"), units("50"))], asks: [(units("3001"), units("50"))], time: 1))
        }
        engine.apply(.account(id: "x", asset: "USDT", venue: "", venueGiven: false, walletBalance: Fixed(10_000), time: 2))
        engine.apply(.position(PositionUpdate(account: "x", symbol: "BTCUSDT", side: .long, quantity: Fixed(10), entryPrice: Fixed(60_000), mode: .cross), time: 2))
        engine.apply(.position(PositionUpdate(account: "x", symbol: "ETHUSDT", side: .short, quantity: Fixed(1), entryPrice: Fixed(3_000), mode: .cross), time: 2))
        return engine
    }

    @Test("a linear cross short beside a long in a market with no book, whose loss is deeper than the short can gain: liquidated at its mark; a long cannot be so")
    func linearShortLiquidated() {
        var engine = crossAccount(ethBook: true)
        #expect(engine.positions.allSatisfy { $0.isOpen })
        // 20,000 lost on BTC (no book: it cannot be liquidated), against a wallet of 10,000: the
        // ETH short can gain at most 3,000. Every ETH price is past its trigger.
        let notes = engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(58_000), time: 3))
        #expect(notes.liquidations.map(\.symbol) == ["ETHUSDT"], "\(notes.liquidations.map(\.symbol))")
        #expect(!engine.positions[1].isOpen && engine.positions[0].isOpen)
        #expect(engine.moneyInSystem(asset: "USDT") == engine.deposits["USDT"])
    }

    @Test("held by a block (its book gone stale), the leg says so: no liquidation price, past at every price, among the riskiest first")
    func shownAsPastWhileBlocked() {
        var engine = crossAccount(ethBook: false)
        engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(58_000), time: 3))
        // Neither market has a book: nothing is liquidated, and the short is past at every price.
        #expect(engine.positions.allSatisfy { $0.isOpen })
        let risk = engine.risk(of: 1)
        #expect(risk.pastAtEveryPrice && risk.liquidationPrice == nil)
        #expect(engine.positions[1].isPastAtEveryPrice && engine.isTriggered(1))
        // Both first: the long past its bankruptcy price, the short past its trigger at every
        // price (a leg without a liquidation price was left out of the list).
        #expect(engine.riskiestOpenPositions(count: 2) == [0, 1])
        // Its book comes: it is liquidated at once.
        let notes = engine.apply(.bookSnapshot(symbol: "ETHUSDT", bids: [(units("2999"), units("50"))], asks: [(units("3001"), units("50"))], time: 4))
        #expect(notes.liquidations.map(\.symbol) == ["ETHUSDT"])
        #expect(engine.moneyInSystem(asset: "USDT") == engine.deposits["USDT"])
    }

    @Test("an inverse cross long beside another inverse long with no book, deeper in loss than the first can gain in coin: liquidated at its mark")
    func inverseLongLiquidated() {
        let perp = Instrument(symbol: "BTCUSD_PERP", tickSize: fx("0.1"), lotSize: .one, kind: .inverse(contractSize: Fixed(100)),
            settlementAsset: "BTC", brackets: .single(rate: fx("0.005")), liquidationFeeRate: .zero)
        let quarter = Instrument(symbol: "BTCUSD_241227", tickSize: fx("0.1"), lotSize: .one, kind: .inverse(contractSize: Fixed(100)),
            settlementAsset: "BTC", brackets: .single(rate: fx("0.005")), liquidationFeeRate: .zero)
        var engine = engine(with: [perp, quarter])
        engine.openFund(asset: "BTC", balance: Fixed(10))
        engine.apply(.mark(symbol: "BTCUSD_PERP", price: Fixed(60_000), time: 1))
        engine.apply(.mark(symbol: "BTCUSD_241227", price: Fixed(60_000), time: 1))
        engine.apply(.bookSnapshot(symbol: "BTCUSD_241227", bids: [(units("59990"), units("5000"))], asks: [(units("60010"), units("5000"))], time: 1))
        engine.apply(.account(id: "x", asset: "BTC", venue: "", venueGiven: false, walletBalance: fx("0.05"), time: 2))
        engine.apply(.position(PositionUpdate(account: "x", symbol: "BTCUSD_PERP", side: .long, quantity: Fixed(1_000), entryPrice: Fixed(60_000), mode: .cross), time: 2))
        engine.apply(.position(PositionUpdate(account: "x", symbol: "BTCUSD_241227", side: .long, quantity: Fixed(100), entryPrice: Fixed(60_000), mode: .cross), time: 2))
        #expect(engine.positions.allSatisfy { $0.isOpen })
        // The perpetual halves: 1.667 BTC lost, far more than 0.05 and the 0.167 BTC the
        // quarterly could ever gain.
        let notes = engine.apply(.mark(symbol: "BTCUSD_PERP", price: Fixed(30_000), time: 3))
        #expect(notes.liquidations.map(\.symbol) == ["BTCUSD_241227"])
        #expect(engine.moneyInSystem(asset: "BTC") == engine.deposits["BTC"])
    }
}
