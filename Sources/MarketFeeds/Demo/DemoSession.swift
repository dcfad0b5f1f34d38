import RiskEngine

/// The built-in demo session: `DemoMarket` plus a book of monitored accounts and a small insurance
/// fund, so that within about two minutes at 1x the cascade produces deficits that draw the fund
/// and an ADL event. Deterministic for a seed.
public final class DemoSession: SessionDriver {
    public static let duration: Int64 = 150_000_000_000
    /// 2024-08-08 23:55:00 UTC, so demo times look like a real session.
    public static let startTime: Int64 = 1_723_161_300_000_000_000
    public static let openingFund = Fixed(8_000)

    public private(set) var engine: Engine
    public private(set) var log = SessionLog()
    public private(set) var stats = FrameStats()
    public private(set) var firstTime: Int64?
    public private(set) var lastTime: Int64?
    public private(set) var finished = false
    var market: DemoMarket
    var queue: [MarketEvent] = []
    var queueIndex = 0
    var notes: [EngineNotification] = []

    public init(seed: UInt64 = 1, configuration: EngineConfiguration = EngineConfiguration(), positions: Int = 3_000) {
        engine = Engine(configuration: configuration)
        market = DemoMarket(seed: seed, startPrice: 60_000, start: DemoSession.startTime)
        engine.openFund(asset: "USDT", balance: DemoSession.openingFund)
        let opening = market.openingBook()
        queue.append(.bookSnapshot(symbol: "BTCUSDT", bids: opening.bids, asks: opening.asks, time: DemoSession.startTime))
        var synthetic = SyntheticPositions(count: positions, seed: seed)
        for position in synthetic.positions(for: .btcusdt, mark: Fixed(60_000)) {
            queue.append(.position(position, time: DemoSession.startTime))
        }
        // A few large, highly leveraged longs: the accounts whose closes the thin book cannot absorb.
        for (index, leverage) in [75, 60, 50, 50, 40, 30].enumerated() {
            let quantity = Fixed(4 + index * 2)
            let entry = Fixed(59_900 + index * 40)
            queue.append(.position(PositionUpdate(
                account: "WHALE-\(index + 1)", symbol: "BTCUSDT", side: .long, quantity: quantity, entryPrice: entry,
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
        return queueIndex < queue.count ? queue[queueIndex].time : nil
    }

    @discardableResult
    public func step() throws(SessionError) -> Bool {
        refill()
        guard queueIndex < queue.count else { finished = true; return false }
        let event = queue[queueIndex]
        queueIndex += 1
        stats.read += 1
        stats.applied += 1
        notes.removeAll(keepingCapacity: true)
        engine.apply(event, into: &notes)
        if !notes.isEmpty { log.record(notes) }
        if firstTime == nil { firstTime = event.time }
        lastTime = max(lastTime ?? event.time, event.time)
        return true
    }

    public func checkpoint() -> SessionCheckpoint {
        SessionCheckpoint(time: lastTime ?? DemoSession.startTime, engine: engine, log: log, stats: stats, lastTime: lastTime,
            replay: nil, demo: DemoState(market: market, queue: queue, queueIndex: queueIndex))
    }

    public func restore(_ checkpoint: SessionCheckpoint) throws(SessionError) {
        guard let demo = checkpoint.demo else { return }
        engine = checkpoint.engine
        log = checkpoint.log
        stats = checkpoint.stats
        lastTime = checkpoint.lastTime
        market = demo.market
        queue = demo.queue
        queueIndex = demo.queueIndex
        finished = false
    }

    /// Runs to the end.
    public func runToEnd() { while (try? step()) == true {} }
}
