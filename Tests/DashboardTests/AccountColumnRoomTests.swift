import Testing
import RiskEngine
@testable import Dashboard

/// At 80×24 with two markets a 16-cell account name went whole, the side and the deficit came
/// back in its room, and thirty rows read `BTCUSDT ▲ 50.0% 59,759.04` alike (attacker trial).
@Suite("The account column at narrow widths")
struct AccountColumnRoomTests {
    @Test("a long account name shortens to 7 cells before the account goes; the rows stay told apart")
    func accountShortensBeforeItGoes() {
        for width in 37...44 {
            let chosen = PositionsPane.fitting(width, widest: [.account: 16, .symbol: 7], severalMarkets: true)
            let account = chosen.first { $0.column == .account }
            #expect(account != nil && account!.width >= PositionsPane.narrowAccountWidth, "\(width): \(chosen.map(\.column))")
            #expect(chosen.contains { $0.column == .liquidation } && chosen.contains { $0.column == .ratio }, "\(width)")
            #expect(chosen.reduce(0) { $0 + $1.width + 1 } <= width, "\(width): fits")
        }
        // With room the name keeps its width.
        let wide = PositionsPane.fitting(160, widest: [.account: 16], severalMarkets: true)
        #expect(wide.first { $0.column == .account }?.width == 16)
    }
}

/// Names with invisible characters drew one placeholder each, so `zw` U+200B U+200D `j` and `zw`
/// U+200C U+200C `j`, two accounts, read alike (attacker trial): the panes escape them, as the
/// reports do.
@Suite("Names with invisible characters on screen")
struct EscapedNameTests {
    @Test("two accounts that differ only in invisible characters read apart in the positions pane")
    func invisibleCharactersApart() {
        var engine = Engine()
        engine.apply(.bookSnapshot(symbol: "BTCUSDT", bids: [(units("59990"), units("5"))], asks: [(units("60010"), units("5"))], time: 1_000_000_000))
        engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(60_000), time: 1_000_000_000))
        for name in ["zw\u{200B}\u{200D}j", "zw\u{200C}\u{200C}j"] {
            engine.apply(.position(PositionUpdate(account: name, symbol: "BTCUSDT", side: .long, quantity: Fixed(1), entryPrice: Fixed(60_000),
                mode: .isolated, leverage: Fixed(10)), time: 1_000_000_000))
        }
        let screen = model(width: 200, height: 60, engine: engine).rendered().lines.joined(separator: "\n")
        // Escaped, and shortened in the middle with `…` to the column's 16 cells: still apart.
        #expect(screen.contains("zw\\u{200…{200D}j") && screen.contains("zw\\u{200…{200C}j"), "\(screen)")
        #expect(!screen.contains("\u{FFFD}"), "\(screen)")
    }
}
