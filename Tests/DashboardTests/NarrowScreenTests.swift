import Testing
@testable import Dashboard
@testable import RiskEngine

/// What an operator trying the dashboard at 80×24 found cut: a margin ratio cut on the left, the
/// ladder's figures over its own border, labels and titles cut mid-word, the tape without its
/// quantity and deficit, a footer ending in "space pau", and a fund chart with no sign of a drain.
@Suite("Narrow screens and huge figures")
struct NarrowScreenTests {
    /// The text of a pane's inner rectangle, line by line.
    func inner(_ rect: Rect, of model: AppModel) -> [String] {
        let lines = model.rendered().lines
        let inside = rect.inset(1)
        return (inside.y..<inside.maxY).map { String(lines[$0].unicodeScalars.dropFirst(inside.x).prefix(inside.width)) }
    }

    /// A pane's inner text as one string, line after line.
    func text(_ rect: Rect, of model: AppModel) -> String { inner(rect, of: model).joined(separator: "\n") }

    /// The dashboard over `engine` at a size, its clock at the engine's time.
    func model(_ engine: Engine, width: Int, height: Int) -> AppModel {
        var status = SessionStatus(kind: "REPLAY", source: "test")
        status.time = engine.time
        return AppModel(width: width, height: height, status: status, engine: engine, log: SessionLog())
    }

    func title(_ rect: Rect, of model: AppModel) -> String {
        String(model.rendered().lines[rect.y].unicodeScalars.dropFirst(rect.x).prefix(rect.width))
    }

