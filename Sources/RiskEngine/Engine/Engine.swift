/// The one engine every source drives. A value type: copying it is cheap (its arrays are shared
/// until written), which is how the replay keeps checkpoints and how what-if runs on a copy.
///
/// `apply(_:)` is deterministic and has no clock of its own: the same events give the same state and
/// the same notifications, whatever the wall clock says.
public struct Engine: Sendable {
    public var configuration: EngineConfiguration
    public private(set) var catalog: InstrumentCatalog
    public internal(set) var markets = MarketStore()
    var symbolIndexes: [String: Int32] = [:]
    /// The last symbol looked up and its market (markets are only ever appended).
    var lastMarketLookup: (symbol: String, index: Int32)?
    /// Markets made for a position no feed event had named yet (see `positionMarketLimit`).
    var marketsMadeForPositions = 0
    var marketsMadeForLiquidations = 0
    public internal(set) var accounts: [Account] = []
    var accountIndexes = AccountTable()
    public internal(set) var positions: [Position] = []
    /// Which of the guards pushed for an account of several cross symbols are its own
    /// (`Engine+CrossGuards`): those pushed with its stamp here, while it is odd; retiring them
    /// makes it even, setting new ones odd again, each time a value not used before. Only such
    /// accounts have one (an account is 80 bytes; a stamp in each would make it 96).
    var crossGuardStamps: [Int32: UInt32] = [:]
    /// While a mark re-works the guarded accounts of its market (`reworkGuardedAccounts`): that
    /// market, and the accounts of its list that were changed meanwhile (an ADL close), which the
    /// sweep of every account would come to in their turn.
    var guardSweep: (market: Int, touched: [Int32])?
    /// The market the next signal sample's share of settling starts at (`settleCrossGuards`):
    /// each sample goes on from where the last one's share ran out.
    var crossSettleStart = 0
    /// Each position's ADL score inputs in Double, beside `positions`, for the ranking's scan
    /// (see `ADLScanInputs`).
    var adlScanInputs: [ADLScanInputs] = []
    /// Whether `adlScanInputs` is kept (one a position); not in a what-if's copy.
    var keepsADLScanInputs = true
    /// Each side's isolated positions in cells by what bounds their ADL score (see `ADLCells`).
    var adlCells = ADLCellIndex()
    /// Whether large sides are ranked by their cells (tests compare with the scan).
    var usesADLCells = true
    /// Rankings made by cells, cells opened, and positions taken into them (for the benchmark).
    public internal(set) var adlCellCounts = ADLCellCounts()
    /// Every venue's insurance fund in each settlement asset (see `InsuranceFund`): a market's
    /// fund is made with the market, empty until it is opened or money moves through it.
    public internal(set) var funds: [InsuranceFund] = []
    var fundIndexes: [FundKey: Int32] = [:]
    /// Openings given before any event (`openFund`): one venue's fund of an asset, or (by asset)
    /// every venue's. A fund opens at its venue's, else its asset's, when it is made: when its
    /// venue's first market of the asset appears, or a statement names it. A fund no market ever
    /// needs is never made.
    var venueOpenings: [FundKey: FundDefault] = [:]
    var assetOpenings: [String: FundDefault] = [:]
    /// Statements of a fund naming no venue, made before any market of their asset: the fund of
    /// the venue whose market of the asset comes first (see `fundVenue`).
    var pendingStatements: [String: (balance: Fixed, time: Int64)] = [:]
    /// Wallet statements naming no venue for an account not seen yet (by id and asset): the
    /// wallet of the account its first position makes.
    var pendingWallets: [String: Fixed] = [:]
    /// Accounts whose wallet was stated (an account line, a position's `wallet_balance`, a wallet
    /// derived from a leverage), 0 included: see `hasStatedWallet`.
    var statedWallets = AccountBits()
    /// Accounts whose wallet no one stated: the one their cross legs' leverage implies, which each
    /// new leg adds its own to, as a positions file sums them (see `upsertPosition`).
    var impliedWallets = AccountBits()
    /// The share of its account's implied wallet each cross leg stands for (notional at entry ÷
    /// leverage), by position: only positions of accounts whose wallet is implied.
    var impliedShares: [Int32: Fixed] = [:]
    /// What socialised losses have charged each winning position, a unit of its quantity, since
    /// the money it pays from was last stated (its isolated margin, or its account's wallet): a
    /// winner's profit is charged once, not again at every loss (a short holding 2,800 of profit
    /// was charged 2,800 and then 3,000 more, and liquidated while in profit: attacker trial).
    /// A unit's, so a quantity the engine cuts (a step, an ADL close) takes its share with it.
    var socialisedCharges: [Int32: Fixed] = [:]
    /// Positions whose quantity the engine changed (a simulated liquidation, a step of one, an ADL
    /// close) since the operator last stated them, with that statement (`StatedPosition`). The
    /// operator's system, not yet told of the close, sends the position again as it was (a full
    /// state every period, a reconnect): opened again, it was liquidated again and its deficit
    /// counted every period. Such a statement is not applied (`upsertPosition`); any other one is.
    var engineChangedPositions: [Int32: StatedPosition] = [:]
    /// The wallet of each account with such a position, as last stated before the engine first
    /// changed one of its positions (or stated since: an account line, a `wallet_balance`; never
    /// a wallet a leverage implied): a resend's wallet equal to it is as stale as its position;
    /// one that differs is news (a top-up), and the update is applied. A restatement stating no
    /// wallet is judged against this one, and given it when applied (`restatementWouldTrigger`,
    /// `restatedLegWallet`).
    var engineChangedWallets: [Int32: Fixed] = [:]

