import Foundation
import Synchronization
import Testing
@testable import MarketFeeds
import RiskEngine

/// An attacker's finding: `--positions` naming a FIFO no process writes to, or a pipe whose writer
/// never writes, held the start for ever with nothing said (the dashboard a blank screen), where a
/// config FIFO is refused at once.
@Suite("Positions from a pipe")
struct PositionsPipeTests {
    /// A FIFO named `positions` in `scratch`, no process writing to it yet.
    static func fifo(in scratch: ScratchDirectory) throws -> String {
        let fifo = scratch.url.appendingPathComponent("positions").path
        try #require(mkfifo(fifo, 0o600) == 0)
        return fifo
    }

    static let rows = "account,symbol,side,size,entry_price,margin_mode,isolated_margin,wallet_balance,leverage\na,BTCUSDT,long,1,60000,isolated,,,10\n"

    @Test("a FIFO no process writes to is refused, within the silence allowed, saying why")
    func noWriter() throws {
        let scratch = try ScratchDirectory()
        let fifo = try Self.fifo(in: scratch)
        let started = Date()
        let result = PositionsFileBytes.read(fifo, limit: 1 << 20, silence: 1, noticeAfter: 0) { _ in }
        #expect(result == .failure(.noWriter), "\(result)")
        #expect(Date().timeIntervalSince(started) < 5)
        #expect(PositionsFileBytes.Problem.noWriter.reason.contains("no process writes to it"))
    }

    @Test("a writer that opens the FIFO a moment after liqwatch does is waited for, and its rows are read")
    func lateWriter() throws {
        let scratch = try ScratchDirectory()
        let fifo = try Self.fifo(in: scratch)
        let file = scratch.url.appendingPathComponent("rows.csv").path
        try Self.rows.write(toFile: file, atomically: true, encoding: .utf8)
        let writer = Process()
        writer.executableURL = URL(fileURLWithPath: "/bin/sh")
        writer.arguments = ["-c", "sleep 0.5; cat '\(file)' > '\(fifo)'"]
        try writer.run()
        defer { writer.waitUntilExit() }
        let result = PositionsFileBytes.read(fifo, limit: 1 << 20, silence: 5, noticeAfter: 0) { _ in }
        #expect(result == .success(Data(Self.rows.utf8)), "\(result)")
    }

    @Test("a writer that holds the pipe open and sends nothing: said on standard error once, refused after the silence allowed")
    func silentWriter() throws {
        let scratch = try ScratchDirectory()
        let fifo = try Self.fifo(in: scratch)
        let writer = Process()
        writer.executableURL = URL(fileURLWithPath: "/bin/sh")
        writer.arguments = ["-c", "exec 3> '\(fifo)'; sleep 4"]
        try writer.run()
        defer { writer.terminate(); writer.waitUntilExit() }
        let told = Mutex<[String]>([])
        let result = PositionsFileBytes.read(fifo, limit: 1 << 20, silence: 2, noticeAfter: 0) { text in told.withLock { $0.append(text) } }
        // Whether or not the writer had opened it when the read began: a silent writer, not none.
        #expect(result == .failure(.silent(seconds: 2)), "\(result)")
        let notices = told.withLock { $0 }
        #expect(notices.count == 1 && notices[0].contains("waiting for the positions its writer sends"), "\(notices)")
    }
}

/// JSON numbers with an exponent in a positions file (Python's `json.dumps` writes `5e-05`): read
/// as the decimals they are exactly; `"size": 5e-05` was refused as not a decimal number.
@Suite("Positions JSON numbers with an exponent")
struct PositionsExponentTests {
    @Test("expanded exactly, sign, point and zeros right; past ±40 or malformed left as written")
    func expanded() {
        #expect(JSONNumberText.expanded("5e-05") == "0.00005")
        #expect(JSONNumberText.expanded("1.5E3") == "1500")
        #expect(JSONNumberText.expanded("1.25e1") == "12.5")
        #expect(JSONNumberText.expanded("-2.5e-1") == "-0.25")
        #expect(JSONNumberText.expanded("0.5e1") == "5")
        #expect(JSONNumberText.expanded("6.0001e4") == "60001")
        #expect(JSONNumberText.expanded("6e+4") == "60000")
        #expect(JSONNumberText.expanded("60000") == nil)
        #expect(JSONNumberText.expanded("1e400") == nil && JSONNumberText.expanded("1e") == nil && JSONNumberText.expanded(".5e1") == nil)
        #expect(JSONNumberText.expanded("1e-9223372036854775808") == nil && JSONNumberText.expanded("1.e2") == nil)
        #expect(JSONNumberText.expanded(String(repeating: "0", count: 100_000) + "1e0") == nil)
    }

    @Test("a positions file's size and entry written with exponents are read exactly")
    func positionsFile() throws {
        let scratch = try ScratchDirectory()
        let path = try scratch.write("p.json", #"[{"account":"a","symbol":"BTCUSDT","side":"long","size":5e-05,"entry_price":6.0e4,"margin_mode":"isolated","leverage":1e1}]"#)
        let read = try PositionsFile.read(path: path, catalog: .builtIn)
        #expect(read.updates.first?.quantity == Fixed("0.00005") && read.updates.first?.entryPrice == Fixed(60_000) && read.updates.first?.leverage == Fixed(10),
            "\(read.updates)")
    }

    /// `"size": [0.5]` read "missing", and `1e400` "not a decimal number" (attacker trial).
    @Test("a list or an object for a field is said so; an exponent past any figure's is too large or too small")
    func wrongTypes() throws {
        let scratch = try ScratchDirectory()
        for (value, reason) in [("[0.5]", "expected a number or a string, not a list or an object"), (#"{"v":1}"#, "expected a number or a string, not a list or an object"),
                                ("1e400", "'1e400' is too large or too small for any position's figure")] {
            let path = try scratch.write("w.json", #"[{"account":"a","symbol":"BTCUSDT","side":"long","size":"# + value + #","entry_price":"60000","margin_mode":"isolated","leverage":"10"}]"#)
            do {
                _ = try PositionsFile.read(path: path, catalog: .builtIn)
                Issue.record("\(value) was read")
            } catch {
                #expect(error.field == "size" && error.reason == "position 1: " + reason, "\(value): \(error)")
            }
        }
    }
}
