import Foundation
import Testing
@testable import MarketFeeds
import RiskEngine

/// A source that gives the bytes of an array in chunks of a chosen size.
final class ChunkSource: ByteSource {
    let bytes: [UInt8]
    let chunk: Int
    var offset = 0
    init(_ bytes: [UInt8], chunk: Int = 7) { self.bytes = bytes; self.chunk = chunk }
    func read(into buffer: UnsafeMutablePointer<UInt8>, capacity: Int) throws(InputError) -> Int {
        let count = min(capacity, chunk, bytes.count - offset)
        bytes.withUnsafeBufferPointer { buffer.update(from: $0.baseAddress! + offset, count: count) }
        offset += count
        return count
    }
    var progress: (consumed: Int, total: Int?) { (offset, bytes.count) }
}

/// A source that never ends and never sends a newline, like /dev/zero, counting what it gave.
final class EndlessSource: ByteSource {
    var given = 0
    let limit: Int
    init(limit: Int) { self.limit = limit }
    func read(into buffer: UnsafeMutablePointer<UInt8>, capacity: Int) throws(InputError) -> Int {
        guard given < limit else { return 0 }
        let count = min(capacity, limit - given)
        buffer.update(repeating: UInt8(ascii: "x"), count: count)
        given += count
        return count
    }
    var progress: (consumed: Int, total: Int?) { (given, nil) }
}

func lines(of reader: LineReader) throws -> [String] {
    var result: [String] = []
    while let line = try reader.nextLine() {
        result.append(line.isOverlong ? "<overlong>" : String(decoding: UnsafeBufferPointer(start: line.bytes, count: line.count), as: UTF8.self))
    }
    return result
}

@Suite("Bad input: times, line bounds, line endings, gzip, FIFOs")
struct BadInputTests {
    @Test("a book snapshot that leaves out or mistypes a side is malformed, named, and the book kept (it wiped the book unreported); an update may leave a side out")
    func snapshotSidesChecked() throws {
        let scratch = try ScratchDirectory()
        let good = #"{"type":"book","symbol":"BTCUSDT","bids":[["60000","5"]],"asks":[["60010","5"]],"time":1723161256000000000}"#
        for bad in [#"{"type":"book","symbol":"BTCUSDT","bids":"x","asks":null,"time":1723161257000000000}"#,
                    #"{"type":"book","symbol":"BTCUSDT","time":1723161257000000000}"#,
                    #"{"type":"book","symbol":"BTCUSDT","bids":123,"asks":{"a":1},"time":1723161257000000000}"#,
                    #"{"type":"book","symbol":"BTCUSDT","bids":[],"time":1723161257000000000}"#] {
            let events = try scratch.write("e.ndjson", [good, bad].joined(separator: "\n"))
            let replayed = try replay([events])
            #expect(replayed.stats.malformed == 1, "\(bad)")
            let field = replayed.stats.firstMalformed.first?.field ?? ""
            #expect(field.hasPrefix("bids: ") || field.hasPrefix("asks: "), "\(bad): \(field)")
            #expect(replayed.engine.market("BTCUSDT")?.book.bids.best?.price == BookUnits.parse("60000"), "\(bad)")
        }
        // An update of one side (the other left out) is whole; an empty side in a snapshot is stated.
        let update = #"{"type":"book","symbol":"BTCUSDT","snapshot":false,"bids":[["59990","1"]],"time":1723161257000000000}"#
        let emptyAsks = #"{"type":"book","symbol":"BTCUSDT","bids":[["60000","5"]],"asks":[],"time":1723161258000000000}"#
        let fine = try replay([try scratch.write("f.ndjson", [good, update, emptyAsks].joined(separator: "\n"))])
        #expect(fine.stats.malformed == 0)
        #expect(fine.engine.market("BTCUSDT")?.book.asks.best == nil)

        // Bybit: a snapshot without `b` and `a`.
        let bybit = try scratch.write("2024-12-01_XRPUSDT_ob500.data", [
            #"{"topic":"orderbook.500.XRPUSDT","type":"snapshot","ts":1733011200691,"data":{"s":"XRPUSDT","b":[["1.9531","6203"]],"a":[["1.9532","100"]],"u":1,"seq":1},"cts":1733011200688}"#,
            #"{"topic":"orderbook.500.XRPUSDT","type":"snapshot","ts":1733011200791,"data":{"s":"XRPUSDT","u":2}}"#,
        ].joined(separator: "\n"))
        let fromBybit = try replay([bybit])
        #expect(fromBybit.stats.malformed == 1)
        #expect(fromBybit.stats.firstMalformed.first?.field == "data.b")
        #expect(fromBybit.engine.market("bybit:XRPUSDT")?.book.bids.best != nil)
    }

