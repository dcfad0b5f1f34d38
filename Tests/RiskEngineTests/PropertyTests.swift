import Testing
@testable import RiskEngine

@Suite("Properties over random sessions")
struct PropertyTests {
    static let linear = Instrument(symbol: "AAAUSDT", tickSize: fx("0.01"), lotSize: fx("0.001"), kind: .linear,
        settlementAsset: "USDT", brackets: Instrument.binanceBTCUSDTBrackets, liquidationFeeRate: fx("0.005"))
    static let second = Instrument(symbol: "BBBUSDT", tickSize: fx("0.01"), lotSize: fx("0.001"), kind: .linear,
        settlementAsset: "USDT", brackets: Instrument.binanceBTCUSDTBrackets, liquidationFeeRate: fx("0.01"))
    static let inverse = Instrument(symbol: "AAAUSD_PERP", tickSize: fx("0.01"), lotSize: .one, kind: .inverse(contractSize: Fixed(10)),
        settlementAsset: "AAA", brackets: .single(rate: fx("0.004")), liquidationFeeRate: fx("0.005"))

    static func randomBook(around mid: Int, _ rng: inout SeededGenerator) -> ([(price: Int64, size: Int64)], [(price: Int64, size: Int64)]) {
        var bids: [(price: Int64, size: Int64)] = []
        var asks: [(price: Int64, size: Int64)] = []
        var price = Int64(mid) * BookUnits.perUnit
        for _ in 0..<Int.random(in: 5...40, using: &rng) {
            price -= Int64.random(in: 1...40, using: &rng) * 1_000_000
            bids.append((price, Int64.random(in: 1...5_000, using: &rng) * 100_000))
        }
        price = Int64(mid) * BookUnits.perUnit
        for _ in 0..<Int.random(in: 5...40, using: &rng) {
            price += Int64.random(in: 1...40, using: &rng) * 1_000_000
            asks.append((price, Int64.random(in: 1...5_000, using: &rng) * 100_000))
        }
        return (bids, asks)
    }

    /// One to six level changes within 3 of `mark`, a quarter of them removals.
    static func randomLevelChanges(around mark: Fixed, _ rng: inout SeededGenerator) -> [LevelChange] {
        var changes: [LevelChange] = []
        for _ in 0..<Int.random(in: 1...6, using: &rng) {
            let side: BookSide = Bool.random(using: &rng) ? .bid : .ask
            let price = (mark + Fixed(Int.random(in: -300...300, using: &rng)) / Fixed(100)).bookUnits
            let size = Int.random(in: 0..<4, using: &rng) == 0 ? 0 : Int64.random(in: 1...3_000, using: &rng) * 100_000
            changes.append(LevelChange(side: side, price: price, size: size))
        }
        return changes
    }

