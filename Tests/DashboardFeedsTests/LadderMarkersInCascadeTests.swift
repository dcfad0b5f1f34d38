import Testing
@testable import Dashboard
import MarketFeeds
@testable import RiskEngine

/// In the demo's cascade, grouped by 10 ticks at 120×40, the rows liquidations had eaten said
/// `eaten` and lost their `◆1liq`: the four next positions to go were counted nowhere (operator
/// trial). Every row with liquidation prices shows their count.
@Suite("The ladder's liquidation counts in a cascade")
struct LadderMarkersInCascadeTests {
    @Test("every drawn row whose bucket holds liquidation prices shows their count, eaten or not", arguments: [0.57, 0.575, 0.58, 0.585])
    func countsShown(fraction: Double) throws {
        let demo = DemoSession(seed: 1, positions: 3_000)
        let clock = ReplayClock(driver: demo)
        try clock.seek(fraction: fraction, wall: 0)
        var status = SessionStatus(kind: "DEMO", source: "test")
        status.time = demo.engine.time
        var counted = 0
        for groupings in 0..<2 {
            var screen = AppModel(width: 120, height: 40, status: status, engine: demo.engine, log: demo.log)
            for _ in 0..<groupings { _ = screen.update(.key(.character("z"))) }
            let market = try #require(screen.engine.market("BTCUSDT"))
            let step = market.instrument.tickSize.bookUnits * screen.ladderGrouping
            let inner = screen.layout.ladder.inset(1)
            let levels = (inner.height - 2) / 2
            let lines = screen.rendered().lines
            let symbol = try #require(screen.focusedSymbol)
            let bids = LadderPane.rows(market.book, .bid, step: step, count: levels, liquidations: screen.table.longLiquidations[symbol] ?? [])
            let spreadRow = try #require((inner.y..<inner.maxY).first { lines[$0].contains("spread") })
            for (index, row) in bids.enumerated() where row.liquidations > 0 {
                let line = String(Array(lines[spreadRow + 1 + index])[inner.x..<inner.maxX])
                #expect(line.contains("◆\(row.liquidations)liq"), "\(fraction) ×\(screen.ladderGrouping): \(line)")
                counted += 1
            }
        }
        #expect(counted > 0, "the demo's cascade has rows with liquidation prices at \(fraction)")
    }
}
