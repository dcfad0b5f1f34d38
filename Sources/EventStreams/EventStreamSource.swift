import Foundation
import MarketFeeds
import NIOCore
import NIOPosix

/// An operator's liqwatch event stream (newline-delimited JSON): from standard input (`-`), a TCP
/// server liqwatch connects to (`tcp://HOST:PORT`, reconnecting with backoff), a port liqwatch
/// listens on (`listen://[HOST:]PORT`, loopback unless a host is given, several publishers at once),
/// or a file followed as it grows (`tail -F`: a truncated or replaced file is read again from its
/// start). The sockets are SwiftNIO's; lines are bounded (see `BoundedLineSplitter`).
public final class EventStreamSource: LiveSource, @unchecked Sendable {
    public enum Endpoint: Sendable, Equatable {
        case standardInput
        case connect(host: String, port: UInt16)
        case listen(host: String, port: UInt16)
        case file(path: String)

        /// Parses a SOURCE argument; nil with a reason when it is not one.
        public static func parse(_ text: String) -> Result<Endpoint, SourceError> {
            if text == "-" { return .success(.standardInput) }
            for (scheme, listening) in [("tcp://", false), ("listen://", true)] where text.hasPrefix(scheme) {
                let rest = String(text.dropFirst(scheme.count))
                let colon = rest.lastIndex(of: ":")
                var host = colon.map { String(rest[..<$0]) } ?? ""
                let portText = colon.map { String(rest[rest.index(after: $0)...]) } ?? rest
                guard let port = UInt16(portText), port > 0 else {
                    return .failure(SourceError("\(text): expected \(scheme)HOST:PORT with a port from 1 to 65535"))
                }
                if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
                if !listening && host.isEmpty { return .failure(SourceError("\(text): expected tcp://HOST:PORT")) }
                let resolved = host.isEmpty ? "127.0.0.1" : host
                return .success(listening ? .listen(host: resolved, port: port) : .connect(host: resolved, port: port))
            }
            if text.contains("://") { return .failure(SourceError("\(text): expected -, tcp://HOST:PORT, listen://[HOST:]PORT or a file")) }
            return .success(.file(path: text))
        }
    }

    public struct SourceError: Error, CustomStringConvertible, Sendable {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    /// How many publishers a `listen://` source serves at once, and how long one may stay silent.
    public struct ListenLimits: Sendable, Equatable {
        /// Publishers connected at once; one more closes the one silent the longest, so idle
        /// connections can never lock the real publisher out.
        public var maximumPublishers = 16
        /// A publisher that sends nothing for this long is closed (it may connect again).
        public var idleTimeout: Double = 300
        public init() {}
    }

    public let endpoint: Endpoint
    public let name: String
    public let limits: ListenLimits
    public var kind: LiveStreamKind { .events }
    public var format: RecordingFormat { .liqwatchEvents }
    private let stopFlag = StopFlag()
    private let lock = NSLock()
    private var server: EventStreamServer?
    private var client: EventStreamClient?

    public init(endpoint: Endpoint, label: String, limits: ListenLimits = ListenLimits()) {
        self.endpoint = endpoint
        self.limits = limits
        name = "events \(label)"
    }

    public func start(queue: LiveQueue, stream: Int) throws(LiveStartError) {
        switch endpoint {
        case .standardInput, .file:
            let reader = BlockingEventReader(queue: queue, stream: stream, stop: stopFlag)
            let endpoint = endpoint
            let worker = Thread { reader.run(endpoint) }
            worker.name = name
            worker.start()
        case .listen(let host, let port):
            let server = try EventStreamServer.start(host: host, port: port, limits: limits, queue: queue, stream: stream)
            lock.withLock { self.server = server }
        case .connect(let host, let port):
            let client = EventStreamClient(host: host, port: port, queue: queue, stream: stream, stop: stopFlag)
            client.start(name: name)
            lock.withLock { self.client = client }
        }
    }

    /// The port a `listen://` source is bound to (its own choice when asked for port 0, in tests).
    public var boundPort: Int? { lock.withLock { server?.port } }

    public func requestSnapshot(symbol: String) {}

    public func stop() {
        stopFlag.set()
        let (server, client) = lock.withLock { (self.server, self.client) }
        server?.stop()
        client?.stop()
    }
}

/// Standard input and followed files: blocking reads on a thread of their own.
struct BlockingEventReader: Sendable {
    let queue: LiveQueue
    let stream: Int
    let stop: StopFlag

