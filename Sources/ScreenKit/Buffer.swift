/// One character cell: a character and the role it is drawn with. Everything liqwatch draws is a
/// single Unicode scalar, so a cell holds a scalar: cheaper to write, compare and flush than a
/// `Character` (a grapheme cluster), which matters at 12,000 cells a frame.
public struct Cell: Hashable, Sendable {
    public var character: Unicode.Scalar
    public var role: StyleRole

    public init(_ character: Unicode.Scalar = " ", _ role: StyleRole = .text) {
        self.character = character
        self.role = role
    }

    /// The scalar of the second cell of a wide character: the terminal fills it from the cell
    /// before, so it is never written itself, and it reads as nothing in the text of a buffer.
    public static let continuationScalar: Unicode.Scalar = "\u{0}"

    public var isContinuation: Bool { character == Cell.continuationScalar }
}

/// A rectangle of the screen.
public struct Rect: Hashable, Sendable {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = max(0, width)
        self.height = max(0, height)
    }

    public var maxX: Int { x + width }
    public var maxY: Int { y + height }
    public var isEmpty: Bool { width <= 0 || height <= 0 }

    public func contains(x column: Int, y row: Int) -> Bool {
        column >= x && column < maxX && row >= y && row < maxY
    }

    public func inset(_ amount: Int) -> Rect {
        Rect(x: x + amount, y: y + amount, width: width - 2 * amount, height: height - 2 * amount)
    }
}

