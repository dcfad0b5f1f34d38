import Foundation
import Testing
@testable import MarketFeeds
import RiskEngine

/// An OKX books line the session does not apply (a time spike, or a frame that is malformed after
/// its first element) had already changed the decoder's checksum copy: every later checksum
/// matched a book the engine did not have, with no gap. The book must wait for a snapshot instead.
@Suite("A books line not applied")
struct DroppedBookLineTests {
    typealias Level = OKXChecksumTests.Level
    static let start: Int64 = 1_700_000_000_000_000_000
    static let second: Int64 = 1_000_000_000
    static let market = "okx:BTC-USD-SWAP"

    /// The lines of a book: a snapshot, then updates, each with the checksum of OKX's book after it
    /// (which has every update, whatever the session does with its line).
    static func lines(times: [Int64], frameOfSecondUpdate: ((String) -> String)? = nil) -> String {
        var bids: [Level] = [("100", "1"), ("99", "2")]
        var asks: [Level] = [("101", "1"), ("102", "2")]
        var frames = [OKXChecksumTests.frame("snapshot", bids: bids, asks: asks, checksum: OKXChecksumTests.expected(bids: bids, asks: asks))]
        bids[0].size = "5"
        frames.append(OKXChecksumTests.frame("update", bids: [("100", "5")], asks: [], checksum: OKXChecksumTests.expected(bids: bids, asks: asks)))
        // The update the session will not apply: the ask at 101 goes.
        asks.removeFirst()
        let second = OKXChecksumTests.frame("update", bids: [], asks: [("101", "0")], checksum: OKXChecksumTests.expected(bids: bids, asks: asks))
        frames.append(frameOfSecondUpdate?(second) ?? second)
        bids.append(("98", "1"))
        frames.append(OKXChecksumTests.frame("update", bids: [("98", "1")], asks: [], checksum: OKXChecksumTests.expected(bids: bids, asks: asks)))
        bids[2].size = "3"
        frames.append(OKXChecksumTests.frame("update", bids: [("98", "3")], asks: [], checksum: OKXChecksumTests.expected(bids: bids, asks: asks)))
        return zip(times, frames).map { "\($0) \($1)" }.joined(separator: "\n") + "\n"
    }

    static func replay(_ text: String, threaded: Bool = true, name: String = "okx-books.txt") throws -> ReplaySession {
        let scratch = try ScratchDirectory()
        let path = try scratch.write(name, text)
        var options = SessionOptions()
        options.threaded = threaded
        let session = try ReplaySession(paths: [path], options: options)
        try session.runToEnd()
        return session
    }

    static let evenTimes = (0..<5).map { start + Int64($0) * second }

