import Foundation
import Testing
@testable import Dashboard
import RiskEngine

/// A market whose book is fresh but whose mark is not: nothing is liquidated in it, and the
/// ladder and signals panes say so (positions past their triggers stood open with no word why).
@Suite("An outdated mark on screen")
struct MarkOutdatedTagTests {
    @Test("the book changes for six minutes with no mark: the ladder and the signals say MARK OUTDATED; the next mark clears it")
    func markOutdated() {
        var engine = engine(positions: 10)
        let second: Int64 = 1_000_000_000
        var screen = model(width: 120, height: 40, engine: engine)
        #expect(!screen.rendered().text.contains("MARK OUTDATED"))
        var log = screen.log
        for minute in 1...6 {
            log.record(engine.apply(.bookUpdate(symbol: "BTCUSDT", changes: [LevelChange(side: .bid, price: units("59999.90"), size: units("0.5") + Int64(minute))],
                time: Int64(minute) * 60 * second)))
        }
        let effects = screen.update(.session(engine: engine, log: log, status: screen.status))
        // The operator is paged once, as for a stale book.
        guard case .told(let told)? = effects.first else { Issue.record("nothing told: \(effects)"); return }
        #expect(told.map(\.kind) == [.markOutdated] && told[0].market == "BTCUSDT", "\(told)")
        #expect(screen.update(.session(engine: engine, log: log, status: screen.status)).isEmpty, "told once")
        let text = screen.rendered().text
        #expect(text.range(of: #"Ladder BTCUSDT[^│]* · MARK OUTDATED"#, options: .regularExpression) != nil, "\(text)")
        #expect(text.contains("Signals BTCUSDT · MARK OUTDATED"), "\(text)")
        #expect(!text.contains("STALE"), "the book itself is fresh:\n\(text)")
        // The markets pane's signal column says so too (it read "ok"), from the last sample.
        #expect(MarketTable.row(of: engine.markets[0], positions: 10, nearLiquidation: 0).markOutdated)
        #expect(MarketsPane.columns.first { $0.title == "signal" }.map { $0.cell(MarketTable.row(of: engine.markets[0], positions: 10, nearLiquidation: 0), screen).0 } == "MARK OLD")
        // The position view says it beside the mark and in place of the walk (it read
        // `deficit 0.00` on a book the engine would not liquidate into: operator trial).
        var view = DetailPane.lines(screen, position: 0, width: 200).map(\.text).joined(separator: "\n")
        #expect(view.range(of: #"; mark [\d,.]+ \(outdated\)"#, options: .regularExpression) != nil, "\(view)")
        #expect(view.contains("Cannot liquidate: mark outdated: the engine waits for the next mark"), "\(view)")
        #expect(view.contains("If liquidated now: — (cannot liquidate: mark outdated; it waits for the next mark)"), "\(view)")
        engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(60_000), time: 361 * second))
        _ = screen.update(.session(engine: engine, log: screen.log, status: screen.status))
        #expect(!screen.rendered().text.contains("MARK OUTDATED"))
        view = DetailPane.lines(screen, position: 0, width: 200).map(\.text).joined(separator: "\n")
        #expect(!view.contains("(outdated)") && !view.contains("annot liquidate") && view.contains("If liquidated now: "), "\(view)")
        #expect(!MarketTable.row(of: engine.markets[0], positions: 10, nearLiquidation: 0).markOutdated, "the next mark clears it")
    }

    /// Cross account "x" (wallet 10,000): long 10 ETH at 3,000 and long 1 BTC at 60,000; ETH's
    /// mark is 2,300 and its stream dies while both books go on; BTC falls to 57,200 six minutes
    /// on, past the account's trigger with ETH counted at 2,300: the BTC leg waits for ETH's mark.
    static func crossAccountWaitingOnALeg() -> Engine {
        var engine = Engine()
        let second: Int64 = 1_000_000_000
        let t: Int64 = 1_723_161_255_000_000_000
        func books(_ time: Int64) {
            engine.apply(.bookSnapshot(symbol: "ETHUSDT", bids: [(units("2999"), units("100"))], asks: [(units("3001"), units("100"))], time: time))
            engine.apply(.bookSnapshot(symbol: "BTCUSDT", bids: [(units("57190"), units("5"))], asks: [(units("57210"), units("5"))], time: time))
        }
        books(t)
        engine.apply(.mark(symbol: "ETHUSDT", price: Fixed(2_300), time: t))
        engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(60_000), time: t))
        for (symbol, quantity, entry) in [("ETHUSDT", 10, 3_000), ("BTCUSDT", 1, 60_000)] {
            engine.apply(.position(PositionUpdate(account: "x", symbol: symbol, side: .long, quantity: Fixed(quantity), entryPrice: Fixed(entry),
                mode: .cross, walletBalance: Fixed(10_000), leverage: Fixed(10)), time: t))
        }
        for minute in 1...6 {
            books(t + Int64(minute) * 60 * second)
            engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(60_000), time: t + Int64(minute) * 60 * second))
        }
        engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(57_200), time: t + 361 * second))
        return engine
    }

    @Test("a cross leg waiting for another leg's outdated mark says so in its view, and a what-if of its market counts it as waiting, never 'No ADL' as if nothing crossed")
    func crossLegWait() throws {
        let engine = Self.crossAccountWaitingOnALeg()
        let btc = try #require(engine.positions.indices.first { engine.markets[Int(engine.positions[$0].symbolIndex)].symbol == "BTCUSDT" })
        #expect(engine.positions[btc].isOpen)
        let screen = model(width: 200, height: 60, engine: engine)
        let view = DetailPane.lines(screen, position: Int32(btc), width: 200).map(\.text).joined(separator: "\n")
        #expect(view.contains("Cannot liquidate while its cross leg in ETHUSDT is at an outdated mark: the engine waits for the next mark there"), "\(view)")
        #expect(view.contains("If liquidated now: — (it waits for ETHUSDT's next mark)") && !view.contains("deficit 0.00"), "\(view)")
        // The ETH leg's view lists the BTC leg as crossed at its mark (`liq 5.328` beside a mark of
        // 1.012 read as a long five times away: operator trial).
        let eth = try #require(engine.positions.indices.first { engine.markets[Int(engine.positions[$0].symbolIndex)].symbol == "ETHUSDT" })
        let ethView = DetailPane.lines(screen, position: Int32(eth), width: 200).map(\.text).joined(separator: "\n")
        #expect(ethView.contains("BTCUSDT @ 60,000.00, liq ") && ethView.contains(", crossed at the mark 57,200.00"), "\(ethView)")
        for (width, height) in [(200, 60), (80, 24)] {
            let whatIf = BlockedWhatIfTests.whatIf(engine, on: "BTCUSDT", shock: "-1", width: width, height: height)
            let text = whatIf.rendered().text
            #expect(text.contains("1 position crossed") || text.contains("1 position wait"), "\(width)x\(height):\n\(text)")
            #expect(text.contains("No ADL projected") && !text.contains("No ADL: the book") && !text.contains("No position would be liquidated"),
                "\(width)x\(height):\n\(text)")
        }
        let wide = BlockedWhatIfTests.whatIf(engine, on: "BTCUSDT", shock: "-1").rendered().text
        // The ladder's rows say so too (every row read `0 0.00` beside bankrupt positions: operator trial).
        #expect(wide.contains("1 wait, not counted"), "\(wide)")
        #expect(wide.contains("1 position crossed but not projected: it waits for a cross leg's outdated mark (ETHUSDT), as the engine does"), "\(wide)")
    }
}
