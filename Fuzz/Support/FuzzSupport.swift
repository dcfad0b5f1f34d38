// Shared by every fuzz target (compiled into each of them by Fuzz/build.sh).
#if canImport(Glibc)
import Glibc
#endif
import MarketFeeds
import RiskEngine

enum Fuzz {
    /// Calls `body` with each non-empty line of the input, split as the replay's `LineReader` splits
    /// (at `\n`, one trailing `\r` removed). Empty lines are skipped, as the replay skips them.
    ///
    /// Each line is copied into a heap block of exactly its length, so AddressSanitizer reports a
    /// decoder that reads past the end of its line (in the input buffer it would read the next line).
    static func forEachLine(_ data: UnsafePointer<UInt8>, _ size: Int, _ body: (UnsafePointer<UInt8>, Int) -> Void) {
        var start = 0
        while start < size {
            var end = start
            if let found = memchr(data + start, 0x0A, size - start) {
                end = start + (data + start).distance(to: found.assumingMemoryBound(to: UInt8.self))
            } else {
                end = size
            }
            var length = end - start
            if length > 0 && data[start + length - 1] == 0x0D { length -= 1 }
            if length > 0 {
                let copy = malloc(length)!.assumingMemoryBound(to: UInt8.self)
                memcpy(copy, data + start, length)
                body(UnsafePointer(copy), length)
                free(copy)
            }
            start = end + 1
        }
    }

    /// The format `ReplayInput` would sniff from the first non-empty line, nil when none fits.
    static func sniff(_ data: UnsafePointer<UInt8>, _ size: Int) -> RecordingFormat? {
        var result: RecordingFormat? = nil
        var done = false
        forEachLine(data, size) { line, count in
            guard !done else { return }
            done = true
            result = RecordingFormat.sniff(String(decoding: UnsafeBufferPointer(start: line, count: min(count, 4096)), as: UTF8.self))
        }
        return result
    }

    /// The decoder `ReplayInput` picks for a format.
    static func decoder(for format: RecordingFormat) -> any LineDecoder {
        switch format {
        case .timestampedFrames, .hyperliquidCollector: return VenueLineDecoder(timestamped: true)
        case .rawFrames, .bybitHistory: return VenueLineDecoder(timestamped: false)
        case .cryptofeed: return CryptofeedLineDecoder()
        case .cryptofeedHTTP: return CryptofeedHTTPLineDecoder()
        case .liqwatchEvents: return LiqwatchEventDecoder()
        default: return TardisLineDecoder(format: format)
        }
    }

    /// Runs every line through each decoder (fresh ones per input, as a replay starts), then
    /// `finish`. A malformed line is an expected outcome; only a crash is a finding.
    static func decodeLines(_ data: UnsafePointer<UInt8>, _ size: Int, with decoders: [any LineDecoder]) -> [FeedMessage] {
        var decoders = decoders
        var messages: [FeedMessage] = []
        forEachLine(data, size) { line, count in
            for index in decoders.indices {
                switch decoders[index].decode(line, count: count, into: &messages) {
                case .decoded, .skipped, .header, .malformed: break
                }
            }
        }
        for index in decoders.indices { decoders[index].finish(into: &messages) }
        return messages
    }

    /// Reads what a decoded message carries, so that a value the decoder built badly is touched.
    static func touch(_ messages: [FeedMessage]) -> Int {
        var sum = 0
        for message in messages {
            switch message {
            case .depth(let event):
                sum &+= event.changes.count &+ event.symbol.utf8.count
                sum &+= Int(truncatingIfNeeded: event.time ^ event.firstUpdateId ^ event.finalUpdateId ^ (event.previousFinalUpdateId ?? 0))
            case .snapshot(let snapshot):
                sum &+= snapshot.bids.count &+ snapshot.asks.count &+ (snapshot.symbol?.utf8.count ?? 0)
                sum &+= Int(truncatingIfNeeded: snapshot.time ^ snapshot.lastUpdateId)
            case .event(let event), .venueWide(let event):
                sum &+= Int(truncatingIfNeeded: event.time) &+ (event.symbol?.utf8.count ?? 0)
            case .book(let update):
                sum &+= update.symbol.utf8.count &+ Int(truncatingIfNeeded: update.time ^ (update.sequence ?? 0) ^ (update.previousSequence ?? 0))
                switch update.levels {
                case .snapshot(let bids, let asks): sum &+= bids.count &+ asks.count
                case .delta(let changes): sum &+= changes.count
                }
            case .skipped(let kind):
                sum &+= kind.utf8.count
            }
        }
        return sum
    }

