import Foundation
import Testing
@testable import MarketFeeds
import RiskEngine

/// The Bybit, OKX and Hyperliquid recordings of `../shared/data`, each replayed and checked against
/// a reading of the file written here from the venue's documented rules, independently of the
/// decoders: `JSONSerialization`, exact `Decimal`s and a dictionary per side.
@Suite("Venue recordings", .enabled(if: SharedData.isPresent, SharedData.skipMessage))
struct VenueRecordingTests {
    // MARK: The independent reading

    struct Level: Equatable, CustomStringConvertible {
        var price: Decimal
        var size: Decimal
        var description: String { "\(price)×\(size)" }
    }

    /// A book the plainest way: price → (size, and the texts as sent, for OKX's checksum).
    struct PlainBook {
        var bids: [Decimal: (size: Decimal, text: [String])] = [:]
        var asks: [Decimal: (size: Decimal, text: [String])] = [:]

        mutating func set(bid: Bool, _ price: String, _ size: String) {
            let key = Decimal(string: price)!
            let amount = Decimal(string: size)!
            if amount == 0 {
                if bid { bids[key] = nil } else { asks[key] = nil }
            } else {
                if bid { bids[key] = (amount, [price, size]) } else { asks[key] = (amount, [price, size]) }
            }
        }

        func levels(bid: Bool) -> [Level] {
            let side = bid ? bids : asks
            let prices = side.keys.sorted(by: bid ? { $0 > $1 } : { $0 < $1 })
            return prices.map { Level(price: $0, size: side[$0]!.size) }
        }

        /// OKX: CRC32 of the top 25 a side, interleaved bid then ask, `px:sz` as sent, signed.
        func okxChecksum() -> Int32 {
            let bidPrices = bids.keys.sorted(by: >).prefix(25).map { $0 }
            let askPrices = asks.keys.sorted(by: <).prefix(25).map { $0 }
            var parts: [String] = []
            for rank in 0..<max(bidPrices.count, askPrices.count) {
                if rank < bidPrices.count { parts += bids[bidPrices[rank]]!.text }
                if rank < askPrices.count { parts += asks[askPrices[rank]]!.text }
            }
            var crc: UInt32 = 0xFFFF_FFFF
            for byte in parts.joined(separator: ":").utf8 {
                crc ^= UInt32(byte)
                for _ in 0..<8 { crc = (crc >> 1) ^ (0xEDB8_8320 & (0 &- (crc & 1))) }
            }
            return Int32(bitPattern: ~crc)
        }
    }

    static func engineLevels(_ book: OrderBook, bid: Bool) -> [Level] {
        book.topLevels(bid ? .bid : .ask, count: 100_000).map {
            Level(price: Decimal($0.price) / Decimal(100_000_000), size: Decimal($0.size) / Decimal(100_000_000))
        }
    }

    static func expectSame(_ book: OrderBook?, _ plain: PlainBook, _ comment: Comment, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let book else {
            Issue.record("no book: \(comment)", sourceLocation: sourceLocation)
            return
        }
        #expect(engineLevels(book, bid: true) == plain.levels(bid: true), comment, sourceLocation: sourceLocation)
        #expect(engineLevels(book, bid: false) == plain.levels(bid: false), comment, sourceLocation: sourceLocation)
        #expect(!plain.bids.isEmpty && !plain.asks.isEmpty, comment, sourceLocation: sourceLocation)
    }

