import Foundation
import Testing
@testable import Dashboard
@testable import RiskEngine

/// A cascade that has emptied the bid side: what the ladder, the tape and the fund pane say then.
/// Each read as calm before: blank rows under the spread, "0" deficits on the tape for closes the
/// book could not fill (deleveraged at the bankruptcy price), and at 80×24 no ADL line at all.
@Suite("Panes when the book has emptied")
struct BookEmptiedTests {
    /// BTCUSDT with no bids: one long liquidated (the book fills nothing, ADL closes it against the
    /// profitable short), and `waiting` more longs whose liquidation prices lie further down.
    static func session(waiting: Int = 7) -> (engine: Engine, log: SessionLog) {
        var engine = Engine()
        engine.openFund(asset: "USDT", balance: Fixed(10_000))
        let market = "BTCUSDT"
        engine.apply(.mark(symbol: market, price: Fixed(60_000), time: 1_000_000_000))
        engine.apply(.bookSnapshot(symbol: market, bids: [], asks: [(units("60010"), units("5"))], time: 1_000_000_000))
        engine.apply(.position(PositionUpdate(account: "winner", symbol: market, side: .short, quantity: Fixed(2),
            entryPrice: Fixed(70_000), mode: .isolated, leverage: Fixed(5)), time: 1_000_000_000))
        engine.apply(.position(PositionUpdate(account: "loser", symbol: market, side: .long, quantity: Fixed(1),
            entryPrice: Fixed(60_000), mode: .isolated, leverage: Fixed(20)), time: 1_000_000_000))
        for index in 0..<waiting {
            engine.apply(.position(PositionUpdate(account: "wait-\(index)", symbol: market, side: .long, quantity: Fixed(1) / Fixed(10),
                entryPrice: Fixed(60_000), mode: .isolated, leverage: Fixed(10 - index % 3)), time: 1_000_000_000))
        }
        let liquidation = engine.positions[1].liquidation!
        var log = SessionLog()
        log.record(engine.apply(.mark(symbol: market, price: liquidation - Fixed(1), time: 2_000_000_000)))
        return (engine, log)
    }

    static func screen(width: Int, height: Int) -> [String] {
        let (engine, log) = session()
        var status = SessionStatus(kind: "REPLAY", source: "test")
        status.time = engine.time
        return AppModel(width: width, height: height, status: status, engine: engine, log: log, symbol: "BTCUSDT").rendered().lines
    }

    @Test("the session: the long was closed by ADL, nothing filled, no deficit; the others wait below")
    func sessionAsDescribed() throws {
        let (engine, log) = Self.session()
        let record = try #require(log.simulatedLiquidations.last)
        #expect(record.account == "loser")
        #expect(record.filledQuantity.isZero && record.deficit.isZero)
        #expect(record.adlQuantity == Fixed(1))
        #expect(engine.positions.filter { $0.isOpen && $0.side == .long }.count == 7)
    }

    @Test("the tape's deficit column says where the unfilled quantity went, not 0")
    func tapeSaysADL() throws {
        let record = try #require(Self.session().log.simulatedLiquidations.last)
        #expect(TapePane.deficitCell(record) == "ADL")
        var paid = record
        paid.deficit = Fixed(1_234)
        #expect(TapePane.deficitCell(paid) == "1,234 +ADL")
        var takenOver = record
        takenOver.adlQuantity = .zero
        takenOver.fundTakeoverQuantity = Fixed(1)
        #expect(TapePane.deficitCell(takenOver) == "FUND")
        var filled = takenOver
        filled.fundTakeoverQuantity = .zero
        #expect(TapePane.deficitCell(filled) == "0")
        for (width, height) in [(80, 24), (120, 40), (200, 60)] {
            let tapeRows = Self.screen(width: width, height: height).filter { $0.contains("▲") && $0.contains("1.000") }
            #expect(tapeRows.count == 1 && tapeRows[0].contains("ADL"), "\(width)x\(height): \(tapeRows)")
        }
        // Where the quantity went, with its unit, after the cell's mark: "ADL ADL 1.000" read as
        // the mark twice and a bare number (operator trial).
        let wide = Self.screen(width: 320, height: 60).filter { $0.contains("▲") && $0.contains("1.000") }
        #expect(wide.count == 1 && wide[0].contains("· 1.000 BTC unfilled · 1.000 BTC to ADL") && !wide[0].contains("ADL ADL"), "\(wide)")
    }

