import ArgumentParser
import Foundation
import LiveVenues
import MarketFeeds
import RiskEngine

/// The venues `liqwatch live` can watch, and how each is named on the command line.
enum LiveVenueName {
    static let all: [Venue] = Venue.live
    static var list: String { all.map(\.rawValue).joined(separator: ", ") }
}

/// The markets the command line (or the config file's `[markets]`) names, grouped into one live
/// source per connection: `binance-usdm --symbols BTCUSDT,ETHUSDT`, or markets named whole
/// (`binance-usdm:BTCUSDT bybit:BTCUSDT okx:BTC-USDT-SWAP hyperliquid:BTC`), or both.
struct LiveMarketChoice {
    /// Market ids in the order given, without repeats.
    var markets: [String] = []
    /// The same, to find a repeat in constant time (a list of 60,000 symbols was looked through
    /// for each: 20 s before the session began, attacker trial).
    private var given: Set<String> = []

    /// `words` are venue names or venue:symbol; `symbols` (from --symbols) are resolved among the
    /// bare venue names given.
    static func parse(words: [String], symbols: [String]) throws -> LiveMarketChoice {
        var choice = LiveMarketChoice()
        var bareVenues: [Venue] = []
        let named = MarketResolver(venues: LiveVenueName.all)
        for word in words {
            if word.contains(":") {
                let market: String
                do { market = try named.resolve(word) } catch { throw ValidationError(error.description) }
                try checkLive(market, word: word)
                choice.add(market)
            } else {
                guard let venue = Venue.parse(word), LiveVenueName.all.contains(venue) else {
                    throw ValidationError("unknown source '\(SafeText.escaped(String(word.prefix(64))))': expected events, \(LiveVenueName.list), or venue:symbol")
                }
                bareVenues.append(venue)
            }
        }
        if !bareVenues.isEmpty && symbols.isEmpty {
            throw ValidationError("\(bareVenues.map(\.rawValue).joined(separator: ", ")) needs --symbols, e.g. --symbols BTCUSDT,ETHUSDT (or markets.live_symbols in the config file), or name markets whole: bybit:BTCUSDT")
        }
        if bareVenues.isEmpty && !symbols.isEmpty {
            throw ValidationError("--symbols needs a venue to look them up on: e.g. liqwatch live bybit --symbols BTCUSDT")
        }
        let resolver = MarketResolver(venues: bareVenues)
        for symbol in symbols {
            let market: String
            do { market = try resolver.resolve(symbol) } catch { throw ValidationError("--symbols: \(error.description)") }
            try checkLive(market, word: symbol, option: "--symbols: ")
            choice.add(market)
        }
        if choice.markets.isEmpty { throw ValidationError("name at least one market: a venue and --symbols, or venue:symbol") }
        // The engine makes at most `Engine.marketLimit` markets: the rest would be subscribed to
        // and never shown (60,000 symbols made a 676 MB session and a 12 MB report).
        guard choice.markets.count <= Engine.marketLimit else {
            throw ValidationError("\(choice.markets.count) markets named: a session watches at most \(Engine.marketLimit) (run several sessions for more)")
        }
        return choice
    }

    /// A market a live adapter can subscribe to: a venue with an adapter, and a symbol of the
    /// characters that venue's live symbols have (they go into subscription requests and URLs).
    static func checkLive(_ market: String, word: String, option: String = "") throws {
        let venue = venue(of: market)
        guard LiveVenueName.all.contains(venue) else {
            throw ValidationError("\(option)\(SafeText.escaped(word)): liqwatch has no live adapter for \(venue) (live venues: \(LiveVenueName.list))")
        }
        let extra: Set<Character> = venue == .okx ? ["-"] : (venue == .hyperliquid ? [] : ["_"])
        guard MarketID.symbol(of: market).allSatisfy({ ($0.isASCII && ($0.isLetter || $0.isNumber)) || extra.contains($0) }) else {
            throw ValidationError("\(option)'\(SafeText.escaped(word))' is not a symbol")
        }
    }

    /// A resolved market id always names its venue.
    static func venue(of market: String) -> Venue { MarketID.venue(of: market) ?? .binanceUSDM }

    mutating func add(_ market: String) {
        if given.insert(market).inserted { markets.append(market) }
    }

