import RiskEngine

/// How a live session is set up.
public struct LiveOptions: Sendable {
    public var session = SessionOptions()
    /// Seconds of silence after which a stream is STALE.
    public var staleAfter: Double = 5
    /// Record every raw frame here (market frames; an event stream beside a market goes to
    /// `FILE.events`).
    public var recordPath: String?
    public var rotation = LiveRecorder.Rotation()
    /// When a book that lost its sync may ask for another REST snapshot (backoff, weight budget).
    public var snapshots = SnapshotScheduler.Configuration()

    public init() {}
}

/// A live session: sources on threads of their own hand raw frames over a bounded queue; this
/// object, owned by one thread, records each frame, decodes it exactly as a replay of the
/// recording would (the same line format, the same decoders, the same applier), and keeps every
/// stream's health. Gaps and reconnects ask the source for a fresh snapshot.
public final class LiveSession {
    var applier: FeedApplier
    public private(set) var stats = FrameStats()
    public private(set) var health: [StreamHealth]
    public let sources: [any LiveSource]
    public let options: LiveOptions
    public let queue: LiveQueue
    var decoders: [any LineDecoder]
    var recorders: [LiveRecorder?]
    /// The venue of each market stream, as the prefix of its market ids (`bybit:`; nil for an
    /// event stream): frames are told apart by their
    /// shape, so a frame of another venue sent down this connection would otherwise be applied to
    /// that venue's market (one hostile or broken venue could forge another's book and
    /// liquidations). Such a frame is refused whole, counted as malformed and not recorded. (The
    /// venue's decoders in this stream's `VenueFrames` that read it serve no other frame of the
    /// stream, so what they kept of it changes nothing; a frame of the stream's own venue naming
    /// a market it did not subscribe to is the venue's word, applied and recorded like any other,
    /// so that the replay decodes exactly what the live session did.)
    let streamVenues: [String??]
    /// Which books may ask for a snapshot, and when (see `SnapshotScheduler`).
    public private(set) var snapshotScheduler: SnapshotScheduler
    var messages: [FeedMessage] = []
    var line: [UInt8] = []
    /// Why recording stopped (a full disk, a removed directory); monitoring goes on without it.
    public private(set) var recordingError: String?
    /// Wall time (ns) the recording stopped.
    public private(set) var recordingFailedWall: Int64?
    public private(set) var started = false
    /// Subscribed markets that have had no book yet, and when the session started (wall ns):
    /// past `firstBookGrace` seconds they are watched, STALE in the status bar and the alerts.
    var awaitingFirstBook: [String] = []
    var startedWall: Int64 = 0
    public static let firstBookGrace: Double = 10

    public var engine: Engine { applier.engine }
    public var log: SessionLog { applier.log }
    public var synchronizers: [String: DepthSynchronizer] { applier.synchronizers }
    public var firstTime: Int64? { applier.firstTime }
    public var lastTime: Int64? { applier.lastTime }