    /// Fund statements naming no venue still waiting for a market of their asset, by asset.
    public var waitingFundStatements: [(asset: String, balance: Fixed)] {
        pendingStatements.keys.sorted().map { ($0, pendingStatements[$0]!.balance) }
    }
    /// Funds opened at a default nobody chose: the operator's own first statement of the balance,
    /// if it comes before any movement, becomes the opening instead of a statement against it.
    var provisionalFunds: Set<Int32> = []
    /// The market's side of every trade the engine settles (the book's counterparties): kept so that
    /// money is conserved across every movement and a test can prove it.
    public internal(set) var clearing = AssetKeyed<Fixed>()
    /// Money that entered from outside: wallet balances and margins set by positions and accounts.
    public internal(set) var deposits = AssetKeyed<Fixed>()
    /// Losses nobody could cover (socialised loss with too few winners); negative balance.
    public internal(set) var badDebt = AssetKeyed<Fixed>()
    public internal(set) var totals = EngineTotals()
    /// Every movement of money, as postings between two parties (see `Ledger`).
    public internal(set) var ledger = Ledger()
    public internal(set) var time: Int64 = 0
    var nextSampleTime: Int64 = 0
    /// The event time the signals shown were read at: the last sample (once a second of session
    /// time), or the reading of a session standing still (`readSignalsNow`). While a session
    /// plays, the book moves on between samples, and the signals pane says as of when its
    /// figures are (a spread of 0.89 bps beside a ladder with no bids read as a contradiction:
    /// operator trial).
    public internal(set) var signalsReadAt: Int64 = 0
    /// How many times something was applied (an event, a position, a slice of a cascade): a
    /// screen that shows the engine paused tells a step within one millisecond from none by it
    /// (the time alone stays; the positions table kept its order from before the step's mark).
    public internal(set) var revision = 0
    /// Something was applied since the signals were last sampled (or read for a still screen,
    /// `readSignalsNow`).
    public internal(set) var changedSinceSample = false
    /// Off in what-if copies: a projection must not learn baselines.
    var samplingEnabled = true
    /// The market whose cascade a sliced `apply` left unfinished (see `Engine+Cascade.swift`).
    var unfinishedCascade: Int32?
    /// Crossed cross positions taken out of their market's trigger index while its cascade
    /// drains, waiting for a leg's mark elsewhere (`drainTriggers`): put back when the cascade is
    /// over, not at the end of each slice (put back and taken out again at every slice, each one's
    /// version moved once more than applied whole).
    var cascadeParked: [Int32] = []
    /// Liquidations the call under way may still start before it leaves the rest for later.
    var liquidationsLeftInSlice = Int.max
    /// The call under way applies a cascade in slices (a liquidation limit was given).
    var slicing = false
    /// A side's ADL ranking being made in slices while the cascade is cut (`Engine+ADLPreparation`).
    var adlPreparation: ADLPreparation?
    /// When a preparation of each side was last let go of unused (event time).
    var unusedPreparationAt: [ADLSideKey: Int64] = [:]
    /// Sides of markets with at least this many positions are ranked in slices when a cascade is
    /// (at a million positions a whole ranking holds a liquidation about 50 ms). Tests lower it.
    var adlPreparationThreshold = Engine.parallelScoringThreshold
    /// Sides of markets with at least this many positions defer their ADL scores (see
    /// `Engine+ADLBounds`). Tests change it to compare the queues made both ways.
    var adlDeferralThreshold = Engine.adlDeferralThreshold
    /// How many of a deferred section's best bounds its heap is built of at a time (see
    /// `ADLDeferredSection`; tests lower it, so that small sessions split their sections too).
    var adlSectionPortion = ADLDeferredSection.defaultPortion
    /// Sides of markets with at least this many positions are ranked on two threads (tests lower it).
    var parallelRankingThreshold = Engine.parallelScoringThreshold
    /// Rankings prepared in slices and taken by a deleverage (for tests and the benchmark).
    public internal(set) var preparedRankingsTaken = 0

    public init(configuration: EngineConfiguration = EngineConfiguration(), catalog: InstrumentCatalog = .builtIn) {
        self.configuration = configuration
        self.catalog = catalog
    }

    // MARK: Lookup

    /// The market of an id (`binance-usdm:BTCUSDT`); a bare symbol finds the one market of that
    /// exchange symbol, and nothing when two venues list it.
    public func marketIndex(of symbol: String) -> Int? {
        if let index = symbolIndexes[symbol] { return Int(index) }
        guard !symbol.contains(":") else { return nil }
        var found: Int? = nil
        for (index, market) in markets.enumerated() where market.instrument.exchangeSymbol == symbol {
            if found != nil { return nil }
            found = index
        }
        return found
    }

    public func market(_ symbol: String) -> MarketState? { marketIndex(of: symbol).map { markets[$0] } }

    /// The fund of `venue` in `asset` (empty, and not given, when the session has none).
    public func fund(venue: String, asset: String) -> InsuranceFund {
        fundIndexes[FundKey(venue: venue, asset: asset)].map { funds[Int($0)] } ?? unmadeFund(venue: venue, asset: asset)
    }

    /// A fund no market has made yet: as it will open (at the default given for every venue, if
    /// one was), so that a pane before the first market shows the balance the operator gave.
    func unmadeFund(venue: String, asset: String) -> InsuranceFund {
        var fund = InsuranceFund(venue: venue, asset: asset)
        if let opening = venueOpenings[FundKey(venue: venue, asset: asset)] ?? assetOpenings[asset] {
            _ = fund.book(opening.balance, cause: .opening, time: 0)
        }
        return fund
    }

