import RiskEngine

/// One line of the liquidation tape: a liquidation the engine simulated, or one the exchange
/// reported.
public enum TapeEntry: Hashable, Sendable {
    case simulated(LiquidationRecord)
    case exchange(ExchangeLiquidation)

    public var time: Int64 {
        switch self {
        case .simulated(let record): return record.time
        case .exchange(let liquidation): return liquidation.time
        }
    }
}

/// The tape, newest first, read straight from the session log's two bounded lists (each in time
/// order) by merging them from their ends: a window of the tape costs its offset plus its length,
/// with no copy or sort of the whole log per frame.
enum TapeEntries {
    static func count(_ log: SessionLog) -> Int {
        log.simulatedLiquidations.count + log.exchangeLiquidations.count
    }

    /// `length` entries from the `offset`-th newest on.
    static func window(_ log: SessionLog, offset: Int, length: Int) -> [TapeEntry] {
        let simulated = log.simulatedLiquidations
        let exchange = log.exchangeLiquidations
        var nextSimulated = simulated.count - 1
        var nextExchange = exchange.count - 1
        var skipped = 0
        var result: [TapeEntry] = []
        result.reserveCapacity(max(0, min(length, count(log) - offset)))
        while result.count < length, nextSimulated >= 0 || nextExchange >= 0 {
            // The newer of the two heads; a tie goes to the simulated one, as the engine noted it
            // after the exchange's report that moved the book.
            let takeSimulated = nextExchange < 0
                || (nextSimulated >= 0 && simulated[nextSimulated].time >= exchange[nextExchange].time)
            let entry: TapeEntry
            if takeSimulated {
                entry = .simulated(simulated[nextSimulated])
                nextSimulated -= 1
            } else {
                entry = .exchange(exchange[nextExchange])
                nextExchange -= 1
            }
            if skipped < offset { skipped += 1 } else { result.append(entry) }
        }
        return result
    }
}
