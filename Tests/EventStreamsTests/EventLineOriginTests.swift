import Foundation
import NIOCore
import NIOPosix
import Testing
@testable import EventStreams
import MarketFeeds

/// A malformed event line is named by the line number its sender's editor or log would show, and
/// by the sender where a stream has several: the stream's own count of lines with something in
/// them, across publishers, named lines nobody could find.
@Suite("Event streams: a malformed line's place")
struct EventLineOriginTests {
    let streams = EventStreamTests()
    static let mark = #"{"type":"mark","symbol":"BTCUSDT","price":"60000"}"#
    static let badMark = #"{"type":"mark","symbol":"BTCUSDT","price":"abc"}"#

    @Test("a followed file with blank lines: the malformed line is named by its line in the file")
    func blankLinesCount() throws {
        let scratch = try Scratch()
        let path = try scratch.write("events.ndjson", [Self.mark, "", "   ", Self.badMark, Self.mark].joined(separator: "\n") + "\n")
        let source = EventStreamSource(endpoint: .file(path: path), label: path)
        let session = try LiveSession(sources: [source], options: LiveOptions())
        try session.start()
        defer { session.stop() }
        streams.pump(session) { session.health[0].messages == 3 }
        #expect(session.stats.malformed == 1)
        let entry = try #require(session.stats.firstMalformed.first)
        #expect(entry.line == 4, "the 4th line of the file (blank lines are lines)")
        #expect(entry.file == "events " + path)
        #expect(entry.field.hasPrefix("price"))
    }

    @Test("listen://: each publisher's lines are numbered from its first, and the publisher is named by its address")
    func publishersNamed() throws {
        let (session, _, port) = try streams.listeningSession()
        defer { session.stop() }
        let first = try #require(TestClient(port: port))
        first.send(Self.mark + "\n" + Self.mark + "\n" + Self.badMark + "\n")
        streams.pump(session) { session.stats.malformed == 1 }
        let second = try #require(TestClient(port: port))
        second.send(Self.badMark + "\n")
        streams.pump(session) { session.stats.malformed == 2 }
        let entries = session.stats.firstMalformed
        try #require(entries.count == 2)
        let firstPort = try #require(first.localPort)
        let secondPort = try #require(second.localPort)
        #expect(entries[0].line == 3 && entries[0].file == "events listen://test (from 127.0.0.1:\(firstPort))")
        #expect(entries[1].line == 1 && entries[1].file == "events listen://test (from 127.0.0.1:\(secondPort))")
    }

    @Test("a line over the bound is numbered like any other: the line after it keeps its own number")
    func overlongLineNumbered() throws {
        let (session, _, port) = try streams.listeningSession()
        defer { session.stop() }
        let client = try #require(TestClient(port: port))
        let chunk = [UInt8](repeating: UInt8(ascii: "x"), count: 1 << 20)
        client.send(Self.mark + "\n")
        for _ in 0..<17 { #expect(client.send(chunk)); session.pump() }
        client.send("\n" + Self.badMark + "\n")
        streams.pump(session) { session.stats.malformed == 2 }
        #expect(session.stats.firstMalformed.map(\.line) == [2, 3])
    }

    @Test("tcp://: a server's second connection is named, its lines numbered from 1 again")
    func reconnectionNamed() throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        // Every connection gets a good line and a malformed one, and is closed.
        let server = try ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(SendAndClose(text: Self.mark + "\n" + Self.badMark + "\n")) }
            }
            .bind(host: "127.0.0.1", port: 0).wait()
        defer { try? server.close().wait() }
        let port = try #require(server.localAddress?.port)
        let source = EventStreamSource(endpoint: .connect(host: "127.0.0.1", port: UInt16(port)), label: "tcp://test")
        let session = try LiveSession(sources: [source], options: LiveOptions())
        try session.start()
        defer { session.stop() }
        streams.pump(session) { session.stats.malformed >= 2 }
        let entries = session.stats.firstMalformed.prefix(2)
        try #require(entries.count == 2)
        #expect(entries.map(\.line) == [2, 2])
        #expect(entries.map(\.file) == ["events tcp://test", "events tcp://test (connection 2)"])
    }
}

/// Writes its text when the connection opens, then closes it.
final class SendAndClose: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    let text: String
    init(text: String) { self.text = text }

    func channelActive(context: ChannelHandlerContext) {
        let channel = context.channel
        context.writeAndFlush(NIOAny(ByteBuffer(string: text))).whenComplete { _ in channel.close(promise: nil) }
    }
}

extension TestClient {
    /// The client's own port, which the server sees it by.
    var localPort: Int? {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let result = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        return result == 0 ? Int(UInt16(bigEndian: address.sin_port)) : nil
    }
}