    @Test("a Tardis row whose is_snapshot is neither true nor false, whose receive time is out of range, or whose liquidation side is neither buy nor sell is malformed, named by field")
    func tardisFieldsChecked() throws {
        let scratch = try ScratchDirectory()
        let book = try scratch.write("deribit_incremental_book_L2_BTC-PERPETUAL.csv", Self.deribitSnapshot + """
            deribit,BTC-PERPETUAL,1585699200355000,1585699200355684,maybe,bid,6000.5,77777
            deribit,BTC-PERPETUAL,1585699200356000,99999999999999999999999,false,bid,6000.5,77777
            deribit,BTC-PERPETUAL,99999999999999999999999,1585699200355684,false,bid,6000.5,77777
            """)
        let replayed = try replay([book])
        #expect(replayed.stats.malformed == 3)
        #expect(replayed.stats.firstMalformed.map(\.field) == ["is_snapshot", "local_timestamp", "timestamp"])
        #expect(replayed.engine.markets.first?.book.bids.best?.price == BookUnits.parse("6421"))
        let liquidations = try scratch.write("binance-futures_liquidations_BTCUSDT.csv", """
            exchange,symbol,timestamp,local_timestamp,id,side,price,amount
            binance-futures,BTCUSDT,1723161256000000,1723161256000000,1,sell,60000,1
            binance-futures,BTCUSDT,1723161256000001,1723161256000001,2,maybe,60000,1
            """)
        let fromLiquidations = try replay([liquidations])
        #expect(fromLiquidations.stats.malformed == 1)
        #expect(fromLiquidations.stats.firstMalformed.first?.field == "side")
    }

    /// A Deribit incremental-book file's header and a two-level snapshot, each row ended.
    static let deribitSnapshot = """
        exchange,symbol,timestamp,local_timestamp,is_snapshot,side,price,amount
        deribit,BTC-PERPETUAL,1585699200245000,1585699200355684,true,ask,6421.5,18640
        deribit,BTC-PERPETUAL,1585699200245000,1585699200355684,true,bid,6421,100

        """

    @Test("a Tardis file's header is no frame: its rows are counted as read and applied, none skipped, threaded or not")
    func tardisHeaderNotAFrame() throws {
        let scratch = try ScratchDirectory()
        let book = try scratch.write("deribit_incremental_book_L2_BTC-PERPETUAL.csv", Self.deribitSnapshot + """
            deribit,BTC-PERPETUAL,1585699200355000,1585699200355684,false,bid,6000.5,77777
            """)
        for threaded in [false, true] {
            var options = SessionOptions()
            options.threaded = threaded
            let session = try ReplaySession(paths: [book], options: options)
            try session.runToEnd()
            // It read `1 skipped: frames of streams liqwatch does not apply` of every Tardis file.
            #expect(session.stats.read == 3 && session.stats.applied == 3 && session.stats.skipped == 0, "threaded \(threaded): \(session.stats)")
        }
    }

    @Test("a Tardis timestamp before 2010 in microseconds is milliseconds or seconds: malformed, saying so, not read as 1970")
    func tardisMillisecondsRefused() throws {
        let scratch = try ScratchDirectory()
        let book = try scratch.write("ms_incremental_book_L2.csv", """
            exchange,symbol,timestamp,local_timestamp,is_snapshot,side,price,amount
            binance-futures,BTCUSDT,1598918403696,1598918403696,true,bid,11655.78,1
            binance-futures,BTCUSDT,1598918403696000,1598918403696000,true,ask,11655.79,1
            """)
        let replayed = try replay([book])
        #expect(replayed.stats.malformed == 1)
        #expect(replayed.stats.firstMalformed.first?.field == "timestamp (before 2010 in microseconds: milliseconds or seconds?)")
        // The snapshot it belonged to is not applied: one side of it trusted was a book with no
        // bids (review).
        #expect(replayed.engine.markets.allSatisfy { $0.book.asks.best == nil && $0.book.bids.best == nil })
    }

