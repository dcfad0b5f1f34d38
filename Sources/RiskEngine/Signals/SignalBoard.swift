/// An exponential average that first learns from a warm-up period, and that adapts ten times more
/// slowly while its signal is raised, so a long stress episode does not become the new normal.
struct Baseline: Sendable {
    private(set) var value: Double?
    private(set) var samples = 0

    /// During the first `warmup` samples the baseline is their plain mean.
    mutating func learn(_ sample: Double, span: Double, warmup: Int, raised: Bool) {
        samples += 1
        guard let current = value else { value = sample; return }
        let alpha = samples <= warmup ? 1.0 / Double(samples) : (raised ? 0.1 : 1.0) / span
        value = current + alpha * (sample - current)
    }
}

/// The signals of one symbol: flows accumulated between samples, windows, baselines, levels.
struct SignalBoard: Sendable {
    private var spreadBaseline = Baseline()
    private var depth10Baseline = Baseline()
    private var depth50Baseline = Baseline()
    /// Each kind's history, by `SignalKind.ordinal`.
    private var histories: [History]
    private(set) var readings = SignalReadings()

    /// Liquidity removed and added within ±50 bps since the last sample. A book update takes it
    /// out, records its level changes, and puts it back (see `Engine.apply`).
    var flowTally = FlowTally()
    /// Per-second history of the flows.
    private var flowSeconds: [(removed: Double, added: Double)] = []

    /// (time, notional) of recent liquidations, simulated and exchange-reported.
    private var liquidations: [(time: Int64, notional: Double, exchange: Bool)] = []
    private var lastLiquidationTime: Int64?

    init(historyLength: Int) {
        histories = Array(repeating: History(capacity: historyLength), count: SignalKind.allCases.count)
    }

    /// A price in book units from a double, clamped: a band edge past the largest book unit (a
    /// corrupt feed's prices) must not trap.
    static func bookUnits(_ value: Double) -> Int64 {
        guard value.isFinite else { return value > 0 ? .max : .min }
        if value >= 9.2e18 { return .max }
        if value <= -9.2e18 { return .min }
        return Int64(value)
    }

    /// The largest ratio a signal shows: beyond it a person reads "100x" (the book is gone), and
    /// a value of 52,232x means nothing more.
    static let ratioCap = 100.0

    /// `min(spread ÷ its baseline, depth baseline ÷ depth within ±10 bps)`, at most `ratioCap`: the
    /// factor by which the spread has widened *and* the near-touch depth has fallen, both at once.
    /// 1 before the baselines are learnt, and while the spread is under its floor (not `judged`:
    /// a one-tick spread doubling is not news). A book with an empty side has widened as far as it can.
    static func spreadVsDepth(spread: Double, spreadBaseline: Double?, depth: Double, depthBaseline: Double?, judged: Bool,
                              sideMissing: Bool = false) -> Double {
        guard let spreadBase = spreadBaseline, spreadBase > 0, let depthBase = depthBaseline, depthBase > 0 else { return 1 }
        let widened = sideMissing ? ratioCap : (judged ? spread / spreadBase : min(1, spread / spreadBase))
        let thinned = depth > 0 ? depthBase / depth : ratioCap
        return max(0, min(ratioCap, widened, thinned))
    }

    /// Liquidity a simulated liquidation took from the book.
    mutating func recordConsumed(notional: Double) { flowTally.consumed += notional }

    mutating func recordLiquidation(time: Int64, notional: Double, exchange: Bool = false) {
        liquidations.append((time, notional, exchange))
        lastLiquidationTime = max(lastLiquidationTime ?? time, time)
    }

