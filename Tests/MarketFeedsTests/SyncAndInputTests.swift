import Foundation
import Testing
@testable import MarketFeeds
import RiskEngine

func depth(_ first: Int64, _ final: Int64, previous: Int64?, bid: String = "100", size: String = "1") -> DepthEvent {
    DepthEvent(symbol: "BTCUSDT", firstUpdateId: first, finalUpdateId: final, previousFinalUpdateId: previous,
        bids: [(BookUnits.parse(bid)!, BookUnits.parse(size)!)], asks: [], time: first)
}

func snapshot(_ id: Int64) -> DepthSnapshot {
    DepthSnapshot(symbol: "BTCUSDT", lastUpdateId: id, bids: [(BookUnits.parse("99")!, BookUnits.parse("1")!)],
        asks: [(BookUnits.parse("101")!, BookUnits.parse("1")!)], time: id)
}

@Suite("Binance depth sync")
struct DepthSyncTests {
    @Test("buffer before the snapshot, drop u < lastUpdateId, bridge, then pu continuity")
    func documentedRules() {
        var sync = DepthSynchronizer(symbol: "BTCUSDT")
        var events: [MarketEvent] = []
        sync.receive(depth(90, 95, previous: 89), into: &events)
        sync.receive(depth(96, 105, previous: 95), into: &events)
        #expect(events.isEmpty)
        sync.receive(snapshot(100), into: &events)
        #expect(sync.counters.droppedBeforeSync == 1)
        #expect(sync.counters.applied == 1)
        sync.receive(depth(106, 110, previous: 105), into: &events)
        #expect(sync.counters.applied == 2)
        #expect(sync.counters.gaps == 0)
        #expect(sync.counters.lastUpdateId == 110)
        #expect(events.count == 3) // snapshot + two updates
    }

    @Test("a snapshot that arrives before the bridging event waits for it")
    func snapshotFirst() {
        var sync = DepthSynchronizer(symbol: "BTCUSDT")
        var events: [MarketEvent] = []
        sync.receive(snapshot(100), into: &events)
        sync.receive(depth(90, 99, previous: 89), into: &events)
        sync.receive(depth(100, 104, previous: 99), into: &events)
        sync.receive(depth(105, 107, previous: 104), into: &events)
        #expect(sync.counters.droppedBeforeSync == 1)
        #expect(sync.counters.applied == 2)
        #expect(sync.counters.gaps == 0)
    }

    @Test("a missing event is a gap: book stale, then a new snapshot re-syncs")
    func gapAndResync() {
        var sync = DepthSynchronizer(symbol: "BTCUSDT")
        var events: [MarketEvent] = []
        sync.receive(snapshot(100), into: &events)
        sync.receive(depth(100, 105, previous: 99), into: &events)
        sync.receive(depth(111, 115, previous: 110), into: &events) // 106–110 lost
        #expect(sync.counters.gaps == 1)
        // What broke the book is said (the report's last_problem), as for the other venues.
        #expect(sync.counters.lastProblem == "pu 110 after u 105")
        #expect(!sync.isSynced)
        #expect(events.contains { if case .bookGap = $0 { return true } else { return false } })
        sync.receive(depth(116, 120, previous: 115), into: &events)
        sync.receive(snapshot(118), into: &events)
        #expect(sync.isSynced)
        #expect(sync.counters.resyncs == 1)
        #expect(sync.counters.lastUpdateId == 120)
    }

    @Test("a snapshot older than the stream can bridge is never applied: the engine must not liquidate into it")
    func unbridgeableSnapshotNotApplied() {
        var sync = DepthSynchronizer(symbol: "BTCUSDT")
        var events: [MarketEvent] = []
        sync.receive(depth(200, 210, previous: 199), into: &events)
        sync.receive(snapshot(100), into: &events)
        #expect(!events.contains { if case .bookSnapshot = $0 { return true } else { return false } })
        #expect(events.contains { if case .bookGap = $0 { return true } else { return false } })
        #expect(sync.counters.gaps == 1 && sync.isAwaitingSnapshot)
        #expect(sync.counters.lastProblem == "snapshot lastUpdateId 100 before U 200")
        // A newer snapshot bridges the buffered event and re-syncs.
        events.removeAll()
        sync.receive(snapshot(205), into: &events)
        #expect(events.contains { if case .bookSnapshot = $0 { return true } else { return false } })
        #expect(sync.counters.resyncs == 1 && sync.isSynced)
    }

