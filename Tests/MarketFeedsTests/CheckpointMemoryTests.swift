import Foundation
import Testing
@testable import MarketFeeds
@testable import RiskEngine

/// An attacker's finding: a replay of 4,000 markets (a mark every 10 s each) grew the dashboard to
/// 3.7 GB and aborted, where the headless run took 216 MB. Every market's signal histories are
/// sampled each second, so each checkpoint held a copy of every market's (about 24 KB each), and
/// the clock kept 120 of them: the engine's size for the checkpoint budget counted positions and
/// accounts, not markets.
@Suite("Checkpoint memory with many markets")
struct CheckpointMemoryTests {
    @Test("a market's state counts in the engine's size, and the checkpoints kept fit the budget")
    func manyMarketsFitTheBudget() throws {
        let markets = 2_000
        let path = NSTemporaryDirectory() + "liqwatch-checkpoint-markets-\(ProcessInfo.processInfo.processIdentifier).jsonl"
        defer { try? FileManager.default.removeItem(atPath: path) }
        var text = ""
        let start: Int64 = 1_723_161_255_000_000_000
        for round in 0..<40 {
            let time = start + Int64(round) * 5_000_000_000
            for market in 0..<markets {
                if round == 0 {
                    text += #"{"type":"book","symbol":"S\#(market)USDT","bids":[["99","100"]],"asks":[["101","100"]],"time":\#(time)}"# + "\n"
                }
                text += #"{"type":"mark","symbol":"S\#(market)USDT","price":"100.\#(round % 10)","time":\#(time)}"# + "\n"
            }
        }
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        let session = try ReplaySession(paths: [path], options: SessionOptions())
        let clock = ReplayClock(driver: session, checkpointInterval: 5_000_000_000)
        clock.setSpeed(.infinity, wall: 0)
        var wall: UInt64 = 0
        while try clock.advance(wall: wall, budget: 100_000) > 0 { wall += 1_000_000_000 }
        let engine = session.engine
        #expect(engine.markets.count == markets)
        // Every market counts its histories' 24 KB at least.
        #expect(engine.approximateBytes >= markets * 24_000, "\(engine.approximateBytes)")
        // The checkpoints kept, each the size of the engine, fit the session's budget.
        #expect(clock.checkpointLimit == max(2, min(ReplayClock.maximumCheckpoints, clock.memoryBudget / engine.approximateBytes)))
        #expect(clock.checkpointCount <= max(2, clock.checkpointLimit) + 1, "\(clock.checkpointCount) kept, limit \(clock.checkpointLimit)")
        #expect(clock.checkpointCount * engine.approximateBytes <= clock.memoryBudget + 2 * engine.approximateBytes)
    }
}
