import RiskEngine

/// The insurance fund of the focused market's venue in its settlement asset: balance with its
/// chart over the session, inflows and outflows by cause, drawdown from peak, how much of the stressed deficit it
/// covers, and how close ADL is. A settlement asset nobody gave a fund for (an OKX coin-margined
/// swap's BTC, Hyperliquid's USDC when the fund given is USDT) says so, instead of a balance of 0.
enum FundPane {
    /// The fund the pane shows: the focused market's (its venue's, in its settlement asset), else
    /// the engine's primary one; nil before any market or fund.
    static func shownFund(_ model: AppModel) -> Int32? {
        let engine = model.engine
        if let symbol = model.focusedSymbol, let index = engine.marketIndex(of: symbol) { return engine.markets[index].fundIndex }
        let primary = engine.fund(engine.primaryAsset)
        return engine.fundIndex(venue: primary.venue, asset: primary.asset)
    }

    /// The fund shown, or an empty fund of the primary asset.
    static func fund(_ model: AppModel) -> InsuranceFund {
        shownFund(model).map { model.engine.funds[Int($0)] } ?? model.engine.fund(model.engine.primaryAsset)
    }

    /// A label's shorter forms, longest first, for a pane too narrow for the long one (the
    /// outflow keeps a word even beside a coin's eight places: "−0.00000000" alone said nothing).
    static func shorterLabels(_ label: String) -> [String] {
        switch label {
        case "in: fees": return ["fees"]
        case "in: fees+surplus": return ["in"]
        case "in: surplus": return ["surplus"]
        case "out: deficits": return ["deficits", "out"]
        // "stress 1,464%" read as an alarm, not as how many times the fund covers it (operator trial).
        case "covers stress": return ["covers"]
        case "socialised": return ["social"]
        case "session low": return ["low"]
        case "taken over": return ["held"]
        case "drawdown": return ["down"]
        case "balance": return ["bal"]
        case "opening": return ["open"]
        case "statements": return ["stated"]
        case "other fund": return ["other"]
        default: return []
        }
    }

    /// A venue's first word (`binance` of binance-usdm) where no other fund's venue shares it, else
    /// the venue whole: what a narrow title or line names a fund's venue by.
    static func venueWord(_ venue: String, among funds: [InsuranceFund]) -> String {
        let firstWord = String(venue.prefix { $0 != "-" })
        let shared = funds.contains { $0.venue != venue && $0.venue.prefix { $0 != "-" } == firstWord }
        return shared ? venue : firstWord
    }

