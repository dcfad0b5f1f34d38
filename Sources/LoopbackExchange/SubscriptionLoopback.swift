import Foundation
import MarketFeeds
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket

/// The venues whose public WebSocket starts every book subscription with a snapshot, served by
/// `SubscriptionLoopback`.
public enum SubscriptionVenue: String, Sendable, CaseIterable {
    case bybit, okx, hyperliquid
}

/// One frame of a recording as the exchange publishes it.
struct TimelineFrame {
    /// The stream it belongs to, as the venue's protocol keys subscriptions (`orderbook.XRPUSDT`,
    /// `books:BTC-USD-220527`, `l2Book:BTC`): a connection is sent the frame only if it subscribed it.
    let stream: String
    /// A book delta: the script may drop one (a gap the client must notice).
    let isBookDelta: Bool
}

/// What a venue's protocol answers to one request of a client.
enum LoopbackAnswer {
    /// A text frame: an acknowledgement, a refusal.
    case reply(String)
    /// The answer to the venue's ping (a client drops it: not counted as a message sent).
    case pong(String)
    /// The client subscribed `stream` under `name` (the topic as it asked for it); `reply` goes first.
    case subscribe(stream: String, name: String, reply: String?)
    case unsubscribe(stream: String, reply: String?)
}

/// A venue's public WebSocket protocol over a recording: what it answers, what its frames look like,
/// and its books as the frames sent so far leave them. Used on the exchange's event loop only.
protocol SubscriptionProtocol: AnyObject {
    /// The only path a WebSocket is upgraded on (`/v5/public/linear`, `/ws/v5/public`, `/ws`).
    var path: String { get }
    /// The recording's frames after the books it starts with (those are the exchange's books before
    /// the first frame), in order.
    var timeline: [TimelineFrame] { get }
    /// The exchange's time passes frame `index`: its books follow, whether or not it is sent.
    func advance(past index: Int)
    /// Frame `index` as sent to a connection that subscribed its stream as `name`.
    func text(of index: Int, subscribedAs name: String) -> String
    /// The answers to one text frame of a client; `counters` gets its pings, subscribes and refusals.
    func answer(_ request: String, counters: inout SubscriptionLoopback.Counters) -> [LoopbackAnswer]
    /// The current book of `stream` in the venue's snapshot format, named `name`; nil when the
    /// stream is not a book or its book is not known yet.
    func snapshot(stream: String, subscribedAs name: String) -> String?
    /// A malformed frame of the venue's shape (or not JSON at all), the `number`-th.
    func garbage(_ number: Int) -> String
    /// The books go back to those the recording starts with (the recording is served again).
    func rewind()
    /// The book streams of the recording (each gets a snapshot when the recording starts again).
    var bookStreams: [String] { get }
}

/// A Bybit v5, OKX v5 or Hyperliquid public WebSocket on 127.0.0.1 for tests and benchmarks,
/// serving a real recording with the venue's own protocol: requests are answered as the venue
/// answers them (acknowledgements, refusals of unknown topics or instruments, pongs); nothing is sent
/// for a stream until it is subscribed; a book subscription (and a re-subscription) starts with a
/// snapshot of the exchange's book as it is at that moment, then the recording's frames follow. So a
/// client's book can be compared with a replay of the same file, whatever the script does to it:
/// drop a book delta, cut the first connection, send garbage.
///
/// The recording is one timeline for the whole exchange: it advances while some connection has a
/// subscription (paced, or as fast as the connections take it) and stands still while none has,
/// like a market seen only while someone watches. Frames of streams nobody subscribed still move
/// the exchange's books, at once: the rate (and the unpaced batch) counts the frames of subscribed
/// streams, so a client gets the rate asked for whatever else the recording holds. The script
/// reads as the Binance loopback's: `dropDepthFrame` is the n-th (0-based) book delta of a
/// subscribed stream, `cutAfterFrames` counts the recording's frames sent on the first connection,
/// `garbageEvery` the recording's frames sent in all.
public final class SubscriptionLoopback: @unchecked Sendable {
    public typealias Script = LoopbackExchange.Script

