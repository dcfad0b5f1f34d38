#if canImport(Glibc)
import Glibc
#endif

/// Transparent huge pages for the large tables a batch of positions fills (the engine's positions
/// and accounts, a positions file's rows). Each 4 KiB page of a fresh table faults on its first
/// write: a million positions took about 790,000 page faults, a sixth of placing them and a
/// quarter of parsing the file (perf, `liqwatch-bench positions-file`). Asked for with `madvise`,
/// where the kernel's setting is `madvise` (Debian's default), a 2 MiB page faults once. A hint
/// only: nothing changes where the kernel declines it, and memory is used as it is written.
public enum HugePages {
    static let size = 2 << 20

    /// Advises the whole 2 MiB pages inside `bytes` bytes from `start`.
    public static func advise(_ start: UnsafeMutableRawPointer, bytes: Int) {
        #if canImport(Glibc)
        let first = (Int(bitPattern: start) + size - 1) & ~(size - 1)
        let end = (Int(bitPattern: start) &+ bytes) & ~(size - 1)
        guard end - first >= size, let aligned = UnsafeMutableRawPointer(bitPattern: first) else { return }
        _ = madvise(aligned, end - first, MADV_HUGEPAGE)
        #endif
    }
}

extension Array {
    /// Advises huge pages for the array's storage, its reserved capacity included, where that is
    /// at least 4 MiB (smaller tables gain nothing a fault costs). Call it right after
    /// `reserveCapacity`, on an array of its own: a shared one's storage would be copied first,
    /// to its count alone, and the capacity read before would overrun it.
    public mutating func adviseHugePages() {
        let bytes = capacity * MemoryLayout<Element>.stride
        guard bytes >= 2 * HugePages.size else { return }
        withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            HugePages.advise(UnsafeMutableRawPointer(base), bytes: bytes)
        }
    }
}
