import Testing
@testable import RiskEngine

/// The book signals of a feed that shows only the top of the book: past its deepest level the book
/// is not known, so a side the simulated liquidations emptied of every level shown is no empty side
/// (a paused Hyperliquid replay read `Spread side empty`, depth 0 and ALERT: operator trial), and a
/// depth band reaching past the levels shown reads a floor.
@Suite("Signals of a book the feed shows the top of")
struct PastShownSignalsTests {
    static let symbol = "binance-usdm:BTCUSDT"
    static let second: Int64 = 1_000_000_000

    static func levels(_ prices: [String], size: String) -> [(price: Int64, size: Int64)] {
        prices.map { (Fixed($0)!.bookUnits, Fixed(size)!.bookUnits) }
    }

    /// A market warmed on two levels a side (shown two a side, or whole), then a long of 8 BTC
    /// bankrupt at 57,000 liquidated by the mark into bids of 3 + 3: both levels emptied, sampled a
    /// second later with no book update between.
    static func emptiedBids(shownLevels: Int) -> (engine: Engine, index: Int, log: SessionLog) {
        var engine = Engine()
        var log = SessionLog()
        engine.openFund(asset: "USDT", balance: Fixed(1_000_000))
        let warm = Int64(SignalThresholds().warmupSamples + 5)
        for second in 0..<warm {
            engine.apply(.mark(symbol: symbol, price: Fixed(59_505), time: second * Self.second))
            engine.apply(.bookSnapshot(symbol: symbol, bids: levels(["59500", "59490"], size: "3"),
                asks: levels(["59510", "59520"], size: "3"), time: second * Self.second + 1, shownLevels: shownLevels))
        }
        log.record(engine.apply(.position(PositionUpdate(account: "a", symbol: symbol, side: .long, quantity: Fixed(8),
            entryPrice: Fixed(60_000), mode: .isolated, walletBalance: nil, leverage: Fixed(20)), time: warm * Self.second)))
        log.record(engine.apply(.mark(symbol: symbol, price: Fixed(57_000), time: warm * Self.second + 5)))
        log.record(engine.apply(.mark(symbol: symbol, price: Fixed(57_000), time: (warm + 1) * Self.second + 5)))
        return (engine, engine.marketIndex(of: symbol)!, log)
    }

