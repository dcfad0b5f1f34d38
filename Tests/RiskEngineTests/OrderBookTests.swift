import Testing
@testable import RiskEngine

@Suite("Order book")
struct OrderBookTests {
    func book() -> OrderBook {
        var book = OrderBook()
        book.applySnapshot(
            bids: [(units("100.00"), units("1")), (units("99.90"), units("2")), (units("99.50"), units("5"))],
            asks: [(units("100.10"), units("1.5")), (units("100.20"), units("3"))])
        return book
    }

    @Test("best, spread, mid and levels are exact")
    func bestAndSpread() {
        let book = book()
        #expect(book.bestBid == units("100.00"))
        #expect(book.bestAsk == units("100.10"))
        #expect(book.spread == units("0.10"))
        #expect(book.mid == fx("100.05"))
        #expect(book.topLevels(.bid, count: 2).map(\.price) == [units("100.00"), units("99.90")])
    }

    @Test("size zero removes a level; a new level inserts in order")
    func updates() {
        var book = book()
        book.applyLevel(side: .bid, price: units("100.00"), size: 0)
        #expect(book.bestBid == units("99.90"))
        book.applyLevel(side: .bid, price: units("99.95"), size: units("0.7"))
        #expect(book.topLevels(.bid, count: 3).map(\.price) == [units("99.95"), units("99.90"), units("99.50")])
        book.applyLevel(side: .ask, price: units("100.15"), size: units("1"))
        #expect(book.topLevels(.ask, count: 3).map(\.price) == [units("100.10"), units("100.15"), units("100.20")])
        book.applyLevel(side: .ask, price: units("123.00"), size: 0)
        #expect(book.asks.count == 3)
    }

    @Test("an update that crosses the book removes the stale levels on the other side")
    func crossing() {
        var book = book()
        book.applyLevel(side: .bid, price: units("100.15"), size: units("1"))
        #expect(!book.isCrossed)
        #expect(book.bestAsk == units("100.20"))
        #expect(book.crossedLevelsRemoved == 1)
        var crossedSnapshot = OrderBook()
        crossedSnapshot.applySnapshot(bids: [(units("101"), units("1"))], asks: [(units("100"), units("1")), (units("102"), units("1"))])
        #expect(!crossedSnapshot.isCrossed)
        #expect(crossedSnapshot.bestAsk == units("102"))
    }

    @Test("walk: fills, average, levels consumed and remainder")
    func walk() {
        let walk = book().walk(.bid, quantity: units("4"))
        #expect(walk.fills.map(\.size) == [units("1"), units("2"), units("1")])
        #expect(walk.levelsConsumed == 3)
        #expect(walk.remainder == 0)
        // (100 + 199.8 + 99.5) / 4 = 99.825
        #expect(walk.averagePrice == fx("99.825"))
        let deep = book().walk(.ask, quantity: units("10"))
        #expect(deep.filled == units("4.5"))
        #expect(deep.remainder == units("5.5"))
        #expect(OrderBook().walk(.bid, quantity: units("1")).averagePrice == nil)
    }

    @Test("depth within ±bps counts only the band")
    func depth() {
        let book = book()
        // Mid 100.05; 10 bps = 0.10005 → bids ≥ 99.94995: 100.00 × 1 + 99.90? no (99.90 < 99.95).
        #expect(book.depthNotional(.bid, withinBps: 10) == fx("100"))
        #expect(book.depthNotional(.bid, withinBps: 100) == fx("797.3"))
    }

    @Test("the overlay hides consumed liquidity until the feed updates that level")
    func overlay() {
        var book = book()
        let walk = book.walk(.bid, quantity: units("1.5"))
        book.consume(.bid, fills: walk.fills)
        #expect(book.best(.bid)?.price == units("99.90"))
        #expect(book.best(.bid)?.size == units("1.5"))
        #expect(book.walk(.bid, quantity: units("1")).averagePrice == fx("99.90"))
        book.applyLevel(side: .bid, price: units("100.00"), size: units("3"))
        #expect(book.best(.bid)?.size == units("3"))
        book.applyLevel(side: .bid, price: units("99.90"), size: units("2"))
        #expect(book.consumed(.bid, at: units("99.90")) == 0)
    }

