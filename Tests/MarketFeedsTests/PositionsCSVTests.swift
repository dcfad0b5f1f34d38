import Foundation
import Testing
@testable import MarketFeeds
import RiskEngine

/// The byte-level reader of positions CSV decides nothing on its own: what its fast path accepts,
/// `PositionRow.parse` accepts identically.

/// Expects loading the positions file at `path` to be refused with an error whose description
/// `matches`.
func expectRefusal(_ path: String, sourceLocation: SourceLocation = #_sourceLocation, _ matches: @escaping (String) -> Bool) {
    #expect(sourceLocation: sourceLocation) {
        _ = try PositionsFile.load(path: path, catalog: .builtIn)
    } throws: { error in
        (error as? PositionsFileError).map { matches($0.description) } ?? false
    }
}

@Suite("Positions CSV on the byte level")
struct PositionsCSVTests {
    static let header = ["account", "symbol", "side", "size", "entry_price", "margin_mode", "isolated_margin", "wallet_balance", "leverage", "position_side"]

    /// Values each column may take: plain ones, and the unusual ones that must go to the slow path.
    static let values: [[String]] = [
        ["alice", " bob ", "acct-1", "", "é", "a\u{0B}", "\tcarol", #"a\u{1B}"#, #"back\slash"#],
        ["BTCUSDT", "btcusdt", " ethusdt", "", "BTC\u{00A0}", "solusdt"],
        ["long", "SHORT", "Buy", "sell", "up", "", " long\t", "lon", "longlonglong"],
        ["1", "0.5", "0", "-1", "+2", "1e3", "10000000000", "10000000000.1", "", ".5", "5.", "0.0000000000000000001", "١",
         "0.000000001", "0.12345678", "0.123456789", "1234567890123456789012345678901234567890"],
        ["60000", "0.1", "0", "-5", "", "6e4", "10000000001", "59999.99", "60000.000000009"],
        ["isolated", "CROSS", "crossed", "", "hedge", " Isolated "],
        ["", "100", "-1", "abc", "0", "3000.000000009"],
        ["", "5000", "-2", "x", "5000.000000001"],
        ["", "20", "0", "1000", "1000.0001", "-3", "125", "33.333333333333336"],
        ["", "BOTH", "long", "Short", "hedge", " both "],
    ]

    @Test("random rows: the fast path agrees with PositionRow.parse", arguments: 1...8)
    func fastPathAgrees(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        let cellOfColumn = PositionsCSV.Column.allCases.map { column in Self.header.firstIndex(of: column.name)! }
        var symbols = PositionsCSV.SymbolNames(resolver: .default)
        var accepted = 0
        for _ in 0..<3_000 {
            // Half the time a column's first two (plain) values, so that many rows are plain.
            let texts = Self.values.map { $0[Int(rng.next() % (rng.next() & 1 == 0 ? 2 : UInt64($0.count)))] }
            let line = Array(texts.joined(separator: ",").utf8)
            var cells: [PositionsCSV.Cell] = []
            let fast: PositionUpdate? = line.withUnsafeBufferPointer { buffer in
                // As the reader does: the fast path only for a line whose cells are plain.
                guard PositionsCSV.splitCells(buffer.baseAddress!, from: 0, to: buffer.count, into: &cells) else { return nil }
                return PositionsCSV.fastRow(buffer.baseAddress!, cells: cells, cellOfColumn: cellOfColumn, symbols: &symbols)
            }
            #expect(cells.count == Self.header.count)
            let slow: PositionUpdate? = try? PositionRow.parse(resolver: .default) { name in Self.header.firstIndex(of: name).map { texts[$0] } }
            if let fast {
                accepted += 1
                #expect(fast == slow, "\(texts)")
            }
            // Anything the slow path accepts that is plain ASCII the fast path takes too (or the
            // speed would depend on luck).
            if let slow, texts.allSatisfy({ $0.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F || $0 == 0x09 } }) {
                #expect(fast == slow, "\(texts)")
            }
        }
        #expect(accepted > 100, "too few plain rows to compare")
    }

