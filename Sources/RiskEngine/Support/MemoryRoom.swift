import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The memory a process may still take, for choosing how many copies of a large engine to work on
/// at once: the smallest of the memory the system has available (`MemAvailable`, which counts the
/// page cache it can give back; free pages alone read small after a large file was read), the room
/// left under the container's limit (cgroup v2 `memory.max` less `memory.current`: a 4 GB
/// container on a 64 GB host read 60 GB free), and the room left under the address-space limit
/// (`ulimit -v`). Nil when none can be read (not Linux).
public enum MemoryRoom {
    public static func available() -> UInt64? {
        var room: UInt64? = nil
        func take(_ value: UInt64?) {
            guard let value else { return }
            room = Swift.min(room ?? value, value)
        }
        take(meminfoAvailable())
        take(cgroupRoom())
        #if canImport(Glibc)
        var limit = rlimit()
        if getrlimit(__rlimit_resource_t(RLIMIT_AS.rawValue), &limit) == 0 && limit.rlim_cur != rlim_t.max {
            let used = virtualSize() ?? 0
            take(UInt64(limit.rlim_cur) > used ? UInt64(limit.rlim_cur) - used : 0)
        }
        #endif
        return room
    }

    /// `MemAvailable` of /proc/meminfo, in bytes.
    static func meminfoAvailable() -> UInt64? {
        guard let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("MemAvailable:") {
            let fields = line.split(separator: " ")
            guard fields.count >= 2, let kilobytes = UInt64(fields[1]) else { return nil }
            return kilobytes.multipliedReportingOverflow(by: 1024).overflow ? nil : kilobytes * 1024
        }
        return nil
    }

    /// The room under this process's cgroup v2 memory limit, when it has one.
    static func cgroupRoom() -> UInt64? {
        guard let own = try? String(contentsOfFile: "/proc/self/cgroup", encoding: .utf8),
              let line = own.split(separator: "\n").first(where: { $0.hasPrefix("0::") }) else { return nil }
        let directory = "/sys/fs/cgroup" + String(line.dropFirst(3))
        func read(_ name: String) -> UInt64? {
            guard let text = try? String(contentsOfFile: directory + "/" + name, encoding: .utf8) else { return nil }
            return UInt64(text.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        guard let limit = read("memory.max") else { return nil }  // "max": no limit
        let current = read("memory.current") ?? 0
        return limit > current ? limit - current : 0
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
