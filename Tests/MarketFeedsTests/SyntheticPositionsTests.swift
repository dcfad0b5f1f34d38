import Testing
@testable import MarketFeeds
import RiskEngine

@Suite("Synthetic positions")
struct SyntheticPositionsTests {
    @Test("account ids: kind letter, then the number zero-padded to six digits at least")
    func accountIDs() {
        #expect(SyntheticPositions.accountID(cross: true, number: 1_000_042) == "X-1000042")
        #expect(SyntheticPositions.accountID(cross: false, number: 2_009_999) == "I-2009999")
        #expect(SyntheticPositions.accountID(cross: false, number: 42) == "I-000042")
        #expect(SyntheticPositions.accountID(cross: true, number: 0) == "X-000000")
        #expect(SyntheticPositions.accountID(cross: false, number: 123_456) == "I-123456")
    }

    @Test("sizes of a contract nobody described are drawn in a lot worth a cent at the mark, not to the book unit")
    func lotOfAnUnknownContract() {
        let keep = InstrumentCatalog().instrument(for: "binance-usdm:KEEPUSDT")
        #expect(keep.lotSize == InstrumentCatalog.unknownStep, "an undescribed contract")
        #expect(SyntheticPositions.lot(of: keep, mark: 0.017) == Fixed(1), "AKRO-like: 0.017 a unit")
        #expect(SyntheticPositions.lot(of: keep, mark: 0.2467) == Fixed("0.1")!)
        #expect(SyntheticPositions.lot(of: keep, mark: 60_000) == Fixed("0.000001")!)
        #expect(SyntheticPositions.lot(of: Instrument.btcusdt, mark: 60_000) == Instrument.btcusdt.lotSize, "a described lot stays")
        var synthetic = SyntheticPositions(count: 200, seed: 3)
        for update in synthetic.positions(for: keep, mark: Fixed("0.2467")!) {
            #expect(update.quantity.rounded(toMultipleOf: Fixed("0.1")!) == update.quantity, "\(update.quantity)")
        }
    }

    @Test("a book of positions: every account id distinct per symbol, cross accounts joining a second symbol")
    func book() {
        var synthetic = SyntheticPositions(count: 500, seed: 3)
        let btc = synthetic.positions(for: Instrument.btcusdt, mark: Fixed(60_000))
        #expect(btc.count == 500)
        #expect(Set(btc.map(\.account)).count == 500)
        #expect(btc.allSatisfy { $0.account.hasPrefix($0.mode == .cross ? "X-1" : "I-1") && $0.account.count == 9 })
        let eth = synthetic.positions(for: Instrument.ethusdt, mark: Fixed(3_000))
        let crossHolders = Set(btc.filter { $0.mode == .cross }.map(\.account))
        let joined = eth.filter { crossHolders.contains($0.account) }
        #expect(!joined.isEmpty && joined.allSatisfy { $0.mode == .cross })
        #expect(eth.filter { !crossHolders.contains($0.account) }.allSatisfy { $0.account.dropFirst(2).hasPrefix("2") })
    }
    @Test("the count announced for a symbol is what is drawn for it, joined cross accounts included (the engine makes room for it at once)")
    func announcedCount() {
        let catalog = InstrumentCatalog.builtIn
        for count in [1, 7, 400, 1_003] {
            var synthetic = SyntheticPositions(count: count, seed: 4)
            for symbol in ["binance-usdm:BTCUSDT", "bybit:BTCUSDT", "binance-usdm:ETHUSDT", "okx:BTC-USD-SWAP", "binance-usdm:SOLUSDT", "bybit:ETHUSDT"] {
                let instrument = catalog.instrument(for: symbol)
                let announced = synthetic.positionCount(for: instrument)
                let drawn = synthetic.positions(for: instrument, mark: symbol.contains("ETH") ? Fixed(3_000) : symbol.contains("SOL") ? Fixed(150) : Fixed(60_000))
                #expect(announced == drawn.count, "\(symbol), \(count) positions")
            }
        }
    }

    /// A coin-settled cross wallet was rounded to cents: a few thousandths of a BTC came out as
    /// 0.00 or 0.01, and the accounts at 0 were bankrupt at the first mark (operator trial: 1,259
    /// liquidations at the first event of an OKX replay with 20,000 positions).
    @Test("a coin-settled cross wallet is stated to the satoshi and covers its position's margin; a dollar one in cents")
    func coinWalletsCoverTheirMargin() {
        let catalog = InstrumentCatalog.builtIn
        var synthetic = SyntheticPositions(count: 2_000, seed: 12)
        for (symbol, mark) in [("okx:BTC-USD-SWAP", Fixed(30_000)), ("binance-usdm:BTCUSDT", Fixed(60_000))] {
            let instrument = catalog.instrument(for: symbol)
            let cross = synthetic.positions(for: instrument, mark: mark).filter { $0.mode == .cross }
            #expect(cross.count > 100, "\(symbol)")
            for update in cross {
                let terms = PositionTerms(side: update.side, quantity: update.quantity, entryPrice: update.entryPrice, kind: instrument.kind,
                    brackets: instrument.brackets)
                let margin = MarginMath.notional(terms, at: update.entryPrice) / (update.leverage ?? .one)
                #expect((update.walletBalance ?? .zero) >= margin, "\(symbol) \(update.account): wallet \(update.walletBalance ?? .zero) under margin \(margin)")
            }
            let places = instrument.kind == .linear ? 2 : 8
            #expect(cross.allSatisfy { ($0.walletBalance ?? .zero) == ($0.walletBalance ?? .zero).rounded(places: places) })
        }
        // A second BTC-settled OKX symbol: a tenth of the cross accounts join it, their wallets
        // stated anew as the first's plus this margin and buffer, still to the satoshi.
        let future = catalog.instrument(for: "okx:BTC-USD-220527")
        let joined = synthetic.positions(for: future, mark: Fixed(30_000)).filter { $0.mode == .cross && $0.account.hasPrefix("X-1") }
        #expect(!joined.isEmpty)
        for update in joined {
            let terms = PositionTerms(side: update.side, quantity: update.quantity, entryPrice: update.entryPrice, kind: future.kind,
                brackets: future.brackets)
            let margin = MarginMath.notional(terms, at: update.entryPrice) / (update.leverage ?? .one)
            #expect((update.walletBalance ?? .zero) > margin, "\(update.account): joined wallet \(update.walletBalance ?? .zero)")
            #expect((update.walletBalance ?? .zero) == (update.walletBalance ?? .zero).rounded(places: 8))
        }
    }

