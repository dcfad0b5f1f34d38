import Testing
@testable import RiskEngine

/// Each venue's margin rule, reproduced from its own pages (the sources are in the README's "Where
/// the figures come from" and in the comments of `Instrument` and `MarginRules`). Where a venue's
/// page gives a worked example the test says so; otherwise the figures are computed by hand from the
/// venue's published formula and tiers, in the comment above the expectation.
@Suite("Venue margin rules: Bybit, OKX, Hyperliquid")
struct VenueRulesTests {
    func price(_ terms: PositionTerms, margin: String, _ rules: MarginRules) -> String? {
        MarginMath.liquidationPrice(terms, context: .isolated(margin: fx(margin)), rules: rules)?.formatted(2)
    }

    // MARK: The rule comes with the instrument

    @Test("every built-in instrument carries its venue's rule; Binance's keep Binance's tables")
    func rulesByVenue() {
        let catalog = InstrumentCatalog.builtIn
        for instrument in catalog.instruments.values {
            #expect(instrument.marginRules == MarginRules.ofVenue(instrument.venue), "\(instrument.symbol)")
        }
        #expect(catalog.instrument(for: "binance-usdm:BTCUSDT").brackets == Instrument.binanceBTCUSDTBrackets)
        #expect(catalog.instrument(for: "binance-coinm:BTCUSD_PERP").brackets == Instrument.binanceBTCUSDPerpBrackets)
        // A bare BTCUSDT is still Binance's, though Bybit lists one too.
        #expect(catalog.instrument(for: "BTCUSDT").marginRules == .binance)
        #expect(catalog.instrument(for: "BTCUSDT").brackets == Instrument.binanceBTCUSDTBrackets)
    }

    @Test("a market nobody described takes its venue's rule and conservative tiers, not Binance's table")
    func unknownMarkets() {
        let catalog = InstrumentCatalog.builtIn
        let bybit = catalog.instrument(for: "bybit:DOGEUSDT")
        #expect(bybit.marginRules == .bybit && bybit.brackets == Instrument.bybitConservativeRiskLimits && bybit.settlementAsset == "USDT")
        let bybitInverse = catalog.instrument(for: "bybit:ETHUSD")
        #expect(bybitInverse.kind == .inverse(contractSize: .one) && bybitInverse.settlementAsset == "ETH" && bybitInverse.marginRules == .bybit)
        let okx = catalog.instrument(for: "okx:SOL-USDT-SWAP")
        #expect(okx.marginRules == .okx && okx.brackets == Instrument.okxConservativeTiers && okx.settlementAsset == "USDT")
        let okxFuture = catalog.instrument(for: "okx:BTC-USD-220527")
        #expect(okxFuture.marginRules == .okx && okxFuture.kind == .inverse(contractSize: Fixed(100)) && okxFuture.settlementAsset == "BTC")
        let hyperliquid = catalog.instrument(for: "hyperliquid:DOGE")
        #expect(hyperliquid.marginRules == .hyperliquid && hyperliquid.settlementAsset == "USDC")
        #expect(hyperliquid.brackets.brackets.map(\.maintenanceMarginRate) == [fx("0.05"), fx("0.1")])
        // Binance's fallback is unchanged: the BTCUSDT table.
        #expect(catalog.instrument(for: "binance-usdm:SOLUSDT").brackets == Instrument.binanceBTCUSDTBrackets)
        // Each fallback is above the venue's main contracts' first tier: it errs early.
        for (unknown, main) in [(bybit, Instrument.bybitBTCUSDT), (okx, Instrument.okxBTCUSDSwap), (hyperliquid, Instrument.hyperliquidBTC)] {
            #expect(unknown.brackets.brackets[0].maintenanceMarginRate > main.brackets.brackets[0].maintenanceMarginRate)
        }
    }

