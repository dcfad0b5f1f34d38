/// A cascade applied in slices. One mark can cross the triggers of a hundred thousand accounts;
/// liquidated in one call, that is a second in which a dashboard cannot answer a key. Applied with
/// a `liquidationLimit`, the event stops after that many liquidations, with the market's cascade
/// left unfinished; `continueCascade` goes on from the same trigger. Nothing else happens in
/// between (a new event first finishes what is left), so the engine and its notifications are
/// exactly those of the event applied whole: the same liquidations in the same order, the
/// signals sampled once, after the last one.
extension Engine {
    /// Whether the last event's cascade was cut and waits for `continueCascade`.
    public var isMidCascade: Bool { unfinishedCascade != nil }

    /// Goes on with the cut cascade for at most `liquidationLimit` more liquidations; what the
    /// event does after its cascade (sampling the signals) is done once it is finished.
    public mutating func continueCascade(into notes: inout [EngineNotification], liquidationLimit: Int) {
        guard let market = unfinishedCascade else { return }
        revision &+= 1
        if liquidationLimit == .max {
            // Finished at once: the liquidation that deleverages ranks as it would have.
            dropPreparation()
        } else if let preparation = adlPreparation, !preparation.isComplete {
            // The slice goes to the ranking being prepared; the cascade waits for it.
            let limit = max(1, min(liquidationLimit, Int(Int32.max)))
            advancePreparation(work: limit * Engine.preparationWorkPerLiquidation)
            return
        }
        unfinishedCascade = nil
        beginSlice(liquidationLimit)
        defer { endSlice() }
        drainTriggers(market: Int(market), into: &notes)
        if unfinishedCascade == nil && samplingEnabled && time >= nextSampleTime { sampleSignals(into: &notes) }
    }

    /// What follows starts at most `liquidationLimit` liquidations (`.max`: no limit) until
    /// `endSlice`: an event applied, a cascade gone on with, a shock projected.
    @inline(__always)
    mutating func beginSlice(_ liquidationLimit: Int) {
        liquidationsLeftInSlice = max(1, liquidationLimit)
        slicing = liquidationLimit != .max
    }

    @inline(__always)
    mutating func endSlice() {
        liquidationsLeftInSlice = .max
        slicing = false
    }

    /// Finishes a cut cascade at once (a copy about to be projected, a report).
    public mutating func finishCascade(into notes: inout [EngineNotification]) {
        continueCascade(into: &notes, liquidationLimit: .max)
    }
}
