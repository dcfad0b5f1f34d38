/// The ADL queue places of a few positions, estimated from a sample of their side gathered while a
/// caller walks every position in slices (the dashboard's table of a million positions does, a
/// few milliseconds a turn so keys are never kept waiting): `adlQueueEstimate(for:)` samples each
/// side from the market's list in one go, and ranks a thin side whole, which at a million
/// positions costs a hundred milliseconds in one piece.
public struct ADLSideSample: Sendable {
    /// Kept between `size` and twice that once the side is larger: an even sample, as
    /// `adlQueueEstimate` takes.
    public static let size = 4_096
    /// Every `stride`-th open position of the side, in the order they were offered.
    public private(set) var positions: [Int32] = []
    public private(set) var stride = 1
    /// Open positions of the side offered so far.
    public private(set) var offered = 0
    var untilNext = 1

    public init() {}

    /// Where a position's side sits in a list of samples by market side: `market * 2` for its
    /// longs, `+ 1` for its shorts.
    @inlinable
    public static func side(of position: Position) -> Int { Int(position.symbolIndex) * 2 + (position.side == .long ? 0 : 1) }

    /// One more open position of the side. Keeps every `stride`-th; when the sample reaches twice
    /// its size, every other one goes and the stride doubles, so the sample stays even over all
    /// the positions offered without knowing their number in advance.
    @inline(__always) public mutating func offer(_ index: Int32) {
        offered += 1
        untilNext -= 1
        guard untilNext == 0 else { return }
        positions.append(index)
        // The next kept position is `stride` further on; a halving below keeps the sample's
        // even places, and the next even place is still `stride` (the old one) away.
        untilNext = stride
        if positions.count >= 2 * ADLSideSample.size {
            var kept = 0
            for offset in Swift.stride(from: 0, to: positions.count, by: 2) {
                positions[kept] = positions[offset]
                kept += 1
            }
            positions.removeLast(positions.count - kept)
            stride *= 2
        }
    }
}

extension Engine {
    /// The scores, now, of the sampled positions in `range` of the sample that are still open on
    /// `side` (a position closed or reopened on the other side since it was sampled is left out):
    /// a caller scores a sample a slice at a time, then sorts the scores.
    public func adlScores(of sample: ADLSideSample, side: Side, range: Range<Int>) -> [Fixed] {
        var scores: [Fixed] = []
        scores.reserveCapacity(range.count)
        for offset in range where offset < sample.positions.count {
            let index = sample.positions[offset]
            guard Int(index) < positions.count else { continue }
            let position = positions[Int(index)]
            if position.isOpen && position.side == side { scores.append(adlScore(of: index)) }
        }
        return scores
    }

    /// A position's ADL queue place from `sortedScores`, the scores of its side's sample
    /// (ascending), taken every `stride`-th open position of the side: its lights are its
    /// score's quantile in the sample, as `adlQueueEstimate` computes them; a stride of 1 is the
    /// whole side, exact. Nil for a closed position or an empty sample.
    public func adlQueueEstimate(of index: Int32, sortedScores: [Fixed], stride: Int) -> ADLQueueEntry? {
        guard Int(index) < positions.count, positions[Int(index)].isOpen, !sortedScores.isEmpty else { return nil }
        return ADLQueueEntry.placed(score: adlScore(of: index), among: sortedScores, stride: stride)
    }
}

extension Engine {
    /// The distance from `mark` to a position's liquidation price, in % of the mark, in floating
    /// point: it orders positions (the dashboard values the rows it shows exactly), and a 128-bit
    /// division a position would cost more than the rest of a pass over a million. Infinity when
    /// the position has no liquidation price.
    @inlinable
    public static func distanceKey(_ position: Position, mark: Fixed) -> Double {
        guard let liquidation = position.liquidation, mark.isPositive else { return .infinity }
        let price = mark.approximateDouble
        let gap = position.side == .long ? price - liquidation.approximateDouble : liquidation.approximateDouble - price
        return gap / price * 100
    }

    /// What the risk order adds to the key of a position whose market's book has stopped changing
    /// (`MarketState.bookOutdated`: a recording of it ended, its feed died): it goes after every
    /// position of a live book, dimmed, in its own order (a replay's first recording, ended years
    /// before, led "riskiest first" with frozen rows and the live market's were off screen:
    /// operator trial). The markets pane and the alerts say the book is STALE.
    /// A window's choice reads one number a position: the offset puts them after any live one (a
    /// live distance of a million percent would need the mark 10,000 times under a short's
    /// liquidation price) and keeps their order to a ten-billionth of a percent. The rows and the
    /// live head compare the two parts apart (`riskOrderKey` is for the window's heap only).
    public static let outdatedBookRiskOffset = 1e6

    /// The risk order's key of a position in its market, as one number (`riskKey`, after the
    /// live books' when its market's book is outdated).
    @inlinable
    public func riskOrderKey(_ position: Position, mark: Fixed) -> Double {
        Engine.riskKey(position, mark: mark) + (markets[Int(position.symbolIndex)].bookOutdated ? Engine.outdatedBookRiskOffset : 0)
    }

    /// The "risk" order's key: -1 for a position past its bankruptcy price (no margin left) or past
    /// its trigger at every price, else
    /// `distanceKey`. Smaller is riskier.
    @inlinable
    public static func riskKey(_ position: Position, mark: Fixed) -> Double {
        if position.isPastAtEveryPrice { return -1 }
        if let bankruptcy = position.bankruptcy, position.side == .long ? mark <= bankruptcy : mark >= bankruptcy { return -1 }
        return distanceKey(position, mark: mark)
    }

    /// The `count` open positions nearest to liquidation across every market, nearest first: a
    /// position past its bankruptcy price first, then by the distance from the mark to its
    /// liquidation price in % of the mark (the order the dashboard's "risk" column sorts by).
    ///
    /// Read from the trigger index, not from every position: each market side's leading entries
    /// (a best-first walk of its heap, O(count log count)), merged. A dashboard watching a million
    /// positions chooses its table's window in a pass of tens of milliseconds; in a cascade the
    /// window's riskiest rows close faster than that, and this keeps the head of the list live.
    public func riskiestOpenPositions(count: Int) -> [Int32] {
        guard count > 0 else { return [] }
        var candidates: [(outdated: Bool, key: Double, position: Int32)] = []
        for index in markets.indices {
            guard let mark = markets[index].markPrice, mark.isPositive else { continue }
            for side in [Side.long, Side.short] {
                for entry in markets[index].triggers.leading(side, count: count, isLive: { isLive($0) }) {
                    let position = positions[Int(entry.position)]
                    guard position.triggerPrice != nil else { continue }
                    candidates.append((markets[index].bookOutdated, Engine.riskKey(position, mark: mark), entry.position))
                }
            }
        }
        // Ties (equal distances) in position order, so the list is the same whatever the markets' order.
        candidates.sort { ($0.outdated ? 1 : 0, $0.key, $0.position) < ($1.outdated ? 1 : 0, $1.key, $1.position) }
        return candidates.prefix(count).map(\.position)
    }
}
