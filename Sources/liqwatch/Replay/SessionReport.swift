import MarketFeeds
import RiskEngine

/// The report a headless run prints: the same for a replay, the demo and (later) a live session.
enum SessionReport {
    struct Source {
        var kind: String
        var files: [String]
        var firstTime: Int64?
        var lastTime: Int64?
        /// Inputs whose gzip check failed after their data was replayed, and the markets it fed.
        var unverified: [ReplaySession.UnverifiedInput] = []
        /// The feeds' health, counted as every session counts it (`SessionDriver.feedSummary`).
        var feed = FeedSummary()
        /// Alerts told to the operator's systems (`--alert-log`, `--on-alert`), when asked for.
        var alertsTold = 0
        var alertDelivery: AlertDelivery.Summary? = nil
        /// Markets that got no synthetic positions, with what they lacked (`ReplaySession.unseededMarkets`).
        var unseeded: [(symbol: String, reason: String)] = []
        /// The books, marks and streams the alert watcher found wanting, as the alerts view lists them.
        var conditionAlerts = ConditionAlertLog()
    }

    /// A kind of alert in the text report: how many, and the last of them a line each, saying how
    /// many earlier ones are left out and how many the JSON report lists.
    static func alertSection(_ title: String, count: Int, keeps: Int, shown: [(time: Int64, text: String)]) -> [String] {
        var head = "\(title): \(count)"
        if count > shown.count { head += " (the last \(shown.count) below; \(count - shown.count) earlier left out: --report json lists up to \(keeps))" }
        return [head] + shown.map { "  \(EventTime.iso8601($0.time)) \($0.text)" }
    }

    static func alertDeliveryObject(_ source: Source) -> JSON.Value {
        guard let delivery = source.alertDelivery else { return .null }
        return .object([
            ("alerts_told", JSON.number(source.alertsTold)),
            ("logged", JSON.number(delivery.logged)), ("log_failures", JSON.number(delivery.logFailures)),
            ("hook_runs", JSON.number(delivery.hookRuns)), ("hook_failures", JSON.number(delivery.hookFailures)),
            ("hook_skipped", JSON.number(delivery.hookSkipped)), ("last_error", delivery.lastError.map { .string($0) } ?? .null),
        ])
    }

    /// The feeds' health: the same keys for a replay, the demo and a live session.
    static func feedObject(_ feed: FeedSummary) -> JSON.Value {
        .object([
            ("gaps", JSON.number(feed.gaps)),
            ("resyncs", JSON.number(feed.resyncs)),
            ("reconnects", JSON.number(feed.reconnects)),
            ("malformed", JSON.number(feed.malformed)),
            ("stale_markets", .array(feed.staleMarkets.map { .string($0) })),
            ("streams", .array(feed.streams.map { stream in
                .object([
                    ("name", .string(stream.name)), ("messages", JSON.number(stream.messages)),
                    ("reconnects", JSON.number(stream.reconnects)), ("failed_connections", JSON.number(stream.failedConnections)),
                    ("malformed", JSON.number(stream.malformed)),
                    ("state", .string(stream.state)), ("stale", .bool(stream.stale)),
                    ("silent_seconds", stream.silentSeconds.map { JSON.Value.number(String(format: "%.1f", $0)) } ?? .null),
                    ("last_error", stream.lastError.map { .string($0) } ?? .null),
                ])
            })),
        ])
    }

    /// The engine as the session ended: its signals and stressed deficits read at its last event,
    /// as the dashboard reads them when it stands still (`Engine.readSignalsNow`). The reports took
    /// the last once-a-second sample, from before the last second's events: `0.00; ok` beside a
    /// dashboard at ALERT with ADL near after a last book that emptied the bids (attacker trial).
    static func asEnded(_ engine: Engine) -> Engine {
        var ended = engine
        // Guarded cross accounts' stored prices as they stand at the end (`Engine+CrossGuards`).
        ended.settleForReport()
        ended.readSignalsNow()
        return ended
    }

