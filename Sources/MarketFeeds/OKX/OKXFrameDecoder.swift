import RiskEngine
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Decodes OKX v5 public frames byte by byte (`ByteCursor`): `{"arg":{"channel":...,"instId":...},
/// "action":...,"data":[...]}`, as a cryptofeed capture or a liqwatch recording holds them.
///
/// - `books` (also `books-l2-tbt`, `books50-l2-tbt`): `action` `snapshot`, then `update`s; rows
///   `[px, sz, liquidated orders (deprecated, "0"), order count]`; size "0" removes a level. Every
///   `checksum` is verified against the decoder's own copy of the book (`OKXChecksumBook`), and a
///   mismatch is handed on as the message's problem; `seqId`/`prevSeqId`, where the frame has them,
///   are checked by `DepthSynchronizer`. `books5` and `bbo-tbt` send whole books: each is a snapshot.
/// - `trades`, `mark-price` (the mark), `index-tickers` (the index of every market of its
///   underlying: `BTC-USD` is the index of `BTC-USD-SWAP` and `BTC-USD-250328`), `funding-rate`,
///   `open-interest`, `liquidation-orders` (exchange-reported liquidations).
/// - Perpetual swaps (`BTC-USDT-SWAP`) and futures (`BTC-USD-220527`) are replayed; the frames of
///   other instruments (spot `BTC-USDT`, options) are skipped and counted by instrument
///   (`FeedMessage.skipped`), not counted malformed. Answers (`{"event":"subscribe",...}`) and
///   other channels (`tickers`) are skipped.
public struct OKXFrameDecoder {
    var symbols = SymbolNames(.venue(.okx))
    var books: [String: OKXChecksumBook] = [:]
    /// Checksums verified and matched, and mismatches found, over every book of the input.
    public private(set) var checksumsVerified = 0
    public private(set) var checksumMismatches = 0
    /// The level texts of the checksum under way, kept between messages (see `OKXChecksumBook`).
    var scratch: [UInt8] = []
    /// A book message's levels as read (numbers and texts as sent), kept between messages so that
    /// reading one allocates no list for them; the texts point into the frame being decoded.
    var levelTexts: [LevelTextSpan] = []
    struct LevelTextSpan {
        var side: BookSide
        var price: Int64
        var contracts: Int64
        var priceText: ByteSpan
        var sizeText: ByteSpan
    }
    /// What `funding-rate`, `open-interest` and `index-tickers` said last, per market and per
    /// underlying (`BTC-USD`).
    var funding: [String: (rate: Fixed?, next: Int64?, openInterest: Fixed?)] = [:]
    var indexes: [String: Fixed] = [:]
    /// The markets of each underlying seen so far, for the index.
    var marketsOfUnderlying: [String: [String]] = [:]

    public init() {}

    enum Channel {
        case books, wholeBooks, trades, markPrice, indexTickers, fundingRate, openInterest, liquidations, other
    }

