import Foundation

/// Reads a positions file whole, up to a limit: a regular file, or a pipe (`--positions
/// <(export-positions)`, a FIFO), which `FileManager` could not read ("cannot read the file"). A
/// device (`/dev/zero`) is refused at once, not read until memory runs out, and so is anything
/// past the limit: a gigabyte is about twenty million rows, whose positions would need four
/// times that.
enum PositionsFileBytes {
    static let limit = 1 << 30

    enum Problem: Error, Equatable {
        case missing
        case directory
        case device
        case unreadable(String)
        case tooLarge(limit: Int)

        var reason: String {
            switch self {
            case .missing: "no such file"
            case .directory: "is a directory, not a positions file"
            case .device: "is a device, not a positions file"
            case .unreadable(let why): "cannot read the file (\(why))"
            case .tooLarge(let limit): "is larger than \(limit >> 20) MiB (about \(limit / 50 / 1_000_000) million rows): is it the right file?"
            }
        }
    }

    static func read(_ path: String, limit: Int) -> Result<Data, Problem> {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            let error = errno
            return .failure(error == ENOENT ? .missing : error == EISDIR ? .directory : .unreadable(String(cString: strerror(error))))
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { return .failure(.unreadable(String(cString: strerror(errno)))) }
        switch status.st_mode & S_IFMT {
        case S_IFDIR: return .failure(.directory)
        case S_IFCHR, S_IFBLK: return .failure(.device)
        case S_IFREG:
            guard Int(status.st_size) <= limit else { return .failure(.tooLarge(limit: limit)) }
            // Foundation's reading of a regular file (one read of its size: a loop of reads into an
            // array of that room measured 8 % slower over loading a million rows).
            guard let data = FileManager.default.contents(atPath: path) else { return .failure(.unreadable("read failed")) }
            guard data.count <= limit else { return .failure(.tooLarge(limit: limit)) }
            return .success(data)
        default: break
        }
        // A pipe is read a megabyte at a time until it ends.
        var failure: Problem? = nil
        /// One read, retried when a signal interrupts it; nil on an error (`failure` says which).
        func readOnce(into start: UnsafeMutableRawPointer, _ room: Int) -> Int? {
            while true {
                let count = Foundation.read(descriptor, start, room)
                if count >= 0 { return count }
                if errno != EINTR { failure = .unreadable(String(cString: strerror(errno))); return nil }
            }
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(1 << 20)
        /// Reads up to a megabyte more at the array's end; false at the end of the input or on an error.
        func readMore() -> Bool {
            let start = bytes.count
            let room = 1 << 20
            bytes.append(contentsOf: repeatElement(0, count: room))
            let count = bytes.withUnsafeMutableBytes { readOnce(into: $0.baseAddress! + start, room) } ?? 0
            bytes.removeLast(room - count)
            return count > 0
        }
        while failure == nil, bytes.count <= limit, readMore() {}
        if let failure { return .failure(failure) }
        guard bytes.count <= limit else { return .failure(.tooLarge(limit: limit)) }
        return .success(Data(bytes))
    }
}
