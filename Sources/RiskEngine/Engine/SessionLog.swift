

/// Everything a session's notifications said that a report, the tape or a jump needs: kept
/// bounded (recent lists) with complete totals, so memory stays flat however long the session.
public struct SessionLog: Sendable {
    public struct Alert: Hashable, Sendable {
        public var time: Int64
        public var symbol: String
        public var signal: SignalKind
        public var level: SignalLevel
        public var value: Double
    }

    public private(set) var simulatedLiquidations: [LiquidationRecord] = []
    public private(set) var exchangeLiquidations: [ExchangeLiquidation] = []
    public private(set) var adlRecords: [ADLRecord] = []
    public private(set) var alerts: [Alert] = []
    public private(set) var simulatedCount = 0
    public private(set) var exchangeCount = 0
    public private(set) var simulatedNotional: [String: Fixed] = [:]
    public private(set) var exchangeNotional: [String: Fixed] = [:]
    public private(set) var deficitCount = 0
    public private(set) var deficitTotal: [String: Fixed] = [:]
    public private(set) var adlCount = 0
    public private(set) var adlNotional: [String: Fixed] = [:]
    public private(set) var alertCount = 0
    public private(set) var gaps = 0
    /// Triggers crossed in markets whose book could not be trusted (see `liquidationBlocked`).
    public struct Blocked: Hashable, Sendable {
        public var time: Int64
        public var symbol: String
        public var reason: LiquidationBlock
    }
    public private(set) var blockedLiquidations = 0
    public private(set) var blocked: [Blocked] = []
    public private(set) var crossedLevelsRemoved = 0
    /// Times of notable events (liquidations, deficits, alerts) for jumping to next / previous.
    public private(set) var marks: [Int64] = []
    public static let keep = 5_000

    public init() {}

    public mutating func record(_ notes: [EngineNotification]) {
        for note in notes { record(note) }
    }

    public mutating func record(_ note: EngineNotification) {
        switch note {
        case .liquidation(let record):
            simulatedCount += 1
            simulatedNotional[record.asset, default: .zero] += record.notional
            append(&simulatedLiquidations, record)
            addMark(record.time)
        case .deficit(_, let asset, let amount, let time):
            deficitCount += 1
            deficitTotal[asset, default: .zero] += amount
            addMark(time)
        case .adl(let record):
            adlCount += 1
            adlNotional[record.symbol, default: .zero] += record.quantity * record.price
            append(&adlRecords, record)
        case .exchangeLiquidation(let liquidation):
            exchangeCount += 1
            exchangeNotional[liquidation.symbol, default: .zero] += liquidation.quantity * liquidation.price
            append(&exchangeLiquidations, liquidation)
            addMark(liquidation.time)
        case .signal(let change):
            if change.to == .alert {
                alertCount += 1
                append(&alerts, Alert(time: change.time, symbol: change.symbol, signal: change.kind, level: change.to, value: change.value))
                addMark(change.time)
            }
        case .bookGap:
            gaps += 1
        case .crossedBook(_, let removed, _):
            crossedLevelsRemoved += removed
        case .liquidationBlocked(let symbol, let reason, let time):
            blockedLiquidations += 1
            append(&blocked, Blocked(time: time, symbol: symbol, reason: reason))
        case .fund, .adlUnfilled, .socialisedLoss:
            break
        }
    }

    private mutating func addMark(_ time: Int64) {
        if marks.last != time { marks.append(time) }
        if marks.count > SessionLog.keep * 4 { marks.removeFirst(marks.count / 2) }
    }

    private func append<T>(_ list: inout [T], _ element: T) {
        list.append(element)
        if list.count > SessionLog.keep { list.removeFirst(list.count - SessionLog.keep) }
    }
}
