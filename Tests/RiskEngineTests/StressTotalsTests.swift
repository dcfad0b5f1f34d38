import Testing
@testable import RiskEngine

/// A shock's projection is liquidated in slices and, for the report and the ladder, keeps only its
/// totals: neither may change a figure.
@Suite("Stress projections: sliced, and totals without records")
struct StressTotalsTests {
    static let symbol = "binance-usdm:BTCUSDT"

    /// Thousands of positions in one market over a book of 200 BTC a side: a large shock runs
    /// through the book, into the fund and ADL.
    static func engine() -> Engine {
        var engine = BulkPlacementTests.engineWithBook()
        // The ranking prepared in slices, as at a million positions (65,536 and more).
        engine.adlPreparationThreshold = 1_000
        var notes: [EngineNotification] = []
        engine.apply(positions: BulkPlacementTests.mixedUpdates(count: 12_000, symbols: [symbol]), time: 2, into: &notes) { $0.removeAll() }
        return engine
    }

    @Test("a market no position was placed in projects nothing and the fund as it stands, as a copy of the engine would")
    func marketWithoutPositions() throws {
        var engine = Self.engine()
        engine.apply(.mark(symbol: "binance-usdm:ETHUSDT", price: Fixed(3_000), time: 3))
        let fund = engine.fund(market: engine.marketIndex(of: "binance-usdm:ETHUSDT")!).balance
        for result in engine.stressLadder(symbol: "binance-usdm:ETHUSDT") {
            #expect(result.liquidationCount == 0 && result.adlCloseCount == 0 && result.positionsHit == 0 && result.blocked == nil)
            #expect(result.fundBefore == fund && result.fundAfter == fund && result.totalDeficit.isZero)
            #expect(result.markAfter == (Fixed(3_000) * (Fixed(100) + result.shockPercent) / Fixed(100)).rounded(toMultipleOf: engine.market("binance-usdm:ETHUSDT")!.instrument.tickSize))
        }
        #expect(engine.stressLadder(symbol: "binance-usdm:ETHUSDT").count == StressLadder.shocks.count)
    }

