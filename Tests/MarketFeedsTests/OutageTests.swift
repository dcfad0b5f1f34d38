import Testing
@testable import MarketFeeds
import RiskEngine

/// One outage, one page: an outage ends when messages arrive again after a reconnection, not when
/// the connection is made (a venue that accepts the connection and closes it a second later, or an
/// event publisher behind a tunnel, would end and start an outage at every attempt).
@Suite("Outages as the alert watcher sees them")
struct OutageTests {
    @Test("receiving: only once a message came after the stream's last connection")
    func receiving() {
        var health = StreamHealth(name: "binance-usdm", kind: .events)
        health.connectedWall = 1_000
        health.state = .live
        #expect(!health.isReceiving)
        health.noteMessage(wall: 2_000)
        #expect(health.isReceiving)
        health.state = .reconnecting(reason: "closed", retryIn: 1)
        #expect(!health.isReceiving && !health.isConnected)
        health.connectedWall = 5_000
        health.state = .live
        #expect(health.isConnected && !health.isReceiving)
        health.noteMessage(wall: 6_000)
        #expect(health.isReceiving)
    }

    @Test("connections that close before a message: one outage told once, through the stream's own health")
    func flappingConnection() {
        var health = StreamHealth(name: "binance-usdm", kind: .events)
        var watcher = AlertWatcher()
        var wall: Int64 = 1_000_000_000
        func look() -> [OperatorAlert.Kind] {
            watcher.newAlerts(log: SessionLog(), streams: [StreamCondition(name: health.name,
                stale: health.isStale(wall: wall, threshold: 5), connected: health.isConnected, receiving: health.isReceiving)],
                time: wall).map(\.kind)
        }
        health.connectedWall = wall
        health.state = .live
        health.noteMessage(wall: wall)
        #expect(look().isEmpty)
        var told: [OperatorAlert.Kind] = []
        for _ in 0..<6 {
            wall += 1_000_000_000
            health.state = .reconnecting(reason: "closed by the server", retryIn: 1)
            told += look()
            wall += 1_000_000_000
            health.state = .connecting
            told += look()
            wall += 100_000_000
            health.connectedWall = wall
            health.state = .live   // connected, and closed again before a message
            told += look()
        }
        #expect(told.filter { $0 == .connectionLost }.count == 1, "\(told)")
        #expect(told.filter { $0 == .staleFeed }.count <= 1, "\(told)")
        // A message after a connection: the outage is over; the next loss is told again.
        health.noteMessage(wall: wall + 1)
        #expect(look().isEmpty)
        health.state = .reconnecting(reason: "closed", retryIn: 1)
        #expect(look().contains(.connectionLost))
    }
}
