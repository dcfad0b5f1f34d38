import Foundation
import Testing

/// The real binary fed what an attacker or a bad day would feed it.
@Suite("Bad input, end to end")
struct BadInputCommandTests {
    final class Scratch {
        let url: URL
        init() throws {
            url = FileManager.default.temporaryDirectory.appendingPathComponent("liqwatch-e2e-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        }
        deinit { try? FileManager.default.removeItem(at: url) }
        func write(_ name: String, _ text: String) throws -> String {
            let path = url.appendingPathComponent(name).path
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
    }

    static func hasTerminalControls(_ text: String) -> Bool {
        text.unicodeScalars.contains { ($0.value < 0x20 && $0 != "\n" && $0 != "\t") || ($0.value >= 0x7F && $0.value < 0xA0) || (0x202A...0x202E).contains($0.value) }
    }

    @Test("the same recording given twice (by one path or two names of it) is refused naming both, not merged with itself")
    func sameRecordingTwice() throws {
        let scratch = try Scratch()
        let path = try scratch.write("e.ndjson", #"{"type":"mark","symbol":"BTCUSDT","price":"60000","time":1723161256000000000}"# + "\n")
        let link = scratch.url.appendingPathComponent("again.ndjson").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: path)
        for arguments in [[path, path], [path, link]] {
            let run = try BinaryRunner.run(["replay"] + arguments + ["--headless", "--report", "text"])
            #expect(run.status == 2 && run.standardError.contains("is the same file as") && run.standardError.contains("give each recording once"),
                "\(run.status) \(run.standardError)")
        }
        // A copy under another name: its trades were counted twice (attacker trial).
        let copy = try scratch.write("copy.ndjson", #"{"type":"mark","symbol":"BTCUSDT","price":"60000","time":1723161256000000000}"# + "\n")
        let copied = try BinaryRunner.run(["replay", path, copy, "--headless", "--report", "text"])
        #expect(copied.status == 2 && copied.standardError.contains("holds the same recording as") && copied.standardError.contains("(the same size and first 64 KiB)"),
            "\(copied.status) \(copied.standardError)")
        // Another recording of the same size is not refused.
        let other = try scratch.write("other.ndjson", #"{"type":"mark","symbol":"BTCUSDT","price":"60001","time":1723161256000000000}"# + "\n")
        #expect(try BinaryRunner.run(["replay", path, other, "--headless", "--report", "text"]).status == 0)
    }

    @Test("a time near the 64-bit limit is a malformed line, not a crash (replay and live events)")
    func hugeTime() throws {
        let scratch = try Scratch()
        let lines = [
            #"{"type":"mark","symbol":"BTCUSDT","price":"60000","time":9223372036854775807}"#,
            #"{"type":"mark","symbol":"BTCUSDT","price":"60001","time":1723161256000000000}"#,
        ].joined(separator: "\n") + "\n"
        let path = try scratch.write("e.ndjson", lines)
        let replayed = try BinaryRunner.run(["replay", path, "--headless", "--report", "text"])
        #expect(replayed.status == 0, "\(replayed.standardError)")
        #expect(replayed.standardOutput.contains("e.ndjson:1 (time: expected nanoseconds since the epoch"), "\(replayed.standardOutput)")
        let live = try BinaryRunner.run(["live", "events", "-", "--headless", "--duration", "1", "--report", "text"], standardInput: lines)
        #expect(live.status == 0, "\(live.standardError)")
        #expect(live.standardOutput.contains("1 malformed"), "\(live.standardOutput)")
    }

    @Test("a book level finer than the instrument's lot is printed with its digits, not as 0 (text and JSON)")
    func levelFinerThanTheLot() throws {
        let scratch = try Scratch()
        let lines = [
            #"1723161255000000000 {"lastUpdateId":100,"E":1723161255000,"T":1723161255000,"bids":[["60000.00","1.000"],["59999.90","2.000"]],"asks":[["60000.10","1.000"]],"s":"BTCUSDT"}"#,
            #"1723161255100000000 {"stream":"btcusdt@depth@0ms","data":{"e":"depthUpdate","E":1723161255100,"T":1723161255100,"s":"BTCUSDT","U":99,"u":101,"pu":98,"b":[["60000.00","0.0004"]],"a":[]}}"#,
        ].joined(separator: "\n") + "\n"
        let path = try scratch.write("binance.txt", lines)
        let text = try BinaryRunner.run(["replay", path, "--headless", "--report", "text"])
        #expect(text.standardOutput.contains("bids 60,000.00 × 0.0004, 59,999.90 × 2.000"), "\(text.standardOutput)")
        let json = try BinaryRunner.run(["replay", path, "--headless", "--report", "json"])
        #expect(json.standardOutput.contains(#"["60000.00","0.0004"]"#), "\(json.standardOutput)")
    }

    @Test("the text report names at most twenty stale markets on its feed line, and says how many more (ten thousand made a line of 250 KB)")
    func staleMarketsBounded() throws {
        let scratch = try Scratch()
        var lines = (0..<30).map { #"{"type":"book","symbol":"S\#(String(format: "%03d", $0))USDT","bids":[["1","5"]],"asks":[["1.1","5"]],"time":1723161256000000000}"# }
        lines.append(#"{"type":"mark","symbol":"BTCUSDT","price":"60000","time":1723161656000000000}"#)
        lines.append(#"{"type":"mark","symbol":"BTCUSDT","price":"60000","time":1723161658000000000}"#)
        let path = try scratch.write("stale.ndjson", lines.joined(separator: "\n") + "\n")
        let text = try BinaryRunner.run(["replay", path, "--headless", "--report", "text"]).standardOutput
        let feed = try #require(text.split(separator: "\n").first { $0.hasPrefix("feed:") })
        #expect(feed.contains("S019USDT") && !feed.contains("S020USDT") && feed.hasSuffix("and 10 more (--report json lists them)"), "\(feed)")
    }

    @Test("fund statements: a bad asset or venue is a malformed line, one waiting for a market is reported, an ambiguous one refused")
    func fundStatements() throws {
        let scratch = try Scratch()
        let lines = [
            #"{"type":"insurance_fund","asset":"\u001b[31mUSDT","balance":"5","time":1723161255000000000}"#,
            #"{"type":"insurance_fund","venue":"\u001b]0;pwn\u0007","balance":"5","time":1723161255000000000}"#,
            #"{"type":"insurance_fund","balance":"2000000000000000","time":1723161255000000000}"#,
            #"{"type":"insurance_fund","balance":"1000","time":1723161255000000000}"#,
            #"{"type":"mark","symbol":"bybit:BTCUSDT","price":"60000","time":1723161256000000000}"#,
            #"{"type":"mark","symbol":"binance-usdm:BTCUSDT","price":"60000","time":1723161256000000000}"#,
            #"{"type":"insurance_fund","balance":"7","time":1723161257000000000}"#,
            #"{"type":"insurance_fund","asset":"ZZZ","balance":"3","time":1723161258000000000}"#,
        ].joined(separator: "\n") + "\n"
        let path = try scratch.write("funds.ndjson", lines)
        let text = try BinaryRunner.run(["replay", path, "--headless", "--report", "text"])
        #expect(text.status == 0)
        #expect(!Self.hasTerminalControls(text.standardOutput), "\(text.standardOutput.debugDescription)")
        for expected in ["funds.ndjson:1 (asset: '\\u{1B}[31mUSDT' is not an asset", "funds.ndjson:2 (venue:", "funds.ndjson:3 (balance: must be at most",
            // The first statement without a venue waited for the first USDT market: Bybit's.
            "insurance fund (bybit USDT): start 1,000.00", "insurance fund (binance-usdm USDT): start 250,000.00",
            "fund statements refused: 1", "markets of USDT are on binance-usdm, bybit: the statement must name its venue",
            "fund statements waiting for a market of their asset (none came): ZZZ 3.00000000"] {
            #expect(text.standardOutput.contains(expected), "\(expected)\n\(text.standardOutput)")
        }
    }

    @Test("names with terminal escapes never reach the terminal: text report, JSON report, stderr")
    func escapesInNames() throws {
        let scratch = try Scratch()
        let osc = "\u{1B}]0;pwned\u{07}\u{1B}]52;c;ZXZpbA==\u{07}"
        let lines = [
            #"{"type":"book","symbol":"EVIL\#(osc)USDT","bids":[["99","5"]],"asks":[["101","5"]],"time":1723161256000000000}"#,
            #"{"type":"position","account":"acct\#(osc)\#u{202E}","symbol":"BTCUSDT","side":"long","size":"1","entry_price":"100","margin_mode":"isolated","isolated_margin":"50"}"#,
            #"{"type":"mark","symbol":"BTCUSDT","price":"\#(osc)"}"#,
            // Refused by the engine (its leverage implies a margin past the limit): its account is
            // named in the JSON's `positions_rejected`.
            #"{"type":"position","account":"ev\#(osc)\#u{202E}il","symbol":"BTCUSDT","side":"long","size":"1","entry_price":"100","margin_mode":"isolated","leverage":"0.000000000000000001"}"#,
        ].joined(separator: "\n") + "\n"
        let path = try scratch.write("evil.ndjson", lines)
        let text = try BinaryRunner.run(["replay", path, "--headless", "--report", "text"])
        #expect(text.status == 0)
        #expect(!Self.hasTerminalControls(text.standardOutput), "\(text.standardOutput.debugDescription)")
        #expect(text.standardOutput.contains("\\u{1B}]0;pwned"))
        let json = try BinaryRunner.run(["replay", path, "--headless", "--report", "json"])
        #expect(!Self.hasTerminalControls(json.standardOutput))
        // Every malformed line's reason escaped as the text report's are (a price's was kept raw,
        // JSON-escaped, and a script printing the field wrote the sequence: attacker trial).
        #expect(json.standardOutput.contains(#"price: '\\u{1B}]0;pwned\\u{7}"#), "\(json.standardOutput)")
        #expect(!json.standardOutput.contains("\\u001b"), "\(json.standardOutput)")
        let decoded = try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8))
        #expect(decoded is [String: Any])
        // Decoded, as a script printing a field (`jq -r`) would: no field carries a control, the
        // account's and the symbol's included (they were JSON escapes, decoded back to the
        // sequence: attacker trial).
        func strings(_ value: Any) -> [String] {
            if let text = value as? String { return [text] }
            if let array = value as? [Any] { return array.flatMap(strings) }
            if let object = value as? [String: Any] { return object.keys.map { $0 } + object.values.flatMap(strings) }
            return []
        }
        let hostile = strings(decoded).filter(Self.hasTerminalControls)
        #expect(hostile.isEmpty, "\(hostile.map(\.debugDescription))")
        #expect(strings(decoded).contains { $0.hasPrefix("ev\\u{1B}]0;pwned") }, "the refused account's name, escaped visibly: \(strings(decoded).filter { $0.hasPrefix("ev") })")
        let strict = try BinaryRunner.run(["replay", path, "--headless", "--strict"])
        #expect(strict.status == 1)
        #expect(!Self.hasTerminalControls(strict.standardError), "\(strict.standardError.debugDescription)")
        // A symbol with controls is no symbol: the first line stops a strict replay, named escaped.
        #expect(strict.standardError.contains("evil.ndjson:1"), "\(strict.standardError)")
        #expect(strict.standardError.contains("EVIL\\u{1B}]0;pwned"), "\(strict.standardError)")
    }

    /// An attacker's trial: an account named "X\ndeficits: 0, total 0.00 USDT" printed a second,
    /// forged deficits line under the real one; tabs and newlines in names and file names passed
    /// the filter, which kept the report's own line ends.
    @Test("a newline or a tab in a name never starts a line of its own: text report, stderr")
    func lineBreaksInNames() throws {
        let scratch = try Scratch()
        let lines = [
            #"{"type":"insurance_fund","asset":"USDT","balance":"100","time":1723161255000000000}"#,
            #"{"type":"book","symbol":"BTCUSDT","bids":[["60000","0.05"],["50000","0.5"]],"asks":[["60010","5"]],"time":1723161255000000001}"#,
            #"{"type":"mark","symbol":"BTCUSDT","price":"60005","time":1723161255000000002}"#,
            #"{"type":"position","account":"tab\tX\ndeficits: 0, total 0.00 USDT\r","symbol":"BTCUSDT","side":"long","size":"0.1","entry_price":"60000","margin_mode":"isolated","leverage":"50","time":1723161255000000010}"#,
            #"{"type":"book","symbol":"BTCUSDT","bids":[["59000","0.01"],["50000","0.5"]],"asks":[["59010","5"]],"time":1723161256000000001}"#,
            #"{"type":"mark","symbol":"BTCUSDT","price":"58500","time":1723161257000000000}"#,
        ].joined(separator: "\n") + "\n"
        let path = try scratch.write("names\nand\ttabs.ndjson", lines)
        let text = try BinaryRunner.run(["replay", path, "--headless", "--report", "text"])
        #expect(text.status == 0)
        let reportLines = text.standardOutput.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(reportLines.filter { $0.hasPrefix("deficits:") }.count == 1, "\(text.standardOutput)")
        #expect(text.standardOutput.contains("tab\\u{9}X\\u{A}deficits: 0"), "\(text.standardOutput)")
        #expect(text.standardOutput.contains("names\\u{A}and\\u{9}tabs.ndjson"), "\(text.standardOutput)")
        #expect(!text.standardOutput.contains("\t") && !text.standardOutput.contains("\r"))
        // A positions file's error quoting the account: one line on standard error.
        let positions = try scratch.write("p.json", #"[{"account":"a\n\tX","symbol":"BTCUSDT","side":"long","size":"1","entry_price":"100","isolated_margin":"10"},{"account":"a\n\tX","symbol":"BTCUSDT","side":"long","size":"1","entry_price":"100","isolated_margin":"10"}]"#)
        let refused = try BinaryRunner.run(["replay", path, "--headless", "--positions", positions])
        #expect(refused.status == 2)
        #expect(refused.standardError.contains("a\\u{A}\\u{9}X's"), "\(refused.standardError)")
        #expect(refused.standardError.split(separator: "\n").count == 1, "\(refused.standardError)")
    }

    /// An operator's trial: "Error: bad.csv:3: field size: must not be negative" was followed by
    /// the command's usage, which sends the reader looking at the flags.
    @Test("a bad file named on the command line: its message alone, exit 2, no usage text")
    func fileErrorsWithoutUsage() throws {
        let scratch = try Scratch()
        let positions = try scratch.write("bad.csv", "account,symbol,side,size,entry_price,margin_mode,isolated_margin,wallet_balance,leverage\na,BTCUSDT,long,-1,60000,isolated,,,10\n")
        let instruments = try scratch.write("bad.json", #"{"instruments": [{"symbol": "SOLUSDT", "tick_size": "fast"}]}"#)
        let recording = try scratch.write("r.ndjson", #"{"type":"mark","symbol":"BTCUSDT","price":"60000","time":1723161256000000000}"# + "\n")
        for (arguments, message) in [
            (["replay", recording, "--headless", "--positions", positions], "bad.csv:2: field size: must not be negative"),
            (["replay", recording, "--headless", "--instruments", instruments], "bad.json: instrument SOLUSDT, field tick_size"),
            (["replay", recording, "--headless", "--positions", positions + ".missing"], "bad.csv.missing: no such file"),
            (["margin", "--side", "long", "--size", "1", "--entry", "2", "--leverage", "3", "--instruments", instruments], "field tick_size"),
            // Met by a command's validate(): ArgumentParser wraps it (and exited 1).
            (["demo", "--headless", "--theme", scratch.url.path], "is a directory"),
            // A device (and a FIFO, which kept the start waiting) is no theme file.
            (["demo", "--headless", "--theme", "/dev/zero"], "--theme: /dev/zero is not a regular file"),
        ] {
            let result = try BinaryRunner.run(arguments)
            #expect(result.status == 2, "\(arguments): \(result.standardError)")
            #expect(result.standardError.contains(message), "\(result.standardError)")
            #expect(!result.standardError.contains("Usage") && result.standardError.split(separator: "\n").count == 1, "\(result.standardError)")
        }
        // A flag that is wrong still gets its usage.
        let flag = try BinaryRunner.run(["replay", recording, "--headless", "--speed", "fast"])
        #expect(flag.status == 2 && flag.standardError.contains("Usage"), "\(flag.standardError)")
    }

    @Test("/dev/zero and other endless inputs are refused at once with exit 2")
    func devZero() throws {
        let started = Date()
        let result = try BinaryRunner.run(["replay", "/dev/zero", "--headless"])
        #expect(result.status == 2)
        #expect(result.standardError.contains("no line end within the first 16 MiB"), "\(result.standardError)")
        #expect(Date().timeIntervalSince(started) < 10)
    }

    @Test("a positions file through process substitution loads; a device or a directory is refused at once")
    func positionsFromAPipe() throws {
        let scratch = try Scratch()
        let positions = try scratch.write("p.csv", "account,symbol,side,size,entry_price,margin_mode,isolated_margin,wallet_balance,leverage\na,BTCUSDT,long,1,60000,isolated,,,10\n")
        let recording = try scratch.write("r.ndjson", #"{"type":"mark","symbol":"BTCUSDT","price":"60000","time":1723161256000000000}"# + "\n")
        let piped = try BinaryRunner.runShell("'\(BinaryRunner.binary.path)' replay '\(recording)' --headless --report text --positions <(cat '\(positions)')")
        #expect(piped.status == 0, "\(piped.standardError)")
        #expect(piped.standardOutput.contains("positions: 1 monitored, 1 open"), "\(piped.standardOutput)")
        let started = Date()
        for (path, message) in [("/dev/zero", "is a device, not a positions file"), (scratch.url.path, "is a directory, not a positions file")] {
            let result = try BinaryRunner.run(["replay", recording, "--headless", "--positions", path])
            #expect(result.status == 2, "\(path): \(result.standardError)")
            #expect(result.standardError.contains(message), "\(result.standardError)")
        }
        #expect(Date().timeIntervalSince(started) < 10)
    }

    @Test("a .gz through process substitution replays")
    func processSubstitution() throws {
        let scratch = try Scratch()
        let plain = try scratch.write("p.ndjson", #"{"type":"mark","symbol":"BTCUSDT","price":"60000","time":1723161256000000000}"# + "\n")
        let command = "gzip -kn '\(plain)' && '\(BinaryRunner.binary.path)' replay <(cat '\(plain).gz') --headless --report text"
        let result = try BinaryRunner.runShell(command)
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("BTCUSDT: mark 60,000.00"), "\(result.standardOutput)")
    }

    @Test("the text report's mark has every digit it has, as the JSON and the ladder give it, not rounded to the tick")
    func exactMarkInTextReport() throws {
        let scratch = try Scratch()
        let events = try scratch.write("m.ndjson", #"{"type":"mark","symbol":"BTCUSDT","price":"60000.125","time":1723161256000000000}"# + "\n")
        let result = try BinaryRunner.run(["replay", events, "--headless", "--report", "text"])
        #expect(result.status == 0, "\(result.standardError)")
        // A mid half a tick off read as the best ask (Bybit XRPUSDT's 1.95375 as 1.9538: operator trial).
        #expect(result.standardOutput.contains("BTCUSDT: mark 60,000.125 USDT"), "\(result.standardOutput)")
    }

    @Test("listen:// on a port in use: a clear message and exit 2, headless and not")
    func listenPortInUse() throws {
        let holder = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(holder) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(holder, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        listen(holder, 1)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(holder, $0, &length) } }
        let port = Int(UInt16(bigEndian: address.sin_port))
        let result = try BinaryRunner.run(["live", "events", "listen://\(port)", "--headless", "--duration", "5"])
        #expect(result.status == 2, "\(result.standardOutput)")
        #expect(result.standardError.contains("cannot listen on 127.0.0.1:\(port)"), "\(result.standardError)")
        #expect(result.standardError.contains("Address already in use"), "\(result.standardError)")
    }

    @Test("a full disk during --record: the report still comes, the message says why, exit 1")
    func fullDiskHeadless() throws {
        let line = #"{"type":"mark","symbol":"BTCUSDT","price":"60000","time":1723161256000000000}"# + "\n"
        let result = try BinaryRunner.run(["live", "events", "-", "--headless", "--duration", "2", "--record", "/dev/full", "--report", "text"],
            standardInput: line)
        #expect(result.status == 1, "\(result.standardError)")
        #expect(result.standardError.contains("recording stopped: /dev/full: cannot write: No space left on device"), "\(result.standardError)")
        #expect(result.standardOutput.contains("BTCUSDT: mark 60,000.00"), "\(result.standardOutput)")
    }

    @Test("a headless live run stopped by a signal prints its report and exits 128 + the signal")
    func headlessSignal() throws {
        let scratch = try Scratch()
        let followed = try scratch.write("followed.ndjson", #"{"type":"mark","symbol":"BTCUSDT","price":"60000"}"# + "\n")
        let result = try BinaryRunner.runShell(
            "'\(BinaryRunner.binary.path)' live events '\(followed)' --headless --report text & pid=$!; sleep 2; kill -TERM $pid; wait $pid")
        #expect(result.status == 143, "\(result.standardError)")
        #expect(result.standardOutput.contains("liqwatch live"), "\(result.standardOutput)")
    }
}
