import Foundation
import NIOCore
import NIOEmbedded
import NIOWebSocket
import Testing
@testable import LiveVenues
import MarketFeeds

/// The reader that turns a connection's frames into queue items on the event loop, on an embedded
/// channel: what reaches the queue, in what order, what is answered, and the bounds.
@Suite("WebSocket batch reader")
struct WebSocketBatchReaderTests {
    /// A channel whose reader makes one frame item of every message, and counts the reads it lets through.
    final class ReadCounter: ChannelOutboundHandler, @unchecked Sendable {
        typealias OutboundIn = Any
        var reads = 0
        func read(context: ChannelHandlerContext) {
            reads += 1
            context.read()
        }
    }

    struct Harness {
        let channel: EmbeddedChannel
        let reader: WebSocketBatchReader
        let reads: ReadCounter
        let queue: LiveQueue
    }

    static func harness(queue: LiveQueue, behaviour: WebSocketBehaviour? = nil, maxMessageSize: Int = 1 << 16) throws -> Harness {
        let channel = EmbeddedChannel()
        let reads = ReadCounter()
        let plain = WebSocketBehaviour(message: { bytes, time, items in items.append(.frame(stream: 0, receiveTime: time, bytes: bytes)) })
        let reader = WebSocketBatchReader(queue: queue, stream: 0, maxMessageSize: maxMessageSize, behaviour: behaviour ?? plain,
            eventLoop: channel.eventLoop)
        // The upgrader adds the reader to a connection already up.
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        try channel.pipeline.syncOperations.addHandler(reads)
        try channel.pipeline.syncOperations.addHandler(reader)
        // What the upgrade's completion does (`WebSocketConnection.configure`).
        reader.start()
        return Harness(channel: channel, reader: reader, reads: reads, queue: queue)
    }

    /// Frames of one socket read: each read into the pipeline, no read-complete yet (which
    /// `writeInbound` would fire after each).
    static func read(_ frames: [WebSocketFrame], into channel: EmbeddedChannel) {
        for frame in frames { channel.pipeline.fireChannelRead(NIOAny(frame)) }
    }

    static func text(_ string: String, fin: Bool = true, opcode: WebSocketOpcode = .text) -> WebSocketFrame {
        WebSocketFrame(fin: fin, opcode: opcode, data: ByteBuffer(string: string))
    }

    /// The queue's items, as text: "connected", "frame <text>", "notice <text>".
    static func drain(_ queue: LiveQueue) -> [String] {
        queue.take(limit: 10_000).map { item in
            switch item {
            case .frame(_, _, let bytes): return "frame " + String(decoding: bytes, as: UTF8.self)
            case .connection(_, .connected): return "connected"
            case .connection(_, .venueNotice(let text)): return "notice " + text
            default: return "other"
            }
        }
    }

    /// How the reader's connection ended, if it has.
    static func end(of reader: WebSocketBatchReader) -> WebSocketEnd? {
        var result: WebSocketEnd?
        reader.ended.whenSuccess { result = $0 }
        return result
    }

    @Test("a read burst reaches the queue whole at its end, after the connection's .connected, in order")
    func burst() throws {
        let queue = LiveQueue()
        let h = try Self.harness(queue: queue)
        #expect(Self.drain(queue) == ["connected"])
        Self.read((0..<5).map { Self.text("m\($0)") }, into: h.channel)
        // Not handed over message by message: the burst waits for the end of the read.
        #expect(queue.count == 0)
        h.channel.pipeline.fireChannelReadComplete()
        #expect(Self.drain(queue) == (0..<5).map { "frame m\($0)" })
    }

    @Test("a batch is handed over when it reaches its bound, without waiting for the end of the read")
    func batchBound() throws {
        let queue = LiveQueue()
        let h = try Self.harness(queue: queue)
        _ = Self.drain(queue)
        Self.read((0..<(WebSocketBatchReader.batchItems + 3)).map { Self.text("\($0)") }, into: h.channel)
        #expect(queue.count == WebSocketBatchReader.batchItems)
        h.channel.pipeline.fireChannelReadComplete()
        #expect(queue.count == WebSocketBatchReader.batchItems + 3)
    }

