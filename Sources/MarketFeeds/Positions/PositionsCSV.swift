import Foundation
import RiskEngine

/// A CSV positions file read on the byte level, like the feeds: a million-row book of positions
/// loads in about the time it takes to read it.
///
/// Each row goes through a fast path that handles the plain form (ASCII, every field valid). A row
/// it cannot settle (anything unusual: non-ASCII text, a value out of range, a missing field) is
/// read again by `PositionRow.parse`, the one definition of the columns, which either accepts it or
/// names the field and the reason. So the fast path decides nothing on its own: a row it accepts is
/// one `PositionRow.parse` accepts identically (a test compares them on random rows).
enum PositionsCSV {
    /// The columns the rows are read by; others are ignored, unless they resemble one of these
    /// (`KeyLookalike`).
    enum Column: Int, CaseIterable {
        case account, symbol, side, size, entryPrice, marginMode, isolatedMargin, walletBalance, leverage, positionSide

        var name: String {
            switch self {
            case .account: "account"
            case .symbol: "symbol"
            case .side: "side"
            case .size: "size"
            case .entryPrice: "entry_price"
            case .marginMode: "margin_mode"
            case .isolatedMargin: "isolated_margin"
            case .walletBalance: "wallet_balance"
            case .leverage: "leverage"
            case .positionSide: "position_side"
            }
        }
    }

    /// Every field a position is read by, in any source (a CSV header, a JSON entry, an event
    /// line): the columns and `venue`.
    static let fieldNames = Column.allCases.map(\.name) + ["venue"]

    /// A cell: where its bytes lie in the file, surrounding spaces and tabs trimmed.
    struct Cell {
        var start: Int
        var end: Int
        var isEmpty: Bool { start == end }
    }