    public mutating func decode(_ base: UnsafePointer<UInt8>, count: Int, receiveTime: Int64?, into messages: inout [FeedMessage]) -> DecodeOutcome {
        var cursor = ByteCursor(base, count: count)
        var channel: ByteSpan? = nil
        var instrument: ByteSpan? = nil
        var action: ByteSpan? = nil
        var data: ByteSpan? = nil
        var event = false
        // A key given twice is refused where it stands, as in an events file: the second `data`
        // (an empty one after the real one) was taken silently (attacker trial).
        var twice: String? = nil
        let ok = cursor.object { key, cursor in
            if key.equals("arg") {
                guard channel == nil && instrument == nil else { twice = "arg"; return nil }
                return cursor.object { key, cursor in
                    if key.equals("channel") {
                        guard channel == nil else { twice = "arg.channel"; return nil }
                        channel = cursor.string(); return channel == nil ? nil : true
                    }
                    if key.equals("instId") {
                        guard instrument == nil else { twice = "arg.instId"; return nil }
                        instrument = cursor.string(); return instrument == nil ? nil : true
                    }
                    return false
                } ? true : nil
            }
            if key.equals("action") {
                guard action == nil else { twice = "action"; return nil }
                action = cursor.string(); return action == nil ? nil : true
            }
            if key.equals("data") {
                guard data == nil else { twice = "data"; return nil }
                data = cursor.valueSpan(); return data == nil ? nil : true
            }
            if key.equals("event") { event = true; return false }
            return false
        }
        if let twice { return .malformed(field: "\(twice) (the key is given twice)") }
        guard ok else { return .malformed(field: "frame") }
        cursor.skipSpace()
        guard cursor.atEnd else { return .malformed(field: "frame") }
        if event { return .skipped }  // an answer: subscribe, unsubscribe, error
        guard let channel else { return .malformed(field: "arg.channel") }
        let kind = Self.channel(channel)
        if case .other = kind { return .skipped }
        guard let data else { return .malformed(field: "data") }
        // The instrument in `arg` (every channel but index-tickers names a contract there).
        if let instrument, kind != .indexTickers, kind != .liquidations {
            guard instrument.isSymbol else { return .malformed(field: "arg.instId") }
            if let reason = Self.notWatched(instrument) {
                // Its book is not replayed, but its checksums are still verified (`checksumsVerified`).
                if kind == .books, let action {
                    var unused: [FeedMessage] = []
                    if case .malformed(let field) = books(data, instrument: instrument, snapshot: action.equals("snapshot"),
                        receiveTime: receiveTime, into: &unused) { return .malformed(field: field) }
                }
                messages.append(.skipped(kind: "okx:\(instrument.string) (\(reason))"))
                return .skipped
            }
        }
        switch kind {
        case .books, .wholeBooks:
            guard let instrument else { return .malformed(field: "arg.instId") }
            let snapshot: Bool
            if kind == .wholeBooks {
                snapshot = true
            } else {
                guard let action, action.equals("snapshot") || action.equals("update") else { return .malformed(field: "action") }
                snapshot = action.equals("snapshot")
            }
            return books(data, instrument: instrument, snapshot: snapshot, shownLevels: Self.shownLevels(channel),
                receiveTime: receiveTime, into: &messages)
        default:
            // Each element names its instrument; `arg` names the one subscribed to (index-tickers
            // an underlying, liquidation-orders none).
            let subscribed = kind == .liquidations ? nil : instrument
            return elements(data, kind: kind, subscribed: subscribed, receiveTime: receiveTime, into: &messages)
        }
    }


    /// The most levels a side a books channel shows (OKX's channel list): `books` and
    /// `books-l2-tbt` keep the top 400 by their updates, `books50-l2-tbt` 50, `books5` 5, `bbo-tbt` 1.
    static func shownLevels(_ name: ByteSpan) -> Int {
        if name.equals("books50-l2-tbt") { return 50 }
        if name.equals("books5") { return 5 }
        if name.equals("bbo-tbt") { return 1 }
        return 400
    }

    static func channel(_ name: ByteSpan) -> Channel {
        if name.equals("books") || name.equals("books-l2-tbt") || name.equals("books50-l2-tbt") { return .books }
        if name.equals("books5") || name.equals("bbo-tbt") { return .wholeBooks }
        if name.equals("trades") || name.equals("trades-all") { return .trades }
        if name.equals("mark-price") { return .markPrice }
        if name.equals("index-tickers") { return .indexTickers }
        if name.equals("funding-rate") { return .fundingRate }
        if name.equals("open-interest") { return .openInterest }
        if name.equals("liquidation-orders") { return .liquidations }
        return .other
    }

