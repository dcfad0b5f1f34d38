/// Auto-deleveraging: the queue of positions that would be closed against a liquidation the book
/// or the fund cannot cover, ranked as the configured venue documents (see `ADLRanking`).
extension Engine {
    /// Open positions of one side of a market in ADL order (highest score first; the position
    /// index breaks ties).
    public func adlRanking(market: Int, side: Side) -> [(position: Int32, score: Fixed)] {
        var ranked: [(position: Int32, score: Fixed)] = []
        for index in markets[market].positionIndices {
            let position = positions[Int(index)]
            guard position.isOpen, position.side == side else { continue }
            ranked.append((index, adlScore(of: index)))
        }
        ranked.sort { $0.score != $1.score ? $0.score > $1.score : $0.position < $1.position }
        return ranked
    }

    /// A position's ADL score under the configured ranking, at its mark.
    public func adlScore(of index: Int32) -> Fixed {
        switch configuration.adlRanking {
        case .binance: return binanceLeveragePnL(of: index)
        case .bitmex, .bybit: return valueScore(of: index)
        }
    }

    /// Binance's "LeveragePnL": `max(0, uPnL) ÷ max(1, collateral) × margin ratio`, the margin
    /// ratio being `maintenance ÷ (collateral + uPnL)` (the account's, for cross), or 0 when that
    /// balance is not positive. Collateral is the isolated margin, or the cross wallet.
    func binanceLeveragePnL(of index: Int32) -> Fixed {
        let position = positions[Int(index)]
        let terms = terms(of: position)
        let mark = valuationMark(of: position)
        let pnl = MarginMath.unrealisedPnL(terms, at: mark)
        guard pnl.isPositive else { return .zero }
        var maintenance = MarginMath.maintenance(terms, rules: configuration.rules, at: mark).margin
        let collateral: Fixed
        var balance: Fixed
        if position.mode == .isolated {
            collateral = position.isolatedMargin
            balance = collateral + pnl
        } else {
            collateral = accounts[Int(position.accountIndex)].walletBalance
            let others = context(of: index)
            maintenance += others.otherMaintenance
            balance = collateral + pnl + others.otherUnrealised
        }
        guard balance.isPositive else { return .zero }
        return pnl / Fixed.maximum(.one, collateral) * (maintenance / balance)
    }

    /// BitMEX's (and Bybit's) ranking on the position's values (see `LossAllocation.adlScore`).
    func valueScore(of index: Int32) -> Fixed {
        let position = positions[Int(index)]
        let instrument = markets[Int(position.symbolIndex)].instrument
        let mark = valuationMark(of: position)
        func value(at price: Fixed) -> Fixed { Engine.signedValue(side: position.side, quantity: position.quantity, price: price, kind: instrument.kind) }
        let bankruptcy = position.bankruptcy
        return LossAllocation.adlScore(entryValue: value(at: position.entryPrice), markValue: value(at: mark),
            bankruptcyValue: bankruptcy.map(value(at:)) ?? .zero)
    }

    /// A position's value as BitMEX signs it: linear `side × Q × P`; inverse `−side × N × CS ÷ P`
    /// (an inverse long is short the coin it is settled in). With these signs one formula ranks
    /// longs and shorts, linear and inverse.
    static func signedValue(side: Side, quantity: Fixed, price: Fixed, kind: ContractKind) -> Fixed {
        switch kind {
        case .linear: return quantity * price * side.sign
        case .inverse(let size):
            guard price.isPositive else { return .zero }
            return quantity * size / price * (-side.sign)
        }
    }

    /// Every open position's place in its side's ADL queue, as exchanges show it: 1 to 5 lights.
    /// Binance's quantile is the position's rank among its side's, ascending, over their count;
    /// the lights are that quantile in fifths, rounded up (BitMEX: "shown in 20 % increments"):
    /// `⌈5 × (positions of its side scoring at most as much) ÷ (positions of its side)⌉`. The top
    /// fifth shows 5; equal scores share their lights; a position alone on its side shows 5, as it
    /// would be deleveraged first.
    public func adlQueue() -> [Int32: ADLQueueEntry] {
        var result: [Int32: ADLQueueEntry] = [:]
        for market in markets.indices {
            for side in [Side.long, .short] {
                let ranked = adlRanking(market: market, side: side)
                let count = ranked.count
                var atMost = count
                for (offset, entry) in ranked.enumerated() {
                    // Positions from the start of the run of equal scores this one belongs to.
                    if offset == 0 || ranked[offset - 1].score != entry.score { atMost = count - offset }
                    let lights = max(1, min(5, (5 * atMost + count - 1) / max(1, count)))
                    result[entry.position] = ADLQueueEntry(score: entry.score, rank: offset + 1, of: count, lights: lights)
                }
            }
        }
        return result
    }
}

extension Engine {
    /// The ADL queue a deleverage takes from: the side's open positions by score, as a heap built
    /// once per second of event time (Binance refreshes its ADL ranking every 30 s) and reused by
    /// every deleverage within it, so a cascade does not rank every opposite position again for each
    /// liquidation. A position closed since the queue was built is skipped; one reduced by ADL keeps
    /// its score (PnL% and leverage do not change with the quantity) and its place; a position
    /// opened or changed on that side drops the queue, which the next deleverage builds again.
    /// Takes the side's queue out of the market (built anew when there is none for this second),
    /// so the caller's heap is the only reference and popping it copies nothing;
    /// `keepADLQueueHeap` puts it back.
    mutating func takeADLQueueHeap(market: Int, side: Side) -> [ADLHeapEntry] {
        let second = time / 1_000_000_000
        var cached: ADLQueueCache? = nil
        if side == .long { swap(&cached, &markets[market].adlLongs) } else { swap(&cached, &markets[market].adlShorts) }
        if let cached, cached.second == second { return cached.heap }
        var heap: [ADLHeapEntry] = []
        for index in markets[market].positionIndices {
            let position = positions[Int(index)]
            guard position.isOpen, position.side == side else { continue }
            heap.append(ADLHeapEntry(score: adlScore(of: index), position: index))
        }
        Heap.heapify(&heap, before: ADLHeapEntry.before)
        return heap
    }

    mutating func keepADLQueueHeap(_ heap: [ADLHeapEntry], market: Int, side: Side) {
        let cached = ADLQueueCache(second: time / 1_000_000_000, heap: heap)
        if side == .long { markets[market].adlLongs = cached } else { markets[market].adlShorts = cached }
    }
}

/// An entry of a side's ADL heap: the best score first, the lower position index on a tie.
struct ADLHeapEntry: Sendable {
    var score: Fixed
    var position: Int32

    @inline(__always) static func before(_ a: ADLHeapEntry, _ b: ADLHeapEntry) -> Bool {
        a.score != b.score ? a.score > b.score : a.position < b.position
    }
}

/// A side's ADL heap as built at one second of event time.
struct ADLQueueCache: Sendable {
    var second: Int64
    var heap: [ADLHeapEntry]
}

/// A position's place in its side's ADL queue.
public struct ADLQueueEntry: Hashable, Sendable {
    public var score: Fixed
    /// 1 is first to be deleveraged.
    public var rank: Int
    public var of: Int
    /// 1 to 5, the indicator exchanges show (5: the top fifth).
    public var lights: Int
}
