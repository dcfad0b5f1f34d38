import ArgumentParser
import RiskEngine
import MarketFeeds

/// `liqwatch margin`: the calculator an operator uses from the shell.
struct MarginCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "margin",
        abstract: "Initial and maintenance margin, liquidation and bankruptcy price of one position.",
        discussion: """
            Examples:
              liqwatch margin --side long --size 0.02 --entry 50000 --wallet-balance 500 --symbol BTCUSDT
              liqwatch margin --side short --size 2 --entry 50000 --isolated-margin 5000 --brackets 50000:0.004,250000:0.005
              liqwatch margin --side long --size 1 --entry 20000 --leverage 50 --mmr 0.005 --rules bybit --mark 19800
              liqwatch margin --side long --size 1000 --entry 60000 --leverage 20 --inverse --contract-size 100 --json
            """)

    @Option(help: "long or short.") var side: String
    @Option(parsing: .unconditional, help: "Position size: base units, or contracts with --inverse.") var size: String
    @Option(parsing: .unconditional, help: "Entry price.") var entry: String
    @Option(name: .customLong("isolated-margin"), parsing: .unconditional, help: "Isolated margin on the position.") var isolatedMargin: String?
    @Option(name: .customLong("wallet-balance"), parsing: .unconditional, help: "Cross margin: the account's wallet balance.") var walletBalance: String?
    @Option(parsing: .unconditional, help: "Isolated margin of notional / leverage.") var leverage: String?
    @Option(help: "A built-in instrument (binance-usdm:BTCUSDT, bybit:BTCUSDT, okx:BTC-USDT-SWAP, hyperliquid:BTC, ...; a bare Binance symbol works) or one from --instruments.") var symbol: String?
    @Option(help: "An instrument file (JSON) that adds or overrides instruments.") var instruments: String?
    @Flag(help: "Coin-margined contract: size in contracts, money in coin.") var inverse = false
    @Option(name: .customLong("contract-size"), parsing: .unconditional, help: "Quote value of one inverse contract (100 for BTCUSD_PERP).") var contractSize: String?
    @Option(help: "Maintenance brackets as CAP:MMR,CAP:MMR,... (rising caps).") var brackets: String?
    @Option(parsing: .unconditional, help: "One maintenance margin rate, no maintenance amount.") var mmr: String?
    @Option(help: "binance, bybit, okx or hyperliquid (default: the --symbol's venue, else binance).") var rules: String?
    @Option(parsing: .unconditional, help: "Mark price: adds margin ratio and distance to liquidation.") var mark: String?
    @Flag(help: "Print JSON for scripts.") var json = false

    /// Every flag is checked before anything runs, so a usage error prints this command's usage
    /// (a bad instrument file is told alone: `InputError`).
    func validate() throws { _ = try buildQuestion() }

    mutating func run() throws {
        let (question, instrumentLabel, priceDecimals, moneyDecimals, asset, tiersAssumed, unit) = try buildQuestion()
        let answer = MarginCalculator.answer(question)
        if json {
            try FileHandleOutput.report(MarginOutput.json(answer, question: question, priceDecimals: priceDecimals, moneyDecimals: moneyDecimals,
                hasMark: question.mark != nil, tiersAssumed: tiersAssumed) + "\n")
        } else {
            try FileHandleOutput.report(MarginOutput.table(
                answer, question: question, instrument: instrumentLabel, asset: asset,
                priceDecimals: priceDecimals, moneyDecimals: moneyDecimals, tiersAssumed: tiersAssumed, unit: unit))
        }
    }

    /// A flag's decimal, within `largest` (the sizes, prices and money a positions file may state:
    /// past them the figures saturated and were printed as answers, a margin of 1.7 × 10²⁰ for a
    /// leverage of 10⁻¹⁸: attacker trial).
    func decimal(_ text: String, _ flag: String, positive: Bool = true, largest: Fixed = PositionRow.largest) throws -> Fixed {
        guard let value = Fixed(text) else {
            throw ValidationError("--\(flag): '\(SafeText.escaped(text))' " + (DecimalText.isDecimalSyntax(text)
                ? "is too large or has more than 18 decimal places" : "is not a decimal number"))
        }
        if positive && !value.isPositive { throw ValidationError("--\(flag) must be greater than zero") }
        guard value.magnitude <= largest else {
            throw ValidationError("--\(flag): \(SafeText.escaped(text)) is larger than \(largest.formatted(0, grouping: true))")
        }
        return value
    }

    func buildQuestion() throws -> (MarginQuestion, String, Int, Int, String, tiersAssumed: Bool, unit: String) {
        guard let side = Side.allCases.first(where: { $0.label == self.side.lowercased() }) else {
            throw ValidationError("--side must be long or short, not '\(self.side)'")
        }
        let namedRules = try self.rules.map { text throws -> MarginRules in
            guard let rules = MarginRules(rawValue: text.lowercased()) else {
                throw ValidationError("--rules must be binance, bybit, okx or hyperliquid, not '\(text)'")
            }
            return rules
        }
        let quantity = try decimal(size, "size")
        let entryPrice = try decimal(entry, "entry")
        let collaterals = [isolatedMargin, walletBalance, leverage].compactMap { $0 }
        guard collaterals.count == 1 else {
            throw ValidationError("give exactly one of --isolated-margin, --wallet-balance or --leverage")
        }
        let collateral: MarginQuestion.Collateral
        if let isolatedMargin { collateral = .isolatedMargin(try decimal(isolatedMargin, "isolated-margin", largest: PositionRow.largestMoney)) }
        else if let walletBalance { collateral = .walletBalance(try decimal(walletBalance, "wallet-balance", largest: PositionRow.largestMoney)) }
        else {
            let value = try decimal(leverage!, "leverage")
            guard value <= Fixed(1000) else { throw ValidationError("--leverage must be at most 1000") }
            collateral = .leverage(value)
        }

        // The built-in instruments are Binance's: a bare symbol is a Binance futures symbol.
        let resolver = MarketResolver(venues: [.binanceUSDM, .binanceCOINM])
        var catalog = InstrumentCatalog.builtIn
        if let instruments {
            let text = try readTextFile(instruments, flag: "instruments")
            do { try catalog.merge(fileText: text, fileName: instruments, resolver: resolver) } catch { throw InputError(error.description) }
        }
        var instrument: Instrument? = nil
        if let symbol {
            var market = ""
            do { market = try resolver.resolve(symbol) } catch {
                // A symbol of no Binance shape is simply no instrument liqwatch knows.
                guard case .unlisted = error else { throw ValidationError("--symbol: \(error.description)") }
            }
            guard !market.isEmpty, catalog.isKnown(market) else {
                let builtIn = InstrumentCatalog.builtIn.instruments.keys.sorted().joined(separator: ", ")
                throw ValidationError("--symbol: unknown instrument '\(SafeText.escaped(symbol))'; built in: \(builtIn) (more with --instruments)")
            }
            instrument = catalog.instrument(for: market)
        }
        var kind = instrument?.kind ?? .linear
        if inverse || contractSize != nil {
            guard inverse else { throw ValidationError("--contract-size needs --inverse") }
            // A linear instrument's figures are in its quote: `--inverse` on BTCUSDT printed a coin
            // amount (0.004) as 0.004 USDT (attacker trial).
            if let instrument, !instrument.kind.isInverse {
                throw ValidationError("--inverse: \(instrument.symbol) is a linear contract settled in \(instrument.settlementAsset); leave out --inverse and --contract-size, or name an inverse instrument (binance-coinm:BTCUSD_PERP)")
            }
            if let contractSize { kind = .inverse(contractSize: try decimal(contractSize, "contract-size")) }
            else if !kind.isInverse { throw ValidationError("--inverse needs --contract-size (or an inverse --symbol)") }
        }
        // A notional within what money may be (10¹⁵), at entry and at the mark: an inverse contract
        // of 10¹⁰ contracts of 10¹⁰ at 10⁻⁸ is worth 10²⁸ coin, and its PnL and maintenance,
        // saturated and then halved or offset, printed as exact figures (attacker trial).
        for (flag, price) in [("entry", entryPrice)] + (try mark.map { [("mark", try decimal($0, "mark"))] } ?? []) {
            let notional = MarginMath.notional(kind: kind, quantity: quantity, at: price)
            guard notional.magnitude <= PositionRow.largestMoney else {
                throw ValidationError("--size at --\(flag): a notional of more than \(PositionRow.largestMoney.formatted(0, grouping: true)) (no venue takes such a position)")
            }
        }
        // The margin a leverage implies, within what a stated margin may be (a leverage of 10⁻¹⁸
        // printed a saturated margin and liquidation price as figures).
        if case .leverage(let value) = collateral {
            let notional = MarginMath.notional(kind: kind, quantity: quantity, at: entryPrice)
            guard MarginMath.impliedMarginIsWithinLimit(notional: notional, leverage: value) else {
                throw ValidationError("--leverage: \(SafeText.escaped(leverage ?? "")) implies a margin of more than \(PositionRow.largestMoney.formatted(0, grouping: true))")
            }
        }
        if brackets != nil && mmr != nil { throw ValidationError("give --brackets or --mmr, not both") }
        var table = instrument?.brackets ?? (kind.isInverse ? Instrument.binanceBTCUSDPerpBrackets : Instrument.binanceBTCUSDTBrackets)
        if let mmr {
            let rate = try decimal(mmr, "mmr", positive: false)
            guard !rate.isNegative && rate <= BracketTable.highestRate else { throw ValidationError("--mmr must be in [0, 0.5] (no venue's rate is higher)") }
            table = .single(rate: rate)
        }
        if let brackets { table = try parseBrackets(brackets) }
        let markPrice = try mark.map { try decimal($0, "mark") }

        // The venue's own rule unless --rules says otherwise; OKX's rule needs the instrument's
        // contract value and liquidation fee.
        let rules = namedRules ?? instrument?.marginRules ?? .binance
        let question = MarginQuestion(side: side, quantity: quantity, entryPrice: entryPrice, collateral: collateral,
            kind: kind, brackets: table, rules: rules, mark: markPrice, coinsPerContract: instrument?.coinsPerContract ?? .one,
            liquidationFeeRate: instrument?.liquidationFeeRate ?? (rules == .okx ? Instrument.okxLiquidationFeeRate : .zero))
        let label = instrument?.symbol ?? (kind.isInverse ? "inverse contract" : "linear contract")
        func enteredDecimals(_ text: String?) -> Int { text?.split(separator: ".").dropFirst().first?.count ?? 0 }
        // With no instrument, no tick says how finely prices go: as finely as the entry or the
        // mark was given, and to five significant digits of the entry at least (a 0.24 entry
        // printed its liquidation price 0.24649 as `0.25`, and SUSHI's 7.6125 as `7.61`, under
        // a short's mark of 7.6115: operator trial).
        let typed = max(enteredDecimals(entry), enteredDecimals(mark))
        let fallback = instrument == nil ? max(2, MarginCommand.significantDecimals(entryPrice, digits: 5)) : 2
        let priceDecimals = max(instrument?.priceDecimals ?? fallback, min(8, typed))
        let asset = instrument?.settlementAsset ?? (kind.isInverse ? "coin" : "USDT")
        // The instrument's own tiers, where they are liqwatch's assumption (a venue's fallback): the
        // position view said so, the calculator printed OKX's 5 % as the rate (operator trial).
        let tiersAssumed = brackets == nil && mmr == nil && (instrument?.tiersAssumed ?? false)
        // What the size counts: a linear contract's coin (OKX's sizes are contracts on the
        // exchange, coins here: `100` of BTC-USDT-SWAP read as 100 contracts, 100 BTC in fact:
        // operator trial), an inverse one's contracts.
        let unit = kind.isInverse ? "contracts" : (instrument.map { $0.quantityUnit == "units" ? "" : $0.quantityUnit } ?? "")
        return (question, label, priceDecimals, kind.isInverse ? 8 : 2, asset, tiersAssumed, unit)
    }

    /// The decimals that show `price` to `digits` significant digits (0.24 → 5, 7.55 → 4,
    /// 60,000 → 0, 0.0012 → 7), at most 8.
    static func significantDecimals(_ price: Fixed, digits: Int) -> Int {
        guard price.isPositive else { return 0 }
        var decimals = digits
        var scaled = price
        // Each whole digit takes one of the significant ones; each leading zero after the point
        // adds one.
        while scaled >= Fixed(10) && decimals > 0 { scaled = scaled / Fixed(10); decimals -= 1 }
        if scaled >= .one { decimals -= 1 }
        while scaled < .one && decimals < 8 { scaled = scaled * Fixed(10); if scaled < .one { decimals += 1 } }
        return min(8, max(0, decimals))
    }

    func parseBrackets(_ text: String) throws -> BracketTable {
        var caps: [Fixed] = []
        var rates: [Fixed] = []
        for (position, item) in text.split(separator: ",", omittingEmptySubsequences: false).enumerated() {
            let parts = item.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, let cap = Fixed(String(parts[0])), let rate = Fixed(String(parts[1])) else {
                throw ValidationError("--brackets: item \(position + 1) '\(item)' is not CAP:MMR")
            }
            caps.append(cap)
            rates.append(rate)
        }
        if let problem = BracketTable.validate(caps: caps, rates: rates) { throw ValidationError("--brackets: \(problem)") }
        return BracketTable(caps: caps, rates: rates)
    }
}
