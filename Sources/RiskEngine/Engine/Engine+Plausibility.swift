/// Prices no market can have: refused before they reach a book or a mark.
///
/// Decoders check that a price is a decimal that fits; they cannot know that
/// `92233720368.54775807` on a book at 60,000 is garbage (a corrupt frame, a hostile publisher on
/// `listen://`). Applied, such a level crosses out the other side, and the next liquidation fills
/// at it and books billions to the insurance fund. So a price more than
/// `implausiblePriceFactor` times above or below the market's reference (its mark, else its
/// book's mid, else its best level) is not applied: counted on the market, noted with the price
/// and the reference, and the rest of the event goes on. No real perpetual moves a thousandfold
/// within one session; a market with no reference yet (its first snapshot) takes what it is given.
extension Engine {
    /// How far from the reference a price may be, as a factor either way.
    public static let implausiblePriceFactor: Int64 = 1_000

    /// The price a market's new prices are judged against, in book units: for a book's levels,
    /// the book's mid before them, else the mark, else the one best level; for a mark, a trade or
    /// an index, the mark first. nil when the market has none yet.
    /// Inlined: called from `apply`, a mutating method, it would be passed a copy of the whole engine.
    @inline(__always)
    func plausibilityReference(market index: Int, bookFirst: Bool) -> Int64? {
        let bid = markets[index].book.bids.best?.price
        let ask = markets[index].book.asks.best?.price
        if bookFirst, let bid, let ask { return bid / 2 + ask / 2 }
        if let mark = markets[index].markBookUnits, mark > 0 { return mark }
        switch (bid, ask) {
        case let (bid?, ask?): return bid / 2 + ask / 2
        case let (bid?, nil): return bid
        case let (nil, ask?): return ask
        case (nil, nil): return nil
        }
    }

    /// The prices within the factor of a reference either way (book units).
    struct PriceBand {
        var reference: Int64
        var low: Int64
        var high: Int64

        init?(reference: Int64?) {
            guard let reference, reference > 0 else { return nil }
            self.reference = reference
            let (high, overflow) = reference.multipliedReportingOverflow(by: Engine.implausiblePriceFactor)
            self.high = overflow ? .max : high
            low = reference / Engine.implausiblePriceFactor
        }

        @inline(__always) func contains(_ price: Int64) -> Bool { price >= low && price <= high }
    }

    /// Whether a price may be applied; if not, it is counted and noted.
    mutating func admits(_ price: Int64, market index: Int, band: PriceBand?, source: PriceSource,
                         into notes: inout [EngineNotification]) -> Bool {
        guard let band, !band.contains(price) else { return true }
        markets[index].counters.implausiblePricesRefused += 1
        notes.append(.implausiblePrice(ImplausiblePrice(
            symbol: markets[index].symbol, source: source, price: Fixed(bookUnits: price),
            reference: Fixed(bookUnits: band.reference), time: time)))
        return false
    }

    /// The levels of a snapshot within the band; the others are refused.
    mutating func admitted(_ levels: [(price: Int64, size: Int64)], side: BookSide, market index: Int, band: PriceBand?,
                           into notes: inout [EngineNotification]) -> [(price: Int64, size: Int64)] {
        guard let band, levels.contains(where: { !band.contains($0.price) }) else { return levels }
        return levels.filter { admits($0.price, market: index, band: band, source: .bookLevel(side), into: &notes) }
    }
}

/// Where a refused price came from.
public enum PriceSource: Hashable, Sendable {
    case bookLevel(BookSide)
    case mark
    case trade
    case index

    public var label: String {
        switch self {
        case .bookLevel(let side): return side == .bid ? "bid level" : "ask level"
        case .mark: return "mark"
        case .trade: return "trade"
        case .index: return "index"
        }
    }
}

/// A price the engine would not apply (see `Engine.implausiblePriceFactor`).
public struct ImplausiblePrice: Hashable, Sendable {
    public var symbol: String
    public var source: PriceSource
    public var price: Fixed
    /// What it was judged against: the mark, the book's mid or its best level at the time.
    public var reference: Fixed
    public var time: Int64
}
