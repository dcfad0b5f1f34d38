/// Cuts a byte stream (a socket, a followed file) into lines, with the same bound as `LineReader`: a
/// line longer than `LineReader.maximumLineLength` is reported as `.overlong` once, and its bytes,
/// up to its end, are dropped as they arrive, so a sender that never ends a line cannot grow memory.
/// A trailing `\r` is removed; a UTF-8 byte order mark at the very start is skipped.
public struct BoundedLineSplitter: Sendable {
    public enum Piece: Equatable, Sendable {
        case line([UInt8])
        /// A line over the bound, not kept.
        case overlong
    }

    public let maximumLength: Int
    private var partial: [UInt8] = []
    private var discarding = false
    private var atStart = true
    /// The first bytes while they could still be a byte order mark (it may arrive a byte at a time).
    private var opening: [UInt8] = []
    private static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

    public init(maximumLength: Int = LineReader.maximumLineLength) {
        self.maximumLength = max(1, maximumLength)
    }

    /// Feeds bytes; `emit` gets every line they complete.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer, _ emit: (Piece) -> Void) {
        guard !bytes.isEmpty else { return }
        var start = 0
        if atStart {
            // Hold the first bytes until they are a whole byte order mark (dropped) or cannot be
            // one (fed as they are).
            while start < bytes.count && opening.count < 3 && bytes[start] == Self.byteOrderMark[opening.count] {
                opening.append(bytes[start])
                start += 1
            }
            if opening.count == 3 {
                atStart = false
                opening = []
            } else if start < bytes.count {
                atStart = false
                let held = opening
                opening = []
                held.withUnsafeBytes { feedLines($0, from: 0, emit) }
            } else {
                return
            }
        }
        feedLines(bytes, from: start, emit)
    }

    private mutating func feedLines(_ bytes: UnsafeRawBufferPointer, from first: Int, _ emit: (Piece) -> Void) {
        var start = first
        while start < bytes.count {
            guard let newline = bytes[start...].firstIndex(of: 0x0A) else {
                append(bytes[start...], emit)
                return
            }
            append(bytes[start..<newline], emit)
            if discarding {
                discarding = false
            } else {
                if partial.last == 0x0D { partial.removeLast() }
                emit(.line(partial))
            }
            partial.removeAll(keepingCapacity: partial.count <= 1 << 16)
            start = newline + 1
        }
    }

    public mutating func feed(_ bytes: [UInt8], _ emit: (Piece) -> Void) {
        bytes.withUnsafeBytes { feed($0, emit) }
    }

    /// The stream ended: a last line without its newline is a line.
    public mutating func finish(_ emit: (Piece) -> Void) {
        if atStart && !opening.isEmpty {
            atStart = false
            let held = opening
            opening = []
            held.withUnsafeBytes { feedLines($0, from: 0, emit) }
        }
        if !discarding && !partial.isEmpty {
            if partial.last == 0x0D { partial.removeLast() }
            emit(.line(partial))
        }
        partial.removeAll()
        discarding = false
    }

    /// Bytes held for a line not yet ended (bounded by `maximumLength`).
    public var pendingBytes: Int { partial.count }

    private mutating func append(_ bytes: Slice<UnsafeRawBufferPointer>, _ emit: (Piece) -> Void) {
        guard !discarding else { return }
        if partial.count + bytes.count > maximumLength {
            partial.removeAll()
            discarding = true
            emit(.overlong)
            return
        }
        partial.append(contentsOf: bytes)
    }
}
