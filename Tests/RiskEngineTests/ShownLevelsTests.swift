import Testing
@testable import RiskEngine

/// A feed that shows only the top of the book (Hyperliquid's `l2Book` 20 levels a side, Tardis's
/// `book_snapshot_25`, Bybit's `orderbook.50`): past its deepest level the book is not known, and a
/// stress that runs past it is no ADL (it read `ADL 3.241 BTC` on Hyperliquid's 20 levels, about
/// 0.03 % of the price, where the venue's book had ample depth: operator trial).
@Suite("Books a feed shows only the top of")
struct ShownLevelsTests {
    static let symbol = "BTCUSDT"
    static let second: Int64 = 1_000_000_000

    static func levels(_ prices: [String], size: String) -> [(price: Int64, size: Int64)] {
        prices.map { (units($0), units(size)) }
    }

    // MARK: The book

    @Test("a side filled to the levels shown ends there; a side with fewer is the whole side; no limit, never")
    func sideEndsAtShownLevels() {
        var book = OrderBook()
        book.applySnapshot(bids: Self.levels(["100", "99", "98"], size: "1"), asks: Self.levels(["101", "102"], size: "1"), shownLevels: 3)
        #expect(book.endsAtShownLevels(.bid))
        #expect(!book.endsAtShownLevels(.ask), "two of three: the venue has no more")
        book.applySnapshot(bids: Self.levels(["100", "99", "98"], size: "1"), asks: Self.levels(["101", "102"], size: "1"))
        #expect(!book.endsAtShownLevels(.bid) && !book.endsAtShownLevels(.ask))
    }

    @Test("what simulated liquidations eat still counts as shown; the feed removing a level does not; a shifted book keeps it")
    func eatenLevelsStillShown() {
        var book = OrderBook()
        book.applySnapshot(bids: Self.levels(["100", "99", "98"], size: "1"), asks: Self.levels(["101", "102", "103"], size: "1"), shownLevels: 3)
        let walk = book.walk(.bid, quantity: units("5"))
        #expect(walk.remainder == units("2") && walk.remainderPastShownLevels)
        book.consume(.bid, fills: walk.fills)
        #expect(book.bids.isEmpty)
        #expect(book.endsAtShownLevels(.bid), "the feed still shows three levels")
        #expect(book.walk(.bid, quantity: units("1")).remainderPastShownLevels)
        // The feed restates an eaten level: still three.
        book.applyLevel(side: .bid, price: units("100"), size: units("1"))
        #expect(book.endsAtShownLevels(.bid))
        // The feed removes an eaten level: two shown, the side whole.
        book.applyLevel(side: .bid, price: units("99"), size: 0)
        #expect(!book.endsAtShownLevels(.bid))
        // A top-N stream's delta that fills the side again.
        book.applyLevel(side: .bid, price: units("97"), size: units("1"))
        #expect(book.endsAtShownLevels(.bid))
        let moved = book.shifted(by: units("10"))
        #expect(moved.shownLevels == 3 && moved.endsAtShownLevels(.bid) && moved.endsAtShownLevels(.ask))
        // A side the feed showed whole: a walk past it has no remainder past the shown levels.
        var whole = OrderBook()
        whole.applySnapshot(bids: Self.levels(["100"], size: "1"), asks: [], shownLevels: 20)
        let past = whole.walk(.bid, quantity: units("3"))
        #expect(past.remainder == units("2") && !past.remainderPastShownLevels)
    }

    @Test("levels of a snapshot crossed out or given twice still count towards the levels shown")
    func crossedAndRepeatedLevelsCount() {
        var book = OrderBook()
        // The best bid one tick through the best ask: the crossed ask goes, the side still shown whole.
        book.applySnapshot(bids: Self.levels(["60015", "59990"], size: "1"), asks: Self.levels(["60010", "60020"], size: "1"), shownLevels: 2)
        #expect(book.asks.count == 1 && book.endsAtShownLevels(.ask))
        book.applySnapshot(bids: Self.levels(["59990", "59990"], size: "1"), asks: Self.levels(["60010"], size: "1"), shownLevels: 2)
        #expect(book.bids.count == 1 && book.endsAtShownLevels(.bid) && !book.endsAtShownLevels(.ask))
    }

