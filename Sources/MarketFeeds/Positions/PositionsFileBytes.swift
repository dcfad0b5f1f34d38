import Foundation
import RiskEngine

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
        /// A FIFO that ended before any byte: no process writes to it.
        case noWriter
        /// A pipe that sent nothing for this many seconds.
        case silent(seconds: Int)

        var reason: String {
            switch self {
            case .missing: "no such file"
            case .directory: "is a directory, not a positions file"
            case .device: "is a device, not a positions file"
            case .unreadable(let why): "cannot read the file (\(why))"
            case .tooLarge(let limit): "is larger than \(limit >> 20) MiB (about \(limit / 50 / 1_000_000) million rows): is it the right file?"
            case .noWriter: "is a pipe or FIFO that ended with nothing in it (no process writes to it: start its writer first, or give a file)"
            case .silent(let seconds): "is a pipe that sent nothing for \(seconds) s: is its writer stuck?"
            }
        }
    }

    /// How long a pipe may send nothing before the read gives up (an export script querying an
    /// exchange may pause; one that never writes must not hold the start for ever), and after how
    /// long the wait is said on standard error.
    static let silenceLimitSeconds = 60
    static let waitNoticeSeconds = 2

    /// `waiting`: told once when a pipe has kept the read waiting `waitNoticeSeconds`.
    static func read(_ path: String, limit: Int, silence: Int = silenceLimitSeconds, noticeAfter: Int = waitNoticeSeconds,
                     waiting: (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }) -> Result<Data, Problem> {
        // Opened without blocking: a FIFO no process writes to held the start for ever at the
        // open, the dashboard a blank screen (attacker trial), as a config's did once.
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
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
        let isFIFO = status.st_mode & S_IFMT == S_IFIFO
        var failure: Problem? = nil
        var told = false
        var writerSeen = false
        let started = DispatchTime.now().uptimeNanoseconds
        /// Waits for the pipe to have bytes (or end): the notice once the wait is noticeable, then
        /// at most `silence` seconds. False when it timed out or failed (`failure` says which).
        func wait(timeout: Problem) -> Bool {
            while true {
                var ready = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
                let answered: Int32
                if !told {
                    // Said once the wait is noticeable: a blank start said nothing of what it waited for.
                    let waited = Int((DispatchTime.now().uptimeNanoseconds - started) / 1_000_000)
                    answered = poll(&ready, 1, Int32(max(0, noticeAfter * 1000 - waited)))
                    if answered == 0 {
                        told = true
                        waiting("liqwatch: \(SafeText.escaped(path)): waiting for the positions its writer sends (at most \(silence) s of silence)\n")
                        continue
                    }
                } else {
                    // The silence counts from the start of the wait, the notice's part included.
                    answered = poll(&ready, 1, Int32(max(1, silence - noticeAfter) * 1000))
                    if answered == 0 {
                        // No writer yet when the wait began, but one that opened the FIFO since and
                        // sends nothing is a silent one, not none (review).
                        var probe: UInt8 = 0
                        let count = Foundation.read(descriptor, &probe, 1)
                        failure = timeout == .noWriter && count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) ? .silent(seconds: silence) : timeout
                        return false
                    }
                }
                if answered < 0 {
                    if errno == EINTR { continue }
                    failure = .unreadable(String(cString: strerror(errno)))
                    return false
                }
                return true
            }
        }
        /// One read, retried when a signal interrupts it, waiting while the pipe is empty; nil on
        /// an error (`failure` says which). A FIFO no process has opened for writing yet reads as
        /// ended: its writer is waited for as its bytes are (a writer started beside liqwatch may
        /// open it a moment later), and one that came and went without writing ends it.
        func readOnce(into start: UnsafeMutableRawPointer, _ room: Int, first: Bool) -> Int? {
            while true {
                let count = Foundation.read(descriptor, start, room)
                if count > 0 { return count }
                if count == 0 {
                    guard isFIFO && first && !writerSeen else { return 0 }
                    guard wait(timeout: .noWriter) else { return nil }
                    var probe = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
                    _ = poll(&probe, 1, 0)
                    // Hung up with nothing to read: the writer came and went.
                    if probe.revents & Int16(POLLIN) == 0 { writerSeen = true }
                    continue
                }
                if errno == EINTR { continue }
                guard errno == EAGAIN || errno == EWOULDBLOCK else { failure = .unreadable(String(cString: strerror(errno))); return nil }
                // EAGAIN: a writer holds the pipe open.
                writerSeen = true
                guard wait(timeout: .silent(seconds: silence)) else { return nil }
            }
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(1 << 20)
        /// Reads up to a megabyte more at the array's end; false at the end of the input or on an error.
        func readMore() -> Bool {
            let start = bytes.count
            let room = 1 << 20
            bytes.append(contentsOf: repeatElement(0, count: room))
            let count = bytes.withUnsafeMutableBytes { readOnce(into: $0.baseAddress! + start, room, first: start == 0) } ?? 0
            bytes.removeLast(room - count)
            return count > 0
        }
        while failure == nil, bytes.count <= limit, readMore() {}
        if let failure { return .failure(failure) }
        // A FIFO no process has open for writing reads as ended at once: said, not read as a file
        // of nothing (its writer may only be late; a pipe of `<(...)` has one).
        if isFIFO && bytes.isEmpty { return .failure(.noWriter) }
        guard bytes.count <= limit else { return .failure(.tooLarge(limit: limit)) }
        return .success(Data(bytes))
    }
}
