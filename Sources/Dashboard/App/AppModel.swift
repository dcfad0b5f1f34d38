import RiskEngine

/// What the status bar says about the session; filled by whoever drives the session.
public struct SessionStatus: Sendable {
    /// LIVE, REPLAY or DEMO.
    public var kind: String
    /// A live session: no pause, speed or jumps (a replay's keys), nothing to jump back to.
    public var isLive: Bool { kind == "LIVE" }
    public var source: String
    /// The session clock (event time, ns).
    public var time: Int64 = 0
    public var progress: Double?
    /// The session spans days (a replay of recordings days or years apart): the clock says the date.
    public var showsDate = false
    public var speed: String = "1x"
    public var paused = false
    public var finished = false
    /// Event-time age of the last message, ns.
    public var lastMessageAge: Int64?
    public var malformed = 0
    /// The newest malformed line, as the health view says it (`line 4 · price: 'abc' is not a
    /// decimal number · in events -`): the status bar counts them, and an operator had no way
    /// to see which line of which sender was wrong (review).
    public var lastMalformed: String?
    public var gaps = 0
    public var resyncs = 0
    /// Live sessions: every stream's health (empty for a replay or the demo).
    public var streams: [StreamStatus] = []
    /// Why `--record` stopped (a full disk), shown at once; monitoring goes on.
    public var recordingError: String?
    /// How alerts were handed on (`--alert-log`, `--on-alert`), for the health view.
    public var alertDelivery: String?
    /// Things the session tells the operator once (inputs far apart in time, a quiet stretch the
    /// replay skipped): how many so far, and the newest, shown in the footer when it is new.
    public var announcements = 0
    public var latestAnnouncement: String?

    public init(kind: String, source: String) {
        self.kind = kind
        self.source = source
    }
}

public enum PaneID: String, CaseIterable, Sendable {
    case markets = "Markets"
    case ladder = "Depth ladder"
    case signals = "Signals"
    case positions = "Positions"
    case fund = "Insurance fund"
    case tape = "Liquidation tape"
}

/// A line the operator is typing.
public struct Prompt: Sendable {
    public enum Purpose: Sendable { case filter, marketFilter, tapeFilter, jump, shock }
    public var purpose: Purpose
    public var text: String

    public var label: String {
        switch purpose {
        case .filter: return "Filter positions (account or symbol): "
        case .marketFilter: return "Filter markets (symbol): "
        case .tapeFilter: return "Filter the tape (account or symbol): "
        // The date too: a session of several days needs it, and the prompt did not say it takes
        // one (operator trial).
        case .jump: return "Jump to [YYYY-MM-DD] HH:MM[:SS], or 50%: "
        case .shock: return "What-if: shock the mark by % (e.g. -5): "
        }
    }
}

public enum Mode: Sendable {
    case normal
    case help
    case health
    case detail(position: Int32)
    /// The typed shock, and beside it the standard ladder of shocks for the same market.
    case whatIf(StressResult, ladder: [StressResult])
    case prompt(Prompt)
    /// Every alert of the session (`A`), the cursor on one.
    case alerts(cursor: Int)
    /// Enter on a tape row: the liquidation's book walk, how its remainder was covered, the account.
    case liquidation(TapeEntry)
}

/// What the dashboard asks of whoever runs the session.
public enum Effect: Equatable, Sendable {
    case quit
    case togglePause
    case step
    case faster
    case slower
    /// `]` / `[`: with `deficitsOnly` (the tape's `d` filter on), to a liquidation that left a
    /// deficit or sent quantity to ADL or the fund, not to any liquidation or alert.
    case nextNotable(deficitsOnly: Bool)
    case previousNotable(deficitsOnly: Bool)
    /// "23:56:10", "2024-08-08T23:56:10Z" or "50%": the runner parses it against the session.
    case jump(String)
    /// To the moment an alert was told (event time, ns): just after the first event at that time,
    /// where the signals were sampled. A jump to its millisecond applied every event of it, and
    /// the screen disagreed with the alert it was opened from (`ADL 2.815 BTC` beside an alert of
    /// 2.558: operator trial).
    case jumpToAlert(Int64)
    /// New alerts: ring the bell, hand them to the alert log and the hook.
    case told([OperatorAlert])
}

public enum Msg: Sendable {
    case key(Key)
    case mouse(MouseEvent)
    case resize(width: Int, height: Int)
    /// The engine and the session moved on.
    case session(engine: Engine, log: SessionLog, status: SessionStatus)
}

/// The whole UI state, with no terminal: `update` takes a message, `render` draws into a buffer.
public struct AppModel: Sendable {
    public static let minimumWidth = 80
    public static let minimumHeight = 24

    public private(set) var width: Int
    public private(set) var height: Int
    public internal(set) var mode: Mode = .normal
    /// The liquidation a position's view was opened from (Enter in a liquidation's view): Esc
    /// goes back to it. Nil: opened from the positions pane.
    var detailOpenedFrom: TapeEntry? = nil
    public internal(set) var focus: PaneID = .positions
    public private(set) var engine: Engine
    public private(set) var log: SessionLog
    public private(set) var status: SessionStatus
    public private(set) var table = PositionTable()
    /// Every market, a row each (the markets pane), and how the operator sorts and filters them.
    public private(set) var markets = MarketTable()
    /// Markets by the names narrow columns give them.
    public private(set) var marketNames = MarketNames()
    public private(set) var visibleMarkets: [MarketRow] = []
    /// The markets pane's columns measured over every listed market when they were listed (see
    /// `MarketsPane.page`): once a rebuild, not once a frame.
    var marketColumnMeasure = MarketColumnMeasure()
    /// A measure of them under way in slices (`measureMarketColumns`).
    var marketMeasurePass: MarketMeasurePass?
    /// The markets were listed again during that pass: another follows it.
    var marketMeasureAgain = false
    public private(set) var marketSortColumn: MarketColumn = .risk
    public private(set) var marketSortDescending = false
    public private(set) var marketFilter = ""
    public internal(set) var marketCursor = 0
    /// The market the operator chose (Enter in the markets pane, or `--symbol`); nil: the
    /// market with the most monitored risk.
    public private(set) var chosenSymbol: String? {
        didSet { chosenOnCommandLine = false }
    }
    /// Whether `chosenSymbol` is `--symbol`'s (not a market chosen in the session): the footer
    /// says which when the market is not in the engine (after a seek back to before it appeared,
    /// it blamed `--symbol`, which the operator never gave; operator trial).
    var chosenOnCommandLine = false
    public internal(set) var sortColumn: PositionColumn = .risk
    public private(set) var sortDescending = false
    public private(set) var filter = ""
    public internal(set) var cursor = 0
    /// The tape's selected row, newest first. It stays on its liquidation while newer ones arrive
    /// (unless it is on the newest, which it follows).
    public internal(set) var tapeCursor = 0
    /// The position's view a jump's prompt was opened from: shown again once the prompt closes.
    var viewUnderPrompt: Mode? = nil

    /// The mode a closing prompt leaves: the view it was opened from (a jump from a position's
    /// view), else the dashboard.
    mutating func afterPrompt(_ prompt: Prompt) -> Mode {
        defer { viewUnderPrompt = nil }
        guard prompt.purpose == .jump, let view = viewUnderPrompt else { return .normal }
        return view
    }

