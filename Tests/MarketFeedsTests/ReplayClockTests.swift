import Testing
@testable import MarketFeeds
import RiskEngine

@Suite("Replay clock")
struct ReplayClockTests {
    let second: UInt64 = 1_000_000_000

    @Test("event time follows wall time at the chosen speed; pause stops it")
    func speedAndPause() throws {
        let demo = DemoSession(seed: 2, positions: 200)
        let clock = ReplayClock(driver: demo)
        try clock.advance(wall: 0)
        let start = clock.currentTime(wall: 0)
        try clock.advance(wall: 2 * second)
        #expect(clock.currentTime(wall: 2 * second) - start == 2_000_000_000)
        #expect(demo.lastTime! <= start + 2_000_000_000 && demo.lastTime! > start + 1_800_000_000)
        clock.setSpeed(10, wall: 2 * second)
        try clock.advance(wall: 3 * second)
        #expect(clock.currentTime(wall: 3 * second) - start == 12_000_000_000)
        clock.togglePause(wall: 3 * second)
        let paused = demo.lastTime
        try clock.advance(wall: 60 * second)
        #expect(demo.lastTime == paused)
        #expect(clock.paused)
        clock.faster(wall: 60 * second)
        #expect(clock.speed == 25)
        clock.slower(wall: 60 * second)
        clock.slower(wall: 60 * second)
        #expect(clock.speed == 5)
    }

    @Test("step applies one event")
    func step() throws {
        let demo = DemoSession(seed: 2, positions: 10)
        let clock = ReplayClock(driver: demo)
        try clock.stepOne(wall: 0)
        try clock.stepOne(wall: 0)
        #expect(demo.stats.applied == 2)
        #expect(clock.paused)
    }

    @Test("a backward seek restores a checkpoint and lands exactly where a straight run does")
    func backwardSeek() throws {
        let demo = DemoSession(seed: 5, positions: 1_000)
        let clock = ReplayClock(driver: demo, checkpointInterval: 5_000_000_000)
        clock.setSpeed(.infinity, wall: 0)
        try clock.advance(wall: 0, budget: .max)
        #expect(demo.finished || demo.progress > 0.99)
        let target = DemoSession.startTime + 95_000_000_000
        try clock.seek(to: target, wall: 0)
        let straight = DemoSession(seed: 5, positions: 1_000)
        while let next = try straight.peekTime(), next <= target { try straight.step() }
        #expect(demo.lastTime == straight.lastTime)
        #expect(demo.engine.fund("USDT").balance == straight.engine.fund("USDT").balance)
        #expect(demo.engine.market("BTCUSDT")?.book == straight.engine.market("BTCUSDT")?.book)
        #expect(demo.log.simulatedCount == straight.log.simulatedCount)
        #expect(clock.checkpointCount > 2)
    }

    @Test("seek by percentage, and jumps to the next and previous notable event")
    func percentageAndJumps() throws {
        let demo = DemoSession(seed: 1, positions: 1_000)
        let clock = ReplayClock(driver: demo)
        try clock.seek(fraction: 0.5, wall: 0)
        #expect(abs(demo.progress - 0.5) < 0.01)
        let next = try #require(try clock.jumpToNextNotable(wall: 0))
        #expect(next > DemoSession.startTime + 75_000_000_000)
        try clock.seek(fraction: 0.9, wall: 0)
        let previous = try #require(try clock.jumpToPreviousNotable(wall: 0))
        #expect(previous < DemoSession.startTime + 135_000_000_000)
        #expect(demo.lastTime! <= previous)
    }

