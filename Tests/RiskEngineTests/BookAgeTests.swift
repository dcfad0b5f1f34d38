import Testing
@testable import RiskEngine

/// A book is as old as its own events, as a mark is: a snapshot dated minutes before, merged into a
/// live stream, replaced the book with levels of another time and was taken as fresh (the session
/// clock's time), so a position was liquidated into them.
@Suite("A book of another time is not liquidated into")
struct BookAgeTests {
    static let second = MarkAgeTests.second
    static let start = MarkAgeTests.t2024

    static func snapshot(bid: String, ask: String, time: Int64) -> MarketEvent {
        .bookSnapshot(symbol: "BTCUSDT", bids: [(units(bid), units("5"))], asks: [(units(ask), units("5"))], time: time)
    }

    /// A bid of 5 at 53,990 added `seconds` after the start: a change of now, past a long's trigger.
    static func bidOfNow(at seconds: Int64) -> MarketEvent {
        .bookUpdate(symbol: "BTCUSDT", changes: [LevelChange(side: .bid, price: units("53990"), size: units("5"))], time: start + seconds * second)
    }

    /// A live book and mark for 400 s, a healthy long of 1 BTC at 60,000 (10x) placed at the start.
    static func liveSession() -> Engine {
        var engine = Engine()
        engine.apply(snapshot(bid: "59990", ask: "60010", time: start))
        engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(60_000), time: start))
        engine.apply(MarkAgeTests.healthyLong(start))
        for step in 1...8 {
            let time = start + Int64(step) * 50 * second
            engine.apply(.bookUpdate(symbol: "BTCUSDT", changes: [LevelChange(side: .bid, price: units("55000"), size: units("\(step)"))], time: time))
            engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(55_000), time: time))
        }
        return engine
    }

    @Test("a snapshot dated 400 s back replaces the book: the book reads outdated, a position past its trigger waits; a fresh book liquidates it")
    func snapshotOfAnotherTime() {
        var engine = Self.liveSession()
        #expect(engine.positions[0].isOpen && engine.markets[0].liquidationBlocked == nil)
        // Levels of 400 s before (the price was 40,000 then), sent now.
        let old = engine.apply(Self.snapshot(bid: "40000", ask: "40010", time: Self.start))
        #expect(engine.markets[0].bookOutdated, "a book of 400 s before read as fresh")
        #expect(!MarkAgeTests.liquidated(old))
        // The mark falls past the long's trigger (about 54,270): not into the bids of another time.
        let crossed = engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(54_000), time: Self.start + 401 * Self.second))
        #expect(!MarkAgeTests.liquidated(crossed) && engine.positions[0].isOpen, "liquidated into a book 400 s old")
        #expect(engine.markets[0].liquidationBlocked == .outdatedBook)
        // A fresh snapshot: liquidated into it, at its bid.
        let fresh = engine.apply(Self.snapshot(bid: "53990", ask: "54010", time: Self.start + 402 * Self.second))
        #expect(MarkAgeTests.liquidated(fresh) && !engine.positions[0].isOpen)
        #expect(!engine.markets[0].bookOutdated && engine.markets[0].liquidationBlocked == nil)
    }

    @Test("a book blocked as outdated stays blocked through updates and snapshots dated as old, noted once; a change of now liquidates")
    func oldChangesDoNotUnblock() {
        var engine = Self.liveSession()
        engine.apply(Self.snapshot(bid: "40000", ask: "40010", time: Self.start))
        var notes = engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(54_000), time: Self.start + 401 * Self.second))
        #expect(engine.markets[0].liquidationBlocked == .outdatedBook)
        for _ in 0..<3 {
            notes += engine.apply(.bookUpdate(symbol: "BTCUSDT", changes: [LevelChange(side: .bid, price: units("40001"), size: units("1"))], time: Self.start))
            notes += engine.apply(Self.snapshot(bid: "40000", ask: "40010", time: Self.start + Self.second))
        }
        #expect(!MarkAgeTests.liquidated(notes) && engine.positions[0].isOpen, "liquidated into a book 400 s old")
        #expect(engine.markets[0].liquidationBlocked == .outdatedBook)
        let blocks = notes.filter { if case .liquidationBlocked = $0 { return true } else { return false } }
        #expect(blocks.count == 1, "noted \(blocks.count) times")
        let now = engine.apply(Self.bidOfNow(at: 402))
        #expect(MarkAgeTests.liquidated(now) && !engine.positions[0].isOpen)
    }

    @Test("a gap, then a snapshot of another time: the block becomes the outdated book's, and the next change of now liquidates")
    func gapThenOldSnapshot() {
        var engine = Self.liveSession()
        engine.apply(.bookGap(symbol: "BTCUSDT", time: Self.start + 400 * Self.second))
        engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(54_000), time: Self.start + 400 * Self.second))
        #expect(engine.markets[0].liquidationBlocked == .staleBook && engine.positions[0].isOpen)
        engine.apply(Self.snapshot(bid: "40000", ask: "40010", time: Self.start))
        #expect(engine.markets[0].liquidationBlocked == .outdatedBook && engine.positions[0].isOpen)
        let now = engine.apply(Self.bidOfNow(at: 401))
        #expect(MarkAgeTests.liquidated(now) && !engine.positions[0].isOpen)
    }

    @Test("a snapshot with no time of its own (0) is of now")
    func snapshotWithoutTime() {
        var engine = Self.liveSession()
        engine.apply(Self.snapshot(bid: "54990", ask: "55010", time: 0))
        #expect(!engine.markets[0].bookOutdated && engine.markets[0].liquidationBlocked == nil)
    }

    @Test("an update dated before the book's last change leaves the book as fresh as it was")
    func olderUpdateKeepsFreshness() {
        var engine = Self.liveSession()
        engine.apply(.bookUpdate(symbol: "BTCUSDT", changes: [LevelChange(side: .ask, price: units("55010"), size: units("1"))], time: Self.start))
        #expect(!engine.markets[0].bookOutdated)
        #expect(engine.markets[0].liquidationBlock(now: engine.time, maximumAge: engine.configuration.maximumBookAge) == nil)
        let crossed = engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(54_000), time: Self.start + 401 * Self.second))
        #expect(MarkAgeTests.liquidated(crossed) && !engine.positions[0].isOpen)
    }
}