    /// Which of the tape's lines it shows (`/` on the tape, `d`).
    var tapeFilter = TapeFilter()
    /// The log's tape lines (simulated and exchange) when the session was last given, and the
    /// line under the cursor then (nil on the newest, which the cursor follows). Kept here: the
    /// run loop hands the session over while the model is detached (`detachSession`), so the log
    /// it held before is an empty one, and the cursor was pushed down by every line of the
    /// session at each turn, to the oldest.
    var tapeLinesSeen = 0
    var tapeSelection: TapeEntry? = nil
    /// The line under the cursor when the tape's filter prompt opened: as the filter is typed the
    /// cursor stays on it while it matches (confirming a filter sent it to the first row, though
    /// it matched: operator trial).
    var tapeSelectionBeforePrompt: TapeEntry? = nil
    /// A jump's landing the tape's cursor is to go to (`followTape(toLandingAt:)`).
    var pendingTapeLanding: Int64? = nil
    /// A typed jump landed: at the session's hand-over a chosen market that has ended there gives
    /// way to the riskiest live one (`noteTypedJump`).
    var pendingTypedJump = false
    /// The first line of the what-if's list of liquidations on screen.
    public private(set) var whatIfScroll = 0
    /// The what-if list laid out over all its rows (`WhatIfPane.listLayout`), once a projection.
    var whatIfLayout: WhatIfListLayout?
    /// The first line the position view shows (it scrolls: see `DetailPane`).
    public private(set) var detailScroll = 0
    public private(set) var ladderGroupingIndex = 0
    public private(set) var themes: [Theme]
    public private(set) var themeIndex = 0
    /// Every alert told this session, and how many the operator has seen.
    public private(set) var alertBook = AlertBook()
    /// Each fund's balance once a second of session time, for its chart (by index in
    /// `Engine.funds`: every venue's own).
    public private(set) var fundHistories: [Int32: TimedHistory] = [:]
    /// The chart of the fund the pane shows (`FundPane.shownFund`).
    /// When the fund moved since the last sample, a last point for the time since (its lowest, as
    /// every point's): paused mid-second (or
    /// stepped), the chart and its range lagged the balance line beside it (trial).
    /// Its last point is always the balance now: each point is the lowest since the one before,
    /// so after a jump forward the chart ended on the jump's low (`▁█ 2,256–2,260` beside a
    /// balance of 9,814.24 at the end: operator trial).
    public var fundHistory: [Double] {
        guard let index = FundPane.shownFund(self), var history = fundHistories[index]?.values, !history.isEmpty else { return [] }
        if let now = lowestSinceSample(index) { history.append(now.approximateDouble) }
        if engine.funds.indices.contains(Int(index)) {
            let balance = engine.funds[Int(index)].balance.approximateDouble
            if history.last != balance { history.append(balance) }
        }
        return history
    }
    /// Margin-ratio history of every position shown in the pane, a point each time the table is
    /// built (every two seconds of session time, twice a second in a cascade; bounded).
    public private(set) var ratioHistory: [Int32: TimedHistory] = [:]
    /// The liquidations and the session time when the list's live head was last read (see
    /// `refreshLiveHead`).
    var liveHeadLiquidations = -1
    var liveHeadTime: Int64 = .min
    /// The table's rows as the sort and filter give them, before the live head: each head is put
    /// before these, not before the last head (the list grew by a head at every turn).
    var windowRows: [PositionRow] = []
    var lastSampleSecond: Int64 = .min
    /// Counts the markets table's builds: a turn that wants one builds it once (see `sample`).
    var marketTableBuilds = 0
    /// Each fund's movements when the chart last sampled it, and the session time then.
    var fundSampled: [Int32: (movements: Int, time: Int64)] = [:]
    /// A short message for the operator (a bad jump, a what-if that could not run).
    public internal(set) var notice: String?
    /// The footer's line: the quit question while it stands, whatever notice came since (a notice
    /// that replaced it left a quit one key away unsaid: review; one every 50 ms, a refused
    /// position's, kept it from ever being answered: attacker trial), else the notice.
    public var footerNotice: String? { quitArmed ? AppModel.quitQuestion(keymap) : notice }

    /// What a live session's first quit key asks.
    static func quitQuestion(_ keymap: Keymap) -> String {
        "quit the live session? \(keymap.label(for: .quit)) again quits; any other key stays"
    }
    /// A live session's quit key was pressed once: the next press quits, any other key stays
    /// (one stray `q` ended a shift's session, its history and alerts with it: operator trial).
    /// A replay or the demo quits at once (it can be run again); Ctrl-C and the signals quit a live
    /// session at once too.
    var quitArmed = false
    /// Whether a what-if is projected by whoever runs the session, on its own thread (the
    /// dashboard), instead of at once: at a million positions a shock and its ladder take a
    /// second, which keys must not wait for. Tests and the snapshot builder project at once.
    public var projectsWhatIfInBackground = false
    /// A what-if asked for and not yet handed to the runner (`takeWhatIfRequest`).
    public private(set) var whatIfRequest: WhatIfRequest?
    /// The what-if being projected, whose result `deliverWhatIf` takes (an older one is dropped).
    public private(set) var awaitedWhatIf: Int?
    var whatIfRequests = 0
    var announcementsShown = 0
    /// Positions the engine refused (a hedge conflict, a leverage implying a margin past the money
    /// limit) whose notice has been shown: a position from an event stream refused mid-session
    /// was otherwise told only by the exit report.
    var rejectionsShown = 0
    /// Set by anything that changes what is drawn; the runner clears it after a frame.
    public var needsRedraw = true
    public let unicode: Bool
    /// The keys and what they do (the standard map, or config.toml's `[keys]` over it); the help
    /// and the footer are drawn from it.
    public let keymap: Keymap
    static let groupings: [Int64] = [1, 10, 100, 1000]
    /// Ctrl-U as the terminal delivers it: clears the line being typed.
    public static let clearLine: Character = "\u{15}"

    public init(width: Int, height: Int, status: SessionStatus, engine: Engine = Engine(), log: SessionLog = SessionLog(),
                themes: [Theme] = [.dark], unicode: Bool = true, symbol: String? = nil, keymap: Keymap = .standard) {
        self.chosenSymbol = symbol
        self.chosenOnCommandLine = symbol != nil
        self.keymap = keymap
        self.width = width
        self.height = height
        self.status = status
        self.engine = engine
        self.log = log
        self.tapeLinesSeen = log.simulatedCount + log.exchangeCount
        self.themes = themes.isEmpty ? [.dark] : themes
        self.unicode = unicode
        rebuildTable()
        refreshVisibleRows()
        rebuildMarkets()
        // What the session already holds is shown, not rung for.
        _ = alertBook.observe(engine: engine, log: log, status: status)
    }

    mutating func rebuildMarkets() {
        marketTableBuilds &+= 1
        marketNames.refresh(from: engine)
        markets.rebuild(from: engine, nearLiquidation: table.nearLiquidation, openPositions: table.openBySymbol)
        refreshVisibleMarkets()
    }

    /// The cursor stays on its market when the rows are sorted again (once a second, by risk):
    /// Enter must focus the market the operator is looking at.
    mutating func refreshVisibleMarkets(keepingCursor: Bool = true) {
        let under = keepingCursor && marketCursor < visibleMarkets.count ? visibleMarkets[marketCursor].symbol : nil
        visibleMarkets = markets.view(filter: marketFilter, column: marketSortColumn, descending: marketSortDescending)
        measureMarketColumns()
        if let under, let moved = visibleMarkets.firstIndex(where: { $0.symbol == under }) { marketCursor = moved }
        // Not worked by the operator, the pane shows its top, the riskiest: following the market
        // it had started on, a one-row pane at 80×24 showed the least risky market while another
        // was at ALERT (operator trial). `m` puts the cursor on the ladder's market again.
        if focus != .markets { marketCursor = 0 }
        marketCursor = min(marketCursor, max(0, visibleMarkets.count - 1))
    }

