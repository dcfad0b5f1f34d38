import Foundation
import Testing
@testable import MarketFeeds
import RiskEngine

/// One line of a recording far ahead of the lines around it moved the session's clock with it and
/// silently ended the signals and the liquidations; a real gap in a recording must still be replayed.
@Suite("Time spikes in a recording")
struct TimeSpikeTests {
    static let start: Int64 = 1_723_161_256_000_000_000
    static let second: Int64 = 1_000_000_000

    /// Marks a second apart, `count` of them, with the given lines' times replaced.
    static func marks(count: Int, replacing times: [Int: Int64] = [:]) -> String {
        (0..<count).map { index in
            let time = times[index] ?? start + Int64(index) * second
            return #"{"type":"mark","symbol":"BTCUSDT","price":"\#(60_000 + index)","time":\#(time)}"#
        }.joined(separator: "\n") + "\n"
    }

    static func replay(_ path: String, threaded: Bool) throws -> ReplaySession {
        var options = SessionOptions()
        options.threaded = threaded
        let session = try ReplaySession(paths: [path], options: options)
        try session.runToEnd()
        return session
    }

    @Test("a line ten minutes ahead is a spike too: past the 300 s a book or mark may age, it would have blocked every liquidation while the clock stood ahead")
    func spikeOfMinutes() throws {
        let scratch = try ScratchDirectory()
        let path = try scratch.write("minutes.jsonl", Self.marks(count: 100, replacing: [50: Self.start + 600 * Self.second]))
        let session = try Self.replay(path, threaded: false)
        #expect(session.stats.malformed == 1)
        #expect(session.engine.time == Self.start + 99 * Self.second)
        #expect(!session.engine.markets[0].markOutdated)
        // Four minutes ahead is within what a mark may age: applied.
        let near = try scratch.write("near.jsonl", Self.marks(count: 100, replacing: [50: Self.start + 240 * Self.second]))
        #expect(try Self.replay(near, threaded: false).stats.malformed == 0)
    }

    @Test("a malformed line gives its time to no later line: the next line without a time takes the last good line's")
    func malformedLineKeepsNoTime() throws {
        let scratch = try ScratchDirectory()
        let lines = [
            #"{"type":"mark","symbol":"BTCUSDT","price":"60000","time":\#(Self.start)}"#,
            // Malformed (an unknown type; a receive time before bad JSON): its day-ahead time counts for nothing.
            #"{"type":"markk","symbol":"BTCUSDT","price":"1","time":\#(Self.start + 86_400 * Self.second)}"#,
            #"\#(Self.start + 86_400 * Self.second) {"type":"mark","#,
            #"{"type":"mark","symbol":"BTCUSDT","price":"60001"}"#,
        ]
        let path = try scratch.write("malformed-time.jsonl", lines.joined(separator: "\n") + "\n")
        let session = try Self.replay(path, threaded: false)
        #expect(session.stats.malformed == 2)
        #expect(session.engine.time == Self.start, "the clock moved to a malformed line's time")
        #expect(session.engine.markets[0].markPrice == Fixed(60_001))
    }

    @Test("a line a day ahead between lines a second apart is malformed, named by its line and time; the clock stays", arguments: [false, true])
    func spikeDropped(threaded: Bool) throws {
        let scratch = try ScratchDirectory()
        // Line 1,001 of 2,000 (index 1,000), past the first batches of a decoding thread.
        let path = try scratch.write("spike.jsonl", Self.marks(count: 2_000, replacing: [1_000: Self.start + 86_400 * Self.second]))
        let session = try Self.replay(path, threaded: threaded)
        #expect(session.stats.malformed == 1)
        #expect(session.stats.applied == 1_999)
        let first = try #require(session.stats.firstMalformed.first)
        #expect(first.line == 1_001)
        #expect(first.field.contains("2024-08-09T23:54:16.000Z") && first.field.contains("23h 43m ahead"), "\(first.field)")
        #expect(session.engine.time == Self.start + 1_999 * Self.second, "the clock is the last line's")
        #expect(session.engine.market("BTCUSDT")?.markPrice == Fixed(61_999))
    }