    @Test("a Tardis book row that cannot be read leaves a gap: an update group is applied and the book is stale; a snapshot missing a row is not applied")
    func tardisUnreadBookRowsGap() throws {
        let scratch = try ScratchDirectory()
        let header = "exchange,symbol,timestamp,local_timestamp,is_snapshot,side,price,amount\n"
        let snapshot = """
            binance-futures,BTCUSDT,1723161255000000,1723161255000000,true,bid,60000,10
            binance-futures,BTCUSDT,1723161255000000,1723161255000000,true,bid,50000,10
            binance-futures,BTCUSDT,1723161255000000,1723161255000000,true,ask,60010,10

            """
        // An update with its amount left out, beside one read: the read one is applied, the
        // book is stale (it was trusted, and a position liquidated into the level the feed had
        // changed: attacker trial).
        let update = try scratch.write("u_incremental_book_L2.csv", header + snapshot + """
            binance-futures,BTCUSDT,1723161256000000,1723161256000000,false,bid,60000,
            binance-futures,BTCUSDT,1723161256000000,1723161256000000,false,ask,60020,3
            """)
        let updated = try replay([update])
        let book = try #require(updated.engine.market("binance-usdm:BTCUSDT"))
        #expect(updated.stats.firstMalformed.first?.field == "amount")
        #expect(book.book.isStale && book.counters.gaps == 1)
        #expect(book.book.topLevels(.ask, count: 3).map(\.price) == [BookUnits.parse("60010")!, BookUnits.parse("60020")!])
        #expect(book.book.topLevels(.bid, count: 1).first?.size == BookUnits.parse("10"))
        // A snapshot with an unreadable row: the book stays as it was, and is stale.
        let broken = try scratch.write("s_incremental_book_L2.csv", header + snapshot + """
            binance-futures,BTCUSDT,1723161257000000,1723161257000000,true,bid,59000,1
            binance-futures,BTCUSDT,1723161257000000,1723161257000000,true,bid,x,1
            binance-futures,BTCUSDT,1723161257000000,1723161257000000,true,ask,59010,1
            """)
        let snapshotted = try replay([broken])
        let kept = try #require(snapshotted.engine.market("binance-usdm:BTCUSDT"))
        #expect(kept.book.isStale && kept.counters.gaps == 1)
        #expect(kept.book.topLevels(.bid, count: 1).first?.price == BookUnits.parse("60000"))
        // A row whose time cannot be read gaps its market at the open group's time.
        let undated = try scratch.write("t_incremental_book_L2.csv", header + snapshot + """
            binance-futures,BTCUSDT,99999999999999999999999,1723161256000000,false,bid,60000,1
            """)
        let gapped = try #require(try replay([undated]).engine.market("binance-usdm:BTCUSDT"))
        #expect(gapped.book.isStale && gapped.counters.gaps == 1)
        // A row of seven cells, of nine, or whose symbol cannot be read: the same (the row was
        // dropped and the book trusted: attacker trial). Its cells name the market where they can.
        for row in ["binance-futures,BTCUSDT,1723161256000000,1723161256000000,false,bid,60000",
                    "binance-futures,BTCUSDT,1723161256000000,1723161256000000,false,bid,60000,0,9",
                    "binance-futures,BTC USDT,1723161256000000,1723161256000000,false,bid,60000,0"] {
            let path = try scratch.write("c_incremental_book_L2.csv", header + snapshot + row + "\n")
            let market = try #require(try replay([path]).engine.market("binance-usdm:BTCUSDT"))
            #expect(market.book.isStale && market.counters.gaps == 1, "\(row)")
            #expect(market.book.topLevels(.bid, count: 1).first?.size == BookUnits.parse("10"), "\(row)")
        }
        // A snapshot with a row of seven cells is not applied.
        let short = try scratch.write("cs_incremental_book_L2.csv", header + snapshot + """
            binance-futures,BTCUSDT,1723161257000000,1723161257000000,true,bid,59000,1
            binance-futures,BTCUSDT,1723161257000000,1723161257000000,true,ask,59010
            """)
        let shortened = try #require(try replay([short]).engine.market("binance-usdm:BTCUSDT"))
        #expect(shortened.book.isStale && shortened.book.topLevels(.bid, count: 1).first?.price == BookUnits.parse("60000"))
        // A flag that reads neither in the middle of a snapshot, and a row whose market cannot
        // be read in a market's first snapshot: the snapshot is not applied (it was split, or
        // applied one-sided, and trusted: review).
        for middle in ["binance-futures,BTCUSDT,1723161257000000,1723161257000000,TRUE,bid,58990,1",
                       "binance-futures,BTC USDT,1723161257000000,1723161257000000,true,bid,58990,1"] {
            let split = try scratch.write("m_incremental_book_L2.csv", header + snapshot + """
                binance-futures,BTCUSDT,1723161257000000,1723161257000000,true,bid,59000,1
                \(middle)
                binance-futures,BTCUSDT,1723161257000000,1723161257000000,true,ask,59010,1
                """)
            let market = try #require(try replay([split]).engine.market("binance-usdm:BTCUSDT"))
            #expect(market.book.isStale && market.book.topLevels(.bid, count: 1).first?.price == BookUnits.parse("60000"), "\(middle)")
        }
        let first = try scratch.write("f_incremental_book_L2.csv", header + """
            binance-futures,BTCUSDT,1723161255000000,1723161255000000,true,bid,60000,10
            binance-futures,BTC USDT,1723161255000000,1723161255000000,true,bid,59000,10
            binance-futures,BTCUSDT,1723161255000000,1723161255000000,true,ask,60010,10
            """)
        #expect(try replay([first]).engine.markets.allSatisfy { $0.book.bids.best == nil && $0.book.asks.best == nil })
        // Many unreadable rows against a trusted market gap it once until its next snapshot.
        var many = header + snapshot
        for second in 0..<200 { many += "binance-futures,BTC USDT,\(1723161256000000 + second * 1000),1723161256000000,false,bid,60000,1\n" }
        let once = try #require(try replay([try scratch.write("n_incremental_book_L2.csv", many)]).engine.market("binance-usdm:BTCUSDT"))
        #expect(once.book.isStale && once.counters.gaps == 1, "\(once.counters.gaps)")
    }

