import Testing
@testable import RiskEngine

/// Placing a million positions goes through the account table and the batch path; both must give
/// exactly what the one-by-one path and a plain dictionary give.
@Suite("Bulk placement: the account table and the batch path")
struct BulkPlacementTests {
    @Test("the account table finds every account it holds, by id, asset and venue, and nothing else, across growths")
    func accountTable() {
        var table = AccountTable()
        var accounts: [Account] = []
        var rng = SplitMix64(seed: 11)
        let venues = ["binance-usdm", "bybit", ""]
        for number in 0..<50_000 {
            // Ids that share long prefixes and lengths (8-byte words that differ only in the last);
            // every fifth id on a second venue too.
            let id = number % 7 == 0 ? "account-with-a-long-shared-prefix-\(number / 2)" : "a\(number / 2)"
            let asset = number % 3 == 0 ? "USDC" : "USDT"
            let venue = venues[number % 2 == 0 ? 0 : (number % 5 == 0 ? 1 : 2)]
            let hash = AccountTable.hash(id: id, asset: asset, venue: venue)
            // Ids repeat (number / 2), but never with the same asset and venue: each key is new.
            #expect(table.find(id: id, asset: asset, venue: venue, hash: hash, in: accounts) == nil)
            accounts.append(Account(id: id, asset: asset, venue: venue, walletBalance: .zero))
            table.insert(hash: hash, index: Int32(accounts.count - 1))
            if rng.next() % 97 == 0 { table.reserveCapacity(table.count * 3) }
        }
        #expect(accounts.count == 50_000)
        #expect(Set(accounts.map { $0.id }).count < accounts.count, "some ids are on two venues")
        #expect(table.count == accounts.count)
        for (index, account) in accounts.enumerated() {
            let hash = AccountTable.hash(id: account.id, asset: account.asset, venue: account.venue)
            #expect(table.find(id: account.id, asset: account.asset, venue: account.venue, hash: hash, in: accounts) == Int32(index))
            let other = account.asset == "USDT" ? "BTC" : "USDT"
            #expect(table.find(id: account.id, asset: other, venue: account.venue, hash: AccountTable.hash(id: account.id, asset: other, venue: account.venue),
                in: accounts) == nil)
            let elsewhere = "okx"
            #expect(table.find(id: account.id, asset: account.asset, venue: elsewhere,
                hash: AccountTable.hash(id: account.id, asset: account.asset, venue: elsewhere), in: accounts) == nil)
        }
        #expect(table.find(id: "", asset: "USDT", venue: "", hash: AccountTable.hash(id: "", asset: "USDT", venue: ""), in: accounts) == nil)
    }

    @Test("a hash that differs only in its low bits still finds the right account (the slot and the check use the top 32)")
    func fingerprintsOnly() {
        var table = AccountTable()
        let accounts = (0..<64).map { Account(id: "x\($0)", asset: "USDT", venue: "", walletBalance: .zero) }
        // Every key given the same top bits: one long probe run, told apart by the names.
        for index in accounts.indices { table.insert(hash: 0xABCD_0000_0000_0000 | UInt64(index), index: Int32(index)) }
        for index in accounts.indices {
            #expect(table.find(id: "x\(index)", asset: "USDT", venue: "", hash: 0xABCD_0000_0000_0000, in: accounts) == Int32(index))
        }
        #expect(table.find(id: "y", asset: "USDT", venue: "", hash: 0xABCD_0000_0000_0000, in: accounts) == nil)
        #expect(table.find(id: "x1", asset: "USDT", venue: "bybit", hash: 0xABCD_0000_0000_0000, in: accounts) == nil)
    }

    /// Rows of every kind: new accounts, an account's second symbol, cross wallets, updates of a
    /// position placed earlier in the batch, closes, refused hedge conflicts, an unknown symbol,
    /// and positions already past their trigger (liquidated as they are placed).
    /// `symbols`: the markets drawn from (with a second venue, one name is two accounts).
    static func mixedUpdates(count: Int,
        symbols: [String] = ["binance-usdm:BTCUSDT", "binance-usdm:ETHUSDT", "binance-usdm:NEWCOINUSDT"]) -> [PositionUpdate]
    {
        var rng = SplitMix64(seed: 5)
        var updates: [PositionUpdate] = []
        for index in 0..<count {
            let account = "acct-\(rng.next() % UInt64(count / 2 + 1))"
            let symbol = symbols[Int(rng.next() % UInt64(symbols.count))]
            let side: Side = rng.next() % 2 == 0 ? .long : .short
            let entry = symbol.hasSuffix("ETHUSDT") ? Fixed(3_000 + Int(rng.next() % 100)) : Fixed(60_000 - 500 + Int(rng.next() % 1_000))
            let quantity = index % 17 == 0 ? .zero : Fixed(1 + Int(rng.next() % 500)) / Fixed(100)
            let leverage = Fixed(1 + Int(rng.next() % 125))
            let cross = rng.next() % 4 == 0
            let positionSide: PositionSide = index % 23 == 0 ? (side == .long ? .long : .short) : .both
            updates.append(PositionUpdate(account: account, symbol: symbol, side: side, quantity: quantity, entryPrice: entry,
                mode: cross ? .cross : .isolated, walletBalance: cross && index % 2 == 0 ? Fixed(Int(rng.next() % 5_000)) : nil,
                leverage: leverage, positionSide: positionSide))
        }
        return updates
    }

    static func engineWithBook() -> Engine {
        var engine = Engine()
        engine.openFund(asset: "USDT", balance: Fixed(100_000))
        var bids: [(price: Int64, size: Int64)] = []
        var asks: [(price: Int64, size: Int64)] = []
        for level in 0..<200 {
            bids.append((BookUnits.perUnit * 59_990 - Int64(level) * BookUnits.perUnit, BookUnits.perUnit))
            asks.append((BookUnits.perUnit * 60_000 + Int64(level) * BookUnits.perUnit, BookUnits.perUnit))
        }
        engine.apply(.bookSnapshot(symbol: "binance-usdm:BTCUSDT", bids: bids, asks: asks, time: 1))
        engine.apply(.mark(symbol: "binance-usdm:BTCUSDT", price: Fixed(59_000), time: 1))
        return engine
    }

    @Test("the batch path leaves the engine exactly as placing the same rows one by one does, with the same notes for each row")
    func batchEqualsOneByOne() {
        let updates = Self.mixedUpdates(count: 3_000,
            symbols: ["binance-usdm:BTCUSDT", "binance-usdm:ETHUSDT", "binance-usdm:NEWCOINUSDT", "bybit:BTCUSDT"])
        var single = Self.engineWithBook()
        var singleNotes: [[EngineNotification]] = []
        for update in updates {
            var notes: [EngineNotification] = []
            single.apply(position: update, time: 2, into: &notes)
            singleNotes.append(notes)
        }
        var batch = Self.engineWithBook()
        var batchNotes: [[EngineNotification]] = []
        var scratch: [EngineNotification] = []
        batch.apply(positions: updates, time: 2, into: &scratch) { notes in
            batchNotes.append(notes)
            notes.removeAll(keepingCapacity: true)
        }
        #expect(batchNotes.count == updates.count)
        #expect(batchNotes == singleNotes)
        #expect(batch.positions == single.positions)
        #expect(batch.accounts == single.accounts)
        #expect(batch.totals == single.totals)
        #expect(batch.deposits == single.deposits)
        #expect(batch.clearing == single.clearing)
        #expect(batch.ledger.postingCount == single.ledger.postingCount)
        #expect(batch.markets.map(\.triggers) == single.markets.map(\.triggers))
        #expect(single.totals.positionsRejected > 0, "the rows include refused ones")
        #expect(single.totals.liquidations > 0, "the rows include positions past their trigger")
        // Later lookups by id find the accounts the batch made (a refused row makes none).
        var found = 0
        for update in updates.prefix(200) {
            let asset = "USDT"
            let venue = MarketID.venueName(of: update.symbol)
            #expect(batch.account(id: update.account, asset: asset, venue: venue) == single.account(id: update.account, asset: asset, venue: venue))
            if batch.account(id: update.account, asset: asset, venue: venue) != nil { found += 1 }
        }
        #expect(found > 150)
    }

    @Test("an empty batch, and a batch at a time out of range, change nothing but the count of refused events")
    func edges() {
        var engine = Self.engineWithBook()
        var notes: [EngineNotification] = []
        var calls = 0
        engine.apply(positions: [], time: 2, into: &notes) { _ in calls += 1 }
        #expect(calls == 0 && engine.positions.isEmpty)
        engine.apply(positions: Self.mixedUpdates(count: 10), time: .max, into: &notes) { _ in calls += 1 }
        #expect(calls == 0 && engine.positions.isEmpty && engine.totals.eventsOutOfTimeRange == 10)
    }
}
