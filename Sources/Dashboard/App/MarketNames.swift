import RiskEngine

/// How the dashboard names a market where columns are narrow (the positions, the tape, the markets
/// pane): its exchange symbol when no other market of the session has that symbol, else the whole
/// `venue:symbol`. Titles always give the whole id.
public struct MarketNames: Sendable {
    private var marketCount = 0
    private var shortNames: [String: String] = [:]
    /// The session's venues, in the order their markets appeared.
    public private(set) var venues: [Venue] = []

    public init() {}

    /// The names of `engine`'s markets (a footer's words made away from the dashboard's model).
    public init(of engine: Engine) { refresh(from: engine) }

    /// Markets are only ever added: the names change when the count does.
    mutating func refresh(from engine: Engine) {
        guard engine.markets.count != marketCount else { return }
        marketCount = engine.markets.count
        var bySymbol: [String: Int] = [:]
        for market in engine.markets { bySymbol[market.instrument.exchangeSymbol, default: 0] += 1 }
        shortNames = [:]
        venues = []
        for market in engine.markets {
            let symbol = market.instrument.exchangeSymbol
            shortNames[market.symbol] = bySymbol[symbol] == 1 ? symbol : market.symbol
            if let venue = market.instrument.venue, !venues.contains(venue) { venues.append(venue) }
        }
    }

    public func short(_ market: String) -> String { shortNames[market] ?? MarketID.symbol(of: market) }

    /// For a pane's title: the symbol, then its venue when the session has several
    /// (`BTCUSDT · bybit`).
    public func title(_ market: String) -> String {
        let name = short(market)
        guard venues.count > 1, name != market, let venue = MarketID.venue(of: market) else { return name }
        return name + " · " + venue.rawValue
    }

    /// `title` with the venue's tag for its name (`BTC · hyper`), for a narrow title.
    public func compactTitle(_ market: String) -> String {
        let name = short(market)
        guard venues.count > 1, name != market, let venue = MarketID.venue(of: market) else { return name }
        return name + " · " + venue.tag
    }
}
