import Testing
@testable import RiskEngine

/// A cross position takes the wallet stated for its account, or, when none was ever stated, the
/// wallet its leverage implies; and a disputed mark settles when it is sent again (review).
@Suite("Stated wallets and settled disputes")
struct StatedWalletTests {
    static let symbol = "binance-usdm:BTCUSDT"

    static func engine() -> Engine {
        var engine = Engine()
        engine.apply(.mark(symbol: symbol, price: Fixed(60_000), time: 1_000_000_000))
        engine.apply(.bookSnapshot(symbol: symbol, bids: [(BookUnits.perUnit * 59_990, BookUnits.perUnit * 10)],
            asks: [(BookUnits.perUnit * 60_010, BookUnits.perUnit * 10)], time: 1_000_000_000))
        return engine
    }

    static func cross(_ account: String, leverage: Fixed? = Fixed(5)) -> MarketEvent {
        .position(PositionUpdate(account: account, symbol: symbol, side: .long, quantity: .one, entryPrice: Fixed(60_000),
            mode: .cross, leverage: leverage), time: 2_000_000_000)
    }

    @Test("money credited to a wallet no one stated is no statement: the cross position derives its wallet, not liquidated against it")
    func creditedIsNotStated() throws {
        var engine = Self.engine()
        // An isolated position in another market (cross and isolated legs of one symbol are refused).
        engine.apply(.mark(symbol: "binance-usdm:ETHUSDT", price: Fixed(3_000), time: 1_000_000_000))
        engine.apply(.position(PositionUpdate(account: "c", symbol: "binance-usdm:ETHUSDT", side: .short, quantity: .one, entryPrice: Fixed(3_000),
            mode: .isolated, leverage: Fixed(10)), time: 1_000_000_000))
        let account = try #require(engine.accounts.firstIndex { $0.id == "c" })
        // As an ADL's realised PnL or an isolated close's dust lands there.
        engine.accounts[account].walletBalance = Fixed(500)
        #expect(!engine.hasStatedWallet(Int32(account)))
        let notes = engine.apply(Self.cross("c"))
        #expect(notes.liquidations.isEmpty)
        #expect(engine.accounts[account].walletBalance == Fixed(12_000) && engine.hasStatedWallet(Int32(account)))
    }

    @Test("each new cross leg of an account whose wallet only leverage implies adds its own, as a positions file sums them; a resend or a stated wallet does not")
    func impliedWalletSums() throws {
        var engine = Self.engine()
        engine.apply(.mark(symbol: "binance-usdm:ETHUSDT", price: Fixed(3_000), time: 1_000_000_000))
        engine.apply(.bookSnapshot(symbol: "binance-usdm:ETHUSDT", bids: [(BookUnits.perUnit * 2_999, BookUnits.perUnit * 1_000)],
            asks: [(BookUnits.perUnit * 3_001, BookUnits.perUnit * 1_000)], time: 1_000_000_000))
        func leg(_ symbol: String, _ quantity: Int, _ entry: Int) -> MarketEvent {
            .position(PositionUpdate(account: "a", symbol: symbol, side: .long, quantity: Fixed(quantity), entryPrice: Fixed(entry),
                mode: .cross, leverage: Fixed(10)), time: 2_000_000_000)
        }
        engine.apply(leg(Self.symbol, 1, 60_000))
        engine.apply(leg("binance-usdm:ETHUSDT", 20, 3_000))
        let account = try #require(engine.accounts.firstIndex { $0.id == "a" })
        #expect(engine.accounts[account].walletBalance == Fixed(12_000), "60,000 ÷ 10 + 60,000 ÷ 10")
        // The first leg sent again (a periodic full state): nothing added.
        engine.apply(leg(Self.symbol, 1, 60_000))
        #expect(engine.accounts[account].walletBalance == Fixed(12_000))
        // A 5 % fall: the account at 10x stands (it stood at 20x and lost both legs).
        var notes = engine.apply(.mark(symbol: Self.symbol, price: Fixed(57_000), time: 3_000_000_000))
        notes += engine.apply(.mark(symbol: "binance-usdm:ETHUSDT", price: Fixed(2_850), time: 3_000_000_000))
        #expect(notes.liquidations.isEmpty && engine.positions.filter(\.isOpen).count == 2)
        // A stated wallet ends the sum: a later new leg adds nothing to it.
        engine.apply(.account(id: "a", asset: "USDT", venue: "binance-usdm", venueGiven: true, walletBalance: Fixed(15_000), time: 3_000_000_000))
        engine.apply(.mark(symbol: "binance-usdm:SOLUSDT", price: Fixed(150), time: 3_000_000_000))
        engine.apply(.position(PositionUpdate(account: "a", symbol: "binance-usdm:SOLUSDT", side: .short, quantity: Fixed(10), entryPrice: Fixed(150),
            mode: .cross, leverage: Fixed(10)), time: 3_000_000_000))
        #expect(engine.accounts[account].walletBalance == Fixed(15_000))
    }