    /// Why an instrument is not replayed (nil for a perpetual swap or a future): `BTC-USDT-SWAP`,
    /// `BTC-USD-220527` are; `BTC-USDT` (spot) and `BTC-USD-220527-30000-C` (an option) are not.
    static func notWatched(_ instrument: ByteSpan) -> String? {
        var dashes = 0
        var lastDash = -1
        for offset in 0..<instrument.count where instrument.start[offset] == UInt8(ascii: "-") {
            dashes += 1
            lastDash = offset
        }
        if dashes == 1 { return "spot: liqwatch watches swaps and futures" }
        guard dashes == 2 else { return "not a swap or a future" }
        let last = ByteSpan(start: instrument.start + lastDash + 1, count: instrument.count - lastDash - 1)
        guard last.equals("SWAP") || (last.count > 0 && last.integer != nil) else { return "not a swap or a future" }
        // USDT- and USDC-margined contracts count their sizes in contracts of ctVal coins.
        let family = ByteSpan(start: instrument.start, count: lastDash)
        if !family.hasSuffix("-USD"), contractValue(family: family) == nil {
            return "USDⓈ-margined: its contract value is not built in"
        }
        return nil
    }

    /// Coins a contract of OKX's USDT-margined swaps and futures is worth (ctVal), in book units,
    /// by instrument family (`BTC-USDT`): their sizes come in contracts, the engine's in coins. Read
    /// from the built-in instruments (`Instrument.coinsPerContract`), so that the decoder's coins and
    /// the OKX rule's contracts (quantity ÷ coinsPerContract) can never disagree.
    static let linearContractValues: [(family: [UInt8], units: Int64)] = InstrumentCatalog.builtIn.instruments.values
        .filter { $0.venue == .okx && !$0.kind.isInverse && $0.exchangeSymbol.hasSuffix("-SWAP") }
        .map { (Array($0.exchangeSymbol.dropLast("-SWAP".count).utf8), $0.coinsPerContract.bookUnits) }

    static func contractValue(family: ByteSpan) -> Int64? {
        for entry in linearContractValues where entry.family.count == family.count
            && entry.family.withUnsafeBufferPointer({ memcmp($0.baseAddress!, family.start, family.count) == 0 }) {
            return entry.units
        }
        return nil
    }

    /// The contract value of a market's instrument (nil for a coin-margined one, whose sizes are
    /// contracts in the engine too).
    static func contractValue(of instrument: ByteSpan) -> Int64? {
        var lastDash = -1
        for offset in 0..<instrument.count where instrument.start[offset] == UInt8(ascii: "-") { lastDash = offset }
        guard lastDash > 0 else { return nil }
        return contractValue(family: ByteSpan(start: instrument.start, count: lastDash))
    }

    /// `contracts` (book units) in coins; nil when it does not fit.
    static func coins(_ contracts: Int64, contractValue: Int64?) -> Int64? {
        guard let contractValue else { return contracts }
        return Int64(exactly: Int128(contracts) * Int128(contractValue) / Int128(BookUnits.perUnit))
    }

    /// `BTC-USD` of `BTC-USD-SWAP`.
    static func underlying(of market: String) -> String {
        let symbol = MarketID.symbol(of: market)
        return symbol.split(separator: "-").prefix(2).joined(separator: "-")
    }

    mutating func note(market: String) {
        let underlying = Self.underlying(of: market)
        if !(marketsOfUnderlying[underlying]?.contains(market) ?? false) { marketsOfUnderlying[underlying, default: []].append(market) }
    }

    static func time(_ receiveTime: Int64?, _ timestamp: ByteSpan?) -> Int64? {
        if let receiveTime { return receiveTime }
        guard let milliseconds = timestamp?.integer else { return nil }
        return EventTime.fromMilliseconds(milliseconds)
    }

    // MARK: Books

