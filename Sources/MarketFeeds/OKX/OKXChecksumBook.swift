import CIsal
import RiskEngine

/// OKX's book checksum: the CRC32 of the top 25 levels of each side, the bids and asks interleaved
/// (`bid1px:bid1sz:ask1px:ask1sz:bid2px:...`; when one side has fewer levels, the other's go on
/// alone), each price and size exactly as OKX sent it, read as a signed 32-bit integer.
///
/// The decoder keeps its own copy of each book for it, with the text of every level as sent: the
/// engine's book holds integers and cannot say whether a price came as `30244` or `30244.0`.
/// The copy's prices and sizes are as OKX sends them (contracts): only their text enters the sum.
struct OKXChecksumBook {
    /// A level's price and size texts as sent, kept inline: no allocation, no reference count and
    /// no UTF-8 check a level (a String each cost all three). 48 bytes hold any price and size a
    /// real book sends; a longer pair (a hostile feed's) is kept whole in the side's `spilled`.
    struct LevelText: Equatable {
        static func == (a: LevelText, b: LevelText) -> Bool {
            a.priceCount == b.priceCount && a.sizeCount == b.sizeCount && a.bytes.0 == b.bytes.0 && a.bytes.1 == b.bytes.1
                && a.bytes.2 == b.bytes.2 && a.bytes.3 == b.bytes.3 && a.bytes.4 == b.bytes.4 && a.bytes.5 == b.bytes.5
        }

        static let capacity = 48
        /// `priceCount` saying the pair is in `spilled`.
        static let spilledMark: UInt8 = .max

        var bytes: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0)
        var priceCount: UInt8 = 0
        var sizeCount: UInt8 = 0

        init(price: ByteSpan, size: ByteSpan) {
            priceCount = UInt8(price.count)
            sizeCount = UInt8(size.count)
            withUnsafeMutableBytes(of: &bytes) { storage in
                storage.baseAddress!.copyMemory(from: price.start, byteCount: price.count)
                (storage.baseAddress! + price.count).copyMemory(from: size.start, byteCount: size.count)
            }
        }

        init(spilled: Void) { priceCount = Self.spilledMark }

        static func fits(price: ByteSpan, size: ByteSpan) -> Bool { price.count + size.count <= capacity }

