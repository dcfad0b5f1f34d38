import RiskEngine

/// Tardis.dev CSV. Every file starts with a header naming its columns; timestamps are µs since
/// the epoch (the exchange's `timestamp`, falling back to `local_timestamp`). The `exchange` column
/// names the venue (`Venue.tardis(exchange:)`).
public struct TardisLineDecoder: LineDecoder {
    public let format: RecordingFormat
    /// The last row's exchange and symbol and their market id: one id string for a file's rows.
    var lastNames: (exchange: String, symbol: String, market: String)?
    var columns: [String: Int] = [:]
    var fieldCount = 0
    /// A `book_snapshot_N` file's columns, a level each (bid price and amount, ask price and
    /// amount), read once from its header.
    var snapshotLevels: [SnapshotLevelColumns] = []
    struct SnapshotLevelColumns {
        var bidPrice: Int, bidAmount: Int, askPrice: Int, askAmount: Int
    }
    var sawHeader = false
    /// What is wrong with the header (a column named twice, a `book_snapshot` header whose levels
    /// do not run both sides from 0): `decode` refuses every row, naming it.
    var headerProblem: String?
    /// Book rows of one market at one timestamp, waiting for the group to end.
    struct BookGroup {
        var symbol: String
        var isSnapshot: Bool
        /// Emitted already (a snapshot after updates of its time): nothing left to emit.
        var emitted = false
        var bids: [(price: Int64, size: Int64)] = []
        var asks: [(price: Int64, size: Int64)] = []
        /// A row of the group could not be read: the venue's book moved by it and the engine's
        /// would not. An update group is applied and followed by a gap (the book stale until a
        /// snapshot); a snapshot group is not applied at all, only the gap (a snapshot missing a
        /// level is not the venue's book). A row with an empty amount was dropped and the
        /// book trusted: a position was liquidated into a level the feed had changed (attacker
        /// trial).
        var unreadRow = false
    }
    /// The current timestamp's groups, one a market, in the order they began: a file sorted by
    /// time interleaves its markets' rows within a timestamp, and a snapshot whose rows had
    /// another market's between them was cut in two, its second part replacing the first (a
    /// BTCUSDT book left with no bids, a healthy short deleveraged: attacker trial).
    var groupTime: Int64?
    var groups: [BookGroup] = []
    /// Each market's open group in `groups` (a row finds its own in O(1): a timestamp of 200,000
    /// markets' rows searched the open groups at every row: review).
    var openGroup: [String: Int] = [:]
    /// The markets whose last book group was a whole snapshot, not gapped since (in the order
    /// they were, `trusted` saying which still are): a book row whose market cannot be read gaps
    /// every one of them, and each once until its next snapshot (a stream of such rows against
    /// thousands of markets gapped each market at each row).
    var trustedOrder: [String] = []
    var trusted: Set<String> = []
    /// A book row that could not be read before the file's first group had a time: the first
    /// groups take its gap (its market's, or all of them where its market cannot be read). A
    /// first row in milliseconds was passed over and the snapshot after it applied one-sided and
    /// trusted (review).
    var unreadBeforeFirstGroup: (market: String?, pending: Bool) = (nil, false)

    public init(format: RecordingFormat) { self.format = format }

    /// 2010-01-01T00:00:00Z in microseconds.
    static let earliestMicroseconds: Int64 = 1_262_304_000_000_000

    func fields(_ line: UnsafePointer<UInt8>, _ count: Int) -> [ByteSpan] {
        var result: [ByteSpan] = []
        result.reserveCapacity(fieldCount)
        var start = 0
        for index in 0...count where index == count || line[index] == UInt8(ascii: ",") {
            result.append(ByteSpan(start: line + start, count: index - start))
            start = index + 1
        }
        return result
    }

