/// Liquidity the feed removed and added within the flow band since the last sample.
struct FlowTally: Sendable {
    var removed = 0.0
    var added = 0.0
    /// The band, set at each sample from the mid (book units).
    var bandLow: Int64 = .min
    var bandHigh: Int64 = .max

    /// A level change the feed made; `delta` is new − old size (book units) at `price`.
    mutating func record(price: Int64, delta: Int64) {
        guard price >= bandLow && price <= bandHigh, delta != 0 else { return }
        let notional = Double(price) * Double(delta.magnitude) / 1e16
        if delta < 0 { removed += notional } else { added += notional }
    }
}
