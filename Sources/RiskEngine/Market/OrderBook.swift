/// One fill of a book walk.
public struct Fill: Hashable, Sendable {
    public var price: Int64
    public var size: Int64
}

/// The result of walking the book with an immediate-or-cancel order.
public struct BookWalk: Hashable, Sendable {
    public var fills: [Fill] = []
    /// Filled size, book units.
    public var filled: Int64 = 0
    /// Size the book could not fill, book units.
    public var remainder: Int64 = 0
    /// Σ price × size of the fills (as money, exact).
    public var filledValue: Fixed = .zero
    /// Where the remainder ran past the deepest level of a feed that shows only the top of the
    /// book (`OrderBook.endsAtShownLevels`), that level's price (the side's last, or the deepest
    /// one simulated liquidations emptied): the book beyond is not known, not empty, and fills no
    /// better, so the remainder's loss is at least its loss at this price. nil otherwise, and for
    /// a side that shows no price at all (walked as an empty one).
    public var deepestShownPrice: Int64?
    public var remainderPastShownLevels: Bool { deepestShownPrice != nil }
    public var levelsConsumed: Int { fills.count }

    /// Volume-weighted average fill price; nil when nothing filled.
    public var averagePrice: Fixed? {
        guard filled > 0 else { return nil }
        return filledValue / Fixed(bookUnits: filled)
    }

    public var worstPrice: Int64? { fills.last?.price }
}

/// An L2 book for one symbol, with exact prices and sizes, and a liquidity overlay.
///
/// Simulated liquidations take liquidity out of the ladders themselves, so every walk, best price
/// and depth band reads the book as they left it at no extra cost (a cascade's walks used to look
/// each level up in the overlay, and each cost as much as the levels already eaten). The overlay
/// records what they took from each level, for the feed's view of the book (`forEachFeedLevel`,
/// `topLevels`) and the ladder's "eaten" marks. The next feed update of a level replaces both: the
/// feed now tells the truth about that level, so a series of liquidations drains the book the way a
/// real cascade does.
public struct OrderBook: Hashable, Sendable {
    public var bids = PriceLadder(side: .bid)
    public var asks = PriceLadder(side: .ask)
    /// Book units consumed by simulated liquidations, per price, awaiting the next feed update
    /// (already taken out of the ladders).
    public private(set) var consumedBids: [Int64: Int64] = [:]
    public private(set) var consumedAsks: [Int64: Int64] = [:]
    /// Levels removed because an update on the other side crossed them.
    public private(set) var crossedLevelsRemoved = 0
    /// True after a sequence gap until the next snapshot: the book is not to be trusted.
    public var isStale = false
    /// True once a snapshot has been applied: before it, the levels are not a whole book.
    public private(set) var hasSnapshot = false
    /// The most levels a side the feed shows (Hyperliquid's `l2Book` 20, Tardis's
    /// `book_snapshot_25` 25, Bybit's `orderbook.50` 50); 0 for a feed that shows the whole book.
    /// Set by each snapshot; a top-N stream's deltas keep it.
    public private(set) var shownLevels = 0
    /// Levels a top-of-book feed shows that the ladders lack for another reason than simulated
    /// liquidations (whose emptied levels the overlay holds): see `UnshownLevels`.
    private(set) var unshownBids = UnshownLevels()
    private(set) var unshownAsks = UnshownLevels()

    /// Of one side of a top-of-book feed's book, the levels the feed shows that the ladder lacks,
    /// other than those simulated liquidations emptied: prices refused as implausible or crossed
    /// out (until the feed touches the price again), levels a snapshot gave twice, and in a
    /// projection's copy (`shifted`) the feed's levels the move dropped and the deepest price the
    /// liquidations before it had emptied. A side the feed filled to `shownLevels` ends where the
    /// feed stopped showing it, whatever was left out of the ladder (a crossed top-20 book read as
    /// 19 asks, the venue's whole side, and its stress as ADL: attacker trial).
    public struct UnshownLevels: Hashable, Sendable {
        var prices: Set<Int64> = []
        var repeats = 0
        var carried = 0
        var carriedDeepestEmptied: Int64?
        var count: Int { prices.count + repeats + carried }
    }

