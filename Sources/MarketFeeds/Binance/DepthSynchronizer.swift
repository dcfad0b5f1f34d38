import RiskEngine

/// Binance's rules for keeping a local book in step with a depth stream, exactly as documented:
/// buffer the events that arrive before the snapshot; drop every event whose final id `u` is below
/// the snapshot's `lastUpdateId`; the first event applied must have `U ≤ lastUpdateId ≤ u`; after
/// that every event's `pu` must equal the previous event's `u` (spot streams, without `pu`: `U` must
/// be the previous `u` + 1). Anything else is a gap: it is counted, the book is marked stale, and
/// events are buffered again until the next snapshot re-syncs the book.
///
/// Venues that send their snapshots in the stream (Bybit, OKX, Hyperliquid) go through
/// `receive(_: StreamBookUpdate, into:)`, with the same counters and the same stale book on a gap.
public struct DepthSynchronizer: Sendable {
    public struct Counters: Hashable, Sendable {
        public var applied = 0
        public var droppedBeforeSync = 0
        public var gaps = 0
        public var resyncs = 0
        public var snapshots = 0
        /// Events thrown away because too many piled up while waiting for a snapshot.
        public var bufferOverflow = 0
        /// Events already covered by what was applied (a repeated frame).
        public var duplicates = 0
        public var lastUpdateId: Int64?
        /// OKX: book checksums verified and matched (see `receive(_: StreamBookUpdate, into:)`).
        public var checksumsVerified = 0
        /// What broke the book last, for a venue that says (`u 20254890 after u 20254888`,
        /// `checksum 1361161687, book gives -1093152331`).
        public var lastProblem: String?
    }

    enum State: Sendable {
        case awaitingSnapshot
        /// The snapshot is applied; the next event to apply is the one that bridges it.
        case awaitingBridge(lastUpdateId: Int64)
        case synced(lastFinalId: Int64)
    }

    public let symbol: String
    var state: State = .awaitingSnapshot
    var buffer: [DepthEvent] = []
    var hadGap = false
    public private(set) var counters = Counters()
    public static let bufferLimit = 10_000

    public init(symbol: String) { self.symbol = symbol }

    public var isSynced: Bool { if case .awaitingSnapshot = state { return false } else { return true } }

    /// Whether buffered events straddle a snapshot id (used to tell which symbol an anonymous REST
    /// snapshot belongs to).
    public func bufferStraddles(_ lastUpdateId: Int64) -> Bool {
        buffer.contains { $0.firstUpdateId <= lastUpdateId && lastUpdateId <= $0.finalUpdateId }
    }

    public var isAwaitingSnapshot: Bool { !isSynced }

    /// The first `U` and the latest `u` of the stream's depth events, buffered or applied: which
    /// update ids it has been through (whose a snapshot that names no symbol could be).
    public private(set) var firstSeenId: Int64?
    public private(set) var lastSeenId: Int64?

    /// The middle price the latest buffered event changed (nil: none buffered): which prices this
    /// stream trades at, to tell whose an anonymous snapshot is (`FeedApplier.pricesFit`).
    public var bufferedPrice: Int64? {
        guard let changes = buffer.last(where: { !$0.changes.isEmpty })?.changes else { return nil }
        let prices = changes.map(\.price).sorted()
        return prices[prices.count / 2]
    }

    /// Says what kept the book from syncing (the health view shows it).
    mutating func noteProblem(_ problem: String) { counters.lastProblem = problem }

