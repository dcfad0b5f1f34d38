import Foundation
import Testing
@testable import MarketFeeds
import RiskEngine

/// An operator's event stream states positions as they are now: a size of 0 closes one, and an
/// account line's wallet is held to a position row's rules (attacker trial).
@Suite("Event-stream positions and wallets")
struct EventStreamPositionTests {
    static let book = #"{"type":"book","symbol":"BTCUSDT","bids":[["61600","5"],["50000","5"]],"asks":[["61700","5"]],"time":1723161255000000000}"#

    func replay(_ lines: [String]) throws -> ReplaySession {
        let scratch = try ScratchDirectory()
        let path = try scratch.write("events.jsonl", ([Self.book] + lines).joined(separator: "\n") + "\n")
        let session = try ReplaySession(paths: [path], options: SessionOptions())
        try session.runToEnd()
        return session
    }

    @Test("a size of 0 closes the position (its entry may be left out); it is not liquidated later, and the closed position keeps what it was")
    func sizeZeroCloses() throws {
        for close in [
            #"{"type":"position","account":"alice","symbol":"BTCUSDT","side":"long","size":"0","entry_price":"61650","margin_mode":"isolated","leverage":"50","time":1723161256000000000}"#,
            #"{"type":"position","account":"alice","symbol":"BTCUSDT","side":"long","size":"0.0","time":1723161256000000000}"#,
        ] {
            let session = try replay([
                #"{"type":"mark","symbol":"BTCUSDT","price":"61650"}"#,
                #"{"type":"position","account":"alice","symbol":"BTCUSDT","side":"long","size":"2","entry_price":"61650","margin_mode":"isolated","leverage":"50"}"#,
                close,
                #"{"type":"mark","symbol":"BTCUSDT","price":"58000","time":1723161257000000000}"#,
            ])
            #expect(session.stats.malformed == 0, "\(session.stats.firstMalformed)")
            #expect(session.log.simulatedCount == 0)
            let position = try #require(session.engine.positions.first)
            #expect(!position.isOpen && position.isolatedMargin.isZero)
            #expect(position.side == .long && position.entryPrice == Fixed(61_650) && position.leverage == Fixed(50))
            // Its margin went back: no money made or lost.
            #expect(session.engine.moneyInSystem(asset: "USDT") == session.engine.deposits["USDT", default: .zero])
        }
    }

