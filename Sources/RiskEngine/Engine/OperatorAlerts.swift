
/// Something the operator must be told even when not looking at the screen: a signal that reached
/// ALERT, a book that can no longer be trusted, a feed that fell silent or lost its connection, a
/// recording that stopped (a full disk). The dashboard rings the bell and retitles the window for
/// it; `--alert-log` and `--on-alert` hand it on, headless too.
public struct OperatorAlert: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case signal
        case staleBook = "stale_book"
        /// A market's mark too old to liquidate on, its book fresh (`LiquidationBlock.outdatedMark`).
        case markOutdated = "mark_outdated"
        /// A market's book changed again after an hour and more without a change, positions held
        /// there (`MarketCondition.Kind.resumed`).
        case marketResumed = "market_resumed"
        case staleFeed = "stale_feed"
        case connectionLost = "connection_lost"
        case recordingStopped = "recording_stopped"
        /// An insurance fund's drawdown reached its alert band, a deficit exhausted it, or ADL
        /// began (`FundAlert`).
        case fund
    }

    /// Session time (event time in a replay, the wall clock live), ns since the epoch.
    public var time: Int64
    public var kind: Kind
    public var market: String?
    public var signal: SignalKind?
    public var value: Double?
    /// What it says, for a person.
    public var message: String
    /// Places the value is written with: a coin's money needs eight (a stressed deficit of
    /// 0.00003 BTC written with four read 0.0000).
    public var valueDecimals = 4
    /// A stressed deficit's quantity the book cannot fill, with its unit (`1.000 BTC`): at ALERT
    /// with no money short the value is 0, and the alerts view said a bare `ADL` (trial).
    public var unfilled: String? = nil
    /// The value is a floor: the book past the levels a top-of-book feed shows is not known.
    public var atLeast = false
    /// A stressed deficit past what the fund holds with nothing unfilled: ADL follows.
    public var passesFund = false
    /// A feed alert's stream, whole (`binance-usdm 2/4`: read off the message up to its first space,
    /// every Binance connection was `binance-usdm`: review).
    public var stream: String? = nil
    /// The engine's fund alert this tells: its fund, what it reached, the balance exact.
    public var fundAlert: FundAlert? = nil
    /// Why a book cannot be trusted, in words (`no snapshot yet`): the alerts view said `book
    /// stale` where the report said why (operator trial).
    public var cause: String? = nil

    public init(time: Int64, kind: Kind, market: String? = nil, signal: SignalKind? = nil, value: Double? = nil, message: String) {
        self.time = time
        self.kind = kind
        self.market = market
        self.signal = signal
        self.value = value
        self.message = message
    }

    /// One JSON object on one line: what the alert log stores and the hook reads on its standard
    /// input. Every string is escaped (a feed's name can hold anything).
    public var jsonLine: String {
        var fields = [("time", Self.quoted(EventTime.iso8601(time))), ("time_ns", String(time)), ("kind", Self.quoted(kind.rawValue)),
                      ("level", Self.quoted("alert"))]
        if let market { fields.append(("market", Self.quoted(market))) }
        if let signal { fields.append(("signal", Self.quoted(signal.rawValue))) }
        if let value, value.isFinite { fields.append(("value", Self.number(Fixed(approximating: value), valueDecimals))) }
        // At ALERT with no money short the value is 0: the quantity is what says it (a script
        // filtering on the value read 0 for the gravest alert: operator trial).
        if let unfilled { fields.append(("unfilled", Self.quoted(unfilled))) }
        if atLeast { fields.append(("at_least", "true")) }
        if passesFund { fields.append(("adl_follows", "true")) }
        if let stream { fields.append(("stream", Self.quoted(stream))) }
        if let cause { fields.append(("cause", Self.quoted(cause))) }
        if let fundAlert {
            fields += [("fund", Self.quoted(fundAlert.fundName)), ("fund_alert", Self.quoted(fundAlert.kind.rawValue)),
                       ("balance", Self.number(fundAlert.balance, AssetPrecision.decimals(forAsset: fundAlert.asset))),
                       ("drawdown_pct", fundAlert.drawdownPercentText(places: 2)), ("asset", Self.quoted(fundAlert.asset))]
        }
        fields.append(("message", Self.quoted(message)))
        return "{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
    }

    static func quoted(_ text: String) -> String { SafeText.jsonQuoted(text) }

    /// A JSON number, or null for a figure that saturated (its text, `≥1.7…`, is no JSON number:
    /// the alert log's lines failed to parse; attacker trial).
    static func number(_ value: Fixed, _ decimals: Int) -> String { value.isSaturated ? "null" : value.formatted(decimals) }
}