    static func json(engine: Engine, stats: FrameStats, log: SessionLog, synchronizers: [String: DepthSynchronizer], source: Source) -> String {
        let engine = asEnded(engine)
        var symbols: [(String, JSON.Value)] = []
        for market in engine.markets.sorted(by: { $0.symbol < $1.symbol }) {
            let instrument = market.instrument
            // What is left after the simulated liquidations, as the dashboard's ladder shows it:
            // the feed's levels read 50 units of bids beside an alert that the side was empty
            // (operator trial). What they took is listed apart (`taken_by_simulations`).
            func levels(_ side: BookSide) -> JSON.Value {
                .array(market.book.levelsLeft(side, count: 10).map { level in
                    .array([.string(price(level.price, instrument)), .string(size(level.size, instrument))])
                })
            }
            let sync = synchronizers[market.symbol]?.counters
            symbols.append((market.symbol, marketObject(market, engine: engine, sync: sync, levels: levels)))
        }
        let primary = engine.primaryAsset
        let fund = engine.fund(primary)
        let fundState = engine.fundState(asset: primary)
        // Each venue's funds: none pays another venue's deficits.
        var fundVenues: [String] = []
        var fundsOfVenue: [String: [(String, JSON.Value)]] = [:]
        let backed = engine.marketsBacked
        for index in engine.watchedFundOrder {
            let each = engine.funds[Int(index)]
            let object = fundObject(each, state: engine.fundState(venue: each.venue, asset: each.asset), markets: backed[index] ?? 0)
            if fundsOfVenue[each.venue] == nil { fundVenues.append(each.venue) }
            fundsOfVenue[each.venue, default: []].append((each.asset, object))
        }
        var byVenue: [(String, JSON.Value)] = []
        for venue in fundVenues { byVenue.append((venue, JSON.Value.object(fundsOfVenue[venue] ?? []))) }
        var notGivenByVenue: [(String, JSON.Value)] = []
        for (venue, assets) in Self.fundsNotGiven(engine) { notGivenByVenue.append((venue, JSON.Value.array(assets.map { JSON.Value.string($0) }))) }
        let openPositions = engine.positions.filter(\.isOpen).count
        let sourceObject: JSON.Value = .object([
            ("kind", .string(source.kind)),
            ("files", .array(source.files.map { .string($0) })),
            ("from", source.firstTime.map { .string(EventTime.iso8601($0)) } ?? .null),
            ("to", source.lastTime.map { .string(EventTime.iso8601($0)) } ?? .null),
        ])
        let unverified: JSON.Value = .array(source.unverified.map { input in
            .object([
                ("file", .string(input.path)), ("reason", .string(input.reason)),
                ("markets", .array(input.markets.map { .string($0) })),
            ])
        })
        let malformed: [JSON.Value] = stats.firstMalformed.map { entry in
            .object([("file", .string(entry.file)), ("line", JSON.number(entry.line)), ("field", .string(entry.field))])
        }
        let frames: JSON.Value = .object([
            ("read", JSON.number(stats.read)),
            ("applied", JSON.number(stats.applied)),
            ("malformed", JSON.number(stats.malformed)),
            ("skipped", JSON.number(stats.skipped)),
            ("skipped_instruments", .object(stats.skippedInstruments.sorted { $0.key < $1.key }.map { ($0.key, JSON.number($0.value)) })),
            ("first_malformed_lines", .array(stats.firstMalformed.map { .number(String($0.line)) })),
            ("first_malformed", .array(malformed)),
            ("events_out_of_time_range", JSON.number(engine.totals.eventsOutOfTimeRange)),
        ] + (engine.totals.eventsPastMarketLimit > 0 ? [("events_past_market_limit", JSON.number(engine.totals.eventsPastMarketLimit))] : []))
        var positionMembers: [(String, JSON.Value)] = [
            ("monitored", JSON.number(engine.positions.count)),
            ("open", JSON.number(openPositions)),
            ("accounts", JSON.number(engine.accounts.count)),
        ]
        if !source.unseeded.isEmpty {
            positionMembers.append(("synthetic_not_placed", .array(source.unseeded.map {
                .object([("symbol", .string($0.symbol)), ("lacked", .string($0.reason))])
            })))
        }
        let positions: JSON.Value = .object(positionMembers)
        let blockedRecent: [JSON.Value] = log.blocked.suffix(20).map { blocked in
            .object([("time", .string(EventTime.iso8601(blocked.time))), ("symbol", .string(blocked.symbol)),
                ("reason", .string(blocked.reason.message))])
        }
        let simulatedSection: JSON.Value = .object([
            ("count", JSON.number(log.simulatedCount)),
            ("notional", moneyByAsset(log.simulatedNotional)),
            ("recent", .array(log.simulatedLiquidations.suffix(20).map { simulated($0, engine) })),
        ])
        // The venues of the session, each with how complete its liquidation stream is: a count
        // from a sampled stream is a floor.
        let venues = Set(engine.markets.compactMap { $0.instrument.venue } + log.unwatchedLiquidations.keys.compactMap { MarketID.venue(of: $0) })
        let unwatched: JSON.Value = .object([
            ("count", JSON.number(log.unwatchedCount)),
            ("markets_over_limit", JSON.number(log.unwatchedOverflow)),
            ("marks_dropped", JSON.number(log.unwatchedMarks)),
            ("by_market", .object(log.unwatchedLiquidations.keys.sorted().map { market in
                let tally = log.unwatchedLiquidations[market]!
                return (market, .object([
                    ("count", JSON.number(tally.count)), ("notional", JSON.number(tally.notional, decimals: 8)),
                    ("asset", .string(tally.asset)),
                    ("completeness", .string((MarketID.venue(of: market)?.liquidationCompleteness ?? .unknown).rawValue)),
                ]))
            })),
        ])
        let exchangeSection: JSON.Value = .object([
            ("count", JSON.number(log.exchangeCount)),
            ("notional", moneyByAsset(log.exchangeNotional)),
            ("completeness_by_venue", .object(venues.sorted().map { ($0.rawValue, .string($0.liquidationCompleteness.rawValue)) })),
            ("recent", .array(log.exchangeLiquidations.suffix(20).map { exchange($0) })),
            ("unwatched", unwatched),
        ])
        let waitingPositions = WaitingPosition.all(in: engine)
        let liquidations: JSON.Value = .object([
            ("simulated", simulatedSection),
            ("blocked", .object([("count", JSON.number(log.blockedLiquidations)), ("recent", .array(blockedRecent))])),
            // Past the trigger and waiting for a cross leg's mark elsewhere (see `WaitingPosition`).
            ("waiting", .object([("count", JSON.number(waitingPositions.count)), ("positions", .array(waitingPositions.prefix(20).map { waiting in
                .object([("account", .string(waiting.account)), ("symbol", .string(waiting.symbol)), ("waits_for", .string(waiting.market)),
                         ("reason", .string(waiting.block.message)),
                         ("deficit_now", waiting.deficitNow.map { JSON.number($0, decimals: 8) } ?? .null), ("asset", .string(waiting.asset))])
            }))])),
            ("exchange", exchangeSection),
        ])
        let deficits: JSON.Value = .object([
            ("count", JSON.number(log.deficitCount)),
            ("total", JSON.number(log.deficitTotal[primary] ?? .zero, decimals: 8)),
            ("asset", .string(primary)),
            ("total_by_asset", moneyByAsset(log.deficitTotal)),
            ("first", log.firstDeficit.map(deficitObject) ?? .null),
            ("largest", log.largestDeficits[primary].map(deficitObject) ?? .null),
            ("largest_by_asset", .object(log.largestDeficits.keys.sorted().map { ($0, deficitObject(log.largestDeficits[$0]!)) })),
            // Each venue's own: its fund paid them.
            ("by_venue", .object(log.byVenue.keys.sorted().map { venue in
                let tally = log.byVenue[venue]!
                return (venue, JSON.Value.object([("count", JSON.number(tally.deficitCount)), ("total_by_asset", moneyByAsset(tally.deficitTotal))]))
            })),
        ])
        // No fund in use (no market, no statement, no liquidation): the figures are null, as the
        // text report says "none" (an opening given by default read as a fund of 250,000 USDT in
        // a session of no market: operator trial).
        let fundInUse = !engine.fundOrder.isEmpty
        let figures = fundInUse ? fundFigures(fund) : fundFigures(fund).map { ($0.0, JSON.Value.null) }
        let insuranceFund: JSON.Value = .object([("venue", .string(fund.venue)), ("asset", .string(primary)), ("in_use", .bool(fundInUse))] + figures + [
            ("takeover_exposure", JSON.number(fundState.takeoverExposure, decimals: 8)),
            ("drawdown_level", .string(fundState.drawdownLevel.label)),
            ("adl_state", .string(fundState.adl.rawValue)),
            ("by_venue", .object(byVenue)),
            // Settlement assets of monitored markets that no fund was given for: their deficits are
            // paid by nothing but what their own liquidations left, then go to ADL (or socialised loss).
            ("not_given", .array(Self.assetsWithoutFund(engine).map { .string($0) })),
            ("not_given_by_venue", .object(notGivenByVenue)),
            // Given with `--insurance-fund` for a venue or an asset no market of the session has.
            ("given_unused", .array(engine.unusedFundOpenings.map { unused in
                .object([("venue", unused.venue.map { .string($0) } ?? .null), ("asset", .string(unused.asset)),
                         ("balance", JSON.number(unused.balance, decimals: 8))])
            })),
            ("statements_waiting", .object(engine.waitingFundStatements.map { ($0.asset, JSON.number($0.balance, decimals: 8)) })),
            ("statements_refused", .object([
                ("count", JSON.number(log.refusedFundStatements)),
                ("last", log.lastRefusedFundStatement.map { .string($0) } ?? .null),
            ])),
        ])
        let adl: JSON.Value = .object([
            ("count", JSON.number(log.adlCount)),
            ("notional", JSON.number(log.adlNotional[primary] ?? .zero, decimals: 8)),
            ("asset", .string(primary)),
            ("notional_by_asset", moneyByAsset(log.adlNotional)),
            // Quantity sent to ADL beyond the monitored positions (counterparties not watched).
            ("beyond_monitored_liquidations", JSON.number(log.adlBeyondMonitoredCount)),
            ("beyond_monitored_quantity_by_symbol", .object(log.adlBeyondMonitored.keys.sorted().map { ($0, JSON.number(log.adlBeyondMonitored[$0]!, decimals: 8)) })),
            ("by_venue", .object(log.byVenue.keys.sorted().map { venue in
                let tally = log.byVenue[venue]!
                return (venue, JSON.Value.object([("count", JSON.number(tally.adlCount)), ("notional_by_asset", moneyByAsset(tally.adlNotional))]))
            })),
        ])
        let rejections: [JSON.Value] = log.rejections.suffix(20).map { rejection in
            // A positions file's row is refused as it is placed, before the first event: no time of
            // the session (it read 1970-01-01: attacker trial).
            .object([("time", rejection.time > 0 ? .string(EventTime.iso8601(rejection.time)) : .null), ("account", .string(rejection.account)),
                ("symbol", .string(rejection.symbol)), ("reason", .string(rejection.reason))])
        }
        let alerts: [JSON.Value] = log.alerts.suffix(200).map { alert in
            .object([
                ("time", .string(EventTime.iso8601(alert.time))),
                ("symbol", .string(alert.symbol)),
                ("signal", .string(alert.signal.rawValue)),
                // A spread with a side of the book empty has no value (its reading is the cap).
                ("value", alert.sideMissing ? .null : JSON.number(alert.value)),
                ("unfilled_quantity", alert.unfilledQuantity.map { JSON.number($0) } ?? .null),
                ("side_missing", .bool(alert.sideMissing)),
                // The value is a floor: the book past the levels a top-of-book feed shows.
                ("past_shown_levels", .bool(alert.pastShownLevels)),
            ]
                // Past what the fund holds with nothing unfilled: ADL follows all the same. Only
                // where true, so the reports of sessions without one stay as they were.
                + (alert.passesFund ? [("adl_follows", JSON.Value.bool(true))] : []))
        }
        let fundAlerts: [JSON.Value] = log.fundAlerts.suffix(200).map { alert in
            .object([
                ("time", .string(EventTime.iso8601(alert.time))),
                ("venue", .string(alert.venue)),
                ("asset", .string(alert.asset)),
                ("kind", .string(alert.kind.rawValue)),
                ("balance", JSON.number(alert.balance, decimals: AssetPrecision.decimals(forAsset: alert.asset))),
                ("drawdown_pct", JSON.number(alert.drawdownPercent.rounded(places: 2, .down), decimals: 2)),
                ("symbol", alert.symbol.map { .string($0) } ?? .null),
            ])
        }
        func refusedObject(_ refused: ImplausiblePrice) -> JSON.Value {
            .object([("time", .string(EventTime.iso8601(refused.time))), ("symbol", .string(refused.symbol)),
                ("source", .string(refused.source.label)), ("price", JSON.number(refused.price, decimals: 8)),
                ("reference", JSON.number(refused.reference, decimals: 8))])
        }
        let implausible: JSON.Value = .object([
            ("count", JSON.number(log.implausiblePriceCount)),
            ("factor", JSON.number(Int(Engine.implausiblePriceFactor))),
            ("level_factor", JSON.number(Int(Engine.implausibleLevelFactor))),
            ("first", log.firstImplausiblePrice.map(refusedObject) ?? .null),
            ("last", log.lastImplausiblePrice.map(refusedObject) ?? .null),
        ])
        func refusedSnapshotObject(_ refused: RefusedSnapshot) -> JSON.Value {
            .object([("time", .string(EventTime.iso8601(refused.time))), ("symbol", .string(refused.symbol)), ("reason", .string(refused.reason))])
        }
        let refusedSnapshots: JSON.Value = .object([
            ("count", JSON.number(log.refusedSnapshotCount)),
            ("first", log.firstRefusedSnapshot.map(refusedSnapshotObject) ?? .null),
            ("last", log.lastRefusedSnapshot.map(refusedSnapshotObject) ?? .null),
        ])
        func datedBeforeObject(_ refused: DatedBeforeHeld) -> JSON.Value {
            .object([("time", .string(EventTime.iso8601(refused.time))), ("symbol", .string(refused.symbol)), ("what", .string("mark")),
                ("held", .string(EventTime.iso8601(refused.held)))])
        }
        let datedBefore: JSON.Value = .object([
            ("count", JSON.number(log.datedBeforeHeldCount)),
            ("first", log.firstDatedBeforeHeld.map(datedBeforeObject) ?? .null),
            ("last", log.lastDatedBeforeHeld.map(datedBeforeObject) ?? .null),
        ])
        let document: JSON.Value = .object([
            ("source", sourceObject),
            ("unverified_inputs", unverified),
            ("frames", frames),
            ("implausible_prices", implausible),
            ("refused_snapshots", refusedSnapshots),
            ("dated_before_held", datedBefore),
            ("feed", feedObject(source.feed)),
            ("alert_delivery", alertDeliveryObject(source)),
            ("symbols", .object(symbols)),
            ("positions", positions),
            ("liquidations", liquidations),
            ("deficits", deficits),
            ("insurance_fund", insuranceFund),
            ("adl", adl),
            ("socialised_loss", socialisedLossObject(engine)),
            ("positions_rejected", .object([("count", JSON.number(log.rejectedPositions)), ("recent", .array(rejections))])),
            ("wallet_statements_refused", .object([
                ("count", JSON.number(log.refusedWalletStatements)),
                ("last", log.lastRefusedWalletStatement.map { .string($0) } ?? .null),
            ])),
            ("signals", .object([("alert_count", JSON.number(log.alertCount)), ("alerts", .array(alerts))])),
            ("fund_alerts", .object([("count", JSON.number(log.fundAlertCount)), ("alerts", .array(fundAlerts))])),
            ("book_and_feed_alerts", .object([("count", JSON.number(source.conditionAlerts.count)),
                ("alerts", .array(source.conditionAlerts.recent.map { alert in
                    .object([("time", .string(EventTime.iso8601(alert.time))), ("kind", .string(alert.kind.rawValue)),
                        ("market", alert.market.map { .string($0) } ?? .null), ("stream", alert.stream.map { .string($0) } ?? .null),
                        ("message", .string(alert.message))])
                }))])),
        ])
        return JSON.render(document)
    }

