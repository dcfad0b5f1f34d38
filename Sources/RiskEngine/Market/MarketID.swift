/// A venue: an exchange's market family with one symbol namespace and one set of rules
/// (`binance-usdm` and `binance-coinm` are two: their symbols, endpoints and units differ).
public struct Venue: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ name: String) { self.rawValue = name }

    public static let binanceUSDM = Venue("binance-usdm")
    public static let binanceCOINM = Venue("binance-coinm")
    public static let bybit = Venue("bybit")
    public static let okx = Venue("okx")
    public static let hyperliquid = Venue("hyperliquid")
    public static let deribit = Venue("deribit")

    /// The venues liqwatch knows the symbols of, in the order candidates are named.
    public static let known: [Venue] = [.binanceUSDM, .binanceCOINM, .bybit, .okx, .hyperliquid, .deribit]
    /// The venues `liqwatch live` connects to (Deribit is read from recordings only).
    public static let live: [Venue] = [.binanceUSDM, .binanceCOINM, .bybit, .okx, .hyperliquid]

    public var description: String { rawValue }

    /// The venue in at most five letters, for a column or a title with no room for its name: at
    /// 120 columns a session of four venues showed `BTC`, `BTCUSDT` and `XRPUSDT` with nothing
    /// saying whose (operator trial). A venue liqwatch does not know keeps its name.
    public var tag: String {
        switch self {
        case .binanceUSDM: return "bn-um"
        case .binanceCOINM: return "bn-cm"
        case .hyperliquid: return "hyper"
        case .deribit: return "drbt"
        default: return rawValue
        }
    }

    /// The asset most of the venue's perpetuals settle in, which an insurance fund given without
    /// an asset is of: USDC on Hyperliquid, USDT elsewhere; nil for a venue whose contracts each
    /// settle in their own coin (Binance COIN-M, Deribit: name the coin; a Deribit fund taken as
    /// USDT stood for none of its markets: review).
    public var mainSettlementAsset: String? {
        switch self {
        case .hyperliquid: return "USDC"
        case .binanceCOINM, .deribit: return nil
        default: return "USDT"
        }
    }

    /// Binance USDⓈ-M or COIN-M: the venues whose REST snapshots name no symbol, and whose
    /// contract a bare symbol takes when several venues list it.
    public var isBinance: Bool { self == .binanceUSDM || self == .binanceCOINM }

    public static func < (lhs: Venue, rhs: Venue) -> Bool { lhs.rawValue < rhs.rawValue }

    /// A venue name as a person types it: lower case, letters, digits and `-` only.
    public static func parse(_ text: String) -> Venue? {
        let name = text.lowercased()
        guard !name.isEmpty, name.count <= 32, name.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D })
        else { return nil }
        return Venue(name)
    }

    /// Binance's two futures venues name their symbols apart: a COIN-M contract is `<base>USD_<PERP or
    /// delivery date>`; USDⓈ-M symbols end in their quote (`BTCUSDT`, `BTCUSDC`, `BTCUSDT_250328`).
    public static func binance(forSymbol symbol: some StringProtocol) -> Venue {
        guard let underscore = symbol.firstIndex(of: "_") else { return .binanceUSDM }
        return symbol[..<underscore].uppercased().hasSuffix("USD") ? .binanceCOINM : .binanceUSDM
    }

    /// Tardis.dev's exchange ids (the `exchange` column) as venues.
    public static func tardis(exchange: some StringProtocol) -> Venue {
        tardisDerivatives(exchange: exchange) ?? Venue(String(exchange).lowercased())
    }

    /// The venue of a Tardis exchange of perpetuals and futures liqwatch models, any case; nil for
    /// any other (Tardis's `binance`, `okex` and `bybit-spot` are spot, `ftx`, `bitmex`,
    /// `huobi-dm-swap` venues liqwatch has no rules for: each was made a linear USDT venue of its
    /// own, and `binance` took the bare `BTCUSDT` positions meant for USDⓈ-M: attacker trial).
    public static func tardisDerivatives(exchange: some StringProtocol) -> Venue? {
        switch String(exchange).lowercased() {
        case "binance-futures": return .binanceUSDM
        case "binance-delivery": return .binanceCOINM
        case "bybit": return .bybit
        case "okex-swap", "okex-futures": return .okx
        case "hyperliquid": return .hyperliquid
        case "deribit": return .deribit
        default: return nil
        }
    }

    /// Whether this venue could list `symbol` (a bare exchange symbol), by the shape each venue's
    /// symbols have. Used to resolve a bare symbol to the one venue of a session that lists it.
    public func lists(_ symbol: String) -> Bool {
        let upper = symbol.uppercased()
        let hasDash = upper.contains("-")
        let hasUnderscore = upper.contains("_")
        switch self {
        // USDⓈ-M: the symbol ends in its quote (BTCUSDT, BTCUSDC, ETHUSDT_250328).
        case .binanceUSDM:
            let contract = upper.split(separator: "_").first.map(String.init) ?? upper
            return !hasDash && ["USDT", "USDC", "BUSD", "FDUSD"].contains(where: { contract.hasSuffix($0) })
        case .binanceCOINM: return !hasDash && hasUnderscore && Venue.binance(forSymbol: upper) == .binanceCOINM
        // Bybit: BTCUSDT, BTCPERP (linear), BTCUSD, BTCUSDH25 (inverse), BTC-27DEC24 (USDC futures).
        case .bybit: return !hasUnderscore && Venue.endsInQuote(upper.split(separator: "-").first.map(String.init) ?? upper)
        // OKX: BTC-USDT-SWAP, BTC-USD-SWAP, BTC-USDT-250328.
        case .okx: return upper.split(separator: "-").count == 3
        // Hyperliquid names a perpetual by its coin: BTC, ETH, kPEPE; a spot pair by its tokens
        // (`PURR/USDC`) or its index (`@107`), which no perpetual's name has (an events file's
        // or a Tardis file's `@107` made a perpetual market: attacker trial).
        case .hyperliquid: return !hasDash && !hasUnderscore && !Venue.endsInQuote(upper) && !Venue.isHyperliquidSpot(upper.utf8)
        // Deribit: BTC-PERPETUAL, ETH_USDC-PERPETUAL, BTC-27DEC24.
        case .deribit: return hasDash && upper.split(separator: "-").count == 2
        default: return true
        }
    }

    /// Whether a Hyperliquid name is a spot pair's: its two tokens (`PURR/USDC`) or its index
    /// (`@107`); a perpetual is named by its coin alone. Over bytes, so a decoder asks it of a
    /// frame's name where it lies.
    @inlinable public static func isHyperliquidSpot<Name: Collection>(_ name: Name) -> Bool where Name.Element == UInt8 {
        guard let first = name.first else { return false }
        return first == UInt8(ascii: "@") || name.contains(UInt8(ascii: "/"))
    }

    /// Whether the venue publishes a market-wide stream of liquidations (Binance `forceOrder`, Bybit
    /// `allLiquidation`, OKX `liquidation-orders`). Hyperliquid does not: a count of zero from it
    /// would say nothing, and the dashboard says so instead of showing one.
    public var publishesLiquidations: Bool { liquidationCompleteness != .unpublished }

    /// How much of the venue's liquidations its public stream shows: the one place the tape, the
    /// markets pane and the reports read it from. A count from a sampled stream is a floor, not the
    /// venue's total; an operator comparing venues must know which figures are whole.
    public var liquidationCompleteness: LiquidationCompleteness {
        switch self {
        // `forceOrder` / `!forceOrder@arr`: "for each symbol, only the latest one liquidation
        // order within 1000ms will be pushed" (Binance's USDⓈ-M and COIN-M stream pages).
        case .binanceUSDM, .binanceCOINM: return .sample
        // `liquidation-orders`: OKX documents at most one order per contract per second on this
        // channel (its v5 WebSocket page; the docs corpus searched for this change did not hold
        // that page, so this rests on OKX's documentation as last read).
        case .okx: return .sample
        // `allLiquidation.{symbol}`: every liquidation on Bybit, pushed every 500 ms (Bybit's v5
        // "All Liquidation" page, as rs_bybit quotes it).
        case .bybit: return .all
        // No public market-wide liquidation stream: per-wallet fills only.
        case .hyperliquid: return .unpublished
        // A venue liqwatch has no live stream for (Deribit's trades flagged `liquidation` come
        // from recordings): what a recording holds is not claimed to be whole or sampled.
        default: return .unknown
        }
    }

    /// What this venue's symbols look like, for an error.
    public var symbolShape: String {
        switch self {
        case .binanceUSDM: return "its symbols end in their quote (BTCUSDT, BTCUSDC, ETHUSDT_250328)"
        case .binanceCOINM: return "its contracts are <base>USD_PERP or <base>USD_<date> (BTCUSD_PERP)"
        case .bybit: return "its symbols are like BTCUSDT, BTCPERP, BTCUSD"
        case .okx: return "its swaps are like BTC-USDT-SWAP"
        case .hyperliquid: return "it names a perpetual by its coin (BTC, ETH, kPEPE); PURR/USDC and @107 are spot pairs"
        case .deribit: return "its perpetuals are like BTC-PERPETUAL"
        default: return "see the README"
        }
    }

    static func endsInQuote(_ symbol: String) -> Bool {
        if ["USDT", "USDC", "USD", "PERP", "BUSD"].contains(where: { symbol.hasSuffix($0) }) { return true }
        // Bybit's inverse futures: BTCUSD + month code + year (BTCUSDH25).
        if symbol.count > 6, symbol.dropLast(3).hasSuffix("USD") { return true }
        return false
    }
}