    /// A book to trust: it has had a snapshot and no gap since. The engine liquidates only into
    /// such a book; any other is STALE wherever it is shown.
    public var isSynced: Bool { hasSnapshot && !isStale }

    /// The first price either side saw between the ticks the book was made for (see `PriceLadder`).
    public var firstOffTickPrice: Int64? { bids.firstOffTickPrice ?? asks.firstOffTickPrice }

    public init() {}

    /// A book for prices on a grid of `tick` book units: the instrument's tick, which lets each
    /// side hold the levels near its touch one slot a tick (see `PriceLadder`).
    public init(tick: Int64) {
        bids = PriceLadder(side: .bid, tick: tick)
        asks = PriceLadder(side: .ask, tick: tick)
    }

    // MARK: Feed updates

    /// Replaces both sides; clears the overlay (the snapshot is the truth). `shownLevels`: the
    /// most levels a side the feed shows (0: the whole book); `fedBids`/`fedAsks`: the snapshot as
    /// the feed sent it, before levels were refused as implausible (nil: `bids`, `asks`), whose
    /// levels all count towards the levels shown.
    public mutating func applySnapshot(bids newBids: [(price: Int64, size: Int64)], asks newAsks: [(price: Int64, size: Int64)],
                                       shownLevels: Int = 0, fedBids: [(price: Int64, size: Int64)]? = nil,
                                       fedAsks: [(price: Int64, size: Int64)]? = nil) {
        bids.replace(with: newBids)
        asks.replace(with: newAsks)
        consumedBids.removeAll()
        consumedAsks.removeAll()
        self.shownLevels = Swift.max(0, shownLevels)
        // A crossed snapshot: keep the bids and drop the asks at or below the best bid.
        if let bestBid = bids.best?.price { crossedLevelsRemoved += asks.removeLevels(crossing: bestBid) }
        // The feed showed every level it sent (with a size): those refused, crossed out or given
        // twice still count towards the levels shown.
        unshownBids = self.shownLevels > 0 ? OrderBook.unshown(fedBids ?? newBids, ladder: bids) : UnshownLevels()
        unshownAsks = self.shownLevels > 0 ? OrderBook.unshown(fedAsks ?? newAsks, ladder: asks) : UnshownLevels()
        isStale = false
        hasSnapshot = true
    }

    /// Sets one level to an absolute size (0 removes it). A newer level that crosses the other side
    /// proves the crossed levels stale: they are removed, so the book is never left crossed.
    /// Returns the change in the level's size as the feed saw it (for drain/refill accounting).
    ///
    /// Pass `uncross: false` while applying several changes of one feed event, then call
    /// `resolveCrossing(freshSide:)`: a book may look crossed half-way through an event (a new bid
    /// lands before the same event removes the old ask), and only the state after the whole event
    /// says whether the feed really crossed.
    @discardableResult
    public mutating func applyLevel(side: BookSide, price: Int64, size: Int64, uncross: Bool = true) -> Int64 {
        let previous: Int64
        // What liquidations had taken from the level: the feed's own previous size includes it.
        var eaten: Int64 = 0
        switch side {
        case .bid:
            previous = bids.set(price: price, size: size)
            if !consumedBids.isEmpty { eaten = consumedBids.removeValue(forKey: price) ?? 0 }
            // The feed tells the truth about the price again.
            if !unshownBids.prices.isEmpty { unshownBids.prices.remove(price) }
        case .ask:
            previous = asks.set(price: price, size: size)
            if !consumedAsks.isEmpty { eaten = consumedAsks.removeValue(forKey: price) ?? 0 }
            if !unshownAsks.prices.isEmpty { unshownAsks.prices.remove(price) }
        }
        if uncross && size > 0 { resolveCrossing(freshSide: side) }
        return size &- (previous &+ eaten)
    }