    mutating func books(_ data: ByteSpan, instrument: ByteSpan, snapshot: Bool, shownLevels: Int = 400, receiveTime: Int64?,
                        into messages: inout [FeedMessage]) -> DecodeOutcome {
        let market = symbols.name(instrument)
        var cursor = ByteCursor(data.start, count: data.count)
        var failed: String? = nil
        let before = messages.count
        /// Whether an element of this frame changed the copy of the book.
        var changedCopy = false
        // Taken out while it changes: changed in place through the dictionary it would be copied.
        var book = books.removeValue(forKey: market) ?? OKXChecksumBook()
        defer { books[market] = book }
        let contractValue = Self.contractValue(of: instrument)
        if snapshot && Self.notWatched(instrument) == nil { note(market: market) }
        let ok = cursor.array { cursor in
            var bids: [LevelChange] = []
            var asks: [LevelChange] = []
            levelTexts.removeAll(keepingCapacity: true)
            var timestamp: ByteSpan? = nil
            var checksum: Int64? = nil
            var checksumNegative = false
            var sequence: Int64? = nil
            var previous: Int64? = nil
            var previousNegative = false
            var field = "data[]"
            var sawBids = false, sawAsks = false
            let ok = cursor.object { key, cursor in
                let isBids = key.equals("bids")
                if isBids || key.equals("asks") {
                    field = isBids ? "data[].bids" : "data[].asks"
                    if isBids { sawBids = true } else { sawAsks = true }
                    let side: BookSide = isBids ? .bid : .ask
                    return cursor.textLevels { priceText, sizeText in
                        guard let price = priceText.bookUnits, price > 0, let contracts = sizeText.bookUnits, contracts >= 0,
                            let size = Self.coins(contracts, contractValue: contractValue)
                        else { return false }
                        if isBids { bids.append(LevelChange(side: .bid, price: price, size: size)) }
                        else { asks.append(LevelChange(side: .ask, price: price, size: size)) }
                        levelTexts.append(LevelTextSpan(side: side, price: price, contracts: contracts, priceText: priceText, sizeText: sizeText))
                        return true
                    } ? true : nil
                }
                if key.equals("ts") { field = "data[].ts"; timestamp = cursor.stringOrScalar(); return timestamp == nil ? nil : true }
                // OKX's books data names no instrument; one that names another than `arg` is not
                // this book's (the book followed `arg` and the mark channel the data: attacker trial).
                if key.equals("instId") {
                    field = "data[].instId (not the arg's instId)"
                    guard let named = cursor.string() else { return nil }
                    return named.equals(instrument) ? true : nil
                }
                if key.equals("checksum") {
                    field = "data[].checksum"
                    guard let span = cursor.stringOrScalar() else { return nil }
                    let (magnitude, negative) = Self.signedInteger(span)
                    guard let magnitude else { return nil }
                    checksum = magnitude
                    checksumNegative = negative
                    return true
                }
                if key.equals("seqId") { field = "data[].seqId"; sequence = cursor.scalar()?.integer; return sequence == nil ? nil : true }
                if key.equals("prevSeqId") {
                    field = "data[].prevSeqId"
                    guard let span = cursor.scalar() else { return nil }
                    let (magnitude, negative) = Self.signedInteger(span)
                    guard let magnitude else { return nil }
                    previous = magnitude
                    previousNegative = negative
                    return true
                }
                return false
            }
            guard ok else { failed = field; return false }
            // A snapshot states both sides (`[]` for an empty one): one without `bids` emptied the
            // bids unreported, and its stress read ADL (attacker trial; Bybit's and Hyperliquid's
            // decoders refuse the same).
            if snapshot && !(sawBids && sawAsks) { failed = sawBids ? "data[].asks" : "data[].bids"; return false }
            guard let time = Self.time(receiveTime, timestamp) else { failed = "data[].ts"; return false }
            book.lastTime = time
            var expected: Int64? = nil
            if let checksum {
                let value = checksumNegative ? -checksum : checksum
                guard value >= Int64(Int32.min), value <= Int64(Int32.max) else { failed = "data[].checksum"; return false }
                expected = value
            }
            // Everything read and checked: now the copy of the book changes.
            // Whether this element changed the copy: a snapshot always, an update where a level
            // took a size (or a text) it did not have. One that changed nothing, dropped, loses
            // nothing (a spiked repeat of a line, or an empty heartbeat, had cost the book its trust).
            var changed = snapshot || !book.trusted
            if snapshot {
                book.reset()
                book.trusted = true
            }
            if book.trusted {
                // The copy keeps the sizes as sent (contracts): only their text enters the checksum.
                if snapshot {
                    // A snapshot lists each side best first: set worst first, each level goes to
                    // the end of its side (kept best last) instead of moving every level before
                    // it. A price given twice keeps its last text, as read forwards.
                    var seen: Set<Int64> = []
                    for text in levelTexts.reversed() where seen.insert(text.side == .bid ? text.price : -text.price).inserted {
                        book.set(text.side, price: text.price, size: text.contracts, priceText: text.priceText, sizeText: text.sizeText)
                    }
                } else {
                    for text in levelTexts {
                        if book.set(text.side, price: text.price, size: text.contracts, priceText: text.priceText, sizeText: text.sizeText) {
                            changed = true
                        }
                    }
                }
            }
            if changed { changedCopy = true }
            var problem: String? = nil
            var verified = false
            if let expected, book.trusted {
                let actual = book.checksum(scratch: &scratch)
                if Int64(actual) == expected {
                    verified = true
                    checksumsVerified += 1
                } else {
                    checksumMismatches += 1
                    book.trusted = false
                    problem = "checksum \(expected), book gives \(actual)"
                    // The engine must hear of it even if the frame goes (malformed after this element).
                    changedCopy = true
                }
            }
            let levels: StreamBookUpdate.Levels
            if snapshot {
                levels = .snapshot(bids: bids.map { ($0.price, $0.size) }, asks: asks.map { ($0.price, $0.size) })
            } else {
                bids.append(contentsOf: asks)
                levels = .delta(bids)
            }
            // An update's prevSeqId of -1 (a snapshot's) names no message.
            let previousId: Int64? = snapshot ? nil : previous.flatMap { previousNegative ? nil : $0 }
            var update = StreamBookUpdate(symbol: market, levels: levels, sequence: sequence,
                previousSequence: previousId, problem: problem, checksumVerified: verified, time: time)
            update.changesNothing = !changed && problem == nil
            update.shownLevels = shownLevels
            messages.append(.book(update))
            return true
        }
        guard ok, cursor.atEnd else {
            messages.removeSubrange(before...)
            // Nothing of the frame changed the copy: the copy and the engine's book agree, and if
            // OKX sent what could not be read, the next checksum (of OKX's book) says so.
            guard changedCopy else { return .malformed(field: failed ?? "data") }
            // The copy holds the frame's first elements and the engine's book will not: every
            // later checksum matched a book the engine did not have (0 gaps, a silently different
            // book: attacker trial). The book waits for a snapshot.
            book.trusted = false
            let time = book.lastTime > 0 ? book.lastTime : receiveTime ?? 0
            let levels: StreamBookUpdate.Levels = snapshot ? .snapshot(bids: [], asks: []) : .delta([])
            messages.append(.book(StreamBookUpdate(symbol: market, levels: levels,
                problem: "a books message not read (\(failed ?? "data")): the book lacks it", time: time)))
            return .malformed(field: failed ?? "data")
        }
        return messages.count > before ? .decoded : .skipped
    }

