import Foundation
import Testing
@testable import MarketFeeds
import RiskEngine

/// A stale book or an outdated mark is told by the engine's once-a-second sample; at the end of
/// the inputs what no sample found since is told too, by the dashboard's clock and a headless run
/// alike (a replay that ended within the 5 s grace of a market never given a book, or a gap after
/// the last whole second, was STALE everywhere and in no alert).
@Suite("Conditions at the end of a replay")
struct EndConditionTests {
    static let start = TimeSpikeTests.start
    static let second = TimeSpikeTests.second

    /// BTCUSDT's book and mark for three seconds, a gap 0.3 s before the end; ETHUSDT holds a
    /// position and never gets a book.
    static func lines() -> String {
        var lines = [
            #"{"type":"position","account":"e","symbol":"ETHUSDT","side":"long","size":"1","entry_price":"3000","margin_mode":"isolated","isolated_margin":"300","time":\#(start)}"#,
        ]
        for tenth in 0...30 {
            let time = start + Int64(tenth) * second / 10
            if tenth == 27 {
                // A level's size that cannot be read: a gap, the book stale until a snapshot.
                lines.append(#"{"type":"book","symbol":"BTCUSDT","snapshot":false,"bids":[["59990","-1"]],"asks":[],"time":\#(time)}"#)
            } else {
                lines.append(#"{"type":"book","symbol":"BTCUSDT","snapshot":\#(tenth == 0),"bids":[["59990","\#(tenth + 1)"]],"asks":[["60010","5"]],"time":\#(time)}"#)
            }
            lines.append(#"{"type":"mark","symbol":"BTCUSDT","price":"60000","time":\#(time)}"#)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func told(_ session: ReplaySession) -> [String] {
        var watcher = AlertWatcher()
        return watcher.newAlerts(log: session.log, time: session.engine.time).map { "\($0.market ?? "") \($0.kind.rawValue)" }
    }

    @Test("headless and played by the clock in slices, the same alerts: the gap after the last sample and the book never given, at the end")
    func toldAtTheEnd() throws {
        let scratch = try ScratchDirectory()
        let path = try scratch.write("end.jsonl", Self.lines())
        let headless = try ReplaySession(paths: [path], options: SessionOptions())
        try headless.runToEnd()
        let toldHeadless = Self.told(headless)
        #expect(Set(toldHeadless) == ["binance-usdm:ETHUSDT stale_book", "binance-usdm:BTCUSDT stale_book"], "\(toldHeadless)")
        #expect(headless.log.conditions.allSatisfy { $0.time == Self.start + 3 * Self.second })

        let played = try ReplaySession(paths: [path], options: SessionOptions())
        played.liquidationSlice = 1
        let clock = ReplayClock(driver: played)
        var wall: UInt64 = 0
        var seen: [String] = []
        var watcher = AlertWatcher()
        while !played.finished {
            wall += 50_000_000
            _ = try clock.advance(wall: wall)
            seen += watcher.newAlerts(log: played.log, time: played.engine.time).map { "\($0.market ?? "") \($0.kind.rawValue)" }
        }
        #expect(seen == toldHeadless)
    }
}