/// How complete a venue's public liquidation stream is (`Venue.liquidationCompleteness`).
public enum LiquidationCompleteness: String, Hashable, Sendable, CaseIterable {
    /// Every liquidation on the venue.
    case all
    /// A sample: at most one liquidation per contract per second; counts and notional are floors.
    case sample
    /// The venue publishes no liquidation stream: no count, not zero.
    case unpublished
    /// Not described (a recorded venue liqwatch has no live stream for).
    case unknown

    /// The one-letter mark the tape and the markets pane show beside a venue's figures.
    public var mark: String {
        switch self {
        case .all: return "A"
        case .sample: return "S"
        case .unpublished: return "-"
        case .unknown: return "?"
        }
    }

    /// What the mark means, for the help overlay, the pane titles and the text report.
    public var meaning: String {
        switch self {
        case .all: return "all liquidations"
        case .sample: return "sample, at most 1 per contract per second"
        case .unpublished: return "no public liquidation stream"
        case .unknown: return "completeness not known"
        }
    }
}

/// A market is `venue:symbol` (`binance-usdm:BTCUSDT`, `binance-coinm:BTCUSD_PERP`,
/// `okx:BTC-USDT-SWAP`): the engine, the events, the reports and the dashboard name markets so.
/// An id without a venue (a test's `BTCUSDT`) is a market of no named venue.
public enum MarketID {
    public static func make(venue: Venue, symbol: some StringProtocol) -> String { venue.rawValue + ":" + symbol }

