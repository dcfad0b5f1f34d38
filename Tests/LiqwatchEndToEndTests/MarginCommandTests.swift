import Foundation
import Testing

@Suite("liqwatch margin, end to end")
struct MarginCommandTests {
    func json(_ arguments: [String]) throws -> [String: Any] {
        let result = try BinaryRunner.run(["margin"] + arguments + ["--json"])
        #expect(result.status == 0, "\(result.standardError)")
        return try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as! [String: Any]
    }

    @Test("JSON has exactly the documented keys, and the published cross example")
    func crossExample() throws {
        let answer = try json(["--side", "long", "--size", "0.02", "--entry", "50000", "--wallet-balance", "500", "--symbol", "BTCUSDT"])
        #expect(Set(answer.keys) == ["initial_margin", "maintenance_margin", "maintenance_margin_rate", "maintenance_amount",
            "liquidation_price", "bankruptcy_price", "margin_ratio", "distance_to_liquidation_pct", "bankrupt", "liquidated_at_entry", "tiers_assumed",
            "liquidation_maintenance_margin_rate", "liquidation_maintenance_amount", "above_venue_maximum_leverage"])
        #expect(answer["liquidated_at_entry"] as? Bool == false)
        #expect(answer["above_venue_maximum_leverage"] as? Bool == false)
        #expect((answer["liquidation_price"] as? NSNumber)?.stringValue == "25100.4")
        #expect(answer["margin_ratio"] is NSNull)
        #expect(answer["distance_to_liquidation_pct"] is NSNull)
        #expect(answer["bankrupt"] is NSNull)
    }

    /// A leverage no venue takes at the position's bracket (its initial margin rate, twice the
    /// maintenance rate): 1,000x printed a liquidation price as if it could be opened, and 200x,
    /// short of being liquidated at entry, said nothing (attacker trial).
    @Test("a leverage above the one the bracket takes is said, in the table and the JSON; at the bracket's own, nothing")
    func aboveVenueLeverage() throws {
        // 60,000 USDT of BTCUSDT: the 0.50 % bracket, 100x.
        let above = try BinaryRunner.run(["margin", "--side", "long", "--size", "1", "--entry", "60000", "--leverage", "200", "--symbol", "BTCUSDT"])
        #expect(above.standardOutput.contains("Note                     200x is above the 100x its bracket takes at most"), "\(above.standardOutput)")
        #expect(try json(["--side", "long", "--size", "1", "--entry", "60000", "--leverage", "200", "--symbol", "BTCUSDT"])["above_venue_maximum_leverage"] as? Bool == true)
        // An isolated margin of 300 on 60,000 is 200x too; a wallet of 100 on a cross short, 600x.
        #expect(try json(["--side", "long", "--size", "1", "--entry", "60000", "--isolated-margin", "300", "--symbol", "BTCUSDT"])["above_venue_maximum_leverage"] as? Bool == true)
        let cross = try BinaryRunner.run(["margin", "--side", "short", "--size", "1", "--entry", "60000", "--wallet-balance", "100", "--symbol", "BTCUSDT"])
        #expect(cross.standardOutput.contains("600x is above the 100x"), "\(cross.standardOutput)")
        // 100x and 125x at 40,000 (the 0.40 % bracket): within.
        for (size, leverage) in [("1", "100"), ("1", "125")] {
            let within = try BinaryRunner.run(["margin", "--side", "long", "--size", size, "--entry", "40000", "--leverage", leverage, "--symbol", "BTCUSDT"])
            #expect(!within.standardOutput.contains("its bracket takes"), "\(leverage)x: \(within.standardOutput)")
        }
        // A rate of 0: no bound to say.
        #expect(try json(["--side", "long", "--size", "1", "--entry", "60000", "--leverage", "500", "--mmr", "0"])["above_venue_maximum_leverage"] as? Bool == false)
    }

    /// The liquidation price is worked out in the bracket of the notional at that price: a short
    /// of 4.9 BTC at 50,000 showed the 0.5 % bracket (at entry) beside a price only the 1 % one
    /// gives (operator trial).
    @Test("a liquidation price worked out in another bracket than the one shown says which, in the table and the JSON")
    func liquidationBracket() throws {
        let arguments = ["--side", "short", "--size", "4.9", "--entry", "50000", "--leverage", "10", "--symbol", "BTCUSDT"]
        let answer = try json(arguments)
        // (24,500 + 1,300 + 4.9 × 50,000) ÷ (4.9 × 0.01 + 4.9) = 54,718.12, in the 1 % bracket.
        #expect((answer["liquidation_price"] as? NSNumber)?.stringValue == "54718.12")
        #expect((answer["maintenance_margin_rate"] as? NSNumber)?.stringValue == "0.005")
        #expect((answer["liquidation_maintenance_margin_rate"] as? NSNumber)?.stringValue == "0.01")
        #expect((answer["liquidation_maintenance_amount"] as? NSNumber)?.stringValue == "1300")
        let table = try BinaryRunner.run(["margin"] + arguments).standardOutput
        #expect(table.contains("Note                     at that price the notional is in another bracket, rate 1.0000 %, amount 1,300.00 USDT"), "\(table)")
        // The same bracket at both: no note.
        let small = try BinaryRunner.run(["margin", "--side", "long", "--size", "1", "--entry", "50000", "--leverage", "10", "--symbol", "BTCUSDT"])
        #expect(!small.standardOutput.contains("another bracket"), "\(small.standardOutput)")
    }

    @Test("the table's position line says what the size counts: a linear contract's coin, an inverse one's contracts")
    func sizeUnit() throws {
        // OKX's exchange sizes are contracts; here a size is coins (`100` read as 100 contracts,
        // 100 BTC in fact: operator trial).
        for (symbol, size, unit) in [("okx:BTC-USDT-SWAP", "1", "1 BTC okx:BTC-USDT-SWAP"), ("BTCUSDT", "0.02", "0.02 BTC binance-usdm:BTCUSDT"),
                                     ("binance-coinm:BTCUSD_PERP", "10", "10 contracts binance-coinm:BTCUSD_PERP")] {
            let result = try BinaryRunner.run(["margin", "--side", "long", "--size", size, "--entry", "60000", "--leverage", "10", "--symbol", symbol])
            #expect(result.status == 0, "\(result.standardError)")
            #expect(result.standardOutput.contains("long " + unit), "\(result.standardOutput)")
        }
    }

    @Test("a bankrupt position at the mark says so: its null margin ratio is not the null of no mark")
    func bankruptAtMark() throws {
        let bankrupt = try json(["--side", "long", "--size", "1", "--entry", "50000", "--leverage", "10", "--mark", "40000"])
        #expect(bankrupt["margin_ratio"] is NSNull)
        #expect(bankrupt["bankrupt"] as? Bool == true)
        let solvent = try json(["--side", "long", "--size", "1", "--entry", "50000", "--leverage", "10", "--mark", "49000"])
        #expect(solvent["margin_ratio"] is NSNumber)
        #expect(solvent["bankrupt"] as? Bool == false)
    }

    @Test("isolated long and short with a bracket table, and a mark")
    func isolatedExample() throws {
        let long = try json(["--side", "long", "--size", "2", "--entry", "50000", "--isolated-margin", "5000",
            "--brackets", "50000:0.004,250000:0.005", "--mark", "49000"])
        #expect((long["liquidation_price"] as? NSNumber)?.stringValue == "47713.57")
        #expect((long["maintenance_amount"] as? NSNumber)?.stringValue == "50")
        // MM at mark 49,000: 98,000 × 0.5 % − 50 = 440; balance 5,000 − 2,000 = 3,000.
        #expect((long["maintenance_margin"] as? NSNumber)?.stringValue == "440")
        // 0.14666…, rounded down as the engine's bounds compare (0.9999996 read 1, a trigger).
        #expect((long["margin_ratio"] as? NSNumber)?.stringValue == "0.146666")
        let short = try json(["--side", "short", "--size", "2", "--entry", "50000", "--isolated-margin", "5000",
            "--brackets", "50000:0.004,250000:0.005"])
        #expect((short["liquidation_price"] as? NSNumber)?.stringValue == "52263.68")
    }

    @Test("bybit rules")
    func bybit() throws {
        let answer = try json(["--side", "long", "--size", "1", "--entry", "20000", "--leverage", "50", "--mmr", "0.005", "--rules", "bybit"])
        #expect((answer["initial_margin"] as? NSNumber)?.stringValue == "400")
        #expect((answer["maintenance_margin"] as? NSNumber)?.stringValue == "100")
        #expect((answer["liquidation_price"] as? NSNumber)?.stringValue == "19700")
        let cheaper = try json(["--side", "long", "--size", "1", "--entry", "10000", "--leverage", "50", "--mmr", "0.005", "--rules", "bybit"])
        #expect((cheaper["bankruptcy_price"] as? NSNumber)?.stringValue == "9800")
    }

    @Test("a venue's instrument brings its rule: Bybit's BTCUSD example, Hyperliquid's BTC, OKX's BTC-USDT-SWAP with the fee")
    func venueInstruments() throws {
        // Bybit's isolated inverse example (see VenueRulesTests.bybitInverseExample).
        let bybit = try json(["--side", "long", "--size", "60000", "--entry", "50000", "--leverage", "10", "--symbol", "bybit:BTCUSD"])
        #expect((bybit["maintenance_margin"] as? NSNumber)?.stringValue == "0.006")
        #expect((bybit["liquidation_price"] as? NSNumber)?.stringValue == "45662.1")
        // Hyperliquid: 100,000 − (5,000 − 1,250) ÷ (1 − 1.25 %) = 96,202.53.
        let hyperliquid = try json(["--side", "long", "--size", "1", "--entry", "100000", "--isolated-margin", "5000", "--symbol", "hyperliquid:BTC"])
        #expect((hyperliquid["liquidation_price"] as? NSNumber)?.stringValue == "96202.53")
        #expect((hyperliquid["maintenance_margin_rate"] as? NSNumber)?.stringValue == "0.0125")
        // OKX, conservative 5 % plus the 0.05 % fee: (60,000 − 6,000) ÷ (1 − 0.0505) = 56,872.04.
        let okx = try json(["--side", "long", "--size", "1", "--entry", "60000", "--isolated-margin", "6000", "--symbol", "okx:BTC-USDT-SWAP"])
        #expect((okx["liquidation_price"] as? NSNumber)?.stringValue == "56872.04")
        #expect((okx["maintenance_margin"] as? NSNumber)?.stringValue == "3030")
        // --rules still wins over the instrument's own.
        let imposed = try json(["--side", "long", "--size", "1", "--entry", "100000", "--isolated-margin", "5000", "--symbol", "hyperliquid:BTC", "--rules", "bybit"])
        #expect((imposed["liquidation_price"] as? NSNumber)?.stringValue == "96250")
    }

    @Test("inverse contracts: built-in BTCUSD_PERP equals --inverse --contract-size 100")
    func inverse() throws {
        let builtIn = try json(["--side", "long", "--size", "1000", "--entry", "60000", "--leverage", "20", "--symbol", "BTCUSD_PERP"])
        let explicit = try json(["--side", "long", "--size", "1000", "--entry", "60000", "--leverage", "20", "--inverse",
            "--contract-size", "100", "--brackets", "50:0.004,250:0.005,1000:0.01,5000:0.025,10000:0.05"])
        #expect((builtIn["liquidation_price"] as? NSNumber) == (explicit["liquidation_price"] as? NSNumber))
        #expect((builtIn["initial_margin"] as? NSNumber)?.stringValue == "0.08333333")
    }

    @Test("the readable table names every figure")
    func table() throws {
        let result = try BinaryRunner.run(["margin", "--side", "long", "--size", "0.02", "--entry", "50000", "--wallet-balance", "500",
            "--symbol", "BTCUSDT", "--mark", "30000"])
        #expect(result.status == 0)
        for expected in ["Liquidation price        25,100.40", "Bankruptcy price         25,000.00", "Margin ratio             2.4000 %",
                         "Distance to liquidation  16.33 %", "Initial margin           — (cross: the wallet balance backs the position)"] {
            #expect(result.standardOutput.contains(expected), "missing \(expected) in\n\(result.standardOutput)")
        }
        // BTCUSDT's own brackets: no note of assumed tiers.
        #expect(!result.standardOutput.contains("tiers assumed"), "\(result.standardOutput)")
    }

    /// The position view said a venue's fallback tiers were assumed; the calculator did not, and
    /// OKX's rate carried its liquidation fee unsaid (operator trial).
    @Test("a fallback table is said to be assumed; OKX's rate is split into its tier and its fee; a rate past 0.5 is refused")
    func assumedTiersAndFee() throws {
        let okx = try BinaryRunner.run(["margin", "--side", "long", "--size", "1", "--entry", "60000", "--isolated-margin", "6000",
            "--symbol", "okx:BTC-USDT-SWAP", "--mark", "58000"])
        #expect(okx.status == 0)
        #expect(okx.standardOutput.contains("Bracket rate             5.0500 %  (tier 5.0000 % + liquidation fee 0.0500 %)"), "\(okx.standardOutput)")
        #expect(okx.standardOutput.contains("Note                     tiers assumed, not the venue's (liqwatch's fallback for okx:BTC-USDT-SWAP)"),
            "\(okx.standardOutput)")
        let okxJSON = try BinaryRunner.run(["margin", "--side", "long", "--size", "1", "--entry", "60000", "--isolated-margin", "6000",
            "--symbol", "okx:BTC-USDT-SWAP", "--json"])
        #expect(okxJSON.standardOutput.contains(#""tiers_assumed":true"#) || okxJSON.standardOutput.contains(#""tiers_assumed": true"#), "\(okxJSON.standardOutput)")
        // The operator's own table is not assumed.
        let given = try BinaryRunner.run(["margin", "--side", "long", "--size", "1", "--entry", "60000", "--isolated-margin", "6000",
            "--symbol", "okx:BTC-USDT-SWAP", "--mmr", "0.004"])
        #expect(given.status == 0 && !given.standardOutput.contains("tiers assumed"), "\(given.standardOutput)")
        let near = try BinaryRunner.run(["margin", "--side", "long", "--size", "1", "--entry", "60000", "--leverage", "1000",
            "--mmr", "0.999999999999999999"])
        #expect(near.status != 0 && near.standardError.contains("--mmr must be in [0, 0.5]"), "\(near.standardOutput)\(near.standardError)")
        // A notional past 10¹⁵ (an inverse contract of 10¹⁰ contracts of 10¹⁰ at 10⁻⁸: 10²⁸ coin)
        // is refused: its figures saturated and printed as exact.
        let vast = try BinaryRunner.run(["margin", "--side", "long", "--size", "10000000000", "--entry", "0.00000001", "--isolated-margin",
            "1000000000000000", "--inverse", "--contract-size", "10000000000", "--mmr", "0.5", "--mark", "10000000000"])
        #expect(vast.status != 0 && vast.standardError.contains("--size at --entry: a notional of more than 1,000,000,000,000,000"), "\(vast.standardError)")
        let bracket = try BinaryRunner.run(["margin", "--side", "long", "--size", "1", "--entry", "60000", "--leverage", "10",
            "--brackets", "100000:0.6"])
        #expect(bracket.status != 0 && bracket.standardError.contains("rate must be in [0, 0.5]"), "\(bracket.standardError)")
    }

    @Test("with no instrument, prices below a dollar keep five significant digits (0.2465 was printed 0.25)")
    func subDollarPrices() throws {
        // Short 20,000 at 0.24 with 149.72: LP = (149.72 + 4,800) ÷ (20,000 × 1.004) = 0.2465,
        // BP = 0.24 + 149.72 ÷ 20,000 = 0.247486.
        let result = try BinaryRunner.run(["margin", "--side", "short", "--size", "20000", "--entry", "0.24", "--isolated-margin", "149.72",
            "--mark", "0.24635"])
        #expect(result.status == 0)
        for expected in ["Liquidation price        0.24650", "Bankruptcy price         0.24749", "Mark price               0.24635"] {
            #expect(result.standardOutput.contains(expected), "missing \(expected) in\n\(result.standardOutput)")
        }
        let answer = try json(["--side", "short", "--size", "1000", "--entry", "7.55", "--isolated-margin", "92.95", "--mark", "7.6115"])
        // (92.95 + 7,550) ÷ (1,000 × 1.004) = 7.61250…: above the short's mark, as a short's must be.
        #expect((answer["liquidation_price"] as? NSNumber)?.stringValue == "7.6125", "\(answer)")
        // 125x on 1,000 BTC: the bracket's maintenance is past the margin, liquidated at entry.
        let over = try json(["--side", "long", "--size", "1000", "--entry", "60000", "--leverage", "125", "--symbol", "BTCUSDT"])
        #expect(over["liquidated_at_entry"] as? Bool == true, "\(over)")
        let overText = try BinaryRunner.run(["margin", "--side", "long", "--size", "1000", "--entry", "60000", "--leverage", "125", "--symbol", "BTCUSDT"])
        #expect(overText.standardOutput.contains("Status                   LIQUIDATED AT ENTRY"), "\(overText.standardOutput)")
        // Past the last bracket's cap: its rate, said so (attacker trial: silent).
        let past = try BinaryRunner.run(["margin", "--side", "long", "--size", "1", "--entry", "50000", "--leverage", "10",
            "--brackets", "10000:0.004,20000:0.005,30000:0.01"])
        #expect(past.standardOutput.contains("Note                     notional at entry 50,000.00 USDT is past the last bracket's cap 30,000: its rate is used"), "\(past.standardOutput)")
        let covered = try BinaryRunner.run(["margin", "--side", "long", "--size", "1", "--entry", "50000", "--leverage", "10"])
        #expect(!covered.standardOutput.contains("Note "), "a table that covers the notional says nothing:\n\(covered.standardOutput)")
        // Triggered at the mark and liquidated at entry: both said (OKX's printed the trigger alone).
        let both = try BinaryRunner.run(["margin", "--side", "long", "--size", "1", "--entry", "20000", "--leverage", "50", "--mmr", "0.5",
            "--rules", "okx", "--mark", "19800"])
        #expect(both.standardOutput.contains("LIQUIDATION TRIGGERED") && both.standardOutput.contains("LIQUIDATED AT ENTRY"), "\(both.standardOutput)")
        // A whole-dollar price keeps its cents.
        let btc = try BinaryRunner.run(["margin", "--side", "long", "--size", "1", "--entry", "60000", "--leverage", "10"])
        #expect(btc.standardOutput.contains("Bankruptcy price         54,000.00"), "\(btc.standardOutput)")
    }

    @Test("bad flags: a clear message and exit code 2", arguments: [
        (["--side", "up", "--size", "1", "--entry", "2", "--leverage", "3"], "--side must be long or short"),
        (["--side", "long", "--size", "x", "--entry", "2", "--leverage", "3"], "--size: 'x' is not a decimal number"),
        (["--side", "long", "--size", "1", "--entry", "2"], "exactly one of"),
        (["--side", "long", "--size", "1", "--entry", "2", "--leverage", "3", "--wallet-balance", "9"], "exactly one of"),
        (["--side", "long", "--size", "1", "--entry", "2", "--leverage", "3", "--brackets", "100:0.01,50:0.02"], "caps must rise"),
        (["--side", "long", "--size", "1", "--entry", "2", "--leverage", "3", "--mmr", "0.1", "--brackets", "1:0.1"], "not both"),
        (["--side", "long", "--size", "1", "--entry", "2", "--leverage", "3", "--symbol", "NOPE"], "unknown instrument"),
        (["--side", "long", "--size", "1", "--entry", "2", "--leverage", "3", "--inverse"], "--inverse needs --contract-size"),
        (["--side", "long", "--size=-1", "--entry", "2", "--leverage", "3"], "--size must be greater than zero"),
        (["--side", "long", "--size", "1", "--entry", "2", "--leverage", "3", "--rules", "kraken"], "--rules must be binance, bybit, okx or hyperliquid"),
        (["--side", "long", "--size", "1", "--entry", "2", "--leverage", "3", "--instruments", "/nonexistent.json"], "no such file"),
        (["--side", "long", "--size", "1", "--entry", "2", "--leverage", "3", "--nonsense"], "Unknown option"),
        // A linear instrument with --inverse printed coin amounts as its quote (0.004 USDT: attacker trial).
        (["--side", "long", "--size", "2", "--entry", "50000", "--leverage", "10", "--inverse", "--contract-size", "100", "--symbol", "BTCUSDT"],
         "--inverse: binance-usdm:BTCUSDT is a linear contract settled in USDT"),
        (["--side", "long", "--size", "2", "--entry", "50000", "--leverage", "10", "--inverse", "--contract-size", "100", "--symbol", "hyperliquid:BTC"],
         "is a linear contract settled in USDC"),
        // Past the limits a positions file has, the figures saturated and were printed as answers.
        (["--side", "short", "--size", "1", "--entry", "50000", "--leverage", "0.000000000000000001"], "--leverage: 0.000000000000000001 implies a margin of more than 1,000,000,000,000,000"),
        (["--side", "long", "--size", "92233720368", "--entry", "92233720368", "--leverage", "1"], "--size: 92233720368 is larger than 10,000,000,000"),
        (["--side", "long", "--size", "1", "--entry", "99999999999999999999", "--leverage", "1"], "--entry: '99999999999999999999' is too large or has more than 18 decimal places"),
        (["--side", "long", "--size", "1", "--entry", "2", "--isolated-margin", "2000000000000000"], "--isolated-margin: 2000000000000000 is larger than 1,000,000,000,000,000"),
    ])
    func badFlags(arguments: [String], message: String) throws {
        let result = try BinaryRunner.run(["margin"] + arguments)
        #expect(result.status == 2)
        #expect(result.standardError.contains(message), "stderr was: \(result.standardError)")
        #expect(result.standardOutput.isEmpty)
    }

    @Test("a negative number after a flag is its value, refused as such (it read 'Missing value', as if the flag had none)", arguments: [
        (["replay", "/dev/null", "--headless", "--synthetic-positions", "-1"], "--synthetic-positions must be between 0 and 2,000,000"),
        (["replay", "/dev/null", "--headless", "--insurance-fund", "-5"], "--insurance-fund: '-5' is not an amount"),
        (["live", "events", "-", "--headless", "--duration", "-5"], "--duration must be more than 0 seconds"),
        (["demo", "--headless", "--seed", "-1"], "The value '-1' is invalid for '--seed"),
        (["demo", "--headless", "--synthetic-positions", "-1"], "--synthetic-positions"),
        (["--synthetic-positions", "-1"], "--synthetic-positions"),
        (["demo", "--speed", "-1"], "--speed"),
        (["replay", "/dev/null", "--speed", "-2"], "--speed"),
    ])
    func negativeFlagValues(arguments: [String], message: String) throws {
        let result = try BinaryRunner.run(arguments)
        #expect(result.status == 2)
        #expect(result.standardError.contains(message), "stderr was: \(result.standardError)")
        #expect(!result.standardError.contains("Missing value"))
    }

    @Test("an instrument file adds an instrument; a bad one is named by file, instrument and field")
    func instrumentFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("liqwatch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let good = directory.appendingPathComponent("good.json")
        try #"{"instruments": [{"symbol": "SOLUSDT", "tick_size": "0.010", "lot_size": "1", "brackets": [["5000", "0.01"], ["50000", "0.025"]]}]}"#
            .write(to: good, atomically: true, encoding: .utf8)
        let answer = try json(["--side", "long", "--size", "100", "--entry", "150", "--leverage", "10", "--symbol", "SOLUSDT", "--instruments", good.path])
        #expect((answer["maintenance_margin_rate"] as? NSNumber)?.stringValue == "0.025")
        #expect((answer["maintenance_amount"] as? NSNumber)?.stringValue == "75")
        let bad = directory.appendingPathComponent("bad.json")
        try #"{"instruments": [{"symbol": "SOLUSDT", "tick_size": "fast"}]}"#.write(to: bad, atomically: true, encoding: .utf8)
        let result = try BinaryRunner.run(["margin", "--side", "long", "--size", "1", "--entry", "2", "--leverage", "3", "--instruments", bad.path])
        #expect(result.status == 2)
        #expect(result.standardError.contains("bad.json: instrument SOLUSDT, field tick_size: not a decimal number"), "\(result.standardError)")
    }
}

