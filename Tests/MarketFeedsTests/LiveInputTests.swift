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
        var options = ReplayOptions()
        options.threaded = false
        let replay = try ReplaySession(paths: files, options: options)
        try replay.runToEnd()
        #expect(replay.stats.malformed == 0)
        #expect(replay.engine.fund("USDT").balance == Fixed(5_000))
    }

    @Test("a followed file: lines appended later arrive; an event without time takes its receive time")
    func followedFile() throws {
        let scratch = try ScratchDirectory()
        let path = try scratch.write("events.ndjson", Self.events[0] + "\n")
        let source = EventStreamSource(endpoint: .file(path: path), label: path)
        let session = try LiveSession(sources: [source], options: LiveOptions())
        session.start()
        defer { session.stop() }
        pump(session) { session.health[0].messages == 1 }
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        handle.write(Data((Self.events[1] + "\n").utf8))
        try handle.close()
        pump(session) { session.health[0].messages == 2 }
        #expect(session.health[0].messages == 2)
        #expect(session.engine.fund("USDT").balance == Fixed(5_000))
        #expect(session.engine.market("BTCUSDT")?.markPrice == Fixed(60_000))
        #expect(session.engine.time > 1_723_161_255_000_000_000)
    }

    @Test("listen:// takes a client on loopback; its lines drive the engine; a silent stream goes stale")
    func listening() throws {
        let port = UInt16.random(in: 20_000...60_000)
        let source = EventStreamSource(endpoint: .listen(host: "127.0.0.1", port: port), label: "listen://\(port)")
        var options = LiveOptions()
        options.staleAfter = 2
        let session = try LiveSession(sources: [source], options: options)
        session.start()
        defer { session.stop() }
        var client: Int32 = -1
        let deadline = Date().addingTimeInterval(5)
        while client < 0 && Date() < deadline {
            if case .success(let descriptor) = Socket.connect(host: "127.0.0.1", port: port) { client = descriptor } else { Thread.sleep(forTimeInterval: 0.05) }
        }
        try #require(client >= 0, "could not connect to the listening source")
        let payload = Array((Self.events.joined(separator: "\n") + "\n").utf8)
        _ = payload.withUnsafeBytes { write(client, $0.baseAddress!, $0.count) }
        pump(session) { session.health[0].messages == 2 }
        #expect(session.engine.market("BTCUSDT")?.markPrice == Fixed(60_000))
        #expect(session.staleStreams(wall: LiveClock.wallNanoseconds()).isEmpty)
        Thread.sleep(forTimeInterval: 2.5)
        #expect(session.staleStreams(wall: LiveClock.wallNanoseconds()).map(\.name) == ["events listen://\(port)"])
        close(client)
    }

    @Test("event sources parse; bad ones say what is expected")
    func endpoints() throws {
        #expect(try EventStreamSource.Endpoint.parse("-").get() == .standardInput)
        #expect(try EventStreamSource.Endpoint.parse("tcp://10.0.0.5:9100").get() == .connect(host: "10.0.0.5", port: 9100))
        #expect(try EventStreamSource.Endpoint.parse("listen://9100").get() == .listen(host: "127.0.0.1", port: 9100))
        #expect(try EventStreamSource.Endpoint.parse("listen://0.0.0.0:9100").get() == .listen(host: "0.0.0.0", port: 9100))
        #expect(try EventStreamSource.Endpoint.parse("events.ndjson").get() == .file(path: "events.ndjson"))
        if case .failure(let error) = EventStreamSource.Endpoint.parse("udp://x:1") { #expect(error.description.contains("expected -, tcp://")) } else { Issue.record("udp accepted") }
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