    @Test("an implied wallet follows its cross legs: a leg closed gives its share back, a resized leg moves it, an isolated leg leaves it")
    func impliedWalletFollowsLegs() throws {
        var engine = Self.engine()
        engine.apply(.mark(symbol: "binance-usdm:ETHUSDT", price: Fixed(3_000), time: 1_000_000_000))
        func leg(_ symbol: String, _ quantity: Int, _ entry: Int, _ mode: MarginMode = .cross) -> MarketEvent {
            .position(PositionUpdate(account: "r", symbol: symbol, side: .long, quantity: Fixed(quantity), entryPrice: Fixed(entry),
                mode: mode, leverage: Fixed(10)), time: 2_000_000_000)
        }
        engine.apply(leg(Self.symbol, 1, 60_000))
        let account = try #require(engine.accounts.firstIndex { $0.id == "r" })
        #expect(engine.accounts[account].walletBalance == Fixed(6_000))
        // Rotated: BTC closed, ETH opened. A file of the ETH row alone derives 6,000.
        engine.apply(leg(Self.symbol, 0, 60_000))
        #expect(engine.accounts[account].walletBalance == .zero)
        engine.apply(leg("binance-usdm:ETHUSDT", 20, 3_000))
        #expect(engine.accounts[account].walletBalance == Fixed(6_000), "the closed leg's share was added again")
        // Resized: 40 ETH at 10x imply 12,000.
        engine.apply(leg("binance-usdm:ETHUSDT", 40, 3_000))
        #expect(engine.accounts[account].walletBalance == Fixed(12_000))
        // An isolated leg has its own margin: the implied wallet stays.
        engine.apply(.position(PositionUpdate(account: "r", symbol: Self.symbol, side: .long, quantity: Fixed(1), entryPrice: Fixed(60_000),
            mode: .isolated, isolatedMargin: Fixed(6_000)), time: 2_000_000_000))
        #expect(engine.accounts[account].walletBalance == Fixed(12_000))
    }

    @Test("a wallet stated as 0 is stated: nothing is derived; a statement drops an older one still waiting")
    func zeroIsStated() throws {
        var engine = Self.engine()
        engine.apply(.account(id: "z", asset: "USDT", venue: "binance-usdm", venueGiven: true, walletBalance: .zero, time: 1_000_000_000))
        let account = try #require(engine.accounts.firstIndex { $0.id == "z" })
        #expect(engine.hasStatedWallet(Int32(account)))
        // A wallet waiting for an account's first position (no account of the name yet) …
        engine.apply(.account(id: "p", asset: "USDT", venue: "binance-usdm", venueGiven: false, walletBalance: Fixed(1_000), time: 1_000_000_000))
        // … a position refused (its leverage implies too much) makes the account, the wallet waits on …
        engine.apply(.position(PositionUpdate(account: "p", symbol: Self.symbol, side: .short, quantity: .one, entryPrice: Fixed(60_000),
            mode: .isolated, leverage: Fixed("0.000000000000000001")!), time: 1_000_000_000))
        // … a later statement is applied to the account and the waiting one goes.
        engine.apply(.account(id: "p", asset: "USDT", venue: "binance-usdm", venueGiven: false, walletBalance: Fixed(5_000), time: 1_000_000_000))
        engine.apply(Self.cross("p", leverage: nil))
        let p = try #require(engine.accounts.first { $0.id == "p" })
        #expect(p.walletBalance == Fixed(5_000), "the stale waiting 1,000 must not replace the stated 5,000")
    }