    struct Inputs {
        var time: Int64
        var spreadBps: Double?
        /// The book has been synced but a side of it is empty now (the bids or the asks taken
        /// out by a cascade): no spread, and the widest there is.
        var sideMissing = false
        /// With no `spreadBps`: the spread is at least this, a top-of-book feed's side having had
        /// every level it shows emptied by simulated liquidations (the book past them not shown).
        /// Judged as a spread (a floor that passes a threshold proves the widening); not learnt.
        var spreadPastShownBps: Double? = nil
        /// The spread in whole ticks of a known instrument (for the spread's floor), when known.
        var spreadTicks: Int64? = nil
        var depth10: Double
        var depth50: Double
        /// The depth is what the feed shows of a band that reaches past its levels shown: a floor.
        var depth10PastShown = false
        var depth50PastShown = false
        var mid: Double?
        var stressed: StressedDeficit
        var fundBalance: Double
        /// The market has had a book (a snapshot): the spread, the depth and the flows are read off
        /// it. Without one they are not readings (`SignalReading.noBook`).
        var bookShown = true
        /// The book stopped changing (`MarketState.bookOutdated`): its figures are read as they
        /// were, but the baselines do not learn from them (a book frozen for five months drifted
        /// its depth baseline from 1,250 to 1,165: operator trial).
        var bookFrozen = false
    }

    /// A signal's recent values, oldest first, one a sample: its sparkline.
    func history(_ kind: SignalKind) -> [Double] { histories[Int(kind.ordinal)].values }

    /// Its newest `count` values, oldest first (a sparkline's cells).
    func history(_ kind: SignalKind, last count: Int) -> [Double] { histories[Int(kind.ordinal)].last(count) }

