import RiskEngine

/// Decodes Hyperliquid WebSocket frames byte by byte (`ByteCursor`): `{"channel":...,"data":...}`,
/// as the hftbacktest collector and liqwatch record them (`<receive time ns> <frame>`).
///
/// - `l2Book`: `{"coin":"BTC","time":ms,"levels":[[bids],[asks]]}`, each level `{"px","sz","n"}`.
///   Every message is the whole book (about 20 levels a side) and carries no sequence number: each
///   replaces the book (a snapshot), so there is nothing to check between messages.
/// - `trades`: one trade per element (`coin`, `px`, `sz`).
/// - `activeAssetCtx`: `{"coin","ctx":{"markPx","oraclePx","funding","openInterest",...}}`: the mark,
///   and the oracle price as the index with the funding (paid every hour) and the open interest.
/// Hyperliquid publishes no market-wide liquidation stream (`Venue.publishesLiquidations`).
/// `subscriptionResponse`, `pong` and other channels are skipped.
public struct HyperliquidFrameDecoder {
    /// `l2Book` shows at most 20 levels a side (Hyperliquid's info endpoint and subscription docs).
    static let shownLevels = 20

    var symbols = SymbolNames(.venue(.hyperliquid))

    public init() {}

    public mutating func decode(_ base: UnsafePointer<UInt8>, count: Int, receiveTime: Int64?, into messages: inout [FeedMessage]) -> DecodeOutcome {
        var cursor = ByteCursor(base, count: count)
        var channel: ByteSpan? = nil
        var data: ByteSpan? = nil
        // A key given twice makes the frame malformed, named, as in an events file (the second
        // was read over the first: attacker trial).
        var twice: String? = nil
        let ok = cursor.object { key, cursor in
            if key.equals("channel") { return cursor.readOnce(&channel, "channel", twice: &twice) { $0.string() } }
            if key.equals("data") { return cursor.readOnce(&data, "data", twice: &twice) { $0.valueSpan() } }
            return false
        }
        if let twice { return .malformed(field: "\(twice) (the key is given twice)") }
        guard ok else { return .malformed(field: "frame") }
        cursor.skipSpace()
        guard cursor.atEnd else { return .malformed(field: "frame") }
        guard let channel else { return .malformed(field: "channel") }
        if channel.equals("l2Book") {
            guard let data else { return .malformed(field: "data") }
            return book(data, receiveTime: receiveTime, into: &messages)
        }
        if channel.equals("trades") {
            guard let data else { return .malformed(field: "data") }
            return trades(data, receiveTime: receiveTime, into: &messages)
        }
        if channel.equals("activeAssetCtx") {
            guard let data else { return .malformed(field: "data") }
            return assetContext(data, receiveTime: receiveTime, into: &messages)
        }
        return .skipped
    }

    /// A spot pair's name (`Venue.isHyperliquidSpot`): a spot book is no perpetual's, and is
    /// skipped and counted as OKX's spot books are (synthetic positions were placed on them, with
    /// ADL alerts, and the unit read `PURR/`: attacker trial).
    static func isSpot(_ coin: ByteSpan) -> Bool {
        Venue.isHyperliquidSpot(UnsafeBufferPointer(start: coin.start, count: coin.count))
    }

    static func skipSpot(_ coin: ByteSpan, into messages: inout [FeedMessage]) {
        messages.append(.skipped(kind: "hyperliquid:\(coin.string) (a spot pair: spot is not modelled)"))
    }

    static func time(_ receiveTime: Int64?, _ milliseconds: Int64?) -> Int64? {
        if let receiveTime { return receiveTime }
        return milliseconds.flatMap(EventTime.fromMilliseconds)
    }

    mutating func book(_ data: ByteSpan, receiveTime: Int64?, into messages: inout [FeedMessage]) -> DecodeOutcome {
        var cursor = ByteCursor(data.start, count: data.count)
        var coin: ByteSpan? = nil
        var milliseconds: Int64? = nil
        var bids: [(price: Int64, size: Int64)] = []
        var asks: [(price: Int64, size: Int64)] = []
        var sides = 0
        var sawLevels = false
        var failed = "data"
        let ok = cursor.object { key, cursor in
            if key.equals("coin") {
                guard coin == nil else { failed = "data.coin (the key is given twice)"; return nil }
                failed = "data.coin"; coin = cursor.string(); return coin == nil ? nil : true
            }
            if key.equals("time") {
                guard milliseconds == nil else { failed = "data.time (the key is given twice)"; return nil }
                failed = "data.time"; milliseconds = cursor.scalar()?.integer; return milliseconds == nil ? nil : true
            }
            if key.equals("levels") {
                // A flag, not the sides read: `"levels":[]` then a second `levels` passed (review).
                guard !sawLevels else { failed = "data.levels (the key is given twice)"; return nil }
                sawLevels = true
                failed = "data.levels"
                return cursor.array { cursor in
                    sides += 1
                    guard sides <= 2 else { return false }
                    let isBid = sides == 1
                    return cursor.array { cursor in
                        var price: Int64? = nil
                        var size: Int64? = nil
                        guard cursor.object({ key, cursor in
                            if key.equals("px") { guard price == nil else { return nil }; price = cursor.bookUnits(); return price == nil ? nil : true }
                            if key.equals("sz") { guard size == nil else { return nil }; size = cursor.bookUnits(); return size == nil ? nil : true }
                            return false
                        }), let price, price > 0, let size, size >= 0 else { return false }
                        if isBid { bids.append((price, size)) } else { asks.append((price, size)) }
                        return true
                    }
                } ? true : nil
            }
            return false
        }
        guard ok, cursor.atEnd else { return .malformed(field: failed) }
        guard let coin, coin.isSymbol else { return .malformed(field: "data.coin") }
        if Self.isSpot(coin) { Self.skipSpot(coin, into: &messages); return .skipped }
        guard sides == 2 else { return .malformed(field: "data.levels") }
        guard let time = Self.time(receiveTime, milliseconds) else { return .malformed(field: "data.time") }
        var update = StreamBookUpdate(symbol: symbols.name(coin), levels: .snapshot(bids: bids, asks: asks), time: time)
        update.shownLevels = Self.shownLevels
        messages.append(.book(update))
        return .decoded
    }

