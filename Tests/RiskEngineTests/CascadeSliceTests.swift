import Testing
@testable import RiskEngine

/// A cascade applied in slices (a dashboard answering keys between them) must leave the engine,
/// and tell the notifications, exactly as the same events applied whole.
@Suite("Cascades applied in slices")
struct CascadeSliceTests {
    static let symbol = "binance-usdm:BTCUSDT"

    /// A thin book, two thousand positions of every kind, then marks that fall through their
    /// triggers (cascades with deficits and ADL), book changes, a gap and a snapshot that unblocks
    /// what crossed while the book was stale, and a bounce that crosses shorts: one event per line.
    static func events() -> [MarketEvent] {
        var events: [MarketEvent] = []
        var time: Int64 = 10_000_000_000
        func next() -> Int64 {
            time += 700_000_000
            return time
        }
        events.append(.mark(symbol: symbol, price: Fixed(59_800), time: next()))
        for step in 1...12 {
            events.append(.mark(symbol: symbol, price: Fixed(59_800 - step * 350), time: next()))
            events.append(.bookUpdate(symbol: symbol, changes: [
                LevelChange(side: .bid, price: BookUnits.perUnit * Int64(59_990 - step * 7), size: 0),
                LevelChange(side: .ask, price: BookUnits.perUnit * Int64(60_000 + step), size: BookUnits.perUnit / 2),
            ], time: next()))
            if step == 6 {
                events.append(.bookGap(symbol: symbol, time: next()))
                events.append(.mark(symbol: symbol, price: Fixed(59_800 - step * 350 - 900), time: next()))
                let bids = (0..<40).map { (BookUnits.perUnit * Int64(57_000 - $0 * 5), BookUnits.perUnit / 4) }
                let asks = (0..<40).map { (BookUnits.perUnit * Int64(57_010 + $0 * 5), BookUnits.perUnit / 4) }
                events.append(.bookSnapshot(symbol: symbol, bids: bids, asks: asks, time: next()))
            }
        }
        events.append(.mark(symbol: symbol, price: Fixed(66_000), time: next()))
        events.append(.clock(time: next() + 60_000_000_000))
        return events
    }

    /// Cross accounts with a leg in ETHUSDT or NEWCOINUSDT, never marked, wait for that mark
    /// (`LiquidationBlock.noMark`): parked out of BTCUSDT's index through the cascade, and put back
    /// once it is over, sliced or whole (put back at every slice, their versions moved once a slice).
    static func start() -> Engine {
        var engine = BulkPlacementTests.engineWithBook()
        var notes: [EngineNotification] = []
        engine.apply(positions: BulkPlacementTests.mixedUpdates(count: 2_000), time: 2, into: &notes) { $0.removeAll() }
        return engine
    }

    static func expectSame(_ sliced: Engine, _ whole: Engine, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(sliced.positions == whole.positions, sourceLocation: sourceLocation)
        #expect(sliced.accounts == whole.accounts, sourceLocation: sourceLocation)
        #expect(sliced.totals == whole.totals, sourceLocation: sourceLocation)
        #expect(sliced.funds == whole.funds, sourceLocation: sourceLocation)
        #expect(sliced.clearing == whole.clearing, sourceLocation: sourceLocation)
        #expect(sliced.badDebt == whole.badDebt, sourceLocation: sourceLocation)
        #expect(sliced.ledger.postingCount == whole.ledger.postingCount, sourceLocation: sourceLocation)
        #expect(sliced.markets.map(\.triggers) == whole.markets.map(\.triggers), sourceLocation: sourceLocation)
        #expect(sliced.markets.map(\.counters) == whole.markets.map(\.counters), sourceLocation: sourceLocation)
        #expect(sliced.markets.map(\.signalReadings) == whole.markets.map(\.signalReadings), sourceLocation: sourceLocation)
        // The sparklines' histories too (kept apart from the readings).
        let histories = { (engine: Engine) in engine.markets.map { market in SignalKind.allCases.map { market.signalHistory($0) } } }
        #expect(histories(sliced) == histories(whole), sourceLocation: sourceLocation)
        #expect(sliced.nextSampleTime == whole.nextSampleTime, sourceLocation: sourceLocation)
    }