    @Test("a full queue holds the batch and the socket's reads; nothing is lost, and reading resumes once there is room")
    func fullQueueHoldsReads() throws {
        let queue = LiveQueue(capacity: 4)
        let h = try Self.harness(queue: queue)
        for _ in 0..<3 { queue.push(.connection(stream: 0, .connecting)) }
        Self.read((0..<3).map { Self.text("m\($0)") }, into: h.channel)
        h.channel.pipeline.fireChannelReadComplete()
        // 1 + 3 waiting; 3 more do not fit: held, and the next read is not asked of the socket.
        #expect(queue.count == 4 && h.reader.holding)
        let readsBefore = h.reads.reads
        h.channel.read()
        #expect(h.reads.reads == readsBefore)
        #expect(queue.take(limit: 10).count == 4)
        h.channel.embeddedEventLoop.advanceTime(by: .milliseconds(1))
        #expect(!h.reader.holding)
        #expect(Self.drain(queue) == ["frame m0", "frame m1", "frame m2"])
        // The held read was let through.
        #expect(h.reads.reads == readsBefore + 1)
    }

    @Test("fragments are joined into one message; pings are answered with a pong of the same data")
    func fragmentsAndPings() throws {
        let queue = LiveQueue()
        let h = try Self.harness(queue: queue)
        _ = Self.drain(queue)
        Self.read([Self.text("{\"a\":", fin: false), WebSocketFrame(fin: true, opcode: .ping, data: ByteBuffer(string: "hi")),
            Self.text("1}", fin: true, opcode: .continuation)], into: h.channel)
        h.channel.pipeline.fireChannelReadComplete()
        #expect(Self.drain(queue) == ["frame {\"a\":1}"])
        let pong = try #require(try h.channel.readOutbound(as: WebSocketFrame.self))
        #expect(pong.opcode == .pong && pong.maskKey != nil && String(buffer: pong.data) == "hi")
    }

    /// A server that floods pings and never reads its socket had every pong queued: 95 MB a second
    /// until an allocation failed (attacker trial).
    @Test("pings are not answered while the socket takes nothing more: the pongs do not pile up; once it drains the next is answered")
    func pingFloodIsNotQueued() throws {
        let queue = LiveQueue()
        let h = try Self.harness(queue: queue)
        _ = Self.drain(queue)
        h.channel.isWritable = false
        Self.read((0..<1_000).map { _ in WebSocketFrame(fin: true, opcode: .ping, data: ByteBuffer(string: "flood")) }, into: h.channel)
        h.channel.pipeline.fireChannelReadComplete()
        #expect(try h.channel.readOutbound(as: WebSocketFrame.self) == nil)
        h.channel.isWritable = true
        Self.read([WebSocketFrame(fin: true, opcode: .ping, data: ByteBuffer(string: "again"))], into: h.channel)
        let pong = try #require(try h.channel.readOutbound(as: WebSocketFrame.self))
        #expect(pong.opcode == .pong && String(buffer: pong.data) == "again")
        #expect(try h.channel.readOutbound(as: WebSocketFrame.self) == nil)
    }

    /// With NIO's automatic handling the socket closed before the reader heard of the decoder's
    /// refusal, and a 17 MiB frame read `closed by the server` (attacker trial).
    @Test("the frame decoder's refusals are closed with their code and said as what they are")
    func decoderRefusals() throws {
        for (error, code, said) in [(NIOWebSocketError.invalidFrameLength, WebSocketErrorCode.messageTooLarge, "the server sent a frame larger than 65536 bytes"),
                                    (.multiByteControlFrameLength, .protocolError, "the server sent a control frame longer than 125 bytes"),
                                    (.fragmentedControlFrame, .protocolError, "the server sent a fragmented control frame")] {
            let queue = LiveQueue()
            let h = try Self.harness(queue: queue)
            h.channel.pipeline.fireErrorCaught(error)
            let close = try #require(try h.channel.readOutbound(as: WebSocketFrame.self))
            var data = close.data
            #expect(close.opcode == .connectionClose && data.readWebSocketErrorCode() == code)
            h.channel.embeddedEventLoop.run()
            #expect(Self.end(of: h.reader)?.error == said, "\(error)")
        }
    }


