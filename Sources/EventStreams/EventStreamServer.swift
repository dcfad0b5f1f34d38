import Foundation
import MarketFeeds
import NIOCore
import NIOPosix

/// `listen://`: a SwiftNIO server that takes several publishers at once, each connection's lines cut
/// with the same bound as a file's. A connection that stays silent past the idle timeout is closed,
/// and when all slots are taken a new publisher closes the one silent the longest, so a client that
/// connects and sends nothing can never keep the real publisher out. Silence is counted in lines
/// with something in them, and a connection that has sent none goes first: clients sending a space
/// every 50 ms, a new one each time, closed a publisher of a line every two seconds (attacker trial).
final class EventStreamServer: @unchecked Sendable {
    let group: MultiThreadedEventLoopGroup
    let channel: any Channel
    let port: Int?

    private init(group: MultiThreadedEventLoopGroup, channel: any Channel) {
        self.group = group
        self.channel = channel
        port = channel.localAddress?.port
    }

    /// Binds now (so a port in use fails the command before anything runs) and serves until `stop`.
    static func start(host: String, port: UInt16, limits: EventStreamSource.ListenLimits, queue: LiveQueue, stream: Int)
        throws(LiveStartError) -> EventStreamServer
    {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let registry = PublisherRegistry(limits: limits, queue: queue, stream: stream)
        let idle = TimeAmount.milliseconds(Int64(max(0.05, limits.idleTimeout) * 1000))
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 32)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: idle))
                    try channel.pipeline.syncOperations.addHandler(EventLineHandler(queue: queue, stream: stream, registry: registry))
                }
            }
        let channel: any Channel
        do {
            channel = try bootstrap.bind(host: host, port: Int(port)).wait()
        } catch {
            try? group.syncShutdownGracefully()
            throw LiveStartError("cannot listen on \(host):\(port): \(Self.describe(error))")
        }
        queue.push(.connection(stream: stream, .listening))
        return EventStreamServer(group: group, channel: channel)
    }

    func stop() {
        try? channel.close().wait()
        try? group.syncShutdownGracefully()
    }

    static func describe(_ error: any Error) -> String {
        if let io = error as? IOError { return String(cString: strerror(io.errnoCode)) }
        return String(describing: error)
    }
}

/// The publishers connected to one `listen://` source. Touched only on its event loop's thread.
final class PublisherRegistry: @unchecked Sendable {
    struct Entry {
        let channel: any Channel
        /// When it connected, and when it last sent a line (nil: never).
        let connected: NIODeadline
        var lastLine: NIODeadline?

        /// Closed before `other` to make room: one that never sent a line before one that has,
        /// then the one silent the longest.
        func goesBefore(_ other: Entry) -> Bool {
            switch (lastLine, other.lastLine) {
            case (nil, nil): return connected < other.connected
            case (nil, _): return true
            case (_, nil): return false
            case let (mine?, theirs?): return mine < theirs
            }
        }
    }

    let limits: EventStreamSource.ListenLimits
    let queue: LiveQueue
    let stream: Int
    private var entries: [ObjectIdentifier: Entry] = [:]

    init(limits: EventStreamSource.ListenLimits, queue: LiveQueue, stream: Int) {
        self.limits = limits
        self.queue = queue
        self.stream = stream
    }

    func add(_ channel: any Channel) {
        var note: String? = nil
        if entries.count >= limits.maximumPublishers,
            let (key, oldest) = entries.min(by: { $0.value.goesBefore($1.value) })
        {
            entries[key] = nil
            oldest.channel.close(promise: nil)
            note = "\(limits.maximumPublishers) publishers connected: closed the one silent the longest"
        }
        entries[ObjectIdentifier(channel)] = Entry(channel: channel, connected: .now(), lastLine: nil)
        queue.push(.connection(stream: stream, .publishers(count: entries.count, note: note)))
    }

    /// Whether `channel` is still among the publishers (one closed to make room is not).
    func isRegistered(_ channel: any Channel) -> Bool { entries[ObjectIdentifier(channel)] != nil }

    /// A line with something in it came from `channel`.
    func heardLine(from channel: any Channel) {
        entries[ObjectIdentifier(channel)]?.lastLine = .now()
    }

    func remove(_ channel: any Channel, note: String?) {
        guard entries.removeValue(forKey: ObjectIdentifier(channel)) != nil || note != nil else { return }
        queue.push(.connection(stream: stream, .publishers(count: entries.count, note: note)))
    }
}

/// Cuts one connection's bytes into event lines (bounded) and hands them to the session's queue.
/// The queue waits when it is full, which stops this loop reading: the senders feel TCP's
/// back-pressure instead of liqwatch's memory growing.
final class EventLineHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer

    let queue: LiveQueue
    let stream: Int
    let registry: PublisherRegistry?
    private var splitter = BoundedLineSplitter()
    private var closedForIdleness = false
    /// This connection's lines, numbered from its first.
    private var origin: EventLineOrigin

    /// `sender`: how a client's connection is named (nil for its first); a publisher is named by
    /// its address once connected.
    init(queue: LiveQueue, stream: Int, registry: PublisherRegistry?, sender: String? = nil) {
        self.queue = queue
        self.stream = stream
        self.registry = registry
        origin = EventLineOrigin(sender: sender)
    }

    func channelActive(context: ChannelHandlerContext) {
        if registry != nil { origin.sender = "from " + Self.peerName(context.channel.remoteAddress) }
        registry?.add(context.channel)
        context.fireChannelActive()
    }

    /// A publisher's address as an operator reads it: `10.0.0.5:51234`, `[::1]:51234`.
    static func peerName(_ address: SocketAddress?) -> String {
        guard let address, let host = address.ipAddress else { return "an unknown peer" }
        let port = address.port.map { ":\($0)" } ?? ""
        return (host.contains(":") ? "[\(host)]" : host) + port
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        let queue = queue
        let stream = stream
        var heard = false
        var origin = origin
        buffer.withUnsafeReadableBytes { bytes in
            splitter.feed(bytes) { if EventLines.emit($0, queue: queue, stream: stream, origin: &origin) { heard = true } }
        }
        self.origin = origin
        if heard { registry?.heardLine(from: context.channel) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        let queue = queue
        let stream = stream
        // A publisher's last line without its newline is read when the publisher closes; one
        // liqwatch cut off (idle, or closed to make room) was mid-line because liqwatch closed
        // it, and was counted malformed against a stream that sent nothing wrong (attacker trial).
        let closedByLiqwatch = closedForIdleness || registry.map { !$0.isRegistered(context.channel) } == true
        var origin = origin
        if !closedByLiqwatch { splitter.finish { EventLines.emit($0, queue: queue, stream: stream, origin: &origin) } }
        registry?.remove(context.channel, note: closedForIdleness ? "closed a publisher silent for \(Int(registry?.limits.idleTimeout ?? 0)) s" : nil)
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read {
            closedForIdleness = true
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
