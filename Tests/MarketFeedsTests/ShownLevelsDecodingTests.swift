import Testing
@testable import MarketFeeds
import RiskEngine

/// Each venue's decoder says how many levels a side its book feed shows, so the engine can tell a
/// book that ends from a feed that stops showing it (see `OrderBook.endsAtShownLevels`).
@Suite("The levels a side each feed shows")
struct ShownLevelsDecodingTests {
    static func replay(_ name: String, _ lines: [String]) throws -> ReplaySession {
        let scratch = try ScratchDirectory()
        let path = try scratch.write(name, lines.joined(separator: "\n") + "\n")
        var options = SessionOptions()
        options.threaded = false
        let session = try ReplaySession(paths: [path], options: options)
        try session.runToEnd()
        return session
    }

    static func shown(_ session: ReplaySession, _ market: String) throws -> Int {
        let book = try #require(session.engine.market(market)?.book)
        #expect(book.hasSnapshot)
        return book.shownLevels
    }

    @Test("Hyperliquid l2Book: 20 levels a side")
    func hyperliquid() throws {
        let line = #"1733011200000000000 {"channel":"l2Book","data":{"coin":"BTC","time":1733011200200,"levels":[[{"px":"50000","sz":"1","n":1}],[{"px":"50001","sz":"1","n":1}]]}}"#
        #expect(try Self.shown(Self.replay("hl.txt", [line]), "hyperliquid:BTC") == 20)
    }

    @Test("Bybit orderbook.N: N, from the topic, kept by the deltas")
    func bybit() throws {
        func frame(_ depth: Int, _ type: String, u: Int) -> String {
            #"{"topic":"orderbook.\#(depth).XRPUSDT","type":"\#(type)","ts":\#(1_733_011_200_000 + u),"data":{"s":"XRPUSDT","b":[["1.9999","100"]],"a":[["2.0001","100"]],"u":\#(u),"seq":\#(u)},"cts":1733011200000}"#
        }
        #expect(try Self.shown(Self.replay("bybit50.txt", [frame(50, "snapshot", u: 1), frame(50, "delta", u: 2)]), "bybit:XRPUSDT") == 50)
        #expect(try Self.shown(Self.replay("bybit1000.txt", [frame(1000, "snapshot", u: 1)]), "bybit:XRPUSDT") == 1000)
    }

    @Test("OKX: books 400, books5 5, bbo-tbt 1")
    func okx() throws {
        let books = OKXChecksumTests.frame("snapshot", bids: [("100", "1")], asks: [("101", "1")],
            checksum: OKXChecksumTests.expected(bids: [("100", "1")], asks: [("101", "1")]))
        #expect(try Self.shown(Self.replay("okx.txt", ["1700000000000000000 " + books]), "okx:BTC-USD-SWAP") == 400)
        let five = #"1700000000000000000 {"arg":{"channel":"books5","instId":"BTC-USD-SWAP"},"data":[{"asks":[["101","1","0","1"]],"bids":[["100","1","0","1"]],"instId":"BTC-USD-SWAP","ts":"1700000000000"}]}"#
        #expect(try Self.shown(Self.replay("okx5.txt", [five]), "okx:BTC-USD-SWAP") == 5)
        let bbo = five.replacingOccurrences(of: "books5", with: "bbo-tbt")
        #expect(try Self.shown(Self.replay("okxbbo.txt", [bbo]), "okx:BTC-USD-SWAP") == 1)
    }

    @Test("Tardis book_snapshot_N: N a side, at most Hyperliquid's 20 for Hyperliquid's books")
    func tardis() throws {
        var header = "exchange,symbol,timestamp,local_timestamp"
        var row = ""
        for level in 0..<25 {
            header += ",asks[\(level)].price,asks[\(level)].amount,bids[\(level)].price,bids[\(level)].amount"
            row += ",\(60_001 + level),1,\(60_000 - level),1"
        }
        let binance = try Self.replay("b.csv", [header, "binance-futures,BTCUSDT,1598918403696000,1598918403810979" + row])
        #expect(try Self.shown(binance, "binance-usdm:BTCUSDT") == 25)
        let hyperliquid = try Self.replay("h.csv", [header, "hyperliquid,BTC,1598918403696000,1598918403810979" + row])
        #expect(try Self.shown(hyperliquid, "hyperliquid:BTC") == 20)
    }

