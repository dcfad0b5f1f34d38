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
    /// The venue's margin rule: what the tiers are measured in and how maintenance margin and the
    /// liquidation price follow from them (see `MarginRules`). By default the rule of the market's
    /// venue, Binance's for a market of no venue.
    public var marginRules: MarginRules
    /// Coins one exchange contract of a linear instrument is worth, where the venue counts sizes in
    /// contracts of several coins (OKX's ctVal: 0.01 for BTC-USDT-SWAP). The engine's quantities
    /// stay in coins (the OKX decoder converts book sizes); OKX's tiers count contracts. 1 elsewhere.
    public var coinsPerContract: Fixed

    public init(
        symbol: String, tickSize: Fixed, lotSize: Fixed, kind: ContractKind, settlementAsset: String,
        brackets: BracketTable, liquidationFeeRate: Fixed, marginRules: MarginRules? = nil, coinsPerContract: Fixed = .one
    ) {
        self.symbol = symbol
        self.tickSize = tickSize
        self.lotSize = lotSize
        self.kind = kind
        self.settlementAsset = settlementAsset
        self.brackets = brackets
        self.liquidationFeeRate = liquidationFeeRate
        self.marginRules = marginRules ?? MarginRules.ofVenue(MarketID.venue(of: symbol))
        self.coinsPerContract = coinsPerContract
    }

    /// What the margin maths needs of a position of this instrument.
    public func terms(side: Side, quantity: Fixed, entryPrice: Fixed) -> PositionTerms {
        PositionTerms(side: side, quantity: quantity, entryPrice: entryPrice, kind: kind, brackets: brackets,
            coinsPerContract: coinsPerContract, liquidationFeeRate: liquidationFeeRate)
    }

    /// The exchange's own name of the contract (`BTCUSDT`), without the venue.
    public var exchangeSymbol: String { MarketID.symbol(of: symbol) }
    public var venue: Venue? { MarketID.venue(of: symbol) }

    /// The unit a price and a notional are counted in: the settlement asset of a linear contract
    /// (`USDT`, `USDC`), USD for an inverse one (its contracts are worth dollars).
    public var quote: String { kind.isInverse ? "USD" : settlementAsset }

    /// What the market's quantities count: contracts (inverse) or the base asset (`BTCUSDT` →
    /// `BTC`; "units" when the symbol does not end in its settlement asset).
    public var quantityUnit: String {
        if kind.isInverse { return "contracts" }
        // Hyperliquid names a market by its coin (`BTC`, settled in USDC); OKX by base and quote
        // (`BTC-USDT-SWAP`, its sizes turned into coins by the decoder): both count the coin (the
        // report said "ADL quantity units" for hyperliquid:BTC; operator trial).
        if venue == .hyperliquid, !exchangeSymbol.isEmpty, exchangeSymbol.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) {
            return exchangeSymbol
        }
        let dashed = exchangeSymbol.split(separator: "-")
        if dashed.count >= 2, dashed[1] == settlementAsset { return String(dashed[0]) }
        let contract = exchangeSymbol.split(separator: "_").first.map(String.init) ?? exchangeSymbol
        guard contract.hasSuffix(settlementAsset), contract.count > settlementAsset.count else { return "units" }
        return String(contract.dropLast(settlementAsset.count))
    }

    /// Its maintenance tiers are liqwatch's assumption, not the venue's published table: a
    /// venue's conservative fallback (OKX's flat 5 %, Bybit's 2.5 % / 5 % / 10 %, Hyperliquid's
    /// 10x / 5x), or Binance BTCUSDT's brackets taken by another USDⓈ-M contract nobody described
    /// (which err late for most: an altcoin's first bracket is usually above BTC's 0.40 %). The
    /// position view says so beside the rate (operator trial: a fallback rate read as the venue's).
    public var tiersAssumed: Bool {
        if brackets == Instrument.okxConservativeTiers || brackets == Instrument.bybitConservativeRiskLimits
            || brackets == Instrument.hyperliquidConservativeMarginTable { return true }
        // Binance's tables are a pair's (COIN-M's quarterlies share the perpetual's).
        let pair = exchangeSymbol.split(separator: "_").first.map(String.init) ?? exchangeSymbol
        if brackets == Instrument.binanceBTCUSDTBrackets { return pair != "BTCUSDT" }
        if brackets == Instrument.binanceBTCUSDPerpBrackets { return pair != "BTCUSD" }
        if brackets == Instrument.binanceETHUSDPerpBrackets { return pair != "ETHUSD" }
        return false
    }

    /// Decimals to show a price with: those of the tick (0.10 → 2 is how Binance prints BTCUSDT).
    public var priceDecimals: Int { Instrument.decimals(of: tickSize, minimum: 2) }
    public var sizeDecimals: Int { Instrument.decimals(of: lotSize, minimum: 0) }

    /// A quantity of this market with its lot's decimals (at most four), or every digit more it
    /// has (up to eight), grouped: as the panes show sizes. `10,242,811.000 AKRO` in a report, beside the
    /// panes' `10,242,811`, read as a figure of another precision. A lot nobody described (a
    /// book unit, eight places) sets no places of its own: the quantity's digits do.
    public func quantityText(_ quantity: Fixed, grouping: Bool = true) -> String {
        Instrument.quantityText(quantity, sizeDecimals: sizeDecimals, grouping: grouping)
    }

    /// The same for a market known by its lot's decimals alone (an alert's, told without its
    /// instrument).
    public static func quantityText(_ quantity: Fixed, sizeDecimals: Int, grouping: Bool = true) -> String {
        quantity.formatted(quantityPlaces(quantity, sizeDecimals: sizeDecimals), grouping: grouping)
    }

    /// The places `quantityText` gives `quantity`: at most four where none are needed, as
    /// `Format.quantity` gives sizes in the panes (Hyperliquid's 0.00001 lot read `6.23800` in
    /// the fund pane, `6.2380` beside it), every digit where there are more.
    public static func quantityPlaces(_ quantity: Fixed, sizeDecimals: Int) -> Int {
        var places = sizeDecimals >= BookUnits.places ? 0 : Swift.min(sizeDecimals, 4)
        while places < BookUnits.places && quantity.rounded(places: places, .towardZero) != quantity { places += 1 }
        return places
    }

    /// Quantities of one column, each with as many places as the one needing most (a stress
    /// table's ADL column read `335.6302`, `269.42779`, `0.0000` and `110.7720`: operator trial).
    public func quantityColumn(_ quantities: [Fixed], grouping: Bool = true) -> [String] {
        let places = quantities.map { Instrument.quantityPlaces($0, sizeDecimals: sizeDecimals) }.max() ?? 0
        return quantities.map { $0.formatted(places, grouping: grouping) }
    }

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

    // MARK: Bybit (rule: `MarginRules.bybit`)

    /// Bybit's BTCUSDT risk-limit tiers as its "Margin Parameters" page lists them (risk limit in
    /// USDT, maintenance margin rate): 20 tiers from 2,000,000 @ 0.5 % to 80,000,000 @ 4.5 %. The MM
    /// deductions Bybit prints (0, 1,200, 3,020, ... 1,482,000) are re-derived by `BracketTable`
    /// and checked against Bybit's in the tests.
    public static let bybitBTCUSDTRiskLimits = BracketTable(capsAndRates: [
        (2_000_000, "0.005"), (2_600_000, "0.0056"), (3_200_000, "0.0063"), (3_800_000, "0.0067"), (4_400_000, "0.0071"),
        (5_000_000, "0.0077"), (5_600_000, "0.0091"), (8_500_000, "0.01"), (10_000_000, "0.013"), (14_000_000, "0.015"),
        (20_000_000, "0.016"), (28_000_000, "0.02"), (38_000_000, "0.025"), (50_000_000, "0.029"), (55_000_000, "0.03"),
        (60_000_000, "0.035"), (65_000_000, "0.036"), (70_000_000, "0.038"), (75_000_000, "0.04"), (80_000_000, "0.045"),
    ])

    /// BTCUSD (inverse, caps in BTC): the first tier, 150 BTC @ 0.5 % (100x), is the one Bybit's v5
    /// `/v5/market/risk-limit` documentation answers for BTCUSD, and 0.5 % is the base rate its "Risk
    /// Limit (Inverse Contract)" gives for BTC. Above 150 BTC liqwatch found no published tier, and
    /// assumes 5 % to 1,000 BTC and 10 % above, the upper rates of `bybitConservativeRiskLimits`
    /// (an assumption; `/v5/market/risk-limit?category=inverse&symbol=BTCUSD` in an instrument file
    /// gives the real ones).
    public static let bybitBTCUSDRiskLimits = BracketTable(caps: [Fixed(150), Fixed(1_000), Fixed.max],
        rates: [Fixed("0.005")!, Fixed("0.05")!, Fixed("0.10")!])

    /// What liqwatch assumes for a Bybit contract whose tiers it was not given: 2.5 % up to
    /// 1,000,000 of notional, 5 % up to 5,000,000, 10 % above. An assumption of liqwatch's, not
    /// Bybit's: conservative against the first tiers Bybit publishes for its main contracts (0.5 %
    /// for BTC, 1 % for ETH and XRP in "Risk Limit (Inverse Contract)"), so an undescribed market's
    /// liquidation price errs early, never late, for positions up to the first tiers. Give the
    /// venue's `/v5/market/risk-limit` answer in an instrument file for the real tiers.
    public static let bybitConservativeRiskLimits = BracketTable(caps: [Fixed(1_000_000), Fixed(5_000_000), Fixed.max],
        rates: [Fixed("0.025")!, Fixed("0.05")!, Fixed("0.10")!])

    /// A Bybit linear perpetual settled in its quote. Bybit charges no liquidation fee of its own:
    /// a liquidated position is closed at its bankruptcy price and what is left above it goes to the
    /// insurance fund, which the engine's settlement does with a fee rate of 0 (all of it surplus).
    static func bybitLinear(_ symbol: String, tick: String, lot: String, tiers: BracketTable = bybitConservativeRiskLimits) -> Instrument {
        Instrument(symbol: "bybit:\(symbol)", tickSize: Fixed(tick)!, lotSize: Fixed(lot)!, kind: .linear,
            settlementAsset: quoteAsset(of: symbol), brackets: tiers, liquidationFeeRate: .zero, marginRules: .bybit)
    }

    // Ticks and quantity steps as Bybit's instrument list (`/v5/market/instruments-info`) gives them.
    // (A bare `BTCUSDT` of an engine fed directly still takes Binance's contract: when several
    // venues list a bare symbol the catalog takes Binance's, see `InstrumentCatalog.instrument(for:)`.)
    public static let bybitBTCUSDT = bybitLinear("BTCUSDT", tick: "0.10", lot: "0.001", tiers: bybitBTCUSDTRiskLimits)
    /// ETHUSDT, SOLUSDT and XRPUSDT: liqwatch found no published text of their tiers, so they take
    /// the conservative fallback (see `bybitConservativeRiskLimits`) until an instrument file gives them.
    public static let bybitETHUSDT = bybitLinear("ETHUSDT", tick: "0.01", lot: "0.01")
    public static let bybitSOLUSDT = bybitLinear("SOLUSDT", tick: "0.010", lot: "0.1")
    public static let bybitXRPUSDT = bybitLinear("XRPUSDT", tick: "0.0001", lot: "1")
    /// Bybit's inverse BTCUSD: a contract is 1 USD, settled in BTC.
    public static let bybitBTCUSD = Instrument(symbol: "bybit:BTCUSD", tickSize: Fixed("0.5")!, lotSize: .one,
        kind: .inverse(contractSize: .one), settlementAsset: "BTC", brackets: bybitBTCUSDRiskLimits,
        liquidationFeeRate: .zero, marginRules: .bybit)

    // MARK: OKX (rule: `MarginRules.okx`)

    /// OKX's regular-user taker fee on perpetual swaps, 0.05 %: OKX liquidates when equity falls
    /// to the maintenance margin plus this fee on the position value ("Tiered maintenance margin
    /// ratio rules"; the margin ratio is equity ÷ (MM + fees)), and charges it on the liquidation.
    public static let okxLiquidationFeeRate = Fixed("0.0005")!

    /// BTC-USD-SWAP's tiers in contracts (OKX's "Adjustment of Perpetual Swap Tiered Maintenance
    /// Margin Ratio Schedule", 2019, the last BTC swap table liqwatch found as text): up to 999
    /// contracts 0.5 %, 9,999 1 %, 14,999 1.5 %, 24,999 2 %, 49,999 2.5 %, 74,999 3 %, 99,999 3.5 %,
    /// 109,999 4 %, then 10,000 contracts and 0.5 % more a tier up to 1,899,999 at 93.5 %. OKX has
    /// retiered since: check against `/api/v5/public/position-tiers?instType=SWAP&instFamily=BTC-USD`
    /// and give the current table in an instrument file.
    public static let okxBTCUSDSwapTiers: BracketTable = {
        var caps: [Fixed] = [999, 9_999, 14_999, 24_999, 49_999, 74_999, 99_999].map { Fixed($0) }
        var rates: [Fixed] = ["0.005", "0.01", "0.015", "0.02", "0.025", "0.03", "0.035"].map { Fixed($0)! }
        var cap = 109_999
        var rate = Fixed("0.04")!
        while rate <= Fixed("0.935")! {
            caps.append(Fixed(cap))
            rates.append(rate)
            cap += 10_000
            rate += Fixed("0.005")!
        }
        return BracketTable(caps: caps, rates: rates)
    }()

    /// What liqwatch assumes for an OKX contract whose tiers it was not given: 5 % on the whole
    /// position, whatever its size. OKX measures tiers in contracts, whose worth differs from one
    /// contract to the next, so no table of caps fits them all; 5 % is above the first-tier rate of
    /// every OKX swap table liqwatch found (0.4 % to 2 %), so the liquidation price errs early for
    /// positions within a first few tiers. An assumption, not OKX's: give the position-tiers answer in
    /// an instrument file.
    public static let okxConservativeTiers = BracketTable.single(rate: Fixed("0.05")!)

    /// An OKX USDT-margined swap: sizes in the books are contracts of `coinsPerContract` coins
    /// (ctVal); the OKX decoder turns them into coins, which is what the engine counts, and the
    /// OKX rule turns them back into contracts for the tiers.
    static func okxLinear(_ market: String, tick: String, lotContracts: String, coinsPerContract: String) -> Instrument {
        let coins = Fixed(coinsPerContract)!
        return Instrument(symbol: market, tickSize: Fixed(tick)!, lotSize: Fixed(lotContracts)! * coins, kind: .linear,
            settlementAsset: "USDT", brackets: okxConservativeTiers, liquidationFeeRate: okxLiquidationFeeRate,
            marginRules: .okx, coinsPerContract: coins)
    }

    // Contract values (ctVal), ticks and lot sizes as OKX's `/api/v5/public/instruments` lists them:
    // BTC-USDT-SWAP 0.01 BTC a contract, tick 0.1, lot 0.01 contract; ETH-USDT-SWAP 0.1 ETH, 0.01,
    // 0.01 contract. Their tiers: the conservative fallback (no published text of them found).
    public static let okxBTCUSDTSwap = okxLinear("okx:BTC-USDT-SWAP", tick: "0.1", lotContracts: "0.01", coinsPerContract: "0.01")
    public static let okxETHUSDTSwap = okxLinear("okx:ETH-USDT-SWAP", tick: "0.01", lotContracts: "0.01", coinsPerContract: "0.1")
    // OKX coin-margined swaps: sizes in contracts (ctVal 100 USD for BTC, 10 USD for the others),
    // settled in the coin.
    public static let okxBTCUSDSwap = okxInverse("okx:BTC-USD-SWAP", tick: "0.1", tiers: okxBTCUSDSwapTiers)
    public static let okxETHUSDSwap = okxInverse("okx:ETH-USD-SWAP", tick: "0.01")
    public static let okxUNIUSDSwap = okxInverse("okx:UNI-USD-SWAP", tick: "0.001")

    /// An OKX coin-margined contract (`BTC-USD-SWAP`, `BTC-USD-250328`): inverse, a contract worth
    /// 100 USD for BTC and 10 USD for every other coin (OKX's ctVal), settled in the coin, under
    /// OKX's rule with the given tiers (the conservative fallback unless known).
    public static func okxInverse(_ market: String, tick: String = "0.00000001", tiers: BracketTable = okxConservativeTiers) -> Instrument {
        let base = MarketID.symbol(of: market).split(separator: "-").first.map(String.init) ?? ""
        let isBitcoin = base == "BTC"
        return Instrument(symbol: market, tickSize: Fixed(tick)!, lotSize: .one, kind: .inverse(contractSize: Fixed(isBitcoin ? 100 : 10)),
            settlementAsset: base.isEmpty ? "USD" : base, brackets: tiers, liquidationFeeRate: okxLiquidationFeeRate, marginRules: .okx)
    }

    // MARK: Hyperliquid (rule: `MarginRules.hyperliquid`)

    /// A Hyperliquid margin table from its tiers as Hyperliquid's "Margin tiers" page lists them
    /// (the notional, in USDC, where a tier starts, and its max leverage): the maintenance margin
    /// rate of a tier is half its initial margin rate at max leverage, `1 ÷ (2 × max leverage)`,
    /// and the deductions are built as Hyperliquid defines them, `deduction_n = deduction_{n−1} +
    /// lower_bound_n × (MMR_n − MMR_{n−1})`, which is exactly `BracketTable`'s rule with each
    /// tier's cap at the next one's lower bound.
    public static func hyperliquidMarginTable(_ tiers: [(lowerBound: Int, maxLeverage: Int)]) -> BracketTable {
        BracketTable(marginTiers: tiers.map { (Fixed($0.lowerBound), Fixed($0.maxLeverage)) })
    }

    /// Mainnet tables of Hyperliquid's "Margin tiers": BTC 40x to 150M and 20x above; ETH 25x to
    /// 100M and 15x above; SOL 20x to 70M and 10x above.
    public static let hyperliquidBTCMarginTable = hyperliquidMarginTable([(0, 40), (150_000_000, 20)])
    public static let hyperliquidETHMarginTable = hyperliquidMarginTable([(0, 25), (100_000_000, 15)])
    public static let hyperliquidSOLMarginTable = hyperliquidMarginTable([(0, 20), (70_000_000, 10)])
    /// For a coin whose table liqwatch was not given: the table "Margin tiers" lists for the largest
    /// group of its coins (DOGE, SUI, LINK, AVAX, HYPE and others), 10x to 20M and 5x above, so
    /// 5 % and 10 %. Conservative against BTC, ETH, SOL and XRP; not against a coin listed at 3x
    /// (16.7 %): give its table in an instrument file.
    public static let hyperliquidConservativeMarginTable = hyperliquidMarginTable([(0, 10), (20_000_000, 5)])

    /// A Hyperliquid perpetual: USDC-settled, sizes in the coin, prices of 5 significant figures.
    /// Hyperliquid charges no liquidation ("clearance") fee: a book liquidation leaves the rest of
    /// the collateral with the trader, a backstop liquidation gives it to the liquidator vault
    /// (HLP) ("Liquidations"). The engine's liquidations walk the book, so the rest goes back to
    /// the trader (`MarginRules.leavesSurplusWithTrader`); the fund stands for the vault.
    public static func hyperliquid(_ coin: String, tick: String, lot: String, table: BracketTable = hyperliquidConservativeMarginTable) -> Instrument {
        Instrument(symbol: "hyperliquid:\(coin)", tickSize: Fixed(tick)!, lotSize: Fixed(lot)!, kind: .linear,
            settlementAsset: "USDC", brackets: table, liquidationFeeRate: .zero, marginRules: .hyperliquid)
    }

    // Size decimals (szDecimals) as Hyperliquid's `meta` lists them: BTC 5, ETH 4, SOL 2; the tick is
    // the fifth significant figure at recent prices (a whole dollar for BTC, 0.1 for ETH, 0.01 for SOL).
    public static let hyperliquidBTC = hyperliquid("BTC", tick: "1", lot: "0.00001", table: hyperliquidBTCMarginTable)
    public static let hyperliquidETH = hyperliquid("ETH", tick: "0.1", lot: "0.0001", table: hyperliquidETHMarginTable)
    public static let hyperliquidSOL = hyperliquid("SOL", tick: "0.01", lot: "0.01", table: hyperliquidSOLMarginTable)

    /// "BTCUSDT" → "USDT", "ETHBUSD" → "BUSD", "SUSHIUSDC" → "USDC"; anything else settles in USDT.
    static func quoteAsset(of symbol: String) -> String {
        // Bybit's USDC perpetuals (`BTCPERP`) settle in USDC.
        if symbol.uppercased().hasSuffix("PERP") { return "USDC" }
        for quote in ["USDT", "USDC", "BUSD", "FDUSD", "USD"] where symbol.uppercased().hasSuffix(quote) {
            return quote == "USD" ? "USDT" : quote
        }
        return "USDT"
    }
}