    public struct Counters: Sendable {
        /// Recording frames written (to every connection subscribed to them).
        public var framesSent = 0
        /// Everything written but pongs: frames, snapshots, garbage, answers (what a client counts).
        public var messagesSent = 0
        public var garbageSent = 0
        public var snapshotsSent = 0
        public var bookDeltasDropped = 0
        public var connections = 0
        /// Subscribe requests per topic as the client named it (`orderbook.200.XRPUSDT`,
        /// `books:BTC-USD-220527`, `l2Book:BTC`), refused ones included.
        public var subscribesReceived: [String: Int] = [:]
        public var unsubscribesReceived: [String: Int] = [:]
        /// Requests or topics refused (unknown topic, instrument, malformed request).
        public var refusals = 0
        /// The venue's application-level pings (`{"op":"ping"}`, `ping`, `{"method":"ping"}`).
        public var pingsReceived = 0
        /// The recording has been gone through (once, when it repeats).
        public var finished = false
        /// Times the recording has been gone through.
        public var passes = 0
        public var cuts = 0
    }

    public let venue: SubscriptionVenue
    public let script: Script
    /// The recording starts again at its end, for a steady rate as long as a benchmark runs.
    public let repeating: Bool
    let venueProtocol: any SubscriptionProtocol
    private let lock = NSLock()
    private var counters = Counters()
    private var group: MultiThreadedEventLoopGroup?
    private var channel: (any Channel)?
    private var driver: RepeatedTask?
    public private(set) var port = 0

    // Event-loop state (one thread: the group has one loop, and every connection is on it).
    var connections: [SubscriptionHandler] = []
    var cursor = 0
    var bookDeltasSeen = 0
    var cutDone = false
    var credit = 0.0
    var lastTick: NIODeadline?

    /// Largest request a client may send (a subscription request is well under a kilobyte).
    static let maxRequestSize = 1 << 16
    /// Frames sent per driver tick when unpaced (a paced tick sends what the rate has earned, at most
    /// a tenth of a second's worth).
    static let unpacedBatch = 2_048
    static let tick = TimeAmount.milliseconds(2)
    /// Paced, the market moves every 10 ms, as the Binance loopback's does: venues publish book
    /// changes in batches (Bybit's orderbook.200 and OKX's books every 100 ms, Hyperliquid a
    /// block), so several frames reaching a client in one read is what a live session sees.
    static let pacedTick = TimeAmount.milliseconds(10)
    /// A client sends its subscriptions in a burst as it connects (Hyperliquid's one request a
    /// stream); the market moves for a connection once the burst is over, so that no frame is lost
    /// between two of its requests and a run is the same every time.
    static let subscriptionSettle = TimeAmount.milliseconds(50)

    /// Reads `recording` (plain or .gz) in the layout of `../shared/data/<venue>/` or of a liqwatch
    /// recording (`<receive ns> <frame>` lines).
    /// `repeating`: at its end the recording starts again, each book stream with a snapshot of the
    /// book the recording starts with (a venue's snapshot may come at any time, and resets the book).
    public init(venue: SubscriptionVenue, recording path: String, script: Script = Script(), repeating: Bool = false) throws {
        self.venue = venue
        self.script = script
        self.repeating = repeating
        let lines = try Self.frames(path: path)
        switch venue {
        case .bybit: venueProtocol = try BybitLoopback(frames: lines, path: path)
        case .okx: venueProtocol = try OKXLoopback(frames: lines, path: path)
        case .hyperliquid: venueProtocol = try HyperliquidLoopback(frames: lines, path: path)
        }
    }

