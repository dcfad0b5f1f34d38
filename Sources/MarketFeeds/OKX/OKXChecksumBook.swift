import CIsal
import RiskEngine

/// OKX's book checksum: the CRC32 of the top 25 levels of each side, the bids and asks interleaved
/// (`bid1px:bid1sz:ask1px:ask1sz:bid2px:...`; when one side has fewer levels, the other's go on
/// alone), each price and size exactly as OKX sent it, read as a signed 32-bit integer.
///
/// The decoder keeps its own copy of each book for it, with the text of every level as sent: the
/// engine's book holds integers and cannot say whether a price came as `30244` or `30244.0`.
struct OKXChecksumBook {
    struct LevelText {
        var price: String
        var size: String
    }

    /// Ordered levels (the engine's own ladder, so that the top 25 are found without a sort).
    var book = OrderBook()
    var bidText: [Int64: LevelText] = [:]
    var askText: [Int64: LevelText] = [:]
    /// A snapshot was applied and no checksum failed since: the next checksum can be verified.
    var trusted = false

    static let depth = 25

    mutating func reset() {
        book = OrderBook()
        bidText.removeAll(keepingCapacity: true)
        askText.removeAll(keepingCapacity: true)
    }

    /// Sets a level to `size` (0 removes it), keeping the text it came as.
    mutating func set(_ side: BookSide, price: Int64, size: Int64, priceText: ByteSpan, sizeText: ByteSpan) {
        book.applyLevel(side: side, price: price, size: size, uncross: false)
        if size == 0 {
            if side == .bid { bidText.removeValue(forKey: price) } else { askText.removeValue(forKey: price) }
        } else {
            // Short texts (up to 15 bytes, every price and size OKX sends) are stored inline in the
            // String, with no allocation.
            let text = LevelText(price: priceText.string, size: sizeText.string)
            if side == .bid { bidText[price] = text } else { askText[price] = text }
        }
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
            func add(_ text: LevelText?) {
                guard let text else { return }
                if !joined.isEmpty { joined.append(UInt8(ascii: ":")) }
                joined.append(contentsOf: text.price.utf8)
                joined.append(UInt8(ascii: ":"))
                joined.append(contentsOf: text.size.utf8)
            }
            for rank in 0..<max(bidCount, askCount) {
                if rank < bidCount { add(bidText[prices[rank]]) }
                if rank < askCount { add(askText[prices[Self.depth + rank]]) }
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