    static func json(_ text: Substring) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }

    static func lines(_ path: String) throws -> [String] {
        // The Bybit file ends its lines with CRLF (one Character in Swift).
        try String(contentsOfFile: path, encoding: .utf8).split(whereSeparator: \.isNewline).map(String.init)
    }

    static func gunzipLines(_ path: String) throws -> [String] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "gzip -dc \"$0\"", path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    static func replayLines(_ lines: [String], name: String, in scratch: ScratchDirectory) throws -> (ReplaySession, String) {
        let path = try scratch.write(name, lines.joined(separator: "\n") + "\n")
        return (try replay([path]), path)
    }

    // MARK: Bybit

    static let bybitPath = SharedData.path("bybit/2024-12-01_XRPUSDT_ob500.data")
    static let xrp = "bybit:XRPUSDT"

    /// Bybit's rules: a snapshot resets the book; size "0" deletes; a delta's u is the last u + 1.
    static func bybitBook(_ lines: some Sequence<String>) -> PlainBook {
        var book = PlainBook()
        var lastU: Int? = nil
        for line in lines {
            let frame = json(Substring(line))
            guard let data = frame["data"] as? [String: Any], let type = frame["type"] as? String, let u = data["u"] as? Int else { continue }
            if type == "snapshot" { book = PlainBook() } else {
                #expect(lastU.map { u == $0 + 1 } ?? false, "the recording's u rises by one")
            }
            lastU = u
            for (key, bid) in [("b", true), ("a", false)] {
                for row in data[key] as? [[String]] ?? [] { book.set(bid: bid, row[0], row[1]) }
            }
        }
        return book
    }

    @Test("Bybit XRPUSDT: every message applied, the book equal to the file's own reading at the end and on the way")
    func bybitReplay() throws {
        let lines = try Self.lines(Self.bybitPath)
        #expect(lines.count == 50)
        let session = try replay([Self.bybitPath])
        let sync = try #require(session.synchronizers[Self.xrp]).counters
        #expect(sync.snapshots == 1)
        #expect(sync.applied == 49)
        #expect(sync.gaps == 0)
        #expect(sync.lastUpdateId == 20_254_918)
        #expect(session.stats.read == 50 && session.stats.malformed == 0)
        let market = try #require(session.engine.market(Self.xrp))
        #expect(market.book.isSynced)
        Self.expectSame(market.book, Self.bybitBook(lines), "the whole file")
        let scratch = try ScratchDirectory()
        for count in [1, 2, 17, 33] {
            let (partial, _) = try Self.replayLines(Array(lines.prefix(count)), name: "bybit-\(count).data", in: scratch)
            Self.expectSame(partial.engine.market(Self.xrp)?.book, Self.bybitBook(lines.prefix(count)), "after \(count) lines")
        }
    }

    @Test("Bybit: a message missing is one gap; the book stays at its last good state, stale, until a snapshot re-syncs it")
    func bybitGap() throws {
        let lines = try Self.lines(Self.bybitPath)
        let scratch = try ScratchDirectory()
        var removed = lines
        removed.remove(at: 20)
        let (session, _) = try Self.replayLines(removed, name: "bybit-gap.data", in: scratch)
        let sync = try #require(session.synchronizers[Self.xrp]).counters
        #expect(sync.gaps == 1)
        #expect(sync.resyncs == 0)
        #expect(sync.applied == 19)
        #expect(sync.droppedBeforeSync == 28)  // the 29 deltas after the hole: the first is the gap
        #expect(sync.lastProblem == "u 20254890 after u 20254888")
        let market = try #require(session.engine.market(Self.xrp))
        #expect(market.book.isStale)
        #expect(session.engine.staleMarkets == [Self.xrp])
        #expect(session.feedSummary.gaps == 1)
        Self.expectSame(market.book, Self.bybitBook(lines.prefix(20)), "the last good book")

        // A snapshot later in the stream re-syncs it.
        let (resynced, _) = try Self.replayLines(removed + [lines[0]], name: "bybit-resync.data", in: scratch)
        let after = try #require(resynced.synchronizers[Self.xrp]).counters
        #expect(after.gaps == 1 && after.resyncs == 1 && after.snapshots == 2)
        let book = try #require(resynced.engine.market(Self.xrp)).book
        #expect(!book.isStale)
        Self.expectSame(book, Self.bybitBook([lines[0]]), "the new snapshot")
    }

    @Test("Bybit: garbage lines are counted with file, line and field, and nothing already read is lost")
    func bybitGarbage() throws {
        var lines = try Self.lines(Self.bybitPath)
        let original = lines
        lines.insert("this is not a frame", at: 10)
        lines.insert(#"{"topic":"orderbook.500.XRPUSDT","type":"delta","ts":1733011200999,"data":{"s":"XRPUSDT","b":[["1.95x","10"]],"a":[],"u":7,"seq":1}}"#, at: 11)
        lines.insert(#"{"topic":"orderbook.500.XRPUSDT","type":"delta","ts":1733011200999,"data":{"s":"XRPUSDT","b":[],"a":[],"seq":1}}"#, at: 12)
        lines.insert(#"{"topic":"orderbook.500.XRPUSDT","type":"delta","ts":1733011200999,"data":{"s":"XRP\u001bUSDT","b":[],"a":[],"u":7}}"#, at: 13)
        let scratch = try ScratchDirectory()
        let (session, path) = try Self.replayLines(lines, name: "bybit-garbage.data", in: scratch)
        #expect(session.stats.malformed == 4)
        #expect(session.stats.firstMalformed.map { "\($0.file):\($0.line):\($0.field)" }
            == ["\(path):11:frame", "\(path):12:data.b", "\(path):13:data.u", "\(path):14:data.s"])
        let sync = try #require(session.synchronizers[Self.xrp]).counters
        #expect(sync.gaps == 0 && sync.applied == 49)
        Self.expectSame(session.engine.market(Self.xrp)?.book, Self.bybitBook(original), "the whole file, garbage skipped")
    }

    @Test("Bybit live frames: trades, tickers deltas that carry only what changed, exchange liquidations")
    func bybitLiveFrames() throws {
        let lines = [
            #"1733011200000000000 {"topic":"tickers.XRPUSDT","type":"snapshot","data":{"symbol":"XRPUSDT","markPrice":"1.9530","indexPrice":"1.9528","fundingRate":"0.0001","nextFundingTime":"1733040000000","openInterest":"1000000"},"cs":1,"ts":1733011200000}"#,
            #"1733011201000000000 {"topic":"tickers.XRPUSDT","type":"delta","data":{"symbol":"XRPUSDT","markPrice":"1.9540"},"cs":2,"ts":1733011201000}"#,
            #"1733011202000000000 {"topic":"tickers.XRPUSDT","type":"delta","data":{"symbol":"XRPUSDT","indexPrice":"1.9535"},"cs":3,"ts":1733011202000}"#,
            #"1733011203000000000 {"topic":"publicTrade.XRPUSDT","type":"snapshot","ts":1733011203000,"data":[{"T":1733011203000,"s":"XRPUSDT","S":"Buy","v":"100","p":"1.9541","L":"PlusTick","i":"a","BT":false},{"T":1733011203000,"s":"XRPUSDT","S":"Sell","v":"5","p":"1.9539","i":"b","BT":false}]}"#,
            #"1733011204000000000 {"topic":"allLiquidation.XRPUSDT","type":"snapshot","ts":1733011204000,"data":[{"T":1733011204000,"s":"XRPUSDT","S":"Buy","v":"2846","p":"1.9400"}]}"#,
            #"1733011205000000000 {"success":true,"ret_msg":"","conn_id":"x","op":"subscribe"}"#,
            #"1733011206000000000 {"topic":"tickers.XRPUSDT","type":"delta","data":{"symbol":"XRPUSDT","markPrice":"-1"},"cs":4,"ts":1733011206000}"#,
        ]
        let scratch = try ScratchDirectory()
        let (session, path) = try Self.replayLines(lines, name: "bybit-live.rec", in: scratch)
        let market = try #require(session.engine.market(Self.xrp))
        #expect(market.markPrice == Fixed("1.9540"))
        #expect(market.markSource == .stream)
        #expect(market.index.indexPrice == Fixed("1.9535"))
        #expect(market.index.fundingRate == Fixed("0.0001"))
        #expect(market.openInterest == Fixed(1_000_000))
        #expect(market.counters.trades == 2)
        #expect(market.lastTradePrice == BookUnits.parse("1.9539"))
        #expect(market.counters.exchangeLiquidations == 1)
        #expect(session.log.exchangeLiquidations.first?.side == .long)
        #expect(session.stats.skipped == 1)
        #expect(session.stats.firstMalformed.map { "\($0.line):\($0.field)" } == ["7:data.markPrice"])
        #expect(RecordingVenues.of(path: path) == [.bybit])
    }

    @Test("Bybit and Hyperliquid frames with a key given twice are malformed, named by line and key (the last one was read over the first)")
    func duplicateKeys() throws {
        let bybit = [
            #"1733011200000000000 {"topic":"tickers.XRPUSDT","type":"snapshot","data":{"symbol":"XRPUSDT","markPrice":"1.9530"},"ts":1733011200000}"#,
            #"1733011201000000000 {"topic":"tickers.XRPUSDT","type":"delta","data":{"symbol":"XRPUSDT","markPrice":"1.9540","markPrice":"0.5"},"ts":1733011201000}"#,
            #"1733011202000000000 {"topic":"orderbook.50.XRPUSDT","type":"snapshot","ts":1733011202000,"data":{"s":"XRPUSDT","s":"BTCUSDT","b":[["1.95","10"]],"a":[["1.96","10"]],"u":1,"seq":1}}"#,
            #"1733011203000000000 {"topic":"publicTrade.XRPUSDT","type":"snapshot","ts":1733011203000,"data":[{"T":1733011203000,"s":"XRPUSDT","S":"Buy","v":"100","p":"1.9541","p":"9"}]}"#,
            #"1733011204000000000 {"topic":"allLiquidation.XRPUSDT","type":"snapshot","ts":1733011204000,"data":[{"T":1733011204000,"s":"XRPUSDT","S":"Buy","S":"Sell","v":"2846","p":"1.9400"}]}"#,
            #"1733011205000000000 {"topic":"tickers.XRPUSDT","topic":"tickers.BTCUSDT","type":"delta","data":{"symbol":"XRPUSDT","markPrice":"1.9"},"ts":1733011205000}"#,
        ]
        let scratch = try ScratchDirectory()
        let (session, _) = try Self.replayLines(bybit, name: "bybit-twice.rec", in: scratch)
        #expect(session.stats.firstMalformed.map { "\($0.line):\($0.field)" } == [
            "2:data.markPrice (the key is given twice)", "3:data.s (the key is given twice)", "4:data[].p (the key is given twice)",
            "5:data[].S (the key is given twice)", "6:topic (the key is given twice)"])
        #expect(session.engine.market(Self.xrp)?.markPrice == Fixed("1.9530"))
        let hyperliquid = [
            #"1733011200000000000 {"channel":"l2Book","data":{"coin":"BTC","coin":"ETH","time":1733011200200,"levels":[[{"px":"50000","sz":"1","n":1}],[{"px":"50001","sz":"1","n":1}]]}}"#,
            #"1733011200100000000 {"channel":"l2Book","data":{"coin":"BTC","time":1733011200200,"levels":[[{"px":"50000","px":"1","sz":"1","n":1}],[{"px":"50001","sz":"1","n":1}]]}}"#,
            #"1733011200200000000 {"channel":"trades","data":[{"coin":"BTC","side":"B","px":"50000","sz":"1","sz":"9","time":1733011200200}]}"#,
            #"1733011200300000000 {"channel":"activeAssetCtx","data":{"coin":"BTC","ctx":{"markPx":"50000","markPx":"1","oraclePx":"50000"}}}"#,
            #"1733011200400000000 {"channel":"trades","data":[],"data":[{"coin":"BTC","side":"B","px":"1","sz":"1","time":1733011200200}]}"#,
            #"1733011200500000000 {"channel":"l2Book","data":{"coin":"BTC","time":1733011200200,"levels":[],"levels":[[{"px":"1","sz":"1","n":1}],[{"px":"2","sz":"1","n":1}]]}}"#,
        ]
        let (hl, _) = try Self.replayLines(hyperliquid, name: "hyperliquid-twice.rec", in: scratch)
        #expect(hl.stats.firstMalformed.map { "\($0.line):\($0.field)" } == [
            "1:data.coin (the key is given twice)", "2:data.levels", "3:data[].sz (the key is given twice)",
            "4:data.ctx.markPx (the key is given twice)", "5:data (the key is given twice)", "6:data.levels (the key is given twice)"])
    }

    @Test("a Bybit payload naming another symbol than its topic, an OKX element naming another instrument than its arg: malformed, nothing applied")
    func payloadOfAnotherMarket() throws {
        let scratch = try ScratchDirectory()
        let bybit = [
            #"{"topic":"orderbook.50.BTCUSDT","type":"snapshot","ts":1733011200000,"data":{"s":"BTCUSDT","b":[["60000","5"]],"a":[["60010","5"]],"u":1,"seq":1}}"#,
            #"{"topic":"orderbook.50.ETHUSDT","type":"snapshot","ts":1733011200100,"data":{"s":"ETHUSDT","b":[["3000","5"]],"a":[["3001","5"]],"u":1,"seq":1}}"#,
            #"{"topic":"orderbook.50.BTCUSDT","type":"delta","ts":1733011200200,"data":{"s":"ETHUSDT","b":[["3000","1"]],"a":[],"u":2,"seq":2}}"#,
            #"{"topic":"tickers.BTCUSDT","type":"snapshot","ts":1733011200300,"data":{"symbol":"ETHUSDT","markPrice":"3005.5","indexPrice":"3000.4"}}"#,
            #"{"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":1733011200400,"data":[{"T":1733011200400,"s":"ETHUSDT","S":"Buy","v":"1","p":"3000.6","i":"x"}]}"#,
            #"{"topic":"allLiquidation.BTCUSDT","type":"snapshot","ts":1733011200500,"data":[{"T":1733011200500,"s":"ETHUSDT","S":"Buy","v":"1","p":"3000"}]}"#,
            // An option trades under its coin's topic: skipped, not another market's (review).
            #"{"topic":"publicTrade.BTC","type":"snapshot","ts":1733011200600,"data":[{"T":1733011200600,"s":"BTC-27DEC24-60000-C","S":"Buy","v":"1","p":"100","i":"y"}]}"#,
        ]
        let (session, _) = try Self.replayLines(bybit, name: "2024-12-01_BTCUSDT_ob50.data", in: scratch)
        #expect(session.stats.firstMalformed.map { "\($0.line):\($0.field)" } == [
            "3:data.s (not the topic's symbol)", "4:data.symbol (not the topic's symbol)", "5:data[].s (not the topic's symbol)",
            "6:data[].s (not the topic's symbol)"])
        #expect(session.engine.market("bybit:BTC-27DEC24-60000-C") == nil && session.stats.skipped >= 1)
        let eth = try #require(session.engine.market("bybit:ETHUSDT"))
        #expect(eth.book.topLevels(.bid, count: 1).first?.size == BookUnits.parse("5"))
        #expect(eth.markSource != .stream && eth.markPrice != Fixed("3005.5") && eth.counters.trades == 0)
        let okx = [
            "wss://ws.okx.com:8443/ws/v5/public <-> 1700000000.0",
            #"1700000000.1: {"arg":{"channel":"mark-price","instId":"BTC-USD-SWAP"},"data":[{"instType":"SWAP","instId":"BTC-USD-SWAP","markPx":"30006","ts":"1700000000100"}]}"#,
            #"1700000000.5: {"arg":{"channel":"mark-price","instId":"BTC-USD-SWAP"},"data":[{"instType":"SWAP","instId":"ETH-USD-SWAP","markPx":"2000.6","ts":"1700000000500"}]}"#,
            #"1700000000.6: {"arg":{"channel":"books","instId":"BTC-USD-SWAP"},"action":"snapshot","data":[{"asks":[["2101","5","0","1"]],"bids":[["2100","5","0","1"]],"ts":"1700000000600","checksum":-1374807508,"instId":"ETH-USD-SWAP"}]}"#,
        ]
        let (okxSession, _) = try Self.replayLines(okx, name: "OKX.ws.1.0", in: scratch)
        #expect(okxSession.stats.firstMalformed.map { "\($0.line):\($0.field)" } == [
            "3:data[].instId (not the arg's instId)", "4:data[].instId (not the arg's instId)"], "\(okxSession.stats.firstMalformed)")
        #expect(okxSession.engine.market("okx:ETH-USD-SWAP") == nil)
        #expect(okxSession.engine.market("okx:BTC-USD-SWAP")?.markPrice == Fixed(30_006))
    }

    @Test("a Bybit mark that stands still while its tickers flow stays fresh: the market does not read MARK OUTDATED")
    func bybitQuietMarkStaysFresh() throws {
        let start: Int64 = 1_733_011_200_000_000_000
        let minute: Int64 = 60_000_000_000
        func ticker(_ offset: Int64, _ type: String, _ fields: String) -> String {
            let time = start + offset
            return #"\#(time) {"topic":"tickers.XRPUSDT","type":"\#(type)","data":{"symbol":"XRPUSDT",\#(fields)},"cs":1,"ts":\#(time / 1_000_000)}"#
        }
        func book(_ offset: Int64) -> String {
            let time = start + offset
            return #"\#(time) {"topic":"orderbook.50.XRPUSDT","type":"snapshot","ts":\#(time / 1_000_000),"data":{"s":"XRPUSDT","b":[["1.9500","1000"]],"a":[["1.9600","1000"]],"u":1,"seq":1}}"#
        }
        let scratch = try ScratchDirectory()
        func market(_ lines: [String], _ name: String) throws -> MarketState {
            let (session, _) = try Self.replayLines(lines, name: name, in: scratch)
            return try #require(session.engine.market(Self.xrp))
        }
        // Six minutes of index moves, one a minute, the mark unchanged (so not sent): it stands.
        var quiet = [book(0), ticker(0, "snapshot", #""markPrice":"1.9530","indexPrice":"1.9528""#)]
        for step in Int64(1)...6 { quiet.append(ticker(step * minute, "delta", #""indexPrice":"1.95\#(30 + step)""#)) }
        let stood = try market(quiet, "bybit-quiet.rec")
        #expect(stood.markPrice == Fixed("1.9530") && stood.counters.marks == 1)
        #expect(!stood.markOutdated, "the mark was confirmed by every delta")
        #expect(stood.markBlock(now: start + 6 * minute, maximumAge: 300_000_000_000) == nil)

        // A snapshot without a mark confirms nothing.
        let unconfirmed = try market([book(0), ticker(0, "snapshot", #""markPrice":"1.9530""#), ticker(6 * minute, "snapshot", #""indexPrice":"1.9529""#),
                                      ticker(6 * minute + 1_000_000_000, "snapshot", #""indexPrice":"1.9531""#)], "bybit-snapshot.rec")
        #expect(unconfirmed.markOutdated)

        // A mark already outdated is not revived by a delta: only a mark with a price does that.
        let revived = try market([book(0), ticker(0, "snapshot", #""markPrice":"1.9530""#), book(6 * minute),
                                  ticker(6 * minute, "delta", #""indexPrice":"1.9529""#)], "bybit-revive.rec")
        #expect(revived.markOutdated)

        // What stands is the price Bybit sent last, confirmed only while the engine holds it: a
        // mark line dated an hour before (refused behind the held one) and a mark tenfold from
        // the book (refused as implausible) are never applied, and the deltas after them confirm
        // neither the refused price nor the held one (the venue no longer says it): the held mark
        // ages and liquidations wait.
        for (hostile, datedBefore) in [(ticker(-60 * minute, "delta", #""markPrice":"1.8000""#), true), (ticker(minute / 2, "delta", #""markPrice":"0.1900""#), false)] {
            var lines = [book(0), ticker(0, "snapshot", #""markPrice":"1.9530""#), hostile]
            for step in Int64(1)...6 { lines.append(ticker(step * minute, "delta", #""indexPrice":"1.95\#(30 + step)""#)) }
            let held = try market(lines, "bybit-hostile.rec")
            #expect(held.markPrice == Fixed("1.9530"), "\(hostile)")
            // Counted as what it is: dated before the mark held, or implausible.
            #expect(held.markOutdated && held.counters.datedBeforeHeld == (datedBefore ? 1 : 0)
                && held.counters.implausiblePricesRefused == (datedBefore ? 0 : 1), "\(hostile)")
        }

        // A mark of another source (an events line) is not what Bybit confirms: it ages as ever.
        var stream = [book(0), ticker(0, "snapshot", #""markPrice":"1.9530""#)]
        for step in Int64(1)...16 { stream.append(ticker(step * minute / 2, "delta", #""indexPrice":"1.95\#(10 + step)""#)); stream.append(book(step * minute / 2)) }
        let events = try scratch.write("other.jsonl", #"{"type":"mark","symbol":"bybit:XRPUSDT","price":"1.2000","time":\#(start + 2 * minute)}"# + "\n")
        let recording = try scratch.write("bybit-other.rec", stream.joined(separator: "\n") + "\n")
        let merged = try replay([recording, events])
        let other = try #require(merged.engine.market(Self.xrp))
        #expect(other.markPrice == Fixed("1.2000"))
        #expect(other.markOutdated, "an events line's mark kept fresh by Bybit's deltas")
    }

    // MARK: OKX

    static let okxPath = SharedData.path("okx/OKX.ws.1.0")
    static let uni = "okx:UNI-USD-SWAP"
    static let future = "okx:BTC-USD-220527"

    struct OKXReading {
        var books: [String: PlainBook] = [:]
        /// Checksummed messages per instrument, and those whose checksum the reading did not match.
        var checksums: [String: Int] = [:]
        var mismatches = 0
        /// The data frames of each instrument's books and trades.
        var frames: [String: Int] = [:]
        var trades: [String: Int] = [:]
    }

    /// OKX's rules: a snapshot, then updates; size "0" deletes; the checksum of the top 25.
    static func okxReading(_ lines: some Sequence<String>) -> OKXReading {
        var reading = OKXReading()
        for line in lines where !line.hasPrefix("wss://") {
            guard let colon = line.range(of: ": ") else { continue }
            let frame = json(line[colon.upperBound...])
            guard let arg = frame["arg"] as? [String: Any], let channel = arg["channel"] as? String, let instrument = arg["instId"] as? String,
                let data = frame["data"] as? [[String: Any]]
            else { continue }
            if channel == "trades" {
                reading.frames[instrument, default: 0] += 1
                reading.trades[instrument, default: 0] += data.count
            }
            guard channel == "books" else { continue }
            reading.frames[instrument, default: 0] += 1
            for element in data {
                if frame["action"] as? String == "snapshot" { reading.books[instrument] = PlainBook() }
                for (key, bid) in [("bids", true), ("asks", false)] {
                    for row in element[key] as? [[String]] ?? [] { reading.books[instrument, default: PlainBook()].set(bid: bid, row[0], row[1]) }
                }
                if let checksum = element["checksum"] as? Int {
                    reading.checksums[instrument, default: 0] += 1
                    if reading.books[instrument]!.okxChecksum() != Int32(checksum) { reading.mismatches += 1 }
                }
            }
        }
        return reading
    }

    @Test("OKX capture: every checksum of the swap and the future verified, books equal to the file's own reading, spot skipped and counted")
    func okxReplay() throws {
        let lines = try Self.lines(Self.okxPath)
        let reading = Self.okxReading(lines)
        // The reading itself: all 290 checksums of the capture (the spot book's too) match.
        #expect(reading.checksums.values.reduce(0, +) == 290)
        #expect(reading.mismatches == 0)
        let session = try replay([Self.okxPath])
        #expect(session.stats.malformed == 0)
        for (market, instrument) in [(Self.uni, "UNI-USD-SWAP"), (Self.future, "BTC-USD-220527")] {
            let sync = try #require(session.synchronizers[market]).counters
            #expect(sync.checksumsVerified == reading.checksums[instrument], "\(market)")
            #expect(sync.checksumsVerified > 10)
            #expect(sync.gaps == 0 && sync.snapshots == 1)
            let book = session.engine.market(market)?.book
            #expect(book?.isSynced == true)
            Self.expectSame(book, reading.books[instrument]!, "\(market)")
            #expect(session.engine.market(market)?.counters.trades == reading.trades[instrument])
        }
        #expect(session.engine.market("okx:BTC-USDT") == nil)
        #expect(session.skippedInstruments == ["okx:BTC-USDT (spot: liqwatch watches swaps and futures)": reading.frames["BTC-USDT"]!])
        #expect(RecordingVenues.of(path: Self.okxPath) == [.okx])
        // The instruments built in for these contracts: inverse, coin-settled.
        #expect(session.engine.market(Self.uni)?.instrument.kind == .inverse(contractSize: Fixed(10)))
        #expect(session.engine.market(Self.uni)?.instrument.settlementAsset == "UNI")
        #expect(session.engine.market(Self.future)?.instrument.kind == .inverse(contractSize: Fixed(100)))
        // On the way too.
        let scratch = try ScratchDirectory()
        for count in [40, 150, 300] {
            let (partial, _) = try Self.replayLines(Array(lines.prefix(count)), name: "OKX-\(count).ws.1.0", in: scratch)
            let partialReading = Self.okxReading(lines.prefix(count))
            for (market, instrument) in [(Self.uni, "UNI-USD-SWAP"), (Self.future, "BTC-USD-220527")] {
                Self.expectSame(partial.engine.market(market)?.book, partialReading.books[instrument]!, "\(market) after \(count) lines")
                #expect(partial.synchronizers[market]?.counters.checksumsVerified == partialReading.checksums[instrument])
            }
        }
    }

    @Test("OKX capture: the decoder verifies all 290 checksums, the spot book's (not replayed) too, with no mismatch")
    func okxEveryChecksum() throws {
        var decoder = CryptofeedLineDecoder()
        var messages: [FeedMessage] = []
        for line in try Self.lines(Self.okxPath) {
            let bytes = Array(line.utf8)
            let outcome = bytes.withUnsafeBufferPointer { decoder.decode($0.baseAddress!, count: $0.count, into: &messages) }
            if case .malformed(let field) = outcome { Issue.record("malformed: \(field)") }
        }
        #expect(decoder.frames.okx.checksumsVerified == 290)
        #expect(decoder.frames.okx.checksumMismatches == 0)
    }

    /// The line numbers (0-based) of an instrument's book updates.
    static func okxUpdates(_ lines: [String], _ instrument: String) -> [Int] {
        lines.indices.filter { lines[$0].contains(#""channel":"books","instId":"\#(instrument)"},"action":"update""#) }
    }

    @Test("OKX: a missing update fails the next checksum: one gap, the last good book, stale to the end (no later snapshot)")
    func okxRemoved() throws {
        let lines = try Self.lines(Self.okxPath)
        let updates = Self.okxUpdates(lines, "UNI-USD-SWAP")
        let hole = updates[5]
        var removed = lines
        removed.remove(at: hole)
        let scratch = try ScratchDirectory()
        let (session, _) = try Self.replayLines(removed, name: "OKX-removed.ws.1.0", in: scratch)
        let sync = try #require(session.synchronizers[Self.uni]).counters
        #expect(sync.gaps == 1)
        #expect(sync.applied == 5)
        #expect(sync.droppedBeforeSync == updates.count - 7)
        #expect(sync.lastProblem?.hasPrefix("checksum ") == true)
        let book = try #require(session.engine.market(Self.uni)).book
        #expect(book.isStale)
        Self.expectSame(book, Self.okxReading(lines.prefix(hole)).books["UNI-USD-SWAP"]!, "the last good book")
        // The other market of the capture is untouched.
        #expect(session.synchronizers[Self.future]?.counters.gaps == 0)
        #expect(session.engine.staleMarkets == [Self.uni])
    }

    @Test("OKX: an altered checksum is one gap and the message is not applied")
    func okxAltered() throws {
        let lines = try Self.lines(Self.okxPath)
        let updates = Self.okxUpdates(lines, "BTC-USD-220527")
        let target = updates[3]
        var altered = lines
        let range = try #require(altered[target].range(of: #""checksum":"#))
        let digits = altered[target][range.upperBound...].prefix { $0 == "-" || $0.isNumber }
        let value = try #require(Int(digits))
        altered[target].replaceSubrange(range.upperBound..<altered[target].index(range.upperBound, offsetBy: digits.count), with: String(value + 1))
        let scratch = try ScratchDirectory()
        let (session, _) = try Self.replayLines(altered, name: "OKX-altered.ws.1.0", in: scratch)
        let sync = try #require(session.synchronizers[Self.future]).counters
        #expect(sync.gaps == 1 && sync.applied == 3)
        #expect(sync.lastProblem == "checksum \(value + 1), book gives \(value)")
        let book = try #require(session.engine.market(Self.future)).book
        #expect(book.isStale)
        Self.expectSame(book, Self.okxReading(lines.prefix(target)).books["BTC-USD-220527"]!, "the last good book")
    }

    @Test("OKX seqId/prevSeqId: a jump is a gap, a snapshot re-syncs; mark, funding, open interest, index and liquidations")
    func okxSequenceAndChannels() throws {
        func book(_ action: String, _ seq: Int, _ prev: Int, bids: String, asks: String, time: Int) -> String {
            #"\#(time)000000 {"arg":{"channel":"books","instId":"BTC-USDT-SWAP"},"action":"\#(action)","data":[{"asks":\#(asks),"bids":\#(bids),"ts":"\#(time)","seqId":\#(seq),"prevSeqId":\#(prev)}]}"#
        }
        let lines = [
            book("snapshot", 10, -1, bids: #"[["100","5","0","1"],["99","2","0","1"]]"#, asks: #"[["101","3","0","1"]]"#, time: 1_700_000_000_000),
            book("update", 12, 10, bids: #"[["100","6","0","1"]]"#, asks: "[]", time: 1_700_000_001_000),
            book("update", 12, 12, bids: "[]", asks: "[]", time: 1_700_000_002_000),
            book("update", 15, 13, bids: #"[["99","0","0","0"]]"#, asks: "[]", time: 1_700_000_003_000),
            book("update", 16, 15, bids: #"[["98","1","0","1"]]"#, asks: "[]", time: 1_700_000_004_000),
            book("snapshot", 20, -1, bids: #"[["100","1","0","1"]]"#, asks: #"[["102","4","0","1"]]"#, time: 1_700_000_005_000),
            book("update", 21, 20, bids: #"[["100","2","0","1"]]"#, asks: "[]", time: 1_700_000_006_000),
            #"1700000007000000000 {"arg":{"channel":"mark-price","instId":"BTC-USDT-SWAP"},"data":[{"instType":"SWAP","instId":"BTC-USDT-SWAP","markPx":"100.5","ts":"1700000007000"}]}"#,
            #"1700000008000000000 {"arg":{"channel":"funding-rate","instId":"BTC-USDT-SWAP"},"data":[{"fundingRate":"0.0002","fundingTime":"1700006400000","instId":"BTC-USDT-SWAP","instType":"SWAP","nextFundingRate":""}]}"#,
            #"1700000009000000000 {"arg":{"channel":"open-interest","instId":"BTC-USDT-SWAP"},"data":[{"instId":"BTC-USDT-SWAP","instType":"SWAP","oi":"5000","oiCcy":"50","ts":"1700000009000"}]}"#,
            #"1700000010000000000 {"arg":{"channel":"index-tickers","instId":"BTC-USDT"},"data":[{"instId":"BTC-USDT","idxPx":"100.4","ts":"1700000010000"}]}"#,
            #"1700000011000000000 {"arg":{"channel":"liquidation-orders","instType":"SWAP"},"data":[{"instId":"BTC-USDT-SWAP","instType":"SWAP","uly":"BTC-USDT","details":[{"bkLoss":"0","bkPx":"99.1","ccy":"","posSide":"short","side":"buy","sz":"3","ts":"1700000011000"}]}]}"#,
            #"1700000012000000000 {"event":"subscribe","arg":{"channel":"books","instId":"BTC-USDT-SWAP"}}"#,
            #"1700000013000000000 {"arg":{"channel":"trades","instId":"SOL-USDT-SWAP"},"data":[{"instId":"SOL-USDT-SWAP","tradeId":"1","px":"20","sz":"1","side":"buy","ts":"1700000013000"}]}"#,
        ]
        let scratch = try ScratchDirectory()
        let (session, _) = try Self.replayLines(lines, name: "okx.rec", in: scratch)
        let market = "okx:BTC-USDT-SWAP"
        let sync = try #require(session.synchronizers[market]).counters
        #expect(sync.gaps == 1)
        #expect(sync.lastProblem == "prevSeqId 13 after seqId 12")
        #expect(sync.resyncs == 1)
        #expect(sync.applied == 3)
        #expect(sync.droppedBeforeSync == 1)
        #expect(sync.lastUpdateId == 21)
        let state = try #require(session.engine.market(market))
        #expect(!state.book.isStale)
        // Sizes come in contracts of 0.01 BTC (OKX's ctVal for BTC-USDT-SWAP): 2 contracts are 0.02 BTC.
        #expect(state.book.topLevels(.bid, count: 5).map(\.size) == [BookUnits.parse("0.02")!])
        #expect(state.instrument.kind == .linear)
        #expect(state.markPrice == Fixed("100.5"))
        #expect(state.index.indexPrice == Fixed("100.4"))
        #expect(state.index.fundingRate == Fixed("0.0002"))
        #expect(state.openInterest == Fixed(50))
        #expect(state.counters.exchangeLiquidations == 1)
        #expect(session.log.exchangeLiquidations.first?.side == .short)
        #expect(session.log.exchangeLiquidations.first?.quantity == Fixed("0.03"))
        #expect(session.stats.malformed == 0)
        // A USDT-margined swap whose contract value liqwatch does not know: skipped, not misread.
        #expect(session.skippedInstruments == ["okx:SOL-USDT-SWAP (USDⓈ-margined: its contract value is not built in)": 1])
        #expect(session.engine.market("okx:SOL-USDT-SWAP") == nil)
    }

    @Test("OKX: garbage lines are counted with file, line and field")
    func okxGarbage() throws {
        var lines = try Self.lines(Self.okxPath)
        lines.insert("1652459226.0: {not json", at: 40)
        lines.insert(#"1652459226.0: {"arg":{"channel":"books","instId":"UNI-USD-SWAP"},"action":"update","data":[{"asks":[["5.1x","1","0","1"]],"bids":[],"ts":"1652459225464","checksum":1}]}"#, at: 41)
        lines.insert(#"1652459226.0: {"arg":{"channel":"books","instId":"UNI-USD-SWAP"},"action":"sideways","data":[]}"#, at: 42)
        lines.insert("garbage without a time", at: 43)
        let scratch = try ScratchDirectory()
        let (session, path) = try Self.replayLines(lines, name: "OKX-garbage.ws.1.0", in: scratch)
        #expect(session.stats.firstMalformed.map { "\($0.file):\($0.line):\($0.field)" }
            == ["\(path):41:frame", "\(path):42:data[].asks", "\(path):43:action", "\(path):44:capture time"])
        #expect(session.synchronizers[Self.uni]?.counters.gaps == 0)
    }

    // MARK: Hyperliquid

    static let hyperliquidPath = SharedData.path("hyperliquid/btcusd_20250126.gz")
    static let btc = "hyperliquid:BTC"

    /// Hyperliquid: every l2Book message is the whole book.
    static func hyperliquidBook(_ lines: some Sequence<String>) -> PlainBook {
        var book = PlainBook()
        for line in lines {
            guard let space = line.firstIndex(of: " ") else { continue }
            let frame = json(line[line.index(after: space)...])
            guard frame["channel"] as? String == "l2Book", let data = frame["data"] as? [String: Any],
                let levels = data["levels"] as? [[[String: Any]]]
            else { continue }
            book = PlainBook()
            for (side, bid) in [(levels[0], true), (levels[1], false)] {
                for level in side { book.set(bid: bid, level["px"] as! String, level["sz"] as! String) }
            }
        }
        return book
    }

    @Test("Hyperliquid BTC: every l2Book replaces the book; equal to the file's own reading; trades counted")
    func hyperliquidReplay() throws {
        let lines = try Self.gunzipLines(Self.hyperliquidPath)
        let books = lines.filter { $0.contains(#"{"channel":"l2Book""#) }.count
        let trades = lines.filter { $0.contains(#"{"channel":"trades""#) }.reduce(0) { $0 + $1.components(separatedBy: #""tid":"#).count - 1 }
        #expect(lines.count == 55 && books == 46 && trades > 0)
        let session = try replay([Self.hyperliquidPath])
        #expect(session.stats.malformed == 0)
        let sync = try #require(session.synchronizers[Self.btc]).counters
        #expect(sync.snapshots == books && sync.gaps == 0)
        let market = try #require(session.engine.market(Self.btc))
        #expect(market.book.isSynced)
        #expect(market.counters.trades == trades)
        #expect(market.instrument.settlementAsset == "USDC")
        Self.expectSame(market.book, Self.hyperliquidBook(lines), "the whole file")
        #expect(RecordingVenues.of(path: Self.hyperliquidPath) == [.hyperliquid])
        #expect(!Venue.hyperliquid.publishesLiquidations && Venue.bybit.publishesLiquidations)
        let scratch = try ScratchDirectory()
        for count in [1, 12, 30] {
            let (partial, _) = try Self.replayLines(Array(lines.prefix(count)), name: "hl-\(count)", in: scratch)
            Self.expectSame(partial.engine.market(Self.btc)?.book, Self.hyperliquidBook(lines.prefix(count)), "after \(count) lines")
        }
        // No sequence to break: without its last book the replay ends on the one before, in sync.
        let last = try #require(lines.lastIndex { $0.contains(#"{"channel":"l2Book""#) })
        var removed = lines
        removed.remove(at: last)
        let (shorter, _) = try Self.replayLines(removed, name: "hl-removed", in: scratch)
        #expect(shorter.synchronizers[Self.btc]?.counters.gaps == 0)
        #expect(shorter.engine.market(Self.btc)?.book.isSynced == true)
        Self.expectSame(shorter.engine.market(Self.btc)?.book, Self.hyperliquidBook(removed), "the book before the last")
    }

    @Test("Hyperliquid: garbage lines are counted with file, line and field; activeAssetCtx gives the mark, the oracle index and funding")
    func hyperliquidGarbage() throws {
        var lines = try Self.gunzipLines(Self.hyperliquidPath)
        let original = lines
        lines.insert(#"1737918843893903001 {"channel":"l2Book","data":{"coin":"BTC","levels":[[{"n":1,"px":"-5","sz":"1"}],[]],"time":1}}"#, at: 5)
        lines.insert(#"1737918843893903001 {"channel":"l2Book","data":{"coin":"BTC","levels":[[]],"time":1}}"#, at: 6)
        lines.insert("1737918843893903001 ", at: 7)
        lines.append(#"1737918899000000000 {"channel":"activeAssetCtx","data":{"coin":"BTC","ctx":{"funding":"0.0000125","openInterest":"12345.6","oraclePx":"105010.0","markPx":"105020.0","premium":"0.0001"}}}"#)
        let scratch = try ScratchDirectory()
        let (session, path) = try Self.replayLines(lines, name: "hl-garbage", in: scratch)
        #expect(session.stats.firstMalformed.map { "\($0.file):\($0.line):\($0.field)" }
            == ["\(path):6:data.levels", "\(path):7:data.levels", "\(path):8:frame"])
        let market = try #require(session.engine.market(Self.btc))
        Self.expectSame(market.book, Self.hyperliquidBook(original), "garbage skipped")
        #expect(market.markPrice == Fixed(105_020))
        #expect(market.index.indexPrice == Fixed(105_010))
        #expect(market.index.fundingRate == Fixed("0.0000125"))
    }
}
