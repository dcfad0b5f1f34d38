import Foundation
import Synchronization
import Testing
@testable import MarketFeeds

/// A source that lends the bytes of an array in chunks of a chosen size, counting how it is read,
/// and fails after `failAfter` bytes when asked to. The bytes it lent are scribbled over as soon
/// as it is read again, as a recycled buffer would be: a reader must be done with them by then.
final class LendingSource: ChunkLendingSource {
    let bytes: [UInt8]
    /// What is lent: a copy of `bytes`, scribbled over once read past.
    let lentCopy: UnsafeMutableBufferPointer<UInt8>
    var scribbleFrom = 0
    let chunk: Int
    let failAfter: Int?
    var offset = 0
    var lentFrom = 0
    var borrows = 0
    var copyingReads = 0
    init(_ bytes: [UInt8], chunk: Int, failAfter: Int? = nil) {
        self.bytes = bytes
        self.chunk = chunk
        self.failAfter = failAfter
        lentCopy = .allocate(capacity: max(1, bytes.count))
        _ = lentCopy.initialize(from: bytes)
    }
    deinit { lentCopy.deallocate() }
    /// The bytes lent before (not the ones returned unread) are overwritten.
    private func scribble() {
        guard offset > scribbleFrom else { return }
        for index in scribbleFrom..<offset { lentCopy[index] = 0xA5 }
        scribbleFrom = offset
    }
    private var end: Int { min(bytes.count, failAfter ?? bytes.count) }
    func read(into buffer: UnsafeMutablePointer<UInt8>, capacity: Int) throws(InputError) -> Int {
        copyingReads += 1
        scribble()
        if offset >= end, failAfter != nil { throw .damagedGzip(path: "lent", bytes: offset, reason: "damaged") }
        let count = min(capacity, chunk, end - offset)
        bytes.withUnsafeBufferPointer { buffer.update(from: $0.baseAddress! + offset, count: count) }
        offset += count
        return count
    }
    func borrowChunk() throws(InputError) -> UnsafeBufferPointer<UInt8>? {
        borrows += 1
        scribble()
        if offset >= end, failAfter != nil { throw .damagedGzip(path: "lent", bytes: offset, reason: "damaged") }
        guard offset < end else { return nil }
        let count = min(chunk, end - offset)
        lentFrom = offset
        offset += count
        return UnsafeBufferPointer(start: lentCopy.baseAddress! + lentFrom, count: count)
    }
    func returnLentChunk() { offset = lentFrom }
    var progress: (consumed: Int, total: Int?) { (offset, bytes.count) }
}

/// Lines found where they lie in a source's lent chunks must be the lines the copying reader
/// finds: the same text, numbers, overlong lines, byte order mark, `\r\n` split across chunks, and
/// the same error after the same lines.
@Suite("Lines read from lent chunks")
struct LentChunkLineTests {
    /// Lines with their numbers, as the copying reader and the lending one must both give them.
    static func numberedLines(of reader: LineReader) throws -> [String] {
        var result: [String] = []
        while let line = try reader.nextLine() {
            let text = line.isOverlong ? "<overlong>" : String(decoding: UnsafeBufferPointer(start: line.bytes, count: line.count), as: UTF8.self)
            result.append("\(line.number): \(text)")
        }
        return result
    }

    /// Inputs that cross every path: lines longer than a chunk, empty lines, CRLF, a BOM, overlong
    /// lines (the reader's maximum is 100 bytes), no end at the end.
    static let inputs: [String] = [
        (0..<500).map { "line \($0) " + String(repeating: "x", count: $0 % 61) }.joined(separator: "\n") + "\n",
        "\u{FEFF}first\r\nsecond\r\n\r\nthird",
        "a\n\n\nb\r\n" + String(repeating: "y", count: 250) + "\nshort\n" + String(repeating: "z", count: 99) + "\nlast",
        "\n\n\n",
        // A carriage return before the reader's first buffer is full, a newline after it: the
        // copying reader has chosen `\r` by then (a fuzzer's find); lent, the same.
        "a\r" + String(repeating: "x", count: 90) + "\nb\rc\n",
        // At the bound and one past it, in every place a chunk can end.
        String(repeating: "b", count: 100) + "\n" + String(repeating: "c", count: 101) + "\n" + String(repeating: "d", count: 99) + "\r\n"
            + String(repeating: "e", count: 100) + "\r\nend\n",
        "only line without end",
        (0..<200).map { "\($0)," + String(repeating: "w", count: ($0 * 37) % 300) }.joined(separator: "\r\n") + "\r\n",
    ]