        /// Appends `price:size`.
        func append(to joined: inout [UInt8]) {
            withUnsafeBytes(of: bytes) { storage in
                let price = Int(priceCount)
                joined.append(contentsOf: UnsafeRawBufferPointer(rebasing: storage[0..<price]))
                joined.append(UInt8(ascii: ":"))
                joined.append(contentsOf: UnsafeRawBufferPointer(rebasing: storage[price..<(price + Int(sizeCount))]))
            }
        }
    }

    struct Level {
        var price: Int64
        var text: LevelText
    }

    /// Each side's levels sorted with the best last (bids rising, asks falling): the top 25 are
    /// the last 25, read in one pass over adjacent memory, and a change near the touch, where
    /// nearly all of them are, moves a few levels. (A ladder and a table of texts by price cost
    /// fifty hashed lookups a message, each a cache miss once the other venues' messages have
    /// passed through.)
    var bids: [Level] = []
    var asks: [Level] = []
    /// `price:size` of the levels whose texts are too long to keep inline, by side and price.
    var spilled: [BookSide: [Int64: [UInt8]]] = [:]
    /// A snapshot was applied and no checksum failed since: the next checksum can be verified.
    var trusted = false
    /// The time of the last books message read for this book (0: none yet), for a gap when one
    /// cannot be read.
    var lastTime: Int64 = 0

    static let depth = 25
    /// Levels kept a side. OKX sends at most 400; a feed sending more has the deepest dropped
    /// (bounded memory and moves), which can only matter if all but 25 above them went, when
    /// the checksum fails and the book is re-synced.
    static let keptLevels = 1_000

    mutating func reset() {
        bids.removeAll(keepingCapacity: true)
        asks.removeAll(keepingCapacity: true)
        spilled.removeAll()
    }

    /// Where `price` is in a side sorted best last, or where it would go.
    static func slot(of price: Int64, in levels: [Level], side: BookSide) -> (index: Int, found: Bool) {
        var low = 0
        var high = levels.count
        while low < high {
            let middle = (low + high) / 2
            let candidate = levels[middle].price
            if candidate == price { return (middle, true) }
            // Nearer the end is better: a higher bid, a lower ask.
            if (side == .bid) == (candidate < price) { low = middle + 1 } else { high = middle }
        }
        return (low, false)
    }

    /// Sets a level to `size` (0 removes it), keeping the text it came as. Returns whether the
    /// book changed (a level set to the text it had, or a removal of none, changes nothing).
    @discardableResult
    mutating func set(_ side: BookSide, price: Int64, size: Int64, priceText: ByteSpan, sizeText: ByteSpan) -> Bool {
        let spilledBefore = spilled.isEmpty ? nil : spilled[side]?.removeValue(forKey: price)
        let text: LevelText?
        var pair: [UInt8]? = nil
        if size == 0 {
            text = nil
        } else if LevelText.fits(price: priceText, size: sizeText) {
            text = LevelText(price: priceText, size: sizeText)
        } else {
            text = LevelText(spilled: ())
            pair = Array(UnsafeBufferPointer(start: priceText.start, count: priceText.count)) + [UInt8(ascii: ":")]
                + Array(UnsafeBufferPointer(start: sizeText.start, count: sizeText.count))
        }
        let outcome = side == .bid ? Self.set(&bids, side: side, price: price, text: text) : Self.set(&asks, side: side, price: price, text: text)
        // The long text is kept only for a level the side kept, and goes with a level it let go
        // of: a hostile feed's deep levels would otherwise pile up texts until the next snapshot.
        if let pair, outcome.kept { spilled[side, default: [:]][price] = pair }
        if let evicted = outcome.evicted, !spilled.isEmpty { spilled[side]?.removeValue(forKey: evicted) }
        return outcome.changed || (pair != nil && pair != spilledBefore)
    }

    /// Sets a level in a side sorted best last; whether the level was kept, and the price of the
    /// deepest level let go of to make room for it.
    private static func set(_ levels: inout [Level], side: BookSide, price: Int64, text: LevelText?) -> (kept: Bool, evicted: Int64?, changed: Bool) {
        let (index, found) = slot(of: price, in: levels, side: side)
        guard let text else {
            if found { levels.remove(at: index) }
            return (false, nil, found)
        }
        if found {
            // A spilled pair's text is compared by the caller.
            let changed = levels[index].text != text
            levels[index].text = text
            return (true, nil, changed)
        }
        if levels.count >= keptLevels {
            // Full: a level deeper than every kept one is not kept; else the deepest makes room.
            guard index > 0 else { return (false, nil, false) }
            let evicted = levels.removeFirst().price
            levels.insert(Level(price: price, text: text), at: index - 1)
            return (true, evicted, true)
        }
        levels.insert(Level(price: price, text: text), at: index)
        return (true, nil, true)
    }

    /// The checksum of the book as it is now: the CRC-32 of the top levels' texts, bid and ask
    /// alternating, each `price:size`, joined by `:`. The texts are gathered into `scratch` (reused
    /// between calls: no allocation a message) and checked in one call of ISA-L's folded CRC,
    /// several times the speed of a table a byte.
    func checksum(scratch joined: inout [UInt8]) -> Int32 {
        joined.removeAll(keepingCapacity: true)
        func add(_ level: Level, side: BookSide) {
            if !joined.isEmpty { joined.append(UInt8(ascii: ":")) }
            if level.text.priceCount == LevelText.spilledMark {
                joined.append(contentsOf: spilled[side]?[level.price] ?? [])
            } else {
                level.text.append(to: &joined)
            }
        }
        let bidCount = Swift.min(Self.depth, bids.count)
        let askCount = Swift.min(Self.depth, asks.count)
        for rank in 0..<Swift.max(bidCount, askCount) {
            if rank < bidCount { add(bids[bids.count - 1 - rank], side: .bid) }
            if rank < askCount { add(asks[asks.count - 1 - rank], side: .ask) }
        }
        return Int32(bitPattern: CRC32.checksum(joined))
    }
}

/// CRC-32 (IEEE 802.3, reflected: the polynomial zlib, gzip and OKX use).
enum CRC32 {
    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return 0 }
            return cisal_crc32(0, base, UInt64(buffer.count))
        }
    }
}
