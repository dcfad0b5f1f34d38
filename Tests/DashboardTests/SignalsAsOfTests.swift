import Testing
@testable import Dashboard
@testable import RiskEngine

/// While a session plays, the signals are the once-a-second sample and the ladder beside them is of
/// now: the pane says as of when its figures are (a spread of 0.89 bps beside a ladder with no bids
/// read as a contradiction, and pausing changed the figures: operator trial).
@Suite("The signals pane says as of when")
struct SignalsAsOfTests {
    @Test("a book change after the sample: `as of` the sample's time; read again standing still: no label")
    func asOfSample() throws {
        var engine = engine(positions: 3)
        engine.apply(.clock(time: 4_000_000_000))
        engine.apply(.bookUpdate(symbol: "BTCUSDT", changes: [LevelChange(side: .bid, price: units("59999.90"), size: units("2"))],
            time: 4_450_000_000))
        #expect(engine.signalsReadAt == 4_000_000_000 && engine.time == 4_450_000_000, "\(engine.signalsReadAt) \(engine.time)")
        let playing = model(width: 200, height: 60, engine: engine).rendered().lines
        #expect(playing.contains { $0.contains("Signals BTCUSDT · as of 00:00:04.000") }, "\(playing.joined(separator: "\n"))")
        let read = engine.readSignalsNow()
        #expect(read)
        let still = model(width: 200, height: 60, engine: engine).rendered().lines
        #expect(still.contains { $0.contains("Signals BTCUSDT") } && !still.contains { $0.contains("as of") }, "\(still.joined(separator: "\n"))")
    }

    @Test("events of the sample's own millisecond after it: the title says the figures are from before them")
    func sameMillisecond() throws {
        var engine = engine(positions: 3)
        // The sample is taken at the first event of the second; a second event of that millisecond follows.
        engine.apply(.bookUpdate(symbol: "BTCUSDT", changes: [LevelChange(side: .bid, price: units("59999.90"), size: units("2"))],
            time: 4_000_000_000))
        #expect(engine.signalsReadAt == 4_000_000_000 && !engine.changedSinceSample)
        let sampled = model(width: 200, height: 60, engine: engine).rendered().lines
        #expect(!sampled.contains { $0.contains("as of") || $0.contains("before the latest") }, "\(sampled.joined(separator: "\n"))")
        engine.apply(.bookUpdate(symbol: "BTCUSDT", changes: [LevelChange(side: .bid, price: units("59999.90"), size: units("0"))],
            time: 4_000_000_000))
        #expect(engine.signalsReadAt == engine.time && engine.changedSinceSample)
        let wide = model(width: 200, height: 60, engine: engine).rendered().lines
        #expect(wide.contains { $0.contains("Signals BTCUSDT · as of 00:00:04.000 (before its later events)") }, "\(wide.joined(separator: "\n"))")
        let narrow = model(width: 120, height: 40, engine: engine).rendered().lines
        #expect(narrow.contains { $0.contains("Signals BTCUSDT · ") && ($0.contains("before its later events") || $0.contains("before the latest events")) },
            "\(narrow.joined(separator: "\n"))")
    }
}