    @Test("sliced at 1, 3 or 64 liquidations, the engine and every notification are those of the events applied whole", arguments: [1, 3, 64])
    func slicedEqualsWhole(limit: Int) {
        var whole = Self.start()
        var wholeNotes: [EngineNotification] = []
        for event in Self.events() { whole.apply(event, into: &wholeNotes) }
        #expect(whole.totals.liquidations > 100, "the events cascade")
        #expect(whole.log(of: wholeNotes).adl > 0, "the cascade reaches ADL")

        var sliced = Self.start()
        var slicedNotes: [EngineNotification] = []
        var cuts = 0
        for event in Self.events() {
            sliced.apply(event, into: &slicedNotes, liquidationLimit: limit)
            while sliced.isMidCascade {
                cuts += 1
                sliced.continueCascade(into: &slicedNotes, liquidationLimit: limit)
            }
        }
        // Not every liquidation counts against a slice: a cross account's other legs go with it.
        #expect(cuts >= (limit == 64 ? 1 : 30), "the cascades were cut (\(cuts) times)")
        #expect(slicedNotes == wholeNotes)
        Self.expectSame(sliced, whole)
    }

    @Test("with every ADL ranking prepared in slices while the cascade waits, the engine and notifications are those of the events applied whole",
        arguments: [(-1, false), (0, false), (1, false), (3, false), (64, false), (1, true), (64, true)])
    func preparedRankingEqualsWhole(limit: Int, deferring: Bool) {
        var whole = Self.start()
        // Applied whole with every score exact; sliced with every side deferring its scores or none.
        whole.adlDeferralThreshold = .max
        var wholeNotes: [EngineNotification] = []
        for event in Self.events() { whole.apply(event, into: &wholeNotes) }
        #expect(whole.preparedRankingsTaken == 0, "applied whole, a deleverage ranks at once")

        var sliced = Self.start()
        // Every side counts as large: each ranking a sliced cascade needs is prepared.
        sliced.adlPreparationThreshold = 0
        sliced.adlDeferralThreshold = deferring ? 0 : .max
        var slicedNotes: [EngineNotification] = []
        var waits = 0
        for event in Self.events() {
            sliced.apply(event, into: &slicedNotes, liquidationLimit: limit)
            // A limit below one counts as one: the preparation goes on (bounded here, so a
            // regression fails instead of hanging).
            var calls = 0
            while sliced.isMidCascade && calls < 1_000_000 {
                calls += 1
                if sliced.adlPreparation != nil && !(sliced.adlPreparation?.isComplete ?? true) { waits += 1 }
                sliced.continueCascade(into: &slicedNotes, liquidationLimit: limit)
            }
            #expect(!sliced.isMidCascade, "the cascade ends")
        }
        #expect(sliced.preparedRankingsTaken > 0, "a deleverage took a prepared ranking")
        #expect(waits > 0, "the cascade waited while a ranking was prepared")
        #expect(slicedNotes == wholeNotes)
        Self.expectSame(sliced, whole)
    }

