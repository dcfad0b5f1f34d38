import Foundation
import MarketFeeds
import RiskEngine

/// Binance USDⓈ-M or COIN-M futures, live: the combined streams (depth, book ticker, aggregated
/// trades per symbol; marks and forceOrder liquidations of the whole venue, see `streamNames`) over a TLS WebSocket with Hummingbird's client, and
/// the REST depth snapshot for the sync rules. A disconnect, an error or Binance's 24-hour cut
/// brings a reconnect after exponential backoff with jitter; the session re-syncs every book from a
/// fresh snapshot. Pings are answered by the client's WebSocket handler.
public final class BinanceLiveSource: LiveSource, @unchecked Sendable {
    public enum Market: String, Sendable, CaseIterable {
        case usdm = "binance-usdm"
        case coinm = "binance-coinm"

        public var defaultWebSocketURL: String { self == .usdm ? "wss://fstream.binance.com" : "wss://dstream.binance.com" }
        public var defaultRESTURL: String { self == .usdm ? "https://fapi.binance.com" : "https://dapi.binance.com" }
        var depthPath: String { self == .usdm ? "/fapi/v1/depth" : "/dapi/v1/depth" }
    }

    public let market: Market
    /// Binance's own names of the contracts (`BTCUSDT`).
    public let symbols: [String]
    public let webSocketURL: String
    public let restURL: String
    /// The depth stream's speed: "@100ms" (Binance's default for futures is 250 ms).
    public let depthSpeed: String
    /// Which of the venue's connections this is (`2/4`) when its symbols need several (see
    /// `connections`); the first carries the venue-wide streams.
    public let part: (index: Int, of: Int)?
    /// `binance-usdm`, or `binance-usdm 2/4`: each connection's health and outages are its own.
    public var name: String { market.rawValue + (part.map { " \($0.index)/\($0.of)" } ?? "") }
    /// Whether this connection carries the venue's all-market streams (marks, liquidations): one
    /// does, or every liquidation would be counted once a connection.
    var carriesVenueWideStreams: Bool { part.map { $0.index == 1 } ?? true }
    /// Split over several connections, the first feeds the marks and liquidations of all.
    public var feedsVenueWide: Bool { part != nil && carriesVenueWideStreams }
    /// COIN-M: the pairs whose mark stream this connection takes, when its symbols share pairs
    /// with another connection's (each pair's marks on one connection only, or each mark frame
    /// arrived, was recorded and applied twice: review). Nil: its own symbols' pairs.
    let markPairs: [String]?
    public var venue: Venue { Venue(market.rawValue) }
    /// The markets, as the engine names them (`binance-usdm:BTCUSDT`); named once (the session
    /// asks at every pump).
    public let kind: LiveStreamKind
    public var format: RecordingFormat { .timestampedFrames }

    private let state = SourceState()
    private let fetcher = SnapshotFetcher()

    public init(market: Market, symbols: [String], webSocketURL: String? = nil, restURL: String? = nil, depthSpeed: String = "@100ms",
                part: (index: Int, of: Int)? = nil, markPairs: [String]? = nil) {
        self.market = market
        self.part = part
        self.markPairs = markPairs
        self.symbols = symbols.map { $0.uppercased() }
        self.webSocketURL = Self.trimmed(webSocketURL ?? market.defaultWebSocketURL)
        self.restURL = Self.trimmed(restURL ?? market.defaultRESTURL)
        self.depthSpeed = depthSpeed
        kind = .market(symbols: self.symbols.map { MarketID.make(venue: Venue(market.rawValue), symbol: $0) })
    }

    static func trimmed(_ url: String) -> String { url.hasSuffix("/") ? String(url.dropLast()) : url }

    /// A COIN-M symbol's pair, lower case: BTCUSD_PERP and BTCUSD_250328 share `btcusd`.
    static func pairName(_ symbol: String) -> String {
        let lower = symbol.lowercased()
        return lower.split(separator: "_").first.map(String.init) ?? lower
    }

    /// The symbols one connection takes: three streams each, 300 and the venue's own well under
    /// Binance's 1,024 streams a connection, and a URL of about 7 KB (a session of 3,000 symbols
    /// asked one connection for 9,002 streams in a 183 KB URL: attacker trial).
    public static let symbolsPerConnection = 100

    /// The connections `symbols` need, `symbolsPerConnection` symbols each, the first carrying the
    /// venue-wide streams.
    public static func connections(market: Market, symbols: [String], webSocketURL: String? = nil, restURL: String? = nil) -> [BinanceLiveSource] {
        guard symbols.count > symbolsPerConnection else {
            return [BinanceLiveSource(market: market, symbols: symbols, webSocketURL: webSocketURL, restURL: restURL)]
        }
        let count = (symbols.count + symbolsPerConnection - 1) / symbolsPerConnection
        var pairsTaken: Set<String> = []
        return (0..<count).map { index in
            let chunk = Array(symbols[(index * symbolsPerConnection)..<min(symbols.count, (index + 1) * symbolsPerConnection)])
            var pairs: [String] = []
            for symbol in chunk {
                let pair = pairName(symbol)
                if pairsTaken.insert(pair).inserted { pairs.append(pair) }
            }
            return BinanceLiveSource(market: market, symbols: chunk, webSocketURL: webSocketURL, restURL: restURL, part: (index + 1, count),
                markPairs: market == .coinm ? pairs : nil)
        }
    }