    public mutating func decode(_ line: UnsafePointer<UInt8>, count: Int, into messages: inout [FeedMessage]) -> DecodeOutcome {
        let row = fields(line, count)
        if !sawHeader {
            sawHeader = true
            for (index, name) in row.enumerated() {
                // A column named twice: the last one was read, silently (`price` twice gave a book
                // at 3.00: attacker trial). Every row is then refused, naming it.
                if let first = columns[name.string], headerProblem == nil {
                    headerProblem = "header: column '\(SafeText.escaped(name.string))' given twice (columns \(first + 1) and \(index + 1))"
                }
                columns[name.string] = index
            }
            fieldCount = row.count
            if format == .tardisBookSnapshot && headerProblem == nil {
                switch Self.snapshotLevels(columns) {
                case .success(let levels): snapshotLevels = levels
                case .failure(let problem): headerProblem = problem.text
                }
            }
            if let headerProblem { return .malformed(field: headerProblem) }
            return .header
        }
        if let headerProblem { return .malformed(field: headerProblem) }
        guard row.count == fieldCount else { return unreadableBookRow(row, field: "column count (\(row.count) of \(fieldCount))", into: &messages) }
        func column(_ name: String) -> ByteSpan? { columns[name].map { row[$0] } }
        guard let symbolSpan = column("symbol"), symbolSpan.isSymbol else { return unreadableBookRow(row, field: "symbol", into: &messages) }
        let symbolText = symbolSpan.string
        guard let exchange = column("exchange")?.string, Venue.parse(exchange) != nil else {
            return unreadableBookRow(row, field: "exchange", into: &messages)
        }
        if let reason = Self.notModelled(exchange: exchange, symbol: symbolText) {
            messages.append(.skipped(kind: "tardis \(exchange):\(symbolText) (\(reason))"))
            return .skipped
        }
        let symbol = market(exchange: exchange, symbol: symbolText)
        // The exchange's time, else the time it was received; each checked when given (a bad
        // timestamp fell back to the receive time unreported, a bad receive time went unread).
        var eventTime: Int64? = nil
        // A book row whose time cannot be read still moved the venue's book: the group it
        // belongs to takes its gap (`markUnread`; before the file's first group has a time, the
        // first groups do).
        func undated(_ field: String) -> DecodeOutcome {
            guard format == .tardisIncrementalBook else { return .malformed(field: field) }
            markUnread(symbol, isSnapshot: Self.snapshotFlag(column("is_snapshot")), into: &messages)
            return .malformed(field: field)
        }
        for name in ["timestamp", "local_timestamp"] {
            guard let span = column(name), span.count > 0 else { continue }
            guard let micros = span.integer, let time = EventTime.fromMicroseconds(micros) else { return undated(name) }
            // Tardis's times are microseconds, and its data begins in 2019: a time before 2010
            // is milliseconds or seconds (`1598918403696` was read as 1970-01-19 without a word:
            // attacker trial).
            guard micros >= Self.earliestMicroseconds else { return undated("\(name) (before 2010 in microseconds: milliseconds or seconds?)") }
            if eventTime == nil { eventTime = time }
        }
        guard let time = eventTime else { return undated("timestamp") }
        switch format {
        case .tardisIncrementalBook:
            let snapshotFlag = column("is_snapshot")
            // A row that reads is a snapshot's only when it says so (one that does not read takes
            // its gap by `markUnread`'s rule).
            let isSnapshot = snapshotFlag?.equals("true") == true
            if groupTime != time { flush(into: &messages) }
            groupTime = time
            func unread(_ field: String) -> DecodeOutcome {
                markUnread(symbol, isSnapshot: Self.snapshotFlag(snapshotFlag), into: &messages)
                return .malformed(field: field)
            }
            guard let snapshotFlag, let sideText = column("side"), let price = column("price")?.bookUnits, price > 0
            else { return unread("price") }
            guard let size = column("amount")?.bookUnits, size >= 0 else { return unread("amount") }
            guard snapshotFlag.equals("true") || snapshotFlag.equals("false") else { return unread("is_snapshot") }
            guard sideText.equals("bid") || sideText.equals("ask") else { return unread("side") }
            let index = group(of: symbol, isSnapshot: isSnapshot, time: time, into: &messages)
            if sideText.equals("bid") { groups[index].bids.append((price, size)) } else { groups[index].asks.append((price, size)) }
            return .decoded
        case .tardisBookSnapshot:
            var bids: [(price: Int64, size: Int64)] = []
            var asks: [(price: Int64, size: Int64)] = []
            for (level, columns) in snapshotLevels.enumerated() {
                for (side, price, amount) in [(BookSide.bid, columns.bidPrice, columns.bidAmount), (.ask, columns.askPrice, columns.askAmount)] {
                    let priceSpan = row[price], sizeSpan = row[amount]
                    // Both empty: the book has fewer levels. One without the other is no level (a
                    // price left out dropped its level silently, and the side read shorter).
                    if priceSpan.count == 0 && sizeSpan.count == 0 { continue }
                    guard let price = priceSpan.bookUnits, let size = sizeSpan.bookUnits else {
                        return .malformed(field: "\(side == .bid ? "bids" : "asks")[\(level)]")
                    }
                    if side == .bid { bids.append((price, size)) } else { asks.append((price, size)) }
                }
            }
            let level = snapshotLevels.count
            // `book_snapshot_25`: the top 25 levels a side, as many as the file has columns for, and
            // never more than the venue's own feed shows (Hyperliquid's `l2Book`, 20: Tardis
            // leaves the last five columns empty).
            let shown = Venue.tardis(exchange: exchange) == .hyperliquid ? min(level, HyperliquidFrameDecoder.shownLevels) : level
            messages.append(.event(.bookSnapshot(symbol: symbol, bids: bids, asks: asks, time: time, shownLevels: shown)))
            return .decoded
        case .tardisTrades, .tardisLiquidations:
            guard let price = column("price")?.bookUnits, price > 0 else { return .malformed(field: "price") }
            guard let size = column("amount")?.bookUnits, size >= 0 else { return .malformed(field: "amount") }
            if format == .tardisTrades {
                messages.append(.event(.trade(symbol: symbol, price: price, size: size, time: time)))
            } else {
                guard let sideText = column("side"), sideText.equals("buy") || sideText.equals("sell") else { return .malformed(field: "side") }
                // A sell liquidation order closes a long.
                let side: Side = sideText.equals("sell") ? .long : .short
                messages.append(.event(.exchangeLiquidation(ExchangeLiquidation(
                    symbol: symbol, side: side, price: Fixed(bookUnits: price), quantity: Fixed(bookUnits: size), time: time))))
            }
            return .decoded
        case .tardisDerivativeTicker:
            var decoded = false
            if let indexSpan = column("index_price"), indexSpan.count > 0 {
                guard let index = indexSpan.fixed, index.isPositive else { return .malformed(field: "index_price") }
                var rate: Fixed? = nil
                if let rateSpan = column("funding_rate"), rateSpan.count > 0 {
                    guard let value = rateSpan.fixed, IndexUpdate.isPlausible(fundingRate: value) else { return .malformed(field: "funding_rate") }
                    rate = value
                }
                var next: Int64? = nil
                if let nextSpan = column("funding_timestamp"), nextSpan.count > 0 {
                    guard let micros = nextSpan.integer, let value = EventTime.fromMicroseconds(micros) else { return .malformed(field: "funding_timestamp") }
                    next = value
                }
                var openInterest: Fixed? = nil
                if let interestSpan = column("open_interest"), interestSpan.count > 0 {
                    guard let value = interestSpan.fixed, !value.isNegative else { return .malformed(field: "open_interest") }
                    openInterest = value
                }
                messages.append(.event(.index(IndexUpdate(symbol: symbol, price: index, fundingRate: rate, nextFundingTime: next,
                    openInterest: openInterest, time: time))))
                decoded = true
            }
            if let markSpan = column("mark_price"), markSpan.count > 0 {
                guard let mark = markSpan.fixed, mark.isPositive else { return .malformed(field: "mark_price") }
                messages.append(.event(.mark(symbol: symbol, price: mark, time: time)))
                decoded = true
            }
            return decoded ? .decoded : .skipped
        default:
            return .malformed(field: "format")
        }
    }

