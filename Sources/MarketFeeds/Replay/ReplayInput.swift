import Foundation
import RiskEngine

/// One recording being read: its lines, its decoder, and messages decoded but not yet used.
final class ReplayInput {
    /// Empty lines passed over before a file's first line says its format.
    static let emptyLinesBeforeFormat = 65_536
    let path: String
    let threaded: Bool
    let format: RecordingFormat
    let reader: LineReader
    var decoder: any LineDecoder
    /// Lines whose time is far ahead of the lines around them (see `TimeSpikeGuard`); the
    /// decoding thread's while it decodes ahead.
    var timeGuard = TimeSpikeGuard()
    var pending: [FeedMessage] = []
    var pendingIndex = 0
    var ended = false
    /// Lines taken from the reader and decoded (the sniffed first line counts once decoded).
    var linesConsumed = 0
    var firstLine: InputLine?
    /// The first non-empty line's bytes (at most 4 KiB), kept to tell a recording given twice
    /// under two forms (a copy a byte longer, a `.gz` beside its unpacked text): `ReplaySession`.
    let openingLine: [UInt8]
    /// While a replay runs to the end, the thread decoding this input ahead; the reader, decoder
    /// and first line are its own until it is detached.
    var ahead: DecodeAhead?
    /// The reader's position as of the last batch taken from `ahead`.
    var aheadFraction: Double?
    /// An error the decoding thread stopped on, thrown once the messages before it are used.
    var deferredFailure: SessionError?
    /// A gzip input or a file read ahead: by a thread of its own while the replay steps (a
    /// dashboard); shared while a thread decodes ahead (see `ThreadedByteSource`).
    let readingAhead: ThreadedByteSource?
    /// What the replay's thread does while it waits for the decoding thread: reads (inflates) ahead.
    let idleWork: (() -> Bool)?
    /// A gzip input is checked (its CRC) only at the end of each member, after its data was
    /// replayed: the markets its messages named, to say which were replayed from unverified data
    /// when the check fails.
    let isCompressed: Bool
    /// A regular file, which a checkpoint's restore can open again (not a pipe or standard input).
    let isRewindable: Bool
    private(set) var marketsSeen = Set<String>()
    private var lastMarketSeen: String?

    init(path: String, threaded: Bool, resolver: MarketResolver) throws(SessionError) {
        self.path = path
        self.threaded = threaded
        let rewindable = FileByteSource.isRewindable(path: path)
        isRewindable = rewindable
        var source: ByteSource
        do {
            // Gzip is told by the first bytes, read through the source itself: a FIFO or a pipe
            // (process substitution, standard input) cannot be opened twice to peek.
            source = try FileByteSource.open(path: path)
            isCompressed = source is GzipByteSource
            // Read ahead in chunks the line reader finds its lines in: decompression on a thread
            // of its own while a dashboard steps; shared while a thread decodes ahead, so the
            // replay's thread inflates, or copies a plain file out of the page cache, while it
            // waits (see `startDecodingAhead`). A plain pipe, FIFO or standard input is read as
            // it comes, not ahead (a gzipped one is inflated ahead, as before).
            // A plain file is read four chunks (1 MiB) ahead of the chunk being read, about as
            // much as the line reader's own buffer held before: reading it is quick, and a file
            // truncated while it is replayed is replayed little further past its new end.
            if threaded && (isCompressed || rewindable) {
                source = ThreadedByteSource(wrapping: source, depth: isCompressed ? 16 : 4)
            }
        } catch { throw .input(error) }
        readingAhead = source as? ThreadedByteSource
        idleWork = readingAhead.map { source in { source.readAheadIfIdle() } }
        // A refusal before the input is whole lets its read-ahead thread go (no deinit runs).
        let started = readingAhead
        func refused(_ error: SessionError) -> SessionError {
            started?.stop()
            return error
        }
        reader = LineReader(source: source)
        // Sniff the format from the first non-empty line.
        var sniffed: RecordingFormat? = nil
        var overlongLine: Int? = nil
        var emptyLinesOnly = false
        do {
            while let line = try reader.nextLine() {
                if line.isOverlong { overlongLine = line.number; break }
                // Empty lines are passed over up to a bound: 2 GB of line ends, gzipped to 9 MB,
                // were read for 40 s before "unknown format" (attacker trial).
                if line.count == 0 {
                    if line.number > ReplayInput.emptyLinesBeforeFormat { emptyLinesOnly = true; break }
                    continue
                }
                let text = String(decoding: UnsafeBufferPointer(start: line.bytes, count: min(line.count, 4096)), as: UTF8.self)
                sniffed = RecordingFormat.sniff(text)
                firstLine = line
                break
            }
        } catch { throw refused(.input(error)) }
        if let overlongLine { throw refused(.firstLineTooLong(path: path, line: overlongLine)) }
        if emptyLinesOnly { throw refused(.onlyEmptyLines(path: path, lines: ReplayInput.emptyLinesBeforeFormat)) }
        guard var format = sniffed else {
            // Nothing at all to read (an empty file, a pipe closed at once, or empty lines alone):
            // said so, not "unknown format" (attacker trial).
            if firstLine == nil { throw refused(.empty(path: path)) }
            throw refused(.unknownFormat(path: path, line: firstLine?.number ?? 1))
        }
        if format == .tardisTrades && Paths.fileName(of: path).lowercased().contains("liquidation") {
            format = .tardisLiquidations
        }
        if let reason = format.unsupportedReason { throw refused(.unsupportedFormat(path: path, reason: reason)) }
        self.format = format
        openingLine = firstLine.map { Array(UnsafeBufferPointer(start: $0.bytes, count: min($0.count, 4096))) } ?? []
        switch format {
        // Each frame to its venue's decoder, by its shape (`FrameShape`).
        case .timestampedFrames, .hyperliquidCollector: decoder = VenueLineDecoder(timestamped: true)
        case .rawFrames, .bybitHistory: decoder = VenueLineDecoder(timestamped: false)
        case .cryptofeed: decoder = CryptofeedLineDecoder()
        case .cryptofeedHTTP: decoder = CryptofeedHTTPLineDecoder()
        case .liqwatchEvents: decoder = LiqwatchEventDecoder(resolver: resolver)
        default: decoder = TardisLineDecoder(format: format)
        }
    }

