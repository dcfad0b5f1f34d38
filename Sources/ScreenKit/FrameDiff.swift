/// What a terminal must write to turn the last frame into this one: for every row that changed,
/// its runs of cells of one role. A row that did not change writes nothing, so an idle dashboard
/// writes no byte; a terminal backend (curses, or `TestTerminal`) only carries the runs out.
public struct FrameDiff: Equatable, Sendable {
    /// Text of one role from `column` on, in the row `row`.
    public struct Run: Equatable, Sendable {
        public var row: Int
        public var column: Int
        public var role: StyleRole
        public var text: String
    }

    public private(set) var runs: [Run] = []
    /// How many rows changed.
    public private(set) var rows = 0

    /// The runs from `previous` (nil: nothing on screen yet, or a different size) to `buffer`.
    /// The bottom-right cell is never written: a terminal scrolls when its last cell is.
    public init(from previous: Buffer?, to buffer: Buffer) {
        let comparable = previous.map { $0.width == buffer.width && $0.height == buffer.height } ?? false
        for row in 0..<buffer.height {
            if comparable, let previous, (0..<buffer.width).allSatisfy({ previous[$0, row] == buffer[$0, row] }) { continue }
            rows += 1
            var column = 0
            while column < buffer.width {
                let role = buffer[column, row].role
                var scalars = String.UnicodeScalarView()
                var end = column
                while end < buffer.width && buffer[end, row].role == role {
                    // The second cell of a wide character: the terminal fills it from the first.
                    if !buffer[end, row].isContinuation { scalars.append(buffer[end, row].character) }
                    end += 1
                }
                if row == buffer.height - 1 && end == buffer.width && !scalars.isEmpty { scalars.removeLast() }
                runs.append(Run(row: row, column: column, role: role, text: String(scalars)))
                column = end
            }
        }
    }
}
