import Foundation
import Testing
@testable import RiskEngine

/// A large side's ADL scores are bounded in Double and worked out exactly only when they could
/// come first (`Engine+ADLBounds`). The queue must be the exact one: the same sessions, ranked
/// with every score exact and with every score deferred, give the same notifications.
@Suite("ADL scores deferred behind bounds")
struct ADLDeferralTests {
    /// One random session (the property tests' kind: three markets, isolated and cross positions,
    /// marks walking, books pulled) applied to two engines that differ only in deferring.
    static func compare(seed: Int, rules: MarginRules?) -> (notes: Int, adl: Int, cells: ADLCellCounts) {
        var rng = SeededGenerator(seed: UInt64(seed))
        var configuration = EngineConfiguration()
        configuration.rules = rules
        // A third of the seeds socialise what the fund cannot pay: the winners charged are the
        // side the ADL queue ranks, their margins changed while their scores may be deferred.
        configuration.shortfall = seed % 3 == 0 ? .socialisedLoss : .adl
        configuration.liquidation = [LiquidationStyle.full, .tiered, .partial(fraction: fx("0.3"))].randomElement(using: &rng)!
        configuration.unfilled = .adl
        configuration.adlRanking = .binance
        configuration.adlRefreshSeconds = Int64.random(in: 1...20, using: &rng)
        var exact = engine(with: [PropertyTests.linear, PropertyTests.second, PropertyTests.inverse], configuration: configuration)
        exact.adlDeferralThreshold = .max
        var deferred = exact
        deferred.adlDeferralThreshold = 0
        deferred.usesADLCells = false
        // Half the seeds rank on two threads, into two sections the queue takes the best of.
        if seed % 2 == 0 { deferred.parallelRankingThreshold = 0 }
        // Sections of a few dozen bounds split into portions of 2 to 8, taken one after another.
        if seed % 3 != 2 { deferred.adlSectionPortion = 2 << (seed % 3) }
        // Ranked by cells (see `ADLCells`), each keeping 1 to 5 positions before the next go a
        // level down: a session's few dozen fill every level, opened lazily.
        var celled = deferred
        celled.usesADLCells = true
        celled.adlCells.capacity = Int32(1 + seed % 5)
        // And one keeping no scan inputs (as a what-if's copy): every position read itself.
        var unscanned = seed % 2 == 0 ? deferred : celled
        unscanned.dropADLScanInputs()
        var adl = 0
        var count = 0
        func apply(_ event: MarketEvent) {
            let a = exact.apply(event)
            let b = deferred.apply(event)
            #expect(a == b, "seed \(seed): notifications differ at \(event.time)")
            #expect(unscanned.apply(event) == b, "seed \(seed): without scan inputs, notifications differ at \(event.time)")
            #expect(celled.apply(event) == b, "seed \(seed): ranked by cells, notifications differ at \(event.time)")
            // Now and then a what-if, on a copy whose cells stay as they were (the queues ranked
            // by them go on being used there).
            if Int.random(in: 0..<40, using: &rng) == 0, let symbol = event.symbol {
                let shock = Fixed(Int.random(in: -15...15, using: &rng))
                let a = try? deferred.stress(symbol: symbol, shockPercent: shock)
                let b = try? celled.stress(symbol: symbol, shockPercent: shock)
                #expect(a?.adl == b?.adl && a?.liquidations == b?.liquidations && a?.fundAfter == b?.fundAfter,
                    "seed \(seed): a what-if's deleverages differ at \(event.time)")
            }
            #expect(celled.misplacedInADLCells.isEmpty, "seed \(seed): positions out of their cells at \(event.time)")
            // The scan reads these in place of the positions: none may lag a change.
            #expect(deferred.staleADLScanInputs.isEmpty, "seed \(seed): scan inputs stale at \(event.time)")
            adl += a.adl.count
            count += a.count
        }
        for asset in ["USDT", "AAA"] {
            exact.openFund(asset: asset, balance: Fixed(Int.random(in: 0...50, using: &rng)))
            deferred.openFund(asset: asset, balance: exact.fund(asset).balance)
            celled.openFund(asset: asset, balance: exact.fund(asset).balance)
            unscanned.openFund(asset: asset, balance: exact.fund(asset).balance)
        }
        let symbols = [PropertyTests.linear.symbol, PropertyTests.second.symbol, PropertyTests.inverse.symbol]
        var time: Int64 = 1_000_000_000
        for symbol in symbols {
            let (bids, asks) = PropertyTests.randomBook(around: 100, &rng)
            apply(.bookSnapshot(symbol: symbol, bids: bids, asks: asks, time: time))
            apply(.mark(symbol: symbol, price: Fixed(100), time: time))
        }
        for number in 0..<300 {
            let symbol = symbols.randomElement(using: &rng)!
            let leverage = Fixed(Int.random(in: 2...100, using: &rng))
            let cross = Int.random(in: 0..<6, using: &rng) == 0
            let isInverse = symbol == PropertyTests.inverse.symbol
            // Now and then the same quantity and entry as another: equal scores, ranked by index.
            let quantity = isInverse ? Fixed(Int.random(in: 1...500, using: &rng)) : Fixed(Int.random(in: 1...20_000, using: &rng)) / Fixed(1000)
            let entry = Fixed(Int.random(in: 9_500...10_500, using: &rng)) / Fixed(100)
            let account = cross ? "cross\(number % 7)" : "iso\(number)"
            let update = PositionUpdate(account: account, symbol: symbol, side: Bool.random(using: &rng) ? .long : .short,
                quantity: quantity, entryPrice: entry, mode: cross ? .cross : .isolated,
                walletBalance: cross ? (isInverse ? fx("0.3") : Fixed(Int.random(in: 20...300, using: &rng))) : nil, leverage: leverage)
            apply(.position(update, time: time))
            if number % 3 == 0 { apply(.position(update, time: time)) }
        }
        var marks = Dictionary(uniqueKeysWithValues: symbols.map { ($0, Fixed(100)) })
        for _ in 0..<400 {
            time += 400_000_000
            let symbol = symbols.randomElement(using: &rng)!
            switch Int.random(in: 0..<10, using: &rng) {
            case 0..<6:
                let step = Fixed(Int.random(in: -300...280, using: &rng)) / Fixed(100)
                marks[symbol] = Fixed.maximum(Fixed(50), marks[symbol]! + step)
                apply(.mark(symbol: symbol, price: marks[symbol]!, time: time))
            default:
                var (bids, asks) = PropertyTests.randomBook(around: Int(marks[symbol]!.rounded(places: 0).raw / Fixed.scale), &rng)
                if Int.random(in: 0..<3, using: &rng) == 0 { bids = Array(bids.prefix(1)) }
                if Int.random(in: 0..<3, using: &rng) == 0 { asks = Array(asks.prefix(1)) }
                apply(.bookSnapshot(symbol: symbol, bids: bids, asks: asks, time: time))
            }
        }
        return (count, adl, celled.adlCellCounts)
    }

    @Test("deferred and exact rankings deleverage the same positions in the same order", arguments: 1...30)
    func sameQueue(seed: Int) {
        let rules: [MarginRules?] = [nil, .binance, .bybit, .hyperliquid]
        let (_, adl, _) = Self.compare(seed: seed, rules: rules[seed % rules.count])
        // The comparison proves nothing unless the sessions deleveraged.
        #expect(adl > 0, "seed \(seed) deleveraged nothing")
    }

    @Test("a ranked queue keeps a changed position's inputs within its refresh period, and nothing once it is due again")
    func keptInputsWithinThePeriod() {
        var configuration = EngineConfiguration()
        configuration.adlRanking = .binance
        configuration.adlRefreshSeconds = 30
        var engine = engine(with: [PropertyTests.linear], configuration: configuration)
        engine.adlDeferralThreshold = 0
        let symbol = PropertyTests.linear.symbol
        let second: Int64 = 1_000_000_000
        engine.apply(.mark(symbol: symbol, price: Fixed(100), time: second))
        for number in 0..<4 {
            engine.apply(.position(PositionUpdate(account: "iso\(number)", symbol: symbol, side: .short, quantity: Fixed(1),
                entryPrice: Fixed(110 + number), mode: .isolated, leverage: Fixed(5)), time: second))
        }
        let queue = engine.takeADLQueue(market: 0, side: .short)
        #expect(!queue.sections.isEmpty, "the side defers its scores")
        engine.keepADLQueue(queue, market: 0, side: .short)
        let shorts = engine.markets[0].adlShortIndices
        engine.apply(.mark(symbol: symbol, price: Fixed(100), time: 11 * second))
        engine.willChangeADLInputs(shorts[0])
        engine.willChangeADLInputs(shorts[0])
        #expect(engine.markets[0].adlShorts?.inputsAtRanking.count == 1)
        #expect(engine.markets[0].adlShorts?.inputsAtRanking[shorts[0]]?.entryPrice == Fixed(110))
        // 40 s after the ranking: the queue is ranked anew before it is read; it keeps nothing.
        engine.apply(.mark(symbol: symbol, price: Fixed(100), time: 41 * second))
        engine.willChangeADLInputs(shorts[1])
        #expect(engine.markets[0].adlShorts?.inputsAtRanking.count == 1)
    }

    @Test("an entry within a billionth of the mark is judged on the position, not on its Doubles")
    func entryAtTheMark() {
        var configuration = EngineConfiguration()
        configuration.rules = .binance
        var engine = engine(with: [PropertyTests.linear], configuration: configuration)
        let mark = Fixed(100)
        engine.apply(.mark(symbol: PropertyTests.linear.symbol, price: mark, time: 1))
        // Entries a few units of the last place from the mark, on both sides of it, and at it.
        let offsets: [Int128] = [-3, -2, -1, 0, 1, 2, 3, -5_000_000, 5_000_000]
        for (number, offset) in offsets.enumerated() {
            for side in [Side.long, .short] {
                engine.apply(.position(PositionUpdate(account: "a\(number)\(side)", symbol: PropertyTests.linear.symbol, side: side,
                    quantity: Fixed(3), entryPrice: Fixed(raw: mark.raw + offset), mode: .isolated, leverage: Fixed(10)), time: 1))
            }
        }
        let bounds = ADLBoundTerms(instrument: engine.markets[0].instrument, rules: .binance, mark: mark)
        for index in engine.positions.indices {
            let position = engine.positions[index]
            let inProfit = position.side == .long ? mark > position.entryPrice : mark < position.entryPrice
            #expect(bounds.leveragePnLBound(side: position.side, engine.adlScanInputs[index]) == nil,
                "entry \(position.entryPrice) \(position.side): decided on Doubles this close to the mark")
            // The position's own bound: 0 exactly when not in profit, by the exact comparison.
            #expect((bounds.leveragePnLBound(position) == 0) == !inProfit)
        }
    }

    @Test("a bound is never below the exact score, and 0 exactly when the position is not in profit")
    func boundsHold() {
        var rng = SeededGenerator(seed: 99)
        for instrument in [PropertyTests.linear, PropertyTests.inverse] {
            for rules in [MarginRules.binance, .bybit, .hyperliquid] {
                var configuration = EngineConfiguration()
                configuration.rules = rules
                var engine = engine(with: [instrument], configuration: configuration)
                let mark = Fixed(Int.random(in: 5_000...20_000, using: &rng)) / Fixed(100)
                engine.apply(.mark(symbol: instrument.symbol, price: mark, time: 1))
                for number in 0..<2_000 {
                    let quantity = instrument.kind.isInverse ? Fixed(Int.random(in: 1...5_000_000, using: &rng))
                        : Fixed(Int.random(in: 1...2_000_000_000, using: &rng)) / Fixed(1000)
                    let entry = Fixed(Int.random(in: 5_000...20_000, using: &rng)) / Fixed(100)
                    engine.apply(.position(PositionUpdate(account: "a\(number)", symbol: instrument.symbol, side: Bool.random(using: &rng) ? .long : .short,
                        quantity: quantity, entryPrice: entry, mode: .isolated, leverage: Fixed(Int.random(in: 1...125, using: &rng))), time: 1))
                }
                let bounds = ADLBoundTerms(instrument: engine.markets[0].instrument, rules: rules, mark: mark)
                var checked = 0
                var scannedAlike = 0
                for index in engine.positions.indices where engine.positions[index].isOpen {
                    let exact = engine.binanceLeveragePnL(of: Int32(index))
                    guard let bound = bounds.leveragePnLBound(engine.positions[index]) else { continue }
                    checked += 1
                    #expect(bound >= exact.roughDouble, "\(rules) \(instrument.symbol) position \(index): bound \(bound) under \(exact)")
                    // The scan's inputs give the same bound, to the bit, or send it to the position.
                    if let scanned = bounds.leveragePnLBound(side: engine.positions[index].side, engine.adlScanInputs[index]) {
                        #expect(scanned.bitPattern == bound.bitPattern, "position \(index): \(scanned) from the scan inputs, \(bound) from the position")
                        scannedAlike += 1
                    }
                    if bound == 0 { #expect(exact.isZero) }
                    // Tight enough to be worth it: within a millionth (and a billionth absolute).
                    #expect(bound <= exact.roughDouble * (1 + 1e-6) + 1e-8, "loose bound \(bound) for \(exact)")
                }
                #expect(checked > 1_500)
                // Only an entry at the mark itself (or within a billionth of it) goes to the position.
                #expect(scannedAlike > checked - 100, "\(scannedAlike) of \(checked) bounded from the scan inputs")
            }
        }
    }
}