    /// One market's entry of the report's `symbols`.
    static func marketObject(_ market: MarketState, engine: Engine, sync: DepthSynchronizer.Counters?,
        levels: (BookSide) -> JSON.Value) -> JSON.Value
    {
        let instrument = market.instrument
        func priceText(_ value: Fixed?) -> JSON.Value {
            value.map { .string(trimmedIfUnknown($0.formatted(instrument.priceDecimals), instrument)) } ?? .null
        }
        var members: [(String, JSON.Value)] = []
        members.append(("book", .object([("bids", levels(.bid)), ("asks", levels(.ask))])))
        func taken(_ side: BookSide) -> JSON.Value {
            .array(market.book.takenLevels(side).prefix(10).map { level in
                .array([.string(price(level.price, instrument)), .string(size(level.taken, instrument))])
            })
        }
        members.append(("taken_by_simulations", .object([("bids", taken(.bid)), ("asks", taken(.ask))])))
        members.append(("depth_events", JSON.number(sync?.applied ?? market.counters.depthEvents)))
        members.append(("dropped_before_sync", JSON.number(sync?.droppedBeforeSync ?? 0)))
        members.append(("gaps", JSON.number(sync?.gaps ?? market.counters.gaps)))
        members.append(("resyncs", JSON.number(sync?.resyncs ?? 0)))
        members.append(("snapshots", JSON.number(sync?.snapshots ?? market.counters.snapshots)))
        members.append(("last_update_id", sync?.lastUpdateId.map { .number(String($0)) } ?? .null))
        members.append(("checksums_verified", JSON.number(sync?.checksumsVerified ?? 0)))
        members.append(("last_problem", sync?.lastProblem.map { .string($0) } ?? .null))
        members.append(("stale", .bool(market.isStale)))
        members.append(("book_synced", .bool(market.book.isSynced)))
        members.append(("liquidations_blocked", JSON.number(market.counters.blockedLiquidations)))
        members.append(("exchange_liquidations", exchangeLiquidationsObject(market)))
        members.append(("liquidation_blocked", market.liquidationBlocked.map { .string($0.message) } ?? .null))
        // Exact: a mark finer than the tick (a book's mid, 1.95375 on a 0.0001 tick; a venue's
        // mark of more places) read 1.9538 beside the engine's 1.95375 in the position view
        // (operator trial). Never fewer places than the tick's.
        members.append(("mark", market.markPrice.map { mark in
            .string(trimmedIfUnknown(mark.formatted(max(mark.significantPlaces, instrument.priceDecimals)), instrument))
        } ?? .null))
        members.append(("mark_source", .string(market.markSource.rawValue)))
        members.append(("index", priceText(market.index.indexPrice)))
        // Every digit the venue gave (OKX's rates have up to 18 places; they were cut to 8),
        // never fewer than Binance's 8.
        members.append(("funding_rate", market.index.fundingRate.map { JSON.number($0, decimals: max(8, $0.significantPlaces)) } ?? .null))
        members.append(("trades", JSON.number(market.counters.trades)))
        members.append(("crossed_levels_removed", JSON.number(market.counters.crossedLevelsRemoved)))
        members.append(("implausible_prices_refused", JSON.number(market.counters.implausiblePricesRefused)))
        members.append(("snapshots_refused", JSON.number(market.counters.snapshotsRefused)))
        members.append(("dated_before_held", JSON.number(market.counters.datedBeforeHeld)))
        // The first price the feed sent between the instrument's ticks (every digit), or null.
        members.append(("off_tick_price", market.offTickPrice.map { .string($0.description) } ?? .null))
        // Only where a side was cut to the ladder's limit (the same report as before otherwise).
        if market.book.farLevelsDropped > 0 { members.append(("far_levels_dropped", JSON.number(market.book.farLevelsDropped))) }
        members.append(("stressed_deficit", stressedObject(market.shownStress, asset: instrument.settlementAsset)))
        members.append(("fund_holdings", fundHoldings(market)))
        members.append(("stress", .array(engine.stressLadder(symbol: market.symbol).map(stressRow))))
        return .object(members)
    }

    /// The exchange's reported liquidations of one market: count, notional in the settlement asset
    /// (exact, eight places), and how complete the venue's stream is (`none`: no count exists).
    static func exchangeLiquidationsObject(_ market: MarketState) -> JSON.Value {
        let completeness = market.liquidationCompleteness
        guard completeness != .unpublished else {
            return .object([("count", .null), ("notional", .null), ("asset", .string(market.instrument.settlementAsset)),
                ("completeness", .string(completeness.rawValue))])
        }
        return .object([
            ("count", JSON.number(market.counters.exchangeLiquidations)),
            ("notional", JSON.number(market.counters.exchangeLiquidationNotional, decimals: 8)),
            ("asset", .string(market.instrument.settlementAsset)),
            ("completeness", .string(completeness.rawValue)),
        ])
    }

