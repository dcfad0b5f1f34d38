import Testing
@testable import RiskEngine

/// The spread signals while the book empties: in the demo's vacuum a BTC spread of fifty ticks
/// (under 1 bps) and a book with no bids read "ok", because a 1 bps floor muted them.
@Suite("Spread signals in a vacuum")
struct SpreadSignalTests {
    static let second: Int64 = 1_000_000_000

    /// A board warmed on a one-tick BTC book (0.1 at 60,000: 0.0167 bps) with 30M of depth.
    func warmBoard(thresholds: SignalThresholds = SignalThresholds()) -> SignalBoard {
        var board = SignalBoard(historyLength: 60)
        for second in 0..<Int64(thresholds.warmupSamples + 5) {
            _ = board.sample(inputs(time: second * Self.second, spreadBps: 0.1 / 60_000 * 10_000, depth: 30_000_000),
                thresholds: thresholds, symbol: "BTCUSDT")
        }
        return board
    }

    func inputs(time: Int64, spreadBps: Double?, depth: Double, sideMissing: Bool = false) -> SignalBoard.Inputs {
        SignalBoard.Inputs(time: time, spreadBps: spreadBps, sideMissing: sideMissing, tickBps: 0.1 / 60_000 * 10_000,
            depth10: depth, depth50: depth, mid: 60_000, stressed: StressedDeficit(), fundBalance: 1_000_000)
    }

    @Test("fifty ticks of spread under 1 bps with the depth gone: both spread signals alert")
    func fiftyTicks() {
        var board = warmBoard()
        let changes = board.sample(inputs(time: 100 * Self.second, spreadBps: 5.0 / 60_000 * 10_000, depth: 6_681),
            thresholds: SignalThresholds(), symbol: "BTCUSDT")
        #expect(board.readings[.spread]?.level == .alert)
        #expect(board.readings[.spreadVsDepth]?.level == .alert)
        #expect(changes.contains { $0.kind == .spreadVsDepth && $0.to == .alert })
    }

    @Test("with the tick floor off, the bps floor alone mutes the same spread (what it did before)")
    func tickFloorOff() {
        var thresholds = SignalThresholds()
        thresholds.spreadFloorTicks = 0
        var board = warmBoard(thresholds: thresholds)
        _ = board.sample(inputs(time: 100 * Self.second, spreadBps: 5.0 / 60_000 * 10_000, depth: 6_681), thresholds: thresholds, symbol: "BTCUSDT")
        #expect(board.readings[.spread]?.level == .ok)
        #expect(board.readings[.spreadVsDepth]?.value == 1)
    }

    @Test("a one-tick spread doubling is still not news")
    func oneTickDoubling() {
        var board = warmBoard()
        _ = board.sample(inputs(time: 100 * Self.second, spreadBps: 0.2 / 60_000 * 10_000, depth: 30_000_000),
            thresholds: SignalThresholds(), symbol: "BTCUSDT")
        #expect(board.readings[.spread]?.level == .ok)
        #expect(board.readings[.spreadVsDepth]?.level == .ok)
    }

    @Test("a book with no bids: the spread alerts as a side missing, and spread + depth reads the depth's fall")
    func sideMissing() {
        var board = warmBoard()
        let changes = board.sample(inputs(time: 100 * Self.second, spreadBps: nil, depth: 0, sideMissing: true),
            thresholds: SignalThresholds(), symbol: "BTCUSDT")
        let spread = board.readings[.spread]
        #expect(spread?.level == .alert && spread?.sideMissing == true)
        #expect(board.readings[.spreadVsDepth]?.value == SignalBoard.ratioCap)
        #expect(changes.contains { $0.kind == .spread && $0.sideMissing })
        // Before the baselines are learnt nothing is judged.
        var cold = SignalBoard(historyLength: 60)
        _ = cold.sample(inputs(time: 0, spreadBps: nil, depth: 0, sideMissing: true), thresholds: SignalThresholds(), symbol: "BTCUSDT")
        #expect(cold.readings[.spread]?.level == .ok)
    }

    @Test("the floor is the narrower of the bps floor and the ticks")
    func floor() {
        let thresholds = SignalThresholds()
        #expect(thresholds.spreadFloor(tickBps: 0.5) == 1.0)
        #expect(abs(thresholds.spreadFloor(tickBps: 0.0167) - 0.167) < 1e-9)
        #expect(thresholds.spreadFloor(tickBps: nil) == 1.0)
    }
}

@Suite("Alerts say what their value cannot")
struct AlertWordingTests {
    @Test("a stressed deficit of quantity the book cannot fill tells the hook the quantity and its unit; an empty side no invented spread")
    func hookMessages() {
        var log = SessionLog()
        log.record(.signal(SignalChange(time: 5_000_000_000, symbol: "binance-usdm:BTCUSDT", kind: .stressedDeficit, from: .warn, to: .alert,
            value: 0, baseline: 8_000, unfilledQuantity: 24.112, quantityUnit: "BTC", asset: "USDT")))
        log.record(.signal(SignalChange(time: 5_000_000_000, symbol: "binance-usdm:BTCUSDT", kind: .spread, from: .ok, to: .alert,
            value: 1.67, baseline: 0.0167, sideMissing: true)))
        var watcher = AlertWatcher()
        let told = watcher.newAlerts(log: log, staleMarkets: [], time: 5_000_000_000)
        #expect(told.count == 2)
        #expect(told.first?.message == "binance-usdm:BTCUSDT Stressed deficit vs fund at ALERT: 24.112 BTC the book cannot fill (ADL follows)")
        #expect(told.last?.message.hasSuffix(": a side of the book is empty") == true)
        #expect(told.last?.value == nil && !(told.last?.jsonLine.contains("\"value\"") ?? true))
    }
}