    /// An integer that may be negative (a checksum, prevSeqId -1): its magnitude and sign.
    static func signedInteger(_ span: ByteSpan) -> (Int64?, Bool) {
        guard span.count > 0 else { return (nil, false) }
        if span.start[0] == UInt8(ascii: "-") {
            return (ByteSpan(start: span.start + 1, count: span.count - 1).integer, true)
        }
        return (span.integer, false)
    }

    // MARK: Other channels

    mutating func elements(_ data: ByteSpan, kind: Channel, subscribed: ByteSpan?, receiveTime: Int64?, into messages: inout [FeedMessage]) -> DecodeOutcome {
        var cursor = ByteCursor(data.start, count: data.count)
        var failed: String? = nil
        let before = messages.count
        let ok = cursor.array { cursor in
            var fields = Fields()
            let ok = cursor.object { key, cursor in fields.read(key, &cursor) }
            guard ok else { failed = "data[]" + (fields.last.map { ".\($0)" } ?? ""); return false }
            // An element of another instrument than the one subscribed to: a mark-price frame of
            // BTC-USD-SWAP carrying ETH-USD-SWAP's set ETH's mark (attacker trial).
            if let subscribed, let named = fields.instrument, !named.equals(subscribed) {
                failed = "data[].instId (not the arg's instId)"
                return false
            }
            if let problem = element(fields, kind: kind, receiveTime: receiveTime, into: &messages) {
                failed = "data[]." + problem
                return false
            }
            return true
        }
        guard ok, cursor.atEnd else {
            messages.removeSubrange(before...)
            return .malformed(field: failed ?? "data")
        }
        return messages.count > before ? .decoded : .skipped
    }