    @Test("zero sizes pad nothing; an emptied level the feed deleted bounds no walk; a side with no price shown walks as an empty one")
    func bookkeepingAgainstTheFeed() {
        var padded = OrderBook()
        padded.applySnapshot(bids: [(units("100"), units("1")), (units("99"), 0)], asks: [], shownLevels: 2)
        #expect(!padded.endsAtShownLevels(.bid), "a level of size 0 is no level shown")
        // Liquidations empty the bids down to 98; the feed then deletes 98 and 99 and shows 105…102.
        var book = OrderBook()
        book.applySnapshot(bids: Self.levels(["100", "99", "98"], size: "1"), asks: Self.levels(["110"], size: "1"), shownLevels: 3)
        book.consume(.bid, fills: book.walk(.bid, quantity: units("3")).fills)
        book.applyLevel(side: .bid, price: units("98"), size: 0)
        book.applyLevel(side: .bid, price: units("99"), size: 0)
        book.applyLevel(side: .bid, price: units("105"), size: units("1"))
        book.applyLevel(side: .bid, price: units("102"), size: units("1"))
        #expect(book.endsAtShownLevels(.bid), "105, 102 and the emptied 100")
        let walk = book.walk(.bid, quantity: units("5"))
        #expect(walk.remainderPastShownLevels && walk.deepestShownPrice == units("100"), "\(String(describing: walk.deepestShownPrice))")
        book.applyLevel(side: .bid, price: units("100"), size: 0)
        #expect(!book.endsAtShownLevels(.bid), "two levels now")
        // Every level of the side refused: no price to settle at, walked as an empty side.
        var engine = Engine()
        engine.apply(.bookSnapshot(symbol: Self.symbol, bids: Self.levels(["60000", "59999", "59998"], size: "1"),
            asks: Self.levels(["600000000", "600000001"], size: "1"), time: Self.second, shownLevels: 2))
        let refused = engine.markets[0].book
        #expect(refused.asks.isEmpty && refused.endsAtShownLevels(.ask))
        let empty = refused.walk(.ask, quantity: units("1"))
        #expect(empty.remainder == units("1") && !empty.remainderPastShownLevels && empty.deepestShownPrice == nil)
        // An update's level refused as implausible counts too, until the feed touches its price.
        engine.apply(.bookSnapshot(symbol: Self.symbol, bids: Self.levels(["60000"], size: "1"), asks: Self.levels(["60001"], size: "1"),
            time: 2 * Self.second, shownLevels: 2))
        engine.apply(.bookUpdate(symbol: Self.symbol, changes: [LevelChange(side: .ask, price: units("600000000"), size: units("1"))], time: 3 * Self.second))
        #expect(engine.markets[0].book.asks.count == 1 && engine.markets[0].book.endsAtShownLevels(.ask))
        engine.apply(.bookUpdate(symbol: Self.symbol, changes: [LevelChange(side: .ask, price: units("600000000"), size: 0)], time: 4 * Self.second))
        #expect(!engine.markets[0].book.endsAtShownLevels(.ask))
    }

    @Test("levels of a snapshot refused as implausible still count towards the levels shown")
    func refusedLevelsCount() {
        var engine = Engine()
        let asks = Self.levels(["60001", "60002", "60003", "60004"], size: "1") + [(units("600000000"), units("1"))]
        engine.apply(.bookSnapshot(symbol: Self.symbol, bids: Self.levels(["60000"], size: "1"), asks: asks, time: Self.second, shownLevels: 5))
        let book = engine.markets[engine.marketIndex(of: Self.symbol)!].book
        #expect(book.asks.count == 4, "the ask ten thousandfold up is refused")
        #expect(book.endsAtShownLevels(.ask))
    }

    // MARK: The stressed deficit

    /// 20 BTC of longs over 5 BTC of bids in five levels, the feed showing `shownLevels` a side.
    static func engine(shownLevels: Int, fund: Fixed = Fixed(1_000_000)) -> Engine {
        var engine = Engine()
        engine.openFund(asset: "USDT", balance: fund)
        engine.apply(.bookSnapshot(symbol: symbol, bids: levels(["59500", "59490", "59480", "59470", "59460"], size: "1"),
            asks: levels(["59510"], size: "10"), time: second, shownLevels: shownLevels))
        engine.apply(.mark(symbol: symbol, price: Fixed(59_505), time: second))
        engine.apply(.position(PositionUpdate(account: "a", symbol: symbol, side: .long, quantity: Fixed(20), entryPrice: Fixed(60_000),
            mode: .isolated, leverage: Fixed(20)), time: second))
        engine.apply(.clock(time: 3 * second))
        return engine
    }

