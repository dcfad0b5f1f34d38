import Foundation
import Testing
@testable import RiskEngine

/// What comes from outside cannot crash the engine or make it act on a book it cannot trust.
@Suite("Untrusted input: times, books without a snapshot, text for terminals")
struct UntrustedInputTests {
    @Test("a long run of escapes is written out whole, each visible, other text and lines kept (built in one pass: it was rebuilt at every escape)")
    func longEscapedRun() {
        let hostile = String(repeating: "\u{1B}", count: 200_000) + "é\u{202E}x\n\ty"
        let shown = SafeText.escaped(hostile)
        #expect(shown.utf8.count == 200_000 * 6 + "é".utf8.count + "\\u{202E}x\\u{A}\\u{9}y".utf8.count)
        #expect(shown.hasPrefix("\\u{1B}\\u{1B}") && shown.hasSuffix("é\\u{202E}x\\u{A}\\u{9}y"))
        #expect(!shown.unicodeScalars.contains(where: SafeText.isUnsafe))
        #expect(SafeText.escaped("a\u{7F}\u{9B}b\nc", keepingLines: true) == "a\\u{7F}\\u{9B}b\nc")
    }

    @Test("times from outside are checked once: out of range is nil, never a trap")
    func checkedTimes() {
        #expect(EventTime.fromNanoseconds(Int64.max) == nil)
        #expect(EventTime.fromNanoseconds(-1) == nil)
        #expect(EventTime.fromNanoseconds(EventTime.latest) == EventTime.latest)
        #expect(EventTime.fromMicroseconds(10_000_000_000_000_000) == nil)
        #expect(EventTime.fromMicroseconds(1_723_161_255_000_000) == 1_723_161_255_000_000_000)
        #expect(EventTime.fromMilliseconds(9_300_000_000_000) == nil)
        #expect(EventTime.fromMilliseconds(1_723_161_255_000) == 1_723_161_255_000_000_000)
        #expect(EventTime.fromMilliseconds(Int64.max) == nil)
        #expect(EventTime.fromSeconds(Int64.max) == nil)
        #expect(EventTime.iso8601(EventTime.latest) == "2200-01-01T00:00:00.000Z")
        // Typed at the keyboard: a year that would overflow the day count is refused.
        #expect(EventTime.parse("99999999999999999-01-01T00:00:00Z", sessionStart: 0) == nil)
        #expect(EventTime.parse("2024-08-08T23:55:10Z", sessionStart: 0) == 1_723_161_310_000_000_000)
    }

    @Test("an event at a time near the 64-bit limit is not applied, and nothing traps")
    func engineRefusesUnrepresentableTime() {
        var engine = engine(with: [testInstrument()])
        engine.apply(.mark(symbol: "TESTUSDT", price: Fixed(100), time: 1_000_000_000))
        engine.apply(.mark(symbol: "TESTUSDT", price: Fixed(101), time: Int64.max))
        engine.apply(.clock(time: Int64.max - 1))
        var ignored: [EngineNotification] = []
        engine.apply(position: PositionUpdate(account: "a", symbol: "TESTUSDT", side: .long, quantity: .one,
            entryPrice: Fixed(100), mode: .isolated, isolatedMargin: Fixed(10)), time: -5, into: &ignored)
        #expect(engine.totals.eventsOutOfTimeRange == 3)
        #expect(engine.time == 1_000_000_000)
        #expect(engine.market("TESTUSDT")?.markPrice == Fixed(100))
        // Time goes on normally after them, samples included.
        engine.apply(.mark(symbol: "TESTUSDT", price: Fixed(102), time: 5_000_000_000))
        #expect(engine.market("TESTUSDT")?.markPrice == Fixed(102))
    }

    /// A long that the mark at 95 crosses, in a market whose book is set up by `book`.
    func crossedLong(book: (inout Engine) -> Void) -> (Engine, [EngineNotification]) {
        var engine = engine(with: [testInstrument()])
        engine.openFund(asset: "USDT", balance: Fixed(1_000))
        engine.apply(.mark(symbol: "TESTUSDT", price: Fixed(100), time: 1))
        book(&engine)
        engine.apply(.position(PositionUpdate(account: "a", symbol: "TESTUSDT", side: .long, quantity: Fixed(10),
            entryPrice: Fixed(100), mode: .isolated, isolatedMargin: Fixed(50)), time: 2))
        var notes = engine.apply(.mark(symbol: "TESTUSDT", price: Fixed(95), time: 3))
        notes += engine.apply(.mark(symbol: "TESTUSDT", price: Fixed(94), time: 4))
        return (engine, notes)
    }