    /// A depth event: returns the engine events it produces (none while waiting for a snapshot).
    public mutating func receive(_ event: DepthEvent, into events: inout [MarketEvent]) {
        firstSeenId = firstSeenId ?? event.firstUpdateId
        lastSeenId = max(lastSeenId ?? event.finalUpdateId, event.finalUpdateId)
        switch state {
        case .awaitingSnapshot:
            buffer.append(event)
            if buffer.count > DepthSynchronizer.bufferLimit {
                buffer.removeFirst(buffer.count - DepthSynchronizer.bufferLimit)
                counters.bufferOverflow += 1
            }
        case .awaitingBridge(let lastUpdateId):
            if event.finalUpdateId < lastUpdateId {
                counters.droppedBeforeSync += 1
            } else if event.firstUpdateId <= lastUpdateId {
                apply(event, into: &events)
                if hadGap { counters.resyncs += 1; hadGap = false }
            } else {
                // The snapshot is older than the stream can bridge: wait for a newer one.
                gap(event, problem: "U \(event.firstUpdateId) after the snapshot's lastUpdateId \(lastUpdateId)", into: &events)
            }
        case .synced(let lastFinalId):
            let continuous = event.previousFinalUpdateId.map { $0 == lastFinalId } ?? (lastFinalId < Int64.max && event.firstUpdateId == lastFinalId + 1)
            if continuous {
                apply(event, into: &events)
            } else if event.finalUpdateId <= lastFinalId {
                // A duplicate or late event already covered by what was applied: harmless.
                counters.duplicates += 1
            } else {
                // Binance's rule: pu (else U − 1) names the last event's u. A message lost on the
                // way, or a line dropped as malformed, breaks it.
                let named = event.previousFinalUpdateId.map { "pu \($0)" } ?? "U \(event.firstUpdateId)"
                gap(event, problem: "\(named) after u \(lastFinalId)", into: &events)
            }
        }
    }

    mutating func gap(_ event: DepthEvent, problem: String, into events: inout [MarketEvent]) {
        counters.gaps += 1
        counters.lastProblem = problem
        hadGap = true
        state = .awaitingSnapshot
        buffer = [event]
        events.append(.bookGap(symbol: symbol, time: event.time))
    }

    /// The stream broke off (a reconnect, Binance's 24-hour cut): what arrives next cannot be
    /// trusted to follow what was applied, so the book is stale until a fresh snapshot re-syncs it.
    /// Not counted as a gap (the reconnect is counted where it happens); the re-sync is.
    public mutating func restart(time: Int64, into events: inout [MarketEvent]) {
        buffer.removeAll()
        if case .awaitingSnapshot = state, !hadGap, counters.snapshots == 0 { return }
        hadGap = true
        state = .awaitingSnapshot
        events.append(.bookGap(symbol: symbol, time: time))
    }

    /// A REST snapshot: applies it, then the buffered events from the one that bridges it.
    public mutating func receive(_ snapshot: DepthSnapshot, into events: inout [MarketEvent]) {
        counters.snapshots += 1
        if case .synced(let lastFinalId) = state, lastFinalId >= snapshot.lastUpdateId {
            // An older or equal snapshot while in sync tells nothing new.
            return
        }
        // A snapshot older than the stream can bridge (the first buffered event it does not cover
        // starts past it) is not applied at all: applied, the engine would take it for a book in
        // sync and liquidate into it before the gap that follows marked it stale again.
        if case .awaitingSnapshot = state,
            let first = buffer.first(where: { $0.finalUpdateId >= snapshot.lastUpdateId }), first.firstUpdateId > snapshot.lastUpdateId
        {
            counters.gaps += 1
            counters.lastProblem = "snapshot lastUpdateId \(snapshot.lastUpdateId) before U \(first.firstUpdateId)"
            hadGap = true
            buffer.removeAll { $0.finalUpdateId < snapshot.lastUpdateId }
            events.append(.bookGap(symbol: symbol, time: snapshot.time))
            return
        }
        events.append(.bookSnapshot(symbol: symbol, bids: snapshot.bids, asks: snapshot.asks, time: snapshot.time))
        counters.lastUpdateId = snapshot.lastUpdateId
        state = .awaitingBridge(lastUpdateId: snapshot.lastUpdateId)
        let pending = buffer
        buffer.removeAll()
        for event in pending { receive(event, into: &events) }
    }

