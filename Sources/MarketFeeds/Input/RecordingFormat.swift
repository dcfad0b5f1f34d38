/// The formats a recording can be in, told apart by their content, never by the file name.
public enum RecordingFormat: String, Hashable, Sendable {
    /// `<receive time ns> <raw JSON frame>` a line (liqwatch's own recordings).
    case timestampedFrames = "timestamped-frames"
    /// Raw exchange JSON frames, one a line, no timestamp prefix.
    case rawFrames = "raw-frames"
    /// cryptofeed's capture: a URL header line, then `<unix time>: <frame>` (Binance, Bybit, OKX or
    /// Hyperliquid frames).
    case cryptofeed
    /// cryptofeed's REST capture: `<url> -> <unix time>: <body>`.
    case cryptofeedHTTP = "cryptofeed-http"
    case tardisIncrementalBook = "tardis-incremental-book-L2"
    case tardisBookSnapshot = "tardis-book-snapshot"
    case tardisTrades = "tardis-trades"
    case tardisLiquidations = "tardis-liquidations"
    case tardisDerivativeTicker = "tardis-derivative-ticker"
    /// liqwatch's event lines for an operator's own systems.
    case liqwatchEvents = "liqwatch-events"
    /// Bybit's order-book history files: Bybit v5 frames, one a line, no receive time.
    case bybitHistory = "bybit-orderbook-history"
    /// The hftbacktest collector's Hyperliquid recordings: `<receive time ns> {"channel":...}`.
    case hyperliquidCollector = "hyperliquid-collector"
    /// Recognised, not replayed: a cryptofeed capture of a venue liqwatch has no decoder for
    /// (Deribit, Coinbase, Kraken, BitMEX), said so at once instead of counting every line malformed.
    case otherCapture = "cryptofeed-other-venue"
    /// Recognised, not replayed: test fixtures, each line a test's name and one venue's message
    /// (`{"test":…,"line":…,"message":<frame>}`, tardis-node's), of many venues and years: not a
    /// recording of a feed (its 40 lines were each counted malformed as a Binance frame with no
    /// event type, and the dashboard read as loading: operator trial).
    case testFixtures = "test-fixtures"

    /// Why a recognised format cannot be replayed; nil for one that can.
    public var unsupportedReason: String? {
        switch self {
        case .otherCapture:
            return "a cryptofeed capture of a venue liqwatch does not decode: it replays cryptofeed captures of Binance, Bybit, OKX and Hyperliquid"
        case .testFixtures:
            return "test fixtures (each line a test's name and one message of some venue and year), not a recording of a feed: liqwatch replays recordings"
        default: return nil
        }
    }

    /// Decides the format from the first non-empty line; nil when it is none of them.
    public static func sniff(_ line: String) -> RecordingFormat? {
        let text = line.drop(while: { $0 == " " || $0 == "\u{FEFF}" })
        if text.hasPrefix("exchange,symbol,timestamp,local_timestamp") {
            let columns = text.split(separator: ",").map(String.init)
            if columns.contains("is_snapshot") { return .tardisIncrementalBook }
            if columns.contains(where: { $0.hasPrefix("asks[0]") }) { return .tardisBookSnapshot }
            if columns.contains("mark_price") || columns.contains("funding_rate") { return .tardisDerivativeTicker }
            if columns.contains("side") && columns.contains("price") && columns.contains("amount") {
                return .tardisTrades // liquidations share the layout: told apart by the file's name below
            }
            return nil
        }
        if text.hasPrefix("{") {
            if text.hasPrefix("{\"topic\":") { return .bybitHistory }
            if text.hasPrefix("{\"test\":") && text.contains("\"message\":") { return .testFixtures }
            return text.contains("\"type\"") && !text.contains("\"stream\"") ? .liqwatchEvents : .rawFrames
        }
        if text.hasPrefix("http://") || text.hasPrefix("https://") { return text.contains(" -> ") ? .cryptofeedHTTP : nil }
        if text.hasPrefix("ws://") || text.hasPrefix("wss://") {
            let host = text.split(separator: " ").first?.lowercased() ?? ""
            // Binance, Bybit, OKX and Hyperliquid frames are told apart line by line (`FrameShape`).
            return host.contains("deribit") || host.contains("coinbase") || host.contains("kraken") || host.contains("bitmex") ? .otherCapture : .cryptofeed
        }
        var digits = text.startIndex
        while digits < text.endIndex, text[digits].isNumber { digits = text.index(after: digits) }
        guard digits > text.startIndex, digits < text.endIndex else { return nil }
        let count = text.distance(from: text.startIndex, to: digits)
        if text[digits] == " " && count >= 16 {
            // liqwatch records an operator's event lines with their receive time too.
            let frame = text[text.index(after: digits)...]
            if frame.hasPrefix("{\"channel\":") { return .hyperliquidCollector }
            // Bybit's frames carry a "type" too: Bybit and OKX frames are told by their first key.
            if frame.hasPrefix("{\"topic\":") || frame.hasPrefix("{\"arg\":") { return .timestampedFrames }
            if frame.hasPrefix("{") && frame.contains("\"type\"") && !frame.contains("\"stream\"") { return .liqwatchEvents }
            return .timestampedFrames
        }
        if text[digits] == "." || text[digits] == ":" { return .cryptofeed }
        return nil
    }
}