    @Test("a snapshot older than the stream can bridge is a gap, not a silent error")
    func staleSnapshot() {
        var sync = DepthSynchronizer(symbol: "BTCUSDT")
        var events: [MarketEvent] = []
        sync.receive(depth(200, 210, previous: 199), into: &events)
        sync.receive(snapshot(150), into: &events)
        #expect(sync.counters.gaps == 1)
        #expect(!sync.isSynced)
    }
}

@Suite("Recording input and bad input")
struct InputTests {
    static let snapshotLine = #"1000000000000000000 {"lastUpdateId":100,"bids":[["99.00","1.000"]],"asks":[["101.00","2.000"]]}"#
    static func depthLine(_ time: Int, _ first: Int, _ final: Int, _ previous: Int, bid: String = "99.50") -> String {
        #"\#(1_000_000_000_000_000_000 + time) {"stream":"btcusdt@depth@0ms","data":{"e":"depthUpdate","E":1,"T":1,"s":"BTCUSDT","U":\#(first),"u":\#(final),"pu":\#(previous),"b":[["\#(bid)","0.500"]],"a":[]}}"#
    }

    @Test("a malformed line is counted, its line number reported, and skipped")
    func malformedLines() throws {
        let scratch = try ScratchDirectory()
        let path = try scratch.write("session.txt", [
            Self.depthLine(1, 95, 100, 94), Self.snapshotLine, "1000000000000000002 {not json", Self.depthLine(3, 101, 102, 100),
            "garbage", Self.depthLine(4, 103, 104, 102, bid: "99.x"),
        ].joined(separator: "\n") + "\n")
        let session = try replay([path])
        #expect(session.stats.read == 6)
        #expect(session.stats.malformed == 3)
        #expect(session.stats.firstMalformed.map(\.line) == [3, 5, 6])
        #expect(session.synchronizers["binance-usdm:BTCUSDT"]?.counters.applied == 2)
        #expect(session.engine.market("BTCUSDT")?.book.bestBid == BookUnits.parse("99.50"))
    }

    @Test("--strict stops at the first malformed line, naming file and line")
    func strict() throws {
        let scratch = try ScratchDirectory()
        let path = try scratch.write("session.txt", [Self.snapshotLine, "1000000000000000002 {broken"].joined(separator: "\n"))
        var options = SessionOptions()
        options.strict = true
        options.threaded = false
        let session = try ReplaySession(paths: [path], options: options)
        #expect(throws: SessionError.self) { try session.runToEnd() }
        do { try session.runToEnd() } catch {
            #expect(error.description.contains("session.txt:2"))
        }
    }

    @Test("a truncated .gz stops with an error saying how far it got; what was read is kept")
    func truncatedGzip() throws {
        let scratch = try ScratchDirectory()
        var lines = [Self.snapshotLine]
        // The first event bridges the snapshot (U ≤ 100 ≤ u); each next one follows on (pu = previous u).
        for index in 0..<2_000 { lines.append(Self.depthLine(index + 1, 100 + index * 2, 101 + index * 2, 99 + index * 2)) }
        let plain = try scratch.write("session.txt", lines.joined(separator: "\n") + "\n")
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
        gzip.arguments = ["-k", plain]
        try gzip.run()
        gzip.waitUntilExit()
        let whole = try Data(contentsOf: URL(fileURLWithPath: plain + ".gz"))
        let truncated = try scratch.write("cut.gz", bytes: Array(whole.prefix(whole.count * 2 / 3)))
        var options = SessionOptions()
        options.threaded = true
        let session = try ReplaySession(paths: [truncated], options: options)
        var caught: SessionError? = nil
        do { try session.runToEnd() } catch { caught = error }
        let error = try #require(caught)
        #expect(error.description.contains("truncated gzip stream after"))
        #expect(error.isUsageError == false)
        #expect(session.synchronizers["binance-usdm:BTCUSDT"]!.counters.applied > 100)
        // The complete file replays fully.
        let complete = try replay([plain + ".gz"])
        #expect(complete.synchronizers["binance-usdm:BTCUSDT"]?.counters.applied == 2_000)
        #expect(complete.synchronizers["binance-usdm:BTCUSDT"]?.counters.gaps == 0)
    }

