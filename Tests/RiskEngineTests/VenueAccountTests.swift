import Testing
@testable import RiskEngine

/// A cross wallet is one venue's: the same account name on Binance and on Bybit is two accounts,
/// and a profit on one exchange never holds up a loss on the other (no exchange pools margin with
/// another). Before, accounts were keyed by name and asset alone, and a session of several venues
/// pooled them.
@Suite("Accounts are a venue's")
struct VenueAccountTests {
    static let binance = "binance-usdm:BTCUSDT"
    static let bybit = "bybit:BTCUSDT"

    static func cross(_ account: String, _ symbol: String, _ side: Side, wallet: Fixed) -> MarketEvent {
        .position(PositionUpdate(account: account, symbol: symbol, side: side, quantity: .one, entryPrice: Fixed(60_000),
            mode: .cross, walletBalance: wallet), time: 1)
    }

    @Test("one name on two venues is two accounts, each position priced by its own venue's wallet alone")
    func twoVenuesTwoWallets() {
        var engine = Engine()
        engine.apply(.mark(symbol: Self.binance, price: Fixed(60_000), time: 1))
        engine.apply(.mark(symbol: Self.bybit, price: Fixed(60_000), time: 1))
        engine.apply(Self.cross("bob", Self.binance, .long, wallet: Fixed(6_000)))
        engine.apply(Self.cross("bob", Self.bybit, .short, wallet: Fixed(7_000)))
        // The same positions, each alone in an account of its own.
        var alone = Engine()
        alone.apply(.mark(symbol: Self.binance, price: Fixed(60_000), time: 1))
        alone.apply(.mark(symbol: Self.bybit, price: Fixed(60_000), time: 1))
        alone.apply(Self.cross("solo-1", Self.binance, .long, wallet: Fixed(6_000)))
        alone.apply(Self.cross("solo-2", Self.bybit, .short, wallet: Fixed(7_000)))

        #expect(engine.accounts.count == 2)
        #expect(engine.account(id: "bob", asset: "USDT", venue: "binance-usdm")?.walletBalance == Fixed(6_000))
        #expect(engine.account(id: "bob", asset: "USDT", venue: "bybit")?.walletBalance == Fixed(7_000))
        #expect(engine.account(id: "bob", asset: "USDT", venue: "okx") == nil)
        // Pooled, the long and the short hedged each other: neither had a liquidation price.
        #expect(engine.positions[0].liquidation != nil && engine.positions[1].liquidation != nil)
        #expect(engine.positions[0].liquidation == alone.positions[0].liquidation)
        #expect(engine.positions[1].liquidation == alone.positions[1].liquidation)
        // Binance, 60,000 of notional in the 0.5 % bracket (maintenance amount 50):
        // (6,000 + 50 − 60,000) ÷ (0.005 − 1) = 54,221.11, as `liqwatch margin` says.
        #expect(engine.positions[0].liquidation!.rounded(places: 2) == fx("54221.11"))

        // Binance falls through the long's price while Bybit stands: the long is liquidated, as it
        // would be on Binance, whatever the Bybit short gains or not.
        let bids: [(price: Int64, size: Int64)] = [(units("54000"), units("10"))]
        let asks: [(price: Int64, size: Int64)] = [(units("54001"), units("10"))]
        engine.apply(.bookSnapshot(symbol: Self.binance, bids: bids, asks: asks, time: 2))
        let notes = engine.apply(.mark(symbol: Self.binance, price: Fixed(54_200), time: 2))
        #expect(notes.liquidations.map(\.symbol) == [Self.binance])
        #expect(engine.positions[1].isOpen)
    }

    @Test("a wallet statement names its venue; the same name elsewhere keeps its own")
    func walletStatementIsOneVenues() {
        var engine = Engine()
        engine.apply(Self.cross("bob", Self.binance, .long, wallet: Fixed(6_000)))
        engine.apply(Self.cross("bob", Self.bybit, .long, wallet: Fixed(6_000)))
        engine.apply(.account(id: "bob", asset: "USDT", venue: "bybit", venueGiven: true, walletBalance: Fixed(9_000), time: 2))
        #expect(engine.account(id: "bob", asset: "USDT", venue: "bybit")?.walletBalance == Fixed(9_000))
        #expect(engine.account(id: "bob", asset: "USDT", venue: "binance-usdm")?.walletBalance == Fixed(6_000))
        #expect(engine.positions[0].liquidation != engine.positions[1].liquidation)
    }