    @Test("a shock that crosses no trigger projects, without a copy of the engine, what the copy projects", arguments: [false, true])
    func shortcutAsCopy(fundTakesOver: Bool) throws {
        // Low leverage far from the mark: the small shocks cross nothing, the large ones liquidate.
        var configuration = EngineConfiguration()
        if fundTakesOver { configuration.unfilled = .fundTakesOver }
        var engine = Engine(configuration: configuration)
        engine.openFund(asset: "USDT", balance: Fixed(10_000))
        engine.apply(.bookSnapshot(symbol: Self.symbol, bids: [(BookUnits.parse("59990")!, BookUnits.parse("0.5")!)],
            asks: [(BookUnits.parse("60010")!, BookUnits.parse("0.5")!)], time: 1_000_000_000))
        engine.apply(.mark(symbol: Self.symbol, price: Fixed(60_000), time: 1_000_000_000))
        for index in 0..<40 {
            engine.apply(.position(PositionUpdate(account: "a\(index)", symbol: Self.symbol, side: index % 2 == 0 ? .long : .short,
                quantity: Fixed(1), entryPrice: Fixed(60_000 + (index % 7) * 100), mode: index % 3 == 0 ? .cross : .isolated,
                leverage: Fixed(8 + index % 5)), time: 1_000_000_000))
        }
        // A thin position liquidated into the thin book first: under fund-takes-over the fund holds it.
        engine.apply(.position(PositionUpdate(account: "thin", symbol: Self.symbol, side: .long, quantity: Fixed(3), entryPrice: Fixed(61_000),
            mode: .isolated, leverage: Fixed(50)), time: 1_000_000_000))
        if fundTakesOver { #expect(engine.markets[0].fundLong.quantity.isPositive || engine.markets[0].fundShort.quantity.isPositive) }
        var shortcuts = 0
        for shock in ["-20", "-10", "-2", "-0.5", "-0.1", "0.1", "0.5", "2", "10", "20"] {
            let percent = Fixed(shock)!
            let index = engine.marketIndex(of: Self.symbol)!
            let shocked = (Fixed(60_000) * (Fixed(100) + percent) / Fixed(100)).rounded(toMultipleOf: engine.markets[index].instrument.tickSize)
            if !engine.crossesTrigger(market: index, at: shocked) { shortcuts += 1 }
            let quick = try engine.stress(symbol: Self.symbol, shockPercent: percent, keepingRecords: true, liquidationsPerSlice: 4_096)
            let copied = try engine.stress(symbol: Self.symbol, shockPercent: percent, keepingRecords: true, liquidationsPerSlice: 4_096, copyingAlways: true)
            #expect(quick.liquidations == copied.liquidations && quick.adl == copied.adl, "\(shock)")
            #expect(quick.fundBefore == copied.fundBefore && quick.fundAfter == copied.fundAfter && quick.totalDeficit == copied.totalDeficit, "\(shock)")
            #expect(quick.fundHoldingsPnL == copied.fundHoldingsPnL && quick.fundHolds == copied.fundHolds, "\(shock)")
            #expect(quick.blocked == copied.blocked && quick.positionsHit == copied.positionsHit && quick.markAfter == copied.markAfter, "\(shock)")
            #expect(quick.socialisedLoss == copied.socialisedLoss && quick.adlUnfilled == copied.adlUnfilled, "\(shock)")
        }
        #expect(shortcuts >= 4 && shortcuts < 10, "small shocks cross nothing, large ones liquidate: \(shortcuts)")
    }

    /// The report's −1 % and +1 % rows (which cross no trigger and take no copy) alone said
    /// nothing of the outdated book the other rows named (operator trial).
    @Test("a market whose book is outdated says so on every row of its ladder, shocks that cross nothing included")
    func outdatedBookOnEveryRow() throws {
        var engine = Engine()
        let second: Int64 = 1_000_000_000
        engine.apply(.bookSnapshot(symbol: Self.symbol, bids: [(BookUnits.parse("59990")!, BookUnits.parse("5")!)],
            asks: [(BookUnits.parse("60010")!, BookUnits.parse("5")!)], time: second))
        engine.apply(.mark(symbol: Self.symbol, price: Fixed(60_000), time: second))
        engine.apply(.position(PositionUpdate(account: "a", symbol: Self.symbol, side: .long, quantity: Fixed(1), entryPrice: Fixed(60_000),
            mode: .isolated, leverage: Fixed(20)), time: second))
        // The mark goes on; the book says nothing for ten minutes.
        engine.apply(.mark(symbol: Self.symbol, price: Fixed(60_010), time: 601 * second))
        let index = try #require(engine.marketIndex(of: Self.symbol))
        #expect(engine.liquidationBlock(market: index) == .outdatedBook)
        let ladder = engine.stressLadder(symbol: Self.symbol)
        #expect(ladder.count == StressLadder.shocks.count)
        #expect(ladder.allSatisfy { $0.blocked == .outdatedBook && $0.liquidationCount == 0 }, "\(ladder.map { "\($0.shockPercent) \(String(describing: $0.blocked))" })")
    }

    @Test("a shock of one market counts only its own quantities; a cross account's leg elsewhere is named, not summed in another unit")
    func otherMarketsQuantities() throws {
        var engine = Engine()
        engine.openFund(asset: "USDT", balance: Fixed(100))
        let t: Int64 = 1_723_161_255_000_000_000
        engine.apply(.mark(symbol: "binance-usdm:BTCUSDT", price: Fixed(60_000), time: t))
        engine.apply(.mark(symbol: "binance-usdm:XYZUSDT", price: Fixed(1), time: t))
        engine.apply(.bookSnapshot(symbol: "binance-usdm:BTCUSDT", bids: [(BookUnits.parse("59990")!, BookUnits.parse("0.01")!)],
            asks: [(BookUnits.parse("60010")!, BookUnits.parse("0.01")!)], time: t))
        engine.apply(.bookSnapshot(symbol: "binance-usdm:XYZUSDT", bids: [(BookUnits.parse("0.999")!, BookUnits.parse("100000")!)],
            asks: [(BookUnits.parse("1.001")!, BookUnits.parse("100000")!)], time: t))
        engine.apply(.account(id: "a", asset: "USDT", venue: "binance-usdm", venueGiven: true, walletBalance: Fixed(2_200), time: t))
        engine.apply(.position(PositionUpdate(account: "a", symbol: "binance-usdm:BTCUSDT", side: .long, quantity: Fixed(1), entryPrice: Fixed(60_000),
            mode: .cross, leverage: Fixed(50)), time: t))
        engine.apply(.position(PositionUpdate(account: "a", symbol: "binance-usdm:XYZUSDT", side: .long, quantity: Fixed(10_000), entryPrice: Fixed(1),
            mode: .cross, leverage: Fixed(50)), time: t))
        #expect(engine.positions.filter(\.isOpen).count == 2)
        let result = try engine.stress(symbol: "binance-usdm:XYZUSDT", shockPercent: Fixed(-20))
        let btcLeg = result.liquidations.filter { $0.symbol == "binance-usdm:BTCUSDT" }
        try #require(btcLeg.contains { $0.unfilledQuantity.isPositive }, "the shock liquidates the BTC leg into its thin book: \(result.liquidations)")
        #expect(result.unfilledQuantity == result.liquidations.filter { $0.symbol == "binance-usdm:XYZUSDT" }.reduce(.zero) { $0 + $1.unfilledQuantity })
        #expect(result.adlQuantity == result.liquidations.filter { $0.symbol == "binance-usdm:XYZUSDT" }.reduce(.zero) { $0 + $1.adlQuantity })
        #expect(result.otherMarketsUnfilled == ["binance-usdm:BTCUSDT"])
    }

    @Test("cut every few liquidations, a shock projects what it projects applied whole", arguments: [-20, -5, 5, 20])
    func slicedAsWhole(shock: Int) throws {
        let engine = Self.engine()
        let whole = try engine.stress(symbol: Self.symbol, shockPercent: Fixed(shock), keepingRecords: true, liquidationsPerSlice: .max)
        let sliced = try engine.stress(symbol: Self.symbol, shockPercent: Fixed(shock), keepingRecords: true, liquidationsPerSlice: 97)
        #expect(whole.liquidations.count > 200, "the shock must span several slices")
        #expect(sliced.liquidations == whole.liquidations)
        #expect(sliced.adl == whole.adl)
        #expect(sliced.fundAfter == whole.fundAfter)
        #expect(sliced.socialisedLoss == whole.socialisedLoss)
        #expect(sliced.adlUnfilled == whole.adlUnfilled)
        #expect(sliced.positionsHit == whole.positionsHit)
    }

    @Test("the totals are the records' sums; kept without the records, they are the same", arguments: [-20, -10, 10, 20])
    func totalsWithoutRecords(shock: Int) throws {
        let engine = Self.engine()
        let kept = try engine.stress(symbol: Self.symbol, shockPercent: Fixed(shock))
        let totals = try engine.stress(symbol: Self.symbol, shockPercent: Fixed(shock), keepingRecords: false)
        #expect(kept.liquidationCount == kept.liquidations.count && kept.liquidationCount > 0)
        #expect(kept.adlCloseCount == kept.adl.count)
        #expect(kept.liquidatedNotional == kept.liquidations.reduce(.zero) { $0 + $1.notional })
        #expect(kept.adlQuantity == kept.liquidations.reduce(.zero) { $0 + $1.adlQuantity })
        #expect(kept.adlClosedQuantity == kept.adl.reduce(.zero) { $0 + $1.quantity })
        #expect(kept.adlNotional == kept.adl.reduce(.zero) { $0 + $1.notional })
        #expect(kept.totalDeficit == kept.liquidations.filter { $0.asset == "USDT" }.reduce(.zero) { $0 + $1.deficit })
        #expect(totals.liquidations.isEmpty && totals.adl.isEmpty)
        #expect(totals.liquidationCount == kept.liquidationCount)
        #expect(totals.adlCloseCount == kept.adlCloseCount)
        #expect(totals.liquidatedNotional == kept.liquidatedNotional)
        #expect(totals.adlQuantity == kept.adlQuantity)
        #expect(totals.adlClosedQuantity == kept.adlClosedQuantity)
        #expect(totals.adlNotional == kept.adlNotional)
        #expect(totals.totalDeficit == kept.totalDeficit)
        #expect(totals.unfilledQuantity == kept.unfilledQuantity)
        #expect(totals.fundAfter == kept.fundAfter)
        #expect(totals.positionsHit == kept.positionsHit)
        // The ladder is the same shocks without records.
        let step = try #require(engine.stressLadder(symbol: Self.symbol).first { $0.shockPercent == Fixed(shock) })
        #expect(step.liquidations.isEmpty)
        #expect(step.liquidationCount == kept.liquidationCount && step.fundAfter == kept.fundAfter && step.adlQuantity == kept.adlQuantity)
    }
}
