import RiskEngine

/// liqwatch's event lines: one JSON object a line with a `type`, for an operator's own systems to
/// feed positions, balances, the fund and marks. Decimals may be strings or numbers; `time` is
/// nanoseconds since the epoch (optional: the previous line's time is used). A market is `symbol`
/// as `venue:symbol`, or `venue` and `symbol`, or a bare `symbol` that names the one venue of the
/// session listing it (`resolver`). See the README.
public struct LiqwatchEventDecoder: LineDecoder {
    var lastTime: Int64 = 0
    public var resolver: MarketResolver
    public private(set) var lastLineTookEarlierTime = false

    public init(resolver: MarketResolver = .default) { self.resolver = resolver }

    public mutating func decode(_ line: UnsafePointer<UInt8>, count: Int, into messages: inout [FeedMessage]) -> DecodeOutcome {
        lastLineTookEarlierTime = false
        if count == 0 { return .skipped }
        var start = 0
        // The line's time is kept for the lines after it only once the line is read whole: a
        // malformed line dated a day ahead gave its time to the next line without one (attacker
        // trial: the clock moved a day and every book after it read outdated).
        var lineTime = lastTime
        if line[0] >= UInt8(ascii: "0") && line[0] <= UInt8(ascii: "9") {
            // `<receive time ns> <event>`, as liqwatch records a live event stream: the receive time
            // stands in for an event that carries no `time` of its own.
            let space = find(0x20, in: line, count: count)
            guard space > 0, let nanos = ByteSpan(start: line, count: space).integer.flatMap(EventTime.fromNanoseconds),
                  nanos >= EventTime.earliestPlausible else {
                return .malformed(field: "receive time")
            }
            lineTime = nanos
            start = space + 1
        }
        // The time held before the line is read (its receive time, else the line before's): what
        // a line that cannot be read is dated by, never its own `time`.
        let heldTime = lineTime
        // An update of a book that cannot be read: the venue's book moved by it and the engine's
        // did not (a negative size dropped one line, and its book read "ok" with 0 gaps: attacker
        // trial). The book is stale until a snapshot, as after a dropped spike. Dated by the time
        // held before it (its own, unread, could move the session's clock a day ahead: review),
        // which is the earlier time it takes (so the time-spike guard reads no jump into it).
        func gapUnreadUpdate(_ value: JSONValue) {
            let symbols = Self.unreadBookUpdates(value, resolver: resolver)
            for symbol in symbols { messages.append(.event(.bookGap(symbol: symbol, time: heldTime))) }
            if !symbols.isEmpty { lastLineTookEarlierTime = start == 0 }
        }
        let value: JSONValue
        let bytes = Array(UnsafeBufferPointer(start: line + start, count: count - start))
        do { value = try JSONValue.parse(bytes: bytes) } catch {
            // Refused for a key given twice, it is read again keeping them all, to find its
            // markets (`"bids"` twice made no gap, and a long was liquidated into the level it
            // removed: attacker trial).
            if let kept = try? JSONValue.parseKeepingRepeatedKeys(bytes: bytes) { gapUnreadUpdate(kept) }
            return .malformed(field: "json (\(error.reason))")
        }
        do throws(FieldError) {
            let event = try Self.event(from: value, lastTime: &lineTime, resolver: resolver)
            lastTime = lineTime
            guard let event else { return .skipped }
            // Neither a receive time nor a `time`: the line took the time of the one before.
            // (As `event` reads it: a `time` of null, a list or an object is none.)
            lastLineTookEarlierTime = start == 0 && value["time"]?.scalarText == nil
            messages.append(.event(event))
            return .decoded
        } catch {
            gapUnreadUpdate(value)
            return .malformed(field: "\(error.field): \(error.reason)")
        }
    }