/// A large section's heap holds its best portion of bounds, the rest taken later
/// (`ADLDeferredSection.splitOffRest`): the order taken must be that of one heap of them all.
@Suite("ADL deferred section taken a portion at a time")
struct ADLDeferredSectionTests {
    static func takeAll(_ section: inout ADLDeferredSection) -> [ADLDeferredEntry] {
        var taken: [ADLDeferredEntry] = []
        while let best = section.best {
            taken.append(best)
            section.removeBest(best)
        }
        return taken
    }

    @Test("every entry comes out in the order of one sorted list, ties by position, zeros after", arguments: [
        (50_000, 1_000_000), (50_000, 40), (20_000, 3), (100_000, 1),
    ])
    func exactOrder(count: Int, distinctBounds: Int) {
        var rng = SeededGenerator(seed: UInt64(count + distinctBounds))
        var section = ADLDeferredSection()
        var all: [ADLDeferredEntry] = []
        for position in 0..<Int32(count) {
            let bound = Double(Int.random(in: 1...distinctBounds, using: &rng)) * 0.37
            let entry = ADLDeferredEntry(bound: bound, position: position, isZero: false)
            section.heap.append(entry)
            all.append(entry)
        }
        section.heap.shuffle(using: &rng)
        section.zeros = [3, 7, 11]
        section.prepare(heapify: true)
        // The split happened (else this test proves nothing about it): with few distinct bounds
        // the heap takes the whole tie at the top, else about a portion.
        if distinctBounds > 1 { #expect(section.rest.count > count / 2) }
        if distinctBounds >= 40 { #expect(section.heap.count < count / 4, "heap of \(section.heap.count) after the split") }
        let taken = Self.takeAll(&section)
        let expected = all.sorted(by: ADLDeferredEntry.before)
        #expect(taken.count == count + 3)
        #expect(taken.prefix(count).map(\.position) == expected.map(\.position))
        #expect(taken.prefix(count).map(\.bound) == expected.map(\.bound))
        #expect(taken.suffix(3).map(\.position) == [3, 7, 11])
        #expect(taken.suffix(3).map(\.isZero) == [true, true, true])
    }

    @Test("a section emptied for the next ranking keeps the larger room for its heap")
    func roomKept() {
        var section = ADLDeferredSection()
        section.heap = (0..<Int32(40_000)).map { ADLDeferredEntry(bound: Double($0), position: $0, isZero: false) }
        section.prepare(heapify: true)
        let room = section.rest.capacity
        section.empty()
        #expect(section.heap.capacity >= room)
        #expect(section.heap.isEmpty && section.rest.isEmpty)
    }
}

/// From the review of the deferral: inputs the engine admits where the first bound fell below the
/// exact score (a balance past `Fixed`'s range, a negative isolated margin, a quotient's rounding
/// multiplied by a huge other factor), so the wrong position was deleveraged first.
@Suite("ADL bounds at the edges of what the engine admits")
struct ADLBoundEdgeTests {
    static func logUniform(_ low: Double, _ high: Double, _ rng: inout SeededGenerator) -> Double {
        exp(Double.random(in: log(low)...log(high), using: &rng))
    }
    static func fixed(_ value: Double) -> Fixed { Fixed(String(format: "%.18f", value)) ?? Fixed(1) }

    /// The tables the fuzzes draw from: Binance's BTCUSDT, none, one flat rate, three steep
    /// brackets, Hyperliquid's margin tiers.
    static let tables: [BracketTable] = [Instrument.binanceBTCUSDTBrackets, .single(rate: .zero), .single(rate: fx("0.004")),
        BracketTable(caps: [Fixed(100), Fixed(1000), .max], rates: [.zero, fx("0.01"), fx("0.5")]),
        BracketTable(marginTiers: [(Fixed.zero, Fixed(50)), (Fixed(1_000_000), Fixed(20)), (Fixed(100_000_000), Fixed(3))])]

    /// A fuzz's instrument: linear or inverse (contracts of 100), on `table`.
    static func instrument(inverse: Bool, table: BracketTable) -> Instrument {
        Instrument(symbol: inverse ? "AAAUSD_PERP" : "AAAUSDT", tickSize: fx("0.01"), lotSize: fx("0.00000001"),
            kind: inverse ? .inverse(contractSize: Fixed(100)) : .linear, settlementAsset: inverse ? "AAA" : "USDT",
            brackets: table, liquidationFeeRate: fx("0.005"))
    }

    @Test("sizes 1e-8 to 1e10, prices 1e-8 to 9.2e10, linear and inverse, every rule and kind of table, margins of every sign: the bound is never below the exact score")
    func fuzz() {
        var rng = SeededGenerator(seed: 7)
        let tables = Self.tables
        var broken = 0
        var checked = 0
        for trial in 0..<20_000 {
            let table = tables[trial % tables.count]
            let inverse = (trial / tables.count) % 2 == 1
            let instrument = Self.instrument(inverse: inverse, table: table)
            let rules = [MarginRules.binance, .bybit, .hyperliquid][Int.random(in: 0..<3, using: &rng)]
            let quantity = Self.fixed(Self.logUniform(1e-8, 1e10, &rng)).rounded(places: 8)
            let entry = Self.fixed(Self.logUniform(1e-8, 1e10, &rng))
            let mark = Self.fixed(Self.logUniform(1e-8, 9.2e10, &rng))
            let side: Side = Bool.random(using: &rng) ? .long : .short
            var position = Position(accountIndex: 0, symbolIndex: 0, side: side, mode: .isolated, quantity: quantity, entryPrice: entry,
                isolatedMargin: .zero, leverage: .zero)
            var terms = instrument.terms(side: side, quantity: quantity, entryPrice: entry)
            let pnl = MarginMath.unrealisedPnL(terms, at: mark)
            switch Int.random(in: 0..<4, using: &rng) {
            case 0: position.isolatedMargin = Self.fixed(Self.logUniform(1e-12, 1e20, &rng))
            case 1: position.isolatedMargin = .zero
            case 2: position.isolatedMargin = Fixed.zero - pnl + Self.fixed(Self.logUniform(1e-14, 1e3, &rng))
            default: position.isolatedMargin = Fixed.zero - Self.fixed(Self.logUniform(1e-12, 1e6, &rng))
            }
            var configuration = EngineConfiguration()
            configuration.rules = rules
            let exact = engine(with: [instrument], configuration: configuration).binanceLeveragePnL(of: 0, position, terms: &terms, mark: mark, rules: rules)
            guard let bound = ADLBoundTerms(instrument: instrument, rules: rules, mark: mark).leveragePnLBound(position) else { continue }
            checked += 1
            if bound < exact.roughDouble || (bound == 0 && !exact.isZero) {
                broken += 1
                if broken <= 3 { Issue.record("\(rules) \(side) q \(quantity) entry \(entry) mark \(mark) margin \(position.isolatedMargin): exact \(exact), bound \(bound)") }
            }
        }
        #expect(broken == 0)
        #expect(checked > 15_000)
    }

    @Test("a negative number converts with its sign and its precision (the halves of a negative raw value rounded near 2^64)")
    func roughNegative() {
        for raw: Int128 in [-1, -1000, -5_000_000_000_000, -(Int128(1) << 64) + 1, -(Int128(1) << 100)] {
            let expected = Double(raw) * 1e-18
            #expect(abs(Fixed(raw: raw).roughDouble - expected) <= abs(expected) * 1e-15, "\(raw)")
        }
    }

    @Test("a balance past Fixed's range: the deferring engine deleverages the position the exact one does")
    func saturatedBalanceKeepsTheOrder() {
        var configuration = EngineConfiguration()
        configuration.rules = .binance
        let linear = PropertyTests.linear
        var exact = engine(with: [linear], configuration: configuration)
        exact.adlDeferralThreshold = .max
        var deferred = exact
        deferred.adlDeferralThreshold = 0
        var time: Int64 = 1_000_000_000
        var adl: [[String]] = [[], []]
        func apply(_ event: MarketEvent) {
            adl[0] += exact.apply(event).adl.map { "\($0.position):\($0.score)" }
            adl[1] += deferred.apply(event).adl.map { "\($0.position):\($0.score)" }
        }
        let unit = BookUnits.perUnit
        apply(.bookSnapshot(symbol: linear.symbol, bids: [(6_000_000_000 * unit - unit, 1)], asks: [(6_000_000_000 * unit + unit, 1)], time: time))
        apply(.mark(symbol: linear.symbol, price: Fixed(6_000_000_000), time: time))
        // A's margin and PnL add up past Fixed's range at the ranking; B scores between A's first
        // bound and A's exact score. The margins are stated (the notional ÷ the leverage): a
        // leverage implying a margin past 10¹⁵ is refused, and no source states such a margin
        // either; the engine's arithmetic is what is tested here.
        for (account, quantity, leverage) in [("A", Fixed(10_000_000_000), fx("0.5")), ("B", Fixed(1_000_000_000), fx("0.51"))] {
            apply(.position(PositionUpdate(account: account, symbol: linear.symbol, side: .long, quantity: quantity,
                entryPrice: Fixed(6_000_000_000), mode: .isolated, isolatedMargin: quantity * Fixed(6_000_000_000) / leverage,
                leverage: leverage), time: time))
        }
        apply(.position(PositionUpdate(account: "S", symbol: linear.symbol, side: .short, quantity: Fixed(1),
            entryPrice: Fixed(6_000_000_000), mode: .isolated, leverage: fx("1.5")), time: time))
        time += 1_000_000_000
        apply(.bookSnapshot(symbol: linear.symbol, bids: [(12_000_000_000 * unit - unit, 1)], asks: [(12_000_000_000 * unit + unit, 1)], time: time))
        apply(.mark(symbol: linear.symbol, price: Fixed(12_000_000_000), time: time))
        #expect(!adl[0].isEmpty)
        #expect(adl[0] == adl[1])
    }
}

@Suite("Position layout")
struct PositionLayoutTests {
    @Test("a position is 112 bytes: a field more must take padding, not a line (the memory goal is per position)")
    func positionSize() {
        #expect(MemoryLayout<Position>.stride == 112, "\(MemoryLayout<Position>.stride)")
    }

    @Test("an account stays 80 bytes with its first position inline (a guard: the list in an array was 80 bytes too, and a heap allocation besides)")
    func accountSize() {
        #expect(MemoryLayout<Account>.stride == 80, "\(MemoryLayout<Account>.stride)")
        #expect(MemoryLayout<PositionList>.size <= 16)
    }
}

@Suite("Position list")
struct PositionListTests {
    @Test("holds its indices in order, the first inline, and says when it holds several")
    func order() {
        var list = PositionList()
        #expect(list.isEmpty && list.count == 0 && !list.holdsSeveral)
        #expect(Array(list) == [])
        list.append(7)
        #expect(!list.isEmpty && list.count == 1 && !list.holdsSeveral && list.first == 7)
        #expect(list == [7])
        for index in [3, 9, 0] as [Int32] { list.append(index) }
        #expect(list.holdsSeveral && list.count == 4)
        #expect(Array(list) == [7, 3, 9, 0])
        #expect(list == [7, 3, 9, 0] && list != [7, 3, 9])
        #expect(list.firstIndex(of: 9) == 2 && list.contains(0) && !list.contains(5))
        #expect(list.filter { $0 != 3 } == [7, 9, 0])
    }

    @Test("an account of several positions says so as it did when the list was an array")
    func accountHoldsSeveral() {
        var engine = Engine()
        engine.apply(.mark(symbol: "binance-usdm:BTCUSDT", price: Fixed(60_000), time: 1))
        engine.apply(.mark(symbol: "binance-usdm:ETHUSDT", price: Fixed(3_000), time: 1))
        engine.apply(.position(PositionUpdate(account: "a", symbol: "binance-usdm:BTCUSDT", side: .long, quantity: Fixed(1),
            entryPrice: Fixed(60_000), mode: .cross, walletBalance: Fixed(10_000)), time: 2))
        #expect(engine.accounts.count == 1 && !engine.accounts[0].holdsSeveral && engine.accounts[0].positions == [0])
        engine.apply(.position(PositionUpdate(account: "a", symbol: "binance-usdm:ETHUSDT", side: .short, quantity: Fixed(2),
            entryPrice: Fixed(3_000), mode: .cross), time: 3))
        #expect(engine.accounts[0].holdsSeveral && engine.accounts[0].positions == [0, 1])
    }
}