    @Test("a margin ratio past 9,999 % reads >9,999% whole, at every width")
    func hugeRatio() {
        #expect(Format.percentDown(Fixed("730752679472098053.9326")!, decimals: 1) == ">9,999%")
        #expect(Format.percentDown(Fixed("99.99")!, decimals: 1) == "9,999.0%")
        #expect(Format.percentDown(Fixed("100")!, decimals: 1) == ">9,999%")
        #expect(Format.percentDown(Fixed("0.5561")!, decimals: 1) == "55.6%")
        // A position whose margin balance is a hair above zero, in a market with no book to
        // liquidate into (it stays open, its ratio about 3 × 10¹²).
        var engine = Engine()
        engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(60_000), time: 1_000_000_000))
        engine.apply(.position(PositionUpdate(account: "thin", symbol: "BTCUSDT", side: .long, quantity: Fixed(1),
            entryPrice: Fixed(60_000), mode: .isolated, isolatedMargin: Fixed("0.00000001")!), time: 1_000_000_000))
        for (width, height) in [(80, 24), (120, 40), (200, 60)] {
            let model = model(engine, width: width, height: height)
            let text = text(model.layout.positions, of: model)
            #expect(text.contains(">9,999%"), "\(width)×\(height):\n\(text)")
            #expect(!text.contains("%%"))
        }
    }

    @Test("the tape keeps quantity and deficit at 80×24 (the side shrinks to its arrow, the time goes first)")
    func narrowTape() {
        let model = cascadeModel(width: 80, height: 24)
        let lines = inner(model.layout.tape, of: model)
        #expect(lines[0].contains("qty") && lines[0].contains("deficit"), "\(lines[0])")
        let rows = lines.dropFirst().filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        #expect(!rows.isEmpty)
        for row in rows { #expect(row.hasPrefix("▲") || row.hasPrefix("▼"), "\(row)") }
        #expect(title(model.layout.tape, of: model).contains("Tape "), "the title's counts whole")
    }

    /// The tape's inner lines at 80×24 over `engine` and `log`.
    func tapeAt80(_ engine: Engine, _ log: SessionLog) -> [String] {
        var status = SessionStatus(kind: "REPLAY", source: "test")
        status.time = engine.time
        let model = AppModel(width: 80, height: 24, status: status, engine: engine, log: log)
        return inner(model.layout.tape, of: model)
    }

    @Test("the tape at 80×24 keeps a wide deficit before the quantity (of equal priorities the rightmost went first)")
    func narrowTapeWideDeficit() {
        // Long 12.345 BTC at 60,000, 20x: bankrupt at 57,000, filled at 56,000 → a deficit of
        // 12,345 USDT that a fund of 12,000 cannot pay whole: `12.0k +ADL`, too wide beside the quantity.
        var engine = Engine()
        engine.openFund(asset: "USDT", balance: Fixed(12_000))
        engine.apply(.bookSnapshot(symbol: "BTCUSDT", bids: [(units("56000"), units("20"))], asks: [(units("60010"), units("20"))], time: 1_000_000_000))
        engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(60_000), time: 1_000_000_000))
        engine.apply(.position(PositionUpdate(account: "winner", symbol: "BTCUSDT", side: .short, quantity: Fixed(20), entryPrice: Fixed(70_000),
            mode: .isolated, leverage: Fixed(2)), time: 1_000_000_000))
        var log = SessionLog()
        log.record(engine.apply(.position(PositionUpdate(account: "whale", symbol: "BTCUSDT", side: .long, quantity: Fixed("12.345")!,
            entryPrice: Fixed(60_000), mode: .isolated, leverage: Fixed(20)), time: 1_000_000_000)))
        log.record(engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(56_500), time: 2_000_000_000)))
        let lines = tapeAt80(engine, log)
        let record = log.simulatedLiquidations.last
        #expect(record.map { TapePane.deficitCell($0) } == "12.0k +ADL", "\(String(describing: record))")
        #expect(lines[0].contains("deficit") || lines[0].contains("def"), "\(lines)")
        // To the cent where the side's word makes the room (it gives way before the cents), else compact.
        #expect(lines.contains { ($0.contains("12.0k +ADL") || $0.contains("12,345.00 +ADL")) && $0.contains("12.345") }, "\(lines)")
    }

    @Test("several markets at 80×24: a wide quantity keeps the market's name, cut to its room, beside the deficit")
    func narrowTapeSeveralMarketsWideQuantity() {
        // A long of 12.3 BTC closed above bankruptcy (no deficit) in one of two markets.
        var engine = Engine()
        engine.openFund(asset: "USDT", balance: Fixed(1_000_000))
        engine.apply(.mark(symbol: "ETHUSDT", price: Fixed(3_000), time: 1_000_000_000))
        engine.apply(.bookSnapshot(symbol: "BTCUSDT", bids: [(units("59000"), units("20000"))], asks: [(units("60010"), units("20"))], time: 1_000_000_000))
        engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(60_000), time: 1_000_000_000))
        var log = SessionLog()
        log.record(engine.apply(.position(PositionUpdate(account: "whale", symbol: "BTCUSDT", side: .long, quantity: Fixed("12.3")!,
            entryPrice: Fixed(60_000), mode: .isolated, leverage: Fixed(20)), time: 1_000_000_000)))
        log.record(engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(56_500), time: 2_000_000_000)))
        let lines = tapeAt80(engine, log)
        #expect(lines.contains { $0.contains("BTC") && $0.contains("12.300") }, "\(lines)")
    }

    @Test("before any market (a jump before the session's first event) the ladder and signals titles name none, and no grouping")
    func titlesBeforeAnyMarket() {
        for (width, height) in [(80, 24), (120, 40)] {
            let top = model(Engine(), width: width, height: height).rendered().lines[1]
            #expect(top.contains("─ Depth ladder ─") && !top.contains("×") && top.contains("─ Signals ─"), "\(top)")
        }
    }

    @Test("at 80×24 titles and labels lose words, not letters: Fund USDT, deficits, riskiest first, whole key hints")
    func wordsNotLetters() {
        let model = cascadeModel(width: 80, height: 24)
        let fundTitle = title(model.layout.fund, of: model)
        #expect(fundTitle.contains("Fund USDT"), "\(fundTitle)")
        let fund = text(model.layout.fund, of: model)
        #expect(!fund.contains("out: defi ") && fund.contains("deficits"), "\(fund)")
        let positionsTitle = title(model.layout.positions, of: model)
        #expect(positionsTitle.contains("riskiest first"), "\(positionsTitle)")
        let footer = model.rendered().lines[model.layout.footer.y].trimmingCharacters(in: .whitespaces)
        let hints = FooterPane.hints(model.keymap).components(separatedBy: "  ")
        for shown in footer.components(separatedBy: "  ") { #expect(hints.contains(shown), "a cut hint: \(shown)") }
    }

    @Test("the ladder's figures never run over its border, however wide the sizes")
    func ladderBorder() {
        var engine = Engine()
        engine.apply(.bookSnapshot(symbol: "CTKUSDT",
            bids: (0..<30).map { (units("1.011") - Int64($0) * 100_000, units("78910.1234") + Int64($0) * 10_000_000_000) },
            asks: (0..<30).map { (units("1.012") + Int64($0) * 100_000, units("23859.5678") + Int64($0) * 10_000_000_000) },
            time: 1_000_000_000))
        for (width, height) in [(80, 24), (120, 40), (200, 60)] {
            let model = model(engine, width: width, height: height)
            let lines = model.rendered().lines
            let ladder = model.layout.ladder
            for y in (ladder.y + 1)..<(ladder.maxY - 1) {
                let right = Array(lines[y].unicodeScalars)[ladder.maxX - 1]
                #expect(right == "│" || right == "┃", "\(width)×\(height) line \(y): \(lines[y])")
            }
        }
    }

    @Test("a space parts the side's sign from a price of ten characters (−105,077.00 read as a negative price)")
    func ladderSignApart() {
        var engine = Engine()
        engine.apply(.bookSnapshot(symbol: "BTCUSDT",
            bids: (0..<20).map { (units("105055") - Int64($0) * 100_000_000, units("0.33951")) },
            asks: (0..<20).map { (units("105077") + Int64($0) * 100_000_000, units("0.5")) },
            time: 1_000_000_000))
        for (width, height) in [(80, 24), (120, 40)] {
            let model = model(engine, width: width, height: height)
            let ladder = text(model.layout.ladder, of: model)
            #expect(ladder.contains("− 105,077.00") && ladder.contains("+ 105,055.00"), "\(width)×\(height): \(ladder)")
            #expect(!ladder.contains("−105,") && !ladder.contains("+105,"))
            // The bars' title whole or shorter, never cut (`dept` at 80 columns).
            #expect(!ladder.contains("dept ") && !ladder.contains("dept│") && !ladder.contains("dept┃"), "\(ladder)")
        }
    }

    @Test("a signal's figure wider than its column widens the column, never cut (a bid at 1 beside an ask at 60,000)")
    func wideSignalFigure() {
        var engine = Engine()
        engine.apply(.bookSnapshot(symbol: "BTCUSDT", bids: [(units("1"), units("1"))], asks: [(units("60000"), units("1"))], time: 1_000_000_000))
        for second in 2...4 { engine.apply(.clock(time: Int64(second) * 1_000_000_000)) }
        for (width, height) in [(80, 24), (120, 40)] {
            let model = model(engine, width: width, height: height)
            let text = text(model.layout.signals, of: model)
            #expect(text.contains("19,999.33 bps"), "\(width)×\(height):\n\(text)")
        }
    }

    @Test("a fund of thirty billion at 80×24: a label that does not fit in its short form is left out, never cut")
    func hugeFundLabels() {
        var engine = Engine()
        engine.openFund(asset: "USDT", balance: Fixed(30_000_000_000))
        // A market opens the fund (before one, the pane says no fund yet).
        engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(60_000), time: 1_000_000_000))
        let model = model(engine, width: 80, height: 24)
        // With the merged inflows line (`opening+fees +30.0B`), read up to its first `+`.
        let labels = ["balance", "bal", "in: fees", "fees", "in: surplus", "surplus", "out: deficits", "deficits", "drawdown", "down",
            "opening", "open", "start"]
        for line in inner(model.layout.fund, of: model) {
            let words = line.split(separator: " ", maxSplits: 1).map(String.init)
            guard let first = words.first, first.first?.isLetter == true else { continue }
            let label = line.prefix { $0 != "+" && $0 != "−" && !$0.isNumber }.trimmingCharacters(in: .whitespaces)
            #expect(label.isEmpty || labels.contains(label) || ["covers stress", "stress", "ADL"].contains(label), "a cut label: \(line)")
        }
        #expect(text(model.layout.fund, of: model).contains("30,000,000,000.00"))
    }

    @Test("a market whose first snapshot holds an ask at the largest book unit: the ladder draws at every grouping, no trap")
    func ladderAtTheLimit() {
        var engine = Engine()
        // A first snapshot is taken as given when it is mostly such levels: nothing to judge it by.
        engine.apply(.bookSnapshot(symbol: "BTCUSDT", bids: [(.max - 7, units("1"))], asks: [(.max - 3, units("1")), (.max, units("1"))],
            time: 1_000_000_000))
        var screen = model(engine, width: 120, height: 40)
        for _ in 0..<4 {
            #expect(!screen.rendered().text.isEmpty)
            screen.press(.character("z"))
        }
        #expect(LadderPane.roundedUp(.max - 3, to: 1_000) == .max - 3, "past the largest multiple: the price itself")
        #expect(LadderPane.roundedUp(1_234, to: 1_000) == 2_000 && LadderPane.roundedUp(2_000, to: 1_000) == 2_000)
    }

    @Test("a coin's fund shows eight places (a BTC fund of 0.00012 is not 0.00); narrow, its outflow keeps a word (out)")
    func coinFund() {
        var engine = Engine()
        engine.openFund(asset: "BTC", balance: Fixed("0.00012")!)
        engine.apply(.mark(symbol: "binance-coinm:BTCUSD_PERP", price: Fixed(60_000), time: 1_000_000_000))
        let wide = model(engine, width: 120, height: 40)
        let fund = text(wide.layout.fund, of: wide)
        #expect(fund.contains("0.00012000"), "\(fund)")
        let narrow = model(engine, width: 80, height: 40)
        let narrowFund = text(narrow.layout.fund, of: narrow)
        // Nothing paid out shows no sign ("−0.00000000" read as a loss too small to show); the
        // label is a whole word, the long one now that the sign's cell is free.
        #expect(narrowFund.split(separator: "\n").contains { ($0.hasPrefix("out ") || $0.hasPrefix("deficits ")) && $0.hasSuffix(" 0.00000000") },
            "\(narrowFund)")
    }

    @Test("a fund drained and refilled between two samples shows the dip, and its low with the time")
    func fundDip() {
        var engine = Engine()
        engine.openFund(asset: "USDT", balance: Fixed(10_000))
        var model = model(engine, width: 120, height: 40)
        model.sample()
        // Within the next second: the fund falls to 5 and is stated back at 9,000.
        // (Statements naming the venue: with no market, one naming none waits for its venue's first.)
        engine.apply(.insuranceFund(asset: "USDT", venue: "binance-usdm", balance: Fixed(5), time: 1_500_000_000))
        engine.apply(.insuranceFund(asset: "USDT", venue: "binance-usdm", balance: Fixed(9_000), time: 1_600_000_000))
        engine.apply(.clock(time: 2_000_000_000))
        model.attach(engine: engine, log: SessionLog())
        model.sample()
        // The dip, then the balance now: the chart ends where the balance line is.
        #expect(model.fundHistory.suffix(2) == [5, 9_000], "\(model.fundHistory)")
        let fund = text(model.layout.fund, of: model)
        #expect(fund.contains("session low") && fund.contains("5.00 at 00:00:01"), "\(fund)")
    }

    @Test("paused mid-second, the fund chart's last point is the fund now, not the last whole second's")
    func fundChartNow() {
        var engine = Engine()
        engine.openFund(asset: "USDT", balance: Fixed(10_000))
        var model = model(engine, width: 120, height: 40)
        engine.apply(.insuranceFund(asset: "USDT", venue: "binance-usdm", balance: Fixed(10_000), time: 100_000_000))
        engine.apply(.clock(time: 1_000_000_000))
        model.attach(engine: engine, log: SessionLog())
        model.sample()
        #expect(model.fundHistory == [10_000], "\(model.fundHistory)")
        // Within the same second (no sample): the fund falls to 5, then is stated at 9,000.
        engine.apply(.insuranceFund(asset: "USDT", venue: "binance-usdm", balance: Fixed(5), time: 1_400_000_000))
        engine.apply(.insuranceFund(asset: "USDT", venue: "binance-usdm", balance: Fixed(9_000), time: 1_500_000_000))
        model.attach(engine: engine, log: SessionLog())
        #expect(model.fundHistory == [10_000, 5, 9_000], "the dip shows before the next second's sample, then the fund now: \(model.fundHistory)")
        // The next sample takes the dip; nothing moved since, and the chart still ends on the fund now.
        engine.apply(.clock(time: 2_000_000_000))
        model.attach(engine: engine, log: SessionLog())
        model.sample()
        #expect(model.fundHistory == [10_000, 5, 9_000], "\(model.fundHistory)")
        // A jump over many movements (one sample for all of them): their low, then the balance,
        // never the low alone beside a balance line that says otherwise (operator trial).
        for step in 0..<50 {
            engine.apply(.insuranceFund(asset: "USDT", venue: "binance-usdm", balance: Fixed(2_000 + step), time: 3_000_000_000 + Int64(step) * 100_000_000))
        }
        engine.apply(.insuranceFund(asset: "USDT", venue: "binance-usdm", balance: Fixed(9_814), time: 9_000_000_000))
        model.attach(engine: engine, log: SessionLog())
        model.sample()
        #expect(model.fundHistory.suffix(2) == [2_000, 9_814], "\(model.fundHistory)")
    }

    /// The demo paused before its drain said "session low 8,000.00 at 00:00:00": the opening
    /// balance, booked before the session's first event, at a time the session never had.
    @Test("a fund whose low is still its opening balance says so, not a time before the session")
    func lowAtOpening() {
        var engine = Engine()
        engine.openFund(asset: "USDT", balance: Fixed(8_000))
        engine.apply(.insuranceFund(asset: "USDT", venue: "binance-usdm", balance: Fixed(9_000), time: 1_723_161_300_000_000_000))
        let model = model(engine, width: 120, height: 40)
        let fund = text(model.layout.fund, of: model)
        #expect(fund.contains("session low") && fund.contains("8,000.00 (opening)") && !fund.contains("00:00:00"), "\(fund)")
    }

    @Test("a column of sizes shows every digit they have, and no more than the instrument's where none are needed")
    func columnDecimals() {
        #expect(BookUnits.significantDecimals(150_000_000) == 1)          // 1.5
        #expect(BookUnits.significantDecimals(1_000_000_000) == 0)        // 10
        #expect(BookUnits.significantDecimals(1_734) == 8)                // 0.00001734
        // A lot nobody described sets no places: whole sizes read whole (`3,384`, not `3,384.0000`).
        #expect(Format.columnDecimals([1_000_000_000], instrument: 8) == 0)
        #expect(Format.columnDecimals([1_000_000_000, 150_000_000], instrument: 8) == 1)
        #expect(Format.columnDecimals([1_000_000_000, 12_432], instrument: 8) == 8)
        #expect(Format.columnDecimals([150_000_000], instrument: 3) == 3)
        #expect(Format.columnDecimals([12_432_000], instrument: 3) == 5)  // 0.12432 on a 0.001 lot: not 0.124
        // One form in every pane: grouped, every digit.
        #expect(Format.quantity(Fixed("25702.7353")!, nil) == "25,702.7353")
        #expect(Format.quantity(Fixed("0.12432")!, Instrument.btcusdt) == "0.12432")
        #expect(Format.quantity(Fixed("1.5")!, Instrument.btcusdt) == "1.500")
        // A coin deficit exactly (an inverse market's 0.00035420 BTC read "0.00"); money short.
        #expect(TapePane.deficit(Fixed("0.0003542")!, asset: "BTC") == "0.00035420")
        #expect(TapePane.deficit(Fixed(12_400), asset: "USDT") == Format.compact(12_400))
    }
    @Test("a live session shows no replay controls: no play state in the status bar, no pause, step, speed or jump hints")
    func liveHasNoReplayControls() {
        var model = cascadeModel(width: 200, height: 60)
        var status = model.status
        status.kind = "LIVE"
        _ = model.update(.session(engine: model.engine, log: model.log, status: status))
        let lines = model.rendered().lines
        let footer = lines[model.layout.footer.y]
        #expect(lines[0].contains("LIVE") && !lines[0].contains("▶") && !lines[0].contains("PAUSED"), "\(lines[0])")
        #expect(!footer.contains("pause") && !footer.contains("speed") && !footer.contains("jump") && footer.contains("what-if"), "\(footer)")
        // A replay keeps them.
        let replay = cascadeModel(width: 200, height: 60)
        #expect(replay.rendered().lines[replay.layout.footer.y].contains("pause"))
    }

    @Test("an account name too long for its column ends in …, so two that share a prefix do not read alike")
    func longAccountNames() {
        #expect(Format.name("desk-alpha-0000000001", 12) == "desk-alpha-…")
        #expect(Format.name("desk-alpha", 12) == "desk-alpha  ")
    }
    /// An operator's trial: in a five-market replay at 120×40 the tape kept the time and dropped
    /// the market, so no line said which market was liquidated.
    @Test("several markets: the tape names each line's market (before its time), with its quantity and deficit", arguments: [(80, 24), (90, 30), (96, 30), (100, 30), (104, 30), (110, 30), (120, 40)])
    func tapeNamesTheMarket(width: Int, height: Int) {
        var (engine, log) = cascade(positions: 200)
        log.record(engine.apply(.mark(symbol: "ETHUSDT", price: Fixed(3_000), time: 5_000_000_000)))
        var status = SessionStatus(kind: "REPLAY", source: "test")
        status.time = engine.time
        let model = AppModel(width: width, height: height, status: status, engine: engine, log: log)
        let tape = text(model.layout.tape, of: model)
        // Narrow, the deficit's title shortens to "def" so the market keeps its room (at 80×24 the
        // lines read "▲ 0.065 ADL", no market: operator trial).
        #expect(tape.contains("qty") && tape.contains("def"), "\(tape)")
        #expect(tape.contains("BTCUSDT"), "\(width): \(tape)")
        // At 80×24 the title itself shortens (the check above holds for "deficit" too: review).
        if width == 80 { #expect(tape.contains(" def") && !tape.contains("deficit"), "\(tape)") }
    }

    @Test("a margin ratio below 100 % never reads 100.0 % (a missed liquidation to the eye); at or above, rounded down as every ratio")
    func ratioBelowLiquidationStaysBelow() {
        #expect(Format.marginRatio(Fixed("0.9996")!) == "99.9%")
        #expect(Format.marginRatio(Fixed("0.99949")!) == "99.9%")
        // Rounded down, as the engine's bounds compare.
        #expect(Format.marginRatio(Fixed("0.6389")!) == "63.8%")
        #expect(Format.marginRatio(Fixed("1.0")!) == "100.0%")
        #expect(Format.marginRatio(Fixed("1.0004")!) == "100.0%")
        #expect(Format.marginRatio(Fixed("200")!) == ">9,999%")
    }
}

