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
    /// alternating, each `price:size`, joined by `:`. The CRC runs over the texts as they are
    /// walked, without building the joined string.
    func checksum() -> Int32 {
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
            var crc = CRC32.initial
            var first = true
            func add(_ text: LevelText?) {
                guard let text else { return }
                if !first { crc = CRC32.update(crc, byte: UInt8(ascii: ":")) }
                first = false
                crc = CRC32.update(crc, text: text.price)
                crc = CRC32.update(crc, byte: UInt8(ascii: ":"))
                crc = CRC32.update(crc, text: text.size)
            }
            for rank in 0..<max(bidCount, askCount) {
                if rank < bidCount { add(bidText[prices[rank]]) }
                if rank < askCount { add(askText[prices[Self.depth + rank]]) }
            }
            return Int32(bitPattern: crc ^ 0xFFFF_FFFF)
        }
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

    /// The register before the first byte; the checksum is the register after the last, inverted.
    static let initial: UInt32 = 0xFFFF_FFFF

    static func update(_ crc: UInt32, byte: UInt8) -> UInt32 {
        table.withUnsafeBufferPointer { table in table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
    }

    /// The register after the UTF-8 bytes of `text` (read in place: no array made of them).
    static func update(_ crc: UInt32, text: String) -> UInt32 {
        var text = text
        return text.withUTF8 { bytes in
            table.withUnsafeBufferPointer { table in
                var crc = crc
                for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
                return crc
            }
        }
    }
}
