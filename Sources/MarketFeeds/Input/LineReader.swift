#if canImport(Glibc)
import Glibc
#endif

/// One line of an input, valid until the reader's next call.
public struct InputLine {
    public var bytes: UnsafePointer<UInt8>
    public var count: Int
    /// The line's number, from 1.
    public var number: Int
    /// The line was longer than `LineReader.maximumLineLength`: its bytes were not kept (`count` is
    /// 0), and the reader skips the rest of it up to its end. The caller counts it as malformed.
    public var isOverlong: Bool

    public init(bytes: UnsafePointer<UInt8>, count: Int, number: Int, isOverlong: Bool = false) {
        self.bytes = bytes
        self.count = count
        self.number = number
        self.isOverlong = isOverlong
    }
}

/// Splits a byte source into lines, numbered from 1, without copying them: a line is valid until
/// the next call. A line ends at `\n` (a `\r` before it is removed), or at a lone `\r` when the
/// input's first megabyte has carriage returns and no newline (old Mac line endings). A UTF-8 byte
/// order mark at the start of the input is skipped.
///
/// A line is bounded: one longer than `maximumLineLength` (16 MiB; the bytes before its `\n`, a
/// `\r` included) is returned as overlong, with no
/// bytes, and the rest of it is read and dropped up to its end, so memory stays flat whatever the
/// input (`/dev/zero`, a sender that never ends a line).
///
/// From a source that lends its buffers (`ChunkLendingSource`), lines are found where they lie in
/// the lent chunks and only a line that runs from one chunk into the next is copied (into the
/// reader's buffer), once the first chunk shows the input's lines end in `\n`; otherwise the
/// reader copies as from any source.
public final class LineReader {
    /// The longest line kept, in bytes. Real frames are far shorter (a 1,000-level depth snapshot
    /// is about 40 KB).
    public static let maximumLineLength = 16 << 20

    // Private storage, so that the optimiser sees every access and drops the run-time
    // exclusivity checks it would otherwise make on each line (two a line were about 7 % of the
    // decoding thread).
    private let source: ByteSource
    /// The source, when it lends its chunks; `lending` once the input's first chunk says its lines
    /// end in `\n` (and then `buffer` only holds a line begun in an earlier chunk).
    private let lender: ChunkLendingSource?
    private var lending = false
    /// The first chunk was looked at (once: after it, lending or copying is settled).
    private var lendingChecked = false
    private var chunk: UnsafePointer<UInt8>? = nil
    private var chunkCount = 0
    private var chunkPosition = 0
    private let maximumLength: Int
    private var buffer: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    /// Valid bytes in the buffer, and where the next line starts.
    private var filled = 0
    private var start = 0
    private var ended = false
    private var linesReturned = 0
    /// The byte that ends a line: `\n`, or `\r` for an input with carriage returns only.
    private var terminator: UInt8 = 0x0A
    private var terminatorChosen = false
    /// An overlong line was returned and its rest is still to be skipped.
    private var discarding = false
    /// The number of the line last returned.
    public var lineNumber: Int { linesReturned }

    public init(source: ByteSource, bufferSize: Int = 1 << 20, maximumLineLength: Int = LineReader.maximumLineLength) {
        self.source = source
        self.lender = source as? ChunkLendingSource
        self.maximumLength = max(1, maximumLineLength)
        // Never more than a line of the bound and its end: a larger buffer let a copying reader
        // return a line over the bound when it came in one read.
        self.capacity = max(2, min(max(16, bufferSize), maximumLength + 1))
        self.buffer = .allocate(capacity: capacity)
    }

    deinit { buffer.deallocate() }

    /// Bytes the source has delivered, and how many of them the returned lines have used.
    public var delivered: Int { bytesDelivered }
    private var bytesDelivered = 0
    public var consumed: Int { bytesDelivered - (filled - start) - (chunkCount - chunkPosition) }

    /// The fraction of the input the returned lines cover: the source's own fraction (compressed
    /// bytes for a .gz) scaled by the share of what it delivered that the lines have used.
    public var fraction: Double? {
        let (read, total) = source.progress
        guard let total, total > 0, delivered > 0 else { return nil }
        return min(1, Double(read) / Double(total) * Double(consumed) / Double(delivered))
    }