    /// The same for people: "3 exchange liquidations (sample, ...), 0.015 BTC".
    static func exchangeLiquidationsText(_ market: MarketState) -> String {
        let completeness = market.liquidationCompleteness
        if completeness == .unpublished { return "exchange liquidations n/a (\(completeness.meaning))" }
        let asset = market.instrument.settlementAsset
        let notional = market.counters.exchangeLiquidationNotional.formatted(AssetPrecision.decimals(forAsset: asset), grouping: true)
        return "\(market.counters.exchangeLiquidations) exchange liquidations (\(completeness.meaning)), \(notional) \(asset)"
    }

    static func fundObject(_ fund: InsuranceFund, state: FundState, markets: Int) -> JSON.Value {
        .object([("given", .bool(fund.wasGiven)), ("markets", JSON.number(markets))] + fundFigures(fund)
            + [("adl_events", JSON.number(fund.adlEvents)), ("adl_state", .string(state.adl.rawValue))]
            // Only where a loss was socialised (the same report as before otherwise).
            + (fund.socialisedCharged.isZero && fund.badDebt.isZero ? [] : [
                ("socialised_charged", JSON.number(fund.socialisedCharged, decimals: 8)),
                ("bad_debt", JSON.number(fund.badDebt, decimals: 8))]))
    }

    /// A fund's money figures, as the leading fund and each venue's report them: start, end, low,
    /// peak, flows, and the statements after the opening where there were some (an events file's
    /// later insurance_fund lines moved the balance too: start + inflows − outflows did not come to
    /// the end without them; attacker trial).
    static func fundFigures(_ fund: InsuranceFund) -> [(String, JSON.Value)] {
        var figures: [(String, JSON.Value)] = [
            ("start", JSON.number(fund.opening, decimals: 8)), ("end", JSON.number(fund.balance, decimals: 8)),
            ("min", JSON.number(fund.low, decimals: 8)), ("peak", JSON.number(fund.peak, decimals: 8)),
            ("inflows", JSON.number(fund.inflows, decimals: 8)), ("outflows", JSON.number(fund.outflows, decimals: 8)),
        ]
        if let statements = fund.totals[.statement] { figures.append(("statements", JSON.number(statements, decimals: 8))) }
        // How deep it went and when: the peak above is the session's last, after a refill (the
        // demo's read `min 0.05, peak 9,814.24` of a fund that had gone 99.9 % down: operator trial).
        figures.append(("deepest_drawdown_pct", JSON.number((fund.deepestDrawdown * Fixed(100)).rounded(places: 2, .down), decimals: 2)))
        figures.append(("deepest_drawdown_time", fund.deepestDrawdown.isPositive ? .string(EventTime.iso8601(fund.deepestDrawdownTime)) : .null))
        // Null while the minimum is the opening (booked before the session's first event).
        figures.append(("min_time", fund.isInUse && fund.lowTime > 0 ? .string(EventTime.iso8601(fund.lowTime)) : .null))
        return figures
    }

    static func moneyByAsset(_ values: [String: Fixed]) -> JSON.Value {
        .object(values.keys.sorted().map { ($0, JSON.number(values[$0]!, decimals: 8)) })
    }

    static func simulated(_ record: LiquidationRecord, _ engine: Engine) -> JSON.Value {
        let decimals = engine.market(record.symbol)?.instrument.priceDecimals ?? 2
        return .object([
            ("time", .string(EventTime.iso8601(record.time))), ("symbol", .string(record.symbol)), ("account", .string(record.account)),
            ("side", .string(record.side.label)), ("quantity", JSON.number(record.quantity, decimals: 8)),
            ("bankruptcy_price", JSON.number(record.bankruptcyPrice, decimals: decimals)),
            ("average_fill", JSON.number(record.averageFill, decimals: decimals)),
            ("slippage_bps", JSON.number(record.slippageBps, decimals: 2)), ("levels_consumed", JSON.number(record.levelsConsumed)),
            ("filled_quantity", JSON.number(record.filledQuantity, decimals: 8)),
            ("unfilled_quantity", JSON.number(record.unfilledQuantity, decimals: 8)),
            ("deficit", JSON.number(record.deficit, decimals: 8)), ("fund_after", JSON.number(record.fundAfter, decimals: 8)),
            ("adl_quantity", JSON.number(record.adlQuantity, decimals: 8)),
            ("fund_takeover_quantity", JSON.number(record.fundTakeoverQuantity, decimals: 8)),
            ("asset", .string(record.asset)), ("partial", .bool(record.isPartial)),
        ] + (record.pastShownLevels > 0 ? pastShown(record.pastShownQuantity, levels: Int(record.pastShownLevels)) : []))
    }

    static func deficitObject(_ record: DeficitRecord) -> JSON.Value {
        .object([
            ("time", .string(EventTime.iso8601(record.time))), ("symbol", .string(record.symbol)), ("account", .string(record.account)),
            ("amount", JSON.number(record.amount, decimals: 8)), ("asset", .string(record.asset)),
        ])
    }

    /// The stressed deficit as the session ended: the riskiest positions liquidated into the book as
    /// it is, at the mark, with the engine's level (the dashboard's `Stressed deficit vs fund`). The
    /// text report had only the shocked marks' table: the figure the alerts were raised on was
    /// missing (operator trial).
    static func stressedNowLine(_ market: MarketState, engine: Engine, amount: (Fixed, String) -> String) -> String {
        let stressed = market.shownStress
        let asset = market.instrument.settlementAsset
        let level = market.signalReadings[.stressedDeficit]?.level.label ?? "not read"
        // Which positions: the riskiest, and on through every one near liquidation (the 50
        // riskiest alone read a tenth of what the cascade sent to ADL: operator trial).
        let configuration = engine.configuration
        func grouped(_ count: Int) -> String { Fixed(count).formatted(0, grouping: true) }
        let taken = stressed.positionsInWords(grouped).replacingOccurrences(of: "≥", with: "at least ") + " nearest liquidation"
            + (stressed.positionsSide == nil ? " (both sides, each on its own)" : "")
        let which = "the \(configuration.stressedPositions) riskiest a side and every one within \(configuration.risk.distanceAlertPercent.description) % of its liquidation price, at most \(grouped(configuration.stressedPositionsLimit)) a side"
        // "would be": the positions counted are not liquidated (the count read as liquidations,
        // beside the report's real ones: operator trial).
        var line = "stressed deficit now \(market.symbol) (if its \(taken) were liquidated now into the book as it is: \(which)): \(amount(stressed.deficit, asset)) \(asset)"
        if stressed.unfilledQuantity.isPositive {
            let cover = engine.configuration.unfilled == .adl ? "ADL" : "the fund takes it over"
            line += "; the book cannot fill \(market.instrument.quantityText(stressed.unfilledQuantity)) \(market.instrument.quantityUnit) → \(cover)"
        }
        if stressed.adlCertain { line += "; ADL would follow" }
        // The book they would leave (the WARN of a stress that loses no money yet).
        if stressed.bookShare != nil, let side = stressed.bookShareSide, !stressed.unfilledQuantity.isPositive {
            let percent = grouped(stressed.bookSharePercent)
            let floor = stressed.beyondLimit && stressed.positionsSide == side ? "at least " : ""
            line += "; its \(stressed.bookSharePositionsInWords(grouped)) near liquidation would take \(floor)\(percent) % of the \(stressed.bookShareBook) (at least \(Fixed(approximating: engine.configuration.signals.stressedBookShareWarn * 100).description) % warns)"
        }
        // Past the levels a top-of-book feed shows the book is not known: the deficit (its loss at
        // the deepest level shown included) is a floor.
        if stressed.pastShownQuantity.isPositive {
            line += "; \(market.instrument.quantityText(stressed.pastShownQuantity)) \(market.instrument.quantityUnit) past the \(Fixed(stressed.shownLevels).formatted(0, grouping: true)) levels \(market.book.isCut((stressed.positionsSide ?? .long).closingBookSide) ? "kept" : "the feed shows") (the book beyond is not known and fills no better than the deepest level shown: the deficit is a floor)"
        }
        // A book not trusted: the figure is of the book as last known, and the reason is the
        // book's own (every stale book read "since a gap", an outdated one with 0 gaps too:
        // operator trial).
        if let reason = market.staleReason {
            let why: String
            switch reason {
            case "gap": why = "since a gap"
            case "refused snapshot": why = "its last snapshot contradicted itself and was refused"
            case "outdated": why = "outdated: unchanged for longer than the engine trusts"
            default: why = reason
            }
            line += "; its book is STALE (\(why): the figure is of the book as last known)"
        }
        // How soon: the riskiest are taken however far they are.
        if stressed.positions > 0, stressed.nearestIsPast {
            line += "; the nearest is at or past its liquidation price"
        } else if stressed.positions > 0, let distance = stressed.nearestDistancePercent {
            line += "; the nearest is \(distance.formatted(2, rounding: .down)) % from its liquidation price"
        }
        return line + "; " + level
    }

