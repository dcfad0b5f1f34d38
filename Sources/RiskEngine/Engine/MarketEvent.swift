/// A price level change: absolute size at a price (0 removes), book units.
public struct LevelChange: Hashable, Sendable {
    public var side: BookSide
    public var price: Int64
    public var size: Int64

    public init(side: BookSide, price: Int64, size: Int64) {
        self.side = side
        self.price = price
        self.size = size
    }
}

/// A liquidation the exchange itself reported (Binance `forceOrder`, Tardis `liquidations`, ...).
/// Shown apart from the liquidations the engine simulates; it never moves monitored money.
public struct ExchangeLiquidation: Hashable, Sendable {
    public var symbol: String
    public var price: Fixed
    public var quantity: Fixed
    public var time: Int64
    /// The side of the position that was liquidated (a SELL order closes a long). Stored last, so
    /// it packs behind `time` instead of padding out to the prices' 16-byte alignment.
    public var side: Side
    /// Its value in the contract's settlement asset (coin for an inverse contract), set by the
    /// engine from the instrument; nil as decoded.
    public var notional: Fixed?
    public var asset: String?

    public init(symbol: String, side: Side, price: Fixed, quantity: Fixed, time: Int64) {
        self.symbol = symbol
        self.side = side
        self.price = price
        self.quantity = quantity
        self.time = time
    }
}

/// An index price (and the funding that goes with it) from a feed: the markets pane shows it, and
/// without a mark stream the mark follows Binance's index-anchored rule (`IndexAnchoredMark`).
public struct IndexUpdate: Hashable, Sendable {
    public var symbol: String
    public var price: Fixed
    public var fundingRate: Fixed?
    /// When the next funding is paid (ns since the epoch).
    public var nextFundingTime: Int64?
    /// Open interest, in the contract's quantity unit, where the feed carries it.
    public var openInterest: Fixed?
    public var time: Int64

    public init(symbol: String, price: Fixed, fundingRate: Fixed? = nil, nextFundingTime: Int64? = nil, openInterest: Fixed? = nil, time: Int64) {
        self.symbol = symbol
        self.price = price
        self.fundingRate = fundingRate
        self.nextFundingTime = nextFundingTime
        self.openInterest = openInterest
        self.time = time
    }

    /// A funding rate a venue could pay: below 100 % of the position's value a period either
    /// way (Binance's feed is held to it; an event line's 500, and Hyperliquid's 5, were
    /// taken as they came and shown as 50,000 %: attacker trial).
    public static func isPlausible(fundingRate rate: Fixed) -> Bool { rate.magnitude < .one }
}

/// Everything that can happen to the engine: one normalised enum that every decoder, live adapter
/// and generator produces. Times are nanoseconds since the Unix epoch (event time where the feed
/// gives one, else receive time).
public enum MarketEvent: Sendable {
    /// A full book (a REST snapshot, a Tardis snapshot row, a generator's opening book).
    /// `shownLevels`: the most levels a side the feed shows (Hyperliquid's `l2Book` 20, Tardis's
    /// `book_snapshot_25` 25, Bybit's `orderbook.50` 50, kept by its deltas); 0 for the whole book.
    case bookSnapshot(symbol: String, bids: [(price: Int64, size: Int64)], asks: [(price: Int64, size: Int64)], time: Int64,
                      shownLevels: Int = 0)
    /// Level changes that arrived together (one depth event).
    case bookUpdate(symbol: String, changes: [LevelChange], time: Int64)
    /// The feed lost continuity: the book is stale until the next snapshot.
    case bookGap(symbol: String, time: Int64)
    case trade(symbol: String, price: Int64, size: Int64, time: Int64)
    case mark(symbol: String, price: Fixed, time: Int64)
    /// The venue says the mark it gave last, `price`, still stands (Bybit's tickers delta carries
    /// a field only when it changed): the mark held stays fresh if it is that price, a stream's,
    /// undisputed and not outdated already (only a mark with a price revives an outdated one; a
    /// mark from another source, or one held after the venue's was refused, is not confirmed).
    case markStands(symbol: String, price: Fixed, time: Int64)
    case exchangeLiquidation(ExchangeLiquidation)
    /// Boxed for the same reason as `position`.
    indirect case index(IndexUpdate)
    /// Boxed (`indirect`): a position update is the largest payload by far, and without the box
    /// every event, of every kind, would be as large as it when it is copied or moved.
    indirect case position(PositionUpdate, time: Int64)
    /// Sets the cross wallet balance of an account on a venue (`binance-usdm`; empty for markets
    /// of no venue). `venueGiven` false: the line named none and `venue` is the session's one
    /// venue, which the one venue where an account of that id and asset holds positions
    /// overrides (an events-only session defaults to Binance USDⓈ-M while its positions may be
    /// Bybit's; see `Engine.accountVenue`).
    /// Boxed: it is the largest payload after `position`.
    indirect case account(id: String, asset: String, venue: String, venueGiven: Bool, walletBalance: Fixed, time: Int64)
    /// The operator's statement of a venue's fund balance; `venue` nil: the line named none, and
    /// the engine finds the fund (the one venue with markets of the asset; see
    /// `Engine.fundVenue`). Boxed, as `account`.
    indirect case insuranceFund(asset: String, venue: String?, balance: Fixed, time: Int64)
    /// Time passes with nothing else happening (keeps windows and baselines moving).
    case clock(time: Int64)

    public var time: Int64 {
        switch self {
        case .bookSnapshot(_, _, _, let time, _), .bookUpdate(_, _, let time), .bookGap(_, let time),
            .trade(_, _, _, let time), .mark(_, _, let time), .markStands(_, _, let time), .position(_, let time),
            .account(_, _, _, _, _, let time), .insuranceFund(_, _, _, let time), .clock(let time):
            return time
        case .exchangeLiquidation(let liquidation):
            return liquidation.time
        case .index(let update):
            return update.time
        }
    }

    /// The market the event is about; nil for the fund, an account and the clock.
    public var symbol: String? {
        switch self {
        case .bookSnapshot(let symbol, _, _, _, _), .bookUpdate(let symbol, _, _), .bookGap(let symbol, _),
            .trade(let symbol, _, _, _), .mark(let symbol, _, _), .markStands(let symbol, _, _):
            return symbol
        case .exchangeLiquidation(let liquidation): return liquidation.symbol
        case .index(let update): return update.symbol
        case .position(let update, _): return update.symbol
        case .account, .insuranceFund, .clock: return nil
        }
    }
}