    public init(sources: [any LiveSource], options: LiveOptions, queue: LiveQueue = LiveQueue()) throws(InputError) {
        self.sources = sources
        self.queue = queue
        applier = FeedApplier(options: options.session)
        // The positions are in the engine now (see `ReplaySession.init`).
        var kept = options
        kept.session.positions = []
        self.options = kept
        snapshotScheduler = SnapshotScheduler(configuration: options.snapshots)
        health = sources.map { source in
            var health = StreamHealth(name: source.name, kind: source.kind)
            health.feedsVenueWide = source.feedsVenueWide
            return health
        }
        // Market frames of any venue are told apart by their shape (`VenueFrames`), exactly as a
        // replay of the recording tells them.
        decoders = sources.map { source -> any LineDecoder in
            source.format == .liqwatchEvents ? LiqwatchEventDecoder(resolver: options.session.resolver) : VenueLineDecoder(timestamped: true)
        }
        for source in sources {
            guard case .market(let symbols) = source.kind else { continue }
            applier.watch(markets: symbols)
            awaitingFirstBook += symbols
        }
        streamVenues = sources.map { source in
            guard case .market(let symbols) = source.kind else { return nil }
            return .some(symbols.first.flatMap { market in MarketID.venue(of: market).map { $0.rawValue + ":" } })
        }
        recorders = []
        if let path = options.recordPath {
            // Every market stream goes to one file, in the order its frames were applied, so the
            // replay applies them in the same order; an event stream beside them to FILE.events.
            let hasMarket = sources.contains { $0.format != .liqwatchEvents }
            var marketRecorder: LiveRecorder?
            var eventRecorder: LiveRecorder?
            for source in sources {
                if source.format == .liqwatchEvents && hasMarket {
                    if eventRecorder == nil { eventRecorder = try LiveRecorder(path: path + ".events", rotation: options.rotation) }
                    recorders.append(eventRecorder)
                } else {
                    if marketRecorder == nil { marketRecorder = try LiveRecorder(path: path, rotation: options.rotation) }
                    recorders.append(marketRecorder)
                }
            }
        } else {
            recorders = sources.map { _ in nil }
        }
    }

    /// Starts every source. A source that cannot start (a `listen://` port in use) stops the
    /// ones already started and throws: the command reports it and exits 2.
    public func start() throws(LiveStartError) {
        guard !started else { return }
        startedWall = LiveClock.wallNanoseconds()
        for (index, source) in sources.enumerated() {
            do { try source.start(queue: queue, stream: index) } catch {
                for started in sources[..<index] { started.stop() }
                throw error
            }
        }
        started = true
    }

    /// Stops every source. The queue is shut first, so a source waiting to hand over a frame is
    /// released before it is asked to stop; what was queued can still be taken and applied.
    public func stop() {
        queue.shutDown()
        for source in sources { source.stop() }
    }

    /// Liquidations of one cascade applied before the pump stops in the middle of it and goes on
    /// at the next (see `SessionDriver.liquidationSlice`): a dashboard sets it so that a cascade of
    /// a hundred thousand accounts does not hold a key for a second. `Int.max` (the default, and a
    /// headless run) applies every frame whole. Sliced or not, the session reaches the same state.
    public var liquidationSlice = Int.max
    /// The snapshot symbol of the frame whose messages are being applied, and the next of them.
    var messageSymbol: String?
    var nextMessage = 0
    /// Items taken from the queue and not handled yet: those after a frame whose cascade was cut.
    var heldItems: [LiveItem] = []
    var nextHeldItem = 0

    /// Whether a cascade was cut and work waits for the next pump, whatever the queue holds.
    public var hasUnfinishedWork: Bool {
        applier.isMidMessage || nextMessage < messages.count || nextHeldItem < heldItems.count
    }

    /// Applies what is waiting, for at most `budget` nanoseconds of work (so the keyboard and the
    /// screen get their turn while a feed floods). Returns how many items were handled and slices
    /// of a cut cascade applied.
    @discardableResult
    public func pump(budget: Int64 = 10_000_000) -> Int {
        let started = LiveClock.monotonicNanoseconds()
        func spent() -> Bool { LiveClock.monotonicNanoseconds() - started >= budget }
        var handled = 0
        while continueUnfinishedWork(handled: &handled, spent: spent) {
            if handled > 0 && spent() { break }
            let items = queue.take(limit: 256)
            if items.isEmpty { break }
            heldItems = items
            nextHeldItem = 0
        }
        let wall = LiveClock.wallNanoseconds()
        noteResubscriptionsAnswered()
        requestDueSnapshots(wall: wall)
        noteOverdueBooks(wall: wall)
        return handled
    }

