import Testing
@testable import RiskEngine

/// An operator's system re-sends positions as they are (a periodic full state, a reconnect): an
/// update that changes nothing must leave the position exactly as watched as before.
@Suite("Position updates that change nothing")
struct RepeatedUpdateTests {
    func update(quantity: String = "10") -> PositionUpdate {
        PositionUpdate(account: "a", symbol: "TESTUSDT", side: .long, quantity: fx(quantity),
            entryPrice: Fixed(100), mode: .isolated, isolatedMargin: Fixed(10))
    }

    func engineWithPosition(repeats: Int) -> Engine {
        var engine = engine(with: [testInstrument()])
        engine.openFund(asset: "USDT", balance: Fixed(100))
        engine.apply(.mark(symbol: "TESTUSDT", price: Fixed(100), time: 1))
        engine.apply(.bookSnapshot(symbol: "TESTUSDT", bids: [(units("99.25"), units("1000"))], asks: [(units("100.10"), units("1000"))], time: 1))
        for repeatIndex in 0...repeats { engine.apply(.position(update(), time: Int64(2 + repeatIndex))) }
        return engine
    }

    @Test("what an update brings in is deposited once, net: re-stated margins, closes, and closes of nothing")
    func depositsFollowEveryBranch() {
        var engine = engine(with: [testInstrument()])
        engine.openFund(asset: "USDT", balance: Fixed(100))
        engine.apply(.mark(symbol: "TESTUSDT", price: Fixed(100), time: 1))
        // A close of a position nobody holds, with no wallet stated, brings in nothing.
        engine.apply(.position(update(quantity: "0"), time: 2))
        #expect(engine.positions.isEmpty && engine.deposits["USDT"] == Fixed(100))
        // With a wallet stated, only the wallet comes in, and no position is made.
        engine.apply(.position(PositionUpdate(account: "w", symbol: "TESTUSDT", side: .long, quantity: .zero,
            entryPrice: Fixed(100), mode: .cross, walletBalance: Fixed(40)), time: 3))
        #expect(engine.positions.isEmpty && engine.deposits["USDT"] == Fixed(140))
        // Opened with 10 of margin, re-stated with 25: the margin is replaced, not added to.
        engine.apply(.position(update(), time: 4))
        #expect(engine.deposits["USDT"] == Fixed(150))
        engine.apply(.position(PositionUpdate(account: "a", symbol: "TESTUSDT", side: .long, quantity: fx("10"),
            entryPrice: Fixed(100), mode: .isolated, isolatedMargin: Fixed(25)), time: 5))
        #expect(engine.deposits["USDT"] == Fixed(165) && engine.positions[0].isolatedMargin == Fixed(25))
        // Closed: its margin goes back out.
        engine.apply(.position(update(quantity: "0"), time: 6))
        #expect(engine.deposits["USDT"] == Fixed(140) && !engine.positions[0].isOpen)
        #expect(engine.moneyInSystem(asset: "USDT") == engine.deposits["USDT"])
    }

    @Test("a position sent again unchanged is still liquidated when the mark crosses its trigger")
    func resentPositionStillTriggers() {
        for repeats in [0, 1, 3] {
            var engine = engineWithPosition(repeats: repeats)
            let notes = engine.apply(.mark(symbol: "TESTUSDT", price: fx("99.40"), time: 10))
            #expect(notes.liquidations.count == 1, "sent \(repeats + 1) times")
            #expect(engine.positions[0].isOpen == false, "sent \(repeats + 1) times")
        }
    }

    @Test("a position sent again unchanged stays among the riskiest the signals stress")
    func resentPositionStaysRanked() {
        let once = engineWithPosition(repeats: 0)
        let thrice = engineWithPosition(repeats: 2)
        let market = thrice.marketIndex(of: "TESTUSDT")!
        let isLive: (TriggerIndex.Entry) -> Bool = { thrice.isLive($0) }
        #expect(thrice.markets[market].triggers.leading(.long, count: 10, isLive: isLive).map(\.position) == [0])
        #expect(thrice.stressedDeficit(market: market) == once.stressedDeficit(market: market))
    }

