import Testing
@testable import RiskEngine

/// A mark not given again for longer than the engine trusts is not liquidated on: a mark line of
/// 1970 merged before a fresh book of 2024 liquidated a healthy position into it (attacker trial).
@Suite("A mark of another time is not liquidated on")
struct MarkAgeTests {
    static let second: Int64 = 1_000_000_000
    static let t2024: Int64 = 1_723_161_255_000_000_000

    static func liquidated(_ notes: [EngineNotification]) -> Bool {
        notes.contains { if case .liquidation = $0 { return true } else { return false } }
    }

    /// A fresh book around 60,000 at `time`.
    static func book(_ time: Int64) -> MarketEvent {
        .bookSnapshot(symbol: "BTCUSDT", bids: [(units("59990"), units("5")), (units("59000"), units("5"))],
            asks: [(units("60010"), units("5"))], time: time)
    }

    /// A long of 1 BTC at 60,000 with 6,000 of margin (10x): healthy at 60,000, liquidated at 50,000.
    static func healthyLong(_ time: Int64, account: String = "healthy", entry: Int = 60_000) -> MarketEvent {
        .position(PositionUpdate(account: account, symbol: "BTCUSDT", side: .long, quantity: Fixed(1), entryPrice: Fixed(entry),
            mode: .isolated, isolatedMargin: Fixed(6_000)), time: time)
    }

    /// A book and a mark of 50,000 in 2024, then the book changing every minute for `minutes`
    /// with no mark.
    static func markThenBooks(minutes: Int) -> Engine {
        var engine = Engine()
        engine.apply(book(t2024))
        engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(50_000), time: t2024))
        for minute in 1...minutes { engine.apply(book(t2024 + Int64(minute) * 60 * second)) }
        return engine
    }

    @Test("a mark of 1970, a position and a fresh book of 2024: blocked as an outdated mark, not liquidated; the next mark decides")
    func markOfAnotherTime() {
        var engine = Engine()
        var notes = engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(50_000), time: Self.second))
        notes += engine.apply(Self.healthyLong(Self.t2024))
        notes += engine.apply(Self.book(Self.t2024))
        #expect(!Self.liquidated(notes), "liquidated on a mark 54 years old")
        #expect(engine.positions[0].isOpen)
        #expect(notes.contains(.liquidationBlocked(symbol: "BTCUSDT", reason: .outdatedMark, time: Self.t2024)))
        #expect(engine.markets[0].liquidationBlocked == .outdatedMark)
        // Further books do not note it again: the block waits for a mark, not a book.
        let again = engine.apply(Self.book(Self.t2024 + Self.second))
        #expect(!again.contains { if case .liquidationBlocked = $0 { return true } else { return false } })
        // The mark of now: the position is healthy and stays open; the block is gone.
        let marked = engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(60_000), time: Self.t2024 + 2 * Self.second))
        #expect(!Self.liquidated(marked) && engine.positions[0].isOpen)
        #expect(engine.markets[0].liquidationBlocked == nil)
    }

    @Test("a mark stream that went quiet for six minutes over a live book: a position past its trigger waits; the same mark given again liquidates it")
    func quietMarkStream() {
        var engine = Self.markThenBooks(minutes: 6)
        let placed = engine.apply(Self.healthyLong(Self.t2024 + 361 * Self.second))
        #expect(!Self.liquidated(placed) && engine.positions[0].isOpen)
        #expect(placed.contains { if case .liquidationBlocked(_, .outdatedMark, _) = $0 { return true } else { return false } })
        // The same price given again is fresh: what crossed is liquidated now.
        let given = engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(50_000), time: Self.t2024 + 362 * Self.second))
        #expect(Self.liquidated(given) && !engine.positions[0].isOpen)
    }

    @Test("within the limit a mark is trusted: a mark four minutes old liquidates a position placed past its trigger")
    func withinTheLimit() {
        var engine = Self.markThenBooks(minutes: 4)
        let placed = engine.apply(Self.healthyLong(Self.t2024 + 241 * Self.second))
        #expect(Self.liquidated(placed) && !engine.positions[0].isOpen)
    }
}