    /// Deribit's BTC-PERPETUAL counts USD and settles in BTC; read as a linear USDT contract of
    /// coins, its book of 105,000 USD read 674 M deep. Bybit's inverse futures (`BTCUSDH25`) were
    /// read as linear USDT contracts (attacker trial).
    @Test("Deribit's coin-margined contracts and Bybit's inverse futures are inverse, settled in the coin; their USDC and USDT ones linear")
    func inverseContractsOfOtherShapes() throws {
        let catalog = InstrumentCatalog.builtIn
        for (market, coin) in [("deribit:BTC-PERPETUAL", "BTC"), ("deribit:ETH-27DEC24", "ETH"), ("bybit:BTCUSDH25", "BTC"),
                               ("bybit:ETHUSDZ24", "ETH"), ("bybit:ETHUSD", "ETH")] {
            let instrument = catalog.instrument(for: market)
            #expect(instrument.kind == .inverse(contractSize: .one), "\(market)")
            #expect(instrument.settlementAsset == coin, "\(market)")
        }
        for (market, asset) in [("deribit:ETH_USDC-PERPETUAL", "USDC"), ("bybit:BTCUSDT", "USDT"), ("bybit:BTCPERP", "USDC"),
                                ("bybit:XRPUSDT", "USDT"), ("bybit:USDCUSDT", "USDT")] {
            let instrument = catalog.instrument(for: market)
            #expect(instrument.kind == .linear, "\(market)")
            #expect(instrument.settlementAsset == asset, "\(market)")
        }
        #expect(InstrumentCatalog.bybitInverseBase("BTCUSDH25") == "BTC")
        #expect(InstrumentCatalog.bybitInverseBase("BTCUSDT") == nil)
        #expect(InstrumentCatalog.bybitInverseBase("USD") == nil)
        #expect(InstrumentCatalog.bybitInverseBase("BTCUSDA25") == nil)
        // A book of 105,000 USD of contracts within ±10 bps reads 105,000, not price × amount.
        var engine = Engine()
        engine.apply(.bookSnapshot(symbol: "deribit:BTC-PERPETUAL", bids: [(BookUnits.parse("6421")!, BookUnits.parse("25000")!),
            (BookUnits.parse("6420.5")!, BookUnits.parse("80000")!)], asks: [(BookUnits.parse("6421.5")!, BookUnits.parse("18640")!)], time: 1))
        let index = try #require(engine.marketIndex(of: "deribit:BTC-PERPETUAL"))
        #expect(engine.depthValue(market: index, withinBps: 10) == 18_640, "the thinner side, the asks' 18,640 USD")
        #expect(engine.market("deribit:BTC-PERPETUAL")?.instrument.settlementAsset == "BTC")
    }

    @Test("the engine takes each market's rule from its instrument; --rules still imposes one")
    func engineUsesTheInstrumentsRule() {
        func liquidation(_ market: String, _ configuration: EngineConfiguration = EngineConfiguration()) -> Fixed? {
            var engine = Engine(configuration: configuration)
            engine.apply(.mark(symbol: market, price: Fixed(100_000), time: 1))
            engine.apply(.position(PositionUpdate(account: "a", symbol: market, side: .long, quantity: Fixed(30),
                entryPrice: Fixed(100_000), mode: .isolated, leverage: Fixed(10)), time: 1))
            return engine.positions[0].liquidation
        }
        // Bybit's 90,529.33 (see bybitTieredLinear) against Binance's formula with Binance's table.
        #expect(liquidation("bybit:BTCUSDT")?.formatted(2) == "90529.33")
        let binance = liquidation("binance-usdm:BTCUSDT")
        #expect(binance != nil && binance?.formatted(2) != "90529.33")
        var imposed = EngineConfiguration()
        imposed.apply(profile: .binance)
        #expect(liquidation("bybit:BTCUSDT", imposed) != liquidation("bybit:BTCUSDT"))
    }

    // MARK: Bybit

