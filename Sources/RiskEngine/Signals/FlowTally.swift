/// Liquidity the feed removed and added within the flow band since the last sample.
///
/// The feed's changes are summed exactly, as Σ price × size in book units, and turned into money
/// once a sample: a floating-point division for each of the feed's level changes was a tenth of
/// what applying a change cost, and the exact sum rounds once instead of once a change.
struct FlowTally: Sendable {
    /// Σ price × |delta| of the feed's removals and additions, in (10⁻⁸)², saturating.
    var removedValue: Int128 = 0
    var addedValue: Int128 = 0
    /// What simulated liquidations took from the book, in quote money.
    var consumed = 0.0
    /// The band, set at each sample from the mid (book units).
    var bandLow: Int64 = .min
    var bandHigh: Int64 = .max

    /// A level change the feed made; `delta` is new − old size (book units) at `price`.
    @inline(__always)
    mutating func record(price: Int64, delta: Int64) {
        guard price >= bandLow && price <= bandHigh, delta != 0 else { return }
        // Int64 × Int64 always fits Int128; only the sum can overflow, on a corrupt feed.
        let value = Int128(price) &* Int128(delta.magnitude)
        if delta < 0 { OrderBook.add(value, to: &removedValue) } else { OrderBook.add(value, to: &addedValue) }
    }

    /// Removed and added since the last sample, in quote money.
    var removed: Double { FlowTally.double(removedValue) / 1e16 + consumed }
    var added: Double { FlowTally.double(addedValue) / 1e16 }

    /// A non-negative sum as a Double, from its two words: `Double(Int128)` takes a generic path
    /// of thousands of instructions. (Past 2⁶⁴ the two roundings can differ from one by an ulp.)
    static func double(_ value: Int128) -> Double {
        let high = Double(Int64(truncatingIfNeeded: value >> 64))
        let low = Double(UInt64(truncatingIfNeeded: value))
        return high * 0x1p64 + low
    }

    /// Starts the next second's tally; the band stays.
    mutating func startNextSample() {
        removedValue = 0
        addedValue = 0
        consumed = 0
    }
}
