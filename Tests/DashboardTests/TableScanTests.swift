import Testing
@testable import Dashboard
@testable import RiskEngine

/// A windowed table's engine: 12,000 isolated positions over two markets, longs and shorts, with
/// entries spread so their distances to liquidation differ, books so the rows walk them.
private func windowedEngine(positions: Int = 12_000) -> Engine {
    var engine = Engine()
    engine.openFund(asset: "USDT", balance: Fixed(1_000_000))
    for (symbol, price) in [("BTCUSDT", "60000.0"), ("ETHUSDT", "3000.00")] {
        let best = units(price)
        let step = max(1, best / 10_000)
        engine.apply(.bookSnapshot(symbol: symbol, bids: (1...20).map { (best - Int64($0) * step, units("10")) },
            asks: (0..<20).map { (best + Int64($0) * step, units("10")) }, time: 1_000_000_000))
        engine.apply(.mark(symbol: symbol, price: Fixed(price)!, time: 1_000_000_000))
    }
    for index in 0..<positions {
        let bitcoin = index % 3 != 0
        let long = index % 5 != 0
        let base = bitcoin ? 60_000 : 3_000
        // Entries from 10 % below to 10 % above the mark, leverage 2x to 20x.
        let entry = Fixed(base) * Fixed(900 + (index * 7_919) % 200) / Fixed(1_000)
        engine.apply(.position(PositionUpdate(account: "acct-\(index)", symbol: bitcoin ? "BTCUSDT" : "ETHUSDT",
            side: long ? .long : .short, quantity: Fixed(1 + index % 7), entryPrice: entry, mode: .isolated,
            leverage: Fixed(2 + index % 19)), time: 1_000_000_000))
    }
    return engine
}

/// Runs a rebuild to its end in slices of `positions` positions; returns how many slices it took.
@discardableResult
private func finishInSlices(_ table: inout PositionTable, _ engine: Engine, positions: Int) -> Int {
    var slices = 0
    while !table.continueRebuild(with: engine, budget: ScanBudget(positions: positions)) { slices += 1 }
    return slices + 1
}

