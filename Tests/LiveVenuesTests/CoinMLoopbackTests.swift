import Foundation
import Testing
import LiveVenues
import LoopbackExchange
import MarketFeeds
import RiskEngine

/// Binance COIN-M live against the loopback exchange. ../shared/data holds no COIN-M depth
/// recording (only two COIN-M forceOrder messages among the liquidation collection), so the test
/// builds a small one from the frame formats Binance documents for dstream: a REST depth snapshot
/// (`/dapi/v1/depth`, quantities in contracts), `depthUpdate`s with `U`/`u`/`pu`, the pair's mark
/// price list (`btcusd@markPrice@1s`: every BTCUSD contract, delivery ones with `"r":""` and
/// `"T":0`) and `!forceOrder@arr` liquidations, one of a market the session does not watch.
@Suite("Live Binance COIN-M over loopback", .serialized)
struct CoinMLoopbackTests {
    static let perp = "binance-coinm:BTCUSD_PERP"
    /// A delivery contract with a monitored position and no depth subscription: its mark comes
    /// only from the pair's mark list.
    static let quarter = "binance-coinm:BTCUSD_250328"
    /// In the mark list too, with no position and no depth: never made a market.
    static let otherQuarter = "binance-coinm:BTCUSD_250627"
    /// A long of 250 BTCUSD_PERP contracts and a short of 40 BTCUSD_250328 contracts, cross
    /// margined from 10 BTC: far from liquidation at every mark of the recording.
    static var options: SessionOptions {
        var options = SessionOptions()
        options.positions = [
            PositionUpdate(account: "desk", symbol: perp, side: .long, quantity: Fixed(250), entryPrice: Fixed(60_000), mode: .cross,
                walletBalance: Fixed(10)),
            PositionUpdate(account: "desk", symbol: quarter, side: .short, quantity: Fixed(40), entryPrice: Fixed(61_000), mode: .cross),
        ]
        return options
    }

    static func topOfBook(_ engine: Engine) -> [String] {
        guard let book = engine.market(perp)?.book else { return [] }
        return book.topLevels(.bid, count: 10).map { "bid " + BookUnits.format($0.price, decimals: 1) + " × " + BookUnits.format($0.size, decimals: 0) }
            + book.topLevels(.ask, count: 10).map { "ask " + BookUnits.format($0.price, decimals: 1) + " × " + BookUnits.format($0.size, decimals: 0) }
    }

    static func notional(_ engine: Engine, _ market: String) -> Fixed? {
        guard let market = engine.marketIndex(of: market),
            let index = engine.positions.firstIndex(where: { Int($0.symbolIndex) == market }) else { return nil }
        return engine.risk(of: Int32(index)).notional
    }

    @Test("live binance-coinm: dstream URL and /dapi/v1/depth, the book equals the replay, positions and liquidations in coin")
    func liveEqualsReplay() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("liqwatch-coinm-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("coinm.rec").path
        try LoopbackExchange.syntheticCoinMRecording().write(toFile: path, atomically: true, encoding: .utf8)

        let replay = try ReplaySession(paths: [path], options: Self.options)
        try replay.runToEnd()
        #expect(replay.stats.malformed == 0)
        #expect(replay.synchronizers[Self.perp]?.counters.gaps == 0)
        #expect(Self.topOfBook(replay.engine).count == 20)

        let exchange = try LoopbackExchange(recording: path)
        try exchange.start()
        defer { exchange.stop() }
        let source = BinanceLiveSource(market: .coinm, symbols: ["BTCUSD_PERP"], webSocketURL: exchange.webSocketURL, restURL: exchange.restURL)
        var options = LiveOptions()
        options.session = Self.options
        options.snapshots.answerTimeout = 1
        let session = try LiveSession(sources: [source], options: options)
        try session.start()
        defer { session.stop() }
        let lastUpdateId = replay.synchronizers[Self.perp]?.counters.lastUpdateId
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if session.queue.count == 0 { try await Task.sleep(nanoseconds: 5_000_000) }
            let handled = session.pump()
            let counters = exchange.snapshot
            let synced = session.synchronizers[Self.perp].map { $0.isSynced && $0.counters.lastUpdateId == lastUpdateId } ?? false
            if counters.finished && synced && handled == 0 && session.health[0].messages >= counters.framesSent { break }
        }
        let counters = exchange.snapshot