    @Test("] lands after every event of its time, where [ back to it and a typed jump land (the screens differed)")
    func nextNotableTakesItsWholeTime() throws {
        let demo = DemoSession(seed: 1, positions: 1_000)
        let clock = ReplayClock(driver: demo)
        try clock.seek(fraction: 0.55, wall: 0)
        for _ in 0..<20 {
            guard let found = try clock.jumpToNextNotable(wall: 0) else { break }
            #expect(demo.lastTime == found)
            if let next = try demo.peekTime() { #expect(next > found, "an event of the landing's time was left for later") }
        }
    }

    @Test("] with nothing later stays where it was: the replay is read to its end to know, then comes back (it showed END)")
    func nothingLaterStaysPut() throws {
        let twin = DemoSession(seed: 1, positions: 300)
        while try twin.step() {}
        let last = try #require(twin.log.marks.last)
        let demo = DemoSession(seed: 1, positions: 300)
        let clock = ReplayClock(driver: demo)
        try clock.seek(to: last, wall: 0)
        let before = try #require(demo.lastTime)
        let simulated = demo.log.simulatedCount
        #expect(try clock.jumpToNextNotable(wall: 0) == nil)
        #expect(demo.lastTime == before, "left at the end")
        #expect(try demo.peekTime() != nil && demo.log.simulatedCount == simulated)
    }

    @Test("a fraction of a millisecond past a notable event (the clock reading its time), the previous one is before it")
    func previousFromJustPast() throws {
        let demo = DemoSession(seed: 1, positions: 1_000)
        let clock = ReplayClock(driver: demo)
        try clock.seek(fraction: 0.6, wall: 0)
        let landed = try #require(try clock.jumpToNextNotable(wall: 0))
        if clock.paused { clock.togglePause(wall: 0) }
        // Playing at 1x, 0.4 ms of wall time later: the clock shows the landing's millisecond.
        #expect(clock.currentTime(wall: 400_000) / 1_000_000 == landed / 1_000_000)
        let previous = try #require(try clock.jumpToPreviousNotable(wall: 400_000))
        #expect(previous / 1_000_000 < landed / 1_000_000, "the jump stayed on the event the clock showed")
    }

    @Test("paused with the clock run past the last event's millisecond, [ goes before the millisecond shown, the last event's")
    func previousFromAClockRunPastTheLastEvent() throws {
        let demo = DemoSession(seed: 1, positions: 1_000)
        let clock = ReplayClock(driver: demo)
        try clock.seek(fraction: 0.6, wall: 0)
        let landed = try #require(try clock.jumpToNextNotable(wall: 0))
        if clock.paused { clock.togglePause(wall: 0) }
        // Playing on for 3 ms of wall time with no event due, then paused: the screen shows the
        // last event's time (the landing), the virtual clock is 3 ms past it.
        let next = try #require(try demo.peekTime())
        let wall = UInt64(min(3_000_000, max(0, next - landed - 1)))
        clock.pause(wall: wall)
        #expect(demo.lastTime == landed)
        // The virtual clock is past the millisecond the screen shows, or the test tests nothing.
        try #require(clock.currentTime(wall: wall) / 1_000_000 > landed / 1_000_000, "the next event is within a millisecond of the landing")
        let previous = try #require(try clock.jumpToPreviousNotable(wall: wall))
        #expect(previous / 1_000_000 < landed / 1_000_000, "[ went back to the event the screen showed")
    }

    @Test("with the tape's deficits filter, ] and [ land only on liquidations that left a deficit or went to ADL or the fund")
    func deficitJumps() throws {
        let demo = DemoSession(seed: 1, positions: 1_000)
        let clock = ReplayClock(driver: demo)
        var landings: [Int64] = []
        while let found = try clock.jumpToNextNotable(wall: 0, deficitsOnly: true), landings.count < 40 { landings.append(found) }
        #expect(landings.count >= 5, "the demo's cascade leaves deficits and ADL")
        #expect(landings == landings.sorted() && Set(landings).count == landings.count)
        // Each landing has such a liquidation at its time; some liquidations between them had none.
        for time in landings {
            let there = demo.log.simulatedLiquidations.filter { $0.time == time }
            #expect(there.contains { $0.deficit.isPositive || $0.adlQuantity.isPositive || $0.fundTakeoverQuantity.isPositive }, "\(time)")
        }
        let plain = demo.log.simulatedLiquidations.filter { !$0.deficit.isPositive && !$0.adlQuantity.isPositive && !$0.fundTakeoverQuantity.isPositive }
        #expect(plain.contains { $0.time > landings[0] && $0.time < landings.last! && !landings.contains($0.time) },
            "plain liquidations were passed over")
        // And back: the clock is one landing past the last kept (or at the end), so the one before
        // is the last kept, by the deficits' marks, not the liquidations'.
        let previous = try #require(try clock.jumpToPreviousNotable(wall: 0, deficitsOnly: true))
        #expect(previous == landings.last)
    }

    @Test("] finds the next notable event once the session has kept as many marks as it holds (the count stops growing)")
    func nextNotableWithFullMarks() throws {
        // An exchange-reported liquidation a millisecond apart: each a mark of its own.
        let scratch = try ScratchDirectory()
        let count = SessionLog.keep * 4 + 500
        var lines = [#"{"type":"book","symbol":"BTCUSDT","bids":[["99","5"]],"asks":[["101","5"]],"time":1723161255000000000}"#]
        for index in 0..<count {
            lines.append(#"{"type":"liquidation","symbol":"BTCUSDT","side":"long","price":"98","size":"1","time":\#(1_723_161_256_000_000_000 + Int64(index) * 1_000_000)}"#)
        }
        lines.append(#"{"type":"trade","symbol":"BTCUSDT","price":"99","size":"1","time":1723162155000000000}"#)
        let path = try scratch.write("marks.ndjson", lines.joined(separator: "\n"))
        var options = SessionOptions()
        options.threaded = false
        let session = try ReplaySession(paths: [path], options: options)
        let clock = ReplayClock(driver: session)
        let target: Int64 = 1_723_161_256_000_000_000 + Int64(count - 100) * 1_000_000
        try clock.seek(to: target, wall: 0)
        #expect(session.log.marks.count == session.log.marks.capacity)
        let found = try #require(try clock.jumpToNextNotable(wall: 0))
        #expect(found == target + 1_000_000, "it replayed to \(found), not to the next liquidation")
    }

    @Test("a replay of a recording seeks backwards through checkpoints too", .enabled(if: SharedData.isPresent, SharedData.skipMessage))
    func recordingSeek() throws {
        var options = SessionOptions()
        options.threaded = false
        let session = try ReplaySession(paths: [SharedData.path("binance-usdm/btcusdt_20240808.gz")], options: options)
        let clock = ReplayClock(driver: session)
        try clock.seek(fraction: 1, wall: 0)
        let finalBook = session.engine.market("BTCUSDT")?.book
        let target = session.firstTime! + 120_000_000_000
        try clock.seek(to: target, wall: 0)
        #expect(session.lastTime! <= target)
        #expect(session.lastTime! > target - 1_000_000_000)
        try clock.seek(fraction: 1, wall: 0)
        #expect(session.engine.market("BTCUSDT")?.book == finalBook)
        #expect(session.synchronizers["binance-usdm:BTCUSDT"]?.counters.applied == 6_547)
    }
}

@Suite("Replay clock before the first event")
struct ReplayClockStartTests {
    @Test("choosing a speed before the first event does not anchor the clock at time zero")
    func speedBeforeStart() throws {
        let demo = DemoSession(seed: 2, positions: 10)
        let clock = ReplayClock(driver: demo)
        clock.setSpeed(2, wall: 5_000_000_000)
        try clock.advance(wall: 5_000_000_000)
        #expect(demo.stats.applied > 0)
        try clock.advance(wall: 6_000_000_000)
        #expect(demo.lastTime! >= DemoSession.startTime + 1_900_000_000)
    }
}
