import Foundation
import Testing

/// A fund's later statements move its balance: the report says so, so that its start, inflows,
/// outflows and statements add up to its end (attacker trial: start 1,000, outflows 900, end 300).
@Suite("The report's fund adds up with statements")
struct FundStatementReportTests {
    @Test("statements after the opening are reported (JSON and text), and start + inflows − outflows + statements = end")
    func statementsAddUp() throws {
        let scratch = try BadInputCommandTests.Scratch()
        let lines = [
            #"{"type":"insurance_fund","asset":"USDT","balance":"1000","time":1723161255000000000}"#,
            #"{"type":"book","symbol":"BTCUSDT","bids":[["60000","1"],["59000","1"]],"asks":[["60010","1"],["61000","1"]],"time":1723161255000000000}"#,
            #"{"type":"mark","symbol":"BTCUSDT","price":"60005","time":1723161255000000000}"#,
            #"{"type":"position","account":"a","symbol":"BTCUSDT","side":"long","size":"1","entry_price":"60000","margin_mode":"isolated","isolated_margin":"1000","time":1723161255000000000}"#,
            #"{"type":"position","account":"b","symbol":"BTCUSDT","side":"short","size":"1","entry_price":"60000","margin_mode":"isolated","isolated_margin":"10000","time":1723161255000000000}"#,
            #"{"type":"insurance_fund","asset":"USDT","balance":"5000","time":1723161255500000000}"#,
            #"{"type":"book","symbol":"BTCUSDT","bids":[["50000","0.1"]],"asks":[["60010","1"]],"time":1723161256000000000}"#,
            #"{"type":"mark","symbol":"BTCUSDT","price":"58000","time":1723161257000000000}"#,
            #"{"type":"insurance_fund","asset":"USDT","balance":"300","time":1723161258000000000}"#,
        ].joined(separator: "\n") + "\n"
        let path = try scratch.write("statements.jsonl", lines)
        let json = try BinaryRunner.run(["replay", path, "--headless", "--report", "json", "--no-config"])
        #expect(json.status == 0, "\(json.standardError)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any])
        let fund = try #require(report["insurance_fund"] as? [String: Any])
        func number(_ key: String) -> Double { (fund[key] as? NSNumber)?.doubleValue ?? .nan }
        #expect(number("start") == 1_000 && number("end") == 300)
        #expect(number("outflows") > 0, "a deficit was paid")
        #expect(abs(number("start") + number("inflows") - number("outflows") + number("statements") - number("end")) < 1e-8, "\(fund)")
        let text = try BinaryRunner.run(["replay", path, "--headless", "--report", "text", "--no-config"])
        #expect(text.standardOutput.contains("statements +"), "\(text.standardOutput)")
    }

