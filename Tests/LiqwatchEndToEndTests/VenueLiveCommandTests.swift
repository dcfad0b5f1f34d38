import Foundation
import LoopbackExchange
import Testing

/// `liqwatch live` against loopback Bybit, OKX and Hyperliquid exchanges at once (the real binary,
/// headless, each venue's real protocol serving its real recording), recording what it receives;
/// then `liqwatch replay` of that recording.
@Suite("Live Bybit, OKX and Hyperliquid at once, end to end",
    .enabled(if: FileManager.default.fileExists(atPath: BinaryRunner.packageRoot.appendingPathComponent("../shared/data").path),
        "../shared/data is absent: the real recordings are not here, so this test is skipped"))
struct VenueLiveCommandTests {
    static let recordings: [SubscriptionVenue: String] = [
        .bybit: "../shared/data/bybit/2024-12-01_XRPUSDT_ob500.data",
        .okx: "../shared/data/okx/OKX.ws.1.0",
        .hyperliquid: "../shared/data/hyperliquid/btcusd_20250126.gz",
    ]
    static let markets = ["bybit:XRPUSDT", "okx:BTC-USD-220527", "okx:UNI-USD-SWAP", "hyperliquid:BTC"]

    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "not JSON: \(text.prefix(400))")
    }

    static func canonical(_ value: Any?) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: value ?? NSNull(), options: [.sortedKeys, .fragmentsAllowed]), as: UTF8.self)
    }

    @Test("a headless live run of three venues records a file that replays to the same report; the books are the recordings'")
    func threeVenuesRecordReplay() throws {
        let root = BinaryRunner.packageRoot
        let paths = Self.recordings.mapValues { root.appendingPathComponent($0).standardizedFileURL.path }
        var script = LoopbackExchange.Script()
        // About 500 frames in all: through them in about a second, well inside the run.
        script.framesPerSecond = 500
        let venues = try LoopbackVenues(recordings: paths, script: script)
        try venues.start()
        defer { venues.stop() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("liqwatch-venues-e2e-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("venues.rec").path
        let live = try BinaryRunner.run(["live"] + Self.markets + venues.webSocketArguments
            + ["--record", path, "--synthetic-positions", "300", "--headless", "--duration", "8", "--report", "json"])
        #expect(live.status == 0, "\(live.standardError)")
        #expect(venues.finished, "the exchanges did not get through their recordings in 8 s")
        for (venue, exchange) in venues.exchanges {
            #expect(exchange.snapshot.connections == 1, "\(venue)")
            #expect(exchange.snapshot.refusals == 0, "\(venue)")
        }
        let replay = try BinaryRunner.run(["replay", path, "--synthetic-positions", "300", "--headless", "--report", "json"])
        #expect(replay.status == 0, "\(replay.standardError)")
        let liveReport = try Self.json(live.standardOutput)
        let replayReport = try Self.json(replay.standardOutput)
        for key in ["frames", "symbols", "deficits", "insurance_fund", "adl", "liquidations"] {
            let liveValue = try Self.canonical(liveReport[key])
            let replayValue = try Self.canonical(replayReport[key])
            #expect(liveValue == replayValue, "\(key) differs:\nlive   \(liveValue.prefix(600))\nreplay \(replayValue.prefix(600))")
        }
        // Each market's book is the one a replay of the venue's own recording ends with.
        let original = try BinaryRunner.run(["replay"] + SubscriptionVenue.allCases.compactMap { Self.recordings[$0] } + ["--headless", "--report", "json"])
        #expect(original.status == 0, "\(original.standardError)")
        let originalSymbols = try #require(try Self.json(original.standardOutput)["symbols"] as? [String: Any])
        let liveSymbols = try #require(liveReport["symbols"] as? [String: Any])
        for market in Self.markets {
            let liveEntry = try #require(liveSymbols[market] as? [String: Any], "\(liveSymbols.keys.sorted())")
            let originalEntry = try #require(originalSymbols[market] as? [String: Any], "\(originalSymbols.keys.sorted())")
            let liveBook = try #require(liveEntry["book"] as? [String: Any])
            #expect((liveBook["bids"] as? [Any])?.count == 10, "\(market)")
            #expect(try Self.canonical(liveBook) == Self.canonical(originalEntry["book"]), "\(market)")
            #expect(liveEntry["book_synced"] as? Bool == true, "\(market)")
            #expect(liveEntry["gaps"] as? Int == 0, "\(market)")
        }
        let frames = try #require(liveReport["frames"] as? [String: Any])
        #expect(frames["malformed"] as? Int == 0)
        // Every message the exchanges sent but pongs was read (and recorded) once.
        let sent = venues.exchanges.values.map { $0.snapshot.messagesSent }.reduce(0, +)
        #expect(frames["read"] as? Int == sent)
        // All of Bybit's 49 deltas and Hyperliquid's 54 frames after the books they start with.
        #expect(venues.exchanges[.bybit]?.snapshot.framesSent == 49)
        #expect(venues.exchanges[.hyperliquid]?.snapshot.framesSent == 54)
        #expect((venues.exchanges[.okx]?.snapshot.framesSent ?? 0) > 100)
    }
}
