import Foundation
import Testing
@testable import MarketFeeds
import RiskEngine

/// An attacker's finding: a server sending only frames liqwatch does not apply (a kline stream)
/// kept the feed's age fresh and its state live for minutes while no market data came.
@Suite("A feed's age runs on through frames it does not apply")
struct FeedAgeTests {
    /// Hands over `frames` with the receive times given (ns).
    final class TimedFrames: LiveSource, @unchecked Sendable {
        let name = "binance-usdm"
        let kind = LiveStreamKind.market(symbols: ["binance-usdm:BTCUSDT"])
        let format = RecordingFormat.timestampedFrames
        let frames: [(time: Int64, text: String)]

        init(_ frames: [(time: Int64, text: String)]) { self.frames = frames }

        func start(queue: LiveQueue, stream: Int) throws(LiveStartError) {
            queue.push(.connection(stream: stream, .connected))
            for frame in frames { queue.push(.frame(stream: stream, receiveTime: frame.time, bytes: Array(frame.text.utf8))) }
        }

        func requestSnapshot(symbol: String) {}
        func stop() {}
    }

    @Test("a mark frame sets the age; kline frames after it are counted as messages and leave it")
    func klinesLeaveTheAge() throws {
        let now = LiveClock.wallNanoseconds()
        let mark = #"{"stream":"btcusdt@markPrice@1s","data":{"e":"markPriceUpdate","E":1723161256000,"s":"BTCUSDT","p":"60000.00","i":"60000.00","P":"60000.00","r":"0.0001","T":1723161600000}}"#
        let kline = #"{"stream":"btcusdt@kline_1m","data":{"e":"kline","E":1723161257000,"s":"BTCUSDT","k":{"t":1723161240000,"T":1723161299999,"s":"BTCUSDT","i":"1m","o":"60000","c":"60001","h":"60002","l":"59999","v":"1"}}}"#
        let frames = [(now - 60_000_000_000, mark)] + (1...5).map { (now - Int64(60 - $0 * 10) * 1_000_000_000, kline) }
        let session = try LiveSession(sources: [TimedFrames(frames)], options: LiveOptions())
        try session.start()
        let deadline = Date().addingTimeInterval(2)
        while Date() < deadline && session.health[0].messages < 6 { session.queue.wait(seconds: 0.01); session.pump() }
        session.stop()
        #expect(session.health[0].messages == 6)
        #expect(session.health[0].lastMessageWall == now - 60_000_000_000, "the mark's time, not the last kline's")
        #expect(session.health[0].isStale(wall: now, threshold: 5))
    }
}
