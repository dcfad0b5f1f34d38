import Foundation
import Testing
@testable import MarketFeeds
import RiskEngine

/// Money and prices are held to the book's grid (10⁻⁸): a figure finer than that is refused by
/// name, never rounded or kept past it (attacker trial: an events mark of nine places was kept, an
/// index's rounded in the report, a positions file's entry and margin taken without a word, while
/// a trade's price of the same digits was refused).
@Suite("Figures on the book's grid")
struct GridFiguresTests {
    func decode(_ line: String) -> DecodeOutcome { decodeEventLine(line) }

    @Test("an event line's mark, index, fund balance, wallet and liquidation of nine places are malformed, naming the field; eight are read")
    func eventLines() {
        let t = "1723161255000000000"
        let lines: [(String, String)] = [
            (#"{"type":"mark","symbol":"BTCUSDT","price":"60000.000000005","time":"# + t + "}", "price"),
            (#"{"type":"index","symbol":"BTCUSDT","price":"60000.000000005","time":"# + t + "}", "price"),
            (#"{"type":"insurance_fund","asset":"USDT","balance":"1000.000000009","time":"# + t + "}", "balance"),
            (#"{"type":"account","account":"a","wallet_balance":"5.000000001","time":"# + t + "}", "wallet_balance"),
            (#"{"type":"liquidation","symbol":"BTCUSDT","side":"long","price":"60000","size":"0.0000000001","time":"# + t + "}", "size"),
        ]
        for (line, field) in lines {
            guard case .malformed(let reason) = decode(line) else { Issue.record("read: \(line)"); continue }
            #expect(reason.hasPrefix(field + ": ") && reason.contains("has more than 8 decimal places"), "\(reason)")
        }
        #expect(decode(#"{"type":"mark","symbol":"BTCUSDT","price":"60000.00000005","time":"# + t + "}") == .decoded)
        #expect(decode(#"{"type":"insurance_fund","asset":"USDT","balance":"1000.00000001","time":"# + t + "}") == .decoded)
        // A funding rate is a ratio: OKX's sixteen places are read (review).
        #expect(decode(#"{"type":"index","symbol":"BTCUSDT","price":"60000","funding_rate":"0.0001029756813034","time":"# + t + "}") == .decoded)
    }

    @Test("a book level's bad price or size says which level and what is wrong, as a trade's do")
    func bookLevels() {
        let head = #"{"type":"book","symbol":"BTCUSDT","time":1723161255000000000,"asks":[["60001","1"]],"bids":[["60000","1"],"#
        for (level, reason) in [(#"["59999.000000001","1"]"#, "bids: level 2: its price '59999.000000001' is too large or has more than 8 decimal places"),
                                (#"["6e4","1"]"#, "bids: level 2: its price '6e4' is not a decimal number"),
                                (#"["59999","NaN"]"#, "bids: level 2: its size 'NaN' is not a decimal number"),
                                (#"["59999",[1]]"#, "bids: level 2: its size is not a number or a string"),
                                (#"["59999"]"#, "bids: expected [[price, size], ...]")] {
            guard case .malformed(let said) = decode(head + level + "]}") else { Issue.record("read: \(level)"); continue }
            #expect(said == reason, "\(said)")
        }
    }

    @Test("a positions row's entry price, margin or wallet of nine places is refused naming the field; a leverage is a ratio and may have more")
    func positionRows() throws {
        let scratch = try ScratchDirectory()
        let header = "account,symbol,side,size,entry_price,margin_mode,isolated_margin,wallet_balance,leverage\n"
        for (row, field, given) in [("a,BTCUSDT,long,1,60000.000000009,isolated,3000,,\n", "entry_price", "60000.000000009"),
                                    ("a,BTCUSDT,long,1,60000,isolated,3000.000000009,,\n", "isolated_margin", "3000.000000009"),
                                    ("a,BTCUSDT,long,1,60000,cross,,5000.000000001,\n", "wallet_balance", "5000.000000001")] {
            let path = try scratch.write("grid.csv", header + row)
            do { _ = try PositionsFile.load(path: path, catalog: .builtIn); Issue.record("read: \(row)") } catch {
                #expect("\(error)" == "\(path):2: field \(field): '\(given)' has more than 8 decimal places (liqwatch holds figures to 0.00000001)", "\(error)")
            }
        }
        let fine = try scratch.write("fine.csv", header + "a,BTCUSDT,long,1,60000.00000001,isolated,3000.00000001,,12.3456789012\n")
        #expect(try PositionsFile.load(path: fine, catalog: .builtIn).first?.entryPrice == Fixed("60000.00000001")!)
    }
}
