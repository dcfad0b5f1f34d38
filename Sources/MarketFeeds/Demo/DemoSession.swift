import RiskEngine

/// The built-in demo session: `DemoMarket` plus a book of monitored accounts and a small insurance
/// fund, so that within about two minutes at 1x the cascade produces deficits that draw the fund
/// and an ADL event. Deterministic for a seed. Its events go through the same applier as a replay's
/// and a live session's, so its checkpoints are the applier's state and the generator's.
public final class DemoSession: SessionDriver {
    public static let duration: Int64 = 150_000_000_000
    /// 2024-08-08 23:55:00 UTC, so demo times look like a real session.
    public static let startTime: Int64 = 1_723_161_300_000_000_000
    /// The demo's one market: Binance USDⓈ-M BTCUSDT, which its book and positions imitate.
    public static let marketID = MarketID.make(venue: .binanceUSDM, symbol: "BTCUSDT")
    public static let openingFund = Fixed(8_000)

    var applier: FeedApplier
    public var engine: Engine { applier.engine }
    public var log: SessionLog { applier.log }
    public private(set) var stats = FrameStats()
    public var firstTime: Int64? { applier.firstTime }
    public var lastTime: Int64? { applier.lastTime }
    /// Every input read and the last step whole (a cascade cut in slices is not the end yet).
    public var finished: Bool { inputsEnded && !isMidStep }
    var inputsEnded = false
    var market: DemoMarket
    var queue: [MarketEvent] = []
    var queueIndex = 0

    public init(seed: UInt64 = 1, configuration: EngineConfiguration = EngineConfiguration(), positions: Int = 3_000) {
        var options = SessionOptions()
        options.configuration = configuration
        options.catalog = .builtIn
        options.insuranceFund = [FundOpening(asset: "USDT", balance: DemoSession.openingFund)]
        applier = FeedApplier(options: options)
        market = DemoMarket(seed: seed, startPrice: 60_000, start: DemoSession.startTime)
        let opening = market.openingBook()
        queue.append(.bookSnapshot(symbol: DemoSession.marketID, bids: opening.bids, asks: opening.asks, time: DemoSession.startTime))
        var synthetic = SyntheticPositions(count: positions, seed: seed)
        for position in synthetic.positions(for: .btcusdt, mark: Fixed(60_000)) {
            queue.append(.position(position, time: DemoSession.startTime))
        }
        // A few large, highly leveraged longs: the accounts whose closes the thin book cannot absorb.
        for (index, leverage) in [75, 60, 50, 50, 40, 30].enumerated() {
            let quantity = Fixed(4 + index * 2)
            let entry = Fixed(59_900 + index * 40)
            queue.append(.position(PositionUpdate(
                account: "WHALE-\(index + 1)", symbol: DemoSession.marketID, side: .long, quantity: quantity, entryPrice: entry,
                mode: .isolated, isolatedMargin: quantity * entry / Fixed(leverage), leverage: Fixed(leverage)), time: DemoSession.startTime))
        }
    }

    public var kind: String { "DEMO" }
    public var sourceLabel: String { "built-in demo (BTCUSDT)" }
    public var knownEndTime: Int64? { DemoSession.startTime + DemoSession.duration }
    public var feedSummary: FeedSummary { FeedSummary(engine: engine, log: log, stats: stats, synchronizers: [:]) }
    public var progress: Double {
        guard let last = lastTime else { return 0 }
        return min(1, Double(last - DemoSession.startTime) / Double(DemoSession.duration))
    }

    func refill() {
        guard queueIndex >= queue.count else { return }
        queue.removeAll(keepingCapacity: true)
        queueIndex = 0
        guard market.time < DemoSession.startTime + DemoSession.duration else { return }
        market.step(into: &queue)
    }

    public func peekTime() throws(SessionError) -> Int64? {
        refill()
        guard queueIndex < queue.count else {
            // Nothing left: the session is at its end, whether or not a step has said so (the
            // clock peeks before it steps, and stops at nil).
            inputsEnded = true
            return nil
        }
        return queue[queueIndex].time
    }

    @discardableResult
    public func step() throws(SessionError) -> Bool {
        refill()
        guard queueIndex < queue.count else { inputsEnded = true; return false }
        let event = queue[queueIndex]
        queueIndex += 1
        stats.read += 1
        stats.applied += 1
        applier.handle(.event(event), liquidationLimit: liquidationSlice)
        return true
    }

    public var liquidationSlice = Int.max
    public var isMidStep: Bool { applier.isMidMessage }
    public func continueStep(liquidationLimit: Int) { applier.continueMessage(liquidationLimit: liquidationLimit) }
    @discardableResult public func readSignalsNow() -> Bool { applier.engine.readSignalsNow() }

    public func checkpoint() -> SessionCheckpoint {
        SessionCheckpoint(time: lastTime ?? DemoSession.startTime, applier: applier, stats: stats,
            source: .demo(DemoState(market: market, queue: queue, queueIndex: queueIndex)))
    }

    public func restore(_ checkpoint: SessionCheckpoint) throws(SessionError) {
        guard case .demo(let demo) = checkpoint.source else { return }
        applier = checkpoint.applier
        stats = checkpoint.stats
        market = demo.market
        queue = demo.queue
        queueIndex = demo.queueIndex
        inputsEnded = false
    }

    /// Runs the rest of the demo; `check` and `stop` as for `ReplaySession.runToEnd`.
    public func runToEnd(_ check: (() -> Void)? = nil, stop: (() -> Bool)? = nil) {
        var steps = 0
        while (try? step()) == true {
            steps += 1
            if steps & 4095 == 0 {
                check?()
                if stop?() == true { break }
            }
        }
        check?()
    }
}