    @Test("corrupt gzip data is an error, not a crash")
    func corruptGzip() throws {
        let scratch = try ScratchDirectory()
        let path = try scratch.write("bad.gz", bytes: [0x1F, 0x8B, 0x08, 0x00] + Array(repeating: 0xAB, count: 200))
        // The damage may show while the format is sniffed or later; either way an error, never a crash.
        #expect(throws: SessionError.self) { try ReplaySession(paths: [path], options: SessionOptions()).runToEnd() }
    }

    @Test("missing file and unknown format are usage errors that name the file")
    func usageErrors() throws {
        #expect(throws: SessionError.self) { _ = try ReplaySession(paths: ["/nonexistent/file.gz"], options: SessionOptions()) }
        do { _ = try ReplaySession(paths: ["/nonexistent/file.gz"], options: SessionOptions()) } catch {
            #expect(error.isUsageError && error.description.contains("/nonexistent/file.gz: no such file"))
        }
        let scratch = try ScratchDirectory()
        let path = try scratch.write("notes.txt", "\n\nhello world\n")
        do { _ = try ReplaySession(paths: [path], options: SessionOptions()); Issue.record("no error") } catch {
            #expect(error.isUsageError && error.description.contains("notes.txt:3: unknown format"))
        }
    }

    @Test("formats are sniffed from content")
    func sniffing() {
        #expect(RecordingFormat.sniff(Self.snapshotLine) == .timestampedFrames)
        #expect(RecordingFormat.sniff("wss://fstream.binance.com/stream?streams=x <-> 1626992740.179554") == .cryptofeed)
        #expect(RecordingFormat.sniff("1626992741.06217: {\"stream\":1}") == .cryptofeed)
        #expect(RecordingFormat.sniff("https://fapi.binance.com/fapi/v1/depth?symbol=X -> 1.0: {}") == .cryptofeedHTTP)
        #expect(RecordingFormat.sniff("exchange,symbol,timestamp,local_timestamp,is_snapshot,side,price,amount") == .tardisIncrementalBook)
        #expect(RecordingFormat.sniff("exchange,symbol,timestamp,local_timestamp,funding_timestamp,funding_rate,mark_price") == .tardisDerivativeTicker)
        #expect(RecordingFormat.sniff(#"{"type":"mark","symbol":"BTCUSDT","price":"1"}"#) == .liqwatchEvents)
        #expect(RecordingFormat.sniff(#"{"stream":"btcusdt@trade","data":{}}"#) == .rawFrames)
        #expect(RecordingFormat.sniff("hello") == nil)
        // Test fixtures wrapping another venue's message: recognised, refused with why.
        let fixture = #"{"test": "map deribit messages", "line": 433, "message": {"jsonrpc": "2.0"}}"#
        #expect(RecordingFormat.sniff(fixture) == .testFixtures && RecordingFormat.testFixtures.unsupportedReason != nil)
        #expect(RecordingFormat.sniff(#"{"test": "a", "type": "mark"}"#) != .testFixtures)
    }

    @Test("liqwatch event lines drive the engine; a bad field is named")
    func liqwatchEvents() throws {
        let scratch = try ScratchDirectory()
        let path = try scratch.write("events.ndjson", [
            #"{"type":"insurance_fund","asset":"USDT","balance":"1000","time":1723161255000000000}"#,
            #"{"type":"book","symbol":"BTCUSDT","bids":[["99","5"]],"asks":[["101","5"]]}"#,
            #"{"type":"mark","symbol":"BTCUSDT","price":"100","time":1723161256000000000}"#,
            #"{"type":"position","account":"a1","symbol":"BTCUSDT","side":"long","size":"1","entry_price":"100","margin_mode":"isolated","isolated_margin":"2"}"#,
            #"{"type":"mark","symbol":"BTCUSDT","price":"98.3"}"#,
            #"{"type":"position","account":"a2","symbol":"BTCUSDT","side":"sideways","size":"1","entry_price":"100","isolated_margin":"2"}"#,
            #"{"type":"liquidation","symbol":"BTCUSDT","side":"long","price":"98","size":"3"}"#,
            // An exchange's liquidation of no size or no price is refused (a negative size was
            // counted, its notional added).
            #"{"type":"liquidation","symbol":"BTCUSDT","side":"long","price":"98","size":"-1"}"#,
            #"{"type":"liquidation","symbol":"BTCUSDT","side":"long","price":"0","size":"1"}"#,
        ].joined(separator: "\n"))
        let session = try replay([path]) { $0.insuranceFund = [] }
        #expect(session.stats.malformed == 3)
        #expect(session.stats.firstMalformed.first?.line == 6)
        #expect(session.stats.firstMalformed.first?.field.hasPrefix("side") == true)
        #expect(session.stats.firstMalformed.map(\.line) == [6, 8, 9])
        #expect(session.stats.firstMalformed.dropFirst().map { $0.field.components(separatedBy: ":").first ?? "" } == ["size", "price"])
        #expect(session.log.simulatedCount == 1)
        #expect(session.log.exchangeCount == 1)
        #expect(session.engine.fund("USDT").opening == Fixed(1000))
    }