/// What panes draw into: a grid of cells with no terminal behind it. Tests read it back as lines
/// of text; the terminal backend flushes only the cells that changed since the last frame.
public struct Buffer: Hashable, Sendable {
    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]
    /// Box drawing and blocks in UTF-8, or ASCII stand-ins when the locale cannot show them.
    public let unicode: Bool

    public init(width: Int, height: Int, unicode: Bool = true) {
        self.width = max(0, width)
        self.height = max(0, height)
        self.unicode = unicode
        cells = Array(repeating: Cell(), count: self.width * self.height)
    }

    /// A screen written out as text, a line a row (as wide as `width`, or the widest line): what a
    /// snapshot test holds a rendered buffer against. Roles are plain text.
    public init(lines: [String], width: Int? = nil, unicode: Bool = true) {
        self.init(width: width ?? lines.map { DisplayWidth.of($0) }.max() ?? 0, height: lines.count, unicode: unicode)
        for (row, line) in lines.enumerated() { put(line, x: 0, y: row) }
    }

    /// The same characters in the same cells (styles aside).
    public func sameText(as other: Buffer) -> Bool {
        width == other.width && height == other.height && lines == other.lines
    }

    public subscript(x: Int, y: Int) -> Cell {
        get { cells[y * width + x] }
        set {
            guard x >= 0 && y >= 0 && x < width && y < height else { return }
            let index = y * width + x
            splitWide(at: index, row: y)
            cells[index] = newValue
        }
    }

    /// Before cell `index` is overwritten: a wide character it is half of loses its other half
    /// (blanked), so no half character is ever left on screen.
    @inline(__always)
    private mutating func splitWide(at index: Int, row: Int) {
        if cells[index].isContinuation {
            if index > row * width { cells[index - 1].character = " " }
        } else if index + 1 < (row + 1) * width && cells[index + 1].isContinuation {
            cells[index + 1].character = " "
        }
    }

    /// Writes text at (x, y), clipped to `limit` columns (and the buffer). Cells are measured in
    /// display width: a wide character (CJK, emoji) takes two cells, a combining mark none where it
    /// composes with the character before it (else one placeholder cell, see below), and a character that must not reach the terminal (a control, an invisible format
    /// character) is shown as one placeholder, `�` (`?` in ASCII): a symbol or an account id from a
    /// feed can never move the cursor, change the terminal or shift the columns after it. A wide
    /// character that does not fit whole is left out. Returns the column after the text.
    ///
    /// A combining mark composes with the character before it where Unicode has the pair as one
    /// (NFC): a decomposed `José` read `Jose`, and an account `a` + U+0301 read as the account `a`
    /// (attacker trial). A mark with no composed form shows as one placeholder cell, as an
    /// invisible character does: left out, `alice` + U+0334 and `alice` read alike, each another
    /// account (attacker trial).
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, role: StyleRole = .text, limit: Int? = nil) -> Int {
        put(text, x: x, y: y, role: role, limit: limit, composed: false)
    }

    private mutating func put(_ text: String, x: Int, y: Int, role: StyleRole, limit: Int?, composed: Bool) -> Int {
        guard y >= 0 && y < height else { return x }
        let end = min(width, limit.map { x + $0 } ?? width)
        let rowStart = y * width
        var column = x
        var triedComposing = false
        for character in text.unicodeScalars {
            if column >= end { break }
            var shown = character
            var cellsTaken = DisplayWidth.of(character)
            if cellsTaken == 0 {
                // Drawn again from the start, composed. Composing can narrow what came before the
                // mark (conjoining Hangul, some Indic vowel pairs): the cells written this far
                // are cleared first, so none is left past where the composed text ends (review).
                // Tried once a string: a name of many marks that compose to nothing was composed
                // again at each.
                if !composed && !triedComposing {
                    triedComposing = true
                    if let canonical = DisplayWidth.composed(text) {
                        if column > max(x, 0) { put(String(repeating: " ", count: column - max(x, 0)), x: max(x, 0), y: y, role: role, limit: limit, composed: true) }
                        return put(canonical, x: x, y: y, role: role, limit: limit, composed: true)
                    }
                }
                cellsTaken = -1
            }
            if cellsTaken < 0 {
                shown = unicode ? "\u{FFFD}" : "?"
                cellsTaken = 1
            } else if !unicode && !character.isASCII {
                shown = Buffer.asciiStandIn[character] ?? "?"
                cellsTaken = 1
            }
            if cellsTaken == 2 && column + 1 >= end { break }
            if column >= 0 {
                splitWide(at: rowStart + column, row: y)
                cells[rowStart + column] = Cell(shown, role)
                if cellsTaken == 2 {
                    splitWide(at: rowStart + column + 1, row: y)
                    cells[rowStart + column + 1] = Cell(Cell.continuationScalar, role)
                }
            }
            column += cellsTaken
        }
        return column
    }

    /// Puts `text` only when all of it fits before `maxX` (a number is never cut: a figure that
    /// does not fit whole is left out). Returns the column after it, or nil when it did not fit.
    @discardableResult
    public mutating func putWhole(_ text: String, x: Int, y: Int, role: StyleRole = .text, maxX: Int) -> Int? {
        guard x >= 0, x + DisplayWidth.of(text) <= min(maxX, width) else { return nil }
        return put(text, x: x, y: y, role: role)
    }

    /// Fills a rectangle with one character and role.
    public mutating func fill(_ rect: Rect, _ character: Unicode.Scalar = " ", role: StyleRole = .text) {
        let left = max(0, rect.x)
        let right = min(width, rect.maxX)
        // A rectangle below the screen (an overlay laid out for one row: the what-if at a
        // terminal one row tall trapped on its first scroll key, attacker trial) fills nothing.
        let top = max(0, rect.y)
        let bottom = min(height, rect.maxY)
        guard left < right, top < bottom else { return }
        for row in top..<bottom {
            // A wide character across either edge loses the half outside.
            splitWide(at: row * width + left, row: row)
            splitWide(at: row * width + right - 1, row: row)
            for column in left..<right { cells[row * width + column] = Cell(character, role) }
        }
    }

    /// Whether `title` shows whole in the top border of a box `width` cells wide (after the
    /// corner and a rule, with a space before it; the space after may go).
    public static func titleFits(_ title: String, width: Int) -> Bool { DisplayWidth.of(title) + 5 <= width }

    /// The first of `candidates` (longest first) that shows whole in a box `width` cells wide,
    /// else the last: a narrow pane's title loses words, never letters.
    public static func fittingTitle(_ candidates: [String], width: Int) -> String {
        candidates.first { titleFits($0, width: width) } ?? candidates.last ?? ""
    }

    /// A box with a title in its top border.
    public mutating func box(_ rect: Rect, title: String, role: StyleRole = .border, focused: Bool = false) {
        guard rect.width >= 2 && rect.height >= 2 else { return }
        let (horizontal, vertical, corners): (Unicode.Scalar, Unicode.Scalar, [Unicode.Scalar]) = unicode
            ? (focused ? "━" : "─", focused ? "┃" : "│", focused ? ["┏", "┓", "┗", "┛"] : ["┌", "┐", "└", "┘"])
            : (focused ? "=" : "-", "|", ["+", "+", "+", "+"])
        for column in rect.x..<rect.maxX {
            self[column, rect.y] = Cell(horizontal, role)
            self[column, rect.maxY - 1] = Cell(horizontal, role)
        }
        for row in rect.y..<rect.maxY {
            self[rect.x, row] = Cell(vertical, role)
            self[rect.maxX - 1, row] = Cell(vertical, role)
        }
        self[rect.x, rect.y] = Cell(corners[0], role)
        self[rect.maxX - 1, rect.y] = Cell(corners[1], role)
        self[rect.x, rect.maxY - 1] = Cell(corners[2], role)
        self[rect.maxX - 1, rect.maxY - 1] = Cell(corners[3], role)
        // As much room as `titleFits` promises (a title it chose was cut to "…" by one cell: at
        // 80×24 `Positions · riskiest first · filtered` lost the filter: operator trial).
        let shown = Buffer.shortened(title: title, room: rect.width - 5)
        // Up to the corner: a title of exactly the room kept its space before it (the limit cut
        // it, and `×1 tick─┐` touched the border: operator trial).
        put(" \(shown) ", x: rect.x + 2, y: rect.y, role: focused ? .selection : .title, limit: max(0, rect.width - 3))
    }

    /// A title that does not fit its border, shortened at a word and ended with "…": cut at the
    /// edge it read `Signals SUSHIUSDT · binance-usdm · ST` and `Tape filtered: 5` (of `5 shown`),
    /// touching the corner (operator trial). A number is never cut: it goes with its word.
    public static func shortened(title: String, room: Int) -> String {
        guard DisplayWidth.of(title) > room else { return title }
        guard room >= 2 else { return "" }
        var kept = ""
        for word in title.split(separator: " ", omittingEmptySubsequences: false) {
            let next = kept.isEmpty ? String(word) : kept + " " + word
            if DisplayWidth.of(next) + 1 > room { break }
            kept = next
        }
        // No separator left dangling before the "…".
        while let last = kept.last, last == " " || last == "·" || last == ":" || last == "," || last == "(" { kept.removeLast() }
        return kept.isEmpty ? "…" : kept + "…"
    }

    /// The buffer as lines of text, trailing spaces trimmed: what tests compare.
    public var lines: [String] {
        (0..<height).map { row in
            var scalars = String.UnicodeScalarView()
            for cell in cells[(row * width)..<(row * width + width)] where !cell.isContinuation { scalars.append(cell.character) }
            var line = String(scalars)
            while line.last == " " { line.removeLast() }
            return line
        }
    }

    public var text: String { lines.joined(separator: "\n") }


    static let asciiStandIn: [Unicode.Scalar: Unicode.Scalar] = [
        "█": "#", "▉": "#", "▊": "#", "▋": "#", "▌": "#", "▍": "=", "▎": "-", "▏": "-",
        "▁": "_", "▂": "_", "▃": "-", "▄": "-", "▅": "=", "▆": "=", "▇": "#",
        "▲": "^", "▼": "v", "◀": "<", "▶": ">", "●": "*", "·": ".", "×": "x", "—": "-", "–": "-",
        "…": ".", "│": "|", "─": "-", "━": "=", "┃": "|", "±": "+", "≤": "<", "≥": ">", "∞": "~",
        "⚠": "!", "✓": "v", "■": "#", "□": ".", "❚": "|", "→": ">", "↑": "^", "↓": "v", "−": "-", "◆": "*",
        "÷": "/", "₁": "1", "▸": ">", "≈": "~", "Σ": "S", "∓": "-", "′": "'", "‘": "'", "’": "'", "“": "\"", "”": "\"",
        "┏": "+", "┓": "+", "┗": "+", "┛": "+", "┌": "+", "┐": "+", "└": "+", "┘": "+",
    ]
}