    /// The combined streams: per symbol its depth, book ticker and aggregated trades; for the whole
    /// venue the marks and the liquidations.
    ///
    /// - Marks, index and funding: USDⓈ-M `!markPrice@arr@1s` (every symbol, each second); COIN-M
    ///   has no all-market mark stream, its `<pair>@markPrice@1s` gives every contract of a pair
    ///   (BTCUSD_PERP and the BTCUSD quarterlies). The session applies the marks of every market it
    ///   knows, so a monitored position on a symbol whose depth is not subscribed is marked too.
    /// - Liquidations: `!forceOrder@arr`, every symbol's, on both venues. Binance sends at most one
    ///   liquidation per symbol per second on it: a sample (`Venue.liquidationCompleteness`).
    public var streamNames: [String] {
        var names: [String] = []
        var pairs: [String] = []
        for symbol in symbols {
            let lower = symbol.lowercased()
            names += ["\(lower)@depth\(depthSpeed)", "\(lower)@bookTicker", "\(lower)@aggTrade"]
            let pair = Self.pairName(symbol)
            if !pairs.contains(pair) { pairs.append(pair) }
        }
        switch market {
        case .usdm: if carriesVenueWideStreams { names.append("!markPrice@arr@1s") }
        case .coinm: names += (markPairs ?? pairs).map { "\($0)@markPrice@1s" }
        }
        if carriesVenueWideStreams { names.append("!forceOrder@arr") }
        return names
    }

    /// `.../stream?streams=btcusdt@depth@100ms/btcusdt@bookTicker/.../!markPrice@arr@1s/!forceOrder@arr`
    public var streamURL: String {
        webSocketURL + "/stream?streams=" + streamNames.joined(separator: "/")
    }

    /// The REST depth snapshot of a market (its id or Binance's symbol).
    public func snapshotURL(symbol: String) -> String { "\(restURL)\(market.depthPath)?symbol=\(MarketID.symbol(of: symbol))&limit=1000" }

    public func start(queue: LiveQueue, stream: Int) {
        state.attach(queue: queue, stream: stream)
        let task = Task.detached { [self] in await self.connectionLoop(queue: queue, stream: stream) }
        state.setTask(task)
    }

    public func stop() {
        state.stop()
    }

    /// Binance's error frame (`{"error":{"code":2,"msg":"Invalid request"},"id":1}`), in words; nil
    /// for every other frame (a stream's data starts `{"stream"`: never parsed here). It was
    /// counted among the frames of streams liqwatch does not apply, never shown (attacker trial).
    static func notice(in frame: [UInt8]) -> String? {
        guard frame.count < 4096, !frame.startsJSON(with: "{\"stream\""), frame.mentions("\"error\""),
            let object = try? JSONSerialization.jsonObject(with: Data(frame)) as? [String: Any],
            let error = object["error"] as? [String: Any] else { return nil }
        let code = (error["code"] as? NSNumber).map { " \($0)" } ?? ""
        return "binance error\(code): \(error["msg"] as? String ?? "no reason given")"
    }

    /// Connects, reads until the connection ends, waits out the backoff, and connects again. Each
    /// message becomes a frame item as it is read, on the connection's event loop.
    func connectionLoop(queue: LiveQueue, stream: Int) async {
        let url = streamURL
        let behaviour = WebSocketBehaviour(message: { bytes, receiveTime, items in
            // The venue's refusal is its notice, not a data frame (as one it was also counted as
            // malformed, `e (event type)`, every time: attacker trial).
            if let notice = BinanceLiveSource.notice(in: bytes) {
                items.append(.connection(stream: stream, .venueNotice(SafeText.escaped(String(notice.prefix(300))))))
                return
            }
            items.append(.frame(stream: stream, receiveTime: receiveTime, bytes: bytes))
        })
        await ReconnectingWebSocket.run(url: { url }, state: state, queue: queue, stream: stream, behaviour: behaviour)
    }

    /// Fetches `GET /fapi/v1/depth?symbol=...&limit=1000` (COIN-M: `/dapi/v1/depth`); the body
    /// arrives as a `.snapshot` item. Bounded in size and time, one a symbol (`SnapshotFetcher`).
    public func requestSnapshot(symbol: String) {
        guard let (queue, stream) = state.attachment, !state.stopped, let url = URL(string: snapshotURL(symbol: symbol)) else { return }
        fetcher.fetch(url, symbol: symbol) { answer in
            let item: LiveItem
            switch answer {
            case .body(let bytes):
                item = .snapshot(stream: stream, symbol: symbol, receiveTime: LiveClock.wallNanoseconds(), bytes: bytes)
            case .failed(let reason, let retryAfter):
                // The reason may quote the server: filtered and bounded before it reaches a screen.
                item = .connection(stream: stream, .snapshotFailed(symbol: symbol, reason: SafeText.escaped(String(reason.prefix(300))),
                    retryAfter: retryAfter))
            }
            // Handed over from a task: the answer arrives on the connections' one event loop (or,
            // for a request that never went out, on the session's thread), and a full queue must
            // hold neither.
            Task.detached { _ = await queue.pushYielding(item) }
        }
    }
}