    static let bids: [(price: Int64, size: Int64)] = [(units("94.90"), units("1000"))]
    static let asks: [(price: Int64, size: Int64)] = [(units("100.10"), units("1000"))]

    @Test("a book that never had a snapshot: nothing is liquidated into it; the block is noted once; a snapshot liquidates")
    func noBookNoLiquidation() {
        var (engine, notes) = crossedLong { engine in
            // Level updates without a snapshot are not a book.
            engine.apply(.bookUpdate(symbol: "TESTUSDT", changes: [LevelChange(side: .bid, price: units("94.90"), size: units("1000"))], time: 1))
        }
        #expect(notes.liquidations.isEmpty)
        let blocked = notes.compactMap { if case .liquidationBlocked(let symbol, let reason, _) = $0 { return (symbol, reason) } else { return nil } }
        #expect(blocked.count == 1)
        #expect(blocked.first?.0 == "TESTUSDT" && blocked.first?.1 == .noBook)
        #expect(LiquidationBlock.noBook.message == "cannot liquidate: no book")
        let market = engine.market("TESTUSDT")!
        #expect(market.isStale && !market.book.isSynced)
        #expect(market.liquidationBlocked == .noBook)
        #expect(engine.positions[0].isOpen)
        // The stress projection into that book says it is blocked instead of projecting nothing.
        let projection = try? engine.stress(symbol: "TESTUSDT", shockPercent: Fixed(-10))
        #expect(projection?.blocked == .noBook)
        #expect(projection?.liquidations.isEmpty == true)
        // The first snapshot: the position crossed long ago is liquidated now.
        notes = engine.apply(.bookSnapshot(symbol: "TESTUSDT", bids: Self.bids, asks: Self.asks, time: 5))
        #expect(notes.liquidations.count == 1)
        #expect(!engine.positions[0].isOpen)
        #expect(engine.market("TESTUSDT")?.liquidationBlocked == nil)
        #expect(engine.moneyInSystem(asset: "USDT") == engine.deposits["USDT"])
    }

    @Test("after a gap the book is stale: a crossed trigger waits for the re-sync")
    func staleBookWaits() {
        var (engine, notes) = crossedLong { engine in
            engine.apply(.bookSnapshot(symbol: "TESTUSDT", bids: Self.bids, asks: Self.asks, time: 1))
            engine.apply(.bookGap(symbol: "TESTUSDT", time: 1))
        }
        #expect(notes.liquidations.isEmpty)
        #expect(engine.market("TESTUSDT")?.liquidationBlocked == .staleBook)
        #expect(engine.market("TESTUSDT")?.counters.blockedLiquidations == 1)
        notes = engine.apply(.bookSnapshot(symbol: "TESTUSDT", bids: Self.bids, asks: Self.asks, time: 5))
        #expect(notes.liquidations.count == 1)
    }

    @Test("with a synced book the same position is liquidated at once")
    func syncedBookLiquidates() {
        let (engine, notes) = crossedLong { engine in
            engine.apply(.bookSnapshot(symbol: "TESTUSDT", bids: Self.bids, asks: Self.asks, time: 1))
        }
        #expect(notes.liquidations.count == 1)
        #expect(!engine.positions[0].isOpen)
    }

    @Test("text for terminals: controls and invisible format characters become visible escapes")
    func safeText() {
        #expect(SafeText.escaped("BTCUSDT") == "BTCUSDT")
        #expect(SafeText.escaped("\u{1B}]0;pwned\u{07}X") == "\\u{1B}]0;pwned\\u{7}X")
        #expect(SafeText.escaped("a\u{9B}31mb") == "a\\u{9B}31mb")
        #expect(SafeText.escaped("acct\u{202E}kcab") == "acct\\u{202E}kcab")
        #expect(SafeText.escaped("line one\nline\ttwo", keepingLines: true) == "line one\nline\ttwo")
        #expect(SafeText.escaped("line one\nline two") == "line one\\u{A}line two")
        #expect(SafeText.escaped("账户🚀") == "账户🚀")
    }
}