    /// The session has more than one market: the markets pane is on screen, and the tape and the
    /// positions say each line's market before anything else goes.
    public var showsMarkets: Bool { engine.markets.count > 1 }

    /// The panes Tab cycles through: the markets pane only when it is on screen.
    var focusablePanes: [PaneID] { PaneID.allCases.filter { $0 != .markets || showsMarkets } }

    /// How far from the mark, in ticks, the ladder can reach at this height and grouping: the
    /// liquidation clusters a windowed table collects (twice that, for the touch to move).
    var clusterReachTicks: Int64 { Int64(max(height, 24)) * ladderGrouping * 2 }

    /// The markets pane's columns measured over every listed market: at once for a few, else in
    /// slices over the run loop's turns (measuring 10,000 markets' cells takes about 60 ms, once
    /// a second of session time); the last measure stands meanwhile, and each frame measures the
    /// rows on screen too, so nothing is cut.
    mutating func measureMarketColumns() {
        if visibleMarkets.count <= AppModel.marketMeasureSlice {
            marketColumnMeasure = MarketsPane.measure(visibleMarkets, model: self)
            marketMeasurePass = nil
            marketMeasureAgain = false
        } else if marketMeasurePass != nil {
            // A pass under way finishes on the rows it began with, then another begins: started
            // again at every rebuild, a pass over 10,000 markets in a fast replay never finished,
            // and the columns stood at the first measure (review).
            marketMeasureAgain = true
        } else {
            marketMeasurePass = MarketMeasurePass(rows: visibleMarkets)
        }
    }

    /// Markets measured a turn, about 3 ms.
    static let marketMeasureSlice = 500

    /// Work left for the run loop's turns: a rebuild of a windowed table, a slice a turn; the
    /// markets pane's measure, a slice a turn.
    public var hasPendingWork: Bool { table.isRebuilding || marketMeasurePass != nil }

    /// Does one slice of the table's rebuild under way (a few milliseconds, `budget`), so the
    /// run loop answers keys and draws frames between slices; the rows change when it is done.
    public mutating func completePendingWork(budget: ScanBudget = .turn) {
        if var pass = marketMeasurePass {
            let end = budget.nanoseconds == .max && budget.positions == .max ? pass.rows.count : min(pass.rows.count, pass.next + AppModel.marketMeasureSlice)
            pass.measure.merge(MarketsPane.measure(Array(pass.rows[pass.next..<end]), model: self))
            pass.next = end
            if end == pass.rows.count {
                marketColumnMeasure = pass.measure
                marketMeasurePass = nil
                if marketMeasureAgain {
                    marketMeasureAgain = false
                    measureMarketColumns()
                }
            } else {
                marketMeasurePass = pass
            }
        }
        guard table.isRebuilding else { return }
        guard table.continueRebuild(with: engine, budget: budget) else { return }
        tableRebuilt()
        // A rebuild that began while the session ran counted positions that closed during its
        // pass: paused or at the end no session turn comes to ask for another (after a seek back
        // and a run to the end the title read 99,787 open positions of 99,751 for good), so the
        // table is built again at once from the engine as it stays.
        if (status.paused || status.finished) && (table.builtAt != engine.time || table.builtFromLiquidations != log.simulatedCount
            || table.builtAtRevision != engine.revision) {
            requestTableRebuild()
        }
    }

    /// Rebuilds the table at once (a few thousand positions cost milliseconds; at startup the
    /// table must have rows to show).
    mutating func rebuildTable() {
        table.rebuild(from: engine, liquidations: log.simulatedCount, column: sortColumn, descending: sortDescending,
            filter: filter, clusterReachTicks: clusterReachTicks)
    }

    /// Rebuilds the table: at once when it is small, else in slices over the next turns (a pass
    /// over a million positions costs 60–120 ms). Without `collectingClusters`, only the window is
    /// chosen again (another sort or filter), unless a rebuild that collects them is under way.
    mutating func requestTableRebuild(collectingClusters: Bool = true) {
        guard engine.positions.count > PositionTable.fullTableLimit else {
            rebuildTable()
            tableRebuilt()
            return
        }
        let collecting = collectingClusters || (table.scan?.request.collectingClusters ?? false)
        table.startRebuild(from: engine, liquidations: log.simulatedCount, column: sortColumn, descending: sortDescending,
            filter: filter, clusterReachTicks: clusterReachTicks, collectingClusters: collecting)
    }

    /// New rows: the view follows, and the margin-ratio history of the rows on screen grows.
    mutating func tableRebuilt() {
        refreshVisibleRows(rechoose: false)
        // The markets' near-liquidation and open counts are the table's: after a seek they were
        // the old table's until the next second of session time (never, while paused).
        rebuildMarkets()
        needsRedraw = true
        // Written out plainly: the optimiser of Swift 6.3 crashes on the one-expression form.
        var shown = Set<Int32>()
        for row in visibleRows.prefix(200) { shown.insert(row.index) }
        if case .detail(let position) = mode { shown.insert(position) }
        // An open position's ratio only: a closed one's history ends at its close (its last point,
        // a ratio of nothing, drew the risk falling to the bottom: operator trial).
        for row in table.rows where shown.contains(row.index) && Int(row.index) < engine.positions.count && engine.positions[Int(row.index)].isOpen {
            var history = ratioHistory[row.index] ?? TimedHistory(limit: 300)
            history.append(row.ratio ?? 1, at: engine.time)
            ratioHistory[row.index] = history
        }
        if ratioHistory.count > 2_000 { ratioHistory = ratioHistory.filter { shown.contains($0.key) } }
    }

    /// Holds the session's engine and log while the model handles keys and renders. The run loop
    /// attaches them before and detaches them after: a copy held while the session runs would
    /// make the session's next change copy every position (a hundred megabytes at a million).
    public mutating func attach(engine newEngine: Engine, log newLog: SessionLog) {
        engine = newEngine
        log = newLog
    }

    public mutating func detachSession() {
        engine = AppModel.detachedEngine
        log = AppModel.detachedLog
    }

    static let detachedEngine = Engine()
    static let detachedLog = SessionLog()

    public var theme: Theme { themes[themeIndex] }
    /// Where the panes are at this size.
    var layout: Layout { Layout(width: width, height: height, markets: showsMarkets ? engine.markets.count : 1) }

    /// The rows a page moves in the focused list: as many as it shows (a fixed ten moved a third
    /// of a 27-row positions pane at 200×60, and more than the whole of it at 80×24: operator trial).
    var pageRows: Int {
        let layout = self.layout
        switch focus {
        case .markets: return Self.listRows(in: layout.markets ?? layout.positions)
        case .tape: return Self.listRows(in: layout.tape)
        default: return Self.listRows(in: layout.positions)
        }
    }

    /// A list's rows inside its box, under its header line (at least one).
    static func listRows(in rect: Rect) -> Int { max(1, rect.height - 3) }
    public var isTooSmall: Bool { width < AppModel.minimumWidth || height < AppModel.minimumHeight }
    public var ladderGrouping: Int64 { AppModel.groupings[ladderGroupingIndex] }
    public var unacknowledgedAlerts: Int { alertBook.unseen }

    /// The session's time for the alerts: in a replay jumped back, alerts later than it were told
    /// on the way to a later time and have not happened again yet (the status bar named one as
    /// the last while the panes showed the calm before it: operator trial). Nil live, where every
    /// alert has happened.
    var alertsSessionTime: Int64? {
        status.isLive ? nil : max(engine.time, status.time)
    }