    /// Goes on with what was left: a cut cascade (a slice at a time while the budget lasts), the
    /// rest of its frame's messages, the rest of the items taken with it. Returns false when the
    /// budget ran out in a cut cascade (the rest waits for the next pump).
    func continueUnfinishedWork(handled: inout Int, spent: () -> Bool) -> Bool {
        while true {
            if applier.isMidMessage {
                applier.continueMessage(liquidationLimit: liquidationSlice)
                handled += 1
                if applier.isMidMessage && spent() { return false }
                continue
            }
            if nextMessage < messages.count {
                applyMessages()
                if applier.isMidMessage && spent() { return false }
                continue
            }
            guard nextHeldItem < heldItems.count else {
                heldItems.removeAll(keepingCapacity: true)
                nextHeldItem = 0
                return true
            }
            var item = LiveItem.connection(stream: 0, .connecting)
            swap(&item, &heldItems[nextHeldItem])
            nextHeldItem += 1
            handle(item)
            handled += 1
            if applier.isMidMessage && spent() { return false }
        }
    }

    /// Subscribed markets with no book `firstBookGrace` seconds after the start are watched.
    func noteOverdueBooks(wall: Int64) {
        guard !awaitingFirstBook.isEmpty else { return }
        let due = Double(wall - startedWall) / 1e9 >= LiveSession.firstBookGrace
        var overdue = false
        awaitingFirstBook.removeAll { market in
            if applier.engine.market(market)?.book.hasSnapshot == true { return true }
            guard due else { return false }
            applier.noteBookOverdue(market: market)
            overdue = true
            return true
        }
        // The engine's sample tells the operator (`Engine.noteConditions`): taken now, at the
        // wall's time, though no event may come (a venue whose snapshots keep failing holds its
        // deltas back, and nothing else is applied).
        if overdue, !applier.engine.isMidCascade {
            applier.apply(.clock(time: max(applier.engine.time, wall)))
        }
    }

    /// A book re-synced by a subscription's own snapshot (no `.snapshot` item tells of it): once it
    /// is in sync again, its request was answered and the backoff starts again.
    func noteResubscriptionsAnswered() {
        guard snapshotScheduler.hasRequestsInFlight else { return }
        let wall = LiveClock.wallNanoseconds()
        for name in snapshotScheduler.requestsInFlight {
            if let synchronizer = applier.synchronizers[name], !synchronizer.isAwaitingSnapshot { snapshotScheduler.succeeded(name, wall: wall) }
        }
    }

    func handle(_ item: LiveItem) {
        switch item {
        case .frame(let stream, let receiveTime, let bytes):
            let freshBefore = health[stream].lastMessageWall
            let appliedBefore = stats.applied
            health[stream].noteMessage(wall: receiveTime)
            decode(stream: stream, receiveTime: receiveTime, bytes: bytes, snapshotFor: nil)
            // A frame liqwatch does not apply (a kline stream's, an answer, a malformed one) says
            // the socket is up, not that the market's data flows: counted, but the feed's age runs
            // on (a server sending only klines read `feed age 1.3s` and live for minutes, the
            // signals frozen: attacker trial).
            if stats.applied == appliedBefore, let freshBefore { health[stream].keepAge(since: freshBefore) }
        case .eventLine(let stream, let receiveTime, let bytes, let origin):
            health[stream].noteMessage(wall: receiveTime)
            decode(stream: stream, receiveTime: receiveTime, bytes: bytes, snapshotFor: nil, origin: origin)
        case .snapshot(let stream, let symbol, let receiveTime, let bytes):
            let malformedBefore = stats.malformed
            let problemBefore = applier.synchronizers[symbol]?.counters.lastProblem
            let gapsBefore = applier.synchronizers[symbol]?.counters.gaps ?? 0
            decode(stream: stream, receiveTime: receiveTime, bytes: bytes, snapshotFor: symbol)
            // A snapshot that did not re-sync the book (stale, not JSON, another symbol's, far
            // from the mark) must not be asked for again at once: back off.
            if let synchronizer = applier.synchronizers[symbol], !synchronizer.isAwaitingSnapshot {
                snapshotScheduler.succeeded(symbol, wall: LiveClock.wallNanoseconds())
            } else {
                let synchronizer = applier.synchronizers[symbol]
                let said = synchronizer.flatMap { $0.counters.gaps > gapsBefore || $0.counters.lastProblem != problemBefore ? $0.counters.lastProblem : nil }
                let reason = stats.malformed > malformedBefore ? "the snapshot was not a depth snapshot" : said ?? "the snapshot did not bridge the stream"
                snapshotScheduler.failed(symbol, wall: LiveClock.wallNanoseconds(), reason: reason)
            }
        case .connection(let stream, let event):
            connection(event, stream: stream)
        case .malformedLine(let stream, let receiveTime, let field, let origin):
            health[stream].noteMessage(wall: receiveTime)
            health[stream].malformed += 1
            stats.read += 1
            stats.noteMalformed(file: origin.place(in: sources[stream].name), line: origin.line, field: field)
        }
    }

