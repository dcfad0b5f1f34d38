import Testing
@testable import RiskEngine

/// A cross account with positions in two markets, both liquidated by the engine, whose operator's
/// system then sends its full state again (it has not seen the closes): each leg is judged beside
/// the other as the system last stated it, so the account is restored whole or not at all.
@Suite("Cross positions in two markets stated again after the engine liquidated them")
struct CrossRestatementTests {
    func leg(_ symbol: String) -> PositionUpdate {
        PositionUpdate(account: "dave", symbol: symbol, side: .long, quantity: Fixed(10), entryPrice: Fixed(100), mode: .cross)
    }

    /// Dave: wallet 20, long 10 of each market at 100. ALTUSDT's mark at 99.50 (5 lost), then
    /// TESTUSDT's at 98.50 (15 lost): his equity is 0, below the maintenance of about 0.99, and
    /// both legs are closed into bids at 80.
    func daveLiquidated() -> Engine {
        var engine = engine(with: [testInstrument(), testInstrument(symbol: "ALTUSDT")])
        engine.openFund(asset: "USDT", balance: Fixed(10_000))
        for symbol in ["TESTUSDT", "ALTUSDT"] {
            engine.apply(.mark(symbol: symbol, price: Fixed(100), time: 1))
            engine.apply(.bookSnapshot(symbol: symbol, bids: [(units("80"), units("1000"))], asks: [(units("100.10"), units("1000"))], time: 1))
        }
        engine.apply(.account(id: "dave", asset: "USDT", venue: "", venueGiven: false, walletBalance: Fixed(20), time: 2))
        engine.apply(.position(leg("TESTUSDT"), time: 2))
        engine.apply(.position(leg("ALTUSDT"), time: 2))
        engine.apply(.mark(symbol: "ALTUSDT", price: fx("99.50"), time: 3))
        #expect(engine.positions.allSatisfy { $0.isOpen })
        engine.apply(.mark(symbol: "TESTUSDT", price: fx("98.50"), time: 4))
        return engine
    }

    @Test("its full state sent again, in either order: both legs refused, each deficit counted once, and a later mark books none again")
    func fullStateRefusedWhole() {
        for order in [["TESTUSDT", "ALTUSDT"], ["ALTUSDT", "TESTUSDT"]] {
            var engine = daveLiquidated()
            #expect(engine.positions.allSatisfy { !$0.isOpen } && engine.totals.deficits == 2)
            let fund = engine.fund("USDT").balance
            // Alone, either leg would stand at these marks (20 less 15, or less 5, is well above
            // its own maintenance of about 0.5): only beside the other as stated is it past its
            // liquidation price.
            engine.apply(.account(id: "dave", asset: "USDT", venue: "", venueGiven: false, walletBalance: Fixed(20), time: 5))
            for symbol in order {
                let notes = engine.apply(.position(leg(symbol), time: 6))
                #expect(notes.liquidations.isEmpty, "\(order): \(symbol)")
            }
            #expect(engine.positions.allSatisfy { !$0.isOpen }, "\(order): half of the account was restored")
            #expect(engine.totals.positionsRejected == 2)
            // The marks drift on; nothing is liquidated again.
            let notes = engine.apply(.mark(symbol: "TESTUSDT", price: fx("97.90"), time: 7))
            #expect(notes.liquidations.isEmpty && engine.totals.deficits == 2 && engine.fund("USDT").balance == fund, "\(order)")
            #expect(engine.moneyInSystem(asset: "USDT") == engine.deposits["USDT"])
        }
    }

    @Test("a wallet that saves the whole account, then both legs: news, both applied and watched")
    func toppedUpAccountRestoredWhole() {
        var engine = daveLiquidated()
        engine.apply(.account(id: "dave", asset: "USDT", venue: "", venueGiven: false, walletBalance: Fixed(500), time: 5))
        for symbol in ["TESTUSDT", "ALTUSDT"] {
            let notes = engine.apply(.position(leg(symbol), time: 6))
            #expect(notes.liquidations.isEmpty, "\(symbol)")
        }
        #expect(engine.positions.allSatisfy { $0.isOpen } && engine.totals.positionsRejected == 0)
        #expect(engine.totals.deficits == 2)
        #expect(engine.moneyInSystem(asset: "USDT") == engine.deposits["USDT"])
    }