    /// The terminal title: the unseen alerts and the STALE state, so a tab or tmux window shows them.
    public var windowTitle: String {
        alertBook.windowTitle(stale: engine.hasStaleMarket || !status.staleStreams.isEmpty, at: alertsSessionTime)
    }

    /// The market the ladder, the signals and the what-if are about: the one the operator chose
    /// (when the session has it), else the one with the most monitored risk (see `MarketTable`).
    public var focusedSymbol: String? {
        if let chosenSymbol, engine.market(chosenSymbol) != nil { return chosenSymbol }
        return markets.riskiest ?? engine.markets.first(where: { !$0.book.bids.isEmpty || !$0.book.asks.isEmpty })?.symbol
            ?? engine.markets.first?.symbol
    }

    /// The positions pane's rows, filtered and sorted: rebuilt when the table, the sort or the
    /// filter changes, never per frame (sorting 10,000 rows costs milliseconds).
    public private(set) var visibleRows: [PositionRow] = []

    /// A windowed table asked for other positions (another sort or filter): the key is answered
    /// at once with the window it has, sorted and filtered, and the window is chosen again over
    /// every position in slices over the next turns (`completePendingWork`): a pass over a
    /// million positions costs tens of milliseconds, more than a frame.
    public var pendingWindowChoice: Bool {
        table.isRebuilding && table.needsRebuild(column: sortColumn, descending: sortDescending, filter: filter)
    }

    /// `rechoose`: a windowed table is to be chosen again when the sort or filter asks for other
    /// positions (not while a filter is being typed: that filters the window, and Enter chooses).
    mutating func refreshVisibleRows(rechoose: Bool = true) {
        if rechoose && table.needsRebuild(column: sortColumn, descending: sortDescending, filter: filter)
            && !table.isRebuilding(column: sortColumn, descending: sortDescending, filter: filter) {
            requestTableRebuild(collectingClusters: false)
        }
        // The cursor follows its position into the new rows (a table chosen again after a jump
        // in time, or sorted again), except on the first row, which watches the riskiest now: it
        // stayed on its row number, on another position (operator trial).
        let selected = cursor > 0 && cursor < visibleRows.count ? visibleRows[cursor].index : nil
        windowRows = table.view(filter: filter, column: sortColumn, descending: sortDescending)
        visibleRows = windowRows
        if let selected, let moved = visibleRows.firstIndex(where: { $0.index == selected }) { cursor = moved }
        cursor = min(cursor, max(0, visibleRows.count - 1))
        refreshLiveHead()
    }

    /// How many of the riskiest positions the list reads live from the engine, and how often
    /// without liquidations (marks move the markets' positions against each other).
    static let liveHeadSize = 100
    static let liveHeadInterval: Int64 = 250_000_000

    /// Whether the list's head is read live from the engine: a window over more positions than
    /// the table holds, in the risk order, unfiltered.
    var readsLiveHead: Bool { table.windowed && sortColumn == .risk && !sortDescending && filter.isEmpty }

    /// The head of the list in the risk order, read from the engine's trigger index as it is now
    /// (`Engine.riskiestOpenPositions`), the window's other rows after it. At a million positions
    /// the window is chosen again every half second in a pass of tens of milliseconds; in a
    /// cascade at 1x its riskiest thousand closed within that, and "riskiest first" showed closed
    /// positions, the ones about to go unseen until the next pass. Closed rows sink below the
    /// open ones after it, whether or not the list has a live head.
    mutating func refreshLiveHead() {
        defer { sinkClosedRows() }
        liveHeadLiquidations = log.simulatedCount
        liveHeadTime = engine.time
        guard readsLiveHead else { return }
        let leading = engine.riskiestOpenPositions(count: AppModel.liveHeadSize)
        guard !leading.isEmpty else { return }
        let engine = self.engine
        // The cursor follows its position while it is open (as `sinkClosedRows` keeps it), except
        // on the first row: there the operator watches whichever is the riskiest now (following
        // it below the head, the pane scrolled down to the window's closed rows in a cascade).
        let selected = cursor > 0 && cursor < visibleRows.count && PositionTable.isOpen(visibleRows[cursor], in: engine)
            ? visibleRows[cursor].index : nil
        let inHead = Set(leading)
        var lights: [Int32: ADLQueueEntry] = [:]
        for row in windowRows where inHead.contains(row.index) { lights[row.index] = row.adl }
        // A head row the window holds keeps its lights; another gets them from the window's
        // samples of its side (it showed "—" until the window held it).
        let head = leading.map { PositionTable.row(of: $0, in: engine, adl: lights[$0] ?? table.adlEstimate(of: $0, in: engine)) }
        visibleRows = head + windowRows.filter { !inHead.contains($0.index) }
        if let selected, let moved = visibleRows.firstIndex(where: { $0.index == selected }) { cursor = moved }
        cursor = min(cursor, max(0, visibleRows.count - 1))
    }

    /// Rows whose position has closed since the table was built (liquidated, or closed by its
    /// account) go after the open ones, in their order, the cursor staying on its open position. In a
    /// cascade the riskiest rows are the next to be liquidated: at a million positions a window
    /// was chosen again every half second and its top rows were closed by the time it showed, so
    /// "riskiest first" showed a page of closed positions and hid the open ones behind them.
    mutating func sinkClosedRows() {
        let engine = self.engine
        func isOpen(_ row: PositionRow) -> Bool { PositionTable.isOpen(row, in: engine) }
        guard let firstClosed = visibleRows.firstIndex(where: { !isOpen($0) }),
              visibleRows[firstClosed...].contains(where: isOpen)
        else { return }
        // The cursor follows its position while it is open; on a row that closed it stays where
        // it is (following the closed row to the end of the list left the operator at the safest
        // positions, the cascade out of sight).
        let selected = cursor < visibleRows.count && isOpen(visibleRows[cursor]) ? visibleRows[cursor].index : nil
        var open: [PositionRow] = Array(visibleRows[..<firstClosed])
        var closed: [PositionRow] = []
        for row in visibleRows[firstClosed...] {
            if isOpen(row) { open.append(row) } else { closed.append(row) }
        }
        visibleRows = open + closed
        if let selected, let moved = visibleRows.firstIndex(where: { $0.index == selected }) { cursor = moved }
    }

    // MARK: Update

    public mutating func update(_ message: Msg) -> [Effect] {
        switch message {
        case .resize(let newWidth, let newHeight):
            width = max(0, newWidth)
            height = max(0, newHeight)
            needsRedraw = true
            return []
        case .session(let newEngine, let newLog, let newStatus):
            engine = newEngine
            log = newLog
            dropRowsOfPositionsNotPlaced()
            let newlyMatched = tapeFilter.refresh(log)
            keepTapeCursor(newlyMatched: newlyMatched)
            if log.simulatedCount != liveHeadLiquidations || engine.time &- liveHeadTime >= AppModel.liveHeadInterval
                || engine.time < liveHeadTime {
                refreshLiveHead()
            } else {
                sinkClosedRows()
            }
            status = newStatus
            sample()
            needsRedraw = true
            if status.announcements > announcementsShown, let text = status.latestAnnouncement {
                announcementsShown = status.announcements
                notice = text
            }
            // Fewer after a seek back (the log restored from a checkpoint): shown again from there.
            if log.rejectedPositions < rejectionsShown { rejectionsShown = log.rejectedPositions }
            if log.rejectedPositions > rejectionsShown, let last = log.rejections.last {
                rejectionsShown = log.rejectedPositions
                let count = log.rejectedPositions == 1 ? "" : " (\(Format.count(log.rejectedPositions)) so far)"
                notice = SafeText.escaped("position refused\(count): \(last.account) \(last.symbol): \(last.reason)")
            }
            let fresh = alertBook.observe(engine: engine, log: log, status: status)
            return fresh.isEmpty ? [] : [.told(fresh)]
        case .key(let key):
            needsRedraw = true
            let effects = handle(key)
            noteTapeSelection()
            return effects
        case .mouse(let event):
            needsRedraw = true
            let effects = handle(event)
            noteTapeSelection()
            return effects
        }
    }

