import Testing
@testable import MarketFeeds
import RiskEngine

/// Synthetic positions are drawn on a thread of their own, in chunks, while the engine places the
/// chunks before: the book must be the one drawn all at once, and the generator must come back
/// where drawing them all leaves it (later symbols draw on from there).
@Suite("Synthetic positions drawn beside their placing")
struct SyntheticSeedingTests {
    @Test("the chunks, in order, are the positions drawn at once; the generator comes back advanced the same", arguments: [1, 7, 8_192, 30_000])
    func chunksAreTheWhole(count: Int) {
        let btc = InstrumentCatalog.builtIn.instrument(for: "binance-usdm:BTCUSDT")
        let eth = InstrumentCatalog.builtIn.instrument(for: "binance-usdm:ETHUSDT")
        var whole = SyntheticPositions(count: count, seed: 9)
        let expectedFirst = whole.positions(for: btc, mark: Fixed(60_000))
        let expectedSecond = whole.positions(for: eth, mark: Fixed(3_000))

        let seeding = SyntheticSeeding(generator: SyntheticPositions(count: count, seed: 9), instrument: btc, mark: Fixed(60_000))
        var drawn: [PositionUpdate] = []
        var chunks = 0
        while let chunk = seeding.next() {
            #expect(!chunk.isEmpty && chunk.count <= SyntheticSeeding.chunkSize)
            drawn += chunk
            chunks += 1
        }
        #expect(seeding.next() == nil)
        #expect(drawn == expectedFirst)
        #expect(chunks == (count + SyntheticSeeding.chunkSize - 1) / SyntheticSeeding.chunkSize)
        // The second symbol (with the cross accounts of the first joining it) from the generator
        // handed back.
        let second = SyntheticSeeding(generator: seeding.finish(), instrument: eth, mark: Fixed(3_000))
        var drawnSecond: [PositionUpdate] = []
        while let chunk = second.next() { drawnSecond += chunk }
        #expect(drawnSecond == expectedSecond)
    }
}
