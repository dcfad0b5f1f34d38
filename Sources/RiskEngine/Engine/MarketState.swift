/// Everything the engine knows about one symbol.
public struct MarketState: Sendable {
    public let instrument: Instrument
    public internal(set) var book: OrderBook
    /// The mark the triggers are evaluated at; nil until one is known.
    public internal(set) var markPrice: Fixed?
    /// True once a mark stream has spoken; from then on the book no longer derives the mark.
    public internal(set) var markFromStream = false
    public internal(set) var lastTradePrice: Int64?
    public internal(set) var lastEventTime: Int64 = 0
    public internal(set) var counters = MarketCounters()
    var signals: SignalBoard
    var triggers = TriggerIndex()
    /// The riskiest live entries of each side as the signals last read them (see
    /// `Engine.leadingEntries`): walking the heaps for them every second was a third of a sample.
    var leadingLongs: LeadingEntries?
    var leadingShorts: LeadingEntries?
    /// Every position ever opened in this symbol (closed ones are skipped when scanned).
    var positionIndices: [Int32] = []
    /// Cross accounts that hold this symbol and at least one other: re-evaluated on this mark.
    var multiSymbolCrossAccounts: Set<Int32> = []

    init(instrument: Instrument, historyLength: Int) {
        self.instrument = instrument
        self.book = OrderBook(tick: instrument.tickSize.bookUnits)
        self.signals = SignalBoard(historyLength: historyLength)
    }

    public var symbol: String { instrument.symbol }
    public var signalReadings: [SignalKind: SignalReading] { signals.readings }
}

/// Leading trigger entries read from a market's index at one of its generations.
struct LeadingEntries: Sendable {
    var generation: UInt64
    var count: Int
    var entries: [TriggerIndex.Entry]
}

public struct MarketCounters: Hashable, Sendable {
    public var snapshots = 0
    public var depthEvents = 0
    public var levelChanges = 0
    public var gaps = 0
    public var trades = 0
    public var marks = 0
    public var crossedLevelsRemoved = 0
    public var simulatedLiquidations = 0
    public var exchangeLiquidations = 0
}

/// Totals across the engine, for reports.
public struct EngineTotals: Hashable, Sendable {
    public var liquidations = 0
    public var partialSteps = 0
    public var deficits = 0
    public var deficitTotal: [String: Fixed] = [:]
    public var adlEvents = 0
    public var adlQuantityBySymbol: [String: Fixed] = [:]
    public var adlNotional: [String: Fixed] = [:]
    public var socialisedLosses = 0
    public var socialisedTotal: [String: Fixed] = [:]
}