@Suite("liqwatch replay and demo, headless, end to end")
struct HeadlessCommandTests {
    @Test("demo --headless --report json: a cascade with deficits, a drawn fund and ADL")
    func demoReport() throws {
        let result = try BinaryRunner.run(["demo", "--headless", "--report", "json"])
        #expect(result.status == 0, "\(result.standardError)")
        let report = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as! [String: Any]
        let deficits = report["deficits"] as! [String: Any]
        #expect((deficits["count"] as! Int) > 0)
        let fund = report["insurance_fund"] as! [String: Any]
        #expect((fund["min"] as! NSNumber).doubleValue < (fund["start"] as! NSNumber).doubleValue)
        #expect(((report["adl"] as! [String: Any])["count"] as! Int) > 0)
        #expect(report["frames"] != nil && report["symbols"] != nil && report["signals"] != nil)
    }

    @Test("an events file's insurance_fund line opens the fund unless --insurance-fund was given")
    func fundOpeningFromEvents() throws {
        let events = [
            #"{"type":"insurance_fund","asset":"USDT","balance":"1000000","time":1723161255000000000}"#,
            #"{"type":"mark","symbol":"BTCUSDT","price":"61650.4","time":1723161256000000000}"#,
        ].joined(separator: "\n") + "\n"
        func fund(_ extra: [String]) throws -> [String: Any] {
            let result = try BinaryRunner.run(["replay", "-", "--headless", "--report", "json"] + extra, standardInput: events)
            #expect(result.status == 0, "\(result.standardError)")
            let report = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as! [String: Any]
            return report["insurance_fund"] as! [String: Any]
        }
        let stated = try fund([])
        #expect((stated["start"] as! NSNumber).doubleValue == 1_000_000, "\(stated)")
        #expect((stated["min"] as! NSNumber).doubleValue == 1_000_000, "\(stated)")
        let given = try fund(["--insurance-fund", "500000"])
        #expect((given["start"] as! NSNumber).doubleValue == 500_000, "\(given)")
        #expect((given["end"] as! NSNumber).doubleValue == 1_000_000, "\(given)")
    }

