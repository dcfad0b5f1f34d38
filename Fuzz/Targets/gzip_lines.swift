// GzipByteSource + LineReader: the byte path of every replay of a .gz recording.
//
// An input that starts with the gzip magic (1f 8b) is fed as it is (damaged streams, odd headers,
// several members). Any other input is plain text, which the target gzips itself (one member, or two
// when its length is even, as `cat a.gz b.gz` makes). The stream is read through GzipByteSource
// and a LineReader with a small buffer (growth, moves) and lines bounded at 1,000 bytes (the
// overlong path); the lines are decoded with the format sniffed from the first one.
//
// Differential check (it traps on a difference): whenever the stream is valid gzip (always for
// plain input; for raw input when zlib itself decompresses all of it), the same bytes read by a
// LineReader straight from memory, in other pieces, must give exactly the same lines, and the gzip
// reading must not fail; so must a LineReader finding its lines in lent pieces (`ChunkLendingSource`,
// as a replay reads through `ThreadedByteSource`).
#if canImport(Glibc)
import Glibc
#endif
import CZlib
import MarketFeeds

/// Hands out an in-memory buffer in uneven pieces.
final class MemorySource: ByteSource {
    let bytes: [UInt8]
    var offset = 0
    var calls: Int
    init(_ bytes: [UInt8], seed: Int) { self.bytes = bytes; calls = seed }

    func read(into buffer: UnsafeMutablePointer<UInt8>, capacity: Int) throws(InputError) -> Int {
        calls += 1
        let piece = min(capacity, bytes.count - offset, 1 + (calls * 7919) % 4099)
        guard piece > 0 else { return 0 }
        bytes.withUnsafeBufferPointer { _ = memcpy(buffer, $0.baseAddress! + offset, piece) }
        offset += piece
        return piece
    }

    var progress: (consumed: Int, total: Int?) { (offset, bytes.count) }
}

/// Lends an in-memory buffer in uneven pieces, as `ThreadedByteSource` lends its chunks; what it
/// lent is scribbled over once it is read again, as a recycled chunk would be.
final class LendingMemorySource: ChunkLendingSource {
    let bytes: UnsafeMutableBufferPointer<UInt8>
    var offset = 0
    var lentFrom = 0
    var scribbleFrom = 0
    private func scribble() {
        guard offset > scribbleFrom else { return }
        _ = memset(bytes.baseAddress! + scribbleFrom, 0xA5, offset - scribbleFrom)
        scribbleFrom = offset
    }
    var calls: Int
    init(_ source: [UInt8], seed: Int) {
        bytes = .allocate(capacity: max(1, source.count))
        _ = bytes.initialize(from: source)
        calls = seed
        count = source.count
    }
    let count: Int
    deinit { bytes.deallocate() }

    func read(into buffer: UnsafeMutablePointer<UInt8>, capacity: Int) throws(InputError) -> Int {
        calls += 1
        scribble()
        let piece = min(capacity, count - offset, 1 + (calls * 7919) % 4099)
        guard piece > 0 else { return 0 }
        _ = memcpy(buffer, bytes.baseAddress! + offset, piece)
        offset += piece
        return piece
    }

    func borrowChunk() throws(InputError) -> UnsafeBufferPointer<UInt8>? {
        calls += 1
        scribble()
        let piece = min(count - offset, 1 + (calls * 7919) % 4099)
        guard piece > 0 else { return nil }
        lentFrom = offset
        offset += piece
        return UnsafeBufferPointer(start: bytes.baseAddress! + lentFrom, count: piece)
    }

    func returnLentChunk() { offset = lentFrom }

    var progress: (consumed: Int, total: Int?) { (offset, count) }
}

/// One gzip member holding `text`.
func gzipMember(_ text: UnsafeBufferPointer<UInt8>) -> [UInt8] {
    var stream = z_stream()
    guard deflateInit2_(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY, zlibVersion(),
        Int32(MemoryLayout<z_stream>.size)) == Z_OK else { fatalError("deflateInit2 failed") }
    defer { deflateEnd(&stream) }
    var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(text.count))) + 64)
    var empty: UInt8 = 0
    let status = withUnsafeMutablePointer(to: &empty) { emptyPointer in
        output.withUnsafeMutableBufferPointer { out -> Int32 in
            stream.next_in = UnsafeMutablePointer(mutating: text.baseAddress) ?? emptyPointer
            stream.avail_in = UInt32(text.count)
            stream.next_out = out.baseAddress
            stream.avail_out = UInt32(out.count)
            return deflate(&stream, Z_FINISH)
        }
    }
    guard status == Z_STREAM_END else { fatalError("deflate did not finish: \(status)") }
    output.removeLast(Int(stream.avail_out))
    return output
}