    /// Takes a one-second sample; returns the level changes.
    mutating func sample(_ input: Inputs, thresholds t: SignalThresholds, symbol: String) -> [SignalChange] {
        let warm = spreadBaseline.samples >= t.warmupSamples

        // Spread.
        var spread = input.spreadBps ?? input.spreadPastShownBps ?? 0
        let spreadPastShown = input.spreadBps == nil && input.spreadPastShownBps != nil
        let judged = t.spreadIsJudged(spreadBps: spread, spreadTicks: input.spreadTicks)
        var spreadLevel = SignalLevel.ok
        if input.sideMissing {
            // An empty side is the widest spread there is: shown at the cap, as the ratios are.
            // It needs no baseline to be judged: a session opening on a book whose bids a cascade
            // has taken read "ok" for its whole warm-up (and a one-sided book for ever).
            if warm, let base = spreadBaseline.value, base > 0 { spread = base * SignalBoard.ratioCap }
            spreadLevel = .alert
        } else if warm, let base = spreadBaseline.value, base > 0, judged {
            if spread >= base * t.spreadAlertMultiple { spreadLevel = .alert }
            else if spread >= base * t.spreadWarnMultiple { spreadLevel = .warn }
        }
        var spreadReading = reading(.spread, spread, spreadBaseline.value, spreadLevel)
        spreadReading.sideMissing = input.sideMissing
        spreadReading.pastShownLevels = spreadPastShown

        // Depth.
        func depthLevel(_ value: Double, _ baseline: Baseline) -> SignalLevel {
            guard warm, let base = baseline.value, base > 0 else { return .ok }
            if value <= base * t.depthAlertFraction { return .alert }
            if value <= base * t.depthWarnFraction { return .warn }
            return .ok
        }
        // A side with no price left but the book past the levels shown not known: no mid, no band,
        // and a floor of 0 proves no thinness (it read `Depth ±10 bps 0.00` at ALERT where the
        // venue's book had ample depth past its 20 levels: operator trial). Not judged. (A band
        // that only reaches past the levels shown is judged against a baseline of the same.)
        let depth10Level = spreadPastShown ? .ok : depthLevel(input.depth10, depth10Baseline)
        let depth50Level = spreadPastShown ? .ok : depthLevel(input.depth50, depth50Baseline)
        var depth10Reading = reading(.depth10, input.depth10, depth10Baseline.value, depth10Level)
        depth10Reading.pastShownLevels = input.depth10PastShown
        var depth50Reading = reading(.depth50, input.depth50, depth50Baseline.value, depth50Level)
        depth50Reading.pastShownLevels = input.depth50PastShown

        // Spread widening while near-touch depth falls (see `SignalKind.spreadVsDepth`).
        // Not judged either while the depth is not known (1, as before its baselines are learnt):
        // the least of a widening floor and a thinning that is not known is no floor.
        let both = spreadPastShown ? 1 : SignalBoard.spreadVsDepth(spread: spread, spreadBaseline: warm ? spreadBaseline.value : nil,
            depth: input.depth10, depthBaseline: warm ? depth10Baseline.value : nil, judged: judged,
            sideMissing: input.sideMissing)
        let bothLevel: SignalLevel = both >= t.spreadVsDepthAlert ? .alert : (both >= t.spreadVsDepthWarn ? .warn : .ok)
        var bothReading = reading(.spreadVsDepth, both, 1, bothLevel)

        // Drain versus refill during a liquidation series.
        flowSeconds.append((flowTally.removed, flowTally.added))
        if flowSeconds.count > t.drainWindowSeconds { flowSeconds.removeFirst(flowSeconds.count - t.drainWindowSeconds) }
        flowTally.startNextSample()
        let removed = flowSeconds.reduce(0) { $0 + $1.removed }
        let added = flowSeconds.reduce(0) { $0 + $1.added }
        let drain = min(SignalBoard.ratioCap, added > 0 ? removed / added : (removed > 0 ? SignalBoard.ratioCap : 0))
        let inSeries = lastLiquidationTime.map { input.time - $0 <= t.seriesSeconds * 1_000_000_000 } ?? false
        var drainLevel = SignalLevel.ok
        if inSeries { drainLevel = drain >= t.drainAlertRatio ? .alert : (drain >= t.drainWarnRatio ? .warn : .ok) }
        let drainReading = reading(.drainVsRefill, drain, 1, drainLevel)

        // Liquidation windows.
        liquidations.removeAll { input.time - $0.time > 60_000_000_000 }
        var count10 = 0
        var notional10 = 0.0
        for liquidation in liquidations where input.time - liquidation.time <= 10_000_000_000 {
            count10 += 1
            notional10 += liquidation.notional
        }
        let notional60 = liquidations.reduce(0) { $0 + $1.notional }
        func windowLevel(_ count: Int, _ notional: Double, warn: (count: Int, notional: Double), alert: (count: Int, notional: Double)) -> SignalLevel {
            if count >= alert.count || notional >= alert.notional { return .alert }
            if count >= warn.count || notional >= warn.notional { return .warn }
            return .ok
        }
        var r10 = reading(.liquidations10s, notional10, nil, windowLevel(count10, notional10, warn: t.liquidations10sWarn, alert: t.liquidations10sAlert))
        r10.count = count10
        var r60 = reading(.liquidations60s, notional60, nil, windowLevel(liquidations.count, notional60, warn: t.liquidations60sWarn, alert: t.liquidations60sAlert))
        r60.count = liquidations.count
        r60.exchangeCount = liquidations.reduce(0) { $0 + ($1.exchange ? 1 : 0) }

        // Stressed deficit against the fund; ADL certain (unfillable quantity, or a deficit beyond
        // the fund) is an alert whatever the amount.
        let stressed = input.stressed.deficit.approximateDouble
        var stressedLevel = SignalLevel.ok
        if input.stressed.adlCertain {
            stressedLevel = .alert
        } else if stressed > 0 {
            let fund = max(input.fundBalance, 0)
            if fund <= 0 || stressed >= fund * t.stressedAlertFraction { stressedLevel = .alert }
            else if stressed >= fund * t.stressedWarnFraction { stressedLevel = .warn }
        }
        // No money lost yet, but the book left too thin for what comes after.
        // (`bookShare` is set only from the warning's share up: the engine walked no further.)
        if stressedLevel == .ok, input.stressed.bookShare != nil { stressedLevel = .warn }
        var stressedReading = reading(.stressedDeficit, stressed, input.fundBalance, stressedLevel)
        stressedReading.unfilledQuantity = input.stressed.unfilledQuantity.isPositive ? input.stressed.unfilledQuantity.approximateDouble : nil
        stressedReading.adlCertain = input.stressed.adlCertain
        // More positions near liquidation than a sample takes: the figure is a floor.
        stressedReading.beyondLimit = input.stressed.beyondLimit
        stressedReading.bookShare = input.stressed.bookShare
        if input.stressed.pastShownQuantity.isPositive {
            stressedReading.pastShownQuantity = input.stressed.pastShownQuantity.approximateDouble
            stressedReading.shownLevels = input.stressed.shownLevels
        }

        // Learn baselines after judging against them, so a jump is seen before it is absorbed.
        if input.spreadBps != nil && !input.bookFrozen {
            spreadBaseline.learn(spread, span: t.baselineSamples, warmup: t.warmupSamples, raised: spreadLevel != .ok)
            depth10Baseline.learn(input.depth10, span: t.baselineSamples, warmup: t.warmupSamples, raised: depth10Level != .ok)
            depth50Baseline.learn(input.depth50, span: t.baselineSamples, warmup: t.warmupSamples, raised: depth50Level != .ok)
        }
        if let mid = input.mid {
            flowTally.bandLow = SignalBoard.bookUnits((mid * (1 - 0.005) * 1e8).rounded(.down))
            flowTally.bandHigh = SignalBoard.bookUnits((mid * (1 + 0.005) * 1e8).rounded(.up))
        }

        var changes: [SignalChange] = []
        // The stressed deficit's history plots the deficit and the notional the book cannot fill
        // at all (at the bankruptcy prices): while that quantity goes to ADL the deficit reads 0,
        // and the sparkline lay flat through the whole alert.
        let stressedHistory = stressed + input.stressed.unfilledNotional.approximateDouble
        // Settled in `SignalKind.allCases`' order, the order of the changes reported, each
        // reading written in place (a new set of readings each sample was a tenth of its time).
        func settle(_ reading: SignalReading, history: Double? = nil) {
            var reading = reading
            if !input.bookShown && reading.kind.readsTheBook { reading.noBook = true }
            if !reading.noBook { histories[Int(reading.kind.ordinal)].append(history ?? reading.value) }
            let before = readings[reading.kind]?.level ?? .ok
            if before != reading.level {
                changes.append(SignalChange(
                    time: input.time, symbol: symbol, kind: reading.kind, from: before, to: reading.level,
                    value: reading.value, baseline: reading.baseline,
                    unfilledQuantity: reading.adlCertain ? reading.unfilledQuantity : nil, sideMissing: reading.sideMissing,
                    pastShownLevels: reading.pastShownLevels, passesFund: reading.adlCertain && reading.unfilledQuantity == nil))
            }
            readings[reading.kind] = reading
        }
        // Not judged yet: said so where the level would read ok.
        if !warm {
            if bothReading.level == .ok { bothReading.learning = true }
            if spreadReading.level == .ok { spreadReading.learning = true }
            if depth10Reading.level == .ok { depth10Reading.learning = true }
            if depth50Reading.level == .ok { depth50Reading.learning = true }
        }
        settle(bothReading)
        settle(drainReading)
        settle(spreadReading)
        settle(depth10Reading)
        settle(depth50Reading)
        settle(r10)
        settle(r60)
        settle(stressedReading, history: stressedHistory)
        return changes
    }

    private func reading(_ kind: SignalKind, _ value: Double, _ baseline: Double?, _ level: SignalLevel) -> SignalReading {
        SignalReading(kind: kind, value: value, baseline: baseline, level: level, count: nil)
    }
}