    /// The markets of a `book` update line (`"snapshot": false`) that could not be read, where its
    /// symbol can be. A snapshot that cannot be read leaves the book as it was (the README's
    /// events table): the next one replaces it whole. Of a line with a key given twice (read
    /// keeping them all), any `snapshot` of `false` makes it an update, and every `symbol` it
    /// gives is gapped, as a key given twice says neither value is the line's
    /// (`"snapshot":false,"snapshot":true` read as a snapshot, and of two symbols only the last
    /// was gapped: review).
    static func unreadBookUpdates(_ value: JSONValue, resolver: MarketResolver) -> [String] {
        guard let members = value.objectMembers else { return [] }
        func all(_ key: String) -> [String] { members.compactMap { $0.0 == key ? $0.1.scalarText : nil } }
        // A `snapshot` that is not true (false, or a value refused: `0` meant an update).
        guard all("type").contains("book"), members.contains(where: { $0.0 == "snapshot" && (try? isSnapshot($0.1)) != true }) else { return [] }
        // A few of each (a line of thousands of repeated keys would resolve their product).
        let venues = Array(all("venue").prefix(4))
        var markets: [String] = []
        for symbol in all("symbol").prefix(16) where !symbol.isEmpty {
            for venue in venues.isEmpty ? [nil] : venues.map(Optional.some) {
                if let market = try? market(symbol: symbol, venue: venue, resolver: resolver), !markets.contains(market) { markets.append(market) }
            }
        }
        return markets
    }

    /// Whether a book line is a snapshot: `true` or `false` (a JSON boolean, or the words), a
    /// snapshot when left out (or null). Anything else is refused: `"snapshot": 0` from a producer
    /// writing flags as 0 and 1 was read as a snapshot, and wiped the book on every update
    /// (attacker trial).
    static func isSnapshot(_ given: JSONValue?) throws(FieldError) -> Bool {
        switch given {
        case nil, .null?: return true
        case .bool(let flag)?: return flag
        case .string("true")?: return true
        case .string("false")?: return false
        default: throw FieldError(field: "snapshot", reason: "expected true or false")
        }
    }

    /// The market a line names by its `symbol`, with its `venue` when given.
    static func market(symbol: String, venue: String?, resolver: MarketResolver) throws(FieldError) -> String {
        if venue != nil && symbol.contains(":") {
            throw FieldError(field: "venue", reason: "the symbol already names its venue ('\(SafeText.escaped(symbol))')")
        }
        let named = venue.map { $0 + ":" + symbol } ?? symbol
        do { return try resolver.resolve(named) } catch { throw FieldError(field: venue == nil ? "symbol" : "venue", reason: error.description) }
    }

    /// The keys each type of line is read by (others are passed over, unless they resemble one
    /// of these: `KeyLookalike`).
    static let keys: [String: [String]] = [
        "position": ["type", "time"] + PositionsCSV.fieldNames,
        "account": ["type", "time", "account", "venue", "wallet_balance", "asset"],
        "insurance_fund": ["type", "time", "balance", "venue", "asset"],
        "mark": ["type", "time", "price", "symbol", "venue"],
        "index": ["type", "time", "price", "funding_rate", "next_funding_time", "open_interest", "symbol", "venue"],
        "trade": ["type", "time", "price", "size", "symbol", "venue"],
        "liquidation": ["type", "time", "side", "price", "size", "symbol", "venue"],
        "book": ["type", "time", "symbol", "venue", "snapshot", "bids", "asks", "shown_levels"],
    ]

    /// The keys whose value is a name or a word, never a number.
    static let textKeys: Set<String> = ["type", "symbol", "venue", "asset", "side", "margin_mode", "position_side"]

    /// Every key of every type: one type's key on another's line (a trade's `side`) is no typo.
    static let vocabulary = Set(keys.values.joined())