    /// Builds the line exactly as it is recorded (`<receive time ns> <frame>`), records it, and
    /// decodes it as a replay of the recording will.
    /// `origin`: where an event line stands in what its sender sent (nil: a venue's frame, named
    /// by its number on the stream).
    func decode(stream: Int, receiveTime: Int64, bytes: [UInt8], snapshotFor symbol: String?, origin: EventLineOrigin? = nil) {
        if let symbol {
            LiveRecorder.line(receiveTime: receiveTime, frame: LiveRecorder.naming(MarketID.symbol(of: symbol), inSnapshot: bytes), into: &line)
        } else {
            LiveRecorder.line(receiveTime: receiveTime, frame: bytes, into: &line)
        }
        stats.read += 1
        messages.removeAll(keepingCapacity: true)
        var outcome = line.withUnsafeBufferPointer { decoders[stream].decode($0.baseAddress!, count: $0.count, into: &messages) }
        if case .decoded = outcome, symbol == nil, let stranger = strangerMarket(stream: stream) {
            // Not recorded either: a replay of the recording, which tells frames apart by their
            // shape alone, would apply it.
            messages.removeAll(keepingCapacity: true)
            outcome = .malformed(field: "symbol: \(SafeText.escaped(stranger)) is another venue's market")
        } else {
            record(stream: stream)
        }
        if case .decoded = outcome, sources[stream].format == .liqwatchEvents, let ahead = timeAheadOfWall(receiveTime: receiveTime) {
            // A line dated past the wall clock by more than a book or a mark may age: applied, it
            // moved the session's clock ahead and every book and mark after it read outdated, no
            // liquidation for the rest of the session (attacker trial: one event line 10 minutes
            // ahead). The replay's guard judges a line by the lines around it; live, the wall
            // clock is the judge, for the operator's own event lines (a venue's frames carry the
            // exchange's clock, which a host's drifted clock must not get refused). Its messages go as a replay's spike's do (book messages become
            // gaps); the recording keeps the line as it came.
            let kept = messages.compactMap { TimeSpikeGuard.remains(of: $0, line: origin?.line ?? health[stream].messages, time: receiveTime) }
            messages = kept
            outcome = .malformed(field: "time (\(EventTime.iso8601(ahead)), \(TimeSpikeGuard.gap(ahead &- receiveTime)) ahead of the wall clock)")
        }
        switch outcome {
        case .decoded: stats.applied += 1
        case .skipped: stats.skipped += 1
        // Live streams have no header lines; counted as skipped should one ever come.
        case .header: stats.skipped += 1
        case .malformed(let field):
            health[stream].malformed += 1
            stats.noteMalformed(file: origin?.place(in: sources[stream].name) ?? sources[stream].name,
                line: origin?.line ?? health[stream].messages, field: field)
        }
        messageSymbol = symbol
        nextMessage = 0
        applyMessages()
    }

    /// The latest time of the decoded messages when it is past `receiveTime` (the wall clock) by
    /// more than `TimeSpikeGuard.tolerance`; nil otherwise.
    func timeAheadOfWall(receiveTime: Int64) -> Int64? {
        var latest: Int64 = .min
        for message in messages { latest = max(latest, message.time) }
        return latest > receiveTime &+ TimeSpikeGuard.tolerance ? latest : nil
    }