    @Test("an events file states it, checked; without it the book is whole")
    func eventsFile() throws {
        let book = #"{"type":"book","time":1723161255000000000,"symbol":"BTCUSDT","snapshot":true,"bids":[["100","1"]],"asks":[["101","1"]]"#
        #expect(try Self.shown(Self.replay("e.jsonl", [book + #","shown_levels":20}"#]), "BTCUSDT") == 20)
        #expect(try Self.shown(Self.replay("w.jsonl", [book + "}"]), "BTCUSDT") == 0)
        let session = try Self.replay("bad.jsonl", [book + #","shown_levels":0}"#, book + #","shown_levels":"x"}"#])
        #expect(session.stats.malformed == 2)
        #expect(session.stats.firstMalformed.map { $0.field.hasPrefix("shown_levels") } == [true, true], "\(session.stats.firstMalformed)")
        #expect(session.stats.firstMalformed.map(\.line) == [1, 2])
    }

    @Test("a depth, a side or a header that says no count of levels is malformed, named, never a whole book")
    func refusedShapes() throws {
        // Bybit: a topic whose depth is not a count of levels.
        for topic in ["orderbook.abc.XRPUSDT", "orderbook.XRPUSDT", "orderbook.0.XRPUSDT", "orderbook.99999999999999999999.XRPUSDT", "orderbook.-2.XRPUSDT"] {
            let frame = #"{"topic":"\#(topic)","type":"snapshot","ts":1733011200000,"data":{"s":"XRPUSDT","b":[["1.9999","100"]],"a":[["2.0001","100"]],"u":1,"seq":1},"cts":1733011200000}"#
            let session = try Self.replay("by.txt", [frame])
            #expect(session.stats.malformed == 1 && session.stats.firstMalformed.first?.field == "topic (the book's depth)", "\(topic): \(session.stats.firstMalformed)")
        }
        // OKX: a books5 snapshot without its bids.
        let five = #"1700000000000000000 {"arg":{"channel":"books5","instId":"BTC-USD-SWAP"},"data":[{"asks":[["101","1","0","1"]],"instId":"BTC-USD-SWAP","ts":"1700000000000"}]}"#
        let okx = try Self.replay("okx5.txt", [five])
        #expect(okx.stats.malformed == 1 && okx.stats.firstMalformed.first?.field == "data[].bids", "\(okx.stats.firstMalformed)")
        // Events: a list, and a count said of an update.
        let book = #"{"type":"book","time":1723161255000000000,"symbol":"BTCUSDT","bids":[["100","1"]],"asks":[["101","1"]]"#
        let events = try Self.replay("e.jsonl", [book + #","shown_levels":[2]}"#, book + #","snapshot":false,"shown_levels":2}"#])
        #expect(events.stats.malformed == 2 && events.stats.firstMalformed.allSatisfy { $0.field.hasPrefix("shown_levels") }, "\(events.stats.firstMalformed)")
        // Tardis: five ask levels beside two bid ones, a level past a gap, a price left out.
        var header = "exchange,symbol,timestamp,local_timestamp"
        var row = "binance-futures,BTCUSDT,1598918403696000,1598918403810979"
        for level in 0..<5 {
            header += ",asks[\(level)].price,asks[\(level)].amount"
            row += ",\(60_001 + level),1"
            if level < 2 { header += ",bids[\(level)].price,bids[\(level)].amount"; row += ",\(60_000 - level),1" }
        }
        // The header and its row: each refused, naming the header.
        let ragged = try Self.replay("ragged_book_snapshot_5.csv", [header, row])
        #expect(ragged.stats.malformed == 2 && ragged.stats.firstMalformed.first?.field.contains("bids[2].price") == true, "\(ragged.stats.firstMalformed)")
        let gapped = try Self.replay("gap_book_snapshot_5.csv", ["exchange,symbol,timestamp,local_timestamp,asks[0].price,asks[0].amount,bids[0].price,bids[0].amount,bids[7].price,bids[7].amount",
            "binance-futures,BTCUSDT,1598918403696000,1598918403810979,60001,1,60000,1,59000,1"])
        #expect(gapped.stats.malformed == 2 && gapped.stats.firstMalformed.first?.field.contains("bids[7]") == true, "\(gapped.stats.firstMalformed)")
        let half = try Self.replay("half_book_snapshot_5.csv", ["exchange,symbol,timestamp,local_timestamp,asks[0].price,asks[0].amount,bids[0].price,bids[0].amount",
            "binance-futures,BTCUSDT,1598918403696000,1598918403810979,60001,1,,1"])
        #expect(half.stats.malformed == 1 && half.stats.firstMalformed.first?.field == "bids[0]", "\(half.stats.firstMalformed)")
    }

    @Test("the real recordings: Hyperliquid 20, the Tardis snapshots 25, Bybit's 500, OKX's 400, Binance's whole book",
          .enabled(if: SharedData.isPresent, SharedData.skipMessage))
    func realRecordings() throws {
        for (path, expected) in [("hyperliquid/btcusd_20250126.gz", 20), ("tardis/binance-futures_book_snapshot_25_BTCUSDT.csv", 25),
                                 ("bybit/2024-12-01_XRPUSDT_ob500.data", 500), ("okx/OKX.ws.1.0", 400),
                                 ("binance-usdm/btcusdt_20240808.gz", 0), ("tardis/deribit_incremental_book_L2_BTC-PERPETUAL.csv", 0)] {
            var options = SessionOptions()
            options.threaded = false
            let session = try ReplaySession(paths: [SharedData.path(path)], options: options)
            try session.runToEnd()
            let books = session.engine.markets.filter { $0.book.hasSnapshot }
            #expect(!books.isEmpty, "\(path)")
            #expect(books.allSatisfy { $0.book.shownLevels == expected }, "\(path): \(books.map { "\($0.symbol) \($0.book.shownLevels)" })")
        }
    }
}