    /// Where the fund of `venue` in `asset` is in `funds`, if the session made it.
    public func fundIndex(venue: String, asset: String) -> Int32? { fundIndexes[FundKey(venue: venue, asset: asset)] }

    /// The fund that backs a market's liquidations: its venue's, in its settlement asset.
    @inline(__always)
    public func fund(market index: Int) -> InsuranceFund { funds[Int(markets[index].fundIndex)] }

    /// The fund of `asset` on the session's leading venue (`fundOrder`): for a session of one
    /// venue, its fund of that asset. Panes and reports of several venues name the venue.
    public func fund(_ asset: String) -> InsuranceFund {
        // One that backs a market first: a fund only a statement made leads nothing.
        let backing = Set(markets.map(\.fundIndex))
        let candidates = fundOrder.filter { funds[Int($0)].asset == asset }
        return (candidates.first(where: backing.contains) ?? candidates.first).map { funds[Int($0)] } ?? unmadeFund(venue: "", asset: asset)
    }

    /// How many markets each fund backs (by index in `funds`): a fund that backs none was opened
    /// or stated for a venue or an asset no market of the session has.
    public var marketsBacked: [Int32: Int] {
        var counts: [Int32: Int] = [:]
        for market in markets { counts[market.fundIndex, default: 0] += 1 }
        return counts
    }

    /// Whether the session's funds and markets span several venues: the panes and the report
    /// then name each fund's venue.
    public var fundsSpanVenues: Bool {
        Set(markets.map { funds[Int($0.fundIndex)].venue } + funds.filter(\.isInUse).map(\.venue)).count > 1
    }

    /// The funds in use (opened, stated or moved), by venue as `Venue.known` lists them, then by
    /// asset (the lists of every fund a market has are `watchedFundOrder`'s).
    public var fundOrder: [Int32] { ordered(funds.indices.filter { funds[$0].isInUse }) }

    /// The funds in use and those that back a market with none given (a coin-margined market's
    /// fund holds only what its liquidations leave, and at zero sends every deficit to ADL), in
    /// `fundOrder`'s order: the funds the fund pane's other-fund lines and the reports' fund
    /// lines watch. OKX's BTC and UNI funds at ADL NEAR were in neither, while a Binance fund's
    /// stale ADL state was (operator trial).
    public var watchedFundOrder: [Int32] {
        let backing = Set(markets.map(\.fundIndex))
        return ordered(funds.indices.filter { funds[$0].isInUse || backing.contains(Int32($0)) })
    }

    /// Fund indexes by venue as `Venue.known` lists them, then by asset.
    private func ordered(_ indexes: [Int]) -> [Int32] {
        let rank = { (venue: String) in Venue.known.firstIndex { $0.rawValue == venue } ?? Venue.known.count }
        return indexes.sorted { left, right in
            let a = funds[left], b = funds[right]
            return (rank(a.venue), a.venue, a.asset) < (rank(b.venue), b.venue, b.asset)
        }.map { Int32($0) }
    }

    /// The fund of a venue and asset, made (and opened at the venue's opening, else the asset's
    /// for every venue, if one was given) the first time it is asked for.
    mutating func ensureFund(venue: String, asset: String) -> Int32 {
        let key = FundKey(venue: venue, asset: asset)
        if let known = fundIndexes[key] { return known }
        let index = Int32(funds.count)
        funds.append(InsuranceFund(venue: venue, asset: asset))
        fundIndexes[key] = index
        if let opening = venueOpenings[key] ?? assetOpenings[asset] { open(fund: index, opening) }
        return index
    }

    /// The account `id` holds on `venue` (`binance-usdm`; empty for markets of no venue) in `asset`.
    public func account(id: String, asset: String, venue: String) -> Account? {
        accountIndexes.find(id: id, asset: asset, venue: venue, hash: AccountTable.hash(id: id, asset: asset, venue: venue), in: accounts)
            .map { accounts[Int($0)] }
    }

    /// A market a live stream subscribed to: it exists from the start, so a book that never
    /// syncs (a snapshot endpoint that fails for ever, a venue that sends nothing) is in the
    /// panes and the report as STALE ("no snapshot") instead of being absent.
    public mutating func watch(market symbol: String) {
        _ = ensureMarket(symbol)
    }

    /// A subscribed market still without a book after its grace (the live session's word, on
    /// wall time): watched from now on, so its STALE book is in the status bar and the alerts. Not
    /// before: every market waits a moment for its first snapshot, and a page at every start
    /// would teach the operator to ignore them.
    public mutating func noteBookOverdue(market symbol: String) {
        guard let index = marketIndex(of: symbol), !markets[index].book.hasSnapshot else { return }
        markets[index].bookOverdue = true
    }

    /// The most markets a session holds. Every venue's perpetuals together are some 1,500; an
    /// operator's event stream naming 200,000 symbols made a market of each (929 MB, attacker
    /// trial). Events of a new market past it are counted (`eventsPastMarketLimit`), not applied.
    public static let marketLimit = 10_000
    /// The most markets positions alone may make: the rest of `marketLimit` is kept for the markets
    /// the feeds name. A positions file of 30,000 one-row markets took all 10,000, and the
    /// recording's own market, made at its first frame, found no room: its book, its mark and its
    /// positions went unwatched (review).
    public static let positionMarketLimit = 8_000
    /// The most markets the exchange's liquidation prints alone may make; past it a print of a
    /// market not held is counted as unwatched (`SessionLog.recordUnwatched`), as a venue-wide
    /// stream's is live. An events file of 10,000 prints of made-up symbols took every market,
    /// and the one whose book, mark and position came next was refused (attacker trial).
    public static let liquidationMarketLimit = 2_048