    @Test("the ladder says the bids have run out and how many liquidation prices lie below")
    func ladderSaysNoBids() {
        for (width, height) in [(80, 24), (120, 40), (200, 60)] {
            let text = Self.screen(width: width, height: height).joined(separator: "\n")
            #expect(text.contains("no bids · 7 liquidations below"), "\(width)x\(height)\n\(text)")
        }
    }

    @Test("a side's rows ending before the pane: the count past the last row, from the rows' own buckets")
    func beyondTheLastRow() {
        let rows = [LadderPane.Row(price: 100, size: 1, cumulative: 1, consumed: 0, liquidations: 0),
                    LadderPane.Row(price: 90, size: 1, cumulative: 2, consumed: 0, liquidations: 0)]
        // The last bid row, 90, covers 90...99 (a long triggers there as the mark falls to it):
        // below it, 89 and down.
        #expect(LadderPane.beyondBook(rows, .bid, liquidations: [5, 80, 89, 90, 95]) == 3)
        #expect(LadderPane.beyondBook([], .bid, liquidations: [5, 80]) == 2)
        // The last ask row, 100, covers 91...100: above it, 101 and up.
        #expect(LadderPane.beyondBook(rows.reversed(), .ask, liquidations: [95, 99, 100, 101, 500]) == 2)
        let top = [LadderPane.Row(price: .max, size: 1, cumulative: 1, consumed: 0, liquidations: 0)]
        #expect(LadderPane.beyondBook(top, .ask, liquidations: [.max]) == 0)
    }

    @Test("a windowed table lists only the prices near the mark: those it left out count when they lie past the book, and no count is given when they may not")
    func beyondWithPricesLeftOut() {
        var reach = LiquidationReach(range: 50...150)
        reach.outside.longsBelow = 1_000
        reach.outside.longsAbove = 3
        reach.outside.shortsAbove = 500
        let bids = [LadderPane.Row(price: 100, size: 1, cumulative: 1, consumed: 0, liquidations: 0),
                    LadderPane.Row(price: 90, size: 1, cumulative: 2, consumed: 0, liquidations: 0)]
        // Below the last row (89 and down): 60, 75 and 85 listed, and the thousand left out below 50.
        #expect(LadderPane.beyondBook(bids, .bid, liquidations: [60, 75, 85, 95], reach: reach) == 1_003)
        // No bids: every long's price, listed or not.
        #expect(LadderPane.beyondBook([], .bid, liquidations: [60, 75], reach: reach) == 1_005)
        // Rows reaching below the listed range: prices left out may lie within the book.
        let deep = bids + [LadderPane.Row(price: 40, size: 1, cumulative: 3, consumed: 0, liquidations: 0)]
        #expect(LadderPane.beyondBook(deep, .bid, liquidations: [60], reach: reach) == nil)
        let asks = [LadderPane.Row(price: 110, size: 1, cumulative: 1, consumed: 0, liquidations: 0)]
        #expect(LadderPane.beyondBook(asks, .ask, liquidations: [110, 115, 120, 140], reach: reach) == 503)
        let farAsks = [LadderPane.Row(price: 200, size: 1, cumulative: 1, consumed: 0, liquidations: 0)]
        #expect(LadderPane.beyondBook(farAsks, .ask, liquidations: [], reach: reach) == nil)
        // The book moved past the range's near side since the scan: prices left out on that side
        // may lie past the book too, so no count rather than one too low.
        var moved = LiquidationReach(range: 1_000...2_000)
        moved.outside.shortsBelow = 5
        let lowAsks = [LadderPane.Row(price: 500, size: 1, cumulative: 1, consumed: 0, liquidations: 0)]
        #expect(LadderPane.beyondBook(lowAsks, .ask, liquidations: [], reach: moved) == nil)
        moved.outside = LiquidationsOutside()
        moved.outside.longsAbove = 5
        let highBids = [LadderPane.Row(price: 2_500, size: 1, cumulative: 1, consumed: 0, liquidations: 0)]
        #expect(LadderPane.beyondBook(highBids, .bid, liquidations: [], reach: moved) == nil)
        // Within the range, the prices left out above it lie above the last bid row: counted out.
        let bidsInRange = [LadderPane.Row(price: 1_500, size: 1, cumulative: 1, consumed: 0, liquidations: 0)]
        #expect(LadderPane.beyondBook(bidsInRange, .bid, liquidations: [1_200, 1_495, 1_500], reach: moved) == 2)
        // Eaten levels with nothing left (the cascade's): past the last row with something, or
        // every price when no row has anything, listed or not.
        let eaten = [LadderPane.Row(price: 100, size: 1, cumulative: 1, consumed: 0, liquidations: 0),
                     LadderPane.Row(price: 90, size: 0, cumulative: 1, consumed: 2, liquidations: 0),
                     LadderPane.Row(price: 30, size: 0, cumulative: 1, consumed: 2, liquidations: 0)]
        #expect(LadderPane.beyondBook(eaten, .bid, liquidations: [60, 85, 95, 100], reach: reach) == 1_003)
        let allEaten = eaten.map { row in var row = row; row.size = 0; return row }
        #expect(LadderPane.beyondBook(allEaten, .bid, liquidations: [60, 85, 95, 100], reach: reach) == 1_007)
    }