    static func rows(_ bytes: UnsafeBufferPointer<UInt8>, path: String, resolver: MarketResolver) throws(PositionsFileError) -> PositionsFile.Rows {
        guard let base = bytes.baseAddress else { throw PositionsFileError(file: path, line: nil, field: nil, reason: "the file is empty") }
        let count = bytes.count
        var position = 0
        // A byte order mark, as spreadsheets write it.
        if count >= 3 && base[0] == 0xEF && base[1] == 0xBB && base[2] == 0xBF { position = 3 }
        var lineNumber = 0
        var header: [String]? = nil
        var hasVenueColumn = false
        // For each column of the file, the column it is (or nil: ignored).
        var columnOfCell: [Column?] = []
        var cellOfColumn = [Int](repeating: -1, count: Column.allCases.count)
        var cells: [Cell] = []
        var rows = PositionsFile.Rows()
        // About fifty bytes a row (and no more reserved than two million rows need).
        rows.updates.reserveCapacity(min(count / 48, 1 << 21))
        rows.lines.reserveCapacity(min(count / 48, 1 << 21))
        // 192 bytes a row written to fresh pages: a quarter of the parse was their faults.
        rows.updates.adviseHugePages()
        rows.lines.adviseHugePages()
        var symbols = SymbolNames(resolver: resolver)
        // A file with a carriage return outside a CRLF ends its lines at a lone CR too (a classic
        // Mac export has no LF at all: it was read as one line, its header, and no positions).
        let hasCarriageReturns = memchr(base, 0x0D, count) != nil
        // Whether liqwatch reads the file's column `index` (the venue is read by the row parser).
        func isRead(_ index: Int) -> Bool { columnOfCell[index] != nil || header?[index] == "venue" }
        // The first LF at or after the line being read (`count`: none left). Kept from line to
        // line: a file whose lines end at lone CRs has none, and looking for it again from every
        // line to the end of the file made a million-row CR file take minutes.
        var nextNewline = -1
        while position < count {
            lineNumber += 1
            // memchr finds the line's end and a quote a vector at a time (a byte loop each was a
            // tenth of the parse).
            if nextNewline < position {
                nextNewline = memchr(base + position, 0x0A, count - position).map { base.distance(to: $0.assumingMemoryBound(to: UInt8.self)) } ?? count
            }
            var end = nextNewline
            var next = end + 1
            if hasCarriageReturns, end > position,
               let cr = memchr(base + position, 0x0D, end - position).map({ base.distance(to: $0.assumingMemoryBound(to: UInt8.self)) }) {
                if cr == end - 1 { end = cr } else { end = cr; next = cr + 1 }
            }
            defer { position = next }
            // Bounded as every input's lines are (a 200 MB note column was read as one row's
            // cell: attacker trial).
            if end - position > LineReader.maximumLineLength {
                throw PositionsFileError(file: path, line: lineNumber, field: nil,
                    reason: "the line is longer than \(LineReader.maximumLineLength >> 20) MiB (a row is under a hundred bytes): is it the right file?")
            }
            let line = UnsafeBufferPointer(start: base + position, count: end - position)
            if isBlankOrComment(line) { continue }
            // A line with a quote (a spreadsheet quotes a field holding a comma) is split by the
            // quoting rules and read by the row parser; the rest are split at every comma.
            var quotedTexts: [String]? = nil
            var plain = false
            if line.count > 0, memchr(line.baseAddress!, Int32(UInt8(ascii: "\"")), line.count) != nil {
                switch quotedCells(line) {
                case .success(let texts): quotedTexts = texts
                case .failure(let problem):
                    throw PositionsFileError(file: path, line: lineNumber, field: header == nil ? nil : problem.field(columns: header!), reason: problem.reason)
                }
            } else {
                plain = splitCells(base, from: position, to: end, into: &cells)
            }
            guard let columns = header else {
                let names = quotedTexts.map { $0.map { $0.trimmed.lowercased() } }
                    ?? cells.map { String(decoding: UnsafeBufferPointer(start: base + $0.start, count: $0.end - $0.start), as: UTF8.self).trimmed.lowercased() }
                for required in ["account", "symbol", "side", "size", "entry_price"] where !names.contains(required) {
                    throw PositionsFileError(file: path, line: lineNumber, field: required, reason: "the header has no \(required) column")
                }
                // A column like one read (`isolated margin`, `isolatedMargin`, `entry_prce`) is
                // refused: passed over, its values were silently not read (attacker trial).
                if let found = KeyLookalike.first(in: names, known: fieldNames) {
                    throw PositionsFileError(file: path, line: lineNumber, field: KeyLookalike.field(found),
                        reason: KeyLookalike.reason(found, noun: "column"))
                }
                header = names
                hasVenueColumn = names.contains("venue")
                columnOfCell = names.map { name in Column.allCases.first { $0.name == name } }
                // A column read twice would be read from its first place only: a second `size`
                // (a spreadsheet's column pasted twice) passed unread, and unchecked.
                for (index, name) in names.enumerated() where isRead(index) {
                    if let first = names.firstIndex(of: name), first < index {
                        throw PositionsFileError(file: path, line: lineNumber, field: name,
                            reason: "the header names \(name) twice (columns \(first + 1) and \(index + 1))")
                    }
                }
                for (index, column) in columnOfCell.enumerated() { if let column { cellOfColumn[column.rawValue] = index } }
                continue
            }
            let cellCount = quotedTexts?.count ?? cells.count
            guard cellCount == columns.count else {
                throw PositionsFileError(file: path, line: lineNumber, field: nil,
                    reason: "expected \(columns.count) columns, found \(cellCount)" + (quotedTexts == nil && line.count > 0 ? " (a field holding a comma must be quoted)" : ""))
            }
            // A venue column is read by the row parser (the fast path knows only the symbol).
            if quotedTexts == nil, plain, !hasVenueColumn, let update = fastRow(base, cells: cells, cellOfColumn: cellOfColumn, symbols: &symbols) {
                rows.append(update, line: lineNumber)
                continue
            }
            // Not repaired: two account names with different invalid bytes would read the same. A
            // column liqwatch does not read (a spreadsheet's note in cp1252) is let be.
            let raw: [String?] = quotedTexts?.map { $0 == PositionsCSV.invalidUTF8 ? nil : $0 }
                ?? cells.map { String(validating: UnsafeBufferPointer(start: base + $0.start, count: $0.end - $0.start), as: UTF8.self) }
            var texts: [String] = []
            for (index, text) in raw.enumerated() {
                if let text { texts.append(text.trimmed); continue }
                guard index < columnOfCell.count, isRead(index) else {
                    texts.append("")
                    continue
                }
                throw PositionsFileError(file: path, line: lineNumber, field: columns[index], reason: "not valid UTF-8")
            }
            do throws(FieldError) {
                // A flat position (size 0, as an exchange's export lists every symbol): skipped, counted.
                func text(_ name: String) -> String? { columns.firstIndex(of: name).map { texts[$0] } }
                if try PositionsFile.skipsFlat(sizeText: text("size"), walletText: text("wallet_balance")) {
                    rows.flat += 1
                    continue
                }
                let update = try PositionRow.parse(resolver: resolver, text)
                rows.append(update, line: lineNumber)
            } catch {
                throw PositionsFileError(file: path, line: lineNumber, field: error.field, reason: error.reason)
            }
        }
        guard header != nil else { throw PositionsFileError(file: path, line: nil, field: nil, reason: "the file is empty") }
        if let last = rows.lines.last, last == lineNumber, base[count - 1] != 0x0A && base[count - 1] != 0x0D { rows.unendedLine = last }
        // A header and nothing else is a file cut short or exported wrong, not a book of none.
        guard !rows.updates.isEmpty else {
            throw PositionsFileError(file: path, line: nil, field: nil, reason: rows.flat > 0
                ? "the file has no open position: its \(rows.flat) row\(rows.flat == 1 ? " is" : "s are all") of size 0" : "the file has a header and no positions")
        }
        return rows
    }