    /// The market for a symbol, created on first sight.
    mutating func ensureMarket(_ symbol: String) -> Int32 {
        // A feed mostly names the symbol of the event before: one comparison instead of a hash.
        if let last = lastMarketLookup, last.symbol == symbol { return last.index }
        let index: Int32
        if let known = symbolIndexes[symbol] {
            index = known
        } else {
            index = Int32(markets.count)
            var market = MarketState(instrument: catalog.instrument(for: symbol), historyLength: configuration.signals.historyLength)
            market.tickIsLearnt = !catalog.isKnown(symbol)
            market.venue = MarketID.venueName(of: symbol)
            market.fundIndex = ensureFund(venue: market.venue, asset: market.instrument.settlementAsset)
            markets.append(market)
            // A statement that named no venue, made before any market of its asset: this one's.
            if let pending = pendingStatements.removeValue(forKey: market.instrument.settlementAsset) {
                var ignored: [EngineNotification] = []
                state(fund: market.fundIndex, balance: pending.balance, time: pending.time, into: &ignored)
            }
            symbolIndexes[symbol] = index
        }
        lastMarketLookup = (symbol, index)
        return index
    }

    /// An exchange's liquidation valued as the engine values it, without making a market of it: a
    /// venue-wide stream reports liquidations of markets the session does not watch.
    public func valued(_ liquidation: ExchangeLiquidation) -> ExchangeLiquidation {
        var valued = liquidation
        Engine.value(&valued, instrument: marketIndex(of: liquidation.symbol).map { markets[$0].instrument } ?? catalog.instrument(for: liquidation.symbol))
        return valued
    }

    /// Sets a liquidation's notional in the settlement asset (Q × P linear, N × CS ÷ P inverse).
    /// A price that is not positive gives no notional (the inverse formula has no value there):
    /// decoders refuse such prices, and an event made otherwise must not add `.max` to totals.
    static func value(_ liquidation: inout ExchangeLiquidation, instrument: Instrument) {
        liquidation.asset = instrument.settlementAsset
        guard liquidation.price.isPositive else { liquidation.notional = nil; return }
        let terms = PositionTerms(side: liquidation.side, quantity: liquidation.quantity.magnitude, entryPrice: liquidation.price,
            kind: instrument.kind, brackets: instrument.brackets)
        liquidation.notional = MarginMath.notional(terms, at: liquidation.price)
    }

    /// Registers instruments before events arrive (an instrument file loaded at start-up).
    public mutating func addInstrument(_ instrument: Instrument) {
        catalog.add(instrument)
    }

    // MARK: Applying events

    /// Applies one event and returns what it caused.
    @discardableResult
    public mutating func apply(_ event: MarketEvent) -> [EngineNotification] {
        var notes: [EngineNotification] = []
        apply(event, into: &notes)
        return notes
    }

    /// Applies one event, appending what it caused to `notes` (no allocation when nothing happens).
    public mutating func apply(_ event: MarketEvent, into notes: inout [EngineNotification]) {
        apply(event, into: &notes, liquidationLimit: .max)
    }

