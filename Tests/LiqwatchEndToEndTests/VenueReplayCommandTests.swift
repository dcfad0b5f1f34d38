import Foundation
import Testing

/// `liqwatch replay` on the Bybit, OKX and Hyperliquid recordings of `../shared/data`, the real
/// binary, headless: the report names each market and its book.
@Suite("Venue replays, end to end",
    .enabled(if: FileManager.default.fileExists(atPath: BinaryRunner.packageRoot.appendingPathComponent("../shared/data").path),
        "../shared/data is absent: the real recordings are not here, so this test is skipped"))
struct VenueReplayCommandTests {
    @Test("the report names the market and its book", arguments: [
        ("../shared/data/bybit/2024-12-01_XRPUSDT_ob500.data", "bybit:XRPUSDT", 0),
        ("../shared/data/okx/OKX.ws.1.0", "okx:UNI-USD-SWAP", 0),
        ("../shared/data/okx/OKX.ws.1.0", "okx:BTC-USD-220527", 0),
        ("../shared/data/hyperliquid/btcusd_20250126.gz", "hyperliquid:BTC", 0),
    ])
    func report(file: String, market: String, gaps: Int) throws {
        let result = try BinaryRunner.run(["replay", file, "--headless", "--report", "json"])
        #expect(result.status == 0, "\(result.standardError)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        let symbols = try #require(report["symbols"] as? [String: Any])
        let entry = try #require(symbols[market] as? [String: Any], "\(symbols.keys.sorted())")
        let book = try #require(entry["book"] as? [String: Any])
        #expect((book["bids"] as? [Any])?.count == 10)
        #expect((book["asks"] as? [Any])?.count == 10)
        #expect(entry["gaps"] as? Int == gaps)
        #expect(entry["stale"] as? Bool == false)
        #expect(entry["book_synced"] as? Bool == true)
        let frames = try #require(report["frames"] as? [String: Any])
        #expect(frames["malformed"] as? Int == 0)
    }

    @Test("the OKX capture's spot instrument is skipped and said so in the report")
    func okxSkipped() throws {
        let result = try BinaryRunner.run(["replay", "../shared/data/okx/OKX.ws.1.0", "--headless", "--report", "json"])
        #expect(result.status == 0, "\(result.standardError)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        let frames = try #require(report["frames"] as? [String: Any])
        let skipped = try #require(frames["skipped_instruments"] as? [String: Any])
        #expect(skipped.keys.sorted() == ["okx:BTC-USDT (spot: liqwatch watches swaps and futures)"])
        let symbols = try #require(report["symbols"] as? [String: Any])
        let uni = try #require(symbols["okx:UNI-USD-SWAP"] as? [String: Any])
        #expect((uni["checksums_verified"] as? Int ?? 0) > 10)
        let text = try BinaryRunner.run(["replay", "../shared/data/okx/OKX.ws.1.0", "--headless", "--report", "text"])
        #expect(text.standardOutput.contains("okx:BTC-USDT (spot: liqwatch watches swaps and futures)"), "\(text.standardOutput)")
    }

    @Test("the Binance recording's skipped frames (its book tickers) are said to be streams not applied, not damage")
    func skippedExplained() throws {
        let result = try BinaryRunner.run(["replay", "../shared/data/binance-usdm/btcusdt_20240808.gz", "--headless", "--report", "text"])
        #expect(result.status == 0, "\(result.standardError)")
        let text = result.standardOutput
        #expect(text.contains("frames: 93954 read, 27865 applied, 66089 skipped, 0 malformed\n  skipped: frames of streams liqwatch does not apply, such as book tickers"), "\(text)")
    }

