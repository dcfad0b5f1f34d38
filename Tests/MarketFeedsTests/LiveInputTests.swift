import Foundation
import Testing
@testable import MarketFeeds
import RiskEngine

@Suite("Live inputs: recorder, event streams, health")
struct LiveInputTests {
    static let events = [
        #"{"type":"insurance_fund","asset":"USDT","balance":"5000","time":1723161255000000000}"#,
        #"{"type":"mark","symbol":"BTCUSDT","price":"60000"}"#,
    ]

    /// Pumps the session until `condition` holds or 10 s pass.
    func pump(_ session: LiveSession, until condition: () -> Bool) {
        let deadline = Date().addingTimeInterval(10)
        while !condition() && Date() < deadline {
            session.queue.wait(seconds: 0.05)
            session.pump()
        }
    }

    @Test("the recorder rotates by size into FILE.1, FILE.2; every line is whole and replays")
    func recorderRotates() throws {
        let scratch = try ScratchDirectory()
        let path = scratch.url.appendingPathComponent("r.rec").path
        let recorder = try LiveRecorder(path: path, rotation: LiveRecorder.Rotation(maxBytes: 150))
        var rotations = 0
        var line: [UInt8] = []
        for (index, event) in (Self.events + Self.events + Self.events).enumerated() {
            LiveRecorder.line(receiveTime: 1_723_161_255_000_000_000 + Int64(index), frame: event.utf8, into: &line)
            if try recorder.write(line: line) { rotations += 1 }
        }
        #expect(rotations == recorder.segment && rotations >= 2)
        let files = [path] + (1...recorder.segment).map { "\(path).\($0)" }
        let lines = try files.flatMap { try String(contentsOfFile: $0, encoding: .utf8).split(separator: "\n") }
        #expect(lines.count == 6)
        #expect(lines.allSatisfy { $0.range(of: #"^\d{19} \{.*\}$"#, options: .regularExpression) != nil })
        var options = SessionOptions()
        options.threaded = false
        let replay = try ReplaySession(paths: files, options: options)
        try replay.runToEnd()
        #expect(replay.stats.malformed == 0)
        #expect(replay.engine.fund("USDT").balance == Fixed(5_000))
    }

    @Test("a recording never writes over a file: the file, its .events and their segments are named before the session, and a segment met later is refused untouched")
    func recorderNeverTruncates() throws {
        let scratch = try ScratchDirectory()
        let path = scratch.url.appendingPathComponent("r.rec").path
        #expect(LiveRecorder.existingFiles(basePath: path).isEmpty)
        try "old session\n".write(toFile: path + ".2", atomically: true, encoding: .utf8)
        try "old events\n".write(toFile: path + ".events", atomically: true, encoding: .utf8)
        try "not a segment\n".write(toFile: path + ".bak", atomically: true, encoding: .utf8)
        #expect(Set(LiveRecorder.existingFiles(basePath: path)) == [path + ".2", path + ".events"])
        // Relative to the working directory, named as given.
        #expect(LiveRecorder.existingFiles(basePath: "no-such-recording-\(UUID().uuidString).rec").isEmpty)
        // The segment an old run left is met by a rotation: refused, its lines kept.
        let recorder = try LiveRecorder(path: path, rotation: LiveRecorder.Rotation(maxBytes: 10))
        var line: [UInt8] = []
        LiveRecorder.line(receiveTime: 1, frame: Self.events[0].utf8, into: &line)
        try recorder.write(line: line)
        try recorder.write(line: line)
        #expect(throws: InputError.self) { try recorder.write(line: line) }
        #expect(try String(contentsOfFile: path + ".2", encoding: .utf8) == "old session\n")
        #expect(throws: InputError.self) { _ = try LiveRecorder(path: path + ".events") }
        #expect(try String(contentsOfFile: path + ".events", encoding: .utf8) == "old events\n")
        // A link to a FIFO (`>(zstd > r.zst)`, /dev/stdout) is written to; one that leads
        // nowhere would be written through, as a file.
        let fifo = scratch.url.appendingPathComponent("pipe").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let toFIFO = scratch.url.appendingPathComponent("via.rec").path
        #expect(symlink(fifo, toFIFO) == 0)
        #expect(LiveRecorder.existingFiles(basePath: toFIFO).isEmpty)
        let dangling = scratch.url.appendingPathComponent("nowhere.rec").path
        #expect(symlink(scratch.url.appendingPathComponent("absent").path, dangling) == 0)
        #expect(LiveRecorder.existingFiles(basePath: dangling) == [dangling])
    }

    @Test("backoff doubles to a cap, with jitter between half and the whole step")
    func backoff() {
        for attempt in 0..<20 {
            let step = min(30, 0.5 * Double(1 << min(attempt, 16)))
            let delay = Backoff.delay(attempt: attempt)
            #expect(delay >= step * 0.5 && delay <= step)
        }
    }
}
