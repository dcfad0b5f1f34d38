/// The instruments the engine knows, by market id (`venue:symbol`): the built-ins, plus whatever an
/// instrument file adds or overrides. A market nobody described takes its venue's rule with tiers
/// chosen to err early (see `instrument(for:)`), and a tick and lot learnt from nothing
/// (0.00000001), which is exact for any decimal feed.
public struct InstrumentCatalog: Sendable {
    public private(set) var instruments: [String: Instrument]

    public static let builtInInstruments: [Instrument] = [
        .btcusdt, .ethusdt, .btcusdPerp, .ethusdPerp,
        .bybitBTCUSDT, .bybitETHUSDT, .bybitSOLUSDT, .bybitXRPUSDT, .bybitBTCUSD,
        .okxBTCUSDTSwap, .okxETHUSDTSwap, .okxBTCUSDSwap, .okxETHUSDSwap, .okxUNIUSDSwap,
        .hyperliquidBTC, .hyperliquidETH, .hyperliquidSOL,
    ]

    public init(instruments: [Instrument] = InstrumentCatalog.builtInInstruments) {
        self.instruments = Dictionary(instruments.map { ($0.symbol, $0) }, uniquingKeysWith: { $1 })
    }

    public static let builtIn = InstrumentCatalog()

    public func instrument(for market: String) -> Instrument {
        if let known = instruments[market] { return known }
        if !market.contains(":"), var only = onlyInstrument(withExchangeSymbol: market) {
            // A market of no named venue (an engine test's `BTCUSDT`) takes the built-in contract
            // of that name, under the name it was given.
            only.symbol = market
            return only
        }
        let symbol = MarketID.symbol(of: market)
        switch MarketID.venue(of: market) {
        case .binanceCOINM?: return Self.coinMargined(market)
        // OKX's coin-margined contracts (`UNI-USD-SWAP`, `BTC-USD-220527`).
        case .okx? where symbol.split(separator: "-").dropFirst().first == "USD": return Instrument.okxInverse(market)
        case .okx?:
            // A USDⓈ-margined OKX contract nobody described: its sizes are coins to the engine
            // (whoever states them must convert contracts), its tier a flat conservative rate that
            // does not need the contract value.
            let quote = symbol.split(separator: "-").dropFirst().first.map(String.init) ?? "USDT"
            return Instrument(symbol: market, tickSize: Self.unknownStep, lotSize: Self.unknownStep, kind: .linear,
                settlementAsset: quote, brackets: Instrument.okxConservativeTiers, liquidationFeeRate: Instrument.okxLiquidationFeeRate,
                marginRules: .okx)
        case .deribit?: return Self.deribit(market)
        case .bybit?:
            if let coin = Self.bybitInverseBase(symbol) {
                // Bybit's inverse perpetuals (`ETHUSD`) and inverse futures (`BTCUSDH25`, once read
                // as linear USDT contracts: attacker trial): 1 USD a contract, settled in the coin.
                return Instrument(symbol: market, tickSize: Self.unknownStep, lotSize: .one, kind: .inverse(contractSize: .one),
                    settlementAsset: coin, brackets: Instrument.bybitConservativeRiskLimits, liquidationFeeRate: .zero, marginRules: .bybit)
            }
            var instrument = Instrument.bybitLinear(symbol, tick: "0.00000001", lot: "0.00000001")
            instrument.symbol = market
            return instrument
        case .hyperliquid?:
            var instrument = Instrument.hyperliquid(symbol, tick: "0.00000001", lot: "0.00000001")
            instrument.symbol = market
            return instrument
        default: return Instrument.linear(symbol: market, tick: "0.00000001", lot: "0.00000001")
        }
    }

    /// The coin of a Bybit inverse contract: a perpetual `<coin>USD`, a future `<coin>USD<month
    /// code><yy>` (`BTCUSDH25`); nil for any other symbol.
    static func bybitInverseBase(_ symbol: String) -> String? {
        let upper = Array(symbol.uppercased())
        var end = upper.count
        if end > 3, upper[end - 1].isNumber, upper[end - 2].isNumber, "FGHJKMNQUVXZ".contains(upper[end - 3]) { end -= 3 }
        guard end > 3, String(upper[(end - 3)..<end]) == "USD" else { return nil }
        return String(upper[0..<(end - 3)])
    }

