import Foundation
import Testing
@testable import Dashboard
import DashboardFeeds
import RiskEngine

/// The dashboard projects a what-if off its UI thread: the key returns at once, the result comes
/// back through the worker, and only the latest what-if asked for is shown.
@Suite("What-ifs projected off the UI thread")
struct WhatIfWorkerTests {
    /// An engine with longs whose triggers a −10 % shock crosses.
    static func engine() -> Engine {
        var engine = Engine()
        engine.openFund(asset: "USDT", balance: Fixed(10_000))
        var bids: [(price: Int64, size: Int64)] = []
        var asks: [(price: Int64, size: Int64)] = []
        for level in 0..<100 {
            bids.append((BookUnits.perUnit * (59_990 - Int64(level) * 10), BookUnits.perUnit))
            asks.append((BookUnits.perUnit * (60_000 + Int64(level) * 10), BookUnits.perUnit))
        }
        engine.apply(.bookSnapshot(symbol: "binance-usdm:BTCUSDT", bids: bids, asks: asks, time: 1))
        engine.apply(.mark(symbol: "binance-usdm:BTCUSDT", price: Fixed(60_000), time: 1))
        var notes: [EngineNotification] = []
        let updates = (0..<200).map { index in
            PositionUpdate(account: "acct-\(index)", symbol: "binance-usdm:BTCUSDT", side: .long, quantity: Fixed("0.1")!,
                entryPrice: Fixed(60_000), mode: .isolated, leverage: Fixed(10 + index % 40))
        }
        engine.apply(positions: updates, time: 2, into: &notes) { $0.removeAll() }
        return engine
    }

    /// A dashboard over `engine` that projects its what-ifs in the background, as the run loop's does.
    static func backgroundModel(_ engine: Engine) -> AppModel {
        var status = SessionStatus(kind: "REPLAY", source: "test")
        status.time = engine.time
        var model = AppModel(width: 160, height: 48, status: status, engine: engine, log: SessionLog())
        model.projectsWhatIfInBackground = true
        return model
    }

    static func ask(_ model: inout AppModel, _ shock: String) {
        _ = model.update(.key(.character("x")))
        for character in shock { _ = model.update(.key(.character(character))) }
        _ = model.update(.key(.enter))
    }

    static func waitForOutcomes(_ worker: WhatIfWorker, count: Int) -> [WhatIfOutcome] {
        var outcomes: [WhatIfOutcome] = []
        for _ in 0..<2_000 where outcomes.count < count {
            outcomes += worker.takeFinished()
            if outcomes.count < count { Thread.sleep(forTimeInterval: 0.005) }
        }
        return outcomes
    }

    @Test("Enter hands the what-if over and returns; the projection, delivered, is the one computed at once")
    func projectedLater() throws {
        let engine = Self.engine()
        var model = Self.backgroundModel(engine)
        Self.ask(&model, "-10")
        if case .whatIf = model.mode { Issue.record("projected on the UI thread") }
        #expect(model.notice?.contains("projecting") == true)
        let taken = model.takeWhatIfRequest()
        let request = try #require(taken)
        let again = model.takeWhatIfRequest()
        #expect(again == nil, "handed over once")
        let worker = WhatIfWorker()
        worker.start(request)
        let outcomes = Self.waitForOutcomes(worker, count: 1)
        #expect(outcomes.count == 1 && !worker.isBusy && !worker.isSeparating)
        for outcome in outcomes { model.deliverWhatIf(outcome) }
        guard case .whatIf(let result, let ladder) = model.mode else { Issue.record("no what-if after delivery"); return }
        let direct = try engine.stress(symbol: "binance-usdm:BTCUSDT", shockPercent: Fixed(-10))
        #expect(result.liquidations == direct.liquidations && result.totalDeficit == direct.totalDeficit)
        #expect(!result.liquidations.isEmpty)
        #expect(ladder.map { $0.shockPercent } == StressLadder.shocks.map { Fixed($0) })
        #expect(model.notice == nil)
    }

    @Test("a second what-if asked while the first runs replaces it: only the latest is shown")
    func latestWins() throws {
        let engine = Self.engine()
        var model = Self.backgroundModel(engine)
        let worker = WhatIfWorker()
        Self.ask(&model, "-10")
        let first = model.takeWhatIfRequest()
        worker.start(try #require(first))
        Self.ask(&model, "-2")
        let second = model.takeWhatIfRequest()
        worker.start(try #require(second))
        let outcomes = Self.waitForOutcomes(worker, count: 2)
        #expect(outcomes.count == 2)
        for outcome in outcomes { model.deliverWhatIf(outcome) }
        guard case .whatIf(let result, _) = model.mode else { Issue.record("no what-if"); return }
        #expect(result.shockPercent == Fixed(-2))
    }

    @Test("a shock refused by the engine comes back as a notice, not a what-if")
    func refused() throws {
        let engine = Self.engine()
        var model = Self.backgroundModel(engine)
        Self.ask(&model, "-100")
        let taken = model.takeWhatIfRequest()
        let outcome = try #require(taken).project()
        model.deliverWhatIf(outcome)
        if case .whatIf = model.mode { Issue.record("a −100 % shock was projected") }
        #expect(model.notice?.contains("what-if:") == true)
    }
}
