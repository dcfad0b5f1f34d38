import Testing
@testable import Dashboard
import RiskEngine

/// A window over more positions than the table holds, in the risk order: its head is read from the
/// engine as it is now, so a cascade that closes the window's rows faster than the window is chosen
/// again never leaves "riskiest first" showing closed positions.
@Suite("The positions list's live head")
struct LiveHeadTests {
    /// Every open position's distance to liquidation (bankrupt: -1), from the engine's own valuation.
    static func distances(_ engine: Engine) -> [Int32: Double] {
        var result: [Int32: Double] = [:]
        for index in engine.positions.indices where engine.positions[index].isOpen {
            let risk = engine.risk(of: Int32(index))
            guard let distance = risk.distanceToLiquidationPct?.approximateDouble else { continue }
            result[Int32(index)] = distance
        }
        return result
    }

    @Test("the window's rows all closed: the head is the engine's riskiest open positions, in order, the cursor on the first")
    func headAfterTheWindowCloses() {
        var screen = cascadeModel(width: 200, height: 60, positions: 6_000)
        #expect(screen.table.windowed && screen.readsLiveHead)
        var moved = screen.engine
        // Every row of the window closes (liquidated, or closed by its account) before the window
        // is chosen again; a second of session time passes.
        let time = moved.time + 1_000_000_000
        for row in screen.table.rows where moved.positions[Int(row.index)].isOpen {
            let position = moved.positions[Int(row.index)]
            moved.apply(.position(PositionUpdate(account: row.account, symbol: row.symbol, side: position.side, quantity: .zero,
                entryPrice: position.entryPrice, mode: position.mode, leverage: Fixed(10)), time: time))
        }
        _ = screen.update(.session(engine: moved, log: screen.log, status: screen.status))
        let head = Array(screen.visibleRows.prefix(AppModel.liveHeadSize))
        #expect(head.count == AppModel.liveHeadSize)
        #expect(head.allSatisfy { PositionTable.isOpen($0, in: moved) }, "the head holds open positions only")
        // None of them is in the window: their ADL lights come from the window's samples.
        #expect(head.allSatisfy { $0.adl != nil }, "\(head.filter { $0.adl == nil }.count) head rows without lights")
        // Nearest first, and nearer than every open position left out of it.
        let distances = Self.distances(moved)
        let headDistances = head.compactMap { distances[$0.index] }
        #expect(headDistances.count == head.count)
        #expect(zip(headDistances, headDistances.dropFirst()).allSatisfy { $0 <= $1 + 1e-9 }, "\(headDistances.prefix(10))")
        let inHead = Set(head.map(\.index))
        let nearestLeftOut = distances.filter { !inHead.contains($0.key) }.values.min() ?? .infinity
        #expect((headDistances.last ?? 0) <= nearestLeftOut + 1e-9)
        #expect(screen.cursor == 0)
        // Head after head as the cascade goes on: each is put before the window, not before the
        // last head (the list grew by a head at every turn, to 7,359 rows at a million).
        for round in 1...5 {
            for row in screen.visibleRows.prefix(50) where moved.positions[Int(row.index)].isOpen {
                let position = moved.positions[Int(row.index)]
                moved.apply(.position(PositionUpdate(account: row.account, symbol: row.symbol, side: position.side, quantity: .zero,
                    entryPrice: position.entryPrice, mode: position.mode, leverage: Fixed(10)), time: time + Int64(round) * 1_000_000_000))
            }
            _ = screen.update(.session(engine: moved, log: screen.log, status: screen.status))
            #expect(screen.visibleRows.count <= screen.table.rows.count + AppModel.liveHeadSize, "round \(round): \(screen.visibleRows.count)")
            #expect(PositionTable.isOpen(screen.visibleRows[0], in: moved))
        }
        // On screen: the first row is the riskiest open position, not a closed one.
        let lines = screen.rendered().lines
        let top = screen.visibleRows[0]
        let first = lines.first { $0.contains(top.account + " ") } ?? ""
        #expect(!first.isEmpty && !first.contains("closed"), "\(first)")
    }

    @Test("sorted by another column, or filtered, the list is the window's as chosen")
    func onlyTheRiskOrder() {
        var screen = cascadeModel(width: 200, height: 60, positions: 6_000)
        screen.press(.character("s"))
        #expect(screen.sortColumn != .risk)
        #expect(!screen.readsLiveHead)
        #expect(screen.visibleRows.map(\.index) == screen.table.view(filter: "", column: screen.sortColumn, descending: screen.sortDescending).map(\.index))
    }
}

