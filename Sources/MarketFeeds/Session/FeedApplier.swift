import RiskEngine

/// Turns decoded feed messages into engine events: keeps each Binance book in step with its depth
/// stream and each Bybit, OKX and Hyperliquid book by its venue's rule (`DepthSynchronizer`), places
/// REST snapshots, seeds synthetic positions at each symbol's first mark, and records
/// what the engine reports. Replays and live sessions share it, so a live run and the replay of its
/// recording go through exactly the same steps.
struct FeedApplier {
    var engine: Engine
    var log = SessionLog()
    var synchronizers: [String: DepthSynchronizer] = [:]
    var synthetic: SyntheticPositions?
    var seededSymbols = Set<String>()
    /// The inputs ended and their last conditions are to be told once the cascade under way ends.
    var endConditionsDue = false
    /// A REST snapshot that names no symbol, waiting for the depth stream it belongs to, with the
    /// streams whose events were seen to straddle its id (`placeAnonymousSnapshots`).
    struct PendingSnapshot {
        var snapshot: DepthSnapshot
        var candidates: Set<String> = []
        /// Two streams fitted it at once: it is never placed (see `placeAnonymousSnapshots`).
        var ambiguous = false
    }
    var anonymousSnapshots: [PendingSnapshot] = []
    var firstTime: Int64?
    var lastTime: Int64?
    // Scratch space reused between messages.
    var events: [MarketEvent] = []
    /// The first of `events` not applied yet: a message stays unfinished while an event's cascade
    /// is applied in slices (`continueMessage`), and its later events wait for it.
    var nextEvent = 0
    var notes: [EngineNotification] = []

    init(options: SessionOptions) {
        engine = Engine(configuration: options.configuration, catalog: options.catalog)
        // In any order: a venue's own opening stands before every venue's (`Engine.openFund`).
        for opening in options.insuranceFund {
            engine.openFund(asset: opening.asset, balance: opening.balance, provisional: opening.provisional, venue: opening.venue)
        }
        // What placing them notes is logged: a row the engine refuses (past the markets positions
        // may make, 8,000) was dropped without a word, 992,000 of a million rows over as many
        // markets (attacker trial).
        var placed = SessionLog()
        swap(&placed, &log)
        engine.apply(positions: options.positions, time: 0, into: &notes) { notes in
            guard !notes.isEmpty else { return }
            placed.record(notes)
            notes.removeAll(keepingCapacity: true)
        }
        swap(&placed, &log)
        if let count = options.syntheticPositions, count > 0 { synthetic = SyntheticPositions(count: count, seed: options.seed) }
    }

    /// Whether the last message is still being applied: its cascade was cut into slices.
    var isMidMessage: Bool { engine.isMidCascade || nextEvent < events.count }

    /// Applies a message. With a `liquidationLimit`, an event's cascade stops after that many
    /// liquidations and the message is left unfinished for `continueMessage`; a message that comes
    /// while one is unfinished first finishes it, so the result is always that of applying whole.
    mutating func handle(_ message: FeedMessage, liquidationLimit: Int = .max) {
        if isMidMessage { finishMessage() }
        events.removeAll(keepingCapacity: true)
        nextEvent = 0
        let messageTime = message.time
        if messageTime > 0 {
            if firstTime == nil { firstTime = messageTime }
            lastTime = max(lastTime ?? messageTime, messageTime)
        }
        switch message {
        case .depth(let event):
            // Changed in place: one lookup, and no copy of the synchronizer's buffer.
            let seenBefore = anonymousSnapshots.isEmpty ? nil : (synchronizers[event.symbol]?.lastSeenId ?? .min)
            synchronizers[event.symbol, default: DepthSynchronizer(symbol: event.symbol)].receive(event, into: &events)
            // Placing is tried again only when this event is its stream's first to reach a waiting
            // snapshot's id (straddling it, or past it): only then does the stream's claim on it
            // change. Tried at every event, a waiting snapshot cost each one a pass over every
            // stream's buffer (review: 1.1 ms an event instead of 1.4 µs).
            if let seenBefore, anonymousSnapshots.contains(where: { seenBefore < $0.snapshot.lastUpdateId && $0.snapshot.lastUpdateId <= event.finalUpdateId }) {
                placeAnonymousSnapshots()
            }
        case .snapshot(let snapshot):
            if let symbol = snapshot.symbol {
                deliver(snapshot, to: symbol)
                // A stream placed by its own snapshot is a candidate fewer for a waiting one.
                if !anonymousSnapshots.isEmpty { placeAnonymousSnapshots() }
            } else {
                anonymousSnapshots.append(PendingSnapshot(snapshot: snapshot))
                placeAnonymousSnapshots()
            }
        case .book(let update):
            // Bybit, OKX, Hyperliquid: the same synchronizer, the same counters, their own rules.
            synchronizers[update.symbol, default: DepthSynchronizer(symbol: update.symbol)].receive(update, into: &events)
        case .event(let event):
            events.append(event)
        case .venueWide(let event):
            applyVenueWide(event)
        case .skipped:
            break
        }
        applyEvents(liquidationLimit: liquidationLimit)
    }

