import Testing
@testable import Dashboard
import RiskEngine

/// A cross leg past its trigger at every price has no liquidation price because any mark
/// liquidates it: its row and its detail say so, where "—" read as a leg that cannot be.
@Suite("Positions: a leg liquidated at any price")
struct PastAtEveryPriceRowTests {
    /// X's BTC long has lost 20,000 against a wallet of 10,000; its ETH short can gain at most
    /// 3,000. No market has a book, so nothing is liquidated yet.
    func blockedAccount() -> Engine {
        var engine = Engine()
        engine.openFund(asset: "USDT", balance: Fixed(100_000))
        engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(60_000), time: 1_000_000_000))
        engine.apply(.mark(symbol: "ETHUSDT", price: Fixed(3_000), time: 1_000_000_000))
        engine.apply(.account(id: "X", asset: "USDT", venue: "", venueGiven: false, walletBalance: Fixed(10_000), time: 1_100_000_000))
        engine.apply(.position(PositionUpdate(account: "X", symbol: "BTCUSDT", side: .long, quantity: Fixed(10), entryPrice: Fixed(60_000), mode: .cross), time: 1_100_000_000))
        engine.apply(.position(PositionUpdate(account: "X", symbol: "ETHUSDT", side: .short, quantity: Fixed(1), entryPrice: Fixed(3_000), mode: .cross), time: 1_100_000_000))
        engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(58_000), time: 1_200_000_000))
        return engine
    }

    @Test("the row's liquidation price reads \"any\", and the detail says why")
    func rowAndDetail() throws {
        let engine = blockedAccount()
        #expect(engine.positions.allSatisfy { $0.isOpen })
        var model = model(width: 200, height: 60, engine: engine)
        let lines = model.rendered().lines
        let row = try #require(lines.first { $0.contains("ETHUSDT") && $0.contains("short") })
        #expect(row.contains(" any "), "\(row)")
        // Open the short's detail: the cursor on its row (both rows are first in the risk order).
        model.focusPane(.positions)
        for _ in 0..<2 {
            if model.rendered().lines.contains(where: { $0.contains("▸") && $0.contains("ETHUSDT") }) { break }
            _ = model.update(.key(.character("j")))
        }
        _ = model.update(.key(.enter))
        let detail = model.rendered().lines.joined(separator: "\n")
        #expect(detail.contains("liquidation      any price: the account's other positions lose more than this one can gain"))
    }

    @Test("the row ranks first in the risk order as the engine's window does, its distance reads past, and it counts as near liquidation")
    func ranksFirstAndReadsPast() throws {
        let engine = blockedAccount()
        #expect(engine.isNearLiquidation(1))
        let row = PositionTable.row(of: 1, in: engine, adl: nil)
        #expect(row.pastAtEveryPrice && PositionTable.riskKey(row) == -1)
        // Beside a healthy row with a distance, it sorts first.
        var healthy = row
        healthy.pastAtEveryPrice = false
        healthy.ratio = 0.1
        healthy.distance = 5
        #expect(PositionTable.ascending(row, healthy, by: .risk) && !PositionTable.ascending(healthy, row, by: .risk))
        let lines = model(width: 200, height: 60, engine: engine).rendered().lines
        let shown = try #require(lines.first { $0.contains("ETHUSDT") && $0.contains("short") })
        #expect(shown.contains(" past "), "\(shown)")
    }
}