@Suite("The signals pane's stressed deficit")
struct StressedDeficitFigureTests {
    @Test("is the engine's exact figure, not the reading's Double: the markets pane and the signals pane agree to the last place")
    func exactFigure() {
        let exact = Fixed("245.16877870")!
        // The Double nearest to it, pushed past the half of its last place, as a sum of Doubles can be.
        var reading = SignalReading(kind: .stressedDeficit, value: 245.168778705, baseline: 100, level: .alert, count: nil)
        reading.unfilledQuantity = 12
        reading.adlCertain = true
        var stress = StressedDeficit(deficit: exact, unfilledQuantity: Fixed(12))
        stress.adlCertain = true
        #expect(SignalsPane.formatted(reading, unit: "contracts", asset: "UNI", stress: stress).0 == Format.compactMoney(exact, asset: "UNI") + " UNI + ADL")
        #expect(SignalsPane.formatted(reading, unit: "contracts", asset: "UNI").0 != Format.compactMoney(exact, asset: "UNI") + " UNI + ADL")
    }
}

@Suite("Signal titles in a narrow column")
struct SignalTitleTests {
    @Test("a title is a whole form or ends in …, never cut bare (Thinner ±1 read as ±1 bps)")
    func wholeOrEllipsis() {
        #expect(SignalsPane.title(of: .depth10, width: 40) == "Depth ±10 bps, thinner side")
        #expect(SignalsPane.title(of: .depth10, width: 16) == "Thinner ±10 bps")
        #expect(SignalsPane.title(of: .depth10, width: 10) == "±10bp")
        #expect(SignalsPane.title(of: .stressedDeficit, width: 10) == "Stress")
        #expect(SignalsPane.title(of: .spreadVsDepth, width: 6).hasSuffix("…"))
        for kind in SignalKind.allCases {
            for width in 2...40 {
                let title = SignalsPane.title(of: kind, width: width)
                #expect(DisplayWidth.of(title) < width || width <= 1)
                #expect([kind.title, kind.shortTitle, kind.tinyTitle].contains(title) || title.hasSuffix("…"), "\(kind) \(width): \(title)")
            }
        }
    }
}
