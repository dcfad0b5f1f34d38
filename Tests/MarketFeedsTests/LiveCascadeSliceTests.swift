import Foundation
import Testing
@testable import MarketFeeds
import RiskEngine

/// An event stream that hands its lines over at once: a book, a thousand leveraged longs and
/// shorts, and marks that fall through their triggers and bounce back (each a cascade).
final class ScriptedEventSource: LiveSource, @unchecked Sendable {
    let name = "events scripted"
    let kind = LiveStreamKind.events
    let format = RecordingFormat.liqwatchEvents
    let lines: [String]

    init(lines: [String]) { self.lines = lines }

    func start(queue: LiveQueue, stream: Int) throws(LiveStartError) {
        queue.push(.connection(stream: stream, .connected))
        for line in lines {
            queue.push(.frame(stream: stream, receiveTime: 1_723_161_300_000_000_000, bytes: Array(line.utf8)))
        }
    }

    func requestSnapshot(symbol: String) {}
    func stop() {}

    static func cascade(positions: Int) -> [String] {
        var lines = [
            #"{"type":"insurance_fund","asset":"USDT","balance":"5000","time":1723161255000000000}"#,
            #"{"type":"book","symbol":"BTCUSDT","bids":[["59990","2"],["59900","2"],["59000","3"]],"asks":[["60010","2"],["60100","2"],["61000","3"]],"time":1723161255000000000}"#,
            #"{"type":"mark","symbol":"BTCUSDT","price":"60000","time":1723161256000000000}"#,
        ]
        for number in 0..<positions {
            let side = number % 3 == 0 ? "short" : "long"
            let leverage = 10 + number % 90
            let margin = 60_000 / leverage
            lines.append(#"{"type":"position","account":"a\#(number)","symbol":"BTCUSDT","side":"\#(side)","size":"1","entry_price":"60000","margin_mode":"isolated","isolated_margin":"\#(margin)","time":1723161257000000000}"#)
        }
        for (step, price) in ["59000", "57500", "55000", "61000", "66000", "70000"].enumerated() {
            lines.append(#"{"type":"mark","symbol":"BTCUSDT","price":"\#(price)","time":\#(1_723_161_258_000_000_000 + Int64(step) * 1_000_000_000)}"#)
        }
        return lines
    }
}

@Suite("Live cascades sliced between keys")
struct LiveCascadeSliceTests {
    func run(slice: Int, budget: Int64) throws -> (LiveSession, cutPumps: Int) {
        let session = try LiveSession(sources: [ScriptedEventSource(lines: ScriptedEventSource.cascade(positions: 1_500))], options: LiveOptions())
        session.liquidationSlice = slice
        try session.start()
        var cutPumps = 0
        var pumps = 0
        while session.queue.count > 0 || session.hasUnfinishedWork {
            session.pump(budget: budget)
            pumps += 1
            if session.hasUnfinishedWork { cutPumps += 1 }
            #expect(pumps < 1_000_000)
        }
        session.stop()
        return (session, cutPumps)
    }

    @Test("a live session pumped a slice at a time with no budget to speak of ends as one applying every frame whole")
    func slicedEqualsWhole() throws {
        let (whole, wholeCuts) = try run(slice: .max, budget: 10_000_000)
        #expect(wholeCuts == 0)
        #expect(whole.log.simulatedCount > 500, "the marks cascade")
        #expect(whole.log.adlCount > 0 || whole.log.deficitCount > 0)
        let (sliced, cuts) = try run(slice: 3, budget: 0)
        #expect(cuts > 100, "cascades were cut between pumps (\(cuts))")
        #expect(sliced.engine.positions == whole.engine.positions)
        #expect(sliced.engine.accounts == whole.engine.accounts)
        #expect(sliced.engine.totals == whole.engine.totals)
        #expect(sliced.engine.funds == whole.engine.funds)
        #expect(sliced.log.simulatedCount == whole.log.simulatedCount)
        #expect(sliced.log.deficitTotal == whole.log.deficitTotal)
        #expect(sliced.log.adlCount == whole.log.adlCount)
        #expect(Array(sliced.log.simulatedLiquidations) == Array(whole.log.simulatedLiquidations))
        #expect(sliced.stats.applied == whole.stats.applied)
    }
}
