import Testing
@testable import RiskEngine

/// Each venue backs its own liquidations: a Bybit deficit is paid by Bybit's insurance fund, never
/// by Binance's, and when Bybit's cannot pay, Bybit's positions are deleveraged even while Binance's
/// fund is full. The funds were once kept per asset only, and one session of two venues pooled them.
@Suite("Insurance funds per venue")
struct VenueFundTests {
    static let binance = "binance-usdm:TESTUSDT"
    static let bybit = "bybit:TESTUSDT"

    /// Two markets of the same contract on two venues, each with a mark, a thin book whose bids
    /// stand at 90 (far under a long's bankruptcy near 99) and plenty of asks.
    func twoVenues(configuration: EngineConfiguration = EngineConfiguration()) -> Engine {
        var engine = engine(with: [testInstrument(symbol: Self.binance), testInstrument(symbol: Self.bybit)], configuration: configuration)
        for symbol in [Self.binance, Self.bybit] {
            engine.apply(.mark(symbol: symbol, price: Fixed(100), time: 1))
            engine.apply(.bookSnapshot(symbol: symbol, bids: [(units("90"), units("1000"))], asks: [(units("100.10"), units("1000"))], time: 1))
        }
        return engine
    }

    /// A long of 10 at 100 with an isolated margin of 10: bankrupt at 99; filled at 90 it leaves a
    /// deficit of (99 − 90) × 10 = 90.
    func long(_ account: String, on symbol: String) -> MarketEvent {
        .position(PositionUpdate(account: account, symbol: symbol, side: .long, quantity: Fixed(10), entryPrice: Fixed(100),
            mode: .isolated, isolatedMargin: Fixed(10)), time: 2)
    }

    @Test("an opening without a venue opens each venue's fund; a deficit on one venue is paid by that venue's fund alone")
    func deficitPaidByItsVenue() throws {
        var engine = engine(with: [testInstrument(symbol: Self.binance), testInstrument(symbol: Self.bybit)])
        engine.openFund(asset: "USDT", balance: Fixed(1_000))
        for symbol in [Self.binance, Self.bybit] {
            engine.apply(.mark(symbol: symbol, price: Fixed(100), time: 1))
            engine.apply(.bookSnapshot(symbol: symbol, bids: [(units("90"), units("1000"))], asks: [(units("100.10"), units("1000"))], time: 1))
        }
        #expect(engine.fund(venue: "binance-usdm", asset: "USDT").balance == Fixed(1_000))
        #expect(engine.fund(venue: "bybit", asset: "USDT").balance == Fixed(1_000))
        engine.apply(long("a", on: Self.bybit))
        let notes = engine.apply(.mark(symbol: Self.bybit, price: fx("99.40"), time: 3))
        let record = try #require(notes.liquidations.first)
        #expect(record.deficit == Fixed(90))
        #expect(record.fundPaid == Fixed(90) && record.fundAfter == Fixed(910))
        #expect(notes.fundEntries.allSatisfy { $0.venue == "bybit" })
        #expect(engine.fund(venue: "bybit", asset: "USDT").balance == Fixed(910))
        #expect(engine.fund(venue: "binance-usdm", asset: "USDT").balance == Fixed(1_000))
        // Money is conserved across both funds.
        #expect(engine.moneyInSystem(asset: "USDT") == engine.deposits["USDT"])
        #expect(engine.fundOrder.map { engine.funds[Int($0)].venue } == ["binance-usdm", "bybit"])
    }

    @Test("a venue whose fund cannot pay deleverages its own positions, though another venue's fund is full")
    func shortfallGoesToItsVenuesADL() throws {
        var engine = twoVenues()
        engine.openFund(asset: "USDT", balance: Fixed(1_000_000), venue: "binance-usdm")
        engine.openFund(asset: "USDT", balance: Fixed(30), venue: "bybit")
        // Winners on both venues: only Bybit's may be deleveraged.
        for (account, symbol) in [("s1", Self.bybit), ("s2", Self.binance)] {
            engine.apply(.position(PositionUpdate(account: account, symbol: symbol, side: .short, quantity: Fixed(50), entryPrice: Fixed(110),
                mode: .isolated, isolatedMargin: Fixed(1_000)), time: 2))
        }
        engine.apply(long("a", on: Self.bybit))
        let notes = engine.apply(.mark(symbol: Self.bybit, price: fx("99.40"), time: 3))
        #expect(notes.liquidations.count == 1)
        #expect(!notes.adl.isEmpty)
        #expect(notes.adl.allSatisfy { $0.symbol == Self.bybit })
        let bybit = engine.fund(venue: "bybit", asset: "USDT")
        let binance = engine.fund(venue: "binance-usdm", asset: "USDT")
        #expect(bybit.adlEvents == notes.adl.count && binance.adlEvents == 0)
        #expect(binance.balance == Fixed(1_000_000))
        #expect(!bybit.balance.isNegative && bybit.balance <= Fixed(30))
        #expect(engine.fundState(venue: "binance-usdm", asset: "USDT").adl == .idle)
        #expect(engine.fundState(venue: "bybit", asset: "USDT").adl != .idle)
        #expect(engine.moneyInSystem(asset: "USDT") == engine.deposits["USDT"])
    }

