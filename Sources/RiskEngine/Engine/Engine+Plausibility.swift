/// Prices no market can have: refused before they reach a book or a mark.
///
/// Decoders check that a price is a decimal that fits; they cannot know that
/// `92233720368.54775807` on a book at 60,000 is garbage (a corrupt frame, a hostile publisher on
/// `listen://`). Applied, such a level crosses out the other side, and the next liquidation fills
/// at it and books billions to the insurance fund; a far ask no one would sell at leaves a short's
/// liquidation a deficit of the same size. So a price too far above or below the market's
/// reference is not applied: counted on the market, noted with the price and the reference, and
/// the rest of the event goes on. A mark, a trade, an index price or a reported liquidation is a
/// price something traded or was valued at: tenfold from the book's mid it is garbage
/// (`implausiblePriceFactor`). A book's resting levels reach much further (Binance's BTCUSDT
/// book holds bids at 5,000 beside a mark of 61,800, and AKROUSDT's at 0.00001 beside 0.018), so
/// a level is refused only a thousandfold above (`implausibleLevelFactor`), an ask as far below,
/// or one crossing the other side's best by more than a tenth: the levels that would fill a
/// liquidation at a price no one trades at. A far bid below the book is left: it harms nothing.
///
/// The references are chosen so that no one price can move them far, nor blind a market:
/// - a book's levels are judged against the mark, else the book's mid before them, else its one
///   best level; a new level crossing the other side's best by more than a tenth is refused too
///   (a real crossed book comes of a missed delta, a few ticks);
/// - a snapshot, the venue's whole book, against its own median level: one poisoned level is
///   refused, and a poisoned mark cannot empty the next snapshot;
/// - a mark, a trade, an index price or an exchange-reported liquidation against the synced
///   book's mid, else the mark: a poisoned mark is replaced by the next true one.
/// A reference older than `maximumBookAgeSeconds` of session time (a quiet stretch skipped, a
/// recording of another year merged in) is no reference, and a market with none takes its first
/// prices as given.
extension Engine {
    /// How far from the reference a mark, trade, index price or reported liquidation may be, as a
    /// factor either way.
    public static let implausiblePriceFactor: Int64 = 10
    /// How far from the reference a book level may be.
    public static let implausibleLevelFactor: Int64 = 1_000

    /// Whether something set at `setAt` (session time) still counts as a reference.
    @inline(__always)
    func isRecent(_ setAt: Int64) -> Bool {
        setAt != .min && time &- setAt <= configuration.maximumBookAge
    }

    /// The book's mid (or its one best level, with `oneSide`), when the book is recent.
    @inline(__always)
    func bookReference(market index: Int, oneSide: Bool) -> Int64? {
        guard isRecent(markets[index].lastBookTime) else { return nil }
        let bid = markets[index].book.bids.best?.price
        let ask = markets[index].book.asks.best?.price
        switch (bid, ask) {
        case let (bid?, ask?): return bid / 2 + ask / 2
        case let (bid?, nil): return oneSide ? bid : nil
        case let (nil, ask?): return oneSide ? ask : nil
        case (nil, nil): return nil
        }
    }

    /// The mark in book units, when recent.
    @inline(__always)
    func markReference(market index: Int) -> Int64? {
        guard let mark = markets[index].markBookUnits, mark > 0, isRecent(markets[index].markTime), !markets[index].markDisputed else { return nil }
        return mark
    }

    /// A whole snapshot whose median level is tenfold or more from the market's recent mark: the
    /// median and the mark, or nil when they agree (or there is no mark to ask). Its levels are
    /// judged against its own median, so a snapshot of another market (a REST endpoint answering
    /// for another symbol, a broken or hostile venue) would be taken whole, and every true level
    /// after it refused against it.
    public func snapshotDisputesMark(symbol: String, bids: [(price: Int64, size: Int64)], asks: [(price: Int64, size: Int64)])
        -> (median: Int64, mark: Int64)?
    {
        guard let index = marketIndex(of: symbol), let mark = markReference(market: index),
            let median = Engine.snapshotReference(bids: bids, asks: asks), let band = PriceBand(reference: mark), !band.contains(median)
        else { return nil }
        return (median, mark)
    }

    /// Refuses such a snapshot: counted and noted as an implausible price (the snapshot's median
    /// against the mark), and the mark is no reference until the next one: one of the two is
    /// wrong, and the next snapshot and the next mark decide (a poisoned snapshot endpoint is
    /// refused again against the next true mark; a poisoned first mark lets the next true
    /// snapshot in). The book is marked stale by the caller, which asks for another.
    /// Dated at the snapshot's own `time` when it is later than the engine's (it is not applied, so
    /// it does not move the clock: the refusal was dated at the event before it, attacker trial).
    public mutating func refuseSnapshot(symbol: String, median: Int64, mark: Int64, time snapshotTime: Int64 = 0,
                                        into notes: inout [EngineNotification]) {
        guard let index = marketIndex(of: symbol) else { return }
        let dated = EventTime.isRepresentable(snapshotTime) ? Swift.max(snapshotTime, time) : time
        // The state before a gap is sampled before the refusal disputes the mark (review: the
        // sample dated before the snapshot came read the dispute and dropped a stressed deficit).
        sampleBeforeGap(until: dated, into: &notes)
        noteRefused(median, market: index, reference: mark, source: .snapshot, at: dated, into: &notes)
        markets[index].markDisputed = true
    }