    @Test("a disputed mark sent again at the same price settles the dispute: what crossed meanwhile is liquidated")
    func disputeSettledAtSamePrice() throws {
        var engine = Self.engine()
        var notes: [EngineNotification] = []
        engine.refuseSnapshot(symbol: Self.symbol, median: BookUnits.perUnit * 6_000, mark: BookUnits.perUnit * 60_000, into: &notes)
        // Placed while the mark is disputed, its trigger already crossed (70,000 at 10x, mark 60,000).
        let placed = engine.apply(.position(PositionUpdate(account: "a", symbol: Self.symbol, side: .long, quantity: .one,
            entryPrice: Fixed(70_000), mode: .isolated, leverage: Fixed(10)), time: 1_500_000_000))
        #expect(placed.liquidations.isEmpty)
        #expect(engine.market(Self.symbol)?.liquidationBlocked == .disputedMark)
        let settled = engine.apply(.mark(symbol: Self.symbol, price: Fixed(60_000), time: 2_000_000_000))
        #expect(settled.liquidations.count == 1)
        #expect(engine.market(Self.symbol)?.liquidationBlocked == nil)
    }
}

/// A refused update, or the close of a position that is not there, leaves nothing behind: an
/// attacker's stream of them used to add an empty account a line.
@Suite("Refused updates make no account")
struct RefusedUpdateAccountTests {
    @Test("refusals and closes of nothing make no account; a close that states a wallet does, as the statement it is")
    func noEmptyAccounts() throws {
        var engine = StatedWalletTests.engine()
        let before = engine.accounts.count
        var notes: [EngineNotification] = []
        for number in 0..<100 {
            // Past the money limit.
            engine.apply(.position(PositionUpdate(account: "huge-\(number)", symbol: StatedWalletTests.symbol, side: .short, quantity: .one,
                entryPrice: Fixed(60_000), mode: .isolated, leverage: Fixed("0.000000000000000001")!), time: 2_000_000_000), into: &notes)
            // Cross with neither wallet nor leverage.
            engine.apply(StatedWalletTests.cross("nowallet-\(number)", leverage: nil), into: &notes)
            // A hedge leg on the wrong side.
            var wrongLeg = PositionUpdate(account: "leg-\(number)", symbol: StatedWalletTests.symbol, side: .long, quantity: .one,
                entryPrice: Fixed(60_000), mode: .isolated, leverage: Fixed(10))
            wrongLeg.positionSide = .short
            engine.apply(.position(wrongLeg, time: 2_000_000_000), into: &notes)
            // The close of a position that is not there.
            engine.apply(.position(PositionUpdate(account: "ghost-\(number)", symbol: StatedWalletTests.symbol, side: .long, quantity: .zero,
                entryPrice: Fixed(60_000), mode: .isolated), time: 2_000_000_000), into: &notes)
        }
        #expect(engine.accounts.count == before)
        #expect(engine.totals.positionsRejected == 300)
        #expect(notes.filter { if case .positionRejected = $0 { true } else { false } }.count == 300)
        // A close stating a wallet is a statement: the account is made and holds it.
        var stated = PositionUpdate(account: "closer", symbol: StatedWalletTests.symbol, side: .long, quantity: .zero,
            entryPrice: Fixed(60_000), mode: .cross)
        stated.walletBalance = Fixed(2_500)
        engine.apply(.position(stated, time: 2_000_000_000), into: &notes)
        #expect(engine.accounts.count == before + 1)
        let closer = try #require(engine.accounts.firstIndex { $0.id == "closer" })
        #expect(engine.accounts[closer].walletBalance == Fixed(2_500) && engine.hasStatedWallet(Int32(closer)))
        // And an accepted position after refusals of its own account's name is placed as ever.
        engine.apply(StatedWalletTests.cross("nowallet-7"), into: &notes)
        let placed = try #require(engine.accounts.firstIndex { $0.id == "nowallet-7" })
        #expect(engine.accounts[placed].positions.count == 1 && engine.accounts[placed].walletBalance == Fixed(12_000))
    }
}