    static func render(_ model: AppModel, _ rect: Rect, focused: Bool, _ buffer: inout Buffer) {
        let engine = model.engine
        let fund = Self.fund(model)
        let asset = fund.asset
        // Each venue has its own fund: with several, the title says whose.
        let owner = engine.fundsSpanVenues && !fund.venue.isEmpty ? fund.venue + " " : ""
        // Narrow, the venue's first word where no other fund's venue shares it (`binance` for
        // binance-usdm beside bybit's): at 80×24 the title read `Fund USDT` beside Bybit's own
        // USDT fund (operator trial).
        let shortOwner = owner.isEmpty ? owner : venueWord(fund.venue, among: engine.funds) + " "
        // Cents for dollars, eight places for a coin: a BTC fund's 0.05 is not "0.00".
        let places = AssetPrecision.decimals(forAsset: asset)
        func money(_ value: Fixed) -> String { Format.money(value, decimals: places) }
        let stale = model.status.operatorDataStale ? " · STALE" : ""
        // The asset stays in a narrow title: "Fund USDT", not "Insurance fund U".
        let title = Buffer.fittingTitle(["Insurance fund \(owner)\(asset)\(stale)", "Fund \(owner)\(asset)\(stale)", "Fund \(shortOwner)\(asset)\(stale)",
            "\(shortOwner)\(asset)\(stale)", "Fund \(asset)\(stale)"], width: rect.width)
        buffer.box(rect, title: title, focused: focused)
        let inner = rect.inset(1)
        guard inner.height >= 3 else { return }
        // No market and no fund yet (a file of liquidation messages alone, or before the first
        // frame): no balance to show. The opening given waits for its venue's first market (it
        // read `balance 250,000.00` in a session that had no market: operator trial).
        if shownFund(model) == nil && engine.fundOrder.isEmpty {
            let opening = fund.wasGiven ? ": \(money(fund.opening)) \(asset) opens with its venue's first market" : ""
            for (row, text) in Format.wrapped("No fund yet\(opening)", inner.width - 2).prefix(inner.height).enumerated() {
                buffer.put(text, x: inner.x + 1, y: inner.y + row, role: .dim, limit: inner.width - 2)
            }
            return
        }
        // Read once: its last point is worked out from the fund's movements since the last sample.
        let history = model.fundHistory
        /// The pane's lines, each drawn when its turn comes (nil: the balance's chart). Without
        /// room for all, the lines the operator acts on in a cascade win (`urgent`: ADL under way
        /// or near, a stressed deficit, money paid out, a drawdown past its level), then the
        /// others in their order: at 80×24 the pane has five rows, and the ADL line, last but one,
        /// was the one dropped.
        var lines: [(urgent: Bool, figure: Figure?, expendable: Bool)] = []
        func line(_ label: String, _ value: String, _ role: StyleRole = .text, extra: String = "", shorter: [String] = [],
                  keepsLabel: Bool = false, urgent: Bool = false, expendable: Bool = false) {
            lines.append((urgent, Figure(label: label, value: value, role: role, extra: extra, shorter: shorter, keepsLabel: keepsLabel),
                expendable))
        }
        // Too wide for a narrow pane to the cent (a fund of 10¹⁶ at 80×24): compact, never
        // dropped (the pane kept its surplus and lost its balance: attacker trial).
        let compactBalance = places > 2 ? [] : [Format.compact(fund.balance.approximateDouble)]
        if !fund.wasGiven {
            // No opening was given for this asset (a coin-settled market's, say): the fund holds
            // only what its liquidations left it, and pays deficits out of that. Its balance is
            // shown as it is (an operator trial read "no fund given" beside the fund's own fees
            // and deficits as a contradiction), and the line says why it is so small.
            line("balance", money(fund.balance), .warn, extra: " (no opening given)", shorter: compactBalance, urgent: true)
            let past = engine.configuration.shortfall == .adl ? "→ ADL" : "→ socialised loss"
            line("opening", "none: past balance " + past, .warn, shorter: ["none, " + past, "none"], keepsLabel: true, urgent: true)
        } else {
            line("balance", money(fund.balance), fund.balance.isPositive ? .fund : .alert, shorter: compactBalance, urgent: true)
        }
        // Every fund's history is sampled (`AppModel.sample`); this is the shown one's (one with
        // nothing through it would chart a row of zeros).
        var chartLine: Int? = nil
        if (fund.wasGiven || fund.isInUse) && !history.isEmpty {
            chartLine = lines.count
            lines.append((false, nil, false))
        }
        // What the balance started from, so the lines below add up to it (an operator trial
        // could not find the 8,000 the demo's fund opened at anywhere on screen).
        // It never changes: it goes first when rows are short (with the statements: the
        // session's low is worth more in a cascade).
        let openingLine = lines.count
        // The parts as shown add up to the balance as shown (`ShownParts`): rounded each on its
        // own, they read a cent short of it (operator trial).
        // The opening and the deficits are left as they round on their own: the deficits are the
        // figure the report and the tape total, and a step that paid none moved them a cent
        // (operator trial); the cent goes to the inflows.
        let shownParts = ShownParts.rounded([fund.totals[.opening] ?? .zero, fund.totals[.liquidationFee] ?? .zero,
            fund.totals[.surplus] ?? .zero, fund.totals[.statement] ?? .zero, -fund.outflows], total: fund.balance, places: places,
            adjustable: [false, true, true, true, false])
        let opening = fund.totals[.opening] == fund.opening ? shownParts[0] : fund.opening
        let fees = shownParts[1], surplus = shownParts[2], statements = shownParts[3], outflows = -shownParts[4]
        if fund.wasGiven { line("opening", money(opening), .dim, expendable: true) }
        let inflowsLine = lines.count
        line("in: fees", "+" + money(fees), .positive)
        line("in: surplus", "+" + money(surplus), .positive)
        // Balances the operator's system stated since the opening: the differences booked.
        var statementsLine = lines.count
        if let given = fund.totals[.statement], !given.isZero {
            // The sign and the colour are the statements' own; the figure as shown (review: +0.004
            // read `−0.00` in the loss colour).
            line("statements", (given.isPositive ? "+" : "−") + money(statements.magnitude), given.isPositive ? .positive : .negative,
                expendable: true)
        }
        // No sign on nothing: "−0.00" read as a loss too small to show.
        line("out: deficits", (fund.outflows.isPositive ? "−" : "") + money(outflows), fund.outflows.isPositive ? .negative : .dim,
            urgent: fund.outflows.isPositive)
        // Losses past the fund socialised (`--shortfall socialised-loss`): what the winners'
        // profits were charged and what none covered (bad debt), in the asset (they were on no
        // line: a deficit of 7,000 past an empty fund read `out: deficits 0.00`: attacker trial).
        // This fund's own (its venue's): the engine's totals are per asset, every venue's together.
        let socialisedCharged = fund.socialisedCharged
        let badDebt = fund.badDebt
        if socialisedCharged.isPositive || badDebt.isPositive {
            // Not the fund's money: no sign, and its label kept (a bare `−13,884.35` under the
            // deficits at 80×24 read as a second payout: operator trial).
            let charged = money(socialisedCharged), debt = money(badDebt)
            line("socialised", charged + " from winners · bad debt " + debt, .negative,
                // Not urgent: at 80×24 it took the ADL line's row (ADL under way, 108 closes, said
                // nowhere) and the inflows' (operator trial); it is not the fund's money.
                shorter: [charged + " · bad debt " + debt, charged + " · debt " + debt, charged], keepsLabel: true)
        }
        // Every class below is the engine's (`Engine.fundState`); the pane holds no threshold.
        let state = engine.fundState(venue: fund.venue, asset: asset)
        if state.showsDeeperDrawdown {
            // Drained and refilled: how deep it went, and when, in its class (the demo's fund ran
            // down to 0.05 and read `drawdown 0.00 (0.0% of peak)` at its end, and landed on the
            // fund-exhausted alert it read `73.7% of peak`, refilled within the same event:
            // operator trials). With its date in a session of several days (review).
            let worst = Format.percentDown(state.deepestDrawdown, decimals: 1)
            let when = (model.status.showsDate ? EventTime.date(state.deepestDrawdownTime) + " " : "")
                + EventTime.timeOfDay(state.deepestDrawdownTime, milliseconds: false)
            // Narrow, the worst before the drawdown now (which is within its level).
            line("drawdown", money(fund.drawdown) + " · worst " + worst, .level(state.deepestDrawdownLevel), extra: " at " + when,
                shorter: ["worst " + worst], keepsLabel: true, urgent: state.deepestDrawdownLevel == .alert)
            lines[lines.count - 1].figure?.shorterExtras = [" " + when]
        } else {
            line("drawdown", money(fund.drawdown), state.drawdownLevel == .ok ? .text : .level(state.drawdownLevel),
                extra: " (" + Format.percentDown(state.drawdown, decimals: 1) + " of peak)", urgent: state.drawdownLevel != .ok)
        }
        if !state.takeoverExposure.isZero {
            line("taken over", "unrealised " + money(state.takeoverExposure), state.takeoverExposure.isNegative ? .negative : .positive)
        }
        let stressed = state.stressed
        // Quantities at the lot of the market whose stress this is, as its sizes are shown.
        let stressedInstrument = state.stressedMarket.flatMap { engine.market($0)?.instrument }
        func quantityText(_ quantity: Fixed) -> String {
            (stressedInstrument?.quantityText(quantity) ?? quantity.quantityText(unit: state.stressedUnit)) + (state.stressedUnit.map { " " + $0 } ?? "")
        }
        var coverage: String
        var shorterCoverage: [String] = []
        if stressed.unfilledQuantity.isPositive {
            // A quantity, not money: in its market's unit (it read as USDT under the balance).
            let quantity = quantityText(stressed.unfilledQuantity)
            let destination = engine.configuration.unfilled == .adl ? "→ ADL" : "→ fund"
            coverage = "unfillable " + quantity + " " + destination
            shorterCoverage = [quantity + " " + destination, destination]
            // Money short as well: said first (an OKX coin market's 1,234.31536657 UNI deficit
            // was nowhere in the pane beside its contracts bound for ADL: operator trial).
            if stressed.deficit.isPositive {
                let share = Format.coverShare(balance: fund.balance, deficit: stressed.deficit)
                coverage = share + " of " + money(stressed.deficit) + "; " + coverage
                shorterCoverage = [share + " of " + money(stressed.deficit) + "; " + destination, share + "; " + quantity + " " + destination,
                    share + "; " + destination] + shorterCoverage
            }
        } else if stressed.pastShownQuantity.isPositive && !stressed.adlCertain && !stressed.deficit.isPositive {
            // Past the levels a top-of-book feed shows the book is not known, and no loss at the
            // deepest level shown: nothing to cover yet (a deficit there goes to the branch below).
            let quantity = quantityText(stressed.pastShownQuantity)
            coverage = "no loss at the levels shown; " + quantity + " past them"
            // Narrow, a floor of no loss beside its label (at 80×24 a bare `past shown levels` was
            // left, without the label or the quantity: operator trial).
            shorterCoverage = [quantity + " past shown levels", "≥0 deficit, past shown", "≥0 deficit", "≥0"]
        } else if stressed.deficit.isPositive {
            let share = Format.coverShare(balance: fund.balance, deficit: stressed.deficit)
            // Past the fund, ADL follows: said here as in the markets and signals panes.
            let adl = stressed.adlCertain ? " → ADL" : ""
            // A walk past the levels a top-of-book feed shows: the deficit is a floor.
            let atLeast = stressed.pastShownQuantity.isPositive ? "≥" : ""
            coverage = share + " of " + atLeast + money(stressed.deficit) + adl
            shorterCoverage = stressed.adlCertain ? [share + adl, "→ ADL"] : [share]
        } else if stressed.bookShare != nil {
            // No money lost, but the book left thin (the signal's WARN): what they would take.
            let book = stressed.bookShareBook
            coverage = "no deficit; takes " + Format.bookShare(stressed) + " of " + book
            // Never a bare share beside the label `covers` (`covers  84% of bids` read as the
            // fund covering 84 %: operator trial).
            shorterCoverage = ["0; takes " + Format.bookShare(stressed) + " of " + book, "0; " + Format.bookShare(stressed) + " " + book]
        } else if let ended = state.endedStressMarket {
            // An ended market's stress is not the fund's, but its signals say ALERT: said why.
            let name = model.marketNames.short(ended)
            coverage = "none live (\(name)'s ended book not counted)"
            shorterCoverage = ["none live; \(name) ended", "none live"]
        } else {
            coverage = "no stressed deficit"
            shorterCoverage = ["none"]
        }
        // How many positions the stress liquidated, where the line has room: the 50 riskiest
        // alone read `ADL 6.070 BTC` beside 1,699 liquidations below an empty book, and no pane
        // said what it stood for (operator trial).
        let stressing = stressed.unfilledQuantity.isPositive || stressed.deficit.isPositive || stressed.bookShare != nil
        if stressed.positions > 0 && stressing {
            shorterCoverage.insert(coverage, at: 0)
            coverage += " · " + stressed.positionsInWords(Format.count)
        }
        // A fund backing several markets gives the worst one's stress: which, where it is not the
        // market shown, in every form (AKROUSDT's `69% of 360,682.55` beside SUSHIUSDT's signals
        // read as SUSHI's; and where the line was narrow the name went first, so a replay's
        // BTCUSDT read `covers stress 69% of 360,500.42; → ADL` of AKROUSDT's stale 2021 book:
        // operator trial).
        var otherStressMarket: String? = nil
        var otherStressBareName: String? = nil
        if state.marketsBacked > 1, let market = state.stressedMarket, market != model.focusedSymbol, stressing {
            // Its book stale (a recording that ended years before the clock), said with it: a
            // 2021 book's stress stood as a live ADL warning beside a 2024 market (operator trial).
            let stale = engine.market(market)?.isStale == true ? " (stale)" : ""
            let bareName = model.marketNames.short(market)
            let name = bareName + stale
            otherStressMarket = name
            otherStressBareName = bareName
            // Narrowest (80×24), the name alone with where it goes: the line went, named nowhere
            // (and last, without `(stale)`, which the markets pane says there).
            shorterCoverage = [coverage + " · " + name] + shorterCoverage.map { $0 + " · " + name }
                + (stressed.adlCertain ? [name + "→ADL"] : []) + ["in " + name]
                + (stale.isEmpty ? [] : (stressed.adlCertain ? [bareName + "→ADL"] : []) + ["in " + bareName])
            coverage += " · " + model.marketNames.title(market) + stale
        }
        // Its label stays beside it (a shorter value is taken for its room): "24.112 BTC → ADL"
        // alone, under the balance, read as ADL done, not as what a stress would send there.
        line("covers stress", coverage, stressed.adlCertain ? .alert : (stressed.deficit.isPositive || stressed.bookShare != nil ? .warn : .text),
            shorter: shorterCoverage, keepsLabel: true,
            urgent: stressing)
        // How far the nearest of the stress's positions is from its liquidation price, on a line
        // of its own under it: the stress liquidates the riskiest however far they are, and `ADL
        // NEAR` beside positions 29 % away read as imminent (operator trial; as a part of the line
        // above it was the first to go, and went at every size).
        // Calm too: positions 0.05 % from liquidation with no stress on the book are what the
        // operator watches (the line went with the stress of an ended market it had followed:
        // operator trial).
        if stressed.positions > 0, stressed.nearestIsPast || stressed.nearestDistancePercent != nil {
            let away = stressed.nearestIsPast ? "past its liq price" : Format.distance(stressed.nearestDistancePercent) + " away"
            // The count of them is the line above's (`· 97 longs` stood on both lines at 200×60:
            // operator trial).
            // Another market's, named where the line has room (AKROUSDT's 0.09 % stood unnamed
            // beside BTCUSDT's positions: operator trial).
            // Of the stress's side, when it has one, said so: `nearest liq 3.98% away` under a
            // stress of 50 shorts read as the nearest of all, beside longs 3.23 % away (operator
            // trial). Of either side, when the stress has none.
            let label = stressed.positionsSide.map { $0 == .long ? "nearest long" : "nearest short" } ?? "nearest liq"
            if state.marketsBacked > 1, let market = state.nearestMarket, market != model.focusedSymbol {
                line(label, away + " · " + model.marketNames.short(market), .text, shorter: [away], keepsLabel: true)
            } else {
                line(label, away, .text, keepsLabel: true)
            }
        }
        let adlState: (String, StyleRole)
        var shorterADL: [String] = []
        // Closes of monitored positions, and liquidations whose ADL went beyond them.
        let closes = Format.count(fund.adlEvents) + (fund.adlEvents == 1 ? " close" : " closes")
        let deleveraged = fund.hasDeleveraged
        let beyond = fund.adlBeyondMonitored > 0 ? " +\(Format.count(fund.adlBeyondMonitored)) beyond" : ""
        // Another market's stress, named (see the line above).
        let stressOf = otherStressMarket.map { $0 + " " } ?? ""
        switch state.adl {
        case .active:
            adlState = ("ACTIVE: fund empty, \(closes)\(beyond)", .alert)
            shorterADL = ["ACTIVE: \(closes)", "ACTIVE"]
        case .underWay:
            // Deleveraging now, the fund not empty (the book could not take the closes): "NEAR"
            // read as not started while the tape printed ADL rows (operator trial).
            let more = stressed.adlCertain ? "; \(stressOf)stress → more" : ""
            adlState = ("UNDER WAY: \(closes)\(beyond)\(more)", .alert)
            shorterADL = ["UNDER WAY: \(closes)", "UNDER WAY", closes]
        case .near:
            // Near more of it, often while it is already under way (the unfillable quantity of a
            // cascade goes to ADL with the fund still full): the closes so far say so.
            // From a book that has ended (a recording's, long over) it is said, as the other
            // funds' line and the report say it: `NEAR: stress → ADL` of OKX's 2022 book read as
            // pressing beside a what-if that refused the outdated book (operator trial).
            let ended = state.nearFromEndedBook ? " (ended book)" : ""
            let reason = (stressed.adlCertain ? "NEAR: \(stressOf)stress → ADL" : "NEAR: \(stressOf)stress ≥ fund") + ended
            let sofar = deleveraged ? ", \(closes)\(beyond) so far" : ""
            adlState = (reason + sofar, state.nearFromEndedBook ? .help : .warn)
            // Narrow, the closes go last but one: the stress line above says more is coming.
            // Narrow, another market's name stays after NEAR (80×24 read a bare `NEAR`).
            let nearOf = (otherStressMarket.map { ["NEAR: " + $0, "NEAR " + $0] } ?? []) + (otherStressBareName.map { ["NEAR " + $0] } ?? [])
            let bare = state.nearFromEndedBook ? ["NEAR (ended book)", "NEAR (ended)"] : ["NEAR"]
            // The ended book's word kept in every shorter form (review: some dropped it).
            let nearOfEnded = nearOf.map { $0 + ended }
            shorterADL = deleveraged
                ? [reason + ", " + closes, "NEAR" + ended + ", " + closes] + nearOfEnded + (state.nearFromEndedBook ? bare + [closes] : [closes] + bare)
                : nearOfEnded + bare
        case .happened: adlState = ("\(closes)\(beyond) so far", .warn); shorterADL = [closes]
        case .idle: adlState = ("idle", .ok)
        }
        line("ADL", adlState.0, adlState.1, shorter: shorterADL, keepsLabel: true, urgent: state.adl != .idle)
        // The session's low, where the pane has room for it: a fund drained and refilled reads
        // no drawdown now.
        if fund.wasGiven && fund.low < fund.balance {
            // A fund opened before the session's first event (time 0) has its low at no clock
            // time of the session: its opening balance.
            line("session low", money(fund.low), fund.low.isPositive ? .warn : .alert,
                // Its date too in a session of several days (`at 00:00:03` of a 2020 recording beside
                // a 2024 one read as today's: operator trial).
                extra: fund.lowTime <= 0 ? " (opening)" : " at " + (model.status.showsDate ? EventTime.date(fund.lowTime) + " " : "") + Format.clock(fund.lowTime))
        }
        // Every other fund in use, a line each where there is room (at most eight): with five funds
        // (two venues' USDT, OKX's BTC and UNI, Hyperliquid's USDC) the pane showed the focused
        // market's alone, and another venue's drawdown or ADL took focusing its markets in turn to
        // find (operator trial). Its balance and the engine's classes of it; urgent where its ADL
        // is near, under way or active.
        let shownIndex = shownFund(model)
        // The pressing ones first, then the rest in their order, eight at most: a session of many
        // idle coin funds nobody gave pushed a fund at ADL NEAR past the eighth (review).
        let others = engine.watchedFundOrder.filter { $0 != shownIndex }.map { index in
            (index, engine.fundState(venue: engine.funds[Int(index)].venue, asset: engine.funds[Int(index)].asset))
        }
        // A state from an ended book is said, and is not pressing (`FundState.nearFromEndedBook`).
        let isPressing = { (state: FundState) in [ADLState.near, .underWay, .active].contains(state.adl) && !state.nearFromEndedBook }
        for (other, otherState) in (others.filter { isPressing($0.1) } + others.filter { !isPressing($0.1) }).prefix(8) {
            let each = engine.funds[Int(other)]
            let pressing = isPressing(otherState)
            let name = (engine.fundsSpanVenues ? each.venue + " " : "") + each.asset
            let balance = Format.compactMoney(each.balance, asset: each.asset)
            let fromEnded = otherState.nearFromEndedBook
            let condition = otherState.adl != .idle ? "ADL " + otherState.adl.label + (fromEnded ? " (ended book)" : "")
                : otherState.drawdownLevel != .ok ? "drawdown " + Format.percentDown(otherState.drawdown, decimals: 1) : ""
            let role: StyleRole = pressing ? .alert : otherState.adl == .happened || fromEnded ? .warn
                : otherState.drawdownLevel != .ok ? .level(otherState.drawdownLevel) : .dim
            let value = name + " " + balance + (condition.isEmpty ? "" : " · " + condition)
            // Narrow, the venue's first word where no other fund's venue shares it (as the title).
            let shortName = !engine.fundsSpanVenues || each.venue.isEmpty ? each.asset : venueWord(each.venue, among: engine.funds) + " " + each.asset
            // Narrow, the balance stays before the class's words go (`other fund binance-usdm USDT ·
            // ADL near` hid a fund at 36.57: operator trial), and the class keeps its word (`· ADL`
            // read the same near as under way, and at 80×24 lost the venue of one of two USDT
            // funds: operator trial).
            let shortCondition = switch otherState.adl {
            case .idle: "down"
            case .near: "ADL near"
            case .underWay, .active: "ADL now"
            case .happened: "ADL past"
            }
            let bare = otherState.adl != .idle ? "ADL" : "down"
            let forms = [shortName + " " + balance + " · " + condition, name + " " + balance + " · " + shortCondition,
                shortName + " " + balance + " · " + shortCondition, shortName + " " + balance + " · " + bare,
                each.asset + " " + balance + " · " + shortCondition, name + " · " + condition]
            line("other fund", value, role, shorter: condition.isEmpty ? [] : forms.filter { $0 != value }, keepsLabel: true,
                urgent: pressing, expendable: !pressing)
        }
        // The urgent lines first, then the others in order, the expendable ones last, as many as
        // there are rows; drawn in the pane's order.
        // A figure that fits in none of its forms (a pane narrower than the balance's digits)
        // gives its row to the next line: drawn, it left the row blank (a number is never cut).
        let room = inner.height
        func choose() -> Set<Int> {
            let drawable = lines.indices.filter { lines[$0].figure?.fits(width: inner.width) ?? true }
            var chosen = Set(drawable.filter { lines[$0].urgent }.prefix(room))
            for index in drawable where chosen.count < room && !lines[index].expendable { chosen.insert(index) }
            for index in drawable where chosen.count < room { chosen.insert(index) }
            return chosen
        }
        var chosen = choose()
        // Deficits paid and no room for both inflow lines: one line of both takes their place, the
        // chart going before it, and the rows are chosen again (at 80×24 the pane showed the
        // balance, the chart and `deficits −8,874.22`, which read as 7,928.98 left after paying
        // out 8,874: operator trials). Not urgent: with six urgent lines it made the ADL line the
        // one dropped (review).
        if fund.outflows.isPositive && !(chosen.contains(inflowsLine) && chosen.contains(inflowsLine + 1)) {
            lines[inflowsLine].figure = Figure(label: "in: fees+surplus", value: "+" + money(fees + surplus), role: .positive, extra: "",
                shorter: [], keepsLabel: false)
            lines.remove(at: inflowsLine + 1)
            statementsLine -= 1
            if let chartLine { lines[chartLine].expendable = true }
            chosen = choose()
        }
        // Still no row for what came in beside what went out (80×24 in a cascade: the balance,
        // the deficits, the drawdown, the stress and ADL, all urgent, took the five rows, and
        // `balance 36.57`, `out −249,963.43` did not add up: operator trial): the drawdown gives
        // its row, its class kept on the balance's line (a drawdown is the balance's fall).
        if fund.outflows.isPositive, !chosen.contains(inflowsLine), lines[inflowsLine].figure?.fits(width: inner.width) ?? false,
           let drawdownLine = lines.firstIndex(where: { $0.figure?.label == "drawdown" }), chosen.contains(drawdownLine) {
            chosen.remove(drawdownLine)
            chosen.insert(inflowsLine)
            if state.drawdownLevel != .ok, fund.balance.isPositive { lines[0].figure?.role = .level(state.drawdownLevel) }
        }
        // The opening and the statements give way first, and the lines shown no longer added up to
        // the balance (operator trial at 120×40): the balance's line says them where it has room.
        let folded = [openingLine, statementsLine].filter { index in
            index < lines.count && !chosen.contains(index) && ["opening", "statements"].contains(lines[index].figure?.label ?? "")
        }
        if fund.wasGiven, !folded.isEmpty, chosen.contains(0), var balance = lines[0].figure {
            let said = folded.compactMap { lines[$0].figure }.map { ($0.label == "opening" ? "opened " : "stated ") + $0.value }
            balance.extra = " (" + said.joined(separator: ", ") + ")"
            // Narrower, the opening alone: what the fund started from matters most.
            if said.count > 1 { balance.shorterExtras = [" (" + said[0] + ")"] }
            lines[0].figure = balance
            // No room for them beside the balance either (80×24: `balance 7,812.19`, `in
            // +8,686.41`, `deficits −8,874.22`, which do not add up: operator trial): the inflows'
            // line, when shown, counts them in, so the lines still add up to the balance.
            if !balance.shown(width: inner.width).withExtra, chosen.contains(inflowsLine),
               let inflows = lines[inflowsLine].figure, inflows.label.hasPrefix("in") {
                let stated = folded.contains(statementsLine) ? statements : .zero
                let opened = folded.contains(openingLine) ? opening : .zero
                let merged = inflows.label == "in: fees+surplus"
                let inflow = merged ? fees + surplus : fees
                let what = merged ? "in" : "fees"
                let parts = (opened.isZero ? [] : ["opening"]) + (stated.isZero ? [] : ["stated"])
                let label = (parts + [what]).joined(separator: "+")
                let short = ((opened.isZero ? [] : ["open"]) + (stated.isZero ? [] : ["stated"]) + [what]).joined(separator: "+")
                // Compact where the cents do not fit (it drew a blank row beside a compact balance).
                let total = opened + stated + inflow
                var figure = Figure(label: label, value: money(total), role: .positive, extra: "",
                    shorter: places > 2 ? [] : ["+" + Format.compact(total.approximateDouble)], keepsLabel: true)
                // The last within eight cells: beside a six-figure balance (`250,970.85`) at 80×24
                // the others left the figure bare (operator trial).
                // What it counts, still: the opening or the statements, and the inflows or the fees.
                let last = (opened.isZero || stated.isZero) ? (opened.isZero ? "stat+" : "open+") + (merged ? "in" : "fee") : "start+" + what
                figure.shorterLabelForms = [short, "start+" + what, last]
                // Only where it shows with a label (a fund of 10¹⁵ at 80×24 left a bare `+1.00e+15`).
                let labelRoom = 1 + (figure.labelForms.map(DisplayWidth.of).min() ?? 0)
                if ([figure.value] + figure.shorter).contains(where: { DisplayWidth.of($0) + labelRoom <= inner.width }) {
                    lines[inflowsLine].figure = figure
                }
                lines[0].figure?.extra = ""
                lines[0].figure?.shorterExtras = []
            }
        }
        var y = inner.y
        for index in lines.indices where chosen.contains(index) {
            if let figure = lines[index].figure {
                figure.draw(at: y, in: inner, &buffer)
            } else {
                drawChart(history, places: places, at: y, in: inner, &buffer)
            }
            y += 1
        }
    }

