import ArgumentParser
import LiqwatchConfig
import MarketFeeds
import RiskEngine

/// Options every session (replay, demo, live) shares: positions, the fund, the engine's rules.
struct SessionArguments: ParsableArguments {
    @Option(help: "Positions to monitor: CSV or JSON (see the README for the columns).") var positions: String?
    @Option(name: .customLong("synthetic-positions"), help: "Place N realistic synthetic positions around each symbol's first mark.")
    var syntheticPositions: Int?
    @Option(help: "Seed for the synthetic positions.") var seed: UInt64 = 1
    @Option(name: .customLong("insurance-fund"), help: "Opening insurance fund balance of each venue of the session (USDT; ASSET:AMOUNT for others; VENUE:AMOUNT or VENUE:ASSET:AMOUNT for one venue's; comma-separated). Default 250000 USDT each, which an events file's first insurance_fund line replaces.")
    var insuranceFund: String?
    @Option(help: "An instrument file (JSON) that adds or overrides instruments.") var instruments: String?
    @OptionGroup var engineRules: RuleOptions

    func validate() throws {
        _ = try fundBalances()
        if let syntheticPositions, syntheticPositions < 0 || syntheticPositions > 2_000_000 {
            throw ValidationError("--synthetic-positions must be between 0 and 2,000,000")
        }
        if syntheticPositions != nil && positions != nil { throw ValidationError("give --positions or --synthetic-positions, not both") }
    }

    /// `--insurance-fund`: comma-separated `AMOUNT` (USDT), `ASSET:AMOUNT`, `VENUE:AMOUNT` (its
    /// USDT fund) or `VENUE:ASSET:AMOUNT`. Without a venue an amount opens that fund of every venue
    /// of the session: each venue backs its own liquidations, none pays another's deficit.
    func fundBalances() throws -> [FundOpening] {
        // Unstated, the replay's own default opens the fund (provisionally, see SessionOptions).
        guard let insuranceFund else { return SessionOptions().insuranceFund }
        var result: [FundOpening] = []
        for item in insuranceFund.split(separator: ",", omittingEmptySubsequences: false) {
            let parts = item.split(separator: ":", omittingEmptySubsequences: false).map { String($0).trimmingCharacters(in: .whitespaces) }
            let shown = SafeText.escaped(String(item.prefix(80)))
            guard (1...3).contains(parts.count), let amount = Fixed(parts[parts.count - 1]), !amount.isNegative else {
                throw ValidationError("--insurance-fund: '\(shown)' is not an amount (AMOUNT, ASSET:AMOUNT, VENUE:AMOUNT or VENUE:ASSET:AMOUNT)")
            }
            var venue: String? = nil
            var asset = "USDT"
            if parts.count == 3 || (parts.count == 2 && Venue.parse(parts[0]).map(Venue.known.contains) == true) {
                do { venue = try MarketResolver.default.resolveVenue(parts[0]) } catch {
                    throw ValidationError("--insurance-fund: '\(shown)': \(error)")
                }
            }
            if parts.count == 3 || (parts.count == 2 && venue == nil) {
                asset = parts[parts.count - 2].uppercased()
                guard !asset.isEmpty, asset.utf8.count <= 16, asset.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) }) else {
                    throw ValidationError("--insurance-fund: '\(shown)': the asset must be letters and digits (USDT, BTC)")
                }
            }
            guard !result.contains(where: { $0.venue == venue && $0.asset == asset }) else {
                throw ValidationError("--insurance-fund: the \(venue.map { $0 + " " } ?? "")\(asset) fund is given twice")
            }
            result.append(FundOpening(venue: venue, asset: asset, balance: amount))
        }
        return result
    }

    func catalog(resolver: MarketResolver) throws -> InstrumentCatalog {
        var catalog = InstrumentCatalog.builtIn
        if let instruments {
            let text = try readTextFile(instruments, flag: "instruments")
            do { try catalog.merge(fileText: text, fileName: instruments, resolver: resolver) } catch { throw InputError(error.description) }
        }
        return catalog
    }

    /// Everything a session on `venues` needs (a replay's: those of its recordings), with the engine's
    /// rules the settings chose; a bad positions file is an input error naming file, line and field.
    func sessionOptions(venues: [Venue], strict: Bool, configuration: EngineConfiguration) throws -> SessionOptions {
        var options = SessionOptions()
        options.resolver = MarketResolver(venues: venues)
        options.configuration = configuration
        options.catalog = try catalog(resolver: options.resolver)
        options.insuranceFund = try fundBalances()
        options.insuranceFundGiven = insuranceFund != nil
        options.syntheticPositions = syntheticPositions
        options.seed = seed
        options.strict = strict
        if let positions {
            do { options.positions = try PositionsFile.load(path: positions, catalog: options.catalog, resolver: options.resolver) } catch {
                throw InputError(error.description)
            }
        }
        return options
    }
}

/// The engine's rules, for every command that runs a session (the demo too). Each is optional so
/// that one not given leaves the config file's choice (`[rules]`) standing.
struct RuleOptions: ParsableArguments {
    @Option(help: "The margin maths and ADL ranking: venue (each market by its own venue's margin rule, Binance's ADL ranking; the default), or binance, bybit or bitmex for every market.") var rules: String?
    @Option(help: "full (the default); partial (step down the maintenance brackets, as Binance and Bybit do); or partial:FRACTION (steps of a fraction).")
    var liquidation: String?
    @Option(help: "What the fund cannot pay: adl (the default) or socialised-loss.") var shortfall: String?
    @Option(help: "What the book cannot fill: adl (closed against the ADL queue at the bankruptcy price; the default) or fund-takes-over.")
    var unfilled: String?
    @Option(name: .customLong("adl-refresh"), help: "Seconds of event time between rankings of the ADL queue (1 to 3600; default 30, as Binance updates its quantiles).")
    var adlRefresh: Int?

    func validate() throws {
        var choices = CommandLineChoices()
        try add(to: &choices)
    }

    /// What the command line said, checked.
    func add(to choices: inout CommandLineChoices) throws {
        if let rules {
            guard let profile = RuleChoices.rules(rules) else { throw ValidationError("--rules must be venue, binance, bybit or bitmex") }
            choices.rules = profile
        }
        if let shortfall {
            guard let policy = ShortfallPolicy(rawValue: shortfall) else { throw ValidationError("--shortfall must be adl or socialised-loss") }
            choices.shortfall = policy
        }
        if let unfilled {
            guard let rule = UnfilledRule(rawValue: unfilled) else { throw ValidationError("--unfilled must be adl or fund-takes-over") }
            choices.unfilled = rule
        }
        if let adlRefresh {
            guard RuleChoices.adlRefreshRange.contains(adlRefresh) else { throw ValidationError("--adl-refresh must be 1 to 3600 seconds") }
            choices.adlRefreshSeconds = adlRefresh
        }
        if let liquidation {
            guard let style = RuleChoices.liquidation(liquidation) else {
                throw ValidationError("--liquidation must be full, partial, or partial:FRACTION with 0 < FRACTION < 1")
            }
            choices.liquidation = style
        }
    }
}

/// `--symbol MARKET`: `venue:symbol`, or a bare symbol of the session's one venue that lists it.
func resolveFocus(_ text: String, resolver: MarketResolver) throws -> String {
    do { return try resolver.resolve(text) } catch { throw ValidationError("--symbol: \(error.description)") }
}