    static func stressedObject(_ stressed: StressedDeficit, asset: String) -> JSON.Value {
        var members: [(String, JSON.Value)] = [
            ("deficit", JSON.number(stressed.deficit, decimals: 8)), ("unfilled_quantity", JSON.number(stressed.unfilledQuantity, decimals: 8)),
            ("unfilled_notional", JSON.number(stressed.unfilledNotional, decimals: 8)), ("adl_certain", .bool(stressed.adlCertain)),
            ("asset", .string(asset)), ("positions", JSON.number(stressed.positions)),
            ("positions_side", stressed.positionsSide.map { .string($0 == .long ? "long" : "short") } ?? .null),
            // How far the nearest of them was from its liquidation price, % of the mark (negative: past it).
            ("nearest_distance_pct", stressed.positions > 0 ? JSON.number(stressed.nearestDistancePercent?.rounded(places: 4, .down), decimals: 4) : .null),
            ("nearest_past_liquidation", .bool(stressed.positions > 0 && stressed.nearestIsPast)),
        ]
        // More positions near liquidation than a sample takes: the figures are floors.
        if stressed.beyondLimit { members.append(("beyond_limit", .bool(true))) }
        // Only where they would take at least the warning's share of the book's closing side.
        if let share = stressed.bookShare, let side = stressed.bookShareSide {
            members.append(("book_share", JSON.number(Fixed(approximating: share), decimals: 4)))
            members.append(("book_share_side", .string(side == .long ? "long" : "short")))
            members.append(("book_share_positions", JSON.number(stressed.bookSharePositions)))
        }
        // Only where a walk ran past the levels a top-of-book feed shows (see `pastShown`).
        if stressed.pastShownQuantity.isPositive {
            members += pastShown(stressed.pastShownQuantity, levels: stressed.shownLevels)
        }
        return .object(members)
    }

    /// Quantity past the deepest level of a feed that shows only the top of the book, and how many
    /// levels it shows a side: the book there is not known.
    static func pastShown(_ quantity: Fixed, levels: Int) -> [(String, JSON.Value)] {
        [("past_shown_quantity", JSON.number(quantity, decimals: 8)), ("shown_levels", JSON.number(levels))]
    }

    static func fundHoldings(_ market: MarketState) -> JSON.Value {
        var members: [(String, JSON.Value)] = []
        for (label, holding) in [("long", market.fundLong), ("short", market.fundShort)] where !holding.isEmpty {
            members.append((label, .object([
                ("quantity", JSON.number(holding.quantity, decimals: 8)),
                ("entry_price", JSON.number(holding.entryPrice, decimals: market.instrument.priceDecimals)),
            ])))
        }
        if let mark = market.markPrice, !members.isEmpty {
            members.append(("unrealised_pnl", JSON.number(market.fundExposure(at: mark), decimals: 8)))
        }
        return .object(members)
    }

    /// One row of a market's stress table.
    static func stressRow(_ result: StressResult) -> JSON.Value {
        var members: [(String, JSON.Value)] = [
            ("shock_pct", .number(result.shockPercent.description)),
            ("liquidations", JSON.number(result.liquidationCount)),
            ("notional", JSON.number(result.liquidatedNotional, decimals: 8)),
            ("deficit", JSON.number(result.totalDeficit, decimals: 8)),
            ("fund_after", JSON.number(result.fundAfter, decimals: 8)),
        ]
        // What the fund holds (taken over) is worth at the shocked mark: only where it holds some.
        if result.fundHolds {
            members.append(("fund_holdings_pnl", JSON.number(result.fundHoldingsPnL, decimals: 8)))
            members.append(("fund_equity_after", JSON.number(result.fundEquityAfter, decimals: 8)))
        }
        members += [
            ("adl_quantity", JSON.number(result.adlQuantity, decimals: 8)),
            ("unfilled_quantity", JSON.number(result.unfilledQuantity, decimals: 8)),
            ("fund_takeover_quantity", JSON.number(result.fundTakeoverQuantity, decimals: 8)),
            ("blocked", result.blocked.map { .string($0.message) } ?? .null),
        ]
        if result.pastShownQuantity.isPositive { members += pastShown(result.pastShownQuantity, levels: result.shownLevels) }
        // Other markets where cross accounts' legs the shock liquidated left quantity unfilled
        // (their quantities are in their own units: never summed into this market's).
        if !result.otherMarketsUnfilled.isEmpty {
            members.append(("other_markets_unfilled", .array(result.otherMarketsUnfilled.sorted().map { .string($0) })))
        }
        // Crossed but waiting for a cross leg's mark elsewhere: not in the figures above.
        if result.waitingOnLegs > 0, let leg = result.waitingLeg {
            members.append(("waiting_on_cross_legs", JSON.number(result.waitingOnLegs)))
            members.append(("waiting_leg", .object([("symbol", .string(leg.symbol)), ("reason", .string(leg.block.message))])))
        }
        return .object(members)
    }

    /// Losses socialised past the fund (`--shortfall socialised-loss`), per asset: what the
    /// winners' profits were charged, and what no profit could cover (bad debt, a negative
    /// balance of the ledger's bad-debt party). They were in no figure: a deficit of 7,000 with an
    /// empty fund read `fund end 0.00, out 0.00` while 112 was charged to two winners and 6,888
    /// was lost (attacker trial).
    static func socialisedLossObject(_ engine: Engine) -> JSON.Value {
        let charged = engine.totals.socialisedTotal
        let badDebt = Dictionary(uniqueKeysWithValues: engine.badDebt.entries.filter { !$0.value.isZero }.map { ($0.asset, -$0.value) })
        return .object([("count", JSON.number(engine.totals.socialisedLosses)), ("charged_to_profits_by_asset", moneyByAsset(charged)),
            ("bad_debt_by_asset", moneyByAsset(badDebt))])
    }

    /// The text report's line of the same; nil when no loss was socialised.
    static func socialisedLossLine(_ engine: Engine, amount: (Fixed, String) -> String) -> String? {
        guard engine.totals.socialisedLosses > 0 else { return nil }
        // Each fund's own, named by venue when several funds had some (one asset's total of two
        // venues read as either venue's).
        // Every fund a market has (a coin fund nobody gave, whose first liquidation paid nothing, is
        // not in use, and its socialised loss went missing from the line: review).
        let hit = engine.watchedFundOrder.map { engine.funds[Int($0)] }.filter { !$0.socialisedCharged.isZero || !$0.badDebt.isZero }
        // Named wherever the session's funds span venues (one venue's loss of two read as either's).
        let namesVenues = engine.fundsSpanVenues
        let parts = hit.map { fund in
            let venue = namesVenues ? "\(fund.venue) " : ""
            return "\(venue)\(amount(fund.socialisedCharged, fund.asset)) \(fund.asset) charged to winners' profits, "
                + "\(amount(fund.badDebt, fund.asset)) \(fund.asset) no profit covered (bad debt)"
        }
        return "socialised loss: \(engine.totals.socialisedLosses) event\(engine.totals.socialisedLosses == 1 ? "" : "s")"
            + (parts.isEmpty ? "" : "; " + parts.joined(separator: "; "))
    }

    static func exchange(_ liquidation: ExchangeLiquidation) -> JSON.Value {
        .object([
            ("time", .string(EventTime.iso8601(liquidation.time))), ("symbol", .string(liquidation.symbol)),
            ("side", .string(liquidation.side.label)), ("price", JSON.number(liquidation.price, decimals: 8)),
            ("quantity", JSON.number(liquidation.quantity, decimals: 8)),
            ("notional", JSON.number(liquidation.notional, decimals: 8)), ("asset", liquidation.asset.map { .string($0) } ?? .null),
        ])
    }

