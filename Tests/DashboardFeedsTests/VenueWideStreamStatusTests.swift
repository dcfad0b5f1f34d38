import Testing
import Dashboard
import DashboardFeeds
import MarketFeeds
import RiskEngine

/// A venue split over several connections (Binance past 100 symbols): the one carrying the
/// venue's marks and liquidations feeds every market of the venue, so its silence makes them all
/// stale, not only the books it carries (review).
@Suite("Stream status of a venue split over connections")
struct VenueWideStreamStatusTests {
    final class Connection: LiveSource, @unchecked Sendable {
        let name: String
        let kind: LiveStreamKind
        let feedsVenueWide: Bool
        var format: RecordingFormat { .timestampedFrames }
        init(_ name: String, _ symbols: [String], venueWide: Bool) {
            self.name = name
            kind = .market(symbols: symbols)
            feedsVenueWide = venueWide
        }
        func start(queue: LiveQueue, stream: Int) throws(LiveStartError) {}
        func requestSnapshot(symbol: String) {}
        func stop() {}
    }

    @Test("the venue-wide connection counts every market of its venue; the others only their own; another venue's not at all")
    func symbolsOfTheVenueWideStream() throws {
        let first = Connection("binance-usdm 1/2", ["binance-usdm:BTCUSDT", "binance-usdm:ETHUSDT"], venueWide: true)
        let second = Connection("binance-usdm 2/2", ["binance-usdm:SOLUSDT"], venueWide: false)
        let other = Connection("bybit linear", ["bybit:BTCUSDT"], venueWide: false)
        let session = try LiveSession(sources: [first, second, other], options: LiveOptions())
        let wall = LiveClock.wallNanoseconds()
        let statuses = session.health.map { LiveStatus.stream($0, session: session, wall: wall) }
        #expect(statuses[0].symbols?.sorted() == ["binance-usdm:BTCUSDT", "binance-usdm:ETHUSDT", "binance-usdm:SOLUSDT"])
        #expect(statuses[1].symbols == ["binance-usdm:SOLUSDT"])
        #expect(statuses[2].symbols == ["bybit:BTCUSDT"])
        // Stale, the first makes SOLUSDT stale too.
        var status = SessionStatus(kind: "LIVE", source: "test")
        status.streams = statuses
        status.streams[0].stale = true
        #expect(status.isStale(symbol: "binance-usdm:SOLUSDT") && !status.isStale(symbol: "bybit:BTCUSDT"))
    }
}