    @Test("an events file's book update that cannot be read (a negative size) leaves its book stale until a snapshot, the reason named")
    func unreadEventsUpdate() throws {
        let t = Self.start
        let lines = [
            #"{"type":"book","symbol":"BTCUSDT","bids":[["99.99","10"]],"asks":[["100.01","10"]],"time":\#(t)}"#,
            #"{"type":"book","symbol":"BTCUSDT","snapshot":false,"bids":[["99.99","-5"]],"time":\#(t + Self.second)}"#,
            #"{"type":"book","symbol":"ETHUSDT","bids":[["9.99","10"]],"asks":"not a list","time":\#(t + Self.second)}"#,
        ]
        let session = try Self.replay(lines.joined(separator: "\n") + "\n", name: "events.ndjson")
        #expect(session.stats.malformed == 2)
        #expect(session.stats.firstMalformed.first?.field == "bids: level 1: its size must not be negative (0 removes the level)",
            "\(session.stats.firstMalformed)")
        let book = try #require(session.engine.market("binance-usdm:BTCUSDT")?.book)
        #expect(book.isStale, "the update the venue's book has and the engine's lacks")
        #expect(session.engine.market("binance-usdm:BTCUSDT")?.counters.gaps == 1)
        // A snapshot that cannot be read leaves its book as it was: the next one replaces it whole.
        #expect(session.engine.market("binance-usdm:ETHUSDT") == nil)
    }

    @Test("an events file's book update refused for a key given twice leaves its book stale too (it made no gap: attacker trial)")
    func repeatedKeyUpdate() throws {
        let t = Self.start
        let lines = [
            #"{"type":"book","symbol":"BTCUSDT","bids":[["99.99","10"]],"asks":[["100.01","10"]],"time":\#(t)}"#,
            #"{"type":"book","symbol":"BTCUSDT","snapshot":false,"bids":[["99.99","0"]],"bids":[["99.99","0"]],"time":\#(t + Self.second)}"#,
            #"{"type":"mark","symbol":"BTCUSDT","price":"100","price":"101","time":\#(t + Self.second)}"#,
            // Two snapshot flags, one of them false; two symbols: both gapped (review).
            #"{"type":"book","symbol":"ETHUSDT","bids":[["9.99","10"]],"asks":[["10.01","10"]],"time":\#(t)}"#,
            #"{"type":"book","symbol":"ETHUSDT","symbol":"SOLUSDT","snapshot":false,"snapshot":true,"bids":[],"time":\#(t + Self.second)}"#,
        ]
        let session = try Self.replay(lines.joined(separator: "\n") + "\n", name: "events.ndjson")
        #expect(session.stats.malformed == 3)
        let market = try #require(session.engine.market("binance-usdm:BTCUSDT"))
        #expect(market.book.isStale && market.counters.gaps == 1, "\(market.counters.gaps)")
        #expect(market.book.topLevels(.bid, count: 1).first?.size == BookUnits.parse("10"))
        #expect(session.engine.market("binance-usdm:ETHUSDT")?.book.isStale == true)
    }

    @Test("an unreadable update dated a day ahead: its gap dated by the line before, the clock not moved; a market never seen is not made")
    func unreadUpdateKeepsTheClock() throws {
        let scratch = try ScratchDirectory()
        let t = Self.start
        let day: Int64 = 86_400 * Self.second
        let lines = [
            #"{"type":"book","symbol":"BTCUSDT","bids":[["99.99","10"]],"asks":[["100.01","10"]],"time":\#(t)}"#,
            #"{"type":"book","symbol":"BTCUSDT","snapshot":false,"bids":[["99.99","-5"]],"time":\#(t + day)}"#,
            #"{"type":"book","symbol":"NEWUSDT","snapshot":false,"bids":[["1","-5"]],"time":\#(t + Self.second)}"#,
            #"{"type":"book","symbol":"BTCUSDT","snapshot":false,"bids":[["99.99","-5"]]}"#,
            #"{"type":"mark","symbol":"BTCUSDT","price":"100","time":\#(t + 2 * Self.second)}"#,
        ]
        let path = try scratch.write("events.ndjson", lines.joined(separator: "\n") + "\n")
        let session = try ReplaySession(paths: [path], options: SessionOptions())
        try session.runToEnd()
        #expect(session.stats.malformed == 3, "\(session.stats.firstMalformed)")
        #expect(session.engine.time == t + 2 * Self.second, "the unread line's own time moved nothing")
        let market = try #require(session.engine.market("binance-usdm:BTCUSDT"))
        #expect(market.book.isStale && market.counters.gaps == 2)
        #expect(market.markPrice == Fixed(100), "the mark after it is applied: no book or mark outdated by a day")
        #expect(session.engine.market("binance-usdm:NEWUSDT") == nil, "a garbage line makes no market")
    }

    @Test("a malformed line's reason keeps no control character from the line, and a long symbol is refused for its length")
    func reasonsSafeAndNamed() throws {
        let scratch = try ScratchDirectory()
        let long = String(repeating: "X", count: 66) + "USDT"
        let lines = [
            #"{"type":"\u001b]0;PWNED\u0007","time":\#(Self.start)}"#,
            #"{"type":"mark","symbol":"\#(long)","price":"1","time":\#(Self.start)}"#,
        ]
        let path = try scratch.write("events.ndjson", lines.joined(separator: "\n") + "\n")
        let session = try ReplaySession(paths: [path], options: SessionOptions())
        try session.runToEnd()
        let fields = session.stats.firstMalformed.map(\.field)
        #expect(fields.count == 2, "\(fields)")
        #expect(fields.allSatisfy { !$0.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F } }, "\(fields)")
        #expect(fields.first?.contains("\\u{1B}") == true, "\(fields)")
        #expect(fields.last?.hasSuffix("is not a symbol: longer than 64 bytes") == true, "\(fields)")
    }

    @Test("read whole and in time: no gap, the book as OKX has it")
    func allApplied() throws {
        let session = try Self.replay(Self.lines(times: Self.evenTimes), threaded: false)
        #expect(session.stats.malformed == 0)
        let counters = try #require(session.synchronizers[Self.market]?.counters)
        #expect(counters.gaps == 0 && counters.checksumsVerified == 5)
        let book = try #require(session.engine.market(Self.market)?.book)
        #expect(!book.isStale)
        #expect(book.asks.best?.price == Fixed(102).bookUnits)
    }

    @Test("a line ten minutes ahead is dropped, and its book waits for a snapshot: it lacks that line", arguments: [false, true])
    func spikeIsAGap(threaded: Bool) throws {
        var times = Self.evenTimes
        times[2] = Self.start + 600 * Self.second
        let session = try Self.replay(Self.lines(times: times), threaded: threaded)
        #expect(session.stats.malformed == 1)
        #expect(session.stats.firstMalformed.first?.line == 3)
        let counters = try #require(session.synchronizers[Self.market]?.counters)
        #expect(counters.gaps == 1, "the engine's book lacks line 3 and nothing said so")
        #expect(counters.lastProblem?.contains("line 3 dropped") == true, "\(counters.lastProblem ?? "nil")")
        let book = try #require(session.engine.market(Self.market)?.book)
        #expect(book.isStale)
        // Not applied after the gap: the ask OKX removed on line 3 is not shown as fresh depth.
        #expect(counters.applied == 1)
    }

    @Test("a frame malformed after its first element: the line is named, and its book waits for a snapshot", arguments: [false, true])
    func partlyMalformedFrameIsAGap(threaded: Bool) throws {
        // The update's element, then a second one whose ask has no price.
        let broken: (String) -> String = { frame in
            frame.replacingOccurrences(of: #"}]}"#, with: #"},{"asks":[["x","1","0","1"]],"bids":[],"ts":"1700000000000"}]}"#)
        }
        let session = try Self.replay(Self.lines(times: Self.evenTimes, frameOfSecondUpdate: broken), threaded: threaded)
        #expect(session.stats.malformed == 1)
        #expect(session.stats.firstMalformed.first?.line == 3)
        #expect(session.stats.firstMalformed.first?.field == "data[].asks")
        let counters = try #require(session.synchronizers[Self.market]?.counters)
        #expect(counters.gaps == 1, "the engine's book lacks line 3's first element and nothing said so")
        #expect(try #require(session.engine.market(Self.market)?.book).isStale)
    }

    @Test("a snapshot that cannot be read leaves no old book under the updates after it: the next checksum, of OKX's book, tells")
    func unreadSnapshotIsAGap() throws {
        let text = Self.lines(times: Self.evenTimes)
        var lines = text.split(separator: "\n").map(String.init)
        // OKX's book is now this snapshot's, which the decoder cannot read (a negative size)...
        let bids: [Level] = [("90", "1")]
        let asks: [Level] = [("91", "-1")]
        lines[2] = "\(Self.start + 2 * Self.second) " + OKXChecksumTests.frame("snapshot", bids: bids, asks: asks, checksum: 0)
        // ... and the update after it is checked against OKX's book, not the old one.
        let fixed: [Level] = [("91", "1")]
        lines[3] = "\(Self.start + 3 * Self.second) " + OKXChecksumTests.frame("update", bids: [], asks: fixed,
            checksum: OKXChecksumTests.expected(bids: bids, asks: fixed))
        let session = try Self.replay(lines.joined(separator: "\n") + "\n", threaded: false)
        #expect(session.stats.malformed == 1)
        let counters = try #require(session.synchronizers[Self.market]?.counters)
        #expect(counters.gaps == 1)
        #expect(try #require(session.engine.market(Self.market)?.book).isStale)
    }

    @Test("a frame that changed nothing (malformed in its first element) is no gap: the copy and the engine's book agree")
    func unreadFirstElementIsNoGap() throws {
        let broken: (String) -> String = { $0.replacingOccurrences(of: #"[["101","0","0","1"]]"#, with: #"[["10x1","0","0","1"]]"#) }
        // Injected: the update after it is checked against a book without it, and matches.
        var lines = Self.lines(times: Self.evenTimes).split(separator: "\n").map(String.init)
        let injected = broken(lines[2])
        #expect(injected != lines[2])
        lines.insert(injected, at: 2)
        let session = try Self.replay(lines.joined(separator: "\n") + "\n", threaded: false)
        #expect(session.stats.malformed == 1)
        #expect(session.synchronizers[Self.market]?.counters.gaps == 0)
    }

    @Test("an events file's book update dropped as a spike: the book is stale, not liquidated into as if it had its bids", arguments: [false, true])
    func eventsFileBookSpike(threaded: Bool) throws {
        let second = Self.second
        let base: Int64 = 1_723_161_250_000_000_000
        let lines = [
            #"{"type":"insurance_fund","asset":"USDT","balance":"10000","time":\#(base)}"#,
            #"{"type":"book","symbol":"BTCUSDT","bids":[["59990","5"],["59000","10"]],"asks":[["60010","5"]],"time":\#(base + second)}"#,
            #"{"type":"mark","symbol":"BTCUSDT","price":"60000","time":\#(base + 2 * second)}"#,
            #"{"type":"position","account":"alice","symbol":"BTCUSDT","side":"long","size":"1","entry_price":"60000","margin_mode":"isolated","isolated_margin":"1000","time":\#(base + 3 * second)}"#,
            // The venue's bids went; the line's time is 1,000 s ahead: dropped.
            #"{"type":"book","symbol":"BTCUSDT","snapshot":false,"bids":[["59990","0"],["59000","0"]],"time":\#(base + 1_004 * second)}"#,
            #"{"type":"mark","symbol":"BTCUSDT","price":"59200","time":\#(base + 5 * second)}"#,
        ]
        let scratch = try ScratchDirectory()
        let path = try scratch.write("events-spike.ndjson", lines.joined(separator: "\n") + "\n")
        var options = SessionOptions()
        options.threaded = threaded
        let session = try ReplaySession(paths: [path], options: options)
        try session.runToEnd()
        #expect(session.stats.malformed == 1)
        let market = try #require(session.engine.market("BTCUSDT"))
        #expect(market.book.isStale && market.counters.gaps == 1)
        #expect(session.log.simulatedCount == 0, "liquidated into bids the dropped line had removed")
    }

    @Test("a dropped line that changed nothing costs the book nothing: an OKX line repeated far ahead, an empty update far ahead, a no-op element before a malformed one")
    func noOpLinesAreNoGap() throws {
        var lines = Self.lines(times: Self.evenTimes).split(separator: "\n").map(String.init)
        let frameOfLine = { (line: String) in String(line[line.index(after: line.firstIndex(of: " ")!)...]) }
        // Each between two lines in time (two spikes in a row confirm each other as a real jump).
        // Line 2 (the bid at 100 set to 5) again, 1,000 s ahead.
        let repeated = frameOfLine(lines[1])
        lines.insert("\(Self.start + 1_000 * Self.second) " + repeated, at: 2)
        // An update with no levels, 1,000 s ahead.
        let empty = OKXChecksumTests.frame("update", bids: [], asks: [], checksum: 0).replacingOccurrences(of: #","checksum":0"#, with: "")
        lines.insert("\(Self.start + 1_001 * Self.second) " + empty, at: 4)
        // Line 2's element again (with the checksum of the book as it is then), then a malformed one.
        let now = OKXChecksumTests.expected(bids: [("100", "5"), ("99", "2"), ("98", "1")], asks: [("102", "2")])
        let trailing = OKXChecksumTests.frame("update", bids: [("100", "5")], asks: [], checksum: now)
            .replacingOccurrences(of: #"}]}"#, with: #"},5]}"#)
        lines.insert("\(Self.start + 3 * Self.second) " + trailing, at: 6)
        let session = try Self.replay(lines.joined(separator: "\n") + "\n", threaded: false)
        #expect(session.stats.malformed == 3)
        let counters = try #require(session.synchronizers[Self.market]?.counters)
        #expect(counters.gaps == 0, "\(counters.lastProblem ?? "")")
        #expect(counters.checksumsVerified == 5, "\(counters)")
        #expect(try #require(session.engine.market(Self.market)?.book).isStale == false)
    }

    @Test("a Bybit message repeated far ahead is a repeat (the same u), not a gap")
    func bybitRepeatSpikeIsNoGap() throws {
        func frame(_ type: String, bids: String, u: Int, ts: Int64) -> String {
            #"{"topic":"orderbook.50.XRPUSDT","type":"\#(type)","ts":\#(ts),"data":{"s":"XRPUSDT","b":[\#(bids)],"a":[["2.0001","100"]],"u":\#(u),"seq":\#(u)},"cts":\#(ts)}"#
        }
        let ms: Int64 = 1_733_011_200_000
        let lines = [
            frame("snapshot", bids: #"["1.9999","100"]"#, u: 1, ts: ms),
            frame("delta", bids: #"["1.9999","150"]"#, u: 2, ts: ms + 100),
            frame("delta", bids: #"["1.9999","150"]"#, u: 2, ts: ms + 1_000_000),
            frame("delta", bids: #"["1.9998","10"]"#, u: 3, ts: ms + 200),
        ]
        let session = try Self.replay(lines.joined(separator: "\n") + "\n", threaded: false)
        #expect(session.stats.malformed == 1)
        let counters = try #require(session.synchronizers["bybit:XRPUSDT"]?.counters)
        #expect(counters.gaps == 0 && counters.duplicates == 1, "\(counters)")
        #expect(counters.applied == 2)
    }

    @Test("a frame whose first element's checksum fails, malformed after it: a gap (the copy lost its trust, and the engine was not told)")
    func mismatchInMalformedFrameIsAGap() throws {
        var lines = Self.lines(times: Self.evenTimes).split(separator: "\n").map(String.init)
        let wrong = OKXChecksumTests.frame("update", bids: [("100", "5")], asks: [], checksum: 12_345)
            .replacingOccurrences(of: #"}]}"#, with: #"},5]}"#)
        lines.insert("\(Self.start + 3 * Self.second) " + wrong, at: 4)
        let session = try Self.replay(lines.joined(separator: "\n") + "\n", threaded: false)
        #expect(session.stats.malformed == 1)
        let counters = try #require(session.synchronizers[Self.market]?.counters)
        #expect(counters.gaps == 1, "\(counters)")
        #expect(try #require(session.engine.market(Self.market)?.book).isStale)
    }

    @Test("an OKX update with seqId that changed nothing, dropped far ahead: the sequence goes on, no gap")
    func sequencedNoOpSpikeIsNoGap() throws {
        var lines = Self.lines(times: Self.evenTimes).split(separator: "\n").map(String.init)
        // seqId 10 for the snapshot, then 11, 12, ... each naming the one before.
        for index in lines.indices {
            let sequence = 10 + index
            let previous = index == 0 ? -1 : sequence - 1
            lines[index] = lines[index].replacingOccurrences(of: #""ts":"1700000000000""#,
                with: #""ts":"1700000000000","seqId":\#(sequence),"prevSeqId":\#(previous)"#)
        }
        // Line 2's change again (the bid at 100 set to the 5 it has), as seqId 12, 1,000 s ahead;
        // the lines after it renumbered 13, 14, 15.
        var repeated = lines[1].replacingOccurrences(of: #""seqId":11,"prevSeqId":10"#, with: #""seqId":12,"prevSeqId":11"#)
        repeated = "\(Self.start + 1_000 * Self.second)" + repeated[repeated.firstIndex(of: " ")!...]
        for index in 2..<lines.count {
            lines[index] = lines[index].replacingOccurrences(of: #""seqId":\#(10 + index),"prevSeqId":\#(9 + index)"#,
                with: #""seqId":\#(11 + index),"prevSeqId":\#(10 + index)"#)
        }
        lines.insert(repeated, at: 2)
        let session = try Self.replay(lines.joined(separator: "\n") + "\n", threaded: false)
        #expect(session.stats.malformed == 1)
        let counters = try #require(session.synchronizers[Self.market]?.counters)
        #expect(counters.gaps == 0, "\(counters)")
        #expect(counters.checksumsVerified == 5, "\(counters)")
    }
}