    /// The members of an element the channels other than books use, as spans.
    struct Fields {
        var instrument: ByteSpan?
        var price: ByteSpan?
        var size: ByteSpan?
        var side: ByteSpan?
        var timestamp: ByteSpan?
        var markPrice: ByteSpan?
        var indexPrice: ByteSpan?
        var fundingRate: ByteSpan?
        var nextFundingTime: ByteSpan?
        var openInterest: ByteSpan?
        var details: ByteSpan?
        var positionSide: ByteSpan?
        var bankruptcyPrice: ByteSpan?
        /// The key read last (named when its value is malformed).
        var last: String?

        mutating func read(_ key: ByteSpan, _ cursor: inout ByteCursor) -> Bool? {
            func take(_ name: String, _ slot: inout ByteSpan?) -> Bool? {
                last = name
                slot = cursor.stringOrScalar()
                return slot == nil ? nil : true
            }
            if key.equals("instId") { return take("instId", &instrument) }
            if key.equals("px") { return take("px", &price) }
            if key.equals("sz") { return take("sz", &size) }
            if key.equals("side") { return take("side", &side) }
            if key.equals("ts") { return take("ts", &timestamp) }
            if key.equals("markPx") { return take("markPx", &markPrice) }
            if key.equals("idxPx") { return take("idxPx", &indexPrice) }
            if key.equals("fundingRate") { return take("fundingRate", &fundingRate) }
            if key.equals("fundingTime") { return take("fundingTime", &nextFundingTime) }
            if key.equals("oi") { return take("oi", &openInterest) }
            if key.equals("posSide") { return take("posSide", &positionSide) }
            if key.equals("bkPx") { return take("bkPx", &bankruptcyPrice) }
            if key.equals("details") {
                last = "details"
                details = cursor.valueSpan()
                return details == nil ? nil : true
            }
            return false
        }
    }

