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
}
