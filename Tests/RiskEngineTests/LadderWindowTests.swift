import Testing
@testable import RiskEngine

/// The ladder's window (one slot a tick near the touch) and its chunks (every level below it) must
/// read as one sorted ladder whatever the touch does: drift, jump past the window either way,
/// empty the window, or meet a level between the ticks.
@Suite("Price ladder window")
struct LadderWindowTests {
    static let tick: Int64 = 10_000_000

    /// Every reading of the ladder against a dictionary of price → size.
    static func check(_ ladder: PriceLadder, against reference: [Int64: Int64], _ context: String) {
        let expected = reference.keys.sorted(by: ladder.side == .bid ? (>) : (<))
        var seen: [Int64] = []
        var sizesMatch = true
        ladder.forEachFromTouch { price, size in
            seen.append(price)
            if reference[price] != size { sizesMatch = false }
            return true
        }
        #expect(seen == expected, "\(context): levels in order")
        #expect(sizesMatch, "\(context): sizes")
        #expect(ladder.count == reference.count, "\(context): count")
        #expect(ladder.best?.price == expected.first, "\(context): best")
        for depth in [0, 1, 10, 100, 1_000, 4_000, 9_000] where depth < expected.count {
            #expect(ladder.level(at: depth).price == expected[depth], "\(context): level \(depth)")
        }
        for price in expected.prefix(50) { #expect(ladder.size(at: price) == reference[price], "\(context): size at \(price)") }
        guard let touch = expected.first else { return }
        let outward: Int64 = ladder.side == .bid ? -1 : 1
        for (narrow, wide) in [(0, 0), (5, 300), (300, 3_000), (3_000, 5_000), (100, 20_000), (0, 200_000)] {
            // Limits on a tick and between ticks.
            for offset: Int64 in [0, tick / 2] {
                // Saturating: the extremes test has its touch at the ends of the range.
                let narrowLimit = Self.saturating(touch, plus: outward * (Int64(narrow) * tick + offset))
                let wideLimit = Self.saturating(touch, plus: outward * (Int64(wide) * tick + offset))
                let sums = ladder.bandSums(narrowLimit: narrowLimit, wideLimit: wideLimit)
                let walked = LadderBandSumTests.walked(ladder, narrowLimit: narrowLimit, wideLimit: wideLimit)
                #expect(sums.narrowSize == walked.narrowSize && sums.wideSize == walked.wideSize
                    && sums.narrowValue == walked.narrowValue && sums.wideValue == walked.wideValue,
                    "\(context): bands \(narrow)/\(wide)+\(offset)")
            }
        }
    }

    static func saturating(_ value: Int64, plus offset: Int64) -> Int64 {
        let (sum, overflow) = value.addingReportingOverflow(offset)
        return overflow ? (offset > 0 ? .max : .min) : sum
    }

