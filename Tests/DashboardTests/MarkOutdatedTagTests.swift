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
}