    /// Applies the scratch events not applied yet, each moved out rather than copied (a copy
    /// retains its arrays and strings, and the scratch array releases them again). Stops at an
    /// event whose cascade is cut.
    mutating func applyEvents(liquidationLimit: Int = .max) {
        while nextEvent < events.count {
            var event = MarketEvent.bookGap(symbol: "", time: 0)
            swap(&event, &events[nextEvent])
            nextEvent += 1
            apply(event, liquidationLimit: liquidationLimit)
            if engine.isMidCascade { return }
        }
    }

    /// Goes on with an unfinished message: the cut cascade for at most `liquidationLimit` more
    /// liquidations, then the message's later events.
    mutating func continueMessage(liquidationLimit: Int) {
        if engine.isMidCascade {
            notes.removeAll(keepingCapacity: true)
            engine.continueCascade(into: &notes, liquidationLimit: liquidationLimit)
            if !notes.isEmpty { log.record(notes) }
            if engine.isMidCascade { return }
            afterEvent()
        }
        applyEvents(liquidationLimit: liquidationLimit)
        tellEndConditionsIfDue()
    }

    /// The inputs ended: a stale book or an outdated mark no sample found since (one gone stale
    /// after the last whole second, a first book still missing within its grace) is told now, by
    /// the dashboard and a headless run alike (`Engine.noteConditionsAtEnd`).
    mutating func noteInputsEnded() {
        endConditionsDue = true
        tellEndConditionsIfDue()
    }

    private mutating func tellEndConditionsIfDue() {
        guard endConditionsDue, !isMidMessage else { return }
        endConditionsDue = false
        notes.removeAll(keepingCapacity: true)
        engine.noteConditionsAtEnd(into: &notes)
        if !notes.isEmpty { log.record(notes) }
    }

    mutating func finishMessage() {
        while isMidMessage { continueMessage(liquidationLimit: .max) }
    }

    /// Whether the session knows a market: the engine holds it (a position, a book, a trade), or a
    /// depth stream for it is waiting for its first snapshot. Both come from what was recorded, so
    /// a replay of a live session decides exactly as the live session did.
    func knows(_ market: String) -> Bool {
        engine.marketIndex(of: market) != nil || synchronizers[market] != nil
    }

    /// An event of a stream of the whole venue: applied to a market the session knows (a monitored
    /// position's mark, even when its depth is not subscribed); for any other market it makes no
    /// market: a liquidation is counted by market for the report (`SessionLog.recordUnwatched`),
    /// a mark, an index or funding is counted and dropped.
    mutating func applyVenueWide(_ event: MarketEvent) {
        if let symbol = event.symbol, knows(symbol) {
            events.append(event)
            return
        }
        if case .exchangeLiquidation(let liquidation) = event {
            log.recordUnwatched(engine.valued(liquidation))
        } else {
            log.noteUnwatchedMark()
        }
    }

    /// Markets a live stream subscribed to (see `Engine.watch(market:)`).
    mutating func watch(markets: [String]) {
        for market in markets { engine.watch(market: market) }
    }

    mutating func noteBookOverdue(market: String) { engine.noteBookOverdue(market: market) }