    @Test("a line without a time after a spike does not pass the spike for a real jump: the next line with a time judges it", arguments: [false, true])
    func timelessLineAfterSpike(threaded: Bool) throws {
        let scratch = try ScratchDirectory()
        var lines = Self.marks(count: 2_000, replacing: [1_000: 4_102_444_800_000_000_000]).split(separator: "\n").map(String.init)
        // A trade with no time after the spike takes the spike's time.
        lines.insert(#"{"type":"trade","symbol":"BTCUSDT","price":"61000","size":"0.1"}"#, at: 1_001)
        // A time of null is none too (review).
        lines.insert(#"{"type":"trade","symbol":"BTCUSDT","price":"61000","size":"0.1","time":null}"#, at: 1_002)
        let path = try scratch.write("timeless.jsonl", lines.joined(separator: "\n") + "\n")
        let session = try Self.replay(path, threaded: threaded)
        #expect(session.stats.malformed == 1)
        #expect(session.stats.firstMalformed.first?.line == 1_001)
        #expect(session.engine.time == Self.start + 1_999 * Self.second, "the clock is the last line's, not 2100")
        // A timeless line with nothing held is applied as before.
        let calm = try scratch.write("calm.jsonl", Self.marks(count: 3) + #"{"type":"trade","symbol":"BTCUSDT","price":"60001","size":"0.1"}"# + "\n")
        let applied = try Self.replay(calm, threaded: threaded)
        #expect(applied.stats.malformed == 0 && applied.stats.applied == 4)
    }

    @Test("a real gap (the lines after it go on from it) is replayed whole, and so is a jump on the last line", arguments: [false, true])
    func realGapKept(threaded: Bool) throws {
        let scratch = try ScratchDirectory()
        var times: [Int: Int64] = [:]
        for index in 1_000..<2_000 { times[index] = Self.start + 3 * 3_600 * Self.second + Int64(index) * Self.second }
        times[1_999] = Self.start + 10 * 86_400 * Self.second
        let path = try scratch.write("gap.jsonl", Self.marks(count: 2_000, replacing: times))
        let session = try Self.replay(path, threaded: threaded)
        #expect(session.stats.malformed == 0)
        #expect(session.stats.applied == 2_000)
        #expect(session.engine.time == Self.start + 10 * 86_400 * Self.second)
    }

    @Test("spikes every few lines, each within 5 minutes of the one before, do not walk the clock ahead: the first moves it at most 5 minutes, the rest are malformed", arguments: [false, true])
    func spikeChain(threaded: Bool) throws {
        let scratch = try ScratchDirectory()
        var times: [Int: Int64] = [:]
        // Line 6k is a spike 290 s ahead of the spike before it; the lines between go on a second apart.
        for spike in 1...39 { times[spike * 6] = Self.start + Int64(spike) * 290 * Self.second }
        let path = try scratch.write("chain.jsonl", Self.marks(count: 240, replacing: times))
        let session = try Self.replay(path, threaded: threaded)
        #expect(session.stats.malformed == 38, "every spike after the first")
        #expect(session.engine.time == Self.start + 290 * Self.second, "the clock went \((session.engine.time - Self.start) / Self.second) s ahead")
        #expect(!session.engine.markets[0].markOutdated)
    }

    @Test("the line that shows a spike is judged as any other: a far spike and a line 299 s ahead after it, again and again, do not walk the clock", arguments: [false, true])
    func lineAfterASpikeIsJudged(threaded: Bool) throws {
        let scratch = try ScratchDirectory()
        var times: [Int: Int64] = [:]
        for cycle in 1...4 {
            let at = cycle * 20
            times[at] = Self.start + 86_400 * Self.second
            // 299 s past the latest time the guard took: the first (299 s past line 19) is taken
            // (within the tolerance, and of the lines before it); each later one, 299 s past
            // that, ran 299 s further every cycle before, and is now held and dropped.
            let ahead: Int64 = 19 + 299 * Int64(min(cycle, 2))
            times[at + 1] = Self.start + ahead * Self.second
        }
        let path = try scratch.write("walk.jsonl", Self.marks(count: 100, replacing: times))
        let session = try Self.replay(path, threaded: threaded)
        // The clock may move once by up to 5 minutes; never by four of them.
        #expect(session.engine.time <= Self.start + (99 + 300) * Self.second, "the clock went \((session.engine.time - Self.start) / Self.second) s ahead")
        #expect(session.stats.malformed == 7, "the far spikes and the lines walking the clock: \(session.stats.firstMalformed.map { "\($0.line) \($0.field)" })")
    }

    @Test("most lines dated an hour back (positions stamped with their last update) and the real marks between them: no mark dropped", arguments: [false, true])
    func mostLinesInThePast(threaded: Bool) throws {
        let scratch = try ScratchDirectory()
        var times: [Int: Int64] = [:]
        // Two lines an hour back, then one at the real time, a second on (the first lines real).
        for index in 10..<300 where index % 3 != 2 { times[index] = Self.start - 3_600 * Self.second + Int64(index) * Self.second }
        let path = try scratch.write("stamped.jsonl", Self.marks(count: 300, replacing: times))
        let session = try Self.replay(path, threaded: threaded)
        #expect(session.stats.malformed == 0, "\(session.stats.firstMalformed.prefix(3))")
        #expect(session.engine.time == Self.start + 299 * Self.second)
    }

    @Test("lines dated in the past between the real ones do not get the real ones judged spikes", arguments: [false, true])
    func pastLinesBetweenRealOnes(threaded: Bool) throws {
        let scratch = try ScratchDirectory()
        var times: [Int: Int64] = [:]
        for index in stride(from: 1, to: 200, by: 2) { times[index] = Self.start - 3_600 * Self.second + Int64(index) * Self.second }
        let path = try scratch.write("past.jsonl", Self.marks(count: 200, replacing: times))
        let session = try Self.replay(path, threaded: threaded)
        #expect(session.stats.malformed == 0 && session.stats.applied == 200)
        #expect(session.engine.time == Self.start + 198 * Self.second)
    }

    @Test("stepping and decoding ahead agree: the same lines malformed, the same engine")
    func sameEitherWay() throws {
        let scratch = try ScratchDirectory()
        var times: [Int: Int64] = [:]
        for index in stride(from: 100, to: 3_000, by: 373) { times[index] = Self.start + 40 * 365 * 86_400 * Self.second }
        let path = try scratch.write("spikes.jsonl", Self.marks(count: 3_000, replacing: times))
        let stepped = try Self.replay(path, threaded: false)
        let ahead = try Self.replay(path, threaded: true)
        #expect(stepped.stats.malformed == times.count)
        #expect(ahead.stats.malformed == stepped.stats.malformed)
        #expect(Set(ahead.stats.firstMalformed.map(\.line)) == Set(stepped.stats.firstMalformed.map(\.line)))
        #expect(ahead.engine.time == stepped.engine.time)
        #expect(ahead.engine.markets.map(\.markPrice) == stepped.engine.markets.map(\.markPrice))
    }
}

extension TimeSpikeTests {
    @Test("a held line waits through at most a few hundred lines without a time, then goes unjudged", arguments: [false, true])
    func holdIsBounded(threaded: Bool) throws {
        let scratch = try ScratchDirectory()
        var lines = Self.marks(count: 100).split(separator: "\n").map(String.init)
        lines.append(#"{"type":"mark","symbol":"BTCUSDT","price":"1","time":\#(Self.start + 86_400 * Self.second)}"#)
        lines += Array(repeating: "{broken", count: TimeSpikeGuard.longestHold + 50)
        lines.append(#"{"type":"mark","symbol":"BTCUSDT","price":"2","time":\#(Self.start + 101 * Self.second)}"#)
        let path = try scratch.write("held.jsonl", lines.joined(separator: "\n") + "\n")
        let session = try Self.replay(path, threaded: threaded)
        // The broken lines are malformed; the held line was let go, not judged a spike.
        #expect(session.stats.malformed == TimeSpikeGuard.longestHold + 50)
        #expect(!session.stats.firstMalformed.contains { $0.field.hasPrefix("time (") })
    }

    @Test("a line without a time (a REST snapshot with no E and no receive time) does not judge the line before it")
    func timelessLinesIgnored() throws {
        let scratch = try ScratchDirectory()
        let snapshot = #"{"lastUpdateId":100,"bids":[["59999.0","1"]],"asks":[["60001.0","1"]]}"#
        let depth = { (milliseconds: Int64, first: Int) in
            #"{"e":"depthUpdate","E":\#(milliseconds),"T":\#(milliseconds),"s":"BTCUSDT","U":\#(first),"u":\#(first + 1),"pu":\#(first - 1),"b":[["59999.5","1"]],"a":[["60000.5","1"]]}"#
        }
        let milliseconds = Self.start / 1_000_000
        let path = try scratch.write("raw.txt", [snapshot, depth(milliseconds, 100), snapshot, depth(milliseconds + 100, 102)].joined(separator: "\n") + "\n")
        for threaded in [false, true] {
            let session = try Self.replay(path, threaded: threaded)
            #expect(!session.stats.firstMalformed.contains { $0.field.hasPrefix("time (") }, "\(session.stats.firstMalformed)")
        }
    }
}

/// An attacker's trial: a mark of 23 nines said "is not a decimal number", a negative size too, and
/// a price given as a list said "missing".
@Suite("Events files: why a number is refused")
struct EventNumberMessagesTests {
    @Test("too large, negative, not a number, a list: each says which")
    func messages() throws {
        let scratch = try ScratchDirectory()
        let time = TimeSpikeTests.start
        let lines = [
            #"{"type":"book","symbol":"BTCUSDT","bids":[["59999","1"]],"asks":[["60001","1"]],"time":\#(time)}"#,
            #"{"type":"mark","symbol":"BTCUSDT","price":"99999999999999999999999","time":\#(time + 1)}"#,
            #"{"type":"trade","symbol":"BTCUSDT","price":"60000","size":"-0.5","side":"buy","time":\#(time + 2)}"#,
            #"{"type":"mark","symbol":"BTCUSDT","price":"6e4x","time":\#(time + 3)}"#,
            #"{"type":"mark","symbol":"BTCUSDT","price":[60000],"time":\#(time + 4)}"#,
            #"{"type":"mark","symbol":"BTCUSDT","price":null,"time":\#(time + 5)}"#,
        ]
        let path = try scratch.write("numbers.jsonl", lines.joined(separator: "\n") + "\n")
        let session = try ReplaySession(paths: [path], options: SessionOptions())
        try session.runToEnd()
        let fields = session.stats.firstMalformed.map(\.field)
        #expect(fields.count == 5, "\(fields)")
        #expect(fields.contains { $0.hasPrefix("price:") && $0.contains("is too large") }, "\(fields)")
        #expect(fields.contains { $0.hasPrefix("size:") && $0.contains("must not be negative") }, "\(fields)")
        #expect(fields.contains { $0.hasPrefix("price:") && $0.contains("'6e4x' is not a decimal number") }, "\(fields)")
        #expect(fields.contains { $0.hasPrefix("price:") && $0.contains("not a list or an object") }, "\(fields)")
        // A null is a value left out (it read "not a list or an object": attacker trial).
        #expect(fields.contains { $0 == "price: missing (null)" }, "\(fields)")
    }
}

extension TimeSpikeTests {
    @Test("--strict: the spike's line is the error, after the same lines either way, and the replay can go on")
    func strictSameEitherWay() throws {
        let scratch = try ScratchDirectory()
        let path = try scratch.write("strict.jsonl", Self.marks(count: 2_000, replacing: [1_200: Self.start + 86_400 * Self.second]))
        var marks: [Fixed?] = []
        for threaded in [false, true] {
            var options = SessionOptions()
            options.threaded = threaded
            options.strict = true
            let session = try ReplaySession(paths: [path], options: options)
            var caught: SessionError? = nil
            do { try session.runToEnd() } catch { caught = error }
            #expect(caught?.description.contains("strict.jsonl:1201:") == true, "threaded \(threaded): \(String(describing: caught))")
            marks.append(session.engine.market("BTCUSDT")?.markPrice)
            try session.runToEnd()
            #expect(session.engine.market("BTCUSDT")?.markPrice == Fixed(61_999), "threaded \(threaded)")
        }
        #expect(marks[0] == marks[1], "\(marks)")
    }
}
