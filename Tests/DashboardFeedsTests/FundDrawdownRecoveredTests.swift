import Testing
@testable import Dashboard
import MarketFeeds
@testable import RiskEngine

/// The demo's fund ran down to 0.05 in its cascade and was refilled by later fees: at its end the
/// pane read `drawdown 0.00 (0.0% of peak)` and the chart's lows had scrolled past the drain, so
/// an operator reviewing the shift saw a fund that looked untouched (operator trial).
@Suite("A fund drained and refilled says how deep it went")
struct FundDrawdownRecoveredTests {
    @Test("at the demo's end the drawdown line says the worst drawdown and when, in its class, at every size",
          arguments: [(80, 24), (120, 40), (200, 60)])
    func worstDrawdownShown(size: (Int, Int)) throws {
        let demo = DemoSession(seed: 1, positions: 3_000)
        let clock = ReplayClock(driver: demo)
        try clock.seek(fraction: 1, wall: 0)
        let fund = demo.engine.fund("USDT")
        let state = demo.engine.fundState(asset: "USDT")
        try #require(state.showsDeeperDrawdown && state.deepestDrawdownLevel == .alert,
            "the case: the fund drained past its alert level and came back (drawdown now \(state.drawdown), deepest \(state.deepestDrawdown))")
        #expect(fund.deepestDrawdown >= Fixed("0.99")!, "the demo's fund ran dry: \(fund.deepestDrawdown)")
        #expect(fund.deepestDrawdownTime >= fund.lowTime && fund.deepestDrawdownTime > 0)
        var status = SessionStatus(kind: "DEMO", source: "test")
        status.time = demo.engine.time
        let screen = AppModel(width: size.0, height: size.1, status: status, engine: demo.engine, log: demo.log)
        let inner = screen.layout.fund.inset(1)
        let rendered = screen.rendered()
        let lines = rendered.lines[inner.y..<inner.maxY].map { String(Array($0)[inner.x..<min(inner.maxX, $0.count)]) }
        let worst = Format.percentDown(fund.deepestDrawdown, decimals: 1)
        let line = try #require(lines.first { $0.contains("worst " + worst) }, "\(size): \(lines)")
        #expect(line.hasPrefix("drawdown") || line.hasPrefix("down"), "\(line)")
        // When, where the pane is wide enough.
        if size.0 >= 120 {
            #expect(line.contains(EventTime.timeOfDay(fund.deepestDrawdownTime, milliseconds: false)), "\(line)")
        }
        // In the engine's class of that drawdown.
        let row = inner.y + lines.firstIndex(of: line)!
        let value = try #require(line.range(of: "worst"), "\(line)")
        let column = inner.x + line.distance(from: line.startIndex, to: value.lowerBound)
        #expect(rendered[column, row].role == .level(.alert), "\(line)")
    }

    @Test("the deepest drawdown is of the peak before it: a fund that peaked again higher keeps its worst fraction")
    func deepestFraction() {
        var fund = InsuranceFund(venue: "binance-usdm", asset: "USDT")
        _ = fund.book(Fixed(1_000), cause: .opening, time: 1)
        _ = fund.book(Fixed(-900), cause: .deficit, time: 2)
        _ = fund.book(Fixed(5_000), cause: .liquidationFee, time: 3)
        _ = fund.book(Fixed(-1_000), cause: .deficit, time: 4)
        #expect(fund.deepestDrawdown == Fixed("0.9")! && fund.deepestDrawdownTime == 2)
        #expect(fund.drawdownFraction < Fixed("0.2")!)
    }
}
