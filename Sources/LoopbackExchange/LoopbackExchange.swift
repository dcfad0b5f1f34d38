import Foundation
import MarketFeeds
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
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
        /// The request targets of the WebSocket upgrades (`/stream?streams=...`) and of the REST
        /// requests (`/dapi/v1/depth?symbol=...`), in order: a test reads what the client asked for.
        public var streamRequests: [String] = []
        public var restRequests: [String] = []
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
    /// Serve over TLS with this context (set before `start`): the tests of a client's wss:// path.
    public var tls: NIOSSLContext?

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
        let tls = self.tls
        let upgrader = NIOWebSocketServerUpgrader(
            maxFrameSize: 1 << 24,
            shouldUpgrade: { channel, head in
                let upgrade = head.uri.hasPrefix("/stream") || head.uri.hasPrefix("/ws")
                if upgrade { exchange.noteRequest(stream: head.uri) }
                return channel.eventLoop.makeSucceededFuture(upgrade ? HTTPHeaders() : nil)
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
                    if let tls { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls)) }
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

    /// With `tls`, `wss://localhost:PORT` and `https://...` (a certificate names a host).
    public var webSocketURL: String { tls == nil ? "ws://127.0.0.1:\(port)" : "wss://localhost:\(port)" }
    public var restURL: String { tls == nil ? "http://127.0.0.1:\(port)" : "https://localhost:\(port)" }

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

    func noteRequest(stream uri: String? = nil, rest: String? = nil) {
        lock.lock(); defer { lock.unlock() }
        // Bounded: a client reconnecting in a loop must not grow a test's memory without end.
        if let uri, counters.streamRequests.count < 1_000 { counters.streamRequests.append(uri) }
        if let rest, counters.restRequests.count < 1_000 { counters.restRequests.append(rest) }
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

extension LoopbackExchange {
    static let coinMStart: Int64 = 1_735_689_600_000

    /// Tenths of a dollar as Binance writes a COIN-M BTC price ("60000.0").
    static func tenthsPrice(_ tenths: Int) -> String { "\(tenths / 10).\(tenths % 10)" }

    static func coinMMarkList(_ ms: Int64, perp: String, quarter: String, other: String) -> String {
        func element(_ symbol: String, _ mark: String, funding: String, next: Int64) -> String {
            #"{"e":"markPriceUpdate","E":\#(ms),"s":"\#(symbol)","p":"\#(mark)","P":"\#(mark)","i":"60010.5","r":"\#(funding)","T":\#(next)}"#
        }
        return #"{"stream":"btcusd@markPrice@1s","data":["#
            + [element("BTCUSD_PERP", perp, funding: "0.00010000", next: coinMStart + 28_800_000),
               element("BTCUSD_250328", quarter, funding: "", next: 0),
               element("BTCUSD_250627", other, funding: "", next: 0)].joined(separator: ",") + "]}"
    }

    static func coinMForceOrder(_ ms: Int64, symbol: String, pair: String, side: String, quantity: String, price: String, average: String) -> String {
        #"{"stream":"!forceOrder@arr","data":{"e":"forceOrder","E":\#(ms),"o":{"s":"\#(symbol)","ps":"\#(pair)","S":"\#(side)","o":"LIMIT","f":"IOC","q":"\#(quantity)","p":"\#(price)","ap":"\#(average)","X":"FILLED","l":"\#(quantity)","z":"\#(quantity)","T":\#(ms)}}}"#
    }

    /// A small Binance COIN-M recording built from the frame formats Binance documents for dstream
    /// (../shared/data has no COIN-M depth recording), as `<receive ns> <frame>` lines, the REST
    /// snapshot first: 300 `depthUpdate`s of BTCUSD_PERP (quantities in contracts, `U`/`u`/`pu`
    /// chained, the first bridging `lastUpdateId` 1000), book tickers and aggregated trades, the
    /// pair's mark list (`btcusd@markPrice@1s`: BTCUSD_PERP, BTCUSD_250328 and BTCUSD_250627, the
    /// delivery ones with `"r":""` and `"T":0`) seven times, the last at 62,500.0 / 64,000.0 /
    /// 64,100.0, and two `!forceOrder@arr` liquidations: 3 BTCUSD_PERP contracts sold at an
    /// average 60,000.0, and 10 ETHUSD_PERP contracts bought at 2,500.00.
    public static func syntheticCoinMRecording() -> String {
        var lines: [String] = []
        func add(_ ms: Int64, _ frame: String) { lines.append("\(ms * 1_000_000) \(frame)") }
        let bids = (0..<20).map { #"["\#(tenthsPrice(600_000 - $0))","\#(100 + $0)"]"# }.joined(separator: ",")
        let asks = (0..<20).map { #"["\#(tenthsPrice(600_001 + $0))","\#(80 + $0)"]"# }.joined(separator: ",")
        add(coinMStart, #"{"lastUpdateId":1000,"E":\#(coinMStart),"T":\#(coinMStart),"symbol":"BTCUSD_PERP","pair":"BTCUSD","bids":[\#(bids)],"asks":[\#(asks)]}"#)
        var previous: Int64 = 997
        for k in 0..<300 {
            let ms = coinMStart + Int64(k) * 100
            let first = k == 0 ? 998 : previous + 1
            let final = first + 2
            // Absolute sizes in contracts; every seventh change removes its level.
            let bidSize = k % 7 == 6 ? "0" : "\(50 + (k * 37) % 400)"
            let askSize = k % 7 == 3 ? "0" : "\(40 + (k * 53) % 300)"
            let frame = #"{"stream":"btcusd_perp@depth@100ms","data":{"e":"depthUpdate","E":\#(ms),"T":\#(ms),"s":"BTCUSD_PERP","ps":"BTCUSD","U":\#(first),"u":\#(final),"pu":\#(previous),"b":[["\#(tenthsPrice(600_000 - k % 25))","\#(bidSize)"]],"a":[["\#(tenthsPrice(600_001 + k % 25))","\#(askSize)"]]}}"#
            add(ms, frame)
            previous = final
            if k % 10 == 5 {
                add(ms + 1, #"{"stream":"btcusd_perp@bookTicker","data":{"e":"bookTicker","u":\#(final),"s":"BTCUSD_PERP","ps":"BTCUSD","b":"60000.0","B":"100","a":"60000.1","A":"80","T":\#(ms),"E":\#(ms)}}"#)
                add(ms + 2, #"{"stream":"btcusd_perp@aggTrade","data":{"e":"aggTrade","E":\#(ms),"a":\#(k),"s":"BTCUSD_PERP","p":"60000.1","q":"\#(k % 9 + 1)","f":\#(k),"l":\#(k),"T":\#(ms),"m":false}}"#)
            }
            if k % 50 == 10 { add(ms + 3, coinMMarkList(ms, perp: "60005.0", quarter: "60900.0", other: "61500.0")) }
        }
        let end = coinMStart + 30_000
        add(end + 1, coinMForceOrder(end + 1, symbol: "BTCUSD_PERP", pair: "BTCUSD", side: "SELL", quantity: "3", price: "59000.0", average: "60000.0"))
        add(end + 2, coinMForceOrder(end + 2, symbol: "ETHUSD_PERP", pair: "ETHUSD", side: "BUY", quantity: "10", price: "2510.00", average: "2500.00"))
        add(end + 3, coinMMarkList(end + 3, perp: "62500.0", quarter: "64000.0", other: "64100.0"))
        return lines.joined(separator: "\n") + "\n"
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
