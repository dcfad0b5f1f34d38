import Foundation
import Testing
@testable import MarketFeeds
import RiskEngine

/// A market source that answers every snapshot request at once with a body that cannot re-sync the
/// book (as a broken or hostile REST endpoint would), counting the requests.
final class UnusableSnapshotSource: LiveSource, @unchecked Sendable {
    let name = "binance-usdm"
    let kind = LiveStreamKind.market(symbols: ["binance-usdm:BTCUSDT"])
    let format = RecordingFormat.timestampedFrames
    let body: String
    private let lock = NSLock()
    private var queue: LiveQueue?
    private var stream = 0
    private var count = 0

    init(body: String) { self.body = body }

    var requests: Int { lock.withLock { count } }

    func start(queue: LiveQueue, stream: Int) throws(LiveStartError) {
        lock.withLock { self.queue = queue; self.stream = stream }
        queue.push(.connection(stream: stream, .connected))
        // One depth event, so the book waits for a snapshot that bridges it.
        let frame = #"{"stream":"btcusdt@depth@100ms","data":{"e":"depthUpdate","E":1723161256000,"s":"BTCUSDT","U":500,"u":510,"pu":499,"b":[["100","1"]],"a":[]}}"#
        queue.push(.frame(stream: stream, receiveTime: LiveClock.wallNanoseconds(), bytes: Array(frame.utf8)))
    }

    func requestSnapshot(symbol: String) {
        let (queue, stream) = lock.withLock { count += 1; return (self.queue, self.stream) }
        queue?.push(.snapshot(stream: stream, symbol: symbol, receiveTime: LiveClock.wallNanoseconds(), bytes: Array(body.utf8)))
    }

    func stop() {}
}

