import Testing
@testable import Dashboard
@testable import RiskEngine

/// The markets pane reads and measures only the rows on screen each frame, its columns sized by
/// every listed market as the table was last built (reading every market each frame took 34 ms
/// a frame with 5,000 markets).
@Suite("Markets pane: the page read each frame, the columns sized by every market")
struct MarketsPageTests {
    static let second: Int64 = 1_000_000_000

    /// Sixty markets (or `count`) with small books at 100; the last by name with a mark of 123,456,789.
    static func sixtyMarkets(_ count: Int = 60) -> Engine {
        var engine = Engine()
        engine.openFund(asset: "USDT", balance: Fixed(50_000))
        for index in 0..<count {
            let symbol = "M" + String(repeating: "0", count: String(count - 1).count - String(index).count) + "\(index)USDT"
            let price = index == count - 1 ? "123456789" : "100"
            engine.apply(.bookSnapshot(symbol: symbol, bids: [(units(price) - units("1"), units("5"))],
                asks: [(units(price) + units("1"), units("5"))], time: Self.second))
            engine.apply(.mark(symbol: symbol, price: Fixed(price)!, time: Self.second))
        }
        return engine
    }

    func markWidth(_ screen: AppModel) throws -> Int {
        let inner = try #require(screen.layout.markets).inset(1)
        let page = MarketsPane.page(screen, inner: inner, focused: screen.focus == .markets)
        return try #require(page.columns.first { $0.column.column == .mark }).width
    }

    @Test("a market off screen sizes the columns, so they stay as they are while scrolling")
    func offScreenSizes() throws {
        var screen = model(width: 120, height: 40, engine: Self.sixtyMarkets())
        _ = screen.update(.key(.character("m")))
        let text = screen.rendered().text
        #expect(!text.contains("123,456,789"), "M59 is off screen at the top")
        let top = try markWidth(screen)
        #expect(top >= DisplayWidth.of("123,456,789.00"), "\(top)")
        _ = screen.update(.key(.character("G")))
        #expect(screen.rendered().text.contains("123,456,789"))
        #expect(try markWidth(screen) == top)
    }

    @Test("a figure grown on screen since the table was built is measured as it reads now, never cut")
    func grownSinceBuilt() throws {
        var engine = Self.sixtyMarkets()
        var screen = model(width: 120, height: 40, engine: engine)
        _ = screen.update(.session(engine: engine, log: SessionLog(), status: screen.status))
        let shown = try #require(screen.visibleMarkets.first).symbol
        // Within the same second: the table is not built again, the page is read again.
        engine.apply(.bookSnapshot(symbol: shown, bids: [(units("9876543209"), units("5"))], asks: [(units("9876543211"), units("5"))],
            time: Self.second + Self.second / 2))
        engine.apply(.mark(symbol: shown, price: Fixed("9876543210")!, time: Self.second + Self.second / 2))
        _ = screen.update(.session(engine: engine, log: SessionLog(), status: screen.status))
        #expect(screen.visibleMarkets.first?.mark == Fixed(100), "the table as last built")
        let lines = screen.rendered().lines
        let row = try #require(lines.first { $0.contains("▸ " + shown) })
        #expect(row.contains("9,876,543,210"), "\(row)")
    }

    @Test("past a thousand markets the columns are measured in slices over the run loop's turns, the last measure standing meanwhile")
    func measuredInSlices() throws {
        let count = AppModel.marketMeasureSlice + 200
        var screen = model(width: 120, height: 40, engine: Self.sixtyMarkets(count))
        #expect(screen.hasPendingWork, "a measure under way")
        let before = screen.marketColumnMeasure
        #expect(before.rowCount == 0, "nothing measured yet: the rows on screen size the columns")
        #expect(screen.rendered().text.contains("Markets \(Format.count(count))/\(Format.count(count))"))
        screen.completePendingWork(budget: .turn)
        #expect(screen.hasPendingWork, "one slice of \(AppModel.marketMeasureSlice) done, \(count - AppModel.marketMeasureSlice) left")
        #expect(screen.marketColumnMeasure == before)
        while screen.hasPendingWork { screen.completePendingWork(budget: .turn) }
        #expect(screen.marketColumnMeasure.rowCount == count)
        #expect(screen.marketColumnMeasure == MarketsPane.measure(screen.visibleMarkets, model: screen))
        #expect(try markWidth(screen) >= DisplayWidth.of("123,456,789.00"), "the last market, off screen, sizes the mark column")
    }

    @Test("a 60-character symbol is cut in its middle (…), giving way to the signal and stressed columns at 80×24")
    func longSymbol() throws {
        var engine = Self.sixtyMarkets()
        let long = String(repeating: "X", count: 56) + "USDT"
        engine.apply(.bookSnapshot(symbol: long, bids: [(units("99"), units("5"))], asks: [(units("101"), units("5"))], time: Self.second))
        var screen = model(width: 80, height: 24, engine: engine)
        _ = screen.update(.session(engine: engine, log: SessionLog(), status: screen.status))
        let inner = try #require(screen.layout.markets).inset(1)
        let columns = MarketsPane.page(screen, inner: inner, focused: false).columns.compactMap(\.column.column)
        #expect(columns.contains(.signal) && columns.contains(.stressed), "\(columns)")
        _ = screen.update(.key(.character("m")))
        _ = screen.update(.key(.character("G")))
        let text = screen.rendered().text
        // Both ends kept: its quote tells it apart from another long name.
        #expect(text.range(of: #"XXX…X*USDT"#, options: .regularExpression) != nil, "\(text)")
        #expect(!text.contains(long))
    }

    @Test("the health view lists the books that cannot be trusted first")
    func healthStaleFirst() throws {
        var engine = Self.sixtyMarkets()
        engine.apply(.bookGap(symbol: "M59USDT", time: Self.second + 1))
        var screen = model(width: 80, height: 24, engine: engine)
        _ = screen.update(.key(.character("h")))
        let lines = screen.rendered().lines
        let first = try #require(lines.firstIndex { $0.contains("book") && $0.contains("updates") })
        #expect(lines[first + 1].contains("M59USDT") && lines[first + 1].contains("STALE"), "\(lines[first + 1])")
        #expect(lines[first + 2].contains("M00USDT"), "then by name: \(lines[first + 2])")
    }

    @Test("a measure pass under way finishes though the markets are listed again meanwhile, then another begins")
    func passFinishes() throws {
        let count = AppModel.marketMeasureSlice * 2 + 100
        var engine = Self.sixtyMarkets(count)
        var screen = model(width: 120, height: 40, engine: engine)
        #expect(screen.hasPendingWork)
        // A new second every turn, as a fast replay gives: the pass is not started again.
        for second in 2...4 {
            engine.apply(.clock(time: Int64(second) * Self.second))
            var status = screen.status
            status.time = engine.time
            _ = screen.update(.session(engine: engine, log: SessionLog(), status: status))
            screen.completePendingWork(budget: .turn)
        }
        #expect(screen.marketColumnMeasure.rowCount == count, "the first pass finished: \(screen.marketColumnMeasure.rowCount)")
        #expect(screen.hasPendingWork, "and another began, for the markets as listed since")
        while screen.hasPendingWork { screen.completePendingWork(budget: .turn) }
        #expect(screen.marketColumnMeasure == MarketsPane.measure(screen.visibleMarkets, model: screen))
    }
}