    /// A market of another venue that the decoded frame names (see `streamVenues`).
    /// Compared as bytes of the id's prefix: every message of every frame is asked.
    func strangerMarket(stream: Int) -> String? {
        guard let prefix = streamVenues[stream] else { return nil }
        for message in messages {
            guard let market = message.symbol else { continue }
            if let prefix {
                if !market.utf8.starts(with: prefix.utf8) { return market }
            } else if market.utf8.contains(UInt8(ascii: ":")) {
                return market
            }
        }
        return nil
    }

    /// Writes the line just decoded to the stream's recording, if it has one.
    func record(stream: Int) {
        if let recorder = recorders[stream] {
            do {
                let rotated = try recorder.write(line: line)
                if rotated {
                    // Each segment starts with its own snapshots, so it replays on its own: every
                    // market stream writing to this file (all venues share one) asks for them.
                    let wall = LiveClock.wallNanoseconds()
                    for (index, source) in sources.enumerated() where recorders[index] === recorder {
                        guard case .market(let symbols) = source.kind else { continue }
                        for name in symbols where snapshotScheduler.mayRequest(name, wall: wall) { source.requestSnapshot(symbol: name) }
                    }
                }
            } catch {
                // Monitoring goes on; the status bar and the health view say the recording stopped.
                recordingError = error.description
                recordingFailedWall = LiveClock.wallNanoseconds()
                recorders = recorders.map { _ in nil }
            }
        }
    }

    /// Applies the decoded frame's messages from the next one, stopping at one whose cascade is cut.
    func applyMessages() {
        while nextMessage < messages.count {
            var message = messages[nextMessage]
            nextMessage += 1
            // The REST body names no symbol; this one was asked for a known symbol.
            if let symbol = messageSymbol, case .snapshot(var snapshot) = message {
                snapshot.symbol = symbol
                message = .snapshot(snapshot)
            }
            applier.handle(message, liquidationLimit: liquidationSlice)
            if applier.isMidMessage { return }
        }
    }

    func connection(_ event: ConnectionEvent, stream: Int) {
        let wall = LiveClock.wallNanoseconds()
        switch event {
        case .connecting:
            if health[stream].state != .live { health[stream].state = .connecting }
        case .connected:
            if health[stream].connectedWall != nil { health[stream].reconnects += 1 }
            health[stream].connectedWall = wall
            health[stream].state = .live
            if case .market(let symbols) = sources[stream].kind {
                // What arrives on a new connection does not follow what was applied: re-sync. A
                // venue whose subscriptions start with a snapshot re-syncs on its own.
                applier.restartSync(symbols: symbols, time: max(applier.engine.time, 0))
                for symbol in symbols {
                    snapshotScheduler.reset(symbol)
                    if sources[stream].resyncsBySubscription {
                        // The subscription just sent asks for the snapshot: wait for it as for an
                        // answer, or the next pump would re-subscribe every book of the venue at once.
                        snapshotScheduler.noteRequested(symbol, wall: wall)
                        continue
                    }
                    if snapshotScheduler.mayRequest(symbol, wall: wall) { sources[stream].requestSnapshot(symbol: symbol) }
                }
            }
        case .disconnected(let reason, let retryIn):
            if health[stream].state != .live { health[stream].failedConnections += 1 }
            health[stream].state = .reconnecting(reason: reason, retryIn: retryIn)
            health[stream].noteError(reason, wall: wall)
        case .snapshotFailed(let symbol, let reason, let retryAfter):
            health[stream].snapshotFailures += 1
            health[stream].noteError("snapshot \(symbol): \(reason)", wall: wall)
            snapshotScheduler.failed(symbol, wall: wall, reason: reason, retryAfter: retryAfter)
        case .ended:
            health[stream].state = .ended
        case .venueNotice(let text):
            health[stream].venueNotices += 1
            health[stream].noteError(text, wall: wall)
        case .listening:
            health[stream].publishers = 0
            health[stream].connectedWall = wall
            health[stream].state = .listening
        case .publishers(let count, let note):
            health[stream].publishers = count
            if let note { health[stream].noteError(note, wall: wall) }
            if count > 0 { health[stream].state = .live } else if health[stream].state != .ended { health[stream].state = .listening }
        }
    }