    @Test("sent again as it was before the engine liquidated it: not applied, so its deficit is not counted again every period")
    func resentAfterLiquidationIsNotReopened() {
        var engine = engineWithPosition(repeats: 0)
        // The book has nothing near: the liquidation leaves a deficit.
        engine.apply(.bookSnapshot(symbol: "TESTUSDT", bids: [(units("80"), units("1000"))], asks: [(units("100.10"), units("1000"))], time: 9))
        let first = engine.apply(.mark(symbol: "TESTUSDT", price: fx("99.40"), time: 10))
        #expect(first.liquidations.count == 1 && !engine.positions[0].isOpen)
        let deficits = engine.totals.deficits
        let deficitTotal = engine.totals.deficitTotal["USDT"]
        let fund = engine.fund("USDT").balance
        #expect(deficits == 1)
        // The operator's system sends its full state every period, not yet told of the close.
        for period in 0..<3 {
            let notes = engine.apply(.position(update(), time: 11 + Int64(period)))
            #expect(notes.liquidations.isEmpty, "period \(period)")
            #expect(!engine.positions[0].isOpen, "period \(period)")
        }
        #expect(engine.totals.deficits == deficits && engine.totals.deficitTotal["USDT"] == deficitTotal)
        #expect(engine.fund("USDT").balance == fund)
        #expect(engine.totals.positionsRejected == 3)
        #expect(engine.moneyInSystem(asset: "USDT") == engine.deposits["USDT"])
        // A statement that differs (its size now, here a new position) is applied, and the one
        // after it again as it was is then the operator's to make.
        engine.apply(.mark(symbol: "TESTUSDT", price: Fixed(100), time: 20))
        engine.apply(.position(update(quantity: "4"), time: 21))
        #expect(engine.positions[0].isOpen && engine.positions[0].quantity == fx("4"))
        engine.apply(.position(update(), time: 22))
        #expect(engine.positions[0].quantity == fx("10"))
    }

    @Test("after a partial step, the old size sent again is not applied either; its size now is")
    func resentAfterPartialStep() {
        var engine = engine(with: [testInstrument()])
        engine.configuration.liquidation = .partial(fraction: fx("0.5"))
        engine.openFund(asset: "USDT", balance: Fixed(100))
        engine.apply(.mark(symbol: "TESTUSDT", price: Fixed(100), time: 1))
        engine.apply(.bookSnapshot(symbol: "TESTUSDT", bids: [(units("99.30"), units("1000"))], asks: [(units("100.10"), units("1000"))], time: 1))
        engine.apply(.position(update(), time: 2))
        engine.apply(.mark(symbol: "TESTUSDT", price: fx("99.40"), time: 10))
        let left = engine.positions[0].quantity
        #expect(left.isPositive && left < fx("10"), "\(left)")
        let steps = engine.totals.partialSteps
        let fund = engine.fund("USDT").balance
        let notes = engine.apply(.position(update(), time: 11))
        #expect(engine.positions[0].quantity == left)
        // Applied, it was stepped down again to the same size: more steps, more fees.
        #expect(notes.liquidations.isEmpty && engine.totals.partialSteps == steps && engine.fund("USDT").balance == fund)
        engine.apply(.position(update(quantity: "3"), time: 12))
        #expect(engine.positions[0].quantity == fx("3"))
    }

    /// An empty fund, the long of `update()` liquidated below its bankruptcy price at 99.40, and
    /// `winner` (short 20) deleveraged by the 10 the fund cannot stand behind.
    func deleveraged(_ winner: PositionUpdate) -> (Engine, [EngineNotification]) {
        var engine = engine(with: [testInstrument()])
        engine.openFund(asset: "USDT", balance: .zero)
        engine.apply(.mark(symbol: "TESTUSDT", price: Fixed(100), time: 1))
        engine.apply(.bookSnapshot(symbol: "TESTUSDT", bids: [(units("98.80"), units("1000"))], asks: [(units("100.10"), units("1000"))], time: 1))
        engine.apply(.position(update(), time: 2))
        engine.apply(.position(winner, time: 3))
        let notes = engine.apply(.mark(symbol: "TESTUSDT", price: fx("99.40"), time: 4))
        return (engine, notes)
    }

