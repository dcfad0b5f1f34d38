import RiskEngine

/// How a replay is set up.
public struct SessionOptions: Sendable {
    public var configuration = EngineConfiguration()
    public var catalog = InstrumentCatalog.builtIn
    public var positions: [PositionUpdate] = []
    public var syntheticPositions: Int? = nil
    public var seed: UInt64 = 1
    /// Opening fund balances: of one venue, or (no venue) of every venue's fund in the asset.
    public var insuranceFund: [FundOpening] = FundOpening.defaults
    public var strict = false
    /// Decompress, and when run to the end decode, on threads of their own.
    public var threaded = true
    /// How the bare symbols of positions and event lines name markets: the session's venues.
    public var resolver = MarketResolver.default

    public init() {}
}

/// An opening balance for an insurance fund: a venue's in one asset, or with no venue, every
/// venue's fund in the asset (each venue backs its own liquidations: see `InsuranceFund`).
public struct FundOpening: Hashable, Sendable {
    public var venue: String?
    public var asset: String
    public var balance: Fixed
    /// A default nobody chose: an events file's first `insurance_fund` line for the fund replaces
    /// it as the opening balance (the operator's own figure stands, and the line is a statement).
    public var provisional: Bool

    public init(venue: String? = nil, asset: String, balance: Fixed, provisional: Bool = false) {
        self.venue = venue
        self.asset = asset
        self.balance = balance
        self.provisional = provisional
    }

    /// 250,000 in each venue's main settlement asset (USDT; Hyperliquid's USDC), provisionally.
    public static let defaults = [
        FundOpening(asset: "USDT", balance: Fixed(250_000), provisional: true),
        FundOpening(venue: Venue.hyperliquid.rawValue, asset: "USDC", balance: Fixed(250_000), provisional: true),
    ]
}

/// Replays recordings through the engine: reads each file as a stream (memory stays flat), merges
/// them by time, keeps Binance books in sync by Binance's rules, and records what happened.
public final class ReplaySession: SessionDriver {
    var applier: FeedApplier
    public private(set) var stats = FrameStats()
    public let paths: [String]
    let options: SessionOptions
    var inputs: [ReplayInput] = []
    /// Every input read and the last step whole (a cascade cut in slices is not the end yet).
    public var finished: Bool { inputsEnded && !isMidStep }
    var inputsEnded = false

    /// An input whose integrity check failed after some of it was replayed (a damaged .gz).
    public struct UnverifiedInput: Sendable, Equatable {
        public var path: String
        public var reason: String
        /// The markets its replayed messages named, sorted.
        public var markets: [String]
    }
    /// Inputs that failed their check, and the markets replayed from them.
    public private(set) var unverifiedInputs: [UnverifiedInput] = []

    public var engine: Engine { applier.engine }
    /// With synthetic positions asked for, the markets that got none, and why (they are placed
    /// at a market's first mark with a book on both sides: a one-sided Deribit book had none, and
    /// the report said nothing).
    public var unseededMarkets: [(symbol: String, reason: String)] { applier.unseededMarkets }
    public var log: SessionLog { applier.log }
    public var synchronizers: [String: DepthSynchronizer] { applier.synchronizers }
    /// Frames of instruments not watched (an OKX capture's spot book), by instrument and reason.
    public var skippedInstruments: [String: Int] { stats.skippedInstruments }
    public var firstTime: Int64? { applier.firstTime }
    public var lastTime: Int64? { applier.lastTime }

    public init(paths: [String], options: SessionOptions) throws(SessionError) {
        self.paths = paths
        applier = FeedApplier(options: options)
        // The positions are in the engine now; kept here they would hold a second copy of a
        // positions file's rows (190 MB at a million) for the whole session.
        var kept = options
        kept.positions = []
        self.options = kept
        var opened: [ReplayInput] = []
        for path in paths { opened.append(try ReplayInput(path: path, threaded: options.threaded, resolver: options.resolver)) }
        // One recording given twice under two forms (a copy a byte longer, a `.gz` beside its
        // unpacked text): the same first line, dated (ten digits and more: a Tardis header, the
        // same in every file of its kind, has none). Merged with itself its trades counted twice
        // (attacker trial).
        var openings: [[UInt8]: String] = [:]
        for input in opened where input.openingLine.filter({ $0 >= 0x30 && $0 <= 0x39 }).count >= 10 {
            if let other = openings[input.openingLine] {
                for each in opened { each.readingAhead?.stop() }
                throw .sameRecording(path: input.path, other: other)
            }
            openings[input.openingLine] = input.path
        }
        // A cryptofeed capture's REST snapshots live in the matching `.http.` file beside it.
        for input in opened where input.format == .cryptofeed {
            for companion in ReplaySession.companionHTTPFiles(of: input.path) where !paths.contains(companion) {
                opened.append(try ReplayInput(path: companion, threaded: false, resolver: options.resolver))
            }
        }
        inputs = opened
    }

