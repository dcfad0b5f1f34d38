import Testing
@testable import Dashboard
import RiskEngine

/// An instrument file may give a tick far coarser than the feed's prices (a typo: 100000000 for
/// BTCUSDT's 0.10). Nothing may trap on it, and a shock's mark must go the way the shock goes.
@Suite("A tick coarser than the prices")
struct CoarseTickTests {
    static func engine(tick: String) -> Engine {
        var engine = Engine()
        engine.addInstrument(Instrument(symbol: "BTCUSDT", tickSize: Fixed(tick)!, lotSize: Fixed("0.001")!, kind: .linear,
            settlementAsset: "USDT", brackets: Instrument.binanceBTCUSDTBrackets, liquidationFeeRate: Fixed("0.005")!))
        engine.openFund(asset: "USDT", balance: Fixed(50_000))
        engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(57_000), time: 1_000_000_000))
        engine.apply(.bookSnapshot(symbol: "BTCUSDT", bids: [(units("56990"), units("1"))], asks: [(units("57010"), units("1"))], time: 1_000_000_000))
        engine.apply(.position(PositionUpdate(account: "s", symbol: "BTCUSDT", side: .short, quantity: Fixed(1), entryPrice: Fixed(57_000),
            mode: .isolated, leverage: Fixed(20)), time: 1_100_000_000))
        engine.apply(.clock(time: 3_000_000_000))
        return engine
    }

    @Test("z through every grouping with a tick of 10⁸ and of 92,233,720,368: the ladder draws, no trap", arguments: ["100000000", "92233720368"])
    func groupingSaturates(tick: String) {
        var model = AppModel(width: 120, height: 40, status: SessionStatus(kind: "REPLAY", source: "t"), engine: Self.engine(tick: tick))
        for _ in 0..<4 {
            _ = model.update(.key(.character("z")))
            #expect(model.rendered().text.contains("Depth ladder"))
        }
    }

    @Test("a −5 % shock with a tick coarser than the mark lowers the mark (it rose to the tick and liquidated the short)")
    func shockKeepsItsDirection() throws {
        let engine = Self.engine(tick: "100000000")
        let down = try engine.stress(symbol: "BTCUSDT", shockPercent: Fixed(-5))
        #expect(down.markAfter == Fixed(54_150), "\(down.markAfter)")
        #expect(down.liquidationCount == 0)
        let up = try engine.stress(symbol: "BTCUSDT", shockPercent: Fixed(5))
        #expect(up.markAfter > Fixed(57_000), "\(up.markAfter)")
        // A tick that fits: rounded to it, as before.
        let fine = try Self.engine(tick: "0.10").stress(symbol: "BTCUSDT", shockPercent: Fixed(-5))
        #expect(fine.markAfter == Fixed(54_150))
    }
}