    /// One element of a channel other than books; returns the field that was wrong, or nil.
    mutating func element(_ fields: Fields, kind: Channel, receiveTime: Int64?, into messages: inout [FeedMessage]) -> String? {
        guard let instrument = fields.instrument, instrument.isSymbol else { return "instId" }
        guard let time = Self.time(receiveTime, fields.timestamp) else { return "ts" }
        if kind == .indexTickers {
            // The index of an underlying (`BTC-USD`), for every market of it seen so far.
            guard let price = fields.indexPrice?.fixed, price.isPositive else { return "idxPx" }
            let underlying = instrument.string
            indexes[underlying] = price
            for market in marketsOfUnderlying[underlying] ?? [] { appendIndex(market: market, time: time, into: &messages) }
            return nil
        }
        if let reason = Self.notWatched(instrument) {
            messages.append(.skipped(kind: "okx:\(instrument.string) (\(reason))"))
            return nil
        }
        let market = symbols.name(instrument)
        let contractValue = Self.contractValue(of: instrument)
        switch kind {
        case .trades:
            guard let price = fields.price?.bookUnits, price > 0 else { return "px" }
            guard let contracts = fields.size?.bookUnits, contracts >= 0, let size = Self.coins(contracts, contractValue: contractValue) else { return "sz" }
            messages.append(.event(.trade(symbol: market, price: price, size: size, time: time)))
        case .markPrice:
            guard let price = fields.markPrice?.fixed, price.isPositive else { return "markPx" }
            note(market: market)
            messages.append(.event(.mark(symbol: market, price: price, time: time)))
        case .fundingRate:
            guard let rate = fields.fundingRate?.fixed, IndexUpdate.isPlausible(fundingRate: rate) else { return "fundingRate" }
            var next: Int64? = nil
            if let span = fields.nextFundingTime {
                guard let milliseconds = span.integer, let checked = EventTime.fromMilliseconds(milliseconds) else { return "fundingTime" }
                next = checked
            }
            note(market: market)
            funding[market, default: (nil, nil, nil)].rate = rate
            if let next { funding[market, default: (nil, nil, nil)].next = next }
            appendIndex(market: market, time: time, into: &messages)
        case .openInterest:
            guard let contracts = fields.openInterest?.fixed, !contracts.isNegative else { return "oi" }
            let interest = contractValue.map { contracts * Fixed(raw: Int128($0) * 10_000_000_000) } ?? contracts
            note(market: market)
            funding[market, default: (nil, nil, nil)].openInterest = interest
            appendIndex(market: market, time: time, into: &messages)
        case .liquidations:
            guard let details = fields.details else { return "details" }
            return liquidationDetails(details, market: market, contractValue: contractValue, receiveTime: receiveTime, into: &messages)
        default:
            break
        }
        return nil
    }

    /// An index update for `market` once its underlying's index is known, with its funding and open
    /// interest.
    mutating func appendIndex(market: String, time: Int64, into messages: inout [FeedMessage]) {
        guard let index = indexes[Self.underlying(of: market)] else { return }
        let known = funding[market]
        messages.append(.event(.index(IndexUpdate(symbol: market, price: index, fundingRate: known?.rate,
            nextFundingTime: known?.next, openInterest: known?.openInterest, time: time))))
    }

    /// `liquidation-orders` details: `side` is the liquidation order's side and `posSide` the
    /// position's (`long`, `short`, or `net`, where a sell closes a long); `bkPx` the bankruptcy price.
    mutating func liquidationDetails(_ details: ByteSpan, market: String, contractValue: Int64?, receiveTime: Int64?,
        into messages: inout [FeedMessage]) -> String?
    {
        var cursor = ByteCursor(details.start, count: details.count)
        var failed: String? = nil
        let ok = cursor.array { cursor in
            var fields = Fields()
            guard cursor.object({ key, cursor in fields.read(key, &cursor) }) else { failed = "details[]"; return false }
            guard let side = fields.side, side.equals("buy") || side.equals("sell") else { failed = "details[].side"; return false }
            guard let price = (fields.bankruptcyPrice ?? fields.price)?.fixed, price.isPositive else { failed = "details[].bkPx"; return false }
            guard let contracts = fields.size?.fixed, contracts.isPositive else { failed = "details[].sz"; return false }
            let quantity = contractValue.map { contracts * Fixed(raw: Int128($0) * 10_000_000_000) } ?? contracts
            guard let time = Self.time(receiveTime, fields.timestamp) else { failed = "details[].ts"; return false }
            let liquidated: Side
            if let position = fields.positionSide, position.equals("long") { liquidated = .long }
            else if let position = fields.positionSide, position.equals("short") { liquidated = .short }
            else { liquidated = side.equals("sell") ? .long : .short }
            // The channel is subscribed by instrument type (every swap of OKX), so like Binance's
            // `!forceOrder@arr` it reports markets the session may not watch: venue-wide, applied
            // to known markets only, counted by market otherwise (`FeedApplier.applyVenueWide`).
            messages.append(.venueWide(.exchangeLiquidation(ExchangeLiquidation(symbol: market, side: liquidated, price: price,
                quantity: quantity, time: time))))
            return true
        }
        guard ok, cursor.atEnd else { return failed ?? "details" }
        return nil
    }
}
