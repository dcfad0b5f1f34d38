import Testing
@testable import Dashboard
import RiskEngine

/// Positions placed after the table was chosen show at once, and positions that all closed are
/// said to have closed: at 0.1x an events file's positions were "no monitored positions" for 25 s
/// beside a stressed deficit at ALERT, and after its cascade the pane said the same beside a tape
/// of thirty liquidations (attacker trial).
@Suite("Positions arriving and leaving")
struct PositionsArrivingTests {
    @Test("a table chosen with no positions is chosen again at the next turn that has some")
    func arrivingShowAtOnce() {
        var bare = engine(positions: 0)
        var app = model(width: 120, height: 40, engine: bare)
        #expect(app.rendered().text.contains("no monitored positions"))
        // Placed a millisecond of session later: well within the two seconds between rebuilds.
        bare.apply(.position(PositionUpdate(account: "late", symbol: "BTCUSDT", side: .long, quantity: Fixed(1), entryPrice: Fixed(60_000),
            mode: .isolated, leverage: Fixed(20)), time: 3_001_000_000))
        var status = app.status
        status.time = bare.time
        _ = app.update(.session(engine: bare, log: SessionLog(), status: status))
        let text = app.rendered().text
        #expect(text.contains("Positions 1/1") && text.contains("late"), "\(text)")
    }

    @Test("every position closed: said so, not 'no monitored positions'")
    func allClosedSaySo() {
        var two = engine(positions: 2)
        var app = model(width: 120, height: 40, engine: two)
        for account in ["acct-0", "acct-1"] {
            let side: Side = account == "acct-0" ? .long : .short
            two.apply(.position(PositionUpdate(account: account, symbol: "BTCUSDT", side: side, quantity: .zero, entryPrice: Fixed(60_000),
                mode: .isolated, leverage: Fixed(5)), time: 6_000_000_000))
        }
        var status = app.status
        status.time = two.time
        _ = app.update(.session(engine: two, log: SessionLog(), status: status))
        let text = app.rendered().text
        #expect(text.contains("no open position: all 2 monitored have closed") && !text.contains("no monitored positions"), "\(text)")
    }

    @Test("the mark column gives every digit the mark has: the ratio beside it is worked from it")
    func markEveryDigit() {
        var two = engine(positions: 2)
        two.apply(.mark(symbol: "BTCUSDT", price: Fixed("60000.125")!, time: 3_100_000_000))
        let text = model(width: 200, height: 60, engine: two).rendered().text
        // At the tick's two places it read 60,000.13 (SUSHI's 7.6115 read 7.612 beside a ratio
        // that 7.612 does not give: operator trial).
        #expect(text.contains("60,000.125") && !text.contains("60,000.13"), "\(text.split(separator: "\n").filter { $0.contains("acct-") || $0.contains("mark") })")
    }

    /// Three longs of 1 at 200x, near liquidation, over one bid of `bid` at 59,990, the markets
    /// pane's row three seconds on.
    func thinBookRow(bid: String) -> MarketRow {
        var thin = Engine(configuration: EngineConfiguration())
        thin.openFund(asset: "USDT", balance: Fixed(1_000_000))
        thin.apply(.mark(symbol: "BTCUSDT", price: Fixed(60_000), time: 1_000_000_000))
        thin.apply(.bookSnapshot(symbol: "BTCUSDT", bids: [(units("59990"), units(bid))], asks: [(units("60010"), units("1000"))], time: 1_000_000_000))
        for number in 0..<3 {
            thin.apply(.position(PositionUpdate(account: "near\(number)", symbol: "BTCUSDT", side: .long, quantity: Fixed(1),
                entryPrice: Fixed(60_000), mode: .isolated, leverage: Fixed(200)), time: 1_100_000_000))
        }
        for second in 2...4 { thin.apply(.clock(time: Int64(second) * 1_000_000_000)) }
        return MarketTable.row(of: thin.market("BTCUSDT")!, positions: 3, nearLiquidation: 3)
    }

    @Test("the markets pane's stressed column gives the book share at WARN, not a dim 0")
    func marketsPaneBookShare() {
        let row = thinBookRow(bid: "4")
        let (text, role) = MarketsPane.stressedCell(row, exact: true)
        #expect(text == "0 · 75%" && role == .warn, "\(text) \(role)")
    }

    @Test("the markets pane names the quantity the book cannot fill, not a zero deficit, where the stress goes to ADL")
    func marketsPaneUnfillable() {
        // One bid of 0.5 under three longs of 1 near liquidation: 2.5 the book cannot fill.
        let row = thinBookRow(bid: "0.5")
        #expect(row.adlCertain && row.stressedUnfilled.isPositive, "\(row.stressedUnfilled)")
        let (text, role) = MarketsPane.stressedCell(row, exact: true)
        #expect(!row.stressedDeficit.isPositive)
        #expect(text == "ADL " + Format.quantity(row.stressedUnfilled, row.instrument) + " BTC" && role == .alert, "\(text)")
        #expect(!MarketsPane.stressedCell(row, exact: false).0.hasPrefix("0"))
        // Sorted by the stressed deficit, certain ADL comes before any deficit that is not (it sat
        // last, below markets at 0: operator trial).
        var other = row
        other.adlCertain = false
        other.stressedDeficit = Fixed(5_000)
        #expect(MarketTable.ascending(other, row, by: .stressed) && !MarketTable.ascending(row, other, by: .stressed))
    }
}
