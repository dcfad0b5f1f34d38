import Foundation
import Testing
@testable import MarketFeeds
import RiskEngine
#if canImport(Glibc)
import Glibc
#endif

/// `--alert-log` may name a FIFO another tool reads (a pager's pipe). The session must never
/// wait on it: not at the start for a reader to come, not later for a reader that stopped reading,
/// and a reader that goes away must not end the session (SIGPIPE).
@Suite("The alert log on a pipe")
struct AlertLogPipeTests {
    static func fifo() throws -> String {
        let path = NSTemporaryDirectory() + "liqwatch-alert-fifo-\(UUID().uuidString)"
        try #require(mkfifo(path, 0o600) == 0)
        return path
    }

    /// A FIFO with a reader that reads nothing unless asked (`drain`), and the log writing to it.
    static func withReader(_ body: (AlertDelivery, Int32) throws -> Void) throws {
        let path = try fifo()
        defer { unlink(path) }
        let reader = open(path, O_RDONLY | O_NONBLOCK)
        try #require(reader >= 0)
        defer { close(reader) }
        try body(try AlertDelivery(logPath: path, command: nil), reader)
    }

    /// Everything the reader can read now, without waiting.
    static func drain(_ reader: Int32) -> [UInt8] {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = read(reader, &buffer, buffer.count)
            if count <= 0 { break }
            bytes += buffer[0..<count]
        }
        return bytes
    }

    static func alert(_ number: Int) -> OperatorAlert {
        OperatorAlert(time: 1_723_161_256_000_000_000 + Int64(number), kind: .signal, market: "binance-usdm:BTCUSDT",
            signal: .spread, value: Double(number), message: "spread widened while near-touch depth fell, alert \(number)")
    }

    @Test("a FIFO that nobody reads is refused at once, naming it and saying why")
    func fifoWithoutReader() throws {
        let path = try Self.fifo()
        defer { unlink(path) }
        let started = Date()
        #expect(throws: InputError.self) { _ = try AlertDelivery(logPath: path, command: nil) }
        do {
            _ = try AlertDelivery(logPath: path, command: nil)
        } catch {
            #expect(error.description.contains(path))
            #expect(error.description.contains("no process is reading"))
            #expect(error.description.contains("cannot write"))
        }
        #expect(Date().timeIntervalSince(started) < 2)
    }

    @Test("a reader that stops reading costs the lines it misses (counted), never a wait; what it gets is whole lines")
    func readerNotKeepingUp() throws {
        try Self.withReader { delivery, reader in
            let started = Date()
            // About 2,000 lines of ~200 bytes: several times a pipe's 64 KiB.
            delivery.deliver((0..<2_000).map(Self.alert))
            #expect(Date().timeIntervalSince(started) < 5)
            let summary = delivery.summary
            #expect(summary.logged > 0 && summary.logFailures > 0)
            #expect(summary.logged + summary.logFailures == 2_000)
            #expect(summary.lastError?.contains("not keeping up") == true)
            // Every line the reader finds is one whole alert.
            let text = String(decoding: Self.drain(reader), as: UTF8.self)
            #expect(text.hasSuffix("\n"))
            let lines = text.split(separator: "\n")
            #expect(lines.count == summary.logged)
            for line in lines {
                let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
                #expect(object?["kind"] as? String == "signal")
        }
        // Room again: the next alert is written.
        delivery.deliver([Self.alert(2_000)])
        #expect(delivery.summary.logged == summary.logged + 1)
        }
    }

    @Test("lines longer than a pipe writes at once: one cut short stands on its own line, the next is whole (review)")
    func longLinesNeverMerge() throws {
        try Self.withReader { delivery, reader in
            // 6,000-byte lines: past PIPE_BUF, so a write may take part of one; the pipe holds ten.
            let long = String(repeating: "x", count: 6_000)
            let alerts = (0..<30).map { number in
                OperatorAlert(time: 1_723_161_256_000_000_000 + Int64(number), kind: .signal, market: "binance-usdm:BTCUSDT",
                    signal: .spread, value: Double(number), message: "\(number) \(long)")
        }
        delivery.deliver(alerts)
        // Room again, and one more.
        var bytes = Self.drain(reader)
        delivery.deliver([Self.alert(99)])
        bytes += Self.drain(reader)
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true)
        var whole = 0
        for line in lines {
            // Never two alerts on one line.
            #expect(line.components(separatedBy: "{\"time\"").count <= 2)
            if (try? JSONSerialization.jsonObject(with: Data(line.utf8))) != nil { whole += 1 }
        }
        #expect(whole == delivery.summary.logged, "every line counted as written is whole")
        #expect(lines.last.map { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) != nil } == true, "the last alert, written after the room came back, is whole")
        }
    }

    @Test("a reader that goes away: the write fails and is counted, the process goes on")
    func readerGone() throws {
        let path = try Self.fifo()
        defer { unlink(path) }
        let reader = open(path, O_RDONLY | O_NONBLOCK)
        try #require(reader >= 0)
        let delivery = try AlertDelivery(logPath: path, command: nil)
        delivery.deliver([Self.alert(1)])
        close(reader)
        delivery.deliver([Self.alert(2)])
        #expect(delivery.summary.logged == 1)
        #expect(delivery.summary.logFailures == 1)
        #expect(delivery.summary.lastError?.contains("Broken pipe") == true)
    }
}