    @Test("a line that named no venue goes to the one venue holding the account, else the session's default")
    func defaultedVenue() {
        var engine = Engine()
        // An events-only session defaults to Binance USDⓈ-M; the positions are Bybit's.
        engine.apply(Self.cross("carol", Self.bybit, .long, wallet: Fixed(6_000)))
        engine.apply(.account(id: "carol", asset: "USDT", venue: "binance-usdm", venueGiven: false, walletBalance: Fixed(8_000), time: 2))
        #expect(engine.accounts.count == 1)
        #expect(engine.account(id: "carol", asset: "USDT", venue: "bybit")?.walletBalance == Fixed(8_000))
        // Named, it is that venue's, whatever else exists.
        engine.apply(.account(id: "carol", asset: "USDT", venue: "binance-usdm", venueGiven: true, walletBalance: Fixed(1_000), time: 3))
        #expect(engine.account(id: "carol", asset: "USDT", venue: "binance-usdm")?.walletBalance == Fixed(1_000))
        // The default's account holds nothing: Bybit's, which holds the position, still takes it.
        engine.apply(.account(id: "carol", asset: "USDT", venue: "binance-usdm", venueGiven: false, walletBalance: Fixed(7_000), time: 4))
        #expect(engine.account(id: "carol", asset: "USDT", venue: "bybit")?.walletBalance == Fixed(7_000))
        // Positions on two venues: whose wallet it is cannot be told, so it is refused, named (the
        // default took it, and one venue's positions were margined by the wallet another's
        // leverage implied: attacker trial). Named, it is taken.
        engine.apply(Self.cross("carol", "okx:BTC-USDT-SWAP", .long, wallet: Fixed(6_000)))
        let okxWallet = engine.account(id: "carol", asset: "USDT", venue: "okx")?.walletBalance
        let refused = engine.apply(.account(id: "carol", asset: "USDT", venue: "binance-usdm", venueGiven: false, walletBalance: Fixed(2_000), time: 5))
        #expect(refused.contains { if case .walletStatementRefused("carol", "USDT", Fixed(2_000), let reason, _) = $0 {
            return reason.contains("bybit and okx") } else { return false } }, "\(refused)")
        #expect(engine.account(id: "carol", asset: "USDT", venue: "binance-usdm")?.walletBalance == Fixed(1_000))
        #expect(engine.account(id: "carol", asset: "USDT", venue: "bybit")?.walletBalance == Fixed(7_000))
        #expect(engine.account(id: "carol", asset: "USDT", venue: "okx")?.walletBalance == okxWallet)
        var log = SessionLog()
        log.record(refused)
        #expect(log.refusedWalletStatements == 1 && log.lastRefusedWalletStatement?.contains("carol USDT 2,000.00: no venue named") == true)
        engine.apply(.account(id: "carol", asset: "USDT", venue: "okx", venueGiven: true, walletBalance: Fixed(2_000), time: 5))
        #expect(engine.account(id: "carol", asset: "USDT", venue: "okx")?.walletBalance == Fixed(2_000))
        // None anywhere: the wallet waits for the account's first position, and is its venue's
        // (the default's account would have held it while the positions came on Bybit).
        engine.apply(.account(id: "dave", asset: "USDT", venue: "binance-usdm", venueGiven: false, walletBalance: Fixed(500), time: 6))
        #expect(engine.account(id: "dave", asset: "USDT", venue: "binance-usdm") == nil)
        engine.apply(.position(PositionUpdate(account: "dave", symbol: Self.bybit, side: .long, quantity: Fixed(1), entryPrice: Fixed(60_000),
            mode: .cross), time: 7))
        #expect(engine.account(id: "dave", asset: "USDT", venue: "bybit")?.walletBalance == Fixed(500))
        #expect(engine.account(id: "dave", asset: "USDT", venue: "binance-usdm") == nil)
    }

    @Test("one venue's markets share the account's wallet, as before")
    func oneVenueOneWallet() {
        var engine = Engine()
        engine.apply(Self.cross("bob", Self.binance, .long, wallet: Fixed(6_000)))
        engine.apply(.position(PositionUpdate(account: "bob", symbol: "binance-usdm:ETHUSDT", side: .short, quantity: Fixed(10),
            entryPrice: Fixed(3_000), mode: .cross), time: 1))
        #expect(engine.accounts.count == 1)
        #expect(engine.accounts[0].positions.count == 2)
    }
}
