import Foundation
import Testing
@testable import MarketFeeds
import RiskEngine

@Suite("Recordings far apart in time")
struct QuietTimeTests {
    func opened(_ paths: [String]) throws -> ReplaySession {
        var options = SessionOptions()
        options.threaded = false
        return try ReplaySession(paths: paths, options: options)
    }

    static func markLine(_ seconds: Int64, _ price: String) -> String {
        #"\#(seconds * 1_000_000_000) {"stream":"btcusdt@markPrice@1s","data":{"e":"markPriceUpdate","E":\#(seconds * 1000),"s":"BTCUSDT","p":"\#(price)","P":"0","i":"\#(price)","r":"0.00010000","T":1723190400000}}"#
    }

    /// Two recordings of two marks each, 2021-01-01 and 2024-08-08: two markets' recordings
    /// merged by mistake.
    static func yearsApartRecordings(in scratch: ScratchDirectory) throws -> (old: String, new: String) {
        (try scratch.write("old.rec", [markLine(1_609_459_200, "29000.0"), markLine(1_609_459_201, "29001.0")].joined(separator: "\n")),
         try scratch.write("new.rec", [markLine(1_723_161_256, "61650.4"), markLine(1_723_161_257, "61651.0")].joined(separator: "\n")))
    }

    @Test("inputs that start years apart are said so at the start, and the clock skips the quiet years at 1x")
    func yearsApart() throws {
        let scratch = try ScratchDirectory()
        let (old, new) = try Self.yearsApartRecordings(in: scratch)
        let session = try opened([old, new])
        #expect(session.timelineWarning == nil, "nothing is known before the first peek")
        let clock = ReplayClock(driver: session)
        let second: UInt64 = 1_000_000_000
        try clock.advance(wall: 0)
        let warning = try #require(session.timelineWarning)
        #expect(warning.hasPrefix("inputs start 3y 220d apart"), "\(warning)")
        #expect(warning.contains("old.rec") && warning.contains("new.rec"))
        // At 1x: the 2021 events play, then the clock jumps over the gap instead of waiting years.
        try clock.advance(wall: 2 * second)
        #expect(clock.skippedQuiet == 1)
        try clock.advance(wall: 3 * second)
        try clock.advance(wall: 5 * second)
        #expect(session.lastTime == Int64(1_723_161_257_000_000_000))
        let skip = try #require(clock.lastSkip)
        #expect(skip.to == 1_723_161_256 * 1_000_000_000)
    }

    @Test("inputs of the same day say nothing, and a ten-second lull at 1x is played, not skipped")
    func sameDay() throws {
        let scratch = try ScratchDirectory()
        let a = try scratch.write("a.rec", [Self.markLine(1_723_161_256, "61650.4"), Self.markLine(1_723_161_264, "61651.0")].joined(separator: "\n"))
        let b = try scratch.write("b.rec", Self.markLine(1_723_161_300, "61652.0"))
        let session = try opened([a, b])
        let clock = ReplayClock(driver: session)
        try clock.advance(wall: 0)
        #expect(session.timelineWarning == nil)
        try clock.advance(wall: 1_000_000_000)
        #expect(clock.skippedQuiet == 0)
    }

    @Test("a jump to 0 % and playing on: the first event is reached without a skip said from 1970")
    func backToTheStart() throws {
        let scratch = try ScratchDirectory()
        let a = try scratch.write("a.rec", [Self.markLine(1_723_161_256, "61650.4"), Self.markLine(1_723_161_257, "61651.0")].joined(separator: "\n"))
        let session = try opened([a])
        let clock = ReplayClock(driver: session)
        try clock.advance(wall: 0)
        try clock.advance(wall: 2_000_000_000)
        try clock.seek(fraction: 0, wall: 3_000_000_000)
        try clock.advance(wall: 3_000_000_000)
        try clock.advance(wall: 3_500_000_000)
        #expect(session.lastTime == Int64(1_723_161_256_000_000_000))
        // `skipped 54y 233d with no event` measured the wait from no time at all (attacker trial).
        #expect(clock.skippedQuiet == 0 && clock.lastSkip == nil, "\(String(describing: clock.lastSkip))")
    }

    @Test("a jump into a gap, then playing on: the skip is measured from the event on screen, not the time typed")
    func skipFromTheEventShown() throws {
        let scratch = try ScratchDirectory()
        let (old, new) = try Self.yearsApartRecordings(in: scratch)
        let session = try opened([old, new])
        let clock = ReplayClock(driver: session)
        try clock.advance(wall: 0)
        // A year into the gap.
        try clock.seek(to: 1_640_995_200 * 1_000_000_000, wall: 1_000_000_000)
        try clock.advance(wall: 2_000_000_000)
        let skip = try #require(clock.lastSkip)
        // `skipped 132d 16h` measured from the typed time; the screen had shown 2021-01-01.
        #expect(skip.from == 1_609_459_201 * 1_000_000_000 && skip.to == 1_723_161_256 * 1_000_000_000, "\(skip)")
    }
}