    @Test("a time before 2010 is malformed, with a hint when it reads as seconds or milliseconds")
    func timesBefore2010() throws {
        let scratch = try ScratchDirectory()
        let path = try scratch.write("events.ndjson", [
            #"{"type":"book","symbol":"BTCUSDT","bids":[["99","5"]],"asks":[["101","5"]],"time":1723161255}"#,
            #"{"type":"book","symbol":"BTCUSDT","bids":[["99","5"]],"asks":[["101","5"]],"time":1723161255000}"#,
            #"{"type":"book","symbol":"BTCUSDT","bids":[["99","5"]],"asks":[["101","5"]],"time":5}"#,
            #"{"type":"index","symbol":"BTCUSDT","price":"100","next_funding_time":1723161255000,"time":1723161255000000000}"#,
            #"{"type":"book","symbol":"BTCUSDT","bids":[["99","5"]],"asks":[["101","5"]],"time":1262304000000000000}"#,
        ].joined(separator: "\n"))
        let session = try replay([path]) { $0.insuranceFund = [] }
        #expect(session.stats.malformed == 4)
        let fields = session.stats.firstMalformed.map(\.field)
        #expect(fields.count == 4 && fields[0].contains("time: before 2010 in nanoseconds: a time in seconds? write nanoseconds"), "\(fields)")
        #expect(fields[1].contains("a time in milliseconds?"), "\(fields)")
        #expect(fields[2].contains("time: before 2010 in nanoseconds: expected nanoseconds since the epoch, from 2010 to 2200"), "\(fields)")
        #expect(fields[3].hasPrefix("next_funding_time") && fields[3].contains("milliseconds"), "\(fields)")
        // 2010-01-01 itself is a time.
        #expect(session.engine.market("BTCUSDT")?.book.hasSnapshot == true)
        #expect(session.stats.firstMalformed.map(\.line) == [1, 2, 3, 4])
    }

    @Test("standard input is read with -")
    func standardInputPath() throws {
        // The path "-" opens descriptor 0; here it is only checked that it is accepted without a stat.
        let source = try FileByteSource(path: "-")
        #expect(source.progress.total == nil)
    }
}

@Suite("Positions files")
struct PositionsFileTests {
    @Test("CSV: cross wallets stated once or derived from leverage")
    func csv() throws {
        let scratch = try ScratchDirectory()
        let path = try scratch.write("positions.csv", """
            account,symbol,side,size,entry_price,margin_mode,isolated_margin,wallet_balance,leverage
            # a comment
            alice,BTCUSDT,long,0.5,60000,isolated,3000,,
            bob,BTCUSDT,short,1,61000,cross,,5000,
            bob,ETHUSDT,long,10,3000,cross,,,
            carol,ETHUSDT,long,2,3000,cross,,,20
            """)
        let updates = try PositionsFile.load(path: path, catalog: .builtIn)
        #expect(updates.count == 4)
        #expect(updates[0].isolatedMargin == Fixed(3000))
        #expect(updates[1].walletBalance == Fixed(5000))
        #expect(updates[2].walletBalance == nil)
        #expect(updates[3].walletBalance == Fixed(300))
    }