    func pacedReads() throws {
        let queue = LiveQueue()
        let h = try Self.harness(queue: queue)
        _ = Self.drain(queue)
        let loop = h.channel.embeddedEventLoop
        Self.read([Self.text("small")], into: h.channel)
        h.channel.pipeline.fireChannelReadComplete()
        let before = h.reads.reads
        // What autoRead asks after a read, twice: neither reaches the socket before the tick.
        h.channel.read()
        h.channel.read()
        #expect(h.reads.reads == before)
        loop.advanceTime(by: .milliseconds(Int64(ReadPace.defaultMilliseconds)))
        #expect(h.reads.reads == before + 1, "one read at the tick, for both requests")
        // 64 KB of messages since the last read: the stream is busy, the next read is at once.
        Self.read((0..<16).map { _ in Self.text(String(repeating: "x", count: 4_096)) }, into: h.channel)
        h.channel.pipeline.fireChannelReadComplete()
        h.channel.read()
        #expect(h.reads.reads == before + 2)
        #expect(Self.drain(queue).count == 17)
        // A closed connection's paced read is let go.
        Self.read([Self.text("last")], into: h.channel)
        h.channel.read()
        try h.channel.close().wait()
        loop.advanceTime(by: .seconds(1))
        #expect(h.reads.reads == before + 2)
    }

    @Test("a large message still arriving makes the stream busy: the socket's bytes count, not only whole messages")
    func socketBytesMakeBusy() throws {
        let queue = LiveQueue()
        let h = try Self.harness(queue: queue)
        _ = Self.drain(queue)
        // The connection's socket counter, ahead of TLS and the frame decoder (here on a channel of its own).
        let counter = InboundByteCounter()
        let socket = EmbeddedChannel(handler: counter)
        h.reader.socketBytes = counter
        Self.read([Self.text("small")], into: h.channel)
        h.channel.pipeline.fireChannelReadComplete()
        let before = h.reads.reads
        h.channel.read()
        #expect(h.reads.reads == before, "quiet: paced")
        h.channel.embeddedEventLoop.advanceTime(by: .milliseconds(Int64(ReadPace.defaultMilliseconds)))
        #expect(h.reads.reads == before + 1)
        // 70 KB of one message arrived, none of it a whole message yet: the next read is at once.
        try socket.writeInbound(ByteBuffer(repeating: 0x41, count: 70_000))
        h.channel.read()
        #expect(h.reads.reads == before + 2)
        // And the count starts again from there: quiet once more.
        h.channel.read()
        #expect(h.reads.reads == before + 2)
        _ = try socket.finish()
    }