@Suite("The positions table rebuilt in slices")
struct TableScanTests {
    @Test("a window chosen in slices is the one a single pass chooses, for every sort and a filter",
          arguments: PositionColumn.allCases)
    func slicedEqualsOnePass(column: PositionColumn) {
        let engine = windowedEngine()
        for (descending, filter) in [(false, ""), (true, ""), (PositionTable.defaultDescending(column), "acct-1")] {
            var whole = PositionTable()
            whole.rebuild(from: engine, liquidations: 0, column: column, descending: descending, filter: filter, clusterReachTicks: 400)
            var sliced = PositionTable()
            sliced.startRebuild(from: engine, liquidations: 0, column: column, descending: descending, filter: filter, clusterReachTicks: 400)
            let slices = finishInSlices(&sliced, engine, positions: 1_000)
            #expect(slices > 12)
            #expect(whole.windowed && sliced.windowed)
            #expect(sliced.rows.map(\.index) == whole.rows.map(\.index), "\(column) \(descending) '\(filter)'")
            #expect(sliced.rows.map(\.adl) == whole.rows.map(\.adl))
            #expect(sliced.openPositions == whole.openPositions && sliced.matchingPositions == whole.matchingPositions)
            #expect(sliced.longLiquidations == whole.longLiquidations && sliced.shortLiquidations == whole.shortLiquidations)
            #expect(sliced.openBySymbol == whole.openBySymbol && sliced.nearLiquidation == whole.nearLiquidation)
            #expect(sliced.view(filter: filter, column: column, descending: descending).map(\.index)
                == whole.view(filter: filter, column: column, descending: descending).map(\.index))
        }
    }

    @Test("a slice reads no more positions than its budget allows (the pass, the ADL samples, the rows)")
    func sliceBound() {
        let engine = windowedEngine()
        var table = PositionTable()
        table.startRebuild(from: engine, liquidations: 0)
        var read = 0
        while let scan = table.scan, scan.phase == .scanning {
            table.continueRebuild(with: engine, budget: ScanBudget(positions: 700))
            guard let now = table.scan, now.phase == .scanning else { break }
            #expect(now.offset - read <= 700)
            #expect(now.offset > read)
            read = now.offset
        }
        #expect(read >= engine.positions.count - 700)
        finishInSlices(&table, engine, positions: 700)
        #expect(table.rows.count == PositionTable.windowSize)
    }

    @Test("a slice stops once its time is spent, between chunks")
    func sliceTime() {
        let engine = windowedEngine(positions: 60_000)
        var table = PositionTable()
        table.startRebuild(from: engine, liquidations: 0)
        var slices = 0
        while !table.continueRebuild(with: engine, budget: ScanBudget(nanoseconds: 1)) { slices += 1 }
        // A spent budget still does one chunk (4,096 positions, 256 scores or 32 rows) a slice, so
        // every slice makes progress, and no slice does two.
        #expect(slices >= 60_000 / 4_096)
    }

    @Test("positions closed during the scan are never shown as open; changed ones are valued as they are now")
    func closedAndChangedMidScan() {
        var engine = windowedEngine()
        var table = PositionTable()
        table.startRebuild(from: engine, liquidations: 0)
        // To the end of the pass: the window is chosen, not yet valued.
        while table.scan?.phase == .scanning { table.continueRebuild(with: engine, budget: ScanBudget(positions: 256)) }
        #expect(table.scan != nil)
        var oneShot = PositionTable()
        oneShot.rebuild(from: engine, liquidations: 0)
        let riskiest = oneShot.rows.prefix(50).map(\.index)
        // The riskiest fifty close (liquidated, or closed by their accounts); the next one grows.
        for index in riskiest {
            let position = engine.positions[Int(index)]
            engine.apply(.position(PositionUpdate(account: engine.accounts[Int(position.accountIndex)].id,
                symbol: engine.markets[Int(position.symbolIndex)].symbol, side: position.side, quantity: .zero,
                entryPrice: position.entryPrice, mode: .isolated, leverage: position.leverage), time: 2_000_000_000))
        }
        let grown = oneShot.rows[60].index
        let before = engine.positions[Int(grown)]
        engine.apply(.position(PositionUpdate(account: engine.accounts[Int(before.accountIndex)].id,
            symbol: engine.markets[Int(before.symbolIndex)].symbol, side: before.side, quantity: before.quantity + Fixed(100),
            entryPrice: before.entryPrice, mode: .isolated, isolatedMargin: before.isolatedMargin * Fixed(101), leverage: before.leverage),
            time: 2_000_000_000))
        finishInSlices(&table, engine, positions: 4_096)
        let shown = Set(table.rows.map(\.index))
        for index in riskiest { #expect(!shown.contains(index), "closed position \(index) is in the window") }
        #expect(table.rows.allSatisfy { $0.quantity.isPositive && engine.positions[Int($0.index)].isOpen })
        // The next candidates of the pass take the closed ones' places: the window stays full.
        #expect(table.rows.count == PositionTable.windowSize)
        var fresh = PositionTable()
        fresh.rebuild(from: engine, liquidations: 0)
        // And they are the positions a pass over the engine as it is now would choose (but the one
        // that grew, now safer: it was chosen before it changed).
        #expect(Set(table.rows.map(\.index)).subtracting([grown]).isSubset(of: Set(fresh.rows.map(\.index))))
        if let row = table.rows.first(where: { $0.index == grown }) {
            #expect(row.quantity == before.quantity + Fixed(100))
        }
    }

    @Test("a position closed while the pass is under way, ahead of it, is not chosen")
    func closedAheadOfThePass() {
        var engine = windowedEngine()
        var oneShot = PositionTable()
        oneShot.rebuild(from: engine, liquidations: 0)
        let last = oneShot.rows.map(\.index).max()!
        var table = PositionTable()
        table.startRebuild(from: engine, liquidations: 0)
        table.continueRebuild(with: engine, budget: ScanBudget(positions: 100))
        let position = engine.positions[Int(last)]
        engine.apply(.position(PositionUpdate(account: engine.accounts[Int(position.accountIndex)].id,
            symbol: engine.markets[Int(position.symbolIndex)].symbol, side: position.side, quantity: .zero,
            entryPrice: position.entryPrice, mode: .isolated, leverage: position.leverage), time: 2_000_000_000))
        finishInSlices(&table, engine, positions: 1_000)
        #expect(!table.rows.contains { $0.index == last })
        #expect(table.rows.count == PositionTable.windowSize)
    }

    @Test("a jump back in time while the scan is under way starts it again on the earlier state")
    func jumpBack() {
        let earlier = windowedEngine()
        var later = earlier
        later.apply(.clock(time: 9_000_000_000))
        var table = PositionTable()
        table.startRebuild(from: later, liquidations: 0)
        table.continueRebuild(with: later, budget: ScanBudget(positions: 5_000))
        finishInSlices(&table, earlier, positions: 5_000)
        var whole = PositionTable()
        whole.rebuild(from: earlier, liquidations: 0)
        #expect(table.rows.map(\.index) == whole.rows.map(\.index))
        #expect(table.builtAt == earlier.time)
    }

    @Test("the dashboard rebuilds a windowed table in slices: keys are answered meanwhile, the rows change at the end")
    func modelRebuildsInSlices() {
        let engine = windowedEngine()
        var screen = model(width: 200, height: 60, engine: engine)
        #expect(screen.table.windowed && !screen.hasPendingWork)
        var later = engine
        later.apply(.clock(time: 4_000_000_000))
        _ = screen.update(.session(engine: later, log: SessionLog(), status: SessionStatus(kind: "REPLAY", source: "test")))
        #expect(screen.hasPendingWork)
        #expect(!screen.pendingWindowChoice)
        _ = screen.update(.key(.character("j")))
        #expect(screen.cursor == 1)
        // Another sort: answered with the window sorted, the window chosen again in slices.
        _ = screen.update(.key(.character("s")))
        #expect(screen.pendingWindowChoice)
        #expect(screen.rendered().text.contains("choosing…"))
        var turns = 0
        while screen.hasPendingWork && turns < 10_000 {
            screen.completePendingWork(budget: ScanBudget(positions: 2_000))
            turns += 1
        }
        #expect(turns > 5)
        #expect(!screen.pendingWindowChoice)
        #expect(screen.table.builtAt == later.time)
        var whole = PositionTable()
        whole.rebuild(from: later, liquidations: 0, column: screen.sortColumn, descending: screen.sortDescending, clusterReachTicks: screen.clusterReachTicks)
        #expect(screen.table.rows.map(\.index) == whole.rows.map(\.index))
        // A filter no row of the window matches: while the window is chosen again, the pane does
        // not claim that no position matches.
        _ = screen.update(.key(.character("/")))
        for character in "acct-11999" { _ = screen.update(.key(.character(character))) }
        _ = screen.update(.key(.enter))
        #expect(screen.pendingWindowChoice)
        #expect(screen.rendered().text.contains("choosing the positions that match…"))
        while screen.hasPendingWork { screen.completePendingWork(budget: .unbounded) }
        #expect(screen.visibleRows.map(\.account) == ["acct-11999"])
    }

    @Test("the ADL sample of a side stays even and bounded whatever its size")
    func adlSample() {
        var sample = ADLSideSample()
        for index in 0..<Int32(100_000) { sample.offer(index) }
        #expect(sample.offered == 100_000)
        #expect(sample.positions.count >= ADLSideSample.size && sample.positions.count < 2 * ADLSideSample.size)
        #expect(sample.positions.enumerated().allSatisfy { $0.element == Int32($0.offset * sample.stride) })
        var thin = ADLSideSample()
        for index in 0..<Int32(300) { thin.offer(index) }
        #expect(thin.stride == 1 && thin.positions.count == 300)
    }

    @Test("the ladder's prices sorted a bounded step at a time come out as one sort gives them", arguments: [0, 1, 8_192, 8_193, 50_000])
    func chunkedSort(count: Int) {
        var random = SystemRandomNumberGenerator()
        let prices = (0..<count).map { _ in Int64.random(in: -1_000...1_000_000, using: &random) }
        var sorter = ChunkedSort(prices)
        var steps = 0
        while !sorter.isDone {
            #expect(sorter.step(upTo: 1_000) <= ChunkedSort.run)
            steps += 1
        }
        #expect(sorter.items == prices.sorted())
        if count > ChunkedSort.run { #expect(steps > count / 1_000) }
    }

    @Test("a window's ADL lights from the samples of its pass: a thin side exact, a sampled one within a light of the exact queue")
    func adlLightsOfAWindow() {
        var engine = Engine()
        engine.openFund(asset: "USDT", balance: Fixed(1_000))
        engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(60_000), time: 1))
        for index in 0..<20_000 {
            engine.apply(.position(PositionUpdate(account: "l\(index)", symbol: "BTCUSDT", side: .long, quantity: Fixed(1),
                entryPrice: Fixed(50_000 + index % 9_000), mode: .isolated, leverage: Fixed(2 + index % 20)), time: 2))
        }
        for index in 0..<3 {
            engine.apply(.position(PositionUpdate(account: "s\(index)", symbol: "BTCUSDT", side: .short, quantity: Fixed(1),
                entryPrice: Fixed(61_000 + index * 100), mode: .isolated, leverage: Fixed(5)), time: 2))
        }
        var table = PositionTable()
        // Sorted by side Z→A, shorts first: the three shorts are in the window with longs.
        table.rebuild(from: engine, liquidations: 0, column: .side, descending: true)
        let exact = engine.adlQueue()
        let shorts = table.rows.filter { $0.side == .short }
        #expect(shorts.count == 3)
        for row in shorts {
            #expect(row.adl?.estimated == false)
            #expect(row.adl?.lights == exact[row.index]?.lights)
            #expect(row.adl?.rank == exact[row.index]?.rank)
        }
        let longs = table.rows.filter { $0.side == .long }
        #expect(longs.count == PositionTable.windowSize - 3)
        for row in longs {
            guard let entry = row.adl, let truth = exact[row.index] else { Issue.record("no ADL entry for \(row.index)"); continue }
            #expect(entry.estimated)
            #expect(entry.rank >= 1 && entry.rank <= entry.of)
            #expect(abs(entry.lights - truth.lights) <= 1, "\(row.index): \(entry.lights) against \(truth.lights)")
        }
    }
}

