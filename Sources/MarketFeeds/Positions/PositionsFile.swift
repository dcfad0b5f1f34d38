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
/// `{"positions": [...]}`). Columns: account, symbol, side, size, entry_price, margin_mode,
/// isolated_margin, wallet_balance, leverage, position_side.
///
/// A cross account's wallet is the `wallet_balance` one of its rows gives; when none does, it is
/// the sum of notional ÷ leverage of its cross rows.
public enum PositionsFile {
    public static func load(path: String, catalog: InstrumentCatalog) throws(PositionsFileError) -> [PositionUpdate] {
        guard FileManager.default.fileExists(atPath: path) else {
            throw PositionsFileError(file: path, line: nil, field: nil, reason: "no such file")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PositionsFileError(file: path, line: nil, field: nil, reason: "cannot read the file")
        }
        let text = String(decoding: data, as: UTF8.self)
        let rows = text.trimmed.hasPrefix("[") || text.trimmed.hasPrefix("{")
            ? try jsonRows(text, path: path) : try csvRows(text, path: path)
        return try assemble(rows, path: path, catalog: catalog)
    }

    typealias Row = (line: Int, update: PositionUpdate)

    static func csvRows(_ text: String, path: String) throws(PositionsFileError) -> [Row] {
        var header: [String]? = nil
        var rows: [Row] = []
        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            if line.trimmingCharacters(in: .whitespaces).isEmpty || line.hasPrefix("#") { continue }
            let cells = line.split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmed }
            guard let columns = header else {
                header = cells.map { $0.lowercased() }
                for required in ["account", "symbol", "side", "size", "entry_price"] where !header!.contains(required) {
                    throw PositionsFileError(file: path, line: offset + 1, field: required, reason: "the header has no \(required) column")
                }
                continue
            }
            guard cells.count == columns.count else {
                throw PositionsFileError(file: path, line: offset + 1, field: nil,
                    reason: "expected \(columns.count) columns, found \(cells.count)")
            }
            do throws(FieldError) {
                let update = try PositionRow.parse { name in columns.firstIndex(of: name).map { cells[$0] } }
                rows.append((offset + 1, update))
            } catch {
                throw PositionsFileError(file: path, line: offset + 1, field: error.field, reason: error.reason)
            }
        }
        guard header != nil else { throw PositionsFileError(file: path, line: nil, field: nil, reason: "the file is empty") }
        return rows
    }

    static func jsonRows(_ text: String, path: String) throws(PositionsFileError) -> [Row] {
        let document: JSONValue
        do { document = try JSONValue.parse(text) } catch {
            throw PositionsFileError(file: path, line: lineNumber(ofByte: error.offset, in: text), field: nil, reason: error.description)
        }
        guard let list = document["positions"]?.arrayValue ?? document.arrayValue else {
            throw PositionsFileError(file: path, line: 1, field: "positions", reason: "expected a list of positions")
        }
        var rows: [Row] = []
        for (index, entry) in list.enumerated() {
            do throws(FieldError) {
                rows.append((index + 1, try PositionRow.parse { entry[$0]?.scalarText }))
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
    static func checkDistinct(_ rows: [Row], path: String) throws(PositionsFileError) {
        struct Key: Hashable { var account: String; var symbol: String; var side: PositionSide }
        var seen: [Key: Row] = [:]
        for row in rows {
            let update = row.update
            let key = Key(account: update.account, symbol: update.symbol, side: update.positionSide)
            if let earlier = seen[key] {
                let what = update.positionSide == .both
                    ? "one-way mode holds one position a symbol; a hedge-mode leg needs position_side LONG or SHORT"
                    : "hedge mode holds one \(update.positionSide.label) leg a symbol"
                throw PositionsFileError(file: path, line: row.line, field: "symbol",
                    reason: "line \(earlier.line) already gives \(update.account)'s \(update.symbol) position (\(what))")
            }
            for other in PositionSide.allCases where other != update.positionSide {
                guard let earlier = seen[Key(account: update.account, symbol: update.symbol, side: other)] else { continue }
                if (other == .both) != (update.positionSide == .both) {
                    throw PositionsFileError(file: path, line: row.line, field: "position_side",
                        reason: "line \(earlier.line) gives \(update.account)'s \(update.symbol) in \(other == .both ? "one-way" : "hedge") mode; the modes cannot be mixed")
                }
                if update.mode == .cross || earlier.update.mode == .cross {
                    throw PositionsFileError(file: path, line: row.line, field: "margin_mode",
                        reason: "hedge-mode legs of one symbol in cross margin are not supported (they share one liquidation price): give them isolated margin")
                }
            }
            seen[key] = row
        }
    }

    /// Gives every cross account a wallet (stated or derived from leverage).
    static func assemble(_ rows: [Row], path: String, catalog: InstrumentCatalog) throws(PositionsFileError) -> [PositionUpdate] {
        try checkDistinct(rows, path: path)
        var stated: [String: Fixed] = [:]
        var derived: [String: Fixed] = [:]
        func key(_ update: PositionUpdate) -> String { update.account + "\u{0}" + catalog.instrument(for: update.symbol).settlementAsset }
        for row in rows where row.update.mode == .cross {
            if let wallet = row.update.walletBalance { stated[key(row.update)] = wallet }
        }
        for row in rows where row.update.mode == .cross && row.update.walletBalance == nil {
            let key = key(row.update)
            if stated[key] != nil { continue }
            guard let leverage = row.update.leverage else {
                throw PositionsFileError(file: path, line: row.line, field: "wallet_balance",
                    reason: "a cross position needs wallet_balance (on any row of its account) or leverage")
            }
            let instrument = catalog.instrument(for: row.update.symbol)
            let terms = PositionTerms(side: row.update.side, quantity: row.update.quantity, entryPrice: row.update.entryPrice,
                kind: instrument.kind, brackets: instrument.brackets)
            derived[key, default: .zero] += MarginMath.notional(terms, at: row.update.entryPrice) / leverage
        }
        var given = Set<String>()
        return rows.map { row in
            var update = row.update
            guard update.mode == .cross else { return update }
            let key = key(update)
            if given.insert(key).inserted { update.walletBalance = stated[key] ?? derived[key] } else { update.walletBalance = nil }
            return update
        }
    }
}