    /// Applies one event, but starts at most `liquidationLimit` liquidations of the cascade it sets
    /// off: the rest waits for `continueCascade` (see `Engine+Cascade.swift`), so a dashboard can
    /// answer a key between slices of a cascade of a hundred thousand accounts. The same events give
    /// the same engine and notifications, sliced or not.
    public mutating func apply(_ event: MarketEvent, into notes: inout [EngineNotification], liquidationLimit: Int) {
        // An event never lands inside another's cascade: what is left of it is finished first.
        if unfinishedCascade != nil { finishCascade(into: &notes) }
        changedSinceSample = true
        revision &+= 1
        beginSlice(liquidationLimit)
        defer { endSlice() }
        let eventTime = event.time
        // Decoders refuse such times (`EventTime`); an event made some other way is not applied
        // either: every window and sample adds to the time, which must not overflow.
        guard EventTime.isRepresentable(eventTime) else {
            totals.eventsOutOfTimeRange += 1
            return
        }
        sampleBeforeGap(until: eventTime, into: &notes)
        if eventTime > time { time = eventTime }
        // A new market past the limit is not made. A position goes on to be refused by name
        // (`upsertPosition`). Below the limit this costs one comparison.
        if markets.count >= Engine.marketLimit, let symbol = event.symbol, symbolIndexes[symbol] == nil {
            if case .position = event {} else {
                totals.eventsPastMarketLimit += 1
                return
            }
        }
        switch event {
        case .bookSnapshot(let symbol, var bids, var asks, _, let shownLevels):
            let index = Int(ensureMarket(symbol))
            let fedBids = bids, fedAsks = asks
            // Judged against its own median: the venue's whole book, not the mark (which one bad
            // value may have set) nor the book it replaces (which may be the stale one).
            let band = PriceBand(reference: Engine.snapshotReference(bids: bids, asks: asks), factor: Engine.implausibleLevelFactor)
            bids = admitted(bids, side: .bid, market: index, band: band, into: &notes)
            asks = admitted(asks, side: .ask, market: index, band: band, into: &notes)
            if let band { refuseCrossingOutliers(&bids, &asks, median: band.reference, market: index, into: &notes) }
            // A snapshot states both sides at one moment: one crossing itself, or giving a price
            // twice with two sizes, is wrong somewhere, and nothing says where. It is refused
            // whole and the book kept as last known, STALE until a snapshot is applied (a single
            // bid 0.8 % over the best ask removed every ask it crossed, and a short went to ADL
            // against an empty side; a level given twice took its second size: attacker trial).
            if let reason = Engine.snapshotContradiction(bids: bids, asks: asks, priceDecimals: markets[index].instrument.priceDecimals,
                                                         tick: markets[index].instrument.tickSize.bookUnits) {
                refuseSnapshot(market: index, reason: reason, into: &notes)
                break
            }
            markets[index].snapshotRefused = false
            let removedBefore = markets[index].book.crossedLevelsRemoved
            markets[index].book.applySnapshot(bids: bids, asks: asks, shownLevels: shownLevels, fedBids: fedBids, fedAsks: fedAsks)
            markets[index].learnTick(bids: bids, asks: asks)
            markets[index].counters.snapshots += 1
            // A book is as old as its own event (as a mark is): a snapshot dated six minutes
            // before, merged into a live stream, put levels of another time in place and was
            // taken as fresh (the session clock's). Its levels are all the book has: its time is
            // the book's, earlier than before or not.
            // A snapshot with no time of its own (0: a REST answer without one) is of now.
            let bookTimeBefore = markets[index].lastBookTime
            markets[index].lastBookTime = eventTime > 0 ? Swift.min(eventTime, time) : time
            markets[index].noteBookTime(markets[index].lastBookTime)
            noteResumed(market: index, after: bookTimeBefore, into: &notes)
            markets[index].bookOutdated = markets[index].bookIsOutdated(now: time, maximumAge: configuration.maximumBookAge)
            noteCrossing(market: index, removedBefore: removedBefore, into: &notes)
            touched(market: index, into: &notes)
            // An outdated snapshot leaves an outdated-book block as it is: cleared and found
            // again, it was noted again at every snapshot (review: 21 blocks for one crossed
            // position). Another block (a gap) is cleared and found again as what it is now.
            if let blocked = markets[index].liquidationBlocked, blocked != .outdatedMark && blocked != .disputedMark,
               !(markets[index].bookOutdated && blocked == .outdatedBook) {
                // The book can be trusted again: what crossed while it could not is liquidated now
                // (an outdated or disputed mark waits for a mark, not for a book: noted again at
                // every snapshot, a dispute counted five blocks for four snapshots; review).
                markets[index].liquidationBlocked = nil
                processTriggers(market: index, into: &notes)
            }
        case .bookUpdate(let symbol, let changes, _):
            let index = Int(ensureMarket(symbol))
            // After a refused snapshot the book stays as it last was until a snapshot is applied:
            // updates built on the refused one (a venue's next diffs) have nothing true to change.
            if markets[index].snapshotRefused { break }
            let removedBefore = markets[index].book.crossedLevelsRemoved
            // The book and the flow tally are worked on outside the markets array, and put back
            // after: changed in place through the array, every level change of a full-depth event
            // (about seventy) would check the array's uniqueness twice.
            let band = PriceBand(reference: levelReference(market: index), factor: Engine.implausibleLevelFactor)
            var book = OrderBook()
            swap(&book, &markets[index].book)
            var flow = markets[index].signals.flowTally
            // The freshest side is the one whose new level reaches furthest into the other side.
            var highestNewBid = Int64.min
            var lowestNewAsk = Int64.max
            for change in changes {
                // A level at a price no market has is not applied (`Engine+Plausibility`); its
                // removal (size 0) is harmless and applied as sent.
                if change.size > 0, let refusedAgainst = Engine.refusal(of: change, band: band, book: book) {
                    noteRefused(change.price, market: index, reference: refusedAgainst, source: .bookLevel(change.side), into: &notes)
                    // A top-of-book feed still shows it (counted towards its levels shown).
                    book.noteUnshown(change.side, price: change.price)
                    continue
                }
                let delta = book.applyLevel(side: change.side, price: change.price, size: change.size, uncross: false)
                flow.record(price: change.price, delta: delta)
                if change.size > 0 {
                    if change.side == .bid { highestNewBid = max(highestNewBid, change.price) }
                    else { lowestNewAsk = min(lowestNewAsk, change.price) }
                }
            }
            if book.isCrossed {
                let bestAsk = book.asks.best?.price ?? .max
                book.resolveCrossing(freshSide: highestNewBid >= bestAsk || lowestNewAsk == .max ? .bid : .ask)
            }
            swap(&book, &markets[index].book)
            markets[index].signals.flowTally = flow
            markets[index].counters.depthEvents += 1
            markets[index].counters.levelChanges += changes.count
            // Changed as of the update's own time; the levels it did not touch are as fresh as
            // they were, so an update dated earlier does not make the book older.
            let bookTimeBefore = markets[index].lastBookTime
            markets[index].lastBookTime = Swift.max(markets[index].lastBookTime, Swift.min(eventTime, time))
            markets[index].noteBookTime(Swift.min(eventTime, time))
            noteResumed(market: index, after: bookTimeBefore, into: &notes)
            // Outdated or not as of this change (a sample may have found it so with no trigger
            // crossed; an update of another time leaves it so).
            markets[index].bookOutdated = markets[index].bookIsOutdated(now: time, maximumAge: configuration.maximumBookAge)
            noteCrossing(market: index, removedBefore: removedBefore, into: &notes)
            touched(market: index, into: &notes)
            if markets[index].liquidationBlocked == .outdatedBook && !markets[index].bookOutdated {
                // The feed is alive again: what crossed while the book was outdated is liquidated
                // into the book as it is now.
                markets[index].liquidationBlocked = nil
                processTriggers(market: index, into: &notes)
            }
        case .bookGap(let symbol, let time):
            // A gap in a book the session has never had loses nothing (a book with no snapshot
            // is not trusted anyway): a garbage line naming a market made it, STALE for the rest
            // of the session (review).
            guard let index = marketIndex(of: symbol) else { break }
            markets[index].book.isStale = true
            markets[index].counters.gaps += 1
            notes.append(.bookGap(symbol: symbol, time: time))
        case .trade(let symbol, let price, _, _):
            let index = Int(ensureMarket(symbol))
            let band = PriceBand(reference: priceReference(market: index))
            guard admits(price, market: index, band: band, source: .trade, into: &notes) else { break }
            markets[index].lastTradePrice = price
            markets[index].counters.trades += 1
            touched(market: index, into: &notes)
        case .mark(let symbol, let price, let markTime):
            let index = Int(ensureMarket(symbol))
            if price.isPositive {
                let band = PriceBand(reference: priceReference(market: index))
                guard admits(price, market: index, band: band, source: .mark, into: &notes) else { break }
            }
            // A mark dated more than a second before the mark held is refused (counted and noted
            // with its own time and the held mark's, `DatedBeforeHeld`; it was counted as an
            // implausible price dated by the session clock, which named neither: attacker trial):
            // applied, a line of the day before replaced a fresh mark's price and blocked the
            // market as outdated, and a stream of such lines would have kept it blocked (review). A held mark that
            // its market's book has overtaken (`MarketState.markOvertakenBy`) dates the market
            // only as far as that book: one mark line dated a few minutes ahead (within what the
            // time guards let through) refused every true mark behind it for as long, and a long
            // past its trigger was never liquidated (attacker trial).
            let datedBy = markets[index].markOvertakenBy ?? markets[index].markGivenTime
            if price.isPositive, markets[index].markGivenTime != .min, markTime < datedBy &- Engine.datedBeforeTolerance,
               markets[index].markBookUnits != nil {
                noteDatedBefore(market: index, time: markTime, held: datedBy, into: &notes)
                break
            }
            markets[index].markFromStream = true
            markets[index].markSource = .stream
            markets[index].counters.marks += 1
            setMark(market: index, price: price, givenAt: markTime, into: &notes)
        case .markStands(let symbol, let price, let standsTime):
            // Nothing to confirm in a market not seen yet, or one whose mark is not the price the
            // venue confirms (an events line's mark, or the one held after the venue's was refused:
            // confirmed, an events line's mark of 1.20 stayed fresh for six minutes and liquidated
            // a healthy long; review).
            guard let market = symbolIndexes[symbol].map(Int.init), markets[market].markFromStream, markets[market].markPrice == price,
                  !markets[market].markDisputed, markets[market].markGivenTime != .min,
                  !markets[market].markIsOutdated(now: time, maximumAge: configuration.maximumBookAge)
            else { break }
            markets[market].markGivenTime = Swift.max(markets[market].markGivenTime, Swift.min(standsTime, time))
            markets[market].markOutdated = false
        case .exchangeLiquidation(var liquidation):
            guard marketsMadeForLiquidations < Engine.liquidationMarketLimit || symbolIndexes[liquidation.symbol] != nil else {
                notes.append(.unwatchedLiquidation(valued(liquidation)))
                break
            }
            let marketsBefore = markets.count
            let index = Int(ensureMarket(liquidation.symbol))
            if markets.count != marketsBefore { marketsMadeForLiquidations += 1 }
            // A reported price no book has would count billions into the liquidation signals.
            guard admits(liquidation.price, market: index, band: PriceBand(reference: priceReference(market: index)),
                         source: .exchangeLiquidation, into: &notes) else { break }
            markets[index].counters.exchangeLiquidations += 1
            Engine.value(&liquidation, instrument: markets[index].instrument)
            if let notional = liquidation.notional { markets[index].counters.exchangeLiquidationNotional += notional }
            let notional = usdValue(market: index, quantity: liquidation.quantity, price: liquidation.price)
            markets[index].signals.recordLiquidation(time: liquidation.time, notional: notional, exchange: true)
            notes.append(.exchangeLiquidation(liquidation))
        case .index(let update):
            let index = Int(ensureMarket(update.symbol))
            guard update.price.isPositive else { break }
            let band = PriceBand(reference: priceReference(market: index))
            guard admits(update.price, market: index, band: band, source: .index, into: &notes) else { break }
            markets[index].index.update(index: update.price, fundingRate: update.fundingRate, nextFundingTime: update.nextFundingTime,
                time: update.time)
            if let openInterest = update.openInterest, !openInterest.isNegative { markets[index].openInterest = openInterest }
            touched(market: index, into: &notes)
        case .position(let update, _):
            upsertPosition(update, into: &notes)
        case .account(let id, let asset, let venue, let venueGiven, let walletBalance, _):
            guard !venueGiven else {
                setWallet(accountID: id, asset: asset, venue: venue, balance: walletBalance, into: &notes)
                break
            }
            let existing = accountsNamed(id: id, asset: asset, first: venue)
            guard !existing.isEmpty else {
                // No account of that name anywhere yet: the wallet of the venue its first position
                // comes on (an events-only session defaults to Binance while its positions may be
                // Bybit's; the wallet had gone to an empty Binance account).
                pendingWallets[id + "\u{0}" + asset] = walletBalance
                break
            }
            // Positions on several venues: whose wallet it is cannot be told, and a guess margins
            // one venue's positions with another's money (the statement went to Binance while the
            // account's Bybit short was liquidated against the wallet its leverage implied:
            // attacker trial).
            let holding = existing.filter(\.holdsPositions).map(\.venue)
            guard holding.count <= 1 else {
                notes.append(.walletStatementRefused(account: id, asset: asset, balance: walletBalance,
                    reason: "no venue named, and the account holds positions on \(holding.sorted().joined(separator: " and ")): say which with venue", time: time))
                break
            }
            setWallet(accountID: id, asset: asset, venue: accountVenue(among: existing, default: venue), balance: walletBalance, into: &notes)
        case .insuranceFund(let asset, let venue, let balance, let time):
            if let venue {
                state(fund: ensureFund(venue: venue, asset: asset), balance: balance, time: time, into: &notes)
                break
            }
            switch fundVenue(asset: asset) {
            case .one(let venue):
                state(fund: ensureFund(venue: venue, asset: asset), balance: balance, time: time, into: &notes)
            case .none:
                // No market of the asset yet: the fund of the first venue to list one.
                pendingStatements[asset] = (balance, time)
            case .several(let venues):
                totals.fundStatementsRefused += 1
                notes.append(.fundStatementRefused(asset: asset, balance: balance,
                    reason: "markets of \(asset) are on \(venues.joined(separator: ", ")): the statement must name its venue", time: time))
            }
        case .clock:
            break
        }
        // Sampled once the whole event is applied: after the last slice of a cut cascade.
        if unfinishedCascade == nil && samplingEnabled && time >= nextSampleTime { sampleSignals(into: &notes) }
    }

