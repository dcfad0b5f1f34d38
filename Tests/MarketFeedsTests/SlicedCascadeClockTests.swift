import Testing
@testable import MarketFeeds
import RiskEngine

/// The dashboard's clock applies a cascade in slices of a few hundred liquidations, each turn
/// within its wall budget: the session must end exactly as a headless run of the same events.
@Suite("Cascades sliced under the replay clock")
struct SlicedCascadeClockTests {
    static func expectSame(_ sliced: DemoSession, _ whole: DemoSession, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(sliced.lastTime == whole.lastTime, sourceLocation: sourceLocation)
        #expect(sliced.engine.positions == whole.engine.positions, sourceLocation: sourceLocation)
        #expect(sliced.engine.accounts == whole.engine.accounts, sourceLocation: sourceLocation)
        #expect(sliced.engine.totals == whole.engine.totals, sourceLocation: sourceLocation)
        #expect(sliced.engine.funds == whole.engine.funds, sourceLocation: sourceLocation)
        #expect(sliced.engine.markets.map(\.counters) == whole.engine.markets.map(\.counters), sourceLocation: sourceLocation)
        #expect(sliced.engine.markets.map(\.signalReadings) == whole.engine.markets.map(\.signalReadings), sourceLocation: sourceLocation)
        // The sparklines' histories too (kept apart from the readings).
        let histories = { (engine: Engine) in engine.markets.map { market in SignalKind.allCases.map { market.signalHistory($0) } } }
        #expect(histories(sliced.engine) == histories(whole.engine), sourceLocation: sourceLocation)
        #expect(sliced.log.simulatedCount == whole.log.simulatedCount, sourceLocation: sourceLocation)
        #expect(sliced.log.deficitCount == whole.log.deficitCount, sourceLocation: sourceLocation)
        #expect(sliced.log.deficitTotal == whole.log.deficitTotal, sourceLocation: sourceLocation)
        #expect(sliced.log.adlCount == whole.log.adlCount, sourceLocation: sourceLocation)
        #expect(sliced.log.alertCount == whole.log.alertCount, sourceLocation: sourceLocation)
        #expect(Array(sliced.log.simulatedLiquidations) == Array(whole.log.simulatedLiquidations), sourceLocation: sourceLocation)
        #expect(Array(sliced.log.adlRecords) == Array(whole.log.adlRecords), sourceLocation: sourceLocation)
        #expect(Array(sliced.log.marks) == Array(whole.log.marks), sourceLocation: sourceLocation)
    }

    @Test("at full speed with a tiny wall budget the clock leaves cascades mid-way many times, and ends where a whole run ends")
    func fullSpeed() throws {
        let whole = DemoSession(seed: 3, positions: 20_000)
        whole.runToEnd()
        #expect(whole.log.simulatedCount > 1_000, "the demo cascades")

        let sliced = DemoSession(seed: 3, positions: 20_000)
        sliced.liquidationSlice = 16
        let clock = ReplayClock(driver: sliced)
        clock.setSpeed(.infinity, wall: 0)
        var turnsLeftMidway = 0
        var turns = 0
        while !sliced.finished || sliced.isMidStep {
            // 1 µs of wall budget: every turn stops at its first chance.
            try clock.advance(wall: 0, wallBudget: 1_000)
            turns += 1
            if sliced.isMidStep {
                turnsLeftMidway += 1
                #expect(try clock.wallUntilNextEvent(wall: 0) == 0, "work under way is due at once")
            }
            #expect(turns < 10_000_000)
        }
        #expect(turnsLeftMidway > 50, "cascades were left mid-way (\(turnsLeftMidway) turns)")
        Self.expectSame(sliced, whole)
    }

    /// The demo at 20,000 positions, cascades cut 4 liquidations at a time, run at full speed
    /// until a turn ends inside a cascade.
    static func midCascade() throws -> (session: DemoSession, clock: ReplayClock) {
        let sliced = DemoSession(seed: 3, positions: 20_000)
        sliced.liquidationSlice = 4
        let clock = ReplayClock(driver: sliced, checkpointInterval: 5_000_000_000)
        clock.setSpeed(.infinity, wall: 0)
        while !sliced.isMidStep && !sliced.finished { try clock.advance(wall: 0, budget: 1, wallBudget: 1_000) }
        return (sliced, clock)
    }

