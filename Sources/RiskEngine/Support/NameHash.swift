/// A fast 64-bit hash of a name's UTF-8 bytes, eight bytes at a time, seeded once per process.
///
/// For the tables keyed by names a million times over (accounts): the standard `Hasher` (SipHash)
/// costs more than the rest of a lookup there. The seed is random, so a feed or a file cannot
/// choose names that collide; the tables compare the names themselves on a match, so a collision
/// only ever costs a comparison.
public enum NameHash {
    /// Random for each process: nothing the engine computes depends on a hash's value, only on
    /// which names are equal.
    static let seed: UInt64 = UInt64.random(in: 1...UInt64.max)

    public static func hash(_ name: String) -> UInt64 {
        hash(name, seed: seed)
    }

    public static func hash(_ name: String, seed: UInt64) -> UInt64 {
        var name = name
        return name.withUTF8 { bytes -> UInt64 in
            var state = seed ^ (UInt64(bytes.count) &* 0x9E37_79B9_7F4A_7C15)
            guard let base = bytes.baseAddress else { return mix(state) }
            let raw = UnsafeRawPointer(base)
            var offset = 0
            while offset + 8 <= bytes.count {
                state = mix(state ^ raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
                offset += 8
            }
            if offset < bytes.count {
                var tail: UInt64 = 0
                for index in offset..<bytes.count { tail |= UInt64(bytes[index]) << UInt64(8 * (index - offset)) }
                state = mix(state ^ tail)
            }
            return mix(state)
        }
    }

    /// MurmurHash3's finaliser: every input bit moves about half of the output bits.
    @inline(__always)
    public static func mix(_ value: UInt64) -> UInt64 {
        var x = value
        x ^= x >> 33
        x &*= 0xFF51_AFD7_ED55_8CCD
        x ^= x >> 33
        x &*= 0xC4CE_B9FE_1A85_EC53
        x ^= x >> 33
        return x
    }
}
