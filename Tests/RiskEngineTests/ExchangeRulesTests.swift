import Testing
@testable import RiskEngine

/// The rules as the exchanges document them, checked against their published figures (the sources
/// are named in the README's "Where the figures come from").
@Suite("Exchange rules: COIN-M, ADL ranking, tiers, the remainder of a liquidation")
struct ExchangeRulesTests {
    func inverse(_ side: Side, contracts: Int, at entry: String, size: Int = 100, brackets: BracketTable = Instrument.binanceBTCUSDPerpBrackets) -> PositionTerms {
        PositionTerms(side: side, quantity: Fixed(contracts), entryPrice: fx(entry), kind: .inverse(contractSize: Fixed(size)), brackets: brackets)
    }

    // MARK: Binance COIN-M

    @Test("BTCUSD_PERP brackets: at 300 BTC the rate is 12.5 % and the maintenance amount 11.605 BTC (MM 25.895 BTC)")
    func coinMBrackets() {
        let table = Instrument.binanceBTCUSDPerpBrackets
        #expect(table.brackets.map { $0.notionalCap.isZero ? "" : ($0.notionalCap == .max ? "∞" : $0.notionalCap.formatted(0)) }
            == ["5", "10", "20", "50", "100", "200", "400", "1000", "1500", "∞"])
        let bracket = table.bracket(forNotional: Fixed(300))
        #expect(bracket.maintenanceMarginRate == fx("0.125"))
        #expect(bracket.maintenanceAmount == fx("11.605"))
        #expect(bracket.maintenanceMargin(notional: Fixed(300)) == fx("25.895"))
        #expect(table.brackets.map { $0.maintenanceAmount } == ["0", "0.005", "0.055", "0.355", "1.605", "6.605", "11.605", "21.605", "121.605", "496.605"].map { fx($0) })
        // Binance's example: 100 contracts at a mark of 25,000 are 0.4 BTC, first bracket: MM 0.0016 BTC.
        let small = inverse(.long, contracts: 100, at: "25000")
        #expect(MarginMath.maintenance(small, rules: .binance, at: Fixed(25_000)).margin == fx("0.0016"))
        // The maintenance margin is continuous across every cap.
        for (lower, upper) in zip(table.brackets, table.brackets.dropFirst()) where lower.notionalCap != .max {
            #expect(lower.maintenanceMargin(notional: lower.notionalCap) == upper.maintenanceMargin(notional: lower.notionalCap))
        }
    }

    @Test("COIN-M cross long: wallet 101 BTC, 100,000 contracts (10,000,000 USD) at 45,000 → 33,599.42 (Binance's calculator: 33,599.40)")
    func coinMCrossLong() {
        let terms = inverse(.long, contracts: 100_000, at: "45000")
        let price = MarginMath.liquidationPrice(terms, context: MarginContext(collateral: Fixed(101)), rules: .binance)!
        // N·(1 + MMR) / (WB + cum + N/EP) with the 12.5 % bracket (cum 11.605): 11,250,000 / 334.8272…
        #expect(price.formatted(2) == "33599.42")
        #expect((price - fx("33599.40")).magnitude < fx("0.05"))
        // With the old table's 11.81 the same position gave the forum's "wrong" 33,578.86.
        let older = BracketTable(caps: [10, 20, 30, 50, 100, 200, 400, 1_000, 1_500].map { Fixed($0) } + [.max],
            rates: ["0.004", "0.005", "0.01", "0.025", "0.05", "0.10", "0.125", "0.15", "0.25", "0.50"].map { fx($0) })
        #expect(older.bracket(forNotional: Fixed(300)).maintenanceAmount == fx("11.81"))
        let olderTerms = inverse(.long, contracts: 100_000, at: "45000", brackets: older)
        #expect(MarginMath.liquidationPrice(olderTerms, context: MarginContext(collateral: Fixed(101)), rules: .binance)?.formatted(2) == "33578.86")
    }

    @Test("COIN-M shorts are liquidated: LP = N·(1 − MMR) ÷ (N/EP − WB − cum), isolated and cross", arguments: [2, 5, 20, 125])
    func coinMShort(leverage: Int) {
        let terms = inverse(.short, contracts: 3_000, at: "60000")
        let margin = MarginMath.notional(terms, at: terms.entryPrice) / Fixed(leverage)
        for context in [MarginContext.isolated(margin: margin), MarginContext(collateral: margin * Fixed(2), otherMaintenance: margin / Fixed(2), otherUnrealised: -margin / Fixed(4))] {
            let price = MarginMath.liquidationPrice(terms, context: context, rules: .binance)!
            #expect(price > terms.entryPrice)
            let n = Fixed(300_000)
            let available = context.collateral - context.otherMaintenance + context.otherUnrealised
            let bracket = terms.brackets.bracket(forNotional: MarginMath.notional(terms, at: price))
            let expected = n * (Fixed.one - bracket.maintenanceMarginRate) / (n / terms.entryPrice - available - bracket.maintenanceAmount)
            #expect((price - expected).magnitude < fx("0.000001"), "\(leverage)x: \(price) against \(expected)")
        }
    }

    @Test("the engine liquidates a COIN-M short when the mark rises through its liquidation price")
    func coinMShortInEngine() {
        var engine = Engine()
        engine.openFund(asset: "BTC", balance: Fixed(10))
        engine.apply(.bookSnapshot(symbol: "BTCUSD_PERP", bids: [(units("59990"), units("100000"))], asks: [(units("60010"), units("100000"))], time: 1))
        engine.apply(.mark(symbol: "BTCUSD_PERP", price: Fixed(60_000), time: 1))
        engine.apply(.position(PositionUpdate(account: "s", symbol: "BTCUSD_PERP", side: .short, quantity: Fixed(3_000),
            entryPrice: Fixed(60_000), mode: .isolated, leverage: Fixed(20)), time: 2))
        let liquidation = engine.positions[0].liquidation
        #expect(liquidation != nil)
        #expect(engine.risk(of: 0).distanceToLiquidationPct != nil)
        let notes = engine.apply(.mark(symbol: "BTCUSD_PERP", price: liquidation! + Fixed(5), time: 3))
        #expect(notes.liquidations.count == 1)
        #expect(!engine.positions[0].isOpen)
    }

    // MARK: Binance USDⓈ-M, a two-position cross account

    static let ethusdtBrackets = BracketTable(caps: [10_000, 100_000, 500_000, 1_000_000, 2_000_000, 5_000_000, 10_000_000].map { Fixed($0) },
        rates: ["0.005", "0.0065", "0.01", "0.02", "0.05", "0.10", "0.125"].map { fx($0) })

    @Test("USDⓈ-M cross account (BTC long 109.488 at 32,481.98, ETH long 3,683.979 at 1,456.84, wallet 1,535,443.01): LPs 26,316.89 and 1,153.26")
    func usdmCrossAccount() {
        #expect(Self.ethusdtBrackets.bracket(forNotional: Fixed(4_900_000)).maintenanceAmount == Fixed(135_365))
        let btc = PositionTerms(side: .long, quantity: fx("109.488"), entryPrice: fx("32481.98"), kind: .linear, brackets: Instrument.binanceBTCUSDTBrackets)
        let eth = PositionTerms(side: .long, quantity: fx("3683.979"), entryPrice: fx("1456.84"), kind: .linear, brackets: Self.ethusdtBrackets)
        let wallet = fx("1535443.01")
        let btcMark = fx("31967.27")
        let ethMark = fx("1335.18")
        let forBTC = MarginContext(collateral: wallet, otherMaintenance: MarginMath.maintenance(eth, rules: .binance, at: ethMark).margin,
            otherUnrealised: MarginMath.unrealisedPnL(eth, at: ethMark))
        let forETH = MarginContext(collateral: wallet, otherMaintenance: MarginMath.maintenance(btc, rules: .binance, at: btcMark).margin,
            otherUnrealised: MarginMath.unrealisedPnL(btc, at: btcMark))
        #expect(MarginMath.liquidationPrice(btc, context: forBTC, rules: .binance)?.formatted(2) == "26316.89")
        #expect(MarginMath.liquidationPrice(eth, context: forETH, rules: .binance)?.formatted(2) == "1153.26")
        // The same wallet as each one's isolated margin.
        #expect(MarginMath.liquidationPrice(btc, context: .isolated(margin: wallet), rules: .binance)?.formatted(2) == "18778.73")
        #expect(MarginMath.liquidationPrice(eth, context: .isolated(margin: wallet), rules: .binance)?.formatted(2) == "1114.78")
    }

    // MARK: Bybit tiers

    @Test("Bybit BTCUSDT risk-limit tiers: every maintenance deduction as Bybit publishes it")
    func bybitTiers() {
        let caps = [2, 2.6, 3.2, 3.8, 4.4, 5, 5.6, 8.5, 10, 14, 20, 28, 38, 50, 55, 60, 65, 70, 75, 80].map { Fixed(approximating: $0 * 1_000_000) }
        let rates = ["0.005", "0.0056", "0.0063", "0.0067", "0.0071", "0.0077", "0.0091", "0.01", "0.013", "0.015", "0.016", "0.02", "0.025",
            "0.029", "0.03", "0.035", "0.036", "0.038", "0.04", "0.045"].map { fx($0) }
        let table = BracketTable(caps: caps, rates: rates)
        let deductions = [0, 1_200, 3_020, 4_300, 5_820, 8_460, 15_460, 20_500, 46_000, 66_000, 80_000, 160_000, 300_000, 452_000, 502_000,
            777_000, 837_000, 967_000, 1_107_000, 1_482_000].map { Fixed($0) }
        #expect(table.brackets.map(\.maintenanceAmount) == deductions)
    }

    // MARK: ADL ranking

    /// Two isolated longs and a short of TESTUSDT at entry 100; the book and mark are set by the caller.
    func adlEngine(_ ranking: ADLRanking) -> Engine {
        var configuration = EngineConfiguration()
        configuration.adlRanking = ranking
        var engine = engine(with: [testInstrument()], configuration: configuration)
        engine.openFund(asset: "USDT", balance: Fixed(1_000))
        engine.apply(.mark(symbol: "TESTUSDT", price: Fixed(100), time: 1))
        engine.apply(.bookSnapshot(symbol: "TESTUSDT", bids: [(units("99.9"), units("1000"))], asks: [(units("100.1"), units("1000"))], time: 1))
        // Profitable at 110: 10 units with 200 of margin (5x), 10 units with 50 (20x); a loser short.
        engine.apply(.position(PositionUpdate(account: "low", symbol: "TESTUSDT", side: .long, quantity: Fixed(10), entryPrice: Fixed(100),
            mode: .isolated, isolatedMargin: Fixed(200)), time: 2))
        engine.apply(.position(PositionUpdate(account: "high", symbol: "TESTUSDT", side: .long, quantity: Fixed(10), entryPrice: Fixed(100),
            mode: .isolated, isolatedMargin: Fixed(50)), time: 2))
        engine.apply(.position(PositionUpdate(account: "loser", symbol: "TESTUSDT", side: .short, quantity: Fixed(1), entryPrice: Fixed(100),
            mode: .isolated, isolatedMargin: Fixed(50)), time: 2))
        engine.apply(.mark(symbol: "TESTUSDT", price: Fixed(110), time: 3))
        return engine
    }

    @Test("Binance LeveragePnL = max(0, uPnL) ÷ max(1, collateral) × maintenance ÷ (collateral + uPnL); a loser scores 0")
    func binanceRanking() {
        let engine = adlEngine(.binance)
        // high: uPnL 100, collateral 50 → 2; MM 1,100 × 0.5 % = 5.5, balance 150 → ratio 0.036666…; score 0.073333…
        #expect(engine.adlScore(of: 1) == Fixed(2) * (fx("5.5") / Fixed(150)))
        // low: 100 ÷ 200 × 5.5 ÷ 300
        #expect(engine.adlScore(of: 0) == fx("0.5") * (fx("5.5") / Fixed(300)))
        #expect(engine.adlScore(of: 2) == .zero)
        #expect(engine.adlRanking(market: 0, side: .long).map(\.position) == [1, 0])
        let queue = engine.adlQueue()
        #expect(queue[1]?.lights == 5 && queue[0]?.lights == 3)
        // Alone on its side, the losing short would still be deleveraged first: none ahead of it.
        #expect(queue[2]?.lights == 5 && queue[2]?.of == 1 && queue[2]?.ahead == 0)
        #expect(queue[1]?.ahead == 0 && queue[0]?.ahead == 1)
        // The estimate from a sample counts those ahead too, a stride each.
        #expect(engine.adlQueueEstimate(of: 0, sortedScores: [engine.adlScore(of: 0), engine.adlScore(of: 1)], stride: 1)?.ahead == 1)
        #expect(engine.adlQueueEstimate(of: 0, sortedScores: [.zero, engine.adlScore(of: 0), engine.adlScore(of: 1), Fixed(9)], stride: 10)?.ahead == 20)
        #expect(ADLQueueEntry.countBelow(.zero, in: [.zero, .zero, Fixed(1)], orEqual: true) == 2)
        #expect(ADLQueueEntry.countBelow(.zero, in: [.zero, .zero, Fixed(1)], orEqual: false) == 0)
    }

    @Test("BitMEX: PnL% × effective leverage on position values; an inverse short's values are in coin")
    func bitmexRanking() {
        let engine = adlEngine(.bitmex)
        // high: PnL% 0.1, value 1,100 against bankruptcy value 950 → leverage 1,100 ÷ 150.
        #expect(engine.adlScore(of: 1) == fx("0.1") * (Fixed(1_100) / Fixed(150)))
        #expect(engine.adlScore(of: 2).isNegative)
        // Inverse: the most profitable COIN-M shorts rank first (they were sent to the back when the
        // score took |entry value + PnL| for the mark value).
        var configuration = EngineConfiguration()
        configuration.adlRanking = .bitmex
        var coin = Engine(configuration: configuration)
        coin.openFund(asset: "BTC", balance: Fixed(10))
        coin.apply(.mark(symbol: "BTCUSD_PERP", price: Fixed(60_000), time: 1))
        coin.apply(.bookSnapshot(symbol: "BTCUSD_PERP", bids: [(units("59990"), units("100000"))], asks: [(units("60010"), units("100000"))], time: 1))
        for (account, entry) in [("small-win", 61_000), ("big-win", 70_000), ("loss", 55_000)] {
            coin.apply(.position(PositionUpdate(account: account, symbol: "BTCUSD_PERP", side: .short, quantity: Fixed(1_000),
                entryPrice: Fixed(entry), mode: .isolated, leverage: Fixed(10)), time: 2))
        }
        #expect(coin.adlRanking(market: 0, side: .short).map { coin.accounts[Int(coin.positions[Int($0.position)].accountIndex)].id }
            == ["big-win", "small-win", "loss"])
        // PnL% = entry ÷ mark − 1 for an inverse short.
        let bigWin = coin.valueScore(of: 1)
        let pnlPercent = Fixed(70_000) / Fixed(60_000) - .one
        #expect(bigWin.isPositive && bigWin > pnlPercent)
    }

    // MARK: What the book cannot fill

    /// A long of 10 at 100 with 10 of margin, an ADL counterparty short, and a book with 4 units of bid.
    func thinBook(_ rule: UnfilledRule) -> (Engine, [EngineNotification]) {
        var configuration = EngineConfiguration()
        configuration.unfilled = rule
        var engine = engine(with: [testInstrument()], configuration: configuration)
        engine.openFund(asset: "USDT", balance: Fixed(1_000))
        engine.apply(.mark(symbol: "TESTUSDT", price: Fixed(100), time: 1))
        engine.apply(.bookSnapshot(symbol: "TESTUSDT", bids: [(units("99.30"), units("4"))], asks: [(units("100.10"), units("1000"))], time: 1))
        engine.apply(.position(PositionUpdate(account: "loser", symbol: "TESTUSDT", side: .long, quantity: Fixed(10),
            entryPrice: Fixed(100), mode: .isolated, isolatedMargin: Fixed(10)), time: 2))
        engine.apply(.position(PositionUpdate(account: "winner", symbol: "TESTUSDT", side: .short, quantity: Fixed(20),
            entryPrice: Fixed(110), mode: .isolated, isolatedMargin: Fixed(500)), time: 2))
        let notes = engine.apply(.mark(symbol: "TESTUSDT", price: fx("99.40"), time: 3))
        return (engine, notes)
    }

    @Test("ADL rule: what the book cannot fill is closed against the ADL queue at the bankruptcy price")
    func unfilledToADL() {
        let (engine, notes) = thinBook(.adl)
        let record = notes.liquidations[0]
        #expect(record.filledQuantity == Fixed(4) && record.unfilledQuantity == Fixed(6))
        #expect(record.adlQuantity == Fixed(6) && record.fundTakeoverQuantity.isZero)
        let adl = notes.adl
        #expect(adl.map(\.quantity).reduce(.zero, +) == Fixed(6))
        #expect(adl.allSatisfy { $0.price == fx("99") && $0.notional == Fixed(6) * fx("99") && $0.asset == "USDT" })
        #expect(engine.positions[1].quantity == Fixed(14))
        #expect(engine.moneyInSystem(asset: "USDT") == engine.deposits["USDT"])
    }

    @Test("fund-takes-over rule: the fund holds what the book cannot fill, marked to market, and its loss is stressed")
    func unfilledToFund() {
        var (engine, notes) = thinBook(.fundTakesOver)
        let record = notes.liquidations[0]
        #expect(record.unfilledQuantity == Fixed(6) && record.fundTakeoverQuantity == Fixed(6) && record.adlQuantity.isZero)
        #expect(notes.adl.isEmpty)
        let market = engine.market("TESTUSDT")!
        #expect(market.fundLong.quantity == Fixed(6) && market.fundLong.entryPrice == fx("99"))
        #expect(market.fundExposure(at: fx("98")) == Fixed(-6))
        // The mark falls: the fund's loss on what it holds is exposure, in its state and the stressed deficit.
        engine.apply(.mark(symbol: "TESTUSDT", price: fx("97"), time: 4))
        engine.apply(.clock(time: 5_000_000_000))
        #expect(engine.fundState(asset: "USDT").takeoverExposure == Fixed(-12))
        #expect(engine.market("TESTUSDT")!.stressed.deficit >= Fixed(12))
        #expect(engine.moneyInSystem(asset: "USDT") == engine.deposits["USDT"])
    }

    @Test("fund-takes-over: each shock of the stress ladder marks what the fund holds at the shocked mark (attacker trial: 'fund after' read the same at every shock)")
    func stressMarksHoldings() throws {
        let (engine, _) = thinBook(.fundTakesOver)
        let market = try #require(engine.market("TESTUSDT"))
        #expect(market.fundLong.quantity == Fixed(6))
        let ladder = engine.stressLadder(symbol: "TESTUSDT")
        #expect(ladder.count == StressLadder.shocks.count)
        for step in ladder {
            // Nothing is left to liquidate: it holds after each shock what it holds now, at the shocked mark.
            #expect(step.liquidationCount == 0)
            #expect(step.fundHoldingsPnL == market.fundExposure(at: step.markAfter))
            #expect(step.fundEquityAfter == step.fundAfter + step.fundHoldingsPnL && step.fundHolds)
        }
        // The fund held 6 bought at 99: at -20 % it loses about 6 × 99 × 0.2 on them, and more
        // at -20 % than at -1 %.
        let down20 = try #require(ladder.first { $0.shockPercent == Fixed(-20) })
        let down1 = try #require(ladder.first { $0.shockPercent == Fixed(-1) })
        #expect(down20.fundHoldingsPnL < down1.fundHoldingsPnL && down1.fundHoldingsPnL.isNegative)
        #expect(down20.fundHoldingsPnL <= Fixed(-6) * (fx("99") - down20.markAfter) + Fixed(1))
        // Up 20 %: the long it holds gains.
        let up20 = try #require(ladder.first { $0.shockPercent == Fixed(20) })
        #expect(up20.fundHoldingsPnL.isPositive)
    }

    @Test("an empty book: everything goes to ADL, nothing is booked as filled at the bankruptcy price")
    func emptyBookGoesToADL() {
        var engine = engine(with: [testInstrument()])
        engine.openFund(asset: "USDT", balance: Fixed(100))
        engine.apply(.bookSnapshot(symbol: "TESTUSDT", bids: [], asks: [], time: 1))
        engine.apply(.position(PositionUpdate(account: "a", symbol: "TESTUSDT", side: .long, quantity: Fixed(10),
            entryPrice: Fixed(100), mode: .isolated, isolatedMargin: Fixed(10)), time: 1))
        let record = engine.apply(.mark(symbol: "TESTUSDT", price: fx("99.40"), time: 2)).liquidations[0]
        #expect(record.filledQuantity.isZero && record.unfilledQuantity == Fixed(10) && record.adlQuantity == Fixed(10))
        #expect(record.averageFill == nil)
        #expect(engine.totals.adlQuantityBySymbol["TESTUSDT"] == nil)
    }

    /// A long of 10 over a book of 3 on the bid, nobody monitored on the other side: what the
    /// book cannot fill (7) goes to ADL beyond the monitored positions.
    func thinBookWithOneLong() -> Engine {
        var engine = engine(with: [testInstrument()])
        engine.openFund(asset: "USDT", balance: Fixed(1_000_000))
        engine.apply(.mark(symbol: "TESTUSDT", price: Fixed(100), time: 1))
        engine.apply(.bookSnapshot(symbol: "TESTUSDT", bids: [(units("99.90"), units("3"))], asks: [(units("100.10"), units("1000"))], time: 1))
        engine.apply(.position(PositionUpdate(account: "a", symbol: "TESTUSDT", side: .long, quantity: Fixed(10),
            entryPrice: Fixed(100), mode: .isolated, isolatedMargin: Fixed(20)), time: 1))
        return engine
    }

    @Test("the stressed deficit counts what the book cannot fill and alerts: ADL would follow")
    func stressedCountsUnfilled() {
        var engine = thinBookWithOneLong()
        for second in 2...30 { engine.apply(.clock(time: Int64(second) * 1_000_000_000)) }
        let stressed = engine.market("TESTUSDT")!.stressed
        #expect(stressed.deficit.isZero)
        #expect(stressed.unfilledQuantity == Fixed(7))
        #expect(stressed.adlCertain)
        let reading = engine.market("TESTUSDT")!.signalReadings[.stressedDeficit]!
        #expect(reading.level == .alert && reading.unfilledQuantity == 7)
        // Its history rises with what the book cannot fill (7 at the bankruptcy price, about 98),
        // though the deficit itself is 0.
        let history = engine.market("TESTUSDT")!.signalHistory(.stressedDeficit)
        #expect((history.last ?? 0) > 600, "\(history.suffix(3))")
        #expect(engine.fundState(asset: "USDT").adl == .near)
        // The quantity is the market's, in its unit (the fund pane read it as money).
        #expect(engine.fundState(asset: "USDT").stressedUnit == "TEST")
        // The what-if into that book shows the ADL.
        let projection = try! engine.stress(symbol: "TESTUSDT", shockPercent: Fixed(-5))
        #expect(projection.unfilledQuantity == Fixed(7) && projection.adlQuantity == Fixed(7))
        // Nobody monitored is on the other side: all of it is beyond the monitored book.
        #expect(projection.adlUnfilled == Fixed(7) && projection.adl.isEmpty)
    }

    /// An operator's trial: 0.621 BTC deleveraged against positions the session does not watch
    /// read "ADL idle" and "ADL: 0 events".
    @Test("ADL beyond the monitored positions is ADL: the fund says it happened, the log tallies it")
    func adlBeyondMonitored() {
        var engine = thinBookWithOneLong()
        #expect(engine.fundState(asset: "USDT").adl != .happened)
        var log = SessionLog()
        let notes = engine.apply(.mark(symbol: "TESTUSDT", price: Fixed(95), time: 2_000_000_000))
        log.record(notes)
        #expect(notes.liquidations.count == 1)
        let fund = engine.funds.first { $0.asset == "USDT" }!
        #expect(fund.adlEvents == 0 && fund.adlBeyondMonitored == 1)
        // Under way for 10 s of session time (`adlUnderWaySeconds`), then it has happened.
        #expect(engine.fundState(asset: "USDT").adl == .underWay)
        engine.apply(.mark(symbol: "TESTUSDT", price: Fixed(95), time: 12_000_000_000))
        #expect(engine.fundState(asset: "USDT").adl == .underWay)
        engine.apply(.mark(symbol: "TESTUSDT", price: Fixed(95), time: 12_000_000_001))
        #expect(engine.fundState(asset: "USDT").adl == .happened)
        #expect(log.adlCount == 0)
        #expect(log.adlBeyondMonitoredCount == 1)
        #expect(log.adlBeyondMonitored["TESTUSDT"] == Fixed(7))
    }

    @Test("a shock so near -100 % that the mark rounds to 0 projects at one tick, and liquidates every long (it read 0.00: nothing)")
    func shockToZeroProjectsAtOneTick() throws {
        var engine = engine(with: [testInstrument()])
        engine.openFund(asset: "USDT", balance: Fixed(1_000))
        engine.apply(.mark(symbol: "TESTUSDT", price: Fixed(100), time: 1))
        engine.apply(.bookSnapshot(symbol: "TESTUSDT", bids: [(units("99.90"), units("3"))], asks: [(units("100.10"), units("1000"))], time: 1))
        for account in ["a", "b"] {
            engine.apply(.position(PositionUpdate(account: account, symbol: "TESTUSDT", side: .long, quantity: Fixed(1),
                entryPrice: Fixed(100), mode: .isolated, isolatedMargin: Fixed(50)), time: 1))
        }
        let tick = engine.market("TESTUSDT")!.instrument.tickSize
        let projection = try engine.stress(symbol: "TESTUSDT", shockPercent: Fixed("-99.99999")!)
        #expect(projection.markAfter == tick)
        #expect(projection.liquidations.count == 2)
    }

    // MARK: Partial liquidation by tiers

    @Test("tiered partial: a position above the first bracket is cut to the bracket below's cap, paying the fee on each step")
    func tieredPartial() {
        var configuration = EngineConfiguration()
        configuration.liquidation = .tiered
        let table = BracketTable(caps: [Fixed(1_000), Fixed(5_000), Fixed(100_000)], rates: [fx("0.01"), fx("0.02"), fx("0.05")])
        let instrument = Instrument(symbol: "TIERUSDT", tickSize: fx("0.01"), lotSize: .one, kind: .linear, settlementAsset: "USDT",
            brackets: table, liquidationFeeRate: fx("0.005"))
        var engine = engine(with: [instrument], configuration: configuration)
        engine.openFund(asset: "USDT", balance: Fixed(10_000))
        engine.apply(.mark(symbol: "TIERUSDT", price: Fixed(100), time: 1))
        engine.apply(.bookSnapshot(symbol: "TIERUSDT", bids: [(units("99.99"), units("1000"))], asks: [(units("100.01"), units("1000"))], time: 1))
        // 80 units at 100: 8,000 notional, the 5 % bracket; 10x.
        engine.apply(.position(PositionUpdate(account: "big", symbol: "TIERUSDT", side: .long, quantity: Fixed(80), entryPrice: Fixed(100),
            mode: .isolated, isolatedMargin: Fixed(800)), time: 2))
        let trigger = engine.positions[0].liquidation!
        let notes = engine.apply(.mark(symbol: "TIERUSDT", price: trigger - fx("0.01"), time: 3))
        let steps = notes.liquidations
        #expect(!steps.isEmpty)
        // The first step leaves a quantity whose notional fits the 2 % bracket's cap of 5,000.
        let first = steps[0]
        #expect(first.isPartial)
        #expect(Fixed(80) - first.quantity == (Fixed(5_000) / trigger).rounded(toMultipleOf: .one, .down))
        #expect(first.fee == (first.notional * fx("0.005")).rounded(places: 18))
        #expect(engine.moneyInSystem(asset: "USDT") == engine.deposits["USDT"])
    }

    // MARK: Hedge mode

    @Test("hedge mode: isolated LONG and SHORT legs are two positions; cross legs of one symbol are refused, never overwritten")
    func hedgeMode() {
        var engine = engine(with: [testInstrument()])
        engine.apply(.mark(symbol: "TESTUSDT", price: Fixed(100), time: 1))
        engine.apply(.position(PositionUpdate(account: "h", symbol: "TESTUSDT", side: .long, quantity: Fixed(5), entryPrice: Fixed(100),
            mode: .isolated, isolatedMargin: Fixed(50), positionSide: .long), time: 2))
        engine.apply(.position(PositionUpdate(account: "h", symbol: "TESTUSDT", side: .short, quantity: Fixed(3), entryPrice: Fixed(101),
            mode: .isolated, isolatedMargin: Fixed(30), positionSide: .short), time: 2))
        #expect(engine.positions.filter(\.isOpen).count == 2)
        #expect(Set(engine.positions.map(\.side)) == [.long, .short])
        var notes = engine.apply(.position(PositionUpdate(account: "c", symbol: "TESTUSDT", side: .long, quantity: Fixed(5), entryPrice: Fixed(100),
            mode: .cross, walletBalance: Fixed(100), positionSide: .long), time: 3))
        notes += engine.apply(.position(PositionUpdate(account: "c", symbol: "TESTUSDT", side: .short, quantity: Fixed(5), entryPrice: Fixed(100),
            mode: .cross, positionSide: .short), time: 3))
        #expect(engine.totals.positionsRejected == 1)
        #expect(notes.contains { if case .positionRejected(_, _, let reason, _) = $0 { return reason.contains("cross margin") } else { return false } })
        // A one-way update beside hedge legs is refused too.
        engine.apply(.position(PositionUpdate(account: "h", symbol: "TESTUSDT", side: .long, quantity: Fixed(1), entryPrice: Fixed(100),
            mode: .isolated, isolatedMargin: Fixed(10)), time: 4))
        #expect(engine.totals.positionsRejected == 2)
        #expect(engine.positions[0].quantity == Fixed(5))
    }

    @Test("a closed position is reopened in place, and a closed leg does not block the other mode")
    func reopenInPlace() {
        var engine = engine(with: [testInstrument()])
        engine.apply(.mark(symbol: "TESTUSDT", price: Fixed(100), time: 1))
        func place(_ quantity: Fixed, _ positionSide: PositionSide = .both, side: Side = .long) -> [EngineNotification] {
            engine.apply(.position(PositionUpdate(account: "r", symbol: "TESTUSDT", side: side, quantity: quantity, entryPrice: Fixed(100),
                mode: .isolated, isolatedMargin: Fixed(50), positionSide: positionSide), time: 2))
        }
        _ = place(Fixed(5))
        _ = place(.zero)
        #expect(engine.positions.count == 1 && !engine.positions[0].isOpen)
        #expect(engine.accounts[0].positions == [0])
        _ = place(Fixed(2))
        #expect(engine.positions.count == 1 && engine.positions[0].quantity == Fixed(2))
        #expect(engine.accounts[0].positions == [0])
        // Closed again, a hedge-mode leg is no longer beside a one-way position: accepted.
        _ = place(.zero)
        let notes = place(Fixed(1), .short, side: .short)
        #expect(!notes.contains { if case .positionRejected = $0 { return true } else { return false } })
        #expect(engine.positions.count == 2 && engine.positions[1].isOpen && engine.positions[1].positionSide == .short)
        #expect(engine.positions[1].liquidationPrice.isPositive)
    }

    // MARK: Mark price from the index

    @Test("with an index and no mark stream, the mark is Binance's median of P1, P2 and the contract price")
    func indexAnchoredMark() {
        var engine = engine(with: [testInstrument()])
        engine.apply(.bookSnapshot(symbol: "TESTUSDT", bids: [(units("100.00"), units("10"))], asks: [(units("100.20"), units("10"))], time: 1_000_000_000))
        #expect(engine.market("TESTUSDT")?.markSource == .proxy)
        // Funding 0.01 % with 4 h to go: P1 = 99.5 × (1 + 0.0001 × 0.5) = 99.504975.
        let funding = 1_000_000_000 + 4 * 3600 * 1_000_000_000
        engine.apply(.index(IndexUpdate(symbol: "TESTUSDT", price: fx("99.5"), fundingRate: fx("0.0001"), nextFundingTime: Int64(funding), time: 1_000_000_000)))
        let market = engine.market("TESTUSDT")!
        #expect(market.markSource == .indexAnchored)
        // P2 = 99.5 + (100.1 − 99.5) = 100.1; the contract price (no trade yet) is the mid 100.1.
        #expect(market.markPrice == fx("100.1"))
        engine.apply(.trade(symbol: "TESTUSDT", price: units("99.2"), size: units("1"), time: 2_000_000_000))
        // median(P1, 100.1, 99.2) = P1, with 4 h less 1 s to the funding.
        let p1 = fx("99.5") * (Fixed.one + fx("0.0001") * Fixed(4 * 3600 - 1) / Fixed(8 * 3600))
        #expect(engine.market("TESTUSDT")?.markPrice == p1)
        #expect(p1.formatted(6) == "99.504975")
        // An index older than five minutes is not used.
        engine.apply(.clock(time: 400_000_000_000))
        engine.apply(.trade(symbol: "TESTUSDT", price: units("100.1"), size: units("1"), time: 400_000_000_000))
        #expect(engine.market("TESTUSDT")?.markSource == .proxy)
    }

    // MARK: Classification

    @Test("risk classes come from the engine's bands")
    func classes() {
        var configuration = EngineConfiguration()
        configuration.risk.marginRatioWarn = fx("0.6")
        let engine = engine(with: [testInstrument()], configuration: configuration)
        #expect(engine.marginRatioLevel(fx("0.55")) == .ok)
        #expect(engine.marginRatioLevel(fx("0.6")) == .warn)
        #expect(engine.marginRatioLevel(fx("0.8")) == .alert)
        #expect(engine.marginRatioLevel(nil) == .alert)
        #expect(engine.distanceLevel(fx("0.4")) == .alert && engine.distanceLevel(fx("1")) == .warn && engine.distanceLevel(Fixed(3)) == .ok)
    }
}