    /// `apply(.position(update, time:), into:)` without boxing the update into an event: placing a
    /// synthetic book applies ten thousand of them.
    public mutating func apply(position update: PositionUpdate, time eventTime: Int64, into notes: inout [EngineNotification]) {
        if unfinishedCascade != nil { finishCascade(into: &notes) }
        guard EventTime.isRepresentable(eventTime) else {
            totals.eventsOutOfTimeRange += 1
            return
        }
        sampleBeforeGap(until: eventTime, into: &notes)
        if eventTime > time { time = eventTime }
        changedSinceSample = true
        revision &+= 1
        upsertPosition(update, into: &notes)
        if samplingEnabled && time >= nextSampleTime { sampleSignals(into: &notes) }
    }

    /// Sets the opening balance of `venue`'s fund of `asset`, or with no venue of every venue's
    /// fund of it (a venue's own opening, given or not, comes first). A fund opens at it when it is
    /// made (see `ensureFund`), or now if it is made and nothing moved through it. A `provisional`
    /// opening (a default, not the operator's figure) is replaced by the first `insuranceFund`
    /// event for the fund, as long as no money has moved through it.
    public mutating func openFund(asset: String, balance: Fixed, provisional: Bool = false, venue: String? = nil) {
        let opening = FundDefault(balance: balance, provisional: provisional)
        if let venue {
            let key = FundKey(venue: venue, asset: asset)
            venueOpenings[key] = opening
            if let index = fundIndexes[key] { open(fund: index, opening) }
            return
        }
        assetOpenings[asset] = opening
        for index in funds.indices where funds[index].asset == asset && !funds[index].isInUse
            && venueOpenings[FundKey(venue: funds[index].venue, asset: asset)] == nil {
            open(fund: Int32(index), opening)
        }
    }