    static func companionHTTPFiles(of path: String) -> [String] {
        let directory = Paths.directory(of: path)
        let name = Paths.fileName(of: path)
        guard let range = name.range(of: ".ws.") else { return [] }
        let prefix = name[..<range.lowerBound] + ".http."
        return Paths.list(directory).filter { $0.hasPrefix(prefix) }.sorted().map { directory + "/" + $0 }
    }

    /// Fraction of the recordings read so far.
    public var progress: Double {
        guard !inputs.isEmpty else { return 1 }
        return inputs.map(\.progress).reduce(0, +) / Double(inputs.count)
    }

    // MARK: Reading

    /// Decodes lines of an input until it has a message or ends.
    func refill(_ input: ReplayInput) throws(SessionError) {
        if input.ahead != nil || input.deferredFailure != nil { return try refillFromThread(input) }
        // A line held by the time guard is not handed on until the next line says what it was.
        while (input.pendingIndex >= input.pending.count || input.timeGuard.isHolding) && !input.ended {
            if input.pendingIndex >= input.pending.count {
                input.pending.removeAll(keepingCapacity: true)
                input.pendingIndex = 0
            }
            let line: InputLine?
            if let first = input.firstLine {
                line = first
                input.firstLine = nil
            } else {
                do { line = try input.reader.nextLine() } catch { throw .input(error) }
            }
            guard let line else {
                input.ended = true
                // A line held at the end has no line after it to judge it by: it is applied.
                input.timeGuard.release()
                input.decoder.finish(into: &input.pending)
                return
            }
            input.linesConsumed += 1
            if line.count == 0 && !line.isOverlong { continue }
            stats.read += 1
            let before = input.pending.count
            let outcome = line.isOverlong ? DecodeOutcome.overlongLine : input.decoder.decode(line.bytes, count: line.count, into: &input.pending)
            if let spike = input.timeGuard.check(&input.pending, from: before, line: line.number, tookEarlierTime: input.decoder.lastLineTookEarlierTime) {
                stats.applied -= 1
                stats.noteMalformed(file: input.path, line: spike.line, field: spike.field)
                // As the decoding thread does: the line that told is used, then the error comes
                // (`refillFromThread` throws it once what is pending is used).
                if options.strict { input.deferredFailure = .malformed(path: input.path, line: spike.line, field: spike.field) }
            }
            switch outcome {
            case .decoded:
                stats.applied += 1
            case .skipped:
                stats.skipped += 1
            case .header:
                stats.read -= 1
            case .malformed(let field):
                stats.noteMalformed(file: input.path, line: line.number, field: field)
                if options.strict { throw .malformed(path: input.path, line: line.number, field: field) }
            }
        }
    }

    /// Takes batches the input's decoding thread made until it has a message or ends; an error
    /// the thread stopped on is thrown once the messages before it have been used.
    func refillFromThread(_ input: ReplayInput) throws(SessionError) {
        while input.pendingIndex >= input.pending.count && !input.ended {
            if let failure = input.deferredFailure {
                input.deferredFailure = nil
                stopDecodingAhead(input)
                throw failure
            }
            guard let thread = input.ahead, let batch = thread.next(idleWork: input.idleWork) else {
                stopDecodingAhead(input)
                return
            }
            count(batch, of: input)
            input.take(batch)
        }
        if input.ended { stopDecodingAhead(input) }
    }

    func count(_ batch: DecodeAhead.Batch, of input: ReplayInput) {
        stats.read += batch.read
        stats.applied += batch.applied
        stats.skipped += batch.skipped
        for (line, field) in batch.malformed { stats.noteMalformed(file: input.path, line: line, field: field) }
    }