        // What the client asked for: dstream's combined streams, COIN-M's REST path.
        let streams = try #require(counters.streamRequests.first)
        #expect(streams.hasPrefix("/stream?streams="))
        let names = Set(streams.dropFirst("/stream?streams=".count).split(separator: "/").map(String.init))
        #expect(names == ["btcusd_perp@depth@100ms", "btcusd_perp@bookTicker", "btcusd_perp@aggTrade", "btcusd@markPrice@1s", "!forceOrder@arr"])
        #expect(counters.restRequests.contains { $0.hasPrefix("/dapi/v1/depth?symbol=BTCUSD_PERP") })
        #expect(!counters.restRequests.contains { $0.hasPrefix("/fapi") })

        // The live book is the replay's, with the same sync.
        #expect(Self.topOfBook(session.engine) == Self.topOfBook(replay.engine))
        #expect(session.synchronizers[Self.perp]?.counters.lastUpdateId == lastUpdateId)
        #expect(session.synchronizers[Self.perp]?.counters.gaps == 0)
        #expect(session.stats.malformed == 0)

        for engine in [session.engine, replay.engine] {
            // Quantities in contracts of 100 USD; the notional in BTC is contracts × 100 ÷ mark:
            // 250 × 100 ÷ 62,500 = 25,000 ÷ 62,500 = 0.4 BTC, and for the quarterly, marked only
            // from the pair's list, 40 × 100 ÷ 64,000 = 4,000 ÷ 64,000 = 0.0625 BTC.
            #expect(engine.market(Self.perp)?.markPrice == Fixed("62500")!)
            #expect(engine.market(Self.quarter)?.markPrice == Fixed("64000")!)
            #expect(Self.notional(engine, Self.perp) == Fixed("0.4")!)
            #expect(Self.notional(engine, Self.quarter) == Fixed("0.0625")!)
            #expect(engine.market(Self.perp)?.instrument.settlementAsset == "BTC")
            // The index and the funding come with the mark; a delivery contract has no funding.
            #expect(engine.market(Self.perp)?.index.fundingRate == Fixed("0.0001")!)
            #expect(engine.market(Self.quarter)?.index.fundingRate == nil)
            // A contract in the pair's list that the session does not watch makes no market.
            #expect(engine.market(Self.otherQuarter) == nil)
            // The watched market's liquidation: 3 contracts at 60,000 = 300 ÷ 60,000 = 0.005 BTC.
            #expect(engine.market(Self.perp)?.counters.exchangeLiquidations == 1)
            #expect(engine.market(Self.perp)?.counters.exchangeLiquidationNotional == Fixed("0.005")!)
            #expect(engine.market("binance-coinm:ETHUSD_PERP") == nil)
        }
        for log in [session.log, replay.log] {
            #expect(log.exchangeCount == 1)
            #expect(log.exchangeNotional["BTC"] == Fixed("0.005")!)
            // The unwatched one, counted by market: 10 contracts of 10 USD at 2,500 = 0.04 ETH.
            #expect(log.unwatchedCount == 1)
            let eth = try #require(log.unwatchedLiquidations["binance-coinm:ETHUSD_PERP"])
            #expect(eth.count == 1 && eth.notional == Fixed("0.04")! && eth.asset == "ETH")
            // Seven mark lists: the unwatched quarterly's mark and its index, each time.
            #expect(log.unwatchedMarks == 14)
        }
    }
}