    /// What a book's new levels are judged against (see the type's comment). Inlined: called
    /// from `apply`, a mutating method, it would be passed a copy of the whole engine.
    @inline(__always)
    func levelReference(market index: Int) -> Int64? {
        markReference(market: index) ?? bookReference(market: index, oneSide: true)
    }

    /// What a mark, a trade, an index price or a reported liquidation is judged against.
    @inline(__always)
    func priceReference(market index: Int) -> Int64? {
        bookReference(market: index, oneSide: false) ?? markReference(market: index)
    }

    /// A snapshot's own median level price: what most of its levels agree on.
    static func snapshotReference(bids: [(price: Int64, size: Int64)], asks: [(price: Int64, size: Int64)]) -> Int64? {
        let count = bids.count + asks.count
        guard count > 0 else { return nil }
        var prices = bids.map(\.price) + asks.map(\.price)
        let middle = count / 2
        // The median by selection would do; a snapshot is a few hundred levels, once in a while.
        prices.sort()
        return prices[middle]
    }

    /// The prices within the factor of a reference either way (book units).
    struct PriceBand {
        var reference: Int64
        var low: Int64
        var high: Int64

        init?(reference: Int64?, factor: Int64 = Engine.implausiblePriceFactor) {
            guard let reference, reference > 0 else { return nil }
            self.reference = reference
            let (high, overflow) = reference.multipliedReportingOverflow(by: factor)
            // Short of `.max`, which a price past the largest a book unit holds saturates to: a
            // mark of 465,000,000,000 beside a book at 9,300,000,000 (whose tenfold overflows)
            // was applied, where fifty times a book at 1,000,000,000 was refused (attacker trial).
            self.high = overflow ? .max - 1 : high
            low = reference / factor
        }

        @inline(__always) func contains(_ price: Int64) -> Bool { price >= low && price <= high }

        /// A book level: none above the band; an ask none below it either (a far bid is real).
        @inline(__always) func admitsLevel(_ price: Int64, side: BookSide) -> Bool {
            price <= high && (side == .bid || price >= low)
        }
    }

    /// The reference a book level is refused against, or nil when it may be applied: outside the
    /// band, or crossing the other side's best by more than a tenth (the book before the level).
    @inline(__always)
    static func refusal(of change: LevelChange, band: PriceBand?, book: OrderBook) -> Int64? {
        if let band, !band.admitsLevel(change.price, side: change.side) { return band.reference }
        if change.side == .bid, let ask = book.asks.best?.price, change.price > ask, change.price - ask > ask / 10 { return ask }
        if change.side == .ask, let bid = book.bids.best?.price, change.price < bid, bid - change.price > bid / 10 { return bid }
        return nil
    }

    /// Counts a refused price on its market and notes it: the one place a refusal is recorded.
    /// `exact`: the price as it came, where book units would clamp or round it (a reported
    /// liquidation at 999,999,999,999,999 read as 92,233,720,368.54775807: attacker trial).
    mutating func noteRefused(_ price: Int64, market index: Int, reference: Int64, source: PriceSource,
                              at refusedTime: Int64? = nil, exact: Fixed? = nil, into notes: inout [EngineNotification]) {
        markets[index].counters.implausiblePricesRefused += 1
        notes.append(.implausiblePrice(ImplausiblePrice(
            symbol: markets[index].symbol, source: source, price: exact ?? Fixed(bookUnits: price),
            reference: Fixed(bookUnits: reference), time: refusedTime ?? time)))
    }

    /// Whether a price given as a figure (a mark, an index, a reported liquidation) may be applied.
    /// Past the largest a book may carry it is refused against that limit, with no reference
    /// needed (an events mark of 9 × 10¹⁸ was the first a market had, and was taken); else as a
    /// book price is. Either way it is reported as it came (clamped to book units, a refused
    /// 999,999,999,999,999 read as 92,233,720,368.54775807: attacker trial).
    mutating func admits(_ price: Fixed, market index: Int, band: PriceBand?, source: PriceSource,
                         into notes: inout [EngineNotification]) -> Bool {
        guard price <= BookUnits.largestPrice else {
            noteRefused(price.bookUnits, market: index, reference: .max, source: source, exact: price, into: &notes)
            return false
        }
        return admits(price.bookUnits, market: index, band: band, source: source, exact: price, into: &notes)
    }

