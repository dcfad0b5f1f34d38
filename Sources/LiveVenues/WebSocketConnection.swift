import Foundation
import MarketFeeds
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOWebSocket
import Synchronization

/// What a venue's connection does, run on the connection's NIO event loop (so nothing here may
/// block or take long: a few bytes' checks per message).
struct WebSocketBehaviour: Sendable {
    /// Right after the upgrade: the requests to send first (subscriptions), and the connection's
    /// outlet, through which other threads have requests sent later (re-subscriptions).
    var opened: @Sendable (_ send: (String) -> Void, _ outlet: WebSocketOutlet) -> Void = { _, _ in }
    /// One message as it arrived: the items it becomes, appended to the batch (a frame; a venue's
    /// notice; nothing for a heartbeat).
    var message: @Sendable (_ bytes: [UInt8], _ receiveTime: Int64, _ items: inout [LiveItem]) -> Void
    /// Called every `tickInterval` seconds while the connection is up (the venue's application
    /// ping); nil: no timer at all, so an idle connection costs no wake-ups.
    var tickInterval: Double? = nil
    var tick: @Sendable (_ send: (String) -> Void) -> Void = { _ in }
    /// Seconds without a message (data, or the answer to the venue's own ping) after which the
    /// connection is given up and made again. A half-open link (a NAT or a load balancer that
    /// dropped it) sends nothing and errs nothing, and a venue that stops sending market data but
    /// still answers WebSocket pings is as dead to the operator: without this the session stayed
    /// STALE on it until someone restarted liqwatch. Every venue sends something at least every
    /// few seconds (Binance its marks each second; Bybit and OKX answer their pings every 20 s,
    /// Hyperliquid every 30 s), so 45 s of silence is a dead connection. Control frames (the
    /// WebSocket layer's pings and pongs) do not count: they say the socket is up, not the feed.
    var silenceLimit: Double = 45
}

/// How long a quiet WebSocket stream's next read waits, for every connection of the process
/// (see `WebSocketBatchReader.read`): `liqwatch live --read-pace MS`, 0 to read at once.
public enum ReadPace {
    public static let defaultMilliseconds = 20
    static let nanoseconds = Atomic<Int64>(Int64(defaultMilliseconds) * 1_000_000)

    public static func set(milliseconds: Int) {
        nanoseconds.store(Int64(max(0, milliseconds)) * 1_000_000, ordering: .relaxed)
    }
}

/// An open connection, for other threads: what they want sent is sent on its event loop, if it
/// is still open then.
struct WebSocketOutlet: Sendable {
    let eventLoop: any EventLoop
    let reader: WebSocketBatchReader

    func perform(_ body: @escaping @Sendable (_ send: (String) -> Void) -> Void) {
        let reader = self.reader
        eventLoop.execute { reader.sendIfOpen(body) }
    }
}

/// Where a `ws://` or `wss://` URL points (or, with `schemes`, an `http://` or `https://` one: the
/// REST snapshots). Only what a client needs; anything else is refused before a socket opens.
struct Endpoint: Equatable, Sendable {
    var tls: Bool
    var host: String
    var port: Int
    /// Path and query, as sent in the request line (`/stream?streams=...`).
    var target: String
    /// The Host header: the port only when the URL names one.
    var hostHeader: String

    init?(_ url: String, schemes: (plain: String, secure: String) = ("ws", "wss")) {
        let schemeEnd = url.range(of: "://")
        guard let schemeEnd else { return nil }
        switch url[..<schemeEnd.lowerBound].lowercased() {
        case schemes.plain: tls = false
        case schemes.secure: tls = true
        default: return nil
        }
        let rest = url[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        var path = String(rest[authorityEnd...])
        if let fragment = path.firstIndex(of: "#") { path = String(path[..<fragment]) }
        if path.isEmpty || path.hasPrefix("?") { path = "/" + path }
        // No user info, no spaces or control characters in the request line.
        guard !authority.isEmpty, !authority.contains("@"), path.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return nil }
        var hostPart = Substring(authority)
        var portPart: Substring?
        if authority.hasPrefix("[") {
            // An IPv6 literal: [::1]:8080
            guard let close = authority.firstIndex(of: "]") else { return nil }
            hostPart = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { return nil }
                portPart = after.dropFirst()
            }
        } else if let colon = authority.lastIndex(of: ":") {
            hostPart = authority[..<colon]
            portPart = authority[authority.index(after: colon)...]
        }
        guard !hostPart.isEmpty, hostPart.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return nil }
        host = String(hostPart)
        if let portPart {
            guard let number = Int(portPart), (1...65_535).contains(number) else { return nil }
            port = number
        } else {
            port = tls ? 443 : 80
        }
        target = path
        hostHeader = String(authority)
    }
}