    /// The JSON frames of a recording: a line's text from its first `{`; lines without one (a
    /// cryptofeed header), outbound requests (`<url> <- <time>: ...`) and the venue's answers to the
    /// recorder's own requests are left out by each venue's reading.
    static func frames(path: String) throws -> [String] {
        let reader = LineReader(source: try FileByteSource.open(path: path))
        var frames: [String] = []
        while let line = try reader.nextLine() {
            let bytes = UnsafeBufferPointer(start: line.bytes, count: line.count)
            guard let brace = bytes.firstIndex(of: UInt8(ascii: "{")) else { continue }
            let prefix = UnsafeBufferPointer(rebasing: bytes[..<brace])
            // cryptofeed's outbound lines: `wss://... <- 1652459225.29: {"op":"subscribe",...}`.
            if prefix.count >= 4, String(decoding: prefix, as: UTF8.self).contains(" <- ") { continue }
            // Bybit's history files end their lines with CRLF: the frame stops at its last `}`.
            guard let end = bytes.lastIndex(of: UInt8(ascii: "}")), end > brace else { continue }
            frames.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[brace...end]), as: UTF8.self))
        }
        return frames
    }

    /// The frames of the recording the exchange will publish (after its starting books).
    public var frameCount: Int { venueProtocol.timeline.count }

    /// The path a client connects to.
    public var path: String { venueProtocol.path }
    /// The base URL to give a venue's wire (`ws://127.0.0.1:PORT`; the wire adds the path).
    public var baseURL: String { "ws://127.0.0.1:\(port)" }
    public var webSocketURL: String { baseURL + path }

    public var snapshot: Counters {
        lock.lock(); defer { lock.unlock() }
        return counters
    }

    func countersValue<Value>(_ path: KeyPath<Counters, Value>) -> Value {
        lock.lock(); defer { lock.unlock() }
        return counters[keyPath: path]
    }

    func count(_ body: (inout Counters) -> Void) {
        lock.lock(); defer { lock.unlock() }
        body(&counters)
    }

    /// Listens on 127.0.0.1 at an ephemeral port (or `port`); returns the port.
    @discardableResult
    public func start(port requested: Int = 0) throws -> Int {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        self.group = group
        let exchange = self
        let path = venueProtocol.path
        let upgrader = NIOWebSocketServerUpgrader(
            maxFrameSize: Self.maxRequestSize,
            shouldUpgrade: { channel, head in
                let requested = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
                return channel.eventLoop.makeSucceededFuture(requested == path ? HTTPHeaders() : nil)
            },
            upgradePipelineHandler: { channel, _ in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(SubscriptionHandler(exchange: exchange))
                }
            })
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 64)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(
                        withServerUpgrade: (upgraders: [upgrader], completionHandler: { context in
                            context.pipeline.syncOperations.removeHandler(name: "not-found", promise: nil)
                        }))
                    try channel.pipeline.syncOperations.addHandler(NotFoundHandler(), name: "not-found")
                }
            }
        let channel = try bootstrap.bind(host: "127.0.0.1", port: requested).wait()
        self.channel = channel
        port = channel.localAddress?.port ?? 0
        let loop = channel.eventLoop
        let interval = script.framesPerSecond == nil ? Self.tick : Self.pacedTick
        driver = loop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in exchange.tick() }
        return port
    }

    public func stop() {
        driver?.cancel()
        try? channel?.close().wait()
        try? group?.syncShutdownGracefully()
        channel = nil
        group = nil
        driver = nil
    }

    // MARK: The timeline (on the event loop)

    /// Sends what is due: paced, the frames the rate allows since the last tick; unpaced, a batch
    /// while every subscribed connection can take more.
    func tick() {
        let now = NIODeadline.now()
        defer { lastTick = now }
        let watching = connections.filter { $0.isWatching(now: now) }
        guard !watching.isEmpty, cursor < venueProtocol.timeline.count else {
            credit = 0
            return
        }
        // A connection that does not take what it is sent holds the market still (paced or not):
        // nothing piles up beyond its socket's buffer.
        guard watching.allSatisfy(\.isWritable) else { return }
        var allowance: Int
        if let rate = script.framesPerSecond {
            let elapsed = lastTick.map { Double((now - $0).nanoseconds) / 1e9 } ?? 0
            credit = min(credit + elapsed * rate, max(1, rate / 10))
            allowance = Int(credit)
            credit -= Double(allowance)
        } else {
            allowance = Self.unpacedBatch
        }
        var touched: Set<ObjectIdentifier> = []
        // The allowance counts the frames of subscribed streams only: a frame nobody subscribed moves
        // the exchange's books and costs nothing (the OKX capture holds instruments and channels a
        // client rarely asks for; counted, they would eat the rate and the client would get less).
        // One tick goes at most to the end of the recording, so a client whose streams the
        // recording lacks does not keep it spinning. Once no connection that watched at the start of
        // the tick is open (the script cut it), the market stands still, as it would between ticks:
        // the frames after a cut are not skipped unseen.
        while allowance > 0 && cursor < venueProtocol.timeline.count
            && watching.contains(where: { watcher in watcher.isOpen && connections.contains { $0 === watcher } }) {
            if cursor == 0 && countersValue(\.passes) > 0 {
                // The recording again: its books as it starts them, told with snapshots.
                venueProtocol.rewind()
                for connection in watching {
                    for stream in venueProtocol.bookStreams {
                        guard let name = connection.subscriptions[stream], let snapshot = venueProtocol.snapshot(stream: stream, subscribedAs: name) else { continue }
                        connection.write(snapshot)
                        touched.insert(ObjectIdentifier(connection))
                        count { counters in
                            counters.snapshotsSent += 1
                            counters.messagesSent += 1
                        }
                    }
                }
            }
            let index = cursor
            cursor += 1
            let frame = venueProtocol.timeline[index]
            venueProtocol.advance(past: index)
            guard connections.contains(where: { $0.isOpen && $0.subscriptions[frame.stream] != nil }) else { continue }
            allowance -= 1
            // Only a delta someone is subscribed to counts: dropping one nobody watches is no test.
            if frame.isBookDelta {
                let number = bookDeltasSeen
                bookDeltasSeen += 1
                if number == script.dropDepthFrame {
                    count { $0.bookDeltasDropped += 1 }
                    continue
                }
            }
            for connection in connections where connection.isOpen {
                guard let name = connection.subscriptions[frame.stream] else { continue }
                if let cut = script.cutAfterFrames, !cutDone, connection.number == 1, connection.framesSent >= cut {
                    cutDone = true
                    count { $0.cuts += 1 }
                    connection.cut()
                    continue
                }
                connection.write(venueProtocol.text(of: index, subscribedAs: name))
                connection.framesSent += 1
                touched.insert(ObjectIdentifier(connection))
                var garbageNumber: Int? = nil
                count { counters in
                    counters.framesSent += 1
                    counters.messagesSent += 1
                    if let every = script.garbageEvery, every > 0, counters.framesSent % every == 0 {
                        counters.garbageSent += 1
                        counters.messagesSent += 1
                        garbageNumber = counters.garbageSent
                    }
                }
                if let garbageNumber { connection.write(venueProtocol.garbage(garbageNumber)) }
            }
        }
        for connection in connections where touched.contains(ObjectIdentifier(connection)) { connection.flush() }
        if cursor >= venueProtocol.timeline.count {
            count { counters in
                counters.finished = true
                counters.passes += 1
            }
            if repeating { cursor = 0 }
        }
    }

    func opened(_ connection: SubscriptionHandler) -> Int {
        connections.append(connection)
        var number = 0
        count { counters in
            counters.connections += 1
            number = counters.connections
        }
        return number
    }

    func closed(_ connection: SubscriptionHandler) {
        connections.removeAll { $0 === connection }
    }

    /// Topics counted by name, at most this many (a client inventing names must not grow the
    /// exchange); the rest are counted under `otherTopics`.
    static let countedTopics = 1_000
    public static let otherTopics = "(other topics)"

    static func merge(_ counts: [String: Int], into total: inout [String: Int]) {
        for (topic, times) in counts {
            let key = total[topic] != nil || total.count < countedTopics ? String(topic.prefix(200)) : otherTopics
            total[key, default: 0] += times
        }
    }

    /// A client's text frame: the venue's answers, and a snapshot after each book subscription.
    func request(_ text: String, from connection: SubscriptionHandler) {
        var local = Counters()
        let answers = venueProtocol.answer(text, counters: &local)
        count { counters in
            counters.pingsReceived += local.pingsReceived
            counters.refusals += local.refusals
            Self.merge(local.subscribesReceived, into: &counters.subscribesReceived)
            Self.merge(local.unsubscribesReceived, into: &counters.unsubscribesReceived)
        }
        for answer in answers {
            switch answer {
            case .reply(let reply):
                connection.write(reply)
                count { $0.messagesSent += 1 }
            case .pong(let pong):
                connection.write(pong)
            case .subscribe(let stream, let name, let reply):
                if let reply { connection.write(reply); count { $0.messagesSent += 1 } }
                connection.subscriptions[stream] = name
                if connection.firstSubscription == nil { connection.firstSubscription = .now() }
                if let snapshot = venueProtocol.snapshot(stream: stream, subscribedAs: name) {
                    connection.write(snapshot)
                    count { counters in
                        counters.snapshotsSent += 1
                        counters.messagesSent += 1
                    }
                }
            case .unsubscribe(let stream, let reply):
                connection.subscriptions[stream] = nil
                if let reply { connection.write(reply); count { $0.messagesSent += 1 } }
            }
        }
        connection.flush()
    }
}