/// zlib's own decompression of a gzip stream (members one after another, as GzipByteSource reads
/// them); nil when any part of it is not valid gzip.
func gunzip(_ bytes: [UInt8]) -> [UInt8]? {
    var stream = z_stream()
    guard inflateInit2_(&stream, 16 + MAX_WBITS, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return nil }
    defer { inflateEnd(&stream) }
    var result: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    return bytes.withUnsafeBufferPointer { input -> [UInt8]? in
        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
        stream.avail_in = UInt32(input.count)
        while true {
            let status = chunk.withUnsafeMutableBufferPointer { out -> Int32 in
                stream.next_out = out.baseAddress
                stream.avail_out = UInt32(out.count)
                return inflate(&stream, Z_NO_FLUSH)
            }
            let produced = chunk.count - Int(stream.avail_out)
            result += chunk[0..<produced]
            if result.count > 1 << 24 { return nil }
            switch status {
            case Z_STREAM_END:
                // The end of a member: the input ends here, or another member follows.
                if stream.avail_in == 0 { return result }
                inflateReset(&stream)
            case Z_OK:
                // Out of input in the middle of a member: truncated.
                if stream.avail_in == 0 && produced == 0 { return nil }
            default:
                return nil // damaged, or truncated (Z_BUF_ERROR: no progress possible)
            }
        }
    }
}

struct Line: Equatable {
    var bytes: [UInt8]
    var number: Int
    var overlong: Bool
}

/// Every line a reader gives (bytes copied), and whether it ended with an error.
func readAll(_ reader: LineReader, decodeWith decoder: inout (any LineDecoder)?, sniffed: inout Bool,
    messages: inout [FeedMessage]) -> (lines: [Line], failed: Bool)
{
    var lines: [Line] = []
    while true {
        let next: InputLine?
        do { next = try reader.nextLine() } catch { return (lines, true) }
        guard let line = next else { return (lines, false) }
        lines.append(Line(bytes: Array(UnsafeBufferPointer(start: line.bytes, count: line.count)), number: line.number,
            overlong: line.isOverlong))
        if line.count == 0 || line.isOverlong { continue }
        // Decoded from a block of exactly the line's length (ASan sees a read past its end).
        let copy = malloc(line.count)!.assumingMemoryBound(to: UInt8.self)
        memcpy(copy, line.bytes, line.count)
        if !sniffed {
            sniffed = true
            let text = String(decoding: UnsafeBufferPointer(start: copy, count: min(line.count, 4096)), as: UTF8.self)
            decoder = RecordingFormat.sniff(text).map(Fuzz.decoder(for:))
        }
        if decoder != nil {
            switch decoder!.decode(copy, count: line.count, into: &messages) {
            case .decoded, .skipped, .header, .malformed: break
            }
            if messages.count > 1024 { messages.removeAll(keepingCapacity: true) }
        }
        free(copy)
    }
}

/// Traps, naming the first line that differs, when a reading's lines are not the plain reading's.
func requireSame(_ lines: [Line], _ plainLines: [Line], reading: String) {
    guard lines != plainLines else { return }
    let index = zip(plainLines, lines).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset ?? min(plainLines.count, lines.count)
    fatalError("lines differ between the \(reading) and plain readings at line \(index + 1) (\(lines.count) and \(plainLines.count) lines)")
}

/// Lines are bounded to 1,000 bytes here (16 MiB in a replay) so that inputs reach the overlong path.
let maximumLine = 1_000

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    let raw = size >= 2 && data[0] == 0x1F && data[1] == 0x8B
    let compressed: [UInt8]
    let plain: [UInt8]?
    if raw {
        compressed = input
        plain = gunzip(input)
    } else {
        let text = UnsafeBufferPointer(start: data, count: size)
        if size % 2 == 0 && size > 0 {
            compressed = gzipMember(UnsafeBufferPointer(rebasing: text[0..<size / 2])) + gzipMember(UnsafeBufferPointer(rebasing: text[(size / 2)...]))
        } else {
            compressed = gzipMember(text)
        }
        plain = input
    }
    let source: GzipByteSource
    do { source = try GzipByteSource(wrapping: MemorySource(compressed, seed: 1), path: "fuzz.gz") } catch { fatalError("\(error)") }
    var decoder: (any LineDecoder)? = nil
    var sniffed = false
    var messages: [FeedMessage] = []
    let (gzipLines, gzipFailed) = readAll(LineReader(source: source, bufferSize: 16, maximumLineLength: maximumLine),
        decodeWith: &decoder, sniffed: &sniffed, messages: &messages)
    decoder?.finish(into: &messages)
    _ = Fuzz.touch(messages)
    // The same bytes read without gzip, in other pieces: the lines must be the same.
    if let plain {
        if gzipFailed { fatalError("GzipByteSource failed on a valid gzip stream (\(compressed.count) bytes)") }
        var none: (any LineDecoder)? = nil
        var noMessages: [FeedMessage] = []
        var done = true
        let (plainLines, plainFailed) = readAll(LineReader(source: MemorySource(plain, seed: 2), bufferSize: 16, maximumLineLength: maximumLine),
            decodeWith: &none, sniffed: &done, messages: &noMessages)
        if plainFailed { fatalError("reading plain bytes failed") }
        requireSame(gzipLines, plainLines, reading: "gzip")
        // Lent pieces (the first one long, so lines are found in place when it has a newline).
        let (lentLines, lentFailed) = readAll(LineReader(source: LendingMemorySource(plain, seed: 3), bufferSize: 16, maximumLineLength: maximumLine),
            decodeWith: &none, sniffed: &done, messages: &noMessages)
        if lentFailed { fatalError("reading lent pieces failed") }
        requireSame(lentLines, plainLines, reading: "lent")
    }
    return 0
}
