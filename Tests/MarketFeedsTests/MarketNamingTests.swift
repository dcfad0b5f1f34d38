import Foundation
import Testing
@testable import MarketFeeds
import RiskEngine

@Suite("Markets as venue:symbol: resolution, decoders, a session's venues")
struct MarketNamingTests {
    @Test("a bare symbol means the session's one venue that lists it; two make it ambiguous, named with the candidates")
    func resolution() throws {
        let binance = MarketResolver(venues: [.binanceUSDM, .binanceCOINM])
        #expect(try binance.resolve("BTCUSDT") == "binance-usdm:BTCUSDT")
        #expect(try binance.resolve("btcusd_perp") == "binance-coinm:BTCUSD_PERP")
        #expect(try binance.resolve(" binance-usdm:ethusdt ") == "binance-usdm:ETHUSDT")
        #expect(try binance.resolve("bybit:BTCUSDT") == "bybit:BTCUSDT")
        let mixed = MarketResolver(venues: [.bybit, .binanceUSDM, .okx, .hyperliquid])
        #expect(throws: MarketNameError.ambiguous(symbol: "BTCUSDT", candidates: ["binance-usdm:BTCUSDT", "bybit:BTCUSDT"])) {
            try mixed.resolve("BTCUSDT")
        }
        do {
            _ = try mixed.resolve("BTCUSDT")
        } catch {
            #expect(error.description == "BTCUSDT is ambiguous: it could be binance-usdm:BTCUSDT or bybit:BTCUSDT; write venue:symbol")
        }
        #expect(try mixed.resolve("BTC-USDT-SWAP") == "okx:BTC-USDT-SWAP")
        #expect(try mixed.resolve("kPEPE") == "hyperliquid:kPEPE")
        #expect(throws: MarketNameError.self) { try binance.resolve("BTC-USDT-SWAP") }
        #expect(throws: MarketNameError.self) { try binance.resolve("BTC\u{1B}]0;x") }
        #expect(throws: MarketNameError.self) { try binance.resolve("Bad Venue:BTCUSDT") }
        // No exchange feed: liqwatch's default venue.
        #expect(MarketResolver(venues: []).venues == [.binanceUSDM])
    }

    @Test("a live recording of several venues names each of them, whichever venue's frame comes first")
    func venuesOfAMultiVenueRecording() throws {
        let scratch = try ScratchDirectory()
        let recording = try scratch.write("live.rec", [
            #"1764554400000000000 {"channel":"subscriptionResponse","data":{"method":"subscribe","subscription":{"type":"l2Book","coin":"BTC"}}}"#,
            #"1764554400000000001 {"success":true,"ret_msg":"","conn_id":"c1","op":"subscribe"}"#,
            #"1764554400000000002 {"event":"subscribe","arg":{"channel":"books","instId":"BTC-USDT-SWAP"},"connId":"a1"}"#,
            #"1764554400000000003 {"stream":"btcusdt@markPrice@1s","data":{"e":"markPriceUpdate","E":1,"s":"BTCUSDT","p":"1"}}"#,
        ].joined(separator: "\n"))
        #expect(RecordingVenues.of(path: recording) == [.hyperliquid, .bybit, .okx, .binanceUSDM])
        // So a bare symbol of a positions file is looked up among all four, and is ambiguous
        // where two list it.
        let resolver = MarketResolver(venues: RecordingVenues.of(path: recording))
        #expect(try resolver.resolve("BTC-USDT-SWAP") == "okx:BTC-USDT-SWAP")
        #expect(throws: MarketNameError.self) { try resolver.resolve("BTCUSDT") }
    }

    /// A Deribit option's 0.0525 BTC premium was read as a BTC price of 0.0525, and made an ADL of
    /// 2.6 M BTC (attacker trial).
    @Test("Tardis rows of options, spot and shapes no perpetual or future has are skipped and counted, not made markets")
    func tardisOptionsSkipped() throws {
        let scratch = try ScratchDirectory()
        let tardis = try scratch.write("t.csv", """
            exchange,symbol,timestamp,local_timestamp,id,side,price,amount
            deribit,BTC-PERPETUAL,1723161256000000,1723161256000000,1,buy,60000,10
            deribit,BTC-27DEC24-60000-C,1723161256000000,1723161256000000,2,buy,0.0525,1
            bybit-options,BTC-27DEC24-60000-C,1723161256000000,1723161256000000,3,buy,100,1
            okex,BTC-USDT,1723161256000000,1723161256000000,4,buy,60000,1
            bybit-spot,BTCUSDT,1723161256000000,1723161256000000,5,buy,60000,1
            """)
        let replayed = try replay([tardis])
        #expect(replayed.engine.markets.map(\.symbol) == ["deribit:BTC-PERPETUAL"])
        #expect(replayed.skippedInstruments.values.reduce(0, +) == 4, "\(replayed.skippedInstruments)")
        #expect(replayed.skippedInstruments.keys.contains { $0.contains("BTC-27DEC24-60000-C") && $0.contains("its perpetuals are like BTC-PERPETUAL") })
    }

    @Test("Hyperliquid's spot pairs (PURR/USDC, @107) are skipped and counted in every channel, not made perpetual markets")
    func hyperliquidSpotSkipped() throws {
        let scratch = try ScratchDirectory()
        let frames = try scratch.write("hl.rec", [
            #"1737918843893903000 {"channel":"l2Book","data":{"coin":"PURR/USDC","levels":[[{"n":1,"px":"0.2","sz":"1000"}],[{"n":1,"px":"0.21","sz":"1000"}]],"time":1737918843542}}"#,
            #"1737918843893904000 {"channel":"l2Book","data":{"coin":"@107","levels":[[{"n":1,"px":"30.1","sz":"10"}],[{"n":1,"px":"30.2","sz":"10"}]],"time":1737918843542}}"#,
            #"1737918843893905000 {"channel":"trades","data":[{"coin":"@107","px":"30.1","sz":"1","side":"B","time":1737918843542},{"coin":"BTC","px":"100000","sz":"1","side":"B","time":1737918843542}]}"#,
            #"1737918843893906000 {"channel":"activeAssetCtx","data":{"coin":"PURR/USDC","ctx":{"markPx":"0.2","oraclePx":"0.2","funding":"0.0001"}}}"#,
            #"1737918843893907000 {"channel":"l2Book","data":{"coin":"BTC","levels":[[{"n":1,"px":"100000","sz":"1"}],[{"n":1,"px":"100001","sz":"1"}]],"time":1737918843542}}"#,
        ].joined(separator: "\n") + "\n")
        let replayed = try replay([frames])
        #expect(replayed.engine.markets.map(\.symbol) == ["hyperliquid:BTC"])
        #expect(replayed.skippedInstruments.values.reduce(0, +) == 4, "\(replayed.skippedInstruments)")
        #expect(replayed.skippedInstruments.keys.contains { $0.contains("hyperliquid:PURR/USDC") && $0.contains("spot") })
        #expect(replayed.stats.malformed == 0)
        // Through an events file or a Tardis file too (`@107` made a perpetual market there:
        // attacker trial), and never a bare symbol's candidate.
        let events = try scratch.write("e.ndjson", #"{"type":"mark","symbol":"hyperliquid:@107","price":"30.15","time":1737918843893903000}"# + "\n")
        let fromEvents = try replay([events])
        #expect(fromEvents.engine.markets.isEmpty && fromEvents.stats.malformed == 1, "\(fromEvents.stats.firstMalformed)")
        let tardis = try scratch.write("hl_incremental_book_L2.csv", """
            exchange,symbol,timestamp,local_timestamp,is_snapshot,side,price,amount
            hyperliquid,@107,1737918843893903,1737918843893903,true,bid,30.1,10
            hyperliquid,BTC,1737918843893903,1737918843893903,true,bid,100000,1
            """)
        let fromTardis = try replay([tardis])
        #expect(fromTardis.engine.markets.map(\.symbol) == ["hyperliquid:BTC"])
        #expect(fromTardis.skippedInstruments.keys.contains { $0.contains("@107") && $0.contains("spot pairs") }, "\(fromTardis.skippedInstruments)")
        #expect(!Venue.hyperliquid.lists("@107") && !Venue.hyperliquid.lists("PURR/USDC") && Venue.hyperliquid.lists("kPEPE"))
    }

    @Test("Tardis exchanges liqwatch has no rules for, and its spot exchanges, are skipped, named, and never a venue of the file")
    func tardisUnmodelledExchanges() throws {
        let scratch = try ScratchDirectory()
        let tardis = try scratch.write("t.csv", """
            exchange,symbol,timestamp,local_timestamp,id,side,price,amount
            binance,BTCUSDT,1723161256000000,1723161256000000,1,buy,3000,1
            bitmex,XBTUSD,1723161256000000,1723161256000000,2,buy,60000,1
            ftx,BTC-PERP,1723161256000000,1723161256000000,3,buy,60000,1
            binance-delivery,BTCUSDT,1723161256000000,1723161256000000,4,buy,60000,1
            BINANCE-FUTURES,BTCUSDT,1723161256000000,1723161256000000,5,buy,60000,1
            """)
        // Rows of exchanges liqwatch skips name no venue; the rows after them name theirs (the
        // first row alone was read, and the file named none).
        #expect(RecordingVenues.of(path: tardis) == [.binanceCOINM, .binanceUSDM])
        let spotOnly = try scratch.write("spot.csv", """
            exchange,symbol,timestamp,local_timestamp,id,side,price,amount
            binance,BTCUSDT,1723161256000000,1723161256000000,1,buy,3000,1
            okex,BTC-USDT,1723161256000000,1723161256000000,2,buy,3000,1
            """)
        #expect(RecordingVenues.of(path: spotOnly).isEmpty, "spot rows name no venue a bare symbol could resolve to")
        let replayed = try replay([tardis])
        #expect(replayed.engine.markets.map(\.symbol) == ["binance-usdm:BTCUSDT"], "\(replayed.engine.markets.map(\.symbol))")
        let skipped = replayed.skippedInstruments.keys.sorted()
        #expect(skipped.contains { $0.contains("binance:BTCUSDT") && $0.contains("spot is not modelled") }, "\(skipped)")
        #expect(skipped.contains { $0.contains("bitmex:XBTUSD") && $0.contains("no rules for") })
        #expect(skipped.contains { $0.contains("binance-delivery:BTCUSDT") && $0.contains("not a perpetual or future of binance-coinm") })
    }

    @Test("a Tardis row of a contract its exchange does not list by shape is skipped: a COIN-M contract under binance-futures, a USDT pair under hyperliquid")
    func tardisContractOfAnotherVenue() throws {
        let scratch = try ScratchDirectory()
        let tardis = try scratch.write("a_incremental_book_L2.csv", """
            exchange,symbol,timestamp,local_timestamp,is_snapshot,side,price,amount
            binance-futures,BTCUSD_PERP,1723161255000000,1723161255000000,true,ask,60010,1000
            binance-futures,BTCUSD_PERP,1723161255000000,1723161255000000,true,bid,60000,1000
            hyperliquid,BTCUSDT,1723161255000000,1723161255000000,true,bid,60000,1
            hyperliquid,BTC,1723161255000000,1723161255000000,true,bid,60000,1
            binance-futures,ETHBTC,1723161255000000,1723161255000000,true,bid,0.05,1
            """)
        let replayed = try replay([tardis])
        #expect(replayed.engine.markets.map(\.symbol).sorted() == ["binance-usdm:ETHBTC", "hyperliquid:BTC"], "\(replayed.engine.markets.map(\.symbol))")
        let skipped = replayed.skippedInstruments.keys.sorted()
        #expect(skipped.contains { $0.contains("binance-futures:BTCUSD_PERP") && $0.contains("a COIN-M contract") }, "\(skipped)")
        #expect(skipped.contains { $0.contains("hyperliquid:BTCUSDT") && $0.contains("names a perpetual by its coin") }, "\(skipped)")
    }

    @Test("a Tardis snapshot whose rows have another market's between them is one snapshot; a column named twice refuses every row")
    func tardisInterleavedSnapshot() throws {
        let scratch = try ScratchDirectory()
        let tardis = try scratch.write("incremental_book_L2.csv", """
            exchange,symbol,timestamp,local_timestamp,is_snapshot,side,price,amount
            binance-futures,BTCUSDT,1723161256000000,1723161256000000,true,bid,54100,1.5
            binance-futures,ETHUSDT,1723161256000000,1723161256000000,true,bid,2999,10
            binance-futures,BTCUSDT,1723161256000000,1723161256000000,true,ask,54200,1.5
            binance-futures,ETHUSDT,1723161256000000,1723161256000000,true,ask,3001,10
            binance-futures,BTCUSDT,1723161256000000,1723161256000000,true,bid,54000,1.5
            binance-futures,BTCUSDT,1723161257000000,1723161257000000,false,bid,54000,2
            """)
        let replayed = try replay([tardis])
        let btc = try #require(replayed.engine.market("binance-usdm:BTCUSDT"))
        #expect(btc.book.topLevels(.bid, count: 3).map(\.price) == [BookUnits.parse("54100")!, BookUnits.parse("54000")!])
        #expect(btc.book.topLevels(.bid, count: 3).map(\.size) == [BookUnits.parse("1.5")!, BookUnits.parse("2")!])
        #expect(btc.book.topLevels(.ask, count: 3).map(\.price) == [BookUnits.parse("54200")!])
        #expect(replayed.engine.market("binance-usdm:ETHUSDT")?.book.topLevels(.ask, count: 3).map(\.price) == [BookUnits.parse("3001")!])
        let twice = try scratch.write("twice_incremental_book_L2.csv", """
            exchange,symbol,timestamp,local_timestamp,is_snapshot,side,price,amount,price
            binance-futures,BTCUSDT,1723161256000000,1723161256000000,true,bid,60000,1.5,3
            """)
        let refused = try replay([twice])
        #expect(refused.engine.markets.isEmpty)
        #expect(refused.stats.firstMalformed.first?.field == "header: column 'price' given twice (columns 7 and 9)")
    }

    @Test("decoders name the venue: Binance by the symbol's shape, Tardis by its exchange column, events by venue or resolution")
    func decoders() throws {
        let scratch = try ScratchDirectory()
        let tardis = try scratch.write("t.csv", """
            exchange,symbol,timestamp,local_timestamp,id,side,price,amount
            binance-futures,BTCUSDT,1723161256000000,1723161256000000,1,buy,60000,1
            binance-delivery,BTCUSD_PERP,1723161256000000,1723161256000000,2,buy,60000,1
            deribit,BTC-PERPETUAL,1723161256000000,1723161256000000,3,buy,60000,10
            """)
        #expect(RecordingVenues.of(path: tardis) == [.binanceUSDM, .binanceCOINM, .deribit])
        let replayed = try replay([tardis])
        #expect(replayed.engine.markets.map(\.symbol) == ["binance-usdm:BTCUSDT", "binance-coinm:BTCUSD_PERP", "deribit:BTC-PERPETUAL"])
        // The inverse contract is the built-in one: its settlement asset is BTC.
        #expect(replayed.engine.market("binance-coinm:BTCUSD_PERP")?.instrument.settlementAsset == "BTC")

        let events = try scratch.write("e.ndjson", [
            #"{"type":"mark","symbol":"BTCUSDT","price":"60000","time":1723161256000000000}"#,
            #"{"type":"mark","venue":"bybit","symbol":"BTCUSDT","price":"60010"}"#,
            #"{"type":"mark","symbol":"okx:BTC-USDT-SWAP","price":"60020"}"#,
            #"{"type":"mark","symbol":"BTC-USDT-SWAP","price":"60020"}"#,
        ].joined(separator: "\n"))
        #expect(RecordingVenues.of(path: events).isEmpty)
        let fromEvents = try replay([events])
        #expect(fromEvents.engine.markets.map(\.symbol) == ["binance-usdm:BTCUSDT", "bybit:BTCUSDT", "okx:BTC-USDT-SWAP"])
        // The last line's bare OKX symbol: no venue of this session (binance-usdm) lists it.
        #expect(fromEvents.stats.malformed == 1)
        #expect(fromEvents.stats.firstMalformed.first?.field.contains("no venue of this session (binance-usdm) lists BTC-USDT-SWAP") == true)
    }

    /// One liqwatch event line decoded in a session of `venues`: its event, and what the decoder said.
    static func decodeLine(_ line: String, venues: [Venue]) -> (MarketEvent?, DecodeOutcome) {
        var decoder = LiqwatchEventDecoder(resolver: MarketResolver(venues: venues))
        var messages: [FeedMessage] = []
        let outcome = Array(line.utf8).withUnsafeBufferPointer { decoder.decode($0.baseAddress!, count: $0.count, into: &messages) }
        guard case .event(let event)? = messages.first else { return (nil, outcome) }
        return (event, outcome)
    }

    @Test("an account line's wallet is one venue's: named by venue, else the session's one venue; several venues and none named is refused")
    func accountLinesNameTheirVenue() throws {
        func decode(_ line: String, venues: [Venue]) -> (MarketEvent?, DecodeOutcome) { Self.decodeLine(line, venues: venues) }
        func venue(of event: MarketEvent?) -> String? {
            guard case .account(_, _, let venue, _, _, _)? = event else { return nil }
            return venue
        }
        let bare = #"{"type":"account","account":"bob","wallet_balance":"1000"}"#
        let named = #"{"type":"account","account":"bob","venue":"bybit","wallet_balance":"1000"}"#
        #expect(venue(of: decode(bare, venues: [.binanceUSDM]).0) == "binance-usdm")
        #expect(venue(of: decode(bare, venues: [.okx]).0) == "okx")
        #expect(venue(of: decode(named, venues: [.binanceUSDM, .bybit]).0) == "bybit")
        // Named, even a venue the session has no feed of (an events-only session's positions may
        // name any market).
        #expect(venue(of: decode(named, venues: [.binanceUSDM]).0) == "bybit")
        let (none, outcome) = decode(bare, venues: [.binanceUSDM, .bybit])
        #expect(none == nil)
        #expect(outcome == .malformed(field: "venue: this session has several venues (binance-usdm, bybit) and an account is one venue's: give venue"))
        let (_, unknown) = decode(#"{"type":"account","account":"bob","venue":"binanse-usdm","wallet_balance":"1"}"#, venues: [.binanceUSDM])
        guard case .malformed(let field) = unknown else { Issue.record("an unknown venue must be refused"); return }
        #expect(field.hasPrefix("venue: unknown venue 'binanse-usdm'"))
    }

    @Test("an insurance_fund line names its venue (a known one); without one the engine finds it (see VenueFundTests)")
    func fundLinesNameTheirVenue() throws {
        func decode(_ line: String, venues: [Venue]) -> (MarketEvent?, DecodeOutcome) { Self.decodeLine(line, venues: venues) }
        /// The venue a decoded line names, "(none)" for a line naming none; nil when nothing was decoded.
        func venue(of event: MarketEvent?) -> String? {
            guard case .insuranceFund(_, let venue, _, _)? = event else { return nil }
            return venue ?? "(none)"
        }
        let bare = #"{"type":"insurance_fund","asset":"USDT","balance":"1000"}"#
        let named = #"{"type":"insurance_fund","venue":"okx","asset":"BTC","balance":"2.5"}"#
        #expect(venue(of: decode(bare, venues: [.bybit]).0) == "(none)")
        #expect(venue(of: decode(bare, venues: [.binanceUSDM, .bybit]).0) == "(none)")
        #expect(venue(of: decode(named, venues: [.binanceUSDM, .okx]).0) == "okx")
        let (none, outcome) = decode(#"{"type":"insurance_fund","balance":"2000000000000000"}"#, venues: [.bybit])
        #expect(none == nil)
        #expect(outcome == .malformed(field: "balance: must be at most 1,000,000,000,000,000"))
        guard case .malformed(let field) = decode(#"{"type":"insurance_fund","venue":"kraken","balance":"1"}"#, venues: [.bybit]).1 else {
            Issue.record("an unknown venue must be refused"); return
        }
        #expect(field.hasPrefix("venue: unknown venue 'kraken'"))
    }

    @Test("a positions file gives an account a wallet on each venue it trades: one name on two exchanges is two accounts")
    func positionsWalletPerVenue() throws {
        let scratch = try ScratchDirectory()
        let path = try scratch.write("positions.csv", """
            account,symbol,side,size,entry_price,margin_mode,wallet_balance,leverage
            bob,binance-usdm:BTCUSDT,long,1,60000,cross,6000,
            bob,bybit:BTCUSDT,short,1,60000,cross,7000,
            bob,binance-usdm:ETHUSDT,short,10,3000,cross,,
            carol,bybit:BTCUSDT,long,1,60000,cross,,20
            carol,okx:BTC-USDT-SWAP,long,1,60000,cross,,10

            """)
        let rows = try PositionsFile.load(path: path, catalog: .builtIn, resolver: .default)
        #expect(rows.map(\.walletBalance) == [Fixed(6_000), Fixed(7_000), nil, Fixed(3_000), Fixed(6_000)])
    }

    @Test("a positions file's bare symbol that two venues of the session list is refused, naming file, line and the candidates")
    func ambiguousPositions() throws {
        let scratch = try ScratchDirectory()
        let path = try scratch.write("positions.csv", "account,symbol,side,size,entry_price,isolated_margin\na,BTCUSDT,long,1,60000,100\n")
        let both = MarketResolver(venues: [.binanceUSDM, .bybit])
        #expect(throws: PositionsFileError.self) { _ = try PositionsFile.load(path: path, catalog: .builtIn, resolver: both) }
        do {
            _ = try PositionsFile.load(path: path, catalog: .builtIn, resolver: both)
        } catch {
            #expect(error.description.hasSuffix("positions.csv:2: field symbol: BTCUSDT is ambiguous: it could be binance-usdm:BTCUSDT or bybit:BTCUSDT; write venue:symbol"), "\(error.description)")
        }
        let one = try PositionsFile.load(path: path, catalog: .builtIn, resolver: MarketResolver(venues: [.bybit]))
        #expect(one.map(\.symbol) == ["bybit:BTCUSDT"])
    }
}