    @Test("the feed's view of an eaten book: emptied levels still listed, and a feed update's change is the feed's own")
    func feedView() {
        var book = book()
        let feedBefore = book.topLevels(.bid, count: 5)
        let walk = book.walk(.bid, quantity: units("1.5"))
        book.consume(.bid, fills: walk.fills)
        // The walks see what is left; the report sees the feed's book, the emptied level included.
        #expect(book.topLevels(.bid, count: 5).map(\.price) == feedBefore.map(\.price))
        #expect(book.topLevels(.bid, count: 5).map(\.size) == feedBefore.map(\.size))
        var seen: [(Int64, Int64, Int64)] = []
        book.forEachFeedLevel(.bid) { price, size, consumed in seen.append((price, size, consumed)); return seen.count < 2 }
        #expect(seen[0].0 == feedBefore[0].price && seen[0].2 == feedBefore[0].size)
        #expect(seen[1].2 == units("1.5") - feedBefore[0].size)
        // The feed restating the half-eaten level at its old size changed nothing, as the feed saw it.
        #expect(book.applyLevel(side: .bid, price: feedBefore[1].price, size: feedBefore[1].size) == 0)
        #expect(book.consumed(.bid, at: feedBefore[1].price) == 0)
    }
}

@Suite("Decimal text")
struct DecimalTextTests {
    @Test("parses exactly, rejects what is not an exact decimal")
    func parse() {
        #expect(BookUnits.parse("61659.70") == 6_165_970_000_000)
        #expect(BookUnits.parse("0.000") == 0)
        #expect(BookUnits.parse("0.10000000000") == 10_000_000)
        #expect(BookUnits.parse("-1.5") == -150_000_000)
        for bad in ["", ".", "1.2.3", "1e5", "abc", "0.000000001", "99999999999999999999", "1 ", "+-1", "NaN"] {
            #expect(BookUnits.parse(bad) == nil, "\(bad)")
        }
        #expect(Fixed("25100.4016")?.formatted(2) == "25100.40")
        #expect(Fixed("-0.005")?.formatted(2) == "-0.01")
        #expect(Fixed("1234567.891")?.formatted(2, grouping: true) == "1,234,567.89")
        #expect(Fixed("0.5")?.description == "0.5")
        #expect(Fixed("170141183460469231731687303715884105727") == nil)
    }

    @Test("arithmetic saturates instead of trapping")
    func saturation() {
        #expect(Fixed.max + Fixed.one == Fixed.max)
        #expect(Fixed.max * Fixed(2) == Fixed.max)
        #expect(Fixed.one / .zero == Fixed.max)
        #expect((Fixed(1) / Fixed(3)).formatted(18) == "0.333333333333333333")
        #expect((Fixed(2) / Fixed(3)).formatted(18) == "0.666666666666666667")
    }
}

