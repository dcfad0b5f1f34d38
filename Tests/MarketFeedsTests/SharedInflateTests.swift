import Foundation
import Synchronization
import Testing
@testable import MarketFeeds
import RiskEngine

/// A gzip input inflated ahead: by a thread of its own while a dashboard steps, shared between the
/// decoding thread and the replay's while a replay runs to the end. However the work is split, the
/// reader must get the same bytes in the same order, and a damaged stream the same error after the
/// same bytes.
@Suite("Inflating ahead: own thread or shared")
struct SharedInflateTests {
    /// `text` gzipped (by gzip itself) into the scratch directory; returns the .gz path.
    static func gzipped(_ text: String, named name: String, in scratch: ScratchDirectory) throws -> String {
        let plain = try scratch.write(name, text)
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
        gzip.arguments = ["-kn", plain]
        try gzip.run()
        gzip.waitUntilExit()
        return plain + ".gz"
    }

    /// Lines that do not repeat, so a chunk out of order or twice shows.
    static func numberedLines(_ count: Int) -> String {
        (0..<count).map { "line \($0) \(String(repeating: "x", count: $0 % 37))" }.joined(separator: "\n") + "\n"
    }

    /// Reads `source` to its end in reads of odd sizes, switching it between its own thread and
    /// shared every `switchEvery` reads, while a helper thread inflates ahead whenever it can.
    static func readAll(_ source: ThreadedByteSource, switchEvery: Int) throws(InputError) -> [UInt8] {
        final class Flag: Sendable { let raised = Atomic(false) }
        let done = Flag()
        let helper = Thread {
            while !done.raised.load(ordering: .relaxed) { _ = source.readAheadIfIdle() }
        }
        helper.start()
        defer { done.raised.store(true, ordering: .relaxed) }
        var bytes: [UInt8] = []
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: 4_096)
        defer { buffer.deallocate() }
        var reads = 0
        while true {
            reads += 1
            if reads % switchEvery == 0 { source.isShared.toggle() }
            let count = try source.read(into: buffer, capacity: 1 + reads % 4_000)
            if count == 0 { return bytes }
            bytes.append(contentsOf: UnsafeBufferPointer(start: buffer, count: count))
        }
    }

    @Test("own thread, shared, and switched back and forth: the same bytes in the same order")
    func sameBytes() throws {
        let scratch = try ScratchDirectory()
        let text = Self.numberedLines(40_000)
        let path = try Self.gzipped(text, named: "lines.txt", in: scratch)
        for switchEvery in [1, 3, 50, 1_000_000] {
            // Small chunks, so the queue fills, drains and is refilled by either side many times.
            let source = ThreadedByteSource(wrapping: try FileByteSource.open(path: path), chunkSize: 1_000, depth: 3)
            let bytes = try Self.readAll(source, switchEvery: switchEvery)
            #expect(bytes == Array(text.utf8), "switched every \(switchEvery) reads")
            #expect(source.progress.consumed == source.progress.total, "switched every \(switchEvery) reads")
        }
    }

    @Test("a damaged stream: the bytes before the damage, then the gzip error, shared or not")
    func damagedStream() throws {
        let scratch = try ScratchDirectory()
        let text = Self.numberedLines(20_000)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: try Self.gzipped(text, named: "lines.txt", in: scratch))))
        bytes[bytes.count - 8] ^= 0xFF  // the CRC: every byte inflates, the check at the end fails
        let damaged = try scratch.write("damaged.txt.gz", bytes: bytes)
        let truncated = try scratch.write("truncated.txt.gz", bytes: Array(bytes.prefix(bytes.count / 2)))
        for (path, reason) in [(damaged, "incorrect data check"), (truncated, "truncated gzip stream")] {
            for switchEvery in [2, 1_000_000] {
                let source = ThreadedByteSource(wrapping: try FileByteSource.open(path: path), chunkSize: 1_000, depth: 3)
                source.isShared = switchEvery == 2
                var caught: InputError? = nil
                do { _ = try Self.readAll(source, switchEvery: switchEvery) } catch { caught = error }
                #expect(caught?.description.contains(reason) == true, "\(path), switched every \(switchEvery): \(String(describing: caught))")
                // Asked again, it says the same.
                let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: 16)
                defer { buffer.deallocate() }
                #expect(throws: InputError.self) { try source.read(into: buffer, capacity: 16) }
            }
        }
    }

    @Test("a gzipped replay decoded ahead, inflating shared: the same books and counts as stepping")
    func gzippedReplaySameAsStepping() throws {
        let scratch = try ScratchDirectory()
        let btc = try Self.gzipped(DecodeAheadTests.session("BTCUSDT", count: 20_000, offset: 0, malformedEvery: 997), named: "btc.txt", in: scratch)
        let eth = try Self.gzipped(DecodeAheadTests.session("ETHUSDT", count: 12_000, offset: 1, malformedEvery: 1_499), named: "eth.txt", in: scratch)
        let stepped = try DecodeAheadTests.run([btc, eth], threaded: false)
        let ahead = try DecodeAheadTests.run([btc, eth], threaded: true)
        #expect(ahead.stats.read == stepped.stats.read)
        #expect(ahead.stats.malformed == stepped.stats.malformed)
        #expect(ahead.stats.malformed == 20 + 8)
        for symbol in ["BTCUSDT", "ETHUSDT"] {
            #expect(ahead.synchronizers[symbol]?.counters == stepped.synchronizers[symbol]?.counters)
            #expect(ahead.engine.market(symbol)?.book == stepped.engine.market(symbol)?.book)
        }
        #expect(ahead.synchronizers["binance-usdm:BTCUSDT"]?.counters.applied == 20_000)
        #expect(ahead.progress == 1)
    }
}

