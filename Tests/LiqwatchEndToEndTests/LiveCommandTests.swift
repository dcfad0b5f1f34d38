import Foundation
import LoopbackExchange
import Testing

/// `liqwatch live` as an operator runs it, against a loopback exchange serving the real recording.
@Suite("liqwatch live, end to end", .serialized)
struct LiveCommandTests {
    static let recording = BinaryRunner.packageRoot.appendingPathComponent("../shared/data/binance-usdm/btcusdt_20240808.gz").path
    static var recordingPresent: Bool { FileManager.default.fileExists(atPath: recording) }

    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "not JSON: \(text.prefix(400))")
    }

    @Test("a headless live run records a file that replays to the same report",
          .enabled(if: recordingPresent, "../shared/data is absent: the real recording is not here, so this test is skipped"))
    func headlessRecordReplay() throws {
        var script = LoopbackExchange.Script()
        script.framesPerSecond = 40_000
        let exchange = try LoopbackExchange(recording: Self.recording, script: script)
        try exchange.start()
        defer { exchange.stop() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("liqwatch-live-e2e-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("session.rec").path
        let live = try BinaryRunner.run(["live", "binance-usdm", "--symbols", "BTCUSDT", "--ws-url", exchange.webSocketURL,
            "--rest-url", exchange.restURL, "--record", path, "--synthetic-positions", "500", "--headless", "--duration", "25", "--report", "json"])
        #expect(live.status == 0, "\(live.standardError)")
        #expect(exchange.snapshot.finished, "the exchange did not get through the recording in 25 s")
        let replay = try BinaryRunner.run(["replay", path, "--synthetic-positions", "500", "--headless", "--report", "json"])
        #expect(replay.status == 0, "\(replay.standardError)")
        let liveReport = try Self.json(live.standardOutput)
        let replayReport = try Self.json(replay.standardOutput)
        for key in ["frames", "symbols", "deficits", "insurance_fund", "adl", "liquidations"] {
            let liveValue = try JSONSerialization.data(withJSONObject: liveReport[key] ?? NSNull(), options: [.sortedKeys, .fragmentsAllowed])
            let replayValue = try JSONSerialization.data(withJSONObject: replayReport[key] ?? NSNull(), options: [.sortedKeys, .fragmentsAllowed])
            #expect(liveValue == replayValue, "\(key) differs:\nlive   \(String(decoding: liveValue, as: UTF8.self).prefix(600))\nreplay \(String(decoding: replayValue, as: UTF8.self).prefix(600))")
        }
        let symbols = try #require(liveReport["symbols"] as? [String: Any])
        let book = try #require((symbols["binance-usdm:BTCUSDT"] as? [String: Any])?["book"] as? [String: Any])
        #expect((book["bids"] as? [[String]])?.first == ["61659.70", "1.486"])
    }

    @Test("bad live arguments: a clear message and exit code 2",
          arguments: [
              (["live", "binance-usdm"], "needs --symbols"),
              (["live", "kraken"], "unknown source 'kraken'"),
              (["live", "events"], "live events needs a SOURCE"),
              (["live", "events", "tcp://nohost"], "expected tcp://HOST:PORT"),
              (["live", "events", "listen://99999"], "a port from 1 to 65535"),
              (["live", "events", "-"], "cannot also be the keyboard"),
              (["live", "binance-usdm", "--symbols", "BTCUSDT", "--duration", "5"], "--duration is for --headless"),
              (["live", "binance-usdm", "--symbols", "BTCUSDT", "--record-max-mb", "5"], "need --record FILE"),
              (["live", "events", "/dev/null", "--record", "/tmp/liqwatch-never.rec", "--record-max-mb", "0.000001"], "--record-max-mb must be at least 1"),
              (["live", "events", "/dev/null", "--record", "/tmp/liqwatch-never.rec", "--record-max-minutes", "0.01"], "--record-max-minutes must be at least 1"),
              // NaN passed `<= 0` (stale detection off; a run of no time): attacker trial.
              (["live", "events", "/dev/null", "--stale-after", "nan"], "--stale-after must be more than 0"),
              (["live", "events", "/dev/null", "--headless", "--duration", "nan"], "--duration must be more than 0"),
              (["live", "binance-usdm", "--symbols", "BTCUSDT", "--headless", "--record", "/nonexistent/dir/x.rec"], "/nonexistent/dir/x.rec: cannot write"),
          ])
    func badArguments(arguments: [String], message: String) throws {
        let result = try BinaryRunner.run(arguments)
        #expect(result.status == 2, "\(result.standardError)")
        #expect(result.standardError.contains(message), "\(result.standardError)")
    }

    /// An attacker's trial: `--record /dev/tty` drew a feed's escape sequences over the
    /// dashboard, and a FIFO nobody read held the start for ever, `--duration` and all.
    @Test("--record refuses a terminal, and a FIFO no process reads, at once and by name")
    func recordRefusesTerminalsAndUnreadFIFOs() throws {
        // The terminal a tmux pane gives it, as an operator's shell would.
        if TmuxSession.isAvailable {
            let session = try TmuxSession(arguments: ["live", "events", "/dev/null", "--headless", "--duration", "2", "--no-config", "--record", "/dev/tty"])
            let screen = session.waitFor(all: ["EXIT="])
            #expect(screen.contains("EXIT=2") && screen.contains("it is a terminal"), "\(screen)")
        }
        let scratch = try BadInputCommandTests.Scratch()
        let fifo = scratch.url.appendingPathComponent("unread.fifo").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let started = Date()
        let toFIFO = try BinaryRunner.run(["live", "events", "/dev/null", "--headless", "--duration", "2", "--no-config", "--record", fifo])
        #expect(toFIFO.status == 2 && toFIFO.standardError.contains("a FIFO that no process is reading"), "\(toFIFO.standardError)")
        #expect(Date().timeIntervalSince(started) < 10)
    }

    @Test("--record onto the file being replayed, or onto an earlier recording, is refused before anything is written")
    func recordNeverOverwrites() throws {
        let scratch = try BadInputCommandTests.Scratch()
        let line = #"{"type":"insurance_fund","asset":"USDT","balance":"1000","time":1723161255000000000}"# + "\n"
        let feed = try scratch.write("feed.jsonl", line)
        let result = try BinaryRunner.run(["live", "events", feed, "--record", feed, "--headless", "--duration", "2", "--no-config"])
        #expect(result.status == 2, "\(result.standardError)")
        #expect(result.standardError.contains("exists already, and a recording never writes over a file"), "\(result.standardError)")
        #expect(try String(contentsOfFile: feed, encoding: .utf8) == line)
        let events = try scratch.write("x.events", line)
        let sibling = try BinaryRunner.run(["live", "events", events, "--record", String(events.dropLast(".events".count)), "--headless", "--duration", "2", "--no-config"])
        #expect(sibling.status == 2 && sibling.standardError.contains("x.events"), "\(sibling.standardError)")
        #expect(try String(contentsOfFile: events, encoding: .utf8) == line)
    }

    @Test("an event stream from standard input: positions, the fund and marks; a bad line is named and skipped")
    func eventsFromStandardInput() throws {
        let lines = [
            #"{"type":"insurance_fund","asset":"USDT","balance":"12345.67","time":1723161255000000000}"#,
            #"{"type":"account","account":"A1","wallet_balance":"1000"}"#,
            #"{"type":"position","account":"A1","symbol":"BTCUSDT","side":"long","size":"0.5","entry_price":"60000","margin_mode":"cross"}"#,
            #"{"type":"mark","symbol":"BTCUSDT","price":"not a price"}"#,
            #"{"type":"mark","symbol":"BTCUSDT","price":"58500"}"#,
        ]
        let result = try BinaryRunner.run(["live", "events", "-", "--headless", "--duration", "3", "--report", "json", "--insurance-fund", "0"],
            standardInput: lines.joined(separator: "\n") + "\n")
        #expect(result.status == 0, "\(result.standardError)")
        let report = try Self.json(result.standardOutput)
        let frames = try #require(report["frames"] as? [String: Any])
        #expect(frames["read"] as? Int == 5)
        #expect(frames["malformed"] as? Int == 1)
        let fund = try #require(report["insurance_fund"] as? [String: Any])
        #expect("\(fund["end"] ?? "")".contains("12345.67") || "\(fund)".contains("12345.67"), "\(fund)")
        let symbols = try #require(report["symbols"] as? [String: Any])
        #expect("\((symbols["binance-usdm:BTCUSDT"] as? [String: Any])?["mark"] ?? "")".hasPrefix("58500"), "\(symbols)")
    }
}