    @Test("the stressed deficit of a market is compared with its venue's fund")
    func stressAgainstItsVenuesFund() {
        var engine = twoVenues()
        engine.openFund(asset: "USDT", balance: Fixed(1_000_000), venue: "binance-usdm")
        engine.openFund(asset: "USDT", balance: Fixed(10), venue: "bybit")
        for index in 0..<20 { engine.apply(long("b\(index)", on: Self.bybit)) }
        engine.apply(.clock(time: 5_000_000_000))
        let bybit = engine.fundState(venue: "bybit", asset: "USDT")
        #expect(bybit.stressed.deficit.isPositive)
        #expect(bybit.stressed.adlCertain, "a deficit beyond Bybit's 10 USDT is ADL whatever Binance's fund holds")
        #expect(bybit.adl == .near)
        let binance = engine.fundState(venue: "binance-usdm", asset: "USDT")
        #expect(binance.stressed.deficit.isZero && binance.adl == .idle)
    }

    @Test("a statement naming no venue before any market of its asset is the fund of the first venue to list one")
    func statementBeforeAnyMarket() {
        var engine = engine(with: [testInstrument(symbol: Self.binance), testInstrument(symbol: Self.bybit)])
        engine.openFund(asset: "USDT", balance: Fixed(250_000), provisional: true)
        engine.apply(.insuranceFund(asset: "USDT", venue: nil, balance: Fixed(1_000), time: 1))
        #expect(engine.funds.isEmpty, "no fund made before a market needs one")
        engine.apply(.mark(symbol: Self.bybit, price: Fixed(100), time: 2))
        // The default opening gave way to the statement: Bybit's fund opens at 1,000.
        let bybit = engine.fund(venue: "bybit", asset: "USDT")
        #expect(bybit.opening == Fixed(1_000) && bybit.balance == Fixed(1_000))
        engine.apply(.mark(symbol: Self.binance, price: Fixed(100), time: 3))
        #expect(engine.fund(venue: "binance-usdm", asset: "USDT").opening == Fixed(250_000))
        #expect(engine.moneyInSystem(asset: "USDT") == engine.deposits["USDT"])
    }

    @Test("a statement naming no venue while markets of its asset are on several venues is refused, and said so")
    func ambiguousStatementRefused() throws {
        var engine = twoVenues()
        engine.openFund(asset: "USDT", balance: Fixed(100))
        let notes = engine.apply(.insuranceFund(asset: "USDT", venue: nil, balance: Fixed(5_000), time: 2))
        #expect(engine.fund(venue: "bybit", asset: "USDT").balance == Fixed(100))
        #expect(engine.fund(venue: "binance-usdm", asset: "USDT").balance == Fixed(100))
        #expect(engine.totals.fundStatementsRefused == 1)
        let refusal = try #require(notes.compactMap { note -> String? in
            if case .fundStatementRefused(_, _, let reason, _) = note { return reason } else { return nil }
        }.first)
        #expect(refusal == "markets of USDT are on binance-usdm, bybit: the statement must name its venue")
    }

    @Test("a statement naming no venue is the fund of the one venue with markets in the asset; a venue's statement is its own")
    func statementsFindTheirVenue() {
        var engine = engine(with: [testInstrument(symbol: Self.bybit)])
        engine.apply(.mark(symbol: Self.bybit, price: Fixed(100), time: 1))
        engine.apply(.insuranceFund(asset: "USDT", venue: nil, balance: Fixed(5_000), time: 2))
        #expect(engine.fund(venue: "bybit", asset: "USDT").balance == Fixed(5_000))
        #expect(!engine.fund(venue: "binance-usdm", asset: "USDT").isInUse)
        engine.apply(.insuranceFund(asset: "USDT", venue: "okx", balance: Fixed(7), time: 3))
        #expect(engine.fund(venue: "okx", asset: "USDT").balance == Fixed(7))
        #expect(engine.fund(venue: "bybit", asset: "USDT").balance == Fixed(5_000))
        #expect(engine.moneyInSystem(asset: "USDT") == engine.deposits["USDT"])
    }

    @Test("a default opening gives way to each venue's own first statement, and a venue's market seen late still has its fund")
    func provisionalPerVenue() {
        var engine = engine(with: [testInstrument(symbol: Self.binance), testInstrument(symbol: Self.bybit)])
        engine.openFund(asset: "USDT", balance: Fixed(250_000), provisional: true)
        engine.apply(.mark(symbol: Self.binance, price: Fixed(100), time: 1))
        engine.apply(.insuranceFund(asset: "USDT", venue: "binance-usdm", balance: Fixed(40), time: 2))
        #expect(engine.fund(venue: "binance-usdm", asset: "USDT").opening == Fixed(40))
        // Bybit's market appears later: its fund opens at the default, as of before the session.
        engine.apply(.mark(symbol: Self.bybit, price: Fixed(100), time: 3))
        let bybit = engine.fund(venue: "bybit", asset: "USDT")
        #expect(bybit.opening == Fixed(250_000) && bybit.lowTime == 0)
        engine.apply(.insuranceFund(asset: "USDT", venue: "bybit", balance: Fixed(60), time: 4))
        #expect(engine.fund(venue: "bybit", asset: "USDT").opening == Fixed(60))
        #expect(engine.fund(venue: "binance-usdm", asset: "USDT").opening == Fixed(40))
        #expect(engine.moneyInSystem(asset: "USDT") == engine.deposits["USDT"])
    }
}