    /// Hedge-mode cross accounts hold both legs: when the long leg is liquidated, the account's
    /// wallet and other legs change, and so does its short leg's ADL score. A ranking prepared
    /// before those liquidations must take the short legs at their scores when it is used.
    @Test("a prepared ranking takes the positions of the accounts touched since at their new scores", arguments: 1...6)
    func preparedRankingRescoresTouchedAccounts(seed: Int) {
        var rng = SplitMix64(seed: UInt64(seed))
        func start() -> Engine {
            var engine = Engine()
            engine.openFund(asset: "USDT", balance: Fixed(50))
            let bids = (0..<3).map { (BookUnits.perUnit * Int64(58_990 - $0 * 10), BookUnits.perUnit / 100) }
            let asks = (0..<50).map { (BookUnits.perUnit * Int64(59_010 + $0 * 10), BookUnits.perUnit) }
            engine.apply(.bookSnapshot(symbol: Self.symbol, bids: bids, asks: asks, time: 1))
            engine.apply(.mark(symbol: Self.symbol, price: Fixed(59_000), time: 1))
            return engine
        }
        var updates: [PositionUpdate] = []
        for index in 0..<40 {
            let entry = Fixed(59_000 - 200 + Int(rng.next() % 400))
            let wallet = Fixed(200 + Int(rng.next() % 2_000))
            updates.append(PositionUpdate(account: "hedge\(index)", symbol: Self.symbol, side: .long,
                quantity: Fixed(1 + Int(rng.next() % 200)) / Fixed(100), entryPrice: entry, mode: .cross, walletBalance: wallet,
                leverage: Fixed(20 + Int(rng.next() % 80)), positionSide: .long))
            updates.append(PositionUpdate(account: "hedge\(index)", symbol: Self.symbol, side: .short,
                quantity: Fixed(1 + Int(rng.next() % 200)) / Fixed(100), entryPrice: Fixed(59_000 - 200 + Int(rng.next() % 400)),
                mode: .cross, leverage: Fixed(5 + Int(rng.next() % 50)), positionSide: .short))
            updates.append(PositionUpdate(account: "short\(index)", symbol: Self.symbol, side: .short,
                quantity: Fixed(1 + Int(rng.next() % 200)) / Fixed(100), entryPrice: Fixed(59_000 - 200 + Int(rng.next() % 400)),
                mode: .isolated, leverage: Fixed(2 + Int(rng.next() % 60))))
        }
        // Past the refresh period after placing (which may liquidate and rank already), in steps
        // 12 s apart so that the queue is due again now and then.
        let events: [MarketEvent] = (1...30).map { .mark(symbol: Self.symbol, price: Fixed(59_000 - $0 * 150), time: 40_000_000_000 + Int64($0) * 12_000_000_000) }

        var whole = start()
        var wholeNotes: [EngineNotification] = []
        whole.apply(positions: updates, time: 2, into: &wholeNotes) { $0.removeAll() }
        wholeNotes.removeAll()
        for event in events { whole.apply(event, into: &wholeNotes) }
        #expect(whole.log(of: wholeNotes).adl > 10, "the cascade deleverages")

        var sliced = start()
        sliced.adlPreparationThreshold = 0
        var slicedNotes: [EngineNotification] = []
        sliced.apply(positions: updates, time: 2, into: &slicedNotes) { $0.removeAll() }
        slicedNotes.removeAll()
        for event in events {
            sliced.apply(event, into: &slicedNotes, liquidationLimit: 1)
            while sliced.isMidCascade { sliced.continueCascade(into: &slicedNotes, liquidationLimit: 1) }
        }
        #expect(sliced.preparedRankingsTaken > 0)
        #expect(slicedNotes == wholeNotes)
        Self.expectSame(sliced, whole)
    }

    /// Under socialised loss, a bankrupt close's deficit is charged to the winners' wallets before
    /// what the book could not fill is deleveraged: the cross shorts' ADL scores move between the
    /// ranking prepared before the close and the deleverage. The prepared ranking must take them
    /// at their new scores, as a ranking made inside the liquidation does.
    @Test("a prepared ranking takes the winners charged by a socialised loss at their new scores", arguments: 1...8)
    func preparedRankingRescoresChargedWinners(seed: Int) {
        var rng = SplitMix64(seed: UInt64(seed))
        var configuration = EngineConfiguration()
        configuration.shortfall = .socialisedLoss
        configuration.unfilled = .adl
        configuration.liquidation = .full
        var updates = [PositionUpdate(account: "bankrupt", symbol: Self.symbol, side: .long, quantity: Fixed(3), entryPrice: Fixed(60_000),
            mode: .isolated, leverage: Fixed(20))]
        for index in 0..<30 {
            updates.append(PositionUpdate(account: "winner\(index)", symbol: Self.symbol, side: .short,
                quantity: Fixed(1 + Int(rng.next() % 100)) / Fixed(100), entryPrice: Fixed(60_000 + Int(rng.next() % 400)),
                mode: .cross, walletBalance: Fixed(300 + Int(rng.next() % 600))))
        }
        func start() -> Engine {
            var engine = Engine(configuration: configuration)
            engine.openFund(asset: "USDT", balance: .zero)
            // One bid far below: the close fills a little there, at a deficit, and the rest is unfilled.
            engine.apply(.bookSnapshot(symbol: Self.symbol, bids: [(BookUnits.perUnit * 55_000, BookUnits.perUnit / 2)],
                asks: [(BookUnits.perUnit * 60_010, BookUnits.perUnit)], time: 1))
            engine.apply(.mark(symbol: Self.symbol, price: Fixed(60_000), time: 1))
            var notes: [EngineNotification] = []
            engine.apply(positions: updates, time: 2, into: &notes) { $0.removeAll() }
            return engine
        }
        let fall = MarketEvent.mark(symbol: Self.symbol, price: Fixed(57_100), time: 60_000_000_000)
        var whole = start()
        var wholeNotes: [EngineNotification] = []
        whole.apply(fall, into: &wholeNotes)
        #expect(wholeNotes.contains { if case .socialisedLoss = $0 { return true } else { return false } }, "the deficit is socialised")
        #expect(whole.log(of: wholeNotes).adl > 0, "the unfilled rest is deleveraged")
        var sliced = start()
        sliced.adlPreparationThreshold = 0
        var slicedNotes: [EngineNotification] = []
        sliced.apply(fall, into: &slicedNotes, liquidationLimit: 1)
        while sliced.isMidCascade { sliced.continueCascade(into: &slicedNotes, liquidationLimit: 1) }
        #expect(sliced.preparedRankingsTaken == 1)
        #expect(slicedNotes == wholeNotes)
        Self.expectSame(sliced, whole)
    }