    /// Why a quoted line could not be split: which cell (0-based) and what is wrong.
    /// A quoted cell that was not valid UTF-8 (U+FFFF is a noncharacter: no real name holds it).
    static let invalidUTF8 = "\u{FFFF}"

    struct QuoteProblem: Error {
        var cell: Int
        var reason: String

        func field(columns: [String]) -> String? { cell < columns.count ? columns[cell] : nil }
    }

    /// A line's fields by RFC 4180's quoting: a field in double quotes may hold commas, and `""`
    /// inside it is one quote. Spaces and tabs around a field are dropped, as around an unquoted
    /// one. A quote inside an unquoted field, text after a closing quote, or a quote never closed
    /// (a field spanning lines, which this reader does not take) is an error naming the field.
    static func quotedCells(_ line: UnsafeBufferPointer<UInt8>) -> Result<[String], QuoteProblem> {
        var texts: [String] = []
        var index = 0
        let count = line.count
        func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }
        while true {
            var field: [UInt8] = []
            while index < count && isBlank(line[index]) { index += 1 }
            if index < count && line[index] == UInt8(ascii: "\"") {
                index += 1
                var closed = false
                while index < count {
                    let byte = line[index]
                    index += 1
                    if byte == UInt8(ascii: "\"") {
                        if index < count && line[index] == UInt8(ascii: "\"") { field.append(byte); index += 1; continue }
                        closed = true
                        break
                    }
                    field.append(byte)
                }
                guard closed else { return .failure(QuoteProblem(cell: texts.count, reason: "a quote is not closed (a field cannot span lines)")) }
                while index < count && isBlank(line[index]) { index += 1 }
                guard index == count || line[index] == UInt8(ascii: ",") else {
                    return .failure(QuoteProblem(cell: texts.count, reason: "text after a closing quote"))
                }
            } else {
                while index < count && line[index] != UInt8(ascii: ",") {
                    guard line[index] != UInt8(ascii: "\"") else {
                        return .failure(QuoteProblem(cell: texts.count, reason: "a quote inside an unquoted field (quote the whole field, with \"\" for a quote)"))
                    }
                    field.append(line[index])
                    index += 1
                }
            }
            // Invalid UTF-8 is kept as bytes no text has (a lone 0xFF): the row parser refuses it
            // in a column it reads (see `invalidUTF8`), and lets it be in one it does not.
            texts.append(String(validating: field, as: UTF8.self) ?? PositionsCSV.invalidUTF8)
            if index >= count { return .success(texts) }
            index += 1  // the comma
        }
    }

    /// A line of nothing but whitespace, or a comment (`#` first).
    static func isBlankOrComment(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        if line.first == UInt8(ascii: "#") { return true }
        for byte in line where byte != 0x20 && byte != 0x09 {
            // Other whitespace (a vertical tab, a no-break space) is judged as text is.
            if byte < 0x20 || byte >= 0x80 { return String(decoding: line, as: UTF8.self).allSatisfy(\.isWhitespace) }
            return false
        }
        return true
    }

    /// The cells of a line between commas, spaces and tabs trimmed. Returns whether every cell is
    /// plain printable ASCII (no control byte or byte past 0x7E once trimmed), which the fast path
    /// needs: found in the same pass, where a pass of its own over every cell was a tenth of the
    /// parse. A tab is looked at again cell by cell: around a cell it is trimmed, inside one it is not plain.
    @discardableResult
    static func splitCells(_ base: UnsafePointer<UInt8>, from start: Int, to end: Int, into cells: inout [Cell]) -> Bool {
        cells.removeAll(keepingCapacity: true)
        var cellStart = start
        var index = start
        var unusual = false
        var tab = false
        while true {
            // Printable ASCII is 0x20...0x7E: anything else wraps past 0x5E once 0x20 is taken.
            if index < end {
                let byte = base[index]
                if byte &- 0x20 > 0x5E {
                    if byte == 0x09 { tab = true } else { unusual = true }
                }
            }
            if index == end || base[index] == UInt8(ascii: ",") {
                var first = cellStart
                var last = index
                while first < last && (base[first] == 0x20 || base[first] == 0x09) { first += 1 }
                while last > first && (base[last - 1] == 0x20 || base[last - 1] == 0x09) { last -= 1 }
                cells.append(Cell(start: first, end: last))
                if index == end {
                    guard !unusual else { return false }
                    guard tab else { return true }
                    return cells.allSatisfy { cell in !(cell.start..<cell.end).contains { base[$0] &- 0x20 > 0x5E } }
                }
                cellStart = index + 1
            }
            index += 1
        }
    }

    /// The row in its plain form, or nil when `PositionRow.parse` must judge it. The line's bytes
    /// are printable ASCII (`splitCells` said so): what `trimmed` and the case mappings treat
    /// byte by byte.
    static func fastRow(_ base: UnsafePointer<UInt8>, cells: [Cell], cellOfColumn: [Int], symbols: inout SymbolNames) -> PositionUpdate? {
        func cell(_ column: Column) -> Cell? {
            let index = cellOfColumn[column.rawValue]
            return index < 0 ? nil : cells[index]
        }
        // Every figure on the book's grid (10⁻⁸): read at eight places, anything finer is left to
        // `PositionRow.parse`, which refuses it by name (an entry or a margin of nine places was
        // taken without a word: attacker trial).
        func decimal(_ column: Column) -> Fixed?? {
            guard let cell = cell(column), !cell.isEmpty else { return .some(nil) }
            // A leverage is a ratio, not on the grid: read whole (an export's `33.333333333333336`
            // sent every row to the slow path: review).
            if column == .leverage {
                guard let raw = DecimalText.scaledInteger(from: base + cell.start, count: cell.end - cell.start,
                    places: Fixed.places, limit: Int128(1) << 126), raw >= 0 else { return nil }
                return .some(Fixed(raw: raw))
            }
            guard let raw = DecimalText.scaledInteger(from: base + cell.start, count: cell.end - cell.start,
                places: BookUnits.places, limit: Int128(1) << 92), raw >= 0 else { return nil }
            return .some(Fixed(raw: raw &* 10_000_000_000))
        }
        // A name holding `\u{` is refused by `PositionRow.accountName`, which says why.
        guard let accountCell = cell(.account), !accountCell.isEmpty, accountCell.end - accountCell.start <= PositionRow.longestAccount,
              !PositionRow.holdsEscapeText(UnsafeBufferPointer(start: base + accountCell.start, count: accountCell.end - accountCell.start)),
              let symbolCell = cell(.symbol), !symbolCell.isEmpty, let market = symbols.market(base, symbolCell),
              let sideCell = cell(.side), !sideCell.isEmpty else { return nil }
        let side: Side
        switch lowercasedWord(base, sideCell) {
        case Keyword.long, Keyword.buy: side = .long
        case Keyword.short, Keyword.sell: side = .short
        default: return nil
        }
        guard let size = decimal(.size), let size, size.isPositive, size <= PositionRow.largest,
              let entry = decimal(.entryPrice), let entry, entry.isPositive, entry <= PositionRow.largest else { return nil }
        let mode: MarginMode
        if let modeCell = cell(.marginMode), !modeCell.isEmpty {
            switch lowercasedWord(base, modeCell) {
            case Keyword.isolated: mode = .isolated
            case Keyword.cross, Keyword.crossed: mode = .cross
            default: return nil
            }
        } else {
            mode = .isolated
        }
        guard let isolatedMargin = decimal(.isolatedMargin), let walletBalance = decimal(.walletBalance),
              let leverage = decimal(.leverage) else { return nil }
        if let leverage, !(leverage.isPositive && leverage <= Fixed(1000)) { return nil }
        guard PositionRow.isWithinMoneyLimit(isolatedMargin), PositionRow.isWithinMoneyLimit(walletBalance) else { return nil }
        if mode == .isolated && (isolatedMargin == nil ? leverage == nil : isolatedMargin!.isZero) { return nil }
        // The row refused as the slow path says why (`PositionRow`).
        if mode == .cross, let isolatedMargin, !isolatedMargin.isZero { return nil }
        var positionSide = PositionSide.both
        if let sideCell = cell(.positionSide), !sideCell.isEmpty {
            switch lowercasedWord(base, sideCell) {
            case Keyword.both: positionSide = .both
            case Keyword.long: positionSide = .long
            case Keyword.short: positionSide = .short
            default: return nil
            }
            if positionSide != .both && positionSide.rawValue != side.rawValue { return nil }
        }
        // The line is printable ASCII (see `splitCells`), so the name is valid UTF-8 as it
        // is: decoding repairs nothing (`String(validating:)` instantiated generic metadata at
        // run time for every row, a sixth of the parse).
        let account = String(decoding: UnsafeBufferPointer(start: base + accountCell.start, count: accountCell.end - accountCell.start), as: UTF8.self)
        return PositionUpdate(account: account, symbol: market, side: side, quantity: size, entryPrice: entry,
            mode: mode, isolatedMargin: mode == .isolated ? isolatedMargin : nil, walletBalance: walletBalance,
            leverage: leverage, positionSide: positionSide)
    }

    /// Up to eight ASCII bytes, lowercased, as one integer (0 for longer words, which no keyword is).
    static func lowercasedWord(_ base: UnsafePointer<UInt8>, _ cell: Cell) -> UInt64 {
        let length = cell.end - cell.start
        guard length <= 8 else { return 0 }
        var word: UInt64 = 0
        for index in 0..<length {
            var byte = base[cell.start + index]
            if byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") { byte |= 0x20 }
            word |= UInt64(byte) << (8 * UInt64(index))
        }
        return word
    }

    /// The words the fast path knows, as `lowercasedWord` gives them.
    enum Keyword {
        static let long = word("long"), short = word("short"), buy = word("buy"), sell = word("sell")
        static let isolated = word("isolated"), cross = word("cross"), crossed = word("crossed"), both = word("both")

        static func word(_ keyword: StaticString) -> UInt64 {
            keyword.withUTF8Buffer { buffer in
                var word: UInt64 = 0
                for (index, byte) in buffer.enumerated() { word |= UInt64(byte) << (8 * UInt64(index)) }
                return word
            }
        }
    }

    /// The markets the symbol cells named so far, resolved once each: a file names a few symbols a
    /// million times, most often the same as the row before.
    struct SymbolNames {
        let resolver: MarketResolver
        var known: [[UInt8]: String] = [:]
        var lastBytes: [UInt8] = []
        var lastName = ""

        init(resolver: MarketResolver) { self.resolver = resolver }

        /// The market id, or nil when the cell does not resolve (the row parser then says why).
        mutating func market(_ base: UnsafePointer<UInt8>, _ cell: Cell) -> String? {
            let bytes = UnsafeBufferPointer(start: base + cell.start, count: cell.end - cell.start)
            if !lastName.isEmpty && lastBytes.count == bytes.count && !bytes.isEmpty,
               let cellStart = bytes.baseAddress,
               lastBytes.withUnsafeBytes({ memcmp($0.baseAddress!, cellStart, bytes.count) == 0 }) { return lastName }
            let key = Array(bytes)
            let name: String
            if let seen = known[key] {
                name = seen
            } else {
                guard let resolved = try? resolver.resolve(String(decoding: bytes, as: UTF8.self)) else { return nil }
                name = resolved
                if known.count < 10_000 { known[key] = name }
            }
            lastBytes = key
            lastName = name
            return name
        }
    }
}
