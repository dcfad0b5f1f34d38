import Testing
@testable import RiskEngine

/// A signal's history is a ring and its readings one slot a kind (a dictionary and a shifted
/// array cost 9 µs a market a second): the sparkline still reads the last values oldest first,
/// and the changes still come in `SignalKind.allCases`' order.
@Suite("Signal histories and readings")
struct SignalHistoryTests {
    @Test("a ring keeps the last values, oldest first, across its wrap")
    func ringOrder() {
        var history = History(capacity: 4)
        for value in 1...3 { history.append(Double(value)) }
        #expect(history.values == [1, 2, 3])
        for value in 4...10 { history.append(Double(value)) }
        #expect(history.values == [7, 8, 9, 10])
        history.append(11)
        #expect(history.values == [8, 9, 10, 11])
        var none = History(capacity: 0)
        none.append(1)
        #expect(none.values.isEmpty)
    }

    @Test("the ring reads as the shifted array it replaced, at every capacity and length, and its newest values as their suffix")
    func ringAgainstShiftedArray() {
        for capacity in 0...7 {
            var ring = History(capacity: capacity)
            var shifted: [Double] = []
            for value in 0..<30 {
                ring.append(Double(value))
                shifted.append(Double(value))
                if shifted.count > capacity { shifted.removeFirst(shifted.count - capacity) }
                #expect(ring.values == shifted, "capacity \(capacity) after \(value + 1)")
                for count in 0...(capacity + 2) {
                    #expect(ring.last(count) == Array(shifted.suffix(count)), "capacity \(capacity) after \(value + 1), last \(count)")
                }
            }
        }
    }

    func inputs(second: Int64, spreadBps: Double?, depth: Double, sideMissing: Bool = false) -> SignalBoard.Inputs {
        SignalBoard.Inputs(time: second * 1_000_000_000, spreadBps: spreadBps, sideMissing: sideMissing, spreadTicks: 100,
            depth10: depth, depth50: depth, mid: 60_000, stressed: StressedDeficit(), fundBalance: 1_000_000)
    }

    @Test("a board's history is its last samples, one a second, and a copy's samples leave it as it was")
    func boardHistory() {
        var board = SignalBoard(historyLength: 5)
        for second in 1...8 { _ = board.sample(inputs(second: Int64(second), spreadBps: Double(second), depth: 1_000), thresholds: SignalThresholds(), symbol: "X") }
        #expect(board.history(.spread) == [4, 5, 6, 7, 8])
        #expect(board.history(.depth10) == [1_000, 1_000, 1_000, 1_000, 1_000])
        var copy = board
        _ = copy.sample(inputs(second: 9, spreadBps: 9, depth: 1_000), thresholds: SignalThresholds(), symbol: "X")
        #expect(copy.history(.spread) == [5, 6, 7, 8, 9])
        #expect(board.history(.spread) == [4, 5, 6, 7, 8], "the copy a still screen samples shares nothing it writes")
    }

    @Test("the readings hold one of each kind, and a sample's changes come in the kinds' order")
    func changesInOrder() {
        var board = SignalBoard(historyLength: 5)
        #expect(board.readings.isEmpty)
        let thresholds = SignalThresholds()
        for second in 1...Int64(thresholds.warmupSamples + 2) {
            _ = board.sample(inputs(second: second, spreadBps: 1, depth: 1_000_000), thresholds: thresholds, symbol: "X")
        }
        #expect(board.readings.values.map(\.kind) == SignalKind.allCases)
        #expect(!board.readings.isEmpty)
        // The bids gone: the spread, the depth and their ratio move at once.
        let changes = board.sample(inputs(second: 100, spreadBps: nil, depth: 0, sideMissing: true), thresholds: thresholds, symbol: "X")
        let kinds = changes.map(\.kind)
        #expect(kinds.count >= 3, "\(kinds)")
        #expect(kinds == SignalKind.allCases.filter { kinds.contains($0) }, "in the kinds' order: \(kinds)")
        #expect(board.readings[.spread]?.level == .alert && board.readings[.spread]?.sideMissing == true)
    }

    @Test("a market with no book yet reads no spread or depth, and their histories begin with its first book")
    func noBookYet() throws {
        let second: Int64 = 1_000_000_000
        let symbol = "binance-usdm:BTCUSDT"
        var engine = Engine()
        engine.openFund(asset: "USDT", balance: Fixed(1_000))
        // A mark first: the market exists, with no book, for two samples.
        engine.apply(.mark(symbol: symbol, price: Fixed(60_000), time: second))
        engine.apply(.mark(symbol: symbol, price: Fixed(60_000), time: 2 * second))
        let index = try #require(engine.marketIndex(of: symbol))
        let before = engine.markets[index].signalReadings
        for kind in SignalKind.allCases {
            #expect(before[kind]?.noBook == kind.readsTheBook, "\(kind)")
            #expect(engine.markets[index].signalHistory(kind).isEmpty == kind.readsTheBook, "\(kind): \(engine.markets[index].signalHistory(kind))")
        }
        #expect(before[.depth10]?.level == .ok && before[.spread]?.level == .ok)
        func units(_ text: String) -> Int64 { Fixed(text)!.bookUnits }
        engine.apply(.bookSnapshot(symbol: symbol, bids: [(units("59999.9"), units("2"))], asks: [(units("60000.1"), units("2"))], time: 3 * second))
        engine.apply(.mark(symbol: symbol, price: Fixed(60_000), time: 4 * second))
        let after = engine.markets[index].signalReadings
        #expect(after[.spread]?.noBook == false && after[.depth10]?.noBook == false)
        let spread = engine.markets[index].signalHistory(.spread)
        #expect(spread.count == 2 && spread.allSatisfy { abs($0 - 0.2 / 60_000 * 10_000) < 1e-9 }, "from the first book on: \(spread)")
        #expect(engine.markets[index].signalHistory(.stressedDeficit).count == 4, "one a sample, the book or not")
    }
}