    @Test("after an ADL close, the winner's old size sent again is not applied: ADL took half of it")
    func resentAfterADL() {
        let winner = PositionUpdate(account: "winner", symbol: "TESTUSDT", side: .short, quantity: Fixed(20),
            entryPrice: Fixed(110), mode: .isolated, isolatedMargin: Fixed(500))
        var (engine, notes) = deleveraged(winner)
        #expect(notes.adl.count == 1 && engine.positions[1].quantity == Fixed(10))
        let wallet = engine.accounts[Int(engine.positions[1].accountIndex)].walletBalance
        engine.apply(.position(winner, time: 5))
        #expect(engine.positions[1].quantity == Fixed(10), "the 20 the winner held before ADL came back")
        #expect(engine.accounts[Int(engine.positions[1].accountIndex)].walletBalance == wallet)
        #expect(engine.moneyInSystem(asset: "USDT") == engine.deposits["USDT"])
    }

    @Test("a margin topped up, or a new leverage, with the old size after the engine liquidated it: news, applied")
    func toppedUpAfterLiquidationIsApplied() {
        var engine = engineWithPosition(repeats: 0)
        engine.apply(.bookSnapshot(symbol: "TESTUSDT", bids: [(units("80"), units("1000"))], asks: [(units("100.10"), units("1000"))], time: 9))
        engine.apply(.mark(symbol: "TESTUSDT", price: fx("99.40"), time: 10))
        #expect(!engine.positions[0].isOpen)
        engine.apply(.mark(symbol: "TESTUSDT", price: Fixed(100), time: 11))
        var toppedUp = update()
        toppedUp.isolatedMargin = Fixed(50)
        engine.apply(.position(toppedUp, time: 12))
        #expect(engine.positions[0].isOpen && engine.positions[0].isolatedMargin == Fixed(50))
        #expect(engine.totals.positionsRejected == 0)
        #expect(engine.moneyInSystem(asset: "USDT") == engine.deposits["USDT"])
    }

    @Test("a cross winner's old size sent again after ADL: its wallet as stated, refused; a new wallet, applied")
    func crossWinnerWalletAfterADL() {
        var winner = PositionUpdate(account: "winner", symbol: "TESTUSDT", side: .short, quantity: Fixed(20),
            entryPrice: Fixed(110), mode: .cross, walletBalance: Fixed(500))
        var (engine, _) = deleveraged(winner)
        #expect(engine.positions[1].quantity == Fixed(10))
        let wallet = engine.accounts[Int(engine.positions[1].accountIndex)].walletBalance
        #expect(wallet > Fixed(500), "the ADL close's profit went to the wallet")
        engine.apply(.position(winner, time: 5))
        #expect(engine.positions[1].quantity == Fixed(10) && engine.accounts[Int(engine.positions[1].accountIndex)].walletBalance == wallet)
        winner.walletBalance = Fixed(20_000)
        engine.apply(.position(winner, time: 6))
        #expect(engine.positions[1].quantity == Fixed(20))
        #expect(engine.accounts[Int(engine.positions[1].accountIndex)].walletBalance == Fixed(20_000))
        // Sent again with that wallet: nothing new, and nothing the engine changed since (the
        // first refusal is the only one).
        engine.apply(.position(winner, time: 7))
        #expect(engine.totals.positionsRejected == 1)
        #expect(engine.moneyInSystem(asset: "USDT") == engine.deposits["USDT"])
    }

