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

    /// The checksum of the book as it is now; `scratch` is reused between calls.
    func checksum(scratch: inout [UInt8]) -> Int32 {
        var bids: [Int64] = []
        var asks: [Int64] = []
        bids.reserveCapacity(Self.depth)
        asks.reserveCapacity(Self.depth)
        book.forEachFeedLevel(.bid) { price, _, _ in
            bids.append(price)
            return bids.count < Self.depth
        }
        book.forEachFeedLevel(.ask) { price, _, _ in
            asks.append(price)
            return asks.count < Self.depth
        }
        scratch.removeAll(keepingCapacity: true)
        func append(_ text: LevelText?) {
            guard let text else { return }
            if !scratch.isEmpty { scratch.append(UInt8(ascii: ":")) }
            scratch.append(contentsOf: text.price.utf8)
            scratch.append(UInt8(ascii: ":"))
            scratch.append(contentsOf: text.size.utf8)
        }
        for rank in 0..<max(bids.count, asks.count) {
            if rank < bids.count { append(bidText[bids[rank]]) }
            if rank < asks.count { append(askText[asks[rank]]) }
        }
        return Int32(bitPattern: CRC32.checksum(scratch))
    }
}

/// CRC-32 (IEEE 802.3, the polynomial zlib and OKX use), a table a byte.
enum CRC32 {
    static let table: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 { value = value & 1 != 0 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1 }
        return value
    }

    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        table.withUnsafeBufferPointer { table in
            for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        }
        return crc ^ 0xFFFF_FFFF
    }
}