    @Test("a leverage is held to the money limit only where it makes the margin: a stated margin or wallet, an inverse contract's small coin notional and many cross rows each within it pass or are named", arguments: [
        ("alice,BTCUSDT,long,1,60000,isolated,3000,,0.000000000000000001\n", nil),
        ("alice,BTCUSDT,long,1,60000,cross,,5000,0.000000000000000001\n", nil),
        // 1,000,000 contracts of 100 USD at 10,000,000: 10 BTC, 10,000 BTC of margin at 0.001x.
        ("alice,binance-coinm:BTCUSD_PERP,long,1000000,10000000,isolated,,,0.001\n", nil),
        // Each row's margin within the limit, their wallet not: named on the account's first row.
        ("bob,BTCUSDT,long,10000000,100000,cross,,,0.0015\nbob,ETHUSDT,long,10000000,100000,cross,,,0.0015\n",
         "positions.csv:2: field leverage: the account's cross rows imply a wallet"),
    ] as [(String, String?)])
    func leverageWhereItCounts(rows: String, message: String?) throws {
        let scratch = try ScratchDirectory()
        let path = try scratch.write("positions.csv", "account,symbol,side,size,entry_price,margin_mode,isolated_margin,wallet_balance,leverage\n" + rows)
        do {
            let updates = try PositionsFile.load(path: path, catalog: .builtIn)
            #expect(message == nil, "no error for \(rows)")
            #expect(!updates.isEmpty)
        } catch {
            #expect(message.map { error.description.contains($0) } == true, "\(error.description)")
        }
    }

    @Test("a bad row names the file, the line and the field", arguments: [
        ("alice,BTCUSDT,long,abc,60000,isolated,3000,,", "positions.csv:2: field size: 'abc' is not a decimal number"),
        ("alice,BTCUSDT,up,1,60000,isolated,3000,,", "positions.csv:2: field side: expected long or short"),
        // Quoted as written, not lowercased.
        ("alice,BTCUSDT,Up,1,60000,isolated,3000,,", "positions.csv:2: field side: expected long or short, got 'Up'"),
        // A leverage so small its margin passes the money limit (no margin stated): refused like a stated one.
        ("alice,BTCUSDT,long,10000000000,10000000000,isolated,,,0.000000000000000001", "positions.csv:2: field leverage: implies a margin (notional at entry ÷ leverage) of more than 1,000,000,000,000,000"),
        ("alice,BTCUSDT,long,10000000000,10000000000,cross,,,0.0001", "positions.csv:2: field leverage: implies a margin"),
        // An inverse contract's notional is in coin (contracts × contract size ÷ entry): at an
        // entry of 1, a tiny leverage passed a check of size × entry.
        ("alice,binance-coinm:ETHUSD_PERP,long,0.001,1,isolated,,,0.000000000000000001", "positions.csv:2: field leverage: implies a margin"),
        ("alice,binance-coinm:ETHUSD_PERP,long,0.001,1,cross,,,0.000000000000000001", "positions.csv:2: field leverage: implies a margin"),
        ("alice,BTCUSDT,long,1,60000,isolated,,,", "positions.csv:2: field isolated_margin"),
        ("alice,BTCUSDT,long,1,60000,cross,,,", "positions.csv:2: field wallet_balance"),
        ("alice,BTCUSDT,long,1,60000", "positions.csv:2: expected 9 columns, found 5"),
        (",BTCUSDT,long,1,60000,isolated,3000,,", "positions.csv:2: field account: missing"),
    ])
    func badRow(row: String, message: String) throws {
        let scratch = try ScratchDirectory()
        let path = try scratch.write("positions.csv", "account,symbol,side,size,entry_price,margin_mode,isolated_margin,wallet_balance,leverage\n" + row + "\n")
        do {
            _ = try PositionsFile.load(path: path, catalog: .builtIn)
            Issue.record("no error for \(row)")
        } catch {
            #expect(error.description.hasSuffix(message) || error.description.contains(message), "\(error.description)")
        }
    }

    @Test("JSON positions")
    func json() throws {
        let scratch = try ScratchDirectory()
        let path = try scratch.write("positions.json", #"{"positions": [{"account": "a", "symbol": "BTCUSDT", "side": "short", "size": 1, "entry_price": "60000", "margin_mode": "isolated", "leverage": 10}]}"#)
        let updates = try PositionsFile.load(path: path, catalog: .builtIn)
        #expect(updates.first?.side == .short && updates.first?.leverage == Fixed(10))
    }
}
