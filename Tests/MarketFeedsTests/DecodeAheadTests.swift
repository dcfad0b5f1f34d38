import Foundation
import Testing
@testable import MarketFeeds
import RiskEngine

/// A replay run to the end decodes each input on a thread of its own; it must come to exactly what
/// decoding line by line on the replay's own thread comes to.
@Suite("Decoding ahead on a thread")
struct DecodeAheadTests {
    static func depthLine(_ symbol: String, _ time: Int, _ first: Int, _ final: Int, _ previous: Int, bid: String) -> String {
        #"\#(1_000_000_000_000_000_000 + time) {"stream":"\#(symbol.lowercased())@depth@0ms","data":{"e":"depthUpdate","E":1,"T":1,"s":"\#(symbol)","U":\#(first),"u":\#(final),"pu":\#(previous),"b":[["\#(bid)","0.500"]],"a":[["200.00","1.000"]]}}"#
    }

    /// A session of `count` depth events for `symbol` after its snapshot, with a malformed line
    /// every `malformedEvery` lines and a blank line now and then, so that it spans many batches.
    static func session(_ symbol: String, count: Int, offset: Int, malformedEvery: Int) -> String {
        var lines = [#"\#(1_000_000_000_000_000_000 + offset) {"lastUpdateId":100,"s":"\#(symbol)","bids":[["99.00","1.000"]],"asks":[["201.00","2.000"]]}"#]
        for index in 0..<count {
            if index % malformedEvery == malformedEvery - 1 { lines.append("\(1_000_000_000_000_000_000 + offset + index * 3) {broken") }
            if index % 301 == 0 { lines.append("") }
            let bid = String(format: "%d.%02d", 100 + index % 50, index % 100)
            lines.append(depthLine(symbol, offset + index * 3 + 1, 100 + index * 2, 101 + index * 2, 99 + index * 2, bid: bid))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func run(_ paths: [String], threaded: Bool, strict: Bool = false) throws -> ReplaySession {
        var options = SessionOptions()
        options.threaded = threaded
        options.strict = strict
        let session = try ReplaySession(paths: paths, options: options)
        try session.runToEnd()
        return session
    }

    @Test("two inputs merged by time, malformed and blank lines: the same books, counts and times")
    func sameAsStepping() throws {
        let scratch = try ScratchDirectory()
        let btc = try scratch.write("btc.txt", Self.session("BTCUSDT", count: 5_000, offset: 0, malformedEvery: 997))
        let eth = try scratch.write("eth.txt", Self.session("ETHUSDT", count: 3_000, offset: 1, malformedEvery: 1_499))
        let stepped = try Self.run([btc, eth], threaded: false)
        let ahead = try Self.run([btc, eth], threaded: true)
        #expect(ahead.stats.read == stepped.stats.read)
        #expect(ahead.stats.applied == stepped.stats.applied)
        #expect(ahead.stats.skipped == stepped.stats.skipped)
        #expect(ahead.stats.malformed == stepped.stats.malformed)
        #expect(ahead.stats.malformed == 5 + 2)
        #expect(Set(ahead.stats.firstMalformed) == Set(stepped.stats.firstMalformed))
        for symbol in ["BTCUSDT", "ETHUSDT"] {
            #expect(ahead.synchronizers[symbol]?.counters == stepped.synchronizers[symbol]?.counters)
            #expect(ahead.engine.market(symbol)?.book == stepped.engine.market(symbol)?.book)
        }
        #expect(ahead.synchronizers["binance-usdm:BTCUSDT"]?.counters.applied == 5_000)
        #expect(ahead.synchronizers["binance-usdm:BTCUSDT"]?.counters.gaps == 0)
        #expect(ahead.lastTime == stepped.lastTime)
        #expect(ahead.progress == 1)
    }

    @Test("--strict: the error names the line, everything before it is applied, and the replay can go on")
    func strictStopsAtTheLine() throws {
        let scratch = try ScratchDirectory()
        let text = Self.session("BTCUSDT", count: 2_000, offset: 0, malformedEvery: 1_500)
        let path = try scratch.write("btc.txt", text)
        let brokenLine = try #require(text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.hasSuffix("{broken") }) + 1
        var options = SessionOptions()
        options.strict = true
        for threaded in [false, true] {
            options.threaded = threaded
            let session = try ReplaySession(paths: [path], options: options)
            var caught: SessionError? = nil
            do { try session.runToEnd() } catch { caught = error }
            #expect(caught?.description.contains("btc.txt:\(brokenLine):") == true, "threaded: \(threaded)")
            #expect(session.synchronizers["binance-usdm:BTCUSDT"]?.counters.applied == 1_499, "threaded: \(threaded)")
            // Going on from there (as the dashboard may) reads the rest.
            try session.runToEnd()
            #expect(session.synchronizers["binance-usdm:BTCUSDT"]?.counters.applied == 2_000, "threaded: \(threaded)")
        }
    }

    /// 240 book lines of 12 MB each queued 64 batches of them (2.9 GB; attacker trial).
    @Test("long lines: the queue holds about 32 MiB of them, not 64 batches")
    func queueBoundedInBytes() throws {
        let scratch = try ScratchDirectory()
        let line = String(repeating: "x", count: 1_500_000)
        let path = try scratch.write("long.txt", (0..<40).map { _ in line }.joined(separator: "\n") + "\n")
        let reader = LineReader(source: try FileByteSource(path: path), bufferSize: 4_096)
        let thread = DecodeAhead(path: path, reader: reader, decoder: BinanceLineDecoder(timestamped: true), firstLine: nil, strict: false)
        // Nothing is taken: the thread fills the queue and waits.
        Thread.sleep(forTimeInterval: 1.0)
        let queued = thread.stop()
        let bytes = queued.reduce(0) { $0 + $1.bytes }
        #expect(bytes <= DecodeAhead.bytesAhead + 2 * 1_500_001, "\(bytes) bytes queued")
        #expect(queued.reduce(0) { $0 + $1.lines } < 40)
    }

    @Test("stopped early, the thread hands over every line it read: none lost, none twice")
    func stopLosesNothing() throws {
        let scratch = try ScratchDirectory()
        let path = try scratch.write("btc.txt", Self.session("BTCUSDT", count: 1_000, offset: 0, malformedEvery: 10_000))
        let total = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).count - 1
        let reader = LineReader(source: try FileByteSource(path: path), bufferSize: 4_096)
        let thread = DecodeAhead(path: path, reader: reader, decoder: BinanceLineDecoder(timestamped: true), firstLine: nil,
            strict: false, linesPerBatch: 7, batchesAhead: 3)
        var lines = 0
        var messages = 0
        for _ in 0..<5 {
            let batch = try #require(thread.next())
            lines += batch.lines
            messages += batch.messages.count
        }
        for batch in thread.stop() {
            lines += batch.lines
            messages += batch.messages.count
        }
        #expect(lines >= 5 * 7)
        // The thread has exited: the reader is the caller's again and goes on where it stopped.
        var decoder = thread.decoder
        var rest: [FeedMessage] = []
        while let line = try reader.nextLine() {
            lines += 1
            if line.count > 0 { _ = decoder.decode(line.bytes, count: line.count, into: &rest) }
        }
        #expect(lines == total)
        #expect(messages + rest.count == 1_001)
    }
}
