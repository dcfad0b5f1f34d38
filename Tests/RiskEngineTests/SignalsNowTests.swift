import Testing
@testable import RiskEngine

/// Signals read for a still screen (`Engine.readSignalsNow`): a paused dashboard showed the sample
/// taken at the first event of the second, before the rest of that second emptied the bids.
@Suite("Signals read for a session standing still")
struct SignalsNowTests {
    static let second: Int64 = 1_000_000_000
    static let symbol = "binance-usdm:BTCUSDT"

    /// A warmed BTC market with a fund, a long position near its liquidation and a book that could
    /// close it, sampled at second `warm` (its first event).
    static func warmedEngine() -> (engine: Engine, time: Int64) {
        var engine = Engine()
        func units(_ text: String) -> Int64 { Fixed(text)!.bookUnits }
        engine.openFund(asset: "USDT", balance: Fixed(1_000))
        let seconds = Int64(SignalThresholds().warmupSamples + 5)
        for second in 0..<seconds {
            engine.apply(.bookSnapshot(symbol: symbol, bids: [(units("59999.9"), units("50")), (units("59990"), units("50"))],
                asks: [(units("60000.0"), units("50"))], time: second * Self.second))
            engine.apply(.mark(symbol: symbol, price: Fixed(60_000), time: second * Self.second))
        }
        engine.apply(.position(PositionUpdate(account: "near", symbol: symbol, side: .long, quantity: Fixed(2),
            entryPrice: Fixed(61_000), mode: .isolated, walletBalance: nil, leverage: Fixed(40)), time: seconds * Self.second))
        return (engine, seconds * Self.second)
    }

    @Test("paused after the bids ran out mid-second: the readings are the sample's until read now, then the book's")
    func readNowAfterBidsRunOut() {
        let (warmed, start) = Self.warmedEngine()
        var engine = warmed
        let index = engine.marketIndex(of: Self.symbol)!
        #expect(engine.markets[index].signalReadings[.spread]?.sideMissing == false)
        #expect(!engine.markets[index].shownStress.unfilledQuantity.isPositive)
        // Half a second later the bids go: no sample until the next second's first event.
        engine.apply(.bookSnapshot(symbol: Self.symbol, bids: [], asks: [(Fixed(60_000).bookUnits, Fixed(50).bookUnits)],
            time: start + Self.second / 2))
        #expect(engine.markets[index].signalReadings[.spread]?.sideMissing == false, "the sample from before the bids went")
        #expect(!engine.fundState(venue: "binance-usdm", asset: "USDT").stressed.unfilledQuantity.isPositive)

        let readNow = engine.readSignalsNow()
        #expect(readNow)
        let shown = engine.markets[index].signalReadings
        #expect(shown[.spread]?.sideMissing == true && shown[.spread]?.level == .alert)
        #expect(engine.markets[index].shownStress.unfilledQuantity == Fixed(2), "the position the empty book cannot close")
        let fund = engine.fundState(venue: "binance-usdm", asset: "USDT")
        #expect(fund.stressed.adlCertain && fund.adl == .near)
        // The report keeps the last sample's figure; nothing new to read, nothing read again.
        #expect(!engine.markets[index].stressed.unfilledQuantity.isPositive)
        let readAgain = engine.readSignalsNow()
        #expect(!readAgain)
        // The sparkline shows the sample read now at its end, until the next sample replaces it.
        let sampled = engine.markets[index].signals.history(.stressedDeficit)
        let shownHistory = engine.markets[index].signalHistory(.stressedDeficit)
        #expect(shownHistory.count == sampled.count + 1 && Array(shownHistory.dropLast()) == sampled)
        #expect((shownHistory.last ?? 0) > 0 && (sampled.last ?? 1) == 0, "\(shownHistory.suffix(2))")
        #expect(engine.markets[index].signalHistory(.stressedDeficit, last: 2) == Array(shownHistory.suffix(2)))
        engine.apply(.clock(time: start + Self.second))
        #expect(engine.markets[index].signalHistory(.stressedDeficit) == engine.markets[index].signals.history(.stressedDeficit),
            "a sample taken: the live board's history again")
    }

    @Test("a session read while still goes on exactly as one never read: the same notes, samples and baselines")
    func goesOnAsNeverRead() {
        var (read, time) = Self.warmedEngine()
        var unread = read
        let index = read.marketIndex(of: Self.symbol)!
        var readNotes: [EngineNotification] = []
        var unreadNotes: [EngineNotification] = []
        func both(_ event: MarketEvent) {
            read.apply(event, into: &readNotes)
            unread.apply(event, into: &unreadNotes)
        }
        both(.bookSnapshot(symbol: Self.symbol, bids: [], asks: [(Fixed(60_000).bookUnits, Fixed(50).bookUnits)], time: time + Self.second / 2))
        read.readSignalsNow()
        // The next seconds: the bids come back, the mark falls through the position's trigger.
        for step in 1...4 {
            time += Self.second
            both(.bookSnapshot(symbol: Self.symbol, bids: [(Fixed(59_000).bookUnits, Fixed(5).bookUnits)],
                asks: [(Fixed(60_000).bookUnits, Fixed(50).bookUnits)], time: time))
            both(.mark(symbol: Self.symbol, price: Fixed(60_000 - 300 * step), time: time + 1))
            if step == 2 { read.readSignalsNow() }
        }
        #expect(readNotes.count == unreadNotes.count && !readNotes.liquidations.isEmpty)
        #expect("\(readNotes)" == "\(unreadNotes)")
        let readBoard = read.markets[index].signals
        let unreadBoard = unread.markets[index].signals
        #expect("\(readBoard)" == "\(unreadBoard)", "the board learnt nothing from the reads")
        #expect(read.markets[index].signalsNow == nil, "the next sample replaced what was read")
    }
}
