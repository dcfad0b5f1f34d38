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

        /// What is wrong, to follow the file's name.
        public var reason: String {
            switch self {
            case .missing: return "no such file"
            case .directory: return "is a directory"
            case .unreadable: return "cannot be read"
            case .tooLarge(let limit): return "is larger than \(limit >> 20) MiB (is it the right file?)"
            }
        }
    }

    public static func contents(of path: String, limit: Int) -> Result<Data, Failure> {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return .failure(.missing) }
        guard !isDirectory.boolValue else { return .failure(.directory) }
        guard let handle = FileHandle(forReadingAtPath: path) else { return .failure(.unreadable) }
        defer { try? handle.close() }
        var data = Data()
        while data.count <= limit {
            let chunk: Data?
            do { chunk = try handle.read(upToCount: min(1 << 16, limit + 1 - data.count)) } catch { return .failure(.unreadable) }
            guard let chunk, !chunk.isEmpty else { break }
            data.append(chunk)
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