    /// Back to decoding on this thread (after the end, an error, or to step from here).
    func stopDecodingAhead(_ input: ReplayInput) {
        for batch in input.stopDecodingAhead() {
            count(batch, of: input)
            input.take(batch)
        }
    }

    /// The next message across all inputs, earliest first.
    func nextMessage() throws(SessionError) -> FeedMessage? {
        var best: ReplayInput? = nil
        var bestTime = Int64.max
        for input in inputs {
            try refillNotingDamage(input)
            guard input.pendingIndex < input.pending.count else { continue }
            // A single input has nothing to merge.
            if inputs.count == 1 { best = input; break }
            let time = input.pending[input.pendingIndex].time
            if best == nil || time < bestTime { best = input; bestTime = time }
        }
        guard let chosen = best else { return nil }
        // Moved out of the batch, not copied: a copy retains the message's arrays and strings, and
        // the batch releases them again when it is refilled. Nothing reads a message twice.
        var message = FeedMessage.skipped(kind: "")
        swap(&message, &chosen.pending[chosen.pendingIndex])
        chosen.pendingIndex += 1
        chosen.noteMarket(of: message)
        return message
    }

    /// Refills the input and takes the skipped messages at its head (an instrument liqwatch does
    /// not model, a book ticker), counted as `step` counts them: they carry no time (`.min`), and
    /// one peeked as the next event's time anchored the replay's clock and its inputs' start times
    /// at `Int64.min`, and the first subtraction trapped (a cryptofeed OKX capture starting with a
    /// spot trade, a Tardis file starting with a BitMEX row: attacker trial). Nothing of them is
    /// applied, so taking them here changes nothing the engine sees.
    func passSkippedMessages(_ input: ReplayInput) throws(SessionError) {
        while true {
            try refillNotingDamage(input)
            guard input.pendingIndex < input.pending.count, case .skipped(let kind) = input.pending[input.pendingIndex] else { return }
            if !kind.isEmpty { stats.skippedInstruments[kind, default: 0] += 1 }
            input.pending[input.pendingIndex] = .skipped(kind: "")
            input.pendingIndex += 1
        }
    }

    /// `refill`, noting an input whose gzip check failed and the markets already replayed from it.
    func refillNotingDamage(_ input: ReplayInput) throws(SessionError) {
        do { try refill(input) } catch {
            if case .input(.damagedGzip(_, _, let reason)) = error {
                unverifiedInputs.append(UnverifiedInput(path: input.path, reason: reason, markets: input.marketsSeen.sorted()))
            }
            throw error
        }
    }

    // MARK: Applying

    /// Applies the next message. Returns false at the end of every input.
    @discardableResult
    public func step() throws(SessionError) -> Bool {
        guard let message = try nextMessage() else {
            markInputsEnded()
            return false
        }
        if case .skipped(let kind) = message, !kind.isEmpty { stats.skippedInstruments[kind, default: 0] += 1 }
        applier.handle(message, liquidationLimit: liquidationSlice)
        return true
    }

    /// Replays everything that is left, each input decoded ahead on a thread of its own.
    /// `check`, when given, is called every 4,096 events, after an event whose sample logged a
    /// condition, and at the end (a headless run hands its
    /// new alerts on as they happen); `stop`, asked as often, ends the run early (a signal).
    public func runToEnd(_ check: (() -> Void)? = nil, stop: (() -> Bool)? = nil) throws(SessionError) {
        if options.threaded { for input in inputs { input.startDecodingAhead(strict: options.strict) } }
        defer { for input in inputs { stopDecodingAhead(input) } }
        guard check != nil || stop != nil else {
            while try step() {}
            return
        }
        var steps = 0
        var conditions = applier.log.conditionCount
        while try step() {
            steps += 1
            // Also after a sample that found books stale or marks outdated: looked at only every
            // 4,096 events, more than the log keeps could come between two looks.
            if steps & 4095 == 0 || applier.log.conditionCount != conditions {
                conditions = applier.log.conditionCount
                check?()
                if stop?() == true { break }
            }
        }
        check?()
    }

    // MARK: Driving from a clock

