import Foundation
import Testing
@testable import MarketFeeds
import RiskEngine

/// `isolated_margn` or Binance's `isolatedMargin` on a position line was passed over as unknown: the
/// stated 10,000 of margin was dropped, the leverage-implied 5,000 liquidated a healthy position
/// with a 1,010 USDT deficit, and nothing was said (attacker trial).
@Suite("Keys and columns that resemble one liqwatch reads")
struct KeyLookalikeTests {
    func decode(_ line: String) -> DecodeOutcome { decodeEventLine(line) }

    @Test("an event line's misspelt or camelCase key is a malformed line naming the key it resembles; a key like none, or another type's, is passed over")
    func eventLines() {
        let position = #"{"type":"position","account":"alice","symbol":"BTCUSDT","side":"long","size":"1","entry_price":"50000","leverage":"10","#
        for (key, meant) in [("isolated_margn", "isolated_margin"), ("isolatedMargin", "isolated_margin"), ("Entry Price", "entry_price"),
                             ("positionSide", "position_side"), ("walet_balance", "wallet_balance")] {
            let outcome = decode(position + "\"\(key)\":\"10000\"}")
            guard case .malformed(let field) = outcome else { Issue.record("\(key): \(outcome)"); continue }
            #expect(field.hasPrefix(key + ": '" + key + "' is not a key liqwatch reads: did you mean \(meant)?"), "\(field)")
        }
        for key in ["marginType", "isolatedWallet", "positionAmt"] {
            guard case .malformed(let field) = decode(position + "\"\(key)\":\"1\"}") else { Issue.record("\(key) read past"); continue }
            #expect(field.contains("did you mean"), "\(field)")
        }
        // Ordinary extra keys of exports and operators' systems (attacker trial: refused once).
        for key in ["note", "id", "unrealized_pnl", "strategy", "account_id", "position_id", "positionIdx", "symbol_id", "sizes", "site"] {
            #expect(decode(position + "\"\(key)\":\"x\"}") == .decoded, "\(key)")
        }
        // A trade's side is another type's key, not a typo of `size`.
        #expect(decode(#"{"type":"trade","symbol":"BTCUSDT","price":"60000","size":"1","side":"buy"}"#) == .decoded)
        // After 64 other extra keys a misspelt one is still found (review).
        let fillers = (0..<70).map { "\"extra\($0)\":1" }.joined(separator: ",")
        guard case .malformed = decode(position + fillers + ",\"isolatedMargin\":\"10000\"}") else { Issue.record("read past after fillers"); return }
        #expect(KeyLookalike.resembled("id", known: ["side"]) == nil)
        #expect(KeyLookalike.resembled("sizes", known: ["side", "size"]) == nil)
        #expect(KeyLookalike.resembled(String(repeating: "a", count: 100), known: ["side"]) == nil)
    }

    @Test("a positions JSON entry's or a CSV header's lookalike is refused by its file, place and name; other extra columns are read past")
    func positionsFiles() throws {
        let scratch = try ScratchDirectory()
        let json = try scratch.write("positions.json", #"[{"account":"alice","symbol":"BTCUSDT","side":"long","size":"1","entry_price":"50000","isolatedMargin":"10000","leverage":"10"}]"#)
        #expect(throws: PositionsFileError.self) { _ = try PositionsFile.load(path: json, catalog: .builtIn) }
        do { _ = try PositionsFile.load(path: json, catalog: .builtIn) } catch {
            #expect(error.description.contains("isolatedMargin") && error.description.contains("did you mean isolated_margin?"), "\(error.description)")
        }
        let csv = try scratch.write("positions.csv", "account,symbol,side,size,entry_price,Isolated Margin,leverage\nalice,BTCUSDT,long,1,50000,10000,10\n")
        do {
            _ = try PositionsFile.load(path: csv, catalog: .builtIn)
            Issue.record("a lookalike column was read past")
        } catch {
            #expect(error.description.contains("positions.csv:1") && error.description.contains("is not a column liqwatch reads: did you mean isolated_margin?"),
                "\(error.description)")
        }
        let extra = try scratch.write("extra.csv", "account,symbol,side,size,entry_price,isolated_margin,unrealized_pnl,notes\nalice,BTCUSDT,long,1,50000,10000,12.5,x\n")
        let updates = try PositionsFile.load(path: extra, catalog: .builtIn)
        #expect(updates.first?.isolatedMargin == Fixed(10_000))
    }