    /// The stream of `symbols` broke off (a reconnect): their books are stale until a new snapshot.
    mutating func restartSync(symbols: [String], time: Int64) {
        if isMidMessage { finishMessage() }
        events.removeAll(keepingCapacity: true)
        nextEvent = 0
        for symbol in symbols {
            var synchronizer = synchronizers.removeValue(forKey: symbol) ?? DepthSynchronizer(symbol: symbol)
            synchronizer.restart(time: time, into: &events)
            synchronizers[symbol] = synchronizer
        }
        applyEvents()
    }

    mutating func deliver(_ snapshot: DepthSnapshot, to symbol: String) {
        var synchronizer = synchronizers.removeValue(forKey: symbol) ?? DepthSynchronizer(symbol: symbol)
        synchronizer.receive(snapshot, into: &events)
        synchronizers[symbol] = synchronizer
    }

    /// Binance's REST body has no symbol (liqwatch's own recordings since this version name it).
    /// Binance's update ids are one sequence across symbols, so a snapshot's id falls inside two to
    /// four streams' events, and a stream's claim on it is known only once its events have reached
    /// the id. Of the session's Binance streams, one waiting for a snapshot takes it when its
    /// buffered events straddle the id and its prices are the snapshot's (the middle price of its
    /// latest buffered event within 0.8–1.25× of the snapshot's mid), and when every other stream
    /// is known not to be its owner: one whose events passed the id without straddling it (it
    /// started after), or one of other prices (a synced stream by its book's mid). A stream whose
    /// events have not reached the id yet keeps it waiting. Two owners of like prices make it
    /// ambiguous: never placed, the books saying why in the health view. In a session of one
    /// Binance stream, waiting, it is that stream's when its prices agree, or when its events
    /// straddle the id and the market has a mark to refuse it against.
    /// Each rule answers a case that gave one market another's book and a position a deficit
    /// (attacker trials, reviews): the first stream in a hash table's order (another each run), the
    /// first to straddle (BTCUSDT took BTCUSDC's), by elimination, to the only stream waiting
    /// whatever its prices, to a synced stream (a stray snapshot froze its book), to another
    /// venue's one stream.
    mutating func placeAnonymousSnapshots() {
        var unplaced: [PendingSnapshot] = []
        // Only Binance's REST snapshots name no symbol.
        let binance = synchronizers.values.filter { MarketID.venue(of: $0.symbol)?.isBinance == true }.sorted { $0.symbol < $1.symbol }
        var placed = Set<String>()
        for var pending in anonymousSnapshots {
            let snapshot = pending.snapshot
            let id = snapshot.lastUpdateId
            let open = binance.filter { !placed.contains($0.symbol) }
            for stream in open where stream.isAwaitingSnapshot && stream.bufferStraddles(id) { pending.candidates.insert(stream.symbol) }
            // Could be the owner: a waiting stream that straddled it, or a synced one whose events
            // went through the id (a late answer); unknown: a stream not yet at the id.
            var owners: [String] = []
            var undecided = false
            for stream in open {
                let straddled = pending.candidates.contains(stream.symbol)
                    || (!stream.isAwaitingSnapshot && (stream.firstSeenId ?? .max) <= id && id <= (stream.lastSeenId ?? .min))
                if straddled {
                    if fits(stream, snapshot) { owners.append(stream.symbol) }
                } else if (stream.lastSeenId ?? .min) < id && stream.isAwaitingSnapshot {
                    undecided = true
                }
            }
            if owners.count > 1 && !pending.ambiguous {
                pending.ambiguous = true
                let names = owners.map { MarketID.symbol(of: $0) }.joined(separator: ", ")
                for owner in owners { synchronizers[owner]?.noteProblem("a snapshot naming no symbol (lastUpdateId \(id)) fits \(names): not placed") }
            }
            var target: String?
            if pending.ambiguous {
                target = nil
            } else if owners.count == 1, !undecided, synchronizers[owners[0]]?.isAwaitingSnapshot == true {
                target = owners[0]
            } else if binance.count == 1, let only = open.first, only.isAwaitingSnapshot, (only.lastSeenId ?? .min) >= id,
                      FeedApplier.pricesFit(only, snapshot)
                        || (pending.candidates.contains(only.symbol) && engine.market(only.symbol)?.markPrice != nil) {
                // The one stream, past the id: a snapshot older than it (refused by the stream
                // with its reason), or one its events straddle of other prices, refused against
                // the mark. One ahead of the stream waits for its events (a stray one far ahead
                // kept the stream's own from syncing: attacker trial).
                target = only.symbol
            }
            if let target {
                deliver(snapshot, to: target)
                placed.insert(target)
            } else {
                unplaced.append(pending)
            }
        }
        // Bounded: a recording of snapshots no stream takes keeps the newest few.
        anonymousSnapshots = Array(unplaced.suffix(FeedApplier.anonymousSnapshotLimit))
    }

