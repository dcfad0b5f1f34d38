import Foundation
import MarketFeeds
import RiskEngine

/// The connection loop every live WebSocket source shares: connect, run the connection until it
/// ends, tell the session why, wait out the backoff (exponential with jitter; a connection that
/// lived 30 s was not a failed attempt, so the backoff starts again), and connect again, until the
/// source stops. What a connection does with its messages is each venue's own (`behaviour`, run on
/// the connection's event loop, see `WebSocketConnection`).
enum ReconnectingWebSocket {
    /// The largest message (and frame) accepted: Binance's all-market mark arrays and OKX's 400-level
    /// snapshots are far below; anything larger closes the connection (1009).
    static let maxMessageSize = 1 << 24

    static func run(url: @escaping @Sendable () -> String, state: SourceState, queue: LiveQueue, stream: Int,
        behaviour: WebSocketBehaviour) async
    {
        var attempt = 0
        while !state.stopped {
            queue.push(.connection(stream: stream, .connecting))
            let began = Date()
            var reason = "closed by the server"
            do {
                let end = try await WebSocketConnection.run(url: url(), maxMessageSize: maxMessageSize, queue: queue, stream: stream,
                    behaviour: behaviour)
                if let code = end.closeCode {
                    reason = "closed by the server (\(code))" + (end.closeReason.flatMap { $0.isEmpty ? nil : ": \($0)" } ?? "")
                } else if let error = end.error {
                    reason = error
                }
            } catch {
                reason = ConnectionFailureText.describe(error)
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
}
