import RiskEngine

/// A book message of a venue whose stream carries its own snapshots (Bybit, OKX, Hyperliquid), as
/// its decoder read it, with what the venue's integrity rule says about it. `DepthSynchronizer`
/// applies it (`receive(_: StreamBookUpdate, into:)`): a snapshot sets the book at any time; a delta
/// is applied only while the book is in sync and the message passed the venue's rule; one that
/// failed is a gap.
///
/// The rules, per venue:
/// - Bybit v5 `orderbook.N.SYMBOL`: `sequence` is `u`, and a delta's `u` must be the previous
///   message's `u` + 1 (`previousSequence` nil). A snapshot resets the book whatever its `u` (`u` = 1
///   is the snapshot after a service restart).
/// - OKX v5 `books`: `sequence` is `seqId` and `previousSequence` `prevSeqId` where the frame has them
///   (a delta's `prevSeqId` must equal the last `seqId`); the CRC32 `checksum` of the top 25 levels is
///   verified by the decoder against its own copy of the book, and a mismatch is `problem`.
/// - Hyperliquid `l2Book`: every message is a snapshot; there is nothing to check.
public struct StreamBookUpdate: Sendable {
    public enum Levels: Sendable {
        case snapshot(bids: [(price: Int64, size: Int64)], asks: [(price: Int64, size: Int64)])
        /// Level changes (size 0 removes), bids first.
        case delta([LevelChange])
    }

    /// The market id (`bybit:XRPUSDT`).
    public var symbol: String
    public var levels: Levels
    /// The message's own sequence number (Bybit `u`, OKX `seqId`), where it has one.
    public var sequence: Int64?
    /// The sequence number of the message before it (OKX `prevSeqId`); nil when the rule is that
    /// `sequence` rises by one (Bybit).
    public var previousSequence: Int64?
    /// Why the decoder found the message broken by the venue's own check (an OKX checksum
    /// mismatch); nil when it passed or the venue has no such check.
    public var problem: String?
    /// Whether a checksum was verified and matched.
    public var checksumVerified: Bool
    /// The decoder knows that applying it changes nothing (an OKX update setting levels to the
    /// sizes its copy of the book already had, or none): dropped, it loses nothing.
    public var changesNothing = false
    /// The most levels a side the stream shows (Bybit's `orderbook.50` 50, kept by its deltas; OKX's
    /// `books` 400; Hyperliquid's `l2Book` 20); 0 for the whole book. Read from a snapshot.
    public var shownLevels = 0
    public var time: Int64

    public init(symbol: String, levels: Levels, sequence: Int64? = nil, previousSequence: Int64? = nil, problem: String? = nil,
        checksumVerified: Bool = false, time: Int64)
    {
        self.symbol = symbol
        self.levels = levels
        self.sequence = sequence
        self.previousSequence = previousSequence
        self.problem = problem
        self.checksumVerified = checksumVerified
        self.time = time
    }

    public var isSnapshot: Bool {
        if case .snapshot = levels { return true }
        return false
    }
}