    /// The venue part; nil for an id without one.
    public static func venue(of id: String) -> Venue? {
        // By bytes, as `venueName`: searching characters broke graphemes, a tenth of the
        // markets table's build with 5,000 markets (every row asks its instrument's venue).
        guard let colon = id.utf8.firstIndex(of: UInt8(ascii: ":")) else { return nil }
        return Venue(String(id[..<colon]))
    }

    /// The venue part as written (`bybit` of `bybit:BTCUSDT`), empty for an id without one: the
    /// venue whose account holds a position of the market (see `Account.venue`).
    @inline(__always)
    public static func venueName(of id: String) -> String {
        guard let colon = id.utf8.firstIndex(of: UInt8(ascii: ":")) else { return "" }
        return String(id[..<colon])
    }

    /// The exchange's own symbol (what its streams and REST paths use).
    public static func symbol(of id: String) -> String {
        guard let colon = id.firstIndex(of: ":") else { return id }
        return String(id[id.index(after: colon)...])
    }
}

/// Turns the markets a person or a file names (`binance-usdm:BTCUSDT` or a bare `BTCUSDT`) into
/// market ids. A bare symbol means the one venue of the session that lists it; two venues that both
/// list it make it ambiguous, and the error names the candidates.
public struct MarketResolver: Hashable, Sendable {
    /// The session's venues: those of its exchange inputs or live streams.
    public var venues: [Venue]

    /// A session with no exchange feed (liqwatch events and positions only) has liqwatch's default
    /// venue, Binance USDⓈ-M, where every input so far came from.
    public static let defaultVenues: [Venue] = [.binanceUSDM]

    public init(venues: some Sequence<Venue>) {
        let unique = Array(Set(venues)).sorted { (Venue.known.firstIndex(of: $0) ?? 99, $0.rawValue) < (Venue.known.firstIndex(of: $1) ?? 99, $1.rawValue) }
        self.venues = unique.isEmpty ? MarketResolver.defaultVenues : unique
    }

    public static let `default` = MarketResolver(venues: defaultVenues)