    @Test("a session of no market and no fund statement: the JSON says no fund is in use and gives no figures, as the text says none")
    func noFundInUse() throws {
        let scratch = try BadInputCommandTests.Scratch()
        // Only lines that make no market (one malformed, one of a type liqwatch skips).
        let path = try scratch.write("nothing.jsonl", #"{"type":"mark","symbol":"BTCUSDT","price":"oops","time":1723161255000000000}"# + "\n")
        let json = try BinaryRunner.run(["replay", path, "--headless", "--report", "json", "--no-config"])
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any], "\(json.standardError)")
        let fund = try #require(report["insurance_fund"] as? [String: Any])
        #expect(fund["in_use"] as? Bool == false, "\(fund)")
        for key in ["start", "end", "min", "peak", "inflows", "outflows"] { #expect(fund[key] is NSNull, "\(key): \(fund)") }
        let text = try BinaryRunner.run(["replay", path, "--headless", "--report", "text", "--no-config"])
        #expect(text.standardOutput.contains("insurance fund: none"), "\(text.standardOutput)")
        // With a market, the fund opened for it is in use and has its figures.
        let market = try scratch.write("market.jsonl", #"{"type":"mark","symbol":"BTCUSDT","price":"60000","time":1723161255000000000}"# + "\n")
        let withMarket = try BinaryRunner.run(["replay", market, "--headless", "--report", "json", "--no-config"])
        let opened = try #require((try JSONSerialization.jsonObject(with: Data(withMarket.standardOutput.utf8)) as? [String: Any])?["insurance_fund"] as? [String: Any])
        #expect(opened["in_use"] as? Bool == true && (opened["end"] as? NSNumber)?.doubleValue == 250_000, "\(opened)")
    }

    @Test("an event's isolated position stating a wallet states its account's: the account's cross leg is judged against it")
    func isolatedLineStatesTheWallet() throws {
        let scratch = try BadInputCommandTests.Scratch()
        let lines = [
            #"{"type":"book","symbol":"BTCUSDT","bids":[["59990","10"]],"asks":[["60010","10"]],"time":1723161255001000000}"#,
            #"{"type":"book","symbol":"ETHUSDT","bids":[["2999","100"]],"asks":[["3001","100"]],"time":1723161255001000000}"#,
            #"{"type":"mark","symbol":"BTCUSDT","price":"60000","time":1723161255002000000}"#,
            #"{"type":"mark","symbol":"ETHUSDT","price":"3000","time":1723161255002000000}"#,
            #"{"type":"position","account":"y","symbol":"BTCUSDT","side":"long","size":"1","entry_price":"60000","margin_mode":"isolated","isolated_margin":"3000","wallet_balance":"100","time":1723161258000000001}"#,
            #"{"type":"position","account":"y","symbol":"ETHUSDT","side":"long","size":"10","entry_price":"3000","margin_mode":"cross","leverage":"10","time":1723161258000000002}"#,
        ].joined(separator: "\n") + "\n"
        let path = try scratch.write("isolated-wallet.jsonl", lines)
        let text = try BinaryRunner.run(["replay", path, "--headless", "--report", "text", "--no-config"])
        #expect(text.status == 0, "\(text.standardError)")
        // Against a wallet of 100 the leg's liquidation price is (100 − 30,000) ÷ (0.04 − 10) ≈ 3,002 > 3,000: liquidated at once.
        #expect(text.standardOutput.contains("liquidations: 1 simulated"), "\(text.standardOutput)")
    }

    /// An empty USDT fund, a BTCUSDT book with bids at 59,990 and 50,000 and a mark of 60,000, and
    /// a 1 BTC long at 60,000 with 3,000 of margin (bankrupt at 57,000).
    static let emptyFundAndALoser = [
            #"{"type":"insurance_fund","asset":"USDT","balance":"0","time":1723161255000000000}"#,
            #"{"type":"book","symbol":"BTCUSDT","bids":[["59990","1"],["50000","5"]],"asks":[["60010","1"]],"time":1723161255001000000}"#,
            #"{"type":"mark","symbol":"BTCUSDT","price":"60000","time":1723161255002000000}"#,
            #"{"type":"position","account":"loser","symbol":"BTCUSDT","side":"long","size":"1","entry_price":"60000","margin_mode":"isolated","isolated_margin":"3000","time":1723161255003000000}"#,
    ]

    @Test("a loss socialised past an empty fund is in the reports: what the winners' profits were charged and the bad debt no profit covered")
    func socialisedLossIsReported() throws {
        let scratch = try BadInputCommandTests.Scratch()
        // A 1 BTC long bankrupt at 57,000 filled at 50,000 (a deficit of 7,000) with a fund of 0;
        // two shorts of 0.01 and 0.03 BTC entered at 60,000 hold 28 and 84 of profit at 57,200.
        let lines = (Self.emptyFundAndALoser + [
            #"{"type":"position","account":"win1","symbol":"BTCUSDT","side":"short","size":"0.01","entry_price":"60000","margin_mode":"isolated","isolated_margin":"60","time":1723161255003000001}"#,
            #"{"type":"position","account":"win2","symbol":"BTCUSDT","side":"short","size":"0.03","entry_price":"60000","margin_mode":"isolated","isolated_margin":"180","time":1723161255003000002}"#,
            #"{"type":"book","symbol":"BTCUSDT","bids":[["50000","5"]],"asks":[["57400","1"]],"time":1723161255004000000}"#,
            #"{"type":"mark","symbol":"BTCUSDT","price":"57200","time":1723161255005000000}"#
        ]).joined(separator: "\n") + "\n"
        let path = try scratch.write("socialised.jsonl", lines)
        let text = try BinaryRunner.run(["replay", path, "--shortfall", "socialised-loss", "--headless", "--report", "text", "--no-config"])
        #expect(text.standardOutput.contains("socialised loss: 1 event; 112.00 USDT charged to winners' profits, 6,888.00 USDT no profit covered (bad debt)"),
            "\(text.standardOutput)")
        let json = try BinaryRunner.run(["replay", path, "--shortfall", "socialised-loss", "--headless", "--report", "json", "--no-config"])
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any])
        let socialised = try #require(report["socialised_loss"] as? [String: Any])
        #expect(socialised["count"] as? Int == 1)
        #expect(((socialised["charged_to_profits_by_asset"] as? [String: Any])?["USDT"] as? NSNumber)?.doubleValue == 112)
        #expect(((socialised["bad_debt_by_asset"] as? [String: Any])?["USDT"] as? NSNumber)?.doubleValue == 6_888)
        // Under ADL (the default) nothing is socialised: the key says so.
        let adl = try BinaryRunner.run(["replay", path, "--headless", "--report", "json", "--no-config"])
        let none = try #require((try JSONSerialization.jsonObject(with: Data(adl.standardOutput.utf8)) as? [String: Any])?["socialised_loss"] as? [String: Any])
        #expect(none["count"] as? Int == 0)
    }

    @Test("a fund whose ADL NEAR comes from an ended book says so on its text report line, naming the market")
    func endedNearInTheReport() throws {
        let scratch = try BadInputCommandTests.Scratch()
        let t: Int64 = 1_723_161_255_000_000_000
        var lines = [
            #"{"type":"insurance_fund","asset":"USDT","balance":"1000","time":\#(t)}"#,
            #"{"type":"book","symbol":"OLDUSDT","bids":[["59000","5"]],"asks":[["60000","10"]],"time":\#(t)}"#,
            #"{"type":"mark","symbol":"OLDUSDT","price":"59500","time":\#(t)}"#,
            #"{"type":"position","account":"o","symbol":"OLDUSDT","side":"long","size":"20","entry_price":"60000","margin_mode":"isolated","leverage":"20","time":\#(t)}"#,
        ]
        for second in stride(from: Int64(2), through: 3_700, by: 30) {
            let time = t + second * 1_000_000_000
            lines.append(#"{"type":"book","symbol":"bybit:BTCUSDT","bids":[["59999","\#(second % 5 + 1)"]],"asks":[["60001","10"]],"time":\#(time)}"#)
            lines.append(#"{"type":"mark","symbol":"bybit:BTCUSDT","price":"60000","time":\#(time)}"#)
        }
        let path = try scratch.write("ended.jsonl", lines.joined(separator: "\n") + "\n")
        let text = try BinaryRunner.run(["replay", path, "--headless", "--report", "text", "--no-config"])
        #expect(text.standardOutput.contains("ADL near (from binance-usdm:OLDUSDT's ended book)"), "\(text.standardOutput)\(text.standardError)")
    }

    @Test("a positions file of an exchange's export, flat rows at size 0: they are skipped and said on standard error, the session runs")
    func flatPositionRowsSaid() throws {
        let scratch = try BadInputCommandTests.Scratch()
        let events = try scratch.write("events.jsonl", Self.emptyFundAndALoser.joined(separator: "\n") + "\n")
        let positions = try scratch.write("export.csv", "account,symbol,side,size,entry_price,margin_mode,leverage\nw,BTCUSDT,short,0.5,60000,isolated,10\nx,BTCUSDT,long,0.000,0.0,isolated,\ny,ETHUSDT,long,0,0,cross,\n")
        let run = try BinaryRunner.run(["replay", events, "--positions", positions, "--headless", "--report", "text", "--no-config"])
        #expect(run.status == 0, "\(run.standardError)")
        #expect(run.standardError.contains("export.csv: 2 rows of size 0 (flat positions) skipped; 1 position read"), "\(run.standardError)")
    }

    @Test("positions the engine refused are said on standard error after a headless run, not only deep in the report")
    func refusedPositionsSaid() throws {
        let scratch = try BadInputCommandTests.Scratch()
        let t: Int64 = 1_723_161_255_000_000_000
        let lines = [
            #"{"type":"book","symbol":"BTCUSDT","bids":[["59999","5"]],"asks":[["60001","10"]],"time":\#(t)}"#,
            #"{"type":"mark","symbol":"BTCUSDT","price":"60000","time":\#(t)}"#,
            // Cross, no wallet stated and no leverage to imply one: refused.
            #"{"type":"position","account":"nowallet","symbol":"BTCUSDT","side":"long","size":"1","entry_price":"60000","margin_mode":"cross","time":\#(t)}"#,
            #"{"type":"position","account":"fine","symbol":"BTCUSDT","side":"long","size":"1","entry_price":"60000","margin_mode":"isolated","leverage":"10","time":\#(t)}"#,
        ]
        let path = try scratch.write("refused.jsonl", lines.joined(separator: "\n") + "\n")
        let run = try BinaryRunner.run(["replay", path, "--headless", "--report", "text", "--no-config"])
        #expect(run.status == 0, "\(run.standardError)")
        #expect(run.standardError.contains("liqwatch: 1 position refused, not watched (nowallet binance-usdm:BTCUSDT: "), "\(run.standardError)")
        #expect(run.standardError.contains("the report lists them under positions refused"))
        #expect(run.standardOutput.contains("positions refused: 1"))
        // None refused: nothing said.
        let clean = try scratch.write("clean.jsonl", ([lines[0], lines[1], lines[3]]).joined(separator: "\n") + "\n")
        let quiet = try BinaryRunner.run(["replay", clean, "--headless", "--report", "text", "--no-config"])
        #expect(!quiet.standardError.contains("refused"), "\(quiet.standardError)")
    }

    @Test("a loss socialised in a coin fund nobody gave (not in use: its first liquidation paid nothing) is on the text report's line")
    func socialisedInACoinFund() throws {
        let scratch = try BadInputCommandTests.Scratch()
        let lines = [
            #"{"type":"book","symbol":"okx:BTC-USD-SWAP","bids":[["59990","10"],["30000","5000"]],"asks":[["60010","10"]],"time":1723161255001000000}"#,
            #"{"type":"mark","symbol":"okx:BTC-USD-SWAP","price":"60000","time":1723161255002000000}"#,
            #"{"type":"position","account":"loser","symbol":"okx:BTC-USD-SWAP","side":"long","size":"1000","entry_price":"60000","margin_mode":"isolated","isolated_margin":"0.2","time":1723161255003000000}"#,
            #"{"type":"position","account":"win","symbol":"okx:BTC-USD-SWAP","side":"short","size":"100","entry_price":"60000","margin_mode":"isolated","isolated_margin":"0.1","time":1723161255003000001}"#,
            #"{"type":"book","symbol":"okx:BTC-USD-SWAP","bids":[["30000","5000"]],"asks":[["50400","10"]],"time":1723161255004000000}"#,
            #"{"type":"mark","symbol":"okx:BTC-USD-SWAP","price":"50200","time":1723161255005000000}"#,
        ]
        let path = try scratch.write("coin.jsonl", lines.joined(separator: "\n") + "\n")
        let text = try BinaryRunner.run(["replay", path, "--shortfall", "socialised-loss", "--headless", "--report", "text", "--no-config"])
        let line = text.standardOutput.split(separator: "\n").first { $0.hasPrefix("socialised loss:") } ?? ""
        #expect(line.contains("BTC charged to winners' profits") && line.contains("BTC no profit covered (bad debt)"), "\(text.standardOutput)")
        // The fund nobody gave has its line too, with its ADL state.
        #expect(text.standardOutput.contains("insurance fund (okx BTC) (no opening given)") || text.standardOutput.contains("insurance fund (BTC) (no opening given)"),
            "\(text.standardOutput)")
    }

    @Test("losses socialised on two venues of one asset are reported per venue's fund, in both reports (the asset's total read as either's)")
    func socialisedLossPerVenue() throws {
        let scratch = try BadInputCommandTests.Scratch()
        let binance = Self.emptyFundAndALoser + [
            #"{"type":"position","account":"win","symbol":"BTCUSDT","side":"short","size":"0.04","entry_price":"60000","margin_mode":"isolated","isolated_margin":"240","time":1723161255003000001}"#,
            #"{"type":"book","symbol":"BTCUSDT","bids":[["50000","5"]],"asks":[["57400","1"]],"time":1723161255004000000}"#,
            #"{"type":"mark","symbol":"BTCUSDT","price":"57200","time":1723161255005000000}"#,
        ]
        // The same on Bybit a second later, its winner holding half as much (56 of profit).
        let bybit = binance.map {
            $0.replacingOccurrences(of: #""symbol":"BTCUSDT""#, with: #""symbol":"bybit:BTCUSDT""#)
                .replacingOccurrences(of: #""asset":"USDT""#, with: #""venue":"bybit","asset":"USDT""#)
                .replacingOccurrences(of: #""size":"0.04""#, with: #""size":"0.02""#)
                .replacingOccurrences(of: #""isolated_margin":"240""#, with: #""isolated_margin":"120""#)
                .replacingOccurrences(of: "17231612550", with: "17231612560")
        }
        let path = try scratch.write("two-venues.jsonl", (binance + bybit).joined(separator: "\n") + "\n")
        let text = try BinaryRunner.run(["replay", path, "--shortfall", "socialised-loss", "--headless", "--report", "text", "--no-config"])
        #expect(text.standardOutput.contains("socialised loss: 2 events; binance-usdm 112.00 USDT charged to winners' profits, 6,888.00 USDT no profit covered (bad debt); "
            + "bybit 56.00 USDT charged to winners' profits, 6,944.00 USDT no profit covered (bad debt)"), "\(text.standardOutput)\(text.standardError)")
        let json = try BinaryRunner.run(["replay", path, "--shortfall", "socialised-loss", "--headless", "--report", "json", "--no-config"])
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any])
        let socialised = try #require(report["socialised_loss"] as? [String: Any])
        #expect(((socialised["charged_to_profits_by_asset"] as? [String: Any])?["USDT"] as? NSNumber)?.doubleValue == 168)
        let funds = try #require((report["insurance_fund"] as? [String: Any])?["by_venue"] as? [String: Any], "\(report["insurance_fund"] ?? "")")
        let bybitFund = try #require((funds["bybit"] as? [String: Any])?["USDT"] as? [String: Any])
        #expect((bybitFund["socialised_charged"] as? NSNumber)?.doubleValue == 56)
        #expect((bybitFund["bad_debt"] as? NSNumber)?.doubleValue == 6_944)
    }

    @Test("a book back after an hour without a change, positions held there: the text report says so before the liquidations, and lists the alert")
    func bookBackAfterAGap() throws {
        let scratch = try BadInputCommandTests.Scratch()
        let t0: Int64 = 1_585_699_200_000_000_000  // 2020-04-01
        let t1: Int64 = 1_723_161_255_000_000_000  // 2024-08-08
        let lines = [
            #"{"type":"book","symbol":"BTCUSDT","bids":[["11650","10"]],"asks":[["11660","10"]],"time":\#(t0)}"#,
            #"{"type":"mark","symbol":"BTCUSDT","price":"11655","time":\#(t0)}"#,
            #"{"type":"position","account":"old","symbol":"BTCUSDT","side":"short","size":"1","entry_price":"11655","margin_mode":"isolated","leverage":"10","time":\#(t0)}"#,
            #"{"type":"book","symbol":"BTCUSDT","bids":[["61700","10"]],"asks":[["61710","10"]],"time":\#(t1)}"#,
            #"{"type":"mark","symbol":"BTCUSDT","price":"61705","time":\#(t1)}"#,
        ].joined(separator: "\n") + "\n"
        let path = try scratch.write("years.jsonl", lines)
        let text = try BinaryRunner.run(["replay", path, "--headless", "--report", "text", "--no-config"])
        let output = text.standardOutput
        let said = try #require(output.range(of: "books back after a gap of an hour or more, positions held there (they were stated against the book of then): binance-usdm:BTCUSDT at 2024-08-08T23:54:15.000Z after 4y 130d"),
            "\(output)")
        let liquidations = try #require(output.range(of: "liquidations: "))
        #expect(said.lowerBound < liquidations.lowerBound)
        #expect(output.contains("book back after 4y 130d without a change"), "\(output)")
    }

    @Test("a winner's profit is charged once by socialised losses: the next loss takes only what it gained since, never its margin (it was liquidated in profit)")
    func socialisedChargesProfitOnce() throws {
        let scratch = try BadInputCommandTests.Scratch()
        // A short of 1 BTC at 60,000 (cross, wallet 700) wins; two longs bankrupt at 57,000 and
        // 56,800 fill at 50,000 (deficits 7,000 and 6,800) with an empty fund. The first, at a mark
        // of 57,200, charges the short its profit, 2,800; the second, at 57,000, the 200 it gained
        // since. The rest, 10,800, no profit covers.
        let lines = (Self.emptyFundAndALoser + [
            #"{"type":"position","account":"loser2","symbol":"BTCUSDT","side":"long","size":"1","entry_price":"60000","margin_mode":"isolated","isolated_margin":"3200","time":1723161255003000000}"#,
            #"{"type":"position","account":"win","symbol":"BTCUSDT","side":"short","size":"1","entry_price":"60000","margin_mode":"cross","wallet_balance":"700","time":1723161255003000001}"#,
            #"{"type":"book","symbol":"BTCUSDT","bids":[["50000","5"]],"asks":[["57400","1"]],"time":1723161255004000000}"#,
            #"{"type":"mark","symbol":"BTCUSDT","price":"57200","time":1723161256005000000}"#,
            #"{"type":"mark","symbol":"BTCUSDT","price":"57100","time":1723161257005000000}"#,
            #"{"type":"mark","symbol":"BTCUSDT","price":"57000","time":1723161258005000000}"#,
            #"{"type":"mark","symbol":"BTCUSDT","price":"56900","time":1723161259005000000}"#
        ]).joined(separator: "\n") + "\n"
        // The winner's line sent again between the losses, with no wallet: it gives nothing back,
        // so the charge stands (a resend cleared it, and the profit was charged twice: review).
        let resend = #"{"type":"position","account":"win","symbol":"BTCUSDT","side":"short","size":"1","entry_price":"60000","margin_mode":"cross","time":1723161256500000000}"#
        var withResend = lines.split(separator: "\n").map(String.init)
        withResend.insert(resend, at: withResend.firstIndex { $0.contains("57200") }! + 1)
        for (name, body) in [("twice.jsonl", lines), ("resend.jsonl", withResend.joined(separator: "\n") + "\n")] {
            let path = try scratch.write(name, body)
            let text = try BinaryRunner.run(["replay", path, "--shortfall", "socialised-loss", "--headless", "--report", "text", "--no-config"])
            #expect(text.standardOutput.contains("liquidations: 2 simulated"), "\(name): the winner was liquidated: \(text.standardOutput)")
            #expect(text.standardOutput.contains("deficits: 2, total 13,800.00 USDT"), "\(name): \(text.standardOutput)")
            #expect(text.standardOutput.contains("socialised loss: 2 events; 3,000.00 USDT charged to winners' profits, 10,800.00 USDT no profit covered (bad debt)"),
                "\(name): \(text.standardOutput)")
        }
    }
}