    @Test("money is conserved, books never cross, partial steps end compliant, ADL follows the ranking", arguments: 1...40)
    func randomSession(seed: Int) {
        var rng = SeededGenerator(seed: UInt64(seed))
        var configuration = EngineConfiguration()
        // Hyperliquid's too: its liquidations give the surplus back to the owner (`surplusToOwner`).
        configuration.rules = [MarginRules.binance, .bybit, .hyperliquid].randomElement(using: &rng)!
        configuration.shortfall = Bool.random(using: &rng) ? .adl : .socialisedLoss
        configuration.liquidation = [LiquidationStyle.full, .tiered, .partial(fraction: fx("0.3"))].randomElement(using: &rng)!
        configuration.unfilled = Bool.random(using: &rng) ? .adl : .fundTakesOver
        configuration.adlRanking = ADLRanking.allCases.randomElement(using: &rng)!
        var engine = engine(with: [Self.linear, Self.second, Self.inverse], configuration: configuration)
        engine.openFund(asset: "USDT", balance: Fixed(Int.random(in: 0...200, using: &rng)))
        engine.openFund(asset: "AAA", balance: fx("0.5"))
        let symbols = [Self.linear.symbol, Self.second.symbol, Self.inverse.symbol]
        var time: Int64 = 1_000_000_000
        for symbol in symbols {
            let (bids, asks) = Self.randomBook(around: 100, &rng)
            engine.apply(.bookSnapshot(symbol: symbol, bids: bids, asks: asks, time: time))
        }
        for number in 0..<40 {
            let symbol = symbols.randomElement(using: &rng)!
            let leverage = Fixed(Int.random(in: 2...100, using: &rng))
            let cross = Int.random(in: 0..<3, using: &rng) == 0
            let isInverse = symbol == Self.inverse.symbol
            let quantity = isInverse ? Fixed(Int.random(in: 1...500, using: &rng)) : Fixed(Int.random(in: 1...20_000, using: &rng)) / Fixed(1000)
            let entry = Fixed(Int.random(in: 9_500...10_500, using: &rng)) / Fixed(100)
            let account = cross ? "cross\(number % 5)" : "iso\(number)"
            engine.apply(.position(PositionUpdate(account: account, symbol: symbol, side: Bool.random(using: &rng) ? .long : .short,
                quantity: quantity, entryPrice: entry, mode: cross ? .cross : .isolated,
                walletBalance: cross ? (isInverse ? fx("0.3") : Fixed(Int.random(in: 20...300, using: &rng))) : nil,
                leverage: leverage), time: time))
        }
        var marks = Dictionary(uniqueKeysWithValues: symbols.map { ($0, Fixed(100)) })
        var unfilledSeen = false
        for step in 0..<300 {
            if step % 25 == 0 { Self.checkDerivedState(&engine, seed: seed) }
            time += 250_000_000
            let symbol = symbols.randomElement(using: &rng)!
            var notes: [EngineNotification] = []
            switch Int.random(in: 0..<10, using: &rng) {
            case 0..<5:
                let step = Fixed(Int.random(in: -300...280, using: &rng)) / Fixed(100)
                marks[symbol] = Fixed.maximum(Fixed(50), marks[symbol]! + step)
                engine.apply(.mark(symbol: symbol, price: marks[symbol]!, time: time), into: &notes)
            case 5..<9:
                engine.apply(.bookUpdate(symbol: symbol, changes: Self.randomLevelChanges(around: marks[symbol]!, &rng), time: time), into: &notes)
            default:
                var (bids, asks) = Self.randomBook(around: Int(marks[symbol]!.rounded(places: 0).raw / Fixed.scale), &rng)
                // Now and then a side is pulled (a liquidity vacuum): what the book cannot fill.
                if Int.random(in: 0..<4, using: &rng) == 0 { bids = Array(bids.prefix(Int.random(in: 0...1, using: &rng))) }
                if Int.random(in: 0..<4, using: &rng) == 0 { asks = Array(asks.prefix(Int.random(in: 0...1, using: &rng))) }
                engine.apply(.bookSnapshot(symbol: symbol, bids: bids, asks: asks, time: time), into: &notes)
            }
            for asset in ["USDT", "AAA"] {
                #expect(engine.moneyInSystem(asset: asset) == engine.deposits[asset] ?? .zero, "money leaked in \(asset), seed \(seed)")
                // Every balance the engine holds is what the ledger's postings put there, and the
                // postings balance: nothing moved money except a posting between two parties.
                let ledger = engine.ledger.totals(asset)
                let stored = engine.storedBalances(asset: asset)
                for kind in LedgerParty.Kind.allCases {
                    #expect(stored[kind] == ledger.balance(of: kind), "ledger \(kind) in \(asset), seed \(seed)")
                }
                #expect(ledger.byKind.reduce(Fixed.zero, +) == .zero, "postings do not balance in \(asset), seed \(seed)")
            }
            // The remainder rule: every unit of a bankrupt close is filled by the book, deleveraged
            // or taken over by the fund, and what the book could not fill is never called filled.
            for record in notes.liquidations where !record.isPartial {
                #expect(record.filledQuantity + record.adlQuantity + record.fundTakeoverQuantity == record.quantity, "seed \(seed)")
                #expect(record.adlQuantity + record.fundTakeoverQuantity >= record.unfilledQuantity, "seed \(seed)")
                if configuration.unfilled == .adl { #expect(record.fundTakeoverQuantity.isZero) }
                unfilledSeen = unfilledSeen || record.unfilledQuantity.isPositive
            }
            for market in engine.markets { #expect(!market.book.isCrossed, "crossed book \(market.symbol), seed \(seed)") }
            // ADL batches rank by score, best first.
            var lastScore: Fixed? = nil
            var lastRank = 0
            for note in notes {
                guard case .adl(let record) = note else { lastScore = nil; lastRank = 0; continue }
                if let previous = lastScore, record.rank > lastRank { #expect(record.score <= previous, "ADL order, seed \(seed)") }
                lastScore = record.score
                lastRank = record.rank
            }
            // A partial step that is the last word on a position leaves it compliant.
            var lastStep: [Int32: LiquidationRecord] = [:]
            for record in notes.liquidations { lastStep[record.position] = record }
            for (index, record) in lastStep where record.isPartial && engine.positions[Int(index)].isOpen {
                #expect(!engine.isTriggered(index), "partial left position non-compliant, seed \(seed)")
            }
        }
        Self.checkDerivedState(&engine, seed: seed)
        // The session must have exercised liquidation, or the properties above proved nothing.
        #expect(engine.totals.liquidations > 0 && engine.totals.deficits > 0, "seed \(seed) liquidated nothing")
        #expect(unfilledSeen, "seed \(seed) never left a liquidation unfilled")
        #expect(engine.fund("USDT").balance >= .zero || configuration.shortfall == .socialisedLoss)
    }

    /// What the engine keeps to save work must equal what it would work out from the positions:
    /// - the ADL ranking's positions (the side's list) and scores (one `PositionTerms` for a side, the account's own flag for
    ///   whether it holds others) equal each position's score computed on its own;
    /// - the cross accounts of several symbols each market re-evaluates on its mark (not
    ///   recomputed on marks any more) are those the accounts' positions make, in ascending order.
    static func checkDerivedState(_ engine: inout Engine, seed: Int) {
        for market in engine.markets.indices {
            for side in [Side.long, .short] {
                // The side's list holds every position open on the side, once.
                let count = engine.markets[market].adlIndices(side).count
                let ranked = engine.adlEntries(market: market, side: side, list: engine.markets[market].adlIndices(side), range: 0..<count)
                let expected = engine.markets[market].positionIndices.filter {
                    engine.positions[Int($0)].isOpen && engine.positions[Int($0)].side == side
                }
                #expect(ranked.map(\.position).sorted() == expected.sorted(), "ranked positions, seed \(seed)")
                for entry in ranked {
                    #expect(entry.score == engine.adlScore(of: entry.position), "ADL score of \(entry.position), seed \(seed)")
                    #expect(engine.binanceLeveragePnL(of: entry.position) == Self.leveragePnL(engine, entry.position), "LeveragePnL, seed \(seed)")
                }
            }
            var members = Set<Int32>()
            for (index, account) in engine.accounts.enumerated() {
                let crossSymbols = Set(account.positions.map { engine.positions[Int($0)] }.filter { $0.isOpen && $0.mode == .cross }.map(\.symbolIndex))
                let holdsHere = account.positions.contains { Int(engine.positions[Int($0)].symbolIndex) == market }
                if crossSymbols.count > 1 && holdsHere { members.insert(Int32(index)) }
                #expect(account.holdsSeveral == (account.positions.count > 1), "holdsSeveral, seed \(seed)")
            }
            #expect(engine.markets[market].multiSymbolCrossAccounts == members, "cross accounts of several symbols, seed \(seed)")
            // Each open position's prices as the account stands (a cross account is refreshed
            // from its totals less the position's own share, not each peer's figures again).
            // A guarded account's stored prices wait for its next re-working (`Engine+CrossGuards`):
            // what is shown and reckoned with, `currentPosition`, is exact; every other position's
            // stored prices are.
            for index in engine.markets[market].positionIndices where engine.positions[Int(index)].isOpen {
                let position = engine.hasCrossGuards(engine.positions[Int(index)].accountIndex)
                    ? engine.currentPosition(index) : engine.positions[Int(index)]
                let terms = engine.terms(of: position)
                let context = engine.context(of: index)
                let rules = engine.marginRules(of: position)
                #expect(position.liquidationPrice == MarginMath.liquidationPrice(terms, context: context, rules: rules) ?? .zero,
                    "liquidation price of \(index), seed \(seed)")
                #expect(position.bankruptcyPrice == MarginMath.bankruptcyPrice(terms, context: context, rules: rules) ?? .zero,
                    "bankruptcy price of \(index), seed \(seed)")
            }
            #expect(engine.markets[market].multiSymbolCrossOrder() == members.sorted(), "their order, seed \(seed)")
        }
    }

    /// Binance's LeveragePnL worked out from the position's own terms and margin context, apart
    /// from the engine's scoring (`max(0, uPnL) ÷ max(1, collateral) × maintenance ÷ balance`).
    static func leveragePnL(_ engine: Engine, _ index: Int32) -> Fixed {
        let position = engine.positions[Int(index)]
        let terms = engine.terms(of: position)
        let mark = engine.valuationMark(of: position)
        let pnl = MarginMath.unrealisedPnL(terms, at: mark)
        guard pnl.isPositive else { return .zero }
        let context = engine.context(of: index)
        let maintenance = MarginMath.maintenance(terms, rules: engine.marginRules(of: position), at: mark).margin + context.otherMaintenance
        let balance = context.collateral + pnl + context.otherUnrealised
        guard balance.isPositive else { return .zero }
        return pnl / Fixed.maximum(.one, context.collateral) * (maintenance / balance)
    }

    @Test("at the liquidation price margin balance equals maintenance margin; at bankruptcy it is zero", arguments: 1...20)
    func priceIdentities(seed: Int) {
        var rng = SeededGenerator(seed: UInt64(seed) &* 7919)
        let tolerance = fx("0.000000001")
        for _ in 0..<200 {
            let inverse = Bool.random(using: &rng)
            let side: Side = Bool.random(using: &rng) ? .long : .short
            let entry = Fixed(Int.random(in: 1_000...100_000, using: &rng))
            let quantity = inverse ? Fixed(Int.random(in: 1...100_000, using: &rng)) : Fixed(Int.random(in: 1...500_000, using: &rng)) / Fixed(1000)
            let kind: ContractKind = inverse ? .inverse(contractSize: Fixed(100)) : .linear
            let brackets = inverse ? Instrument.binanceBTCUSDPerpBrackets : Instrument.binanceBTCUSDTBrackets
            let terms = PositionTerms(side: side, quantity: quantity, entryPrice: entry, kind: kind, brackets: brackets)
            let leverage = Fixed(Int.random(in: 2...125, using: &rng))
            let margin = MarginMath.notional(terms, at: entry) / leverage
            let others = MarginContext(collateral: margin, otherMaintenance: margin / Fixed(Int.random(in: 5...50, using: &rng)),
                otherUnrealised: margin / Fixed(Int.random(in: -20...20, using: &rng) | 1))
            // Every position above 1x has a liquidation price: the COIN-M short too (it had none).
            #expect(MarginMath.liquidationPrice(terms, context: .isolated(margin: margin), rules: .binance) != nil, "no LP for \(terms)")
            for context in [MarginContext.isolated(margin: margin), others] {
                if let price = MarginMath.liquidationPrice(terms, context: context, rules: .binance) {
                    let balance = context.collateral + context.otherUnrealised + MarginMath.unrealisedPnL(terms, at: price)
                    let maintenance = context.otherMaintenance + MarginMath.maintenance(terms, rules: .binance, at: price).margin
                    let scale = Fixed.maximum(.one, maintenance.magnitude)
                    #expect((balance - maintenance).magnitude / scale < tolerance, "LP identity \(terms) \(context)")
                }
                if let price = MarginMath.bankruptcyPrice(terms, context: context, rules: .binance) {
                    let balance = context.collateral + context.otherUnrealised + MarginMath.unrealisedPnL(terms, at: price)
                    #expect(balance.magnitude / Fixed.maximum(.one, margin) < tolerance, "BP identity \(terms)")
                }
            }
        }
    }
}