/// Why a connection attempt failed before any message (the reason reaches the health view).
struct WebSocketConnectError: Error, CustomStringConvertible {
    let description: String
}

/// How a connection ended.
struct WebSocketEnd: Sendable {
    /// The server's close frame, if it sent one: its code and reason (bounded by the protocol's 125
    /// bytes for a control frame; filtered by the caller before display).
    var closeCode: WebSocketErrorCode?
    var closeReason: String?
    /// What else ended the connection (a protocol violation, a reset, a message too large).
    var error: String?
}

/// One WebSocket connection on SwiftNIO, read on its event loop: each message is turned into
/// queue items right there and a read burst's items reach the session's queue in one hand-over
/// (one lock, at most one wake of the session's thread), not one task hop per message as with an
/// async client, whose per-message hop from the event loop to a task and on to the queue was most
/// of a live session's CPU.
enum WebSocketConnection {
    /// One event loop thread for every live connection: the session applies everything on one
    /// thread anyway, and one reader thread means fewer threads to wake (bursts of several venues
    /// that arrive together are read in one wake-up). Lives as long as the process, like NIO's singleton.
    static let liveGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)

    /// Connects, upgrades, runs until the connection closes (or the task is cancelled: the
    /// connection is closed), and says how it ended. Throws when it never came up.
    /// `tls`: for wss://, the system's trust roots and full verification unless a test says otherwise.
    static func run(url: String, maxMessageSize: Int, queue: LiveQueue, stream: Int, behaviour: WebSocketBehaviour,
        group: any EventLoopGroup = WebSocketConnection.liveGroup, tls: TLSConfiguration = .makeClientConfiguration()) async throws -> WebSocketEnd
    {
        guard let endpoint = Endpoint(url) else { throw WebSocketConnectError(description: "not a ws:// or wss:// URL") }
        let sslContext = endpoint.tls ? try NIOSSLContext(configuration: tls) : nil
        let holder = ChannelHolder()
        return try await withTaskCancellationHandler {
            let bootstrap = ClientBootstrap(group: group)
                .connectTimeout(.seconds(10))
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
            let upgrade: EventLoopFuture<WebSocketBatchReader?> = try await bootstrap.connect(host: endpoint.host, port: endpoint.port) { channel in
                holder.set(channel)
                return channel.eventLoop.makeCompletedFuture {
                    // The socket's bytes, counted before TLS and the frame decoder: a message still
                    // arriving makes a stream busy too (see `WebSocketBatchReader.read`).
                    let counter = InboundByteCounter()
                    try channel.pipeline.syncOperations.addHandler(counter)
                    return try configure(channel: channel, endpoint: endpoint, sslContext: sslContext, maxMessageSize: maxMessageSize) {
                        let reader = WebSocketBatchReader(queue: queue, stream: stream, maxMessageSize: maxMessageSize, behaviour: behaviour,
                            eventLoop: channel.eventLoop)
                        reader.socketBytes = counter
                        return reader
                    }
                }
            }
            // A server that accepts the socket but never answers the upgrade is given up on.
            let channel = holder.channel
            let timeout = channel?.eventLoop.scheduleTask(in: .seconds(15)) { channel?.close(promise: nil) }
            defer { timeout?.cancel() }
            let reader: WebSocketBatchReader?
            do { reader = try await upgrade.get() } catch {
                channel?.close(promise: nil)
                throw error
            }
            timeout?.cancel()
            guard let reader else {
                channel?.close(promise: nil)
                throw WebSocketConnectError(description: "the server refused the WebSocket upgrade")
            }
            return try await reader.ended.get()
        } onCancel: {
            holder.close()
        }
    }

    /// The pipeline of a new connection: TLS if wss, HTTP/1.1 for the upgrade request, then
    /// NIO's frame decoder (frames bounded by `maxMessageSize`) and encoder, and the reader `makeReader` makes.
    static func configure(channel: any Channel, endpoint: Endpoint, sslContext: NIOSSLContext?, maxMessageSize: Int,
        makeReader: @escaping @Sendable () -> WebSocketBatchReader) throws -> EventLoopFuture<WebSocketBatchReader?>
    {
        if let sslContext {
            // No SNI for an address literal (TLS forbids it; NIOSSL refuses it).
            let isAddress = (try? SocketAddress(ipAddress: endpoint.host, port: 0)) != nil
            let handler = try NIOSSLClientHandler(context: sslContext, serverHostname: isAddress ? nil : endpoint.host)
            try channel.pipeline.syncOperations.addHandler(handler)
        }
        // The reader answers the decoder's refusals itself (`errorCaught`): NIO's own handler
        // closed the socket before the reader heard why.
        let upgrader = NIOTypedWebSocketClientUpgrader<WebSocketBatchReader?>(maxFrameSize: maxMessageSize, enableAutomaticErrorHandling: false) {
            channel, _ in
            channel.eventLoop.makeCompletedFuture {
                let reader = makeReader()
                try channel.pipeline.syncOperations.addHandler(reader)
                return reader
            }
        }
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: endpoint.hostHeader)
        headers.add(name: "Origin", value: (endpoint.tls ? "wss://" : "ws://") + endpoint.host)
        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: endpoint.target, headers: headers)
        let upgrade = NIOTypedHTTPClientUpgradeConfiguration<WebSocketBatchReader?>(upgradeRequestHead: head, upgraders: [upgrader]) { channel in
            channel.eventLoop.makeSucceededFuture(nil)
        }
        var configuration = NIOUpgradableHTTPClientPipelineConfiguration(upgradeConfiguration: upgrade)
        configuration.leftOverBytesStrategy = .forwardBytes
        let upgraded = try channel.pipeline.syncOperations.configureUpgradableHTTPClientPipeline(configuration: configuration)
        // The upgrade handler refuses writes until the upgrade is complete, and completes this
        // future (on the event loop, so its callbacks run at once) before it hands on the frames
        // that came with the server's answer: the reader starts here, ahead of any frame.
        upgraded.whenSuccess { reader in reader?.start() }
        return upgraded
    }
}

