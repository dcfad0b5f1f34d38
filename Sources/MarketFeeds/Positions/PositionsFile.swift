import Foundation
import RiskEngine

/// A positions file that could not be read, naming the file, line and field.
public struct PositionsFileError: Error, Hashable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var field: String?
    public var reason: String

    public var description: String {
        var location = file
        if let line { location += ":\(line)" }
        if let field { location += ": field \(field)" }
        // One line: the reason can quote an account's name, which may hold a newline.
        return SafeText.escaped("\(location): \(reason)")
    }
}

/// Loads positions from CSV (a header row naming the columns) or JSON (a list of objects, or
/// `{"positions": [...]}`). Columns: account, symbol (`venue:symbol`, or a bare symbol: the one venue
/// of the session that lists it, `MarketResolver`), side, size, entry_price, margin_mode,
/// isolated_margin, wallet_balance, leverage, position_side.
///
/// A cross account's wallet is the `wallet_balance` one of its rows gives; when none does, it is
/// the sum of notional ÷ leverage of its cross rows.
public enum PositionsFile {
    public static func load(path: String, catalog: InstrumentCatalog, resolver: MarketResolver = .default) throws(PositionsFileError) -> [PositionUpdate] {
        try read(path: path, catalog: catalog, resolver: resolver).updates
    }

