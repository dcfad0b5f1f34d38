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

    public subscript(x: Int, y: Int) -> Cell {
        get { cells[y * width + x] }
        set { if x >= 0 && y >= 0 && x < width && y < height { cells[y * width + x] = newValue } }
    }

    /// Writes text at (x, y), clipped to `limit` columns (and the buffer). Control characters are
    /// removed first: a symbol or an account id from a feed can never move the cursor or change
    /// the terminal. Returns the column after the text.
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, role: StyleRole = .text, limit: Int? = nil) -> Int {
        guard y >= 0 && y < height else { return x }
        let end = min(width, limit.map { x + $0 } ?? width)
        var column = x
        for character in text.unicodeScalars {
            if column >= end { break }
            // Combining marks would share a cell with what they follow: never drawn alone. (Ranges,
            // not the general-category lookup, which costs more than the rest of put.)
            if character.value >= 0x300 && Buffer.isCombining(character.value) { continue }
            let shown = Buffer.displayable(character, unicode: unicode)
            if column >= 0 { cells[y * width + column] = Cell(shown, role) }
            column += 1
        }
        return column
    }

    /// Fills a rectangle with one character and role.
    public mutating func fill(_ rect: Rect, _ character: Unicode.Scalar = " ", role: StyleRole = .text) {
        for row in max(0, rect.y)..<min(height, rect.maxY) {
            for column in max(0, rect.x)..<min(width, rect.maxX) { cells[row * width + column] = Cell(character, role) }
        }
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
        put(" \(title) ", x: rect.x + 2, y: rect.y, role: focused ? .selection : .title, limit: max(0, rect.width - 4))
    }

    /// The buffer as lines of text, trailing spaces trimmed: what tests compare.
    public var lines: [String] {
        (0..<height).map { row in
            var scalars = String.UnicodeScalarView()
            scalars.append(contentsOf: cells[(row * width)..<(row * width + width)].map(\.character))
            var line = String(scalars)
            while line.last == " " { line.removeLast() }
            return line
        }
    }

    public var text: String { lines.joined(separator: "\n") }

    static func isCombining(_ value: UInt32) -> Bool {
        (0x0300...0x036F).contains(value) || (0x1AB0...0x1AFF).contains(value) || (0x1DC0...0x1DFF).contains(value)
            || (0x20D0...0x20FF).contains(value) || (0xFE20...0xFE2F).contains(value)
    }

    static func displayable(_ scalar: Unicode.Scalar, unicode: Bool) -> Unicode.Scalar {
        // C0 and C1 controls, DEL: never drawn.
        if scalar.value < 0x20 || (scalar.value >= 0x7F && scalar.value < 0xA0) { return " " }
        if unicode || scalar.isASCII { return scalar }
        return asciiStandIn[scalar] ?? "?"
    }

    static let asciiStandIn: [Unicode.Scalar: Unicode.Scalar] = [
        "█": "#", "▉": "#", "▊": "#", "▋": "#", "▌": "#", "▍": "=", "▎": "-", "▏": "-",
        "▁": "_", "▂": "_", "▃": "-", "▄": "-", "▅": "=", "▆": "=", "▇": "#",
        "▲": "^", "▼": "v", "◀": "<", "▶": ">", "●": "*", "·": ".", "×": "x", "—": "-", "–": "-",
        "…": ".", "│": "|", "─": "-", "━": "=", "┃": "|", "±": "+", "≤": "<", "≥": ">", "∞": "~",
        "⚠": "!", "✓": "v",
    ]
}