/// Sizes of different markets are different units: sorted by size, 35 million AKROUSDT contracts
/// (600,000 USDT) came before BTC positions worth far more (operator trial). `size` sorts by value.
@Suite("The positions table sorted by size")
struct SizeSortTests {
    @Test("by value at the mark, in the rows and in a window chosen from a million-row scan alike; the title says so")
    func sizeByValue() throws {
        var engine = Engine()
        for (symbol, price) in [("BTCUSDT", "60000.0"), ("AKROUSDT", "0.01700"), ("binance-coinm:BTCUSD_PERP", "60000.0")] {
            engine.apply(.bookSnapshot(symbol: symbol, bids: [(units(price) - 1, units("10"))], asks: [(units(price) + 1, units("10"))], time: 1_000_000_000))
            engine.apply(.mark(symbol: symbol, price: Fixed(price)!, time: 1_000_000_000))
        }
        // 35,143,991 AKRO is 597,447.85 USDT; 20 BTC is 1,200,000; 5 BTC 300,000; 5,000 inverse
        // contracts of 100 USD are 500,000 USD (8.33 BTC in the coin, which sorted them last).
        for (account, symbol, size, entry) in [("akro", "AKROUSDT", "35143991", "0.017"), ("big", "BTCUSDT", "20", "60000"), ("small", "BTCUSDT", "5", "60000"),
                                               ("coin", "binance-coinm:BTCUSD_PERP", "5000", "60000")] {
            engine.apply(.position(PositionUpdate(account: account, symbol: symbol, side: .long, quantity: Fixed(size)!, entryPrice: Fixed(entry)!,
                mode: .isolated, leverage: Fixed(5)), time: 1_000_000_000))
        }
        var table = PositionTable()
        table.rebuild(from: engine, liquidations: 0, column: .size, descending: true, filter: "", clusterReachTicks: 400)
        #expect(table.view(filter: "", column: .size, descending: true).map(\.account) == ["big", "akro", "coin", "small"])
        var app = model(width: 160, height: 48, engine: engine)
        for _ in 0..<PositionColumn.allCases.count where app.sortColumn != .size { app.press(.character("s")) }
        let screen = app.rendered().lines.joined(separator: "\n")
        #expect(screen.contains("sort size by value high→low"), "\(screen)")
    }
}

