import Testing
@testable import MarketFeeds
import RiskEngine

@Suite("Synthetic positions")
struct SyntheticPositionsTests {
    @Test("account ids: kind letter, then the number zero-padded to six digits at least")
    func accountIDs() {
        #expect(SyntheticPositions.accountID(cross: true, number: 1_000_042) == "X-1000042")
        #expect(SyntheticPositions.accountID(cross: false, number: 2_009_999) == "I-2009999")
        #expect(SyntheticPositions.accountID(cross: false, number: 42) == "I-000042")
        #expect(SyntheticPositions.accountID(cross: true, number: 0) == "X-000000")
        #expect(SyntheticPositions.accountID(cross: false, number: 123_456) == "I-123456")
    }

    @Test("a book of positions: every account id distinct per symbol, cross accounts joining a second symbol")
    func book() {
        var synthetic = SyntheticPositions(count: 500, seed: 3)
        let btc = synthetic.positions(for: Instrument.btcusdt, mark: Fixed(60_000))
        #expect(btc.count == 500)
        #expect(Set(btc.map(\.account)).count == 500)
        #expect(btc.allSatisfy { $0.account.hasPrefix($0.mode == .cross ? "X-1" : "I-1") && $0.account.count == 9 })
        let eth = synthetic.positions(for: Instrument.ethusdt, mark: Fixed(3_000))
        let crossHolders = Set(btc.filter { $0.mode == .cross }.map(\.account))
        let joined = eth.filter { crossHolders.contains($0.account) }
        #expect(!joined.isEmpty && joined.allSatisfy { $0.mode == .cross })
        #expect(eth.filter { !crossHolders.contains($0.account) }.allSatisfy { $0.account.dropFirst(2).hasPrefix("2") })
    }
}