    /// Carol's cross long (wallet 10) liquidated by the engine at 99.40 into a bid at 80.
    func carolLiquidated() -> Engine {
        var engine = carolLiquidatedBeforeMark()
        engine.apply(.mark(symbol: "TESTUSDT", price: fx("99.40"), time: 3))
        return engine
    }

    @Test("a cross position of an account the engine's liquidation emptied: its wallet is the one its leverage implies until stated")
    func crossAfterEngineEmptiedWallet() {
        var engine = carolLiquidated()
        #expect(!engine.positions[0].isOpen && engine.totals.deficits == 1)
        #expect(!engine.accounts[0].walletBalance.isPositive)
        engine.apply(.mark(symbol: "TESTUSDT", price: Fixed(100), time: 4))
        // Her next state: a new position first (20 at 100, leverage 10: a wallet of 200 implied),
        // the account line after it.
        let notes = engine.apply(.position(PositionUpdate(account: "carol", symbol: "TESTUSDT", side: .long, quantity: Fixed(20),
            entryPrice: Fixed(100), mode: .cross, leverage: Fixed(10)), time: 5))
        #expect(notes.liquidations.isEmpty && engine.positions[0].isOpen)
        #expect(engine.accounts[0].walletBalance == Fixed(200))
        #expect(engine.totals.deficits == 1)
        #expect(engine.moneyInSystem(asset: "USDT") == engine.deposits["USDT"])
    }

    @Test("the position the engine liquidated, stated again as it was once the mark is back, with no wallet: the wallet last stated, which it was judged against")
    func restatedAfterEngineEmptiedWallet() {
        var engine = carolLiquidated()
        engine.apply(.mark(symbol: "TESTUSDT", price: Fixed(100), time: 4))
        let notes = engine.apply(.position(PositionUpdate(account: "carol", symbol: "TESTUSDT", side: .long, quantity: Fixed(10),
            entryPrice: Fixed(100), mode: .cross, leverage: Fixed(10)), time: 5))
        #expect(notes.liquidations.isEmpty && engine.positions[0].isOpen)
        #expect(engine.accounts[0].walletBalance == Fixed(10))
        #expect(engine.totals.deficits == 1 && engine.totals.positionsRejected == 0)
        #expect(engine.moneyInSystem(asset: "USDT") == engine.deposits["USDT"])
    }

    @Test("stated unchanged after the engine liquidated it, with the mark back above its liquidation price: the venue need not have liquidated it, applied")
    func restatedAfterRecoveryIsApplied() {
        var engine = engineWithPosition(repeats: 0)
        engine.apply(.bookSnapshot(symbol: "TESTUSDT", bids: [(units("80"), units("1000"))], asks: [(units("100.10"), units("1000"))], time: 9))
        engine.apply(.mark(symbol: "TESTUSDT", price: fx("99.40"), time: 10))
        #expect(!engine.positions[0].isOpen)
        // Still past its liquidation price: refused.
        engine.apply(.position(update(), time: 11))
        #expect(!engine.positions[0].isOpen && engine.totals.positionsRejected == 1)
        // The mark back at 100: the operator's system still has it, and it is watched again.
        engine.apply(.mark(symbol: "TESTUSDT", price: Fixed(100), time: 12))
        let notes = engine.apply(.position(update(), time: 13))
        #expect(engine.positions[0].isOpen && notes.liquidations.isEmpty)
        #expect(engine.totals.positionsRejected == 1)
        #expect(engine.moneyInSystem(asset: "USDT") == engine.deposits["USDT"])
    }

