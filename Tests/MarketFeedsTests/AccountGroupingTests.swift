import Foundation
import Testing
@testable import MarketFeeds
import RiskEngine

/// The checks that read an account's rows together (one position a symbol and side, one wallet an
/// asset) group the rows by account with a hash and a radix sort; they must decide exactly what
/// the tables of every row's strings decided, and name the same line, field and reason.
@Suite("Positions files: grouping rows by account")
struct AccountGroupingTests {
    @Test("the radix sort orders keys as the standard sort does, on the bits it is given")
    func radixSort() {
        var rng = SplitMix64(seed: 4)
        for count in [0, 1, 2, 3, 100, 5_000] {
            for lowBit in [0, 1, 11, 21, 40, 63] {
                var keys = (0..<count).map { _ in rng.next() }
                let mask: UInt64 = lowBit == 0 ? ~0 : ~((UInt64(1) << UInt64(lowBit)) - 1)
                // Stable on the sorted bits: equal high bits keep their order.
                let expected = keys.enumerated().sorted { ($0.element & mask, $0.offset) < ($1.element & mask, $1.offset) }.map(\.element)
                RadixSort.sort(&keys, fromBit: lowBit)
                #expect(keys == expected, "\(count) keys from bit \(lowBit)")
            }
        }
    }