    /// If the book is crossed, the side that was not just updated is stale: its crossed levels go
    /// (and what liquidations had eaten of them).
    public mutating func resolveCrossing(freshSide: BookSide) {
        guard isCrossed, let bestBid = bids.best?.price, let bestAsk = asks.best?.price else { return }
        switch freshSide {
        case .bid:
            crossedLevelsRemoved += asks.removeLevels(crossing: bestBid)
            if !consumedAsks.isEmpty { consumedAsks = consumedAsks.filter { $0.key > bestBid } }
        case .ask:
            crossedLevelsRemoved += bids.removeLevels(crossing: bestAsk)
            if !consumedBids.isEmpty { consumedBids = consumedBids.filter { $0.key < bestAsk } }
        }
    }

    public mutating func clear() {
        bids.removeAll()
        asks.removeAll()
        consumedBids.removeAll()
        consumedAsks.removeAll()
        unshownBids = UnshownLevels()
        unshownAsks = UnshownLevels()
    }

    /// A feed update's level refused as implausible on a top-of-book feed: the feed shows it.
    public mutating func noteUnshown(_ side: BookSide, price: Int64) {
        guard shownLevels > 0 else { return }
        if side == .bid { unshownBids.prices.insert(price) } else { unshownAsks.prices.insert(price) }
    }

    static func unshown(_ fed: [(price: Int64, size: Int64)], ladder: PriceLadder) -> UnshownLevels {
        var result = UnshownLevels()
        var seen = Set<Int64>()
        for level in fed where level.size > 0 {
            if !seen.insert(level.price).inserted { result.repeats += 1; continue }
            if ladder.size(at: level.price) == 0 { result.prices.insert(level.price) }
        }
        return result
    }

    /// The levels of a side simulated liquidations emptied and the feed has not restated, and the
    /// deepest of them (a walk past the levels shown fills no better). Read from the overlay, so
    /// a level the feed deleted or restated since is none of them.
    func emptiedLevels(_ side: BookSide) -> (count: Int, deepest: Int64?) {
        let overlay = side == .bid ? consumedBids : consumedAsks
        guard !overlay.isEmpty else { return (0, nil) }
        var count = 0
        var deepest: Int64? = nil
        for price in overlay.keys where (side == .bid ? bids.size(at: price) : asks.size(at: price)) == 0 {
            count += 1
            deepest = deepest.map { side == .bid ? Swift.min($0, price) : Swift.max($0, price) } ?? price
        }
        return (count, deepest)
    }

    /// How many levels of a side the feed shows: the ladder's, those emptied by simulations
    /// (`emptied`, when already read), and those left out for another reason.
    func feedLevelCount(_ side: BookSide, emptied: Int? = nil) -> Int {
        (side == .bid ? bids.count + unshownBids.count : asks.count + unshownAsks.count) + (emptied ?? emptiedLevels(side).count)
    }

    /// Whether a side ends at the deepest level the feed shows, with more beyond it the feed does
    /// not show: a top-N feed filled the side to N. A walk past its last level is then a walk
    /// into the unknown, not into an empty book (Hyperliquid's 20 levels span about 0.03 % of the
    /// price: past them a stress read `ADL` where the venue's book had ample depth; operator
    /// trial). A side the feed showed fewer levels of is the whole side.
    public func endsAtShownLevels(_ side: BookSide) -> Bool {
        // A side cut to `PriceLadder.levelLimit` ends where it was cut, as unknown past it.
        if isCut(side) { return true }
        guard shownLevels > 0 else { return false }
        return feedLevelCount(side) >= shownLevels
    }

    /// Whether a side lost its farthest levels to `PriceLadder.levelLimit` (read in place: a
    /// copy of a ladder retains and releases its arrays).
    public func isCut(_ side: BookSide) -> Bool { side == .bid ? bids.isCut : asks.isCut }

    /// The most levels a side shows: the feed's top-of-book depth, or for a side cut to
    /// `PriceLadder.levelLimit` the levels it holds; 0 for a whole side of a whole-book feed.
    /// (A cut side's levels counted with those simulations emptied: read after a liquidation
    /// walked through every level kept, the ladder's own count was 0, and the stress table's rows
    /// past them lost their floor note: attacker trial.)
    public func shownLevels(_ side: BookSide) -> Int { isCut(side) ? Swift.max(1, feedLevelCount(side)) : shownLevels }

