import Foundation
import MarketFeeds
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket

/// A Binance futures exchange on 127.0.0.1 for tests and benchmarks: serves a recording's combined-
/// stream frames over a real WebSocket (`/stream?streams=...`) and its REST depth snapshot
/// (`/fapi/v1/depth`, `/dapi/v1/depth`) over HTTP. It keeps the book its frames describe, so a
/// snapshot asked for later (after a gap or a reconnect) matches the stream at that point, as
/// Binance's does. A script makes it misbehave: drop a frame, cut the connection, send garbage.
public final class LoopbackExchange: @unchecked Sendable {
    public struct Script: Sendable {
        /// Frames per second (nil: as fast as the connection takes them).
        public var framesPerSecond: Double?
        /// The n-th depth frame (0-based) is never sent: the client must see a gap and re-sync.
        public var dropDepthFrame: Int?
        /// The first connection is cut after this many frames: the client must reconnect.
        public var cutAfterFrames: Int?
        /// A garbage text frame after every this many frames.
        public var garbageEvery: Int?
        public init() {}
    }

    public struct Counters: Sendable {
        public var framesSent = 0
        public var garbageSent = 0
        public var connections = 0
        public var snapshotsServed = 0
        public var pongsReceived = 0
        public var finished = false
    }

    struct Frame {
        let text: String
        let depth: DepthEvent?
    }

    let frames: [Frame]
    let recordedSnapshot: String
    let recordedSnapshotId: Int64
    public let script: Script
    let lock = NSLock()
    var cursor = 0
    var counters = Counters()
    var depthFramesSeen = 0
    var cutDone = false
    var book = ExchangeBook()
    var lastSentFinalId: Int64 = 0
    private var group: MultiThreadedEventLoopGroup?
    private var channel: (any Channel)?
    public private(set) var port = 0

    /// Reads a timestamped Binance recording (plain or .gz): its stream frames and its snapshot line.
    public init(recording path: String, script: Script = Script()) throws {
        let reader = LineReader(source: try FileByteSource.open(path: path))
        var frames: [Frame] = []
        var snapshot: String?
        while let line = try reader.nextLine() {
            let bytes = UnsafeBufferPointer(start: line.bytes, count: line.count)
            guard let space = bytes.firstIndex(of: 0x20) else { continue }
            let frameBytes = UnsafeBufferPointer(rebasing: bytes[(space + 1)...])
            let text = String(decoding: frameBytes, as: UTF8.self)
            if text.hasPrefix("{\"lastUpdateId\"") {
                if snapshot == nil { snapshot = text }
                continue
            }
            var depth: DepthEvent?
            if case .depth(let event)? = BinanceFrameDecoder.decode(frameBytes.baseAddress!, count: frameBytes.count, receiveTime: 0) { depth = event }
            frames.append(Frame(text: text, depth: depth))
        }
        guard let snapshot, let snapshotFrame = snapshot.data(using: .utf8).map([UInt8].init),
            case .snapshot(let parsed)? = snapshotFrame.withUnsafeBufferPointer({ BinanceFrameDecoder.decode($0.baseAddress!, count: $0.count, receiveTime: 0) })
        else { throw LoopbackError("\(path): no REST depth snapshot line to serve") }
        self.frames = frames
        recordedSnapshot = snapshot
        recordedSnapshotId = parsed.lastUpdateId
        book.load(parsed)
        self.script = script
    }