    /// A book that lost its sync (a gap) needs a snapshot, when the scheduler allows one.
    func requestDueSnapshots(wall: Int64) {
        for (index, source) in sources.enumerated() {
            guard case .market(let symbols) = source.kind, health[index].state == .live else { continue }
            for symbol in symbols {
                guard let synchronizer = applier.synchronizers[symbol], synchronizer.isAwaitingSnapshot else { continue }
                _ = snapshotScheduler.brokeAgain(symbol, wall: wall, reason: synchronizer.counters.lastProblem ?? "the book lost its sync again")
                if snapshotScheduler.mayRequest(symbol, wall: wall) { source.requestSnapshot(symbol: symbol) }
            }
        }
    }

    /// What a book waiting for a snapshot is doing, for the health view ("re-sync: attempt 3, next
    /// in 4.0 s: the snapshot did not bridge the stream"); nil when the book is in sync.
    public func resyncState(symbol: String, wall: Int64) -> String? {
        guard let synchronizer = applier.synchronizers[symbol], synchronizer.isAwaitingSnapshot else { return nil }
        guard let state = snapshotScheduler.states[symbol] else { return "re-sync: waiting for the stream" }
        var text = "re-sync"
        if state.failures > 0 { text += ": \(state.failures) failed" }
        let wait = snapshotScheduler.waitSeconds(symbol, wall: wall)
        if state.requestedAt != nil { text += resyncsBySubscription(symbol) ? ", subscribed again" : ", snapshot asked" }
        else if wait > 0 { text += ", next in \(Int(wait.rounded(.up))) s" }
        if let problem = state.lastProblem { text += " (\(problem))" }
        return text
    }

    /// Whether the book of `symbol` re-syncs from its own stream's snapshot (Bybit, OKX,
    /// Hyperliquid) rather than from a REST snapshot.
    func resyncsBySubscription(_ symbol: String) -> Bool {
        sources.contains { source in
            guard source.resyncsBySubscription, case .market(let symbols) = source.kind else { return false }
            return symbols.contains(symbol)
        }
    }

    /// Streams that are STALE now.
    public func staleStreams(wall: Int64) -> [StreamHealth] {
        health.filter { $0.isStale(wall: wall, threshold: options.staleAfter) }
    }

    public var reconnects: Int { health.reduce(0) { $0 + $1.reconnects } }
    /// Each stream as the alert watcher judges it: silent past `staleAfter`, or reconnecting.
    public func streamConditions(wall: Int64) -> [StreamCondition] {
        health.map { stream in
            StreamCondition(name: stream.name, stale: stream.isStale(wall: wall, threshold: options.staleAfter),
                connected: stream.isConnected, receiving: stream.isReceiving)
        }
    }

    /// What is new for the operator since `watcher` last looked.
    public func newAlerts(_ watcher: inout AlertWatcher, wall: Int64) -> [OperatorAlert] {
        watcher.newAlerts(log: log, streams: streamConditions(wall: wall),
            recordingError: recordingError, time: wall)
    }

    public var feedSummary: FeedSummary {
        FeedSummary(engine: engine, log: log, stats: stats, synchronizers: synchronizers, health: health, wall: LiveClock.wallNanoseconds(),
            staleAfter: options.staleAfter)
    }

    /// The recording's files so far (segments included).
    public var recordedPaths: [String] {
        recorders.compactMap { $0 }.flatMap { recorder in
            [recorder.basePath] + (0..<recorder.segment).map { "\(recorder.basePath).\($0 + 1)" }
        }
    }
}