    /// After a seek back to before some positions were placed (an events file's, a positions
    /// file's at the first mark), the engine holds fewer positions than the rows name: those rows
    /// go and the table is chosen again, and a view of such a position closes. Drawn from the
    /// engine, a row past its positions trapped (a test's seek back found it).
    mutating func dropRowsOfPositionsNotPlaced() {
        let count = engine.positions.count
        func placed(_ row: PositionRow) -> Bool { Int(row.index) < count }
        if case .detail(let position) = mode, Int(position) >= count {
            mode = .normal
            detailOpenedFrom = nil
        }
        guard !visibleRows.allSatisfy(placed) || !windowRows.allSatisfy(placed) || !table.rows.allSatisfy(placed) else { return }
        visibleRows.removeAll { !placed($0) }
        windowRows.removeAll { !placed($0) }
        // The table's own rows too: a rebuild in slices (past 5,000 positions) leaves them until it
        // is done, and a sort or a filter meanwhile refills the view from them (review).
        table.rows.removeAll { !placed($0) }
        cursor = min(cursor, max(0, visibleRows.count - 1))
        requestTableRebuild()
    }

    /// Newer liquidations push the tape's rows down: the cursor moves with its row, so Enter opens
    /// the liquidation the operator is looking at. Filtered, only the new lines the filter shows
    /// push it (`newlyMatched`). After a jump back the cursor finds its liquidation again where
    /// the tape now has it (it went to the tape's top, or with lines the jump had taken away
    /// counted as new, to its oldest line: operator trial); one the jump went back before is
    /// gone, and the cursor goes to the newest.
    mutating func keepTapeCursor(newlyMatched: Int) {
        let now = log.simulatedCount + log.exchangeCount
        if now < tapeLinesSeen {
            refindTapeSelection()
        } else if tapeCursor > 0 {
            tapeCursor += tapeFilter.isActive ? newlyMatched : now - tapeLinesSeen
        }
        tapeLinesSeen = now
        tapeCursor = min(tapeCursor, max(0, tapeCount - 1))
        resolveTapeLanding()
        noteTapeSelection()
    }

    /// After the tape's filter changed (Esc, `d`): the cursor on the line it was on, where that
    /// line is still shown (Esc sent it to the top, away from the liquidation being read:
    /// operator trial); else on the newest.
    mutating func refindTapeSelection(_ selection: TapeEntry? = nil) {
        tapeCursor = (selection ?? tapeSelection).flatMap { tapeWindow(offset: 0, length: tapeCount).firstIndex(of: $0) } ?? 0
    }

    /// A replay's `]` or `[` stopped the session at `time`: the landing's liquidation is the
    /// tape's newest line, and the cursor goes there (it stayed on a row of the cascade, and Enter
    /// opened that one, not the liquidation the footer named: operator trial). Only when the tape
    /// shows a line of that time: a landing on an alert alone, or on a liquidation the tape's
    /// filter hides, leaves the cursor where it was (review). The reply comes while the model is
    /// detached: the landing is looked at when the session that landed is handed over
    /// (`keepTapeCursor`).
    public mutating func followTape(toLandingAt time: Int64) {
        pendingTapeLanding = time
    }

    /// A typed jump (`:` a time or a share) landed. At the hand-over, a market chosen before that
    /// has ended there (its book unchanged for an hour of session time) gives way to the default
    /// focus, the riskiest market whose book is live: after `]` on a BTCUSDT alert and `:100%`, the
    /// end of a four-venue replay showed `Ladder BTCUSDT · STALE` while Hyperliquid's BTC, the one
    /// live market, was third in the list (operator trial). As `]` and `[` do (`resolveTapeLanding`).
    public mutating func noteTypedJump() { pendingTypedJump = true }

    /// See `noteTypedJump`.
    mutating func resolveTypedJump() {
        guard pendingTypedJump else { return }
        pendingTypedJump = false
        guard let chosen = chosenSymbol, let index = engine.marketIndex(of: chosen), engine.isEnded(market: index) else { return }
        let live = engine.markets.indices.contains { engine.markets[$0].lastBookTime != .min && !engine.isEnded(market: $0) }
        if live { chosenSymbol = nil }
    }

    /// At the session's hand-over after a jump: the cursor on the landing's line where the tape
    /// shows one, else where it was.
    mutating func resolveTapeLanding() {
        resolveTypedJump()
        guard let time = pendingTapeLanding else { return }
        pendingTapeLanding = nil
        // The landing's market is focused, where it is one market.
        if let market = JumpLanding.market(at: time, log: log), market != focusedSymbol, engine.market(market) != nil {
            chosenSymbol = market
        } else if let focused = focusedSymbol, let index = engine.marketIndex(of: focused), engine.isEnded(market: index),
                  let busiest = JumpLanding.busiestMarket(at: time, log: log), busiest != focused, engine.market(busiest) != nil {
            // A landing on several markets while the one focused has ended (a recording of years
            // before): its busiest market is focused (the ladder read `UNI-USD-SWAP · STALE` and the
            // what-if `book outdated` beside a 2024 landing on BTCUSDT: operator trial).
            chosenSymbol = busiest
        }
        if let newest = tapeWindow(offset: 0, length: 1).first, newest.time == time {
            tapeCursor = 0
            tapeSelection = nil
        }
    }

    /// Remembers the line under the tape's cursor (see `tapeSelection`).
    mutating func noteTapeSelection() {
        tapeSelection = tapeCursor > 0 ? tapeWindow(offset: tapeCursor, length: 1).first : nil
    }

    /// How many lines the tape shows (through its filter, when one is set).
    public var tapeCount: Int { tapeFilter.isActive ? tapeFilter.count : TapeEntries.count(log) }

    /// `length` of the tape's lines from the `offset`-th newest on, as the tape shows them.
    public func tapeWindow(offset: Int, length: Int) -> [TapeEntry] {
        tapeFilter.isActive ? tapeFilter.window(log, offset: offset, length: length) : TapeEntries.window(log, offset: offset, length: length)
    }

    /// What the tape's title says of its filter ("" with none).
    public var tapeFilterLabel: String { tapeFilter.label }

    /// One fund's point of its chart: the lowest balance since the last sample, not the balance
    /// now. A cascade that drains the fund and a fee that refills it within one sample (a second,
    /// or many at max speed) must still show as a dip.
    private mutating func sampleFund(_ index: Int32) {
        let fund = engine.funds[Int(index)]
        let lowest = lowestSinceSample(index) ?? fund.balance
        fundSampled[index] = (fund.entryCount, engine.time)
        var history = fundHistories[index] ?? TimedHistory(limit: 600)
        history.append(lowest.approximateDouble, at: engine.time)
        fundHistories[index] = history
    }

