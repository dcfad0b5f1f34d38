import CPrefetch

/// The engine's accounts by id, settlement asset and venue: an open-addressing table of 8-byte slots,
/// each the top 32 bits of the key's hash and the account's index.
///
/// A `[AccountKey: Int32]` dictionary hashed two strings with SipHash and kept 32-byte keys beside
/// the values: placing a million positions spent a third of its time there. Here a lookup hashes
/// the names with `NameHash`, reads one slot (usually the only cache miss) and compares the names
/// only when the stored hash bits match. The table grows from the stored bits alone, without
/// hashing a name again.
struct AccountTable: Sendable {
    /// 0 for an empty slot, else `hash bits << 32 | (index + 1)`.
    private var slots: [UInt64] = []
    private(set) var count = 0
    /// log2 of the slot count (0 while empty).
    private var bits = 0

    /// Slots of its own, no longer shared with the table it was copied from (`Engine.separateStorage`).
    mutating func separateStorage() {
        slots.withUnsafeMutableBufferPointer { _ in }
    }

    /// What an account's hash starts from: its settlement asset and venue, the same for every
    /// account of a market (so a batch of one market's positions computes it once).
    static func seed(asset: String, venue: String) -> UInt64 {
        NameHash.hash(venue, seed: NameHash.hash(asset))
    }

    static func hash(id: String, seed: UInt64) -> UInt64 { NameHash.hash(id, seed: seed) }

    static func hash(id: String, asset: String, venue: String) -> UInt64 { hash(id: id, seed: seed(asset: asset, venue: venue)) }

    /// The index of the account with this id, asset and venue (whose `hash(id:asset:venue:)` is `hash`).
    func find(id: String, asset: String, venue: String, hash: UInt64, in accounts: [Account]) -> Int32? {
        guard bits > 0 else { return nil }
        let fingerprint = hash >> 32
        let mask = (1 << bits) - 1
        var slot = Int(truncatingIfNeeded: fingerprint) >> (32 - bits)
        return slots.withUnsafeBufferPointer { slots -> Int32? in
            while true {
                let entry = slots[slot]
                if entry == 0 { return nil }
                if entry >> 32 == fingerprint {
                    let index = Int(entry & 0xFFFF_FFFF) - 1
                    if accounts[index].id == id && accounts[index].asset == asset && accounts[index].venue == venue { return Int32(index) }
                }
                slot = (slot + 1) & mask
            }
        }
    }

    /// Starts loading the slot a key's lookup begins at, without waiting for it, so that the
    /// lookup a few positions later finds it in the cache.
    func prefetch(hash: UInt64) {
        guard bits > 0 else { return }
        let slot = Int(truncatingIfNeeded: hash >> 32) >> (32 - bits)
        slots.withUnsafeBufferPointer { slots in liqwatch_prefetch(slots.baseAddress! + slot) }
    }

    /// Records a new account (not in the table) at `index`.
    mutating func insert(hash: UInt64, index: Int32) {
        reserveCapacity(count + 1)
        place((hash >> 32) << 32 | UInt64(UInt32(index) + 1))
        count += 1
    }

    /// Sizes the table for `total` accounts at most half full, so a batch does not grow it again.
    mutating func reserveCapacity(_ total: Int) {
        if total * 2 > (bits == 0 ? 0 : 1 << bits) { grow(toHold: total) }
    }

    private mutating func place(_ entry: UInt64) {
        let mask = (1 << bits) - 1
        var slot = Int(truncatingIfNeeded: entry >> 32) >> (32 - bits)
        slots.withUnsafeMutableBufferPointer { slots in
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = entry
        }
    }

    private mutating func grow(toHold total: Int) {
        var newBits = max(4, bits)
        while (1 << newBits) < total * 2 { newBits += 1 }
        // 32 hash bits choose the slot: beyond 2^31 slots (a billion accounts) nothing fits anyway.
        newBits = min(newBits, 31)
        let old = slots
        bits = newBits
        slots = [UInt64](repeating: 0, count: 1 << newBits)
        for entry in old where entry != 0 { place(entry) }
    }
}