/// Sorted by market, rows go by the symbol the column shows, then the venue: by the whole id the
/// venue's name went first, and Hyperliquid's `BTC` came after every Binance symbol (operator trial).
@Suite("The positions table sorted by market")
struct SymbolSortTests {
    /// `positionsPerMarket` in each market, and `extra` more in bybit:BTCUSDT (a window of 1,000 out
    /// of uneven markets holds several of them, the two BTCUSDT's tie included).
    static func engine(positionsPerMarket: Int, extra: Int = 0) -> Engine {
        var engine = Engine()
        let markets = [("binance-usdm:ETHUSDT", "3000.00"), ("bybit:BTCUSDT", "60010.0"), ("hyperliquid:BTC", "60005.0"), ("binance-usdm:BTCUSDT", "60000.0")]
        for (symbol, price) in markets {
            engine.apply(.bookSnapshot(symbol: symbol, bids: [(units(price) - 1, units("10"))], asks: [(units(price) + 1, units("10"))], time: 1_000_000_000))
            engine.apply(.mark(symbol: symbol, price: Fixed(price)!, time: 1_000_000_000))
        }
        for index in 0..<positionsPerMarket {
            for (symbol, price) in markets {
                engine.apply(.position(PositionUpdate(account: "a\(index)", symbol: symbol, side: index % 2 == 0 ? .long : .short, quantity: Fixed(1),
                    entryPrice: Fixed(price)!, mode: .isolated, leverage: Fixed(5)), time: 1_000_000_000))
            }
        }
        for index in 0..<extra {
            engine.apply(.position(PositionUpdate(account: "b\(index)", symbol: "bybit:BTCUSDT", side: .long, quantity: Fixed(1),
                entryPrice: Fixed(60_010), mode: .isolated, leverage: Fixed(5)), time: 1_000_000_000))
        }
        return engine
    }