    @Test("a wallet stated as 0 after the engine's liquidation is a wallet: a cross position then is liquidated against it, not given one")
    func statedZeroWalletIsAWallet() {
        var engine = carolLiquidated()
        engine.apply(.mark(symbol: "TESTUSDT", price: Fixed(100), time: 4))
        engine.apply(.account(id: "carol", asset: "USDT", venue: "", venueGiven: false, walletBalance: .zero, time: 5))
        let notes = engine.apply(.position(PositionUpdate(account: "carol", symbol: "TESTUSDT", side: .long, quantity: Fixed(10),
            entryPrice: Fixed(101), mode: .cross, leverage: Fixed(10)), time: 6))
        // 10 lost at the mark of 100 against a wallet of 0: liquidated (with the 101 a leverage of
        // 10 implies, it would not be).
        #expect(notes.liquidations.count == 1, "a wallet stated as 0 was replaced by the one the leverage implies")
        #expect(engine.moneyInSystem(asset: "USDT") == engine.deposits["USDT"])
    }

    @Test("the statements kept of what the engine's liquidations changed count in its size, which checkpoints are kept by")
    func keptStatementsCountInTheEstimate() {
        let before = carolLiquidatedBeforeMark()
        let after = carolLiquidated()
        #expect(after.engineChangedPositions.count == 1 && after.engineChangedWallets.count == 1)
        #expect(after.positions.count == before.positions.count && after.accounts.count == before.accounts.count)
        #expect(after.approximateBytes - before.approximateBytes >= MemoryLayout<StatedPosition>.stride + MemoryLayout<Fixed>.stride)
    }

    /// Carol's position before the mark that liquidates it.
    func carolLiquidatedBeforeMark() -> Engine {
        var engine = engine(with: [testInstrument()])
        engine.openFund(asset: "USDT", balance: Fixed(1_000))
        engine.apply(.mark(symbol: "TESTUSDT", price: Fixed(100), time: 1))
        engine.apply(.bookSnapshot(symbol: "TESTUSDT", bids: [(units("80"), units("1000"))], asks: [(units("100.10"), units("1000"))], time: 1))
        engine.apply(.position(PositionUpdate(account: "carol", symbol: "TESTUSDT", side: .long, quantity: Fixed(10),
            entryPrice: Fixed(100), mode: .cross, walletBalance: Fixed(10)), time: 2))
        return engine
    }
    @Test("stated again with its margin trimmed a little each period (funding) while still past its liquidation: refused, its deficit counted once")
    func driftedMarginAfterLiquidation() {
        var engine = engineWithPosition(repeats: 0)
        engine.apply(.bookSnapshot(symbol: "TESTUSDT", bids: [(units("80"), units("1000"))], asks: [(units("100.10"), units("1000"))], time: 9))
        engine.apply(.mark(symbol: "TESTUSDT", price: fx("99.40"), time: 10))
        #expect(!engine.positions[0].isOpen && engine.totals.deficits == 1)
        let fund = engine.fund("USDT").balance
        for (period, margin) in ["9.99", "9.98", "10.01"].enumerated() {
            var drifted = update()
            drifted.isolatedMargin = fx(margin)
            let notes = engine.apply(.position(drifted, time: 11 + Int64(period)))
            #expect(notes.liquidations.isEmpty && !engine.positions[0].isOpen, "period \(period)")
        }
        #expect(engine.totals.deficits == 1 && engine.fund("USDT").balance == fund)
        #expect(engine.totals.positionsRejected == 3)
        // A top-up that saves it at this very mark is news: applied, and watched.
        var toppedUp = update()
        toppedUp.isolatedMargin = Fixed(50)
        let notes = engine.apply(.position(toppedUp, time: 20))
        #expect(notes.liquidations.isEmpty && engine.positions[0].isOpen && engine.positions[0].isolatedMargin == Fixed(50))
        #expect(engine.totals.positionsRejected == 3)
        #expect(engine.moneyInSystem(asset: "USDT") == engine.deposits["USDT"])
    }