    /// `load`, and how many rows of size 0 were skipped: a flat position (an exchange's export
    /// lists every symbol, Binance's positionRisk with `positionAmt` 0; such a file was refused
    /// whole at its first flat row: attacker trial).
    /// `unendedLine`: a CSV's last row, when it has no line end (see `Rows.unendedLine`).
    public static func read(path: String, catalog: InstrumentCatalog, resolver: MarketResolver = .default)
        throws(PositionsFileError) -> (updates: [PositionUpdate], flatRows: Int, unendedLine: Int?)
    {
        let data: Data
        switch PositionsFileBytes.read(path, limit: PositionsFileBytes.limit) {
        case .success(let bytes): data = bytes
        case .failure(let problem): throw PositionsFileError(file: path, line: nil, field: nil, reason: problem.reason)
        }
        let read = data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> Result<Rows, PositionsFileError> in
            var bytes = raw.bindMemory(to: UInt8.self)[...]
            // UTF-16 (a spreadsheet's "Unicode text"), or a binary file: said as such (a UTF-16
            // export read `the header has no account column`: attacker trial).
            if bytes.starts(with: [0xFF, 0xFE, 0, 0]) || bytes.starts(with: [0, 0, 0xFE, 0xFF]) {
                return .failure(PositionsFileError(file: path, line: nil, field: nil,
                    reason: "the file is UTF-32 text (it starts with a UTF-32 byte order mark): save it as UTF-8 and load it again"))
            }
            if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
                return .failure(PositionsFileError(file: path, line: nil, field: nil,
                    reason: "the file is UTF-16 text (it starts with a UTF-16 byte order mark): save it as UTF-8 (CSV UTF-8) and load it again"))
            }
            if bytes.prefix(4096).contains(0) {
                return .failure(PositionsFileError(file: path, line: nil, field: nil,
                    reason: "the file holds NUL bytes: UTF-16 text without a byte order mark, or not a text file (positions files are UTF-8 CSV or JSON)"))
            }
            // JSON starts with a bracket or a brace (after any byte order mark and whitespace).
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
            let first = bytes.firstIndex { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }
            do throws(PositionsFileError) {
                if let first, bytes[first] == UInt8(ascii: "[") || bytes[first] == UInt8(ascii: "{") {
                    // As bytes: invalid UTF-8 in a string is refused by the parser, where decoding
                    // the file first would repair it and two such account names would read the same.
                    return .success(try jsonRows(Array(bytes), path: path, resolver: resolver))
                }
                return .success(try PositionsCSV.rows(UnsafeBufferPointer(rebasing: raw.bindMemory(to: UInt8.self)[...]), path: path, resolver: resolver))
            } catch {
                return .failure(error)
            }
        }
        // Taken out of the result before it is changed: a copy still held by the result would make
        // the first change copy every row.
        var rows: Rows
        switch consume read {
        case .success(let read): rows = read
        case .failure(let error): throw error
        }
        try assemble(&rows, path: path, catalog: catalog)
        return (rows.updates, rows.flat, rows.unendedLine)
    }

    /// Whether a row's size reads as exactly zero (`0`, `0.000`, `-0`): a flat position, skipped
    /// before its other fields are read (an export's flat rows carry an entry price of 0).
    static func isFlat(sizeText: String?) -> Bool {
        // Spaces and tabs only, as every cell is trimmed (a no-break space before a 0 is not a
        // number: the row parser refuses it, and so must this: review).
        guard let text = sizeText?.trimmed, let value = Fixed(text) else { return false }
        return value.isZero
    }

    /// Whether a row is flat, to be skipped (see `isFlat`), for the CSV and the JSON readers alike.
    /// A flat row stating a wallet is refused: the wallet is the account's, which its open rows
    /// need (dropped with the row, it was lost: review), and `field size: must be greater than
    /// zero` read as if flat rows were not taken (attacker trial).
    static func skipsFlat(sizeText: String?, walletText: String?) throws(FieldError) -> Bool {
        guard isFlat(sizeText: sizeText) else { return false }
        guard (walletText?.trimmed ?? "").isEmpty else {
            throw FieldError(field: "wallet_balance",
                reason: "a row of size 0 (a flat position) states the account's wallet: state it on a row of one of its open positions")
        }
        return true
    }

    /// The positions read, and the line (JSON: the place in the list) each came from.
    struct Rows {
        var updates: [PositionUpdate] = []
        var lines: [Int] = []
        /// Rows of size 0 skipped (see `PositionsFile.read`).
        var flat = 0
        /// The line of a CSV's last row when the file ends inside it, with no line end: a file
        /// an exporter was still writing ends so, and a row cut in its last column reads whole
        /// (`6` of an entry price of 60,000 booked a deficit of 60,003.40: attacker trial). Said,
        /// not refused: many exporters write no line end after the last row.
        var unendedLine: Int? = nil
        /// A JSON list's: `lines` are places in the list, said as such (a wallet contradiction in
        /// a JSON file was said to be on "line 1", the list's first entry: attacker trial).
        var isList = false

        mutating func append(_ update: PositionUpdate, line: Int) {
            updates.append(update)
            lines.append(line)
        }

        /// Where a row came from, in words: `line 4`, or `position 4` of a JSON list.
        func place(_ row: Int) -> String { (isList ? "position " : "line ") + String(lines[row]) }

        /// An error at a row: a CSV row's by its line, a JSON entry's by its place in the reason
        /// (as the JSON reader's own errors say it).
        func error(at row: Int, path: String, field: String, reason: String) -> PositionsFileError {
            isList ? PositionsFileError(file: path, line: nil, field: field, reason: "position \(lines[row]): \(reason)")
                : PositionsFileError(file: path, line: lines[row], field: field, reason: reason)
        }
    }

    static func jsonRows(_ bytes: [UInt8], path: String, resolver: MarketResolver) throws(PositionsFileError) -> Rows {
        let document: JSONValue
        do { document = try JSONValue.parse(bytes: bytes) } catch {
            let line = 1 + bytes.prefix(error.offset).reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
            throw PositionsFileError(file: path, line: line, field: nil, reason: error.description)
        }
        guard let list = document["positions"]?.arrayValue ?? document.arrayValue else {
            throw PositionsFileError(file: path, line: 1, field: "positions", reason: "expected a list of positions")
        }
        var rows = Rows()
        rows.isList = true
        for (index, entry) in list.enumerated() {
            // A list, a number or null where a position goes is no position at all, not one missing
            // its account (`[[]]` read `field account: missing`: attacker trial).
            guard entry.objectMembers != nil else {
                throw PositionsFileError(file: path, line: nil, field: nil, reason: "position \(index + 1): expected an object of a position's fields, not \(entry.kindInWords)")
            }
            do throws(FieldError) {
                if let members = entry.objectMembers, let found = KeyLookalike.first(in: members.lazy.map(\.0), known: PositionsCSV.fieldNames) {
                    throw FieldError(field: KeyLookalike.field(found), reason: KeyLookalike.reason(found))
                }
                // A list or an object is no value (`"size": [0.5]` read "missing"), and a number
                // whose exponent no figure needs is too large or too small, not "no decimal number"
                // (`1e400`: attacker trial).
                for (key, member) in entry.objectMembers ?? [] where PositionsCSV.fieldNames.contains(key) {
                    switch member {
                    case .array, .object:
                        throw FieldError(field: key, reason: "expected a number or a string, not a list or an object")
                    case .number(let text) where JSONNumberText.expanded(text) == nil && text.contains(where: { $0 == "e" || $0 == "E" }):
                        throw FieldError(field: key, reason: "'\(SafeText.escaped(String(text.prefix(40))))' is too large or too small for any position's figure")
                    default: break
                    }
                }
                if try skipsFlat(sizeText: entry["size"].flatMap(JSONNumberText.plain), walletText: entry["wallet_balance"].flatMap(JSONNumberText.plain)) {
                    rows.flat += 1
                    continue
                }
                rows.append(try PositionRow.parse(resolver: resolver) { entry[$0].flatMap(JSONNumberText.plain) }, line: index + 1)
            } catch {
                throw PositionsFileError(file: path, line: nil, field: error.field, reason: "position \(index + 1): \(error.reason)")
            }
        }
        guard !rows.updates.isEmpty else {
            throw PositionsFileError(file: path, line: nil, field: "positions", reason: rows.flat > 0
                ? "the list holds no open position: its \(rows.flat) position\(rows.flat == 1 ? " is" : "s are all") of size 0" : "the list holds no positions")
        }
        return rows
    }

    /// Refuses rows that would overwrite each other: a second row for the same account, symbol and
    /// position side (one-way mode holds one position a symbol; hedge mode one LONG and one SHORT
    /// leg), a hedge leg beside a one-way position, and cross hedge legs of one symbol (which the
    /// engine does not model: they share one liquidation price). Of several such rows, the first
    /// in the file is named, with the earlier row it conflicts with.
    static func checkDistinct(_ rows: Rows, groups: AccountGroups, path: String) throws(PositionsFileError) {
        /// The rows already giving a position of one account and symbol, by position side.
        struct Seen { var both = -1, long = -1, short = -1 }
        /// A row that conflicts with an earlier one: which, and which rule.
        enum Conflict { case same(Int), modes(Int, PositionSide), crossLegs(Int) }
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
        // Only rows of one account can conflict, and an account's rows are checked in file order,
        // so the first conflicting row of the file is the first of the groups' first ones.
        var first: (row: Int, conflict: Conflict)? = nil
        var symbols: [String] = []
        var seen: [Seen] = []
        var bySymbol: [String: Seen] = [:]
        for group in 0..<groups.groupCount {
            let members = groups.rows(of: group)
            guard members.count > 1 else { continue }
            // A few rows: a list of the account's symbols; many (an account in hundreds of
            // markets): a table, so no account costs the square of its rows.
            let listed = members.count <= 16
            symbols.removeAll(keepingCapacity: true)
            seen.removeAll(keepingCapacity: true)
            bySymbol.removeAll(keepingCapacity: true)
            for member in members {
                let row = Int(member)
                if let found = first, found.row < row { break }
                let symbol = rows.updates[row].symbol
                let conflict: Conflict?
                if listed {
                    if let slot = symbols.firstIndex(of: symbol) {
                        conflict = claim(&seen[slot], row: row, rows.updates[row])
                    } else {
                        symbols.append(symbol)
                        seen.append(Seen())
                        conflict = claim(&seen[seen.count - 1], row: row, rows.updates[row])
                    }
                } else {
                    conflict = claim(&bySymbol[symbol, default: Seen()], row: row, rows.updates[row])
                }
                if let conflict {
                    if first == nil || row < first!.row { first = (row, conflict) }
                    break
                }
            }
        }
        guard let (row, conflict) = first else { return }
        let update = rows.updates[row]
        switch conflict {
        case .same(let earlier):
            let what = update.positionSide == .both
                ? "one-way mode holds one position a symbol; a hedge-mode leg needs position_side LONG or SHORT"
                : "hedge mode holds one \(update.positionSide.label) leg a symbol"
            throw rows.error(at: row, path: path, field: "symbol",
                reason: "\(rows.place(earlier)) already gives \(update.account)'s \(update.symbol) position (\(what))")
        case .modes(let earlier, let other):
            throw rows.error(at: row, path: path, field: "position_side",
                reason: "\(rows.place(earlier)) gives \(update.account)'s \(update.symbol) in \(other == .both ? "one-way" : "hedge") mode; the modes cannot be mixed")
        case .crossLegs(let earlier):
            // Named by the leg that is cross: the later row may be the isolated one.
            let other = rows.updates[earlier]
            let which = update.mode == .cross && other.mode == .cross ? "both legs are in cross margin"
                : update.mode == .cross ? "this \(update.positionSide.label) leg is in cross margin"
                : "the \(other.positionSide.label) leg on \(rows.place(earlier)) is in cross margin"
            throw rows.error(at: row, path: path, field: "margin_mode",
                reason: "\(update.account)'s \(update.symbol) hedge-mode legs (this \(update.positionSide.label), \(rows.place(earlier)) \(other.positionSide.label)): \(which); "
                    + "legs of one symbol in cross margin are not supported (they share one liquidation price): give them isolated margin")
        }
    }

    /// Checks the rows (`checkDistinct`) and gives every cross account a wallet, one per venue and
    /// settlement asset: the `wallet_balance` its last row stating one gives, else the sum of
    /// notional ÷ leverage of its cross rows. The first cross row of an account, venue and asset carries
    /// it; the others carry none.
    static func assemble(_ rows: inout Rows, path: String, catalog: InstrumentCatalog) throws(PositionsFileError) {
        let groups = AccountGroups(accounts: rows.updates.map(\.account))
        try checkDistinct(rows, groups: groups, path: path)
        var lastSymbol = ""
        var lastInstrument: Instrument? = nil
        func instrument(_ symbol: String) -> Instrument {
            // Rows mostly name the symbol of the row before, as the same string.
            if let lastInstrument, symbol == lastSymbol { return lastInstrument }
            let found = catalog.instrument(for: symbol)
            lastSymbol = symbol
            lastInstrument = found
            return found
        }
        /// One account's cross rows of one venue and asset (a wallet is one venue's: see
        /// `Account.venue`), and its rows stating a wallet there, isolated ones too.
        struct Wallet { var asset: String; var venue: String; var rows: [Int]; var stating: [Int] }
        var wallets: [Wallet] = []
        // The first row that has no way to a wallet.
        var missing: Int? = nil
        // The first row stating a wallet another row of its account, venue and asset states
        // otherwise, and that row: settled by the rows' order, a file gave two liquidations and a
        // deficit one way round and none the other (attacker trial).
        var contradiction: (row: Int, earlier: Int, stated: Fixed, earlierStated: Fixed)? = nil
        // The first row whose leverage implies a margin (or, with the account's other cross rows,
        // a wallet) past the money limit a stated one is held to: a leverage of 10⁻¹⁸ placed a
        // margin beyond 10³⁰.
        var tooLarge: (row: Int, wallet: Bool)? = nil
        func noteTooLarge(_ row: Int, wallet: Bool) { if tooLarge == nil || row < tooLarge!.row { tooLarge = (row, wallet) } }
        /// `update`'s notional at entry as the engine works it out (an inverse contract's in coin).
        func notional(_ update: borrowing PositionUpdate) -> Fixed {
            MarginMath.notional(kind: instrument(update.symbol).kind, quantity: update.quantity, at: update.entryPrice)
        }
        func derivedWallet(_ walletRows: some Sequence<Int>) -> Fixed? {
            var derived = Fixed.zero
            var first: Int? = nil
            for row in walletRows {
                guard let leverage = rows.updates[row].leverage else {
                    if missing == nil || row < missing! { missing = row }
                    return nil
                }
                let value = notional(rows.updates[row])
                if !MarginMath.impliedMarginIsWithinLimit(notional: value, leverage: leverage) { noteTooLarge(row, wallet: false) }
                derived += value / leverage
                first = first ?? row
            }
            if let first, derived > PositionRow.largestMoney { noteTooLarge(first, wallet: true) }
            return derived
        }
        // Most accounts have one row: those are settled in file order, reading the rows in the
        // order they lie in memory; only accounts of several rows are read group by group.
        var alone = [Bool](repeating: false, count: rows.updates.count)
        for group in 0..<groups.groupCount {
            let members = groups.rows(of: group)
            if members.count == 1 { alone[Int(members.first!)] = true; continue }
            wallets.removeAll(keepingCapacity: true)
            for member in members {
                let row = Int(member)
                let cross = rows.updates[row].mode == .cross
                guard cross || rows.updates[row].walletBalance != nil else { continue }
                let symbol = rows.updates[row].symbol
                let asset = instrument(symbol).settlementAsset
                let venue = MarketID.venueName(of: symbol)
                let slot = wallets.firstIndex(where: { $0.asset == asset && $0.venue == venue })
                    ?? { wallets.append(Wallet(asset: asset, venue: venue, rows: [], stating: [])); return wallets.count - 1 }()
                if cross { wallets[slot].rows.append(row) }
                if rows.updates[row].walletBalance != nil { wallets[slot].stating.append(row) }
            }
            // The wallet of each venue and asset on its first cross row there, none on the
            // others: the one its rows state (every row stating one states the same), else the
            // one its cross rows' leverage implies. (A wallet that cannot be derived is an error,
            // thrown below.) An account of isolated rows alone keeps its statement where it is.
            for wallet in wallets {
                if let first = wallet.stating.first, let firstStated = rows.updates[first].walletBalance,
                   let other = wallet.stating.first(where: { rows.updates[$0].walletBalance != firstStated }),
                   let otherStated = rows.updates[other].walletBalance, contradiction == nil || other < contradiction!.row {
                    contradiction = (other, first, otherStated, firstStated)
                }
                guard let carrier = wallet.rows.first else { continue }
                let balance = wallet.stating.last.map { rows.updates[$0].walletBalance } ?? derivedWallet(wallet.rows)
                for row in wallet.rows + wallet.stating { rows.updates[row].walletBalance = nil }
                rows.updates[carrier].walletBalance = balance
            }
        }
        // One pass over the rows (a million rows are 190 MB: a second pass cost the parse 7 %):
        // the wallets of accounts of one cross row, and an isolated row's margin from its
        // leverage where none is stated (the engine works it out so when placing it), in Double
        // first, exactly only near the limit.
        var kindSymbol = ""
        var contractSize: Double? = nil
        for row in rows.updates.indices {
            if rows.updates[row].mode == .cross {
                guard alone[row] && rows.updates[row].walletBalance == nil else { continue }
                if let derived = derivedWallet(CollectionOfOne(row)) { rows.updates[row].walletBalance = derived }
                continue
            }
            guard rows.updates[row].isolatedMargin == nil, let leverage = rows.updates[row].leverage else { continue }
            let quantity = rows.updates[row].quantity.roughDouble
            let entry = rows.updates[row].entryPrice.roughDouble
            let rough: Double
            // The contract size of the row's symbol, looked up when the symbol changes (the
            // instrument returned by value, copied and released a row, was most of this pass).
            if rows.updates[row].symbol != kindSymbol {
                kindSymbol = rows.updates[row].symbol
                if case .inverse(let size) = instrument(kindSymbol).kind { contractSize = size.roughDouble } else { contractSize = nil }
            }
            if let contractSize { rough = quantity * contractSize / entry } else { rough = quantity * entry }
            if rough < 0.25e15 * leverage.roughDouble { continue }
            if !MarginMath.impliedMarginIsWithinLimit(notional: notional(rows.updates[row]), leverage: leverage) { noteTooLarge(row, wallet: false) }
        }
        if let (row, wallet) = tooLarge {
            throw rows.error(at: row, path: path, field: "leverage", reason: wallet
                ? "the account's cross rows imply a wallet (the sum of notional ÷ leverage) of more than 1,000,000,000,000,000"
                : "implies a margin (notional at entry ÷ leverage) of more than 1,000,000,000,000,000")
        }
        if let row = missing {
            throw rows.error(at: row, path: path, field: "wallet_balance",
                reason: "a cross position needs wallet_balance (on a row of its account on the same venue and in the same asset: a wallet is one venue's) or leverage")
        }
        if let (row, earlier, stated, earlierStated) = contradiction {
            let update = rows.updates[row]
            throw rows.error(at: row, path: path, field: "wallet_balance",
                reason: "\(update.account)'s wallet in \(instrument(update.symbol).settlementAsset) is \(earlierStated) on \(rows.place(earlier)) "
                    + "and \(stated) here: an account has one wallet a venue and asset (state it once, or the same on every row)")
        }
    }
}
