import RiskEngine

/// Decodes Bybit v5 public frames byte by byte (`ByteCursor`, no JSON objects): the frames of the
/// live WebSocket as liqwatch records them, and the lines of Bybit's order-book history files
/// (the same frames, one a line, with no receive time).
///
/// - `orderbook.{1,50,200,500,1000}.SYMBOL`: `snapshot` and `delta` (`b`, `a` as `[[price, size]]`,
///   size "0" removes the level; `u` the update id). The sequence rule (a delta's `u` is the previous
///   `u` + 1, a snapshot resets the book at any time) is applied by `DepthSynchronizer`.
/// - `publicTrade.SYMBOL`: one trade per element of `data`.
/// - `tickers.SYMBOL`: `markPrice` (the mark), `indexPrice`, `fundingRate`, `nextFundingTime`,
///   `openInterest`. A `delta` carries only the fields that changed: the rest are remembered from the
///   snapshot and the deltas before it. A delta without `markPrice` says the mark Bybit sent last
///   still stands (`MarketEvent.markStands`, with that price): a quiet market's mark (the same for
///   minutes while its index and funding move) is not taken for outdated. The engine confirms it
///   only while it holds that price (not a mark it refused, nor another source's).
/// - `allLiquidation.SYMBOL`: exchange-reported liquidations; `S` is the liquidated position's side
///   (`Buy`: a long was liquidated).
/// Answers to requests (`{"success":true,"op":"subscribe",...}`, pongs) and other topics are skipped.
public struct BybitFrameDecoder {
    var symbols = SymbolNames(.venue(.bybit))
    /// What the tickers of each market said last (deltas carry only what changed).
    var tickers: [String: TickerState] = [:]

    struct TickerState {
        var index: Fixed?
        var fundingRate: Fixed?
        var nextFundingTime: Int64?
        var openInterest: Fixed?
        /// The last `markPrice` sent (a snapshot without one forgets it): what a delta confirms.
        var mark: Fixed?
    }

    public init() {}

    enum Topic {
        case orderbook, trade, tickers, liquidation, other
    }

    /// Whether a trade's symbol is an option of the topic's coin (`BTC-…` under `publicTrade.BTC`).
    static func isOption(_ symbol: ByteSpan, of subscribed: ByteSpan) -> Bool {
        symbol.count > subscribed.count + 1 && symbol.hasPrefix(subscribed) && symbol.start[subscribed.count] == UInt8(ascii: "-")
    }