    @Test("by the exchange's symbol, then the venue, in the rows and in a window chosen from a scan alike")
    func bySymbolThenVenue() {
        let order = ["hyperliquid:BTC", "binance-usdm:BTCUSDT", "bybit:BTCUSDT", "binance-usdm:ETHUSDT"]
        var table = PositionTable()
        let small = Self.engine(positionsPerMarket: 1)
        table.rebuild(from: small, liquidations: 0, column: .symbol, descending: false, filter: "", clusterReachTicks: 400)
        #expect(!table.windowed)
        #expect(table.view(filter: "", column: .symbol, descending: false).map(\.symbol) == order)
        #expect(table.view(filter: "", column: .symbol, descending: true).map(\.symbol) == order.reversed())
        // Windowed: 300 positions in each market and 5,000 more in bybit:BTCUSDT; the window of
        // 1,000 is the first rows of the same order, four markets in it both ways.
        let large = Self.engine(positionsPerMarket: 300, extra: 5_000)
        for descending in [false, true] {
            var window = PositionTable()
            window.rebuild(from: large, liquidations: 0, column: .symbol, descending: descending, filter: "", clusterReachTicks: 400)
            #expect(window.windowed)
            let symbols = window.view(filter: "", column: .symbol, descending: descending).map(\.symbol)
            #expect(!symbols.isEmpty && symbols.first == (descending ? order.last : order.first), "\(symbols.prefix(3))")
            let ranks = symbols.map { order.firstIndex(of: $0)! }
            #expect(ranks == (descending ? ranks.sorted(by: >) : ranks.sorted()))
            // Ascending: BTC's 300, binance's BTCUSDT's 300, then bybit's; descending: ETHUSDT's
            // 300, bybit's BTCUSDT's 700 (the tie of the two BTCUSDT's decided by the venue).
            let counts = Dictionary(grouping: symbols, by: { $0 }).mapValues(\.count)
            #expect(counts == (descending ? ["binance-usdm:ETHUSDT": 300, "bybit:BTCUSDT": 700]
                : ["hyperliquid:BTC": 300, "binance-usdm:BTCUSDT": 300, "bybit:BTCUSDT": 400]), "\(counts)")
        }
    }
}