    @Test("a time near the 64-bit limit makes the line malformed, named by field, in every format")
    func unrepresentableTimes() throws {
        let scratch = try ScratchDirectory()
        let events = try scratch.write("e.ndjson", [
            #"{"type":"mark","symbol":"BTCUSDT","price":"60000","time":9223372036854775807}"#,
            #"9223372036854775807 {"type":"mark","symbol":"BTCUSDT","price":"60000"}"#,
            #"{"type":"mark","symbol":"BTCUSDT","price":"60001","time":1723161256000000000}"#,
        ].joined(separator: "\n"))
        let replayed = try replay([events])
        #expect(replayed.stats.malformed == 2)
        #expect(replayed.stats.firstMalformed.map(\.field).first?.hasPrefix("time") == true)
        #expect(replayed.stats.firstMalformed.map(\.field).last == "receive time")
        #expect(replayed.engine.market("BTCUSDT")?.markPrice == Fixed(60_001))

        let tardis = try scratch.write("binance-futures_trades_BTCUSDT.csv", """
            exchange,symbol,timestamp,local_timestamp,id,side,price,amount
            binance-futures,BTCUSDT,10000000000000000,10000000000000000,1,buy,60000,1
            binance-futures,BTCUSDT,1723161256000000,1723161256000000,2,buy,60000,1
            """)
        let fromTardis = try replay([tardis])
        #expect(fromTardis.stats.malformed == 1)
        #expect(fromTardis.stats.firstMalformed.first?.field == "timestamp")
        #expect(fromTardis.engine.market("BTCUSDT")?.counters.trades == 1)

        let raw = try scratch.write("raw.json", [
            #"{"e":"forceOrder","E":9300000000000,"o":{"s":"BTCUSDT","S":"SELL","q":"1","p":"60000","ap":"60000"}}"#,
            #"{"e":"forceOrder","E":1723161256000,"o":{"s":"BTCUSDT","S":"SELL","q":"1","p":"60000","ap":"60000"}}"#,
        ].joined(separator: "\n"))
        let fromRaw = try replay([raw])
        #expect(fromRaw.stats.malformed == 1)
        #expect(fromRaw.stats.firstMalformed.first?.field == "E (event time)")
        #expect(fromRaw.log.exchangeCount == 1)

        var decoder = CryptofeedLineDecoder()
        var messages: [FeedMessage] = []
        let line = Array(#"99999999999.5: {"stream":"btcusdt@trade","data":{"e":"trade","s":"BTCUSDT","p":"1","q":"1"}}"#.utf8)
        if case .malformed(let field) = decoder.decode(line, count: line.count, into: &messages) {
            #expect(field == "capture time")
        } else { Issue.record("a capture time in the year 5138 was accepted") }
    }

    @Test("a line over the bound is reported once, skipped to its end; the next line reads; memory is bounded")
    func overlongLine() throws {
        let text = "first\n" + String(repeating: "y", count: 5_000) + "\nafter\n"
        let reader = LineReader(source: ChunkSource(Array(text.utf8), chunk: 333), bufferSize: 64, maximumLineLength: 1_000)
        #expect(try lines(of: reader) == ["first", "<overlong>", "after"])
        #expect(reader.lineNumber == 3)
        // A source that never sends a newline: the reader reports it and then keeps reading in
        // place, never holding more than the bound.
        let endless = EndlessSource(limit: 50_000)
        let bounded = LineReader(source: endless, bufferSize: 64, maximumLineLength: 1_000)
        let first = try #require(try bounded.nextLine())
        #expect(first.isOverlong)
        #expect(endless.given <= 1_064)
        #expect(try bounded.nextLine() == nil)
        #expect(endless.given == 50_000)
    }

    @Test("/dev/zero is refused at once: no line end within 16 MiB, an unknown format")
    func devZero() throws {
        do {
            _ = try ReplaySession(paths: ["/dev/zero"], options: SessionOptions())
            Issue.record("/dev/zero was accepted")
        } catch {
            #expect(error.isUsageError)
            #expect(error.description.contains("no line end within the first 16 MiB"))
        }
    }

    @Test("a file of nothing but line ends is refused once 65,536 are passed over, not read to its end; a few before the first line are passed over")
    func onlyEmptyLines() throws {
        let scratch = try ScratchDirectory()
        // 2 GB of them gzipped to 9 MB took 40 s: here a million, which must not all be read.
        let blank = try scratch.write("blank.ndjson", String(repeating: "\n", count: 1_000_000))
        do {
            _ = try ReplaySession(paths: [blank], options: SessionOptions())
            Issue.record("a file of line ends was accepted")
        } catch {
            #expect(error.isUsageError)
            #expect(error.description.contains("unknown format (its first 65536 lines are empty)"), "\(error.description)")
        }
        let padded = try scratch.write("padded.ndjson", String(repeating: "\n", count: 1_000)
            + #"{"type":"mark","symbol":"BTCUSDT","price":"60000","time":1723161256000000000}"# + "\n")
        var options = SessionOptions()
        options.threaded = false
        let replay = try ReplaySession(paths: [padded], options: options)
        try replay.runToEnd()
        #expect(replay.stats.malformed == 0)
        // One recording twice under two forms (a copy a line end longer): refused by its first
        // dated line; two recordings alike in their header alone (Tardis) are two.
        let first = #"{"type":"mark","symbol":"BTCUSDT","price":"60000","time":1723161256000000000}"# + "\n"
        let original = try scratch.write("a.ndjson", first)
        let longer = try scratch.write("b.ndjson", first + "\n")
        do {
            _ = try ReplaySession(paths: [original, longer], options: SessionOptions())
            Issue.record("a copy was merged with its original")
        } catch {
            #expect(error.isUsageError && error.description == "\(longer) begins with the same line as \(original): the same recording twice (give each recording once)",
                "\(error.description)")
        }
        let header = "exchange,symbol,timestamp,local_timestamp,id,side,price,amount\n"
        let tardisA = try scratch.write("ta.csv", header + "binance-futures,BTCUSDT,1598918400000000,1598918400000000,1,buy,11000,1\n")
        let tardisB = try scratch.write("tb.csv", header + "binance-futures,BTCUSDT,1598918401000000,1598918401000000,2,sell,11001,1\n")
        #expect((try? ReplaySession(paths: [tardisA, tardisB], options: SessionOptions())) != nil, "two Tardis files sharing their header were refused")
        // Nothing at all, or a few line ends alone: empty, not an unknown format (attacker trial).
        for (name, text) in [("empty.ndjson", ""), ("ends.ndjson", "\n\n\n")] {
            let path = try scratch.write(name, text)
            do {
                _ = try ReplaySession(paths: [path], options: SessionOptions())
                Issue.record("\(name) was accepted")
            } catch {
                #expect(error.isUsageError && error.description == "\(path): empty (nothing to replay)", "\(error.description)")
            }
        }
    }

    @Test("line endings: LF, CRLF and CR alone; a UTF-8 byte order mark is skipped")
    func lineEndings() throws {
        for (text, chunk) in [("a\nb\nc", 2), ("a\r\nb\r\nc\r\n", 3), ("a\rb\rc\r", 1), ("a\rb\rc", 5), ("\u{FEFF}a\nb\n", 1)] {
            let reader = LineReader(source: ChunkSource(Array(text.utf8), chunk: chunk))
            #expect(try lines(of: reader) == ["a", "b", "c"].prefix(text.contains("\u{FEFF}") ? 2 : 3).map { $0 }, "\(Array(text.utf8))")
        }
        let scratch = try ScratchDirectory()
        let events = [
            #"{"type":"mark","symbol":"BTCUSDT","price":"60000","time":1723161256000000000}"#,
            #"{"type":"mark","symbol":"BTCUSDT","price":"60001","time":1723161257000000000}"#,
        ]
        let crOnly = try scratch.write("cr.ndjson", events.joined(separator: "\r") + "\r")
        let withBOM = try scratch.write("bom.ndjson", "\u{FEFF}" + events.joined(separator: "\n"))
        for path in [crOnly, withBOM] {
            let replayed = try replay([path])
            #expect(replayed.stats.malformed == 0 && replayed.stats.applied == 2, "\(path)")
            #expect(replayed.engine.market("BTCUSDT")?.markPrice == Fixed(60_001))
        }
    }

    /// The event lines of three markets, gzipped, with the gzip trailer's CRC broken: the deflate
    /// data decodes (and is replayed) and only the check at the end fails.
    func damagedGzip(in scratch: ScratchDirectory) throws -> String {
        let text = ["BTCUSDT", "ETHUSDT", "SOLUSDT"].enumerated().map { index, symbol in
            #"{"type":"mark","symbol":"\#(symbol)","price":"100","time":\#(1_723_161_256_000_000_000 + index)}"#
        }.joined(separator: "\n") + "\n"
        let plain = try scratch.write("m.ndjson", text)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/gzip")
        process.arguments = ["-kn", plain]
        try process.run()
        process.waitUntilExit()
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: plain + ".gz")))
        bytes[bytes.count - 8] ^= 0xFF
        return try scratch.write("damaged.ndjson.gz", bytes: bytes)
    }

    @Test("a gzip check that fails at the end names the markets replayed from the unverified data")
    func unverifiedGzip() throws {
        let scratch = try ScratchDirectory()
        let path = try damagedGzip(in: scratch)
        for threaded in [false, true] {
            var options = SessionOptions()
            options.threaded = threaded
            let session = try ReplaySession(paths: [path], options: options)
            #expect(throws: SessionError.self) { try session.runToEnd() }
            #expect(session.engine.markets.count == 3)
            #expect(session.unverifiedInputs.count == 1)
            #expect(session.unverifiedInputs.first?.markets == ["binance-usdm:BTCUSDT", "binance-usdm:ETHUSDT", "binance-usdm:SOLUSDT"])
            #expect(session.unverifiedInputs.first?.reason.contains("incorrect data check") == true)
        }
    }

    @Test("a gzip header with reserved flag bits set is refused, as RFC 1952 asks (it was read as if they were not)")
    func reservedGzipFlags() throws {
        let scratch = try ScratchDirectory()
        let good = try damagedGzip(in: scratch)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: good)))
        bytes[bytes.count - 8] ^= 0xFF  // the CRC mended again
        let mended = try scratch.write("mended.ndjson.gz", bytes: bytes)
        let session = try ReplaySession(paths: [mended], options: SessionOptions())
        try session.runToEnd()
        #expect(session.engine.markets.count == 3)
        bytes[3] |= 0x20
        let reserved = try scratch.write("reserved.ndjson.gz", bytes: bytes)
        #expect(throws: (any Error).self) { try ReplaySession(paths: [reserved], options: SessionOptions()).runToEnd() }
        // Through a pipe, whose first read gives the two bytes peeked (the check was skipped
        // there), and as a second member after a good one (review).
        let (fifo, writer) = try Self.fifo(feeding: reserved, in: scratch)
        #expect(throws: (any Error).self) { try ReplaySession(paths: [fifo], options: SessionOptions()).runToEnd() }
        writer.waitUntilExit()
        var twoMembers = [UInt8](try Data(contentsOf: URL(fileURLWithPath: mended)))
        twoMembers += bytes
        let second = try scratch.write("second.ndjson.gz", bytes: twoMembers)
        #expect(throws: (any Error).self) { try ReplaySession(paths: [second], options: SessionOptions()).runToEnd() }
        let source = try GzipByteSource(wrapping: FileByteSource(path: reserved), path: reserved)
        var buffer = [UInt8](repeating: 0, count: 4_096)
        #expect { _ = try buffer.withUnsafeMutableBufferPointer { try source.read(into: $0.baseAddress!, capacity: $0.count) } } throws: { error in
            "\(error)".contains("reserved flag bits")
        }
    }

    /// A FIFO in `scratch` that a shell writes `file` into, as process substitution does; the
    /// writer is running (wait for it once the FIFO is read).
    static func fifo(feeding file: String, in scratch: ScratchDirectory) throws -> (path: String, writer: Process) {
        let fifo = scratch.url.appendingPathComponent("pipe").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let writer = Process()
        writer.executableURL = URL(fileURLWithPath: "/bin/sh")
        writer.arguments = ["-c", "cat '\(file)' > '\(fifo)'"]
        try writer.run()
        return (fifo, writer)
    }

    @Test("a .gz read through a FIFO (process substitution) is decompressed")
    func gzipThroughFIFO() throws {
        let scratch = try ScratchDirectory()
        let text = #"{"type":"mark","symbol":"BTCUSDT","price":"100","time":1723161256000000000}"# + "\n"
        let plain = try scratch.write("f.ndjson", text)
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
        gzip.arguments = ["-kn", plain]
        try gzip.run()
        gzip.waitUntilExit()
        let (fifo, writer) = try Self.fifo(feeding: plain + ".gz", in: scratch)
        let session = try ReplaySession(paths: [fifo], options: SessionOptions())
        try session.runToEnd()
        writer.waitUntilExit()
        #expect(session.stats.malformed == 0)
        #expect(session.engine.market("BTCUSDT")?.markPrice == Fixed(100))
    }

    @Test("the stream splitter: bounded lines, CRLF, a BOM, lines split across reads")
    func boundedSplitter() {
        var splitter = BoundedLineSplitter(maximumLength: 10)
        var pieces: [BoundedLineSplitter.Piece] = []
        for chunk in ["\u{FEFF}ab", "c\r\nde", "f\n0123456789abc", "def\nok\n", "tail"] { splitter.feed(Array(chunk.utf8)) { pieces.append($0) } }
        splitter.finish { pieces.append($0) }
        #expect(pieces == [.line(Array("abc".utf8)), .line(Array("def".utf8)), .overlong, .line(Array("ok".utf8)), .line(Array("tail".utf8))])
        #expect(splitter.pendingBytes == 0)
        // A byte order mark that arrives a byte at a time is skipped all the same (found by the
        // line_splitter fuzz target); bytes that only start like one are kept.
        let inputs: [[UInt8]] = [Array("\u{FEFF}{\"a\":1}\n".utf8), [0xEF, 0x78, 0x0A], [0xEF, 0xBB, 0x41, 0x0A], [0xEF, 0xBB, 0xBF], [0xEF]]
        for bytes in inputs {
            var whole = BoundedLineSplitter()
            var bytewise = BoundedLineSplitter()
            var expected: [BoundedLineSplitter.Piece] = []
            var got: [BoundedLineSplitter.Piece] = []
            whole.feed(bytes) { expected.append($0) }
            whole.finish { expected.append($0) }
            for byte in bytes { bytewise.feed([byte]) { got.append($0) } }
            bytewise.finish { got.append($0) }
            #expect(got == expected, "\(bytes)")
        }
        var partialMark = BoundedLineSplitter()
        var kept: [BoundedLineSplitter.Piece] = []
        partialMark.feed([0xEF, 0xBB, 0x41, 0x0A]) { kept.append($0) }
        #expect(kept == [.line([0xEF, 0xBB, 0x41])])
        var split = BoundedLineSplitter()
        var lines: [BoundedLineSplitter.Piece] = []
        for byte in "\u{FEFF}ok\n".utf8 { split.feed([byte]) { lines.append($0) } }
        #expect(lines == [.line(Array("ok".utf8))])
    }
}

