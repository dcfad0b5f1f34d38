import Testing
@testable import RiskEngine

/// Each market deleveraged by its own venue's ranking under the default rules profile: an OKX or
/// Hyperliquid market was ranked by Binance's LeveragePnL (operator trial: `binance ranking` in an
/// OKX position's drill-down).
@Suite("ADL ranking by each market's venue")
struct VenueADLRankingTests {
    /// Two isolated longs of `symbol` at mark 110 that Binance's and Hyperliquid's rankings order
    /// oppositely, and a losing short.
    ///
    /// - `small` (0): 10 @ 100, margin 50: PnL 100 on 50, notional 1,100 on an account value of 150.
    /// - `large` (1): 100 @ 109.9, margin 1,000: PnL 10 on 1,000, notional 11,000 on 1,010.
    /// Isolated positions of `symbol` at time 2: account, side, quantity, entry, margin.
    static func placeIsolated(_ engine: inout Engine, _ symbol: String, _ rows: [(String, Side, Fixed, Fixed, Fixed)]) {
        for (account, side, quantity, entry, margin) in rows {
            engine.apply(.position(PositionUpdate(account: account, symbol: symbol, side: side, quantity: quantity, entryPrice: entry,
                mode: .isolated, isolatedMargin: margin), time: 2))
        }
    }

    static func engine(_ symbol: String, profile: RulesProfile = .venue) -> Engine {
        var engine = marketAt100(symbol, profile: profile)
        // Placed at 110: `large` at 100 would be liquidated (a loss of 990 on 1,000 of margin).
        engine.apply(.mark(symbol: symbol, price: Fixed(110), time: 2))
        Self.placeIsolated(&engine, symbol, [("small", .long, Fixed(10), Fixed(100), Fixed(50)), ("large", .long, Fixed(100), fx("109.9"), Fixed(1_000)),
                                        ("loser", .short, .one, Fixed(100), Fixed(50))])
        #expect([0, 1, 2].map { engine.positions[$0].isOpen } == [true, true, true])
        return engine
    }

    @Test("each venue's market is ranked by its venue's formula; --rules sets one for all")
    func rankingFollowsVenue() {
        let cases: [(String, ADLRanking)] = [("binance-usdm:TESTUSDT", .binance), ("TESTUSDT", .binance), ("bybit:TESTUSDT", .bybit),
            ("okx:TEST-USDT-SWAP", .okx), ("hyperliquid:TEST", .hyperliquid)]
        for (symbol, ranking) in cases {
            let engine = Self.engine(symbol)
            #expect(engine.adlRanking(of: 0) == ranking, "\(symbol)")
            let expected: Fixed
            switch ranking {
            case .binance: expected = engine.binanceLeveragePnL(of: 0)
            case .bybit, .okx, .bitmex: expected = engine.valueScore(of: 0)
            case .hyperliquid: expected = engine.hyperliquidIndex(of: 0)
            }
            #expect(engine.adlScore(of: 0) == expected, "\(symbol)")
            for profile in [RulesProfile.binance, .bybit, .bitmex] {
                #expect(Self.engine(symbol, profile: profile).adlRanking(of: 0) == profile.adlRanking, "\(symbol) \(profile)")
            }
        }
    }

    @Test("Hyperliquid: (mark ÷ entry) × (notional ÷ account value), by hand; the two longs ranked opposite to Binance's order")
    func hyperliquidIndexByHand() {
        let engine = Self.engine("hyperliquid:TEST")
        // small: 1.1 × 1,100 ÷ 150 = 8.0666…; large: (110 ÷ 109.9) × 11,000 ÷ 1,010 = 10.897…
        #expect(engine.adlScore(of: 0) == Fixed(110) / Fixed(100) * (Fixed(1_100) / Fixed(150)))
        #expect(engine.adlScore(of: 1) == Fixed(110) / fx("109.9") * (Fixed(11_000) / Fixed(1_010)))
        #expect(engine.adlScore(of: 2) == .zero)
        #expect(engine.adlRanking(market: 0, side: .long).map(\.position) == [1, 0])
        // Binance's LeveragePnL puts the small, highly leveraged winner first.
        #expect(Self.engine("binance-usdm:TESTUSDT").adlRanking(market: 0, side: .long).map(\.position) == [0, 1])
        #expect(Self.engine("hyperliquid:TEST", profile: .binance).adlRanking(market: 0, side: .long).map(\.position) == [0, 1])
    }