    @Test("a line is plain for the fast path when every cell is printable ASCII once trimmed")
    func plainLines() {
        func plain(_ text: String) -> Bool {
            var cells: [PositionsCSV.Cell] = []
            let bytes = Array(text.utf8)
            return bytes.withUnsafeBufferPointer { PositionsCSV.splitCells($0.baseAddress!, from: 0, to: $0.count, into: &cells) }
        }
        #expect(plain("alice,BTCUSDT,long,0.5,60000"))
        #expect(plain("\talice\t, BTCUSDT ,long"))
        #expect(!plain("al\tice,BTCUSDT"))
        #expect(!plain("alicé,BTCUSDT"))
        #expect(!plain("alice,BTC\u{7F}"))
        #expect(!plain("a\u{0B},BTCUSDT"))
        #expect(plain("~,!"))
    }

    @Test("CRLF lines, a byte order mark, comments and blank lines")
    func lineForms() throws {
        let scratch = try ScratchDirectory()
        let text = "\u{FEFF}account,symbol,side,size,entry_price,margin_mode,isolated_margin,wallet_balance,leverage\r\n"
            + "# a comment\r\n  \r\nalice,BTCUSDT,long,0.5,60000,isolated,3000,,\r\nbob,ethusdt,short,1,3000,cross,,500,\r\n\r\n"
        let path = try scratch.write("positions.csv", text)
        let updates = try PositionsFile.load(path: path, catalog: .builtIn)
        #expect(updates.count == 2)
        #expect(updates.first?.account == "alice" && updates.first?.isolatedMargin == Fixed(3000))
        #expect(updates.last?.symbol == "binance-usdm:ETHUSDT" && updates.last?.walletBalance == Fixed(500))
    }

    @Test("a file of lone carriage returns (a classic Mac export) is read line by line, its bad row named by its line")
    func carriageReturnLines() throws {
        let scratch = try ScratchDirectory()
        let header = "account,symbol,side,size,entry_price,margin_mode,isolated_margin,wallet_balance,leverage"
        let path = try scratch.write("positions.csv",
            header + "\ralice,BTCUSDT,long,0.5,60000,isolated,3000,,\rbob,ethusdt,short,1,3000,cross,,500,\r")
        let updates = try PositionsFile.load(path: path, catalog: .builtIn)
        #expect(updates.map(\.account) == ["alice", "bob"])
        let bad = try scratch.write("bad.csv", header + "\ralice,BTCUSDT,long,0.5,60000,isolated,3000,,\rbob,BTCUSDT,long,1,60000,isolated,,,1001\r\n")
        expectRefusal(bad) { $0 == "\(bad):3: field leverage: must be in (0, 1000]" }
    }

    @Test("lines ended by LF, CRLF and lone CRs mixed read as the same lines as LF alone, bad rows named alike")
    func mixedLineEnds() throws {
        let scratch = try ScratchDirectory()
        let header = "account,symbol,side,size,entry_price,margin_mode,isolated_margin,wallet_balance,leverage"
        var rows = (0..<40).map { "a\($0),BTCUSDT,\($0 % 2 == 0 ? "long" : "short"),0.\($0 + 1),6\($0)00,isolated,,,\($0 % 9 + 2)" }
        rows.insert("# a comment", at: 7)
        rows.insert("", at: 20)
        let ends = ["\n", "\r\n", "\r"]
        let plain = try scratch.write("lf.csv", ([header] + rows).joined(separator: "\n") + "\n")
        var mixed = header + "\r"
        // Runs of each ending (the LF looked for once is kept across the lone-CR lines before it).
        for (number, row) in rows.enumerated() { mixed += row + ends[(number / 3) % 3] }
        let path = try scratch.write("mixed.csv", mixed)
        let expected = try PositionsFile.load(path: plain, catalog: .builtIn)
        #expect(try PositionsFile.load(path: path, catalog: .builtIn) == expected)
        #expect(expected.count == 40)
        // A bad row after lone-CR lines and an LF far below is named by its own line.
        var bad = header + "\r" + rows.prefix(10).joined(separator: "\r") + "\rzed,BTCUSDT,long,1,60000,isolated,,,1001\r"
        bad += rows.suffix(5).joined(separator: "\r") + "\n"
        let badPath = try scratch.write("bad.csv", bad)
        expectRefusal(badPath) { $0 == "\(badPath):12: field leverage: must be in (0, 1000]" }
    }

