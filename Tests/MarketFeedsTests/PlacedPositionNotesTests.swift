import Testing
@testable import MarketFeeds
import RiskEngine

/// What the engine says while it places a session's positions is logged: rows past the markets
/// positions may make were dropped without a word (992,000 of a million rows over as many
/// markets, `positions_rejected` 0: attacker trial).
@Suite("Positions refused while a session places them")
struct PlacedPositionNotesTests {
    @Test("ten rows past the markets positions may make: refused, counted and named in the session's log")
    func refusedRowsLogged() {
        var options = SessionOptions()
        let count = Engine.positionMarketLimit + 10
        options.positions = (0..<count).map { number in
            PositionUpdate(account: "a\(number)", symbol: "binance-usdm:S\(number)USDT", side: .long, quantity: Fixed(1), entryPrice: Fixed(100),
                mode: .isolated, isolatedMargin: Fixed(10))
        }
        let applier = FeedApplier(options: options)
        #expect(applier.engine.positions.count == Engine.positionMarketLimit)
        #expect(applier.log.rejectedPositions == 10)
        #expect(applier.log.rejections.last?.reason.contains("positions have made \(Engine.positionMarketLimit) markets") == true)
    }
}
