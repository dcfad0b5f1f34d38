import Foundation
import Testing
@testable import MarketFeeds
import RiskEngine

/// Every output writes a character it will not show as `\u{…}` (`SafeText`), so an account name
/// may not hold that text itself: `a\u{1B}` typed out and `a` + ESC would read alike, two
/// accounts an operator could not tell apart.
@Suite("Account names that hold the text of an escape")
struct AccountEscapeTextTests {
    @Test("the text \\u{ is found wherever it stands, and nothing else is taken for it")
    func findsEscapeText() {
        #expect(PositionRow.holdsEscapeText(#"a\u{1B}"#))
        #expect(PositionRow.holdsEscapeText(#"\u{"#))
        #expect(PositionRow.holdsEscapeText(#"x\\u{41}"#))
        #expect(!PositionRow.holdsEscapeText(#"back\slash"#))
        #expect(!PositionRow.holdsEscapeText(#"a\u1B"#))
        #expect(!PositionRow.holdsEscapeText(#"a\x{"#))
        #expect(!PositionRow.holdsEscapeText("alice\u{1B}"))
    }

    @Test("a positions file's row whose account holds \\u{ is refused by file, line and field; a backslash alone is a name")
    func positionsFileRefuses() throws {
        let scratch = try ScratchDirectory()
        let header = "account,symbol,side,size,entry_price,margin_mode,isolated_margin,wallet_balance,leverage\n"
        let path = try scratch.write("names.csv", header + #"""
            back\slash,BTCUSDT,long,1,60000,isolated,6000,,
            a\u{1B},BTCUSDT,long,1,60000,isolated,6000,,

            """#)
        expectRefusal(path) { $0.contains("names.csv:3") && $0.contains("account") && $0.contains(#"holds the text \u{"#) }
        let fine = try scratch.write("fine.csv", header + #"back\slash,BTCUSDT,long,1,60000,isolated,6000,,"# + "\n")
        let updates = try PositionsFile.load(path: fine, catalog: .builtIn)
        #expect(updates.map(\.account) == [#"back\slash"#])
    }

    @Test("an event line whose account holds \\u{ is malformed, counted and skipped; one holding ESC is taken and shown escaped")
    func eventLineRefused() throws {
        let scratch = try ScratchDirectory()
        func position(_ accountJSON: String, _ time: Int) -> String {
            #"{"type":"position","account":"\#(accountJSON)","symbol":"BTCUSDT","side":"long","size":"1","entry_price":"60000","margin_mode":"isolated","isolated_margin":"6000","time":\#(1_723_161_255_000_000_000 + time)}"#
        }
        let lines = [
            #"{"type":"book","symbol":"BTCUSDT","bids":[["59990","5"]],"asks":[["60010","5"]],"time":1723161255000000000}"#,
            position(#"a\\u{1B}"#, 1), position(#"a\u001b"#, 2),
        ]
        let path = try scratch.write("names.jsonl", lines.joined(separator: "\n") + "\n")
        let session = try ReplaySession(paths: [path], options: SessionOptions())
        try session.runToEnd()
        #expect(session.stats.malformed == 1)
        #expect(session.stats.firstMalformed.first.map { $0.line == 2 && $0.field.contains("account") } == true, "\(session.stats.firstMalformed)")
        #expect(session.engine.accounts.map(\.id) == ["a\u{1B}"])
        #expect(SafeText.escaped(session.engine.accounts[0].id) == #"a\u{1B}"#)
    }
}
