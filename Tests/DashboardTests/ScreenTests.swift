import Foundation
import Testing
@testable import Dashboard
import RiskEngine

func units(_ text: String) -> Int64 { BookUnits.parse(text)! }

/// An engine with a BTCUSDT book around 60,000 and `positions` isolated positions.
func engine(positions count: Int, book: Bool = true, crossed: Bool = false) -> Engine {
    var engine = Engine()
    engine.openFund(asset: "USDT", balance: Fixed(50_000))
    engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(60_000), time: 1_000_000_000))
    if book {
        var bids: [(price: Int64, size: Int64)] = []
        var asks: [(price: Int64, size: Int64)] = []
        for level in 0..<200 {
            bids.append((units("59999.90") - Int64(level) * 10_000_000, units("0.5") + Int64(level) * 1_000_000))
            asks.append((units("60000.00") + Int64(level) * 10_000_000, units("0.4") + Int64(level) * 1_000_000))
        }
        engine.apply(.bookSnapshot(symbol: "BTCUSDT", bids: bids, asks: asks, time: 1_000_000_000))
        if crossed {
            // A bid above the best ask: the engine removes the stale ask and is never left crossed.
            engine.apply(.bookUpdate(symbol: "BTCUSDT", changes: [LevelChange(side: .bid, price: units("60000.50"), size: units("1"))], time: 1_100_000_000))
        }
    }
    for index in 0..<count {
        let side: Side = index % 2 == 0 ? .long : .short
        let leverage = 5 + index % 40
        engine.apply(.position(PositionUpdate(account: "acct-\(index)", symbol: "BTCUSDT", side: side,
            quantity: Fixed(1 + index % 7) / Fixed(10), entryPrice: Fixed(60_000 + (index % 11) * 10 - 50), mode: .isolated,
            leverage: Fixed(leverage)), time: 1_200_000_000))
    }
    engine.apply(.clock(time: 3_000_000_000))
    return engine
}

func model(width: Int, height: Int, engine: Engine) -> AppModel {
    var status = SessionStatus(kind: "REPLAY", source: "test")
    status.time = engine.time
    status.progress = 0.5
    return AppModel(width: width, height: height, status: status, engine: engine, log: SessionLog())
}

