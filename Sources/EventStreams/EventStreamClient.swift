import Foundation
import MarketFeeds
import NIOCore
import NIOPosix

/// `tcp://`: connects to the operator's server with SwiftNIO and reads its lines; when the
/// connection fails or ends, tries again after a growing backoff (0.5 s doubling to 30 s, with
/// jitter; it starts again only after a connection that lived 30 s).
final class EventStreamClient: @unchecked Sendable {
    let host: String
    let port: UInt16
    let queue: LiveQueue
    let stream: Int
    let stopFlag: StopFlag
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private let lock = NSLock()
    private var channel: (any Channel)?
    private var finished = false

    init(host: String, port: UInt16, queue: LiveQueue, stream: Int, stop: StopFlag) {
        self.host = host
        self.port = port
        self.queue = queue
        self.stream = stream
        self.stopFlag = stop
    }

    func start(name: String) {
        let worker = Thread { [self] in run() }
        worker.name = name
        worker.start()
    }

    func stop() {
        stopFlag.set()
        lock.withLock { channel }?.close(promise: nil)
    }

    private func run() {
        defer { try? group.syncShutdownGracefully() }
        var policy = ReconnectPolicy()
        let queue = queue
        let stream = stream
        // Each connection's lines are numbered from its first; the second and later are named,
        // so a line number points into one of them.
        var connections = 0
        while !stopFlag.isSet {
            queue.push(.connection(stream: stream, .connecting))
            let sender = connections > 0 ? "connection \(connections + 1)" : nil
            let bootstrap = ClientBootstrap(group: group)
                .connectTimeout(.seconds(10))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(EventLineHandler(queue: queue, stream: stream, registry: nil, sender: sender))
                    }
                }
            var lasted: Double? = nil
            var reason: String
            do {
                let connected = try bootstrap.connect(host: host, port: Int(port)).wait()
                lock.withLock { channel = connected }
                connections += 1
                let began = Date()
                queue.push(.connection(stream: stream, .connected))
                if stopFlag.isSet { connected.close(promise: nil) }
                try? connected.closeFuture.wait()
                lock.withLock { channel = nil }
                lasted = Date().timeIntervalSince(began)
                reason = "closed by the peer"
            } catch {
                reason = "cannot connect to \(host):\(port): \(EventStreamServer.describe(error))"
            }
            if stopFlag.isSet { return }
            let delay = policy.nextDelay(connectionLasted: lasted)
            queue.push(.connection(stream: stream, .disconnected(reason: reason, retryIn: delay)))
            var left = delay
            while left > 0 && !stopFlag.isSet {
                Thread.sleep(forTimeInterval: min(0.1, left))
                left -= 0.1
            }
        }
    }
}