    @Test("a report that cannot be written (a full disk) says so and exits 1: a script must not take half a JSON document for a run")
    func reportUnwritable() throws {
        let result = try BinaryRunner.runShell("'\(BinaryRunner.binary.path)' demo --headless --report json > /dev/full")
        #expect(result.status == 1, "\(result.status)")
        #expect(result.standardError.contains("the report could not be written to standard output: No space left on device"), "\(result.standardError)")
    }

    @Test("replay exit codes: missing file 2, unknown format 2, stdin without --headless 2, a malformed line still 0")
    func exitCodes() throws {
        let missing = try BinaryRunner.run(["replay", "/nonexistent.gz", "--headless"])
        #expect(missing.status == 2)
        #expect(missing.standardError.contains("/nonexistent.gz: no such file"))
        let stdinDashboard = try BinaryRunner.run(["replay", "-"])
        #expect(stdinDashboard.status == 2)
        #expect(stdinDashboard.standardError.contains("cannot also be the keyboard"))
        let lines = #"1000000000000000000 {"lastUpdateId":100,"bids":[["99.00","1.000"]],"asks":[["101.00","2.000"]]}"# + "\nnot a frame\n"
        let piped = try BinaryRunner.run(["replay", "-", "--headless", "--report", "json"], standardInput: lines)
        #expect(piped.status == 0, "\(piped.standardError)")
        #expect(piped.standardOutput.contains("\"malformed\": 1"))
        let strict = try BinaryRunner.run(["replay", "-", "--headless", "--strict"], standardInput: lines)
        #expect(strict.status == 1)
        #expect(strict.standardError.contains("-:2: malformed line"))
        #expect(strict.standardOutput.contains("\"frames\""))
        let unknown = try BinaryRunner.run(["replay", "-", "--headless"], standardInput: "hello world\n")
        #expect(unknown.status == 2)
        #expect(unknown.standardError.contains("unknown format"))
    }
}