    /// A Deribit contract. Its coin-margined perpetuals and futures (`BTC-PERPETUAL`,
    /// `ETH-27DEC24`) are inverse: their amounts count USD (a BTC contract is 10 of them, an ETH
    /// one 1), settled in the coin; the engine counts one contract a USD, so a book's amount is its
    /// contracts. Read as a linear USDT contract of coins, a book of 105,000 USD read 674 M deep
    /// (attacker trial). The USDC-margined ones (`ETH_USDC-PERPETUAL`) are linear, in coins,
    /// settled in USDC. liqwatch has no margin rule of Deribit's: the inverse ones take Bybit's
    /// inverse formulas with its conservative tiers (liquidation errs early), the linear ones the
    /// default linear contract's; an instrument file gives the real ones.
    static func deribit(_ market: String) -> Instrument {
        let symbol = MarketID.symbol(of: market)
        let head = symbol.split(separator: "-").first.map(String.init) ?? symbol
        let parts = head.split(separator: "_").map(String.init)
        if parts.count == 2 {
            var instrument = Instrument.linear(symbol: market, tick: "0.00000001", lot: "0.00000001")
            instrument.settlementAsset = parts[1]
            return instrument
        }
        return Instrument(symbol: market, tickSize: unknownStep, lotSize: .one, kind: .inverse(contractSize: .one),
            settlementAsset: head.isEmpty ? "USD" : head, brackets: Instrument.bybitConservativeRiskLimits, liquidationFeeRate: .zero,
            marginRules: .bybit)
    }

    /// The tick and lot of a contract nobody described: exact for any decimal feed.
    public static let unknownStep = Fixed("0.00000001")!

    /// A Binance COIN-M contract nobody described (a quarterly `BTCUSD_200925`, `SOLUSD_PERP`):
    /// inverse, settled in its base coin, a contract worth 100 USD for BTC and 10 USD for every
    /// other coin (Binance's rule), with the BTCUSD or ETHUSD maintenance table. An instrument file
    /// gives the exact tiers.
    static func coinMargined(_ market: String) -> Instrument {
        let symbol = MarketID.symbol(of: market)
        let contract = symbol.split(separator: "_").first.map(String.init) ?? symbol
        let base = contract.hasSuffix("USD") ? String(contract.dropLast(3)) : contract
        let isBitcoin = base == "BTC"
        return Instrument(symbol: market, tickSize: Fixed("0.00000001")!, lotSize: .one,
            kind: .inverse(contractSize: Fixed(isBitcoin ? 100 : 10)), settlementAsset: base.isEmpty ? "USD" : base,
            brackets: isBitcoin ? Instrument.binanceBTCUSDPerpBrackets : Instrument.binanceETHUSDPerpBrackets,
            liquidationFeeRate: Instrument.defaultLiquidationFeeRate)
    }

    public func isKnown(_ market: String) -> Bool {
        instruments[market] != nil || (!market.contains(":") && onlyInstrument(withExchangeSymbol: market) != nil)
    }

    /// The one instrument of that exchange symbol; when several venues list it (`BTCUSDT` on
    /// Binance USDⓈ-M and Bybit), Binance's, the venue of a session with no exchange feed.
    func onlyInstrument(withExchangeSymbol symbol: String) -> Instrument? {
        let found = instruments.values.filter { $0.exchangeSymbol == symbol }
        if found.count == 1 { return found[0] }
        let binance = found.filter { $0.venue?.isBinance == true }
        return binance.count == 1 ? binance[0] : nil
    }

    public mutating func add(_ instrument: Instrument) { instruments[instrument.symbol] = instrument }

    /// The keys an instrument file's entry may have.
    static let fileKeys = ["symbol", "tick_size", "lot_size", "kind", "contract_size", "settlement_asset", "margin_rules",
                           "coins_per_contract", "liquidation_fee_rate", "brackets", "margin_tiers"]