/// Counts the bytes a connection's socket gives, ahead of every other handler (on the event loop).
final class InboundByteCounter: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    private(set) var bytes = 0

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        bytes &+= unwrapInboundIn(data).readableBytes
        context.fireChannelRead(data)
    }
}

/// The channel of an attempt, for closing it when the task is cancelled (set on the event loop,
/// read from the cancelling thread).
final class ChannelHolder: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: (any Channel)?
    private var cancelled = false

    func set(_ channel: any Channel) {
        lock.lock()
        stored = channel
        let close = cancelled
        lock.unlock()
        if close { channel.close(promise: nil) }
    }

    var channel: (any Channel)? {
        lock.lock(); defer { lock.unlock() }
        return stored
    }

    func close() {
        lock.lock()
        cancelled = true
        let channel = stored
        lock.unlock()
        channel?.close(promise: nil)
    }
}

/// Reads an upgraded connection's frames on its event loop: answers pings, answers and records a
/// close, reassembles fragmented messages (bounded), turns each message into queue items with the
/// venue's `behaviour`, and hands the items of a read burst to the session's queue at once.
///
/// Bounds: a batch is handed over when it holds `batchItems` items or `batchBytes` bytes, and at
/// the end of every read. When the queue is full the batch waits here and no further read is asked
/// of the socket (TCP's back-pressure reaches the venue), so what waits is at most one batch plus
/// the frames of the one socket read under way; the hand-over is tried again every millisecond.
/// A message larger than `maxMessageSize` closes the connection (1009), as the frame decoder does
/// for a single frame.
final class WebSocketBatchReader: ChannelDuplexHandler, RemovableChannelHandler, @unchecked Sendable {
    // @unchecked Sendable: made and then touched only on its channel's event loop (NIO calls a
    // handler on that loop alone); it crosses to the connecting task only for `ended`, a future.
    typealias InboundIn = WebSocketFrame
    typealias OutboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    static let batchItems = 1_024
    static let batchBytes = 4 << 20

