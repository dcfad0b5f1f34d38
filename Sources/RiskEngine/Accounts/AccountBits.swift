/// One bit an account index, grown as accounts are made: a flag of every account without a field
/// of `Account`, which one more would take from 80 bytes to 96 (a million accounts).
struct AccountBits: Sendable {
    private var words: [UInt64] = []

    @inline(__always)
    func contains(_ account: Int32) -> Bool {
        let word = Int(account) >> 6
        return word < words.count && words[word] & (1 << UInt64(account & 63)) != 0
    }

    @inline(__always)
    mutating func insert(_ account: Int32) {
        let word = Int(account) >> 6
        if word >= words.count { words.append(contentsOf: repeatElement(0, count: word + 1 - words.count)) }
        words[word] |= 1 << UInt64(account & 63)
    }

    @inline(__always)
    mutating func remove(_ account: Int32) {
        let word = Int(account) >> 6
        if word < words.count { words[word] &= ~(1 << UInt64(account & 63)) }
    }
}
