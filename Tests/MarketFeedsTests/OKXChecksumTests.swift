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

    @Test("a frame's data, action or instrument given twice is malformed, naming the key (the second data was taken silently)", arguments: [
        (#"{"arg":{"channel":"books","instId":"BTC-USD-SWAP"},"action":"update","data":[{"asks":[],"bids":[],"ts":"1"}],"data":[]}"#, "data"),
        (#"{"arg":{"channel":"books","instId":"BTC-USD-SWAP"},"action":"update","action":"snapshot","data":[]}"#, "action"),
        (#"{"arg":{"channel":"books","instId":"BTC-USD-SWAP","instId":"ETH-USD-SWAP"},"action":"update","data":[]}"#, "arg.instId"),
    ])
    func keyGivenTwice(frame: String, key: String) {
        var decoder = OKXFrameDecoder()
        var messages: [FeedMessage] = []
        let bytes = Array(frame.utf8)
        let outcome = bytes.withUnsafeBufferPointer { decoder.decode($0.baseAddress!, count: $0.count, receiveTime: 1, into: &messages) }
        #expect(outcome == .malformed(field: "\(key) (the key is given twice)"), "\(outcome)")
        #expect(messages.isEmpty)
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
    /// A book kept the plainest way: price text by price, per side, sorted when asked.
    struct ModelBook {
        var bids: [Double: Level] = [:]
        var asks: [Double: Level] = [:]
        mutating func apply(_ levels: [Level], bid: Bool) {
            for level in levels {
                let key = Double(level.price)!
                if Double(level.size)! == 0 {
                    if bid { bids[key] = nil } else { asks[key] = nil }
                } else if bid { bids[key] = level } else { asks[key] = level }
            }
        }
        var checksum: Int32 {
            OKXChecksumTests.expected(bids: bids.keys.sorted(by: >).map { bids[$0]! }, asks: asks.keys.sorted().map { asks[$0]! })
        }
    }

    @Test("random updates on both sides, near and far from the touch: every checksum verifies against a plain reading", arguments: 1...6)
    func randomUpdates(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        var model = ModelBook()
        func levels(bid: Bool, count: Int) -> [Level] {
            (0..<count).map { _ in
                // Prices on a 0.5 grid, bids below 30,000 and asks above, written with one or two decimals.
                let steps = Int(random.next() % 400)
                let value = bid ? 29_999.5 - Double(steps) / 2 : 30_000.5 + Double(steps) / 2
                let price = random.next() % 2 == 0 ? String(format: "%.1f", value) : String(format: "%.2f", value)
                // Remove a level a third of the time (the price as the book holds it, so it is found).
                if random.next() % 3 == 0 {
                    let held = bid ? model.bids[value]?.price : model.asks[value]?.price
                    return (held ?? price, "0")
                }
                let existing = bid ? model.bids[value]?.price : model.asks[value]?.price
                return (existing ?? price, "\(1 + random.next() % 500)")
            }
        }
        let bids = levels(bid: true, count: 300)
        let asks = levels(bid: false, count: 300)
        model.apply(bids.filter { $0.size != "0" }, bid: true)
        model.apply(asks.filter { $0.size != "0" }, bid: false)
        var frames = [Self.frame("snapshot", bids: bids.filter { $0.size != "0" }, asks: asks.filter { $0.size != "0" }, checksum: model.checksum)]
        for _ in 0..<200 {
            let bidChanges = levels(bid: true, count: Int(random.next() % 6))
            let askChanges = levels(bid: false, count: Int(random.next() % 6))
            model.apply(bidChanges, bid: true)
            model.apply(askChanges, bid: false)
            frames.append(Self.frame("update", bids: bidChanges, asks: askChanges, checksum: model.checksum))
        }
        let (decoder, _) = Self.run(frames)
        #expect(decoder.checksumsVerified == frames.count && decoder.checksumMismatches == 0, "seed \(seed)")
    }

    @Test("a side past the levels kept: the deepest go, the top 25 still verify")
    func pastTheKeptLevels() {
        let kept = OKXChecksumBook.keptLevels
        var bids: [Level] = (0..<(kept + 200)).map { ("\(50_000 - $0)", "1") }
        let asks: [Level] = [("50001", "2")]
        let snapshot = Self.frame("snapshot", bids: bids, asks: asks, checksum: Self.expected(bids: bids, asks: asks))
        // A level deeper than all kept is dropped; one near the top replaces the deepest.
        bids.append(("10", "3"))
        let deep = Self.frame("update", bids: [("10", "3")], asks: [], checksum: Self.expected(bids: bids, asks: asks))
        bids.insert(("50000.5", "4"), at: 0)
        let top = Self.frame("update", bids: [("50000.5", "4")], asks: [], checksum: Self.expected(bids: bids, asks: asks))
        let (decoder, _) = Self.run([snapshot, deep, top])
        #expect(decoder.checksumsVerified == 3 && decoder.checksumMismatches == 0)
        #expect(decoder.books["okx:BTC-USD-SWAP"]?.bids.count == kept)
    }
}