    /// The lowest balance of a fund since its last sample, nil when it has not moved since. A fund
    /// not sampled before (new, or after a jump back): its movements only.
    func lowestSinceSample(_ index: Int32) -> Fixed? {
        guard engine.funds.indices.contains(Int(index)) else { return nil }
        let fund = engine.funds[Int(index)]
        let last = fundSampled[index]
        let moved = fund.entryCount - (last?.movements ?? 0)
        guard moved > 0 else { return nil }
        return fund.lowestOfLast(moved, since: last?.time ?? .min).map { Fixed.minimum($0, fund.balance) } ?? fund.balance
    }

    /// Every fund's history once a second of session time; the positions table (valuing and
    /// walking every position costs milliseconds) every two seconds, and after liquidations at most
    /// twice a second, so the pane is live without costing a core.
    mutating func sample() {
        let second = engine.time / 1_000_000_000
        // The markets table once a turn: at a new second it was built here and again when the
        // positions table was rebuilt in the same turn (its counts), 2 × 12 ms with 5,000 markets
        // on the dashboard's thread; now built after the positions table, if that did not.
        let marketBuildsBefore = marketTableBuilds
        var marketsDue = false
        defer { if marketsDue && marketTableBuilds == marketBuildsBefore { rebuildMarkets() } }
        // A jump back, even within one second: a fund sampled later than the session's time now.
        let jumpedBack = (second < lastSampleSecond && lastSampleSecond != .min) || fundSampled.values.contains { $0.time > engine.time }
        if jumpedBack {
            // A jump back: samples from a later time would draw a history that never happened;
            // those up to the time landed on are the replay's own, and stay (they were all
            // dropped, and every jump back started the fund's chart again: operator trial).
            TimedHistory.dropPoints(after: engine.time, in: &fundHistories)
            TimedHistory.dropPoints(after: engine.time, in: &ratioHistory)
            fundSampled.removeAll()
            for index in engine.funds.indices where engine.funds[index].isInUse {
                let fund = engine.funds[index]
                // Sampled as of its last point kept: the next point is the lowest since, which the
                // engine, replayed to the time landed on, holds (a jump to the end and back to
                // 23:56:28 lost the drain to 0.05 at 23:56:25, the point that held it being the
                // end's: operator trial).
                if let kept = fundHistories[Int32(index)]?.times.last {
                    fundSampled[Int32(index)] = (fund.entryCount - fund.movements(after: kept), kept)
                } else {
                    fundSampled[Int32(index)] = (fund.entryCount, engine.time)
                }
            }
        }
        if second != lastSampleSecond {
            lastSampleSecond = second
            for index in engine.funds.indices where engine.funds[index].isInUse { sampleFund(Int32(index)) }
            marketsDue = true
        }
        let age = engine.time &- table.builtAt
        let liquidated = log.simulatedCount != table.builtFromLiquidations
        // Paused or at the end, the operator reads the table: its order must be the figures'
        // now, not those of up to two seconds of session before (a step, a seek, a short play;
        // a step within one millisecond moves the mark and not the time: the order stayed the
        // mark's before it, WHALE-6 at 95.8 % below 94.8 % under "margin ratio high→low").
        let still = (status.paused || status.finished) && (age != 0 || table.builtAtRevision != engine.revision)
        // An empty table while positions were placed since (an events file's, a microsecond
        // after the first book): chosen again at once, not two seconds of session later (at 0.1x
        // the pane said "no monitored positions" for 25 s beside a stressed deficit at ALERT:
        // attacker trial).
        let firstPlaced = table.rows.isEmpty && !table.windowed && engine.positions.count != table.builtPlaced
        guard age < 0 || age >= 2_000_000_000 || (liquidated && age >= 500_000_000) || still || firstPlaced else { return }
        // A rebuild under way finishes first (a jump back starts it again, see `TableScan`); one
        // that only chose the window again leaves the clusters as old as they were, so the next
        // event starts a full one.
        guard !table.isRebuilding else { return }
        requestTableRebuild()
    }

    mutating func handle(_ key: Key) -> [Effect] {
        notice = nil
        if case .prompt(var prompt) = mode {
            switch key {
            case .escape:
                mode = afterPrompt(prompt)
            case .enter:
                mode = afterPrompt(prompt)
                return submit(prompt)
            case .backspace:
                if !prompt.text.isEmpty { prompt.text.removeLast() }
                mode = .prompt(prompt)
                // The tape's filter follows the line as it is typed, a letter taken back too.
                if prompt.purpose == .tapeFilter { tapeFilter.setText(prompt.text, log: log); refindTapeSelection(tapeSelectionBeforePrompt) }
            case .character(AppModel.clearLine):
                // Ctrl-U, as in a shell: the whole line goes.
                prompt.text = ""
                mode = .prompt(prompt)
                if prompt.purpose == .filter { filter = ""; cursor = 0; refreshVisibleRows(rechoose: false) }
                if prompt.purpose == .marketFilter { marketFilter = ""; marketCursor = 0; refreshVisibleMarkets(keepingCursor: false) }
                if prompt.purpose == .tapeFilter { tapeFilter.setText("", log: log); refindTapeSelection(tapeSelectionBeforePrompt) }
            case .character(let character):
                // A line of at most 40; a key past that changes nothing, and filters nothing again
                // (a paste of 20,000 characters filtered 93,000 positions 20,000 times: attacker trial).
                guard prompt.text.count < 40 else { return [] }
                prompt.text.append(character)
                mode = .prompt(prompt)
                if prompt.purpose == .filter { filter = prompt.text; cursor = 0; refreshVisibleRows(rechoose: false) }
                if prompt.purpose == .marketFilter { marketFilter = prompt.text; marketCursor = 0; refreshVisibleMarkets(keepingCursor: false) }
                if prompt.purpose == .tapeFilter { tapeFilter.setText(prompt.text, log: log); refindTapeSelection(tapeSelectionBeforePrompt) }
            default:
                break
            }
            return []
        }
        let armed = quitArmed
        quitArmed = false
        guard let action = keymap.action(for: key) else { return [] }
        if action == .quit && status.isLive && !armed {
            quitArmed = true
            notice = AppModel.quitQuestion(keymap)
            return []
        }
        switch mode {
        case .help:
            if action == .help || action == .back { mode = .normal; return [] }
            if action == .quit { return [.quit] }
            return []
        case .health:
            if action == .health || action == .back { mode = .normal; return [] }
            if action == .quit { return [.quit] }
            return []
        case .whatIf:
            if action == .back || action == .whatIf { mode = .normal; return [] }
            if action == .quit { return [.quit] }
            scrollWhatIf(action)
            return []
        case .detail(let position):
            if action == .back {
                // Back where it was opened from: a liquidation's view (Esc there went straight to
                // the dashboard; operator trial), or the dashboard.
                mode = detailOpenedFrom.map { .liquidation($0) } ?? .normal
                detailOpenedFrom = nil
                return []
            }
            if action == .quit { return [.quit] }
            // The view scrolls; the list behind it keeps its cursor (the next Enter opens the
            // position the operator came from). Other keys (pause, speed, seek) act as ever.
            if scrollDetail(action, position: position) { return [] }
        case .liquidation(let entry):
            if action == .back { mode = .normal; return [] }
            if action == .quit { return [.quit] }
            // From the liquidation to the position it closed, as the position pane shows it.
            if action == .drillDown, case .simulated(let record) = entry, Int(record.position) < engine.positions.count {
                mode = .detail(position: record.position)
                detailOpenedFrom = entry
                detailScroll = 0
            }
            return []
        case .alerts(let cursor):
            return alertsViewKey(action, cursor: cursor)
        default:
            break
        }
        return perform(action)
    }

