#if canImport(Glibc)
import Glibc
#endif

/// Monotonic time and resident memory, read straight from the OS.
enum Stopwatch {
    static func now() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }

    /// Seconds taken by `body`.
    static func measure(_ body: () -> Void) -> Double {
        let start = now()
        body()
        return Double(now() - start) / 1e9
    }

    /// Resident set size in bytes (from /proc/self/statm).
    static func residentBytes() -> Int {
        let descriptor = open("/proc/self/statm", O_RDONLY)
        guard descriptor >= 0 else { return 0 }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 128)
        let count = read(descriptor, &buffer, buffer.count)
        guard count > 0 else { return 0 }
        let fields = String(decoding: buffer[0..<count], as: UTF8.self).split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}

/// Prints one figure a line as `name: value unit`.
func report(_ name: String, _ value: Double, _ unit: String, decimals: Int = 2) {
    var text = String(Int(value.rounded(.down)))
    if decimals > 0 {
        let scale = Double([1, 10, 100, 1000, 10000][min(decimals, 4)])
        let fraction = Int(((value - value.rounded(.down)) * scale).rounded())
        if fraction >= Int(scale) { text = String(Int(value.rounded(.down)) + 1) + "." + String(repeating: "0", count: decimals) }
        else { text += "." + String(repeating: "0", count: decimals - String(fraction).count) + String(fraction) }
    }
    print("\(name): \(text) \(unit)")
}

/// Keeps the optimiser from deleting work whose result nobody reads.
@inline(never) func blackHole<T>(_ value: T) { withExtendedLifetime(value) {} }
