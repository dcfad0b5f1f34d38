import Testing
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