    @Test("the same lines as the copying reader, whatever the chunk size")
    func sameLines() throws {
        for input in Self.inputs {
            let bytes = Array(input.utf8)
            let expected = try Self.numberedLines(of: LineReader(source: ChunkSource(bytes, chunk: 7), bufferSize: 64, maximumLineLength: 100))
            for chunk in [1, 2, 3, 7, 64, 101, 1_000, 1 << 16] {
                let source = LendingSource(bytes, chunk: chunk)
                let reader = LineReader(source: source, bufferSize: 64, maximumLineLength: 100)
                #expect(try Self.numberedLines(of: reader) == expected, "chunks of \(chunk): \(input.prefix(30))")
                #expect(reader.consumed == bytes.count, "chunks of \(chunk)")
                // When the first chunk shows a newline before a carriage return within what the
                // copying reader would look at, every line comes from the chunks themselves, none
                // copied out of the source; otherwise the reader copies.
                let window = 64  // the reader's buffer
                let first = min(chunk, bytes.count)
                let lends = first > 0 && (bytes.prefix(min(first, window)).contains(0x0A)
                    || (first >= window && !bytes.prefix(window).contains(0x0D)))
                if lends {
                    #expect(source.copyingReads == 0, "chunks of \(chunk): \(input.prefix(30))")
                } else {
                    #expect(source.copyingReads > 0, "chunks of \(chunk): \(input.prefix(30))")
                }
            }
        }
    }

    @Test("a line of the bound's length is a line, one byte more is overlong, however it is read")
    func bound() throws {
        let text = String(repeating: "b", count: 100) + "\n" + String(repeating: "c", count: 101) + "\nok\n"
        for chunk in 1...12 {
            for reader in [LineReader(source: ChunkSource(Array(text.utf8), chunk: chunk), bufferSize: 16, maximumLineLength: 100),
                LineReader(source: LendingSource(Array(text.utf8), chunk: chunk * 17), bufferSize: 16, maximumLineLength: 100)]
            {
                #expect(try Self.numberedLines(of: reader) == ["1: " + String(repeating: "b", count: 100), "2: <overlong>", "3: ok"], "chunks of \(chunk)")
            }
        }
    }

    @Test("an input with no newline in its first chunk is read by copying, decided as before")
    func carriageReturnsAlone() throws {
        let bytes = Array("old\rmac\rlines\r".utf8)
        let expected = try Self.numberedLines(of: LineReader(source: ChunkSource(bytes, chunk: 5)))
        #expect(expected == ["1: old", "2: mac", "3: lines"])
        let source = LendingSource(bytes, chunk: 1_000)
        #expect(try Self.numberedLines(of: LineReader(source: source)) == expected)
        #expect(source.copyingReads > 0)
        #expect(try Self.numberedLines(of: LineReader(source: ChunkSource([], chunk: 5))) == [])
        #expect(try Self.numberedLines(of: LineReader(source: LendingSource([], chunk: 5))) == [])
    }

    @Test("a damaged source: every whole line before the damage, then the error, as when copying")
    func damage() throws {
        let bytes = Array(Self.inputs[0].utf8)
        for failAfter in [0, 1, 500, 5_000, bytes.count - 3] {
            var copied: [String] = []
            let copyingReader = LineReader(source: LendingSource(bytes, chunk: 3, failAfter: failAfter).copying, bufferSize: 64, maximumLineLength: 100)
            var copyingError: InputError? = nil
            do { while let line = try copyingReader.nextLine() { copied.append("\(line.number) \(line.count)") } } catch { copyingError = error }
            for chunk in [3, 64, 4_096] {
                var lent: [String] = []
                let reader = LineReader(source: LendingSource(bytes, chunk: chunk, failAfter: failAfter), bufferSize: 64, maximumLineLength: 100)
                var lentError: InputError? = nil
                do { while let line = try reader.nextLine() { lent.append("\(line.number) \(line.count)") } } catch { lentError = error }
                #expect(lent == copied, "failing after \(failAfter), chunks of \(chunk)")
                #expect(lentError != nil && copyingError != nil, "failing after \(failAfter), chunks of \(chunk)")
            }
        }
    }

