import Testing
@testable import Dashboard
@testable import RiskEngine

/// A position past its trigger at its own entry (its maintenance margin at entry more than its
/// margin) is liquidated by its market's first mark. Before that mark the positions pane read
/// `no mark` and a liquidation price past the entry, and the detail said nothing of it, where
/// `liqwatch margin` prints `LIQUIDATED AT ENTRY` (operator trial).
@Suite("A position liquidated at its own entry")
struct LiquidatedAtEntryTests {
    static func engine() -> Engine {
        var engine = Engine()
        engine.openFund(asset: "USDT", balance: Fixed(1_000_000))
        // No book and no mark yet (its recording starts later): nothing prices it.
        // 1,000 BTC at 125x: a margin of 0.8 % against a maintenance rate of its bracket far above it.
        engine.apply(.position(PositionUpdate(account: "whale", symbol: "BTCUSDT", side: .long, quantity: Fixed(1_000), entryPrice: Fixed(60_000),
            mode: .isolated, leverage: Fixed(125)), time: 1_000_000_000))
        engine.apply(.position(PositionUpdate(account: "calm", symbol: "BTCUSDT", side: .long, quantity: Fixed(1), entryPrice: Fixed(60_000),
            mode: .isolated, leverage: Fixed(10)), time: 1_000_000_000))
        return engine
    }

    @Test("before any mark: the row reads `liq at entry` in the alert colour, the calm one `no mark`; the detail says the first mark liquidates it")
    func flaggedBeforeTheMark() throws {
        let engine = Self.engine()
        let whale = try #require(engine.positions.indices.first { engine.accounts[Int(engine.positions[$0].accountIndex)].id == "whale" })
        let risk = engine.risk(of: Int32(whale))
        #expect(risk.liquidatedAtEntry && risk.markPrice == nil && (risk.liquidationPrice ?? .zero) > risk.entryPrice, "\(risk)")
        #expect(!engine.risk(of: Int32(1 - whale)).liquidatedAtEntry)
        for (width, height) in [(80, 24), (120, 40), (200, 60)] {
            let text = model(width: width, height: height, engine: engine).rendered().text
            #expect((text.contains("liq at entry") || text.contains("liq@entry") || text.contains("liq@open")) && text.contains("no mark"),
                "\(width)x\(height):\n\(text)")
        }
        let screen = model(width: 200, height: 60, engine: engine)
        let view = DetailPane.lines(screen, position: Int32(whale), width: 200).map(\.text).joined(separator: "\n")
        #expect(view.contains("Liquidated at its own entry: its liquidation price ") && view.contains("is at or above its entry")
            && view.contains("; the first mark liquidates it"), "\(view)")
        let calm = DetailPane.lines(screen, position: Int32(1 - whale), width: 200).map(\.text).joined(separator: "\n")
        #expect(!calm.contains("Liquidated at its own entry"), "\(calm)")
    }
}