    func run(_ endpoint: EventStreamSource.Endpoint) {
        switch endpoint {
        case .standardInput:
            queue.push(.connection(stream: stream, .connected))
            pump(descriptor: STDIN_FILENO)
            queue.push(.connection(stream: stream, .ended))
        case .file(let path):
            follow(path)
        case .connect, .listen:
            break
        }
    }

    func sleep(seconds: Double) {
        var left = seconds
        while left > 0 && !stop.isSet {
            Thread.sleep(forTimeInterval: min(0.2, left))
            left -= 0.2
        }
    }

    /// Reads lines until the end of the stream or stop.
    func pump(descriptor: Int32) {
        var splitter = BoundedLineSplitter()
        var origin = EventLineOrigin()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while !stop.isSet {
            var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&entry, 1, 200) > 0 else { continue }
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress!, $0.count) }
            if count < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                return
            }
            if count == 0 {
                splitter.finish { emit($0, &origin) }
                return
            }
            buffer.withUnsafeBytes { splitter.feed(UnsafeRawBufferPointer(rebasing: $0[0..<count])) { emit($0, &origin) } }
        }
    }

    func emit(_ piece: BoundedLineSplitter.Piece, _ origin: inout EventLineOrigin) {
        EventLines.emit(piece, queue: queue, stream: stream, origin: &origin)
    }

    /// `tail -F`: waits for the file to appear, reads what is there and what is appended, and starts
    /// again from the top when the file shrinks or is replaced.
    func follow(_ path: String) {
        var splitter = BoundedLineSplitter()
        var origin = EventLineOrigin()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var descriptor: Int32 = -1
        var identity: (device: UInt64, inode: UInt64) = (0, 0)
        var offset: off_t = 0
        // Said once, when the file was never there: a path mistyped read `connecting` with no
        // error for ever, healthier than a dead feed (attacker trial). A file rotated by renaming
        // is gone a moment between two files, and is not an outage.
        var quietWhenMissing = false
        queue.push(.connection(stream: stream, .connecting))
        while !stop.isSet {
            if descriptor < 0 {
                descriptor = open(path, O_RDONLY | O_CLOEXEC)
                if descriptor < 0 {
                    if !quietWhenMissing {
                        quietWhenMissing = true
                        let why = String(cString: strerror(errno))
                        queue.push(.connection(stream: stream, .disconnected(reason: "\(path): \(why) (waiting for it to appear)", retryIn: 0.2)))
                    }
                    sleep(seconds: 0.2)
                    continue
                }
                quietWhenMissing = true
                var info = stat()
                fstat(descriptor, &info)
                if (info.st_mode & S_IFMT) == S_IFDIR {
                    close(descriptor)
                    queue.push(.connection(stream: stream, .disconnected(reason: "\(path) is a directory, not a file of events", retryIn: nil)))
                    return
                }
                identity = (UInt64(info.st_dev), UInt64(info.st_ino))
                offset = 0
                splitter = BoundedLineSplitter()
                // A file truncated or replaced is read from its first line again.
                origin = EventLineOrigin()
                queue.push(.connection(stream: stream, .connected))
            }
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress!, $0.count) }
            if count > 0 {
                offset += off_t(count)
                buffer.withUnsafeBytes { splitter.feed(UnsafeRawBufferPointer(rebasing: $0[0..<count])) { emit($0, &origin) } }
                continue
            }
            // At the end: has the file been truncated or replaced?
            var onDisk = stat()
            if stat(path, &onDisk) != 0 || (UInt64(onDisk.st_dev), UInt64(onDisk.st_ino)) != identity || onDisk.st_size < offset {
                close(descriptor)
                descriptor = -1
                continue
            }
            sleep(seconds: 0.1)
        }
        if descriptor >= 0 { close(descriptor) }
    }
}

/// Lines cut from an event stream, onto the session's queue.
enum EventLines {
    /// Hands a piece on, numbered in `origin` (every line counts, a blank one too); returns
    /// whether it was a line with something in it (what counts as a publisher not being silent).
    @discardableResult
    static func emit(_ piece: BoundedLineSplitter.Piece, queue: LiveQueue, stream: Int, origin: inout EventLineOrigin) -> Bool {
        origin.line += 1
        let now = LiveClock.wallNanoseconds()
        switch piece {
        case .line(let line):
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { return false }
            queue.push(.eventLine(stream: stream, receiveTime: now, bytes: line, origin: origin))
            return true
        case .overlong:
            queue.push(.malformedLine(stream: stream, receiveTime: now,
                field: "line (longer than \(LineReader.maximumLineLength >> 20) MiB)", origin: origin))
            return false
        }
    }
}