/// Findings of the review of the deficit picture, each kept as a test.
@Suite("Deficit picture: reviewed edge cases")
struct DeficitPictureEdgeTests {
    @Test("positions too large for a sum of book units do not trap the stressed deficit")
    func hugePositionsSaturate() {
        var engine = engine(with: [testInstrument()])
        engine.apply(.mark(symbol: "TESTUSDT", price: Fixed(100), time: 1))
        engine.apply(.bookSnapshot(symbol: "TESTUSDT", bids: [(units("99"), units("1"))], asks: [(units("101"), units("1"))], time: 1))
        for account in ["a", "b", "c"] {
            engine.apply(.position(PositionUpdate(account: account, symbol: "TESTUSDT", side: .long, quantity: Fixed(60_000_000_000),
                entryPrice: Fixed(100), mode: .isolated, leverage: Fixed(2)), time: 2))
        }
        engine.apply(.clock(time: 3_000_000_000))
        #expect(engine.market("TESTUSDT")!.stressed.unfilledQuantity.isPositive)
    }

    @Test("a deficit on one side does not hide what the book cannot fill on the other")
    func bothSides() {
        var engine = engine(with: [testInstrument()])
        engine.openFund(asset: "USDT", balance: Fixed(1_000))
        engine.apply(.mark(symbol: "TESTUSDT", price: Fixed(100), time: 1))
        engine.apply(.bookSnapshot(symbol: "TESTUSDT", bids: [(units("90"), units("10"))], asks: [(units("101"), units("0.001"))], time: 1))
        for side in [Side.long, .short] {
            engine.apply(.position(PositionUpdate(account: side.label, symbol: "TESTUSDT", side: side, quantity: .one,
                entryPrice: Fixed(100), mode: .isolated, isolatedMargin: Fixed(5)), time: 1))
        }
        engine.apply(.clock(time: 2_000_000_000))
        let stressed = engine.market("TESTUSDT")!.stressed
        #expect(stressed.deficit == Fixed(5))
        #expect(stressed.unfilledQuantity == fx("0.999"))
        #expect(stressed.adlCertain)
    }

