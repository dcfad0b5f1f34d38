#if canImport(Glibc)
import Glibc
#endif

/// Splits a byte source into lines (`\n`, with a trailing `\r` removed), numbered from 1, without
/// copying them: a line is valid until the next call. Lines longer than the buffer grow it.
public final class LineReader {
    // Private storage, so that the optimiser sees every access and drops the run-time
    // exclusivity checks it would otherwise make on each line (two a line were about 7 % of the
    // decoding thread).
    private let source: ByteSource
    private var buffer: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    /// Valid bytes in the buffer, and where the next line starts.
    private var filled = 0
    private var start = 0
    private var ended = false
    private var linesReturned = 0
    /// The number of the line last returned.
    public var lineNumber: Int { linesReturned }

    public init(source: ByteSource, bufferSize: Int = 1 << 20) {
        self.source = source
        self.capacity = bufferSize
        self.buffer = .allocate(capacity: bufferSize)
    }

    deinit { buffer.deallocate() }

    /// Bytes the source has delivered, and how many of them the returned lines have used.
    public var delivered: Int { bytesDelivered }
    private var bytesDelivered = 0
    public var consumed: Int { bytesDelivered - (filled - start) }

    /// The fraction of the input the returned lines cover: the source's own fraction (compressed
    /// bytes for a .gz) scaled by the share of what it delivered that the lines have used.
    public var fraction: Double? {
        let (read, total) = source.progress
        guard let total, total > 0, delivered > 0 else { return nil }
        return min(1, Double(read) / Double(total) * Double(consumed) / Double(delivered))
    }

    /// The next line, or nil at the end. A damaged input throws once every complete line before
    /// the damage has been returned.
    public func nextLine() throws(InputError) -> (bytes: UnsafePointer<UInt8>, count: Int, number: Int)? {
        var searchFrom = start
        while true {
            if searchFrom < filled, let found = memchr(buffer + searchFrom, 0x0A, filled - searchFrom) {
                let newline = buffer.distance(to: found.assumingMemoryBound(to: UInt8.self))
                let lineStart = start
                var length = newline - lineStart
                if length > 0 && buffer[lineStart + length - 1] == 0x0D { length -= 1 }
                start = newline + 1
                linesReturned += 1
                return (UnsafePointer(buffer + lineStart), length, linesReturned)
            }
            if ended {
                guard start < filled else { return nil }
                let lineStart = start
                var length = filled - lineStart
                if buffer[lineStart + length - 1] == 0x0D { length -= 1 }
                start = filled
                linesReturned += 1
                return (UnsafePointer(buffer + lineStart), length, linesReturned)
            }
            // Move the partial line to the front, grow if it fills the buffer, and read more.
            if start > 0 {
                memmove(buffer, buffer + start, filled - start)
                filled -= start
                start = 0
            }
            if filled == capacity {
                let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity * 2)
                bigger.update(from: buffer, count: filled)
                buffer.deallocate()
                buffer = bigger
                capacity *= 2
            }
            searchFrom = filled
            let count = try source.read(into: buffer + filled, capacity: capacity - filled)
            if count == 0 { ended = true } else { filled += count; bytesDelivered += count }
        }
    }
}
