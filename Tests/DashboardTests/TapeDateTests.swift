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

    static func screen(clock: Int64, showsDate: Bool, width: Int = 200, height: Int = 60) -> [String] {
        var engine = Engine()
        var log = SessionLog()
        log.record(engine.apply(.bookSnapshot(symbol: "binance-usdm:BTCUSDT", bids: [(units("59990"), units("10"))],
            asks: [(units("60010"), units("10"))], time: liquidationTime - 1_000_000_000)))
        log.record(engine.apply(.exchangeLiquidation(ExchangeLiquidation(symbol: "binance-usdm:BTCUSDT", side: .long, price: Fixed(60_000),
            quantity: Fixed("0.015")!, time: liquidationTime))))
        var app = model(width: width, height: height, engine: engine)
        var status = app.status
        status.showsDate = showsDate
        status.time = clock
        _ = app.update(.session(engine: engine, log: log, status: status))
        return app.rendered().lines.filter { $0.contains(" ex ") }
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
        let oneDaySession = Self.screen(clock: Self.liquidationTime + 171 * Self.day, showsDate: false)
        #expect(oneDaySession.contains { $0.contains("23:58:34 ex ") && !$0.contains("08-08") }, "\(oneDaySession)")
    }
}