    @Test("a pause holds the next event but not the cascade under way; a step, a seek and a jump finish it first")
    func pauseStepSeek() throws {
        let (sliced, clock) = try Self.midCascade()
        #expect(sliced.isMidStep)
        let eventsApplied = sliced.stats.applied
        clock.togglePause(wall: 0)
        while sliced.isMidStep { try clock.advance(wall: 0, wallBudget: 1_000) }
        #expect(sliced.stats.applied == eventsApplied, "paused: the cascade ended, no new event")
        try clock.advance(wall: 0)
        #expect(sliced.stats.applied == eventsApplied)

        // A single step applies one whole event.
        clock.togglePause(wall: 0)
        while !sliced.isMidStep && !sliced.finished { try clock.advance(wall: 0, budget: 1, wallBudget: 1_000) }
        try clock.stepOne(wall: 0)
        #expect(!sliced.isMidStep)

        // A backward seek from the middle of a cascade lands where a straight run does.
        clock.togglePause(wall: 0)
        while !sliced.isMidStep && !sliced.finished { try clock.advance(wall: 0, budget: 1, wallBudget: 1_000) }
        let target = (sliced.lastTime ?? DemoSession.startTime) - 7_000_000_000
        try clock.seek(to: target, wall: 0)
        #expect(!sliced.isMidStep)
        let straight = DemoSession(seed: 3, positions: 20_000)
        while let next = try straight.peekTime(), next <= target { try straight.step() }
        Self.expectSame(sliced, straight)
    }

    /// `]` pressed in a cascade cut into slices finished it at once, keys held meanwhile
    /// (review): a search under a deadline finishes it a slice a call, then looks on.
    @Test("a search begun in a cascade under way finishes it a slice at a time, then finds a later mark and lands on it")
    func searchFromMidCascade() throws {
        let (sliced, clock) = try Self.midCascade()
        try #require(sliced.isMidStep)
        clock.pause(wall: 0)
        var search = clock.startNotableSearch(wall: 0)
        #expect(sliced.isMidStep, "starting the search finished the cascade")
        // A deadline already passed: one slice a call, never none.
        var calls = 0
        while try !clock.continueNotableSearch(&search, wall: 0, deadline: 0) {
            calls += 1
            try #require(calls < 1_000_000)
        }
        #expect(calls >= 1 && !sliced.isMidStep, "\(calls) calls")
        let landing = try #require(search.landing)
        #expect(landing > (sliced.log.marks.first ?? 0))
        #expect(sliced.lastTime.map { $0 >= landing } == true)
    }
}

@Suite("Checkpoints separated on another thread")
struct BackgroundCheckpointTests {
    @Test("with every checkpoint made in the background, playing holds while one is made, and a backward seek lands where a straight run does")
    func backgroundSeek() throws {
        let demo = DemoSession(seed: 5, positions: 2_000)
        demo.liquidationSlice = 8
        let clock = ReplayClock(driver: demo, checkpointInterval: 5_000_000_000, backgroundCheckpointBytes: 0, largeCheckpointWallInterval: 0)
        clock.setSpeed(.infinity, wall: 0)
        while !demo.finished || demo.isMidStep {
            let before = demo.stats.applied
            let applied = try clock.advance(wall: 0, wallBudget: 2_000_000)
            if clock.checkpointInProgress != nil && applied == 0 {
                #expect(demo.stats.applied == before, "nothing is applied while a checkpoint is separated")
                #expect(try clock.wallUntilNextEvent(wall: 0) ?? 0 <= 1_000_000)
            }
        }
        #expect(clock.checkpointCount > 10)
        let target = DemoSession.startTime + 95_000_000_000
        try clock.seek(to: target, wall: 0)
        let straight = DemoSession(seed: 5, positions: 2_000)
        while let next = try straight.peekTime(), next <= target { try straight.step() }
        SlicedCascadeClockTests.expectSame(demo, straight)
    }

    @Test("large checkpoints taken while playing are at least the given wall time apart; a seek still lands exactly")
    func wallFloor() throws {
        let demo = DemoSession(seed: 5, positions: 2_000)
        let clock = ReplayClock(driver: demo, checkpointInterval: 5_000_000_000, backgroundCheckpointBytes: 0,
            largeCheckpointWallInterval: 3_600_000_000_000)
        clock.setSpeed(.infinity, wall: 0)
        while !demo.finished || demo.isMidStep { try clock.advance(wall: 0) }
        // The first (at the start) and one more: an hour of wall time has not passed.
        #expect(clock.checkpointCount == 2)
        let target = DemoSession.startTime + 95_000_000_000
        try clock.seek(to: target, wall: 0)
        let straight = DemoSession(seed: 5, positions: 2_000)
        while let next = try straight.peekTime(), next <= target { try straight.step() }
        SlicedCascadeClockTests.expectSame(demo, straight)
    }
}