    /// Adds or overrides instruments from an instrument file:
    ///
    /// ```json
    /// {"instruments": [{"symbol": "binance-usdm:SOLUSDT", "tick_size": "0.010", "lot_size": "1",
    ///   "kind": "linear", "settlement_asset": "USDT", "liquidation_fee_rate": "0.005",
    ///   "brackets": [["5000", "0.01"], ["50000", "0.025"]]},
    ///  {"symbol": "ETHUSD_PERP", "kind": "inverse", "contract_size": "10", ...},
    ///  {"symbol": "okx:SOL-USDT-SWAP", "coins_per_contract": "1", "brackets": [["20000", "0.01"]]},
    ///  {"symbol": "hyperliquid:XRP", "margin_tiers": [["0", "20"], ["40000000", "10"]]}]}
    /// ```
    ///
    /// `brackets` caps are in what the instrument's `margin_rules` measures tiers in: notional
    /// (binance, hyperliquid), position value at entry (bybit), contracts (okx). `margin_tiers` is
    /// Hyperliquid's form (lower bound of notional, max leverage; MMR = 1 ÷ (2 × leverage)).
    ///
    /// An override may give only the fields it changes. A bare symbol is resolved among the session's
    /// venues (`resolver`). Errors name the instrument and the field.
    public mutating func merge(fileText: String, fileName: String, resolver: MarketResolver = .default) throws(InstrumentFileError) {
        let document: JSONValue
        do { document = try JSONValue.parse(fileText) } catch {
            throw InstrumentFileError(file: fileName, instrument: nil, field: nil, reason: error.description)
        }
        guard let list = document["instruments"]?.arrayValue ?? document.arrayValue else {
            throw InstrumentFileError(file: fileName, instrument: nil, field: "instruments", reason: "expected a list of instruments")
        }
        var given: [String: Int] = [:]
        for (position, entry) in list.enumerated() {
            let label = entry["symbol"]?.scalarText ?? "#\(position + 1)"
            func fail(_ field: String, _ reason: String) -> InstrumentFileError {
                InstrumentFileError(file: fileName, instrument: label, field: field, reason: reason)
            }
            // A misspelt key would leave the built-in value in force without a word.
            if case .object(let members) = entry {
                for (key, _) in members where !InstrumentCatalog.fileKeys.contains(key) {
                    throw fail(SafeText.escaped(String(key.prefix(64))), "unknown key (known: \(InstrumentCatalog.fileKeys.joined(separator: ", ")))")
                }
            } else {
                throw fail("instruments", "entry \(position + 1) is not an object")
            }
            guard let named = entry["symbol"]?.scalarText, !named.isEmpty else { throw fail("symbol", "missing") }
            let symbol: String
            do { symbol = try resolver.resolve(named) } catch { throw fail("symbol", error.description) }
            // Given twice, one would silently win.
            if let earlier = given[symbol] { throw fail("symbol", "given twice in this file (entries \(earlier + 1) and \(position + 1))") }
            given[symbol] = position
            func decimal(_ field: String) throws(InstrumentFileError) -> Fixed? {
                guard let value = entry[field] else { return nil }
                guard let text = value.scalarText, let number = Fixed(text) else { throw fail(field, "not a decimal number") }
                return number
            }
            var instrument = self.instrument(for: symbol)
            // Books hold prices and sizes in units of 10⁻⁸: a step that is not a whole number of
            // them cannot be one (a tick of 10⁻⁹ read as none, a lot of 10⁻⁹ rounded every size).
            let bookUnit = Fixed(bookUnits: 1)
            if let tick = try decimal("tick_size") {
                guard tick.isPositive else { throw fail("tick_size", "must be positive") }
                guard tick.rounded(toMultipleOf: bookUnit) == tick else { throw fail("tick_size", "must be a multiple of 0.00000001") }
                instrument.tickSize = tick
            }
            if let lot = try decimal("lot_size") {
                guard lot.isPositive else { throw fail("lot_size", "must be positive") }
                guard lot.rounded(toMultipleOf: bookUnit) == lot else { throw fail("lot_size", "must be a multiple of 0.00000001") }
                instrument.lotSize = lot
            }
            // The contract size is checked once the kind is known, whoever gave it: a size
            // overriding a built-in inverse contract's alone was taken at 0 or -100 (attacker
            // trial), and a linear contract has none.
            let contractSize = try decimal("contract_size")
            if let kind = entry["kind"]?.scalarText {
                switch kind {
                case "linear": instrument.kind = .linear
                case "inverse": instrument.kind = .inverse(contractSize: contractSize ?? .zero)
                default: throw fail("kind", "expected linear or inverse, got \(kind)")
                }
            }
            switch instrument.kind {
            case .linear:
                guard contractSize == nil else {
                    throw fail("contract_size", "only an inverse contract has one (give \"kind\": \"inverse\")")
                }
            case .inverse(let current):
                let size = contractSize ?? current
                guard size.isPositive else { throw fail("contract_size", "an inverse contract needs a positive contract_size") }
                instrument.kind = .inverse(contractSize: size)
            }
            if let value = entry["settlement_asset"] {
                // As a fund's asset is named: a newline in it forged lines of `margin`'s output,
                // a 100-letter one broke the panes, and "usdt" or "" made a market no fund backs.
                guard let text = value.scalarText, let asset = AssetName.normalized(text) else {
                    throw fail("settlement_asset", "'\(SafeText.escaped(String((value.scalarText ?? "").prefix(32))))' is not an asset (letters and digits, at most \(AssetName.longest), e.g. USDT)")
                }
                instrument.settlementAsset = asset
            }
            if let rule = entry["margin_rules"]?.scalarText {
                guard let rules = MarginRules(rawValue: rule.lowercased()) else {
                    throw fail("margin_rules", "expected \(MarginRules.allCases.map(\.rawValue).joined(separator: ", ")), got \(rule)")
                }
                instrument.marginRules = rules
            }
            if let coins = try decimal("coins_per_contract") {
                guard coins.isPositive else { throw fail("coins_per_contract", "must be positive") }
                guard !instrument.kind.isInverse else {
                    throw fail("coins_per_contract", "is for a linear contract counted in contracts of several coins; an inverse one has contract_size")
                }
                instrument.coinsPerContract = coins
            }
            if let fee = try decimal("liquidation_fee_rate") {
                // No venue's fee is past a few tenths of a percent; with a tier's rate near 1 the
                // liquidation price saturated (attacker trial).
                guard !fee.isNegative, fee <= Fixed("0.05")! else { throw fail("liquidation_fee_rate", "must be in [0, 0.05]") }
                instrument.liquidationFeeRate = fee
            }
            if let rows = entry["brackets"] {
                guard let array = rows.arrayValue else { throw fail("brackets", "expected [[cap, rate], ...]") }
                var caps: [Fixed] = []
                var rates: [Fixed] = []
                for row in array {
                    guard let pair = row.arrayValue, pair.count == 2,
                        let cap = pair[0].scalarText.flatMap(Fixed.init), let rate = pair[1].scalarText.flatMap(Fixed.init)
                    else { throw fail("brackets", "each bracket is [cap, rate] as decimals") }
                    caps.append(cap)
                    rates.append(rate)
                }
                if let problem = BracketTable.validate(caps: caps, rates: rates) { throw fail("brackets", problem) }
                instrument.brackets = BracketTable(caps: caps, rates: rates)
            }
            if let rows = entry["margin_tiers"] {
                // Hyperliquid's form: [[lower bound, max leverage], ...], the first from 0.
                guard entry["brackets"] == nil else { throw fail("margin_tiers", "give brackets or margin_tiers, not both") }
                guard let array = rows.arrayValue, !array.isEmpty else { throw fail("margin_tiers", "expected [[lower bound, max leverage], ...]") }
                var tiers: [(lowerBound: Fixed, maxLeverage: Fixed)] = []
                for row in array {
                    guard let pair = row.arrayValue, pair.count == 2,
                        let bound = pair[0].scalarText.flatMap(Fixed.init), let leverage = pair[1].scalarText.flatMap(Fixed.init)
                    else { throw fail("margin_tiers", "each tier is [lower bound, max leverage] as decimals") }
                    tiers.append((bound, leverage))
                }
                if let problem = BracketTable.validateMarginTiers(tiers) { throw fail("margin_tiers", problem) }
                instrument.brackets = BracketTable(marginTiers: tiers)
            }
            instruments[symbol] = instrument
        }
    }
}

public struct InstrumentFileError: Error, Hashable, Sendable, CustomStringConvertible {
    public var file: String
    public var instrument: String?
    public var field: String?
    public var reason: String

    public var description: String {
        var where_ = file
        if let instrument { where_ += ": instrument \(instrument)" }
        if let field { where_ += ", field \(field)" }
        return "\(where_): \(reason)"
    }
}