    @Test("past the levels shown: no ADL, the quantity said as past them, the level the shown fills' own")
    func stressPastShownLevels() {
        let engine = Self.engine(shownLevels: 5)
        let index = engine.marketIndex(of: Self.symbol)!
        let stressed = engine.markets[index].shownStress
        #expect(stressed.pastShownQuantity == Fixed(15) && stressed.shownLevels == 5)
        #expect(stressed.unfilledQuantity.isZero && !stressed.adlCertain)
        let reading = engine.markets[index].signals.readings[.stressedDeficit]
        #expect(reading?.pastShownQuantity == 15 && reading?.shownLevels == 5 && reading?.adlCertain == false)
        #expect(reading?.level != .alert, "a deficit of the five levels within a million-dollar fund")
        #expect(engine.fundState(venue: engine.funds[0].venue, asset: "USDT").adl != .near)
    }

    @Test("the same book shown whole: what it cannot fill goes to ADL, at ALERT")
    func stressOnAWholeBook() {
        for shown in [0, 6] {
            let engine = Self.engine(shownLevels: shown)
            let index = engine.marketIndex(of: Self.symbol)!
            let stressed = engine.markets[index].shownStress
            #expect(stressed.unfilledQuantity == Fixed(15) && stressed.adlCertain && stressed.pastShownQuantity.isZero, "shown \(shown)")
            #expect(engine.markets[index].signals.readings[.stressedDeficit]?.level == .alert)
        }
    }

    @Test("a deficit past the fund is ADL whatever the levels shown")
    func deficitPastTheFundStillADL() {
        var engine = Self.engine(shownLevels: 5, fund: Fixed(1))
        // Five levels below the long's bankruptcy price (57,000 at 20x): their fills alone leave
        // a deficit the fund of 1 USDT cannot pay.
        engine.apply(.bookSnapshot(symbol: Self.symbol, bids: Self.levels(["56500", "56490", "56480", "56470", "56460"], size: "1"),
            asks: Self.levels(["59510"], size: "10"), time: 4 * Self.second, shownLevels: 5))
        engine.apply(.clock(time: 6 * Self.second))
        let stressed = engine.markets[engine.marketIndex(of: Self.symbol)!].shownStress
        #expect(stressed.deficit > Fixed(1) && stressed.adlCertain && stressed.pastShownQuantity == Fixed(15), "\(stressed)")
    }

    // MARK: Liquidations and shocks

    @Test("a liquidation whose walk runs past the levels shown settles the rest at the deepest level shown, a floor; the shock's projection counts it")
    func liquidationAndShockPastShownLevels() throws {
        var engine = Self.engine(shownLevels: 5)
        let result = try engine.stress(symbol: Self.symbol, shockPercent: Fixed(-10))
        #expect(result.liquidationCount == 1)
        #expect(result.unfilledQuantity.isZero && result.pastShownQuantity == Fixed(15) && result.shownLevels == 5)
        // The book moved with the mark (59,505 → 53,554.50, 5,950.50 down) to 53,509.50 at its
        // deepest: 15 BTC at no better than that, against the long's bankruptcy at 57,000, and the
        // five levels above it.
        let shownFills = ["53549.5", "53539.5", "53529.5", "53519.5", "53509.5"].reduce(Fixed.zero) { $0 + (Fixed(57_000) - Fixed($1)!) }
        let floor = (Fixed(57_000) - Fixed("53509.5")!) * Fixed(15)
        #expect(result.totalDeficit == shownFills + floor, "\(result.totalDeficit)")
        #expect(result.adlQuantity.isZero, "the fund of a million pays it")
        var whole = Self.engine(shownLevels: 0)
        let wholeResult = try whole.stress(symbol: Self.symbol, shockPercent: Fixed(-10))
        #expect(wholeResult.unfilledQuantity == Fixed(15) && wholeResult.pastShownQuantity.isZero && wholeResult.adlQuantity == Fixed(15))
        #expect(wholeResult.totalDeficit == shownFills)
        // The mark crosses the trigger: the record carries the levels shown and the quantity past them.
        let notes = engine.apply(.mark(symbol: Self.symbol, price: Fixed(55_000), time: 4 * Self.second))
        let record = notes.compactMap { note -> LiquidationRecord? in if case .liquidation(let r) = note { return r } else { return nil } }.first
        #expect(record?.unfilledQuantity == .zero && record?.filledQuantity == Fixed(20))
        #expect(record?.pastShownLevels == 5 && record?.pastShownQuantity == Fixed(15) && record?.worstFillPrice == units("59460"), "the book's own deepest fill: the settlement past it is no level")
        // Nothing is taken from the book past its levels: the five shown are eaten, no more.
        #expect(engine.markets[0].book.bids.isEmpty && engine.markets[0].book.consumed(.bid, at: units("59460")) == units("1"))
        let wholeNotes = whole.apply(.mark(symbol: Self.symbol, price: Fixed(55_000), time: 4 * Self.second))
        let wholeRecord = wholeNotes.compactMap { note -> LiquidationRecord? in if case .liquidation(let r) = note { return r } else { return nil } }.first
        #expect(wholeRecord?.unfilledQuantity == Fixed(15) && wholeRecord?.pastShownLevels == 0 && wholeRecord?.adlQuantity == Fixed(15))
    }