    /// A touch that drifts and sometimes jumps 20,000 ticks (past the 16,384-tick window) up or down,
    /// with most updates near it, some thousands of ticks deep, and some on the far side of it.
    @Test("a wandering touch: every update's previous size and every reading match a dictionary", arguments: [1, 2, 3, 4])
    func wanderingTouch(seed: Int) {
        var rng = SeededGenerator(seed: UInt64(seed))
        for side in [BookSide.bid, .ask] {
            var ladder = PriceLadder(side: side, tick: Self.tick)
            var reference: [Int64: Int64] = [:]
            var touch: Int64 = 100_000
            let inward: Int64 = side == .bid ? 1 : -1
            if seed > 2 {
                // A snapshot deeper than the window first.
                let levels = (0..<12_000).map { (price: (touch - inward * Int64($0) * 2) * Self.tick, size: Int64($0 % 13 + 1)) }
                ladder.replace(with: levels)
                for level in levels { reference[level.price] = level.size }
                Self.check(ladder, against: reference, "\(side) snapshot")
            }
            for step in 0..<20_000 {
                let roll = Int.random(in: 0..<1_000, using: &rng)
                if roll < 4 { touch += inward * 20_000 } else if roll < 8 { touch -= inward * 20_000 }
                else { touch += Int64.random(in: -3...3, using: &rng) }
                touch = Swift.max(50_000, Swift.min(500_000, touch))
                let depth: Int64
                switch Int.random(in: 0..<20, using: &rng) {
                case 0: depth = Int64.random(in: 0...60_000, using: &rng)
                case 1: depth = -Int64.random(in: 0...50, using: &rng)
                default: depth = Int64.random(in: 0...300, using: &rng)
                }
                let price = (touch - inward * depth) * Self.tick
                let size = Int.random(in: 0..<3, using: &rng) == 0 ? 0 : Int64.random(in: 1...5_000, using: &rng)
                #expect(ladder.set(price: price, size: size) == reference[price] ?? 0, "\(side) step \(step)")
                reference[price] = size > 0 ? size : nil
                if step % 1_000 == 999 { Self.check(ladder, against: reference, "\(side) seed \(seed) step \(step)") }
                if step % 5_000 == 4_999, let best = ladder.best?.price {
                    // A fresh level on the other side proves the levels through it stale.
                    let through = best - inward * 40 * Self.tick
                    let removed = ladder.removeLevels(crossing: through)
                    let stale = reference.keys.filter { side == .bid ? $0 >= through : $0 <= through }
                    #expect(removed == stale.count)
                    for price in stale { reference[price] = nil }
                    Self.check(ladder, against: reference, "\(side) crossed at step \(step)")
                }
            }
            #expect(ladder.window.isPlaced && !ladder.windowDissolved, "\(side): the window stayed in use")
        }
    }

    @Test("every key on the grid finds its slot, every key between the ticks is off the grid, for ticks up to the largest")
    func locateIsExact() {
        let largest = (Int64(1) << 52) / Int64(LadderWindow.slotCount)
        for tick: Int64 in [2, 3, 7, 1_000, Self.tick, 999_999_937, largest - 1, largest] {
            var window = LadderWindow(tick: tick)
            #expect(window.canBePlaced, "tick \(tick)")
            window.clear(low: -5 * tick)
            for slot in Array(0..<64) + Array(LadderWindow.slotCount - 64..<LadderWindow.slotCount) + [4_097, 8_191, 12_288] {
                let key = window.key(ofSlot: slot)
                #expect(window.locate(key) == slot, "tick \(tick) slot \(slot)")
                #expect(window.locate(key + 1) == LadderWindow.offGrid, "tick \(tick) after slot \(slot)")
                #expect(window.locate(key + tick - 1) == LadderWindow.offGrid, "tick \(tick) before slot \(slot + 1)")
            }
            #expect(window.locate(window.low - 1) == LadderWindow.below)
            #expect(window.locate(window.low + window.span) == LadderWindow.above)
            #expect(window.locate(window.low + window.span - 1) == LadderWindow.offGrid)
            #expect(window.locate(Int64.max) == LadderWindow.above && window.locate(Int64.min) == LadderWindow.below)
        }
        #expect(!LadderWindow(tick: 1).canBePlaced && !LadderWindow(tick: 0).canBePlaced && !LadderWindow(tick: (Int64(1) << 52) / Int64(LadderWindow.slotCount) + 1).canBePlaced)
    }

    @Test("a level between the ticks moves every level to the chunks; a snapshot brings the window back")
    func offGridLevel() {
        for side in [BookSide.bid, .ask] {
            let inward: Int64 = side == .bid ? 1 : -1
            var ladder = PriceLadder(side: side, tick: Self.tick)
            var reference: [Int64: Int64] = [:]
            for depth in 0..<6_000 where depth % 3 != 1 {
                let price = (50_000 - inward * Int64(depth)) * Self.tick
                ladder.set(price: price, size: Int64(depth + 1))
                reference[price] = Int64(depth + 1)
            }
            #expect(ladder.window.isPlaced)
            let between = (50_000 - inward * 10) * Self.tick + Self.tick / 2
            #expect(ladder.size(at: between) == 0)
            #expect(ladder.set(price: between, size: 0) == 0, "removing a level between the ticks removes nothing")
            #expect(ladder.set(price: between, size: 7) == 0)
            reference[between] = 7
            #expect(ladder.windowDissolved && !ladder.window.isPlaced)
            Self.check(ladder, against: reference, "\(side) dissolved")
            for depth in 0..<300 {
                let price = (50_000 - inward * Int64(depth)) * Self.tick
                #expect(ladder.set(price: price, size: 3) == reference[price] ?? 0)
                reference[price] = 3
            }
            Self.check(ladder, against: reference, "\(side) updated in the chunks")
            reference[between] = nil
            ladder.replace(with: reference.map { (price: $0.key, size: $0.value) })
            #expect(ladder.window.isPlaced && !ladder.windowDissolved)
            Self.check(ladder, against: reference, "\(side) replaced")
        }
    }

