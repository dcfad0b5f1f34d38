import Foundation
import Logging
import MarketFeeds
import RiskEngine
import WSClient

/// The connection loop every live WebSocket source shares: connect, run `handler` until the
/// connection ends, tell the session why, wait out the backoff (exponential with jitter; a
/// connection that lived 30 s was not a failed attempt, so the backoff starts again), and connect
/// again, until the source stops. What a connection does is each venue's own (`handler`).
enum ReconnectingWebSocket {
    static func run(url: @escaping @Sendable () -> String, logLabel: String, state: SourceState, queue: LiveQueue, stream: Int,
        handler: @escaping WebSocketDataHandler<WebSocketClient.Context>) async
    {
        var logger = Logger(label: logLabel)
        logger.logLevel = .critical
        var attempt = 0
        while !state.stopped {
            queue.push(.connection(stream: stream, .connecting))
            let began = Date()
            var reason = "closed by the server"
            do {
                let configuration = WebSocketClientConfiguration(maxFrameSize: 1 << 24)
                let close = try await WebSocketClient.connect(url: url(), configuration: configuration, logger: logger, handler: handler)
                if let close { reason = "closed by the server (\(close.closeCode))" + (close.reason.map { ": \($0)" } ?? "") }
            } catch {
                reason = String(describing: error)
            }
            if state.stopped { break }
            if Date().timeIntervalSince(began) > 30 { attempt = 0 }
            let delay = Backoff.delay(attempt: attempt)
            attempt += 1
            // The reason may quote the server: filtered and bounded before it reaches a screen.
            queue.push(.connection(stream: stream, .disconnected(reason: SafeText.escaped(String(reason.prefix(300))), retryIn: delay)))
            var waited = 0.0
            while waited < delay && !state.stopped {
                try? await Task.sleep(nanoseconds: 100_000_000)
                waited += 0.1
            }
        }
    }

    /// A message's bytes, as they arrived.
    static func bytes(of message: WebSocketMessage) -> [UInt8] {
        switch message {
        case .text(let text): return Array(text.utf8)
        case .binary(let buffer): return Array(buffer.readableBytesView)
        }
    }
}
