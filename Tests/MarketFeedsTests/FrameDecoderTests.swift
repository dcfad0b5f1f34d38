import Testing
@testable import MarketFeeds
import RiskEngine

/// The Binance decoder's fast paths: book tickers checked but not decoded, and levels read
/// straight into book units.
@Suite("Binance frame decoder")
struct FrameDecoderTests {
    static func decode(_ frame: String) -> FeedMessage? {
        var bytes = Array(frame.utf8)
        return bytes.withUnsafeMutableBufferPointer { BinanceFrameDecoder.decode($0.baseAddress!, count: $0.count, receiveTime: nil) }
    }

    static let ticker = #"{"e":"bookTicker","u":5123107839020,"s":"BTCUSDT","b":"61800.20","B":"2.507","a":"61800.30","A":"2.510","T":1723161256313,"E":1723161256313}"#

    static func decodeAll(_ frame: String) -> (outcome: DecodeOutcome, messages: [FeedMessage]) {
        var bytes = Array(frame.utf8)
        var messages: [FeedMessage] = []
        var symbols = SymbolNames()
        let outcome = bytes.withUnsafeMutableBufferPointer {
            BinanceFrameDecoder.decode($0.baseAddress!, count: $0.count, receiveTime: nil, into: &messages, symbols: &symbols)
        }
        return (outcome, messages)
    }

    @Test("the all-market mark price stream: a list of payloads, each a mark and an index with funding")
    func allMarketMarkPrices() {
        let element = { (symbol: String, mark: String, index: String, time: Int) in
            #"{"e":"markPriceUpdate","E":\#(time),"s":"\#(symbol)","p":"\#(mark)","P":"0","i":"\#(index)","r":"0.00010000","T":1723190400000}"#
        }
        let frame = #"{"stream":"!markPrice@arr@1s","data":[\#(element("BTCUSDT", "61650.40", "61640.25", 1723161256000)), \#(element("ETHUSDT", "2600.10", "2599.50", 1723161256000))]}"#
        let (outcome, messages) = Self.decodeAll(frame)
        #expect(outcome == .decoded)
        #expect(messages.count == 4)
        // A list is a stream of the whole venue: its events are applied only to known markets.
        guard case .venueWide(.mark(let symbol, let price, _)) = messages[2] else { Issue.record("\(messages)"); return }
        #expect(symbol == "binance-usdm:ETHUSDT" && price == Fixed("2600.10")!)
        guard case .venueWide(.index(let index)) = messages[3] else { Issue.record("\(messages)"); return }
        #expect(index.symbol == "binance-usdm:ETHUSDT" && index.price == Fixed("2599.50")! && index.fundingRate == Fixed("0.0001")!)
        // One unusable element: the frame is malformed, named, and nothing of it is applied.
        let bad = #"{"stream":"!markPrice@arr@1s","data":[\#(element("BTCUSDT", "61650.40", "61640.25", 1723161256000)), \#(element("ETHUSDT", "2600.10", "2599.50", 9300000000000000))]}"#
        let (badOutcome, badMessages) = Self.decodeAll(bad)
        #expect(badOutcome == .malformed(field: "data[1]: E (event time)"))
        #expect(badMessages.isEmpty)
        #expect(Self.decodeAll(#"{"stream":"!markPrice@arr@1s","data":[]}"#).outcome == .skipped)
        for broken in [#"{"stream":"!markPrice@arr@1s","data":[1,2]}"#, #"{"stream":"!markPrice@arr@1s","data":[{"e":"markPriceUpdate"}"#,
                       #"{"stream":"!markPrice@arr@1s","data":[{"e":"markPriceUpdate","s":"X","p":"1"},]}"#] {
            guard case .malformed = Self.decodeAll(broken).outcome else { Issue.record("not malformed: \(broken)"); continue }
        }
    }

    static func markElement(_ symbol: String = "BTCUSDT", mark: String = "61650.40", index: String = "61640.25", rate: String = "0.00010000") -> String {
        #"{"e":"markPriceUpdate","E":1723161256000,"s":"\#(symbol)","p":"\#(mark)","P":"0","i":"\#(index)","r":"\#(rate)","T":1723190400000}"#
    }

    static func markList(_ elements: [String], stream: String = "!markPrice@arr@1s") -> String {
        #"{"stream":"\#(stream)","data":[\#(elements.joined(separator: ","))]}"#
    }

