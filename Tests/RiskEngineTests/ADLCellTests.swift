import Foundation
import Testing
@testable import RiskEngine

/// A large side is ranked by cells of positions (`ADLCells`): a cell is opened only when its
/// bound could beat the best score found. The bound must never be below a member's exact score,
/// the grids must keep every position in a cell of its values, and a ranking by cells must
/// deleverage as the scan does (`ADLDeferralTests.sameQueue` compares whole sessions).
@Suite("ADL ranking by cells")
struct ADLCellTests {
    /// Positions of random sizes, entries, leverages and margins, in groups of one to six with
    /// values near one another (a cell's positions are alike), linear and inverse, on Binance's
    /// and Hyperliquid's rules and several tables: the group's cell bound is at least every
    /// member's exact score, and 0 only when none is in profit.
    @Test("a cell's bound is never below the exact score of a position in it, at any mark")
    func boundCoversMembers() {
        var rng = SeededGenerator(seed: 11)
        let tables = ADLBoundEdgeTests.tables
        var checked = 0
        var broken = 0
        var opened = 0
        for trial in 0..<6_000 {
            let table = tables[trial % tables.count]
            let inverse = (trial / tables.count) % 2 == 1
            let instrument = ADLBoundEdgeTests.instrument(inverse: inverse, table: table)
            let rules = Bool.random(using: &rng) ? MarginRules.binance : .hyperliquid
            let side: Side = Bool.random(using: &rng) ? .long : .short
            let centre = ADLBoundEdgeTests.logUniform(1e-3, 1e7, &rng)
            let spread = [1e-6, 1e-3, 0.05, 0.5][Int.random(in: 0..<4, using: &rng)]
            let mark = ADLBoundEdgeTests.fixed(centre * (1 + Double.random(in: -0.3...0.3, using: &rng)))
            guard mark.isPositive else { continue }
            var members: [Position] = []
            var hull = ADLCellHull()
            let contractSize: Double? = inverse ? 100 : nil
            for _ in 0..<Int.random(in: 1...6, using: &rng) {
                let entry = ADLBoundEdgeTests.fixed(centre * (1 + Double.random(in: -spread...spread, using: &rng)))
                let quantity = ADLBoundEdgeTests.fixed(ADLBoundEdgeTests.logUniform(1e-4, 1e6, &rng)).rounded(places: 8)
                guard entry.isPositive, quantity.isPositive else { continue }
                let leverage = ADLBoundEdgeTests.logUniform(1, 125, &rng)
                let value = inverse ? quantity.roughDouble * 100 / entry.roughDouble : quantity.roughDouble * entry.roughDouble
                let margin = ADLBoundEdgeTests.fixed(value / leverage)
                let position = Position(accountIndex: 0, symbolIndex: 0, side: side, mode: .isolated, quantity: quantity, entryPrice: entry,
                    isolatedMargin: margin, leverage: .zero)
                guard let key = ADLCellIndex.key(ADLScanInputs(position), contractSize: contractSize) else { continue }
                hull.widen(to: key)
                members.append(position)
            }
            guard !members.isEmpty else { continue }
            var node = ADLCellNode()
            node.hull = hull
            let bound = ADLCellBounds(instrument: instrument, side: side, mark: mark).bound(node)
            var configuration = EngineConfiguration()
            configuration.rules = rules
            let engine = engine(with: [instrument], configuration: configuration)
            for position in members {
                var terms = instrument.terms(side: side, quantity: position.quantity, entryPrice: position.entryPrice)
                let exact = engine.binanceLeveragePnL(of: 0, position, terms: &terms, mark: mark, rules: rules)
                checked += 1
                if exact.isPositive { opened += 1 }
                if bound < exact.roughDouble || (bound == 0 && !exact.isZero) {
                    broken += 1
                    if broken <= 3 {
                        Issue.record("\(rules) \(side) inverse \(inverse) q \(position.quantity) entry \(position.entryPrice) margin \(position.isolatedMargin) mark \(mark): exact \(exact), cell bound \(bound)")
                    }
                }
            }
        }
        #expect(broken == 0)
        #expect(checked > 10_000)
        #expect(opened > 3_000, "too few positions in profit to prove anything")
    }

    /// A bound that keeps the cell shut must be close: alike positions give a bound within a
    /// few percent of the best of them (a loose bound opens every cell, and the ranking reads
    /// the whole side again).
    @Test("the bound of alike positions is within a few percent of the best of their scores")
    func boundIsClose() {
        let instrument = PropertyTests.linear
        var configuration = EngineConfiguration()
        configuration.rules = .binance
        let engine = engine(with: [instrument], configuration: configuration)
        let mark = Fixed(95)
        var hull = ADLCellHull()
        var best = Fixed.zero
        for offset in 0..<8 {
            let entry = Fixed(100) + Fixed(offset) / Fixed(1000)
            let quantity = Fixed(2) + Fixed(offset) / Fixed(100)
            let position = Position(accountIndex: 0, symbolIndex: 0, side: .short, mode: .isolated, quantity: quantity, entryPrice: entry,
                isolatedMargin: quantity * entry / Fixed(10), leverage: .zero)
            hull.widen(to: ADLCellIndex.key(ADLScanInputs(position), contractSize: nil)!)
            var terms = instrument.terms(side: .short, quantity: quantity, entryPrice: entry)
            best = Fixed.maximum(best, engine.binanceLeveragePnL(of: 0, position, terms: &terms, mark: mark, rules: .binance))
        }
        var node = ADLCellNode()
        node.hull = hull
        let bound = ADLCellBounds(instrument: instrument, side: .short, mark: mark).bound(node)
        #expect(bound >= best.roughDouble)
        #expect(bound <= best.roughDouble * 1.02, "bound \(bound) against the best score \(best)")
    }

