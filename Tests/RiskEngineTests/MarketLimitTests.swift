import Testing
@testable import RiskEngine

/// A session holds at most `Engine.marketLimit` markets: an event stream naming endless symbols
/// made a market of each.
@Suite("The market limit")
struct MarketLimitTests {
    @Test("past the limit a new market's events are counted, not applied; known markets go on; a position there is refused")
    func newMarketsPastTheLimit() {
        var engine = Engine()
        for index in 0..<Engine.marketLimit {
            engine.apply(.mark(symbol: "binance-usdm:S\(index)USDT", price: Fixed(2), time: 1))
        }
        #expect(engine.markets.count == Engine.marketLimit)
        engine.apply(.mark(symbol: "binance-usdm:NEWUSDT", price: Fixed(2), time: 2))
        engine.apply(.trade(symbol: "binance-usdm:NEWUSDT", price: 200_000_000, size: 100_000_000, time: 2))
        #expect(engine.markets.count == Engine.marketLimit && engine.marketIndex(of: "binance-usdm:NEWUSDT") == nil)
        #expect(engine.totals.eventsPastMarketLimit == 2)
        // An exchange-reported liquidation of a new market makes none either (review).
        engine.apply(.exchangeLiquidation(ExchangeLiquidation(symbol: "binance-usdm:LIQUSDT", side: .long, price: Fixed(2),
            quantity: .one, time: 2)))
        #expect(engine.markets.count == Engine.marketLimit && engine.totals.eventsPastMarketLimit == 3)
        engine.apply(.mark(symbol: "binance-usdm:S7USDT", price: Fixed(3), time: 3))
        #expect(engine.market("binance-usdm:S7USDT")?.markPrice == Fixed(3))
        engine.apply(.position(PositionUpdate(account: "a", symbol: "binance-usdm:NEWUSDT", side: .long, quantity: .one,
            entryPrice: Fixed(2), mode: .isolated, leverage: Fixed(2)), time: 4))
        // Refused by name, as the batch path refuses it (review: it was dropped with a count only).
        #expect(engine.positions.isEmpty && engine.totals.eventsPastMarketLimit == 4 && engine.totals.positionsRejected == 1)
        // The batch path (a positions file, a synthetic book) refuses it by name.
        var notes: [EngineNotification] = []
        engine.apply(positions: [PositionUpdate(account: "b", symbol: "binance-usdm:NEWUSDT", side: .long, quantity: .one,
            entryPrice: Fixed(2), mode: .isolated, leverage: Fixed(2))], time: 5, into: &notes) { _ in }
        #expect(notes.contains { if case .positionRejected(_, _, let reason, _) = $0 { return reason.contains("markets, its most") } else { return false } })
        #expect(engine.positions.isEmpty && engine.totals.eventsPastMarketLimit == 5)
    }

    @Test("positions alone make at most positionMarketLimit markets: the rest is kept for the markets the feeds name")
    func positionsLeaveRoomForTheFeeds() {
        var engine = Engine()
        let updates = (0..<(Engine.marketLimit + 2_000)).map { index in
            PositionUpdate(account: "a\(index)", symbol: "binance-usdm:P\(index)USDT", side: .long, quantity: .one,
                entryPrice: Fixed(2), mode: .isolated, leverage: Fixed(2))
        }
        var notes: [EngineNotification] = []
        engine.apply(positions: updates, time: 1, into: &notes) { _ in }
        #expect(engine.markets.count == Engine.positionMarketLimit)
        #expect(engine.positions.count == Engine.positionMarketLimit)
        #expect(engine.totals.eventsPastMarketLimit == 0 && engine.totals.positionsRejected == Engine.marketLimit + 2_000 - Engine.positionMarketLimit)
        #expect(notes.contains { if case .positionRejected(_, let symbol, let reason, _) = $0 {
            return symbol == "binance-usdm:P\(Engine.positionMarketLimit)USDT" && reason.contains("kept for the feeds' markets") } else { return false } })
        // A second position on a market positions made is placed; the recording's own market is made at its first frame.
        engine.apply(.position(PositionUpdate(account: "z", symbol: "binance-usdm:P5USDT", side: .short, quantity: .one,
            entryPrice: Fixed(2), mode: .isolated, leverage: Fixed(2)), time: 2))
        #expect(engine.positions.count == Engine.positionMarketLimit + 1)
        engine.apply(.mark(symbol: "binance-usdm:BTCUSDT", price: Fixed(60_000), time: 3))
        #expect(engine.market("binance-usdm:BTCUSDT")?.markPrice == Fixed(60_000))
        engine.apply(.position(PositionUpdate(account: "b", symbol: "binance-usdm:BTCUSDT", side: .long, quantity: .one,
            entryPrice: Fixed(60_000), mode: .isolated, leverage: Fixed(10)), time: 4))
        #expect(engine.positions.count == Engine.positionMarketLimit + 2)
    }

    @Test("the exchange's liquidation prints alone make at most liquidationMarketLimit markets; past it they are counted unwatched and a position's market is still made")
    func liquidationPrintsLeaveRoom() {
        var engine = Engine()
        var log = SessionLog()
        for index in 0..<(Engine.marketLimit + 1) {
            log.record(engine.apply(.exchangeLiquidation(ExchangeLiquidation(symbol: "binance-usdm:J\(index)USDT", side: .long,
                price: Fixed(1), quantity: .one, time: 1))))
        }
        #expect(engine.markets.count == Engine.liquidationMarketLimit)
        #expect(log.exchangeCount == Engine.liquidationMarketLimit)
        #expect(log.unwatchedCount == Engine.marketLimit + 1 - Engine.liquidationMarketLimit)
        #expect(engine.totals.eventsPastMarketLimit == 0)
        // A print of a market made before goes on to it.
        log.record(engine.apply(.exchangeLiquidation(ExchangeLiquidation(symbol: "binance-usdm:J7USDT", side: .long, price: Fixed(1), quantity: .one, time: 2))))
        #expect(engine.market("binance-usdm:J7USDT")?.counters.exchangeLiquidations == 2)
        // The market the book, the mark and the position name is made, and the position placed.
        engine.apply(.mark(symbol: "binance-usdm:BTCUSDT", price: Fixed(60_000), time: 3))
        engine.apply(.position(PositionUpdate(account: "a", symbol: "binance-usdm:BTCUSDT", side: .long, quantity: .one,
            entryPrice: Fixed(60_000), mode: .isolated, leverage: Fixed(10)), time: 3))
        #expect(engine.positions.count == 1 && engine.totals.positionsRejected == 0)
    }
}