@Suite("Positions in hedge mode, index prices from feeds")
struct HedgeAndIndexFeedTests {
    @Test("positions files: position_side LONG/SHORT legs load side by side; rows that would overwrite each other are refused", arguments: [
        ("a,BTCUSDT,long,1,60000,isolated,100,,,LONG\na,BTCUSDT,short,1,60000,isolated,100,,,SHORT", nil),
        ("a,BTCUSDT,long,1,60000,isolated,100,,,\na,BTCUSDT,short,1,60000,isolated,100,,,", "positions.csv:3: field symbol: line 2 already gives a's binance-usdm:BTCUSDT position (one-way mode"),
        ("a,BTCUSDT,long,1,60000,isolated,100,,,LONG\na,BTCUSDT,short,1,60000,isolated,100,,,", "positions.csv:3: field position_side: line 2 gives a's binance-usdm:BTCUSDT in hedge mode"),
        ("a,BTCUSDT,long,1,60000,cross,,500,,LONG\na,BTCUSDT,short,1,60000,cross,,,,SHORT", "positions.csv:3: field margin_mode: a's binance-usdm:BTCUSDT hedge-mode legs (this SHORT, line 2 LONG): both legs are in cross margin; legs of one symbol in cross margin are not supported"),
        // The cross leg named, not the isolated one the error's line points at.
        ("a,BTCUSDT,long,1,60000,cross,,500,,LONG\na,BTCUSDT,short,1,60000,isolated,100,,,SHORT", "positions.csv:3: field margin_mode: a's binance-usdm:BTCUSDT hedge-mode legs (this SHORT, line 2 LONG): the LONG leg on line 2 is in cross margin"),
        ("a,BTCUSDT,long,1,60000,isolated,100,,,LONG\na,BTCUSDT,short,1,60000,cross,,500,,SHORT", "positions.csv:3: field margin_mode: a's binance-usdm:BTCUSDT hedge-mode legs (this SHORT, line 2 LONG): this SHORT leg is in cross margin"),
        ("a,BTCUSDT,short,1,60000,isolated,100,,,LONG", "positions.csv:2: field position_side: a LONG leg must have side long"),
        ("a,BTCUSDT,long,1,60000,isolated,100,,,UP", "positions.csv:2: field position_side: expected BOTH, LONG or SHORT"),
    ] as [(String, String?)])
    func positionSides(rows: String, error expected: String?) throws {
        let scratch = try ScratchDirectory()
        let path = try scratch.write("positions.csv",
            "account,symbol,side,size,entry_price,margin_mode,isolated_margin,wallet_balance,leverage,position_side\n" + rows + "\n")
        do {
            let updates = try PositionsFile.load(path: path, catalog: .builtIn)
            #expect(expected == nil, "no error")
            #expect(updates.map(\.positionSide) == [.long, .short])
        } catch {
            let message = try #require(expected, "\(error.description)")
            #expect(error.description.contains(message), "\(error.description)")
        }
    }

