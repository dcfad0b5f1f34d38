import Foundation
import Testing
@testable import LiveVenues

/// A one-connection-at-a-time HTTP server on a thread of its own that answers every request with
/// `respond` (given the socket): what a hostile or broken REST endpoint does.
final class HostileHTTPServer: @unchecked Sendable {
    let port: Int
    private let listener: Int32
    private let lock = NSLock()
    private var stopped = false
    private(set) var accepted = 0

    init(respond: @escaping @Sendable (Int32) -> Void) throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.listener = listener
        var yes: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard bound == 0, listen(listener, 8) == 0 else { throw POSIXError(.EADDRINUSE) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) } }
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread.detachNewThread { [self] in
            while true {
                let connection = accept(listener, nil, nil)
                // Closed here, not by `stop`: a descriptor closed while this thread may still call
                // accept on it could be another test's socket by then.
                if connection < 0 { close(listener); return }
                lock.withLock { accepted += 1; open.insert(connection) }
                Thread.detachNewThread { [self] in
                    // The request head, then the answer.
                    var buffer = [UInt8](repeating: 0, count: 4096)
                    _ = read(connection, &buffer, buffer.count)
                    respond(connection)
                    lock.withLock { _ = open.remove(connection) }
                    close(connection)
                }
            }
        }
    }

    var connections: Int { lock.withLock { accepted } }
    /// Connections being answered: shut down by `stop`, so an endless answer ends with its test.
    private var open = Set<Int32>()

    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        for connection in lock.withLock({ open }) { shutdown(connection, Int32(SHUT_RDWR)) }
    }

    static func send(_ text: String, to socket: Int32) -> Bool {
        let bytes = Array(text.utf8)
        // MSG_NOSIGNAL: the client hanging up must not kill the test process with SIGPIPE.
        return bytes.withUnsafeBytes { Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } == bytes.count
    }
}

/// An attacker's findings: an endless body grew memory past a gigabyte (URLSession's timeout is an
/// idle one, the body had no cap, and every retry added a download), and 429/418 with Retry-After
/// were answered by the usual one-second backoff.
@Suite("REST snapshots: bounded in size, time and number; Retry-After obeyed", .serialized)
struct SnapshotFetcherTests {
    final class Answers: @unchecked Sendable {
        private let lock = NSLock()
        private var list: [SnapshotFetcher.Answer] = []
        func add(_ answer: SnapshotFetcher.Answer) { lock.withLock { list.append(answer) } }
        var all: [SnapshotFetcher.Answer] { lock.withLock { list } }
        func wait(for count: Int, seconds: Double) -> [SnapshotFetcher.Answer] {
            let deadline = Date().addingTimeInterval(seconds)
            while all.count < count && Date() < deadline { usleep(10_000) }
            return all
        }
    }

    static func reason(_ answer: SnapshotFetcher.Answer?) -> (String, Double?)? {
        guard case .failed(let reason, let retryAfter)? = answer else { return nil }
        return (reason, retryAfter)
    }

    @Test("an endless body is cut at the size bound: what is kept stays under it")
    func endlessBody() throws {
        let server = try HostileHTTPServer { socket in
            guard HostileHTTPServer.send("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n", to: socket) else { return }
            let chunk = String(repeating: "[\"1\",\"1\"],", count: 6_000)
            let framed = String(chunk.utf8.count, radix: 16) + "\r\n" + chunk + "\r\n"
            while HostileHTTPServer.send(framed, to: socket) {}
        }
        defer { server.stop() }
        let fetcher = SnapshotFetcher(maxBytes: 1 << 20, timeout: 20)
        let answers = Answers()
        fetcher.fetch(URL(string: "http://127.0.0.1:\(server.port)/fapi/v1/depth")!, symbol: "BTCUSDT") { answers.add($0) }
        let got = answers.wait(for: 1, seconds: 15)
        #expect(Self.reason(got.first)?.0 == "the answer is larger than 1 MB")
        #expect(fetcher.inFlight == 0)
    }

    @Test("an answer that never ends is given up at the time bound")
    func neverEnds() throws {
        let server = try HostileHTTPServer { socket in
            _ = HostileHTTPServer.send("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n{\"lastUpdateId\":1,", to: socket)
            // A byte every half second: never idle long enough for URLSession's own timeout.
            for _ in 0..<40 { usleep(500_000); guard HostileHTTPServer.send(" ", to: socket) else { return } }
        }
        defer { server.stop() }
        let fetcher = SnapshotFetcher(timeout: 2)
        let answers = Answers()
        let started = Date()
        fetcher.fetch(URL(string: "http://127.0.0.1:\(server.port)/fapi/v1/depth")!, symbol: "BTCUSDT") { answers.add($0) }
        let got = answers.wait(for: 1, seconds: 10)
        #expect(Self.reason(got.first)?.0 == "no complete answer within 2 s")
        #expect(Date().timeIntervalSince(started) < 5)
    }

    @Test("a newer request for a symbol cancels the older, which is not answered")
    func newerCancelsOlder() throws {
        let server = try HostileHTTPServer { socket in
            usleep(700_000)
            let body = #"{"lastUpdateId":1,"bids":[],"asks":[]}"#
            _ = HostileHTTPServer.send("HTTP/1.1 200 OK\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)", to: socket)
        }
        defer { server.stop() }
        let fetcher = SnapshotFetcher()
        let answers = Answers()
        let url = URL(string: "http://127.0.0.1:\(server.port)/fapi/v1/depth")!
        fetcher.fetch(url, symbol: "BTCUSDT") { answers.add($0) }
        usleep(200_000)
        fetcher.fetch(url, symbol: "BTCUSDT") { answers.add($0) }
        _ = answers.wait(for: 2, seconds: 3)
        #expect(answers.all.count == 1)
        guard case .body(let bytes)? = answers.all.first else { Issue.record("the newer request is answered"); return }
        #expect(String(decoding: bytes, as: UTF8.self).hasPrefix("{\"lastUpdateId\":1"))
    }

    struct RetryCase: Sendable, CustomStringConvertible {
        var status: Int
        var header: String
        var expected: Double?
        var description: String { "\(status) Retry-After: \(header)" }
    }

    @Test("429 and 418 carry the exchange's Retry-After; other errors do not", arguments: [
        RetryCase(status: 429, header: "30", expected: 30), RetryCase(status: 418, header: "120", expected: 120),
        RetryCase(status: 500, header: "30", expected: nil), RetryCase(status: 429, header: "soon", expected: nil),
    ])
    func retryAfter(case retry: RetryCase) throws {
        let (status, header, expected) = (retry.status, retry.header, retry.expected)
        let server = try HostileHTTPServer { socket in
            let body = #"{"code":-1003,"msg":"Too many requests"}"#
            _ = HostileHTTPServer.send("HTTP/1.1 \(status) No\r\nRetry-After: \(header)\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)", to: socket)
        }
        defer { server.stop() }
        let fetcher = SnapshotFetcher()
        let answers = Answers()
        fetcher.fetch(URL(string: "http://127.0.0.1:\(server.port)/fapi/v1/depth")!, symbol: "BTCUSDT") { answers.add($0) }
        let answer = try #require(Self.reason(answers.wait(for: 1, seconds: 5).first))
        #expect(answer.1 == expected)
        #expect(answer.0.hasPrefix("HTTP \(status)"))
        #expect(answer.0.contains("Too many requests"))
    }
}
