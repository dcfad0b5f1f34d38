import RiskEngine

/// How a live session is set up.
public struct LiveOptions: Sendable {
    public var session = ReplayOptions()
    /// Seconds of silence after which a stream is STALE.
    public var staleAfter: Double = 5
    /// Record every raw frame here (market frames; an event stream beside a market goes to
    /// `FILE.events`).
    public var recordPath: String?
    public var rotation = LiveRecorder.Rotation()
    /// Seconds to wait for a requested snapshot before asking again.
    public var snapshotRetry: Double = 5

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
    /// Wall time a snapshot was asked for, per symbol, until it arrives.
    var snapshotRequested: [String: Int64] = [:]
    var messages: [FeedMessage] = []
    var line: [UInt8] = []
    public private(set) var recordingError: String?
    public private(set) var started = false

    public var engine: Engine { applier.engine }
    public var log: SessionLog { applier.log }
    public var synchronizers: [String: DepthSynchronizer] { applier.synchronizers }
    public var firstTime: Int64? { applier.firstTime }
    public var lastTime: Int64? { applier.lastTime }

    public init(sources: [any LiveSource], options: LiveOptions, queue: LiveQueue = LiveQueue()) throws(InputError) {
        self.sources = sources
        self.options = options
        self.queue = queue
        applier = FeedApplier(options: options.session)
        health = sources.map { StreamHealth(name: $0.name, kind: $0.kind) }
        decoders = sources.map { source -> any LineDecoder in
            source.format == .liqwatchEvents ? LiqwatchEventDecoder() : BinanceLineDecoder(timestamped: true)
        }
        recorders = []
        if let path = options.recordPath {
            let hasMarket = sources.contains { $0.format != .liqwatchEvents }
            for source in sources {
                let target = source.format == .liqwatchEvents && hasMarket ? path + ".events" : path
                recorders.append(try LiveRecorder(path: target, rotation: options.rotation))
            }
        } else {
            recorders = sources.map { _ in nil }
        }
    }

    public func start() {
        guard !started else { return }
        started = true
        for (index, source) in sources.enumerated() { source.start(queue: queue, stream: index) }
    }

    public func stop() {
        for source in sources { source.stop() }
        queue.shutDown()
    }

    /// Applies what is waiting, for at most `budget` nanoseconds of work (so the keyboard and the
    /// screen get their turn while a feed floods). Returns how many items were handled.
    @discardableResult
    public func pump(budget: Int64 = 10_000_000) -> Int {
        let started = LiveClock.monotonicNanoseconds()
        var handled = 0
        while true {
            let items = queue.take(limit: 256)
            if items.isEmpty { break }
            for item in items { handle(item) }
            handled += items.count
            if LiveClock.monotonicNanoseconds() - started >= budget { break }
        }
        requestDueSnapshots(wall: LiveClock.wallNanoseconds())
        return handled
    }

    func handle(_ item: LiveItem) {
        switch item {
        case .frame(let stream, let receiveTime, let bytes):
            health[stream].noteMessage(wall: receiveTime)
            decode(stream: stream, receiveTime: receiveTime, bytes: bytes, snapshotFor: nil)
        case .snapshot(let stream, let symbol, let receiveTime, let bytes):
            snapshotRequested[symbol] = nil
            decode(stream: stream, receiveTime: receiveTime, bytes: bytes, snapshotFor: symbol)
        case .connection(let stream, let event):
            connection(event, stream: stream)
        }
    }

    /// Builds the line exactly as it is recorded (`<receive time ns> <frame>`), records it, and
    /// decodes it as a replay of the recording will.
    func decode(stream: Int, receiveTime: Int64, bytes: [UInt8], snapshotFor symbol: String?) {
        LiveRecorder.line(receiveTime: receiveTime, frame: bytes, into: &line)
        if let recorder = recorders[stream] {
            do {
                let rotated = try recorder.write(line: line)
                if rotated, case .market(let symbols) = sources[stream].kind {
                    // Each segment starts with its own snapshots, so it replays on its own.
                    for name in symbols { sources[stream].requestSnapshot(symbol: name); snapshotRequested[name] = LiveClock.wallNanoseconds() }
                }
            } catch {
                recordingError = error.description
                recorders[stream] = nil
            }
        }
        stats.read += 1
        messages.removeAll(keepingCapacity: true)
        let outcome = line.withUnsafeBufferPointer { decoders[stream].decode($0.baseAddress!, count: $0.count, into: &messages) }
        switch outcome {
        case .decoded: stats.applied += 1
        case .skipped: stats.skipped += 1
        case .malformed(let field):
            health[stream].malformed += 1
            stats.noteMalformed(file: sources[stream].name, line: health[stream].messages, field: field)
        }
        for var message in messages {
            // The REST body names no symbol; this one was asked for a known symbol.
            if let symbol, case .snapshot(var snapshot) = message {
                snapshot.symbol = symbol
                message = .snapshot(snapshot)
            }
            applier.handle(message)
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
                // What arrives on a new connection does not follow what was applied: re-sync.
                applier.restartSync(symbols: symbols, time: max(applier.engine.time, 0))
                for symbol in symbols {
                    sources[stream].requestSnapshot(symbol: symbol)
                    snapshotRequested[symbol] = wall
                }
            }
        case .disconnected(let reason, let retryIn):
            health[stream].state = .reconnecting(reason: reason, retryIn: retryIn)
            health[stream].lastError = reason
        case .snapshotFailed(let symbol, let reason):
            health[stream].snapshotFailures += 1
            health[stream].lastError = "snapshot \(symbol): \(reason)"
        case .ended:
            health[stream].state = .ended
        }
    }

    /// A book that lost its sync (a gap) needs a snapshot; one asked for long ago is asked again.
    func requestDueSnapshots(wall: Int64) {
        for (index, source) in sources.enumerated() {
            guard case .market(let symbols) = source.kind, health[index].state == .live else { continue }
            for symbol in symbols {
                guard let synchronizer = applier.synchronizers[symbol], synchronizer.isAwaitingSnapshot else { continue }
                if let asked = snapshotRequested[symbol], Double(wall - asked) / 1e9 < options.snapshotRetry { continue }
                source.requestSnapshot(symbol: symbol)
                snapshotRequested[symbol] = wall
            }
        }
    }

    /// Streams that are STALE now.
    public func staleStreams(wall: Int64) -> [StreamHealth] {
        health.filter { $0.isStale(wall: wall, threshold: options.staleAfter) }
    }

    public var reconnects: Int { health.reduce(0) { $0 + $1.reconnects } }
    public var gaps: Int { applier.synchronizers.values.reduce(0) { $0 + $1.counters.gaps } }
    public var resyncs: Int { applier.synchronizers.values.reduce(0) { $0 + $1.counters.resyncs } }

    /// The recording's files so far (segments included).
    public var recordedPaths: [String] {
        recorders.compactMap { $0 }.flatMap { recorder in
            [recorder.basePath] + (0..<recorder.segment).map { "\(recorder.basePath).\($0 + 1)" }
        }
    }
}