/// Anything but an upgrade on the venue's path: 404, as the venue's WebSocket host answers.
final class NotFoundHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .end = unwrapInboundIn(data) else { return }
        let body = "{\"error\":\"not found\"}"
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Content-Length", value: String(body.utf8.count))
        headers.add(name: "Connection", value: "close")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .notFound, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: body)))), promise: nil)
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in bound.value.close(promise: nil) }
    }
}

/// One client connection: its subscriptions, its requests, and the frames the exchange's timeline
/// writes to it.
final class SubscriptionHandler: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    let exchange: SubscriptionLoopback
    var context: ChannelHandlerContext?
    var number = 0
    /// Stream → the name the client subscribed it as.
    var subscriptions: [String: String] = [:]
    var framesSent = 0
    var firstSubscription: NIODeadline?
    /// Bounded: a client that sends more than this many requests is not served further requests
    /// (a loop gone wrong must not grow the exchange without bound).
    var requests = 0
    static let requestLimit = 100_000

    init(exchange: SubscriptionLoopback) { self.exchange = exchange }

    var isOpen: Bool { context?.channel.isActive ?? false }
    var isWritable: Bool { context?.channel.isWritable ?? false }

    /// Subscribed to something, and its burst of subscriptions is over.
    func isWatching(now: NIODeadline) -> Bool {
        guard isOpen, !subscriptions.isEmpty, let first = firstSubscription else { return false }
        return now - first >= SubscriptionLoopback.subscriptionSettle
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        number = exchange.opened(self)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        exchange.closed(self)
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        exchange.closed(self)
        context.fireChannelInactive()
    }

    func write(_ text: String) {
        guard let context, context.channel.isActive else { return }
        context.write(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .text, data: context.channel.allocator.buffer(string: text))), promise: nil)
    }

    func flush() { context?.flush() }

    /// An abrupt cut, no close frame: what a dropped connection looks like.
    func cut() {
        guard let context else { return }
        context.flush()
        context.close(promise: nil)
        exchange.closed(self)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text where frame.fin:
            requests += 1
            guard requests <= Self.requestLimit else { return }
            // A client that sends requests but does not read the answers is cut, as venues cut a
            // slow consumer: its answers would pile up without bound.
            guard context.channel.isWritable else {
                context.close(promise: nil)
                return
            }
            var bytes = frame.unmaskedData
            guard bytes.readableBytes <= SubscriptionLoopback.maxRequestSize, let text = bytes.readString(length: bytes.readableBytes) else { return }
            exchange.request(text, from: self)
        case .ping:
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)), promise: nil)
        case .connectionClose:
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: frame.unmaskedData))).whenComplete { _ in
                bound.value.close(promise: nil)
            }
        default:
            // Binary frames, fragments and pongs: the venues' public streams take text requests only.
            break
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A protocol error from the client (an unmasked or oversized frame): close, never crash.
        context.close(promise: nil)
    }
}

