/// How a contract's value and profit are denominated.
public enum ContractKind: Hashable, Sendable {
    /// USDT-margined: size in the base asset, PnL and margin in the quote asset.
    case linear
    /// Coin-margined: size in contracts worth `contractSize` quote units each (100 USD for
    /// BTCUSD_PERP); PnL and margin in the base asset.
    case inverse(contractSize: Fixed)

    public var isInverse: Bool {
        if case .inverse = self { return true }
        return false
    }

    public var contractSize: Fixed {
        if case .inverse(let size) = self { return size }
        return .one
    }
}

/// A tradable perpetual and the exchange parameters the risk maths needs.
public struct Instrument: Hashable, Sendable {
    public var symbol: String
    public var tickSize: Fixed
    public var lotSize: Fixed
    public var kind: ContractKind
    /// The asset margin, PnL and the insurance fund of this contract are counted in.
    public var settlementAsset: String
    public var brackets: BracketTable
    /// Charged on the liquidated notional and paid to the insurance fund.
    public var liquidationFeeRate: Fixed

    public init(
        symbol: String, tickSize: Fixed, lotSize: Fixed, kind: ContractKind, settlementAsset: String,
        brackets: BracketTable, liquidationFeeRate: Fixed
    ) {
        self.symbol = symbol
        self.tickSize = tickSize
        self.lotSize = lotSize
        self.kind = kind
        self.settlementAsset = settlementAsset
        self.brackets = brackets
        self.liquidationFeeRate = liquidationFeeRate
    }

    /// Decimals to show a price with: those of the tick (0.10 → 2 is how Binance prints BTCUSDT).
    public var priceDecimals: Int { Instrument.decimals(of: tickSize, minimum: 2) }
    public var sizeDecimals: Int { Instrument.decimals(of: lotSize, minimum: 0) }

    static func decimals(of step: Fixed, minimum: Int) -> Int {
        var places = 0
        var value = step
        while places < 8 && !(value.rounded(places: 0) == value) {
            value = value * Fixed(10)
            places += 1
        }
        return Swift.max(minimum, places)
    }
}

extension Instrument {
    /// Binance's published USDⓈ-M table for BTCUSDT (notional cap in USDT, maintenance margin rate);
    /// the default for every linear symbol unless an instrument file says otherwise.
    public static let binanceBTCUSDTBrackets = BracketTable(capsAndRates: [
        (50_000, "0.004"), (250_000, "0.005"), (1_000_000, "0.01"), (10_000_000, "0.025"),
        (20_000_000, "0.05"), (50_000_000, "0.10"), (100_000_000, "0.125"), (200_000_000, "0.15"),
        (300_000_000, "0.25"), (500_000_000, "0.50"),
    ])

    /// COIN-M brackets are capped in coin. The first row (50 BTC @ 0.4 %) is Binance's published
    /// example for BTCUSD_PERP; the rows above it follow the same shape as the USDT table and are an
    /// assumption to be overridden with an instrument file when the exact table matters.
    public static let binanceBTCUSDPerpBrackets = BracketTable(capsAndRates: [
        (50, "0.004"), (250, "0.005"), (1_000, "0.01"), (5_000, "0.025"), (10_000, "0.05"),
        (20_000, "0.10"), (35_000, "0.125"), (50_000, "0.15"), (100_000, "0.25"),
    ])

    public static let defaultLiquidationFeeRate = Fixed("0.005")!

    public static func linear(symbol: String, tick: String, lot: String) -> Instrument {
        Instrument(
            symbol: symbol, tickSize: Fixed(tick)!, lotSize: Fixed(lot)!, kind: .linear,
            settlementAsset: Instrument.quoteAsset(of: symbol), brackets: binanceBTCUSDTBrackets,
            liquidationFeeRate: defaultLiquidationFeeRate)
    }

    public static let btcusdt = linear(symbol: "BTCUSDT", tick: "0.10", lot: "0.001")
    public static let ethusdt = linear(symbol: "ETHUSDT", tick: "0.01", lot: "0.001")
    public static let btcusdPerp = Instrument(
        symbol: "BTCUSD_PERP", tickSize: Fixed("0.1")!, lotSize: .one, kind: .inverse(contractSize: Fixed(100)),
        settlementAsset: "BTC", brackets: binanceBTCUSDPerpBrackets, liquidationFeeRate: defaultLiquidationFeeRate)

    /// "BTCUSDT" → "USDT", "ETHBUSD" → "BUSD", "SUSHIUSDC" → "USDC"; anything else settles in USDT.
    static func quoteAsset(of symbol: String) -> String {
        for quote in ["USDT", "USDC", "BUSD", "FDUSD", "USD"] where symbol.uppercased().hasSuffix(quote) {
            return quote == "USD" ? "USDT" : quote
        }
        return "USDT"
    }
}