@Suite("Screens as text")
struct ScreenTests {
    @Test("120×40: every pane, with the ladder around the spread row")
    func standard() {
        let lines = model(width: 120, height: 40, engine: engine(positions: 30)).rendered().lines
        #expect(lines.count == 40)
        #expect(lines[0].hasPrefix(" REPLAY  test"))
        #expect(lines[1].contains("Depth ladder BTCUSDT ×1 tick"))
        #expect(lines[1].contains("Signals BTCUSDT"))
        let text = lines.joined(separator: "\n")
        for title in ["Positions 30/30", "Insurance fund USDT", "Liquidation tape 0 sim · 0 exch"] { #expect(text.contains(title), "\(title)") }
        // The best ask sits just above the spread row and the best bid just below it.
        let spreadRow = lines.firstIndex { $0.contains("spread 0.10") }!
        #expect(lines[spreadRow - 1].contains("− 60,000.00"))
        #expect(lines[spreadRow + 1].contains("+ 59,999.90"))
        #expect(text.contains("balance       50,000.00"))
        #expect(lines.last!.hasPrefix("? help  q quit"))
    }

    @Test("200×60: wider panes show every positions column")
    func wide() {
        let text = model(width: 200, height: 60, engine: engine(positions: 30)).rendered().text
        for header in ["account", "entry", "mark", "lev", "mmr", "margin ratio", "liq price", "bkr price", "dist", "deficit", "adl"] {
            #expect(text.contains(header), "\(header)")
        }
    }

    @Test("80×24, the smallest size: still every pane")
    func narrow() {
        let text = model(width: 80, height: 24, engine: engine(positions: 5)).rendered().text
        // Narrow titles lose words, not their subject: "Fund USDT", "Tape 12".
        for title in ["Depth ladder", "Signals", "Positions", "Fund USDT", "Tape"] { #expect(text.contains(title), "\(title)") }
    }

    @Test("below 80×24: the too-small screen")
    func tooSmall() {
        let lines = model(width: 60, height: 15, engine: engine(positions: 5)).rendered().lines
        #expect(lines[5].contains("terminal too small"))
        #expect(lines[6].contains("needs at least 80×24"))
        #expect(lines[7].contains("now 60×15"))
        // Narrow, the size needed is never cut: wrapped at words, a word wider than the screen
        // left out (`liqwatch needs at l` at 30×8: attacker trial).
        for (width, height) in [(30, 8), (25, 6), (12, 4), (6, 3), (10, 1)] {
            let text = model(width: width, height: height, engine: engine(positions: 5)).rendered().text
            #expect(text.contains("80×24"), "\(width)×\(height): \(text)")
            // Short of the last cell, which a terminal's last row never gets (`80×2` at 5×2).
            for line in TooSmallPane.lines(width: width, height: height) { #expect(DisplayWidth.of(line) < width) }
        }
        #expect(TooSmallPane.lines(width: 5, height: 2).allSatisfy { !$0.contains("80") && DisplayWidth.of($0) < 5 })
    }

    @Test("an empty book and no positions")
    func empty() {
        let text = model(width: 120, height: 40, engine: engine(positions: 0, book: false)).rendered().text
        #expect(text.contains("waiting for a book") || text.contains("empty book"))
        #expect(text.contains("no monitored positions"))
        #expect(text.contains("no liquidations yet"))
    }

    @Test("a crossed update: the book shown is not crossed and the stale ask is gone")
    func crossedBook() {
        let lines = model(width: 120, height: 40, engine: engine(positions: 0, crossed: true)).rendered().lines
        let spreadRow = lines.firstIndex { $0.contains("spread") }!
        #expect(!lines[spreadRow].contains("CROSSED"))
        // Every ask up to the new bid was proved stale: the best ask is now 60,000.60.
        #expect(lines[spreadRow + 1].contains("+ 60,000.50"))
        #expect(lines[spreadRow - 1].contains("− 60,000.60"))
    }

    @Test("thousands of positions: riskiest first, the pane shows what fits")
    func thousands() {
        let engine = engine(positions: 3_000)
        let model = model(width: 120, height: 40, engine: engine)
        let rows = model.visibleRows
        #expect(rows.count == 3_000)
        // Riskiest first: distance to liquidation never decreases down the table.
        let distances = rows.prefix(200).compactMap(\.distance)
        #expect(zip(distances, distances.dropFirst()).allSatisfy { $0 <= $1 })
        let text = model.rendered().text
        #expect(text.contains("Positions 3,000/3,000 · sort risk riskiest first"))
        #expect(text.contains(rows[0].account))
    }

    @Test("the what-if at a terminal one or two rows tall, opened there or resized to it: every scroll key is answered, nothing traps")
    func whatIfOnATinyScreen() {
        var engine = engine(positions: 200)
        engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(60_000), time: 2_000_000_000))
        var status = SessionStatus(kind: "REPLAY", source: "test")
        status.time = engine.time
        for (width, height, openedAt) in [(100, 1, (120, 40)), (100, 1, (100, 1)), (1, 1, (80, 24)), (100, 2, (100, 2))] {
            var screen = AppModel(width: openedAt.0, height: openedAt.1, status: status, engine: engine, log: SessionLog())
            screen.press(.character("x"))
            for character in "-5" { screen.press(.character(character)) }
            screen.press(.enter)
            _ = screen.update(.resize(width: width, height: height))
            for key in ["j", "k", "G", "g"] { screen.press(.character(Character(key))) }
            for key: Key in [.down, .up, .pageDown, .pageUp, .home, .end] { screen.press(key) }
            #expect(screen.rendered().lines.count == height, "\(width)x\(height)")
        }
    }

    @Test("a book off the instrument's tick: the ladder's rows are at the finer step with its digits, never a price that was not there")
    func offTickLadder() {
        var engine = Engine()
        engine.apply(.bookSnapshot(symbol: "BTCUSDT", bids: [(units("60000.05"), units("5")), (units("59999.9"), units("2"))],
            asks: [(units("60000.2"), units("5"))], time: 1_000_000_000))
        engine.apply(.mark(symbol: "BTCUSDT", price: Fixed("60000.1")!, time: 1_000_000_000))
        #expect(engine.market("BTCUSDT")?.offTickPrice != nil)
        let text = model(width: 120, height: 40, engine: engine).rendered().text
        #expect(text.contains("OFF TICK"), "\(text)")
        #expect(text.contains("60,000.05") && !text.contains("60,000.00 "), "\(text)")
        #expect(text.contains("59,999.90") && text.contains("60,000.20"), "\(text)")
    }

    @Test("inputs that ended without a market: the ladder says so, and why where every line was malformed, not `waiting for a book…`")
    func endedWithoutAMarket() {
        var status = SessionStatus(kind: "REPLAY", source: "test")
        status.finished = true
        status.malformed = 40
        let text = AppModel(width: 120, height: 40, status: status, engine: Engine(), log: SessionLog()).rendered().text
        #expect(text.contains("no market in the inputs: 40") && text.contains("malformed lines (h: feed health)") && !text.contains("waiting for a book"), "\(text)")
        status.finished = false
        let playing = AppModel(width: 120, height: 40, status: status, engine: Engine(), log: SessionLog()).rendered().text
        #expect(playing.contains("waiting for a book…"), "\(playing)")
    }

    @Test("a jump says it is working while it reads the replay; its notice goes once the jump said nothing of its own, and never takes another's place")
    func workingNotice() {
        #expect(Effect.nextNotable(deficitsOnly: false).workingNotice == "looking for the next liquidation or alert… (space stops)")
        #expect(Effect.jump("23:59:59").workingNotice == "going to 23:59:59… (space stops)")
        #expect(Effect.jump("\u{1B}[2J").workingNotice == "going to \\u{1B}[2J… (space stops)")
        // What stops a jump under way: a key for the replay, not one that only looks.
        #expect(Effect.togglePause.actsOnTheReplay && Effect.step.actsOnTheReplay && Effect.jump("1%").actsOnTheReplay)
        #expect(!Effect.quit.actsOnTheReplay && !Effect.told([]).actsOnTheReplay)
        #expect(Effect.togglePause.workingNotice == nil && Effect.step.workingNotice == nil)
        var screen = AppModel(width: 80, height: 24, status: SessionStatus(kind: "REPLAY", source: "test"), engine: Engine(), log: SessionLog())
        screen.show(notice: "going to 23:59:59…")
        #expect(screen.rendered().text.contains("going to 23:59:59…"))
        screen.withdraw(notice: "going to 23:59:59…")
        #expect(screen.notice == nil)
        screen.show(notice: "no event at 23:59:59")
        screen.withdraw(notice: "going to 23:59:59…")
        #expect(screen.notice == "no event at 23:59:59")
    }

    @Test("control characters from a feed never reach a cell: each is one visible placeholder")
    func controlCharacters() {
        var buffer = Buffer(width: 20, height: 1)
        buffer.put("A\u{1B}[2JB\u{07}C\u{9B}D", x: 0, y: 0)
        #expect(buffer.lines[0] == "A\u{FFFD}[2JB\u{FFFD}C\u{FFFD}D")
    }

    @Test("ASCII stand-ins where the locale cannot show box drawing")
    func ascii() {
        var status = SessionStatus(kind: "DEMO", source: "test")
        status.time = 1
        let model = AppModel(width: 100, height: 30, status: status, engine: engine(positions: 3), log: SessionLog(), unicode: false)
        let text = model.rendered().text
        #expect(text.unicodeScalars.allSatisfy { $0.isASCII })
        #expect(text.contains("+- Depth ladder"))
    }
}

@Suite("Keys and state")
struct KeyTests {
    @Test("the help overlay lists every binding of the keymap that drives the keys")
    func helpMatchesKeymap() {
        var model = model(width: 120, height: 60, engine: engine(positions: 3))
        _ = model.update(.key(.character("?")))
        let text = model.rendered().text
        for binding in Keymap.standard.bindings { #expect(text.contains(binding.description), "\(binding.description)") }
        _ = model.update(.key(.escape))
        #expect(!model.rendered().text.contains("Keys ·"))
    }

    @Test("sort, filter, drill down, what-if and replay effects")
    func flow() {
        var model = model(width: 120, height: 40, engine: engine(positions: 50))
        _ = model.update(.key(.character("s")))
        #expect(model.sortColumn == .account)
        _ = model.update(.key(.character("/")))
        for character in "acct-7" { _ = model.update(.key(.character(character))) }
        _ = model.update(.key(.enter))
        #expect(model.visibleRows.allSatisfy { $0.account.contains("acct-7") })
        _ = model.update(.key(.enter))
        if case .detail = model.mode {} else { Issue.record("Enter did not open the detail") }
        #expect(model.rendered().text.contains("If liquidated now"))
        _ = model.update(.key(.escape))
        _ = model.update(.key(.character("x")))
        for character in "-10" { _ = model.update(.key(.character(character))) }
        _ = model.update(.key(.enter))
        guard case .whatIf(let result, let ladder) = model.mode else { Issue.record("no what-if"); return }
        #expect(result.markAfter == Fixed(54_000))
        #expect(!result.liquidations.isEmpty)
        #expect(ladder.map(\.shockPercent) == StressLadder.shocks.map { Fixed($0) })
        _ = model.update(.key(.escape))
        #expect(model.update(.key(.character(" "))) == [.togglePause])
        #expect(model.update(.key(.character("]"))) == [.nextNotable(deficitsOnly: false)])
        // With the tape showing deficits and ADL only, the jumps go to those.
        _ = model.update(.key(.character("d")))
        #expect(model.update(.key(.character("]"))) == [.nextNotable(deficitsOnly: true)])
        #expect(model.update(.key(.character("["))) == [.previousNotable(deficitsOnly: true)])
        _ = model.update(.key(.character("d")))
        #expect(model.update(.key(.character("["))) == [.previousNotable(deficitsOnly: false)])
        #expect(model.update(.key(.character("+"))) == [.faster])
        _ = model.update(.key(.character(":")))
        for character in "50%" { _ = model.update(.key(.character(character))) }
        #expect(model.update(.key(.enter)) == [.jump("50%")])
        #expect(model.update(.key(.character("q"))) == [.quit])
    }

    @Test("a what-if's ladder of shocks names the shocks it has no room for (at 80×24 the upward half went without a word)")
    func whatIfLadderSaysWhatIsLeftOut() {
        for (width, height) in [(80, 24), (120, 40)] {
            var model = model(width: width, height: height, engine: engine(positions: 50))
            _ = model.update(.key(.character("x")))
            for character in "-5" { _ = model.update(.key(.character(character))) }
            _ = model.update(.key(.enter))
            guard case .whatIf = model.mode else { Issue.record("no what-if"); return }
            let text = model.rendered().text
            let shown = StressLadder.shocks.filter { shock in
                text.contains((shock < 0 ? "" : "+") + "\(shock)%  ") || text.contains((shock < 0 ? "" : "+") + "\(shock)%   ")
            }
            if shown.count < StressLadder.shocks.count {
                let last = StressLadder.shocks.last!
                #expect(text.contains("more shock") && text.contains("+\(last)%"), "\(width)×\(height):\n\(text)")
            }
            if width == 120 { #expect(shown.count == StressLadder.shocks.count, "\(text)") }
        }
    }

    @Test("t cycles themes, z the ladder grouping, a acknowledges alerts")
    func toggles() {
        var model = AppModel(width: 120, height: 40, status: SessionStatus(kind: "DEMO", source: "t"), engine: engine(positions: 1),
            log: SessionLog(), themes: [.dark, Theme.parse(BuiltInThemes.texts["light"]!, name: "light").theme])
        _ = model.update(.key(.character("t")))
        #expect(model.theme.name == "light")
        _ = model.update(.key(.character("z")))
        #expect(model.ladderGrouping == 10)
        #expect(model.rendered().text.contains("×10 tick"))
    }
}

@Suite("Themes")
struct ThemeTests {
    @Test("the built-in themes are exactly the files in Themes/, and parse without warnings")
    func builtInMatchFiles() throws {
        let directory = #filePath.split(separator: "/").dropLast(3).joined(separator: "/")
        for name in BuiltInThemes.names {
            let path = "/" + directory + "/Themes/\(name).theme"
            let file = try String(contentsOfFile: path, encoding: .utf8)
            #expect(file.trimmingCharacters(in: .newlines) == BuiltInThemes.texts[name]!.trimmingCharacters(in: .newlines), "\(name)")
            #expect(Theme.parse(file, name: name).warnings.isEmpty, "\(name)")
        }
        #expect(BuiltInThemes.names.count >= 5)
    }

    @Test("missing keys fall back to the defaults; unknown keys and bad colours are warned about")
    func fallbacksAndWarnings() {
        let result = Theme.parse("# comment\ntheme[book_bid]=\"#0000FF\"\ntheme[nonsense]=\"#FFFFFF\"\ntheme[alert]=\"red\"\n", name: "mine")
        #expect(result.theme.style(.bookBid).foreground == RGB(0, 0, 255))
        #expect(result.theme.style(.bookAsk) == Theme.dark.style(.bookAsk))
        #expect(result.warnings.count == 2)
        #expect(result.warnings[0].contains("unknown key nonsense"))
        #expect(result.warnings[1].contains("'red' is not #RRGGBB"))
    }
}

@Suite("Buffer")
struct BufferTests {
    @Test("combining marks from a feed do not take a cell of their own where Unicode has the pair; else a placeholder cell")
    func combining() {
        var buffer = Buffer(width: 10, height: 2)
        buffer.put("e\u{0301}x", x: 0, y: 0)
        #expect(buffer.lines[0] == "éx")
        buffer.put("q\u{0301}x", x: 0, y: 1)
        #expect(buffer.lines[1] == "q\u{FFFD}x")
    }
}