    let queue: LiveQueue
    let stream: Int
    let maxMessageSize: Int
    let behaviour: WebSocketBehaviour
    private(set) var batch: [LiveItem] = []
    private var batchByteCount = 0
    /// The first frames of a fragmented message, and its opcode.
    private var fragments: ByteBuffer?
    /// A full queue refused the batch: reads are held until it is taken.
    private(set) var holding = false
    private var readWanted = false
    private var retry: Scheduled<Void>?
    /// The next read, waiting for the pace's next tick (see `readPace`).
    private var pacedRead: Scheduled<Void>?
    /// Bytes of messages read since the last read was asked for: a busy stream is read at once.
    private var bytesSinceRead = 0
    /// The socket's bytes (before TLS and the frame decoder), and their count at the last read: a
    /// large message still arriving, which no message has come of yet, is as busy.
    var socketBytes: InboundByteCounter?
    private var socketBytesAtRead = 0
    private var ticker: RepeatedTask?
    /// Checks the connection's silence (see `WebSocketBehaviour.silenceLimit`).
    private var watchdog: RepeatedTask?
    private var lastReceived = NIODeadline.now()
    private var sentClose = false
    private var closed = false
    private var started = false
    private var context: ChannelHandlerContext?
    private var end = WebSocketEnd()
    private let endPromise: EventLoopPromise<WebSocketEnd>

    init(queue: LiveQueue, stream: Int, maxMessageSize: Int, behaviour: WebSocketBehaviour, eventLoop: any EventLoop) {
        self.queue = queue
        self.stream = stream
        self.maxMessageSize = maxMessageSize
        self.behaviour = behaviour
        endPromise = eventLoop.makePromise(of: WebSocketEnd.self)
    }

    /// How the connection ended, once it is closed and everything it read was handed over (or
    /// the queue closed).
    var ended: EventLoopFuture<WebSocketEnd> { endPromise.futureResult }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    /// The upgrade is complete: the HTTP handlers refuse writes until then, and the frames that
    /// came with the server's answer are delivered only after this (see `configure`). Sends the
    /// venue's first requests, tells the session the connection is up (before any of its frames),
    /// and starts the venue's timer.
    func start() {
        guard let context, !started, !closed else { return }
        started = true
        behaviour.opened({ send(text: $0, context: context) }, WebSocketOutlet(eventLoop: context.eventLoop, reader: self))
        batch.insert(.connection(stream: stream, .connected), at: 0)
        handOver(context: context)
        lastReceived = context.eventLoop.now
        let watched = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let every = TimeAmount.nanoseconds(Int64(max(0.05, behaviour.silenceLimit / 9) * 1e9))
        watchdog = context.eventLoop.scheduleRepeatedTask(initialDelay: every, delay: every) { _ in
            let (reader, context) = watched.value
            reader.checkSilence(context: context)
        }
        if let interval = behaviour.tickInterval {
            let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            let every = TimeAmount.nanoseconds(Int64(interval * 1e9))
            ticker = context.eventLoop.scheduleRepeatedTask(initialDelay: every, delay: every) { _ in
                let (reader, context) = bound.value
                guard !reader.closed else { return }
                reader.behaviour.tick { reader.send(text: $0, context: context) }
            }
        }
    }

    /// Runs `body` with a sender if the connection is still open (on the event loop).
    func sendIfOpen(_ body: (_ send: (String) -> Void) -> Void) {
        guard let context, !closed else { return }
        body { send(text: $0, context: context) }
    }

    func send(text: String, context: ChannelHandlerContext) {
        guard !sentClose && !closed else { return }
        // A client masks every frame it sends (RFC 6455 5.3).
        let frame = WebSocketFrame(fin: true, opcode: .text, maskKey: .random(), data: context.channel.allocator.buffer(string: text))
        context.writeAndFlush(wrapOutboundOut(frame), promise: nil)
    }