    mutating func trades(_ data: ByteSpan, receiveTime: Int64?, into messages: inout [FeedMessage]) -> DecodeOutcome {
        var cursor = ByteCursor(data.start, count: data.count)
        let before = messages.count
        var failed: String? = nil
        var traded = false
        let ok = cursor.array { cursor in
            var coin: ByteSpan? = nil
            var price: Int64? = nil
            var size: Int64? = nil
            var milliseconds: Int64? = nil
            var twice: String? = nil
            let ok = cursor.object { key, cursor in
                if key.equals("coin") { return cursor.readOnce(&coin, "coin", twice: &twice) { $0.string() } }
                if key.equals("px") { return cursor.readOnce(&price, "px", twice: &twice) { $0.bookUnits() } }
                if key.equals("sz") { return cursor.readOnce(&size, "sz", twice: &twice) { $0.bookUnits() } }
                if key.equals("time") { return cursor.readOnce(&milliseconds, "time", twice: &twice) { $0.scalar()?.integer } }
                return false
            }
            if let twice { failed = "data[].\(twice) (the key is given twice)"; return false }
            guard ok else { failed = "data[]"; return false }
            guard let coin, coin.isSymbol else { failed = "data[].coin"; return false }
            if Self.isSpot(coin) { Self.skipSpot(coin, into: &messages); return true }
            guard let price, price > 0 else { failed = "data[].px"; return false }
            guard let size, size >= 0 else { failed = "data[].sz"; return false }
            guard let time = Self.time(receiveTime, milliseconds) else { failed = "data[].time"; return false }
            messages.append(.event(.trade(symbol: symbols.name(coin), price: price, size: size, time: time)))
            traded = true
            return true
        }
        guard ok, cursor.atEnd else {
            messages.removeSubrange(before...)
            return .malformed(field: failed ?? "data")
        }
        return traded ? .decoded : .skipped
    }

    mutating func assetContext(_ data: ByteSpan, receiveTime: Int64?, into messages: inout [FeedMessage]) -> DecodeOutcome {
        var cursor = ByteCursor(data.start, count: data.count)
        var coin: ByteSpan? = nil
        var mark: ByteSpan? = nil
        var oracle: ByteSpan? = nil
        var funding: ByteSpan? = nil
        var openInterest: ByteSpan? = nil
        var failed = "data"
        var sawContext = false
        let ok = cursor.object { key, cursor in
            if key.equals("coin") {
                guard coin == nil else { failed = "data.coin (the key is given twice)"; return nil }
                failed = "data.coin"; coin = cursor.string(); return coin == nil ? nil : true
            }
            if key.equals("ctx") {
                guard !sawContext else { failed = "data.ctx (the key is given twice)"; return nil }
                sawContext = true
                failed = "data.ctx"
                var twice: String? = nil
                defer { if let twice { failed = "data.ctx.\(twice) (the key is given twice)" } }
                return cursor.object { key, cursor in
                    if key.equals("markPx") { return cursor.readOnce(&mark, "markPx", twice: &twice) { $0.stringOrScalar() } }
                    if key.equals("oraclePx") { return cursor.readOnce(&oracle, "oraclePx", twice: &twice) { $0.stringOrScalar() } }
                    if key.equals("funding") { return cursor.readOnce(&funding, "funding", twice: &twice) { $0.stringOrScalar() } }
                    if key.equals("openInterest") { return cursor.readOnce(&openInterest, "openInterest", twice: &twice) { $0.stringOrScalar() } }
                    return false
                } ? true : nil
            }
            return false
        }
        guard ok, cursor.atEnd else { return .malformed(field: failed) }
        guard let coin, coin.isSymbol else { return .malformed(field: "data.coin") }
        if Self.isSpot(coin) { Self.skipSpot(coin, into: &messages); return .skipped }
        // The frame has no time of its own.
        guard let time = receiveTime else { return .malformed(field: "receive time") }
        let market = symbols.name(coin)
        let before = messages.count
        if let mark {
            guard let price = mark.fixed, price.isPositive else { return .malformed(field: "data.ctx.markPx") }
            messages.append(.event(.mark(symbol: market, price: price, time: time)))
        }
        if let oracle {
            guard let price = oracle.fixed, price.isPositive else {
                messages.removeSubrange(before...)
                return .malformed(field: "data.ctx.oraclePx")
            }
            var rate: Fixed? = nil
            if let funding {
                guard let value = funding.fixed, IndexUpdate.isPlausible(fundingRate: value) else {
                    messages.removeSubrange(before...)
                    return .malformed(field: "data.ctx.funding")
                }
                rate = value
            }
            var interest: Fixed? = nil
            if let openInterest {
                guard let value = openInterest.fixed, !value.isNegative else {
                    messages.removeSubrange(before...)
                    return .malformed(field: "data.ctx.openInterest")
                }
                interest = value
            }
            // Funding is paid every hour, on the hour.
            let hour: Int64 = 3_600_000_000_000
            let next = time / hour * hour + hour
            messages.append(.event(.index(IndexUpdate(symbol: market, price: price, fundingRate: rate,
                nextFundingTime: EventTime.fromNanoseconds(next), openInterest: interest, time: time))))
        }
        return messages.count > before ? .decoded : .skipped
    }
}