    @Test("past the levels shown, a fund the floor empties: ADL follows, certain, as the stressed deficit says")
    func floorEmptiesTheFund() throws {
        var engine = Self.engine(shownLevels: 5, fund: Fixed(1_000))
        let result = try engine.stress(symbol: Self.symbol, shockPercent: Fixed(-10))
        #expect(result.fundAfter < Fixed(1_000) && result.adlQuantity.isPositive, "\(result.fundAfter) \(result.adlQuantity)")
        // Bids below the long's bankruptcy: the floor alone passes the fund.
        engine.apply(.bookSnapshot(symbol: Self.symbol, bids: Self.levels(["56900", "56890", "56880", "56870", "56860"], size: "1"),
            asks: Self.levels(["59510"], size: "10"), time: 4 * Self.second, shownLevels: 5))
        engine.apply(.clock(time: 6 * Self.second))
        let stressed = engine.markets[0].shownStress
        #expect(stressed.adlCertain && stressed.pastShownQuantity == Fixed(15))
        #expect(stressed.deficit == (Fixed(57_000) - Fixed(56_860)) * Fixed(15) + Fixed(100 + 110 + 120 + 130 + 140), "\(stressed.deficit)")
    }

    @Test("past the levels shown only what was settled there: a fund that stops the walk before or in the settlement")
    func settledPastShownOnly() throws {
        // Long 20 at 60,000, 20x: bankrupt at 57,000; three levels shown below it, losing 100, 200 and
        // 300 a BTC, and the rest settled at 56,700 (300 a BTC).
        func close(fund: Int) throws -> LiquidationRecord {
            var engine = Self.engine(shownLevels: 5, fund: Fixed(fund))
            engine.apply(.bookSnapshot(symbol: Self.symbol, bids: Self.levels(["56900", "56800", "56700"], size: "1"),
                asks: Self.levels(["59510"], size: "10"), time: 4 * Self.second, shownLevels: 3))
            let notes = engine.apply(.mark(symbol: Self.symbol, price: Fixed(55_000), time: 5 * Self.second))
            return try #require(notes.compactMap { note -> LiquidationRecord? in if case .liquidation(let r) = note { return r } else { return nil } }.first)
        }
        // A fund of 250 stands behind 1 BTC at 56,900 and 0.75 at 56,800: the walk stops at the
        // second level shown, nothing settled past them (it said 17 past them, a floor).
        let stopped = try close(fund: 250)
        // (The walk itself ran past them: the record keeps the levels shown, for the view's words.)
        #expect(stopped.filledQuantity == Fixed("1.75")! && stopped.pastShownQuantity.isZero && stopped.pastShownLevels == 3, "\(stopped)")
        #expect(stopped.adlQuantity == Fixed("18.25")!)
        // A fund of 700 pays the three levels (600) and 100 of the settlement: 0.333 BTC at 56,700.
        let partway = try close(fund: 700)
        #expect(partway.pastShownQuantity == Fixed("0.333")! && partway.pastShownLevels == 3, "\(partway)")
        #expect(partway.filledQuantity == Fixed("3.333")! && partway.adlQuantity == Fixed("16.667")!, "\(partway)")
    }
}
