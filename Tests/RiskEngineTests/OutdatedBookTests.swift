import Testing
@testable import RiskEngine

@Suite("A book that stopped changing is not liquidated into")
struct OutdatedBookTests {
    /// A long of 1 BTC at 20x over a 2021 book; its market's mark then moves years later.
    func engine(bookAt bookTime: Int64) -> Engine {
        var engine = Engine()
        engine.openFund(asset: "USDT", balance: Fixed(50_000))
        engine.apply(.bookSnapshot(symbol: "BTCUSDT", bids: [(units("59999.9"), units("10"))], asks: [(units("60000"), units("10"))], time: bookTime))
        engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(60_000), time: bookTime))
        engine.apply(.position(PositionUpdate(account: "a", symbol: "BTCUSDT", side: .long, quantity: Fixed(1), entryPrice: Fixed(60_000),
            mode: .isolated, leverage: Fixed(20)), time: bookTime))
        return engine
    }

    @Test("a mark three years after the book's last change: blocked as outdated, STALE, and liquidated once the book changes")
    func yearsOld() {
        let threeYears: Int64 = 3 * 365 * 86_400 * 1_000_000_000
        var engine = engine(bookAt: 1_600_000_000_000_000_000)
        let later = 1_600_000_000_000_000_000 + threeYears
        let notes = engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(50_000), time: later))
        #expect(!notes.contains { if case .liquidation = $0 { return true } else { return false } })
        #expect(notes.contains(.liquidationBlocked(symbol: "BTCUSDT", reason: .outdatedBook, time: later)))
        #expect(engine.positions[0].isOpen)
        #expect(engine.markets[0].isStale && engine.staleMarkets == ["BTCUSDT"])
        // The feed comes back: the crossed trigger is liquidated into the book as it is now.
        let resumed = engine.apply(.bookUpdate(symbol: "BTCUSDT", changes: [LevelChange(side: .bid, price: units("49990"), size: units("5"))], time: later + 1))
        #expect(resumed.contains { if case .liquidation = $0 { return true } else { return false } })
        #expect(!engine.positions[0].isOpen && !engine.markets[0].isStale)
    }

    @Test("a book past the age limit reads STALE at the next sample though no trigger crossed (operator trial: years-old books read 'ok'); its next change clears it")
    func staleWithoutTrigger() {
        var engine = engine(bookAt: 1_000_000_000)
        // Another market keeps the session's clock going; this book does not change.
        for second in stride(from: 10, through: 290, by: 10) {
            engine.apply(.mark(symbol: "ETHUSDT", price: Fixed(3_000), time: Int64(second) * 1_000_000_000))
        }
        #expect(!engine.markets[0].isStale, "within the limit (300 s)")
        engine.apply(.mark(symbol: "ETHUSDT", price: Fixed(3_000), time: 302_000_000_000))
        #expect(engine.markets[0].isStale && engine.markets[0].staleReason == "outdated")
        #expect(engine.staleMarkets == ["BTCUSDT"] && engine.hasStaleMarket)
        #expect(engine.positions[0].isOpen)
        engine.apply(.bookUpdate(symbol: "BTCUSDT", changes: [LevelChange(side: .bid, price: units("59999.9"), size: units("9"))], time: 303_000_000_000))
        #expect(!engine.markets[0].isStale)
    }

    @Test("the stressed deficit read from a book that then goes quiet stands, marked STALE (a recording that ended read 'no stressed deficit', ok)")
    func stressStandsOnAnOutdatedBook() {
        var engine = Engine()
        engine.openFund(asset: "USDT", balance: Fixed(1_000))
        // 20 BTC of longs over 5 BTC of bids: what the book cannot fill goes to ADL.
        engine.apply(.bookSnapshot(symbol: "BTCUSDT", bids: [(units("59000"), units("5"))], asks: [(units("60000"), units("10"))], time: 1_000_000_000))
        engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(59_500), time: 1_000_000_000))
        engine.apply(.position(PositionUpdate(account: "a", symbol: "BTCUSDT", side: .long, quantity: Fixed(20), entryPrice: Fixed(60_000),
            mode: .isolated, leverage: Fixed(20)), time: 1_000_000_000))
        engine.apply(.mark(symbol: "ETHUSDT", price: Fixed(3_000), time: 2_000_000_000))
        let index = engine.marketIndex(of: "BTCUSDT")!
        let before = engine.markets[index].stressed
        #expect(before.unfilledQuantity.isPositive && before.adlCertain, "\(before)")
        #expect(engine.markets[index].signals.readings[.stressedDeficit]?.level == .alert)
        // Another market keeps the clock going past the book's age limit.
        for second in stride(from: 10, through: 400, by: 10) {
            engine.apply(.mark(symbol: "ETHUSDT", price: Fixed(3_000), time: Int64(second) * 1_000_000_000))
        }
        #expect(engine.markets[index].isStale)
        #expect(engine.markets[index].stressed == before)
        #expect(engine.stressedDeficit(market: index) == before)
        #expect(engine.markets[index].signals.readings[.stressedDeficit]?.level == .alert, "the risk has not gone because the feed went quiet")
        // The book is walked as last known: a position closed meanwhile leaves the stress (a stress
        // kept as it was read said ADL near for good: review).
        var closed = engine
        closed.apply(.position(PositionUpdate(account: "a", symbol: "BTCUSDT", side: .long, quantity: .zero, entryPrice: Fixed(60_000),
            mode: .isolated, leverage: Fixed(20)), time: 401_000_000_000))
        #expect(!closed.stressedDeficit(market: index).unfilledQuantity.isPositive && !closed.stressedDeficit(market: index).adlCertain)
        // The book comes back and is walked again.
        engine.apply(.bookUpdate(symbol: "BTCUSDT", changes: [LevelChange(side: .bid, price: units("59000"), size: units("50"))], time: 401_000_000_000))
        engine.apply(.mark(symbol: "ETHUSDT", price: Fixed(3_000), time: 402_000_000_000))
        #expect(!engine.markets[index].isStale && !engine.markets[index].stressed.unfilledQuantity.isPositive)
    }

    @Test("of several ended markets, the fund names the worst (ADL first, then the larger deficit), not the first")
    func worstEndedMarketNamed() {
        var engine = Engine()
        engine.openFund(asset: "USDT", balance: Fixed(100_000))
        // AAAUSDT, made first: a deficit the fund covers (bids at 56,000 under a bankruptcy of 57,000).
        engine.apply(.bookSnapshot(symbol: "AAAUSDT", bids: [(units("56000"), units("10"))], asks: [(units("60000"), units("10"))], time: 1_000_000_000))
        engine.apply(.mark(symbol: "AAAUSDT", price: Fixed(59_500), time: 1_000_000_000))
        engine.apply(.position(PositionUpdate(account: "a", symbol: "AAAUSDT", side: .long, quantity: Fixed(1), entryPrice: Fixed(60_000),
            mode: .isolated, leverage: Fixed(20)), time: 1_000_000_000))
        // OLDUSDT: 20 of longs over 5 of bids, ADL certain.
        engine.apply(.bookSnapshot(symbol: "OLDUSDT", bids: [(units("59000"), units("5"))], asks: [(units("60000"), units("10"))], time: 1_000_000_000))
        engine.apply(.mark(symbol: "OLDUSDT", price: Fixed(59_500), time: 1_000_000_000))
        engine.apply(.position(PositionUpdate(account: "o", symbol: "OLDUSDT", side: .long, quantity: Fixed(20), entryPrice: Fixed(60_000),
            mode: .isolated, leverage: Fixed(20)), time: 1_000_000_000))
        for second in stride(from: Int64(2), through: 3_700, by: 30) {
            engine.apply(.bookSnapshot(symbol: "BTCUSDT", bids: [(units("59999"), units("\(second % 5 + 1)"))], asks: [(units("60001"), units("10"))],
                time: second * 1_000_000_000))
            engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(60_000), time: second * 1_000_000_000))
        }
        let aaa = engine.markets[engine.marketIndex(of: "AAAUSDT")!].shownStress
        #expect(aaa.deficit.isPositive && !aaa.adlCertain, "\(aaa)")
        #expect(engine.markets[engine.marketIndex(of: "OLDUSDT")!].shownStress.adlCertain)
        #expect(engine.fundState(asset: "USDT").endedStressMarket == "OLDUSDT")
    }

    @Test("a fund's stress is its live markets' once a market's book has not changed for an hour: the ended one's ADL is not the fund's; alone it still is")
    func endedMarketLeavesTheFund() {
        var engine = Engine()
        engine.openFund(asset: "USDT", balance: Fixed(1_000))
        // OLDUSDT: 20 of longs over 5 of bids (ADL certain), its book then never changes again.
        engine.apply(.bookSnapshot(symbol: "OLDUSDT", bids: [(units("59000"), units("5"))], asks: [(units("60000"), units("10"))], time: 1_000_000_000))
        engine.apply(.mark(symbol: "OLDUSDT", price: Fixed(59_500), time: 1_000_000_000))
        engine.apply(.position(PositionUpdate(account: "a", symbol: "OLDUSDT", side: .long, quantity: Fixed(20), entryPrice: Fixed(60_000),
            mode: .isolated, leverage: Fixed(20)), time: 1_000_000_000))
        // BTCUSDT: live, its book changing, nothing near liquidation.
        func live(_ second: Int64) {
            engine.apply(.bookSnapshot(symbol: "BTCUSDT", bids: [(units("59999"), units("\(second % 5 + 1)"))], asks: [(units("60001"), units("10"))],
                time: second * 1_000_000_000))
            engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(60_000), time: second * 1_000_000_000))
        }
        engine.apply(.position(PositionUpdate(account: "b", symbol: "BTCUSDT", side: .long, quantity: Fixed(1), entryPrice: Fixed(60_000),
            mode: .isolated, leverage: Fixed(2)), time: 1_000_000_000))
        for second in stride(from: Int64(2), through: 1_800, by: 30) { live(second) }
        // Stale after five minutes, but not ended: its stress stands as the fund's.
        #expect(engine.markets[engine.marketIndex(of: "OLDUSDT")!].isStale)
        #expect(engine.fundState(asset: "USDT").stressedMarket == "OLDUSDT" && engine.fundState(asset: "USDT").adl == .near)
        for second in stride(from: Int64(1_830), through: 3_700, by: 30) { live(second) }
        #expect(engine.isEnded(market: engine.marketIndex(of: "OLDUSDT")!) && !engine.isEnded(market: engine.marketIndex(of: "BTCUSDT")!))
        let state = engine.fundState(asset: "USDT")
        #expect(state.stressedMarket != "OLDUSDT" && state.adl == .idle && state.marketsBacked == 2, "\(state)")
        // Left out, and named, so the fund's figure can say why (its signals read ALERT).
        #expect(state.endedStressMarket == "OLDUSDT")
        // The ended market still reads its own stress (the markets pane shows it, STALE).
        #expect(engine.markets[engine.marketIndex(of: "OLDUSDT")!].shownStress.adlCertain)
        // Alone (the live market's positions closed and its feed ended too), the fund shows it again.
        var alone = engine
        alone.apply(.mark(symbol: "ETHUSDT", price: Fixed(3_000), time: 9_000_000_000_000))
        #expect(alone.fundState(asset: "USDT").stressedMarket == "OLDUSDT", "every market it backs ended: the worst of them")
    }

    @Test("a book back after more than an hour without a change, positions held there, is told once as it comes back; a shorter pause, or no position, is not")
    func resumedAfterAGap() {
        func resumed(_ notes: [EngineNotification]) -> [MarketCondition] {
            notes.compactMap { if case .marketCondition(let condition) = $0, condition.kind == .resumed { return condition } else { return nil } }
        }
        let start: Int64 = 1_585_699_200_000_000_000  // 2020-04-01
        var engine = engine(bookAt: start)
        // 59 minutes: a pause, not told.
        let pause = engine.apply(.bookUpdate(symbol: "BTCUSDT", changes: [LevelChange(side: .bid, price: units("59999.9"), size: units("9"))],
            time: start + 59 * 60_000_000_000))
        #expect(resumed(pause).isEmpty)
        // Four years on (less the 59 minutes): told, with how long, once (the next change is a minute after it).
        let later = start + 4 * 365 * 86_400_000_000_000
        let back = engine.apply(.bookSnapshot(symbol: "BTCUSDT", bids: [(units("61700"), units("5"))], asks: [(units("61701"), units("5"))], time: later))
        #expect(resumed(back) == [MarketCondition(time: later, symbol: "BTCUSDT", kind: .resumed, reason: "3y 364d")], "\(back)")
        let next = engine.apply(.bookUpdate(symbol: "BTCUSDT", changes: [LevelChange(side: .bid, price: units("61700"), size: units("6"))],
            time: later + 60_000_000_000))
        #expect(resumed(next).isEmpty)
        // The operator is told it, in words.
        let alert = AlertWatcher.alert(of: resumed(back)[0])
        #expect(alert.kind == .marketResumed && alert.message.hasPrefix("BTCUSDT book back after 3y 364d without a change"), "\(alert.message)")
        // An hour to the nanosecond is an hour or more (it was not told: attacker trial).
        var hour = self.engine(bookAt: start)
        let exact = hour.apply(.bookUpdate(symbol: "BTCUSDT", changes: [LevelChange(side: .bid, price: units("59999.9"), size: units("9"))],
            time: start + 3_600_000_000_000))
        #expect(resumed(exact).map(\.reason) == ["1h 0m"], "\(exact)")
        // A market whose positions all closed: nothing held, nothing to tell (review).
        var closed = self.engine(bookAt: start)
        closed.apply(.position(PositionUpdate(account: "a", symbol: "BTCUSDT", side: .long, quantity: .zero, entryPrice: Fixed(60_000),
            mode: .isolated, leverage: Fixed(20)), time: start + 1))
        #expect(resumed(closed.apply(.bookSnapshot(symbol: "BTCUSDT", bids: [(units("61700"), units("5"))], asks: [(units("61701"), units("5"))], time: later))).isEmpty)
        // A market with no position: nothing to tell.
        var bare = Engine()
        bare.apply(.bookSnapshot(symbol: "ETHUSDT", bids: [(units("2999"), units("1"))], asks: [(units("3001"), units("1"))], time: start))
        #expect(resumed(bare.apply(.bookSnapshot(symbol: "ETHUSDT", bids: [(units("2999"), units("1"))], asks: [(units("3001"), units("1"))], time: later))).isEmpty)
    }

    @Test("a book that stopped changing is read as it was, but its baselines learn nothing from it (they drifted for months)")
    func frozenBookTeachesNothing() {
        var engine = engine(bookAt: 1_000_000_000)
        // The book moves for its first 60 s (the baselines learn), then stops.
        for second in stride(from: 2, through: 400, by: 1) {
            if second <= 60 {
                engine.apply(.bookUpdate(symbol: "BTCUSDT", changes: [LevelChange(side: .bid, price: units("59999.9"), size: units("\(second % 7 + 1)"))],
                    time: Int64(second) * 1_000_000_000))
            }
            engine.apply(.mark(symbol: "ETHUSDT", price: Fixed(3_000), time: Int64(second) * 1_000_000_000))
        }
        #expect(engine.markets[0].bookOutdated)
        let baseline = engine.markets[0].signals.readings[.depth10]?.baseline
        let spread = engine.markets[0].signals.readings[.spread]?.baseline
        for second in stride(from: 401, through: 900, by: 1) {
            engine.apply(.mark(symbol: "ETHUSDT", price: Fixed(3_000), time: Int64(second) * 1_000_000_000))
        }
        #expect(engine.markets[0].signals.readings[.depth10]?.baseline == baseline)
        #expect(engine.markets[0].signals.readings[.spread]?.baseline == spread)
        #expect(engine.markets[0].signals.readings[.depth10]?.value != nil, "its figures are still read")
    }

    @Test("a book that changed within the limit is liquidated into at once")
    func fresh() {
        var engine = engine(bookAt: 1_000_000_000)
        let notes = engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(50_000), time: 1_000_000_000 + 299_000_000_000))
        #expect(notes.contains { if case .liquidation = $0 { return true } else { return false } })
    }

    @Test("equal ADL scores share the lights of the lowest of them: losers scoring 0 show one light, not five")
    func tiedLosersOneLight() {
        var engine = Engine()
        engine.openFund(asset: "USDT", balance: Fixed(50_000))
        engine.apply(.bookSnapshot(symbol: "BTCUSDT", bids: [(units("59999.9"), units("10"))], asks: [(units("60000"), units("10"))], time: 1))
        engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(60_000), time: 1))
        // One long in profit, nine losing (entered above the mark): Binance scores losers 0.
        engine.apply(.position(PositionUpdate(account: "winner", symbol: "BTCUSDT", side: .long, quantity: Fixed(1), entryPrice: Fixed(55_000),
            mode: .isolated, leverage: Fixed(10)), time: 2))
        for index in 0..<9 {
            engine.apply(.position(PositionUpdate(account: "loser-\(index)", symbol: "BTCUSDT", side: .long, quantity: Fixed(1), entryPrice: Fixed(60_500),
                mode: .isolated, leverage: Fixed(10)), time: 2))
        }
        let queue = engine.adlQueue()
        #expect(queue[0]?.lights == 5)
        for index in 1...9 { #expect(queue[Int32(index)]?.lights == 1, "loser \(index): \(String(describing: queue[Int32(index)]))") }
        let estimated = engine.adlQueueEstimate(for: Array(0...9))
        #expect(estimated[0]?.lights == 5 && estimated[5]?.lights == 1)
    }
}