@Suite("Price ladder against a reference")
struct PriceLadderReferenceTests {
    /// Seeds 1–3 update anywhere; seeds 4–6 mostly near the previous update, in runs up or down
    /// the book as a depth event's levels come, which is what the ladder's finger (the chunk of the
    /// last update, tried first) is for: its hits, misses and stale hints after splits and removals.
    @Test("random inserts, updates and removals across thousands of levels match a dictionary", arguments: [1, 2, 3, 4, 5, 6])
    func matchesReference(seed: Int) {
        var rng = SeededGenerator(seed: UInt64(seed))
        let local = seed > 3
        for side in [BookSide.bid, .ask] {
            var ladder = PriceLadder(side: side)
            var reference: [Int64: Int64] = [:]
            var tick: Int64 = 1_500
            for step in 0..<20_000 {
                if local && Int.random(in: 0..<8, using: &rng) != 0 {
                    tick = Swift.min(3_000, Swift.max(1, tick + Int64.random(in: -40...40, using: &rng)))
                } else {
                    tick = Int64.random(in: 1...3_000, using: &rng)
                }
                let price = tick * 10_000_000
                let size = Int.random(in: 0..<3, using: &rng) == 0 ? 0 : Int64.random(in: 1...1_000, using: &rng)
                let before = ladder.set(price: price, size: size)
                #expect(before == reference[price] ?? 0)
                reference[price] = size > 0 ? size : nil
                if step % 997 == 0 {
                    var seen: [Int64] = []
                    ladder.forEachFromTouch { price, size in
                        #expect(reference[price] == size)
                        seen.append(price)
                        return true
                    }
                    let expected = reference.keys.sorted(by: side == .bid ? (>) : (<))
                    #expect(seen == expected)
                    #expect(ladder.count == reference.count)
                    if let first = expected.first { #expect(ladder.best?.price == first) }
                    if expected.count > 10 { #expect(ladder.level(at: 10).price == expected[10]) }
                }
            }
        }
    }
}

@Suite("Depth bands")
struct DepthBandTests {
    /// The definition, walked here level by level: Σ price × (size − consumed) within ±bps of the mid.
    static func notional(_ book: OrderBook, _ side: BookSide, withinBps bps: Int) -> Fixed {
        guard let mid = book.mid else { return .zero }
        let band = mid * Fixed(bps) / Fixed(10_000)
        let limit = (side == .bid ? mid - band : mid + band).bookUnits
        var total = Fixed.zero
        book.forEachFeedLevel(side) { price, size, consumed in
            if side == .bid ? price < limit : price > limit { return false }
            let left = Swift.max(0, size - consumed)
            total += Fixed(bookUnits: price) * Fixed(bookUnits: left)
            return true
        }
        return total
    }

    @Test("two bands in one walk equal each band walked alone, with and without an overlay", arguments: [1, 2, 3, 4])
    func pairMatchesSingles(seed: Int) {
        var rng = SeededGenerator(seed: UInt64(seed))
        var book = OrderBook()
        let tick: Int64 = 10_000_000
        let touch: Int64 = 6_000_000 * tick / 1_000
        var bids: [(price: Int64, size: Int64)] = []
        var asks: [(price: Int64, size: Int64)] = []
        for level in 0..<2_000 where Int.random(in: 0..<3, using: &rng) > 0 {
            bids.append((touch - Int64(level) * tick, Int64.random(in: 1...5_000_000_000, using: &rng)))
            asks.append((touch + tick + Int64(level) * tick, Int64.random(in: 1...5_000_000_000, using: &rng)))
        }
        book.applySnapshot(bids: bids, asks: asks)
        for pass in 0..<2 {
            if pass == 1 {
                book.consume(.bid, fills: book.walk(.bid, quantity: 30_000_000_000).fills)
                book.consume(.ask, fills: book.walk(.ask, quantity: 20_000_000_000).fills)
            }
            for (narrow, wide) in [(10, 50), (1, 1), (0, 200), (25, 26)] {
                for side in [BookSide.bid, .ask] {
                    let pair = book.depthNotional(side, withinBps: narrow, and: wide)
                    #expect(pair.narrow == Self.notional(book, side, withinBps: narrow), "\(side) \(narrow) against a plain walk")
                    #expect(pair.wide == Self.notional(book, side, withinBps: wide), "\(side) \(wide) against a plain walk")
                    #expect(pair.narrow == book.depthNotional(side, withinBps: narrow), "\(side) \(narrow)")
                    #expect(pair.wide == book.depthNotional(side, withinBps: wide), "\(side) \(wide)")
                    let sizes = book.depthSize(side, withinBps: narrow, and: wide)
                    #expect(sizes.narrow == book.depthSize(side, withinBps: narrow))
                    #expect(sizes.wide == book.depthSize(side, withinBps: wide))
                    #expect(pair.narrow <= pair.wide)
                }
            }
        }
    }
}

@Suite("Price ladder search at every size")
struct PriceLadderSearchTests {
    @Test("every chunk fill from 1 to 128 keys, and the splits past it: each key found, each gap placed")
    func everyChunkFill() {
        for side in [BookSide.bid, .ask] {
            var ladder = PriceLadder(side: side)
            for count in 1...300 {
                // Inserted in the order that keeps the newest key at the far end of the touch's chunk.
                ladder.set(price: Int64(side == .bid ? count : 301 - count) * 2, size: Int64(count))
                for price in stride(from: Int64(1), through: 603, by: 1) {
                    let present = price % 2 == 0 && (side == .bid ? price / 2 <= Int64(count) : price / 2 > 300 - Int64(count) && price / 2 <= 300)
                    #expect((ladder.size(at: price) > 0) == present, "\(side) \(count) \(price)")
                }
            }
            #expect(ladder.count == 300)
        }
    }

    /// Ladders of one level to beyond what the written-out chunk search covers (more than 4,096
    /// chunks fall back to a loop): every key present is found, every gap is placed in order.
    @Test("found and not found, from one level to 300,000", arguments: [1, 2, 63, 64, 65, 129, 5_000, 300_000])
    func everySize(levels: Int) {
        var rng = SeededGenerator(seed: UInt64(levels))
        for side in [BookSide.bid, .ask] {
            var ladder = PriceLadder(side: side)
            // Even prices are levels; odd ones are gaps.
            ladder.replace(with: (1...levels).map { (price: Int64($0) * 2, size: Int64($0)) })
            var reference = Dictionary(uniqueKeysWithValues: (1...levels).map { (Int64($0) * 2, Int64($0)) })
            let probes = Swift.min(4_000, levels * 4)
            for _ in 0..<probes {
                let price = Int64.random(in: 1...(Int64(levels) * 2 + 1), using: &rng)
                #expect(ladder.size(at: price) == reference[price] ?? 0)
                let size = Int.random(in: 0..<4, using: &rng) == 0 ? 0 : Int64.random(in: 1...9, using: &rng)
                #expect(ladder.set(price: price, size: size) == reference[price] ?? 0)
                reference[price] = size > 0 ? size : nil
            }
            #expect(ladder.count == reference.count)
            var previous: Int64? = nil
            var visited = 0
            ladder.forEachFromTouch { price, size in
                if let previous { #expect(side == .bid ? price < previous : price > previous) }
                #expect(reference[price] == size)
                previous = price
                visited += 1
                return true
            }
            #expect(visited == reference.count)
        }
    }
}

@Suite("Book units fast path")
struct BookUnitsFastPathTests {
    @Test("the one-pass parse agrees with the exact 128-bit parse on every shape of number")
    func agreesWithExactParse() {
        var rng = SeededGenerator(seed: 11)
        let alphabet = Array("0123456789.-+e ".utf8)
        var shapes = ["1.", ".5", "0", "-0", "00000000000000000001.5", "123456789012345678", "1234567890123456789",
            "92233720368.54775807", "92233720368.54775808", "0.00000001", "0.000000010", "0.000000011", "-", "+1", "1.2.3", ""]
        for _ in 0..<20_000 {
            let length = Int.random(in: 1...22, using: &rng)
            let digitsOnly = Bool.random(using: &rng)
            shapes.append(String(decoding: (0..<length).map { _ in
                digitsOnly ? UInt8.random(in: 48...57, using: &rng) : alphabet.randomElement(using: &rng)!
            }, as: UTF8.self) + (Bool.random(using: &rng) ? "" : "." + String(Int.random(in: 0...999_999_999, using: &rng))))
        }
        for text in shapes {
            let exact = DecimalText.scaledInteger(Substring(text), places: BookUnits.places, limit: BookUnits.limit).map(Int64.init)
            // The frame parser takes no "+" (no exchange sends one); the text parser does.
            let expected = text.hasPrefix("+") ? nil : exact
            #expect(BookUnits.parse(text) == exact, "\(text)")
            var bytes = Array(text.utf8)
            let fast = bytes.withUnsafeMutableBufferPointer { BookUnits.parse($0.baseAddress.map { UnsafePointer($0) } ?? UnsafePointer(bitPattern: 1)!, count: $0.count) }
            #expect(fast == expected, "\(text)")
        }
    }

    @Test("Fixed to book units rounds half away from zero on both the 64- and 128-bit paths")
    func fixedToBookUnits() {
        #expect(fx("1.000000005").bookUnits == 100_000_001)
        #expect(fx("1.0000000049").bookUnits == 100_000_000)
        #expect(fx("-1.000000005").bookUnits == -100_000_001)
        #expect(fx("-1.0000000049").bookUnits == -100_000_000)
        #expect(fx("61659.70000000500").bookUnits == 6_165_970_000_001)
        #expect(fx("-61659.700000004").bookUnits == -6_165_970_000_000)
        #expect(Fixed.max.bookUnits == .max)
        #expect(Fixed.min.bookUnits == .min)
    }
}
