import Testing
@testable import RiskEngine

/// A leverage implies an isolated margin (notional at entry ÷ leverage) where none is stated: past
/// the money limit the engine refuses the position, from whatever source it comes (an event
/// stream's line has no catalog to check it against; a positions file checks its rows itself).
@Suite("A leverage's implied margin")
struct ImpliedMarginTests {
    func refusals(_ notes: [EngineNotification]) -> [String] {
        notes.compactMap { if case .positionRejected(_, _, let reason, _) = $0 { return reason } else { return nil } }
    }

    @Test("a linear position whose leverage implies a margin past 10¹⁵ is refused, and nothing of it is applied; at the limit it is placed")
    func linear() {
        var engine = Engine()
        engine.apply(.mark(symbol: "binance-usdm:BTCUSDT", price: Fixed(60_000), time: 1))
        // 60,000 of notional at 10⁻¹⁸: a margin of 6 × 10²²; at 5.9 × 10⁻¹¹ just past the limit.
        for leverage in ["0.000000000000000001", "0.000000000059"] {
            let notes = engine.apply(.position(PositionUpdate(account: "x", symbol: "binance-usdm:BTCUSDT", side: .long, quantity: .one,
                entryPrice: Fixed(60_000), mode: .isolated, leverage: Fixed(leverage)!), time: 2))
            #expect(refusals(notes) == ["leverage \(leverage) implies an isolated margin past 1,000,000,000,000,000 USDT"])
        }
        #expect(engine.totals.positionsRejected == 2)
        #expect(engine.positions.isEmpty)
        #expect(engine.moneyInSystem(asset: "USDT") == engine.deposits["USDT", default: .zero])
        // 60,000 ÷ 6 × 10⁻¹¹ = 10¹⁵ exactly: placed, with that margin.
        let notes = engine.apply(.position(PositionUpdate(account: "x", symbol: "binance-usdm:BTCUSDT", side: .long, quantity: .one,
            entryPrice: Fixed(60_000), mode: .isolated, leverage: Fixed("0.00000000006")!), time: 3))
        #expect(refusals(notes).isEmpty)
        #expect(engine.positions.count == 1 && engine.positions[0].isolatedMargin == Fixed(1_000_000_000_000_000))
        // A stated margin is the row's own (held to the limit where it is read): the leverage
        // beside it implies nothing.
        let stated = engine.apply(.position(PositionUpdate(account: "y", symbol: "binance-usdm:BTCUSDT", side: .short, quantity: .one,
            entryPrice: Fixed(60_000), mode: .isolated, isolatedMargin: Fixed(6_000), leverage: Fixed("0.000000000000000001")!), time: 3))
        #expect(refusals(stated).isEmpty)
        #expect(engine.positions.count == 2 && engine.positions[1].isolatedMargin == Fixed(6_000))
    }

    @Test("an inverse contract's implied margin is in coin: contracts × size ÷ entry ÷ leverage")
    func inverse() {
        var engine = Engine()
        engine.apply(.mark(symbol: "binance-coinm:BTCUSD_PERP", price: Fixed(1), time: 1))
        // 10¹⁰ contracts of 100 USD at an entry of 1: 10¹² BTC; ÷ 0.0009 is past 10¹⁵ BTC.
        let refused = engine.apply(.position(PositionUpdate(account: "x", symbol: "binance-coinm:BTCUSD_PERP", side: .long,
            quantity: Fixed(10_000_000_000), entryPrice: .one, mode: .isolated, leverage: Fixed("0.0009")!), time: 2))
        #expect(refusals(refused) == ["leverage 0.0009 implies an isolated margin past 1,000,000,000,000,000 BTC"])
        #expect(engine.positions.isEmpty)
        // ÷ 0.001 is 10¹⁵ BTC: placed.
        let placed = engine.apply(.position(PositionUpdate(account: "x", symbol: "binance-coinm:BTCUSD_PERP", side: .long,
            quantity: Fixed(10_000_000_000), entryPrice: .one, mode: .isolated, leverage: Fixed("0.001")!), time: 2))
        #expect(refusals(placed).isEmpty)
        #expect(engine.positions.first?.isolatedMargin == Fixed(1_000_000_000_000_000))
    }

    @Test("the batch path (positions files, synthetic books) refuses such a position too, and places the rest")
    func batch() {
        var engine = Engine()
        engine.apply(.mark(symbol: "binance-usdm:BTCUSDT", price: Fixed(60_000), time: 1))
        let updates = [
            PositionUpdate(account: "a", symbol: "binance-usdm:BTCUSDT", side: .long, quantity: .one, entryPrice: Fixed(60_000),
                mode: .isolated, leverage: Fixed(10)),
            PositionUpdate(account: "b", symbol: "binance-usdm:BTCUSDT", side: .long, quantity: .one, entryPrice: Fixed(60_000),
                mode: .isolated, leverage: Fixed("0.000000000000000001")!),
            PositionUpdate(account: "c", symbol: "binance-usdm:BTCUSDT", side: .short, quantity: .one, entryPrice: Fixed(60_000),
                mode: .isolated, leverage: Fixed(5)),
        ]
        var notes: [EngineNotification] = []
        engine.apply(positions: updates, time: 2, into: &notes) { _ in }
        #expect(refusals(notes).count == 1)
        #expect(engine.positions.map(\.isolatedMargin) == [Fixed(6_000), Fixed(12_000)])
    }
}
