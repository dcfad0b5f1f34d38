#if canImport(Glibc)
import Glibc
#endif

/// Writes live frames in the replay format, `<receive time ns> <frame>` a line, so `liqwatch replay`
/// shows the same session. Each line goes to the file in one write(2) as it is applied: a kill -9
/// loses at most a line being written, and what is on disk always replays. Rotation by size or age
/// starts `FILE.1`, `FILE.2`, ...
public final class LiveRecorder {
    public struct Rotation: Sendable, Equatable {
        public var maxBytes: Int?
        public var maxSeconds: Double?
        public init(maxBytes: Int? = nil, maxSeconds: Double? = nil) {
            self.maxBytes = maxBytes
            self.maxSeconds = maxSeconds
        }
    }

    public let basePath: String
    public let rotation: Rotation
    public private(set) var currentPath: String
    public private(set) var segment = 0
    public private(set) var linesWritten = 0
    private var descriptor: Int32
    private var bytesInSegment = 0
    private var segmentOpenedWall: Int64
    private var line: [UInt8] = []

    public init(path: String, rotation: Rotation = Rotation()) throws(InputError) {
        basePath = path
        self.rotation = rotation
        currentPath = path
        descriptor = try LiveRecorder.open(path)
        segmentOpenedWall = LiveClock.wallNanoseconds()
    }

    deinit { close(descriptor) }

