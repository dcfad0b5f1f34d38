import Testing
@testable import Dashboard
@testable import RiskEngine

/// In a cascade liquidations eat the levels at the touch: each eaten to nothing used to be a row of
/// `0.000 eaten`, and at 80×24 the bid half of the ladder was all such rows, the live bids off the
/// pane (operator trial). A run of them is one row, and the live levels follow it.
@Suite("The ladder folds a run of levels liquidations ate to nothing into one row")
struct EatenRunTests {
    @Test("the cascade's eaten bids, 59,999.90 down to 59,989.90, are one row; the live ones follow")
    func rowsFolded() throws {
        let screen = cascadeModel(width: 120, height: 40)
        let market = try #require(screen.engine.market("BTCUSDT"))
        let step = market.instrument.tickSize.bookUnits
        let rows = LadderPane.rows(market.book, .bid, step: step, count: 5, liquidations: [])
        #expect(rows.count == 5)
        #expect(rows[0].isEatenRun && rows[0].price == units("59999.90") && rows[0].farPrice == units("59989.90"))
        #expect(rows[0].eatenRows == 101 && rows[0].size == 0 && rows[0].cumulative == 0)
        #expect(rows[1].size > 0 && !rows[1].isEatenRun, "the next row has bids left")
        #expect(rows[1...].allSatisfy { $0.size > 0 })
        // Every level eaten and left is still counted: the rows' cumulative is the sum of what is left.
        #expect(rows[4].cumulative == rows.reduce(0) { $0 + $1.size })
    }

    @Test("the folded row says its far price and how many rows, as room allows, and the live bids are on screen", arguments: [(80, 24), (120, 40), (200, 60)])
    func drawn(size: (Int, Int)) throws {
        let screen = cascadeModel(width: size.0, height: size.1)
        let lines = screen.rendered().lines
        let ladder = screen.layout.ladder.inset(1)
        let spreadRow = try #require((ladder.y..<ladder.maxY).first { lines[$0].contains("spread") })
        let folded = lines[spreadRow + 1]
        #expect(folded.contains("+ 59,999.90 to 59,989.90 eaten"), "\(folded)")
        #expect(lines[spreadRow + 2].contains("59,989.80"), "the next bid follows: \(lines[spreadRow + 2])")
        // No other row of nothing left.
        #expect(!lines[(spreadRow + 2)..<ladder.maxY].contains { $0.contains("0.000    0.000") })
    }
    @Test("a run that is the last row counts the liquidation prices along all of it, not only by its near price")
    func lastRunCountsItsLiquidations() {
        var book = OrderBook()
        book.applySnapshot(bids: [(units("100"), units("1")), (units("99"), units("1")), (units("98"), units("1")), (units("97"), units("1"))],
            asks: [(units("101"), units("1"))])
        book.consume(.bid, fills: ["100", "99", "98", "97"].map { Fill(price: units($0), size: units("1")) })
        let rows = LadderPane.rows(book, .bid, step: units("1"), count: 5, liquidations: [units("97.5"), units("98")])
        #expect(rows.count == 1 && rows[0].isEatenRun && rows[0].farPrice == units("97"), "\(rows)")
        #expect(rows[0].liquidations == 2, "\(rows)")
    }
}
