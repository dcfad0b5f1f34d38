/// Binance's mark price rule, for a feed that gives the index price (and the funding) but no mark
/// of its own:
///
///     mark   = median(P1, P2, contract price)
///     P1     = index × (1 + last funding rate × time until funding ÷ 8 h)
///     P2     = index + the moving average of (best bid + best ask) ÷ 2 − index, 30 samples taken
///              every 5 s (2.5 minutes)
///
/// ("Mark Price and Price Index", Binance's COIN-M FAQ; the contract price is the last trade, the
/// mid until one prints). An index older than 5 minutes is not used (Binance drops a source that
/// stopped updating after 5 minutes): the mark falls back to the proxy rule.
public struct IndexAnchoredMark: Sendable, Equatable {
    public internal(set) var indexPrice: Fixed?
    public internal(set) var fundingRate: Fixed?
    public internal(set) var nextFundingTime: Int64?
    public internal(set) var updatedAt: Int64 = 0
    /// Basis samples ((bid + ask) ÷ 2 − index), the last 30, in a ring.
    private var basis: [Fixed] = []
    private var basisNext = 0
    private var nextSampleTime: Int64 = 0

    public static let samples = 30
    public static let sampleInterval: Int64 = 5_000_000_000
    public static let maximumAge: Int64 = 300_000_000_000
    static let fundingInterval = Fixed(8 * 3600)

    public init() {}

    mutating func update(index: Fixed, fundingRate: Fixed?, nextFundingTime: Int64?, time: Int64) {
        // An index back after going stale starts its basis average again: old samples are not 2.5
        // minutes of this index.
        if indexPrice != nil && !isFresh(at: time) {
            basis.removeAll()
            basisNext = 0
        }
        indexPrice = index
        if let fundingRate { self.fundingRate = fundingRate }
        if let nextFundingTime { self.nextFundingTime = nextFundingTime }
        updatedAt = time
    }

    public func isFresh(at time: Int64) -> Bool {
        indexPrice != nil && time - updatedAt <= IndexAnchoredMark.maximumAge
    }

    /// Takes a basis sample when one is due (every 5 s of event time).
    mutating func sample(mid: Fixed, time: Int64) {
        guard let index = indexPrice, time >= nextSampleTime, isFresh(at: time) else { return }
        nextSampleTime = time - time % IndexAnchoredMark.sampleInterval + IndexAnchoredMark.sampleInterval
        let value = mid - index
        if basis.count < IndexAnchoredMark.samples { basis.append(value) } else { basis[basisNext] = value }
        basisNext = (basisNext + 1) % IndexAnchoredMark.samples
    }

    /// The mark by Binance's rule, or nil when no fresh index is known.
    public func mark(contractPrice: Fixed, time: Int64) -> Fixed? {
        guard let index = indexPrice, isFresh(at: time) else { return nil }
        var p1 = index
        if let rate = fundingRate, let next = nextFundingTime {
            let seconds = Fixed(Int(max(0, next - time) / 1_000_000_000))
            p1 = index * (Fixed.one + rate * seconds / IndexAnchoredMark.fundingInterval)
        }
        let p2 = basis.isEmpty ? index : index + basis.reduce(Fixed.zero, +) / Fixed(basis.count)
        return Fixed.maximum(Fixed.minimum(p1, p2), Fixed.minimum(Fixed.maximum(p1, p2), contractPrice))
    }
}