    @Test("three venues replayed together: each has its own fund, opened as --insurance-fund says, and a deficit on OKX moves only OKX's")
    func fundPerVenue() throws {
        let files = ["../shared/data/okx/OKX.ws.1.0", "../shared/data/bybit/2024-12-01_XRPUSDT_ob500.data", "../shared/data/hyperliquid/btcusd_20250126.gz"]
        // A position on each venue; OKX's long is bankrupt from its first mark (entry 33,000, the
        // mark 30,230, 0.0001 BTC of margin) and an OKX short stands behind it for ADL. (The
        // synthetic book used to give OKX its cascade: its coin wallets were rounded to cents,
        // which made them bankrupt; stop 42.)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("liqwatch-venues-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let positions = folder.appendingPathComponent("positions.csv")
        try """
            account,symbol,side,size,entry_price,margin_mode,isolated_margin,wallet_balance,leverage
            okx-whale,okx:BTC-USD-220527,long,4000,33000,isolated,0.0001,,
            okx-short,okx:BTC-USD-220527,short,100,31000,isolated,0.01,,
            bybit-a,bybit:XRPUSDT,long,1000,1.9,isolated,500,,
            hl-a,hyperliquid:BTC,long,0.1,100000,isolated,2000,,
            okx-uni,okx:UNI-USD-SWAP,long,10,5.1,isolated,5,,

            """.write(to: positions, atomically: true, encoding: .utf8)
        let arguments = ["replay"] + files + ["--headless", "--positions", positions.path, "--insurance-fund", "bybit:80000,okx:BTC:0.5,hyperliquid:1000"]
        let result = try BinaryRunner.run(arguments + ["--report", "json"])
        #expect(result.status == 0, "\(result.standardError)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        let fund = try #require(report["insurance_fund"] as? [String: Any])
        let byVenue = try #require(fund["by_venue"] as? [String: [String: [String: Any]]], "\(fund)")
        #expect(byVenue["bybit"]?["USDT"]?["start"] as? Double == 80_000)
        #expect(byVenue["hyperliquid"]?["USDC"]?["start"] as? Double == 1_000)
        let okx = try #require(byVenue["okx"]?["BTC"])
        #expect(okx["start"] as? Double == 0.5 && okx["given"] as? Bool == true)
        // OKX's coin-margined cascade moved OKX's fund; Bybit's moved only by its own liquidations.
        #expect((okx["outflows"] as? Double ?? 0) > 0, "\(okx)")
        #expect(byVenue["bybit"]?["USDT"]?["outflows"] as? Double == 0 && byVenue["hyperliquid"]?["USDC"]?["outflows"] as? Double == 0,
            "\(byVenue)")
        #expect(byVenue["binance-usdm"] == nil, "no Binance market, no Binance fund: \(byVenue.keys.sorted())")
        #expect(fund["not_given_by_venue"] as? [String: [String]] == ["okx": ["UNI"]])
        // Bybit's is given; OKX's USDT (no market of OKX settles in USDT) is never made.
        #expect(byVenue["okx"]?["USDT"] == nil && byVenue["bybit"]?["USDT"]?["markets"] as? Int == 1)
        // Deficits and ADL per venue: OKX's, paid by OKX's fund, counted apart.
        let deficitSection = try #require(report["deficits"] as? [String: Any])
        let deficitsByVenue = try #require(deficitSection["by_venue"] as? [String: [String: Any]])
        #expect(deficitsByVenue["okx"]?["count"] as? Int == deficitSection["count"] as? Int, "\(deficitsByVenue)")
        let adl = try #require(report["adl"] as? [String: Any])
        #expect((adl["by_venue"] as? [String: [String: Any]])?["okx"]?["count"] as? Int == adl["count"] as? Int)
        let text = try BinaryRunner.run(arguments + ["--report", "text"])
        #expect(text.standardOutput.contains("insurance fund (bybit USDT): start 80,000.00"), "\(text.standardOutput)")
        #expect(text.standardOutput.contains("insurance fund (okx BTC): start 0.50000000"), "\(text.standardOutput)")
        #expect(text.standardOutput.contains("no insurance fund given for UNI on okx"), "\(text.standardOutput)")
        // The deficits were OKX's, in BTC: the total says so (it read "total 0.00 USDT").
        let deficits = try #require(text.standardOutput.split(separator: "\n").first { $0.hasPrefix("deficits: ") })
        #expect(deficits.contains(" BTC") && !deficits.contains("total 0.00 USDT"), "\(deficits)")
    }

    @Test("--insurance-fund refuses what it cannot read, with the item named", arguments: [
        ("kraken:USDT:5", "unknown venue"), ("bybit:USDT:-5", "is not an amount"), ("USDT:5,USDT:6", "the USDT fund is given twice"),
        ("a:b:c:5", "is not an amount"), ("bybit:US$T:5", "the asset must be letters and digits"),
        ("binance:1000", "unknown venue 'binance'"), ("usdt:5", "an asset is named in upper case"),
        ("binance-coinm:5", "settle in their coins: name it"), ("deribit:5", "settle in their coins: name it"), ("1e20", "is not an amount"), ("2000000000000000", "at most 1,000,000,000,000,000"),
        // Opened at 0, or rounded up to 10⁻⁸, without a word (attacker trial).
        ("0.000000001", "at most 8 decimal places"), ("okx:BTC:0.00000000999", "at most 8 decimal places"),
        // Thousands separators: the comma separates funds (it read "the USDT fund is given twice").
        ("1,000,000", "a comma separates funds; write the amount without separators (1000000)"),
    ])
    func badFundOption(option: String, message: String) throws {
        let result = try BinaryRunner.run(["replay", "../shared/data/okx/OKX.ws.1.0", "--headless", "--insurance-fund", option])
        #expect(result.status != 0)
        #expect(result.standardError.contains(message), "\(option): \(result.standardError)")
    }

    @Test("a bare amount beside a Hyperliquid fund named, in either order: the named one stands (it was refused as given twice)", arguments: [
        "250000,hyperliquid:5000", "hyperliquid:5000,250000", "250000,hyperliquid:USDC:5000",
        // Every venue's USDC fund, Hyperliquid's with them (it stayed at 250,000: operator trial).
        "USDC:5000", "250000,USDC:5000", "USDC:5000,250000",
    ])
    func bareAmountBesideHyperliquid(option: String) throws {
        let result = try BinaryRunner.run(["replay", "../shared/data/hyperliquid/btcusd_20250126.gz", "--headless", "--report", "json", "--insurance-fund", option])
        #expect(result.status == 0, "\(option): \(result.standardError)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        let fund = try #require(report["insurance_fund"] as? [String: Any])
        #expect(fund["venue"] as? String == "hyperliquid" && fund["asset"] as? String == "USDC" && fund["start"] as? Int == 5_000, "\(option): \(fund)")
        // Named twice is refused; named after an asset's every-venue amount, the named one stands
        // (as `500000,bybit:80000`).
        let again = try BinaryRunner.run(["replay", "../shared/data/hyperliquid/btcusd_20250126.gz", "--headless", "--report", "json",
            "--insurance-fund", option + ",hyperliquid:6000"])
        if option.contains("hyperliquid") {
            #expect(again.status != 0 && again.standardError.contains("the hyperliquid USDC fund is given twice"), "\(option): \(again.standardError)")
        } else {
            let named = try #require(try JSONSerialization.jsonObject(with: Data(again.standardOutput.utf8)) as? [String: Any])
            #expect((named["insurance_fund"] as? [String: Any])?["start"] as? Int == 6_000, "\(option): \(named["insurance_fund"] ?? "")")
        }
    }

    @Test("OKX's coin-margined markets settle in BTC and UNI, for which no fund was given: the report says so instead of a fund of 0")
    func noFundGiven() throws {
        let arguments = ["replay", "../shared/data/okx/OKX.ws.1.0", "--headless", "--synthetic-positions", "200", "--seed", "3"]
        let result = try BinaryRunner.run(arguments + ["--report", "json"])
        #expect(result.status == 0, "\(result.standardError)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        let fund = try #require(report["insurance_fund"] as? [String: Any])
        #expect(fund["not_given"] as? [String] == ["BTC", "UNI"])
        let text = try BinaryRunner.run(arguments + ["--report", "text"])
        #expect(text.standardOutput.contains("no insurance fund given for UNI: it holds only what liquidations leave it, and deficits past that go to ADL"), "\(text.standardOutput)")
    }
}