    /// The next line, or nil at the end. A damaged input throws once every complete line before
    /// the damage has been returned.
    public func nextLine() throws(InputError) -> InputLine? {
        if lender != nil && !lendingChecked { try chooseLending() }
        if lending { return try nextLentLine() }
        if discarding { try skipRestOfOverlongLine() }
        var searchFrom = start
        while true {
            if searchFrom < filled, let found = memchr(buffer + searchFrom, Int32(terminator), filled - searchFrom) {
                let end = buffer.distance(to: found.assumingMemoryBound(to: UInt8.self))
                return take(from: start, to: end, next: end + 1)
            }
            if ended {
                guard start < filled else { return nil }
                return take(from: start, to: filled, next: filled)
            }
            // Move the partial line to the front, grow if it fills the buffer, and read more.
            if start > 0 {
                memmove(buffer, buffer + start, filled - start)
                filled -= start
                start = 0
            }
            if filled > maximumLength {
                // Longer than any line is allowed to be (the buffer holds `maximumLength + 1`
                // bytes and no end): drop what is held and report it.
                filled = 0
                start = 0
                discarding = true
                linesReturned += 1
                return InputLine(bytes: UnsafePointer(buffer), count: 0, number: linesReturned, isOverlong: true)
            }
            if filled == capacity { grow() }
            searchFrom = filled
            let count = try source.read(into: buffer + filled, capacity: capacity - filled)
            if count == 0 { ended = true } else { filled += count; bytesDelivered += count }
            if !terminatorChosen && chooseTerminator() { searchFrom = start }
        }
    }

    /// Returns the line in `[lineStart, lineEnd)` of the buffer and moves on to `next`.
    @inline(__always)
    private func take(from lineStart: Int, to lineEnd: Int, next: Int) -> InputLine {
        start = next
        return line(in: UnsafePointer(buffer), from: lineStart, to: lineEnd)
    }

    /// The line in `[lineStart, lineEnd)` of `base`: without the `\r` of a `\r\n` and, first, a
    /// byte order mark.
    @inline(__always)
    private func line(in base: UnsafePointer<UInt8>, from lineStart: Int, to lineEnd: Int) -> InputLine {
        let buffer = base
        var first = lineStart
        var length = lineEnd - lineStart
        if terminator == 0x0A {
            if length > 0 && buffer[first + length - 1] == 0x0D { length -= 1 }
        } else if length > 0 && buffer[first] == 0x0A {
            // A `\r\n` in an input that began with `\r` alone: the `\n` is part of the terminator.
            first += 1
            length -= 1
        }
        if linesReturned == 0 && length >= 3 && buffer[first] == 0xEF && buffer[first + 1] == 0xBB && buffer[first + 2] == 0xBF {
            first += 3
            length -= 3
        }
        linesReturned += 1
        return InputLine(bytes: buffer + first, count: length, number: linesReturned)
    }

    // MARK: Lines found in lent chunks

    /// Looks at the input's first chunk: lines ending in `\n` are found in the chunks where they
    /// lie; an input the chunk does not decide (carriage returns alone, a chunk shorter than the
    /// copying path looks at) is read by copying, the chunk given back unread.
    private func chooseLending() throws(InputError) {
        guard let lender, !lending else { return }
        // Once, even when the source fails here: the copying path then meets the same failure.
        lendingChecked = true
        guard let first = try lender.borrowChunk() else {
            // Empty: either way gives no line.
            terminatorChosen = true
            lending = true
            ended = true
            return
        }
        // The copying path decides on the first `window` bytes: `\n` if one is there, else `\r`
        // if one is there, else `\n`. Lent when the first chunk decides it as that would.
        let window = min(capacity, 1 << 20)
        let seen = min(first.count, window)
        let newline = memchr(first.baseAddress!, 0x0A, seen) != nil
        guard newline || (first.count >= window && memchr(first.baseAddress!, 0x0D, window) == nil) else {
            lender.returnLentChunk()
            return
        }
        terminatorChosen = true
        lending = true
        use(first)
    }

    @inline(__always)
    private func use(_ lent: UnsafeBufferPointer<UInt8>) {
        chunk = lent.baseAddress
        chunkCount = lent.count
        chunkPosition = 0
        bytesDelivered += lent.count
    }