// MARK: Helpers the venues share

enum LoopbackText {
    /// `text` as a JSON string literal (quotes and control characters escaped), cut to `limit`
    /// characters: a refusal quotes what it refused, bounded.
    static func quoted(_ text: String, limit: Int = 200) -> String {
        var result = "\""
        for scalar in text.prefix(limit).unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F: result += String(format: "\\u%04x", scalar.value)
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }

    /// A JSON object parsed, or nil (a request that is not one).
    static func object(_ text: String) -> [String: Any]? {
        guard text.utf8.count <= SubscriptionLoopback.maxRequestSize else { return nil }
        return (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
    }

    /// A decimal text (`"30218.8"`, `"-0.5"`) in book units (×10⁻⁸), exactly; nil when it is not a
    /// decimal with at most 8 fraction digits or does not fit.
    static func units(_ text: String) -> Int64? {
        var negative = false
        var whole: Int64 = 0
        var fraction: Int64 = 0
        var fractionDigits = 0
        var seenPoint = false
        var digits = 0
        for (offset, character) in text.utf8.enumerated() {
            if offset == 0 && character == UInt8(ascii: "-") { negative = true; continue }
            if character == UInt8(ascii: ".") && !seenPoint { seenPoint = true; continue }
            guard character >= 0x30 && character <= 0x39 else { return nil }
            let digit = Int64(character - 0x30)
            digits += 1
            if seenPoint {
                fractionDigits += 1
                guard fractionDigits <= 8 else { if digit == 0 { continue } else { return nil } }
                fraction = fraction * 10 + digit
            } else {
                let (times, overflow) = whole.multipliedReportingOverflow(by: 10)
                guard !overflow, times <= Int64.max - digit else { return nil }
                whole = times + digit
            }
        }
        guard digits > 0 else { return nil }
        for _ in min(fractionDigits, 8)..<8 { fraction *= 10 }
        let (scaled, overflow) = whole.multipliedReportingOverflow(by: 100_000_000)
        guard !overflow, scaled <= Int64.max - fraction else { return nil }
        return negative ? -(scaled + fraction) : scaled + fraction
    }

    static func milliseconds() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
}

/// Bybit, OKX and Hyperliquid loopbacks together (the live benchmark, the three-venue tests): the
/// script's rate is the total, shared in proportion to each recording's frames. Each venue's share
/// counts the frames it sends to subscribers (see `tick()`), so the venues together send the rate
/// asked for, whatever part of each recording the client subscribes to.
public final class LoopbackVenues: @unchecked Sendable {
    public let exchanges: [SubscriptionVenue: SubscriptionLoopback]