/// The state of one live stream, as the watcher judges it.
public struct StreamCondition: Sendable, Equatable {
    public var name: String
    public var stale: Bool
    public var connected: Bool
    /// Messages arrive again (the stream is live): what ends an outage. Between a lost
    /// connection and the first message after it the stream goes back and forth between
    /// connecting and reconnecting, and each attempt is not a new outage.
    public var receiving: Bool

    public init(name: String, stale: Bool, connected: Bool, receiving: Bool) {
        self.name = name
        self.stale = stale
        self.connected = connected
        self.receiving = receiving
    }
}

/// Finds what is new since it last looked: signal alerts the log latched, books that went stale
/// and marks outdated as the engine found them, streams that fell silent or lost their
/// connection, a recording that stopped. A condition is told once when it starts, and again only
/// after it ended and started again.
///
/// A replay that jumps back does not repeat what it told: only alerts later than the latest one
/// already told of the same market and kind count as new (a seek back and forth listed the same
/// stale book once a seek: operator trial).
public struct AlertWatcher: Sendable {
    /// Which of a log's alerts are new: only those later than the latest told, or at its time and
    /// not told yet (one time's alerts arriving in two looks are all told, and none twice; a
    /// replay jumped back, its log rebuilt, tells none again).
    struct LatestTold: Sendable {
        private var time: Int64 = .min
        private var keys: Set<String> = []

        /// Whether the alert of `key` at `alertTime` is new; if so it counts as told.
        mutating func tell(_ key: String, at alertTime: Int64) -> Bool {
            if alertTime < time || (alertTime == time && keys.contains(key)) { return false }
            if alertTime > time {
                time = alertTime
                keys = []
            }
            keys.insert(key)
            return true
        }
    }

    private var seenAlertCount = 0
    private var seenFundAlertCount = 0
    private var seenConditionCount = 0
    /// Signal alerts by market and signal; fund alerts by fund and kind; books and marks by
    /// market and kind.
    private var signalsTold = LatestTold()
    private var fundsTold = LatestTold()
    private var conditionsTold = LatestTold()
    private var staleStreams: Set<String> = []
    private var disconnected: Set<String> = []
    private var recordingTold = false
    /// Every alert told, in order.
    public private(set) var told = 0

    public init() {}

    /// What the log holds that was not told yet, and the streams' and the recording's state now
    /// (`time`, the wall clock live). A book untrusted and a mark outdated are the engine's
    /// (`MarketCondition`), from the log as signal alerts are: told by the time the engine found
    /// them, whatever the pace of the looks.
    public mutating func newAlerts(
        log: SessionLog, streams: [StreamCondition] = [], recordingError: String? = nil, time: Int64
    ) -> [OperatorAlert] {
        var result: [OperatorAlert] = []
        for alert in Self.unseen(log.alerts, recorded: log.alertCount, seen: &seenAlertCount)
            where signalsTold.tell(alert.symbol + "|" + alert.signal.rawValue, at: alert.time) {
            // A spread with a side of the book empty has no value to give (its reading is the cap).
            var told = OperatorAlert(time: alert.time, kind: .signal, market: alert.symbol, signal: alert.signal,
                value: alert.sideMissing ? nil : alert.value,
                message: "\(alert.symbol) \(alert.signal.title) at ALERT" + Self.detail(of: alert))
            if alert.signal == .stressedDeficit, let asset = alert.asset {
                told.valueDecimals = max(told.valueDecimals, AssetPrecision.decimals(forAsset: asset))
            }
            if let quantity = alert.unfilledQuantity, quantity > 0 { told.unfilled = alert.unfilledText }
            told.atLeast = alert.pastShownLevels
            told.passesFund = alert.signal == .stressedDeficit && alert.passesFund
            result.append(told)
        }
        for alert in Self.unseen(log.fundAlerts, recorded: log.fundAlertCount, seen: &seenFundAlertCount)
            where fundsTold.tell(alert.venue + "|" + alert.asset + "|" + alert.kind.rawValue, at: alert.time) {
            var told = OperatorAlert(time: alert.time, kind: .fund, market: alert.symbol, message: alert.message)
            told.fundAlert = alert
            result.append(told)
        }
        // A replay jumped back holds the log as its checkpoint did: an episode told before is
        // not told again (`LatestTold`), one that begins later than the latest told is.
        for condition in Self.unseen(log.conditions, recorded: log.conditionCount, seen: &seenConditionCount)
            where conditionsTold.tell(condition.symbol + "|" + condition.kind.rawValue, at: condition.time) {
            result.append(Self.alert(of: condition))
        }
        for stream in streams {
            // One outage, one alert of each kind: each ends when messages arrive again, not when
            // a reconnection attempt starts (an attempt that fails would tell the outage again,
            // and page the operator once an attempt).
            if !stream.connected && !disconnected.contains(stream.name) {
                disconnected.insert(stream.name)
                var lost = OperatorAlert(time: time, kind: .connectionLost, message: "\(stream.name) lost its connection; reconnecting")
                lost.stream = stream.name
                result.append(lost)
            } else if stream.connected && stream.receiving {
                disconnected.remove(stream.name)
            }
            if stream.stale && !staleStreams.contains(stream.name) {
                staleStreams.insert(stream.name)
                var silent = OperatorAlert(time: time, kind: .staleFeed, message: "\(stream.name) is STALE: no market data received")
                silent.stream = stream.name
                result.append(silent)
            } else if !stream.stale && stream.receiving {
                staleStreams.remove(stream.name)
            }
        }
        if let recordingError, !recordingTold {
            recordingTold = true
            result.append(OperatorAlert(time: time, kind: .recordingStopped, message: "recording stopped: \(recordingError)"))
        }
        told += result.count
        // In time order (stably: one time's alerts in the order found): a look may find a signal
        // alert and a fund alert of an earlier second, which the log listed after it. A book back
        // after a gap goes first of its time: it explains what follows it (listed after the fund
        // exhausted and ADL began it caused: operator trial).
        if result.count > 1 {
            func rank(_ alert: OperatorAlert) -> Int { alert.kind == .marketResumed ? 0 : 1 }
            result = result.enumerated().sorted {
                ($0.element.time, rank($0.element), $0.offset) < ($1.element.time, rank($1.element), $1.offset)
            }.map(\.element)
        }
        return result
    }