    /// The balance's chart, scaled between the lowest and highest balance it shows, with that range
    /// after it where the pane has room (`8,000–8,016`): unlabelled, a rise of 0.2 % drew as the
    /// chart's whole height (operator trial).
    static func drawChart(_ history: [Double], places: Int, at y: Int, in inner: Rect, _ buffer: inout Buffer) {
        func range(_ width: Int) -> String? {
            let shown = history.suffix(width).filter(\.isFinite)
            guard let low = shown.min(), let high = shown.max() else { return nil }
            // A coin's fund below one coin in its eight places (a BTC fund's 0.00000032–0.00109815
            // read "0.0000–0.0004"; operator trial).
            let decimals = places >= 8 ? (max(abs(low), abs(high)) < 1 ? places : 4) : (high < 100 ? 2 : 0)
            let text = { (value: Double) in Format.money(Fixed(approximating: value), decimals: decimals) }
            return low == high ? text(low) : text(low) + "–" + text(high)
        }
        var chartWidth = inner.width
        var label = ""
        // Each point is the lowest balance of its second: the range is of lows, and says so where
        // there is room (`0–8,320` beside a drawdown from a peak of 8,428.90 read as a
        // contradiction: operator trial).
        for prefix in ["lows ", ""] where label.isEmpty {
            guard inner.width >= 24, let first = range(inner.width).map({ prefix + $0 }), DisplayWidth.of(first) <= inner.width / 2 else { continue }
            let narrower = inner.width - DisplayWidth.of(first) - 1
            // The range of the points drawn (fewer, so it may be narrower still).
            if let drawn = range(narrower).map({ prefix + $0 }), DisplayWidth.of(drawn) <= inner.width - narrower - 1 {
                chartWidth = narrower
                label = drawn
            }
        }
        let chart = Format.sparkline(history, width: chartWidth)
        let x = buffer.put(chart, x: inner.x, y: y, role: .fund, limit: chartWidth)
        if !label.isEmpty { buffer.putWhole(" " + label, x: x, y: y, role: .dim, maxX: inner.maxX) }
    }