    /// Whether the snapshot's prices are a stream's: by its buffered events while it waits, by
    /// its book's mid once synced (a stream with neither cannot be told apart: it fits).
    func fits(_ stream: DepthSynchronizer, _ snapshot: DepthSnapshot) -> Bool {
        if let price = stream.bufferedPrice { return FeedApplier.pricesFit(price: Double(price), snapshot) }
        guard !stream.isAwaitingSnapshot, let mid = engine.market(stream.symbol)?.book.mid else { return true }
        return FeedApplier.pricesFit(price: Double(mid.bookUnits), snapshot)
    }

    static let anonymousSnapshotLimit = 16

    /// Whether a stream's prices are the snapshot's: the middle price its latest buffered event
    /// changed lies within 0.8–1.25× of the snapshot's mid (symbols of unlike prices are told
    /// apart; two of like prices are not). A stream with no buffered price (a synced one, a
    /// buffer of events that changed nothing) cannot be told apart: it fits.
    static func pricesFit(_ synchronizer: DepthSynchronizer, _ snapshot: DepthSnapshot) -> Bool {
        guard let price = synchronizer.bufferedPrice else { return true }
        return pricesFit(price: Double(price), snapshot)
    }

    /// Whether `price` (book units) lies within 0.8–1.25× of the snapshot's mid.
    static func pricesFit(price: Double, _ snapshot: DepthSnapshot) -> Bool {
        guard price > 0 else { return false }
        let bestBid = snapshot.bids.lazy.map(\.price).max()
        let bestAsk = snapshot.asks.lazy.map(\.price).min()
        let reference: Double
        switch (bestBid, bestAsk) {
        case let (bid?, ask?): reference = Double(bid) / 2 + Double(ask) / 2
        case let (bid?, nil): reference = Double(bid)
        case let (nil, ask?): reference = Double(ask)
        case (nil, nil): return false
        }
        guard reference > 0 else { return false }
        let ratio = price / reference
        return ratio >= 0.8 && ratio <= 1.25
    }

    mutating func apply(_ event: MarketEvent, liquidationLimit: Int = .max) {
        notes.removeAll(keepingCapacity: true)
        if case .bookSnapshot(let symbol, let bids, let asks, let time, _) = event,
            let dispute = engine.snapshotDisputesMark(symbol: symbol, bids: bids, asks: asks)
        {
            return refuseSnapshot(symbol: symbol, median: dispute.median, mark: dispute.mark, time: time)
        }
        engine.apply(event, into: &notes, liquidationLimit: liquidationLimit)
        // A snapshot that contradicted itself (`Engine.snapshotContradiction`): the stream waits
        // for another as after one tenfold from the mark (the diffs that followed a refused REST
        // snapshot were chained onto an empty book and traded on: attacker trial).
        if case .bookSnapshot(let symbol, _, _, let time, _) = event,
           let refused = notes.lazy.compactMap({ note -> RefusedSnapshot? in
               if case .snapshotRefused(let refused) = note, refused.symbol == symbol { return refused } else { return nil } }).first {
            awaitAnotherSnapshot(symbol: symbol, problem: "snapshot refused: \(refused.reason)", time: time, countsGap: false)
        }
        if !notes.isEmpty { log.record(notes) }
        if !engine.isMidCascade { afterEvent() }
    }

