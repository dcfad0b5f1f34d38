import RiskEngine

/// Which lines the tape shows: those naming the operator's text (an account, a market, a venue),
/// only the liquidations that left a deficit or went to ADL, or both. In a cascade the tape runs at
/// hundreds of lines a second and the few that cost the fund scrolled away among the ones the book
/// absorbed; a filter keeps them on screen.
///
/// The matching lines are kept as their places in the session (the n-th liquidation ever noted),
/// found as they arrive: a frame costs the lines new since the last one, never a pass over the
/// log's 10,000 kept lines (a cascade adds lines every frame).
struct TapeFilter: Sendable, Equatable {
    /// As typed (the prompt shows it back).
    private(set) var text = ""
    /// Lower-cased, for a match that ignores case.
    private var needle = ""
    private(set) var deficitsOnly = false
    /// The places (0 the session's first) of the matching simulated and exchange lines still in
    /// the log, oldest first, from `simulatedStart` and `exchangeStart` on.
    private var simulated: [Int] = []
    private var exchange: [Int] = []
    private var simulatedStart = 0
    private var exchangeStart = 0
    /// How many lines of each list were looked at (the log's counts then).
    private var simulatedSeen = 0
    private var exchangeSeen = 0

    var isActive: Bool { !needle.isEmpty || deficitsOnly }

    /// How many lines the tape shows through the filter.
    var count: Int { simulated.count - simulatedStart + exchange.count - exchangeStart }

    /// A new text (nothing: every line); every kept line is looked at again.
    mutating func setText(_ newText: String, log: SessionLog) {
        text = newText
        needle = newText.trimmingSpaces.lowercased()
        rebuild(log)
    }

    mutating func setDeficitsOnly(_ on: Bool, log: SessionLog) {
        deficitsOnly = on
        rebuild(log)
    }

    private mutating func rebuild(_ log: SessionLog) {
        simulated.removeAll()
        exchange.removeAll()
        simulatedStart = 0
        exchangeStart = 0
        simulatedSeen = 0
        exchangeSeen = 0
        refresh(log)
    }

    /// Takes in the lines the log noted since the last call and lets go of those it no longer
    /// keeps; returns how many of the new lines match. A log with fewer lines than seen is another
    /// session's (a jump back): looked at anew.
    @discardableResult
    mutating func refresh(_ log: SessionLog) -> Int {
        guard isActive else { return 0 }
        if log.simulatedCount < simulatedSeen || log.exchangeCount < exchangeSeen {
            rebuild(log)
            return count
        }
        var appended = 0
        let simulatedFirst = log.simulatedCount - log.simulatedLiquidations.count
        for place in max(simulatedSeen, simulatedFirst)..<log.simulatedCount
        where matches(log.simulatedLiquidations[place - simulatedFirst]) {
            simulated.append(place)
            appended += 1
        }
        simulatedSeen = log.simulatedCount
        let exchangeFirst = log.exchangeCount - log.exchangeLiquidations.count
        for place in max(exchangeSeen, exchangeFirst)..<log.exchangeCount
        where matches(log.exchangeLiquidations[place - exchangeFirst]) {
            exchange.append(place)
            appended += 1
        }
        exchangeSeen = log.exchangeCount
        while simulatedStart < simulated.count && simulated[simulatedStart] < simulatedFirst { simulatedStart += 1 }
        while exchangeStart < exchange.count && exchange[exchangeStart] < exchangeFirst { exchangeStart += 1 }
        // Let go of the places passed once they are half the list (a long session's cascade).
        if simulatedStart > 1_024 && simulatedStart * 2 > simulated.count {
            simulated.removeFirst(simulatedStart)
            simulatedStart = 0
        }
        if exchangeStart > 1_024 && exchangeStart * 2 > exchange.count {
            exchange.removeFirst(exchangeStart)
            exchangeStart = 0
        }
        return appended
    }

    /// A liquidation the engine simulated: its account or market names the text; with
    /// `deficitsOnly`, it left a deficit or sent quantity to ADL or to the fund.
    func matches(_ record: LiquidationRecord) -> Bool {
        if deficitsOnly && !(record.deficit.isPositive || record.adlQuantity.isPositive || record.fundTakeoverQuantity.isPositive) {
            return false
        }
        return needle.isEmpty || record.account.lowercased().contains(needle) || record.symbol.lowercased().contains(needle)
    }

    /// One the exchange reported: its market names the text. Its deficit is the exchange's to
    /// know, so it is not among the deficits.
    func matches(_ liquidation: ExchangeLiquidation) -> Bool {
        !deficitsOnly && (needle.isEmpty || liquidation.symbol.lowercased().contains(needle))
    }

    /// `length` matching lines from the `offset`-th newest on, merged from the two lists' ends by
    /// time as `TapeEntries.window` merges the whole log.
    func window(_ log: SessionLog, offset: Int, length: Int) -> [TapeEntry] {
        let simulatedFirst = log.simulatedCount - log.simulatedLiquidations.count
        let exchangeFirst = log.exchangeCount - log.exchangeLiquidations.count
        var nextSimulated = simulated.count - 1
        var nextExchange = exchange.count - 1
        var skipped = 0
        var result: [TapeEntry] = []
        result.reserveCapacity(max(0, min(length, count - offset)))
        while result.count < length, nextSimulated >= simulatedStart || nextExchange >= exchangeStart {
            let simulatedHead = nextSimulated >= simulatedStart ? log.simulatedLiquidations[simulated[nextSimulated] - simulatedFirst] : nil
            let exchangeHead = nextExchange >= exchangeStart ? log.exchangeLiquidations[exchange[nextExchange] - exchangeFirst] : nil
            let entry: TapeEntry
            if let simulatedHead, exchangeHead.map({ simulatedHead.time >= $0.time }) ?? true {
                entry = .simulated(simulatedHead)
                nextSimulated -= 1
            } else if let exchangeHead {
                entry = .exchange(exchangeHead)
                nextExchange -= 1
            } else {
                break
            }
            if skipped < offset { skipped += 1 } else { result.append(entry) }
        }
        return result
    }

    /// What the tape's title says of the filter: `"alice" · deficit or ADL`.
    var label: String {
        var parts: [String] = []
        if !needle.isEmpty { parts.append("\"" + SafeText.escaped(text.trimmingSpaces) + "\"") }
        if deficitsOnly { parts.append("deficit or ADL") }
        return parts.joined(separator: " · ")
    }
}