    @Test("bids the simulations emptied of every level shown: the spread is at least to the deepest of them, judged on that floor, not an empty side")
    func emptiedTopOfBook() throws {
        let (engine, index, log) = Self.emptiedBids(shownLevels: 2)
        let book = engine.markets[index].book
        #expect(book.bestBid == nil && book.endsAtShownLevels(.bid), "both bids eaten, the feed still shows two")
        let floor = try #require(book.spreadPastShownLevels)
        #expect(floor.spread == Fixed(20).bookUnits, "59,510 − 59,490")
        // 20 ÷ 59,500 × 10,000 = 3.3613… bps, against a baseline of 10 ÷ 59,505 × 10,000 = 1.6805… bps:
        // twice, at WARN (the floor proves that much widening), where the empty side read ALERT.
        #expect(floor.bps.map { abs($0.approximateDouble - 3.361344) < 0.00001 } == true, "\(String(describing: floor.bps))")
        let readings = engine.markets[index].signalReadings
        let spread = try #require(readings[.spread])
        #expect(!spread.sideMissing && spread.pastShownLevels && spread.level == .warn, "\(spread)")
        #expect(abs(spread.value - 3.361344) < 0.00001)
        // The depth is not known (no mid, a floor of 0 proves no thinness) and not judged, nor is
        // spread-and-depth (1, as before its baselines are learnt): they read ALERT.
        let both = try #require(readings[.spreadVsDepth])
        #expect(!both.pastShownLevels && both.level == .ok && both.value == 1, "\(both)")
        for kind in [SignalKind.depth10, .depth50] {
            #expect(readings[kind]?.pastShownLevels == true && readings[kind]?.value == 0 && readings[kind]?.level == .ok,
                "\(kind): none shown, the rest not known")
        }
        #expect(!log.alerts.contains { $0.sideMissing || $0.signal == .depth10 || $0.signal == .depth50 || $0.signal == .spreadVsDepth },
            "\(log.alerts.map(\.signal))")
    }

    @Test("the same book shown whole: the bids are gone, the side empty, at ALERT")
    func emptiedWholeBook() throws {
        let (engine, index, log) = Self.emptiedBids(shownLevels: 0)
        #expect(engine.markets[index].book.spreadPastShownLevels == nil)
        let spread = try #require(engine.markets[index].signalReadings[.spread])
        #expect(spread.sideMissing && !spread.pastShownLevels && spread.level == .alert, "\(spread)")
        #expect(engine.markets[index].signalReadings[.depth10]?.pastShownLevels == false)
        #expect(log.alerts.contains { $0.signal == .spread && $0.sideMissing })
    }

    @Test("a side the feed showed fewer levels of than it shows is the whole side: emptied, it is empty")
    func emptiedShortSide() throws {
        var book = OrderBook()
        book.applySnapshot(bids: Self.levels(["100"], size: "1"), asks: Self.levels(["101", "102"], size: "1"), shownLevels: 2)
        book.consume(.bid, fills: book.walk(.bid, quantity: Fixed(1).bookUnits).fills)
        #expect(book.bestBid == nil && book.spreadPastShownLevels == nil)
        // Both sides emptied of every level shown: the spread runs between the deepest of each.
        var both = OrderBook()
        both.applySnapshot(bids: Self.levels(["100", "99"], size: "1"), asks: Self.levels(["101", "103"], size: "1"), shownLevels: 2)
        both.consume(.bid, fills: both.walk(.bid, quantity: Fixed(2).bookUnits).fills)
        both.consume(.ask, fills: both.walk(.ask, quantity: Fixed(2).bookUnits).fills)
        #expect(both.spreadPastShownLevels?.spread == Fixed(4).bookUnits, "103 − 99")
    }

    @Test("a depth band reaching past the levels shown is a floor where its thinner figure is the floor's side")
    func depthBandsPastTheLevelsShown() {
        func engine(bids: [(price: Int64, size: Int64)], asks: [(price: Int64, size: Int64)], shown: Int) -> (Engine, Int) {
            var engine = Engine()
            engine.apply(.mark(symbol: Self.symbol, price: Fixed(10_000), time: 1))
            engine.apply(.bookSnapshot(symbol: Self.symbol, bids: bids, asks: asks, time: 2, shownLevels: shown))
            return (engine, engine.marketIndex(of: Self.symbol)!)
        }
        // Two levels a side within 1 bps of 10,000: ±10 and ±50 bps both reach past them.
        var (e, i) = engine(bids: Self.levels(["9999.5", "9999"], size: "1"), asks: Self.levels(["10000.5", "10001"], size: "1"), shown: 2)
        var depth = e.depthValues(market: i, narrowBps: 10, wideBps: 50)
        #expect(depth.narrowPastShown && depth.widePastShown)
        // The same levels shown whole: known.
        (e, i) = engine(bids: Self.levels(["9999.5", "9999"], size: "1"), asks: Self.levels(["10000.5", "10001"], size: "1"), shown: 0)
        depth = e.depthValues(market: i, narrowBps: 10, wideBps: 50)
        #expect(!depth.narrowPastShown && !depth.widePastShown)
        // Levels reaching 60 bps out: ±10 bps ends inside them (known), ±50 bps too.
        (e, i) = engine(bids: Self.levels(["9999.5", "9940"], size: "1"), asks: Self.levels(["10000.5", "10060"], size: "1"), shown: 2)
        depth = e.depthValues(market: i, narrowBps: 10, wideBps: 50)
        #expect(!depth.narrowPastShown && !depth.widePastShown)
        // The bids shown whole (one of two) and thinner than the asks' floor: the thinner side is known.
        (e, i) = engine(bids: Self.levels(["9999.5"], size: "1"), asks: Self.levels(["10000.5", "10001"], size: "5"), shown: 2)
        depth = e.depthValues(market: i, narrowBps: 10, wideBps: 50)
        #expect(!depth.narrowPastShown && abs(depth.narrow - 9_999.5) < 0.001, "\(depth)")
        // The asks' floor the thinner: a floor.
        (e, i) = engine(bids: Self.levels(["9999.5"], size: "5"), asks: Self.levels(["10000.5", "10001"], size: "1"), shown: 2)
        depth = e.depthValues(market: i, narrowBps: 10, wideBps: 50)
        #expect(depth.narrowPastShown && abs(depth.narrow - 20_001.5) < 0.001, "\(depth)")
    }
}
