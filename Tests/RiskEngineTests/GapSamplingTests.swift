import Testing
@testable import RiskEngine

/// A gap in the events: the state before it is sampled at the second after the last sample, not
/// only once the gap's first event has changed it.
@Suite("Signals sampled across a gap in the events")
struct GapSamplingTests {
    static let second: Int64 = 1_000_000_000
    static let symbol = "binance-usdm:BTCUSDT"
    static let other = "binance-usdm:ETHUSDT"

    static func units(_ text: String) -> Int64 { Fixed(text)!.bookUnits }

    /// A BTC book sampled at second 1, its bids taken half a second later.
    static func engineWithBidsGone() -> Engine {
        var engine = Engine()
        engine.apply(.bookSnapshot(symbol: symbol, bids: [(units("59999.9"), units("5"))], asks: [(units("60000"), units("5"))], time: Self.second))
        engine.apply(.bookSnapshot(symbol: symbol, bids: [], asks: [(units("60000"), units("5"))], time: Self.second + Self.second / 2))
        return engine
    }

    static func spreadAlerts(_ notes: [EngineNotification]) -> [SignalChange] {
        notes.compactMap { note in
            if case .signal(let change) = note, change.symbol == symbol, change.kind == .spread, change.to == .alert { return change }
            return nil
        }
    }

    @Test("the bids gone before a long silence alert at the second they were gone in, not at the silence's end")
    func alertDatedBeforeTheGap() {
        var engine = Self.engineWithBidsGone()
        let notes = engine.apply(.mark(symbol: Self.other, price: Fixed(3_000), time: 100 * Self.second))
        let alerts = Self.spreadAlerts(notes)
        #expect(alerts.count == 1)
        #expect(alerts.first?.time == 2 * Self.second, "sampled as the second after the bids went closed")
        #expect(alerts.first?.sideMissing == true)
        #expect(engine.time == 100 * Self.second)
    }

    @Test("events less than a second past the next sample are sampled after the first of them, as before")
    func noGapNoEarlySample() {
        var engine = Self.engineWithBidsGone()
        let notes = engine.apply(.mark(symbol: Self.other, price: Fixed(3_000), time: 2 * Self.second + Self.second / 4))
        #expect(Self.spreadAlerts(notes).map(\.time) == [2 * Self.second + Self.second / 4])
    }

    @Test("the whole engine after a gap: one sample before it, one after its first event")
    func twoSamplesAcrossAGap() {
        var engine = Self.engineWithBidsGone()
        var notes: [EngineNotification] = []
        // The bids come back with the gap's first event: the sample after it reads them.
        engine.apply(.bookSnapshot(symbol: Self.symbol, bids: [(Self.units("59999.9"), Self.units("5"))],
            asks: [(Self.units("60000"), Self.units("5"))], time: 50 * Self.second), into: &notes)
        let spread = notes.compactMap { note -> SignalChange? in
            if case .signal(let change) = note, change.symbol == Self.symbol, change.kind == .spread { return change }
            return nil
        }
        #expect(spread.map(\.time) == [2 * Self.second, 50 * Self.second])
        #expect(spread.map(\.to) == [.alert, .ok])
    }

    @Test("positions placed at time 0 give no sample dated before the session's first event")
    func nothingBeforeTheFirstEvent() {
        var engine = Engine()
        var notes: [EngineNotification] = []
        engine.apply(positions: [PositionUpdate(account: "a", symbol: Self.symbol, side: .long, quantity: Fixed(1),
            entryPrice: Fixed(60_000), mode: .isolated, walletBalance: nil, leverage: Fixed(10))], time: 0, into: &notes) { _ in }
        notes.removeAll()
        engine.apply(.bookSnapshot(symbol: Self.symbol, bids: [], asks: [(Self.units("60000"), Self.units("5"))], time: 100 * Self.second), into: &notes)
        let times = notes.compactMap { note -> Int64? in
            if case .signal(let change) = note { return change.time }
            return nil
        }
        #expect(!times.isEmpty && times.allSatisfy { $0 == 100 * Self.second })
    }
}