    @Test("a close of a position that is not there is harmless; a positions file still refuses a size of 0")
    func closeOfNothing() throws {
        let session = try replay([#"{"type":"position","account":"ghost","symbol":"BTCUSDT","side":"short","size":"0"}"#])
        #expect(session.stats.malformed == 0 && session.engine.positions.isEmpty)
        let scratch = try ScratchDirectory()
        let path = try scratch.write("p.csv", "account,symbol,side,size,entry_price,margin_mode,isolated_margin\na,BTCUSDT,long,0,61650,isolated,100\n")
        #expect(throws: PositionsFileError.self) { _ = try PositionsFile.load(path: path, catalog: .builtIn) }
    }

    @Test("a cross position before its account's wallet takes the wallet its leverage implies (never liquidated against 0); without a leverage it is refused")
    func crossBeforeWallet() throws {
        let book = #"{"type":"book","symbol":"BTCUSDT","bids":[["61600","5"],["60000","200"]],"asks":[["61700","5"]],"time":1723161255000000000}"#
        let session = try replay([
            book,
            #"{"type":"mark","symbol":"BTCUSDT","price":"61650"}"#,
            #"{"type":"position","account":"whale","symbol":"BTCUSDT","side":"long","size":"100","entry_price":"61650","margin_mode":"cross","leverage":"5"}"#,
            #"{"type":"account","account":"whale","wallet_balance":"2000000"}"#,
            #"{"type":"position","account":"nolev","symbol":"BTCUSDT","side":"long","size":"1","entry_price":"61650","margin_mode":"cross"}"#,
        ])
        #expect(session.log.simulatedCount == 0 && session.log.deficitCount == 0)
        let whale = try #require(session.engine.accounts.first { $0.id == "whale" })
        // 6,165,000 ÷ 5 until the account line, then its statement.
        #expect(whale.walletBalance == Fixed(2_000_000))
        #expect(session.log.rejectedPositions == 1)
        #expect(session.log.rejections.last?.reason.contains("no wallet yet") == true)
        #expect(session.engine.positions.filter(\.isOpen).count == 1)
        // A wallet stated first (an account line, or on the position) is the wallet, as before.
        let stated = try replay([
            #"{"type":"mark","symbol":"BTCUSDT","price":"61650"}"#,
            #"{"type":"account","account":"w","wallet_balance":"700"}"#,
            #"{"type":"position","account":"w","symbol":"BTCUSDT","side":"long","size":"0.1","entry_price":"61650","margin_mode":"cross"}"#,
        ])
        #expect(stated.engine.accounts.first { $0.id == "w" }?.walletBalance == Fixed(700))
        #expect(stated.engine.positions.first?.isOpen == true && stated.log.rejectedPositions == 0)
    }

    @Test("a first mark the book then disputes (a snapshot tenfold from it refused) liquidates nothing until the next mark")
    func disputedMarkWaits() throws {
        let scratch = try ScratchDirectory()
        let book = #"{"type":"book","symbol":"BTCUSDT","bids":[["61600","5"],["61500","5"]],"asks":[["61700","5"]],"time":"#
        let lines = [
            #"{"type":"mark","symbol":"BTCUSDT","price":"1","time":1723161255000000000}"#,
            #"{"type":"position","account":"a","symbol":"BTCUSDT","side":"long","size":"3","entry_price":"61650","margin_mode":"isolated","leverage":"10"}"#,
            book + "1723161256000000000}",
            book + "1723161257000000000}",
        ]
        let path = try scratch.write("poisoned.jsonl", lines.joined(separator: "\n") + "\n")
        let session = try ReplaySession(paths: [path], options: SessionOptions())
        try session.runToEnd()
        #expect(session.log.simulatedCount == 0)
        #expect(session.engine.market("BTCUSDT")?.liquidationBlocked == .disputedMark)
        // The next mark, a true one, settles it: the long is safe at 61,640.
        let settled = try scratch.write("settled.jsonl", (lines + [#"{"type":"mark","symbol":"BTCUSDT","price":"61640","time":1723161258000000000}"#]).joined(separator: "\n") + "\n")
        let after = try ReplaySession(paths: [settled], options: SessionOptions())
        try after.runToEnd()
        #expect(after.log.simulatedCount == 0 && after.engine.positions.first?.isOpen == true)
        #expect(after.engine.market("BTCUSDT")?.liquidationBlock(now: after.engine.time, maximumAge: .max) == nil)
    }

    @Test("an account name past 256 bytes is refused, naming the field, in an event line and in a positions file")
    func longAccountNames() throws {
        let long = String(repeating: "a", count: 257)
        let session = try replay([
            #"{"type":"position","account":"\#(long)","symbol":"BTCUSDT","side":"long","size":"1","entry_price":"61650","margin_mode":"isolated","leverage":"10"}"#,
            #"{"type":"account","account":"\#(long)","wallet_balance":"1"}"#,
        ])
        #expect(session.stats.malformed == 2 && session.engine.accounts.isEmpty)
        #expect(session.stats.firstMalformed.allSatisfy { $0.field.hasPrefix("account: longer than 256 bytes") }, "\(session.stats.firstMalformed)")
        let scratch = try ScratchDirectory()
        let path = try scratch.write("p.csv", "account,symbol,side,size,entry_price,margin_mode,isolated_margin\n\(long),BTCUSDT,long,1,61650,isolated,100\n")
        #expect { _ = try PositionsFile.load(path: path, catalog: .builtIn) } throws: { error in
            (error as? PositionsFileError)?.field == "account" && (error as? PositionsFileError)?.line == 2
        }
        // 256 bytes is a name.
        let fits = try scratch.write("q.csv", "account,symbol,side,size,entry_price,margin_mode,isolated_margin\n\(String(long.dropFirst())),BTCUSDT,long,1,61650,isolated,100\n")
        #expect(try PositionsFile.load(path: fits, catalog: .builtIn).count == 1)
    }

    @Test("an account line's wallet must not be negative nor past 10¹⁵: malformed, naming the field")
    func accountWalletChecked() throws {
        for wallet in ["-5000000000000000000", "-1", "1000000000000000.01"] {
            let session = try replay([
                #"{"type":"mark","symbol":"BTCUSDT","price":"61650"}"#,
                #"{"type":"account","account":"evil","wallet_balance":"\#(wallet)"}"#,
            ])
            #expect(session.stats.malformed == 1)
            #expect(session.stats.firstMalformed.first?.field.hasPrefix("wallet_balance: must") == true, "\(session.stats.firstMalformed)")
        }
    }
}