    @Test("emptying the window moves it down to the chunks' touch; emptying the ladder leaves it usable")
    func emptiedWindow() {
        for side in [BookSide.bid, .ask] {
            let inward: Int64 = side == .bid ? 1 : -1
            var ladder = PriceLadder(side: side, tick: Self.tick)
            var reference: [Int64: Int64] = [:]
            // Levels near the touch and a second group 20,000 ticks deeper, in the chunks.
            for depth in Array(0..<100) + Array(20_000..<20_100) {
                let price = (100_000 - inward * Int64(depth)) * Self.tick
                ladder.set(price: price, size: 5)
                reference[price] = 5
            }
            for depth in 0..<100 {
                let price = (100_000 - inward * Int64(depth)) * Self.tick
                #expect(ladder.set(price: price, size: 0) == 5)
                reference[price] = nil
            }
            #expect(ladder.window.count == 100, "the deeper group is in the window now")
            Self.check(ladder, against: reference, "\(side) lowered")
            ladder.removeAll()
            reference.removeAll()
            Self.check(ladder, against: reference, "\(side) emptied")
            // A grid offset by a third of a tick from the old one: an empty ladder takes it.
            for depth in 0..<50 {
                let price = (70_000 - inward * Int64(depth)) * Self.tick + Self.tick / 3
                ladder.set(price: price, size: 2)
                reference[price] = 2
            }
            #expect(ladder.window.count == 50 && !ladder.windowDissolved)
            Self.check(ladder, against: reference, "\(side) refilled")
        }
    }

    @Test("prices at the ends of the book units' range, and ticks too large for a window, stay exact")
    func extremes() {
        for side in [BookSide.bid, .ask] {
            for tick: Int64 in [1, Self.tick, 1 << 50] {
                var ladder = PriceLadder(side: side, tick: tick)
                var reference: [Int64: Int64] = [:]
                for price: Int64 in [Int64.max, Int64.max - 1, Int64.max - tick, 1, 1 + tick, 2 * tick, 3, Int64.max / 2] {
                    ladder.set(price: price, size: 9)
                    reference[price] = 9
                    Self.check(ladder, against: reference, "\(side) tick \(tick) after \(price)")
                }
                for price in reference.keys.sorted() {
                    #expect(ladder.set(price: price, size: 0) == 9)
                    reference[price] = nil
                    Self.check(ladder, against: reference, "\(side) tick \(tick) removed \(price)")
                }
            }
        }
    }

    @Test("a book with a tick, shifted by a third of a tick, holds the same levels moved")
    func shiftedOffTheGrid() {
        var book = OrderBook(tick: Self.tick)
        let bids = (0..<5_000).map { (price: (60_000 - Int64($0)) * Self.tick, size: Int64($0 + 1)) }
        let asks = (1...5_000).map { (price: (60_000 + Int64($0)) * Self.tick, size: Int64($0 + 1)) }
        book.applySnapshot(bids: bids, asks: asks)
        let offset = -Self.tick / 3
        let moved = book.shifted(by: offset)
        #expect(moved.bids.tick == Self.tick)
        #expect(moved.topLevels(.bid, count: 6_000).map(\.price) == bids.map { $0.price + offset })
        #expect(moved.topLevels(.ask, count: 6_000).map(\.size) == asks.map(\.size))
        #expect(moved.depthNotional(.bid, withinBps: 50) == DepthBandTests.notional(moved, .bid, withinBps: 50))
    }
}
