import Testing
@testable import RiskEngine

@Suite("Decimal text: the scale applied at once")
struct DecimalScalingTests {
    /// The definition before it was sped up: a check against limit / 10 at every digit and step.
    static func reference(_ text: [UInt8], places: Int, limit: Int128) -> Int128? {
        var index = 0
        var negative = false
        if text.isEmpty { return nil }
        if text[0] == UInt8(ascii: "-") { negative = true; index = 1 } else if text[0] == UInt8(ascii: "+") { index = 1 }
        var value: Int128 = 0
        var digits = 0
        var fractionDigits = 0
        var seenPoint = false
        while index < text.count {
            let byte = text[index]
            index += 1
            if byte == UInt8(ascii: ".") {
                if seenPoint { return nil }
                seenPoint = true
                continue
            }
            let digit = byte &- UInt8(ascii: "0")
            if digit > 9 { return nil }
            digits += 1
            if seenPoint {
                if fractionDigits == places {
                    if digit != 0 { return nil }
                    continue
                }
                fractionDigits += 1
            }
            if value > limit / 10 { return nil }
            value = value * 10 + Int128(digit)
        }
        if digits == 0 { return nil }
        while fractionDigits < places {
            if value > limit / 10 { return nil }
            value *= 10
            fractionDigits += 1
        }
        if value > limit { return nil }
        return negative ? -value : value
    }

    @Test("random texts, places and limits parse as the digit-by-digit definition does, at and around every bound")
    func matchesReference() {
        var rng = SplitMix64(seed: 99)
        let alphabet = Array("0123456789.-+x".utf8)
        let limits: [Int128] = [0, 1, 9, 10, 99, 100, Int128(Int64.max), Int128(1) << 100, Int128(1) << 126, Int128.max / 3, Int128.max]
        for round in 0..<60_000 {
            let length = Int(rng.next() % 45)
            var text: [UInt8] = []
            for position in 0..<length {
                let pick = rng.next() % 100
                // Mostly digits, a point now and then, rarely a sign or junk.
                if pick < 85 { text.append(alphabet[Int(rng.next() % 10)]) }
                else if pick < 95 { text.append(UInt8(ascii: ".")) }
                else { text.append(alphabet[10 + Int(rng.next() % 4)]) }
                _ = position
            }
            let places = [0, 1, 2, 8, 18, 30, 38, 40][round % 8]
            let limit = limits[Int(rng.next() % UInt64(limits.count))]
            let fast = text.withUnsafeBufferPointer { buffer in
                DecimalText.scaledInteger(from: buffer.baseAddress ?? UnsafePointer(bitPattern: 1)!, count: buffer.count, places: places, limit: limit)
            }
            #expect(fast == Self.reference(text, places: places, limit: limit), "\(String(decoding: text, as: UTF8.self)) places \(places) limit \(limit)")
        }
    }
}