    public var kind: String { "REPLAY" }
    public var sourceLabel: String { paths.map { Paths.fileName(of: $0) }.joined(separator: " + ") }
    public var knownEndTime: Int64? { nil }

    /// Whether the inputs' first message times have been read (the first peek reads them).
    var startsKnown = false
    /// Inputs that start more than a day apart: they are played in time order (the clock skips
    /// the quiet time between them), and a market's book that stops changing is not liquidated
    /// into once it is outdated (`LiquidationBlock.outdatedBook`). Said at the start; made once,
    /// at the first peek, not each time the status is drawn.
    public private(set) var timelineWarning: String?

    static func timelineWarning(starts: [(path: String, time: Int64)]) -> String? {
        guard starts.count > 1,
            let first = starts.min(by: { $0.time < $1.time }), let last = starts.max(by: { $0.time < $1.time }),
            case let (apart, overflow) = last.time.subtractingReportingOverflow(first.time), !overflow,
            apart > 86_400_000_000_000 else { return nil }
        return "inputs start \(EventTime.duration(apart)) apart: quiet time is skipped, an outdated book is not liquidated into "
            + "(\(Paths.fileName(of: first.path)) \(EventTime.iso8601(first.time)), \(Paths.fileName(of: last.path)) \(EventTime.iso8601(last.time)))"
    }

    public var feedSummary: FeedSummary { FeedSummary(engine: engine, log: log, stats: stats, synchronizers: synchronizers) }

    public func peekTime() throws(SessionError) -> Int64? {
        var earliest: Int64? = nil
        for input in inputs {
            try passSkippedMessages(input)
            guard input.pendingIndex < input.pending.count else { continue }
            let time = input.pending[input.pendingIndex].time
            earliest = min(earliest ?? time, time)
        }
        if !startsKnown {
            startsKnown = true
            timelineWarning = ReplaySession.timelineWarning(starts: inputs.compactMap { input in
                input.pendingIndex < input.pending.count ? (input.path, input.pending[input.pendingIndex].time) : nil
            })
        }
        // Every input ended: the replay is at its end (the clock peeks before it steps).
        if earliest == nil && inputs.allSatisfy({ $0.ended && $0.pendingIndex >= $0.pending.count }) { markInputsEnded() }
        return earliest
    }

    public var liquidationSlice = Int.max
    public var isMidStep: Bool { applier.isMidMessage }

    /// Once an end (again after a jump back): the conditions found at the end are told.
    private func markInputsEnded() {
        guard !inputsEnded else { return }
        inputsEnded = true
        applier.noteInputsEnded()
    }
    public func continueStep(liquidationLimit: Int) { applier.continueMessage(liquidationLimit: liquidationLimit) }
    @discardableResult public func readSignalsNow() -> Bool { applier.engine.readSignalsNow() }

    public func checkpoint() -> SessionCheckpoint {
        SessionCheckpoint(time: lastTime ?? 0, applier: applier, stats: stats, source: .replay(inputs.map {
            ReplayInputPosition(linesConsumed: $0.linesConsumed, decoder: $0.decoder, timeGuard: $0.timeGuard, pending: $0.pending,
                pendingIndex: $0.pendingIndex, ended: $0.ended)
        }))
    }

    /// Reopens the inputs and skips the lines the checkpoint had consumed (no decoding, no engine
    /// work: the engine comes back whole from the checkpoint).
    public func restore(_ checkpoint: SessionCheckpoint) throws(SessionError) {
        guard case .replay(let positions) = checkpoint.source, positions.count == inputs.count else { return }
        var reopened: [ReplayInput] = []
        for (input, saved) in zip(inputs, positions) {
            guard input.isRewindable else { throw .input(.unreadable(path: input.path, reason: "a pipe or standard input cannot be rewound")) }
            let fresh = try ReplayInput(path: input.path, threaded: input.threaded, resolver: options.resolver)
            try fresh.skip(lines: saved.linesConsumed)
            fresh.decoder = saved.decoder
            fresh.timeGuard = saved.timeGuard
            fresh.pending = saved.pending
            fresh.pendingIndex = saved.pendingIndex
            fresh.ended = saved.ended
            reopened.append(fresh)
        }
        inputs = reopened
        applier = checkpoint.applier
        stats = checkpoint.stats
        inputsEnded = false
    }
}
