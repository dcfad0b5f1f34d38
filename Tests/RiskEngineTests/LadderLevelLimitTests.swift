import Testing
@testable import RiskEngine

/// An attacker's finding: a live feed whose updates each added 100,000 levels between the ticks
/// grew one book by 15 MB a second, past a gigabyte, and froze the dashboard. A side keeps at
/// most `PriceLadder.levelLimit` levels; the farthest go, are counted, and a walk past the
/// levels kept is a walk into the unknown, as past a top-of-book feed's levels.
@Suite("A side's level limit")
struct LadderLevelLimitTests {
    static let limit = PriceLadder.levelLimit

    @Test("levels past the limit drop the farthest from the touch, counted; the touch and the count stay right")
    func dropsFarthest() {
        var book = OrderBook()
        book.applySnapshot(bids: [(6_000_000_000_000, 100_000_000)], asks: [(6_001_000_000_000, 100_000_000)])
        // Bids one book unit apart below the touch, nearest first: every one past the limit is farther.
        for offset in 1...(Self.limit + 1_000) {
            book.applyLevel(side: .bid, price: 6_000_000_000_000 - Int64(offset) * 7, size: 1)
        }
        #expect(book.bids.count == Self.limit)
        #expect(book.bids.farLevelsDropped == 1_001)
        #expect(book.farLevelsDropped == 1_001)
        #expect(book.isCut(.bid) && !book.isCut(.ask))
        #expect(book.bestBid == 6_000_000_000_000)
        // The farthest kept is the limit's: the 1,001 beyond it went (the touch is one of the kept).
        #expect(book.bids.level(at: Self.limit - 1).price == 6_000_000_000_000 - Int64(Self.limit - 1) * 7)
        // A level nearer than the farthest kept goes in, and the farthest goes out.
        book.applyLevel(side: .bid, price: 6_000_000_000_000 - 3, size: 5)
        #expect(book.bids.count == Self.limit && book.bids.farLevelsDropped == 1_002)
        #expect(book.bids.size(at: 6_000_000_000_000 - 3) == 5)
        // A walk through every level kept runs into the unknown past them, not into an empty book.
        let walk = book.walk(.bid, quantity: Int64(Self.limit) * 10 + 1_000_000_000)
        #expect(walk.remainderPastShownLevels)
        #expect(book.endsAtShownLevels(.bid) && book.shownLevels(.bid) == Self.limit)
        // A snapshot that fits makes the side whole again (the count of drops stays).
        book.applySnapshot(bids: [(6_000_000_000_000, 100_000_000)], asks: [(6_001_000_000_000, 100_000_000)])
        #expect(!book.isCut(.bid) && book.bids.farLevelsDropped == 1_002)
        #expect(!book.walk(.bid, quantity: 200_000_000).remainderPastShownLevels)
    }

    @Test("a snapshot of more levels than the limit keeps the nearest")
    func snapshotKeepsNearest() {
        var ladder = PriceLadder(side: .ask)
        let levels = (0..<(Self.limit + 10)).map { (price: Int64(1_000_000 + $0), size: Int64(1)) }
        ladder.replace(with: levels.reversed())
        #expect(ladder.count == Self.limit && ladder.farLevelsDropped == 10 && ladder.isCut)
        #expect(ladder.best?.price == 1_000_000)
        #expect(ladder.level(at: Self.limit - 1).price == Int64(1_000_000 + Self.limit - 1))
    }

    @Test("a cut side stays cut in a stress's moved copy of the book: a walk past its levels is a floor, not an empty book's ADL")
    func shiftedStaysCut() {
        var book = OrderBook()
        book.applySnapshot(bids: [(6_000_000_000_000, 100_000_000)], asks: [(6_001_000_000_000, 100_000_000)])
        for offset in 1...(Self.limit + 10) { book.applyLevel(side: .bid, price: 6_000_000_000_000 - Int64(offset) * 7, size: 1) }
        #expect(book.isCut(.bid))
        let moved = book.shifted(by: -100_000_000)
        #expect(moved.isCut(.bid) && !moved.isCut(.ask))
        #expect(moved.walk(.bid, quantity: 10_000_000_000_000).remainderPastShownLevels)
        #expect(moved.shownLevels(.bid) == moved.bids.count)
        // Walked through every level kept, the levels emptied still count (the stress rows' note).
        var eaten = moved
        let walk = eaten.walk(.bid, quantity: 10_000_000_000_000)
        eaten.consume(.bid, fills: walk.fills)
        #expect(eaten.bids.isEmpty && eaten.shownLevels(.bid) == moved.bids.count)
    }

    @Test("with a tick (levels near the touch in the window), a move of the touch drops only the levels past the limit")
    func windowMoveKeepsTheLimit() {
        var ladder = PriceLadder(side: .bid, tick: 1)
        let touch: Int64 = 10_000_000_000
        ladder.set(price: touch, size: 1)
        for offset in 1...(Self.limit + 20_000) { ladder.set(price: touch - Int64(offset), size: 1) }
        #expect(ladder.chunkedCount == Self.limit && ladder.isCut)
        let before = ladder.farLevelsDropped
        let total = ladder.count
        // A new touch far above the window: the window moves up, its old levels go to the chunks.
        ladder.set(price: touch + 3_000, size: 1)
        #expect(ladder.chunkedCount == Self.limit, "\(ladder.chunkedCount)")
        #expect(ladder.count + ladder.farLevelsDropped == total + before + 1)
        #expect(ladder.best?.price == touch + 3_000)
        // And back down (the touch removed): the window follows it, nothing more dropped than needed.
        ladder.set(price: touch + 3_000, size: 0)
        #expect(ladder.chunkedCount <= Self.limit && ladder.best?.price == touch)
        #expect(ladder.count + ladder.farLevelsDropped == total + before)
    }
}
