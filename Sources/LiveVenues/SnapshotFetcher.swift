import Foundation
import MarketFeeds
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// Fetches REST depth snapshots over SwiftNIO, bounded in size, in time and in number: at most one
/// request a symbol (a newer one closes the older), at most `maxBytes` of body, at most `timeout`
/// seconds from connecting to the last byte.
///
/// Not Foundation's URLSession: its timeout is an idle one, and on Linux it copies every chunk
/// libcurl reads onto its delegate queue without back-pressure. A server dripping an endless body
/// (an attacker's test: 64 KB every 10 ms) kept every request alive and grew memory past a
/// gigabyte in a minute; sent at full speed, the chunks waiting for the delegate grew by hundreds
/// of megabytes a second. Here the body is read on the connection's event loop as it arrives, and
/// the connection is closed the moment the answer passes a bound.
///
/// The answer (a body, or why there is none, with the exchange's `Retry-After` when it sends 429
/// or 418) goes to `deliver`, once a request, never for one a newer request replaced.
final class SnapshotFetcher: @unchecked Sendable {
    /// A 1,000-level depth snapshot is about 60 KB.
    let maxBytes: Int
    let timeout: Double
    let group: any EventLoopGroup
    let tls: TLSConfiguration

    enum Answer: Sendable {
        case body([UInt8])
        case failed(reason: String, retryAfter: Double?)
    }

    private let lock = NSLock()
    /// The request under way for each symbol: a newer one closes it.
    private var current: [String: SnapshotRequest] = [:]

    init(maxBytes: Int = 4 << 20, timeout: Double = 15, group: any EventLoopGroup = WebSocketConnection.liveGroup,
        tls: TLSConfiguration = .makeClientConfiguration())
    {
        self.maxBytes = maxBytes
        self.timeout = timeout
        self.group = group
        self.tls = tls
    }

    /// The TLS context, made once (loading the trust roots is not free).
    private var madeContext: NIOSSLContext?
    private func context() throws -> NIOSSLContext {
        try lock.withLock {
            if let madeContext { return madeContext }
            let made = try NIOSSLContext(configuration: tls)
            madeContext = made
            return made
        }
    }

    /// How many requests are under way (for tests).
    var inFlight: Int { lock.withLock { current.count } }

    func fetch(_ url: URL, symbol: String, deliver: @escaping @Sendable (Answer) -> Void) {
        let request = SnapshotRequest(maxBytes: maxBytes) { [weak self] request, answer in
            let replaced: Bool = self?.lock.withLock {
                guard self?.current[symbol] === request else { return true }
                self?.current[symbol] = nil
                return false
            } ?? false
            if !replaced { deliver(answer) }
        }
        let older = lock.withLock { () -> SnapshotRequest? in
            let older = current[symbol]
            current[symbol] = request
            return older
        }
        older?.abandon()
        guard let endpoint = Endpoint(url.absoluteString, schemes: ("http", "https")) else {
            request.finish(.failed(reason: "not an http:// or https:// URL", retryAfter: nil))
            return
        }
        let sslContext: NIOSSLContext?
        do { sslContext = endpoint.tls ? try context() : nil } catch {
            request.finish(.failed(reason: ConnectionFailureText.describe(error), retryAfter: nil))
            return
        }
        let loop = group.next()
        let limit = timeout
        loop.scheduleTask(in: .nanoseconds(Int64(timeout * 1e9))) {
            request.fail("no complete answer within \(limit == limit.rounded() ? String(Int(limit)) : String(limit)) s")
        }
        ClientBootstrap(group: loop)
            .connectTimeout(.nanoseconds(Int64(min(timeout, 10) * 1e9)))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let sslContext {
                        let isAddress = (try? SocketAddress(ipAddress: endpoint.host, port: 0)) != nil
                        try channel.pipeline.syncOperations.addHandler(
                            try NIOSSLClientHandler(context: sslContext, serverHostname: isAddress ? nil : endpoint.host))
                    }
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(SnapshotResponseReader(request: request))
                }
            }
            .connect(host: endpoint.host, port: endpoint.port)
            .whenComplete { result in
                switch result {
                case .success(let channel):
                    request.attach(channel)
                    var headers = HTTPHeaders()
                    headers.add(name: "Host", value: endpoint.hostHeader)
                    headers.add(name: "Accept", value: "application/json")
                    headers.add(name: "User-Agent", value: "liqwatch")
                    headers.add(name: "Connection", value: "close")
                    let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: endpoint.target, headers: headers)
                    channel.write(HTTPClientRequestPart.head(head), promise: nil)
                    channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
                case .failure(let error):
                    request.finish(.failed(reason: ConnectionFailureText.describe(error), retryAfter: nil))
                }
            }
    }
}

