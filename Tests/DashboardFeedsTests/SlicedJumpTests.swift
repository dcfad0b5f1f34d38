import Testing
import Dashboard
import DashboardFeeds
import MarketFeeds
import RiskEngine

/// A long jump is read a slice a turn so that keys are answered meanwhile (six recordings and
/// 20,000 positions took 8 s to `:100%`, and `?` waited 6 s: operator trial). Slices of no time
/// (eight events each) make the slicing certain on any machine.
@Suite("Jumps a slice a turn")
struct SlicedJumpTests {
    func demoFeed(sliced: Bool) -> ReplayFeed {
        let demo = DemoSession(seed: 3, positions: 300)
        let feed = ReplayFeed(session: demo, clock: ReplayClock(driver: demo))
        if sliced { feed.jumpSlices = ReplayFeed.JumpSlices(first: 0, later: 0) }
        return feed
    }

    /// Performs `effect` and advances until it lands: its replies, and how many turns it took.
    func landing(_ feed: ReplayFeed, _ effect: Effect, wall: UInt64 = 0) throws -> (replies: [FeedReply], turns: Int) {
        var replies = try feed.perform(effect, wall: wall)
        var turns = 1
        while replies.contains(.underWay) {
            #expect(feed.isWorking)
            #expect(feed.millisecondsUntilDue(wall: wall) == 0, "a jump under way waited for the next event")
            _ = try feed.advance(wall: wall)
            turns += 1
            if let finished = feed.takeFinishedWork() { replies = finished }
            try #require(turns < 1_000_000)
        }
        #expect(!feed.isWorking)
        return (replies, turns)
    }

    @Test("a jump read a slice a turn lands where the jump read at once lands, and says the same")
    func slicedLandsAlike() throws {
        let sliced = demoFeed(sliced: true), atOnce = demoFeed(sliced: false)
        let effects: [Effect] = [.jump("50%"), .jump("23:56:00"), .nextNotable(deficitsOnly: false), .nextNotable(deficitsOnly: true),
                                 .jump("23:50"), .jump("100%"), .previousNotable(deficitsOnly: false), .jump("0%"),
                                 .jump("90%"), .nextNotable(deficitsOnly: false)]
        var slicedTurns = 0
        for effect in effects {
            let (replies, turns) = try landing(sliced, effect)
            slicedTurns = max(slicedTurns, turns)
            let expected = try atOnce.perform(effect, wall: 0)
            #expect(replies == expected, "\(effect)")
            #expect(sliced.session.lastTime == atOnce.session.lastTime, "\(effect)")
            #expect(sliced.status(wall: 0).paused == atOnce.status(wall: 0).paused, "\(effect)")
            #expect(sliced.engine.totals == atOnce.engine.totals, "\(effect)")
        }
        #expect(slicedTurns > 10, "the jumps were not sliced: \(slicedTurns) turns at most")
        // An alert's time, from the end.
        let alert = try #require(atOnce.session.log.alerts.first)
        let (replies, _) = try landing(sliced, .jumpToAlert(alert.time))
        #expect(try atOnce.perform(.jumpToAlert(alert.time), wall: 0) == replies)
        #expect(sliced.session.lastTime == atOnce.session.lastTime && sliced.status(wall: 0).paused)
    }

    @Test("space during a jump stops it where it has got to, paused, and says where; the session holds there")
    func spaceStopsAJump() throws {
        let feed = demoFeed(sliced: true)
        let start = try feed.perform(.jump("90%"), wall: 0)
        #expect(start == [.underWay])
        for _ in 0..<3 { _ = try feed.advance(wall: 0) }
        let reached = try #require(feed.session.lastTime)
        let stopped = try feed.perform(.togglePause, wall: 0)
        let at = EventTime.timeOfDay(reached)
        #expect(stopped == [.notice(NoticeForms.joined(["stopped going to 90% at \(at) · paused (space plays on)",
            "stopped at \(at) · paused", "stopped at \(at) · paused"]))], "\(stopped)")
        #expect(!feed.isWorking && feed.status(wall: 0).paused && feed.takeFinishedWork() == nil)
        // Held there, its clock where the jump stopped (not where it began).
        _ = try feed.advance(wall: 5_000_000_000)
        #expect(feed.session.lastTime == reached)
        #expect(feed.status(wall: 5_000_000_000).time == reached)
        // Space again plays on from there. A turn's advance does a turn's work, not all that a
        // minute of wall time owes (one turn found no event in CI, twice): turns, as the run loop
        // makes them, a frame apart, until the session moves past where the jump stopped.
        #expect(try feed.perform(.togglePause, wall: 5_000_000_000).isEmpty)
        var wall: UInt64 = 5_000_000_000
        for _ in 0..<300 where (feed.session.lastTime ?? 0) <= reached {
            wall += 33_000_000
            _ = try feed.advance(wall: wall)
        }
        #expect((feed.session.lastTime ?? 0) > reached && !feed.status(wall: wall).paused)
    }

    @Test("another replay key during a jump stops it and does what it says; `]` stopped says nothing was found since it began")
    func otherKeysDuringAJump() throws {
        let feed = demoFeed(sliced: true)
        #expect(try feed.perform(.jump("100%"), wall: 0) == [.underWay])
        _ = try feed.advance(wall: 0)
        let stepped = try feed.perform(.step, wall: 0)
        guard stepped.count == 2, case .notice(let first) = stepped[0], case .notice(let second) = stepped[1] else {
            Issue.record("\(stepped)")
            return
        }
        #expect(first.hasPrefix("stopped going to 100% at "), "\(first)")
        #expect(second.hasPrefix("one event on, at "), "\(second)")
        // A search stopped before it found anything says so, from where it looked.
        _ = try feed.perform(.jump("0%"), wall: 0)
        while feed.isWorking { _ = try feed.advance(wall: 0) }
        _ = feed.takeFinishedWork()
        let from = try #require(feed.session.lastTime)
        #expect(try feed.perform(.nextNotable(deficitsOnly: false), wall: 0) == [.underWay])
        let stopped = try feed.perform(.togglePause, wall: 0)
        guard case .notice(let text)? = stopped.first else { Issue.record("\(stopped)"); return }
        #expect(text.hasPrefix("stopped looking for the next liquidation or alert at ") && text.contains(": none since \(EventTime.timeOfDay(from))"),
            "\(text)")
        // Narrow, it still says where it stopped and that nothing was found since.
        #expect(NoticeForms.forms(of: text).contains { $0.hasPrefix("stopped at ") && $0.contains(": none since \(EventTime.timeOfDay(from)) · paused") })
        // Another jump stopping one says only what it does itself (the stop's line stood over its
        // working notice, and after it landed: review).
        #expect(try feed.perform(.jump("100%"), wall: 0) == [.underWay])
        let next = try feed.perform(.jump("50%"), wall: 0)
        #expect(!next.contains { if case .notice(let said) = $0 { return said.hasPrefix("stopped") } else { return false } }, "\(next)")
        while feed.isWorking { _ = try feed.advance(wall: 0) }
        _ = feed.takeFinishedWork()
        // A key that only looks (not an effect on the replay) leaves it going: the alerts told.
        #expect(try feed.perform(.jump("100%"), wall: 0) == [.underWay])
        #expect(try feed.perform(.told([]), wall: 0).isEmpty)
        #expect(feed.isWorking)
    }
}
