import Testing
@testable import RiskEngine

/// The signals' fast paths must give exactly what the plain definitions give.
@Suite("Stressed deficit and trigger ranking")
struct StressAndIndexTests {
    /// The positions of a side the stress takes, by definition: every live one in trigger order,
    /// the first `stressedPositions` of them, then on while each is near liquidation at the mark
    /// (`isNearLiquidation`, as the positions pane judges it), at most `stressedPositionsLimit`.
    static func stressedEntriesByDefinition(_ engine: Engine, side: Side, market index: Int) -> [TriggerIndex.Entry] {
        guard let mark = engine.markets[index].markPrice else { return [] }
        let all = engine.markets[index].triggers.leading(side, count: .max) { engine.isLive($0) }
        let configuration = engine.configuration
        var taken: [TriggerIndex.Entry] = []
        for entry in all {
            guard taken.count < max(configuration.stressedPositions, configuration.stressedPositionsLimit) else { break }
            if taken.count >= configuration.stressedPositions && !engine.isNearLiquidation(engine.positions[Int(entry.position)], mark: mark) { break }
            taken.append(entry)
        }
        return taken
    }

    /// The definition: each of the positions the stress takes walked alone through an overlay that records the ones
    /// before: the deficit of their fills, and what the book could not fill, the worse side.
    static func stressedDeficitByDefinition(_ engine: Engine, market index: Int) -> StressedDeficit {
        guard engine.markets[index].markPrice != nil else { return StressedDeficit() }
        let instrument = engine.markets[index].instrument
        var worst = StressedDeficit()
        for side in [Side.long, Side.short] {
            let riskiest = stressedEntriesByDefinition(engine, side: side, market: index)
            var book = engine.markets[index].book
            var total = StressedDeficit()
            for entry in riskiest {
                let position = engine.positions[Int(entry.position)]
                let (walk, deficit) = Engine.liquidationWalk(position, instrument: instrument, book: book)
                total.deficit += deficit
                if walk.remainder > 0 {
                    total.unfilledQuantity += Fixed(bookUnits: walk.remainder)
                    let terms = PositionTerms(side: position.side, quantity: Fixed(bookUnits: walk.remainder), entryPrice: position.entryPrice,
                        kind: instrument.kind, brackets: instrument.brackets)
                    total.unfilledNotional += MarginMath.notional(terms, at: position.bankruptcy ?? position.entryPrice)
                }
                book.consume(side.closingBookSide, fills: walk.fills)
            }
            // Each side on its own: the larger deficit, and the larger notional the book cannot fill.
            worst.deficit = Fixed.maximum(worst.deficit, total.deficit)
            if total.unfilledNotional > worst.unfilledNotional {
                worst.unfilledNotional = total.unfilledNotional
                worst.unfilledQuantity = total.unfilledQuantity
            }
        }
        return worst
    }

