import Testing
@testable import Dashboard
import RiskEngine

/// A balance too wide for the fund pane to the cent is shown compact, never dropped: at 80×24 a
/// fund of 10¹⁶ kept its surplus and deficits lines and lost its balance, with nothing to say
/// so (attacker trial).
@Suite("The fund's balance in a narrow pane")
struct FundBalanceWidthTests {
    @Test("a balance of 10¹⁵ at 80×24: compact, with its label")
    func hugeBalanceCompact() {
        var huge = Engine()
        huge.openFund(asset: "USDT", balance: Fixed(1_000_000_000_000_000))
        huge.apply(.mark(symbol: "BTCUSDT", price: Fixed(60_000), time: 1_000_000_000))
        huge.apply(.bookSnapshot(symbol: "BTCUSDT", bids: [(units("59999.9"), units("1"))], asks: [(units("60000"), units("1"))], time: 1_000_000_000))
        huge.apply(.clock(time: 3_000_000_000))
        let text = model(width: 80, height: 24, engine: huge).rendered().text
        #expect(text.contains("1.00e+15"), "\(text)")
        // At 200×60 the pane has room for every digit.
        let wide = model(width: 200, height: 60, engine: huge).rendered().text
        #expect(wide.contains("1,000,000,000,000,000.00"), "\(wide)")
    }
}