/// An events-only session defaults to Binance USDⓈ-M, while its positions may be Bybit's: a
/// wallet line naming no venue before the account's first position went to an empty Binance
/// account, and the Bybit account had no wallet behind its cross position.
@Suite("Wallet statements before the account's first position")
struct PendingWalletTests {
    @Test("a wallet stated for an account not seen yet is the wallet its first position's venue gives it")
    func walletWaitsForThePosition() {
        var engine = engine(with: [testInstrument(symbol: VenueFundTests.bybit)])
        engine.apply(.mark(symbol: VenueFundTests.bybit, price: Fixed(100), time: 1))
        engine.apply(.account(id: "bob", asset: "USDT", venue: "binance-usdm", venueGiven: false, walletBalance: Fixed(1_000), time: 1))
        #expect(engine.accounts.isEmpty, "no account made before a position says which venue's")
        engine.apply(.position(PositionUpdate(account: "bob", symbol: VenueFundTests.bybit, side: .long, quantity: Fixed(10),
            entryPrice: Fixed(100), mode: .cross), time: 2))
        #expect(engine.account(id: "bob", asset: "USDT", venue: "bybit")?.walletBalance == Fixed(1_000))
        #expect(engine.account(id: "bob", asset: "USDT", venue: "binance-usdm") == nil)
        #expect(engine.positions[0].liquidation != nil, "the wallet is behind the cross position")
        // Later statements find the account where it is.
        engine.apply(.account(id: "bob", asset: "USDT", venue: "binance-usdm", venueGiven: false, walletBalance: Fixed(900), time: 3))
        #expect(engine.account(id: "bob", asset: "USDT", venue: "bybit")?.walletBalance == Fixed(900))
        #expect(engine.moneyInSystem(asset: "USDT") == engine.deposits["USDT"])
    }

    @Test("a position stating its own wallet wins over one stated before it; a venue named is used at once")
    func ownWalletWins() {
        var engine = engine(with: [testInstrument(symbol: VenueFundTests.bybit)])
        engine.apply(.account(id: "ann", asset: "USDT", venue: "", venueGiven: false, walletBalance: Fixed(1_000), time: 1))
        engine.apply(.position(PositionUpdate(account: "ann", symbol: VenueFundTests.bybit, side: .long, quantity: Fixed(1),
            entryPrice: Fixed(100), mode: .cross, walletBalance: Fixed(50)), time: 2))
        #expect(engine.account(id: "ann", asset: "USDT", venue: "bybit")?.walletBalance == Fixed(50))
        engine.apply(.account(id: "cy", asset: "USDT", venue: "okx", venueGiven: true, walletBalance: Fixed(7), time: 3))
        #expect(engine.account(id: "cy", asset: "USDT", venue: "okx")?.walletBalance == Fixed(7))
    }
}

/// A fund backing several markets shows one market's stress whole: the worst, ADL first.
@Suite("The fund's worst stress across its markets")
struct FundWorstStressTests {
    @Test("a market whose stress makes ADL certain is shown whole, not its ADL beside another's larger deficit")
    func adlFirstAndWhole() {
        let a = "binance-usdm:AUSDT", b = "binance-usdm:BUSDT"
        var engine = engine(with: [testInstrument(symbol: a), testInstrument(symbol: b)])
        engine.openFund(asset: "USDT", balance: Fixed(10_000))
        for symbol in [a, b] { engine.apply(.mark(symbol: symbol, price: Fixed(100), time: 1)) }
        let (ia, ib) = (engine.marketIndex(of: a)!, engine.marketIndex(of: b)!)
        // A: a deficit of 5,000 the book fills; B: nothing lost yet, 3 units the book cannot take, to ADL.
        engine.markets[ia].stressed = StressedDeficit(deficit: Fixed(5_000))
        engine.markets[ia].stressed.positions = 4
        engine.markets[ib].stressed = StressedDeficit(deficit: Fixed(20), unfilledQuantity: Fixed(3))
        engine.markets[ib].stressed.adlCertain = true
        engine.markets[ib].stressed.positions = 2
        var state = engine.fundState(venue: "binance-usdm", asset: "USDT")
        #expect(state.stressedMarket == b)
        #expect(state.stressed.deficit == Fixed(20) && state.stressed.adlCertain && state.stressed.unfilledQuantity == Fixed(3))
        #expect(state.adl == .near)
        // Neither certain: the larger deficit, its own figure.
        engine.markets[ib].stressed.adlCertain = false
        state = engine.fundState(venue: "binance-usdm", asset: "USDT")
        #expect(state.stressedMarket == a && state.stressed.deficit == Fixed(5_000) && !state.stressed.adlCertain)
        #expect(state.marketsBacked == 2)
    }
}
