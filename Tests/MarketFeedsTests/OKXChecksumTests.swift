import Testing
@testable import MarketFeeds
import RiskEngine

/// OKX's book checksum, worked out here apart from the decoder: a bitwise CRC-32 of the top 25
/// levels' texts as sent, bids and asks interleaved, read as a signed 32-bit integer.
@Suite("OKX book checksums")
struct OKXChecksumTests {
    typealias Level = (price: String, size: String)

    /// CRC-32 (reflected 0xEDB88320) one bit at a time: nothing shared with the decoder's ISA-L call.
    static func crc32(_ text: String) -> Int32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in text.utf8 {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return Int32(bitPattern: ~crc)
    }

    /// The checksum of a book given best first on each side, by OKX's documented rule.
    static func expected(bids: [Level], asks: [Level]) -> Int32 {
        var parts: [String] = []
        for rank in 0..<25 {
            if rank < bids.count { parts.append("\(bids[rank].price):\(bids[rank].size)") }
            if rank < asks.count { parts.append("\(asks[rank].price):\(asks[rank].size)") }
        }
        return crc32(parts.joined(separator: ":"))
    }

    static func frame(_ action: String, bids: [Level], asks: [Level], checksum: Int32) -> String {
        func rows(_ levels: [Level]) -> String { levels.map { "[\"\($0.price)\",\"\($0.size)\",\"0\",\"1\"]" }.joined(separator: ",") }
        return #"{"arg":{"channel":"books","instId":"BTC-USD-SWAP"},"action":"\#(action)","data":[{"asks":[\#(rows(asks))],"bids":[\#(rows(bids))],"ts":"1700000000000","checksum":\#(checksum)}]}"#
    }

    /// Decodes frames in turn with one decoder; each must decode.
    static func run(_ frames: [String]) -> (OKXFrameDecoder, [StreamBookUpdate]) {
        var decoder = OKXFrameDecoder()
        var updates: [StreamBookUpdate] = []
        for frame in frames {
            var messages: [FeedMessage] = []
            let bytes = Array(frame.utf8)
            let outcome = bytes.withUnsafeBufferPointer { decoder.decode($0.baseAddress!, count: $0.count, receiveTime: 1, into: &messages) }
            #expect(outcome == .decoded, "\(outcome) for \(frame)")
            for case .book(let update) in messages { updates.append(update) }
        }
        return (decoder, updates)
    }

    @Test("texts as sent (30244.0 is not 30244), updates and deletions, interleaving when one side is longer")
    func textsAsSent() {
        var bids: [Level] = [("30244.0", "5"), ("30243", "0.50"), ("30242.5", "12")]
        var asks: [Level] = [("30245.10", "3")]
        let snapshot = Self.frame("snapshot", bids: bids, asks: asks, checksum: Self.expected(bids: bids, asks: asks))
        // The update deletes the only ask, changes a bid's size and adds a level between two.
        let update = Self.frame("update", bids: [("30244.0", "7"), ("30243.50", "1")], asks: [("30245.10", "0")],
            checksum: { () -> Int32 in
                bids = [("30244.0", "7"), ("30243.50", "1"), ("30243", "0.50"), ("30242.5", "12")]
                asks = []
                return Self.expected(bids: bids, asks: asks)
            }())
        let (decoder, updates) = Self.run([snapshot, update])
        #expect(decoder.checksumsVerified == 2 && decoder.checksumMismatches == 0)
        #expect(updates.allSatisfy { $0.checksumVerified && $0.problem == nil })
        // The same book with a price sent as 30244 instead of 30244.0 sums differently.
        #expect(Self.expected(bids: [("30244", "5")], asks: []) != Self.expected(bids: [("30244.0", "5")], asks: []))
    }

    @Test("only the top 25 levels of each side count")
    func topTwentyFive() {
        let bids: [Level] = (0..<30).map { ("\(30_000 - $0).5", "\($0 + 1)") }
        let asks: [Level] = (0..<40).map { ("\(30_001 + $0).25", "0.\($0 + 1)") }
        let (decoder, _) = Self.run([Self.frame("snapshot", bids: bids, asks: asks, checksum: Self.expected(bids: bids, asks: asks))])
        #expect(decoder.checksumsVerified == 1 && decoder.checksumMismatches == 0)
    }

    @Test("a level text too long to keep inline is kept whole, and replaced or deleted like any other")
    func longTexts() {
        // 49 and 60 bytes with their prices: past the 48 kept inline.
        let longSize = "1." + String(repeating: "0", count: 40)
        let longer = "2." + String(repeating: "0", count: 50)
        var bids: [Level] = [("30244.0", longSize), ("30243", "1")]
        let asks: [Level] = [("30245.5", "3")]
        let snapshot = Self.frame("snapshot", bids: bids, asks: asks, checksum: Self.expected(bids: bids, asks: asks))
        bids[0].size = longer
        let replace = Self.frame("update", bids: [("30244.0", longer)], asks: [], checksum: Self.expected(bids: bids, asks: asks))
        bids[0].size = "4"
        let shorten = Self.frame("update", bids: [("30244.0", "4")], asks: [], checksum: Self.expected(bids: bids, asks: asks))
        bids.removeFirst()
        let delete = Self.frame("update", bids: [("30244.0", "0")], asks: [], checksum: Self.expected(bids: bids, asks: asks))
        let (decoder, updates) = Self.run([snapshot, replace, shorten, delete])
        #expect(decoder.checksumsVerified == 4 && decoder.checksumMismatches == 0, "\(updates.map(\.problem))")
    }

    @Test("a wrong checksum is a mismatch: the update says so and the copy is untrusted until a snapshot")
    func mismatch() {
        let bids: [Level] = [("30244.0", "5")]
        let asks: [Level] = [("30245.1", "3")]
        let good = Self.expected(bids: bids, asks: asks)
        let (decoder, updates) = Self.run([
            Self.frame("snapshot", bids: bids, asks: asks, checksum: good),
            Self.frame("update", bids: [("30244.0", "6")], asks: [], checksum: good),
            Self.frame("update", bids: [("30244.0", "5")], asks: [], checksum: good),
            Self.frame("snapshot", bids: bids, asks: asks, checksum: good),
        ])
        #expect(decoder.checksumsVerified == 2 && decoder.checksumMismatches == 1)
        #expect(updates.map(\.checksumVerified) == [true, false, false, true])
        #expect(updates[1].problem == "checksum \(good), book gives \(Self.expected(bids: [("30244.0", "6")], asks: asks))")
    }
}