    @Test("ADL of an isolated position: the closed part's margin and its PnL go to the wallet; the rest keeps its share")
    func adlIsolatedMargin() {
        var engine = engine(with: [testInstrument()])
        engine.openFund(asset: "USDT", balance: .zero)
        engine.apply(.mark(symbol: "TESTUSDT", price: Fixed(100), time: 1))
        engine.apply(.bookSnapshot(symbol: "TESTUSDT", bids: [], asks: [(units("100.10"), units("1000"))], time: 1))
        engine.apply(.position(PositionUpdate(account: "winner", symbol: "TESTUSDT", side: .short, quantity: Fixed(2), entryPrice: Fixed(110),
            mode: .isolated, isolatedMargin: Fixed(20)), time: 1))
        // A long of 1 whose bankruptcy price is 95, liquidated into an empty bid side: ADL at 95.
        engine.apply(.position(PositionUpdate(account: "loser", symbol: "TESTUSDT", side: .long, quantity: .one, entryPrice: Fixed(100),
            mode: .isolated, isolatedMargin: Fixed(5)), time: 1))
        let notes = engine.apply(.mark(symbol: "TESTUSDT", price: fx("95.4"), time: 2))
        #expect(notes.adl.first?.price == Fixed(95) && notes.adl.first?.quantity == .one)
        #expect(engine.positions[0].quantity == .one)
        #expect(engine.positions[0].isolatedMargin == Fixed(10))
        // 10 of margin released and 15 of profit (110 − 95).
        #expect(engine.account(id: "winner", asset: "USDT", venue: "")?.walletBalance == Fixed(25))
        #expect(engine.moneyInSystem(asset: "USDT") == engine.deposits["USDT"])
    }