    static func event(from value: JSONValue, lastTime: inout Int64, resolver: MarketResolver) throws(FieldError) -> MarketEvent? {
        guard value.objectMembers != nil else { throw FieldError(field: "line", reason: "expected a JSON object") }
        func text(_ name: String) -> String? { value[name]?.scalarText }
        func required(_ name: String) throws(FieldError) -> String {
            // A list or an object where a value goes is not a missing value (`"price": [60000]`
            // read "price: missing").
            if let given = value[name], text(name) == nil {
                // A null is a value left out, said as such (it read "not a list or an object").
                if case .null = given { throw FieldError(field: name, reason: "missing (null)") }
                throw FieldError(field: name, reason: "expected a number or a string, not a list or an object")
            }
            guard let found = text(name), !found.isEmpty else { throw FieldError(field: name, reason: "missing") }
            return found
        }
        /// Why `raw` is no number this field takes: too large, negative, or no decimal at all.
        func unreadable(_ raw: String, _ name: String, negativeAllowed: Bool) -> FieldError {
            guard DecimalText.isDecimalSyntax(raw) else { return FieldError(field: name, reason: "'\(raw)' is not a decimal number") }
            if !negativeAllowed && raw.hasPrefix("-") && raw.contains(where: { $0 >= "1" && $0 <= "9" }) {
                return FieldError(field: name, reason: "must not be negative")
            }
            return FieldError(field: name, reason: "'\(raw)' is too large or has too many decimal places")
        }
        /// `onGrid`: a price or an amount, held to the book's 10⁻⁸; a funding rate is a ratio
        /// (OKX's `0.0001029756813034`: review).
        func decimal(_ name: String, onGrid: Bool = true) throws(FieldError) -> Fixed {
            let raw = try required(name)
            guard let number = Fixed(raw) else { throw unreadable(raw, name, negativeAllowed: true) }
            // On the book's grid, as a trade's and a book's figures are: a mark of nine places was
            // kept and an index's rounded in the report, where a trade's was refused (attacker trial).
            guard !onGrid || PositionRow.isWholeBookUnits(number) else {
                throw FieldError(field: name, reason: PositionRow.offGridReason(raw))
            }
            return number
        }
        func units(_ name: String) throws(FieldError) -> Int64 {
            let raw = try required(name)
            guard let number = BookUnits.parse(raw), number >= 0 else { throw unreadable(raw, name, negativeAllowed: false) }
            return number
        }
        /// The settlement asset the line names (default USDT): letters and digits, as assets are
        /// (a name with a terminal escape in it would be a fund or a wallet of nothing, and shown).
        func asset() throws(FieldError) -> String {
            guard let named = text("asset") else { return "USDT" }
            guard let asset = AssetName.normalized(named) else {
                throw FieldError(field: "asset", reason: "'\(SafeText.escaped(String(named.prefix(32))))' is not an asset (letters and digits, e.g. USDT)")
            }
            return asset
        }
        /// The market the line names (`symbol`, with `venue` when given).
        func market() throws(FieldError) -> String {
            try Self.market(symbol: try required("symbol"), venue: text("venue"), resolver: resolver)
        }
        /// A list or an object where a value goes is not a value left out: read as missing, an
        /// `"isolated_margin": [30000]` placed a position at 100x on its leverage alone (a deficit
        /// of 1,400 that the line's margin covered), a `"time": []` took the line before's time, a
        /// `"venue": ["bybit"]` the default venue, all with 0 malformed (attacker trial).
        func refuseNested(_ key: String, _ member: JSONValue) throws(FieldError) {
            switch member {
            case .array, .object: throw FieldError(field: key, reason: "expected a number or a string, not a list or an object")
            default: break
            }
        }
        if let given = value["time"] { try refuseNested("time", given) }
        if let timeText = text("time") {
            switch EventTime.plausibleNanoseconds(timeText) {
            case .success(let nanos): lastTime = nanos
            case .failure(let refusal): throw FieldError(field: "time", reason: refusal.reason)
            }
        }
        let time = lastTime
        let type = try required("type")
        if let known = Self.keys[type], let members = value.objectMembers {
            // Keys of no line's vocabulary that resemble this type's (`isolated_margn`), and an
            // export's name for one of this type's keys though another type reads it (a fund's
            // `balance` on an account line is its wallet by another name).
            // A line's own keys (every key of nearly every line) are passed first, unfolded.
            let foreign = members.lazy.map(\.0).filter {
                !known.contains($0)
                    && (!Self.vocabulary.contains($0) || KeyLookalike.exportNames[KeyLookalike.fold($0)].map(known.contains) == true)
            }
            if let found = KeyLookalike.first(in: foreign, known: known) {
                throw FieldError(field: KeyLookalike.field(found), reason: KeyLookalike.reason(found))
            }
            // A book's sides are lists, and its flag says what it takes (`isSnapshot`); every
            // other key of the line's type takes one value.
            for (key, member) in members where key != "bids" && key != "asks" && key != "snapshot" && known.contains(key) {
                try refuseNested(key, member)
                // A name is a string: `"asset": true` made a fund of TRUE, `"side": 1` a side of
                // "1" (attacker trial). An account id may be a number (an exchange's user id), not
                // true or false.
                switch member {
                case .bool where Self.textKeys.contains(key) || key == "account":
                    throw FieldError(field: key, reason: "expected a string, not true or false")
                case .number where Self.textKeys.contains(key):
                    throw FieldError(field: key, reason: "expected a string, not a number")
                default: break
                }
            }
        }
        switch type {
        case "position":
            let resolved = try market()
            return .position(try PositionRow.parse(resolver: resolver, allowsClose: true) { name in
                name == "symbol" ? resolved : name == "venue" ? nil : text(name)
            }, time: time)
        case "account":
            let venue: String
            do { venue = try resolver.resolveVenue(text("venue")) } catch { throw FieldError(field: "venue", reason: error.description) }
            // Held to a position row's wallet rules: a wallet of −5 × 10¹⁸ made a bankruptcy price
            // of 5 × 10¹⁸ and an ADL at it (attacker trial).
            let wallet = try decimal("wallet_balance")
            guard !wallet.isNegative else { throw FieldError(field: "wallet_balance", reason: "must not be negative") }
            guard PositionRow.isWithinMoneyLimit(wallet) else { throw FieldError(field: "wallet_balance", reason: "must be at most 1,000,000,000,000,000") }
            return .account(id: try PositionRow.accountName(try required("account")), asset: try asset(), venue: venue, venueGiven: text("venue") != nil,
                walletBalance: wallet, time: time)
        case "insurance_fund":
            let balance = try decimal("balance")
            guard !balance.isNegative else { throw FieldError(field: "balance", reason: "must not be negative") }
            guard balance <= InsuranceFund.largestBalance else {
                throw FieldError(field: "balance", reason: "must be at most \(InsuranceFund.largestBalance.formatted(0, grouping: true))")
            }
            // A fund is a venue's: a line without one is the fund of the one venue with markets
            // in the asset (the engine decides, and refuses it when they are on several).
            var venue: String? = nil
            if let named = text("venue") {
                do { venue = try resolver.resolveVenue(named) } catch { throw FieldError(field: "venue", reason: error.description) }
            }
            return .insuranceFund(asset: try asset(), venue: venue, balance: balance, time: time)
        case "mark":
            let price = try decimal("price")
            guard price.isPositive else { throw FieldError(field: "price", reason: "must be greater than zero") }
            return .mark(symbol: try market(), price: price, time: time)
        case "index":
            let price = try decimal("price")
            guard price.isPositive else { throw FieldError(field: "price", reason: "must be greater than zero") }
            var rate: Fixed? = nil
            if text("funding_rate") != nil {
                let value = try decimal("funding_rate", onGrid: false)
                guard IndexUpdate.isPlausible(fundingRate: value) else {
                    throw FieldError(field: "funding_rate", reason: "must be between -1 and 1 (a fraction a period: 0.0001 is 0.01 %)")
                }
                rate = value
            }
            var next: Int64? = nil
            if let nextText = text("next_funding_time") {
                switch EventTime.plausibleNanoseconds(nextText) {
                case .success(let value): next = value
                case .failure(let refusal): throw FieldError(field: "next_funding_time", reason: refusal.reason)
                }
            }
            var openInterest: Fixed? = nil
            if text("open_interest") != nil {
                let value = try decimal("open_interest")
                guard !value.isNegative else { throw FieldError(field: "open_interest", reason: "must not be negative") }
                openInterest = value
            }
            return .index(IndexUpdate(symbol: try market(), price: price, fundingRate: rate, nextFundingTime: next,
                openInterest: openInterest, time: time))
        case "trade":
            return .trade(symbol: try market(), price: try units("price"), size: try units("size"), time: time)
        case "liquidation":
            let sideText = try required("side").lowercased()
            guard let side = Side.allCases.first(where: { $0.label == sideText }) else {
                throw FieldError(field: "side", reason: "the liquidated position's side: long or short")
            }
            let price = try decimal("price")
            guard price.isPositive else { throw FieldError(field: "price", reason: "must be greater than zero") }
            // A negative size was counted, and its notional added to the exchange's liquidations.
            let size = try decimal("size")
            guard size.isPositive else { throw FieldError(field: "size", reason: "must be greater than zero") }
            return .exchangeLiquidation(ExchangeLiquidation(symbol: try market(), side: side, price: price, quantity: size, time: time))
        case "book":
            let symbol = try market()
            let isSnapshot = try Self.isSnapshot(value["snapshot"])
            func levels(_ name: String) throws(FieldError) -> [(price: Int64, size: Int64)] {
                // A side left out changes nothing in an update; a snapshot states both (`[]` for an
                // empty side): read as empty, a line without them wiped the book unreported.
                guard let field = value[name] else {
                    if isSnapshot { throw FieldError(field: name, reason: "missing: a snapshot states both sides ([] for an empty one)") }
                    return []
                }
                guard let list = field.arrayValue else { throw FieldError(field: name, reason: "expected [[price, size], ...]") }
                var result: [(price: Int64, size: Int64)] = []
                for (place, entry) in list.enumerated() {
                    guard let pair = entry.arrayValue, pair.count == 2 else { throw FieldError(field: name, reason: "expected [[price, size], ...]") }
                    // What is wrong with the level, as a trade's figures say it (every bad number
                    // read only "expected [[price, size], ...]": attacker trial).
                    func figure(_ index: Int, _ what: String) throws(FieldError) -> Int64 {
                        guard let text = pair[index].scalarText else {
                            throw FieldError(field: name, reason: "level \(place + 1): its \(what) is not a number or a string")
                        }
                        guard let value = BookUnits.parse(text) else {
                            let shown = SafeText.escaped(String(text.prefix(40)))
                            let why = DecimalText.isDecimalSyntax(text) ? "is too large or has more than 8 decimal places" : "is not a decimal number"
                            throw FieldError(field: name, reason: "level \(place + 1): its \(what) '\(shown)' \(why)")
                        }
                        return value
                    }
                    let price = try figure(0, "price")
                    let size = try figure(1, "size")
                    // Said as a trade's are (it read only "expected [[price, size], ...]").
                    guard price > 0 else { throw FieldError(field: name, reason: "level \(place + 1): its price must be greater than zero") }
                    guard size >= 0 else { throw FieldError(field: name, reason: "level \(place + 1): its size must not be negative (0 removes the level)") }
                    result.append((price, size))
                }
                return result
            }
            let bids = try levels("bids")
            let asks = try levels("asks")
            // A feed that shows only the top of the book (`"shown_levels": 20`): a side of that many
            // levels goes on beyond them, unseen. A count, said of a snapshot (an update keeps its
            // snapshot's): a list or an object was passed over, the book read whole (attacker trial).
            var shownLevels = 0
            if let shown = value["shown_levels"] {
                guard isSnapshot else { throw FieldError(field: "shown_levels", reason: "said of a snapshot only (an update keeps its snapshot's)") }
                guard let count = shown.scalarText.flatMap({ Int($0) }), count >= 1, count <= 1_000_000 else {
                    throw FieldError(field: "shown_levels", reason: "expected a count of levels from 1 to 1000000")
                }
                shownLevels = count
            }
            if !isSnapshot {
                let changes = bids.map { LevelChange(side: .bid, price: $0.price, size: $0.size) }
                    + asks.map { LevelChange(side: .ask, price: $0.price, size: $0.size) }
                return .bookUpdate(symbol: symbol, changes: changes, time: time)
            }
            return .bookSnapshot(symbol: symbol, bids: bids, asks: asks, time: time, shownLevels: shownLevels)
        default:
            throw FieldError(field: "type", reason: "unknown type '\(type)'")
        }
    }
}