extension SharedInflateTests {
    @Test("an input dropped before its end lets its inflating thread go")
    func droppedInputFreesTheThread() throws {
        let scratch = try ScratchDirectory()
        // Over 10 MB unpacked: more than the thread reads ahead (16 chunks of 256 KiB), so it parks.
        let path = try Self.gzipped(DecodeAheadTests.session("BTCUSDT", count: 60_000, offset: 0, malformedEvery: 997), named: "btc.txt", in: scratch)
        weak var source: ThreadedByteSource? = nil
        do {
            let session = try ReplaySession(paths: [path], options: SessionOptions())
            for _ in 0..<100 { try session.step() }
            source = session.inputs.first?.readingAhead
            #expect(source != nil)
        }
        // The thread may be inflating a chunk: it exits once that is queued.
        let deadline = Date().addingTimeInterval(5)
        while source != nil && Date() < deadline { usleep(1_000) }
        #expect(source == nil)
    }
}

extension SharedInflateTests {
    /// 2,000 lines gzipped with `tail` appended, read to the end: the lines read and the error.
    static func readAppended(_ tail: [UInt8]) throws -> (lines: Int, said: String) {
        let scratch = try ScratchDirectory()
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: try gzipped(numberedLines(2_000), named: "lines.txt", in: scratch))))
        bytes += tail
        let reader = LineReader(source: try FileByteSource.open(path: try scratch.write("appended.txt.gz", bytes: bytes)))
        var lines = 0
        var caught: InputError? = nil
        do { while try reader.nextLine() != nil { lines += 1 } } catch { caught = error }
        return (lines, caught?.description ?? "")
    }

    /// `igzip error -5` said nothing (attacker trial).
    @Test("a gzip header naming another compression method than deflate is said so")
    func unsupportedMethod() throws {
        let scratch = try ScratchDirectory()
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: try Self.gzipped(Self.numberedLines(10), named: "lines.txt", in: scratch))))
        bytes[2] = 9
        let reader = LineReader(source: try FileByteSource.open(path: try scratch.write("method.txt.gz", bytes: bytes)))
        var caught: InputError? = nil
        do { while try reader.nextLine() != nil {} } catch { caught = error }
        #expect(caught?.description.contains("a gzip header naming a compression method other than deflate") == true, "\(String(describing: caught))")
    }

    @Test("bytes appended after the last gzip member are named as such, after every line before them")
    func trailingGarbage() throws {
        let (lines, said) = try Self.readAppended(Array("not gzip at all\n".utf8))
        #expect(lines == 2_000)
        #expect(said.contains("bytes after gzip member 1 are not gzip data"), "\(said)")
    }

    @Test("stray bytes after the last member, fewer than a header too, are trailing garbage; the start of a header cut short is a truncated stream",
          arguments: [([UInt8]("\n".utf8), true), ([UInt8]("\r\n".utf8), true), ([UInt8]("abc".utf8), true), ([0x1f], false), ([0x1f, 0x8b], false),
                      ([0x1f, 0x8b, 0x08], false), ([0x1f, 0x00], true),
                      // `echo garbage` after a file: eight bytes, fewer than a header (it read "truncated": attacker trial).
                      ([UInt8]("garbage\n".utf8), true), ([UInt8]("123456789".utf8), true), ([0x1f, 0x8b, 0x08, 0x00, 0x00], false)])
    func fewTrailingBytes(tail: [UInt8], garbage: Bool) throws {
        let (lines, said) = try Self.readAppended(tail)
        #expect(lines == 2_000)
        #expect(said.contains(garbage ? "bytes after gzip member 1 are not gzip data" : "truncated gzip stream"), "\(tail): \(said)")
    }
}