    @Test("a windowed table (more positions than the window) still counts every long below an empty bid side")
    func windowedTableCountsAll() throws {
        let (engine, log) = Self.session(waiting: PositionTable.fullTableLimit + 1_000)
        var status = SessionStatus(kind: "REPLAY", source: "test")
        status.time = engine.time
        let screen = AppModel(width: 120, height: 40, status: status, engine: engine, log: log, symbol: "BTCUSDT")
        #expect(screen.table.liquidationReach["BTCUSDT"].map { $0.range != Int64.min...Int64.max } == true, "the table is windowed")
        let text = screen.rendered().text
        #expect(text.contains("no bids · 6,000 liquidations below"), "\(text)")
    }

    @Test("at 80×24 the fund pane keeps the ADL line and the stress it comes from, its lesser lines give way")
    func fundKeepsADL() throws {
        let lines = Self.screen(width: 80, height: 24)
        let fundTop = try #require(lines.firstIndex { $0.contains("Fund USDT") })
        let fundLines = lines[(fundTop + 1)...].prefix(5).joined(separator: "\n")
        // The engine's class: a close deleveraged a second ago, so ADL is under way (it read "NEAR"
        // while the tape printed ADL rows), and the stress says more is coming.
        #expect(fundLines.contains("ADL       UNDER WAY"), "\(fundLines)")
        // Narrower still, the state stays.
        var status = SessionStatus(kind: "REPLAY", source: "test")
        let (engine, log) = Self.session()
        status.time = engine.time
        let model = AppModel(width: 80, height: 24, status: status, engine: engine, log: log, symbol: "BTCUSDT")
        var buffer = Buffer(width: 17, height: 9)
        FundPane.render(model, Rect(x: 0, y: 0, width: 17, height: 9), focused: false, &buffer)
        #expect(buffer.lines.contains { $0.contains("ADL") && $0.contains("UNDER WAY") }, "\(buffer.lines)")
        // The stress keeps its label, taking the shorter value: "0.700 BTC → ADL" alone, under
        // the balance, read as ADL done (operator trial).
        #expect(fundLines.contains("covers stress → ADL") && fundLines.contains("balance"), "\(fundLines)")
        let wide = Self.screen(width: 120, height: 40).joined(separator: "\n")
        // With room, every line in its order, the fees among them.
        #expect(wide.contains("in: fees") && wide.contains("UNDER WAY: 1 close; stress → more") && wide.contains("unfillable 0.700 BTC → ADL"), "\(wide)")
        // Ten seconds of session time later, ADL is near again (the stress), with the closes so far.
        var later = Self.session()
        later.engine.apply(.mark(symbol: "BTCUSDT", price: later.engine.market("BTCUSDT")!.markPrice!, time: 12_000_000_001))
        status.time = later.engine.time
        let after = AppModel(width: 120, height: 40, status: status, engine: later.engine, log: later.log, symbol: "BTCUSDT").rendered().text
        #expect(after.contains("NEAR: stress → ADL, 1 close so far"), "\(after)")
    }