    @Test("one leg closed by the operator's system (size 0), the other stated again: judged beside what the system now says, applied")
    func otherLegClosedBySystem() {
        var engine = daveLiquidated()
        engine.apply(.account(id: "dave", asset: "USDT", venue: "", venueGiven: false, walletBalance: Fixed(20), time: 5))
        var closed = leg("ALTUSDT")
        closed.quantity = .zero
        engine.apply(.position(closed, time: 6))
        let notes = engine.apply(.position(leg("TESTUSDT"), time: 6))
        // 20 less 15 against a maintenance of about 0.49: it stands on its own.
        #expect(notes.liquidations.isEmpty && engine.positions[0].isOpen && !engine.positions[1].isOpen)
        #expect(engine.totals.deficits == 2 && engine.totals.positionsRejected == 0)
        #expect(engine.moneyInSystem(asset: "USDT") == engine.deposits["USDT"])
    }

    @Test("a position line before its account line, after the engine's liquidation emptied the wallet: judged against the wallet last stated, not the one its leverage implies; refused, its deficit counted once")
    func positionLineBeforeAccountLine() {
        var engine = engine(with: [testInstrument(symbol: "BTCUSDT", mmr: "0.004")])
        engine.openFund(asset: "USDT", balance: Fixed(100_000))
        engine.apply(.bookSnapshot(symbol: "BTCUSDT", bids: [(units("59600"), units("5"))], asks: [(units("59610"), units("5"))], time: 1))
        engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(60_000), time: 1))
        let stated = PositionUpdate(account: "x", symbol: "BTCUSDT", side: .long, quantity: Fixed(1), entryPrice: Fixed(60_000),
            mode: .cross, leverage: Fixed(20))
        engine.apply(.account(id: "x", asset: "USDT", venue: "", venueGiven: false, walletBalance: Fixed(300), time: 2))
        engine.apply(.position(stated, time: 2))
        engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(59_900), time: 3))
        #expect(!engine.positions[0].isOpen && engine.totals.deficits == 1)
        let fund = engine.fund("USDT").balance
        // Every second, its full state: the position, then the account. Against the 3,000 a
        // leverage of 20 implies it would stand; against the 300 stated, it is past its trigger.
        for second in 0..<3 {
            let time = Int64(4 + 2 * second)
            let notes = engine.apply(.position(stated, time: time))
            #expect(notes.liquidations.isEmpty && !engine.positions[0].isOpen, "resend \(second)")
            engine.apply(.account(id: "x", asset: "USDT", venue: "", venueGiven: false, walletBalance: Fixed(300), time: time + 1))
        }
        #expect(engine.totals.deficits == 1 && engine.fund("USDT").balance == fund && engine.totals.positionsRejected == 3)
        #expect(engine.moneyInSystem(asset: "USDT") == engine.deposits["USDT"])
    }

    @Test("a leg ADL closed beside a leg later liquidated, both resent: the liquidated one is judged beside the closed ADL leg as it is (its own resend is refused), so both are refused and the deficit is counted once")
    func legClosedByADLCountsAsItIs() {
        var engine = engine(with: [testInstrument(symbol: "BTCUSDT", mmr: "0.004"), testInstrument(symbol: "ETHUSDT", mmr: "0.004")])
        engine.openFund(asset: "USDT", balance: Fixed(100_000))
        engine.apply(.bookSnapshot(symbol: "BTCUSDT", bids: [(units("58500"), units("50"))], asks: [(units("60010"), units("5"))], time: 1))
        engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(60_000), time: 1))
        engine.apply(.bookSnapshot(symbol: "ETHUSDT", bids: [(units("2960"), units("0.1"))], asks: [(units("3001"), units("5"))], time: 1))
        engine.apply(.mark(symbol: "ETHUSDT", price: Fixed(3_000), time: 1))
        let long = PositionUpdate(account: "x", symbol: "BTCUSDT", side: .long, quantity: Fixed(1), entryPrice: Fixed(60_000), mode: .cross, leverage: Fixed(20))
        let short = PositionUpdate(account: "x", symbol: "ETHUSDT", side: .short, quantity: Fixed(10), entryPrice: Fixed(3_000), mode: .cross, leverage: Fixed(20))
        engine.apply(.account(id: "x", asset: "USDT", venue: "", venueGiven: false, walletBalance: Fixed(1_000), time: 2))
        engine.apply(.position(long, time: 2))
        engine.apply(.position(short, time: 2))
        engine.apply(.position(PositionUpdate(account: "y", symbol: "ETHUSDT", side: .long, quantity: Fixed(100), entryPrice: Fixed(3_000),
            mode: .isolated, isolatedMargin: Fixed(3_000)), time: 2))
        // Y's long is liquidated into a book of 0.1: the rest deleverages X's short.
        engine.apply(.mark(symbol: "ETHUSDT", price: Fixed(2_975), time: 3))
        #expect(!engine.positions[1].isOpen, "x's short was deleveraged")
        engine.apply(.bookSnapshot(symbol: "ETHUSDT", bids: [(units("2790"), units("0.1"))], asks: [(units("2801"), units("5"))], time: 4))
        engine.apply(.mark(symbol: "ETHUSDT", price: Fixed(2_800), time: 4))
        engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(58_900), time: 5))
        #expect(!engine.positions[0].isOpen, "x's long was liquidated")
        let deficits = engine.totals.deficits
        let fund = engine.fund("USDT").balance
        engine.apply(.account(id: "x", asset: "USDT", venue: "", venueGiven: false, walletBalance: Fixed(1_000), time: 6))
        let first = engine.apply(.position(long, time: 6))
        let second = engine.apply(.position(short, time: 6))
        #expect(first.liquidations.isEmpty && second.liquidations.isEmpty)
        #expect(!engine.positions[0].isOpen && !engine.positions[1].isOpen)
        #expect(engine.totals.deficits == deficits && engine.fund("USDT").balance == fund)
        #expect(engine.totals.positionsRejected == 2)
        #expect(engine.moneyInSystem(asset: "USDT") == engine.deposits["USDT"])
    }

    @Test("stated again once the mark is back, with no wallet: applied with the wallet it was judged against (the last stated), not the one its leverage implies, so it is not liquidated again at once")
    func restatementGivenTheWalletItWasJudgedAgainst() {
        var engine = engine(with: [testInstrument(symbol: "BTCUSDT", mmr: "0.004")])
        engine.openFund(asset: "USDT", balance: Fixed(100_000))
        engine.apply(.account(id: "a", asset: "USDT", venue: "", venueGiven: false, walletBalance: Fixed(10_000), time: 1))
        engine.apply(.bookSnapshot(symbol: "BTCUSDT", bids: [(units("49900"), units("5"))], asks: [(units("60100"), units("5"))], time: 1))
        engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(60_000), time: 1))
        let stated = PositionUpdate(account: "a", symbol: "BTCUSDT", side: .long, quantity: Fixed(1), entryPrice: Fixed(60_000),
            mode: .cross, leverage: Fixed(10))
        engine.apply(.position(stated, time: 2))
        // Past its liquidation price of 50,200.80: closed into the bid of 49,900, a deficit of 100.
        engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(50_000), time: 3))
        #expect(!engine.positions[0].isOpen && engine.totals.deficits == 1)
        engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(51_000), time: 4))
        // Back above it: the venue need not have liquidated it, and its statement is applied.
        for period in 0..<4 {
            let time = Int64(5 + 2 * period)
            let notes = engine.apply(.position(stated, time: time))
            engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(51_000), time: time + 1))
            #expect(notes.liquidations.isEmpty && engine.positions[0].isOpen, "period \(period)")
        }
        #expect(engine.accounts[0].walletBalance == Fixed(10_000), "given the wallet its leverage implies (6,000), it was past its trigger at 51,000")
        #expect(engine.totals.deficits == 1 && engine.totals.positionsRejected == 0)
        #expect(engine.moneyInSystem(asset: "USDT") == engine.deposits["USDT"])
    }

    @Test("a leg stated again with no wallet does not replace the wallet last stated with the one its leverage implies: its sibling, judged next, is judged against the stated wallet")
    func impliedWalletIsNoStatement() {
        var engine = engine(with: [testInstrument(symbol: "BTCUSDT", mmr: "0.004"), testInstrument(symbol: "ETHUSDT", mmr: "0.004")])
        engine.openFund(asset: "USDT", balance: Fixed(100_000))
        engine.apply(.account(id: "a", asset: "USDT", venue: "", venueGiven: false, walletBalance: Fixed(1_000), time: 1))
        engine.apply(.bookSnapshot(symbol: "ETHUSDT", bids: [(units("2999"), units("100"))], asks: [(units("3001"), units("100"))], time: 1))
        engine.apply(.mark(symbol: "ETHUSDT", price: Fixed(3_000), time: 1))
        engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(60_000), time: 1))
        let short = PositionUpdate(account: "a", symbol: "ETHUSDT", side: .short, quantity: fx("0.1"), entryPrice: Fixed(3_000), mode: .cross, leverage: Fixed(10))
        let long = PositionUpdate(account: "a", symbol: "BTCUSDT", side: .long, quantity: Fixed(1), entryPrice: Fixed(60_000), mode: .cross, leverage: Fixed(10))
        engine.apply(.position(short, time: 2))
        engine.apply(.position(long, time: 2))
        // 1,500 lost on BTC (no book yet) against a wallet of 1,000: the short goes; the long when its book comes.
        engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(58_500), time: 3))
        engine.apply(.bookSnapshot(symbol: "BTCUSDT", bids: [(units("58500"), units("5"))], asks: [(units("58600"), units("5"))], time: 4))
        engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(58_500), time: 5))
        #expect(engine.positions.allSatisfy { !$0.isOpen })
        let deficits = engine.totals.deficits
        // BTC back at 59,500: with the stated 1,000 the account stands (the long's liquidation
        // price about 59,245). The short comes back larger (news: opened with the 60 its
        // leverage implies, no statement of the wallet), the long as it was: both applied.
        engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(59_500), time: 6))
        engine.apply(.bookSnapshot(symbol: "BTCUSDT", bids: [(units("59400"), units("5"))], asks: [(units("59600"), units("5"))], time: 6))
        var larger = short
        larger.quantity = fx("0.2")
        for period in 0..<3 {
            let time = Int64(7 + 2 * period)
            engine.apply(.position(larger, time: time))
            engine.apply(.position(long, time: time))
            engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(59_500), time: time + 1))
        }
        #expect(engine.positions.allSatisfy { $0.isOpen }, "a healthy leg refused every period")
        #expect(engine.totals.positionsRejected == 0 && engine.totals.deficits == deficits)
        #expect(engine.moneyInSystem(asset: "USDT") == engine.deposits["USDT"])
    }

    @Test("both legs liquidated, the mark back: the leg that needs its sibling is refused until the sibling is back; no leg is applied only to be liquidated again")
    func legNeedingItsSiblingWaitsForIt() {
        var engine = engine(with: [testInstrument(symbol: "BTCUSDT", mmr: "0.004"), testInstrument(symbol: "ETHUSDT", mmr: "0.004")])
        engine.openFund(asset: "USDT", balance: Fixed(100_000))
        for (symbol, price) in [("BTCUSDT", 60_000), ("ETHUSDT", 3_000)] {
            engine.apply(.mark(symbol: symbol, price: Fixed(price), time: 1))
        }
        engine.apply(.bookSnapshot(symbol: "BTCUSDT", bids: [(units("51000"), units("50"))], asks: [(units("60010"), units("50"))], time: 1))
        engine.apply(.bookSnapshot(symbol: "ETHUSDT", bids: [(units("2990"), units("50"))], asks: [(units("3001"), units("500"))], time: 1))
        let long = PositionUpdate(account: "a", symbol: "BTCUSDT", side: .long, quantity: Fixed(1), entryPrice: Fixed(60_000), mode: .cross)
        let short = PositionUpdate(account: "a", symbol: "ETHUSDT", side: .short, quantity: Fixed(10), entryPrice: Fixed(3_000), mode: .cross)
        engine.apply(.account(id: "a", asset: "USDT", venue: "", venueGiven: false, walletBalance: Fixed(5_000), time: 2))
        engine.apply(.position(long, time: 2))
        engine.apply(.position(short, time: 2))
        engine.apply(.mark(symbol: "ETHUSDT", price: Fixed(2_900), time: 3))
        engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(52_000), time: 4))
        #expect(engine.positions.allSatisfy { !$0.isOpen })
        let deficits = engine.totals.deficits
        engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(55_000), time: 5))
        engine.apply(.mark(symbol: "ETHUSDT", price: Fixed(2_800), time: 5))
        // The long alone (5,000 lost against 5,000) is past its trigger; beside the short's
        // 2,000 of profit it stands. First period: the long waits, the short stands alone.
        var notes = engine.apply(.position(long, time: 6))
        notes += engine.apply(.position(short, time: 6))
        #expect(notes.liquidations.isEmpty && !engine.positions[0].isOpen && engine.positions[1].isOpen)
        // Next period: the short is back, and the long beside it.
        notes = engine.apply(.position(long, time: 8))
        notes += engine.apply(.position(short, time: 8))
        #expect(notes.liquidations.isEmpty && engine.positions.allSatisfy { $0.isOpen })
        #expect(engine.totals.deficits == deficits && engine.totals.positionsRejected == 1)
        #expect(engine.moneyInSystem(asset: "USDT") == engine.deposits["USDT"])
    }
}