    /// Why a row's instrument is not one liqwatch models (nil: it is): an exchange of options or
    /// spot, or a symbol its venue's perpetuals and futures do not look like (a Deribit option
    /// `BTC-27DEC24-60000-C`, whose 0.0525 BTC premium was read as a BTC price of 0.0525 and made
    /// an ADL of 2.6 M BTC: attacker trial). Event lines were already held to the venue's shape.
    static func notModelled(exchange: String, symbol: String) -> String? {
        let lower = exchange.lowercased()
        if lower.hasSuffix("-options") { return "options are not modelled" }
        if lower.hasSuffix("-spot") || ["binance", "okex", "bybit-spot"].contains(lower) { return "spot is not modelled" }
        guard let venue = Venue.tardisDerivatives(exchange: exchange) else { return "an exchange liqwatch has no rules for" }
        // By shape only where options or another venue's contracts are told apart by it
        // (Deribit, OKX; COIN-M's `BTCUSD_PERP`, where `binance-delivery,BTCUSDT` made a COIN-M
        // market settled in an asset named BTCUSDT); USDⓈ-M lists perpetuals quoted in BTC and
        // Bybit USDC futures its shape rule does not (review).
        // USDⓈ-M's own shape rule is too narrow to refuse by, but a COIN-M contract is told by its
        // shape, and Hyperliquid names coins, never `BTCUSDT` (`binance-futures,BTCUSD_PERP` made
        // a linear USDC market of USD contracts read as BTC, liquidated into ADL; attacker trial).
        if venue == .binanceUSDM && Venue.binance(forSymbol: symbol.uppercased()) == .binanceCOINM {
            return "a COIN-M contract, not one of binance-usdm (Tardis names COIN-M binance-delivery)"
        }
        let hyperliquid = venue == .hyperliquid && !venue.lists(symbol)
        guard hyperliquid || ((venue == .deribit || venue == .okx || venue == .binanceCOINM) && !venue.lists(symbol.uppercased())) else { return nil }
        return "not a perpetual or future of \(venue.rawValue): \(venue.symbolShape)"
    }