    /// An attacker's finding: an exchange's export lists every symbol, the flat ones at size 0
    /// (Binance's positionRisk, `positionAmt` 0 and `entryPrice` 0), and such a file was refused
    /// whole at its first flat row.
    @Test("rows of size 0 are flat positions: skipped and counted, the rest read; a file of nothing but flat rows is refused, saying so")
    func flatRowsSkipped() throws {
        let scratch = try ScratchDirectory()
        let csv = try scratch.write("export.csv", """
            account,symbol,side,size,entry_price,margin_mode,isolated_margin,wallet_balance,leverage
            a,BTCUSDT,long,0.5,60000,isolated,3000,,
            a,ETHUSDT,long,0.000,0.0,cross,,,20
            b,BTCUSDT,short,0,0,isolated,,,
            "c",BTCUSDT,short,-0,0,isolated,,,

            """)
        let read = try PositionsFile.read(path: csv, catalog: .builtIn)
        #expect(read.updates.count == 1 && read.flatRows == 3)
        #expect(read.unendedLine == nil)
        // A last row with no line end (a file an exporter was still writing): read, and its line
        // said (`6` of an entry price of 60,000 read whole: attacker trial); ended, nothing said.
        let cut = try scratch.write("cut.csv", "account,symbol,side,size,margin_mode,isolated_margin,wallet_balance,leverage,entry_price\na,BTCUSDT,long,1,isolated,,,10,60000\nbob,BTCUSDT,short,1,isolated,,,10,6")
        #expect(try PositionsFile.read(path: cut, catalog: .builtIn).unendedLine == 3)
        let ended = try scratch.write("ended.csv", "account,symbol,side,size,entry_price,margin_mode,leverage\na,BTCUSDT,long,1,60000,isolated,10\r\n")
        #expect(try PositionsFile.read(path: ended, catalog: .builtIn).unendedLine == nil)
        #expect(read.updates.first?.account == "a" && read.updates.first?.quantity == Fixed("0.5"))
        let json = try scratch.write("export.json", #"[{"account":"a","symbol":"BTCUSDT","side":"long","size":"1","entry_price":"60000","margin_mode":"isolated","leverage":"10"},{"account":"b","symbol":"BTCUSDT","side":"long","size":"0","entry_price":"0"}]"#)
        let jsonRead = try PositionsFile.read(path: json, catalog: .builtIn)
        #expect(jsonRead.updates.count == 1 && jsonRead.flatRows == 1)
        // An entry that is no object is said as such (`[[]]` read `field account: missing`).
        for (text, kind) in [("[[]]", "a list"), ("[null]", "null"), (#"{"positions":[5]}"#, "a number")] {
            let notObject = try scratch.write("not-object.json", text)
            expectRefusal(notObject) { $0.contains("position 1: expected an object of a position's fields, not \(kind)") && !$0.contains("account") }
        }
        let allFlat = try scratch.write("flat.csv", "account,symbol,side,size,entry_price\na,BTCUSDT,long,0,0\nb,BTCUSDT,short,0.0,0\n")
        expectRefusal(allFlat) { $0.contains("the file has no open position: its 2 rows are all of size 0") }
        // A flat row stating the account's wallet is read (and refused, naming its size), not
        // dropped with the wallet its open rows need; a no-break space before the 0 is no number.
        let walletRow = try scratch.write("wallet.csv", "account,symbol,side,size,entry_price,margin_mode,wallet_balance\na,ETHUSDT,long,0,0,cross,5000\na,BTCUSDT,long,1,60000,cross,\n")
        expectRefusal(walletRow) { $0.contains(":2: field wallet_balance: a row of size 0 (a flat position) states the account's wallet") }
        let nbsp = try scratch.write("nbsp.json", #"[{"account":"a","symbol":"BTCUSDT","side":"long","size":"1","entry_price":"60000","leverage":"10"},{"account":"b","symbol":"BTCUSDT","side":"long","size":"\u00a00","entry_price":"1"}]"#)
        expectRefusal(nbsp) { $0.contains("size") }
        #expect(!PositionsFile.isFlat(sizeText: "0e5") && !PositionsFile.isFlat(sizeText: "") && !PositionsFile.isFlat(sizeText: "\u{A0}0"))
        #expect(PositionsFile.isFlat(sizeText: " 0 ") && PositionsFile.isFlat(sizeText: "-0.0"))
        // A negative size is still an error, named.
        let negative = try scratch.write("negative.csv", "account,symbol,side,size,entry_price\na,BTCUSDT,long,-1,60000\n")
        expectRefusal(negative) { $0.contains(":2: field size") }
    }

    @Test("a UTF-16 export, or a file of NUL bytes, is refused saying so (it read `the header has no account column`)")
    func utf16Said() throws {
        let scratch = try ScratchDirectory()
        let text = "account,symbol,side,size,entry_price\na,BTCUSDT,long,1,60000\n"
        let withMark = try scratch.write("utf16.csv", bytes: [0xFF, 0xFE] + Array(text.data(using: .utf16LittleEndian)!))
        expectRefusal(withMark) { $0.contains("the file is UTF-16 text") && $0.contains("save it as UTF-8") }
        let utf32 = try scratch.write("utf32.csv", bytes: [0xFF, 0xFE, 0, 0] + Array(text.data(using: .utf32LittleEndian)!))
        expectRefusal(utf32) { $0.contains("the file is UTF-32 text") }
        let bare = try scratch.write("utf16-bare.csv", bytes: Array(text.data(using: .utf16LittleEndian)!))
        expectRefusal(bare) { $0.contains("the file holds NUL bytes") }
    }

    @Test("a header and no rows, or an empty JSON list, is refused: a file cut short is not a book of no positions")
    func noRows() throws {
        let scratch = try ScratchDirectory()
        let csv = try scratch.write("header.csv", "account,symbol,side,size,entry_price\n# nothing yet\n")
        expectRefusal(csv) { $0.contains("the file has a header and no positions") }
        let json = try scratch.write("empty.json", "{\"positions\": []}")
        expectRefusal(json) { $0.contains("the list holds no positions") }
    }

    @Test("a bad row far down still names its line, with CRLF lines")
    func badRowLine() throws {
        let scratch = try ScratchDirectory()
        var text = "account,symbol,side,size,entry_price,margin_mode,isolated_margin,wallet_balance,leverage\r\n"
        for index in 0..<1_000 { text += "a\(index),BTCUSDT,long,1,60000,isolated,,,10\r\n" }
        text += "zed,BTCUSDT,long,1,60000,isolated,,,1001\r\n"
        let path = try scratch.write("positions.csv", text)
        expectRefusal(path) { $0 == "\(path):1002: field leverage: must be in (0, 1000]" }
    }

    @Test("a margin or wallet past a quadrillion is refused, on the fast path and the careful one (a quoted row)")
    func moneyLimit() throws {
        let scratch = try ScratchDirectory()
        let header = "account,symbol,side,size,entry_price,margin_mode,isolated_margin,wallet_balance,leverage\n"
        for (row, field) in [("a,BTCUSDT,long,1,60000,isolated,1000000000000000000,,", "isolated_margin"),
                             ("\"a\",BTCUSDT,long,1,60000,isolated,1000000000000001,,", "isolated_margin"),
                             ("a,BTCUSDT,long,1,60000,cross,,2000000000000000,", "wallet_balance")] {
            let path = try scratch.write("money.csv", header + row + "\n")
            expectRefusal(path) { $0 == "\(path):2: field \(field): must be at most 1,000,000,000,000,000" }
        }
        let path = try scratch.write("fine.csv", header + "a,BTCUSDT,long,1,60000,isolated,1000000000000000,,\n")
        #expect(try PositionsFile.load(path: path, catalog: .builtIn).first?.isolatedMargin == Fixed(1_000_000_000_000_000))
    }

    @Test("a cross row with an isolated margin is refused naming the field (it was dropped without a word); a margin of 0 on it is taken")
    func crossRowWithMargin() throws {
        let scratch = try ScratchDirectory()
        let header = "account,symbol,side,size,entry_price,margin_mode,isolated_margin,wallet_balance,leverage\n"
        for row in ["a,BTCUSDT,long,1,60000,cross,3000,5,", "\"a\",BTCUSDT,long,1,60000,cross,3000,5,"] {
            let path = try scratch.write("cross.csv", header + row + "\n")
            expectRefusal(path) { $0.hasPrefix("\(path):2: field isolated_margin: a cross position has no isolated margin") }
        }
        let path = try scratch.write("zero.csv", header + "a,BTCUSDT,long,1,60000,cross,0,5000,\n")
        let loaded = try PositionsFile.load(path: path, catalog: .builtIn)
        #expect(loaded.first?.walletBalance == Fixed(5000) && loaded.first?.isolatedMargin == nil)
    }

    @Test("a header naming a column liqwatch reads twice is refused, naming both places (the second was passed unread); a column it does not read may appear twice")
    func duplicateColumn() throws {
        let scratch = try ScratchDirectory()
        let path = try scratch.write("dup.csv", "account,symbol,side,size,entry_price,margin_mode,leverage,size\na,BTCUSDT,long,1,60000,isolated,10,abc\n")
        expectRefusal(path) { $0 == "\(path):1: field size: the header names size twice (columns 4 and 8)" }
        let notes = try scratch.write("notes.csv", "account,symbol,note,side,size,entry_price,margin_mode,leverage,note\na,BTCUSDT,x,long,1,60000,isolated,10,y\n")
        #expect(try PositionsFile.load(path: notes, catalog: .builtIn).count == 1)
    }

    @Test("a size finer than a book holds, and a number too large, are refused with the right reason")
    func sizeReasons() throws {
        let scratch = try ScratchDirectory()
        let header = "account,symbol,side,size,entry_price,margin_mode,isolated_margin,wallet_balance,leverage\n"
        let cases: [(String, String)] = [
            ("a,BTCUSDT,long,0.000000001,60000,isolated,,,10\n", "field size: has more than 8 decimal places (a book holds sizes to 0.00000001)"),
            ("a,BTCUSDT,long,1234567890123456789012345678901234567890,60000,isolated,,,10\n",
             "field size: '1234567890123456789012345678901234567890' is too large or has more than 18 decimal places"),
            ("a,BTCUSDT,long,1x,60000,isolated,,,10\n", "field size: '1x' is not a decimal number"),
        ]
        for (row, reason) in cases {
            let path = try scratch.write("sizes.csv", header + row)
            expectRefusal(path) { $0 == "\(path):2: \(reason)" }
        }
        let path = try scratch.write("fine.csv", header + "a,BTCUSDT,long,0.00000001,60000,isolated,,,10\n")
        #expect(try PositionsFile.load(path: path, catalog: .builtIn).first?.quantity == Fixed("0.00000001")!)
    }

    @Test("quoted fields, as spreadsheets write them: commas and doubled quotes inside, a quoted header; a bad quote is named")
    func quotedFields() throws {
        let scratch = try ScratchDirectory()
        let text = "\"account\",\"symbol\",side,size,entry_price,margin_mode,isolated_margin,wallet_balance,leverage\n"
            + "\"al,ice\",BTCUSDT,long,0.5,60000,isolated,3000,,\n"
            + " \"say \"\"hi\"\"\" ,BTCUSDT,short,1,60000,isolated,,,10\n"
            + "bob,BTCUSDT,long,1,60000,isolated,,,10\n"
        let path = try scratch.write("quoted.csv", text)
        let updates = try PositionsFile.load(path: path, catalog: .builtIn)
        #expect(updates.map(\.account) == ["al,ice", "say \"hi\"", "bob"])
        #expect(updates.first?.isolatedMargin == Fixed(3000))
        let header = "account,symbol,side,size,entry_price,margin_mode,isolated_margin,wallet_balance,leverage\n"
        let bad: [(String, String)] = [
            ("\"alice,BTCUSDT,long,1,60000,isolated,,,10\n", "field account: a quote is not closed (a field cannot span lines)"),
            ("al\"ice,BTCUSDT,long,1,60000,isolated,,,10\n", "field account: a quote inside an unquoted field (quote the whole field, with \"\" for a quote)"),
            ("a,\"BTCUSDT\"x,long,1,60000,isolated,,,10\n", "field symbol: text after a closing quote"),
            ("al,ice,BTCUSDT,long,1,60000,isolated,,,10\n", "expected 9 columns, found 10 (a field holding a comma must be quoted)"),
        ]
        for (row, reason) in bad {
            let path = try scratch.write("bad.csv", header + row)
            expectRefusal(path) { $0 == "\(path):2: \(reason)" }
        }
    }

    @Test("a JSON key given twice is refused where it stands, in a position and at the top (the last one won: 500 BTC, or no positions)")
    func duplicateJSONKeys() throws {
        let scratch = try ScratchDirectory()
        let twice = try scratch.write("twice.json", """
            {"positions": [
              {"account": "a", "symbol": "BTCUSDT", "side": "long", "size": "0.5", "size": "500", "entry_price": "60000", "leverage": "10"}
            ]}
            """)
        expectRefusal(twice) { $0.hasSuffix("twice.json:2: invalid JSON at byte 88: the key 'size' is given twice") }
        let emptied = try scratch.write("emptied.json", """
            {"positions": [{"account": "a", "symbol": "BTCUSDT", "side": "long", "size": "1", "entry_price": "60000", "leverage": "10"}],
             "positions": []}
            """)
        #expect(throws: PositionsFileError.self) { _ = try PositionsFile.load(path: emptied, catalog: .builtIn) }
        // Many keys: the set takes over from the one-by-one comparison; still refused, still fast.
        let many = (0..<5_000).map { "\"k\($0)\": 1" }.joined(separator: ", ")
        #expect(throws: JSONParseError.self) { _ = try JSONValue.parse(bytes: Array("{\(many), \"k4999\": 2}".utf8)) }
        #expect(try JSONValue.parse(bytes: Array("{\(many)}".utf8))["k4999"] != nil)
    }

    @Test("JSON after a byte order mark")
    func jsonWithMark() throws {
        let scratch = try ScratchDirectory()
        let path = try scratch.write("positions.json", "\u{FEFF} [{\"account\": \"a\", \"symbol\": \"BTCUSDT\", \"side\": \"long\", \"size\": \"1\", \"entry_price\": \"60000\", \"leverage\": 10}]")
        let updates = try PositionsFile.load(path: path, catalog: .builtIn)
        #expect(updates.count == 1 && updates.first?.leverage == Fixed(10))
    }
    /// Two accounts whose names differ only in bytes that are not UTF-8 would read the same once
    /// repaired (each byte a U+FFFD), and the second row would silently replace the first.
    @Test("account names: invalid UTF-8 is refused with its line and field; escaped emoji in JSON stay distinct")
    func accountNameBytes() throws {
        let scratch = try ScratchDirectory()
        let header = Array("account,symbol,side,size,entry_price,margin_mode,isolated_margin,wallet_balance,leverage\n".utf8)
        let row1 = Array("desk".utf8) + [0xFF] + Array(",BTCUSDT,long,1,60000,isolated,,,10\n".utf8)
        let row2 = Array("desk".utf8) + [0xFE] + Array(",BTCUSDT,short,2,60000,isolated,,,10\n".utf8)
        let csv = try scratch.write("positions.csv", bytes: header + row1 + row2)
        expectRefusal(csv) { $0 == "\(csv):2: field account: not valid UTF-8" }
        // Quoted, the same.
        let quoted = try scratch.write("quoted.csv", bytes: header + [UInt8(ascii: "\"")] + Array("desk".utf8) + [0xFF, UInt8(ascii: "\"")]
            + Array(",BTCUSDT,long,1,60000,isolated,,,10\n".utf8))
        expectRefusal(quoted) { $0 == "\(quoted):2: field account: not valid UTF-8" }
        // A column liqwatch does not read (a spreadsheet's note in cp1252, é as E9) is let be,
        // quoted or not.
        let noted = try scratch.write("noted.csv", bytes: Array("account,symbol,side,size,entry_price,leverage,note\n".utf8)
            + Array("a,BTCUSDT,long,1,60000,10,caf".utf8) + [0xE9] + Array("\n".utf8)
            + Array("b,BTCUSDT,long,1,60000,10,\"caf".utf8) + [0xE9] + Array(", ok\"\n".utf8))
        #expect(try PositionsFile.load(path: noted, catalog: .builtIn).map(\.account) == ["a", "b"])
        // In a JSON file: refused, with the line; escaped surrogate pairs are two accounts.
        let badJSON = try scratch.write("bad.json", bytes: Array("[\n{\"account\": \"desk".utf8) + [0xFF]
            + Array("\", \"symbol\": \"BTCUSDT\", \"side\": \"long\", \"size\": \"1\", \"entry_price\": \"60000\", \"leverage\": 10}]".utf8))
        #expect {
            _ = try PositionsFile.load(path: badJSON, catalog: .builtIn)
        } throws: { error in
            let text = (error as? PositionsFileError)?.description ?? ""
            return text.hasPrefix("\(badJSON):2: ") && text.contains("not valid UTF-8")
        }
        let emoji = try scratch.write("emoji.json", #"[{"account": "desk\ud83d\udd25", "symbol": "BTCUSDT", "side": "long", "size": "1", "entry_price": "60000", "leverage": 10},"#
            + #" {"account": "desk\ud83d\ude00", "symbol": "BTCUSDT", "side": "short", "size": "2", "entry_price": "60000", "leverage": 10}]"#)
        let updates = try PositionsFile.load(path: emoji, catalog: .builtIn)
        #expect(updates.map(\.account) == ["desk🔥", "desk😀"])
    }
}
