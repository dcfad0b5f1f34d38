import Testing
@testable import RiskEngine

/// Prices no market has never reach the book or the mark: one bid at the largest book unit used
/// to cross out every ask, fill a liquidation at 92 billion and book billions to the fund. And
/// no single bad price may move the references far or blind the market (a review walked the book
/// up by ×999 steps, and poisoned a first mark).
@Suite("Implausible prices")
struct ImplausiblePriceTests {
    static let second: Int64 = 1_000_000_000

    /// A 60,000 book, two levels a side, and a long of 2 at 60,000 on 3,000 of margin.
    func session() -> Engine {
        var engine = engine(with: [testInstrument()])
        engine.openFund(asset: "USDT", balance: fx("250000"), provisional: false)
        engine.apply(.bookSnapshot(symbol: "TESTUSDT", bids: [(units("60000"), units("5")), (units("59999"), units("5"))],
            asks: [(units("60001"), units("5")), (units("60002"), units("5"))], time: Self.second))
        engine.apply(.position(PositionUpdate(account: "a", symbol: "TESTUSDT", side: .long, quantity: fx("2"),
            entryPrice: fx("60000"), mode: .isolated, isolatedMargin: fx("3000")), time: Self.second))
        return engine
    }

    func refusals(_ notes: [EngineNotification]) -> [ImplausiblePrice] {
        notes.compactMap { note in
            if case .implausiblePrice(let refused) = note { return refused } else { return nil }
        }
    }

    @Test("a mark or an index past the largest book price is refused with no reference held, and reported as it came, not clamped")
    func pastTheLargestPrice() {
        var engine = engine(with: [testInstrument()])
        var notes: [EngineNotification] = []
        // The first mark of a market has nothing to be judged against: 9 × 10¹⁸ was taken, and
        // every figure of its positions saturated (attacker trial).
        engine.apply(.mark(symbol: "TESTUSDT", price: fx("9000000000000000000"), time: Self.second), into: &notes)
        engine.apply(.index(IndexUpdate(symbol: "TESTUSDT", price: fx("999999999999999"), time: Self.second)), into: &notes)
        #expect(engine.markets[0].markPrice == nil && engine.markets[0].index.indexPrice == nil)
        #expect(engine.markets[0].counters.implausiblePricesRefused == 2)
        #expect(refusals(notes).map(\.price) == [fx("9000000000000000000"), fx("999999999999999")])
        #expect(refusals(notes).allSatisfy { $0.reference == BookUnits.largestPrice })
        // A reported liquidation past it, and a mark far from the one held, as they came.
        engine.apply(.exchangeLiquidation(ExchangeLiquidation(symbol: "TESTUSDT", side: .long, price: fx("999999999999999"),
            quantity: fx("1"), time: Self.second)), into: &notes)
        #expect(refusals(notes).last?.price == fx("999999999999999") && refusals(notes).last?.source == .exchangeLiquidation)
        // The largest itself is a price.
        engine.apply(.mark(symbol: "TESTUSDT", price: BookUnits.largestPrice, time: 2 * Self.second), into: &notes)
        #expect(engine.markets[0].markPrice == BookUnits.largestPrice)
        engine.apply(.exchangeLiquidation(ExchangeLiquidation(symbol: "TESTUSDT", side: .long, price: fx("60000.123456789"),
            quantity: fx("1"), time: 2 * Self.second)), into: &notes)
        #expect(refusals(notes).last?.price == fx("60000.123456789"), "\(refusals(notes).last.map { "\($0.price)" } ?? "none")")
        // A maintenance margin worked from a saturated notional saturates with it.
        let terms = PositionTerms(side: .long, quantity: fx("10000000000"), entryPrice: fx("10000000000"), kind: .linear,
            brackets: testInstrument().brackets)
        #expect(MarginMath.maintenance(terms, rules: .binance, at: BookUnits.largestPrice).margin.isSaturated)
    }

    @Test("near the top of the book units a mark fifty times the book is refused, as it is lower down (tenfold overflowed: attacker trial)")
    func saturatedBand() {
        var engine = engine(with: [testInstrument()])
        engine.apply(.bookSnapshot(symbol: "TESTUSDT", bids: [(units("9300000000"), units("1"))], asks: [(units("9300000001"), units("1"))],
            time: Self.second))
        var notes: [EngineNotification] = []
        engine.apply(.mark(symbol: "TESTUSDT", price: fx("465000000000"), time: 2 * Self.second), into: &notes)
        engine.apply(.mark(symbol: "TESTUSDT", price: fx("100000000000000"), time: 3 * Self.second), into: &notes)
        #expect(engine.markets[0].markPrice.map { $0 < fx("10000000000") } ?? true, "\(String(describing: engine.markets[0].markPrice))")
        #expect(engine.markets[0].counters.implausiblePricesRefused == 2)
        // A plausible mark near the top is applied.
        engine.apply(.mark(symbol: "TESTUSDT", price: fx("9300000000.5"), time: 4 * Self.second), into: &notes)
        #expect(engine.markets[0].markPrice == fx("9300000000.5"))
    }