    @Test("cross accounts join only later symbols of their own venue and settlement asset, with that wallet")
    func joinsStayOnTheirVenue() {
        let catalog = InstrumentCatalog.builtIn
        var synthetic = SyntheticPositions(count: 400, seed: 9)
        let btc = synthetic.positions(for: catalog.instrument(for: "binance-usdm:BTCUSDT"), mark: Fixed(60_000))
        let bybit = synthetic.positions(for: catalog.instrument(for: "bybit:BTCUSDT"), mark: Fixed(60_000))
        let coin = synthetic.positions(for: catalog.instrument(for: "okx:BTC-USD-SWAP"), mark: Fixed(60_000))
        let eth = synthetic.positions(for: catalog.instrument(for: "binance-usdm:ETHUSDT"), mark: Fixed(3_000))
        let binanceCross = btc.filter { $0.mode == .cross }
        let holders = Set(binanceCross.map(\.account))
        // Another venue, another asset: no Binance account; each draws only accounts of its own.
        #expect(bybit.count == 200 && coin.count == 200)
        #expect(!bybit.contains { holders.contains($0.account) })
        #expect(!coin.contains { holders.contains($0.account) })
        // Binance's second USDT symbol: a tenth of Binance's cross accounts join it, each wallet
        // stated as its first plus the joined position's margin and buffer (never another venue's).
        let joined = eth.filter { holders.contains($0.account) }
        #expect(joined.count == (binanceCross.count + 9) / 10)
        for update in joined {
            let first = binanceCross.first { $0.account == update.account }!
            #expect(update.walletBalance! > first.walletBalance!)
        }
        // The Bybit cross accounts join nothing of Binance's, and are theirs alone.
        #expect(!eth.contains { update in bybit.contains { $0.account == update.account && $0.mode == .cross } })
    }

    /// An operator's trial: replays of several recordings liquidated thousands of synthetic
    /// positions in their first second. A cross account joining a later symbol kept a wallet sized
    /// for its first position, so the joined one (up to 5,000,000 at up to 125x) was under water
    /// when placed. Each joined position now adds its own margin and buffer to the wallet.
    @Test("two symbols seeded at their marks over deep books: no position is born past its trigger, joined cross accounts included")
    func joinedAccountsAreFunded() {
        var synthetic = SyntheticPositions(count: 4_000, seed: 11)
        var engine = Engine()
        engine.openFund(asset: "USDT", balance: Fixed(10_000_000))
        var notes: [EngineNotification] = []
        var time: Int64 = 1_000_000_000
        for (instrument, mark) in [(Instrument.btcusdt, 60_000), (Instrument.ethusdt, 3_000)] {
            let tick = instrument.tickSize.bookUnits
            let center = Fixed(mark).bookUnits
            let depth = Fixed(1_000).bookUnits
            engine.apply(.bookSnapshot(symbol: instrument.symbol,
                bids: (1...2_000).map { (center - Int64($0) * tick, depth) }, asks: (0..<2_000).map { (center + Int64($0) * tick, depth) }, time: time))
            engine.apply(.mark(symbol: instrument.symbol, price: Fixed(mark), time: time))
            engine.apply(positions: synthetic.positions(for: instrument, mark: Fixed(mark)), time: time, into: &notes) { _ in }
            time += 1_000_000_000
        }
        let joined = engine.accounts.filter { $0.positions.count > 1 }
        #expect(joined.count > 50, "\(joined.count) cross accounts hold both symbols")
        #expect(engine.totals.liquidations == 0, "\(engine.totals.liquidations) liquidated at placement")
    }
    @Test("past a million positions a symbol, account numbers of two symbols never meet; below, they are as they were")
    func numbersPastAMillion() {
        #expect(SyntheticPositions.accountNumber(symbol: 1, index: 42, count: 3_000) == 1_000_042)
        #expect(SyntheticPositions.accountNumber(symbol: 2, index: 5, count: 999_999) == 2_000_005)
        // Symbol 1's last number stays below symbol 2's first at the largest count (2,000,000).
        #expect(SyntheticPositions.accountNumber(symbol: 1, index: 1_999_999, count: 2_000_000)
            < SyntheticPositions.accountNumber(symbol: 2, index: 0, count: 2_000_000))
    }
}