    mutating func perform(_ action: Action) -> [Effect] {
        switch action {
        case .help: mode = .help
        case .health: mode = .health
        case .quit: return [.quit]
        case .focusNext, .focusPrevious:
            let panes = focusablePanes
            let index = panes.firstIndex(of: focus) ?? 0
            focus = panes[(index + (action == .focusNext ? 1 : panes.count - 1)) % panes.count]
        case .focusMarkets:
            guard showsMarkets else { notice = "one market in this session: the ladder shows it"; break }
            focus = .markets
            // The cursor starts on the market the ladder shows.
            if let focused = focusedSymbol, let row = visibleMarkets.firstIndex(where: { $0.symbol == focused }) { marketCursor = row }
        case .moveUp: move(-1)
        case .moveDown: move(1)
        case .pageUp: move(-pageRows)
        case .pageDown: move(pageRows)
        case .top: move(-Int.max / 2)
        case .bottom: move(Int.max / 2)
        case .drillDown:
            if focus == .markets {
                // Enter on a market focuses it: the ladder, the signals and the what-if follow.
                if marketCursor < visibleMarkets.count { chosenSymbol = visibleMarkets[marketCursor].symbol }
            } else if focus == .positions, cursor < visibleRows.count {
                mode = .detail(position: visibleRows[cursor].index)
                detailOpenedFrom = nil
                detailScroll = 0
            } else if focus == .tape, let entry = tapeWindow(offset: tapeCursor, length: 1).first {
                mode = .liquidation(entry)
            }
        case .back:
            if focus == .markets {
                if !marketFilter.isEmpty { marketFilter = ""; marketCursor = 0; refreshVisibleMarkets(keepingCursor: false) }
            } else if focus == .tape {
                // The tape's whole filter goes: its text and deficits-only.
                if tapeFilter.isActive { tapeFilter = TapeFilter(); refindTapeSelection() }
            } else if !filter.isEmpty { filter = ""; cursor = 0; refreshVisibleRows() }
        case .filter:
            switch focus {
            case .markets: mode = .prompt(Prompt(purpose: .marketFilter, text: marketFilter))
            case .tape:
                tapeSelectionBeforePrompt = tapeSelection
                mode = .prompt(Prompt(purpose: .tapeFilter, text: tapeFilter.text))
            default: mode = .prompt(Prompt(purpose: .filter, text: filter))
            }
        case .tapeDeficitsOnly:
            tapeFilter.setDeficitsOnly(!tapeFilter.deficitsOnly, log: log)
            refindTapeSelection()
            notice = tapeFilter.deficitsOnly
                ? "tape: only liquidations that left a deficit or went to ADL (\(keymap.label(for: .tapeDeficitsOnly)) again: every one)"
                : "tape: every liquidation"
        case .nextSortColumn where focus == .markets:
            // Only the columns on screen, and the risk order, as the positions pane does: at 120
            // columns `s` sorted by premium, funding and depth, none of them shown (operator trial).
            let shown = MarketsPane.shownColumns(self)
            // The cursor stays on its market, as it does when the rows are sorted again each
            // second: put back on the top row, Enter after `s` focused another market (operator
            // trial: the ladder, the signals and the what-if silently followed UNI-USD-SWAP).
            marketSortColumn = AppModel.nextColumn(after: marketSortColumn, in: MarketColumn.allCases) { $0 == .risk || shown.contains($0) }
            marketSortDescending = MarketTable.defaultDescending(marketSortColumn)
            refreshVisibleMarkets()
        case .reverseSort where focus == .markets:
            marketSortDescending.toggle()
            refreshVisibleMarkets()
        case .nextSortColumn:
            // Only the columns on screen (and the risk order): sorting by a column the pane has
            // dropped at this width would order the rows by a figure nobody can see.
            let shown = Set(PositionsPane.visibleColumns(self, inner: layout.positions.inset(1)).columns.map(\.column))
            sortColumn = AppModel.nextColumn(after: sortColumn, in: PositionColumn.allCases) { $0 == .risk || shown.contains($0) }
            sortDescending = PositionTable.defaultDescending(sortColumn)
            focus = .positions
            cursor = 0
            refreshVisibleRows()
        case .reverseSort:
            sortDescending.toggle()
            cursor = 0
            refreshVisibleRows()
        case .pause: return [.togglePause]
        case .step: return [.step]
        case .faster: return [.faster]
        case .slower: return [.slower]
        case .nextNotable: return [.nextNotable(deficitsOnly: tapeFilter.deficitsOnly)]
        case .previousNotable: return [.previousNotable(deficitsOnly: tapeFilter.deficitsOnly)]
        case .jumpToTime:
            // From a position's view, back to it after the jump (the view closed, and the list's
            // cursor had moved: the operator had to find the position again; operator trial).
            if case .detail = mode { viewUnderPrompt = mode } else { viewUnderPrompt = nil }
            mode = .prompt(Prompt(purpose: .jump, text: ""))
        case .whatIf: mode = .prompt(Prompt(purpose: .shock, text: ""))
        case .acknowledge: alertBook.acknowledge()
        case .alertsView: mode = .alerts(cursor: max(0, alertBook.alerts.count - 1))
        case .nextTheme:
            themeIndex = (themeIndex + 1) % themes.count
            notice = "theme \(theme.name) (\(themeIndex + 1) of \(themes.count))"
        case .ladderGrouping:
            ladderGroupingIndex = (ladderGroupingIndex + 1) % AppModel.groupings.count
            // A windowed table keeps the clusters within the ladder's reach, which just grew.
            if table.windowed { requestTableRebuild() }
        }
        return []
    }

    mutating func move(_ delta: Int) {
        switch focus {
        case .markets:
            marketCursor = max(0, min(max(0, visibleMarkets.count - 1), marketCursor.addingReportingOverflow(delta).partialValue))
        case .tape:
            let count = tapeCount
            tapeCursor = max(0, min(max(0, count - 1), tapeCursor.addingReportingOverflow(delta).partialValue))
        default:
            focus = .positions
            let count = visibleRows.count
            cursor = max(0, min(max(0, count - 1), cursor.addingReportingOverflow(delta).partialValue))
        }
    }

    mutating func submit(_ prompt: Prompt) -> [Effect] {
        switch prompt.purpose {
        case .filter:
            filter = prompt.text
            cursor = 0
            refreshVisibleRows()
            return []
        case .marketFilter:
            marketFilter = prompt.text
            marketCursor = 0
            refreshVisibleMarkets(keepingCursor: false)
            return []
        case .tapeFilter:
            tapeFilter.setText(prompt.text, log: log)
            refindTapeSelection(tapeSelectionBeforePrompt)
            return []
        case .jump:
            let text = prompt.text.trimmingSpaces
            return text.isEmpty ? [] : [.jump(text)]
        case .shock:
            runWhatIf(prompt.text.trimmingSpaces)
            return []
        }
    }

    /// The rows at each end of a long what-if list its layout is measured over.
    static let whatIfLayoutEnds = 5_000

    /// Shows a what-if's projection from its top, its list laid out over every row once.
    mutating func showWhatIf(_ result: StressResult, ladder: [StressResult]) {
        // Every row of a list of 10,000; of a longer one its first and last 5,000 (a shock of
        // a million positions' cascade lists hundreds of thousands, and each row is thirteen
        // formatted cells): the page on screen is measured as well, so nothing is cut.
        let count = result.liquidations.count
        let rows = count <= 2 * AppModel.whatIfLayoutEnds ? Array(0..<count)
            : Array(0..<AppModel.whatIfLayoutEnds) + Array((count - AppModel.whatIfLayoutEnds)..<count)
        whatIfLayout = WhatIfPane.listLayout(self, result: result, numbers: rows)
        mode = .whatIf(result, ladder: ladder)
        whatIfScroll = 0
    }

