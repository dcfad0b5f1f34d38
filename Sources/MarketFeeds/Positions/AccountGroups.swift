import RiskEngine

/// The rows of a positions file grouped by account: each account's rows next to each other, in
/// file order. The checks that look at an account's rows together (one position a symbol and
/// position side, one wallet an asset) then read a handful of rows each, instead of hashing every
/// row's account and symbol into tables of a million strings, whose every lookup is a cache miss
/// (at a million rows those tables cost more than reading and parsing the file).
///
/// The grouping hashes each account name once (seeded per process, so a file cannot be made to
/// collide on purpose), sorts the hashes with the row number in the low bits by radix, and splits
/// a run of equal hashes by the names themselves, so a collision only costs a comparison.
struct AccountGroups {
    /// Row numbers, an account's rows adjacent and ascending.
    private(set) var order: [Int32] = []
    /// Where each account's rows start in `order`, and `order.count` last.
    private(set) var starts: [Int32] = []

    init(accounts: [String]) {
        let count = accounts.count
        guard count > 0 else { starts = [0]; return }
        let rowBits = max(1, Int.bitWidth - (count - 1).leadingZeroBitCount)
        let rowMask = UInt64(1) << UInt64(rowBits) - 1
        var keys = [UInt64](unsafeUninitializedCapacity: count) { buffer, initialized in
            for row in 0..<count {
                buffer[row] = (NameHash.hash(accounts[row]) & ~rowMask) | UInt64(row)
            }
            initialized = count
        }
        // Rows were numbered in order and the sort is stable, so sorting on the hash bits alone
        // keeps each run of equal hashes in file order.
        RadixSort.sort(&keys, fromBit: rowBits)
        order.reserveCapacity(count)
        starts.reserveCapacity(count + 1)
        var runStart = 0
        while runStart < count {
            var runEnd = runStart + 1
            let hash = keys[runStart] & ~rowMask
            while runEnd < count && keys[runEnd] & ~rowMask == hash { runEnd += 1 }
            if runEnd - runStart == 1 {
                starts.append(Int32(order.count))
                order.append(Int32(truncatingIfNeeded: keys[runStart] & rowMask))
            } else {
                appendSplitByName(keys[runStart..<runEnd].map { Int32(truncatingIfNeeded: $0 & rowMask) }, accounts: accounts)
            }
            runStart = runEnd
        }
        starts.append(Int32(order.count))
    }

    /// A run of rows whose hashes are equal: one group a name, each in file order, the groups in
    /// the order of their first row.
    private mutating func appendSplitByName(_ rows: [Int32], accounts: [String]) {
        var groups: [String: [Int32]] = [:]
        var names: [String] = []
        for row in rows {
            let name = accounts[Int(row)]
            if groups[name] == nil { names.append(name) }
            groups[name, default: []].append(row)
        }
        for name in names {
            starts.append(Int32(order.count))
            order.append(contentsOf: groups[name] ?? [])
        }
    }

    var groupCount: Int { starts.count - 1 }

    /// The rows of group `group`, in file order.
    func rows(of group: Int) -> ArraySlice<Int32> { order[Int(starts[group])..<Int(starts[group + 1])] }
}

/// A stable least-significant-digit radix sort of 64-bit keys, eleven bits a pass: at a million
/// keys a few passes over memory in order, where a comparison sort makes twenty.
enum RadixSort {
    static func sort(_ keys: inout [UInt64], fromBit lowBit: Int) {
        let count = keys.count
        guard count > 1 else { return }
        let digitBits = 11
        let buckets = 1 << digitBits
        var scratch = [UInt64](repeating: 0, count: count)
        var counts = [Int](repeating: 0, count: buckets)
        var shift = lowBit
        var sourceIsKeys = true
        while shift < 64 {
            let digitShift = UInt64(shift)
            let mask = UInt64(buckets - 1)
            for index in 0..<buckets { counts[index] = 0 }
            func pass(_ source: UnsafeMutableBufferPointer<UInt64>, _ target: UnsafeMutableBufferPointer<UInt64>) {
                counts.withUnsafeMutableBufferPointer { counts in
                    for key in source { counts[Int((key >> digitShift) & mask)] += 1 }
                    var total = 0
                    for index in 0..<buckets {
                        let bucket = counts[index]
                        counts[index] = total
                        total += bucket
                    }
                    for key in source {
                        let digit = Int((key >> digitShift) & mask)
                        target[counts[digit]] = key
                        counts[digit] += 1
                    }
                }
            }
            keys.withUnsafeMutableBufferPointer { keys in
                scratch.withUnsafeMutableBufferPointer { scratch in
                    if sourceIsKeys { pass(keys, scratch) } else { pass(scratch, keys) }
                }
            }
            sourceIsKeys.toggle()
            shift += digitBits
        }
        if !sourceIsKeys { keys = scratch }
    }
}