    /// A price of `instrument` as a decimal string; `grouping` for people (`59,300.00`), not for
    /// JSON.
    static func price(_ units: Int64, _ instrument: Instrument, grouping: Bool = false) -> String {
        trimmedIfUnknown(BookUnits.format(units, decimals: exactDecimals(units, atLeast: instrument.priceDecimals), grouping: grouping),
            step: instrument.tickSize)
    }

    static func size(_ units: Int64, _ instrument: Instrument, grouping: Bool = false) -> String {
        trimmedIfUnknown(BookUnits.format(units, decimals: exactDecimals(units, atLeast: instrument.sizeDecimals), grouping: grouping),
            step: instrument.lotSize)
    }

    /// The instrument's decimals, or more where the value has them: a level of 0.0004 BTC on a
    /// lot of 0.001 read `× 0.000`, a live best bid shown as nothing (attacker trial).
    static func exactDecimals(_ units: Int64, atLeast decimals: Int) -> Int {
        max(decimals, BookUnits.significantDecimals(units))
    }

    static func trimmedIfUnknown(_ text: String, _ instrument: Instrument) -> String {
        trimmedIfUnknown(text, step: instrument.tickSize)
    }

    /// A step nobody described (a lot of 0.00000001): print the feed's digits, not eight places.
    static func trimmedIfUnknown(_ text: String, step: Fixed) -> String {
        guard step < Fixed("0.0000001")!, text.contains(".") else { return text }
        var trimmed = text
        while trimmed.hasSuffix("0") { trimmed.removeLast() }
        if trimmed.hasSuffix(".") { trimmed.removeLast() }
        return trimmed
    }


    /// The settlement assets of markets with monitored positions that no insurance fund was given
    /// for (`InsuranceFund.wasGiven`), sorted.
    static func assetsWithoutFund(_ engine: Engine) -> [String] {
        Array(Set(fundsNotGiven(engine).flatMap(\.assets))).sorted()
    }

    /// The same per venue: each venue's settlement assets of markets with monitored positions
    /// whose fund of that venue nobody gave, by venue name.
    static func fundsNotGiven(_ engine: Engine) -> [(venue: String, assets: [String])] {
        var byVenue: [String: Set<String>] = [:]
        for index in engine.markets.indices where engine.markets[index].positionCount > 0 {
            let fund = engine.fund(market: index)
            if !fund.wasGiven { byVenue[fund.venue, default: []].insert(fund.asset) }
        }
        return byVenue.keys.sorted().map { ($0, byVenue[$0]!.sorted()) }
    }