    var venues: [Venue] {
        var seen: [Venue] = []
        for market in markets where !seen.contains(LiveMarketChoice.venue(of: market)) { seen.append(LiveMarketChoice.venue(of: market)) }
        return seen
    }

    /// One source per connection: Binance USDⓈ-M, Binance COIN-M, Bybit linear, Bybit inverse,
    /// OKX and Hyperliquid each have their own endpoint.
    func sources(endpoints: LiveEndpoints) -> [any LiveSource] {
        var result: [any LiveSource] = []
        for venue in venues {
            let symbols = markets.filter { LiveMarketChoice.venue(of: $0) == venue }.map(MarketID.symbol(of:))
            switch venue {
            case .binanceUSDM, .binanceCOINM:
                let market: BinanceLiveSource.Market = venue == .binanceUSDM ? .usdm : .coinm
                result += BinanceLiveSource.connections(market: market, symbols: symbols, webSocketURL: endpoints.webSocket[venue], restURL: endpoints.rest[venue])
            case .bybit:
                for category in [BybitWire.Category.linear, .inverse] {
                    let chosen = symbols.filter { BybitWire.category(of: $0) == category }
                    if chosen.isEmpty { continue }
                    result.append(VenueWebSocketSource(wire: BybitWire(category: category, symbols: chosen, baseURL: endpoints.webSocket[venue])))
                }
            case .okx:
                result.append(VenueWebSocketSource(wire: OKXWire(instruments: symbols, baseURL: endpoints.webSocket[venue])))
            case .hyperliquid:
                result.append(VenueWebSocketSource(wire: HyperliquidWire(coins: symbols, baseURL: endpoints.webSocket[venue])))
            default:
                continue
            }
        }
        return result
    }
}

/// `--ws-url [VENUE=]URL` and `--rest-url [VENUE=]URL`: where each venue is reached instead of its
/// public endpoint (a testnet, a loopback exchange). A URL without a venue applies when the session
/// watches one venue only.
struct LiveEndpoints {
    var webSocket: [Venue: String] = [:]
    var rest: [Venue: String] = [:]

    static func parse(webSocket: [String], rest: [String], venues: [Venue]) throws -> LiveEndpoints {
        var endpoints = LiveEndpoints()
        endpoints.webSocket = try assign(webSocket, option: "--ws-url", venues: venues, schemes: ["ws", "wss"])
        endpoints.rest = try assign(rest, option: "--rest-url", venues: venues, schemes: ["http", "https"])
        for venue in endpoints.rest.keys where ![Venue.binanceUSDM, .binanceCOINM].contains(venue) {
            throw ValidationError("--rest-url: \(venue) is read over its WebSocket only (its books re-sync by subscribing again)")
        }
        return endpoints
    }

    static func assign(_ given: [String], option: String, venues: [Venue], schemes: [String]) throws -> [Venue: String] {
        var result: [Venue: String] = [:]
        for text in given {
            var venue: Venue?
            var url = text
            if let equals = text.firstIndex(of: "="), !text[..<equals].contains(":") {
                guard let parsed = Venue.parse(String(text[..<equals])), LiveVenueName.all.contains(parsed) else {
                    throw ValidationError("\(option): '\(SafeText.escaped(String(text[..<equals].prefix(64))))' is not a live venue (\(LiveVenueName.list))")
                }
                venue = parsed
                url = String(text[text.index(after: equals)...])
            }
            guard let parsedURL = URL(string: url), parsedURL.host != nil, let scheme = parsedURL.scheme?.lowercased(), schemes.contains(scheme) else {
                throw ValidationError("\(option): '\(SafeText.escaped(String(url.prefix(200))))' is not a \(schemes.joined(separator: ":// or "))://HOST URL")
            }
            if venue == nil {
                guard venues.count == 1 else {
                    throw ValidationError("\(option): this session watches \(venues.map(\.rawValue).joined(separator: ", ")); say which venue the URL is for: \(option) VENUE=URL")
                }
                venue = venues[0]
            }
            guard let venue, venues.contains(venue) else {
                throw ValidationError("\(option): the session watches no \(venue?.rawValue ?? "such venue") market")
            }
            if result[venue] != nil { throw ValidationError("\(option): \(venue) is given twice") }
            result[venue] = url
        }
        return result
    }
}
