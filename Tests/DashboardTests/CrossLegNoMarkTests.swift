import Testing
@testable import Dashboard
import RiskEngine

/// A cross account with a leg in a market that has no price yet: the leg is valued at its entry,
/// and the position view says so where its `at mark —` was the only clue (operator trial).
@Suite("A cross leg with no mark, in the position view")
struct CrossLegNoMarkTests {
    @Test("the unpriced leg reads `at entry (no mark yet)`, and a line under the ratio says what that assumes")
    func unpricedLegSaid() {
        var engine = engine(positions: 0)
        engine.apply(.position(PositionUpdate(account: "bob", symbol: "BTCUSDT", side: .short, quantity: Fixed(2), entryPrice: Fixed(61_000),
            mode: .cross, walletBalance: Fixed(5_000)), time: 2_000_000_000))
        engine.apply(.position(PositionUpdate(account: "bob", symbol: "ETHUSDT", side: .long, quantity: Fixed(10), entryPrice: Fixed(2_600),
            mode: .cross), time: 2_000_000_000))
        let screen = model(width: 160, height: 50, engine: engine)
        let btc = Int32(engine.positions.firstIndex { $0.isOpen && engine.markets[Int($0.symbolIndex)].symbol == "BTCUSDT" }!)
        var view = DetailPane.lines(screen, position: btc, width: 160).map(\.text).joined(separator: "\n")
        #expect(view.contains("ETHUSDT: maintenance") && view.contains("PnL 0.00 at entry (no mark yet)"), "\(view)")
        #expect(view.contains("a leg has no mark yet: valued at entry (PnL 0)"), "\(view)")
        // Priced, the leg reads at its mark and the line goes.
        engine.apply(.mark(symbol: "ETHUSDT", price: Fixed(2_500), time: 3_000_000_000))
        let priced = model(width: 160, height: 50, engine: engine)
        view = DetailPane.lines(priced, position: btc, width: 160).map(\.text).joined(separator: "\n")
        #expect(view.contains("at mark 2,500.00") && !view.contains("no mark yet"), "\(view)")
    }

    /// Carol's cross BTC long has lost more than her wallet at 60,000, so her unpriced ETH leg is
    /// past its trigger at its own entry: its line in the account's list said only `liq 3,358.54`
    /// above an entry of 3,000, where the positions pane says `liq at entry` (operator trial).
    /// The BTC leg waits for ETHUSDT's first mark, and says so.
    @Test("an unpriced leg past its trigger at its entry says so in the account's list; the waiting leg waits for the first mark")
    func unpricedLegPastAtEntry() {
        var engine = engine(positions: 0)
        for (symbol, size, entry) in [("ETHUSDT", 10, 3_000), ("BTCUSDT", 1, 70_000)] {
            engine.apply(.position(PositionUpdate(account: "carol", symbol: symbol, side: .long, quantity: Fixed(size), entryPrice: Fixed(entry),
                mode: .cross, walletBalance: Fixed(5_000)), time: 2_000_000_000))
        }
        let btc = Int32(engine.positions.firstIndex { $0.isOpen && engine.markets[Int($0.symbolIndex)].symbol == "BTCUSDT" }!)
        #expect(engine.positions[Int(btc)].isOpen, "liquidated on a leg valued at its entry")
        let view = DetailPane.lines(model(width: 160, height: 50, engine: engine), position: btc, width: 160).map(\.text).joined(separator: "\n")
        #expect(view.contains("ETHUSDT @ 3,000.00") && view.contains(", past it at its entry (no mark yet)"), "\(view)")
        #expect(view.contains("has no mark yet") && view.contains("ETHUSDT's first mark"), "\(view)")
    }
}
