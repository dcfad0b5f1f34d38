import Foundation
import Testing
import Dashboard
import DashboardFeeds
import MarketFeeds
import RiskEngine

/// The run loop's adapters without a terminal: what a key asks of a replay, the demo or a live
/// session, and what the operator is told back.
@Suite("Dashboard feeds")
struct ReplayFeedTests {
    func demoFeed() -> ReplayFeed {
        let demo = DemoSession(seed: 3, positions: 300)
        let clock = ReplayClock(driver: demo)
        return ReplayFeed(session: demo, clock: clock)
    }

    /// In a replay of recordings years apart, `:23:56:28` landed on 22:26:11 of the first
    /// recording's day with nothing to say why; `:23:50` before the demo's first event showed an
    /// empty screen (operator trial).
    @Test("a jump into a gap, before the first event or by a time alone in a session of several days says where it landed and why")
    func jumpNotices() throws {
        let directory = "/tmp/liqwatch-seek-\(UInt64.random(in: 0...UInt64.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let early: Int64 = 1_626_992_760_000_000_000  // 2021-07-22 22:26:00
        let late: Int64 = 1_723_161_360_000_000_000   // 2024-08-08 23:56:00
        func marks(_ from: Int64, _ symbol: String) -> String {
            (0..<12).map { #"{"type":"mark","symbol":"\#(symbol)","price":"100","time":\#(from + Int64($0) * 1_000_000_000)}"# }.joined(separator: "\n") + "\n"
        }
        let first = directory + "/early.ndjson", second = directory + "/late.ndjson"
        try marks(early, "BTCUSDT").write(toFile: first, atomically: true, encoding: .utf8)
        try marks(late, "ETHUSDT").write(toFile: second, atomically: true, encoding: .utf8)
        let session = try ReplaySession(paths: [first, second], options: SessionOptions())
        let feed = ReplayFeed(session: session, clock: ReplayClock(driver: session))
        /// Each notice's longest form (the footer shows the longest that fits).
        func longest(_ replies: [FeedReply]) -> [FeedReply] {
            replies.map { if case .notice(let text) = $0 { return .notice(NoticeForms.forms(of: text)[0]) } else { return $0 } }
        }
        let gapReplies = try feed.perform(.jump("23:56:05"), wall: 0)
        let gap = longest(gapReplies)
        // At 80 columns, where it landed and what comes next, whole (it was cut after `no event
        // at 2021-07-22 …`: operator trial).
        if case .notice(let text)? = gapReplies.first {
            #expect(NoticeForms.forms(of: text).last == "paused at 2021-07-22 22:26:11.000; next 2024-08-08 23:56:00.000", "\(text)")
        }
        #expect(gap == [.notice("taken on 2021-07-22 (type a date for another day) · no event at 2021-07-22 23:56:05.000; paused at the one before, "
            + "2021-07-22 22:26:11.000; next 2024-08-08 23:56:00.000"), .jumped], "\(gap)")
        // Paused in the gap: playing on skipped it at once, and its notice gave way to "skipped 2y".
        #expect(feed.status(wall: 0).paused)
        // Dated, with a space (or two): the later recording, and nothing to explain.
        #expect(try feed.perform(.jump("2024-08-08  23:56:05"), wall: 0) == [.jumped])
        #expect(session.lastTime == late + 5_000_000_000)
        // A time alone now is the one nearest where the session stands, on its day (it went back
        // to the first recording's day, three years: operator trial).
        let alone = try feed.perform(.jump("23:56:08"), wall: 0)
        #expect(session.lastTime == late + 8_000_000_000, "\(alone)")
        #expect(alone.first.map { if case .notice(let text) = $0 { return text.hasPrefix("taken on 2024-08-08") } else { return false } } ?? false, "\(alone)")
        try feed.perform(.jump("2024-08-08 23:56:05"), wall: 0)
        // Half a second before the later recording's first event: the screen shows the earlier
        // one's last, years before, and says so (it said nothing); playing on reaches the next.
        let close = longest(try feed.perform(.jump("2024-08-08 23:55:59.500"), wall: 0))
        #expect(close == [.notice("no event at 2024-08-08 23:55:59.500; at the one before, 2021-07-22 22:26:11.000; next 2024-08-08 23:56:00.000"), .jumped],
            "\(close)")
        let share = try feed.perform(.jump("50%"), wall: 0)
        guard case .notice(let said)? = share.first else { Issue.record("\(share)"); return }
        #expect(said.hasPrefix("at 20") && said.hasSuffix(": 50% of the inputs' bytes read"), "\(said)")
        #expect(feed.status(wall: 0).showsDate)
        // The demo, before its first event.
        let demo = demoFeed()
        let before = try demo.perform(.jump("23:50"), wall: 0)
        guard case .notice(let text)? = before.first else { Issue.record("\(before)"); return }
        #expect(text.hasPrefix("23:50:00.000 is before the first event: at the first, 23:5"), "\(text)")
        // Landed on the first event, paused: the session is not taken back to no event at all
        // (its book and positions went, beside a footer that read as a refusal: attacker trial).
        let demoFirst = demo.status(wall: 0).time
        #expect(demoFirst > 0 && demo.status(wall: 0).paused)
        // After every event of that millisecond, as a typed jump lands: its positions are all
        // there (the first event alone showed `Positions 0/0`: operator trial).
        #expect(demo.engine.positions.count > 100, "\(demo.engine.positions.count) positions after the jump")
        #expect(text.hasSuffix(EventTime.timeOfDay(demoFirst)), "\(text)")
        // Far into the session and back before its start: the same, at the first event.
        _ = try demo.perform(.jump("23:56:30"), wall: 0)
        let back = try demo.perform(.jump("1970-01-01 00:00:00"), wall: 0)
        #expect(back == [.notice("1970-01-01 00:00:00.000 is before the first event: at the first, " + EventTime.dateAndTime(demoFirst))], "\(back)")
        #expect(demo.status(wall: 0).time == demoFirst)
        // 0 %: the first event too, paused, said so.
        _ = try demo.perform(.jump("23:56:30"), wall: 0)
        let start = try demo.perform(.jump("0%"), wall: 0)
        #expect(start == [.notice("at the first event, " + EventTime.timeOfDay(demoFirst))], "\(start)")
        #expect(demo.status(wall: 0).time == demoFirst && demo.status(wall: 0).paused)
        // A typed date is answered with dates.
        let dated = try demo.perform(.jump("2024-08-07 23:56:20"), wall: 0)
        guard case .notice(let datedText)? = dated.first else { Issue.record("\(dated)"); return }
        #expect(datedText.hasPrefix("2024-08-07 23:56:20.000 is before the first event: at the first, 2024-08-08 23:5"), "\(datedText)")
        #expect(!demo.status(wall: 0).showsDate)
    }

    /// `:0.01%` landed before the first event: `--:--:--`, no positions, no notice (attacker trial).
    @Test("a share too small for any event lands on the first event and says so, as 0% does")
    func tinyShare() throws {
        let directory = "/tmp/liqwatch-tiny-\(UInt64.random(in: 0...UInt64.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let start: Int64 = 1_723_161_360_000_000_000
        let path = directory + "/marks.ndjson"
        try (0..<2_000).map { #"{"type":"mark","symbol":"BTCUSDT","price":"100","time":\#(start + Int64($0) * 1_000_000_000)}"# }
            .joined(separator: "\n").appending("\n").write(toFile: path, atomically: true, encoding: .utf8)
        let session = try ReplaySession(paths: [path], options: SessionOptions())
        let feed = ReplayFeed(session: session, clock: ReplayClock(driver: session))
        for share in ["0.01%", "0.0000001%"] {
            _ = try feed.perform(.jump("50%"), wall: 0)
            let replies = try feed.perform(.jump(share), wall: 0)
            #expect(session.lastTime == start, "\(share): \(String(describing: session.lastTime))")
            #expect(replies == [.notice("at the first event, 23:56:00.000")], "\(share): \(replies)")
            #expect(feed.status(wall: 0).paused)
        }
    }

    @Test("a jump the feed cannot read says what was typed and what it takes (no literal placeholder)")
    func badJump() throws {
        let feed = demoFeed()
        for text in ["abc", "150%", "-5%", "nan%"] {
            let replies = try feed.perform(.jump(text), wall: 0)
            #expect(replies == [.notice("cannot jump to '\(text)': give HH:MM[:SS], a date and time, or 0% to 100%")], "\(text)")
        }
        var model = AppModel(width: 120, height: 40, status: feed.status(wall: 0))
        model.apply(try feed.perform(.jump("abc"), wall: 0))
        #expect(model.notice == "cannot jump to 'abc': give HH:MM[:SS], a date and time, or 0% to 100%")
        #expect(!model.rendered().text.contains("\\("))
    }

    @Test("50% seeks half way through the demo; a time of day seeks to it; pause shows in the status")
    func seeks() throws {
        let feed = demoFeed()
        #expect(try feed.perform(.jump("50%"), wall: 0) == [.jumped])
        let half = feed.session.progress
        #expect(abs(half - 0.5) < 0.02, "progress \(half)")
        #expect(try feed.perform(.jump("23:56:00"), wall: 0) == [.jumped])
        let time = try #require(feed.session.lastTime)
        #expect(EventTime.timeOfDay(time, milliseconds: false).hasPrefix("23:5"))
        #expect(try feed.perform(.togglePause, wall: 0).isEmpty)
        #expect(feed.status(wall: 0).paused)
    }

    @Test("at the end, a jump back lands paused there, at max speed too: the next advance stays; space plays on")
    func jumpFromTheEndLandsPaused() throws {
        let feed = demoFeed()
        feed.clock.setSpeed(.infinity, wall: 0)
        while !feed.session.finished { _ = try feed.advance(wall: 0) }
        for effect in [Effect.previousNotable(deficitsOnly: false), .jump("50%"), .jump("23:56:00")] {
            _ = try feed.perform(effect, wall: 1)
            #expect(feed.status(wall: 1).paused && !feed.session.finished, "\(effect)")
            let landed = feed.session.lastTime
            _ = try feed.advance(wall: 2_000_000_000)
            #expect(feed.session.lastTime == landed && !feed.session.finished, "\(effect): replayed on to the end")
            // Played on, it runs to the end again, and the next jump from there lands paused too.
            if feed.status(wall: 3).paused { _ = try feed.perform(.togglePause, wall: 3) }
            while !feed.session.finished { _ = try feed.advance(wall: 4) }
        }
        // Mid-session the clock plays on after a jump, as before.
        _ = try feed.perform(.jump("23:55:00"), wall: 5)
        _ = try feed.perform(.togglePause, wall: 5)
        _ = try feed.perform(.jump("23:56:00"), wall: 6)
        #expect(!feed.status(wall: 6).paused && !feed.session.finished)
    }

    @Test("] jumps to the next liquidation, deficit or alert; at the end it says there is none")
    func notable() throws {
        let feed = demoFeed()
        // It says what it landed on.
        let landed = try feed.perform(.nextNotable(deficitsOnly: false), wall: 0)
        #expect(landed.count == 2 && { if case .notice(let text) = landed[0] { return text.hasPrefix("→ ") && !text.hasSuffix("or alert") } else { return false } }(), "\(landed)")
        // And where, for the tape's cursor.
        #expect(landed.last == .landed(at: feed.session.lastTime ?? -1), "\(landed)")
        #expect(feed.session.log.simulatedCount + feed.session.log.alertCount + feed.session.log.deficitCount > 0)
        #expect(try feed.perform(.jump("100%"), wall: 0) == [.jumped])
        #expect(try feed.perform(.nextNotable(deficitsOnly: false), wall: 0) == [.notice("no later liquidation, deficit or alert")])
    }

    @Test("the end found by asking when the next event is due, after an advance stopped at the last event, is drawn")
    func endFoundBetweenAdvances() throws {
        // How many events the demo has, counted on a twin.
        let twin = DemoSession(seed: 3, positions: 300)
        while try twin.step() {}
        let events = twin.stats.read
        let feed = demoFeed()
        feed.clock.setSpeed(.infinity, wall: 0)
        // Every event applied, the loop stopped by its budget right after the last, before
        // peeking past it (as an advance out of its 12 ms does): the end is not known yet.
        _ = try feed.clock.advance(wall: 0, budget: events)
        #expect(feed.session.stats.read == events && !feed.session.finished)
        #expect(!feed.status(wall: 0).finished)
        // The run loop asks when the next event is due: the peek finds the end, and a turn is due
        // to draw it (it slept for a key before, with the session still shown running).
        #expect(feed.millisecondsUntilDue(wall: 0) == 0)
        #expect(feed.session.finished)
        #expect(try feed.advance(wall: 0), "the turn reports the end, so the screen is drawn")
        #expect(feed.status(wall: 0).finished)
        // Drawn once: nothing is due after that, and the loop may sleep until a key.
        #expect(try !feed.advance(wall: 0))
        #expect(feed.millisecondsUntilDue(wall: 0) == -1)
    }

    @Test("paused and stepped through a cascade, the signals shown are the book's now, not the second's first sample")
    func stillSessionShowsSignalsNow() throws {
        let feed = demoFeed()
        #expect(try feed.perform(.jump("55%"), wall: 0) == [.jumped])
        #expect(try feed.perform(.togglePause, wall: 0).isEmpty)
        var midSecond = 0
        for _ in 0..<300 {
            #expect(try feed.perform(.step, wall: 0).count == 1)
            let engine = feed.engine
            let market = engine.markets[0]
            if engine.time % 1_000_000_000 != 0 { midSecond += 1 }
            let spread = try #require(market.signalReadings[.spread])
            if let bps = market.book.spreadBps {
                #expect(spread.value == bps.approximateDouble && !spread.sideMissing, "at \(engine.time)")
            } else {
                #expect(spread.sideMissing == (market.book.bestBid == nil || market.book.bestAsk == nil), "at \(engine.time)")
            }
            // The fund pane's stress is the engine's now, as the signals pane's is.
            #expect(market.shownStress == engine.stressedDeficit(market: 0), "at \(engine.time)")
        }
        #expect(midSecond > 100, "the steps land between the seconds' samples")
        // Jumps while paused answer with a notice; the frame drawn with it shows the engine's now.
        for _ in 0..<20 {
            _ = try feed.perform(.nextNotable(deficitsOnly: false), wall: 0)
            let engine = feed.engine
            #expect(engine.markets[0].shownStress == engine.stressedDeficit(market: 0), "after a jump to \(engine.time)")
        }
    }

    @Test("a step says where it landed, and which step within one millisecond (three presses in one millisecond changed nothing the clock shows)")
    func stepSaysWhereItLanded() throws {
        let feed = demoFeed()
        _ = try feed.perform(.jump("55%"), wall: 0)
        _ = try feed.perform(.togglePause, wall: 0)
        var sawRepeat = false
        var sawLiquidation = false
        for _ in 0..<3_000 where !(sawRepeat && sawLiquidation) {
            let replies = try feed.perform(.step, wall: 0)
            guard case .notice(let text)? = replies.first else { Issue.record("a step said nothing"); return }
            let time = try #require(feed.session.lastTime)
            #expect(text.hasPrefix("one event on, at \(EventTime.timeOfDay(time))"), "\(text)")
            if text.contains("within this millisecond") { sawRepeat = true }
            if text.contains("liquidation") { sawLiquidation = true }
        }
        #expect(sawRepeat, "no two steps landed in one millisecond")
        #expect(sawLiquidation, "no step said it liquidated")
    }

    @Test("Enter on an alert lands where it was told: the screen reads the value the alert says, not the end of its millisecond")
    func alertJumpLandsOnItsEvent() throws {
        let feed = demoFeed()
        _ = try feed.perform(.jump("100%"), wall: 0)
        let alerts = Array(feed.session.log.alerts)
        try #require(!alerts.isEmpty, "the demo raised no alert")
        var checked = 0
        var sameMillisecond = 0
        for alert in alerts.prefix(8) {
            let kind = alert.signal
            let symbol = alert.symbol
            _ = try feed.perform(.jumpToAlert(alert.time), wall: 0)
            if !feed.status(wall: 0).paused { _ = try feed.perform(.togglePause, wall: 0) }
            let time = try #require(feed.session.lastTime)
            #expect(time >= alert.time && time < alert.time + 1_000_000_000, "landed at \(time), the alert at \(alert.time)")
            let market = try #require(feed.engine.market(symbol))
            // As a still screen reads it: the sample of the alert's event, before the rest of its millisecond.
            _ = feed.session.readSignalsNow()
            let reading = try #require(market.signalReadings[kind])
            #expect(reading.value == alert.value, "\(kind) at \(EventTime.iso8601(alert.time)): \(reading.value) shown, \(alert.value) told")
            // The jump applied the millisecond's first event: a step within it is its second.
            let replies = try feed.perform(.step, wall: 0)
            if let stepped = feed.session.lastTime, stepped / 1_000_000 == time / 1_000_000, case .notice(let text)? = replies.first {
                #expect(text.contains("(step 2 within this millisecond)"), "\(text)")
                sameMillisecond += 1
            }
            checked += 1
        }
        #expect(checked > 0 && sameMillisecond > 0)
    }

    @Test("a step past the last event says the session is at its end, not that it moved")
    func stepPastTheEnd() throws {
        let feed = demoFeed()
        _ = try feed.perform(.jump("100%"), wall: 0)
        _ = try feed.perform(.togglePause, wall: 0)
        var last: [FeedReply] = []
        for _ in 0..<50 { last = try feed.perform(.step, wall: 0) }
        #expect(last == [.notice("no event left: the session is at its end")], "\(last)")
    }

    @Test("live: replay keys answer that they are for replays")
    func liveKeys() throws {
        let session = try LiveSession(sources: [], options: LiveOptions())
        let feed = LiveFeed(session: session, label: "test")
        for effect in [Effect.togglePause, .step, .faster, .jump("50%")] {
            #expect(try feed.perform(effect, wall: 0) == [.notice("live: pause, step, speed and jumps are for replays (record with --record, replay later)")])
        }
        #expect(try feed.perform(.quit, wall: 0).isEmpty)
        #expect(feed.status(wall: 0).kind == "LIVE")
    }
}