    struct HeaderProblem: Error { var text: String }

    /// A `book_snapshot_N` header's columns a level, or its problem: its levels must run from 0 to
    /// N − 1 on both sides, each with a price and an amount (5 ask levels beside 2 bid ones took
    /// the bids' two as the venue's whole side; a `bids[7]` after `bids[1]` was passed over:
    /// attacker trial).
    static func snapshotLevels(_ columns: [String: Int]) -> Result<[SnapshotLevelColumns], HeaderProblem> {
        var levels: [SnapshotLevelColumns] = []
        while columns["bids[\(levels.count)].price"] != nil || columns["asks[\(levels.count)].price"] != nil {
            let level = levels.count
            let names = ["bids[\(level)].price", "bids[\(level)].amount", "asks[\(level)].price", "asks[\(level)].amount"]
            let indexes = names.compactMap { columns[$0] }
            guard indexes.count == names.count else {
                let missing = names.first { columns[$0] == nil } ?? names[0]
                return .failure(HeaderProblem(text: "header: column '\(missing)' missing (a book_snapshot header gives both sides' price and amount for levels 0 to N − 1)"))
            }
            levels.append(SnapshotLevelColumns(bidPrice: indexes[0], bidAmount: indexes[1], askPrice: indexes[2], askAmount: indexes[3]))
        }
        let bookColumns = columns.keys.filter { $0.hasPrefix("bids[") || $0.hasPrefix("asks[") }
        if bookColumns.count != 4 * levels.count {
            let stray = bookColumns.sorted().first { name in
                !(0..<levels.count).contains { level in ["bids", "asks"].contains { name == "\($0)[\(level)].price" || name == "\($0)[\(level)].amount" } }
            } ?? "?"
            return .failure(HeaderProblem(text: "header: column '\(SafeText.escaped(String(stray.prefix(64))))' is not a level of 0 to \(max(0, levels.count - 1))"))
        }
        return levels.isEmpty ? .failure(HeaderProblem(text: "header: no book levels (bids[0].price, asks[0].price, …)")) : .success(levels)
    }

    mutating func market(exchange: String, symbol: String) -> String {
        if let last = lastNames, last.exchange == exchange, last.symbol == symbol { return last.market }
        let venue = Venue.tardis(exchange: exchange)
        let market = MarketID.make(venue: venue, symbol: venue == .hyperliquid ? symbol : symbol.uppercased())
        lastNames = (exchange, symbol, market)
        return market
    }

    /// A book row whose shape, market or exchange cannot be read (too few or too many cells, a
    /// symbol with a space): its market's book moved by it, so its market has a gap where its
    /// cells name one, else every group open at this time and every market trusted since its last
    /// snapshot (see `trusted`). Before the file's first group has a time, the first groups take
    /// it. A row of seven cells was dropped and the book trusted, and a long was liquidated into
    /// the level it removed (attacker trial).
    mutating func unreadableBookRow(_ row: [ByteSpan], field: String, into messages: inout [FeedMessage]) -> DecodeOutcome {
        guard format == .tardisIncrementalBook else { return .malformed(field: field) }
        func cell(_ name: String) -> ByteSpan? { columns[name].flatMap { $0 < row.count ? row[$0] : nil } }
        // A time of its own that reads begins its group as a readable row's would: the group
        // before it (a snapshot of the second before) is whole.
        if let micros = cell("timestamp")?.integer, micros >= Self.earliestMicroseconds, let time = EventTime.fromMicroseconds(micros),
           time != groupTime {
            flush(into: &messages)
            groupTime = time
        }
        let isSnapshot = Self.snapshotFlag(cell("is_snapshot"))
        if let symbol = cell("symbol"), symbol.isSymbol, let exchange = cell("exchange")?.string, Venue.parse(exchange) != nil {
            // A market liqwatch does not model (an option, a spot pair) has no book to gap.
            guard Self.notModelled(exchange: exchange, symbol: symbol.string) == nil else { return .malformed(field: field) }
            markUnread(market(exchange: exchange, symbol: symbol.string), isSnapshot: isSnapshot, into: &messages)
            return .malformed(field: field)
        }
        guard let open = groupTime else {
            unreadBeforeFirstGroup = (nil, true)
            return .malformed(field: field)
        }
        // Every group open at this time (a snapshot under way is then not applied), and every
        // market trusted since its last snapshot, once.
        for index in groups.indices where !groups[index].emitted { groups[index].unreadRow = true }
        for market in trustedOrder where trusted.contains(market) {
            trusted.remove(market)
            markUnread(market, isSnapshot: nil, into: &messages)
        }
        trustedOrder.removeAll(keepingCapacity: true)
        return .malformed(field: field)
    }

