import Foundation
import Testing
@testable import MarketFeeds
import RiskEngine

@Suite("Real recordings", .enabled(if: SharedData.isPresent, SharedData.skipMessage))
struct RealRecordingTests {
    @Test("Binance BTCUSDT: depth sync and the final book, exactly")
    func binanceBTCUSDT() throws {
        let session = try replay([SharedData.path("binance-usdm/btcusdt_20240808.gz")])
        let sync = try #require(session.synchronizers["binance-usdm:BTCUSDT"]).counters
        #expect(sync.applied == 6_547)
        #expect(sync.droppedBeforeSync == 4)
        #expect(sync.gaps == 0)
        #expect(sync.lastUpdateId == 5_123_135_475_514)
        #expect(session.stats.read == 93_954)
        #expect(session.stats.malformed == 0)
        let book = try #require(session.engine.market("BTCUSDT")).book
        let bids = book.topLevels(.bid, count: 3).map { BookUnits.format($0.price, decimals: 2) + " × " + BookUnits.format($0.size, decimals: 3) }
        let asks = book.topLevels(.ask, count: 3).map { BookUnits.format($0.price, decimals: 2) + " × " + BookUnits.format($0.size, decimals: 3) }
        #expect(bids == ["61659.70 × 1.486", "61659.00 × 0.002", "61658.10 × 0.033"])
        #expect(asks == ["61659.80 × 0.981", "61659.90 × 0.188", "61660.00 × 7.977"])
        #expect(!book.isCrossed && !book.isStale)
        // The mark comes from the book (no mark stream in this recording), near the last prices.
        let mark = try #require(session.engine.market("BTCUSDT")?.markPrice)
        #expect(mark >= Fixed(61_600) && mark <= Fixed(61_700))
    }

    @Test("decompressing and decoding on threads gives the same result as the plain reader")
    func threadedMatches() throws {
        let path = SharedData.path("binance-usdm/btcusdt_20240808.gz")
        let plain = try replay([path]) { $0.syntheticPositions = 2_000 }
        let threaded = try replay([path]) { $0.threaded = true; $0.syntheticPositions = 2_000 }
        #expect(plain.engine.market("BTCUSDT")?.book == threaded.engine.market("BTCUSDT")?.book)
        #expect(plain.stats.read == threaded.stats.read)
        #expect(plain.stats.applied == threaded.stats.applied)
        #expect(plain.stats.skipped == threaded.stats.skipped)
        #expect(plain.synchronizers["binance-usdm:BTCUSDT"]?.counters == threaded.synchronizers["binance-usdm:BTCUSDT"]?.counters)
        #expect(plain.log.simulatedCount == threaded.log.simulatedCount)
        #expect(plain.log.alerts.count == threaded.log.alerts.count)
        #expect(plain.engine.fund("USDT").balance == threaded.engine.fund("USDT").balance)
        #expect(plain.engine.positions.count == threaded.engine.positions.count)
        #expect(plain.lastTime == threaded.lastTime)
    }

    @Test("synthetic positions on the real market: liquidations, money conserved, deterministic by seed")
    func syntheticPositions() throws {
        func run() throws -> ReplaySession {
            try replay([SharedData.path("binance-usdm/btcusdt_20240808.gz")]) { options in
                options.syntheticPositions = 2_000
                options.seed = 7
                options.insuranceFund = [FundOpening(asset: "USDT", balance: Fixed(2_000))]
            }
        }
        let first = try run()
        let second = try run()
        #expect(first.engine.positions.count >= 2_000)
        #expect(first.log.simulatedCount > 0)
        #expect(first.log.simulatedCount == second.log.simulatedCount)
        #expect(first.engine.fund("USDT").balance == second.engine.fund("USDT").balance)
        #expect(first.engine.moneyInSystem(asset: "USDT") == first.engine.deposits["USDT"])
    }

    @Test("cryptofeed capture with its .http. snapshots: four symbols in sync")
    func cryptofeed() throws {
        let session = try replay([SharedData.path("cryptofeed/BINANCE_FUTURES.ws.1.0")])
        for symbol in ["SUSHIUSDT", "AKROUSDT", "KEEPUSDT", "CTKUSDT"] {
            let sync = try #require(session.synchronizers["binance-usdm:" + symbol], "\(symbol)").counters
            #expect(sync.snapshots == 1, "\(symbol)")
            #expect(sync.gaps == 0, "\(symbol)")
            #expect(sync.applied > 100, "\(symbol)")
            #expect(session.engine.market(symbol)?.book.isStale == false)
        }
        #expect(session.stats.malformed == 0)
    }

    @Test("Tardis book_snapshot_25 and incremental_book_L2")
    func tardis() throws {
        let snapshots = try replay([SharedData.path("tardis/binance-futures_book_snapshot_25_BTCUSDT.csv")])
        let book = try #require(snapshots.engine.market("BTCUSDT")).book
        #expect(book.bids.count == 25 && book.asks.count == 25)
        #expect(snapshots.engine.market("BTCUSDT")!.counters.snapshots == 10)
        let incremental = try replay([SharedData.path("tardis/deribit_incremental_book_L2_BTC-PERPETUAL.csv")])
        let deribit = try #require(incremental.engine.market("BTC-PERPETUAL")).book
        #expect(deribit.asks.best?.price == BookUnits.parse("6421.5"))
        #expect(incremental.stats.malformed == 0)
    }

    @Test("the liquidation collection (test fixtures of many venues) is refused with why, not read as 40 malformed frames")
    func fixturesRefused() throws {
        let path = SharedData.path("liquidations/exchange_liquidation_messages.jsonl")
        #expect { _ = try ReplaySession(paths: [path], options: SessionOptions()) } throws: { error in
            "\(error)".contains("test fixtures (each line a test's name and one message of some venue and year), not a recording of a feed")
        }
    }

    @Test("Binance forceOrder messages from the liquidation collection decode as exchange liquidations")
    func forceOrders() throws {
        let text = try String(contentsOfFile: SharedData.path("liquidations/exchange_liquidation_messages.jsonl"), encoding: .utf8)
        var decoded: [ExchangeLiquidation] = []
        for line in text.split(separator: "\n") where line.contains("forceOrder") {
            // The frame exactly as the exchange sent it: the text after "message": .
            let frame = String(line[line.range(of: "\"message\": ")!.upperBound...].dropLast())
            var bytes = Array(frame.utf8)
            let result = bytes.withUnsafeMutableBufferPointer { BinanceFrameDecoder.decode($0.baseAddress!, count: $0.count, receiveTime: nil) }
            guard case .event(.exchangeLiquidation(let liquidation))? = result else { Issue.record("not decoded: \(frame)"); continue }
            decoded.append(liquidation)
        }
        #expect(decoded.count == 3)
        let binance = decoded[1]
        #expect(binance.symbol == "binance-usdm:BTCUSDT")
        #expect(binance.side == .short) // a BUY liquidation order closes a short
        #expect(binance.price == Fixed("4706.04"))
        #expect(binance.quantity == Fixed("0.014"))
        #expect(decoded[2].side == .long && decoded[2].symbol == "binance-coinm:BTCUSD_200925")
    }
}