    /// The engine events a feed message stands for, without Binance's depth sync (the engine must
    /// take any sequence of events): a diff is applied as a book update, a REST body as a snapshot.
    static func events(of message: FeedMessage) -> MarketEvent? {
        switch message {
        // A venue-wide stream's event is applied to a market the session knows; the engine must
        // take it whatever the market, so the fuzzer hands it over as it is.
        case .event(let event), .venueWide(let event): return event
        case .depth(let event): return .bookUpdate(symbol: event.symbol, changes: event.changes, time: event.time)
        case .snapshot(let snapshot):
            return .bookSnapshot(symbol: snapshot.symbol ?? "BTCUSDT", bids: snapshot.bids, asks: snapshot.asks, time: snapshot.time)
        case .book(let update):
            switch update.levels {
            case .snapshot(let bids, let asks): return .bookSnapshot(symbol: update.symbol, bids: bids, asks: asks, time: update.time)
            case .delta(let changes): return .bookUpdate(symbol: update.symbol, changes: changes, time: update.time)
            }
        case .skipped: return nil
        }
    }

    /// Reads the engine the way the dashboard and the report do after events: every position's
    /// risk, ADL scores, each market's depth and stressed deficit, the money in the system. What the
    /// calls return is only handed to `consume`, so that this compiles whatever their result types.
    static func inspect(_ engine: Engine, stress: Bool) {
        for index in engine.positions.indices {
            consume(engine.risk(of: Int32(index)))
            consume(engine.adlScore(of: Int32(index)))
            consume(engine.deficitIfLiquidatedNow(Int32(index)))
        }
        for index in engine.markets.indices {
            consume(engine.stressedDeficit(market: index))
            consume(engine.depthValue(market: index, withinBps: 25))
            for side in [Side.long, .short] { consume(engine.adlRanking(market: index, side: side)) }
            if stress {
                for shock in ["-10", "25"] {
                    consume(try? engine.stress(symbol: engine.markets[index].symbol, shockPercent: Fixed(shock)!))
                }
            }
        }
        for asset in engine.assets { consume(engine.moneyInSystem(asset: asset)) }
    }
}

/// Keeps a value alive so that the optimiser cannot drop the call that made it.
@inline(never) @_optimize(none)
func consume<T>(_ value: T) {}

/// A scratch directory of this process for targets whose API takes a path.
enum Scratch {
    nonisolated(unsafe) static var directory: String = {
        let base = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        var template = Array("\(base)/liqwatch-fuzz.XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { fatalError("mkdtemp failed") }
        let path = String(cString: made)
        // Leave nothing behind (libFuzzer exits through exit(), which runs atexit handlers).
        atexit { _ = Scratch.removeAll() }
        return path
    }()

    /// Writes the bytes to `name` in the scratch directory and returns its path.
    static func write(_ data: UnsafePointer<UInt8>, _ size: Int, name: String) -> String {
        let path = directory + "/" + name
        guard let file = fopen(path, "wb") else { fatalError("cannot write \(path)") }
        if size > 0 && fwrite(data, 1, size, file) != size { fatalError("short write to \(path)") }
        fclose(file)
        return path
    }

    static func removeAll() -> Int32 {
        guard let dir = opendir(directory) else { return 0 }
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
            if name != "." && name != ".." { unlink(directory + "/" + name) }
        }
        closedir(dir)
        return rmdir(directory)
    }
}
