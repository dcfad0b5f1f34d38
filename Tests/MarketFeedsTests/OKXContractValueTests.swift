import Testing
@testable import MarketFeeds
import RiskEngine

/// OKX counts the sizes of its USDT-margined swaps in contracts of ctVal coins; the engine counts
/// coins. The decoder converts with the built-in instruments' contract values, and the OKX margin
/// rule converts back to contracts for the tiers: the two must agree.
@Suite("OKX contract values")
struct OKXContractValueTests {
    static func decode(_ frame: String) -> [FeedMessage] {
        var decoder = OKXFrameDecoder()
        var messages: [FeedMessage] = []
        let bytes = Array(frame.utf8)
        let outcome = bytes.withUnsafeBufferPointer { decoder.decode($0.baseAddress!, count: $0.count, receiveTime: 1, into: &messages) }
        #expect(outcome == .decoded, "\(outcome)")
        return messages
    }

    @Test("the decoder's contract values are the built-in instruments': BTC-USDT 0.01 BTC, ETH-USDT 0.1 ETH")
    func sameAsInstruments() {
        let values = Dictionary(uniqueKeysWithValues: OKXFrameDecoder.linearContractValues.map { (String(decoding: $0.family, as: UTF8.self), $0.units) })
        #expect(values == ["BTC-USDT": Fixed("0.01")!.bookUnits, "ETH-USDT": Fixed("0.1")!.bookUnits])
        #expect(Instrument.okxBTCUSDTSwap.coinsPerContract == Fixed("0.01")! && Instrument.okxETHUSDTSwap.coinsPerContract == Fixed("0.1")!)
    }

    @Test("a BTC-USDT-SWAP book of 250 contracts is 2.5 BTC in the engine, and a 2.5 BTC position is 250 contracts to OKX's tiers")
    func bookInCoinsTiersInContracts() {
        let frame = #"{"arg":{"channel":"books","instId":"BTC-USDT-SWAP"},"action":"snapshot","data":[{"asks":[["60000.1","250","0","3"]],"bids":[["59999.9","0.5","0","1"]],"ts":"1700000000000","seqId":10,"prevSeqId":-1}]}"#
        let messages = Self.decode(frame)
        guard case .book(let update)? = messages.first(where: { if case .book = $0 { return true } else { return false } }),
            case .snapshot(let bids, let asks) = update.levels
        else { Issue.record("\(messages)"); return }
        #expect(update.symbol == "okx:BTC-USDT-SWAP")
        #expect(asks.map(\.size) == [Fixed("2.5")!.bookUnits])
        #expect(bids.map(\.size) == [Fixed("0.005")!.bookUnits])
        let instrument = InstrumentCatalog.builtIn.instrument(for: "okx:BTC-USDT-SWAP")
        let terms = instrument.terms(side: .long, quantity: Fixed(bookUnits: asks[0].size), entryPrice: Fixed(60_000))
        #expect(terms.contracts == Fixed(250))
        // Its notional is in USDT: 2.5 BTC × 60,000, not 250 × 60,000.
        #expect(MarginMath.notional(terms, at: Fixed(60_000)) == Fixed(150_000))
        // The smallest order, 0.01 contract, is the instrument's lot in coins.
        #expect(instrument.lotSize == Fixed("0.0001")!)
    }

    @Test("an inverse BTC-USD-SWAP book stays in contracts (100 USD each), as the engine counts them")
    func inverseStaysInContracts() {
        let frame = #"{"arg":{"channel":"books","instId":"BTC-USD-SWAP"},"action":"snapshot","data":[{"asks":[["60000.1","250","0","3"]],"bids":[],"ts":"1700000000000"}]}"#
        let messages = Self.decode(frame)
        guard case .book(let update)? = messages.first(where: { if case .book = $0 { return true } else { return false } }),
            case .snapshot(_, let asks) = update.levels
        else { Issue.record("\(messages)"); return }
        #expect(asks.map(\.size) == [Fixed(250).bookUnits])
    }
}
