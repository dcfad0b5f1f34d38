import Testing
@testable import Dashboard
@testable import RiskEngine

/// Where the stressed deficit's book share, and signals not judged yet, are said (operator
/// re-trial): a WARN beside 8,437.54 (3.4 % of the fund) gave no reason; the fund pane gave
/// another market's stress as if the focused one's; `covers  84% of bids` read as coverage;
/// `+6 more, all ok` and the markets pane's `ok` hid signals still learning.
@Suite("The book share and learning, as shown")
struct StressShareDisplayTests {
    @Test("the signals pane's value gives the share beside a deficit too, where it is a WARN")
    func shareBesideDeficit() {
        var stress = StressedDeficit(deficit: Fixed("8437.54")!)
        (stress.bookShare, stress.bookSharePercent, stress.bookShareSide) = (0.56, 56, .long)
        var reading = SignalReading(kind: .stressedDeficit, value: 8_437.54, baseline: 250_000, level: .warn, count: nil)
        reading.bookShare = 0.56
        let (value, _) = SignalsPane.formatted(reading, unit: "SUSHI", asset: "USDT", stress: stress)
        #expect(value == "8,437.54 · 56% bids", "\(value)")
        // None lost: `0 · 84% bids`; at ok (not the share's), nothing said.
        let none = StressedDeficit()
        var zero = SignalReading(kind: .stressedDeficit, value: 0, baseline: 250_000, level: .ok, count: nil)
        #expect(SignalsPane.formatted(zero, unit: "BTC", asset: "USDT", stress: none).0 == "0.00")
        var shared = none
        (shared.bookShare, shared.bookSharePercent, shared.bookShareSide) = (0.84, 84, .long)
        zero.level = .warn
        zero.bookShare = 0.84
        #expect(SignalsPane.formatted(zero, unit: "BTC", asset: "USDT", stress: shared).0 == "0 · 84% bids")
    }

    /// Two markets on one USDT fund: BTCUSDT's near longs take 75 % of its bids (WARN), ETHUSDT
    /// has no positions; the model focused on ETHUSDT.
    func sharedFund(focus: String, width: Int = 200, height: Int = 60) -> AppModel {
        var engine = Engine(configuration: EngineConfiguration())
        engine.openFund(asset: "USDT", balance: Fixed(1_000_000))
        for (symbol, price) in [("BTCUSDT", 60_000), ("ETHUSDT", 3_000)] {
            engine.apply(.mark(symbol: symbol, price: Fixed(price), time: 1_000_000_000))
            engine.apply(.bookSnapshot(symbol: symbol, bids: [(units("\(price - 10)"), units("4"))], asks: [(units("\(price + 10)"), units("1000"))],
                time: 1_000_000_000))
        }
        for number in 0..<3 {
            engine.apply(.position(PositionUpdate(account: "near\(number)", symbol: "BTCUSDT", side: .long, quantity: Fixed(1),
                entryPrice: Fixed(60_000), mode: .isolated, leverage: Fixed(200)), time: 1_100_000_000))
        }
        for second in 2...4 { engine.apply(.clock(time: Int64(second) * 1_000_000_000)) }
        var status = SessionStatus(kind: "REPLAY", source: "test")
        status.time = engine.time
        return AppModel(width: width, height: height, status: status, engine: engine, symbol: focus)
    }

    @Test("a fund shared by several markets names the market whose stress it shows, where that is not the focused one")
    func fundNamesTheMarket() {
        let other = sharedFund(focus: "ETHUSDT").rendered().text
        #expect(other.contains("no deficit; takes 75% of bids · 3 longs · BTCUSDT"), "\(other)")
        let own = sharedFund(focus: "BTCUSDT").rendered().text
        #expect(own.contains("no deficit; takes 75% of bids · 3 longs") && !own.contains("3 longs · BTCUSDT"), "\(own)")
    }

    @Test("narrow, the market's name stays in every form of the stress line: the amount or the count goes first")
    func fundNamesTheMarketNarrow() throws {
        for (width, height) in [(80, 24), (120, 40)] {
            let lines = sharedFund(focus: "ETHUSDT", width: width, height: height).rendered().lines
            let covers = try #require(lines.first { $0.contains("covers") }, "\(width)×\(height): \(lines.joined(separator: "\n"))")
            #expect(covers.contains("BTCUSDT"), "\(width)×\(height): \(covers)")
        }
    }

    @Test("signals still learning: the markets pane says learn, the signals pane's hidden rows count them")
    func learningSaid() {
        let fresh = engine(positions: 0)
        let row = MarketTable.row(of: fresh.market("BTCUSDT")!, positions: 0, nearLiquidation: 0)
        #expect(row.learning)
        // A market not sampled yet (no readings): learning too, not ok (review).
        var unsampled = Engine()
        unsampled.apply(.bookSnapshot(symbol: "BTCUSDT", bids: [(units("59999.9"), units("1"))], asks: [(units("60000"), units("1"))], time: 1_000_000_000))
        #expect(MarketTable.row(of: unsampled.market("BTCUSDT")!, positions: 0, nearLiquidation: 0).learning)
        let app = model(width: 80, height: 24, engine: fresh)
        let signal = MarketsPane.columns.first { $0.column == .signal }!
        #expect(signal.cell(row, app).0 == "learn", "\(signal.cell(row, app))")
        let text = app.rendered().text
        #expect(text.contains("learning") && !text.contains("all ok"), "\(text)")
    }
}

/// The health view's lines of alert delivery and a stopped recording wrap, never cut (at 80
/// columns `on-alert 62 run, 62 failed, 2` hid 238 skipped: attacker trial).
@Suite("The health view's long lines")
struct HealthViewLinesTests {
    @Test("a delivery summary wider than the view: every figure on screen whole")
    func deliveryWraps() {
        let bare = engine(positions: 0)
        var status = SessionStatus(kind: "REPLAY", source: "test")
        status.time = bare.time
        status.alertDelivery = "alert log 0 written, 300 failed · on-alert 62 run, 62 failed, 238 skipped (too many waiting) · last error: on-alert stopped by signal 15 (over 10 s)"
        var app = AppModel(width: 80, height: 24, status: status, engine: bare, log: SessionLog())
        _ = app.update(.key(.character("h")))
        let text = app.rendered().lines.joined(separator: "\n")
        for part in ["300 failed", "62 run,", "238 skipped", "(over 10 s)"] { #expect(text.contains(part), "\(part):\n\(text)") }
    }

    /// An attacker's finding: a refused first connection's error stayed on a stream live for
    /// minutes, read as news.
    @Test("a stream's last error says how long ago it came")
    func lastErrorAge() {
        let bare = engine(positions: 0)
        var status = SessionStatus(kind: "LIVE", source: "test")
        status.time = bare.time
        var stream = StreamStatus(name: "binance-usdm", state: "live", age: 0.1, messagesPerSecond: 10, messages: 100, gaps: 0, resyncs: 0,
            reconnects: 0, malformed: 0, stale: false, symbols: ["BTCUSDT"], lastError: "cannot connect to 127.0.0.1:19112: connection refused")
        stream.lastErrorAge = 185_000_000_000
        status.streams = [stream]
        var app = AppModel(width: 200, height: 60, status: status, engine: bare, log: SessionLog())
        _ = app.update(.key(.character("h")))
        let text = app.rendered().text
        #expect(text.contains("last error 3m 5s ago: cannot connect to 127.0.0.1:19112"), "\(text)")
    }
}
