import CIsal
import RiskEngine

/// OKX's book checksum: the CRC32 of the top 25 levels of each side, the bids and asks interleaved
/// (`bid1px:bid1sz:ask1px:ask1sz:bid2px:...`; when one side has fewer levels, the other's go on
/// alone), each price and size exactly as OKX sent it, read as a signed 32-bit integer.
///
/// The decoder keeps its own copy of each book for it, with the text of every level as sent: the
/// engine's book holds integers and cannot say whether a price came as `30244` or `30244.0`.
struct OKXChecksumBook {
    /// A level's price and size texts as sent, kept inline: no allocation, no reference count and
    /// no UTF-8 check a level (a String each cost all three). 48 bytes hold any price and size a
    /// real book sends; a longer pair (a hostile feed's) is kept whole in the side's `spilled`.
    struct LevelText {
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

    /// Ordered levels (the engine's own ladder, so that the top 25 are found without a sort).
    var book = OrderBook()
    var bidText: [Int64: LevelText] = [:]
    var askText: [Int64: LevelText] = [:]
    /// `price:size` of the levels whose texts are too long to keep inline, by side and price.
    var spilled: [BookSide: [Int64: [UInt8]]] = [:]
    /// A snapshot was applied and no checksum failed since: the next checksum can be verified.
    var trusted = false

    static let depth = 25

    mutating func reset() {
        book = OrderBook()
        bidText.removeAll(keepingCapacity: true)
        askText.removeAll(keepingCapacity: true)
        spilled.removeAll()
    }

    /// Sets a level to `size` (0 removes it), keeping the text it came as.
    mutating func set(_ side: BookSide, price: Int64, size: Int64, priceText: ByteSpan, sizeText: ByteSpan) {
        book.applyLevel(side: side, price: price, size: size, uncross: false)
        if !spilled.isEmpty { spilled[side]?.removeValue(forKey: price) }
        if size == 0 {
            if side == .bid { bidText.removeValue(forKey: price) } else { askText.removeValue(forKey: price) }
            return
        }
        let text: LevelText
        if LevelText.fits(price: priceText, size: sizeText) {
            text = LevelText(price: priceText, size: sizeText)
        } else {
            text = LevelText(spilled: ())
            let pair = Array(UnsafeBufferPointer(start: priceText.start, count: priceText.count)) + [UInt8(ascii: ":")]
                + Array(UnsafeBufferPointer(start: sizeText.start, count: sizeText.count))
            spilled[side, default: [:]][price] = pair
        }
        if side == .bid { bidText[price] = text } else { askText[price] = text }
    }

    /// The checksum of the book as it is now: the CRC-32 of the top levels' texts, bid and ask
    /// alternating, each `price:size`, joined by `:`. The texts are gathered into `scratch` (reused
    /// between calls: no allocation a message) and checked in one call of ISA-L's folded CRC,
    /// several times the speed of a table a byte.
    func checksum(scratch joined: inout [UInt8]) -> Int32 {
        withUnsafeTemporaryAllocation(of: Int64.self, capacity: 2 * Self.depth) { prices in
            var bidCount = 0
            book.forEachFeedLevel(.bid) { price, _, _ in
                prices[bidCount] = price
                bidCount += 1
                return bidCount < Self.depth
            }
            var askCount = 0
            book.forEachFeedLevel(.ask) { price, _, _ in
                prices[Self.depth + askCount] = price
                askCount += 1
                return askCount < Self.depth
            }
            joined.removeAll(keepingCapacity: true)
            func add(_ text: LevelText?, side: BookSide, price: Int64) {
                guard let text else { return }
                if !joined.isEmpty { joined.append(UInt8(ascii: ":")) }
                if text.priceCount == LevelText.spilledMark {
                    joined.append(contentsOf: spilled[side]?[price] ?? [])
                } else {
                    text.append(to: &joined)
                }
            }
            for rank in 0..<max(bidCount, askCount) {
                if rank < bidCount { add(bidText[prices[rank]], side: .bid, price: prices[rank]) }
                if rank < askCount { add(askText[prices[Self.depth + rank]], side: .ask, price: prices[Self.depth + rank]) }
            }
            return Int32(bitPattern: CRC32.checksum(joined))
        }
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