    /// `market`'s book moved by a row that could not be read: the group the row belongs to takes
    /// the gap. A row that says it is an update (`is_snapshot` false) comes after a snapshot
    /// open at its time, which is whole: its own update group takes it. Any other (a snapshot's
    /// row, or one whose flag cannot be read) poisons the group open at this time whatever its
    /// kind, so a snapshot under way is not applied (an unreadable flag in the middle of a
    /// snapshot split it, and its last part was trusted: review). Before the file's first group
    /// has a time, the first groups take it.
    mutating func markUnread(_ market: String, isSnapshot: Bool?, into messages: inout [FeedMessage]) {
        trusted.remove(market)
        guard let open = groupTime else {
            unreadBeforeFirstGroup = (unreadBeforeFirstGroup.pending && unreadBeforeFirstGroup.market != market ? nil : market, true)
            return
        }
        let index: Int
        if let isSnapshot { index = group(of: market, isSnapshot: isSnapshot, time: open, into: &messages) }
        else { index = openGroup[market] ?? group(of: market, isSnapshot: false, time: open, into: &messages) }
        groups[index].unreadRow = true
    }

    /// `true` or `false` as the row says; nil where it says neither (or has no such cell).
    static func snapshotFlag(_ cell: ByteSpan?) -> Bool? {
        guard let cell else { return nil }
        if cell.equals("true") { return true }
        if cell.equals("false") { return false }
        return nil
    }

    /// The open group of `symbol`'s rows at `time` of this kind (snapshot or update), begun if
    /// there is none.
    mutating func group(of symbol: String, isSnapshot: Bool, time: Int64, into messages: inout [FeedMessage]) -> Int {
        if let open = openGroup[symbol] {
            if groups[open].isSnapshot == isSnapshot { return open }
            // A snapshot after updates of the same time (or the other way round): the group
            // so far is one message, the rows from here another, in the file's order. Its
            // place is left empty (`emitted`), not removed (which moved every later group).
            emit(groups[open], time: time, into: &messages)
            groups[open] = BookGroup(symbol: symbol, isSnapshot: false, emitted: true)
        }
        var begun = BookGroup(symbol: symbol, isSnapshot: isSnapshot)
        if unreadBeforeFirstGroup.pending && (unreadBeforeFirstGroup.market ?? symbol) == symbol { begun.unreadRow = true }
        groups.append(begun)
        openGroup[symbol] = groups.count - 1
        return groups.count - 1
    }

    mutating func flush(into messages: inout [FeedMessage]) {
        guard let time = groupTime else { return }
        for group in groups where !group.emitted { emit(group, time: time, into: &messages) }
        unreadBeforeFirstGroup = (nil, false)
        groupTime = nil
        groups.removeAll(keepingCapacity: true)
        openGroup.removeAll(keepingCapacity: true)
    }

    mutating func emit(_ group: BookGroup, time: Int64, into messages: inout [FeedMessage]) {
        if group.isSnapshot && !group.unreadRow && !trusted.contains(group.symbol) {
            trusted.insert(group.symbol)
            trustedOrder.append(group.symbol)
        }
        defer { if group.unreadRow { messages.append(.event(.bookGap(symbol: group.symbol, time: time))) } }
        if group.unreadRow && (group.isSnapshot || (group.bids.isEmpty && group.asks.isEmpty)) { return }
        if group.isSnapshot {
            messages.append(.event(.bookSnapshot(symbol: group.symbol, bids: group.bids, asks: group.asks, time: time)))
        } else {
            var changes: [LevelChange] = []
            changes.reserveCapacity(group.bids.count + group.asks.count)
            for level in group.bids { changes.append(LevelChange(side: .bid, price: level.price, size: level.size)) }
            for level in group.asks { changes.append(LevelChange(side: .ask, price: level.price, size: level.size)) }
            messages.append(.event(.bookUpdate(symbol: group.symbol, changes: changes, time: time)))
        }
    }

    public mutating func finish(into messages: inout [FeedMessage]) { flush(into: &messages) }
}