    /// Whether a price may be applied; if not, it is counted and noted.
    mutating func admits(_ price: Int64, market index: Int, band: PriceBand?, source: PriceSource,
                         exact: Fixed? = nil, into notes: inout [EngineNotification]) -> Bool {
        guard let band, !band.contains(price) else { return true }
        noteRefused(price, market: index, reference: band.reference, source: source, exact: exact, into: &notes)
        return false
    }

    /// A snapshot's levels that cross its other side's best by more than a tenth and lie more than
    /// a tenth beyond its median on the crossing side: one hostile bid of 3,600 in a book at 3,000
    /// crossed out its 29 real asks and liquidated a healthy short at 3,700 (attacker trial); sent
    /// as an update it was refused (`refusal(of:band:book:)`). Which side is wrong is the one away
    /// from the median, where most levels agree: a real book does not cross by a tenth, and a deep
    /// book's bids far below do not cross at all. A crossing within a tenth is the book's to resolve.
    mutating func refuseCrossingOutliers(_ bids: inout [(price: Int64, size: Int64)], _ asks: inout [(price: Int64, size: Int64)],
                                         median: Int64, market index: Int, into notes: inout [EngineNotification]) {
        // With a mark, the side that lies is the one far from it: a median of as many hostile bids
        // as real asks (a top-of-book feed sends as many a side) sided with the bids, the real asks
        // were crossed out, and a long was liquidated into bids 16 % over the mark, the fund booking
        // a surplus no book had (attacker trial). Two levels alone are judged so too.
        // A mark the engine trusts as a reference only: not an outdated one (a replay of recordings
        // years apart) nor a disputed one (review).
        if let mark = markReference(market: index),
            let bestAsk = asks.lazy.map(\.price).min(), let bestBid = bids.lazy.map(\.price).max(),
            bestBid > bestAsk, bestBid - bestAsk > bestAsk / 10 {
            if bestBid - mark > mark - bestAsk {
                let (raised, overflow) = bestAsk.addingReportingOverflow(bestAsk / 10)
                let limit = overflow ? Int64.max : raised
                refuse(&bids, .bid, reference: mark, market: index, into: &notes) { $0 > limit }
            } else {
                let limit = bestBid - bestBid / 10
                refuse(&asks, .ask, reference: mark, market: index, into: &notes) { $0 < limit }
            }
            return
        }
        // Two levels have no median to side with (the upper one is taken: a hostile bid's own).
        guard bids.count + asks.count >= 3,
              let bestAsk = asks.lazy.map(\.price).min(), let bestBid = bids.lazy.map(\.price).max(), bestBid > bestAsk else { return }
        // Prices reach Int64's largest (a decoder's limit): the tenth above saturates (a snapshot at
        // 9.2 × 10¹⁸ book units overflowed here and trapped; review).
        let (raised, overflow) = median.addingReportingOverflow(median / 10)
        let highBid = overflow ? .max : raised
        let lowAsk = median - median / 10
        if bestBid - bestAsk > bestAsk / 10 && bestBid > highBid {
            refuse(&bids, .bid, reference: bestAsk, market: index, into: &notes) { $0 > highBid && $0 - bestAsk > bestAsk / 10 }
        }
        guard let bid = bids.lazy.map(\.price).max() else { return }
        if bid - bestAsk > bid / 10 && bestAsk < lowAsk {
            refuse(&asks, .ask, reference: bid, market: index, into: &notes) { $0 < lowAsk && bid - $0 > bid / 10 }
        }
    }

    /// Takes out of a snapshot's side the levels whose price `isRefused`, each refused against
    /// `reference` (counted and noted).
    mutating func refuse(_ levels: inout [(price: Int64, size: Int64)], _ side: BookSide, reference: Int64, market index: Int,
                         into notes: inout [EngineNotification], where isRefused: (Int64) -> Bool) {
        levels = levels.filter { level in
            guard isRefused(level.price) else { return true }
            noteRefused(level.price, market: index, reference: reference, source: .bookLevel(side), into: &notes)
            return false
        }
    }

    /// The levels of a snapshot the band admits; the others are refused.
    mutating func admitted(_ levels: [(price: Int64, size: Int64)], side: BookSide, market index: Int, band: PriceBand?,
                           into notes: inout [EngineNotification]) -> [(price: Int64, size: Int64)] {
        guard let band, levels.contains(where: { !band.admitsLevel($0.price, side: side) }) else { return levels }
        var kept = levels
        refuse(&kept, side, reference: band.reference, market: index, into: &notes) { !band.admitsLevel($0, side: side) }
        return kept
    }
}

/// Where a refused price came from.
public enum PriceSource: Hashable, Sendable {
    case bookLevel(BookSide)
    case mark
    case trade
    case index
    case exchangeLiquidation
    /// A whole snapshot, by its median level (see `Engine.snapshotDisputesMark`).
    case snapshot

    public var label: String {
        switch self {
        case .bookLevel(let side): return side == .bid ? "bid level" : "ask level"
        case .mark: return "mark"
        case .trade: return "trade"
        case .index: return "index"
        case .exchangeLiquidation: return "reported liquidation"
        case .snapshot: return "snapshot (its median level)"
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