    /// The records of one of the log's lists not looked at yet: `recorded` were ever recorded,
    /// `kept` holds the newest, `seen` of them were looked at (a log restored from an earlier
    /// checkpoint has fewer: looked at from there).
    static func unseen<Record>(_ kept: RingBuffer<Record>, recorded: Int, seen: inout Int) -> RingBuffer<Record>.SubSequence {
        seen = min(seen, recorded)
        let fresh = min(recorded - seen, kept.count)
        seen = recorded
        return kept.suffix(fresh)
    }

    /// A book untrusted or a mark outdated, in words.
    static func alert(of condition: MarketCondition) -> OperatorAlert {
        let market = condition.symbol
        switch condition.kind {
        case .staleBook:
            // Every cause in words: an outdated book (no change for longer than the engine
            // trusts) read as "a gap, or no snapshot yet" (operator trial).
            var why = MarketState.staleReasonInWords(condition.reason)
            if let since = condition.since { why = "no change since \(EventTime.iso8601(since))" }
            var alert = OperatorAlert(time: condition.time, kind: .staleBook, market: market,
                message: "\(market) book cannot be trusted (\(why)): liquidations there wait until it can be")
            alert.cause = why
            return alert
        case .markOutdated:
            let since = condition.since.map { " (last given \(EventTime.iso8601($0)))" } ?? ""
            var alert = OperatorAlert(time: condition.time, kind: .markOutdated, market: market,
                message: "\(market) mark not given for longer than the engine trusts\(since): liquidations there, and of cross accounts with a position there, wait for its next mark")
            alert.cause = condition.since.map { "last given \(EventTime.iso8601($0))" }
            return alert
        case .resumed:
            let gap = condition.reason ?? "over an hour"
            var alert = OperatorAlert(time: condition.time, kind: .marketResumed, market: market,
                message: "\(market) book back after \(gap) without a change: its positions were stated against the book of then, and are liquidated against this one")
            alert.cause = gap
            return alert
        }
    }

    /// What the alert's value alone would misstate, said in words.
    static func detail(of alert: SessionLog.Alert) -> String {
        if alert.signal == .stressedDeficit, alert.unfilledQuantity != nil || alert.passesFund {
            return ": " + alert.figure(unit: alert.asset ?? "")
        }
        if alert.signal == .spread && alert.sideMissing { return ": a side of the book is empty" }
        if alert.pastShownLevels { return ": the book past the levels the feed shows is not known (the value is a floor)" }
        return ""
    }
}