    /// Gives up a connection silent for `silenceLimit`.
    func checkSilence(context: ChannelHandlerContext) {
        guard !closed && !sentClose else { return }
        // Held reads (a full queue) are not silence: the connection has not been asked to read.
        if holding || readWanted {
            lastReceived = context.eventLoop.now
            return
        }
        let silent = Double((context.eventLoop.now - lastReceived).nanoseconds) / 1e9
        if silent >= behaviour.silenceLimit {
            if end.error == nil { end.error = "nothing received for \(Int(silent.rounded())) s: the connection was given up and made again" }
            sentClose = true
            var data = context.channel.allocator.buffer(capacity: 2)
            data.write(webSocketErrorCode: .goingAway)
            let frame = WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: data)
            context.writeAndFlush(wrapOutboundOut(frame), promise: nil)
            // A dead link may never complete the close: the socket is closed now.
            context.close(promise: nil)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        // RFC 6455 5.1 and 5.2: a server never masks its frames, and no extension was agreed, so
        // no reserved bit may be set: the client closes the connection (1002).
        if frame.maskKey != nil { return fail(.protocolError, "a masked frame", context: context) }
        if frame.rsv1 || frame.rsv2 || frame.rsv3 { return fail(.protocolError, "a frame with a reserved bit set", context: context) }
        switch frame.opcode {
        case .text, .binary:
            // A whole message is what ends a silence (see `WebSocketBehaviour.silenceLimit`), not
            // the WebSocket layer's control frames, nor a fragment: a server that opened a message
            // and then sent an empty continuation frame every half second held a dead feed STALE
            // for good, never given up (attacker trial).
            guard fragments == nil else { return fail(.protocolError, "a new message inside a fragmented one", context: context) }
            if frame.fin {
                lastReceived = context.eventLoop.now
                deliver(frame.unmaskedData, context: context)
            } else {
                fragments = frame.unmaskedData
            }
        case .continuation:
            if frame.fin { lastReceived = context.eventLoop.now }
            guard var buffer = fragments else { return fail(.protocolError, "a continuation frame outside a message", context: context) }
            var data = frame.unmaskedData
            guard buffer.readableBytes + data.readableBytes <= maxMessageSize else {
                fragments = nil
                return fail(.messageTooLarge, "a message larger than \(maxMessageSize) bytes", context: context)
            }
            fragments = nil
            buffer.writeBuffer(&data)
            if frame.fin { deliver(buffer, context: context) } else { fragments = buffer }
        case .ping:
            guard !sentClose else { return }
            // Answered only while the socket takes what is written: a server that sends pings
            // without end and never reads had every pong queued, 95 MB a second, until an
            // allocation of 512 MB failed (attacker trial). RFC 6455 5.5.3 lets an endpoint answer
            // only the latest ping; the next ping after the socket drains is answered.
            guard context.channel.isWritable else { return }
            let pong = WebSocketFrame(fin: true, opcode: .pong, maskKey: .random(), data: frame.unmaskedData)
            context.writeAndFlush(wrapOutboundOut(pong), promise: nil)
        case .pong:
            break
        case .connectionClose:
            var data = frame.unmaskedData
            end.closeCode = data.readWebSocketErrorCode()
            end.closeReason = data.readString(length: min(data.readableBytes, 123))
            if !sentClose {
                // Answer with the same code, then close (the server closes its side too).
                sentClose = true
                var reply = context.channel.allocator.buffer(capacity: 2)
                reply.write(webSocketErrorCode: end.closeCode ?? .normalClosure)
                let frame = WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: reply)
                let channel = context.channel
                context.writeAndFlush(wrapOutboundOut(frame)).whenComplete { _ in channel.close(promise: nil) }
            } else {
                context.close(promise: nil)
            }
        default:
            fail(.protocolError, "an unknown opcode", context: context)
        }
    }

    /// One whole message: the venue's items for it, handed over when the batch is full.
    private func deliver(_ buffer: ByteBuffer, context: ChannelHandlerContext) {
        let bytes = Array(buffer.readableBytesView)
        behaviour.message(bytes, LiveClock.wallNanoseconds(), &batch)
        batchByteCount += bytes.count
        bytesSinceRead += bytes.count
        if batch.count >= Self.batchItems || batchByteCount >= Self.batchBytes { handOver(context: context) }
    }

    /// A protocol violation by the server: close with `code`; the connection's end says why.
    private func fail(_ code: WebSocketErrorCode, _ why: String, context: ChannelHandlerContext) {
        if end.error == nil { end.error = "the server sent \(why)" }
        guard !sentClose else { return }
        sentClose = true
        var data = context.channel.allocator.buffer(capacity: 2)
        data.write(webSocketErrorCode: code)
        let frame = WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: data)
        let channel = context.channel
                context.writeAndFlush(wrapOutboundOut(frame)).whenComplete { _ in channel.close(promise: nil) }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        handOver(context: context)
        context.fireChannelReadComplete()
    }

    /// The batch to the queue in one go; a full queue holds it (and the reads) and is tried again.
    private func handOver(context: ChannelHandlerContext) {
        guard !batch.isEmpty, !holding else { return }
        switch queue.offer(batch) {
        case .accepted, .closed:
            // Closed: the session is stopping and its source too; nothing waits for these.
            batch.removeAll(keepingCapacity: true)
            batchByteCount = 0
            if closed { finish() }
        case .full:
            holding = true
            let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            retry = context.eventLoop.scheduleTask(in: .milliseconds(1)) {
                let (reader, context) = bound.value
                reader.holding = false
                reader.handOver(context: context)
                if !reader.holding && reader.readWanted && !reader.closed {
                    reader.readWanted = false
                    context.read()
                }
            }
        }
    }

    /// Reads are paced: a quiet stream's next read waits for the next tick of a 20 ms grid that
    /// every connection of the event loop shares, so the frames of every venue that arrived
    /// meanwhile are read in one wake of the loop (and handed over in one wake of the session)
    /// instead of one wake per frame or two: at 1,000 messages a second over four venues the
    /// loop woke 310 times a second, each wake (epoll, a read, a context switch) costing more
    /// than the frames it read. A frame waits at most 20 ms more, less than a frame of the
    /// dashboard. A busy stream (64 KB or more since the last read, counted as messages and as the
    /// socket's bytes: a snapshot, a flood, one large message still arriving) is read again at
    /// once, so pacing never throttles what the venue sends.
    static let busyReadBytes = 64 << 10
    static var readPace: Int64 { ReadPace.nanoseconds.load(ordering: .relaxed) }

    func read(context: ChannelHandlerContext) {
        if holding { readWanted = true; return }
        let pace = Self.readPace
        let socketBytesSinceRead = (socketBytes?.bytes ?? 0) &- socketBytesAtRead
        guard bytesSinceRead < Self.busyReadBytes, socketBytesSinceRead < Self.busyReadBytes, !closed, pace > 0 else {
            bytesSinceRead = 0
            socketBytesAtRead = socketBytes?.bytes ?? 0
            context.read()
            return
        }
        guard pacedRead == nil else { return }
        let now = context.eventLoop.now.uptimeNanoseconds
        let tick = (now / UInt64(pace) + 1) * UInt64(pace)
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        pacedRead = context.eventLoop.scheduleTask(deadline: NIODeadline.uptimeNanoseconds(tick)) {
            let (reader, context) = bound.value
            reader.pacedRead = nil
            reader.bytesSinceRead = 0
            reader.socketBytesAtRead = reader.socketBytes?.bytes ?? 0
            guard !reader.closed else { return }
            if reader.holding { reader.readWanted = true } else { context.read() }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // The frame decoder's own refusals, closed with their code and said as what they are: with
        // NIO's automatic handling the socket closed before this handler heard of the error, and a
        // 17 MiB frame read `closed by the server` (attacker trial).
        if let frameError = error as? NIOWebSocketError {
            // Closing already (a close sent before): the socket goes now.
            let alreadyClosing = sentClose
            switch frameError {
            case .invalidFrameLength: fail(.messageTooLarge, "a frame larger than \(maxMessageSize) bytes", context: context)
            case .fragmentedControlFrame: fail(.protocolError, "a fragmented control frame", context: context)
            case .multiByteControlFrameLength: fail(.protocolError, "a control frame longer than 125 bytes", context: context)
            }
            if alreadyClosing { context.close(promise: nil) }
            return
        }
        if end.error == nil { end.error = ConnectionFailureText.describe(error) }
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        closed = true
        pacedRead?.cancel()
        pacedRead = nil
        ticker?.cancel()
        ticker = nil
        watchdog?.cancel()
        watchdog = nil
        // A message cut in the middle is dropped: it never arrived whole.
        fragments = nil
        if batch.isEmpty { finish() } else { handOver(context: context) }
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        ticker?.cancel()
        watchdog?.cancel()
        pacedRead?.cancel()
        if !closed {
            closed = true
            retry?.cancel()
            finish()
        }
    }

    private func finish() {
        retry?.cancel()
        retry = nil
        endPromise.succeed(end)
    }
}
