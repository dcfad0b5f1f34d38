import Testing
@testable import RiskEngine

/// The ladder keeps Σ size and Σ price × size per chunk so that the depth bands add whole chunks;
/// every change must keep those sums equal to the levels they stand for.
@Suite("Price ladder band sums")
struct LadderBandSumTests {
    /// The definition, walked level by level from the touch.
    static func walked(_ ladder: PriceLadder, narrowLimit: Int64, wideLimit: Int64)
        -> (narrowSize: Int64, wideSize: Int64, narrowValue: Int128, wideValue: Int128)
    {
        var result: (narrowSize: Int64, wideSize: Int64, narrowValue: Int128, wideValue: Int128) = (0, 0, 0, 0)
        let within: (Int64, Int64) -> Bool = ladder.side == .bid ? { $0 >= $1 } : { $0 <= $1 }
        ladder.forEachFromTouch { price, size in
            guard within(price, wideLimit) else { return false }
            result.wideSize += size
            result.wideValue += Int128(price) * Int128(size)
            if within(price, narrowLimit) {
                result.narrowSize += size
                result.narrowValue += Int128(price) * Int128(size)
            }
            return true
        }
        return result
    }

    @Test("after random inserts, updates, removals, splits and crossed levels, the sums match a walk at every band", arguments: [1, 2, 3])
    func sumsMatchWalk(seed: Int) {
        var rng = SeededGenerator(seed: UInt64(seed))
        for side in [BookSide.bid, .ask] {
            var ladder = PriceLadder(side: side)
            if seed == 3 {
                // A snapshot first (chunks of 64), then updates on top.
                ladder.replace(with: (1...2_500).map { (Int64($0) * 1_000, Int64($0 % 7 + 1)) })
            }
            var tick: Int64 = 1_250
            for step in 0..<12_000 {
                tick = Int.random(in: 0..<4, using: &rng) == 0 ? Int64.random(in: 1...2_500, using: &rng)
                    : Swift.min(2_500, Swift.max(1, tick + Int64.random(in: -20...20, using: &rng)))
                let size = Int.random(in: 0..<3, using: &rng) == 0 ? 0 : Int64.random(in: 1...9_000_000_000, using: &rng)
                ladder.set(price: tick * 1_000, size: size)
                if step % 2_000 == 1_999 {
                    // A fresh level on the other side proves the levels through it stale.
                    let touch = ladder.best?.price ?? 0
                    ladder.removeLevels(crossing: side == .bid ? touch - 5_000 : touch + 5_000)
                }
                guard step % 300 == 0, let touch = ladder.best?.price else { continue }
                let outward: Int64 = side == .bid ? -1 : 1
                for (narrowTicks, wideTicks) in [(0, 0), (0, 1), (3, 40), (40, 40), (100, 900), (700, 3_000), (0, 5_000)] {
                    // Limits on a level's price and between levels (half ticks).
                    for offset: Int64 in [0, 500] {
                        let narrowLimit = touch + outward * (Int64(narrowTicks) * 1_000 + offset)
                        let wideLimit = touch + outward * (Int64(wideTicks) * 1_000 + offset)
                        let sums = ladder.bandSums(narrowLimit: narrowLimit, wideLimit: wideLimit)
                        let expected = Self.walked(ladder, narrowLimit: narrowLimit, wideLimit: wideLimit)
                        #expect(sums.narrowSize == expected.narrowSize && sums.wideSize == expected.wideSize
                            && sums.narrowValue == expected.narrowValue && sums.wideValue == expected.wideValue,
                            "\(side) step \(step) bands \(narrowTicks)/\(wideTicks)+\(offset)")
                    }
                }
            }
        }
    }

    @Test("an empty ladder sums to zero; a band beyond the far end takes every level")
    func edges() {
        let empty = PriceLadder(side: .bid)
        #expect(empty.bandSums(narrowLimit: 0, wideLimit: 0) == (0, 0, 0, 0))
        var asks = PriceLadder(side: .ask)
        for price in 1...500 { asks.set(price: Int64(price) * 10, size: 2) }
        let all = asks.bandSums(narrowLimit: 30, wideLimit: Int64.max)
        #expect(all.wideSize == 1_000 && all.narrowSize == 6)
        #expect(all.wideValue == Int128((1...500).reduce(0) { $0 + $1 * 10 * 2 }))
    }
}
