import Foundation
import MarketFeeds
import RiskEngine

/// What one venue's public WebSocket asks of a client: where to connect, what to subscribe to,
/// how to keep the connection alive and how to ask again for a book. The frames themselves are
/// decoded by MarketFeeds (`VenueFrames`), as a replay of the recording decodes them.
public protocol VenueWire: Sendable {
    /// For the health view and the status bar ("bybit linear").
    var name: String { get }
    var venue: Venue { get }
    /// The markets, as the engine names them (`bybit:BTCUSDT`).
    var markets: [String] { get }
    /// The WebSocket URL to connect to.
    var url: String { get }
    /// The requests sent as soon as the connection is up.
    func subscriptions() -> [String]
    /// The requests that make the venue send a fresh snapshot of one market's book.
    func resubscription(market: String) -> [String]
    /// The venue drops a connection that sends nothing for a while: an application-level ping
    /// every this many seconds (nil: none needed).
    var pingInterval: Double? { get }
    var ping: String { get }
    /// The venue's answer to a ping (not a market frame: neither recorded nor decoded).
    func isHeartbeat(_ frame: [UInt8]) -> Bool
    /// A refusal of a request or a warning (`{"event":"error",...}`, `{"success":false,...}`):
    /// what it says.
    func notice(in frame: [UInt8]) -> String?
}

/// A live market on a venue whose books re-sync from the stream itself (Bybit, OKX, Hyperliquid):
/// one WebSocket, subscribed on every connect; a book that loses its sync is re-subscribed, and
/// its fresh snapshot arrives as an ordinary frame. Reconnects after exponential backoff with
/// jitter; the session re-syncs every book of the stream after a reconnect.
public final class VenueWebSocketSource: LiveSource, @unchecked Sendable {
    public let wire: any VenueWire
    public var name: String { wire.name }
    public var venue: Venue { wire.venue }
    /// The wire's markets, named once: the session asks for them at every pump (which books wait
    /// for a snapshot), and naming them built their strings each time.
    public let kind: LiveStreamKind
    public var format: RecordingFormat { .timestampedFrames }
    public var resyncsBySubscription: Bool { true }

    private let state = SourceState()
    private let outbox = Outbox()

    public init(wire: any VenueWire) {
        self.wire = wire
        kind = .market(symbols: wire.markets)
    }

    public func start(queue: LiveQueue, stream: Int) {
        state.attach(queue: queue, stream: stream)
        let task = Task.detached { [self] in await self.connectionLoop(queue: queue, stream: stream) }
        state.setTask(task)
    }

    public func stop() {
        state.stop()
    }

    /// Re-subscribes the market's book on the connection that is up (a new connection subscribes
    /// to everything anyway).
    public func requestSnapshot(symbol: String) {
        guard !state.stopped, wire.markets.contains(symbol) else { return }
        outbox.post(wire.resubscription(market: symbol))
    }

    /// Connects, subscribes, reads until the connection ends, waits out the backoff, and connects
    /// again. Everything a connection does runs on its event loop: the subscriptions as it opens,
    /// each message's checks (heartbeat, notice) as it is read, the session's re-subscriptions as
    /// they are posted, and the venue's ping on a timer of its interval (nothing polls).
    func connectionLoop(queue: LiveQueue, stream: Int) async {
        let wire = self.wire
        let outbox = self.outbox
        let behaviour = WebSocketBehaviour(
            opened: { send, outlet in
                // A new connection subscribes to everything: what waited for the last one is moot.
                outbox.attach(outlet)
                for request in wire.subscriptions() { send(request) }
            },
            message: { bytes, receiveTime, items in
                if wire.isHeartbeat(bytes) { return }
                if let notice = wire.notice(in: bytes) {
                    items.append(.connection(stream: stream, .venueNotice(SafeText.escaped(String(notice.prefix(300))))))
                }
                items.append(.frame(stream: stream, receiveTime: receiveTime, bytes: bytes))
            },
            tickInterval: wire.pingInterval,
            tick: { send in send(wire.ping) })
        await ReconnectingWebSocket.run(url: { wire.url }, state: state, queue: queue, stream: stream, behaviour: behaviour)
    }
}

/// Requests waiting for the connection's sender (bounded: a re-subscription asked again while
/// the last one waits is not queued twice). Posting one has the open connection, if any, send
/// what waits on its event loop.
final class Outbox: @unchecked Sendable {
    private let lock = NSLock()
    private var requests: [String] = []
    private var outlet: WebSocketOutlet?
    static let limit = 256

    func post(_ new: [String]) {
        lock.lock()
        for request in new where !requests.contains(request) && requests.count < Self.limit { requests.append(request) }
        let outlet = self.outlet
        lock.unlock()
        outlet?.perform { [self] send in
            for request in take() { send(request) }
        }
    }

    func take() -> [String] {
        lock.lock(); defer { lock.unlock() }
        let taken = requests
        requests.removeAll()
        return taken
    }

    /// A new connection: what waited is dropped, later posts go to it.
    func attach(_ outlet: WebSocketOutlet) {
        lock.lock(); defer { lock.unlock() }
        requests.removeAll()
        self.outlet = outlet
    }
}

extension Array where Element == UInt8 {
    /// Whether the frame, after leading spaces, starts with `prefix` (cheap checks of a venue's
    /// control frames before they reach the decoders).
    func startsJSON(with prefix: String) -> Bool {
        // JSON allows whitespace between any two tokens (`{ "channel" : "error" }`): skipped in
        // the frame wherever the prefix is outside a string (prefixes hold no escapes).
        var index = 0
        var inString = false
        for byte in prefix.utf8 {
            if !inString {
                while index < count && (self[index] == 0x20 || self[index] == 0x0A || self[index] == 0x0D || self[index] == 0x09) { index += 1 }
            }
            guard index < count, self[index] == byte else { return false }
            if byte == 0x22 { inString.toggle() }
            index += 1
        }
        return true
    }

    /// Whether the frame mentions `text` anywhere (for the rare control frames only).
    func mentions(_ text: String) -> Bool {
        let wanted = Array(text.utf8)
        guard !wanted.isEmpty, count >= wanted.count else { return false }
        for start in 0...(count - wanted.count) where self[start] == wanted[0] {
            if self[start..<(start + wanted.count)].elementsEqual(wanted) { return true }
        }
        return false
    }
}
