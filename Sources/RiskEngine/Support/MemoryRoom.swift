import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The memory a process may still take, for choosing how many copies of a large engine to work on
/// at once: the physical memory available, or the room left under the address-space limit
/// (`ulimit -v`) when that is smaller. Nil when neither can be read.
enum MemoryRoom {
    static func available() -> UInt64? {
        var room: UInt64? = nil
        #if canImport(Glibc)
        let pages = sysconf(Int32(_SC_AVPHYS_PAGES)), size = sysconf(Int32(_SC_PAGESIZE))
        if pages > 0 && size > 0 { room = UInt64(pages) * UInt64(size) }
        var limit = rlimit()
        if getrlimit(__rlimit_resource_t(RLIMIT_AS.rawValue), &limit) == 0 && limit.rlim_cur != rlim_t.max {
            let used = virtualSize() ?? 0
            let left = UInt64(limit.rlim_cur) > used ? UInt64(limit.rlim_cur) - used : 0
            room = Swift.min(room ?? left, left)
        }
        #endif
        return room
    }

    /// The process's address space in bytes (`/proc/self/statm`'s first field, in pages).
    static func virtualSize() -> UInt64? {
        #if canImport(Glibc)
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
              let first = text.split(separator: " ").first, let pages = UInt64(first) else { return nil }
        let size = sysconf(Int32(_SC_PAGESIZE))
        return size > 0 ? pages * UInt64(size) : nil
        #else
        return nil
        #endif
    }
}