@Suite("Live resilience: snapshot backoff, a full disk, bounded queues")
struct LiveResilienceTests {
    func pump(_ session: LiveSession, for seconds: Double) {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            session.queue.wait(seconds: 0.01)
            session.pump()
        }
    }

    @Test("an unusable snapshot is not asked for again at once: the requests back off", arguments: [
        "not json at all",
        #"{"lastUpdateId":10,"bids":[["99","1"]],"asks":[["101","1"]]}"#,
    ])
    func snapshotBackoff(body: String) throws {
        let source = UnusableSnapshotSource(body: body)
        let session = try LiveSession(sources: [source], options: LiveOptions())
        try session.start()
        defer { session.stop() }
        pump(session, for: 3.2)
        // Asked at once, then no sooner than 1 s, 2 s, ... after each failure (with jitter up to
        // half a step more): at most three requests in 3.2 s. Without the backoff: thousands.
        #expect(source.requests >= 2 && source.requests <= 3, "\(source.requests) requests")
        let state = try #require(session.snapshotScheduler.states["binance-usdm:BTCUSDT"])
        #expect(state.failures >= 2)
        let described = try #require(session.resyncState(symbol: "binance-usdm:BTCUSDT", wall: LiveClock.wallNanoseconds()))
        #expect(described.hasPrefix("re-sync: "))
        #expect(described.contains("failed"))
    }

    @Test("the snapshot scheduler: floor, doubling, ceiling, one request in flight, a weight budget")
    func scheduler() {
        var configuration = SnapshotScheduler.Configuration()
        configuration.weightPerMinute = 100
        var scheduler = SnapshotScheduler(configuration: configuration)
        let second: Int64 = 1_000_000_000
        var wall: Int64 = 1_000 * second
        do { let granted = scheduler.mayRequest("A", wall: wall); #expect(granted) }
        do { let granted = scheduler.mayRequest("A", wall: wall + second); #expect(!granted) }  // in flight
        scheduler.failed("A", wall: wall, reason: "stale")
        do { let granted = scheduler.mayRequest("A", wall: wall + second / 2); #expect(!granted) }  // the floor
        #expect(scheduler.waitSeconds("A", wall: wall) >= 1 && scheduler.waitSeconds("A", wall: wall) <= 1.5)
        for failure in 2...10 {
            wall += 200 * second
            do { let granted = scheduler.mayRequest("A", wall: wall); #expect(granted) }
            scheduler.failed("A", wall: wall, reason: "stale")
            let step = min(60, Double(1 << (failure - 1)))
            let wait = scheduler.waitSeconds("A", wall: wall)
            #expect(wait >= step && wait <= min(step * 1.5, 90), "failure \(failure): \(wait)")
        }
        scheduler.succeeded("A", wall: wall)
        #expect(scheduler.waitSeconds("A", wall: wall) == 0)
        // Five requests of weight 20 fill a budget of 100 a minute; the sixth waits.
        var granted = 0
        for symbol in ["B", "C", "D", "E", "F", "G"] where scheduler.mayRequest(symbol, wall: wall) { granted += 1 }
        #expect(granted == 4)  // "A" above already used 20 of this minute
        #expect(scheduler.throttled == 2)
        do { let granted = scheduler.mayRequest("G", wall: wall + 61 * second); #expect(granted) }
        // An answer that never comes counts as a failure, backed off like any other.
        do { let granted = scheduler.mayRequest("Z", wall: wall + 61 * second); #expect(granted) }
        // Not asked again while a REST answer may still come (15 s), then backed off.
        do { let granted = scheduler.mayRequest("Z", wall: wall + 70 * second); #expect(!granted) }
        #expect(scheduler.states["Z"]?.failures == 0)
        do { let granted = scheduler.mayRequest("Z", wall: wall + 78 * second); #expect(!granted) }
        #expect(scheduler.states["Z"]?.failures == 1)
        #expect(scheduler.states["Z"]?.lastProblem?.contains("no answer within 16 s") == true)
        do { let granted = scheduler.mayRequest("Z", wall: wall + 80 * second); #expect(granted) }
    }

    /// An attacker's findings: a checksum failing on every update made OKX and Bybit subscribe
    /// again twenty times a second (each good snapshot reset the backoff), and that storm used up
    /// the one budget every venue shared, so a Binance gap waited 45 s for its snapshot.
    @Test("a book that breaks again right after each re-sync backs off further; each venue has its own budget; Retry-After holds the venue")
    func stormsAndBudgets() {
        var scheduler = SnapshotScheduler()
        let second: Int64 = 1_000_000_000
        var wall: Int64 = 1_000 * second
        let okx = "okx:BTC-USDT-SWAP"
        var waits: [Double] = []
        // As the session does it: a broken book is asked for (after `brokeAgain` when it had
        // been re-synced), the subscription's snapshot re-syncs it (`succeeded`), and the next
        // update breaks it again.
        let firstBreak = scheduler.brokeAgain(okx, wall: wall, reason: "checksum")
        #expect(!firstBreak, "a first break is not a failure")
        for _ in 0..<6 {
            while !scheduler.mayRequest(okx, wall: wall) { wall += second / 10 }
            scheduler.succeeded(okx, wall: wall)
            wall += second / 10
            let broke = scheduler.brokeAgain(okx, wall: wall, reason: "checksum")
            #expect(broke)
            waits.append(scheduler.waitSeconds(okx, wall: wall))
        }
        #expect(scheduler.states[okx]?.failures == 6)
        #expect(zip(waits, waits.dropFirst()).allSatisfy { $0 < $1 || $1 >= 60 }, "\(waits)")
        // In sync for a minute: the next break starts the count again.
        while !scheduler.mayRequest(okx, wall: wall) { wall += second }
        scheduler.succeeded(okx, wall: wall)
        wall += 61 * second
        let brokeAfterCalm = scheduler.brokeAgain(okx, wall: wall, reason: "checksum")
        #expect(!brokeAfterCalm, "after a minute in sync a break is a first one")
        #expect(scheduler.states[okx]?.failures == 0)
        #expect(scheduler.waitSeconds(okx, wall: wall) == 0)

        // OKX's budget (4 re-syncs a minute, each an unsubscribe and a subscribe) used up does
        // not hold Binance's (60 snapshots a minute).
        var budgets = SnapshotScheduler()
        var okxGranted = 0
        for index in 0..<20 where budgets.mayRequest("okx:M\(index)", wall: wall) { okxGranted += 1 }
        #expect(okxGranted == 4)
        let binanceGranted = budgets.mayRequest("binance-usdm:BTCUSDT", wall: wall)
        #expect(binanceGranted)
        var bybitGranted = 0
        for index in 0..<40 where budgets.mayRequest("bybit:M\(index)", wall: wall) { bybitGranted += 1 }
        #expect(bybitGranted == 30)

        // Retry-After: every symbol of the venue waits for it; another venue does not.
        var held = SnapshotScheduler()
        let first = held.mayRequest("binance-usdm:BTCUSDT", wall: wall)
        #expect(first)
        held.failed("binance-usdm:BTCUSDT", wall: wall, reason: "HTTP 418", retryAfter: 120)
        let duringHold = held.mayRequest("binance-usdm:ETHUSDT", wall: wall + 100 * second)
        #expect(!duringHold)
        #expect(held.waitSeconds("binance-usdm:ETHUSDT", wall: wall) == 120)
        let otherVenue = held.mayRequest("binance-coinm:BTCUSD_PERP", wall: wall + second)
        #expect(otherVenue)
        let afterHold = held.mayRequest("binance-usdm:ETHUSDT", wall: wall + 121 * second)
        #expect(afterHold)
        // A Retry-After of a day is obeyed for ten minutes at most.
        held.failed("binance-usdm:ETHUSDT", wall: wall, reason: "HTTP 429", retryAfter: 86_400)
        #expect(held.waitSeconds("binance-usdm:XRPUSDT", wall: wall) == 600)
    }

    @Test("a recording that hits a full disk stops; monitoring goes on and says why")
    func fullDisk() throws {
        let source = UnusableSnapshotSource(body: #"{"lastUpdateId":505,"bids":[["99","1"]],"asks":[["101","1"]]}"#)
        var options = LiveOptions()
        options.recordPath = "/dev/full"
        let session = try LiveSession(sources: [source], options: options)
        try session.start()
        defer { session.stop() }
        pump(session, for: 0.5)
        #expect(session.recordingError?.contains("No space left on device") == true)
        #expect(session.recordingFailedWall != nil)
        // The snapshot still re-synced the book: monitoring went on without the recording.
        #expect(session.synchronizers["binance-usdm:BTCUSDT"]?.isSynced == true)
        #expect(session.engine.market("BTCUSDT")?.book.isSynced == true)
    }

    @Test("the live queue is bounded in bytes as well as in items")
    func queueByteBound() {
        let queue = LiveQueue(capacity: 1_000, byteCapacity: 10_000)
        let frame = [UInt8](repeating: 0x41, count: 4_000)
        let pushed = Counter()
        let producer = Thread {
            for _ in 0..<5 { queue.push(.frame(stream: 0, receiveTime: 0, bytes: frame)); pushed.add() }
        }
        producer.start()
        Thread.sleep(forTimeInterval: 0.3)
        // Two frames (8,000 bytes) fit; the third would pass 10,000 and waits.
        #expect(pushed.value == 2)
        #expect(queue.take(limit: 1).count == 1)
        Thread.sleep(forTimeInterval: 0.2)
        #expect(pushed.value == 3)
        // A frame larger than the bound still passes when nothing else waits. The producer's last
        // two frames go in as room is made: take until it is done, so that the queue is empty
        // (taking once could race its pushes, and this push would then wait for ever).
        let deadline = Date().addingTimeInterval(5)
        while pushed.value < 5 && Date() < deadline {
            _ = queue.take(limit: 10)
            Thread.sleep(forTimeInterval: 0.01)
        }
        _ = queue.take(limit: 10)
        #expect(pushed.value == 5)
        #expect(queue.push(.frame(stream: 0, receiveTime: 0, bytes: [UInt8](repeating: 0, count: 20_000))))
        queue.shutDown()
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