    @Test("a file that grows after it was read ahead to its end: the reader still gets what was appended before it needed it")
    func growingFile() throws {
        let scratch = try ScratchDirectory()
        for shared in [true, false] {
            let path = try scratch.write("growing-\(shared).txt", "one\ntwo\n")
            // Chunks of 4: the first, "one\n", shows a newline, so the lines are lent.
            let source = ThreadedByteSource(wrapping: try FileByteSource(path: path), chunkSize: 4, depth: 100)
            defer { source.stop() }
            if shared {
                // The replay's thread reads ahead to the end of what the file holds now.
                source.isShared = true
                while source.readAheadIfIdle() {}
                #expect(source.hasMetTheEnd)
            } else {
                // The source's own thread reads ahead to the end (its progress shows when).
                let reader = LineReader(source: source)
                #expect(try reader.nextLine().map { String(decoding: UnsafeBufferPointer(start: $0.bytes, count: $0.count), as: UTF8.self) } == "one")
                while !source.hasMetTheEnd { usleep(1_000) }
                let handle = try #require(FileHandle(forWritingAtPath: path))
                handle.seekToEndOfFile()
                handle.write("three\n".data(using: .utf8)!)
                try handle.close()
                let rest = try Self.numberedLines(of: reader)
                #expect(rest == ["2: two", "3: three"], "\(rest)")
                continue
            }
            let handle = try #require(FileHandle(forWritingAtPath: path))
            handle.seekToEndOfFile()
            handle.write("four\n".data(using: .utf8)!)
            try handle.close()
            #expect(try Self.numberedLines(of: LineReader(source: source)) == ["1: one", "2: two", "3: four"])
        }
    }

    @Test("through a source read ahead on its own thread, shared, and switched: the same lines")
    func threadedSource() throws {
        for input in Self.inputs + ["old\rmac\rlines\r"] {
            let bytes = Array(input.utf8)
            let expected = try Self.numberedLines(of: LineReader(source: ChunkSource(bytes, chunk: 7), bufferSize: 64, maximumLineLength: 100))
            for (chunkSize, shared) in [(1, false), (5, true), (97, false), (97, true), (1 << 18, false)] {
                let source = ThreadedByteSource(wrapping: ChunkSource(bytes, chunk: 11), chunkSize: chunkSize, depth: 3)
                source.isShared = shared
                final class Flag: Sendable { let raised = Atomic(false) }
                let done = Flag()
                // Shared, another thread reads ahead whenever it can, as the replay's thread does.
                let helper = Thread { while !done.raised.load(ordering: .relaxed) { _ = source.readAheadIfIdle() } }
                if shared { helper.start() }
                let reader = LineReader(source: source, bufferSize: 64, maximumLineLength: 100)
                let got = try Self.numberedLines(of: reader)
                done.raised.store(true, ordering: .relaxed)
                source.stop()
                #expect(got == expected, "chunks of \(chunkSize), shared \(shared): \(input.prefix(30))")
                #expect(reader.consumed == bytes.count)
            }
        }
    }
}

extension LendingSource {
    /// The same bytes and failure for a reader that can only copy.
    var copying: ByteSource { CopyingOnly(self) }
}

/// Hides a source's lending, so a reader copies from it.
final class CopyingOnly: ByteSource {
    let inner: ByteSource
    init(_ inner: ByteSource) { self.inner = inner }
    func read(into buffer: UnsafeMutablePointer<UInt8>, capacity: Int) throws(InputError) -> Int {
        try inner.read(into: buffer, capacity: capacity)
    }
    var progress: (consumed: Int, total: Int?) { inner.progress }
}