    @Test("every account's rows form one group, in file order, whatever the names")
    func groups() {
        var rng = SplitMix64(seed: 8)
        for count in [1, 2, 17, 3_000] {
            let names = (0..<count).map { _ in ["a", "b", "", "ü-€", "long-account-name-\(rng.next() % 40)", "x\(rng.next() % 500)"][Int(rng.next() % 6)] }
            let groups = AccountGroups(accounts: names)
            var seen = Set<Int32>()
            var groupNames = Set<String>()
            for group in 0..<groups.groupCount {
                let rows = Array(groups.rows(of: group))
                #expect(!rows.isEmpty && rows == rows.sorted())
                #expect(Set(rows.map { names[Int($0)] }).count == 1)
                #expect(groupNames.insert(names[Int(rows[0])]).inserted, "one group a name")
                for row in rows { #expect(seen.insert(row).inserted) }
            }
            #expect(seen.count == count)
        }
    }

    static let header = "account,symbol,side,size,entry_price,margin_mode,isolated_margin,wallet_balance,leverage,position_side"

    /// A file of few accounts, so they share symbols, sides and wallets: conflicts and every
    /// wallet rule come up often.
    static func randomFile(_ rng: inout SplitMix64, rows: Int, accounts: Int) -> String {
        var lines = [header]
        for _ in 0..<rows {
            let number = rng.next() % UInt64(max(1, accounts))
            let account = "acct-\(number)"
            let symbol = ["BTCUSDT", "ETHUSDT", "BTCUSD_PERP", "okx:BTC-USDT-SWAP", "okx:ETH-USDT-SWAP", "bybit:BTCUSDT",
                "bybit:ETHUSDT", "bybit:SOLUSDT", "bybit:XRPUSDT", "binance-usdm:SOLUSDT"][Int(rng.next() % 10)]
            let side = rng.next() % 2 == 0 ? "long" : "short"
            let cross = rng.next() % 2 == 0
            // Isolated rows state wallets too; most statements of an account agree, some do not.
            let states = cross ? rng.next() % 3 == 0 : rng.next() % 6 == 0
            let wallet = !states ? "" : rng.next() % 8 == 0 ? "\(100 + rng.next() % 9_000)" : "\(1_000 + number)"
            let leverage = rng.next() % 5 == 0 ? "" : "\(1 + rng.next() % 50)"
            let isolatedMargin = !cross && leverage.isEmpty ? "\(10 + rng.next() % 500)" : ""
            let positionSide = ["", "", "", "LONG", "SHORT", "BOTH"][Int(rng.next() % 6)]
            let fixedSide = positionSide == "LONG" ? "long" : positionSide == "SHORT" ? "short" : side
            lines.append("\(account),\(symbol),\(fixedSide),0.\(1 + rng.next() % 9),\(50_000 + rng.next() % 20_000),\(cross ? "cross" : "isolated"),\(isolatedMargin),\(wallet),\(leverage),\(positionSide)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    @Test("random files load with the same positions and wallets, or fail on the same line, field and reason, as with tables of every row")
    func sameAsTables() throws {
        let scratch = try ScratchDirectory()
        var rng = SplitMix64(seed: 21)
        var failures = 0
        var successes = 0
        for round in 0..<400 {
            // Some files of three accounts in many rows: groups past the short list's 16 rows.
            let rows = [2, 5, 12, 40, 200][round % 5]
            let text = Self.randomFile(&rng, rows: rows, accounts: round % 7 == 0 ? 3 : rows / 3)
            let path = try scratch.write("positions-\(round).csv", text)
            let got: Result<[PositionUpdate], PositionsFileError>
            do { got = .success(try PositionsFile.load(path: path, catalog: .builtIn)) } catch { got = .failure(error) }
            let expected: Result<[PositionUpdate], PositionsFileError>
            do throws(PositionsFileError) {
                var rows = try Array(text.utf8).withUnsafeBufferPointer { bytes throws(PositionsFileError) in
                    try PositionsCSV.rows(bytes, path: path, resolver: .default)
                }
                try Self.referenceAssemble(&rows, path: path, catalog: .builtIn)
                expected = .success(rows.updates)
            } catch {
                expected = .failure(error)
            }
            switch (got, expected) {
            case (.success(let a), .success(let b)): #expect(a == b, "round \(round)"); successes += 1
            case (.failure(let a), .failure(let b)): #expect(a == b, "round \(round)"); failures += 1
            default: Issue.record("round \(round): \(got) against \(expected)")
            }
        }
        // Both outcomes are exercised.
        #expect(failures > 20 && successes > 20, "\(failures) failures, \(successes) successes")
    }

    @Test("a wallet stated on an isolated row is its account's; two rows stating it otherwise refuse the file, naming both lines")
    func walletStatements() throws {
        let scratch = try ScratchDirectory()
        // The isolated row's 100 is the wallet of the cross leg (it was dropped, and the leg
        // judged against the 3,000 its leverage implies: attacker trial).
        let stated = try scratch.write("iso.csv", Self.header + "\n" + "y,BTCUSDT,long,1,60000,isolated,3000,100,,\n" + "y,ETHUSDT,long,10,3000,cross,,,10,\n")
        let loaded = try PositionsFile.load(path: stated, catalog: .builtIn)
        #expect(loaded.map(\.walletBalance) == [nil, Fixed(100)], "\(loaded)")
        // Without a leverage the cross row is no longer refused: its wallet is stated.
        let noLeverage = try scratch.write("iso2.csv", Self.header + "\n" + "y,BTCUSDT,long,1,60000,isolated,3000,100,,\n" + "y,ETHUSDT,long,10,3000,cross,,,,\n")
        #expect(try PositionsFile.load(path: noLeverage, catalog: .builtIn).map(\.walletBalance) == [nil, Fixed(100)])
        // An account of isolated rows alone keeps its statement on its row.
        let alone = try scratch.write("alone.csv", Self.header + "\n" + "z,BTCUSDT,long,1,60000,isolated,3000,100,,\n")
        #expect(try PositionsFile.load(path: alone, catalog: .builtIn).map(\.walletBalance) == [Fixed(100)])
        // The same wallet on every row is one statement.
        let same = try scratch.write("same.csv", Self.header + "\n" + "z,BTCUSDT,long,1,60000,cross,,100000,,\n" + "z,ETHUSDT,long,10,3000,cross,,100000,,\n")
        #expect(try PositionsFile.load(path: same, catalog: .builtIn).map(\.walletBalance) == [Fixed(100_000), nil])
        // Two rows stating it otherwise: refused, either order (settled by the order, one gave two
        // liquidations and a deficit, the other none: attacker trial).
        for (first, second) in [("100000", "100"), ("100", "100000")] {
            let contra = try scratch.write("contra-\(first).csv", Self.header + "\n" + "z,BTCUSDT,long,1,60000,cross,,\(first),,\n" + "z,ETHUSDT,long,10,3000,cross,,\(second),,\n")
            #expect { _ = try PositionsFile.load(path: contra, catalog: .builtIn) } throws: { error in
                guard let error = error as? PositionsFileError else { return false }
                return error.line == 3 && error.field == "wallet_balance"
                    && error.reason == "z's wallet in USDT is \(first) on line 2 and \(second) here: an account has one wallet a venue and asset (state it once, or the same on every row)"
            }
        }
        // In a JSON list the rows are places in it, said as such (it said "line 1": attacker trial).
        let json = try scratch.write("contra.json", #"{"positions":[{"account":"z","symbol":"BTCUSDT","side":"long","size":"1","entry_price":"60000","margin_mode":"cross","wallet_balance":"100"},{"account":"z","symbol":"ETHUSDT","side":"long","size":"10","entry_price":"3000","margin_mode":"cross","wallet_balance":"100000"}]}"#)
        #expect { _ = try PositionsFile.load(path: json, catalog: .builtIn) } throws: { error in
            guard let error = error as? PositionsFileError else { return false }
            return error.line == nil && error.field == "wallet_balance"
                && error.reason == "position 2: z's wallet in USDT is 100 on position 1 and 100000 here: an account has one wallet a venue and asset (state it once, or the same on every row)"
        }
        // Another venue's wallet is another wallet: no contradiction.
        let venues = try scratch.write("venues.csv", Self.header + "\n" + "z,BTCUSDT,long,1,60000,cross,,100000,,\n" + "z,bybit:ETHUSDT,long,10,3000,cross,,100,,\n")
        #expect(try PositionsFile.load(path: venues, catalog: .builtIn).map(\.walletBalance) == [Fixed(100_000), Fixed(100)])
    }

    @Test("a positions row past the 16 MiB a line may hold is refused naming its line; one at the limit is read")
    func overlongRow() throws {
        let scratch = try ScratchDirectory()
        let row = "y,BTCUSDT,long,1,60000,isolated,3000,,,"
        // A tenth column of notes, which liqwatch does not read, pads the row.
        let header = Self.header + ",note"
        let limit = LineReader.maximumLineLength
        let fits = try scratch.write("fits.csv", header + "\n" + row + "," + String(repeating: "x", count: limit - row.utf8.count - 1) + "\n")
        #expect(try PositionsFile.load(path: fits, catalog: .builtIn).count == 1)
        let long = try scratch.write("long.csv", header + "\n" + row + "," + String(repeating: "x", count: limit - row.utf8.count) + "\n" + row + "\n")
        #expect { _ = try PositionsFile.load(path: long, catalog: .builtIn) } throws: { error in
            guard let error = error as? PositionsFileError else { return false }
            return error.line == 2 && error.reason.hasPrefix("the line is longer than 16 MiB")
        }
    }

    // MARK: The definition before the grouping (tables of every row's strings)

    static func referenceCheckDistinct(_ rows: PositionsFile.Rows, path: String) throws(PositionsFileError) {
        struct Key: Hashable { var account: String; var symbol: String }
        /// The rows already giving a position of one account and symbol, by position side.
        struct Seen { var both = -1, long = -1, short = -1 }
        var seen: [Key: Seen] = [:]
        seen.reserveCapacity(rows.updates.count)
        /// A row that conflicts with an earlier one: which, and which rule.
        enum Conflict { case same(Int), modes(Int, PositionSide), crossLegs(Int) }
        /// Records `row` among the account's rows of the symbol (one hashing of the key for the
        /// lookup and the update: a million accounts make every lookup a cache miss).
        func claim(_ sides: inout Seen, row: Int, _ update: borrowing PositionUpdate) -> Conflict? {
            let mine = update.positionSide == .both ? sides.both : update.positionSide == .long ? sides.long : sides.short
            if mine >= 0 { return .same(mine) }
            for other in PositionSide.allCases where other != update.positionSide {
                let earlier = other == .both ? sides.both : other == .long ? sides.long : sides.short
                guard earlier >= 0 else { continue }
                if (other == .both) != (update.positionSide == .both) { return .modes(earlier, other) }
                if update.mode == .cross || rows.updates[earlier].mode == .cross { return .crossLegs(earlier) }
            }
            switch update.positionSide {
            case .both: sides.both = row
            case .long: sides.long = row
            case .short: sides.short = row
            }
            return nil
        }
        for row in rows.updates.indices {
            let key = Key(account: rows.updates[row].account, symbol: rows.updates[row].symbol)
            guard let conflict = claim(&seen[key, default: Seen()], row: row, rows.updates[row]) else { continue }
            let update = rows.updates[row]
            switch conflict {
            case .same(let earlier):
                let what = update.positionSide == .both
                    ? "one-way mode holds one position a symbol; a hedge-mode leg needs position_side LONG or SHORT"
                    : "hedge mode holds one \(update.positionSide.label) leg a symbol"
                throw PositionsFileError(file: path, line: rows.lines[row], field: "symbol",
                    reason: "line \(rows.lines[earlier]) already gives \(update.account)'s \(update.symbol) position (\(what))")
            case .modes(let earlier, let other):
                throw PositionsFileError(file: path, line: rows.lines[row], field: "position_side",
                    reason: "line \(rows.lines[earlier]) gives \(update.account)'s \(update.symbol) in \(other == .both ? "one-way" : "hedge") mode; the modes cannot be mixed")
            case .crossLegs(let earlier):
                let other = rows.updates[earlier]
                let which = update.mode == .cross && other.mode == .cross ? "both legs are in cross margin"
                    : update.mode == .cross ? "this \(update.positionSide.label) leg is in cross margin"
                    : "the \(other.positionSide.label) leg on line \(rows.lines[earlier]) is in cross margin"
                throw PositionsFileError(file: path, line: rows.lines[row], field: "margin_mode",
                    reason: "\(update.account)'s \(update.symbol) hedge-mode legs (this \(update.positionSide.label), line \(rows.lines[earlier]) \(other.positionSide.label)): \(which); "
                        + "legs of one symbol in cross margin are not supported (they share one liquidation price): give them isolated margin")
            }
        }
    }

    /// Gives every cross account a wallet (stated or derived from leverage).
    static func referenceAssemble(_ rows: inout PositionsFile.Rows, path: String, catalog: InstrumentCatalog) throws(PositionsFileError) {
        try referenceCheckDistinct(rows, path: path)
        // An account's wallet is one per venue and settlement asset.
        struct WalletKey: Hashable { var account: String; var venue: String; var asset: String }
        var instruments: [String: Instrument] = [:]
        func instrument(_ symbol: String) -> Instrument {
            if let known = instruments[symbol] { return known }
            let instrument = catalog.instrument(for: symbol)
            instruments[symbol] = instrument
            return instrument
        }
        var stated: [WalletKey: Fixed] = [:]
        var derived: [WalletKey: Fixed] = [:]
        let crossRows = rows.updates.reduce(0) { $0 + ($1.mode == .cross ? 1 : 0) }
        func key(_ update: PositionUpdate) -> WalletKey {
            WalletKey(account: update.account, venue: MarketID.venueName(of: update.symbol), asset: instrument(update.symbol).settlementAsset)
        }
        // Every row stating a wallet, isolated ones too, states its account's; two that differ
        // refuse the file at the first row differing from its wallet's first statement.
        var firstStated: [WalletKey: (row: Int, value: Fixed)] = [:]
        var contradiction: (row: Int, earlier: Int, stated: Fixed, earlierStated: Fixed)? = nil
        for (row, update) in rows.updates.enumerated() {
            guard let wallet = update.walletBalance else { continue }
            let key = key(update)
            if let first = firstStated[key] {
                if first.value != wallet && contradiction == nil { contradiction = (row, first.row, wallet, first.value) }
            } else {
                firstStated[key] = (row, wallet)
            }
            stated[key] = wallet
        }
        for (row, update) in rows.updates.enumerated() where update.mode == .cross && update.walletBalance == nil {
            let key = key(update)
            if stated[key] != nil { continue }
            guard let leverage = update.leverage else {
                throw PositionsFileError(file: path, line: rows.lines[row], field: "wallet_balance",
                    reason: "a cross position needs wallet_balance (on a row of its account on the same venue and in the same asset: a wallet is one venue's) or leverage")
            }
            let instrument = instrument(update.symbol)
            let terms = PositionTerms(side: update.side, quantity: update.quantity, entryPrice: update.entryPrice,
                kind: instrument.kind, brackets: instrument.brackets)
            derived[key, default: .zero] += MarginMath.notional(terms, at: update.entryPrice) / leverage
        }
        if let (row, earlier, wallet, earlierWallet) = contradiction {
            let update = rows.updates[row]
            throw PositionsFileError(file: path, line: rows.lines[row], field: "wallet_balance",
                reason: "\(update.account)'s wallet in \(instrument(update.symbol).settlementAsset) is \(earlierWallet) on line \(rows.lines[earlier]) "
                    + "and \(wallet) here: an account has one wallet a venue and asset (state it once, or the same on every row)")
        }
        let crossKeys = Set(rows.updates.filter { $0.mode == .cross }.map(key))
        var given = Set<WalletKey>(minimumCapacity: crossRows)
        for row in rows.updates.indices {
            let key = key(rows.updates[row])
            if rows.updates[row].mode == .cross {
                rows.updates[row].walletBalance = given.insert(key).inserted ? stated[key] ?? derived[key] : nil
            } else if crossKeys.contains(key) {
                // Carried by the account's first cross row there.
                rows.updates[row].walletBalance = nil
            }
        }
    }
}
