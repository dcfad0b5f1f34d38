import Testing
@testable import Dashboard
import RiskEngine

@Suite("Charts keep their points up to the time a jump back lands on")
struct TimedHistoryTests {
    @Test("points are bounded, oldest first out; dropping those after a time keeps the rest and the span")
    func boundedAndDropped() {
        var history = TimedHistory(limit: 4)
        for second in 1...6 { history.append(Double(second), at: Int64(second) * 1_000_000_000) }
        #expect(history.values == [3, 4, 5, 6] && history.times.first == 3_000_000_000)
        #expect(history.span == 3_000_000_000)
        history.dropPoints(after: 4_500_000_000)
        #expect(history.values == [3, 4])
        history.dropPoints(after: 4_000_000_000)
        #expect(history.values == [3, 4], "a point at the time itself stays")
        history.dropPoints(after: 0)
        #expect(history.isEmpty && history.span == 0)
    }

    @Test("a jump back keeps the fund chart's points up to the time landed on (it started the chart again)")
    func fundChartAfterJumpBack() throws {
        var engine = engine(positions: 50)
        var engines: [Engine] = []
        for second in 4...7 {
            engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(60_000 - second), time: Int64(second) * 1_000_000_000))
            engines.append(engine)
        }
        var status = SessionStatus(kind: "REPLAY", source: "test")
        var screen = AppModel(width: 120, height: 40, status: status, engine: engines[0])
        for later in engines {
            status.time = later.time
            _ = screen.update(.session(engine: later, log: SessionLog(), status: status))
        }
        let fund = try #require(screen.fundHistories.keys.first)
        #expect(screen.fundHistories[fund]?.times == [4, 5, 6, 7].map { Int64($0) * 1_000_000_000 })
        // Back to second 5.
        status.time = engines[1].time
        _ = screen.update(.session(engine: engines[1], log: SessionLog(), status: status))
        let times = try #require(screen.fundHistories[fund]?.times)
        #expect(Array(times.prefix(2)) == [4_000_000_000, 5_000_000_000], "\(times)")
        #expect(times.allSatisfy { $0 <= 5_000_000_000 })
    }
}