    /// The openings the operator gave (`--insurance-fund`, not a default) that no fund of the
    /// session took: no market of that venue, or settled in that asset, came. A typo in the venue
    /// gave a stress test against the default fund and nothing said so (attacker trial).
    public var unusedFundOpenings: [(venue: String?, asset: String, balance: Fixed)] {
        var unused: [(venue: String?, asset: String, balance: Fixed)] = []
        for (key, opening) in venueOpenings where !opening.provisional && fundIndexes[key] == nil {
            unused.append((key.venue, key.asset, opening.balance))
        }
        for (asset, opening) in assetOpenings where !opening.provisional && !funds.contains(where: { $0.asset == asset }) {
            unused.append((nil, asset, opening.balance))
        }
        return unused.sorted { ($0.venue ?? "", $0.asset) < ($1.venue ?? "", $1.asset) }
    }

    private mutating func open(fund index: Int32, _ opening: FundDefault) {
        var ignored: [EngineNotification] = []
        // At time 0, as if opened before the session: a venue whose first market appears late
        // had its fund all along.
        state(fund: index, balance: opening.balance, time: 0, into: &ignored)
        if opening.provisional { provisionalFunds.insert(index) }
    }

    /// The operator's systems state a fund's balance: the first statement opens it (or replaces a
    /// provisional opening), a later one books the difference.
    private mutating func state(fund index: Int32, balance: Fixed, time: Int64, into notes: inout [EngineNotification]) {
        let asset = funds[Int(index)].asset
        if provisionalFunds.contains(index) {
            // The default opening gives way: take it back out and open at the stated balance.
            provisionalFunds.remove(index)
            let opening = funds[Int(index)].balance
            deposits[asset, default: .zero] -= opening
            ledger.record(asset: asset, amount: opening, from: .fund(index), to: .outside, cause: .statement)
            funds[Int(index)] = InsuranceFund(venue: funds[Int(index)].venue, asset: asset)
        }
        let current = funds[Int(index)]
        let difference = balance - current.balance
        if current.entryCount == 0 {
            // The opening is booked as such in the fund's own ledger (even at zero).
            deposits[asset, default: .zero] += difference
            ledger.record(asset: asset, amount: difference, from: .outside, to: .fund(index), cause: .statement)
            bookFund(index, amount: difference, cause: .opening, time: time, into: &notes)
        } else {
            transfer(difference, asset: asset, from: .outside, to: .fund(index), cause: .statement, into: &notes)
        }
    }