    @Test("the positions pane's deficit column says ADL where the book could take nothing, and that sort ranks them by what would go to ADL")
    func positionsSayADL() throws {
        let (engine, log) = Self.session()
        var status = SessionStatus(kind: "REPLAY", source: "test")
        status.time = engine.time
        let model = AppModel(width: 200, height: 60, status: status, engine: engine, log: log, symbol: "BTCUSDT")
        // A waiting long: no bids, so nothing fills and no deficit, all of it to ADL.
        let waiting = try #require(engine.positions.indices.first { engine.positions[$0].isOpen && engine.positions[$0].side == .long })
        let row = PositionTable.row(of: Int32(waiting), in: engine, adl: nil)
        #expect(row.deficitNow.isZero && row.unfilledNow == Fixed(1).bookUnits / 10)
        #expect(PositionsPane.cell(row, .deficit, instrument: nil, names: model.marketNames, width: 12).0.trimmingCharacters(in: .whitespaces) == "ADL")
        var paid = row
        paid.deficitNow = Fixed(1_234)
        #expect(PositionsPane.cell(paid, .deficit, instrument: nil, names: model.marketNames, width: 12).0.trimmingCharacters(in: .whitespaces) == "1,234 +ADL")
        var absorbed = row
        absorbed.unfilledNow = 0
        #expect(PositionsPane.cell(absorbed, .deficit, instrument: nil, names: model.marketNames, width: 12).0.trimmingCharacters(in: .whitespaces) == "0")
        // Sorted by deficit: equal deficits (all 0) go by the quantity the book cannot take; the
        // short, whose close the asks fill, comes last.
        let rows = model.table.view(filter: "", column: .deficit, descending: true)
        #expect(rows.last?.side == .short && rows.first?.side == .long, "\(rows.map(\.account))")
        let text = model.rendered().text
        let positionRows = text.split(separator: "\n").filter { $0.contains("wait-") }
        #expect(!positionRows.isEmpty && positionRows.allSatisfy { $0.contains("ADL") }, "\(text)")
    }

