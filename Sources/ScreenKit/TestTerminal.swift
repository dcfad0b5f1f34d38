/// A terminal in memory: it carries out a frame's runs as a terminal would (cells by display
/// width, the bottom-right cell left alone) and counts what was written, so tests can hold the
/// screen a person would see, and the cost of a frame, without a terminal.
public struct TestTerminal: Sendable {
    public private(set) var screen: Buffer
    private var previous: Buffer?
    /// Rows and UTF-8 bytes written by the last frame.
    public private(set) var rowsWritten = 0
    public private(set) var bytesWritten = 0

    public init(width: Int, height: Int) {
        screen = Buffer(width: width, height: height)
    }

    /// Draws a frame: writes only the rows that changed since the last one.
    public mutating func draw(_ buffer: Buffer) {
        if buffer.width != screen.width || buffer.height != screen.height {
            screen = Buffer(width: buffer.width, height: buffer.height)
            previous = nil
        }
        let diff = FrameDiff(from: previous, to: buffer)
        rowsWritten = diff.rows
        bytesWritten = 0
        for run in diff.runs {
            screen.put(run.text, x: run.column, y: run.row, role: run.role)
            bytesWritten += run.text.utf8.count
        }
        previous = buffer
    }
}