    @Test("an event that comes while a cascade is cut finishes it first: the same as applying both whole")
    func eventInsideCut() {
        var whole = Self.start()
        var wholeNotes: [EngineNotification] = []
        var sliced = Self.start()
        var slicedNotes: [EngineNotification] = []
        var leftUnfinished = 0
        for event in Self.events() {
            whole.apply(event, into: &wholeNotes)
            // Never continued: each next event (or position) must finish the cut one itself.
            sliced.apply(event, into: &slicedNotes, liquidationLimit: 2)
            if sliced.isMidCascade { leftUnfinished += 1 }
        }
        #expect(leftUnfinished > 3)
        var finalNotes: [EngineNotification] = []
        sliced.finishCascade(into: &finalNotes)
        slicedNotes += finalNotes
        #expect(slicedNotes == wholeNotes)
        Self.expectSame(sliced, whole)
    }

    @Test("a stress taken in the middle of a cut cascade projects the rest of it and then the shock")
    func stressMidCascade() throws {
        var engine = Self.start()
        var notes: [EngineNotification] = []
        let events = Self.events()
        var cutAt: Int? = nil
        for (index, event) in events.enumerated() {
            engine.apply(event, into: &notes, liquidationLimit: 5)
            if engine.isMidCascade { cutAt = index; break }
        }
        let index = try #require(cutAt)
        var finished = engine
        var rest: [EngineNotification] = []
        finished.finishCascade(into: &rest)
        let pending = rest.filter { if case .liquidation = $0 { return true } else { return false } }.count
        #expect(pending > 0, "event \(index) left liquidations for later")
        let mid = try engine.stress(symbol: Self.symbol, shockPercent: Fixed(-10))
        let after = try finished.stress(symbol: Self.symbol, shockPercent: Fixed(-10))
        #expect(mid.fundAfter == after.fundAfter)
        #expect(mid.liquidations.count == pending + after.liquidations.count)
        #expect(engine.isMidCascade, "the engine itself is untouched by its stress")
    }

    @Test("a separated engine equals the one it was copied from, and the two change independently")
    func separatedStorage() {
        var engine = Self.start()
        var notes: [EngineNotification] = []
        for event in Self.events().prefix(10) { engine.apply(event, into: &notes) }
        var copy = engine
        copy.separateStorage()
        Self.expectSame(copy, engine)
        #expect(copy.markets.map(\.positionIndices) == engine.markets.map(\.positionIndices))
        copy.apply(.mark(symbol: Self.symbol, price: Fixed(30_000), time: engine.time + 1), into: &notes)
        #expect(copy.positions != engine.positions)
        #expect(copy.totals.liquidations > engine.totals.liquidations)
    }
}

private extension Engine {
    /// Counts of what notifications tell (enough to check a cascade reached ADL).
    func log(of notes: [EngineNotification]) -> (liquidations: Int, adl: Int) {
        var liquidations = 0
        var adl = 0
        for note in notes {
            if case .liquidation = note { liquidations += 1 }
            if case .adl = note { adl += 1 }
        }
        return (liquidations, adl)
    }
}