    /// A label and its figure: the label gives way to the figure (narrower, then its short form,
    /// then none at all), and `extra` (a parenthesis after the figure) is left out when it does
    /// not fit whole.
    struct Figure {
        var label: String
        var value: String
        var role: StyleRole
        var extra: String
        /// Shorter forms of the value, for a pane too narrow for it whole (the label goes first).
        var shorter: [String]
        /// Whether the label must stay beside the value (a shorter value is taken for its room).
        var keepsLabel: Bool
        /// Shorter forms of `extra`, tried in turn when it does not fit.
        var shorterExtras: [String] = []
        /// Shorter forms of the label, when not `FundPane.shorterLabels`'s.
        var shorterLabelForms: [String]? = nil
        var labelForms: [String] { [label] + (shorterLabelForms ?? FundPane.shorterLabels(label)) }

        /// Whether one of its forms fits `width` whole (the label may give way).
        func fits(width: Int) -> Bool {
            ([value] + shorter).contains { DisplayWidth.of($0) <= width }
        }

        /// The figure as drawn in `width` columns: the value with its parenthesis where it fits,
        /// else the value or a shorter form.
        func shown(width: Int) -> (text: String, withExtra: Bool) {
            let labelRoomPlain = 1 + (labelForms.map(DisplayWidth.of).min() ?? 0)
            // The longest form of the parenthesis that fits beside the value and a label: never at
            // the label's cost (`2,249.97 (opened 8,000.00)` had no word saying it was the
            // balance: operator trial).
            if let extra = ([self.extra] + shorterExtras).first(where: { !$0.isEmpty && DisplayWidth.of(value + $0) + labelRoomPlain <= width }) {
                return (value + extra, true)
            }
            // A line that says nothing without its label ("1,106 closes so far": of what?) takes
            // the shorter value that leaves room for the label's shortest form.
            let labelRoom = keepsLabel ? 1 + (labelForms.map(DisplayWidth.of).min() ?? 0) : 0
            let forms = [value] + shorter
            // The value, then its shorter forms.
            return (forms.first { DisplayWidth.of($0) + labelRoom <= width } ?? forms.first { DisplayWidth.of($0) <= width } ?? value, false)
        }

        func draw(at y: Int, in inner: Rect, _ buffer: inout Buffer) {
            let shown = shown(width: inner.width).text
            var labelWidth = max(0, min(13, inner.width - DisplayWidth.of(shown) - 1))
            // The longest form that fits; none does: the figure alone, never a cut label ("ba 1,000,…").
            let label = labelForms.first { DisplayWidth.of($0) <= labelWidth } ?? ""
            if label.isEmpty { labelWidth = 0 }
            let x = buffer.put(Format.left(label, labelWidth), x: inner.x, y: y, role: .dim, limit: labelWidth)
            buffer.putWhole((labelWidth > 0 ? " " : "") + shown, x: labelWidth > 0 ? x : inner.x, y: y, role: role, maxX: inner.maxX)
        }
    }
}