    /// Decodes one frame. `receiveTime` (ns) is used when given; otherwise the frame's `ts` (ms).
    public mutating func decode(_ base: UnsafePointer<UInt8>, count: Int, receiveTime: Int64?, into messages: inout [FeedMessage]) -> DecodeOutcome {
        var cursor = ByteCursor(base, count: count)
        var topic: ByteSpan? = nil
        var type: ByteSpan? = nil
        var timestamp: ByteSpan? = nil
        var data: ByteSpan? = nil
        // A key given twice makes the frame malformed, named, as in an events file (a second
        // `s` or `data` was read over the first: attacker trial).
        var twice: String? = nil
        let ok = cursor.object { key, cursor in
            if key.equals("topic") { return cursor.readOnce(&topic, "topic", twice: &twice) { $0.string() } }
            if key.equals("type") { return cursor.readOnce(&type, "type", twice: &twice) { $0.string() } }
            if key.equals("ts") { return cursor.readOnce(&timestamp, "ts", twice: &twice) { $0.stringOrScalar() } }
            if key.equals("data") {
                guard data == nil else { twice = "data"; return nil }
                // Read after the frame, when the topic is known whatever the order of the keys.
                cursor.skipSpace()
                let start = cursor.index
                guard cursor.skipValue() else { return nil }
                data = ByteSpan(start: cursor.base + start, count: cursor.index - start)
                return true
            }
            return false
        }
        if let twice { return .malformed(field: "\(twice) (the key is given twice)") }
        guard ok else { return .malformed(field: "frame") }
        cursor.skipSpace()
        guard cursor.atEnd else { return .malformed(field: "frame") }
        guard let topic else { return .skipped }  // an answer to a request, a pong
        let kind: Topic
        if topic.hasPrefix("orderbook.") { kind = .orderbook }
        else if topic.hasPrefix("publicTrade.") { kind = .trade }
        else if topic.hasPrefix("tickers.") { kind = .tickers }
        else if topic.hasPrefix("allLiquidation.") { kind = .liquidation }
        else { kind = .other }
        if case .other = kind { return .skipped }
        guard let data else { return .malformed(field: "data") }
        var time: Int64
        if let receiveTime {
            time = receiveTime
        } else {
            guard let milliseconds = timestamp?.integer, let checked = EventTime.fromMilliseconds(milliseconds) else { return .malformed(field: "ts") }
            time = checked
        }
        // The symbol the topic subscribes to (`orderbook.50.BTCUSDT`): its data names the same one
        // (a payload naming another was applied to that other market: `orderbook.50.BTCUSDT`
        // carrying `"s":"ETHUSDT"` changed ETH's book; attacker trial).
        var lastDot = 0
        for offset in 0..<topic.count where topic.start[offset] == UInt8(ascii: ".") { lastDot = offset + 1 }
        let subscribed = ByteSpan(start: topic.start + lastDot, count: topic.count - lastDot)
        switch kind {
        case .orderbook:
            guard let type, type.equals("snapshot") || type.equals("delta") else { return .malformed(field: "type") }
            // `orderbook.50.BTCUSDT`: the top 50 levels a side, kept by the deltas. A depth that is
            // not a count of levels (`orderbook.abc.X`, `orderbook.X`, `orderbook.0.X`) makes the
            // frame malformed: read as a whole book, its stress claimed ADL (attacker trial).
            let depthStart = "orderbook.".utf8.count
            let depthEnd = lastDot - 1
            var depth = 0
            guard depthEnd > depthStart, depthEnd - depthStart <= 6 else { return .malformed(field: "topic (the book's depth)") }
            for offset in depthStart..<depthEnd {
                let byte = topic.start[offset]
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return .malformed(field: "topic (the book's depth)") }
                depth = depth * 10 + Int(byte - UInt8(ascii: "0"))
            }
            guard depth > 0 else { return .malformed(field: "topic (the book's depth)") }
            return orderbook(data, of: subscribed, snapshot: type.equals("snapshot"), shownLevels: depth, time: time, into: &messages)
        case .trade: return trades(data, of: subscribed, time: time, into: &messages)
        case .tickers: return ticker(data, of: subscribed, delta: type?.equals("delta") ?? false, time: time, into: &messages)
        case .liquidation: return liquidations(data, of: subscribed, time: time, into: &messages)
        case .other: return .skipped
        }
    }

    mutating func orderbook(_ data: ByteSpan, of subscribed: ByteSpan, snapshot: Bool, shownLevels: Int, time: Int64,
                            into messages: inout [FeedMessage]) -> DecodeOutcome {
        var cursor = ByteCursor(data.start, count: data.count)
        var symbol: ByteSpan? = nil
        var updateId: Int64? = nil
        var bids: [LevelChange] = []
        var asks: [LevelChange] = []
        var failed = "data"
        var sawBids = false
        var sawAsks = false
        let ok = cursor.object { key, cursor in
            if key.equals("s") {
                guard symbol == nil else { failed = "data.s (the key is given twice)"; return nil }
                symbol = cursor.string(); failed = "data.s"; return symbol == nil ? nil : true
            }
            if key.equals("u") {
                guard updateId == nil else { failed = "data.u (the key is given twice)"; return nil }
                updateId = cursor.scalar()?.integer; failed = "data.u"; return updateId == nil ? nil : true
            }
            if key.equals("b") {
                guard !sawBids else { failed = "data.b (the key is given twice)"; return nil }
                failed = "data.b"; sawBids = true; return cursor.levels(side: .bid, into: &bids) ? true : nil
            }
            if key.equals("a") {
                guard !sawAsks else { failed = "data.a (the key is given twice)"; return nil }
                failed = "data.a"; sawAsks = true; return cursor.levels(side: .ask, into: &asks) ? true : nil
            }
            return false
        }
        guard ok, cursor.atEnd else { return .malformed(field: failed) }
        // A snapshot states both sides (Bybit sends `[]` for an empty one): one without them
        // would have reset the book to nothing, unreported.
        if snapshot && !sawBids { return .malformed(field: "data.b") }
        if snapshot && !sawAsks { return .malformed(field: "data.a") }
        guard let symbol, symbol.isSymbol else { return .malformed(field: "data.s") }
        guard symbol.equals(subscribed) else { return .malformed(field: "data.s (not the topic's symbol)") }
        guard let updateId else { return .malformed(field: "data.u") }
        let market = symbols.name(symbol)
        let levels: StreamBookUpdate.Levels
        if snapshot {
            levels = .snapshot(bids: bids.map { ($0.price, $0.size) }, asks: asks.map { ($0.price, $0.size) })
        } else {
            bids.append(contentsOf: asks)
            levels = .delta(bids)
        }
        var update = StreamBookUpdate(symbol: market, levels: levels, sequence: updateId, time: time)
        update.shownLevels = shownLevels
        messages.append(.book(update))
        return .decoded
    }

    mutating func trades(_ data: ByteSpan, of subscribed: ByteSpan, time: Int64, into messages: inout [FeedMessage]) -> DecodeOutcome {
        var cursor = ByteCursor(data.start, count: data.count)
        let before = messages.count
        var failed: String? = nil
        let ok = cursor.array { cursor in
            var symbol: ByteSpan? = nil
            var price: Int64? = nil
            var size: Int64? = nil
            var twice: String? = nil
            let ok = cursor.object { key, cursor in
                if key.equals("s") { return cursor.readOnce(&symbol, "s", twice: &twice) { $0.string() } }
                if key.equals("p") { return cursor.readOnce(&price, "p", twice: &twice) { $0.bookUnits() } }
                if key.equals("v") { return cursor.readOnce(&size, "v", twice: &twice) { $0.bookUnits() } }
                return false
            }
            if let twice { failed = "data[].\(twice) (the key is given twice)"; return false }
            guard ok else { failed = "data[]"; return false }
            guard let symbol, symbol.isSymbol else { failed = "data[].s"; return false }
            // Options trade under their coin's topic (`publicTrade.BTC`, `BTC-27DEC24-60000-C`):
            // skipped, not modelled (refused as another market's, they aborted a --strict replay).
            if Self.isOption(symbol, of: subscribed) { return true }
            guard symbol.equals(subscribed) else { failed = "data[].s (not the topic's symbol)"; return false }
            guard let price, price > 0 else { failed = "data[].p"; return false }
            guard let size, size >= 0 else { failed = "data[].v"; return false }
            messages.append(.event(.trade(symbol: symbols.name(symbol), price: price, size: size, time: time)))
            return true
        }
        guard ok, cursor.atEnd else {
            messages.removeSubrange(before...)
            return .malformed(field: failed ?? "data")
        }
        return messages.count > before ? .decoded : .skipped
    }

    mutating func ticker(_ data: ByteSpan, of subscribed: ByteSpan, delta: Bool, time: Int64, into messages: inout [FeedMessage]) -> DecodeOutcome {
        var cursor = ByteCursor(data.start, count: data.count)
        var symbol: ByteSpan? = nil
        var mark: ByteSpan? = nil
        var index: ByteSpan? = nil
        var funding: ByteSpan? = nil
        var nextFunding: ByteSpan? = nil
        var openInterest: ByteSpan? = nil
        var twice: String? = nil
        let ok = cursor.object { key, cursor in
            if key.equals("symbol") { return cursor.readOnce(&symbol, "symbol", twice: &twice) { $0.string() } }
            if key.equals("markPrice") { return cursor.readOnce(&mark, "markPrice", twice: &twice) { $0.stringOrScalar() } }
            if key.equals("indexPrice") { return cursor.readOnce(&index, "indexPrice", twice: &twice) { $0.stringOrScalar() } }
            if key.equals("fundingRate") { return cursor.readOnce(&funding, "fundingRate", twice: &twice) { $0.stringOrScalar() } }
            if key.equals("nextFundingTime") { return cursor.readOnce(&nextFunding, "nextFundingTime", twice: &twice) { $0.stringOrScalar() } }
            if key.equals("openInterest") { return cursor.readOnce(&openInterest, "openInterest", twice: &twice) { $0.stringOrScalar() } }
            return false
        }
        if let twice { return .malformed(field: "data.\(twice) (the key is given twice)") }
        guard ok, cursor.atEnd else { return .malformed(field: "data") }
        guard let symbol, symbol.isSymbol else { return .malformed(field: "data.symbol") }
        guard symbol.equals(subscribed) else { return .malformed(field: "data.symbol (not the topic's symbol)") }
        let market = symbols.name(symbol)
        var state = tickers[market] ?? TickerState()
        // Every value is checked before it is kept: an empty string (Bybit sends "" for a field with
        // no value yet) is left out, anything else must be a decimal.
        func decimal(_ span: ByteSpan?, positive: Bool) -> (value: Fixed?, bad: Bool) {
            guard let span, span.count > 0 else { return (nil, false) }
            guard let value = span.fixed, positive ? value.isPositive : true else { return (nil, true) }
            return (value, false)
        }
        let markValue = decimal(mark, positive: true)
        if markValue.bad { return .malformed(field: "data.markPrice") }
        let indexValue = decimal(index, positive: true)
        if indexValue.bad { return .malformed(field: "data.indexPrice") }
        let fundingValue = decimal(funding, positive: false)
        if fundingValue.bad || fundingValue.value.map({ !IndexUpdate.isPlausible(fundingRate: $0) }) == true {
            return .malformed(field: "data.fundingRate")
        }
        let interest = decimal(openInterest, positive: false)
        if interest.bad || (interest.value?.isNegative ?? false) { return .malformed(field: "data.openInterest") }
        var nextTime: Int64? = nil
        if let nextFunding, nextFunding.count > 0 {
            guard let milliseconds = nextFunding.integer, let checked = EventTime.fromMilliseconds(milliseconds) else {
                return .malformed(field: "data.nextFundingTime")
            }
            nextTime = checked
        }
        let changed = indexValue.value != nil || fundingValue.value != nil || nextTime != nil || interest.value != nil
        if let value = indexValue.value { state.index = value }
        if let value = fundingValue.value { state.fundingRate = value }
        if let value = nextTime, value > 0 { state.nextFundingTime = value }
        if let value = interest.value { state.openInterest = value }
        let before = messages.count
        if let price = markValue.value {
            state.mark = price
            messages.append(.event(.mark(symbol: market, price: price, time: time)))
        } else if delta, let price = state.mark {
            messages.append(.event(.markStands(symbol: market, price: price, time: time)))
        } else if !delta {
            state.mark = nil
        }
        tickers[market] = state
        if changed, let index = state.index {
            messages.append(.event(.index(IndexUpdate(symbol: market, price: index, fundingRate: state.fundingRate,
                nextFundingTime: state.nextFundingTime, openInterest: state.openInterest, time: time))))
        }
        return messages.count > before ? .decoded : .skipped
    }

    mutating func liquidations(_ data: ByteSpan, of subscribed: ByteSpan, time: Int64, into messages: inout [FeedMessage]) -> DecodeOutcome {
        var cursor = ByteCursor(data.start, count: data.count)
        let before = messages.count
        var failed: String? = nil
        let ok = cursor.array { cursor in
            var symbol: ByteSpan? = nil
            var side: ByteSpan? = nil
            var price: ByteSpan? = nil
            var size: ByteSpan? = nil
            var twice: String? = nil
            let ok = cursor.object { key, cursor in
                if key.equals("s") { return cursor.readOnce(&symbol, "s", twice: &twice) { $0.string() } }
                if key.equals("S") { return cursor.readOnce(&side, "S", twice: &twice) { $0.string() } }
                if key.equals("p") { return cursor.readOnce(&price, "p", twice: &twice) { $0.stringOrScalar() } }
                if key.equals("v") { return cursor.readOnce(&size, "v", twice: &twice) { $0.stringOrScalar() } }
                return false
            }
            if let twice { failed = "data[].\(twice) (the key is given twice)"; return false }
            guard ok else { failed = "data[]"; return false }
            guard let symbol, symbol.isSymbol else { failed = "data[].s"; return false }
            guard symbol.equals(subscribed) else { failed = "data[].s (not the topic's symbol)"; return false }
            guard let side, side.equals("Buy") || side.equals("Sell") else { failed = "data[].S"; return false }
            guard let value = price?.fixed, value.isPositive else { failed = "data[].p"; return false }
            guard let quantity = size?.fixed, quantity.isPositive else { failed = "data[].v"; return false }
            // Bybit: "Buy" means a long position was liquidated.
            messages.append(.event(.exchangeLiquidation(ExchangeLiquidation(symbol: symbols.name(symbol),
                side: side.equals("Buy") ? .long : .short, price: value, quantity: quantity, time: time))))
            return true
        }
        guard ok, cursor.atEnd else {
            messages.removeSubrange(before...)
            return .malformed(field: failed ?? "data")
        }
        return messages.count > before ? .decoded : .skipped
    }
}
