import Foundation

/// Reads a small file named by the operator (a config, a theme, an instruments file) up to a
/// limit: `--config /dev/zero` or a theme path that is a device was read until memory ran out.
/// Through a handle, so a pipe (`<(...)`) and `/dev/null` are read like files.
public enum BoundedRead {
    public enum Failure: Error, Equatable {
        case missing
        case directory
        case unreadable
        case tooLarge(limit: Int)
        /// A pipe or FIFO that ended before any byte (no process writes to it).
        case noWriter
        /// A pipe or device not read whole within this long.
        case silent(seconds: Int)

        /// What is wrong, to follow the file's name.
        public var reason: String {
            switch self {
            case .missing: return "no such file"
            case .directory: return "is a directory"
            case .unreadable: return "cannot be read"
            case .tooLarge(let limit): return "is larger than \(limit >> 20) MiB (is it the right file?)"
            case .noWriter: return "is a pipe or FIFO that ended with nothing in it (no process writes to it: start its writer first, or give a file)"
            case .silent(let seconds): return "was not read whole within \(seconds) s (a pipe or a device, not a file)"
            }
        }
    }

    /// How long a pipe or a device may keep the reader waiting for its next bytes.
    public static let silenceLimitSeconds: Int32 = 10

    public static func contents(of path: String, limit: Int) -> Result<Data, Failure> {
        // Opened without blocking: a FIFO with no writer held the start for ever at the open,
        // with nothing said (`--config`, `--instruments`, config.toml itself: attacker trial).
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { return .failure(errno == ENOENT ? .missing : errno == EISDIR ? .directory : .unreadable) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { return .failure(.unreadable) }
        let kind = status.st_mode & S_IFMT
        guard kind != S_IFDIR else { return .failure(.directory) }
        var data = Data()
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        // An allowance for the whole read as well as for each wait: a writer sending a byte every
        // nine seconds kept a config read going for months (review). Ten seconds and a second for
        // every 64 KiB the limit allows: a slow but steady download of a large instruments file
        // still arrives (review).
        let allowance = UInt64(silenceLimitSeconds) + UInt64(max(0, limit) / 65_536)
        let deadline = DispatchTime.now().uptimeNanoseconds + allowance * 1_000_000_000
        while data.count <= limit {
            let count = read(descriptor, &chunk, min(chunk.count, limit + 1 - data.count))
            if count > 0 { data.append(contentsOf: chunk[0..<count]); continue }
            if count == 0 {
                // A FIFO no process has open for writing reads as ended at once: said, not read
                // as an empty file (its writer may only be late; a pipe of `<(...)` has one).
                if kind == S_IFIFO && data.isEmpty { return .failure(.noWriter) }
                break
            }
            if errno == EINTR { continue }
            guard errno == EAGAIN || errno == EWOULDBLOCK else { return .failure(.unreadable) }
            // A pipe whose writer is still writing, or a terminal: waited on, not for ever.
            let now = DispatchTime.now().uptimeNanoseconds
            guard now < deadline else { return .failure(.silent(seconds: Int(allowance))) }
            var ready = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let answered = poll(&ready, 1, Int32(min(UInt64(silenceLimitSeconds) * 1000, (deadline - now) / 1_000_000 + 1)))
            if answered == 0 { return .failure(.silent(seconds: Int(now < deadline ? silenceLimitSeconds : Int32(allowance)))) }
            if answered < 0 && errno != EINTR { return .failure(.unreadable) }
        }
        return data.count > limit ? .failure(.tooLarge(limit: limit)) : .success(data)
    }

    /// Whether `path` (its symbolic links followed) is a regular file: a theme named as a device
    /// (`/dev/zero`) passed `config --check` and was refused when the dashboard started, and a FIFO
    /// with no writer kept it waiting before it started (attacker trial).
    ///
    /// Asked of what the kernel opens (without blocking, so a FIFO answers at once), not of the
    /// path as text: `sub/../x.theme` through a linked folder resolved to another file than the
    /// one opened, a FIFO, and the start hung (attacker trial).
    public static func isRegularFile(_ path: String) -> Bool {
        let descriptor = open(path, O_RDONLY | O_NONBLOCK)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { return false }
        return status.st_mode & S_IFMT == S_IFREG
    }

    /// Whether `path` is a file that can be read (not a directory): what a setting naming a file
    /// is checked for before the session needs it.
    public static func isReadableFile(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
            && FileManager.default.isReadableFile(atPath: path)
    }
}