    @Test("a cross position stated again with its wallet drifted a little after the engine liquidated it: refused; a wallet that saves it, applied")
    func driftedWalletAfterLiquidation() {
        var engine = carolLiquidated()
        #expect(!engine.positions[0].isOpen && engine.totals.deficits == 1)
        for (period, wallet) in ["9.99", "10.02"].enumerated() {
            let notes = engine.apply(.position(PositionUpdate(account: "carol", symbol: "TESTUSDT", side: .long, quantity: Fixed(10),
                entryPrice: Fixed(100), mode: .cross, walletBalance: fx(wallet)), time: 4 + Int64(period)))
            #expect(notes.liquidations.isEmpty && !engine.positions[0].isOpen, "period \(period)")
        }
        #expect(engine.totals.deficits == 1 && engine.totals.positionsRejected == 2)
        let notes = engine.apply(.position(PositionUpdate(account: "carol", symbol: "TESTUSDT", side: .long, quantity: Fixed(10),
            entryPrice: Fixed(100), mode: .cross, walletBalance: Fixed(500)), time: 8))
        #expect(notes.liquidations.isEmpty && engine.positions[0].isOpen && engine.accounts[0].walletBalance == Fixed(500))
        #expect(engine.moneyInSystem(asset: "USDT") == engine.deposits["USDT"])
    }

    @Test("a hedge-mode LONG leg the engine liquidated, stated again without its position side: the same position, refused")
    func hedgeLegStatedAsOneWay() {
        var engine = engine(with: [testInstrument()])
        engine.openFund(asset: "USDT", balance: Fixed(100))
        engine.apply(.mark(symbol: "TESTUSDT", price: Fixed(100), time: 1))
        engine.apply(.bookSnapshot(symbol: "TESTUSDT", bids: [(units("80"), units("1000"))], asks: [(units("100.10"), units("1000"))], time: 1))
        var leg = update()
        leg.positionSide = .long
        engine.apply(.position(leg, time: 2))
        engine.apply(.mark(symbol: "TESTUSDT", price: fx("99.40"), time: 3))
        #expect(!engine.positions[0].isOpen && engine.totals.deficits == 1)
        let notes = engine.apply(.position(update(), time: 4))
        #expect(notes.liquidations.isEmpty && engine.positions.allSatisfy { !$0.isOpen })
        #expect(engine.totals.deficits == 1 && engine.totals.positionsRejected == 1)
        #expect(engine.moneyInSystem(asset: "USDT") == engine.deposits["USDT"])
    }
    @Test("an update refused after the stale check (a one-way line beside hedge legs) does not make the engine forget the closed leg's statement")
    func refusedUpdateKeepsTheStatement() {
        var engine = engine(with: [testInstrument()])
        // Enough to pay the deficit: no ADL takes the short leg.
        engine.openFund(asset: "USDT", balance: Fixed(10_000))
        engine.apply(.mark(symbol: "TESTUSDT", price: Fixed(100), time: 1))
        engine.apply(.bookSnapshot(symbol: "TESTUSDT", bids: [(units("80"), units("1000"))], asks: [(units("100.10"), units("1000"))], time: 1))
        var long = update()
        long.positionSide = .long
        engine.apply(.position(long, time: 2))
        var short = PositionUpdate(account: "a", symbol: "TESTUSDT", side: .short, quantity: Fixed(1), entryPrice: Fixed(100),
            mode: .isolated, isolatedMargin: Fixed(50))
        short.positionSide = .short
        engine.apply(.position(short, time: 2))
        engine.apply(.mark(symbol: "TESTUSDT", price: fx("99.40"), time: 3))
        #expect(!engine.positions[0].isOpen && engine.positions[1].isOpen && engine.totals.deficits == 1)
        // A one-way long of a new size: refused (one-way beside a hedge leg), after the stale
        // check found it news for the closed LONG leg.
        engine.apply(.position(update(quantity: "5"), time: 4))
        #expect(engine.totals.positionsRejected == 1)
        // The LONG leg's old statement again: still stale, refused, its deficit counted once.
        let notes = engine.apply(.position(long, time: 5))
        #expect(notes.liquidations.isEmpty && !engine.positions[0].isOpen)
        #expect(engine.totals.deficits == 1 && engine.totals.positionsRejected == 2)
        #expect(engine.moneyInSystem(asset: "USDT") == engine.deposits["USDT"])
    }
}