    /// Levels both sides dropped to `PriceLadder.levelLimit` this session.
    public var farLevelsDropped: Int { bids.farLevelsDropped + asks.farLevelsDropped }

    /// The deepest price a side of a top-of-book feed's book shows, when the side ends at the
    /// levels shown (`endsAtShownLevels`): its ladder's deepest level, the deepest level
    /// simulations emptied, or in a projection's copy the deepest the liquidations before it
    /// emptied. Past it the book is not known. Nil for a whole book, or a side the feed showed
    /// fewer levels of (the whole side).
    public func deepestShownPrice(_ side: BookSide) -> Int64? {
        let ladder = ladder(side)
        return deepestShownPrice(side, ladderDeepest: ladder.isEmpty ? nil : ladder.level(at: ladder.count - 1).price)
    }

    /// `deepestShownPrice`, the ladder's deepest level given (a walk that ran past the ladder has
    /// it as its last fill, without looking it up).
    func deepestShownPrice(_ side: BookSide, ladderDeepest: Int64?) -> Int64? {
        let cut = isCut(side)
        guard shownLevels > 0 || cut else { return nil }
        let emptied = emptiedLevels(side)
        guard cut || feedLevelCount(side, emptied: emptied.count) >= shownLevels else { return nil }
        let carried = side == .bid ? unshownBids.carriedDeepestEmptied : unshownAsks.carriedDeepestEmptied
        let candidates = [ladderDeepest, emptied.deepest, carried].compactMap { $0 }
        return side == .bid ? candidates.min() : candidates.max()
    }

    /// The spread's floor when a side of a top-of-book feed's book has no price left but ends at
    /// the levels shown (the simulations emptied every level the feed shows of it): at least to
    /// the deepest level shown of each such side, the book past them not being known (`spread`
    /// read nil, and the side as empty: operator trial). Nil while both sides have a price, for a
    /// side that is empty (a whole book's, or one the feed showed fewer levels of), and for a book
    /// not to be trusted (`isSynced`). `bps` is nil when the prices give no positive mid.
    public var spreadPastShownLevels: (spread: Int64, bps: Fixed?)? {
        guard shownLevels > 0, isSynced, bestBid == nil || bestAsk == nil,
            let bid = bestBid ?? deepestShownPrice(.bid), let ask = bestAsk ?? deepestShownPrice(.ask) else { return nil }
        let spread = ask &- bid
        let mid = OrderBook.mid(bid: bid, ask: ask)
        return (spread, mid.isPositive ? Fixed(bookUnits: spread) * Fixed(10_000) / mid : nil)
    }

    // MARK: Reading

    public func ladder(_ side: BookSide) -> PriceLadder { side == .bid ? bids : asks }

    /// What simulated liquidations have taken from a level and the feed has not yet replaced.
    public func consumed(_ side: BookSide, at price: Int64) -> Int64 {
        let overlay = side == .bid ? consumedBids : consumedAsks
        return overlay.isEmpty ? 0 : overlay[price, default: 0]
    }

    /// Visits one side's levels from the touch outwards with the liquidity they have left (after
    /// what simulated liquidations took), until `body` returns false.
    /// (The side's ladder is read in place, not through `ladder(_:)`: a copy of a ladder retains
    /// and releases each of its arrays, and the engine asks for the best levels at every event.)
    @inlinable
    func forEachEffectiveLevel(_ side: BookSide, _ body: (_ price: Int64, _ size: Int64) -> Bool) {
        if side == .bid { bids.forEachFromTouch(body) } else { asks.forEachFromTouch(body) }
    }