/// One request: its connection once made, and its answer, given once.
final class SnapshotRequest: @unchecked Sendable {
    let maxBytes: Int
    private let lock = NSLock()
    private var channel: (any Channel)?
    /// Answered, or replaced by a newer request: nothing more is told, the connection is closed.
    private var over = false
    private let onAnswer: @Sendable (SnapshotRequest, SnapshotFetcher.Answer) -> Void

    init(maxBytes: Int, onAnswer: @escaping @Sendable (SnapshotRequest, SnapshotFetcher.Answer) -> Void) {
        self.maxBytes = maxBytes
        self.onAnswer = onAnswer
    }

    /// The connection, once made (closed at once if the request is already over).
    func attach(_ channel: any Channel) {
        let isOver = lock.withLock { () -> Bool in
            self.channel = channel
            return over
        }
        if isOver { channel.close(promise: nil) }
    }

    /// The answer, told once; the connection is closed.
    func finish(_ answer: SnapshotFetcher.Answer) {
        guard let channel = end() else { return }
        channel?.close(promise: nil)
        onAnswer(self, answer)
    }

    func fail(_ reason: String) { finish(.failed(reason: reason, retryAfter: nil)) }

    /// Replaced by a newer request: closed, and its answer goes nowhere.
    func abandon() {
        if let channel = end() { channel?.close(promise: nil) }
    }

    /// Ends the request: its connection (itself optional), or nil when it had already ended.
    private func end() -> (any Channel)?? {
        lock.withLock {
            guard !over else { return nil }
            over = true
            return .some(channel)
        }
    }
}

/// Reads the answer as it arrives, on the event loop: the status and `Retry-After`, then the body,
/// closing the connection the moment it passes the bound.
final class SnapshotResponseReader: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPClientResponsePart

    let request: SnapshotRequest
    private var status = 0
    private var retryAfter: Double?
    private var body: [UInt8] = []

    init(request: SnapshotRequest) { self.request = request }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            status = Int(head.status.code)
            // Bounded where it is read: a hostile `Retry-After: 1e300` must not trap a later Int().
            retryAfter = head.headers.first(name: "Retry-After").flatMap { Double($0.trimmingCharacters(in: .whitespaces)) }
                .flatMap { $0.isFinite && $0 >= 0 ? min($0, 86_400) : nil }
            if let length = head.headers.first(name: "Content-Length").flatMap(Int.init), length > request.maxBytes { tooLarge() }
        case .body(var buffer):
            // An error page is kept only for its first words.
            if status != 200 {
                let room = max(0, 200 - body.count)
                if room > 0, let bytes = buffer.readBytes(length: min(room, buffer.readableBytes)) { body += bytes }
                return
            }
            guard body.count + buffer.readableBytes <= request.maxBytes else { return tooLarge() }
            body += buffer.readableBytesView
        case .end:
            if status == 200 {
                request.finish(.body(body))
            } else {
                let words = String(decoding: body, as: UTF8.self)
                let wait = retryAfter.map { ", retry after \(Int($0.rounded())) s" } ?? ""
                request.finish(.failed(reason: "HTTP \(status)\(wait)" + (words.isEmpty ? "" : ": " + words),
                    retryAfter: status == 429 || status == 418 ? retryAfter : nil))
            }
        }
    }

    private func tooLarge() {
        let limit = request.maxBytes >= 1 << 20 ? "\(request.maxBytes >> 20) MB" : "\(request.maxBytes) bytes"
        body = []
        request.fail("the answer is larger than \(limit)")
    }

    func channelInactive(context: ChannelHandlerContext) {
        request.fail("the connection closed before the answer was complete")
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        request.fail(ConnectionFailureText.describe(error))
        context.close(promise: nil)
    }
}
