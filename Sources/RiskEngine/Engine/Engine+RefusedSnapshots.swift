/// A snapshot the engine would not apply: it crossed itself, or gave one price twice with two
/// sizes (see `Engine.snapshotContradiction`).
public struct RefusedSnapshot: Hashable, Sendable {
    public var symbol: String
    /// In words, with the prices: `a bid at 60,500.00 is at or above the ask at 60,010.00`.
    public var reason: String
    public var time: Int64
}

extension Engine {
    /// Why a snapshot's levels contradict each other, or nil: a bid above an ask by more than a
    /// tick (of levels with a size), or one price given twice on a side with different sizes.
    /// A locked book or a cross of one tick is not refused: Tardis's own reconstruction of
    /// Binance's book shows its best bid equal to its best ask for half a second at a time, and
    /// such a snapshot is applied as before, its crossed asks removed (review). Linear for a side
    /// given in order, as every venue sends it; a side out of order is sorted once.
    static func snapshotContradiction(bids: [(price: Int64, size: Int64)], asks: [(price: Int64, size: Int64)],
                                      priceDecimals: Int = 0, tick: Int64 = 1) -> String? {
        // At the market's tick's places at least (`a bid at 1.96` beside `the ask at 1.954` read as
        // prices of two precisions: operator trial), every digit beyond.
        func price(_ units: Int64) -> String {
            let value = Fixed(bookUnits: units)
            return value.formatted(Swift.max(priceDecimals, value.significantPlaces), grouping: true)
        }
        let bestBid = bids.lazy.filter { $0.size > 0 }.map(\.price).max()
        let bestAsk = asks.lazy.filter { $0.size > 0 }.map(\.price).min()
        if let bid = bestBid, let ask = bestAsk, bid > ask, bid - ask > Swift.max(1, tick) {
            return "a bid at \(price(bid)) is above the ask at \(price(ask)) of the same snapshot"
        }
        for (name, levels) in [("bids", bids), ("asks", asks)] {
            if let twice = twiceGiven(levels) {
                return "\(name): the price \(price(twice)) is given twice, with different sizes"
            }
        }
        return nil
    }

    /// A price the levels give twice with different sizes, or nil.
    static func twiceGiven(_ levels: [(price: Int64, size: Int64)]) -> Int64? {
        guard levels.count > 1 else { return nil }
        var ascending = true
        var descending = true
        for index in 1..<levels.count {
            if levels[index].price <= levels[index - 1].price { ascending = false }
            if levels[index].price >= levels[index - 1].price { descending = false }
            if !ascending && !descending { break }
        }
        if ascending || descending { return nil }
        let sorted = levels.sorted { $0.price != $1.price ? $0.price < $1.price : $0.size < $1.size }
        for index in 1..<sorted.count where sorted[index].price == sorted[index - 1].price && sorted[index].size != sorted[index - 1].size {
            return sorted[index].price
        }
        return nil
    }

    /// Leaves the book as last known, STALE until a snapshot is applied, and says why.
    mutating func refuseSnapshot(market index: Int, reason: String, into notes: inout [EngineNotification]) {
        markets[index].counters.snapshotsRefused += 1
        markets[index].snapshotRefused = true
        if markets[index].book.hasSnapshot { markets[index].book.isStale = true }
        notes.append(.snapshotRefused(RefusedSnapshot(symbol: markets[index].symbol, reason: reason, time: time)))
    }
}