    @Test("a position whose market has had no book yet: its deficit is unknown (—), not ADL; its view says so")
    func noBookYet() throws {
        var (engine, log) = Self.session()
        engine.apply(.mark(symbol: "XRPUSDT", price: Fixed("1.96")!, time: engine.time))
        engine.apply(.position(PositionUpdate(account: "fred", symbol: "XRPUSDT", side: .long, quantity: Fixed(10_000),
            entryPrice: Fixed("1.96")!, mode: .isolated, leverage: Fixed(20)), time: engine.time))
        let fred = try #require(engine.positions.indices.first { engine.positions[$0].isOpen && engine.positions[$0].quantity == Fixed(10_000) })
        let row = PositionTable.row(of: Int32(fred), in: engine, adl: nil)
        var status = SessionStatus(kind: "REPLAY", source: "test")
        status.time = engine.time
        var model = AppModel(width: 200, height: 60, status: status, engine: engine, log: log, symbol: "BTCUSDT")
        #expect(row.noBookYet && row.unfilledNow == 0)
        #expect(PositionsPane.cell(row, .deficit, instrument: nil, names: model.marketNames, width: 12).0.trimmingCharacters(in: .whitespaces) == "—")
        // The emptied BTCUSDT book still says ADL: it had a snapshot.
        let waiting = try #require(engine.positions.indices.first { engine.positions[$0].isOpen && engine.positions[$0].side == .long && $0 != fred })
        #expect(!PositionTable.row(of: Int32(waiting), in: engine, adl: nil).noBookYet)
        model.press(.character("/"))
        for character in "fred" { model.press(.character(character)) }
        model.press(.enter)
        model.press(.enter)
        let text = model.rendered().text
        #expect(text.contains("If liquidated now: — (no book for this market yet)"), "\(text)")
        // No mark yet: no ADL place either (alone on its side it showed five lights and a score of 0).
        engine.apply(.position(PositionUpdate(account: "gina", symbol: "ETHUSDT", side: .long, quantity: Fixed(1),
            entryPrice: Fixed(3_000), mode: .isolated, leverage: Fixed(10)), time: engine.time))
        let gina = try #require(engine.positions.indices.first { engine.positions[$0].isOpen && engine.positions[$0].entryPrice == Fixed(3_000) })
        let alone = ADLQueueEntry(score: .zero, rank: 1, of: 1, lights: 5)
        #expect(PositionTable.row(of: Int32(gina), in: engine, adl: alone).adl == nil)
        #expect(PositionTable.row(of: Int32(fred), in: engine, adl: alone).adl != nil, "a market with a mark keeps its place")
    }

    @Test("the what-if ladder marks a shock whose closes go to ADL: 'ADL', not a deficit of 0.00")
    func ladderSaysADL() throws {
        let (engine, _) = Self.session()
        let ladder = engine.stressLadder(symbol: "BTCUSDT")
        let down = try #require(ladder.first { $0.shockPercent == Fixed(-20) })
        #expect(down.adlQuantity.isPositive && down.totalDeficit.isZero)
        #expect(WhatIfPane.ladderDeficitCell(down) == "ADL")
        let calm = try #require(ladder.first { $0.shockPercent == Fixed(1) })
        #expect(WhatIfPane.ladderDeficitCell(calm) == "0.00")
    }