    @Test("a position opened within the second is in the ADL queue")
    func adlQueueSeesNewPositions() {
        var engine = engine(with: [testInstrument()])
        engine.openFund(asset: "USDT", balance: .zero)
        engine.apply(.mark(symbol: "TESTUSDT", price: Fixed(100), time: 1_000_000_000))
        engine.apply(.bookSnapshot(symbol: "TESTUSDT", bids: [], asks: [(units("100.10"), units("1000"))], time: 1_000_000_000))
        engine.apply(.position(PositionUpdate(account: "s1", symbol: "TESTUSDT", side: .short, quantity: .one, entryPrice: Fixed(110),
            mode: .isolated, isolatedMargin: Fixed(50)), time: 1_000_000_000))
        engine.apply(.position(PositionUpdate(account: "l1", symbol: "TESTUSDT", side: .long, quantity: .one, entryPrice: Fixed(100),
            mode: .isolated, isolatedMargin: Fixed(5)), time: 1_000_000_000))
        engine.apply(.position(PositionUpdate(account: "l2", symbol: "TESTUSDT", side: .long, quantity: .one, entryPrice: Fixed(100),
            mode: .isolated, isolatedMargin: Fixed(4)), time: 1_000_000_000))
        // l2 is liquidated first (its trigger is higher), against s1 ...
        var notes = engine.apply(.mark(symbol: "TESTUSDT", price: fx("96.2"), time: 1_100_000_000))
        #expect(notes.adl.map(\.account) == ["s1"])
        // ... then s2 opens in the same second, and l1's ADL finds it.
        engine.apply(.position(PositionUpdate(account: "s2", symbol: "TESTUSDT", side: .short, quantity: .one, entryPrice: Fixed(110),
            mode: .isolated, isolatedMargin: Fixed(50)), time: 1_200_000_000))
        notes = engine.apply(.mark(symbol: "TESTUSDT", price: fx("95.4"), time: 1_300_000_000))
        #expect(notes.adl.map(\.account) == ["s2"])
        #expect(!notes.contains { if case .adlUnfilled = $0 { return true } else { return false } })
    }

