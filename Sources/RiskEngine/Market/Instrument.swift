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
    /// The market's id, `venue:symbol` (`binance-usdm:BTCUSDT`; see `MarketID`).
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

    /// The exchange's own name of the contract (`BTCUSDT`), without the venue.
    public var exchangeSymbol: String { MarketID.symbol(of: symbol) }
    public var venue: Venue? { MarketID.venue(of: symbol) }

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

    /// Binance COIN-M BTCUSD_PERP, capped in BTC (notional = contracts × 100 USD ÷ mark): 5 @ 0.4 % ·
    /// 10 @ 0.5 % · 20 @ 1 % · 50 @ 2.5 % · 100 @ 5 % · 200 @ 10 % · 400 @ 12.5 % · 1,000 @ 15 % ·
    /// 1,500 @ 25 % · above @ 50 %. The floors and rates are those of Binance's leverage-bracket
    /// answer for BTCUSD (as recorded in ccxt's test fixture); the derived maintenance amount at
    /// 300 BTC is 11.605 BTC, the figure of Binance's "How to Calculate Liquidation Price of
    /// Coin-M Futures Contracts", and the table reproduces Binance's calculator (see the tests).
    public static let binanceBTCUSDPerpBrackets = BracketTable(caps: [5, 10, 20, 50, 100, 200, 400, 1_000, 1_500].map { Fixed($0) } + [Fixed.max],
        rates: ["0.004", "0.005", "0.01", "0.025", "0.05", "0.10", "0.125", "0.15", "0.25", "0.50"].map { Fixed($0)! })

    /// Binance COIN-M ETHUSD_PERP, capped in ETH: 100 @ 0.5 % · 500 @ 0.65 % · 1,000 @ 1 % · 2,000 @
    /// 2.5 % · 4,000 @ 5 % · 6,000 @ 10 % · 8,000 @ 12.5 % · 10,000 @ 15 % · 15,000 @ 25 % · above @
    /// 50 %. The caps are those of Binance's COIN-M leverage FAQ (100x up to 100 ETH ... 2x above
    /// 10,000); the rates are Binance's published ETHUSD tiers of the same caps (its 2021 margin
    /// update for ETHUSD). The top tier is assumed like BTCUSD's. Check a large position's figures
    /// against `/dapi/v2/leverageBracket`, which an instrument file can reproduce.
    public static let binanceETHUSDPerpBrackets = BracketTable(caps: [100, 500, 1_000, 2_000, 4_000, 6_000, 8_000, 10_000, 15_000].map { Fixed($0) } + [Fixed.max],
        rates: ["0.005", "0.0065", "0.01", "0.025", "0.05", "0.10", "0.125", "0.15", "0.25", "0.50"].map { Fixed($0)! })

    public static let defaultLiquidationFeeRate = Fixed("0.005")!

    /// A linear contract settling in its symbol's quote; `symbol` is a market id.
    public static func linear(symbol: String, tick: String, lot: String) -> Instrument {
        Instrument(
            symbol: symbol, tickSize: Fixed(tick)!, lotSize: Fixed(lot)!, kind: .linear,
            settlementAsset: Instrument.quoteAsset(of: MarketID.symbol(of: symbol)), brackets: binanceBTCUSDTBrackets,
            liquidationFeeRate: defaultLiquidationFeeRate)
    }

    public static let btcusdt = linear(symbol: "binance-usdm:BTCUSDT", tick: "0.10", lot: "0.001")
    public static let ethusdt = linear(symbol: "binance-usdm:ETHUSDT", tick: "0.01", lot: "0.001")
    public static let btcusdPerp = Instrument(
        symbol: "binance-coinm:BTCUSD_PERP", tickSize: Fixed("0.1")!, lotSize: .one, kind: .inverse(contractSize: Fixed(100)),
        settlementAsset: "BTC", brackets: binanceBTCUSDPerpBrackets, liquidationFeeRate: defaultLiquidationFeeRate)
    public static let ethusdPerp = Instrument(
        symbol: "binance-coinm:ETHUSD_PERP", tickSize: Fixed("0.01")!, lotSize: .one, kind: .inverse(contractSize: Fixed(10)),
        settlementAsset: "ETH", brackets: binanceETHUSDPerpBrackets, liquidationFeeRate: defaultLiquidationFeeRate)

    // Bybit's XRPUSDT linear perpetual (USDT-settled), tick and quantity step as Bybit's instrument
    // list gives them. (Not BTCUSDT or ETHUSDT: a bare `BTCUSDT` of an engine fed directly takes the
    // one built-in contract of that name, Binance's.)
    public static let bybitXRPUSDT = linear(symbol: "bybit:XRPUSDT", tick: "0.0001", lot: "1")
    // OKX coin-margined swaps: sizes in contracts (ctVal 100 USD for BTC, 10 USD for the others),
    // settled in the coin.
    public static let okxBTCUSDSwap = okxInverse("okx:BTC-USD-SWAP", tick: "0.1")
    public static let okxETHUSDSwap = okxInverse("okx:ETH-USD-SWAP", tick: "0.01")
    public static let okxUNIUSDSwap = okxInverse("okx:UNI-USD-SWAP", tick: "0.001")
    // Hyperliquid: USDC-settled, sizes in the coin (BTC: 5 size decimals; prices of 5 significant
    // figures, a whole dollar at BTC's price).
    public static let hyperliquidBTC = Instrument(symbol: "hyperliquid:BTC", tickSize: .one, lotSize: Fixed("0.00001")!, kind: .linear,
        settlementAsset: "USDC", brackets: binanceBTCUSDTBrackets, liquidationFeeRate: defaultLiquidationFeeRate)

    /// An OKX coin-margined contract (`BTC-USD-SWAP`, `BTC-USD-250328`): inverse, a contract worth
    /// 100 USD for BTC and 10 USD for every other coin (OKX's ctVal), settled in the coin, with
    /// Binance's COIN-M maintenance table of the same coin (OKX's own tiers: an instrument file).
    public static func okxInverse(_ market: String, tick: String = "0.00000001") -> Instrument {
        let base = MarketID.symbol(of: market).split(separator: "-").first.map(String.init) ?? ""
        let isBitcoin = base == "BTC"
        return Instrument(symbol: market, tickSize: Fixed(tick)!, lotSize: .one, kind: .inverse(contractSize: Fixed(isBitcoin ? 100 : 10)),
            settlementAsset: base.isEmpty ? "USD" : base, brackets: isBitcoin ? binanceBTCUSDPerpBrackets : binanceETHUSDPerpBrackets,
            liquidationFeeRate: defaultLiquidationFeeRate)
    }

    /// "BTCUSDT" → "USDT", "ETHBUSD" → "BUSD", "SUSHIUSDC" → "USDC"; anything else settles in USDT.
    static func quoteAsset(of symbol: String) -> String {
        for quote in ["USDT", "USDC", "BUSD", "FDUSD", "USD"] where symbol.uppercased().hasSuffix(quote) {
            return quote == "USD" ? "USDT" : quote
        }
        return "USDT"
    }
}