    /// Visits one side's levels from the touch outwards as the feed gave them, with what simulated
    /// liquidations took from each (levels they emptied included), until `body` returns false.
    public func forEachFeedLevel(_ side: BookSide, _ body: (_ price: Int64, _ feedSize: Int64, _ consumed: Int64) -> Bool) {
        let overlay = side == .bid ? consumedBids : consumedAsks
        let ladder = ladder(side)
        guard !overlay.isEmpty else {
            ladder.forEachFromTouch { price, size in body(price, size, 0) }
            return
        }
        // The eaten levels in walking order, merged with the ladder's.
        let eaten = overlay.keys.sorted(by: side == .bid ? { $0 > $1 } : { $0 < $1 })
        var next = 0
        let isBid = side == .bid
        var stopped = false
        ladder.forEachFromTouch { price, size in
            while next < eaten.count && (isBid ? eaten[next] > price : eaten[next] < price) {
                let gone = eaten[next]
                next += 1
                if !body(gone, overlay[gone]!, overlay[gone]!) { stopped = true; return false }
            }
            var taken: Int64 = 0
            if next < eaten.count && eaten[next] == price { taken = overlay[price]!; next += 1 }
            if !body(price, size &+ taken, taken) { stopped = true; return false }
            return true
        }
        while !stopped && next < eaten.count {
            let gone = eaten[next]
            next += 1
            if !body(gone, overlay[gone]!, overlay[gone]!) { return }
        }
    }

    /// Best level with liquidity left.
    @inlinable public func best(_ side: BookSide) -> (price: Int64, size: Int64)? {
        side == .bid ? bids.best : asks.best
    }

    @inlinable public var bestBid: Int64? { best(.bid)?.price }
    @inlinable public var bestAsk: Int64? { best(.ask)?.price }

    public var spread: Int64? {
        guard let bid = bestBid, let ask = bestAsk else { return nil }
        return ask - bid
    }

    /// Mid price, exact; nil unless both sides have liquidity.
    public var mid: Fixed? {
        guard let bid = bestBid, let ask = bestAsk else { return nil }
        return OrderBook.mid(bid: bid, ask: ask)
    }

    static func mid(bid: Int64, ask: Int64) -> Fixed {
        (Fixed(bookUnits: bid) + Fixed(bookUnits: ask)) / Fixed(2)
    }

    /// Spread in basis points of the mid.
    public var spreadBps: Fixed? {
        guard let spread, let mid, mid.isPositive else { return nil }
        return Fixed(bookUnits: spread) * Fixed(10_000) / mid
    }

    public var isCrossed: Bool {
        guard let bid = bids.best?.price, let ask = asks.best?.price else { return false }
        return bid >= ask
    }

    /// Notional (price × size, quote money) resting within ±`bps` of the mid on one side, after the
    /// overlay. Zero when there is no mid.
    public func depthNotional(_ side: BookSide, withinBps bps: Int) -> Fixed {
        depthNotional(side, withinBps: bps, and: bps).wide
    }

    /// Size (book units) resting within ±`bps` of the mid on one side, after the overlay: the depth
    /// measure for inverse contracts, whose sizes are already quote value (contracts).
    public func depthSize(_ side: BookSide, withinBps bps: Int) -> Int64 {
        depthSize(side, withinBps: bps, and: bps).wide
    }

    /// Notional within two bands (`narrow` ≤ `wide` bps) on one side, in one walk from the touch:
    /// the signals sample both every second, and the wide band covers the narrow one.
    public func depthNotional(_ side: BookSide, withinBps narrow: Int, and wide: Int) -> (narrow: Fixed, wide: Fixed) {
        guard let mid else { return (.zero, .zero) }
        let narrowLimit = bandLimit(side, mid: mid, bps: narrow)
        let wideLimit = bandLimit(side, mid: mid, bps: wide)
        if bandsFromChunkSums(side) {
            let sums = ladder(side).bandSums(narrowLimit: narrowLimit, wideLimit: wideLimit)
            return (OrderBook.fixed(bookValue: sums.narrowValue), OrderBook.fixed(bookValue: sums.wideValue))
        }
        var inside: Int128 = 0
        var total: Int128 = 0
        forEachEffectiveLevel(side) { price, size in
            if side == .bid ? price < wideLimit : price > wideLimit { return false }
            let value = Int128(price) * Int128(size)
            OrderBook.add(value, to: &total)
            if side == .bid ? price >= narrowLimit : price <= narrowLimit { OrderBook.add(value, to: &inside) }
            return true
        }
        // Σ price × size in (10⁻⁸)², scaled to 10⁻¹⁸.
        return (OrderBook.fixed(bookValue: inside), OrderBook.fixed(bookValue: total))
    }