    /// A long liquidated into a book with no bids: its quantity goes to ADL against the short the
    /// market's ranking puts first. At 99.4: `small` (10 short @ 110, margin 50) scores Binance
    /// 2.12 × 4.97 ÷ 156 = 0.0675 and Hyperliquid (110 ÷ 99.4) × 994 ÷ 156 = 7.05; `large` (100
    /// short @ 100.1, margin 1,000) 0.07 × 49.7 ÷ 1,070 = 0.0032 and (100.1 ÷ 99.4) × 9,940 ÷ 1,070 = 9.36.
    static func deleveraged(_ symbol: String, profile: RulesProfile) -> [ADLRecord] {
        var engine = marketAt100(symbol, profile: profile, fund: Fixed(1_000))
        Self.placeIsolated(&engine, symbol, [("small", .short, Fixed(10), Fixed(110), Fixed(50)), ("large", .short, Fixed(100), fx("100.1"), Fixed(1_000)),
                                        ("loser", .long, .one, Fixed(100), .one)])
        engine.apply(.bookSnapshot(symbol: symbol, bids: [], asks: [(units("100.1"), units("1000"))], time: 3))
        return engine.apply(.mark(symbol: symbol, price: fx("99.4"), time: 4)).adl
    }

    @Test("a deleverage closes the short its market's venue ranks first: Hyperliquid's the large one, Binance's the small one")
    func deleverageFollowsVenue() {
        let hyperliquid = Self.deleveraged("hyperliquid:TEST", profile: .venue)
        #expect(hyperliquid.first?.account == "large" && hyperliquid.first?.quantity == .one, "\(hyperliquid)")
        let binanceRules = Self.deleveraged("hyperliquid:TEST", profile: .binance)
        #expect(binanceRules.first?.account == "small", "\(binanceRules)")
        #expect(Self.deleveraged("binance-usdm:TESTUSDT", profile: .venue).first?.account == "small")
    }

    @Test("Hyperliquid: a short in profit takes entry ÷ mark; a cross position's account value counts its other legs")
    func hyperliquidShortAndCross() {
        var engine = RiskEngineTests.engine(with: [testInstrument(symbol: "hyperliquid:AAA"), testInstrument(symbol: "hyperliquid:BBB")])
        for symbol in ["hyperliquid:AAA", "hyperliquid:BBB"] {
            engine.apply(.mark(symbol: symbol, price: Fixed(100), time: 1))
            engine.apply(.bookSnapshot(symbol: symbol, bids: [(units("99.9"), units("1000"))], asks: [(units("100.1"), units("1000"))], time: 1))
        }
        engine.apply(.position(PositionUpdate(account: "short", symbol: "hyperliquid:AAA", side: .short, quantity: Fixed(10), entryPrice: Fixed(100),
            mode: .isolated, isolatedMargin: Fixed(100)), time: 2))
        // Cross: a long of AAA in profit beside a losing long of BBB, a wallet of 500.
        engine.apply(.position(PositionUpdate(account: "cross", symbol: "hyperliquid:AAA", side: .long, quantity: Fixed(1), entryPrice: Fixed(80),
            mode: .cross, walletBalance: Fixed(500)), time: 2))
        engine.apply(.position(PositionUpdate(account: "cross", symbol: "hyperliquid:BBB", side: .long, quantity: Fixed(5), entryPrice: Fixed(110),
            mode: .cross), time: 2))
        engine.apply(.mark(symbol: "hyperliquid:AAA", price: Fixed(90), time: 3))
        // Short: PnL 100, account value 200, notional 900: (100 ÷ 90) × 900 ÷ 200.
        #expect(engine.adlScore(of: 0) == Fixed(100) / Fixed(90) * (Fixed(900) / Fixed(200)))
        // Cross long: PnL 10; the BBB leg loses 50 at 100: account value 500 + 10 − 50 = 460.
        #expect(engine.adlScore(of: 1) == Fixed(90) / Fixed(80) * (Fixed(90) / Fixed(460)))
        #expect(engine.adlScore(of: 2) == .zero)
    }
}
