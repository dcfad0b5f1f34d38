import Foundation
import Testing
@testable import MarketFeeds
import RiskEngine

/// Account names are read as given but for the ASCII spaces and tabs around them: Unicode's other
/// spaces trimmed made different accounts one (attacker trial: the last line replaced the others).
@Suite("Account names and the spaces around them")
struct AccountNameSpaceTests {
    @Test("alice, alice with a no-break space and alice after an ideographic space are three accounts; a padded alice is alice")
    func unicodeSpacesKept() throws {
        let scratch = try ScratchDirectory()
        func position(_ account: String, _ time: Int) -> String {
            let name = String(data: try! JSONSerialization.data(withJSONObject: [account], options: [.withoutEscapingSlashes]), encoding: .utf8)!.dropFirst().dropLast()
            return #"{"type":"position","account":\#(name),"symbol":"BTCUSDT","side":"long","size":"1","entry_price":"60000","margin_mode":"isolated","isolated_margin":"6000","time":\#(1_723_161_255_000_000_000 + time)}"#
        }
        let lines = [
            #"{"type":"book","symbol":"BTCUSDT","bids":[["59990","5"]],"asks":[["60010","5"]],"time":1723161255000000000}"#,
            position("alice", 1), position("alice\u{00A0}", 2), position("\u{3000}alice", 3), position(" alice\t", 4),
        ]
        let path = try scratch.write("names.jsonl", lines.joined(separator: "\n") + "\n")
        let session = try ReplaySession(paths: [path], options: SessionOptions())
        try session.runToEnd()
        #expect(session.stats.malformed == 0)
        #expect(session.engine.accounts.count == 3, "\(session.engine.accounts.map(\.id))")
        #expect(session.engine.positions.count == 3)
    }
}