    /// Size within two bands (`narrow` ≤ `wide` bps) on one side, in one walk from the touch.
    public func depthSize(_ side: BookSide, withinBps narrow: Int, and wide: Int) -> (narrow: Int64, wide: Int64) {
        guard let mid else { return (0, 0) }
        let narrowLimit = bandLimit(side, mid: mid, bps: narrow)
        let wideLimit = bandLimit(side, mid: mid, bps: wide)
        if bandsFromChunkSums(side) {
            let sums = ladder(side).bandSums(narrowLimit: narrowLimit, wideLimit: wideLimit)
            return (sums.narrowSize, sums.wideSize)
        }
        var inside: Int64 = 0
        var total: Int64 = 0
        forEachEffectiveLevel(side) { price, size in
            if side == .bid ? price < wideLimit : price > wideLimit { return false }
            OrderBook.add(size, to: &total)
            if side == .bid ? price >= narrowLimit : price <= narrowLimit { OrderBook.add(size, to: &inside) }
            return true
        }
        return (inside, total)
    }

    /// Σ price × size in (10⁻⁸)², as money (10⁻¹⁸), saturating: a corrupt feed can carry the
    /// largest price and size a book unit holds, and their product must read as the largest
    /// amount, not trap. (The per-chunk sums wrap instead, exact whenever the band's true sum fits.)
    static func fixed(bookValue value: Int128) -> Fixed {
        let (scaled, overflow) = value.multipliedReportingOverflow(by: 100)
        if overflow { return value < 0 ? .min : .max }
        return Fixed(raw: scaled)
    }

    /// `total += value`, saturating (see `fixed(bookValue:)`).
    static func add<Value: FixedWidthInteger & SignedInteger>(_ value: Value, to total: inout Value) {
        let (sum, overflow) = total.addingReportingOverflow(value)
        total = overflow ? (value < 0 ? .min : .max) : sum
    }

    /// Whether the depth bands of a side can be read from its ladder's chunk sums (the usual case,
    /// every second): not once the ladder has held levels large enough for its sums to wrap.
    func bandsFromChunkSums(_ side: BookSide) -> Bool {
        ladder(side).sumsAreExact
    }

    /// The far edge of a ±bps band around `mid` on one side, in book units.
    func bandLimit(_ side: BookSide, mid: Fixed, bps: Int) -> Int64 {
        let band = mid * Fixed(bps) / Fixed(10_000)
        return (side == .bid ? mid - band : mid + band).bookUnits
    }

    // MARK: Walking

    /// Walks `side` with an IOC order for `quantity` book units, through the overlay; pure.
    public func walk(_ side: BookSide, quantity: Int64) -> BookWalk {
        var result = BookWalk()
        var left = quantity
        var value: Int128 = 0
        forEachEffectiveLevel(side) { price, available in
            if left <= 0 { return false }
            if available <= 0 { return true }
            let take = Swift.min(available, left)
            result.fills.append(Fill(price: price, size: take))
            OrderBook.add(Int128(price) * Int128(take), to: &value)
            left -= take
            return true
        }
        result.filled = quantity - Swift.max(0, left)
        result.remainder = Swift.max(0, left)
        result.filledValue = OrderBook.fixed(bookValue: value)
        // Past the levels shown only where the side shows a price to settle at (a side whose
        // levels were all refused is walked as an empty one, as the close will).
        if result.remainder > 0 {
            result.deepestShownPrice = deepestShownPrice(side, ladderDeepest: result.fills.last?.price)
        }
        return result
    }

    /// Takes a walk's fills out of the book, and records them in the overlay, so the next walk
    /// finds that liquidity gone until the feed replaces the level.
    public mutating func consume(_ side: BookSide, fills: [Fill]) {
        for fill in fills where fill.size > 0 {
            switch side {
            case .bid:
                let left = Swift.max(0, bids.size(at: fill.price) - fill.size)
                bids.set(price: fill.price, size: left)
                consumedBids[fill.price, default: 0] &+= fill.size
            case .ask:
                let left = Swift.max(0, asks.size(at: fill.price) - fill.size)
                asks.set(price: fill.price, size: left)
                consumedAsks[fill.price, default: 0] &+= fill.size
            }
        }
    }