    /// A short summary for people.
    static func text(engine: Engine, stats: FrameStats, log: SessionLog, synchronizers: [String: DepthSynchronizer], source: Source) -> String {
        let engine = asEnded(engine)
        var lines: [String] = []
        lines.append("liqwatch \(source.kind): \(source.files.joined(separator: ", "))")
        if let first = source.firstTime, let last = source.lastTime {
            lines.append("  from \(EventTime.iso8601(first)) to \(EventTime.iso8601(last)) (\(EventTime.duration(last - first)))")
        }
        for input in source.unverified {
            lines.append("UNVERIFIED: \(input.path) failed its gzip check (\(input.reason)) after it was replayed; "
                + "markets replayed from it: \(input.markets.isEmpty ? "none" : input.markets.joined(separator: ", "))")
        }
        lines.append("frames: \(stats.read) read, \(stats.applied) applied, \(stats.skipped) skipped, \(stats.malformed) malformed")
        // Skipped is not lost: 66,089 of the Binance recording's 93,954 frames are its book
        // tickers, and the bare count read as damage (operator trial).
        if stats.skipped > 0 {
            lines.append("  skipped: frames of streams liqwatch does not apply, such as book tickers and subscription answers (an instrument it does not model is named below)")
        }
        for (instrument, count) in stats.skippedInstruments.sorted(by: { $0.key < $1.key }) {
            lines.append("  skipped: \(count) frames of \(SafeText.escaped(instrument))")
        }
        let feed = source.feed
        var feedLine = "feed: \(feed.gaps) gaps, \(feed.resyncs) resyncs, \(feed.reconnects) reconnects"
        if !feed.staleMarkets.isEmpty {
            // At most twenty by name (ten thousand made one line of 250 KB: attacker trial); the
            // JSON report lists them all.
            let named = feed.staleMarkets.prefix(20).joined(separator: ", ")
            let more = feed.staleMarkets.count > 20 ? " and \(Fixed(feed.staleMarkets.count - 20).formatted(0, grouping: true)) more (--report json lists them)" : ""
            feedLine += ", stale now: " + named + more
        }
        lines.append(feedLine)
        if let delivery = source.alertDelivery { lines.append("alerts told: \(source.alertsTold); " + delivery.line) }
        for stream in feed.streams {
            var line = "  stream \(SafeText.escaped(stream.name)): \(stream.messages) messages, \(stream.reconnects) reconnects"
                + (stream.failedConnections > 0 ? " (\(stream.failedConnections) failed connection attempt\(stream.failedConnections == 1 ? "" : "s"))" : "")
                + ", \(stream.malformed) malformed, \(stream.state)"
            if stream.stale { line += ", STALE" + (stream.silentSeconds.map { String(format: " (silent %.0f s)", $0) } ?? "") }
            if let error = stream.lastError { line += "; last error: \(SafeText.escaped(error))" }
            lines.append(line)
        }
        let malformedShown = stats.firstMalformed.prefix(5)
        for entry in malformedShown { lines.append("  malformed: \(SafeText.escaped(entry.file)):\(entry.line) (\(SafeText.escaped(entry.field)))") }
        // The rest are counted above; say they were left out, and where more are listed.
        if stats.malformed > malformedShown.count {
            lines.append("  … \(stats.malformed - malformedShown.count) more malformed (the first \(stats.firstMalformed.count) in the JSON report's first_malformed)")
        }
        for market in engine.markets.sorted(by: { $0.symbol < $1.symbol }) {
            let instrument = market.instrument
            let sync = synchronizers[market.symbol]?.counters
            var line = "\(market.symbol): mark \(market.markPrice.map { trimmedIfUnknown($0.formatted(atLeast: instrument.priceDecimals, grouping: true), instrument) + " " + instrument.quote } ?? "—")"
            if market.markPrice != nil, let explained = market.markSource.explanation(rule: engine.configuration.markRule) { line += " (\(explained))" }
            line += ", \(sync?.applied ?? market.counters.depthEvents) depth events, \(sync?.gaps ?? market.counters.gaps) gaps, \(sync?.resyncs ?? 0) resyncs"
            if let id = sync?.lastUpdateId { line += ", last update id \(id)" }
            if let verified = sync?.checksumsVerified, verified > 0 { line += ", \(verified) checksums verified" }
            if let reason = market.staleReason { line += ", BOOK STALE (\(reason))" }
            if market.markOutdated { line += ", MARK OUTDATED (not given for over \(engine.configuration.maximumBookAgeSeconds) s: not liquidated on)" }
            if let offTick = market.offTickPrice {
                // Every digit the feed sent: rounded to the tick, the price would hide the mismatch.
                line += ", PRICES OFF THE TICK \(instrument.tickSize) (first \(offTick)): check the instrument's tick"
            }
            if market.book.farLevelsDropped > 0 {
                let dropped = Fixed(market.book.farLevelsDropped).formatted(0, grouping: true)
                let limit = Fixed(PriceLadder.levelLimit).formatted(0, grouping: true)
                // Whole again once a snapshot replaced the cut side (it read as cut still: attacker trial).
                line += market.book.isCut(.bid) || market.book.isCut(.ask)
                    ? ", BOOK CUT: \(dropped) levels farthest from the touch dropped (a side keeps about \(limit); past them not known)"
                    : ", book cut earlier (\(dropped) levels farthest from the touch dropped; a side keeps about \(limit)), whole again since a snapshot"
            }
            if let block = market.liquidationBlocked { line += ", \(block.message)" }
            line += ", " + exchangeLiquidationsText(market)
            lines.append(line)
            // What is left after the simulated liquidations (the ladder's book), and what they
            // took of the levels the feed shows and has not given again.
            for (side, name) in [(BookSide.bid, "bids"), (.ask, "asks")] {
                // Grouped, as the mark beside them and the ladder are (`59999.80 × 40` read
                // beside `mark 58,000.00`: attacker trial).
                let left = market.book.levelsLeft(side, count: 3).map {
                    "\(price($0.price, instrument, grouping: true)) × \(size($0.size, instrument, grouping: true))"
                }
                var line = "  \(name) " + (left.isEmpty ? "none" : left.joined(separator: ", "))
                let taken = market.book.takenLevels(side)
                if let first = taken.first, let last = taken.last {
                    let total = taken.reduce(Int64(0)) { sum, level in
                        let (added, overflow) = sum.addingReportingOverflow(level.taken)
                        return overflow ? .max : added
                    }
                    let levels = taken.count == 1 ? "1 level" : "\(taken.count) levels"
                    let range = taken.count == 1 ? price(first.price, instrument, grouping: true)
                        : "\(price(first.price, instrument, grouping: true)) to \(price(last.price, instrument, grouping: true))"
                    line += "; simulated liquidations took \(size(total, instrument, grouping: true)) \(instrument.quantityUnit) from \(levels) (\(range))"
                        + " the feed has not given again"
                }
                lines.append(line)
            }
        }
        let primary = engine.primaryAsset
        /// Cents for dollars, eight places for a coin.
        func amount(_ value: Fixed, _ asset: String) -> String { value.formatted(AssetPrecision.decimals(forAsset: asset), grouping: true) }
        lines.append("positions: \(engine.positions.count) monitored, \(engine.positions.filter(\.isOpen).count) open")
        for market in source.unseeded {
            lines.append("  synthetic positions: none on \(market.symbol), which never had a mark and a book on both sides (\(market.reason))")
        }
        // Books back after a gap where positions are held, said before the liquidations they may
        // explain (a 2020 book joined to 2024's liquidated the 2020 positions, and the report led
        // with the cascade, the cause buried in its alerts: operator trial).
        if let first = log.firstResumed {
            lines.append("books back after a gap of an hour or more, positions held there (they were stated against the book of then): "
                + "\(first.symbol) at \(EventTime.iso8601(first.time)) after \(first.reason ?? "a gap")"
                + (log.resumedCount > 1 ? " and \(log.resumedCount - 1) more (see book and feed alerts)" : ""))
        }
        lines.append("liquidations: \(log.simulatedCount) simulated, \(log.exchangeCount) reported by the exchange"
            + (log.blockedLiquidations > 0 ? ", \(log.blockedLiquidations) time\(log.blockedLiquidations == 1 ? "" : "s") blocked (triggers crossed with no trusted book or mark)" : ""))
        let waitingPositions = WaitingPosition.all(in: engine)
        if !waitingPositions.isEmpty {
            let count = waitingPositions.count
            lines.append("  waiting for a cross leg's mark: \(count) position\(count == 1 ? "" : "s") past the trigger, not liquidated while it lasts: "
                + waitingPositions.prefix(5).map(\.text).joined(separator: ", ") + (count > 5 ? " and \(count - 5) more" : ""))
        }
        if engine.totals.liquidationsPastShownLevels > 0 {
            lines.append("  past the levels the feed shows: \(engine.totals.liquidationsPastShownLevels) (the rest of each settled at the deepest level shown, no better than the book beyond: their deficits are floors)")
        }
        if log.unwatchedCount > 0 {
            // Where else the venue-wide streams reported liquidations: the five busiest markets.
            let busiest = log.unwatchedLiquidations.sorted { ($0.value.count, $1.key) > ($1.value.count, $0.key) }.prefix(5).map { market, tally in
                "\(market) \(tally.count) (\(amount(tally.notional, tally.asset)) \(tally.asset))"
            }
            lines.append("  on markets not watched: \(log.unwatchedCount) (not on the tape; sampled where the venue samples): "
                + busiest.joined(separator: ", ") + (log.unwatchedLiquidations.count > 5 ? ", ..." : ""))
        }
        // Every asset's total: a session whose deficits were all in BTC read "total 0.00 USDT".
        let deficitTotals = log.deficitTotal.keys.sorted().filter { !(log.deficitTotal[$0] ?? .zero).isZero }
            .map { "\(amount(log.deficitTotal[$0]!, $0)) \($0)" }
        // None: no total (a session of BTC- and UNI-settled markets read "total 0.00 USDT").
        lines.append("deficits: \(log.deficitCount)" + (deficitTotals.isEmpty ? "" : ", total " + deficitTotals.joined(separator: ", ")))
        if log.byVenue.count > 1 {
            // Each venue's, as its own fund paid them.
            for venue in log.byVenue.keys.sorted() {
                let tally = log.byVenue[venue]!
                let totals = tally.deficitTotal.keys.sorted().map { "\(amount(tally.deficitTotal[$0]!, $0)) \($0)" }
                let adl = tally.adlNotional.keys.sorted().map { "\(amount(tally.adlNotional[$0]!, $0)) \($0)" }
                lines.append("  \(venue): \(tally.deficitCount) deficits" + (totals.isEmpty ? "" : ", " + totals.joined(separator: ", "))
                    + "; ADL \(tally.adlCount)" + (adl.isEmpty ? "" : ", notional " + adl.joined(separator: ", ")))
            }
        }
        for (label, record) in [("first", log.firstDeficit)] + log.largestDeficits.keys.sorted().map({ ("largest", log.largestDeficits[$0]) }) {
            guard let record else { continue }
            lines.append("  \(label): \(EventTime.iso8601(record.time)) \(record.symbol) \(record.account) \(amount(record.amount, record.asset)) \(record.asset)")
        }
        // A line per fund in use, each venue's own; one venue's funds are named by asset alone.
        let namesVenues = engine.fundsSpanVenues
        let backed = engine.marketsBacked
        if engine.fundOrder.isEmpty {
            // No fund was given for any market's asset, and no liquidation moved money into one.
            let unbacked = Set(engine.markets.indices.map { engine.fund(market: $0) }.map { $0.venue.isEmpty ? $0.asset : "\($0.venue) \($0.asset)" })
            lines.append("insurance fund: none" + (unbacked.isEmpty ? "" : " given for \(unbacked.sorted().joined(separator: ", ")): deficits go to "
                + (engine.configuration.shortfall == .adl ? "ADL" : "socialised loss")))
        }
        // The funds not given that back a market too (at zero every deficit goes to ADL: their
        // state is what matters), as the JSON report lists them.
        for index in engine.watchedFundOrder {
            let each = engine.funds[Int(index)]
            let asset = each.asset
            let state = engine.fundState(venue: each.venue, asset: asset)
            let name = namesVenues && !each.venue.isEmpty ? "\(each.venue) \(asset)" : asset
            // Opened or stated for a venue or an asset no market of the session has.
            let idle = backed[index] == nil ? " — backs no market of this session" : ""
            // Statements moved the balance too: said, so that start, flows and end add up.
            let statements = each.totals[.statement].map { ", statements \($0.isNegative ? "" : "+")\(amount($0, asset))" } ?? ""
            let given = each.wasGiven ? "" : " (no opening given)"
            // A state from a market whose book ended (every market the fund backs ended): said, with
            // the market (`ADL near` from AKROUSDT's 2021 book read as today's: operator trial).
            let ended = state.nearFromEndedBook ? " (from \(state.stressedMarket ?? "a market")'s ended book)" : ""
            let deepest = each.deepestDrawdown.isPositive
                ? ", deepest drawdown \((each.deepestDrawdown * Fixed(100)).formatted(1, rounding: .down))% at \(EventTime.iso8601(each.deepestDrawdownTime))" : ""
            lines.append("insurance fund (\(name))\(given): start \(amount(each.opening, asset)), end \(amount(each.balance, asset)), min \(amount(each.low, asset)), peak \(amount(each.peak, asset))\(statements)\(deepest); ADL \(state.adl.label)\(ended)\(idle)")
            if !state.takeoverExposure.isZero {
                lines.append("  holds positions taken over, unrealised \(amount(state.takeoverExposure, asset)) \(asset)")
            }
        }
        for unused in engine.unusedFundOpenings {
            let named = unused.venue.map { "\($0) \(unused.asset)" } ?? unused.asset
            let lacking = unused.venue.map { "no \($0) market settled in \(unused.asset)" } ?? "no market settled in \(unused.asset)"
            lines.append("insurance fund given for \(named) (\(amount(unused.balance, unused.asset))): not used, \(lacking) in this session")
        }
        let adlNotional = log.adlNotional.keys.sorted().map { "\(amount(log.adlNotional[$0]!, $0)) \($0)" }
        var adlLine = "ADL: \(log.adlCount) events, notional \(adlNotional.isEmpty ? "0" : adlNotional.joined(separator: ", "))"
        if log.adlBeyondMonitoredCount > 0 {
            // Deleveraged against positions the session does not monitor: ADL all the same.
            let beyond = log.adlBeyondMonitored.keys.sorted().map { symbol in
                "\(log.adlBeyondMonitored[symbol]!.formatted(engine.market(symbol)?.instrument.sizeDecimals ?? 8, grouping: true)) \(symbol)"
            }
            adlLine += "; beyond the monitored positions, from \(log.adlBeyondMonitoredCount) liquidation\(log.adlBeyondMonitoredCount == 1 ? "" : "s"): \(beyond.joined(separator: ", "))"
        }
        lines.append(adlLine)
        if let socialised = socialisedLossLine(engine, amount: amount) { lines.append(socialised) }
        if let first = log.firstImplausiblePrice {
            func named(_ refused: ImplausiblePrice) -> String {
                "\(EventTime.iso8601(refused.time)) \(refused.symbol) \(refused.source.label) \(refused.price.formatted(8, grouping: true)) against \(refused.reference.formatted(8, grouping: true))"
            }
            lines.append("implausible prices refused (marks and trades over \(Engine.implausiblePriceFactor)x from the book's mid, levels over \(Engine.implausibleLevelFactor)x from the mark or crossing the other side by a tenth): \(log.implausiblePriceCount); first \(named(first))"
                + (log.implausiblePriceCount > 1 ? log.lastImplausiblePrice.map { "; last \(named($0))" } ?? "" : ""))
        }
        if let first = log.firstDatedBeforeHeld {
            func named(_ refused: DatedBeforeHeld) -> String {
                "\(refused.symbol) mark dated \(EventTime.iso8601(refused.time)), \(EventTime.iso8601(refused.held)) held"
            }
            lines.append("dated before what their market held (a mark over a second before the mark held: not applied): \(log.datedBeforeHeldCount); first \(named(first))"
                + (log.datedBeforeHeldCount > 1 ? log.lastDatedBeforeHeld.map { "; last \(named($0))" } ?? "" : ""))
        }
        if let first = log.firstRefusedSnapshot {
            func named(_ refused: RefusedSnapshot) -> String { "\(EventTime.iso8601(refused.time)) \(refused.symbol): \(refused.reason)" }
            lines.append("snapshots refused (crossing themselves, or giving a price twice with two sizes: the book kept as last known, STALE until a snapshot is applied): \(log.refusedSnapshotCount); first \(named(first))"
                + (log.refusedSnapshotCount > 1 ? log.lastRefusedSnapshot.map { "; last \(named($0))" } ?? "" : ""))
        }
        // An update's level crossing the other side proves the crossed levels stale: they go (the
        // JSON counted them; the text report never said so: attacker trial).
        if log.crossedLevelsRemoved > 0 {
            lines.append("crossed levels removed (an update's new level reached past the other side's best, whose crossed levels were stale): \(Fixed(log.crossedLevelsRemoved).formatted(0, grouping: true))")
        }
        let waiting = engine.waitingFundStatements
        if !waiting.isEmpty {
            lines.append("fund statements waiting for a market of their asset (none came): "
                + waiting.map { "\($0.asset) \(amount($0.balance, $0.asset))" }.joined(separator: ", "))
        }
        if log.refusedFundStatements > 0 {
            lines.append("fund statements refused: \(log.refusedFundStatements) (last: \(SafeText.escaped(log.lastRefusedFundStatement ?? "")))")
        }
        if log.refusedWalletStatements > 0 {
            lines.append("wallet statements refused: \(log.refusedWalletStatements) (last: \(SafeText.escaped(log.lastRefusedWalletStatement ?? "")))")
        }
        if engine.totals.eventsPastMarketLimit > 0 {
            lines.append("events of markets past the session's limit of \(Engine.marketLimit): \(engine.totals.eventsPastMarketLimit) (not applied)")
        }
        if log.rejectedPositions > 0 {
            lines.append("positions refused: \(log.rejectedPositions)" + (log.rejections.last.map { " (last: \($0.account) \($0.symbol): \($0.reason))" } ?? ""))
        }
        for market in engine.markets.sorted(by: { $0.symbol < $1.symbol }) where market.positionCount > 0 {
            let ladder = engine.stressLadder(symbol: market.symbol)
            guard !ladder.isEmpty else { continue }
            let asset = market.instrument.settlementAsset
            let quantityUnit = market.instrument.quantityUnit
            let marketFund = engine.funds[Int(market.fundIndex)]
            // Past what its liquidations left it: its `fund after` is that money (`its deficits go
            // to ADL` beside a fund after of 3.45643285 BTC read as a contradiction: operator trial).
            let noFund = marketFund.wasGiven ? "" : " — no insurance fund given for \(asset)\(namesVenues ? " on " + marketFund.venue : ""): it holds only what liquidations leave it, and deficits past that go to \(engine.configuration.shortfall == .adl ? "ADL" : "socialised loss")"
            lines.append(stressedNowLine(market, engine: engine, amount: amount))
            lines.append("stress \(market.symbol) (mark shock: liquidations; deficit \(asset); ADL quantity \(quantityUnit); fund after \(asset))\(noFund):")
            let adlColumn = market.instrument.quantityColumn(ladder.map(\.adlQuantity))
            for (row, result) in ladder.enumerated() {
                let shock = (result.shockPercent.isNegative ? "" : "+") + result.shockPercent.description + "%"
                let holdings = !result.fundHolds ? ""
                    : " (its holdings \(amount(result.fundHoldingsPnL, asset)) at the shocked mark: equity \(amount(result.fundEquityAfter, asset)))"
                lines.append("  \(shock): \(result.liquidationCount); \(amount(result.totalDeficit, asset)); \(adlColumn[row]); \(amount(result.fundAfter, asset))"
                    + holdings + (result.blocked.map { " (\($0.message))" } ?? "")
                    + (result.pastShownQuantity.isPositive
                        ? " (\(market.instrument.quantityText(result.pastShownQuantity)) \(quantityUnit) past the \(Fixed(result.shownLevels).formatted(0, grouping: true)) levels \(market.book.isCut((result.shockPercent.isNegative ? Side.long : .short).closingBookSide) ? "kept" : "the feed shows"), settled at the deepest: a floor)" : "")
                    + (result.otherMarketsUnfilled.isEmpty ? "" : " (and unfillable quantity in " + result.otherMarketsUnfilled.sorted().joined(separator: ", ") + ")")
                    + (result.waitingLeg.map { " (\(result.waitingOnLegs) crossed, not projected: waiting for \($0.symbol)'s \($0.block.legMark))" } ?? ""))
            }
        }
        lines += alertSection("signal alerts", count: log.alertCount, keeps: 200, shown: log.alerts.suffix(10).map { alert in
            let instrument = engine.market(alert.symbol)?.instrument
            let asset = instrument?.settlementAsset ?? primary
            let quote = instrument?.quote ?? primary
            return (alert.time, "\(alert.symbol) \(alert.signal.rawValue) \(alert.figure(unit: alert.signal.unit(asset: asset, quote: quote)))")
        })
        lines += alertSection("fund alerts", count: log.fundAlertCount, keeps: 200, shown: log.fundAlerts.suffix(10).map { ($0.time, $0.message) })
        // Books that could not be trusted, marks not given, streams silent or cut off: alerts the
        // dashboard lists beside the others (a report of one alert beside a dashboard's seven:
        // operator trial). Dated when the watcher, looking every few thousand events, found them.
        let conditions = source.conditionAlerts
        lines += alertSection("book and feed alerts", count: conditions.count, keeps: ConditionAlertLog.keep,
            shown: conditions.recent.suffix(10).map { ($0.time, $0.message) })
        // Each line escaped whole: a newline or a tab in an account or a file's name would start
        // a line of its own (a forged "deficits: 0" line under the real one).
        return lines.map { SafeText.escaped($0) }.joined(separator: "\n") + "\n"
    }
}
