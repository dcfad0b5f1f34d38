#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// An operator's liqwatch event stream (newline-delimited JSON): from standard input (`-`), a TCP
/// server liqwatch connects to (`tcp://HOST:PORT`, reconnecting with backoff), a port liqwatch
/// listens on (`listen://[HOST:]PORT`, loopback unless a host is given), or a file followed as it
/// grows (`tail -F`: a truncated or replaced file is read again from its start).
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
                let host = colon.map { String(rest[..<$0]) } ?? ""
                let portText = colon.map { String(rest[rest.index(after: $0)...]) } ?? rest
                guard let port = UInt16(portText), port > 0 else {
                    return .failure(SourceError("\(text): expected \(scheme)HOST:PORT with a port from 1 to 65535"))
                }
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

    public let endpoint: Endpoint
    public let name: String
    public var kind: LiveStreamKind { .events }
    public var format: RecordingFormat { .liqwatchEvents }
    private let stopFlag = StopFlag()
    private var thread: Thread?

    public init(endpoint: Endpoint, label: String) {
        self.endpoint = endpoint
        name = "events \(label)"
    }

    public func start(queue: LiveQueue, stream: Int) {
        let endpoint = endpoint
        let stopFlag = stopFlag
        let worker = Thread {
            let reader = EventStreamReader(queue: queue, stream: stream, stop: stopFlag)
            reader.run(endpoint)
        }
        worker.name = name
        worker.start()
        thread = worker
    }

    public func requestSnapshot(symbol: String) {}

    public func stop() { stopFlag.set() }
}

/// A flag one thread raises and another checks between blocking waits (a worker told to stop, a
/// headless run told SIGINT arrived).
public final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var raised = false
    public init() {}
    public func set() { lock.lock(); raised = true; lock.unlock() }
    public var isSet: Bool { lock.lock(); defer { lock.unlock() }; return raised }
}

/// The blocking side of an event stream, on its own thread.
struct EventStreamReader {
    let queue: LiveQueue
    let stream: Int
    let stop: StopFlag

    func run(_ endpoint: EventStreamSource.Endpoint) {
        switch endpoint {
        case .standardInput:
            queue.push(.connection(stream: stream, .connected))
            _ = pump(descriptor: STDIN_FILENO)
            queue.push(.connection(stream: stream, .ended))
        case .connect(let host, let port):
            var attempt = 0
            while !stop.isSet {
                queue.push(.connection(stream: stream, .connecting))
                let result = Socket.connect(host: host, port: port)
                switch result {
                case .success(let descriptor):
                    attempt = 0
                    queue.push(.connection(stream: stream, .connected))
                    let reason = pump(descriptor: descriptor)
                    close(descriptor)
                    if stop.isSet { return }
                    let delay = Backoff.delay(attempt: attempt)
                    queue.push(.connection(stream: stream, .disconnected(reason: reason, retryIn: delay)))
                    sleep(seconds: delay)
                case .failure(let error):
                    let delay = Backoff.delay(attempt: attempt)
                    attempt += 1
                    queue.push(.connection(stream: stream, .disconnected(reason: error.description, retryIn: delay)))
                    sleep(seconds: delay)
                }
            }
        case .listen(let host, let port):
            let listener: Int32
            switch Socket.listen(host: host, port: port) {
            case .success(let descriptor): listener = descriptor
            case .failure(let error):
                queue.push(.connection(stream: stream, .disconnected(reason: error.description, retryIn: nil)))
                return
            }
            defer { close(listener) }
            queue.push(.connection(stream: stream, .connecting))
            while !stop.isSet {
                guard Socket.waitReadable(listener, milliseconds: 200) else { continue }
                let client = accept(listener, nil, nil)
                if client < 0 { continue }
                queue.push(.connection(stream: stream, .connected))
                let reason = pump(descriptor: client)
                close(client)
                if stop.isSet { return }
                queue.push(.connection(stream: stream, .disconnected(reason: reason, retryIn: 0)))
            }
        case .file(let path):
            follow(path)
        }
    }

    func sleep(seconds: Double) {
        var left = seconds
        while left > 0 && !stop.isSet {
            Thread.sleep(forTimeInterval: min(0.2, left))
            left -= 0.2
        }
    }

    /// Reads lines until the end of the stream or stop; returns why it ended.
    func pump(descriptor: Int32) -> String {
        var splitter = LineSplitter()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while !stop.isSet {
            guard Socket.waitReadable(descriptor, milliseconds: 200) else { continue }
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress!, $0.count) }
            if count < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                return String(cString: strerror(errno))
            }
            if count == 0 {
                splitter.finish { emit($0) }
                return "closed by the peer"
            }
            splitter.feed(buffer[0..<count]) { emit($0) }
        }
        return "stopped"
    }

    func emit(_ line: [UInt8]) {
        if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { return }
        queue.push(.frame(stream: stream, receiveTime: LiveClock.wallNanoseconds(), bytes: line))
    }

    /// `tail -F`: waits for the file to appear, reads what is there and what is appended, and starts
    /// again from the top when the file shrinks or is replaced.
    func follow(_ path: String) {
        var splitter = LineSplitter()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var descriptor: Int32 = -1
        var identity: (device: UInt64, inode: UInt64) = (0, 0)
        var offset: off_t = 0
        queue.push(.connection(stream: stream, .connecting))
        while !stop.isSet {
            if descriptor < 0 {
                descriptor = open(path, O_RDONLY | O_CLOEXEC)
                if descriptor < 0 { sleep(seconds: 0.2); continue }
                var info = stat()
                fstat(descriptor, &info)
                identity = (UInt64(info.st_dev), UInt64(info.st_ino))
                offset = 0
                splitter = LineSplitter()
                queue.push(.connection(stream: stream, .connected))
            }
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress!, $0.count) }
            if count > 0 {
                offset += off_t(count)
                splitter.feed(buffer[0..<count]) { emit($0) }
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

/// Cuts a byte stream into lines; a partial line waits for the rest.
struct LineSplitter {
    var partial: [UInt8] = []
    static let maximumLine = 16 << 20

    mutating func feed(_ bytes: ArraySlice<UInt8>, _ emit: ([UInt8]) -> Void) {
        var start = bytes.startIndex
        while let newline = bytes[start...].firstIndex(of: 0x0A) {
            if partial.isEmpty {
                emit(Array(bytes[start..<newline]))
            } else {
                partial.append(contentsOf: bytes[start..<newline])
                emit(partial)
                partial.removeAll(keepingCapacity: true)
            }
            start = newline + 1
        }
        partial.append(contentsOf: bytes[start...])
        // A "line" that never ends is not a line: hand it on (it will be reported malformed).
        if partial.count > LineSplitter.maximumLine { emit(partial); partial.removeAll() }
    }

    mutating func finish(_ emit: ([UInt8]) -> Void) {
        if !partial.isEmpty { emit(partial); partial.removeAll() }
    }
}

/// Exponential backoff with jitter: 0.5 s doubling to 30 s, each delay between 50 % and 100 % of its
/// step so that many clients cut at once do not come back at once.
public enum Backoff {
    public static func delay(attempt: Int, base: Double = 0.5, cap: Double = 30) -> Double {
        let step = min(cap, base * Double(1 << min(attempt, 16)))
        return step * Double.random(in: 0.5...1.0)
    }
}
