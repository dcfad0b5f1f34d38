import NIOCore
import NIOHTTP1
import NIOWebSocket

/// `GET /fapi/v1/depth?symbol=...` (or `/dapi/v1/depth`): the exchange's snapshot; anything else 404.
final class RESTHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let exchange: LoopbackExchange
    var path = ""

    init(exchange: LoopbackExchange) { self.exchange = exchange }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            path = head.uri
            exchange.noteRequest(rest: head.uri)
        case .body: break
        case .end:
            let found = path.hasPrefix("/fapi/v1/depth") || path.hasPrefix("/dapi/v1/depth")
            let body = found ? exchange.snapshotBody() : "{\"code\":-1,\"msg\":\"not found\"}"
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: "application/json")
            headers.add(name: "Content-Length", value: String(body.utf8.count))
            let head = HTTPResponseHead(version: .http1_1, status: found ? .ok : .notFound, headers: headers)
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: body)))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }
}

/// One WebSocket connection: sends the exchange's frames (paced or as fast as the socket takes
/// them), pings once at the start, answers pings and closes.
final class StreamHandler: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    let exchange: LoopbackExchange
    var connection = 0
    var sent = 0
    var closed = false
    var pacing: RepeatedTask?
    var pacedStart: NIODeadline = .now()
    var pacedSent = 0

    init(exchange: LoopbackExchange) { self.exchange = exchange }

    func handlerAdded(context: ChannelHandlerContext) {
        connection = exchange.openConnection()
        // Binance pings; a client must answer.
        context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .ping, data: context.channel.allocator.buffer(string: "liqwatch"))), promise: nil)
        if let rate = exchange.script.framesPerSecond {
            pacedStart = .now()
            let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            pacing = context.eventLoop.scheduleRepeatedTask(initialDelay: .milliseconds(10), delay: .milliseconds(10)) { _ in
                let (handler, context) = loopBound.value
                let due = Int(Double((NIODeadline.now() - handler.pacedStart).nanoseconds) / 1e9 * rate)
                handler.send(context: context, limit: max(0, due - handler.pacedSent))
            }
        } else {
            sendWhileWritable(context: context)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        pacing?.cancel()
        closed = true
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if exchange.script.framesPerSecond == nil && context.channel.isWritable { sendWhileWritable(context: context) }
        context.fireChannelWritabilityChanged()
    }

    func sendWhileWritable(context: ChannelHandlerContext) {
        while !closed && context.channel.isWritable {
            if send(context: context, limit: 256) < 256 { return }
        }
    }

    /// Sends up to `limit` frames; returns how many went.
    @discardableResult
    func send(context: ChannelHandlerContext, limit: Int) -> Int {
        var count = 0
        while count < limit && !closed {
            switch exchange.next(sentOnConnection: sent, connection: connection) {
            case .frame(let text), .garbage(let text):
                context.write(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .text, data: context.channel.allocator.buffer(string: text))), promise: nil)
                sent += 1
                pacedSent += 1
                count += 1
            case .cut:
                // An abrupt cut, no close frame: what a dropped connection looks like.
                closed = true
                context.flush()
                context.close(promise: nil)
                return count
            case .end:
                context.flush()
                pacing?.cancel()
                return count
            }
        }
        context.flush()
        return count
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .ping:
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)), promise: nil)
        case .pong:
            exchange.notePong()
        case .connectionClose:
            closed = true
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: frame.unmaskedData))).whenComplete { _ in
                bound.value.close(promise: nil)
            }
        default:
            break
        }
    }
}
