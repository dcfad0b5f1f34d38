import RiskEngine

/// The venues a recording's markets are on, read from its first lines before the replay starts, so
/// that the bare symbols of a positions file or an events file can be resolved among them
/// (`MarketResolver`). The venue comes from the format: Binance frames are on Binance's futures
/// venues (USDⓈ-M or COIN-M by the symbol), a Tardis file names its exchange on every row.
public enum RecordingVenues {
    /// The venues of the recording at `path` (of a Tardis file, those its first 64 lines name);
    /// empty when it names none (liqwatch events) or cannot
    /// be read twice (standard input, a pipe): its lines then name their own markets. A live
    /// recording of several venues names each of them in its first lines (the subscriptions'
    /// answers and first frames), so the first `framesLooked` lines are read for all of them.
    public static func of(path: String) -> [Venue] {
        guard path != "-", FileByteSource.isRewindable(path: path), let source = try? FileByteSource.open(path: path) else { return [] }
        let reader = LineReader(source: source)
        var format: RecordingFormat? = nil
        var header: [Substring] = []
        var checked = 0
        var binance = false
        var found: [Venue] = []
        func note(_ venue: Venue?) {
            if let venue, !found.contains(venue) { found.append(venue) }
        }
        while checked < (binance ? framesLooked : 64), let line = try? reader.nextLine() {
            checked += 1
            if line.isOverlong { return [] }
            if line.count == 0 { continue }
            let text = String(decoding: UnsafeBufferPointer(start: line.bytes, count: min(line.count, 4096)), as: UTF8.self)
            guard let known = format else {
                guard let sniffed = RecordingFormat.sniff(text) else { return [] }
                format = sniffed
                switch sniffed {
                // A liqwatch recording of several venues may start with a Hyperliquid frame.
                case .timestampedFrames, .rawFrames, .cryptofeedHTTP, .cryptofeed, .hyperliquidCollector:
                    // Binance frames: the venue of the symbols the first frames name (a COIN-M
                    // recording is COIN-M only), or both when none is named yet. Bybit, OKX and
                    // Hyperliquid frames are told by their shape, a capture by its endpoint.
                    if sniffed == .cryptofeed, text.lowercased().contains("dstream.binance") { return [.binanceCOINM] }
                    if sniffed == .cryptofeed, let venue = cryptofeedVenues(header: text).first, ![.binanceUSDM, .binanceCOINM].contains(venue) {
                        return [venue]
                    }
                    binance = true
                    note(frameVenue(in: text) ?? binanceVenue(in: text))
                case .bybitHistory: return [.bybit]
                case .liqwatchEvents, .otherCapture, .testFixtures: return []
                default: header = text.split(separator: ",", omittingEmptySubsequences: false)
                }
                continue
            }
            if binance {
                note(frameVenue(in: text) ?? binanceVenue(in: text))
                continue
            }
            _ = known
            // A Tardis row: its exchange column, over the first rows (a file may start with rows
            // of an exchange it skips: the venue of the rows after them named nothing before).
            guard let column = header.firstIndex(of: "exchange") else { return [] }
            let cells = text.split(separator: ",", omittingEmptySubsequences: false)
            // An exchange liqwatch does not model (spot, a venue it has no rules for) names none:
            // its rows are skipped, and a bare symbol must not resolve to it.
            guard column < cells.count, Venue.parse(String(cells[column])) != nil else { continue }
            note(Venue.tardisDerivatives(exchange: cells[column]))
        }
        if !found.isEmpty { return found }
        return binance ? [.binanceUSDM, .binanceCOINM] : []
    }

    /// Lines of a frame recording read for its venues.
    static let framesLooked = 512

    /// The venue of a Bybit, OKX or Hyperliquid frame (`FrameShape`), nil for a Binance frame or a
    /// line sent by cryptofeed (`<url> <- <time>: <frame>`).
    static func frameVenue(in line: String) -> Venue? {
        guard !line.hasPrefix("ws"), !line.hasPrefix("http"), let brace = line.utf8.firstIndex(of: UInt8(ascii: "{")) else { return nil }
        let bytes = Array(line.utf8[brace...])
        return bytes.withUnsafeBufferPointer { FrameShape.of($0.baseAddress!, count: $0.count).venue }
    }

    /// The venue of the first symbol a Binance frame names (`"s":"BTCUSDT"`, or its stream name).
    static func binanceVenue(in line: String) -> Venue? {
        for key in ["\"s\":\"", "\"stream\":\""] {
            guard let start = line.range(of: key)?.upperBound else { continue }
            let name = line[start...].prefix { $0 != "\"" && $0 != "@" }
            if !name.isEmpty && !name.hasPrefix("!") { return Venue.binance(forSymbol: name.uppercased()) }
        }
        return nil
    }

    /// cryptofeed names the endpoint on its first line: `wss://fstream.binance.com/... <-> ...`.
    static func cryptofeedVenues(header: String) -> [Venue] {
        let lower = header.lowercased()
        if lower.contains("dstream.binance") || lower.contains("dapi.binance") { return [.binanceCOINM] }
        if lower.contains("binance") { return [.binanceUSDM, .binanceCOINM] }
        if lower.contains("okx.com") || lower.contains("okex.com") { return [.okx] }
        if lower.contains("bybit.com") { return [.bybit] }
        if lower.contains("hyperliquid") { return [.hyperliquid] }
        return []
    }
}