    /// Thousands of positions, placed one by one and in a batch, changed, closed and turned:
    /// every open position is in a cell of its values, under cells that cover them, and every
    /// list and count holds; cells fill every level.
    @Test("placed one by one or in a batch, changed, closed and turned, every position is in a cell of its values")
    func gridsKeepPositionsInTheirCells() {
        var configuration = EngineConfiguration()
        configuration.rules = .binance
        var single = engine(with: [PropertyTests.linear, PropertyTests.inverse], configuration: configuration)
        single.adlCells.capacity = 4
        var batched = single
        var rng = SeededGenerator(seed: 5)
        var updates: [PositionUpdate] = []
        for number in 0..<3_000 {
            let inverse = number % 3 == 0
            let symbol = inverse ? PropertyTests.inverse.symbol : PropertyTests.linear.symbol
            // Half spread over entries and leverages, half a crowd (entries within 0.1 %, two
            // leverages) that fills the finer levels.
            let crowd = number % 2 == 0
            let entry = crowd ? Int.random(in: 99_950...100_050, using: &rng) : Int.random(in: 90_000...110_000, using: &rng)
            let leverage = crowd ? [10, 20][Int.random(in: 0...1, using: &rng)] : Int.random(in: 1...100, using: &rng)
            updates.append(PositionUpdate(account: "a\(number % 2_500)", symbol: symbol, side: Bool.random(using: &rng) ? .long : .short,
                quantity: Fixed(Int.random(in: 1...5_000, using: &rng)) / Fixed(100), entryPrice: Fixed(entry) / Fixed(1000),
                mode: number % 7 == 0 ? .cross : .isolated, walletBalance: number % 7 == 0 ? Fixed(500) : nil,
                leverage: Fixed(leverage)))
        }
        var notes: [EngineNotification] = []
        for update in updates { single.apply(.position(update, time: 1)) }
        batched.apply(positions: updates, time: 1, into: &notes) { $0.removeAll() }
        #expect(single.misplacedInADLCells.isEmpty)
        #expect(batched.misplacedInADLCells.isEmpty)
        for engine in [single, batched] {
            let levels = Set(engine.adlCells.nodes.filter { !$0.isExact && $0.count > 0 }.map(\.level))
            #expect(levels == [0, 1, 2, 3], "levels holding positions: \(levels.sorted())")
        }
        // Changed (sizes, sides, modes) and closed.
        for (number, update) in updates.enumerated() where number % 4 == 0 {
            var changed = update
            switch number % 16 {
            case 0: changed.quantity = .zero
            case 4: changed.side = update.side.opposite
            case 8: changed.mode = update.mode == .cross ? .isolated : .cross
            default: changed.quantity = update.quantity * Fixed(3)
            }
            single.apply(.position(changed, time: 2))
            batched.apply(.position(changed, time: 2))
        }
        #expect(single.misplacedInADLCells.isEmpty)
        #expect(batched.misplacedInADLCells.isEmpty)
    }

    /// Past 2³² rankings the stamps come round: a position stamped by an old ranking must not
    /// read as taken into the new one of the same number.
    @Test("when the ranking stamps come round, every position's stamp is cleared first")
    func stampsComeRound() {
        var cells = ADLCellIndex()
        cells.growPositions(to: 10)
        cells.lastStamp = .max
        for index in 0..<10 { cells.stamps[index] = index % 2 == 0 ? 1 : .max }
        #expect(cells.nextStamp() == 1)
        #expect(cells.stamps.allSatisfy { $0 == 0 })
        #expect(cells.nextStamp() == 2)
    }

    /// The comparison of whole sessions (`ADLDeferralTests.sameQueue`) proves nothing about cells
    /// unless rankings were made by them, left cells shut, and took positions at their first
    /// change: counted over a few of its sessions.
    @Test("the compared sessions rank by cells, leave cells unopened and take changed positions early")
    func sessionsExerciseCells() {
        var counts = ADLCellCounts()
        for seed in [1, 2, 5, 6, 9, 10] {
            let found = ADLDeferralTests.compare(seed: seed, rules: [nil, .binance, .hyperliquid][seed % 3]).cells
            counts.rankings += found.rankings
            counts.cellsBounded += found.cellsBounded
            counts.cellsOpened += found.cellsOpened
            counts.takenBeforeChange += found.takenBeforeChange
        }
        #expect(counts.rankings > 10)
        #expect(counts.cellsOpened > 0 && counts.cellsOpened < counts.cellsBounded, "\(counts.cellsOpened) of \(counts.cellsBounded) opened")
        #expect(counts.takenBeforeChange > 0)
    }
}