    @Test("a bid at the largest book unit is refused, counted and noted; the rest of its update is applied")
    func absurdLevel() {
        var engine = session()
        var notes: [EngineNotification] = []
        engine.apply(.bookUpdate(symbol: "TESTUSDT", changes: [
            LevelChange(side: .bid, price: BookUnits.parse("92233720368.54775807")!, size: units("5")),
            LevelChange(side: .bid, price: units("59998"), size: units("1")),
        ], time: 2 * Self.second), into: &notes)
        let market = engine.markets[0]
        #expect(market.book.bids.best?.price == units("60000"))
        #expect(market.book.asks.best?.price == units("60001"), "the asks were not crossed out")
        #expect(market.book.bids.count == 3, "the plausible level of the same update is applied")
        #expect(market.counters.implausiblePricesRefused == 1)
        #expect(refusals(notes).count == 1 && refusals(notes).first?.source == .bookLevel(.bid))
        // The long is liquidated into the real book, not at 92 billion.
        engine.apply(.mark(symbol: "TESTUSDT", price: fx("58500"), time: 3 * Self.second), into: &notes)
        #expect(engine.totals.liquidations == 1)
        #expect(engine.fund("USDT").balance < fx("260000"))
    }

    @Test("a bid crossing the asks by more than a tenth is refused (a ×999 walk starts there); a few ticks' cross is a missed delta, applied")
    func crossing() {
        var engine = session()
        var notes: [EngineNotification] = []
        engine.apply(.bookUpdate(symbol: "TESTUSDT", changes: [LevelChange(side: .bid, price: units("59940000"), size: units("5"))],
            time: 2 * Self.second), into: &notes)
        engine.apply(.bookUpdate(symbol: "TESTUSDT", changes: [LevelChange(side: .bid, price: units("70000"), size: units("5"))],
            time: 2 * Self.second), into: &notes)
        #expect(engine.markets[0].book.asks.best?.price == units("60001"))
        #expect(refusals(notes).map(\.reference) == [fx("60001"), fx("60001")], "both refused as crossing the best ask")
        engine.apply(.bookUpdate(symbol: "TESTUSDT", changes: [LevelChange(side: .bid, price: units("60001.5"), size: units("5"))],
            time: 3 * Self.second), into: &notes)
        #expect(engine.markets[0].book.bids.best?.price == units("60001.5"))
        #expect(engine.markets[0].book.asks.best?.price == units("60002"), "the stale ask it crossed is removed")
        #expect(engine.markets[0].counters.implausiblePricesRefused == 2)
    }

    @Test("marks, trades, index prices and reported liquidations tenfold from the book's mid are refused; within it they apply")
    func marksTradesIndex() {
        var engine = session()
        var notes: [EngineNotification] = []
        engine.apply(.mark(symbol: "TESTUSDT", price: fx("60000"), time: 2 * Self.second), into: &notes)
        engine.apply(.mark(symbol: "TESTUSDT", price: fx("700000"), time: 3 * Self.second), into: &notes)
        engine.apply(.mark(symbol: "TESTUSDT", price: fx("5000"), time: 4 * Self.second), into: &notes)
        #expect(engine.markets[0].markPrice == fx("60000"))
        engine.apply(.trade(symbol: "TESTUSDT", price: units("0.0001"), size: units("1"), time: 5 * Self.second), into: &notes)
        #expect(engine.markets[0].lastTradePrice == nil)
        engine.apply(.index(IndexUpdate(symbol: "TESTUSDT", price: fx("99999999"), time: 6 * Self.second)), into: &notes)
        #expect(engine.markets[0].index.indexPrice == nil)
        engine.apply(.exchangeLiquidation(ExchangeLiquidation(symbol: "TESTUSDT", side: .long, price: fx("92233720368"),
            quantity: fx("92233720368"), time: 7 * Self.second)), into: &notes)
        #expect(engine.markets[0].counters.exchangeLiquidations == 0)
        #expect(engine.markets[0].counters.implausiblePricesRefused == 5)
        #expect(Set(refusals(notes).map(\.source)) == [.mark, .trade, .index, .exchangeLiquidation])
        // A crash of 88 % is a price, not garbage.
        engine.apply(.mark(symbol: "TESTUSDT", price: fx("7000"), time: 8 * Self.second), into: &notes)
        #expect(engine.markets[0].markPrice == fx("7000"))
    }