    /// Where a fund statement that names no venue goes: the one venue with markets of the asset;
    /// none yet (held for the first); or several (refused: which one is not the engine's guess).
    enum StatementVenue { case one(String), none, several([String]) }

    func fundVenue(asset: String) -> StatementVenue {
        var venues: [String] = []
        for market in markets where market.instrument.settlementAsset == asset {
            let venue = funds[Int(market.fundIndex)].venue
            if !venues.contains(venue) { venues.append(venue) }
        }
        switch venues.count {
        case 0: return .none
        case 1: return .one(venues[0])
        default: return .several(venues.sorted())
        }
    }

    private mutating func noteCrossing(market index: Int, removedBefore: Int, into notes: inout [EngineNotification]) {
        let removed = markets[index].book.crossedLevelsRemoved - removedBefore
        guard removed > 0 else { return }
        markets[index].counters.crossedLevelsRemoved += removed
        notes.append(.crossedBook(symbol: markets[index].symbol, levelsRemoved: removed, time: time))
    }

    /// The book or the last trade moved: derive the mark unless a mark stream is present.
    private mutating func touched(market index: Int, into notes: inout [EngineNotification]) {
        markets[index].lastEventTime = time
        guard !markets[index].markFromStream, let derived = derivedMark(market: index) else { return }
        setMark(market: index, price: derived, into: &notes)
    }

    /// The mark without a mark stream: Binance's index-anchored rule when the feed gives a fresh
    /// index (see `IndexAnchoredMark`), else the configured proxy (see `MarkPriceRule`).
    mutating func derivedMark(market index: Int) -> Fixed? {
        guard let bid = Engine.best(.bid, of: &markets[index].book), let ask = Engine.best(.ask, of: &markets[index].book) else {
            return markets[index].lastTradePrice.map { Fixed(bookUnits: $0) }
        }
        if markets[index].index.indexPrice != nil {
            let mid = OrderBook.mid(bid: bid, ask: ask)
            markets[index].index.sample(mid: mid, time: time)
            let contract = markets[index].lastTradePrice.map { Fixed(bookUnits: $0) } ?? mid
            if let anchored = markets[index].index.mark(contractPrice: contract, time: time) {
                markets[index].markSource = .indexAnchored
                return anchored
            }
        }
        markets[index].markSource = .proxy
        switch configuration.markRule {
        case .mid:
            return OrderBook.mid(bid: bid, ask: ask)
        case .medianOfBidAskLast:
            guard let last = markets[index].lastTradePrice else { return OrderBook.mid(bid: bid, ask: ask) }
            let median = max(min(bid, ask), min(max(bid, ask), last))
            return Fixed(bookUnits: median)
        }
    }

    /// A book's best price on one side, read in place. Read through the markets array, the book
    /// was copied first (the array's getter copies the element), which retains and releases each
    /// of its ladders' arrays; an inout access reaches it where it lies. This runs at every event.
    private static func best(_ side: BookSide, of book: inout OrderBook) -> Int64? {
        book.best(side)?.price
    }

    /// USD (quote) value of a quantity at a price, for signals: linear Q × P, inverse N × CS.
    func usdValue(market index: Int, quantity: Fixed, price: Fixed) -> Double {
        MarginMath.quoteValue(kind: markets[index].instrument.kind, quantity: quantity, at: price).approximateDouble
    }

    // MARK: Money

    /// Moves money into (positive) or out of a fund with a cause, and notes it.
    mutating func bookFund(
        _ index: Int32, amount: Fixed, cause: FundCause, time: Int64, symbol: String? = nil, account: String? = nil,
        into notes: inout [EngineNotification]
    ) {
        // Money moved through the fund: its opening stands from now on.
        if cause != .opening && !provisionalFunds.isEmpty { provisionalFunds.remove(index) }
        // Booked in place: a copy out of the array and back copied the fund's recent entries.
        let entry = funds[Int(index)].book(amount, cause: cause, time: time, symbol: symbol, account: account)
        notes.append(.fund(entry))
        noteFundAlerts(index, cause: cause, time: time, symbol: symbol, into: &notes)
    }

    /// Σ wallets + Σ isolated margins + funds + clearing + bad debt, per asset. Equal to the
    /// deposits at all times: nothing the engine does creates or destroys money.
    public func moneyInSystem(asset: String) -> Fixed {
        var total = Fixed.zero
        for account in accounts where account.asset == asset { total += account.walletBalance }
        for position in positions where accounts[Int(position.accountIndex)].asset == asset {
            total += position.isolatedMargin
        }
        for fund in funds where fund.asset == asset { total += fund.balance }
        total += clearing[asset] ?? .zero
        total += badDebt[asset] ?? .zero
        return total
    }

    /// The asset a dashboard or report leads with: USDT when a fund of it is in use, else the
    /// first by name.
    public var primaryAsset: String {
        var inUse = funds.filter(\.isInUse).map(\.asset)
        // Before any fund is made, the openings given for every venue.
        if inUse.isEmpty { inUse = Array(assetOpenings.keys) }
        return inUse.contains("USDT") ? "USDT" : (inUse.min() ?? "USDT")
    }

    public var assets: [String] {
        Set(accounts.map(\.asset)).union(funds.filter(\.isInUse).map(\.asset)).sorted()
    }
}

/// A venue's fund in one settlement asset.
struct FundKey: Hashable, Sendable {
    var venue: String
    var asset: String
}

/// An opening given before any event, for one venue's fund of an asset or every venue's.
struct FundDefault: Hashable, Sendable {
    var balance: Fixed
    var provisional: Bool
}