    @Test("one shared walk gives the deficit of walking the riskiest positions one by one", arguments: 1...12)
    func stressedDeficitMatchesDefinition(seed: Int) {
        var rng = SeededGenerator(seed: UInt64(seed))
        var configuration = EngineConfiguration()
        configuration.stressedPositions = Int.random(in: 1...8, using: &rng)
        // Past the riskiest, those near liquidation, up to a limit that some draws reach.
        configuration.stressedPositionsLimit = configuration.stressedPositions + Int.random(in: 1...12, using: &rng)
        configuration.risk.distanceAlertPercent = Fixed(Int.random(in: 20...150, using: &rng)) / Fixed(10)
        configuration.risk.distanceWarnPercent = Fixed(20)
        var engine = engine(with: [PropertyTests.linear, PropertyTests.inverse], configuration: configuration)
        engine.openFund(asset: "USDT", balance: Fixed(1_000))
        engine.openFund(asset: "AAA", balance: Fixed(1))
        let symbols = [PropertyTests.linear.symbol, PropertyTests.inverse.symbol]
        var time: Int64 = 1_000_000_000
        for symbol in symbols {
            let (bids, asks) = PropertyTests.randomBook(around: 100, &rng)
            engine.apply(.bookSnapshot(symbol: symbol, bids: bids, asks: asks, time: time))
            engine.apply(.mark(symbol: symbol, price: Fixed(100), time: time))
        }
        for number in 0..<80 {
            let symbol = symbols.randomElement(using: &rng)!
            let isInverse = symbol == PropertyTests.inverse.symbol
            let quantity = isInverse ? Fixed(Int.random(in: 1...900, using: &rng)) : Fixed(Int.random(in: 1...40_000, using: &rng)) / Fixed(1000)
            engine.apply(.position(PositionUpdate(account: "a\(number)", symbol: symbol, side: Bool.random(using: &rng) ? .long : .short,
                quantity: quantity, entryPrice: Fixed(Int.random(in: 9_700...10_300, using: &rng)) / Fixed(100), mode: .isolated,
                walletBalance: nil, leverage: Fixed(Int.random(in: 5...125, using: &rng))), time: time))
        }
        var compared = 0
        var pastTheRiskiest = 0
        for _ in 0..<90 {
            time += 500_000_000
            let symbol = symbols.randomElement(using: &rng)!
            switch Int.random(in: 0..<3, using: &rng) {
            case 0:
                let mark = Fixed(Int.random(in: 9_600...10_400, using: &rng)) / Fixed(100)
                engine.apply(.mark(symbol: symbol, price: mark, time: time))
            case 1:
                let (bids, asks) = PropertyTests.randomBook(around: 100, &rng)
                engine.apply(.bookSnapshot(symbol: symbol, bids: bids, asks: asks, time: time))
            default:
                // A close leaves the trigger index as it was and its entry stale: the leading
                // entries the signals kept at the last sample no longer hold.
                let number = Int.random(in: 0..<80, using: &rng)
                let account = engine.accounts.firstIndex { $0.id == "a\(number)" }.map(Int32.init)
                if let position = engine.positions.firstIndex(where: { $0.accountIndex == account && $0.isOpen }) {
                    let open = engine.positions[position]
                    engine.apply(.position(PositionUpdate(account: "a\(number)", symbol: engine.markets[Int(open.symbolIndex)].symbol,
                        side: open.side, quantity: .zero, entryPrice: open.entryPrice, mode: .isolated), time: time))
                }
            }
            for index in engine.markets.indices {
                for side in [Side.long, .short] {
                    let plain = Self.stressedEntriesByDefinition(engine, side: side, market: index)
                    #expect(engine.leadingEntries(side, market: index) == plain, "seed \(seed), market \(index), \(side)")
                    if plain.count > configuration.stressedPositions { pastTheRiskiest += 1 }
                }
                let fast = engine.stressedDeficit(market: index)
                let expected = Self.stressedDeficitByDefinition(engine, market: index)
                #expect(fast.deficit == expected.deficit && fast.unfilledQuantity == expected.unfilledQuantity
                    && fast.unfilledNotional == expected.unfilledNotional, "seed \(seed), market \(index)")
                if fast.deficit.isPositive { compared += 1 }
            }
        }
        // Books thin enough to leave deficits, or the comparison proved little.
        #expect(compared > 0, "seed \(seed) never had a stressed deficit")
        #expect(pastTheRiskiest > 0, "seed \(seed) never took a position near liquidation past the riskiest")
    }

    @Test("the leading entries are the live ones in trigger order, each position once", arguments: 1...20)
    func leadingMatchesSorting(seed: Int) {
        var rng = SeededGenerator(seed: UInt64(seed))
        var index = TriggerIndex()
        var version: [Int32: UInt32] = [:]
        for _ in 0..<Int.random(in: 1...400, using: &rng) {
            let position = Int32.random(in: 0..<120, using: &rng)
            let next = (version[position] ?? 0) + (Bool.random(using: &rng) ? 1 : 0)
            version[position] = next
            let side: Side = Bool.random(using: &rng) ? .long : .short
            index.insert(side: side, price: Fixed(Int.random(in: 1...60, using: &rng)), position: position, version: next)
        }
        let isLive: (TriggerIndex.Entry) -> Bool = { version[$0.position] == $0.version }
        for side in [Side.long, Side.short] {
            // Past 64 the duplicates are found with a set, below by scanning: both are drawn.
            let count = Int.random(in: 1...150, using: &rng)
            let heap = side == .long ? index.longs : index.shorts
            var seen = Set<Int32>()
            let expected = heap.filter(isLive)
                .sorted { side == .long ? $0.price > $1.price : $0.price < $1.price }
                .filter { seen.insert($0.position).inserted }
            let leading = index.leading(side, count: count, isLive: isLive)
            #expect(leading.map(\.price) == expected.prefix(count).map(\.price), "seed \(seed)")
            #expect(Set(leading.map(\.position)).count == leading.count)
            #expect(leading.allSatisfy(isLive))
        }
    }
}
