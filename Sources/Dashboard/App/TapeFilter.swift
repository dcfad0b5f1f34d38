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
    /// The matching simulated and exchange lines still in the log.
    private var simulated = MatchedPlaces()
    private var exchange = MatchedPlaces()

    var isActive: Bool { !needle.isEmpty || deficitsOnly }

    /// How many lines the tape shows through the filter.
    var count: Int { simulated.count + exchange.count }

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
        simulated = MatchedPlaces()
        exchange = MatchedPlaces()
        refresh(log)
    }

    /// Takes in the lines the log noted since the last call and lets go of those it no longer
    /// keeps; returns how many of the new lines match. A log with fewer lines than seen is another
    /// session's (a jump back): looked at anew.
    @discardableResult
    mutating func refresh(_ log: SessionLog) -> Int {
        guard isActive else { return 0 }
        if log.simulatedCount < simulated.seen || log.exchangeCount < exchange.seen {
            rebuild(log)
            return count
        }
        let filter = self
        return simulated.take(log.simulatedLiquidations, total: log.simulatedCount, matching: filter.matches)
            + exchange.take(log.exchangeLiquidations, total: log.exchangeCount, matching: filter.matches)
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
        // Counted back from the newest match of each list.
        var nextSimulated = simulated.count - 1
        var nextExchange = exchange.count - 1
        var skipped = 0
        var result: [TapeEntry] = []
        result.reserveCapacity(max(0, min(length, count - offset)))
        // Places the log no longer keeps (a log newer than the last `refresh`) end the walk.
        let oldestSimulated = (0..<simulated.count).first { simulated.place($0) >= simulatedFirst } ?? simulated.count
        let oldestExchange = (0..<exchange.count).first { exchange.place($0) >= exchangeFirst } ?? exchange.count
        while result.count < length, nextSimulated >= oldestSimulated || nextExchange >= oldestExchange {
            let simulatedHead = nextSimulated >= oldestSimulated ? log.simulatedLiquidations[simulated.place(nextSimulated) - simulatedFirst] : nil
            let exchangeHead = nextExchange >= oldestExchange ? log.exchangeLiquidations[exchange.place(nextExchange) - exchangeFirst] : nil
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

/// The places (0 the session's first) of one list's matching lines still in the log, oldest
/// first, and how many of the list's lines were looked at.
struct MatchedPlaces: Sendable, Equatable {
    private var places: [Int] = []
    /// The first place still in the log; those before it are let go in bulk.
    private var start = 0
    private(set) var seen = 0

    var count: Int { places.count - start }

    /// The `index`-th match still kept, oldest first.
    func place(_ index: Int) -> Int { places[start + index] }

    /// Looks at the lines of `ring` (the newest `ring.count` of `total`) not looked at yet, keeps
    /// the places of those `matching`, lets go of those the ring no longer holds; returns how many
    /// were kept.
    mutating func take<Element>(_ ring: RingBuffer<Element>, total: Int, matching: (Element) -> Bool) -> Int {
        let first = total - ring.count
        var kept = 0
        for place in max(seen, first)..<total where matching(ring[place - first]) {
            places.append(place)
            kept += 1
        }
        seen = total
        while start < places.count && places[start] < first { start += 1 }
        // Let go of the places passed once they are half the list (a long session's cascade).
        if start > 1_024 && start * 2 > places.count {
            places.removeFirst(start)
            start = 0
        }
        return kept
    }
}