    deinit { readingAhead?.stop() }

    /// Hands the reader and decoder to a thread that decodes ahead.
    func startDecodingAhead(strict: Bool) {
        guard ahead == nil, !ended, deferredFailure == nil else { return }
        // Three busy threads on two cores (inflating, decoding, the engine) cost more than the
        // inflating thread saves: the decoding thread inflates when nothing is ready, and the
        // replay's thread while it waits for decoded lines.
        readingAhead?.isShared = true
        // Its held line's messages are pending here, not in the thread's batches.
        timeGuard.release()
        ahead = DecodeAhead(path: path, reader: reader, decoder: decoder, timeGuard: timeGuard, firstLine: firstLine, strict: strict)
        firstLine = nil
    }

    /// Stops the decoding thread and takes back its reader and decoder. Returns the batches it
    /// decoded that were not taken yet, in order, for the replay to count and `take`: they join
    /// `pending` as if this thread had decoded them.
    func stopDecodingAhead() -> [DecodeAhead.Batch] {
        guard let thread = ahead else { return [] }
        let rest = thread.stop()
        decoder = thread.decoder
        timeGuard = thread.timeGuard
        firstLine = thread.firstLine
        ahead = nil
        readingAhead?.isShared = false
        return rest
    }

    /// Uses a batch from the decoding thread: its messages follow what is pending.
    func take(_ batch: DecodeAhead.Batch) {
        if pendingIndex >= pending.count {
            pending = batch.messages
            pendingIndex = 0
        } else {
            pending.append(contentsOf: batch.messages)
        }
        linesConsumed += batch.lines
        if batch.ended { ended = true }
        if let fraction = batch.fraction { aheadFraction = fraction }
        if let failure = batch.failure { deferredFailure = failure }
    }

    /// Skips `count` lines without decoding them (restoring a checkpoint).
    func skip(lines count: Int) throws(SessionError) {
        var left = count
        if left > 0 && firstLine != nil { firstLine = nil; left -= 1 }
        do {
            while left > 0, try reader.nextLine() != nil { left -= 1 }
        } catch { throw .input(error) }
        linesConsumed = count
    }

    /// Notes the market a message taken from this input names (compressed inputs only).
    @inline(__always)
    func noteMarket(of message: FeedMessage) {
        guard isCompressed, let symbol = message.symbol, symbol != lastMarketSeen else { return }
        lastMarketSeen = symbol
        marketsSeen.insert(symbol)
    }

    var progress: Double {
        if ended && pendingIndex >= pending.count { return 1 }
        if ahead != nil { return min(0.9999, aheadFraction ?? 0) }
        return min(0.9999, reader.fraction ?? 0)
    }
}

public enum SessionError: Error, Sendable, CustomStringConvertible {
    case input(InputError)
    case unknownFormat(path: String, line: Int)
    /// The input's first line is longer than any line may be (`/dev/zero`, a binary file).
    case firstLineTooLong(path: String, line: Int)
    /// Nothing to read: no line, or empty lines alone to the end.
    case empty(path: String)
    /// Two inputs begin with the same dated line: one recording given twice.
    case sameRecording(path: String, other: String)
    /// Nothing but empty lines, as far as a format is looked for.
    case onlyEmptyLines(path: String, lines: Int)
    /// `--strict`: a malformed line stops the replay.
    case malformed(path: String, line: Int, field: String)
    /// A format liqwatch recognises but does not replay yet.
    case unsupportedFormat(path: String, reason: String)

    /// One line, whatever the file's name holds.
    public var description: String { SafeText.escaped(text) }

    private var text: String {
        switch self {
        case .input(let error): return error.description
        case .unknownFormat(let path, let line):
            return "\(path):\(line): unknown format (expected timestamped exchange frames, a cryptofeed capture, Tardis CSV or liqwatch events)"
        case .firstLineTooLong(let path, let line):
            return "\(path):\(line): unknown format (no line end within the first \(LineReader.maximumLineLength >> 20) MiB)"
        case .empty(let path): return "\(path): empty (nothing to replay)"
        case .sameRecording(let path, let other):
            return "\(path) begins with the same line as \(other): the same recording twice (give each recording once)"
        case .onlyEmptyLines(let path, let lines):
            return "\(path): unknown format (its first \(lines) lines are empty)"
        case .malformed(let path, let line, let field): return "\(path):\(line): malformed line (field \(field))"
        case .unsupportedFormat(let path, let reason): return "\(path): \(reason)"
        }
    }

    /// Usage problems exit 2; a damaged input exits 1 after its report.
    public var isUsageError: Bool {
        switch self {
        case .input(.missing), .input(.unreadable), .unknownFormat, .empty, .sameRecording, .firstLineTooLong, .onlyEmptyLines, .unsupportedFormat: return true
        default: return false
        }
    }
}
