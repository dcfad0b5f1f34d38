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
        return "\(location): \(reason)"
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
        guard FileManager.default.fileExists(atPath: path) else {
            throw PositionsFileError(file: path, line: nil, field: nil, reason: "no such file")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PositionsFileError(file: path, line: nil, field: nil, reason: "cannot read the file")
        }
        let read = data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> Result<Rows, PositionsFileError> in
            var bytes = raw.bindMemory(to: UInt8.self)[...]
            // JSON starts with a bracket or a brace (after any byte order mark and whitespace).
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
            let first = bytes.firstIndex { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }
            do throws(PositionsFileError) {
                if let first, bytes[first] == UInt8(ascii: "[") || bytes[first] == UInt8(ascii: "{") {
                    return .success(try jsonRows(String(decoding: bytes, as: UTF8.self), path: path, resolver: resolver))
                }
                return .success(try PositionsCSV.rows(UnsafeBufferPointer(rebasing: raw.bindMemory(to: UInt8.self)[...]), path: path, resolver: resolver))
            } catch {
                return .failure(error)
            }
        }
        var rows = try read.get()
        try assemble(&rows, path: path, catalog: catalog)
        return rows.updates
    }

    /// The positions read, and the line (JSON: the place in the list) each came from.
    struct Rows {
        var updates: [PositionUpdate] = []
        var lines: [Int] = []

        mutating func append(_ update: PositionUpdate, line: Int) {
            updates.append(update)
            lines.append(line)
        }
    }

    static func jsonRows(_ text: String, path: String, resolver: MarketResolver) throws(PositionsFileError) -> Rows {
        let document: JSONValue
        do { document = try JSONValue.parse(text) } catch {
            throw PositionsFileError(file: path, line: lineNumber(ofByte: error.offset, in: text), field: nil, reason: error.description)
        }
        guard let list = document["positions"]?.arrayValue ?? document.arrayValue else {
            throw PositionsFileError(file: path, line: 1, field: "positions", reason: "expected a list of positions")
        }
        var rows = Rows()
        for (index, entry) in list.enumerated() {
            do throws(FieldError) {
                rows.append(try PositionRow.parse(resolver: resolver) { entry[$0]?.scalarText }, line: index + 1)
            } catch {
                throw PositionsFileError(file: path, line: nil, field: error.field, reason: "position \(index + 1): \(error.reason)")
            }
        }
        return rows
    }

    static func lineNumber(ofByte offset: Int, in text: String) -> Int {
        1 + text.utf8.prefix(offset).reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
    }

    /// Refuses rows that would overwrite each other: a second row for the same account, symbol and
    /// position side (one-way mode holds one position a symbol; hedge mode one LONG and one SHORT
    /// leg), a hedge leg beside a one-way position, and cross hedge legs of one symbol (which the
    /// engine does not model: they share one liquidation price).
    static func checkDistinct(_ rows: Rows, path: String) throws(PositionsFileError) {
        struct Key: Hashable { var account: String; var symbol: String }
        /// The rows already giving a position of one account and symbol, by position side.
        struct Seen { var both = -1, long = -1, short = -1 }
        var seen: [Key: Seen] = [:]
        seen.reserveCapacity(rows.updates.count)
        /// A row that conflicts with an earlier one: which, and which rule.
        enum Conflict { case same(Int), modes(Int, PositionSide), crossLegs }
        /// Records `row` among the account's rows of the symbol (one hashing of the key for the
        /// lookup and the update: a million accounts make every lookup a cache miss).
        func claim(_ sides: inout Seen, row: Int, _ update: borrowing PositionUpdate) -> Conflict? {
            let mine = update.positionSide == .both ? sides.both : update.positionSide == .long ? sides.long : sides.short
            if mine >= 0 { return .same(mine) }
            for other in PositionSide.allCases where other != update.positionSide {
                let earlier = other == .both ? sides.both : other == .long ? sides.long : sides.short
                guard earlier >= 0 else { continue }
                if (other == .both) != (update.positionSide == .both) { return .modes(earlier, other) }
                if update.mode == .cross || rows.updates[earlier].mode == .cross { return .crossLegs }
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
            case .crossLegs:
                throw PositionsFileError(file: path, line: rows.lines[row], field: "margin_mode",
                    reason: "hedge-mode legs of one symbol in cross margin are not supported (they share one liquidation price): give them isolated margin")
            }
        }
    }

    /// Gives every cross account a wallet (stated or derived from leverage).
    static func assemble(_ rows: inout Rows, path: String, catalog: InstrumentCatalog) throws(PositionsFileError) {
        try checkDistinct(rows, path: path)
        // An account's wallet is one per settlement asset.
        struct WalletKey: Hashable { var account: String; var asset: String }
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
        guard crossRows > 0 else { return }
        stated.reserveCapacity(crossRows)
        func key(_ update: PositionUpdate) -> WalletKey { WalletKey(account: update.account, asset: instrument(update.symbol).settlementAsset) }
        for update in rows.updates where update.mode == .cross {
            if let wallet = update.walletBalance { stated[key(update)] = wallet }
        }
        for (row, update) in rows.updates.enumerated() where update.mode == .cross && update.walletBalance == nil {
            let key = key(update)
            if stated[key] != nil { continue }
            guard let leverage = update.leverage else {
                throw PositionsFileError(file: path, line: rows.lines[row], field: "wallet_balance",
                    reason: "a cross position needs wallet_balance (on any row of its account) or leverage")
            }
            let instrument = instrument(update.symbol)
            let terms = PositionTerms(side: update.side, quantity: update.quantity, entryPrice: update.entryPrice,
                kind: instrument.kind, brackets: instrument.brackets)
            derived[key, default: .zero] += MarginMath.notional(terms, at: update.entryPrice) / leverage
        }
        var given = Set<WalletKey>(minimumCapacity: crossRows)
        for row in rows.updates.indices where rows.updates[row].mode == .cross {
            let key = key(rows.updates[row])
            rows.updates[row].walletBalance = given.insert(key).inserted ? stated[key] ?? derived[key] : nil
        }
    }
}