    @Test("a snapshot is judged against its own median: one absurd ask goes, a poisoned mark cannot empty it")
    func snapshots() {
        var engine = engine(with: [testInstrument()])
        // A first mark a ten-thousandfold too high, with no book to judge it by: taken.
        engine.apply(.mark(symbol: "TESTUSDT", price: fx("600000000"), time: Self.second))
        engine.apply(.bookSnapshot(symbol: "TESTUSDT", bids: [(units("59999"), units("5")), (units("0.00001"), units("5"))],
            asks: [(units("60001"), units("5")), (units("50"), units("5")), (units("92233720368"), units("5"))], time: 2 * Self.second))
        let book = engine.markets[0].book
        #expect(book.bids.count == 2, "a far bid is real (Binance keeps bids at 5,000 beside 61,800)")
        #expect(book.asks.count == 1 && book.asks.best?.price == units("60001"))
        #expect(engine.markets[0].counters.implausiblePricesRefused == 2)
        // The next true mark is judged against the book, and replaces the poisoned one.
        engine.apply(.mark(symbol: "TESTUSDT", price: fx("60000"), time: 3 * Self.second))
        #expect(engine.markets[0].markPrice == fx("60000"))
    }

    @Test("a snapshot's bid crossing its asks by more than a tenth, away from its median, is refused; the asks stay and the short is not liquidated")
    func snapshotCrossingOutlier() {
        var engine = engine(with: [testInstrument()])
        engine.openFund(asset: "USDT", balance: fx("250000"), provisional: false)
        let bids = (0..<29).map { (units("2999") - Int64($0) * units("1"), units("5")) }
        let asks = (0..<29).map { (units("3001") + Int64($0) * units("1"), units("5")) }
        engine.apply(.bookSnapshot(symbol: "TESTUSDT", bids: bids, asks: asks, time: Self.second))
        engine.apply(.position(PositionUpdate(account: "short", symbol: "TESTUSDT", side: .short, quantity: fx("1"),
            entryPrice: fx("3000"), mode: .isolated, leverage: fx("10")), time: Self.second))
        // One hostile bid of 3,600 in the next snapshot (no mark stream: the book sets the mark).
        let notes = engine.apply(.bookSnapshot(symbol: "TESTUSDT", bids: [(units("3600"), units("0.001"))] + bids, asks: asks, time: 2 * Self.second))
        #expect(refusals(notes).map(\.price) == [fx("3600")], "\(refusals(notes))")
        #expect(engine.markets[0].book.asks.count == 29 && engine.markets[0].counters.crossedLevelsRemoved == 0)
        #expect(engine.positions[0].isOpen && notes.liquidations.isEmpty)
        // The same for a hostile ask far below: it goes, the bids stay.
        let low = engine.apply(.bookSnapshot(symbol: "TESTUSDT", bids: bids, asks: [(units("2400"), units("0.001"))] + asks, time: 3 * Self.second))
        #expect(refusals(low).map(\.price) == [fx("2400")] && engine.markets[0].book.bids.count == 29, "\(refusals(low))")
        // A real book, deep bids far below and a few asks: nothing crosses, nothing is refused;
        // a cross of a few ticks is the book's to resolve, as before.
        let deep = (0..<400).map { (units("60000") - Int64($0) * units("100"), units("1")) }
        let quiet = engine.apply(.bookSnapshot(symbol: "TESTUSDT", bids: deep, asks: [(units("60001"), units("1"))], time: 4 * Self.second))
        #expect(refusals(quiet).isEmpty && engine.markets[0].book.bids.count == 400)
        let ticks = engine.apply(.bookSnapshot(symbol: "TESTUSDT", bids: [(units("60003"), units("1"))] + deep, asks: [(units("60001"), units("1")), (units("60004"), units("1"))],
            time: 5 * Self.second))
        #expect(refusals(ticks).isEmpty)
        // Prices at the decoders' limit: no overflow (it trapped); two levels: no median to side with.
        var limit = RiskEngineTests.engine(with: [testInstrument()])
        _ = limit.apply(.bookSnapshot(symbol: "TESTUSDT", bids: [(Int64.max, Int64(1)), (Int64.max - 1, Int64(1))], asks: [(Int64.max - 2, Int64(1))], time: Self.second))
        var two = RiskEngineTests.engine(with: [testInstrument()])
        #expect(refusals(two.apply(.bookSnapshot(symbol: "TESTUSDT", bids: [(units("3600"), units("1"))], asks: [(units("3001"), units("1"))],
            time: Self.second))).isEmpty)
    }

    @Test("a crossed snapshot with as many hostile bids as real asks: the mark says which side lies, two levels too")
    func crossedSnapshotSidesWithTheMark() {
        for count in [1, 3] {
            var engine = engine(with: [testInstrument()])
            engine.openFund(asset: "USDT", balance: fx("250000"), provisional: false)
            engine.apply(.bookSnapshot(symbol: "TESTUSDT", bids: [(units("60000"), units("1"))], asks: [(units("60010"), units("1"))], time: Self.second))
            engine.apply(.mark(symbol: "TESTUSDT", price: fx("60005"), time: Self.second))
            engine.apply(.position(PositionUpdate(account: "w", symbol: "TESTUSDT", side: .long, quantity: fx("5"),
                entryPrice: fx("60000"), mode: .isolated, isolatedMargin: fx("6000")), time: Self.second))
            // `count` bids from 70,000 down, `count` real asks from 60,010 up (it kept the bids, crossed
            // out the asks and liquidated the long into bids 16 % over the mark, the fund 11,200 richer).
            let bids = (0..<count).map { (units("70000") - Int64($0) * units("1000"), units("1")) }
            let asks = (0..<count).map { (units("60010") + Int64($0) * units("10"), units("1")) }
            let notes = engine.apply(.bookSnapshot(symbol: "TESTUSDT", bids: bids, asks: asks, time: 2 * Self.second))
            #expect(Set(refusals(notes).map(\.price)) == Set(bids.map { Fixed(bookUnits: $0.0) }), "\(count): \(refusals(notes))")
            #expect(engine.markets[0].book.asks.count == count && engine.markets[0].book.bids.isEmpty)
            let fall = engine.apply(.mark(symbol: "TESTUSDT", price: fx("59100"), time: 3 * Self.second))
            for record in fall.liquidations { #expect(record.averageFill.map { $0 < fx("60005") } ?? true, "\(record)") }
            #expect(engine.funds.allSatisfy { $0.balance <= fx("250000") }, "no surplus from bids no book had")
        }
        // A mark past the age the engine trusts is no judge: the median decides (an old mark of
        // 30,000 beside a book at 60,000 refused every real bid for one hostile ask: review).
        var old = engine(with: [testInstrument()])
        old.apply(.mark(symbol: "TESTUSDT", price: fx("30000"), time: Self.second))
        let late = old.apply(.bookSnapshot(symbol: "TESTUSDT", bids: [(units("60000"), units("1")), (units("59999"), units("1")), (units("59998"), units("1"))],
            asks: [(units("50000"), units("1")), (units("60001"), units("1")), (units("60002"), units("1"))], time: 400 * Self.second))
        #expect(refusals(late).map(\.price) == [fx("50000")] && old.markets[0].book.bids.count == 3, "\(refusals(late))")
        // The mirror: asks far under the mark go, the bids stay.
        var mirror = engine(with: [testInstrument()])
        mirror.apply(.mark(symbol: "TESTUSDT", price: fx("60005"), time: Self.second))
        let low = mirror.apply(.bookSnapshot(symbol: "TESTUSDT", bids: [(units("60000"), units("1"))], asks: [(units("50000"), units("1"))], time: Self.second))
        #expect(refusals(low).map(\.price) == [fx("50000")] && mirror.markets[0].book.bids.count == 1)
    }

    @Test("a reference older than the book age limit is none: a market back after a long quiet takes its new prices")
    func staleReference() {
        var engine = session()
        engine.apply(.mark(symbol: "TESTUSDT", price: fx("60000"), time: 2 * Self.second))
        let later = 2 * Self.second + (EngineConfiguration().maximumBookAgeSeconds + 1) * Self.second
        engine.apply(.mark(symbol: "TESTUSDT", price: fx("1000000"), time: later))
        #expect(engine.markets[0].markPrice == fx("1000000"))
        #expect(engine.markets[0].counters.implausiblePricesRefused == 0)
    }

    @Test("the band's bounds: the factor either way is plausible, a unit beyond is not, and no bound overflows")
    func bounds() throws {
        let band = try #require(Engine.PriceBand(reference: 1_000_000))
        #expect(band.contains(10_000_000) && !band.contains(10_000_001))
        #expect(band.contains(100_000) && !band.contains(99_999))
        let levels = try #require(Engine.PriceBand(reference: 1_000_000, factor: Engine.implausibleLevelFactor))
        #expect(levels.admitsLevel(1_000_000_000, side: .ask) && !levels.admitsLevel(1_000_000_001, side: .bid))
        #expect(levels.admitsLevel(1, side: .bid) && !levels.admitsLevel(999, side: .ask))
        let top = try #require(Engine.PriceBand(reference: .max))
        // A price past the largest a book unit holds saturates to `.max`: never within a band.
        #expect(top.contains(.max - 1) && top.high == .max - 1 && !top.contains(.max))
        #expect(Engine.PriceBand(reference: 0) == nil && Engine.PriceBand(reference: nil) == nil)
    }
}