    /// A new file only: a recording never writes over one (it truncated whatever was there: the
    /// events file it was replaying, the operator's positions file, the recording of the session
    /// before a restart, and a rotated run's first segment while the old `.1`, `.2` stayed beside
    /// it: attacker trial).
    static func open(_ path: String) throws(InputError) -> Int32 {
        // A device or a FIFO (a compressor reading the recording, /dev/full in a test) is written
        // to as it is; only a file is never written over.
        var status = stat()
        let kind = fstatat(AT_FDCWD, path, &status, 0) == 0 ? status.st_mode & S_IFMT : 0
        let special = kind == S_IFCHR || kind == S_IFIFO
        // Without blocking: a FIFO that no process reads held the start for ever, `--duration`
        // and all (attacker trial); it fails at once (ENXIO) and is said so. Writes block as
        // before (a compressor that falls behind holds the recording, it loses no line).
        let descriptor = special ? Glibc.open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC) : Glibc.open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            if errno == EEXIST { throw .unwritable(path: path, reason: LiveRecorder.existsReason) }
            if errno == ENXIO && kind == S_IFIFO { throw .unwritable(path: path, reason: "a FIFO that no process is reading (start its reader first)") }
            throw .unwritable(path: path, reason: String(cString: strerror(errno)))
        }
        // A recording is the feed's raw bytes: to a terminal they are escape sequences from
        // outside, drawn over the dashboard (`--record /dev/tty`: attacker trial).
        if isatty(descriptor) != 0 {
            close(descriptor)
            throw .unwritable(path: path, reason: "it is a terminal: a recording holds the feeds' raw bytes, never written to a screen (record to a file, or a pipe: --record >(zstd > s.zst))")
        }
        if special { _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) & ~O_NONBLOCK) }
        return descriptor
    }

    static let existsReason = "it exists already, and a recording never writes over a file: move it away or record to another name"

    /// The files a recording to `path` may write, any of which exists already as a file (a
    /// device or a FIFO is written to as it is): `path`, its `.events`, and their rotated
    /// segments `.1`, `.2`, ... (checked before a session starts, so a rotation never meets an
    /// old segment half way through a shift).
    public static func existingFiles(basePath path: String) -> [String] {
        var found: [String] = []
        func isFile(_ name: String) -> Bool {
            var status = stat()
            guard lstat(name, &status) == 0 else { return false }
            if (status.st_mode & S_IFMT) == S_IFREG { return true }
            guard (status.st_mode & S_IFMT) == S_IFLNK else { return false }
            // A link is what it leads to (`/dev/stdout`, `/dev/fd/63` of `>(zstd > r.zst)` lead
            // to pipes: review); one that leads nowhere would be written through: a file.
            var target = stat()
            guard fstatat(AT_FDCWD, name, &target, 0) == 0 else { return true }
            return (target.st_mode & S_IFMT) == S_IFREG
        }
        for base in [path, path + ".events"] where isFile(base) { found.append(base) }
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[..<$0]) }.map { $0.isEmpty ? "/" : $0 } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        guard let listing = opendir(directory) else { return found }
        defer { closedir(listing) }
        while let entry = readdir(listing) {
            let entryName = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            for prefix in [name + ".", name + ".events."] where entryName.hasPrefix(prefix) {
                let suffix = entryName.dropFirst(prefix.count)
                let named = directory == "." && slash == nil ? entryName : directory + (directory.hasSuffix("/") ? "" : "/") + entryName
                if !suffix.isEmpty && suffix.allSatisfy({ $0.isASCII && $0.isNumber }) && isFile(named) { found.append(named) }
            }
        }
        return found
    }

    /// The recorded line of a frame: `<receive time ns> <frame>`. A frame is one line, so a newline
    /// inside its JSON (whitespace there) becomes a space. A live session decodes this very line.
    public static func line(receiveTime: Int64, frame: some Sequence<UInt8>, into line: inout [UInt8]) {
        line.removeAll(keepingCapacity: true)
        line.append(contentsOf: String(receiveTime).utf8)
        line.append(0x20)
        let start = line.count
        // Copied whole (one memcpy for an array), then its line breaks turned to spaces where there
        // are any: a byte-by-byte append checked the capacity at every byte of every frame.
        line.append(contentsOf: frame)
        line.withUnsafeMutableBufferPointer { bytes in
            for index in start..<bytes.count where bytes[index] == 0x0A || bytes[index] == 0x0D { bytes[index] = 0x20 }
        }
    }

    /// A REST depth snapshot's body, naming the symbol it was asked for (`,"s":"BTCUSDT"` before
    /// its closing brace). Binance's body names none, and a replay placed it by the update ids of
    /// the streams waiting for one: Binance's ids are one sequence across symbols, so in a
    /// recording of several symbols a snapshot's id fell inside two to four streams' events, and a
    /// market took another's book (attacker trial). The live session decodes this same body, so
    /// it and the replay of its recording place the snapshot alike. A body that is not an object
    /// is left as it came (it is malformed either way).
    public static func naming(_ symbol: String, inSnapshot body: [UInt8]) -> [UInt8] {
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }
        guard let first = body.firstIndex(where: { !isSpace($0) }), body[first] == UInt8(ascii: "{"),
              let last = body.lastIndex(where: { !isSpace($0) }), last > first, body[last] == UInt8(ascii: "}"),
              !symbol.isEmpty, symbol.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") })
        else { return body }
        let isEmpty = body[first + 1..<last].allSatisfy(isSpace)
        var named = Array(body[..<last])
        named.append(contentsOf: ((isEmpty ? "" : ",") + "\"s\":\"" + symbol + "\"").utf8)
        named.append(contentsOf: body[last...])
        return named
    }

    /// Appends a line built by `line(receiveTime:frame:into:)` (without its newline). Returns true
    /// when this line started a new segment (the caller asks for fresh snapshots, so every segment
    /// replays on its own).
    @discardableResult
    public func write(line recorded: [UInt8]) throws(InputError) -> Bool {
        let rotated = try rotateIfDue()
        // The newline goes in the same write(2) as the line.
        line.removeAll(keepingCapacity: true)
        line.append(contentsOf: recorded)
        line.append(0x0A)
        var offset = 0
        while offset < line.count {
            let written = line.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                let failure = errno
                // Part of the line written and no more (a full disk, a file-size limit): taken
                // back where it is the file's end, so the recording replays whole (it ended
                // mid-line, a malformed last line: attacker trial).
                if offset > 0 { PartialLine.takeBack(offset, from: descriptor) }
                throw .unwritable(path: currentPath, reason: String(cString: strerror(failure)))
            }
            offset += written
        }
        bytesInSegment += line.count
        linesWritten += 1
        return rotated
    }

    private func rotateIfDue() throws(InputError) -> Bool {
        guard bytesInSegment > 0 else { return false }
        var due = false
        if let maxBytes = rotation.maxBytes, bytesInSegment >= maxBytes { due = true }
        if let maxSeconds = rotation.maxSeconds, Double(LiveClock.wallNanoseconds() - segmentOpenedWall) / 1e9 >= maxSeconds { due = true }
        guard due else { return false }
        segment += 1
        let next = "\(basePath).\(segment)"
        let fresh = try LiveRecorder.open(next)
        close(descriptor)
        descriptor = fresh
        currentPath = next
        bytesInSegment = 0
        segmentOpenedWall = LiveClock.wallNanoseconds()
        return true
    }
}