/// Every invisible format character, line and paragraph separator is escaped before it reaches a
/// terminal, a report or a log: a soft hyphen, a tag or a line separator in an account name
/// passed raw (attacker trial: `a\u{AD}b` printed as `ab`).
@Suite("Unsafe scalars: every format character")
struct UnsafeScalarTests {
    @Test("every scalar of general category Cf, Zl or Zp is unsafe, and so are the fillers that show as nothing")
    func everyFormatCharacter() {
        var missed: [String] = []
        for value in UInt32(0)...0x10FFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            switch scalar.properties.generalCategory {
            case .format, .lineSeparator, .paragraphSeparator:
                if !SafeText.isUnsafe(scalar) { missed.append(String(value, radix: 16, uppercase: true)) }
            default:
                break
            }
        }
        #expect(missed.isEmpty, "not escaped: \(missed)")
        for filler: Unicode.Scalar in ["\u{34F}", "\u{115F}", "\u{1160}", "\u{3164}", "\u{FFA0}", "\u{17B4}"] {
            #expect(SafeText.isUnsafe(filler))
        }
        // Every variation selector shows as nothing: `alice\u{FE0F}`, another account, printed
        // as `alice` (attacker trial).
        for value in Array(0xFE00...0xFE0F) + Array(0xE0100...0xE01EF) + Array(0x180B...0x180D) + [0x180F] {
            #expect(SafeText.isUnsafe(Unicode.Scalar(UInt32(value))!), "U+\(String(value, radix: 16, uppercase: true))")
        }
        #expect(SafeText.escaped("alice\u{FE0F}") == "alice\\u{FE0F}")
        #expect(SafeText.escaped("a\u{AD}b\u{2028}c") == "a\\u{AD}b\\u{2028}c")
        // What names are made of stays as it is: letters, accents, CJK, emoji.
        for safe: Unicode.Scalar in ["é", "\u{301}", "中", "😀", "Ω", " ", "~"] { #expect(!SafeText.isUnsafe(safe)) }
        // Blanks that are not the space, and what shows as nothing or as the terminal pleases:
        // each made `alice` + it another account printed as `alice` or `alice ` (attacker trial).
        var blanks: [String] = []
        for value in UInt32(0x21)...0x10FFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            switch scalar.properties.generalCategory {
            case .spaceSeparator, .privateUse, .unassigned:
                if !SafeText.isUnsafe(scalar) { blanks.append(String(value, radix: 16, uppercase: true)) }
            default:
                if scalar.properties.isNoncharacterCodePoint && !SafeText.isUnsafe(scalar) { blanks.append(String(value, radix: 16, uppercase: true)) }
            }
        }
        #expect(blanks.isEmpty, "not escaped: \(blanks.prefix(40))")
        for value: UInt32 in [0xA0, 0x2007, 0x3000, 0x2800, 0x378, 0xFFFF, 0xE000, 0x10FFFF] {
            #expect(SafeText.escaped("alice" + String(Unicode.Scalar(value)!)) == "alice\\u{\(String(value, radix: 16, uppercase: true))}")
        }
    }

    @Test("JSON strings decode to the text report's visible escapes, past U+FFFF too: a script printing a field writes no control (attacker trial: jq -r cleared the screen)")
    func jsonPastTheBasicPlane() throws {
        for name in ["acct\u{E0031}", "a\u{1D173}b", "x\u{AD}\u{2028}\u{13430}y", "ev\u{1B}[2J\u{202E}il", "plain", "line\nbreak\ttab \"q\""] {
            let quoted = SafeText.jsonQuoted(name)
            #expect(!quoted.unicodeScalars.contains { SafeText.isUnsafe($0) })
            let data = Data("[\(quoted)]".utf8)
            let decoded = try #require(try JSONSerialization.jsonObject(with: data) as? [String])
            #expect(decoded == [SafeText.escaped(name, keepingLines: true)], "\(quoted)")
            #expect(!decoded[0].unicodeScalars.contains { SafeText.isUnsafe($0) && $0 != "\n" && $0 != "\t" }, "\(decoded)")
        }
        #expect(SafeText.jsonQuoted("a\u{E0031}") == "\"a\\\\u{E0031}\"")
        #expect(SafeText.jsonQuoted("plain") == "\"plain\"")
        // In a name that needs escapes, its own backslash is escaped too, so it reads back whole
        // (review); plain text keeps its backslash (a reason escaped upstream is not escaped twice).
        #expect(SafeText.jsonQuoted("a\\b\u{1B}") == "\"a\\\\u{5C}b\\\\u{1B}\"")
        #expect(SafeText.jsonQuoted("a\\u{1B}") == "\"a\\\\u{1B}\"")
    }
}