    /// A snapshot tenfold from the mark is not applied (see `Engine.snapshotDisputesMark`): noted,
    /// the book marked stale as after a gap, its synchronizer waiting for another snapshot (a
    /// live session asks for one, backing off), and the stream's updates that followed it in
    /// this message, which built on it, dropped.
    mutating func refuseSnapshot(symbol: String, median: Int64, mark: Int64, time: Int64) {
        engine.refuseSnapshot(symbol: symbol, median: median, mark: mark, time: time, into: &notes)
        awaitAnotherSnapshot(symbol: symbol, problem: "snapshot at \(Fixed(bookUnits: median)), tenfold from the mark \(Fixed(bookUnits: mark))", time: time)
        if !notes.isEmpty { log.record(notes) }
    }

    /// After a snapshot the engine did not apply: the book stale as after a gap, its synchronizer
    /// waiting for another snapshot (a live session asks for one, backing off), and the stream's
    /// updates that followed it in this message, which built on it, dropped.
    /// `countsGap`: the engine marked the book stale itself (a snapshot contradicting itself),
    /// and the refusal is counted as such, not as a gap too (review).
    mutating func awaitAnotherSnapshot(symbol: String, problem: String, time: Int64, countsGap: Bool = true) {
        var gap: [MarketEvent] = []
        if synchronizers[symbol] != nil {
            synchronizers[symbol]!.snapshotRefused(problem, time: time, countsGap: countsGap, into: &gap)
        } else if countsGap {
            gap.append(.bookGap(symbol: symbol, time: time))
        }
        for event in gap { engine.apply(event, into: &notes) }
        let later = events[nextEvent...].filter { event in
            if case .bookUpdate(let updated, _, _) = event { return updated != symbol }
            return true
        }
        events.removeSubrange(nextEvent...)
        events.append(contentsOf: later)
    }

    /// What follows a whole event (after the last slice of a cut cascade).
    mutating func afterEvent() {
        // Only while a market is still unseeded: this runs after every event.
        if synthetic != nil && seededSymbols.count < engine.markets.count { seedSyntheticPositions() }
    }

    /// With synthetic positions asked for, the markets not seeded, and what they lacked.
    var unseededMarkets: [(symbol: String, reason: String)] {
        guard synthetic != nil else { return [] }
        return engine.markets.filter { !seededSymbols.contains($0.symbol) }.map { market in
            var lacked: [String] = []
            if market.markPrice == nil { lacked.append("no mark") }
            if market.book.bids.isEmpty { lacked.append("no bids") }
            if market.book.asks.isEmpty { lacked.append("no asks") }
            return (market.symbol, lacked.joined(separator: ", "))
        }
    }

    /// Places synthetic positions around each symbol's first mark. They are drawn on a thread of
    /// their own in chunks while the engine places the chunks before (`SyntheticSeeding`): at a
    /// million positions drawing them cost a third of placing them, and now overlaps it. The
    /// positions and their order are those of drawing them all first.
    mutating func seedSyntheticPositions() {
        for market in engine.markets where !seededSymbols.contains(market.symbol) {
            guard let mark = market.markPrice, !market.book.bids.isEmpty, !market.book.asks.isEmpty else { continue }
            seededSymbols.insert(market.symbol)
            guard let generator = synthetic else { continue }
            engine.reserveCapacity(forPositions: generator.positionCount(for: market.instrument))
            let seeding = SyntheticSeeding(generator: generator, instrument: market.instrument, mark: mark)
            notes.removeAll(keepingCapacity: true)
            // The log is moved out while the engine (also ours) is changed, not copied.
            var log = SessionLog()
            swap(&log, &self.log)
            while let chunk = seeding.next() {
                engine.apply(positions: chunk, time: engine.time, into: &notes) { notes in
                    // Most positions placed say nothing: emptying an empty list still cost a
                    // uniqueness check and more, a fortieth of placing one.
                    guard !notes.isEmpty else { return }
                    log.record(notes)
                    notes.removeAll(keepingCapacity: true)
                }
            }
            swap(&log, &self.log)
            synthetic = seeding.finish()
        }
    }
}
