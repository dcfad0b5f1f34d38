import Testing
import LiveVenues

/// Binance takes at most 1,024 streams a connection: a session of many symbols opens several,
/// each with its own name, and one of them carries the venue-wide streams.
@Suite("Binance symbols across connections")
struct BinanceConnectionsTests {
    static func symbols(_ count: Int) -> [String] { (0..<count).map { "S\($0)USDT" } }

    @Test("100 symbols: one connection, named as the venue, with the marks and the liquidations")
    func one() {
        let sources = BinanceLiveSource.connections(market: .usdm, symbols: Self.symbols(100))
        #expect(sources.count == 1 && sources[0].name == "binance-usdm")
        #expect(sources[0].streamNames.count == 302)
        #expect(sources[0].streamNames.suffix(2) == ["!markPrice@arr@1s", "!forceOrder@arr"])
    }

    @Test("250 symbols: three connections of at most 100, every symbol once in order, the venue-wide streams once, under 1,024 streams and 8 KB of URL each")
    func several() {
        let symbols = Self.symbols(250)
        let sources = BinanceLiveSource.connections(market: .usdm, symbols: symbols, webSocketURL: "wss://fstream.binance.com")
        #expect(sources.map(\.name) == ["binance-usdm 1/3", "binance-usdm 2/3", "binance-usdm 3/3"])
        #expect(sources.flatMap(\.symbols) == symbols)
        #expect(sources.allSatisfy { $0.symbols.count <= BinanceLiveSource.symbolsPerConnection })
        #expect(sources.allSatisfy { $0.streamNames.count <= 1_024 && $0.streamURL.utf8.count < 8_192 })
        let all = sources.flatMap(\.streamNames)
        #expect(all.filter { $0 == "!forceOrder@arr" }.count == 1 && all.filter { $0 == "!markPrice@arr@1s" }.count == 1)
        #expect(sources[0].streamNames.contains("!forceOrder@arr"))
        // COIN-M: each connection has the mark streams of its own pairs (there is no all-market one).
        let coin = BinanceLiveSource.connections(market: .coinm, symbols: (0..<150).map { "C\($0)USD_PERP" })
        #expect(coin.count == 2 && coin[1].streamNames.contains("c149usd@markPrice@1s") && !coin[1].streamNames.contains("!forceOrder@arr"))
        // A pair's contracts on two connections: its marks on the first only.
        let split = BinanceLiveSource.connections(market: .coinm, symbols: (0..<100).map { "C\($0)USD_PERP" } + ["C0USD_250328"])
        let marks = split.flatMap(\.streamNames).filter { $0 == "c0usd@markPrice@1s" }
        #expect(split.count == 2 && marks.count == 1 && split[0].streamNames.contains("c0usd@markPrice@1s"))
        #expect(split[1].streamNames == ["c0usd_250328@depth@100ms", "c0usd_250328@bookTicker", "c0usd_250328@aggTrade"])
    }
}