    /// The same book moved by `offset` book units (levels that would reach zero or below are
    /// dropped), with what the overlay had taken moved along.
    public func shifted(by offset: Int64) -> OrderBook {
        var moved = OrderBook(tick: bids.tick)
        func shift(_ side: BookSide) -> [(price: Int64, size: Int64)] {
            var levels: [(price: Int64, size: Int64)] = []
            ladder(side).forEachFromTouch { price, left in
                let (movedPrice, overflow) = price.addingReportingOverflow(offset)
                if !overflow && movedPrice > 0 && left > 0 { levels.append((movedPrice, left)) }
                return true
            }
            return levels
        }
        let movedBids = shift(.bid)
        let movedAsks = shift(.ask)
        moved.applySnapshot(bids: movedBids, asks: movedAsks, shownLevels: shownLevels)
        // A side cut to the limit stays cut: rebuilt from the levels it kept, it read whole, and a
        // stress walk past them an empty book's ADL (review).
        if bids.isCut { moved.bids.isCut = true }
        if asks.isCut { moved.asks.isCut = true }
        moved.isStale = isStale
        moved.hasSnapshot = hasSnapshot
        // The feed's levels the move dropped or the simulations had emptied still count towards
        // what it shows, and the deepest emptied one still bounds a walk past them.
        if shownLevels > 0 {
            func move(_ price: Int64?) -> Int64? {
                guard let price else { return nil }
                let (movedPrice, overflow) = price.addingReportingOverflow(offset)
                return overflow || movedPrice <= 0 ? nil : movedPrice
            }
            // (The moved book's own levels are all in its ladder: it has none unshown of its own.)
            let emptiedBids = emptiedLevels(.bid), emptiedAsks = emptiedLevels(.ask)
            moved.unshownBids.carried = Swift.max(0, feedLevelCount(.bid, emptied: emptiedBids.count) - movedBids.count)
            moved.unshownAsks.carried = Swift.max(0, feedLevelCount(.ask, emptied: emptiedAsks.count) - movedAsks.count)
            let bidCandidates = [emptiedBids.deepest, unshownBids.carriedDeepestEmptied].compactMap { $0 }
            let askCandidates = [emptiedAsks.deepest, unshownAsks.carriedDeepestEmptied].compactMap { $0 }
            moved.unshownBids.carriedDeepestEmptied = move(bidCandidates.min())
            moved.unshownAsks.carriedDeepestEmptied = move(askCandidates.max())
        }
        return moved
    }

    /// Top `count` levels from the touch with what they have left after the simulated
    /// liquidations: what the engine would liquidate into now, as the ladder shows it.
    public func levelsLeft(_ side: BookSide, count: Int) -> [(price: Int64, size: Int64)] {
        var levels: [(price: Int64, size: Int64)] = []
        guard count > 0 else { return levels }
        forEachEffectiveLevel(side) { price, size in
            levels.append((price, size))
            return levels.count < count
        }
        return levels
    }

    /// What simulated liquidations took from one side's levels the feed shows and has not given
    /// again: every such level from the touch outwards, with what was taken from it.
    public func takenLevels(_ side: BookSide) -> [(price: Int64, taken: Int64)] {
        let overlay = side == .bid ? consumedBids : consumedAsks
        return overlay.filter { $0.value > 0 }.sorted { side == .bid ? $0.key > $1.key : $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// Top `count` levels from the touch as the feed gave them (what liquidations took is read
    /// separately, with `consumed`).
    public func topLevels(_ side: BookSide, count: Int) -> [(price: Int64, size: Int64)] {
        var levels: [(price: Int64, size: Int64)] = []
        guard count > 0 else { return levels }
        forEachFeedLevel(side) { price, size, _ in
            levels.append((price, size))
            return levels.count < count
        }
        return levels
    }
}