    mutating func runWhatIf(_ text: String) {
        let figure = text.hasSuffix("%") ? String(text.dropLast()) : text
        guard let percent = Fixed(figure) else {
            // A decimal past what a figure holds is a shock out of range, not "no percentage"
            // (`99999999999999999999999`: attacker trial).
            notice = DecimalText.isDecimalSyntax(figure) ? "what-if: \(StressError.shockOutOfRange.description) ('\(text)')"
                : "what-if: '\(text)' is not a percentage"
            return
        }
        guard let symbol = focusedSymbol else { notice = "what-if: no market yet"; return }
        if projectsWhatIfInBackground {
            whatIfRequests += 1
            whatIfRequest = WhatIfRequest(id: whatIfRequests, symbol: symbol, shockPercent: percent, engine: engine)
            awaitedWhatIf = whatIfRequests
            notice = "what-if \(percent.description)%: projecting on a copy of the session…"
            return
        }
        do {
            showWhatIf(try engine.stress(symbol: symbol, shockPercent: percent), ladder: engine.stressLadder(symbol: symbol))
        } catch {
            notice = "what-if: \(error.description)"
        }
    }

    /// The what-if asked for, handed over once to be projected off the UI thread.
    public mutating func takeWhatIfRequest() -> WhatIfRequest? {
        defer { whatIfRequest = nil }
        return whatIfRequest
    }

    /// A projected what-if: shown if it is the one awaited (a later request replaces an earlier
    /// one), with the session's state as it was when asked.
    public mutating func deliverWhatIf(_ outcome: WhatIfOutcome) {
        guard outcome.id == awaitedWhatIf else { return }
        awaitedWhatIf = nil
        notice = nil
        switch outcome.result {
        case .success(let projection):
            showWhatIf(projection.shock, ladder: projection.ladder)
        case .failure(let error):
            notice = "what-if: \(error.description)"
        }
        needsRedraw = true
    }

    /// Scrolls the position view for a moving key; false for any other key.
    mutating func scrollDetail(_ action: Action, position: Int32) -> Bool {
        let inner = layout.overlay.inset(1)
        let last = DetailPane.maxScroll(lineCount: DetailPane.lines(self, position: position, width: inner.width - 2).count,
            height: inner.height)
        switch action {
        case .moveUp: detailScroll -= 1
        case .moveDown: detailScroll += 1
        case .pageUp: detailScroll -= max(1, inner.height - 1)
        case .pageDown: detailScroll += max(1, inner.height - 1)
        case .top: detailScroll = 0
        case .bottom: detailScroll = last
        default: return false
        }
        detailScroll = max(0, min(last, detailScroll))
        return true
    }

    /// The what-if's list of liquidations scrolls with the same keys as every list, a page being
    /// the rows it shows (a fixed ten was more than the whole list at 80×24). `whatIfScroll` is the
    /// first row shown and stops where the last row is on screen: it went on to the last row, so
    /// after `G` the first presses of `k` or PgUp moved nothing on screen.
    mutating func scrollWhatIf(_ action: Action) {
        guard case .whatIf(let result, let ladder) = mode else { return }
        // The rows the list has at this size, as drawn (the lines above it depend on the result).
        var scratch = Buffer(width: width, height: height, unicode: unicode)
        let page = max(1, WhatIfPane.render(self, result: result, ladder: ladder, layout.overlay, &scratch))
        let last = max(0, result.liquidations.count - page)
        switch action {
        case .moveUp: whatIfScroll -= 1
        case .moveDown: whatIfScroll += 1
        case .pageUp: whatIfScroll -= page
        case .pageDown: whatIfScroll += page
        case .top: whatIfScroll = 0
        case .bottom: whatIfScroll = last
        default: return
        }
        whatIfScroll = max(0, min(last, whatIfScroll))
    }

    /// The alerts view: the cursor moves, Enter focuses the alert's market (and in a replay goes
    /// to its time), `a` marks every alert seen, Esc or `A` closes.
    mutating func alertsViewKey(_ action: Action, cursor: Int) -> [Effect] {
        let last = max(0, alertBook.alerts.count - 1)
        switch action {
        case .back, .alertsView: mode = .normal
        case .quit: return [.quit]
        case .moveUp: mode = .alerts(cursor: max(0, cursor - 1))
        case .moveDown: mode = .alerts(cursor: min(last, cursor + 1))
        case .pageUp: mode = .alerts(cursor: max(0, cursor - Self.listRows(in: layout.overlay)))
        case .pageDown: mode = .alerts(cursor: min(last, cursor + Self.listRows(in: layout.overlay)))
        case .top: mode = .alerts(cursor: 0)
        case .bottom: mode = .alerts(cursor: last)
        case .acknowledge: alertBook.acknowledge()
        case .help: mode = .help
        case .drillDown:
            guard cursor < alertBook.alerts.count else { return [] }
            let alert = alertBook.alerts[cursor]
            mode = .normal
            if let market = alert.market, engine.market(market) != nil { chosenSymbol = market }
            // A replay goes back (or on) to the moment it was told, and stays there, paused, to
            // be read (playing on, the moment asked for was gone within a second: operator
            // trial); the footer says what it landed on. Live, the time is now.
            guard !status.isLive else { return [] }
            let market = alert.market.map { marketNames.short($0) + " " } ?? ""
            notice = "→ \(Format.clockMillis(alert.time)): alert \(market)\(AlertsPane.what(alert).lowercased()) · paused (space plays on)"
            return [.jumpToAlert(alert.time)]
        default: break
        }
        return []
    }

    /// Shows a message from the runner (a jump it could not make).
    public mutating func show(notice text: String) {
        notice = text
        needsRedraw = true
    }

    /// Takes back a message the runner showed, if it still stands (a working notice whose effect
    /// said nothing of its own).
    /// `restoring`: what the footer said before the working notice, put back (the key's own
    /// message: Enter on an alert says `→ 23:55:47.300: alert … · paused`, which the working
    /// notice replaced and its withdrawal left blank: operator trial).
    public mutating func withdraw(notice text: String, restoring earlier: String? = nil) {
        guard notice == text else { return }
        notice = earlier
        needsRedraw = true
    }
}

extension Effect {
    /// What the footer says while the effect reads the replay (a jump to a time or to the next
    /// liquidation can read seconds of it: `]` left the footer unchanged for 4–6 s, and a typed
    /// jump across years left its prompt on screen, operator trial); nil for an effect that is
    /// done at once.
    public var workingNotice: String? {
        switch self {
        case .nextNotable: return "looking for the next liquidation or alert… (space stops)"
        case .previousNotable: return "looking for the one before… (space stops)"
        case .jump(let text): return "going to \(SafeText.escaped(text))… (space stops)"
        case .jumpToAlert: return "going to the alert's time… (space stops)"
        case .quit, .togglePause, .step, .faster, .slower, .told: return nil
        }
    }

    /// Whether the effect moves or holds the replay: such a key stops a jump under way (a jump
    /// is read a slice a turn, and keys that only look are answered meanwhile).
    public var actsOnTheReplay: Bool {
        switch self {
        case .quit, .told: return false
        case .togglePause, .step, .faster, .slower, .nextNotable, .previousNotable, .jump, .jumpToAlert: return true
        }
    }
}