    /// At 23:56:16 of the demo `fund 8,000.00 → 8,000.00` read as safe, nine seconds before the
    /// refilled book drained the fund (operator trial).
    @Test("the what-if view says the side it closes into is empty now, and what the fund's figure then assumes")
    func whatIfSaysSideEmpty() throws {
        let (engine, log) = Self.session()
        let down = try engine.stress(symbol: "BTCUSDT", shockPercent: Fixed(-20))
        #expect(down.unfilledQuantity.isPositive)
        var status = SessionStatus(kind: "REPLAY", source: "test")
        status.time = engine.time
        let model = AppModel(width: 160, height: 50, status: status, engine: engine, log: log, symbol: "BTCUSDT")
        var buffer = Buffer(width: 150, height: 40)
        _ = WhatIfPane.render(model, result: down, ladder: [], Rect(x: 0, y: 0, width: 150, height: 40), &buffer)
        let text = buffer.lines.joined(separator: "\n")
        #expect(text.contains("The bids are empty now: the fund's figure holds only while none come back below bankruptcy"), "\(text)")
        // Narrower, the shorter forms stay conditional (`refilled below bankruptcy, each fill is a
        // deficit` above `Total deficit 0.00` read as a contradiction: operator trial).
        for (width, form) in [(100, "The bids are empty now: if they refill below bankruptcy, each fill will be a deficit"),
                              (70, "Bids empty: refills below bankruptcy would cost the fund")] {
            var narrow = Buffer(width: width, height: 40)
            _ = WhatIfPane.render(model, result: down, ladder: [], Rect(x: 0, y: 0, width: width, height: 40), &narrow)
            #expect(narrow.lines.joined(separator: "\n").contains(form), "\(width): \(narrow.lines.joined(separator: "\n"))")
        }
        // Up: the asks are there; nothing said of them.
        let up = try engine.stress(symbol: "BTCUSDT", shockPercent: Fixed(5))
        var upBuffer = Buffer(width: 150, height: 40)
        _ = WhatIfPane.render(model, result: up, ladder: [], Rect(x: 0, y: 0, width: 150, height: 40), &upBuffer)
        #expect(!upBuffer.lines.joined().contains("are empty now"), "\(upBuffer.lines.joined(separator: "\n"))")
        // The asks emptied instead: shorts buy back above their bankruptcy prices (review).
        var bare = engine
        bare.apply(.bookSnapshot(symbol: "BTCUSDT", bids: [(units("59990"), units("50"))], asks: [], time: engine.time))
        let squeezed = try bare.stress(symbol: "BTCUSDT", shockPercent: Fixed(60))
        if squeezed.unfilledQuantity.isPositive {
            var squeezeBuffer = Buffer(width: 150, height: 40)
            _ = WhatIfPane.render(AppModel(width: 160, height: 50, status: status, engine: bare, log: log, symbol: "BTCUSDT"),
                result: squeezed, ladder: [], Rect(x: 0, y: 0, width: 150, height: 40), &squeezeBuffer)
            #expect(squeezeBuffer.lines.joined().contains("The asks are empty now: the fund's figure holds only while none come back above bankruptcy"),
                "\(squeezeBuffer.lines.joined(separator: "\n"))")
        } else {
            Issue.record("the +60% shock left no short unfilled: \(squeezed)")
        }
    }

    @Test("a jump to the next notable event says what it landed on")
    func jumpLanding() throws {
        let (_, log) = Self.session()
        let record = try #require(log.simulatedLiquidations.last)
        let text = JumpLanding.text(at: record.time, log: log)
        // The two alerts of that second: the empty bids' spread and the stressed deficit.
        #expect(text.hasPrefix("→ ") && text.contains(": liquidation ▲ long loser BTCUSDT, ADL · 2 alerts"), "\(text)")
        #expect(log.alerts.filter { $0.time == record.time }.map(\.signal).sorted { $0.rawValue < $1.rawValue } == [.spread, .stressedDeficit])
        #expect(JumpLanding.text(at: record.time - 1, log: log).hasSuffix(": a liquidation, deficit or alert"))
        // A venue's market is named as the panes name it.
        var venueLog = SessionLog()
        var named = record
        named.symbol = "binance-usdm:BTCUSDT"
        venueLog.record(.liquidation(named))
        let landed = JumpLanding.text(at: record.time, log: venueLog)
        #expect(landed.contains("loser BTCUSDT") && !landed.contains("binance-usdm"), "\(landed)")
    }

    @Test("ADL's closes are counted with separators, one close in the singular")
    func closesCounted() {
        // No longs waiting, so no stress: the state is what happened.
        var quiet = Self.session(waiting: 0)
        let fund = FundPane.shownFund(AppModel(width: 80, height: 24, status: SessionStatus(kind: "REPLAY", source: "test"), engine: quiet.engine,
            symbol: "BTCUSDT"))!
        #expect(quiet.engine.funds[Int(fund)].adlEvents == 1)
        quiet.engine.funds[Int(fund)].adlEvents = 12_345
        var status = SessionStatus(kind: "REPLAY", source: "test")
        status.time = quiet.engine.time
        let text = AppModel(width: 120, height: 40, status: status, engine: quiet.engine, log: quiet.log, symbol: "BTCUSDT").rendered().text
        #expect(text.contains("UNDER WAY: 12,345 closes"), "\(text)")
        quiet.engine.apply(.mark(symbol: "BTCUSDT", price: quiet.engine.market("BTCUSDT")!.markPrice!, time: 12_000_000_001))
        status.time = quiet.engine.time
        let later = AppModel(width: 120, height: 40, status: status, engine: quiet.engine, log: quiet.log, symbol: "BTCUSDT").rendered().text
        #expect(later.contains("12,345 closes so far"), "\(later)")
    }
}