    @Test("the index and funding of a Binance mark price update, a Tardis derivative ticker and an event line reach the engine")
    func indexFromFeeds() throws {
        let scratch = try ScratchDirectory()
        let binance = try scratch.write("mark.rec",
            #"1723161256000000000 {"stream":"btcusdt@markPrice@1s","data":{"e":"markPriceUpdate","E":1723161256000,"s":"BTCUSDT","p":"61650.40","P":"61660.1","i":"61640.25","r":"0.00010000","T":1723190400000}}"#)
        let replayed = try replay([binance])
        let market = try #require(replayed.engine.market("BTCUSDT"))
        #expect(market.markPrice == Fixed("61650.40")! && market.markSource == .stream)
        #expect(market.index.indexPrice == Fixed("61640.25")!)
        #expect(market.index.fundingRate == Fixed("0.0001")!)
        #expect(market.index.nextFundingTime == 1_723_190_400_000_000_000)
        let tardis = try scratch.write("binance-futures_derivative_ticker.csv", """
            exchange,symbol,timestamp,local_timestamp,funding_timestamp,funding_rate,predicted_funding_rate,open_interest,last_price,index_price,mark_price
            binance-futures,ETHUSDT,1723161256000000,1723161256000000,1723190400000000,0.0001,0.0001,100,2600.1,2599.5,2600.0
            """)
        let fromTardis = try replay([tardis])
        #expect(fromTardis.engine.market("ETHUSDT")?.index.indexPrice == Fixed("2599.5")!)
        #expect(fromTardis.engine.market("ETHUSDT")?.markPrice == Fixed(2_600))
        #expect(fromTardis.engine.market("ETHUSDT")?.openInterest == Fixed(100))
        #expect(replayed.engine.market("BTCUSDT")?.openInterest == nil)
        let events = try scratch.write("index.ndjson", """
            {"type":"index","symbol":"SOLUSDT","price":"150.5","funding_rate":"-0.0002","next_funding_time":1723190400000000000,"open_interest":"12345.6","time":1723161256000000000}
            {"type":"index","symbol":"SOLUSDT","price":"150.5","open_interest":"-1","time":1723161257000000000}
            """)
        let fromEvents = try replay([events])
        #expect(fromEvents.engine.market("SOLUSDT")?.index.fundingRate == Fixed("-0.0002")!)
        #expect(fromEvents.engine.market("SOLUSDT")?.openInterest == Fixed("12345.6")!)
        // A negative open interest is a malformed line naming the field; the good one stays.
        #expect(fromEvents.stats.malformed == 1)
        #expect(fromEvents.stats.firstMalformed.first?.field == "open_interest: must not be negative")
    }
}
