import Testing
@testable import Dashboard
@testable import RiskEngine

/// In a session of several days the tape dates its rows where they are not of the clock's day (at
/// 2025-01-26 19:14:19 it read `23:58:34 BTCUSDT …` of 2024-08-08: operator trial).
@Suite("The tape's times across days")
struct TapeDateTests {
    static let day: Int64 = 86_400_000_000_000
    /// 2024-08-08 23:58:34 UTC.
    static let liquidationTime: Int64 = 1_723_161_514_000_000_000

    static func screen(clock: Int64, showsDate: Bool, width: Int = 200, height: Int = 60, severalMarkets: Bool = false) -> [String] {
        var engine = Engine()
        var log = SessionLog()
        if severalMarkets {
            log.record(engine.apply(.bookSnapshot(symbol: "bybit:XRPUSDT", bids: [(units("1.95"), units("1000"))],
                asks: [(units("1.96"), units("1000"))], time: liquidationTime - 1_000_000_000)))
        }
        log.record(engine.apply(.bookSnapshot(symbol: "binance-usdm:BTCUSDT", bids: [(units("59990"), units("10"))],
            asks: [(units("60010"), units("10"))], time: liquidationTime - 1_000_000_000)))
        if severalMarkets {
            // A simulated liquidation (no exchange line, so no source column), as in a replay
            // of four recordings with synthetic positions.
            log.record(engine.apply(.mark(symbol: "binance-usdm:BTCUSDT", price: Fixed(60_000), time: liquidationTime - 1_000_000_000)))
            log.record(engine.apply(.position(PositionUpdate(account: "a", symbol: "binance-usdm:BTCUSDT", side: .long, quantity: Fixed("0.015")!,
                entryPrice: Fixed(60_000), mode: .isolated, isolatedMargin: Fixed(45)), time: liquidationTime - 1_000_000_000)))
            log.record(engine.apply(.mark(symbol: "binance-usdm:BTCUSDT", price: Fixed(57_000), time: liquidationTime)))
        } else {
            log.record(engine.apply(.exchangeLiquidation(ExchangeLiquidation(symbol: "binance-usdm:BTCUSDT", side: .long, price: Fixed(60_000),
                quantity: Fixed("0.015")!, time: liquidationTime))))
        }
        var app = model(width: width, height: height, engine: engine)
        var status = app.status
        status.showsDate = showsDate
        status.time = clock
        _ = app.update(.session(engine: engine, log: log, status: status))
        return app.rendered().lines.filter { $0.contains(" ex ") || $0.contains("0.015") }
    }

    @Test("a row of another day than the clock's carries its date; one of the clock's day, or a session of one day, the time alone")
    func datedRows() {
        let otherYear = Self.screen(clock: Self.liquidationTime + 171 * Self.day, showsDate: true)
        #expect(otherYear.contains { $0.contains("2024-08-08 23:58:34 ex ") }, "\(otherYear)")
        let nextDay = Self.screen(clock: Self.liquidationTime + Self.day, showsDate: true)
        #expect(nextDay.contains { $0.contains("08-08 23:58:34 ex ") && !$0.contains("2024-08-08") }, "\(nextDay)")
        let sameDay = Self.screen(clock: Self.liquidationTime + 60_000_000_000, showsDate: true)
        #expect(sameDay.contains { $0.contains("23:58:34 ex ") && !$0.contains("08-08") }, "\(sameDay)")
        // Narrower, a shorter date, never no time (at 120×40 the time column went: operator trial).
        let narrow = Self.screen(clock: Self.liquidationTime + 171 * Self.day, showsDate: true, width: 120, height: 40)
        #expect(narrow.contains { $0.contains("08-08 23:58") }, "\(narrow)")
        // With several markets the market's name comes first, and the side gives up its word for
        // its arrow before the dated time goes (operator trial, four recordings at 120×40).
        let markets = Self.screen(clock: Self.liquidationTime + 171 * Self.day, showsDate: true, width: 120, height: 40, severalMarkets: true)
        #expect(markets.contains { $0.contains("08-08 23:58") && $0.contains("BTCUSDT") }, "\(markets)")
        // One day, two markets, a long of 200 and a short at 120×40: the short's word took the
        // time's room and left eight cells blank (operator trial); the side gives up its word.
        var engine = Engine()
        var log = SessionLog()
        for symbol in ["binance-usdm:ETHUSDT", "binance-usdm:BTCUSDT"] {
            log.record(engine.apply(.bookSnapshot(symbol: symbol, bids: [(units("59990"), units("500"))],
                asks: [(units("60010"), units("500"))], time: Self.liquidationTime - 1_000_000_000)))
            log.record(engine.apply(.mark(symbol: symbol, price: Fixed(60_000), time: Self.liquidationTime - 1_000_000_000)))
        }
        for (account, side, size) in [("whale", Side.long, "200"), ("bob2", Side.short, "2")] {
            log.record(engine.apply(.position(PositionUpdate(account: account, symbol: "binance-usdm:BTCUSDT", side: side, quantity: Fixed(size)!,
                entryPrice: Fixed(60_000), mode: .isolated, isolatedMargin: Fixed(size)! * Fixed(6_000)), time: Self.liquidationTime - 1_000_000_000)))
        }
        log.record(engine.apply(.mark(symbol: "binance-usdm:BTCUSDT", price: Fixed(54_000), time: Self.liquidationTime)))
        log.record(engine.apply(.mark(symbol: "binance-usdm:BTCUSDT", price: Fixed(66_000), time: Self.liquidationTime + 1_000_000_000)))
        var app = model(width: 120, height: 40, engine: engine)
        var status = app.status
        status.time = Self.liquidationTime + 1_000_000_000
        _ = app.update(.session(engine: engine, log: log, status: status))
        let tape = app.rendered().lines.filter { $0.contains("200.000") || $0.contains(" 2.000") }
        #expect(tape.count == 2 && tape.allSatisfy { $0.contains("23:58:3") }, "\(tape)")
        let oneDaySession = Self.screen(clock: Self.liquidationTime + 171 * Self.day, showsDate: false)
        #expect(oneDaySession.contains { $0.contains("23:58:34 ex ") && !$0.contains("08-08") }, "\(oneDaySession)")
    }
}