    public init(recordings: [SubscriptionVenue: String], script: LoopbackExchange.Script = LoopbackExchange.Script(), repeating: Bool = false) throws {
        var counts: [SubscriptionVenue: Int] = [:]
        for (venue, path) in recordings { counts[venue] = try SubscriptionLoopback(venue: venue, recording: path).frameCount }
        let total = max(1, counts.values.reduce(0, +))
        var exchanges: [SubscriptionVenue: SubscriptionLoopback] = [:]
        for (venue, path) in recordings {
            var own = script
            own.framesPerSecond = script.framesPerSecond.map { max(1, $0 * Double(counts[venue] ?? 0) / Double(total)) }
            exchanges[venue] = try SubscriptionLoopback(venue: venue, recording: path, script: own, repeating: repeating)
        }
        self.exchanges = exchanges
    }

    public func start() throws {
        for exchange in exchanges.values { try exchange.start() }
    }

    public func stop() {
        for exchange in exchanges.values { exchange.stop() }
    }

    /// Every loopback has gone through its recording.
    public var finished: Bool { exchanges.values.allSatisfy { $0.snapshot.finished } }

    /// `--ws-url VENUE=URL` for each, as `liqwatch live` takes them.
    public var webSocketArguments: [String] {
        SubscriptionVenue.allCases.compactMap { venue in exchanges[venue].map { ["--ws-url", "\(venue.rawValue)=\($0.baseURL)"] } }.flatMap { $0 }
    }
}
