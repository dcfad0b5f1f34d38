import Testing
@testable import Dashboard
@testable import RiskEngine

/// A liquidation price is counted in the ladder row it triggers at: a long's in the first bid row
/// at or below it (the mark falls to it there), a short's in the first ask row at or above it. A
/// long liquidated at 58,649.403 was counted in the 58,649.50 bid row, where the mark has not yet
/// reached it, while the positions pane said 58,649.40 (operator trial).
@Suite("The ladder counts a liquidation price in the row it triggers at")
struct LadderLiquidationRowTests {
    func book() -> OrderBook {
        var book = OrderBook()
        book.applySnapshot(bids: [(units("100"), units("1")), (units("99"), units("1")), (units("95"), units("1"))],
            asks: [(units("101"), units("1")), (units("102"), units("1")), (units("106"), units("1"))])
        return book
    }

    @Test("longs: the touch's row takes every price at or above it, a row below it the prices up to the row before; past the last row, beyond the book")
    func longs() {
        let longs = ["94", "95", "96", "98.9", "99", "99.5", "100", "100.4"].map(units).sorted()
        let rows = LadderPane.rows(book(), .bid, step: units("1"), count: 5, liquidations: longs)
        #expect(rows.map(\.price) == [units("100"), units("99"), units("95")])
        #expect(rows.map(\.liquidations) == [2, 2, 3], "\(rows)")
        #expect(LadderPane.beyondBook(rows, .bid, liquidations: longs) == 1)
    }

    @Test("shorts: the touch's row takes every price at or below it, a row above it the prices down to just above the row before")
    func shorts() {
        let shorts = ["100.5", "101", "101.2", "102", "103", "106", "106.1"].map(units).sorted()
        let rows = LadderPane.rows(book(), .ask, step: units("1"), count: 5, liquidations: shorts)
        #expect(rows.map(\.price) == [units("101"), units("102"), units("106")])
        #expect(rows.map(\.liquidations) == [2, 2, 2], "\(rows)")
        #expect(LadderPane.beyondBook(rows, .ask, liquidations: shorts) == 1)
    }

    @Test("grouped by 10 ticks a bucket's row takes the prices in its bucket: bids round down, asks up")
    func grouped() {
        var book = OrderBook()
        book.applySnapshot(bids: [(units("109"), units("1")), (units("101"), units("1")), (units("95"), units("1"))],
            asks: [(units("111"), units("1")), (units("125"), units("1"))])
        let longs = ["90", "99.99", "100", "105", "109.5", "112"].map(units).sorted()
        let bids = LadderPane.rows(book, .bid, step: units("10"), count: 5, liquidations: longs)
        #expect(bids.map(\.price) == [units("100"), units("90")])
        #expect(bids.map(\.liquidations) == [4, 2], "\(bids)")
        let shorts = ["110", "111", "120", "120.01", "130.5"].map(units).sorted()
        let asks = LadderPane.rows(book, .ask, step: units("10"), count: 5, liquidations: shorts)
        #expect(asks.map(\.price) == [units("120"), units("130")])
        #expect(asks.map(\.liquidations) == [3, 1], "\(asks)")
        #expect(LadderPane.beyondBook(asks, .ask, liquidations: shorts) == 1)
    }

    @Test("a windowed table's prices left out beyond its range towards the mark are the touch's row's, where they all lie in it")
    func outsideCountsAtTheTouch() {
        var reach = LiquidationReach(range: units("90")...units("110"))
        reach.outside.longsAbove = 5
        reach.outside.shortsBelow = 7
        let longs = ["99.5", "100.5"].map(units)
        let bids = LadderPane.rows(book(), .bid, step: units("1"), count: 5, liquidations: longs, reach: reach)
        #expect(bids.map(\.liquidations) == [1 + 5, 1, 0], "\(bids)")
        let asks = LadderPane.rows(book(), .ask, step: units("1"), count: 5, liquidations: [], reach: reach)
        #expect(asks.first?.liquidations == 7, "\(asks)")
        // A range that ends below the touch: the prices above it may lie below the touch too.
        var low = LiquidationReach(range: units("10")...units("50"))
        low.outside.longsAbove = 5
        #expect(LadderPane.rows(book(), .bid, step: units("1"), count: 5, liquidations: [], reach: low).first?.liquidations == 0)
    }
}
