import Testing
@testable import RiskEngine

@Suite("Event time")
struct EventTimeTests {
    @Test("formats nanosecond timestamps exactly, in UTC")
    func formatting() {
        let time: Int64 = 1_723_161_255_030_314_667 // the first line of the BTCUSDT recording
        #expect(EventTime.iso8601(time) == "2024-08-08T23:54:15.030Z")
        #expect(EventTime.timeOfDay(time) == "23:54:15.030")
        #expect(EventTime.timeOfDay(time, milliseconds: false) == "23:54:15")
        #expect(EventTime.duration(344_803_000_000) == "5m 44s")
        #expect(EventTime.iso8601(0) == "1970-01-01T00:00:00.000Z")
    }

    @Test("parses a time of the session's day or a full ISO time; rejects nonsense")
    func parsing() {
        let start: Int64 = 1_723_161_255_030_314_667
        #expect(EventTime.parse("23:56:10", sessionStart: start).map(EventTime.iso8601) == "2024-08-08T23:56:10.000Z")
        #expect(EventTime.parse("2024-08-09T00:00:01.5Z", sessionStart: start).map(EventTime.iso8601) == "2024-08-09T00:00:01.500Z")
        // A day the month does not have is no date (2024-02-30 was taken as March 1); a leap day is.
        #expect(EventTime.parse("2024-02-30T10:00:00Z", sessionStart: start) == nil)
        #expect(EventTime.parse("2023-02-29T10:00:00Z", sessionStart: start) == nil)
        #expect(EventTime.parse("2024-04-31T10:00:00Z", sessionStart: start) == nil)
        #expect(EventTime.parse("2024-02-29T10:00:00Z", sessionStart: start).map(EventTime.iso8601) == "2024-02-29T10:00:00.000Z")
        #expect(EventTime.parse("2024-12-31T10:00:00Z", sessionStart: start).map(EventTime.iso8601) == "2024-12-31T10:00:00.000Z")
        // A time of day before the start's is the next day's: the session runs past midnight.
        #expect(EventTime.parse("00:01:20", sessionStart: start).map(EventTime.iso8601) == "2024-08-09T00:01:20.000Z")
        #expect(EventTime.parse("2024-08-08T00:01:20Z", sessionStart: start).map(EventTime.iso8601) == "2024-08-08T00:01:20.000Z", "a date is taken as given")
        #expect(EventTime.parse("23:53", sessionStart: start).map(EventTime.iso8601) == "2024-08-08T23:53:00.000Z", "just before the start: its day")
        for bad in ["25:00", "12:61", "noon", "12", "12:00:61"] { #expect(EventTime.parse(bad, sessionStart: start) == nil, "\(bad)") }
    }

    @Test("near a position, a time of day alone is the nearest: its day, the day before or the day after; dated text ignores it")
    func nearestToPosition() {
        let start: Int64 = 1_626_992_760_000_000_000      // 2021-07-22 22:26:00
        let position: Int64 = 1_723_161_471_000_000_000   // 2024-08-08 23:57:51
        #expect(EventTime.parse("23:59:59", sessionStart: start, near: position) == 1_723_161_599_000_000_000)
        // Just after midnight, 23:59 is the day before's, 00:01 the day after's.
        let midnight: Int64 = 1_723_161_600_000_000_000 + 30_000_000_000  // 2024-08-09 00:00:30
        #expect(EventTime.parse("23:59", sessionStart: start, near: midnight) == 1_723_161_540_000_000_000)
        #expect(EventTime.parse("00:01", sessionStart: start, near: position) == 1_723_161_660_000_000_000)
        #expect(EventTime.parse("2021-07-22T23:00:00", sessionStart: start, near: position) == 1_626_994_800_000_000_000)
        // Without a position, the session's start decides as before.
        #expect(EventTime.parse("23:59:59", sessionStart: start) == 1_626_998_399_000_000_000)
    }
}

