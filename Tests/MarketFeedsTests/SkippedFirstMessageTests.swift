import Foundation
import Testing
@testable import MarketFeeds
@testable import RiskEngine

/// A skipped message (an instrument liqwatch does not model) carries no time (`.min`): peeked as
/// an input's first event, it anchored the replay's clock and the inputs' start times at
/// `Int64.min`, and the first subtraction trapped (attacker trial).
@Suite("An input whose first message is skipped")
struct SkippedFirstMessageTests {
    static let okx = """
        wss://ws.okx.com:8443/ws/v5/public <-> 1652459224.5300605
        1652459226.3174298: {"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[{"instId":"BTC-USDT","tradeId":"338476315","px":"30243.5","sz":"0.0002","side":"buy","ts":"1652459226199"}]}
        1652459227.0: {"arg":{"channel":"trades","instId":"BTC-USD-SWAP"},"data":[{"instId":"BTC-USD-SWAP","tradeId":"1","px":"30243.5","sz":"1","side":"buy","ts":"1652459227000"}]}
        """
    static let tardis = """
        exchange,symbol,timestamp,local_timestamp,is_snapshot,side,price,amount
        bitmex,XBTUSD,1585699200245000,1585699200355000,true,ask,6500.5,1000
        binance-futures,BTCUSDT,1585699200245000,1585699200355000,true,ask,6500.5,1
        binance-futures,BTCUSDT,1585699200245000,1585699200355000,true,bid,6500,1
        """

    @Test("the clock plays it from its first timed event, and the skipped instrument is counted once", arguments: [true, false])
    func clockPlays(okxFirst: Bool) throws {
        let scratch = try ScratchDirectory()
        let path = okxFirst ? try scratch.write("min_okx.ws.1.0", Self.okx) : try scratch.write("min_incremental_book_L2.csv", Self.tardis)
        let session = try ReplaySession(paths: [path], options: SessionOptions())
        #expect(try session.peekTime() == (okxFirst ? 1_652_459_227_000_000_000 : 1_585_699_200_245_000_000))
        let clock = ReplayClock(driver: session)
        _ = try clock.advance(wall: 0)
        let now = clock.currentTime(wall: 1_000_000_000)
        #expect(now >= (okxFirst ? 1_652_459_227_000_000_000 : 1_585_699_200_245_000_000))
        _ = try clock.advance(wall: 10_000_000_000, budget: .max)
        #expect(session.skippedInstruments.values.reduce(0, +) == 1, "\(session.skippedInstruments)")
        #expect(session.engine.markets.count == 1)
    }

    @Test("merged with another recording, the start times compared are of timed events; the headless run ends")
    func mergedStarts() throws {
        let scratch = try ScratchDirectory()
        let okx = try scratch.write("min_okx.ws.1.0", Self.okx)
        let tardis = try scratch.write("min_incremental_book_L2.csv", Self.tardis)
        let session = try ReplaySession(paths: [okx, tardis], options: SessionOptions())
        #expect(try session.peekTime() == 1_585_699_200_245_000_000)
        #expect(session.timelineWarning?.contains("apart") == true, "\(String(describing: session.timelineWarning))")
        try session.runToEnd()
        #expect(session.skippedInstruments.values.reduce(0, +) == 2, "\(session.skippedInstruments)")
        #expect(session.engine.markets.count == 2)
        // Start times far apart in any order, never a trap.
        #expect(ReplaySession.timelineWarning(starts: [("a", .min), ("b", .max)]) == nil)
    }
}