    @Test("a market without a book is STALE, not a stress: no stressed deficit, no ADL near")
    func noBookNoStress() {
        var engine = engine(with: [testInstrument()])
        engine.openFund(asset: "USDT", balance: Fixed(1_000))
        engine.apply(.mark(symbol: "TESTUSDT", price: Fixed(100), time: 1))
        engine.apply(.position(PositionUpdate(account: "a", symbol: "TESTUSDT", side: .long, quantity: Fixed(10), entryPrice: Fixed(100),
            mode: .isolated, isolatedMargin: Fixed(20)), time: 1))
        engine.apply(.clock(time: 5_000_000_000))
        #expect(engine.market("TESTUSDT")!.stressed == StressedDeficit())
        #expect(engine.fundState(asset: "USDT").adl == .idle)
    }

    @Test("an inverse liquidation's average fill is the harmonic mean of its fills")
    func inverseAverage() {
        let engine = Engine()
        let fills = [Fill(price: units("50000"), size: units("100")), Fill(price: units("40000"), size: units("100"))]
        // 200 contracts ÷ (100/50,000 + 100/40,000) = 44,444.44…, not 45,000.
        let average = engine.averagePrice(.btcusdPerp, fills)!
        #expect(average.formatted(2) == "44444.44")
        #expect(engine.averagePrice(.btcusdt, fills) == Fixed(45_000))
    }
}