extension LiveHeadTests {
    /// An operator's trial: after a seek back and a run to the end, the title read 99,787 open
    /// positions of 99,751 for good (a rebuild that began while the session ran finished at the end).
    @Test("a rebuild that began while the session ran is done again once the session is at its end")
    func rebuiltAgainAtTheEnd() {
        var screen = cascadeModel(width: 200, height: 60, positions: 6_000)
        screen.requestTableRebuild()
        #expect(screen.table.isRebuilding)
        screen.completePendingWork(budget: ScanBudget(positions: 1_500))
        #expect(screen.table.isRebuilding)
        // Positions the pass has read as open close; the session reaches its end.
        var moved = screen.engine
        var closed = 0
        for index in 0..<1_000 where moved.positions[index].isOpen && closed < 40 {
            let position = moved.positions[index]
            let account = moved.accounts[Int(position.accountIndex)].id
            moved.apply(.position(PositionUpdate(account: account, symbol: moved.markets[Int(position.symbolIndex)].symbol, side: position.side,
                quantity: .zero, entryPrice: position.entryPrice, mode: position.mode, leverage: Fixed(10)), time: moved.time + 1_000_000_000))
            closed += 1
        }
        #expect(closed == 40)
        var status = screen.status
        status.finished = true
        _ = screen.update(.session(engine: moved, log: screen.log, status: status))
        for _ in 0..<4 where screen.table.isRebuilding { screen.completePendingWork(budget: .unbounded) }
        #expect(!screen.table.isRebuilding)
        let open = moved.positions.filter(\.isOpen).count
        #expect(screen.table.openPositions == open)
        #expect(screen.table.matchingPositions == open)
    }
}

/// At 80 columns a what-if's quantity beyond the monitored book was cut off after a comma.
@Suite("Narrow panes keep their figures whole")
struct NarrowFiguresTests {
    @Test("the what-if's ADL beyond the monitored book goes on a line of its own when the line would not fit")
    func whatIfBeyondOnItsOwnLine() throws {
        for (width, height) in [(80, 24), (200, 60)] {
            var screen = cascadeModel(width: width, height: height, positions: 600)
            let symbol = try #require(screen.engine.markets.first?.symbol)
            var result = try screen.engine.stress(symbol: symbol, shockPercent: Fixed(-20))
            result.adlQuantity = Fixed(170_585) / Fixed(1_000)
            result.adlCloseCount = 1_107
            result.adlNotional = Fixed(4_462_925)
            result.adlUnfilled = Fixed(45_440) / Fixed(1_000)
            screen.mode = .whatIf(result, ladder: [])
            let text = screen.rendered().lines.joined(separator: "\n")
            // Part of the ADL figure, said so (operator trial).
            #expect(text.contains("45.440 BTC of it beyond the monitored book"), "\(width)×\(height)\n\(text)")
            #expect(text.contains("ADL would follow for 170.585 BTC: 1,107 monitored closes"), "\(width)×\(height)")
            // The notional whole where it fits, and not at all where it does not (it was cut at 80).
            if width >= 200 {
                #expect(text.contains("1,107 monitored closes (4,462,925.00 USDT)"), "\(text)")
            } else {
                #expect(!text.contains("(4,46"), "\(text)")
            }
        }
    }

    @Test("the ADL line says how many positions its closes cut, so it adds up with the liquidations and the positions hit")
    func adlClosesOfPositions() throws {
        // A book whose bids are gone: every liquidation's quantity goes to ADL.
        let (engine, log) = BookEmptiedTests.session(waiting: 30)
        var status = SessionStatus(kind: "REPLAY", source: "test")
        status.time = engine.time
        var screen = AppModel(width: 200, height: 60, status: status, engine: engine, log: log, symbol: "BTCUSDT")
        let result = try screen.engine.stress(symbol: "BTCUSDT", shockPercent: Fixed(-20))
        try #require(result.adlCloseCount > 0 && result.adl.count == result.adlCloseCount, "\(result.adlCloseCount)")
        let cut = Set(result.adl.map(\.position)).count
        screen.mode = .whatIf(result, ladder: [])
        let text = screen.rendered().lines.joined(separator: "\n")
        let positions = "monitored position" + (cut == 1 ? "" : "s")
        let said = cut == result.adlCloseCount ? "\(cut) \(positions) closed" : "\(result.adlCloseCount) closes of \(cut) \(positions)"
        #expect(text.contains("ADL would follow for") && text.contains(said), "\(said)\n\(text)")
        // The positions hit are the liquidated and the cut together.
        let liquidated = Set(result.liquidations.map(\.position)).count
        #expect(result.positionsHit == Set(result.liquidations.map(\.position)).union(result.adl.map(\.position)).count && liquidated > 0)
    }
}