    /// An attacker's finding: a venue that went silent without closing (a half-open link, or a
    /// server that answers WebSocket pings and sends nothing else) was never dropped; the session
    /// read STALE until someone restarted it.
    @Test("a connection without a message for 45 s is given up; a message starts the silence again, a WebSocket pong does not")
    func silentConnectionGivenUp() throws {
        let queue = LiveQueue()
        let h = try Self.harness(queue: queue)
        _ = Self.drain(queue)
        let loop = h.channel.embeddedEventLoop
        loop.advanceTime(by: .seconds(40))
        #expect(h.channel.isActive)
        // A message (the answer to the venue's own ping counts) ends the silence.
        Self.read([Self.text(#"{"op":"pong"}"#)], into: h.channel)
        loop.advanceTime(by: .seconds(40))
        #expect(h.channel.isActive)
        #expect(try h.channel.readOutbound(as: WebSocketFrame.self) == nil)
        // The WebSocket layer's pings and pongs say the socket is up, not the feed.
        Self.read([WebSocketFrame(fin: true, opcode: .pong, data: ByteBuffer(string: "x"))], into: h.channel)
        // Checked every 5 s: given up at the first check past 45 s without a message (at 85 s).
        loop.advanceTime(by: .seconds(5))
        let close = try #require(try h.channel.readOutbound(as: WebSocketFrame.self))
        var data = close.data
        #expect(close.opcode == .connectionClose && data.readWebSocketErrorCode() == .goingAway)
        #expect(!h.channel.isActive)
        let end = try #require(Self.end(of: h.reader))
        #expect(end.error == "nothing received for 45 s: the connection was given up and made again")
    }

    /// An attacker's finding: a server that opened a message and then sent an empty continuation
    /// frame every half second was never given up (each fragment ended the silence).
    @Test("fragments of a message that never ends do not end a silence: the connection is given up at 45 s; the message completed does")
    func endlessFragmentsGivenUp() throws {
        let queue = LiveQueue()
        let h = try Self.harness(queue: queue)
        _ = Self.drain(queue)
        let loop = h.channel.embeddedEventLoop
        Self.read([WebSocketFrame(fin: false, opcode: .text, data: ByteBuffer(string: "{"))], into: h.channel)
        for _ in 0..<80 {
            loop.advanceTime(by: .milliseconds(500))
            Self.read([WebSocketFrame(fin: false, opcode: .continuation, data: ByteBuffer())], into: h.channel)
        }
        // 40 s of fragments: still up; the message completed now is a message.
        #expect(h.channel.isActive)
        Self.read([WebSocketFrame(fin: true, opcode: .continuation, data: ByteBuffer(string: "}"))], into: h.channel)
        loop.advanceTime(by: .seconds(40))
        #expect(h.channel.isActive, "the completed message ended the silence")
        // Another message opened and never finished: given up once 45 s pass without a whole one.
        Self.read([WebSocketFrame(fin: false, opcode: .text, data: ByteBuffer(string: "{"))], into: h.channel)
        for _ in 0..<20 {
            loop.advanceTime(by: .milliseconds(500))
            Self.read([WebSocketFrame(fin: false, opcode: .continuation, data: ByteBuffer())], into: h.channel)
        }
        #expect(!h.channel.isActive)
        let end = try #require(Self.end(of: h.reader))
        #expect(end.error?.hasPrefix("nothing received for") == true, "\(end.error ?? "")")
    }

    /// From the attack on the live venues: a masked frame, or one with RSV1 set (no extension was
    /// agreed), was accepted; RFC 6455 says the client closes the connection.
    @Test("a masked frame or a reserved bit from the server closes the connection (1002), nothing handed over",
        arguments: ["masked", "rsv1", "rsv3"])
    func protocolViolations(kind: String) throws {
        let queue = LiveQueue()
        let h = try Self.harness(queue: queue)
        _ = Self.drain(queue)
        let frame = WebSocketFrame(fin: true, rsv1: kind == "rsv1", rsv3: kind == "rsv3", opcode: .text,
            maskKey: kind == "masked" ? WebSocketMaskingKey([1, 2, 3, 4]) : nil, data: ByteBuffer(string: "{}"))
        Self.read([frame], into: h.channel)
        h.channel.pipeline.fireChannelReadComplete()
        #expect(Self.drain(queue).isEmpty)
        let close = try #require(try h.channel.readOutbound(as: WebSocketFrame.self))
        var data = close.data
        #expect(close.opcode == .connectionClose && data.readWebSocketErrorCode() == .protocolError)
        #expect(!h.channel.isActive)
        let end = try #require(Self.end(of: h.reader))
        #expect(end.error == (kind == "masked" ? "the server sent a masked frame" : "the server sent a frame with a reserved bit set"))
    }

    @Test("reads held by a full queue are not silence: no close while the session catches up")
    func heldReadsAreNotSilence() throws {
        let queue = LiveQueue(capacity: 2)
        let h = try Self.harness(queue: queue)
        queue.push(.connection(stream: 0, .connecting))
        Self.read((0..<3).map { Self.text("m\($0)") }, into: h.channel)
        h.channel.pipeline.fireChannelReadComplete()
        #expect(h.reader.holding)
        let loop = h.channel.embeddedEventLoop
        loop.advanceTime(by: .seconds(90))
        #expect(h.channel.isActive)
        #expect(try h.channel.readOutbound(as: WebSocketFrame.self) == nil)
        // The session takes its items; reading resumes, and the silence counts from there.
        _ = queue.take(limit: 10)
        loop.advanceTime(by: .milliseconds(1))
        #expect(!h.reader.holding)
        loop.advanceTime(by: .seconds(40))
        #expect(try h.channel.readOutbound(as: WebSocketFrame.self) == nil)
        #expect(h.channel.isActive)
    }

    @Test("a message larger than the bound closes the connection (1009) and is not handed over")
    func messageTooLarge() throws {
        let queue = LiveQueue()
        let h = try Self.harness(queue: queue, maxMessageSize: 10)
        _ = Self.drain(queue)
        Self.read([Self.text("123456", fin: false), Self.text("789012", fin: true, opcode: .continuation)], into: h.channel)
        let close = try #require(try h.channel.readOutbound(as: WebSocketFrame.self))
        var data = close.data
        #expect(close.opcode == .connectionClose && data.readWebSocketErrorCode() == .messageTooLarge)
        #expect(!h.channel.isActive)
        let end = try #require(Self.end(of: h.reader))
        #expect(end.error?.contains("larger than 10 bytes") == true)
        #expect(queue.count == 0)
    }

    @Test("a close in the middle of a burst: the frames before it reach the queue, then the end says the server's code and reason")
    func closeMidBatch() throws {
        let queue = LiveQueue()
        let h = try Self.harness(queue: queue)
        _ = Self.drain(queue)
        var payload = ByteBuffer()
        payload.write(webSocketErrorCode: .goingAway)
        payload.writeString("bye")
        Self.read([Self.text("m0"), Self.text("m1"), WebSocketFrame(fin: true, opcode: .connectionClose, data: payload)], into: h.channel)
        // After the close nothing more is read into the batch.
        let reply = try #require(try h.channel.readOutbound(as: WebSocketFrame.self))
        var replyData = reply.data
        #expect(reply.opcode == .connectionClose && reply.maskKey != nil && replyData.readWebSocketErrorCode() == .goingAway)
        #expect(!h.channel.isActive)
        let end = try #require(Self.end(of: h.reader))
        #expect(end.closeCode == .goingAway && end.closeReason == "bye")
        #expect(Self.drain(queue) == ["frame m0", "frame m1"])
    }

    @Test("a close while the queue is full: the connection's end waits until its frames are handed over")
    func closeWhileHolding() throws {
        let queue = LiveQueue(capacity: 2)
        let h = try Self.harness(queue: queue)
        queue.push(.connection(stream: 0, .connecting))
        Self.read([Self.text("m0"), Self.text("m1")], into: h.channel)
        h.channel.pipeline.fireChannelReadComplete()
        #expect(h.reader.holding)
        _ = try h.channel.close().wait()
        h.channel.embeddedEventLoop.advanceTime(by: .milliseconds(5))
        #expect(Self.end(of: h.reader) == nil)
        #expect(queue.take(limit: 10).count == 2)
        h.channel.embeddedEventLoop.advanceTime(by: .milliseconds(1))
        #expect(Self.end(of: h.reader) != nil)
        #expect(Self.drain(queue) == ["frame m0", "frame m1"])
    }

    @Test("the venue's behaviour runs on the loop: subscriptions on open, heartbeats dropped, notices before their frame, ticks send")
    func behaviour() throws {
        let queue = LiveQueue()
        let behaviour = WebSocketBehaviour(
            opened: { send, _ in send("subscribe") },
            message: { bytes, time, items in
                let text = String(decoding: bytes, as: UTF8.self)
                if text == "pong" { return }
                if text.hasPrefix("error") { items.append(.connection(stream: 0, .venueNotice(text))) }
                items.append(.frame(stream: 0, receiveTime: time, bytes: bytes))
            },
            tickInterval: 0.05,
            tick: { send in send("ping") })
        let h = try Self.harness(queue: queue, behaviour: behaviour)
        let subscribe = try #require(try h.channel.readOutbound(as: WebSocketFrame.self))
        #expect(String(buffer: subscribe.data) == "subscribe" && subscribe.maskKey != nil)
        Self.read(["a", "pong", "error x", "b"].map { Self.text($0) }, into: h.channel)
        h.channel.pipeline.fireChannelReadComplete()
        #expect(Self.drain(queue) == ["connected", "frame a", "notice error x", "frame error x", "frame b"])
        h.channel.embeddedEventLoop.advanceTime(by: .milliseconds(49))
        #expect(try h.channel.readOutbound(as: WebSocketFrame.self) == nil)
        h.channel.embeddedEventLoop.advanceTime(by: .milliseconds(1))
        let ping = try #require(try h.channel.readOutbound(as: WebSocketFrame.self))
        #expect(String(buffer: ping.data) == "ping")
        _ = try h.channel.close().wait()
        h.channel.embeddedEventLoop.advanceTime(by: .milliseconds(200))
        #expect(try h.channel.readOutbound(as: WebSocketFrame.self) == nil)
    }

    @Test("requests posted from another thread are sent on the loop, at once, while the connection is open; none after")
    func outlet() throws {
        let queue = LiveQueue()
        let outlets = OutletBox()
        let behaviour = WebSocketBehaviour(
            opened: { _, outlet in outlets.value = outlet },
            message: { _, _, _ in })
        let h = try Self.harness(queue: queue, behaviour: behaviour)
        let outlet = try #require(outlets.value)
        outlet.perform { send in send("resubscribe") }
        #expect(try h.channel.readOutbound(as: WebSocketFrame.self) == nil)
        h.channel.embeddedEventLoop.run()
        let frame = try #require(try h.channel.readOutbound(as: WebSocketFrame.self))
        #expect(String(buffer: frame.data) == "resubscribe" && frame.maskKey != nil)
        _ = try h.channel.close().wait()
        outlet.perform { send in send("late") }
        h.channel.embeddedEventLoop.run()
        #expect(try h.channel.readOutbound(as: WebSocketFrame.self) == nil)
    }

    final class OutletBox: @unchecked Sendable {
        var value: WebSocketOutlet?
    }

    @Test("the queue's offer takes a whole batch or nothing, and nothing once shut")
    func offer() {
        let queue = LiveQueue(capacity: 3)
        let frame = LiveItem.frame(stream: 0, receiveTime: 0, bytes: [1])
        // Into an empty queue a batch larger than the bound still passes, alone.
        #expect(queue.offer([frame, frame, frame, frame]) == .accepted)
        #expect(queue.offer([frame]) == .full)
        #expect(queue.take(limit: 2).count == 2)
        #expect(queue.offer([frame, frame, frame]) == .full)
        #expect(queue.offer([frame]) == .accepted)
        #expect(queue.count == 3)
        queue.shutDown()
        _ = queue.take(limit: 10)
        #expect(queue.offer([frame]) == .closed)
    }

    @Test("ws:// and wss:// URLs: host, port, the request target; anything else refused",
        arguments: [
            ("wss://fstream.binance.com/stream?streams=btcusdt@depth@100ms/!markPrice@arr@1s", "fstream.binance.com", 443, "/stream?streams=btcusdt@depth@100ms/!markPrice@arr@1s", true),
            ("ws://127.0.0.1:8080", "127.0.0.1", 8080, "/", false),
            ("ws://[::1]:9/ws?x=1", "::1", 9, "/ws?x=1", false),
            ("ws://localhost?x", "localhost", 80, "/?x", false),
        ])
    func endpoint(url: String, host: String, port: Int, target: String, tls: Bool) throws {
        let endpoint = try #require(Endpoint(url))
        #expect(endpoint.host == host && endpoint.port == port && endpoint.target == target && endpoint.tls == tls)
    }

    @Test("not WebSocket URLs", arguments: ["https://x.com/ws", "ws://", "ws://user@host/", "ws://host:0/", "ws://host:70000", "ws://host/a b", "fstream.binance.com"])
    func badEndpoint(url: String) {
        #expect(Endpoint(url) == nil)
    }

    @Test("http:// and https:// for the REST snapshots, parsed the same way; ws:// is not one of them")
    func restEndpoint() throws {
        let rest = ("http", "https")
        let binance = try #require(Endpoint("https://fapi.binance.com/fapi/v1/depth?symbol=BTCUSDT&limit=1000", schemes: rest))
        #expect(binance.tls && binance.host == "fapi.binance.com" && binance.port == 443 && binance.target == "/fapi/v1/depth?symbol=BTCUSDT&limit=1000")
        #expect(binance.hostHeader == "fapi.binance.com")
        let loopback = try #require(Endpoint("http://127.0.0.1:9304/fapi/v1/depth", schemes: rest))
        #expect(!loopback.tls && loopback.port == 9304 && loopback.hostHeader == "127.0.0.1:9304")
        #expect(Endpoint("ws://127.0.0.1:9304/", schemes: rest) == nil)
        #expect(Endpoint("https://user@host/", schemes: rest) == nil)
    }
}