    /// Listens on 127.0.0.1 at an ephemeral port (or `port`); returns the port.
    @discardableResult
    public func start(port requested: Int = 0) throws -> Int {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        self.group = group
        let exchange = self
        let upgrader = NIOWebSocketServerUpgrader(
            maxFrameSize: 1 << 24,
            shouldUpgrade: { channel, head in
                channel.eventLoop.makeSucceededFuture(head.uri.hasPrefix("/stream") || head.uri.hasPrefix("/ws") ? HTTPHeaders() : nil)
            },
            upgradePipelineHandler: { channel, _ in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(StreamHandler(exchange: exchange))
                }
            })
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 64)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let rest = RESTHandler(exchange: exchange)
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(
                        withServerUpgrade: (upgraders: [upgrader], completionHandler: { context in
                            context.pipeline.syncOperations.removeHandler(name: "rest", promise: nil)
                        }))
                    try channel.pipeline.syncOperations.addHandler(rest, name: "rest")
                }
            }
        let channel = try bootstrap.bind(host: "127.0.0.1", port: requested).wait()
        self.channel = channel
        port = channel.localAddress?.port ?? 0
        return port
    }

    public func stop() {
        try? channel?.close().wait()
        try? group?.syncShutdownGracefully()
        channel = nil
        group = nil
    }

    public var webSocketURL: String { "ws://127.0.0.1:\(port)" }
    public var restURL: String { "http://127.0.0.1:\(port)" }

    public var snapshot: Counters {
        lock.lock(); defer { lock.unlock() }
        return counters
    }

    /// The stream frames of the recording, in order (what a client should end up having seen).
    public var frameCount: Int { frames.count }

    // MARK: What the handlers ask for (under the lock)

    enum Next {
        case frame(String)
        case garbage(String)
        case cut
        case end
    }

    /// The next thing to send on a connection that has sent `sentOnConnection` frames.
    func next(sentOnConnection: Int, connection: Int) -> Next {
        lock.lock(); defer { lock.unlock() }
        if let cut = script.cutAfterFrames, !cutDone, connection == 1, sentOnConnection >= cut {
            cutDone = true
            return .cut
        }
        if let every = script.garbageEvery, every > 0, counters.framesSent > 0, counters.framesSent % every == 0,
            counters.garbageSent < counters.framesSent / every {
            counters.garbageSent += 1
            return .garbage(counters.garbageSent % 2 == 0 ? "{\"stream\":\"btcusdt@depth\",\"data\":{\"e\":\"depthUpdate\",\"U\":" : "not json at all \u{7f}")
        }
        while cursor < frames.count {
            let frame = frames[cursor]
            cursor += 1
            if let depth = frame.depth {
                let index = depthFramesSeen
                depthFramesSeen += 1
                if depth.finalUpdateId >= recordedSnapshotId { book.apply(depth); lastSentFinalId = depth.finalUpdateId }
                if index == script.dropDepthFrame { continue }
            }
            counters.framesSent += 1
            return .frame(frame.text)
        }
        counters.finished = true
        return .end
    }

    func openConnection() -> Int {
        lock.lock(); defer { lock.unlock() }
        counters.connections += 1
        return counters.connections
    }

    func notePong() {
        lock.lock(); counters.pongsReceived += 1; lock.unlock()
    }

    /// The REST body: the recorded snapshot until the stream has passed it, then the book as the
    /// frames sent so far leave it.
    func snapshotBody() -> String {
        lock.lock(); defer { lock.unlock() }
        counters.snapshotsServed += 1
        if lastSentFinalId <= recordedSnapshotId { return recordedSnapshot }
        return book.json(lastUpdateId: lastSentFinalId)
    }
}

public struct LoopbackError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// The exchange's own book, in exact units, to answer snapshot requests.
struct ExchangeBook {
    var bids: [Int64: Int64] = [:]
    var asks: [Int64: Int64] = [:]

    mutating func load(_ snapshot: DepthSnapshot) {
        bids = Dictionary(snapshot.bids.map { ($0.price, $0.size) }, uniquingKeysWith: { $1 })
        asks = Dictionary(snapshot.asks.map { ($0.price, $0.size) }, uniquingKeysWith: { $1 })
    }

    mutating func apply(_ event: DepthEvent) {
        for change in event.changes {
            let size = change.size == 0 ? nil : change.size
            if change.side == .bid { bids[change.price] = size } else { asks[change.price] = size }
        }
    }

    func json(lastUpdateId: Int64) -> String {
        func side(_ levels: [Int64: Int64], descending: Bool) -> String {
            let sorted = levels.sorted { descending ? $0.key > $1.key : $0.key < $1.key }.prefix(1000)
            return "[" + sorted.map { "[\"\(Self.decimal($0.key))\",\"\(Self.decimal($0.value))\"]" }.joined(separator: ",") + "]"
        }
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        return "{\"lastUpdateId\":\(lastUpdateId),\"E\":\(now),\"T\":\(now),\"bids\":\(side(bids, descending: true)),\"asks\":\(side(asks, descending: false))}"
    }

    /// Book units (×10⁻⁸) as a decimal string.
    static func decimal(_ units: Int64) -> String {
        let whole = units / 100_000_000
        var fraction = String(units % 100_000_000)
        fraction = String(repeating: "0", count: 8 - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return fraction.isEmpty ? "\(whole)" : "\(whole).\(fraction)"
    }
}
