import Foundation
import Testing
import LiveVenues
import LoopbackExchange
import MarketFeeds
import RiskEngine

/// The three subscription loopbacks started together (`LoopbackVenues`, as the live benchmark
/// starts them) and one live session watching all of them.
@Suite("Loopback Bybit, OKX and Hyperliquid together", .enabled(if: SharedData.isPresent, SharedData.skipMessage), .serialized)
struct LoopbackVenuesTogetherTests {
    static let recordings: [SubscriptionVenue: String] = [
        .bybit: SharedData.path("bybit/2024-12-01_XRPUSDT_ob500.data"),
        .okx: SharedData.path("okx/OKX.ws.1.0"),
        .hyperliquid: SharedData.path("hyperliquid/btcusd_20250126.gz"),
    ]
    static let markets = ["bybit:XRPUSDT", "okx:BTC-USD-220527", "okx:UNI-USD-SWAP", "hyperliquid:BTC"]

    @Test("repeated recordings at a shared rate: every pass starts with snapshots, no book ever loses its sync")
    func repeating() async throws {
        var script = LoopbackExchange.Script()
        script.framesPerSecond = 3_000
        let venues = try LoopbackVenues(recordings: Self.recordings, script: script, repeating: true)
        // The rate is shared by frames: OKX's recording is the longest, so it gets the most.
        let rates = venues.exchanges.mapValues { $0.script.framesPerSecond ?? 0 }
        #expect(abs(rates.values.reduce(0, +) - 3_000) < 1)
        #expect((rates[.okx] ?? 0) > (rates[.bybit] ?? 0) && (rates[.okx] ?? 0) > (rates[.hyperliquid] ?? 0))
        try venues.start()
        defer { venues.stop() }
        let sources: [any LiveSource] = [
            VenueWebSocketSource(wire: BybitWire(category: .linear, symbols: ["XRPUSDT"], baseURL: venues.exchanges[.bybit]!.baseURL)),
            VenueWebSocketSource(wire: OKXWire(instruments: ["BTC-USD-220527", "UNI-USD-SWAP"], baseURL: venues.exchanges[.okx]!.baseURL)),
            VenueWebSocketSource(wire: HyperliquidWire(coins: ["BTC"], baseURL: venues.exchanges[.hyperliquid]!.baseURL)),
        ]
        let session = try LiveSession(sources: sources, options: LiveOptions())
        try session.start()
        defer { session.stop() }
        let deadline = Date().addingTimeInterval(60)
        // Until every exchange is through its third pass and every book has had its third
        // snapshot (the one starting the third pass may still be on its way).
        func done() -> Bool {
            venues.exchanges.values.allSatisfy { $0.snapshot.passes >= 3 }
                && Self.markets.allSatisfy { (session.synchronizers[$0]?.counters.snapshots ?? 0) >= 3 }
        }
        while Date() < deadline && !done() {
            if session.queue.count == 0 { try await Task.sleep(nanoseconds: 5_000_000) }
            session.pump()
        }
        for (venue, exchange) in venues.exchanges {
            let counters = exchange.snapshot
            #expect(counters.passes >= 3, "\(venue)")
            #expect(counters.connections == 1 && counters.refusals == 0, "\(venue)")
            // One snapshot a book on subscribing, then one a book at the start of each pass after the first.
            let books = venue == .okx ? 2 : 1
            #expect(counters.snapshotsSent >= books * counters.passes, "\(venue)")
        }
        for market in Self.markets {
            let counters = try #require(session.synchronizers[market], "\(market)").counters
            #expect(counters.gaps == 0, "\(market): \(counters.lastProblem ?? "")")
            #expect(counters.snapshots >= 3, "\(market)")
            if market.hasPrefix("okx:") {
                // Every snapshot and update checksum verified, the loopback's snapshots included.
                #expect(counters.checksumsVerified == counters.applied + counters.snapshots, "\(market)")
            }
        }
        #expect(session.stats.malformed == 0)
        #expect(session.health.allSatisfy { $0.venueNotices == 0 && $0.reconnects == 0 })
    }
}