    @Test("Bybit BTCUSDT built-in tiers: the deductions Bybit's Margin Parameters print")
    func bybitBTCUSDTTiers() {
        let table = Instrument.bybitBTCUSDTRiskLimits
        #expect(table.brackets.count == 20)
        #expect(table.brackets.map(\.maintenanceAmount) == [0, 1_200, 3_020, 4_300, 5_820, 8_460, 15_460, 20_500, 46_000, 66_000, 80_000,
            160_000, 300_000, 452_000, 502_000, 777_000, 837_000, 967_000, 1_107_000, 1_482_000].map { Fixed($0) })
    }

    @Test("Bybit's inverse example: 60,000 USD of BTCUSD at 50,000, 10x, MMR 0.5 % → PV 1.2, IM 0.12, MM 0.006; LP long 45,662.10, short 55,248.62")
    func bybitInverseExample() {
        // Bybit's "Liquidation Price Calculation under Isolated Mode" (inverse): its inputs and its
        // PV, IM and MM; the page's text reached here stops before the price, so LP = Q ÷ (PV ±
        // (IM − MM)) = 60,000 ÷ (1.2 ± 0.114) is computed by hand: 45,662.100… and 55,248.618….
        let instrument = Instrument.bybitBTCUSD
        let long = instrument.terms(side: .long, quantity: Fixed(60_000), entryPrice: Fixed(50_000))
        #expect(MarginMath.notional(long, at: long.entryPrice) == fx("1.2"))
        let maintenance = MarginMath.maintenance(long, rules: .bybit, at: Fixed(48_000))
        #expect(maintenance.margin == fx("0.006") && maintenance.bracket.maintenanceMarginRate == fx("0.005"))
        #expect(price(long, margin: "0.12", .bybit) == "45662.10")
        let short = instrument.terms(side: .short, quantity: Fixed(60_000), entryPrice: Fixed(50_000))
        #expect(price(short, margin: "0.12", .bybit) == "55248.62")
    }

    @Test("Bybit tier with a deduction: long 30 BTCUSDT at 100,000, 10x → tier 0.63 % − 3,020: MM 15,880, LP 90,529.33; short 109,470.67")
    func bybitTieredLinear() {
        // Hand-computed from Bybit's formulas (MM = value × MMR − deduction on the value at entry,
        // LP = EP ∓ (IM − MM) ÷ Q) and its BTCUSDT tiers; IM = 3,000,000 ÷ 10 = 300,000.
        let instrument = Instrument.bybitBTCUSDT
        let long = instrument.terms(side: .long, quantity: Fixed(30), entryPrice: Fixed(100_000))
        let maintenance = MarginMath.maintenance(long, rules: .bybit, at: Fixed(95_000))
        // 3,000,000 lies in (2,600,000, 3,200,000]: 0.63 % − 3,020 → 18,900 − 3,020 = 15,880.
        #expect(maintenance.bracket.maintenanceMarginRate == fx("0.0063") && maintenance.bracket.maintenanceAmount == Fixed(3_020))
        #expect(maintenance.margin == Fixed(15_880))
        // LP = 100,000 − (300,000 − 15,880) ÷ 30 = 90,529.33; short 109,470.67.
        #expect(price(long, margin: "300000", .bybit) == "90529.33")
        let short = instrument.terms(side: .short, quantity: Fixed(30), entryPrice: Fixed(100_000))
        #expect(price(short, margin: "300000", .bybit) == "109470.67")
    }

    // MARK: OKX

    /// An OKX BTC-USDT-SWAP with tiers in contracts as OKX's position-tiers answer gives them
    /// (maxSz, mmr): 500 @ 0.4 %, 3,000 @ 0.5 %, 12,000 @ 1 %.
    var okxLinearWithTiers: Instrument {
        var instrument = Instrument.okxBTCUSDTSwap
        instrument.brackets = BracketTable(caps: [Fixed(500), Fixed(3_000), Fixed(12_000)], rates: [fx("0.004"), fx("0.005"), fx("0.01")])
        return instrument
    }

    @Test("OKX linear: 1 BTC (100 contracts of 0.01 BTC) at 60,000, margin 6,000 → MM 270 with the fee; LP long 54,244.10, short 65,704.33")
    func okxLinear() {
        // Hand-computed from OKX's isolated formulas: long LP = (margin − ctVal·|pos|·avgPx) ÷
        // (ctVal·|pos|·(mmr + fee − 1)) = (6,000 − 60,000) ÷ (1 × (0.0045 − 1)) = 54,244.098…;
        // short LP = (6,000 + 60,000) ÷ (1 × 1.0045) = 65,704.330…; tier 1 (100 contracts ≤ 500).
        let instrument = okxLinearWithTiers
        let long = instrument.terms(side: .long, quantity: .one, entryPrice: Fixed(60_000))
        #expect(long.contracts == Fixed(100))
        let maintenance = MarginMath.maintenance(long, rules: .okx, at: Fixed(60_000))
        #expect(maintenance.margin == Fixed(270))
        #expect(maintenance.bracket.maintenanceMarginRate == fx("0.0045") && maintenance.bracket.maintenanceAmount.isZero)
        #expect(price(long, margin: "6000", .okx) == "54244.10")
        let short = instrument.terms(side: .short, quantity: .one, entryPrice: Fixed(60_000))
        #expect(price(short, margin: "6000", .okx) == "65704.33")
        // At that price the margin balance is exactly the requirement (MM + fee).
        let liquidation = MarginMath.liquidationPrice(long, context: .isolated(margin: Fixed(6_000)), rules: .okx)!
        let balance = Fixed(6_000) + MarginMath.unrealisedPnL(long, at: liquidation)
        #expect((balance - MarginMath.maintenance(long, rules: .okx, at: liquidation).margin).magnitude < fx("0.000000001"))
    }

    @Test("OKX tiers count contracts, not coins: 6 BTC is 600 contracts, the second tier (0.5 %)")
    func okxTiersCountContracts() {
        let instrument = okxLinearWithTiers
        let six = instrument.terms(side: .long, quantity: Fixed(6), entryPrice: Fixed(60_000))
        #expect(six.contracts == Fixed(600))
        #expect(MarginMath.maintenance(six, rules: .okx, at: Fixed(60_000)).bracket.maintenanceMarginRate == fx("0.0055"))
        // (6 × 60,000 − 36,000) ÷ (6 × (1 − 0.0055)) = 54,298.64
        #expect(price(six, margin: "36000", .okx) == "54298.64")
        // Read as 6 contracts (coins taken for contracts) it would have stayed in tier 1.
        var coinsAsContracts = six
        coinsAsContracts.coinsPerContract = .one
        #expect(MarginMath.maintenance(coinsAsContracts, rules: .okx, at: Fixed(60_000)).bracket.maintenanceMarginRate == fx("0.0045"))
    }

    @Test("OKX inverse BTC-USD-SWAP (built-in tiers): 1,000 contracts at 50,000, margin 0.2 BTC → tier 1 %; LP long 45,931.82, short 54,972.22")
    func okxInverse() {
        // Hand-computed: N = 100,000 USD, r = 1 % (1,000–9,999 contracts) + 0.05 % fee;
        // long LP = N·(1 + r) ÷ (C + N/EP) = 101,050 ÷ 2.2 = 45,931.818…;
        // short LP = N·(r − 1) ÷ (C − N/EP) = −98,950 ÷ −1.8 = 54,972.222….
        let instrument = Instrument.okxBTCUSDSwap
        let long = instrument.terms(side: .long, quantity: Fixed(1_000), entryPrice: Fixed(50_000))
        #expect(MarginMath.maintenance(long, rules: .okx, at: Fixed(50_000)).bracket.maintenanceMarginRate == fx("0.0105"))
        #expect(price(long, margin: "0.2", .okx) == "45931.82")
        let short = instrument.terms(side: .short, quantity: Fixed(1_000), entryPrice: Fixed(50_000))
        #expect(price(short, margin: "0.2", .okx) == "54972.22")
        // 999 contracts are the first tier, 0.5 %: 99,900 × 1.0055 ÷ (0.1998 + 1.998) = 45,704.55.
        let small = instrument.terms(side: .long, quantity: Fixed(999), entryPrice: Fixed(50_000))
        #expect(price(small, margin: "0.1998", .okx) == "45704.55")
    }

    @Test("OKX's BTC-USD-SWAP table: 0.5 % to 999 contracts, then 1, 1.5, 2, 2.5, 3, 3.5, 4 % and 0.5 % per 10,000 contracts to 93.5 %")
    func okxBTCUSDSwapTable() {
        let table = Instrument.okxBTCUSDSwapTiers.brackets
        #expect(table.prefix(8).map(\.notionalCap) == [999, 9_999, 14_999, 24_999, 49_999, 74_999, 99_999, 109_999].map { Fixed($0) })
        #expect(table.last?.notionalCap == Fixed(1_899_999) && table.last?.maintenanceMarginRate == fx("0.935"))
        #expect(table.count == 7 + 180)
    }

    // MARK: Hyperliquid

    @Test("Hyperliquid margin tiers: MMR = half the initial margin at max leverage; BTC 1.25 % to 150M, 2.5 % above with deduction 1,875,000")
    func hyperliquidTiers() {
        let btc = Instrument.hyperliquidBTCMarginTable.brackets
        #expect(btc.map(\.maintenanceMarginRate) == [fx("0.0125"), fx("0.025")])
        // deduction_1 = 0 + 150,000,000 × (2.5 % − 1.25 %), Hyperliquid's definition.
        #expect(btc.map(\.maintenanceAmount) == [.zero, Fixed(1_875_000)])
        // MM of 200M: 200,000,000 × 2.5 % − 1,875,000 = 3,125,000; continuous at 150M.
        #expect(Instrument.hyperliquidBTCMarginTable.bracket(forNotional: Fixed(200_000_000)).maintenanceMargin(notional: Fixed(200_000_000)) == Fixed(3_125_000))
        #expect(btc[0].maintenanceMargin(notional: Fixed(150_000_000)) == btc[1].maintenanceMargin(notional: Fixed(150_000_000)))
        // ETH 25x and 15x: 2 % and 1 ÷ 30.
        #expect(Instrument.hyperliquidETHMarginTable.brackets.map(\.maintenanceMarginRate) == [fx("0.02"), Fixed.one / Fixed(30)])
        #expect(Instrument.hyperliquidSOLMarginTable.brackets.map(\.maintenanceMarginRate) == [fx("0.025"), fx("0.05")])
    }

    @Test("Hyperliquid: long 1 BTC at 100,000, isolated 5,000 → liq_price = price − side·margin_available ÷ size ÷ (1 − l·side) = 96,202.53; short 103,703.70")
    func hyperliquidLiquidationPrice() {
        // Hand-computed from Hyperliquid's "Liquidations" formula: l = 1 ÷ 80 (40x max leverage);
        // margin_available = 5,000 − 1.25 % × 100,000 = 3,750; 100,000 − 3,750 ÷ 0.9875 = 96,202.531…;
        // short 100,000 + 3,750 ÷ 1.0125 = 103,703.703….
        let instrument = Instrument.hyperliquidBTC
        let long = instrument.terms(side: .long, quantity: .one, entryPrice: Fixed(100_000))
        let l = fx("0.0125")
        let available = Fixed(5_000) - l * Fixed(100_000)
        let published = Fixed(100_000) - available / (Fixed.one - l)
        #expect(published.formatted(2) == "96202.53")
        #expect(price(long, margin: "5000", .hyperliquid) == "96202.53")
        let short = instrument.terms(side: .short, quantity: .one, entryPrice: Fixed(100_000))
        #expect(price(short, margin: "5000", .hyperliquid) == "103703.70")
        #expect(MarginMath.maintenance(long, rules: .hyperliquid, at: Fixed(100_000)).margin == Fixed(1_250))
        #expect(instrument.liquidationFeeRate.isZero && instrument.settlementAsset == "USDC")
    }

    // MARK: Instrument files

    @Test("instrument file: margin_rules, coins_per_contract and Hyperliquid's margin_tiers")
    func instrumentFileFields() throws {
        var catalog = InstrumentCatalog.builtIn
        try catalog.merge(fileText: #"""
            {"instruments": [
              {"symbol": "okx:SOL-USDT-SWAP", "tick_size": "0.01", "lot_size": "0.01", "coins_per_contract": "1",
               "brackets": [["20000", "0.01"], ["40000", "0.015"]]},
              {"symbol": "hyperliquid:XRP", "margin_tiers": [["0", "20"], ["40000000", "10"]]},
              {"symbol": "binance-usdm:DOGEUSDT", "margin_rules": "bybit"}
            ]}
            """#, fileName: "instruments.json")
        let sol = catalog.instrument(for: "okx:SOL-USDT-SWAP")
        #expect(sol.marginRules == .okx && sol.coinsPerContract == .one)
        #expect(sol.terms(side: .long, quantity: Fixed(30_000), entryPrice: Fixed(150)).contracts == Fixed(30_000))
        let xrp = catalog.instrument(for: "hyperliquid:XRP")
        #expect(xrp.brackets.brackets.map(\.maintenanceMarginRate) == [fx("0.025"), fx("0.05")])
        #expect(xrp.brackets.brackets.map(\.notionalCap) == [Fixed(40_000_000), .max])
        #expect(xrp.brackets.brackets[1].maintenanceAmount == Fixed(1_000_000))
        #expect(catalog.instrument(for: "binance-usdm:DOGEUSDT").marginRules == .bybit)
        // A lower-case asset is the fund's of that name, as the command line takes it.
        try catalog.merge(fileText: #"{"instruments": [{"symbol": "binance-usdm:ETHUSDT", "settlement_asset": "usdc"}]}"#, fileName: "i.json")
        #expect(catalog.instrument(for: "binance-usdm:ETHUSDT").settlementAsset == "USDC")
    }

    @Test("instrument file: bad margin_rules, coins_per_contract and margin_tiers are refused by field", arguments: [
        (#"{"symbol": "okx:X-USDT-SWAP", "margin_rules": "ftx"}"#, "margin_rules"),
        (#"{"symbol": "okx:X-USDT-SWAP", "coins_per_contract": "0"}"#, "coins_per_contract"),
        (#"{"symbol": "okx:BTC-USD-SWAP", "coins_per_contract": "0.01"}"#, "coins_per_contract"),
        (#"{"symbol": "hyperliquid:X", "margin_tiers": [["10", "20"]]}"#, "margin_tiers"),
        (#"{"symbol": "hyperliquid:X", "margin_tiers": [["0", "20"], ["5", "40"]]}"#, "margin_tiers"),
        (#"{"symbol": "hyperliquid:X", "margin_tiers": [["0", "20"]], "brackets": [["5", "0.01"]]}"#, "margin_tiers"),
        // A misspelt key would have left the built-in tick in force, silently.
        (#"{"symbol": "binance-usdm:BTCUSDT", "tik_size": "1000"}"#, "tik_size"),
        (#"{"symbol": "binance-usdm:BTCUSDT", "tick_size": "0.1"}, {"symbol": "BTCUSDT", "tick_size": "1"}"#, "symbol"),
        (#""BTCUSDT""#, "instruments"),
        // Finer than a book unit (10⁻⁸): a tick read as none, every size rounded.
        (#"{"symbol": "binance-usdm:BTCUSDT", "tick_size": "0.000000001"}"#, "tick_size"),
        (#"{"symbol": "binance-usdm:BTCUSDT", "lot_size": "0.000000015"}"#, "lot_size"),
        // A built-in inverse contract's size overridden alone is held to the rule a new one is
        // (0 kept a long open through a 17 % fall, -100 gave negative margins: attacker trial).
        (#"{"symbol": "binance-coinm:BTCUSD_PERP", "contract_size": "0"}"#, "contract_size"),
        (#"{"symbol": "binance-coinm:BTCUSD_PERP", "contract_size": "-100"}"#, "contract_size"),
        (#"{"symbol": "binance-usdm:BTCUSDT", "contract_size": "100"}"#, "contract_size"),
        (#"{"symbol": "binance-usdm:BTCUSDT", "kind": "linear", "contract_size": "100"}"#, "contract_size"),
        // An asset is named as a fund's: a newline forged `margin`'s lines, 100 letters broke the
        // panes, an empty one made a market no fund backs (attacker trial).
        (#"{"symbol": "binance-usdm:BTCUSDT", "settlement_asset": "USDT\nLiquidation price 99,999.00"}"#, "settlement_asset"),
        (#"{"symbol": "binance-usdm:BTCUSDT", "settlement_asset": ""}"#, "settlement_asset"),
        (#"{"symbol": "binance-usdm:BTCUSDT", "settlement_asset": "XXXXXXXXXXXXXXXXX"}"#, "settlement_asset"),
    ])
    func instrumentFileRefusals(entry: String, field: String) {
        var catalog = InstrumentCatalog.builtIn
        #expect(throws: InstrumentFileError.self) { try catalog.merge(fileText: #"{"instruments": [\#(entry)]}"#, fileName: "f.json") }
        do {
            try catalog.merge(fileText: #"{"instruments": [\#(entry)]}"#, fileName: "f.json")
        } catch {
            #expect(error.field == field, "\(error)")
        }
    }
}