    /// The next line from the lent chunks: in place when it lies in one chunk, else gathered in
    /// the buffer (as long as it is not overlong).
    private func nextLentLine() throws(InputError) -> InputLine? {
        if discarding { try skipRestOfOverlongLentLine() }
        while true {
            if chunkPosition < chunkCount, let chunk {
                let rest = chunkCount - chunkPosition
                if let found = memchr(chunk + chunkPosition, 0x0A, rest) {
                    let end = chunk.distance(to: found.assumingMemoryBound(to: UInt8.self))
                    let part = end - chunkPosition
                    if filled + part > maximumLength { return overlongLentLine(droppingTo: end + 1) }
                    if filled == 0 {
                        let found = line(in: chunk, from: chunkPosition, to: end)
                        chunkPosition = end + 1
                        return found
                    }
                    // Begun in an earlier chunk: the buffer holds it until the next call.
                    gather(chunk + chunkPosition, count: part)
                    chunkPosition = end + 1
                    let length = filled
                    filled = 0
                    return line(in: UnsafePointer(buffer), from: 0, to: length)
                }
                if filled + rest > maximumLength { return overlongLentLine(droppingTo: chunkCount, discardingRest: true) }
                gather(chunk + chunkPosition, count: rest)
                chunkPosition = chunkCount
            }
            if ended {
                guard filled > 0 else { return nil }
                let length = filled
                filled = 0
                return line(in: UnsafePointer(buffer), from: 0, to: length)
            }
            guard let next = try lender!.borrowChunk() else { ended = true; continue }
            use(next)
        }
    }

    /// Appends bytes of a line that goes on past its chunk to the buffer (growing it, at most to
    /// `maximumLength + 1`: longer is overlong).
    private func gather(_ bytes: UnsafePointer<UInt8>, count: Int) {
        while filled + count > capacity { grow() }
        (buffer + filled).update(from: bytes, count: count)
        filled += count
    }

    /// Reports a line longer than `maximumLength` and drops what is held of it; the rest of it
    /// up to its end is skipped by the next call when it has not ended in this chunk.
    private func overlongLentLine(droppingTo next: Int, discardingRest: Bool = false) -> InputLine {
        filled = 0
        chunkPosition = next
        discarding = discardingRest
        linesReturned += 1
        return InputLine(bytes: UnsafePointer(buffer), count: 0, number: linesReturned, isOverlong: true)
    }

    /// Reads and drops the rest of an overlong line from the lent chunks, up to and including its end.
    private func skipRestOfOverlongLentLine() throws(InputError) {
        while true {
            if chunkPosition < chunkCount, let chunk, let found = memchr(chunk + chunkPosition, 0x0A, chunkCount - chunkPosition) {
                chunkPosition = chunk.distance(to: found.assumingMemoryBound(to: UInt8.self)) + 1
                discarding = false
                return
            }
            chunkPosition = chunkCount
            if ended { discarding = false; return }
            guard let next = try lender!.borrowChunk() else { ended = true; discarding = false; return }
            use(next)
        }
    }

    /// Reads and drops the rest of an overlong line, up to and including its end.
    private func skipRestOfOverlongLine() throws(InputError) {
        while true {
            if start < filled, let found = memchr(buffer + start, Int32(terminator), filled - start) {
                start = buffer.distance(to: found.assumingMemoryBound(to: UInt8.self)) + 1
                discarding = false
                return
            }
            filled = 0
            start = 0
            if ended { discarding = false; return }
            let count = try source.read(into: buffer, capacity: capacity)
            if count == 0 { ended = true } else { filled = count; bytesDelivered += count }
        }
    }

    private func grow() {
        let larger = min(capacity * 2, maximumLength + 1)
        let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: larger)
        bigger.update(from: buffer, count: filled)
        buffer.deallocate()
        buffer = bigger
        capacity = larger
    }

    /// Chooses `\r` as the terminator when what has been read so far has carriage returns and no
    /// newline; decided once a megabyte is in (or the input ended), `\n` until then. Returns true
    /// when the terminator changed (what was read must be searched again).
    private func chooseTerminator() -> Bool {
        guard filled > 0 else { if ended { terminatorChosen = true }; return false }
        // On the first `window` bytes only, however much one read brought (as `chooseLending`).
        let window = min(capacity, 1 << 20)
        if memchr(buffer, 0x0A, min(filled, window)) != nil { terminatorChosen = true; return false }
        guard ended || filled >= window else { return false }
        terminatorChosen = true
        guard memchr(buffer, 0x0D, min(filled, window)) != nil else { return false }
        terminator = 0x0D
        return true
    }
}