    public func resolve(_ text: String) throws(MarketNameError) -> String {
        let trimmed = text.trimmingSpaces
        if let colon = trimmed.firstIndex(of: ":") {
            guard let venue = Venue.parse(String(trimmed[..<colon])) else { throw .badVenue(trimmed) }
            // A mistyped venue (binanse-usdm) would make a market no feed ever prices.
            guard Venue.known.contains(venue) else { throw .unknownVenue(venue.rawValue) }
            let symbol = String(trimmed[trimmed.index(after: colon)...])
            guard MarketResolver.isSymbol(symbol) else { throw .badSymbol(trimmed) }
            let canonical = MarketResolver.canonical(symbol, on: venue)
            guard venue.lists(canonical) else { throw .notListed(venue: venue, symbol: canonical) }
            return MarketID.make(venue: venue, symbol: canonical)
        }
        guard MarketResolver.isSymbol(trimmed) else { throw .badSymbol(trimmed) }
        let candidates = venues.filter { $0.lists(trimmed) }
        switch candidates.count {
        case 1: return MarketID.make(venue: candidates[0], symbol: MarketResolver.canonical(trimmed, on: candidates[0]))
        case 0: throw .unlisted(symbol: trimmed, venues: venues)
        default: throw .ambiguous(symbol: trimmed, candidates: candidates.map { MarketID.make(venue: $0, symbol: MarketResolver.canonical(trimmed, on: $0)) })
        }
    }

    /// The venue of an account a line names with `venue` (or without: the session's one venue).
    /// An account is a venue's (see `Account.venue`), so in a session of several venues a line
    /// that does not say which is refused rather than guessed.
    public func resolveVenue(_ text: String?) throws(MarketNameError) -> String {
        guard let text else {
            guard venues.count == 1 else { throw .venueNeeded(venues: venues) }
            return venues[0].rawValue
        }
        let trimmed = text.trimmingSpaces
        guard let venue = Venue.parse(trimmed) else { throw .badVenue(trimmed) }
        guard Venue.known.contains(venue) else { throw .unknownVenue(venue.rawValue) }
        return venue.rawValue
    }

    /// Hyperliquid's coins keep their case (`kPEPE`); every other venue's symbols are upper case.
    static func canonical(_ symbol: String, on venue: Venue) -> String { venue == .hyperliquid ? symbol : symbol.uppercased() }

    /// Whether `text`, trimmed, has the form of a bare symbol (what `resolve` asks of one first).
    public static func isBareSymbol(_ text: String) -> Bool { isSymbol(text.trimmingSpaces) }

    /// Letters, digits, `-`, `_`, `.`, `/`, `@` (Hyperliquid spot `@107`), at most 64 bytes.
    static func isSymbol(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 64 && text.utf8.allSatisfy(isSymbolByte)
    }

    /// A byte a symbol may have.
    static func isSymbolByte(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
            || byte == 0x2D || byte == 0x5F || byte == 0x2E || byte == 0x2F || byte == 0x40
    }
}

public enum MarketNameError: Error, Hashable, Sendable, CustomStringConvertible {
    case badVenue(String)
    case unknownVenue(String)
    case badSymbol(String)
    case notListed(venue: Venue, symbol: String)
    case unlisted(symbol: String, venues: [Venue])
    case ambiguous(symbol: String, candidates: [String])
    case venueNeeded(venues: [Venue])

    /// Text from outside, escaped and cut to a length an error line can hold.
    static func shown(_ text: String) -> String {
        let escaped = SafeText.escaped(text)
        return escaped.count > 64 ? String(escaped.prefix(64)) + "… (\(text.utf8.count) bytes)" : escaped
    }

    public var description: String {
        switch self {
        case .badVenue(let text): return "'\(Self.shown(text))' names no venue (venue:symbol, e.g. binance-usdm:BTCUSDT)"
        case .unknownVenue(let name):
            return "unknown venue '\(Self.shown(name))' (known: \(Venue.known.map(\.rawValue).joined(separator: ", ")))"
        case .badSymbol(let text):
            // A symbol of allowed characters refused for its length says so (it read as a bad character).
            if text.utf8.count > 64 && text.utf8.allSatisfy(MarketResolver.isSymbolByte) {
                return "'\(Self.shown(text))' is not a symbol: longer than 64 bytes"
            }
            return "'\(Self.shown(text))' is not a symbol (letters, digits, - _ . / @)"
        case .notListed(let venue, let symbol):
            return "\(venue) lists no \(Self.shown(symbol)): \(venue.symbolShape)"
        case .unlisted(let symbol, let venues):
            return "no venue of this session (\(venues.map(\.rawValue).joined(separator: ", "))) lists \(Self.shown(symbol)): write venue:symbol"
        case .ambiguous(let symbol, let candidates):
            return "\(symbol) is ambiguous: it could be \(candidates.joined(separator: " or ")); write venue:symbol"
        case .venueNeeded(let venues):
            return "this session has several venues (\(venues.map(\.rawValue).joined(separator: ", "))) and an account is one venue's: give venue"
        }
    }
}

extension String {
    var trimmingSpaces: String {
        var text = Substring(self)
        while let first = text.first, first == " " || first == "\t" { text.removeFirst() }
        while let last = text.last, last == " " || last == "\t" { text.removeLast() }
        return String(text)
    }
}