    mutating func apply(_ event: DepthEvent, into events: inout [MarketEvent]) {
        events.append(.bookUpdate(symbol: symbol, changes: event.changes, time: event.time))
        counters.applied += 1
        counters.lastUpdateId = event.finalUpdateId
        state = .synced(lastFinalId: event.finalUpdateId)
    }

    // MARK: Venues that send their own snapshots

    /// A book message of a venue that sends its own snapshots in the stream (Bybit, OKX,
    /// Hyperliquid; each venue's rule is in `StreamBookUpdate`). A snapshot sets the book at any
    /// time, and re-syncs it after a gap. A delta is applied only while the book is in sync and when
    /// it keeps the venue's rule; one that breaks it is not applied: the book stays at its last good
    /// state, is marked stale, the gap is counted, and later deltas are dropped until a snapshot.
    public mutating func receive(_ update: StreamBookUpdate, into events: inout [MarketEvent]) {
        switch update.levels {
        case .snapshot(let bids, let asks):
            counters.snapshots += 1
            if let problem = update.problem {
                streamGap(problem, time: update.time, into: &events)
                return
            }
            if update.checksumVerified { counters.checksumsVerified += 1 }
            buffer.removeAll()
            events.append(.bookSnapshot(symbol: symbol, bids: bids, asks: asks, time: update.time, shownLevels: update.shownLevels))
            if hadGap { counters.resyncs += 1; hadGap = false }
            if let sequence = update.sequence { counters.lastUpdateId = sequence }
            state = .synced(lastFinalId: update.sequence ?? Self.noSequence)
        case .delta(let changes):
            guard case .synced(let last) = state else {
                counters.droppedBeforeSync += 1
                return
            }
            // Bybit: the same message again (a repeated frame) changes nothing, even dropped (a
            // repeat dated far ahead was a gap, its book stale to the end: attacker trial).
            if update.previousSequence == nil, let sequence = update.sequence, last != Self.noSequence, sequence == last {
                counters.duplicates += 1
                return
            }
            var problem = update.problem
            if problem == nil, let sequence = update.sequence, last != Self.noSequence {
                if let previous = update.previousSequence {
                    // OKX: prevSeqId names the message before; seqId itself may jump or restart.
                    if previous != last { problem = "prevSeqId \(previous) after seqId \(last)" }
                } else if sequence == last {
                    // Bybit: the same message again (a repeated frame) changes nothing.
                    counters.duplicates += 1
                    return
                } else if last == Int64.max || sequence != last + 1 {
                    problem = "u \(sequence) after u \(last)"
                }
            }
            if let problem {
                streamGap(problem, time: update.time, into: &events)
                return
            }
            if update.checksumVerified { counters.checksumsVerified += 1 }
            events.append(.bookUpdate(symbol: symbol, changes: changes, time: update.time))
            counters.applied += 1
            if let sequence = update.sequence {
                counters.lastUpdateId = sequence
                state = .synced(lastFinalId: sequence)
            }
        }
    }

    /// The last sequence number of a book whose snapshot carried none (OKX without `seqId`).
    static let noSequence = Int64.min

    /// The engine refused the snapshot just applied (its prices tenfold from the mark): the book
    /// waits for another, as after a gap, and what the stream sends meanwhile is buffered for it.
    /// `countsGap` false: the engine refused it (it contradicted itself) and marked the book
    /// stale itself: the stream waits for another snapshot, and no gap is counted or applied.
    mutating func snapshotRefused(_ problem: String, time: Int64, countsGap: Bool = true, into events: inout [MarketEvent]) {
        buffer.removeAll()
        guard countsGap else {
            counters.lastProblem = problem
            hadGap = true
            state = .awaitingSnapshot
            return
        }
        streamGap(problem, time: time, into: &events)
    }

    mutating func streamGap(_ problem: String, time: Int64, into events: inout [MarketEvent]) {
        counters.gaps += 1
        counters.lastProblem = problem
        hadGap = true
        state = .awaitingSnapshot
        events.append(.bookGap(symbol: symbol, time: time))
    }
}