    /// Exports name a position's margin and an account's money their own way (OKX's `margin`,
    /// Bybit's `positionMargin`, Binance's `totalWalletBalance`, OKX's `cashBal`): read past, a
    /// stated margin of 900 was dropped and the leverage's 53,000 taken (attacker trial).
    @Test("an export's name for a margin or a wallet is refused, naming the column to use, in a CSV header, a JSON entry and an event line")
    func exportMoneyNames() throws {
        let scratch = try ScratchDirectory()
        let margins = ["margin", "position_margin", "positionMargin", "initialMargin", "posMargin", "im", "collateral"]
        let wallets = ["balance", "equity", "marginBalance", "totalWalletBalance", "cashBal", "availableBalance", "wallet"]
        for (names, meant) in [(margins, "isolated_margin"), (wallets, "wallet_balance")] {
            for name in names {
                // Equity and its kind are refused as not the wallet, not offered as it (review).
                let said = KeyLookalike.notTheWallet.contains(KeyLookalike.fold(name)) ? "not the wallet: wallet_balance is the wallet without unrealised PnL" : "did you mean \(meant)?"
                let csv = try scratch.write("\(name).csv", "account,symbol,side,size,entry_price,margin_mode,\(name),leverage\nalice,BTCUSDT,long,1,50000,isolated,900,2\n")
                expectRefusal(csv) { $0.contains("\(name).csv:1") && $0.contains(said) }
                let json = try scratch.write("\(name).json", #"[{"account":"alice","symbol":"BTCUSDT","side":"long","size":"1","entry_price":"50000","leverage":"2","\#(name)":"900"}]"#)
                expectRefusal(json) { $0.contains(said) }
                let line = #"{"type":"position","account":"alice","symbol":"BTCUSDT","side":"long","size":"1","entry_price":"50000","leverage":"2","\#(name)":"900"}"#
                guard case .malformed(let field) = decode(line) else { Issue.record("\(name) read past on a position line"); continue }
                #expect(field.contains(said), "\(field)")
            }
        }
        // A fund's `balance` on an account line is the wallet by another name; on a fund line it is its own.
        guard case .malformed(let field) = decode(#"{"type":"account","account":"alice","balance":"900"}"#) else {
            Issue.record("balance read past on an account line"); return
        }
        #expect(field.contains("did you mean wallet_balance?"), "\(field)")
        #expect(decode(#"{"type":"insurance_fund","balance":"900","asset":"USDT"}"#) == .decoded)
    }

    @Test("an isolated position's margin of 0 is refused (it opened bankrupt and booked a deficit); a cross row's 0, or a close's, is taken")
    func isolatedMarginZero() throws {
        let scratch = try ScratchDirectory()
        let header = "account,symbol,side,size,entry_price,margin_mode,isolated_margin,wallet_balance,leverage\n"
        for margin in ["0", "-0", "0.000"] {
            let csv = try scratch.write("zero.csv", header + "alice,BTCUSDT,long,1,50000,isolated,\(margin),,2\n")
            expectRefusal(csv) { $0.contains("zero.csv:2") && $0.contains("isolated_margin") && $0.contains("greater than zero") }
        }
        let cross = try scratch.write("cross.csv", header + "alice,BTCUSDT,long,1,50000,cross,0,5000,\n")
        #expect(try PositionsFile.load(path: cross, catalog: .builtIn).count == 1)
        let line = #"{"type":"position","account":"alice","symbol":"BTCUSDT","side":"long","size":"1","entry_price":"50000","margin_mode":"isolated","isolated_margin":"0","leverage":"2"}"#
        guard case .malformed(let field) = decode(line) else { Issue.record("a margin of 0 was taken"); return }
        #expect(field.hasPrefix("isolated_margin") && field.contains("greater than zero"), "\(field)")
        #expect(decode(#"{"type":"position","account":"alice","symbol":"BTCUSDT","side":"long","size":"0","margin_mode":"isolated","isolated_margin":"0"}"#) == .decoded)
    }
}