    @Test("a malformed element of a mark list names its place and its field; nothing of the frame is applied")
    func markListFieldsNamed() {
        let good = Self.markElement()
        let cases: [(String, String)] = [
            (Self.markElement("ETHUSDT", mark: "0"), "data[1]: p (mark price)"),
            (Self.markElement("ETHUSDT", mark: "-5"), "data[1]: p (mark price)"),
            (Self.markElement("ETHUSDT", mark: "1e5"), "data[1]: p (mark price)"),
            (Self.markElement("ETH\\u0007USDT"), "data[1]: s (symbol)"),
            (Self.markElement("ETH USDT"), "data[1]: s (symbol)"),
            (Self.markElement("ETHUSDT", index: "-1"), "data[1]: i (index price)"),
            (Self.markElement("ETHUSDT", index: "abc"), "data[1]: i (index price)"),
            (Self.markElement("ETHUSDT", rate: "2.5"), "data[1]: r (funding rate)"),
            (Self.markElement("ETHUSDT", rate: "x"), "data[1]: r (funding rate)"),
            (#"{"e":"markPriceUpdate","E":1723161256000,"p":"1"}"#, "data[1]: s (symbol)"),
            (#"{"e":"markPriceUpdate","E":"soon","s":"ETHUSDT","p":"1"}"#, "data[1]: E"),
            (#"{"e":"markPriceUpdate","s":"ETHUSDT","p":true}"#, "data[1]: p (mark price)"),
            // Not JSON past the value: the element is named, no member can be.
            (#"{"e":"markPriceUpdate","s":"ETHUSDT","p":[1]}"#, "data[1]"),
            (#""ETHUSDT""#, "data[1]: not an object"),
        ]
        for (element, field) in cases {
            let (outcome, messages) = Self.decodeAll(Self.markList([good, element]))
            #expect(outcome == .malformed(field: field), "\(element)")
            #expect(messages.isEmpty, "\(element)")
        }
        // An index of zero (a contract being settled) gives the mark alone; the list stands.
        let settling = Self.decodeAll(Self.markList([good, Self.markElement("ETHUSDT", index: "0")]))
        #expect(settling.outcome == .decoded && settling.messages.count == 3)
        // A COIN-M delivery contract has no funding: "r":"" and "T":0 are read as none.
        let (outcome, messages) = Self.decodeAll(Self.markList([Self.markElement("BTCUSD_250328", rate: "")], stream: "btcusd@markPrice@1s"))
        #expect(outcome == .decoded)
        guard messages.count == 2, case .venueWide(.index(let index)) = messages[1] else { Issue.record("\(messages)"); return }
        #expect(index.symbol == "binance-coinm:BTCUSD_250328" && index.fundingRate == nil)
    }

    @Test("a list longer than the bound is refused, named, without being applied")
    func markListBounded() {
        let elements = Array(repeating: Self.markElement(), count: BinanceFrameDecoder.maximumPayloads + 1)
        let (outcome, messages) = Self.decodeAll(Self.markList(elements))
        #expect(outcome == .malformed(field: "data: more than \(BinanceFrameDecoder.maximumPayloads) entries"))
        #expect(messages.isEmpty)
        // At the bound it is read whole.
        let full = Self.decodeAll(Self.markList(Array(repeating: Self.markElement(), count: BinanceFrameDecoder.maximumPayloads)))
        #expect(full.outcome == .decoded && full.messages.count == 2 * BinanceFrameDecoder.maximumPayloads)
    }

    @Test("the all-market liquidation stream: each frame one forceOrder, venue-wide, every value checked")
    func allMarketForceOrders() {
        func frame(_ symbol: String = "BTCUSD_PERP", side: String = "SELL", quantity: String = "3", price: String = "59000.0", average: String = "60000.0") -> String {
            #"{"stream":"!forceOrder@arr","data":{"e":"forceOrder","E":1591154240950,"o":{"s":"\#(symbol)","ps":"BTCUSD","S":"\#(side)","o":"LIMIT","f":"IOC","q":"\#(quantity)","p":"\#(price)","ap":"\#(average)","X":"FILLED","l":"1","z":"1","T":1591154240949}}}"#
        }
        let (outcome, messages) = Self.decodeAll(frame())
        #expect(outcome == .decoded)
        guard case .venueWide(.exchangeLiquidation(let liquidation))? = messages.first else { Issue.record("\(messages)"); return }
        #expect(liquidation.symbol == "binance-coinm:BTCUSD_PERP" && liquidation.side == .long)
        #expect(liquidation.quantity == Fixed(3) && liquidation.price == Fixed(60_000))
        // Nothing filled yet ("ap":"0"): the order's price.
        guard case .venueWide(.exchangeLiquidation(let unfilled))? = Self.decodeAll(frame(average: "0")).messages.first else { Issue.record("no liquidation"); return }
        #expect(unfilled.price == Fixed(59_000))
        // The per-symbol stream stays what it was: an event of its market.
        let single = #"{"stream":"btcusdt@forceOrder","data":{"e":"forceOrder","E":1591154240950,"o":{"s":"BTCUSDT","S":"BUY","q":"0.014","p":"9910","ap":"9910"}}}"#
        guard case .event(.exchangeLiquidation(let own))? = Self.decodeAll(single).messages.first else { Issue.record("not an event"); return }
        #expect(own.side == .short)
        let bad: [(String, String)] = [
            (frame(side: "HOLD"), "o.S (side)"),
            (frame(quantity: "0"), "o.q (quantity)"),
            (frame(quantity: "-1"), "o.q (quantity)"),
            (frame(price: "0", average: "0"), "o.ap/o.p (price)"),
            (frame("BTC\\u001b[2JUSD"), "s (symbol)"),
            (#"{"stream":"!forceOrder@arr","data":{"e":"forceOrder","E":1591154240950}}"#, "o (order)"),
        ]
        for (text, field) in bad {
            let result = Self.decodeAll(text)
            #expect(result.outcome == .malformed(field: field), "\(text)")
            #expect(result.messages.isEmpty)
        }
    }

    @Test("a depth update, trade or snapshot whose symbol holds a control character is malformed, never a market")
    func controlCharacterSymbols() {
        let symbol = "BTC\\u001b]0;PWN\\u0007USDT"
        let frames = [
            #"{"e":"trade","E":1,"T":1,"s":"\#(symbol)","t":1,"p":"60000","q":"1","m":true}"#,
            #"{"e":"aggTrade","E":1,"T":1,"s":"BTC USDT","a":1,"p":"60000","q":"1","m":true}"#,
            #"{"e":"depthUpdate","E":1,"T":1,"s":"\#(symbol)","U":1,"u":2,"pu":0,"b":[["60000","1"]],"a":[]}"#,
            #"{"lastUpdateId":5,"E":1,"T":1,"s":"\#(symbol)","bids":[["60000","1"]],"asks":[]}"#,
        ]
        for frame in frames {
            let result = Self.decodeAll(frame)
            #expect(result.outcome == .malformed(field: "s (symbol)"), "\(frame)")
            #expect(result.messages.isEmpty)
        }
    }

    @Test("a member given twice makes the frame malformed, named (the last one won: another market's symbol, a second mark price)")
    func duplicateMembers() {
        func field(_ frame: String) -> String? {
            if case .malformed(let field) = Self.decodeAll(frame).outcome { return field }
            return nil
        }
        let trade = #"{"stream":"btcusdt@trade","data":{"e":"trade","E":1723161256000,"s":"BTCUSDT","s":"ETHUSDT","p":"3100.00","q":"1"}}"#
        #expect(field(trade) == "data.s (the key is given twice)")
        let mark = #"{"stream":"btcusdt@markPrice@1s","data":{"e":"markPriceUpdate","E":1,"s":"BTCUSDT","p":"60000.00","p":"57000.00","i":"1","r":"0","T":2}}"#
        #expect(field(mark) == "data.p (the key is given twice)")
        let snapshot = #"{"lastUpdateId":100,"lastUpdateId":900,"bids":[["1","1"]],"asks":[["2","1"]]}"#
        #expect(field(snapshot) == "lastUpdateId (the key is given twice)")
        let bids = #"{"lastUpdateId":100,"bids":[["1","1"]],"asks":[["2","1"]],"bids":[]}"#
        #expect(field(bids) == "bids (the key is given twice)")
        let order = #"{"stream":"btcusdt@forceOrder","data":{"e":"forceOrder","E":1,"o":{"s":"BTCUSDT","S":"SELL","o":"LIMIT","q":"1","q":"9","p":"1","ap":"1"}}}"#
        #expect(field(order) == "data.o.q (the key is given twice)")
        // The order's symbol beside one of the payload's own is the symbol twice.
        let orderSymbol = #"{"stream":"btcusdt@forceOrder","data":{"e":"forceOrder","s":"ETHUSDT","E":1,"o":{"s":"BTCUSDT","S":"SELL","q":"1","p":"1","ap":"1"}}}"#
        #expect(field(orderSymbol) == "data.o.s (the key is given twice)")
        let streams = #"{"stream":"btcusdt@trade","stream":"!forceOrder@arr","data":{"e":"trade","E":1,"s":"BTCUSDT","p":"1","q":"1"}}"#
        #expect(field(streams) == "stream (the key is given twice)")
        let payloads = #"{"stream":"btcusdt@trade","data":{"e":"trade","E":1,"s":"BTCUSDT","p":"1","q":"1"},"data":{"e":"trade","E":1,"s":"BTCUSDT","p":"2","q":"1"}}"#
        #expect(field(payloads) == "data (the key is given twice)")
        // Once each, as Binance writes them: decoded (a forceOrder's own "o", the order type, is not its "o").
        #expect(Self.decodeAll(#"{"stream":"btcusdt@forceOrder","data":{"e":"forceOrder","E":1,"o":{"s":"BTCUSDT","S":"SELL","o":"LIMIT","q":"1","p":"1","ap":"1","T":5}}}"#).outcome == .decoded)
        #expect(Self.decodeAll(#"{"stream":"btcusdt@markPrice@1s","data":{"e":"markPriceUpdate","E":1,"s":"BTCUSDT","p":"60000.00","i":"1","r":"0","T":2}}"#).outcome == .decoded)
    }

    @Test("a payload of one symbol's stream names that symbol, in any case; a pair's stream its contracts; a venue's stream any")
    func streamNamesTheSymbol() {
        func outcome(_ stream: String, _ symbol: String) -> DecodeOutcome {
            Self.decodeAll(#"{"stream":"\#(stream)","data":{"e":"trade","E":1,"s":"\#(symbol)","p":"1","q":"1"}}"#).outcome
        }
        #expect(outcome("btcusdt@trade", "ETHUSDT") == .malformed(field: "s (symbol): not the stream's symbol"))
        #expect(outcome("btcusdt@trade", "BTCUSDTX") == .malformed(field: "s (symbol): not the stream's symbol"))
        #expect(outcome("btcusdtx@trade", "BTCUSDT") == .malformed(field: "s (symbol): not the stream's symbol"))
        #expect(outcome("btcusdt@trade", "BTCUSDT") == .decoded)
        #expect(outcome("BTCUSDT@trade", "btcusdt") == .decoded)
        // A single payload names its stream's symbol exactly; a pair's contracts come in its list.
        #expect(outcome("btcusd@trade", "BTCUSD_PERP") == .malformed(field: "s (symbol): not the stream's symbol"))
        #expect(outcome("btcusdt@trade", "BTCUSDT_250328") == .malformed(field: "s (symbol): not the stream's symbol"))
        let pairList = #"{"stream":"btcusd@markPrice@1s","data":[{"e":"markPriceUpdate","E":1,"s":"BTCUSD_PERP","p":"60000","i":"60000","r":"0","T":2},{"e":"markPriceUpdate","E":1,"s":"BTCUSD_250328","p":"61000","i":"60000","r":"","T":0}]}"#
        #expect(Self.decodeAll(pairList).outcome == .decoded)
        let otherPair = #"{"stream":"btcusd@markPrice@1s","data":[{"e":"markPriceUpdate","E":1,"s":"ETHUSD_PERP","p":"3000","i":"3000","r":"0","T":2}]}"#
        #expect(Self.decodeAll(otherPair).outcome == .malformed(field: "data[0]: s (symbol): not the stream's symbol"))
        #expect(outcome("btcusd_perp@aggTrade", "BTCUSD_PERP") == .decoded)
        #expect(outcome("!forceOrder@arr", "ETHUSDT") == .decoded)
        #expect(outcome("", "ETHUSDT") == .decoded)
    }

    @Test("a book ticker, wrapped or raw, is skipped; a broken one is malformed")
    func bookTickers() {
        for frame in [#"{"stream":"btcusdt@bookTicker","data":\#(Self.ticker)}"#, Self.ticker] {
            guard case .skipped(let kind)? = Self.decode(frame) else { Issue.record("not skipped: \(frame)"); continue }
            #expect(kind == "bookTicker")
        }
        let broken = [
            #"{"stream":"btcusdt@bookTicker","data":{"e":"bookTicker","u":5123107839020,"s":"BTCUSDT","b":"61800.20""#,
            #"{"stream":"btcusdt@bookTicker","data":{"e":"bookTicker","s":"BTCUSDT","b":"61800.20"}"#,
            #"{"stream":"btcusdt@bookTicker","data":{"e":"bookTicker","s":"BTCUSDT,"b":"61800.20"}}"#,
            #"{"stream":"btcusdt@bookTicker","data":{"e":"bookTicker","s":"BTCUSDT","b":"61800.20"}}x"#,
            #"{"e":"bookTicker","u":5123107839020,"s":"BTCUSDT","b":"61800.20","#,
        ]
        for frame in broken { #expect(Self.decode(frame) == nil, "\(frame)") }
    }

    @Test("skipping a value: nesting, brackets and escaped quotes inside strings, and what is left unclosed")
    func skipping() {
        func skip(_ text: String) -> String? {
            var bytes = Array(text.utf8)
            return bytes.withUnsafeMutableBufferPointer { buffer -> String? in
                var cursor = ByteCursor(UnsafePointer(buffer.baseAddress!), count: buffer.count)
                guard cursor.skipValue() else { return nil }
                return String(decoding: UnsafeBufferPointer(start: buffer.baseAddress! + cursor.index, count: buffer.count - cursor.index), as: UTF8.self)
            }
        }
        #expect(skip(#"{"a":[1,{"b":"]}"}],"c":"x\"}"},rest"#) == ",rest")
        #expect(skip(#"[[],[[]],{}] tail"#) == " tail")
        #expect(skip(#"  "str\\" , next"#) == " , next")
        #expect(skip("123,") == ",")
        #expect(skip(#"{"a":"}"#) == nil)
        #expect(skip(#"{"a":[1,2]"#) == nil)
        #expect(skip(#"["unterminated\"]"#) == nil)
        #expect(skip("") == nil)
    }

    @Test("skipping a composite a word at a time agrees with counting brackets byte by byte, on random text")
    func skippingAgreesWithBytes() {
        /// The definition: brackets outside strings, a string's backslash hides the byte after it.
        func reference(_ bytes: [UInt8]) -> Int? {
            var depth = 0
            var inString = false
            var scan = 0
            while scan < bytes.count {
                let byte = bytes[scan]
                if inString {
                    if byte == UInt8(ascii: "\\") { scan += 2; continue }
                    if byte == UInt8(ascii: "\"") { inString = false }
                } else if byte == UInt8(ascii: "\"") {
                    inString = true
                } else if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") {
                    depth += 1
                } else if byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") {
                    depth -= 1
                    if depth == 0 { return scan + 1 }
                }
                scan += 1
            }
            return nil
        }
        var rng = SplitMix64(seed: 23)
        // Brackets, quotes and backslashes dense enough to meet every position in a word, with
        // their bit-5 neighbours ({ and [ differ in it from ; and {'s other neighbours).
        let alphabet = Array(#"{}[]""\\ab:,;=}{{}"#.utf8) + [0x3B, 0x3D, 0x7F, 0xDB, 0xFB, 0xFD]
        var completed = 0
        for _ in 0..<30_000 {
            let length = Int.random(in: 1...40, using: &rng)
            let bytes = [UInt8(ascii: Bool.random(using: &rng) ? "{" : "[")]
                + (0..<length).map { _ in alphabet.randomElement(using: &rng)! }
            let skipped = bytes.withUnsafeBufferPointer { buffer -> Int? in
                var cursor = ByteCursor(buffer.baseAddress!, count: buffer.count)
                return cursor.skipValue() ? cursor.index : nil
            }
            let expected = reference(bytes)
            #expect(skipped == expected, "\(String(decoding: bytes, as: UTF8.self))")
            if expected != nil { completed += 1 }
        }
        #expect(completed > 3_000, "both outcomes are exercised")
    }

    @Test("a diff event's changes come bids first, in the frame's order, wherever the frame put its sides")
    func changesKeepBidsFirst() {
        let usual = #"{"e":"depthUpdate","E":1,"s":"BTCUSDT","U":1,"u":2,"pu":0,"b":[["101","1"],["100","2"]],"a":[["102","3"],["103","0"]]}"#
        let asksFirst = #"{"e":"depthUpdate","E":1,"s":"BTCUSDT","U":1,"u":2,"pu":0,"a":[["102","3"],["103","0"]],"b":[["101","1"],["100","2"]]}"#
        let longNames = #"{"e":"depthUpdate","E":1,"s":"BTCUSDT","U":1,"u":2,"pu":0,"asks":[["102","3"],["103","0"]],"bids":[["101","1"],["100","2"]]}"#
        let unit = BookUnits.parse("1")!
        let expected = [LevelChange(side: .bid, price: 101 * unit, size: unit), LevelChange(side: .bid, price: 100 * unit, size: 2 * unit),
            LevelChange(side: .ask, price: 102 * unit, size: 3 * unit), LevelChange(side: .ask, price: 103 * unit, size: 0)]
        for frame in [usual, asksFirst, longNames] {
            guard case .depth(let event)? = Self.decode(frame) else { Issue.record("not decoded: \(frame)"); continue }
            #expect(event.changes == expected, "\(frame)")
            #expect(event.bids.map(\.price) == [101 * unit, 100 * unit])
            #expect(event.asks.map(\.size) == [3 * unit, 0])
        }
        // A REST snapshot written with the short names still reads as a snapshot.
        let shortSnapshot = #"{"lastUpdateId":7,"E":1,"T":1,"b":[["101","1"]],"a":[["102","3"]]}"#
        guard case .snapshot(let snapshot)? = Self.decode(shortSnapshot) else { Issue.record("snapshot not decoded"); return }
        #expect(snapshot.bids.map(\.price) == [101 * unit] && snapshot.asks.map(\.price) == [102 * unit])
    }

    @Test("levels: quoted and bare numbers, every shape the exact parse accepts, and the ones it rejects")
    func levels() {
        let frame = #"{"e":"depthUpdate","E":1,"s":"BTCUSDT","U":1,"u":2,"pu":0,"b":[["61659.70","1.486"],[61659.0, "0.002"],[ "61658.10" , "0.0330000000" ]],"a":[["61659.80","0.000"],["1234567890.12345678","92233720368"]]}"#
        guard case .depth(let event)? = Self.decode(frame) else { Issue.record("not decoded"); return }
        #expect(event.bids.map(\.price) == [6_165_970_000_000, 6_165_900_000_000, 6_165_810_000_000])
        #expect(event.bids.map(\.size) == [148_600_000, 200_000, 3_300_000])
        #expect(event.asks.map(\.price) == [6_165_980_000_000, 123_456_789_012_345_678])
        #expect(event.asks.map(\.size) == [0, 9_223_372_036_800_000_000])
        for bad in [#"["-1.0","1"]"#, #"["1.0","-1"]"#, #"["0","1"]"#, #"["1.000000001","1"]"#, #"["1e3","1"]"#, #"["","1"]"#,
            #"["1.0","1"#, #"["92233720369","1"]"#, #"["1..0","1"]"#] {
            let broken = #"{"e":"depthUpdate","E":1,"s":"BTCUSDT","U":1,"u":2,"pu":0,"b":[\#(bad)],"a":[]}"#
            let decoded = Self.decode(broken)
            #expect(decoded == nil, "\(bad)")
        }
    }

    @Test("the cursor's one-pass number agrees with the exact parse of the same text")
    func cursorNumbers() {
        var rng = SplitMix64(seed: 5)
        let alphabet = Array("0123456789.-".utf8)
        for _ in 0..<20_000 {
            let text = String(decoding: (0..<Int.random(in: 0...21, using: &rng)).map { _ in
                Int.random(in: 0..<4, using: &rng) == 0 ? alphabet.randomElement(using: &rng)! : UInt8.random(in: 48...57, using: &rng)
            }, as: UTF8.self)
            let quoted = Array("\"\(text)\",".utf8)
            let value = quoted.withUnsafeBufferPointer { buffer -> Int64? in
                var cursor = ByteCursor(buffer.baseAddress!, count: buffer.count)
                return cursor.bookUnits()
            }
            let exact = text.hasPrefix("+") ? nil
                : DecimalText.scaledInteger(Substring(text), places: BookUnits.places, limit: BookUnits.limit).map(Int64.init)
            #expect(value == exact, "\(text)")
            // The compact level path, as price and as size, agrees too: alone (too short for the
            // word-at-a-time read) and followed by more levels (long enough for it).
            for (price, size, more) in [(text, "1", ""), ("1", text, ""), (text, "1", #",["1","1"]"#), ("1", text, #",["1","1"]"#)] {
                let level = Array(#"[["\#(price)","\#(size)"]\#(more)]"#.utf8)
                let read = level.withUnsafeBufferPointer { buffer -> [(price: Int64, size: Int64)]? in
                    var cursor = ByteCursor(buffer.baseAddress!, count: buffer.count)
                    var levels: [(price: Int64, size: Int64)] = []
                    return cursor.levels(into: &levels) ? levels : nil
                }
                let expected: (Int64, Int64)? = price == text
                    ? exact.flatMap { $0 > 0 ? ($0, BookUnits.parse("1")!) : nil }
                    : exact.flatMap { $0 >= 0 ? (BookUnits.parse("1")!, $0) : nil }
                #expect(read?.first?.price == expected?.0 && read?.first?.size == expected?.1 && (read == nil) == (expected == nil),
                    "\(price), \(size)\(more)")
            }
        }
    }
}

@Suite("Numbers read a word at a time")
struct WordDigitsTests {
    /// The byte-by-byte reading of a quoted number: digits and at most one point up to the quote.
    static func byteByByte(_ text: String) -> Int64? {
        let bytes = Array((text + "\"").utf8)
        return bytes.withUnsafeBufferPointer { buffer -> Int64? in
            var index = 0
            guard let units = BookUnits.scanPlain(buffer.baseAddress!, &index, end: buffer.count),
                buffer[index] == UInt8(ascii: "\"") else { return nil }
            return units
        }
    }

    @Test("agrees with the byte-by-byte read on every short text over digits, points and their neighbours")
    func agreesWithBytes() {
        var rng = SplitMix64(seed: 11)
        // Bytes next to the digits and the point in ASCII, where a word trick would slip.
        let alphabet = Array("0123456789..-/:\u{20}e\"".utf8) + [0x00, 0x7F, 0xB0, 0xFF]
        var fastCount = 0
        for round in 0..<50_000 {
            let length = round < 10 ? round : Int.random(in: 0...10, using: &rng)
            let text = (0..<length).map { _ in
                Int.random(in: 0..<3, using: &rng) == 0 ? alphabet.randomElement(using: &rng)! : UInt8.random(in: 48...57, using: &rng)
            }
            let padded = text + Array(#"","1"]]"#.utf8)
            let fast = padded.withUnsafeBufferPointer { WordDigits.quotedBookUnits($0.baseAddress!, at: 0, end: $0.count) }
            guard let fast else { continue }
            fastCount += 1
            let string = String(decoding: text, as: UTF8.self)
            #expect(fast.units == Self.byteByByte(string), "\(text)")
            #expect(fast.quote == text.firstIndex(of: UInt8(ascii: "\"")) ?? text.count, "\(text)")
        }
        // The fast case is the common one, so it must have been taken often.
        #expect(fastCount > 10_000)
    }

    @Test("reads the recording's shapes and declines what it cannot do")
    func shapes() {
        func read(_ text: String) -> Int64? {
            let bytes = Array((text + #"","1.0"]"#).utf8)
            return bytes.withUnsafeBufferPointer { WordDigits.quotedBookUnits($0.baseAddress!, at: 0, end: $0.count)?.units }
        }
        #expect(read("61659.70") == 6_165_970_000_000)
        #expect(read("1.486") == 148_600_000)
        #expect(read("0.000") == 0)
        #expect(read("5.") == 500_000_000)
        #expect(read(".5") == 50_000_000)
        #expect(read("12345678") == 1_234_567_800_000_000)
        #expect(read("") == nil)
        #expect(read(".") == nil)
        #expect(read("1..0") == nil)
        #expect(read("123456789") == nil, "nine characters: left to the byte loop")
        #expect(read("-1.0") == nil)
        // Too close to the end of the line to load a word: declined.
        let short = Array(#"1.5""#.utf8)
        #expect(short.withUnsafeBufferPointer { WordDigits.quotedBookUnits($0.baseAddress!, at: 0, end: $0.count) } == nil)
    }
}

@Suite("Symbol names reused")
struct SymbolNamesTests {
    static func name(_ text: String, _ names: inout SymbolNames) -> String {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBufferPointer { names.name(ByteSpan(start: $0.baseAddress!, count: $0.count)) }
    }

    @Test("the same bytes give the same name, different ones (same length, prefixes) their own, past the cache too")
    func names() {
        var names = SymbolNames()
        #expect(Self.name("BTCUSDT", &names) == "binance-usdm:BTCUSDT")
        #expect(Self.name("ETHUSDT", &names) == "binance-usdm:ETHUSDT")
        #expect(Self.name("BTCUSDT", &names) == "binance-usdm:BTCUSDT")
        #expect(Self.name("BTCUSD", &names) == "binance-usdm:BTCUSD")
        #expect(Self.name("BTCUSDT_PERP", &names) == "binance-usdm:BTCUSDT_PERP")
        // COIN-M contracts are told by their shape: <base>USD_<PERP or delivery date>.
        #expect(Self.name("BTCUSD_PERP", &names) == "binance-coinm:BTCUSD_PERP")
        #expect(Self.name("ETHUSD_250328", &names) == "binance-coinm:ETHUSD_250328")
        var okx = SymbolNames(.venue(.okx))
        #expect(Self.name("BTC-USDT-SWAP", &okx) == "okx:BTC-USDT-SWAP")
        // More distinct symbols than the cache holds: every one still named right, twice over.
        for round in 0..<2 {
            for index in 0..<100 { #expect(Self.name("S\(index)USDT", &names) == "binance-usdm:S\(index)USDT", "round \(round)") }
        }
    }
}

extension FrameDecoderTests {
    static func decodeAll(_ frame: String, receiveTime: Int64?) -> DecodeOutcome {
        var bytes = Array(frame.utf8)
        var messages: [FeedMessage] = []
        var symbols = SymbolNames()
        return bytes.withUnsafeMutableBufferPointer {
            BinanceFrameDecoder.decode($0.baseAddress!, count: $0.count, receiveTime: receiveTime, into: &messages, symbols: &symbols)
        }
    }

    @Test("a member of the frame itself that cannot be read is named, not called the frame")
    func topLevelMemberNamed() {
        let snapshot = #"{"lastUpdateId":99999999999999999999999,"bids":[["1.0","1.0"]],"asks":[["2.0","1.0"]]}"#
        #expect(Self.decodeAll(snapshot).outcome == .malformed(field: "lastUpdateId"))
        let update = #"{"e":"depthUpdate","E":1,"s":"BTCUSDT","U":1,"u":99999999999999999999,"pu":0,"b":[],"a":[]}"#
        #expect(Self.decodeAll(update).outcome == .malformed(field: "u"))
        // Not JSON at all: the frame.
        #expect(Self.decodeAll("{broken").outcome == .malformed(field: "frame"))
        // A payload's member keeps its place in the name.
        let payload = #"{"stream":"btcusdt@markPrice","data":{"e":"markPriceUpdate","E":1e3,"s":"BTCUSDT","p":"1"}}"#
        #expect(Self.decodeAll(payload).outcome == .malformed(field: "data.E"))
    }

    @Test("an event time no clock gives is malformed even behind a receive-time prefix")
    func eventTimeCheckedBehindReceiveTime() {
        let mark = { (time: String) in #"{"e":"markPriceUpdate","E":\#(time),"s":"BTCUSDT","p":"60000.0","i":"60000","r":"0","T":0}"# }
        #expect(Self.decodeAll(mark("9300000000000"), receiveTime: 1_723_161_256_000_000_000) == .malformed(field: "E (event time)"))
        #expect(Self.decodeAll(mark("-1"), receiveTime: 1_723_161_256_000_000_000) == .malformed(field: "E"))
        #expect(Self.decodeAll(mark("1723161256000"), receiveTime: 1_723_161_256_000_000_000) == .decoded)
    }
}
