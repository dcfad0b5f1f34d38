import RiskEngine

/// Each signal with its value, baseline, a sparkline of its recent history and its level; the two
/// warnings that make a deficit likely come first.
enum SignalsPane {
    static func render(_ model: AppModel, _ rect: Rect, focused: Bool, _ buffer: inout Buffer) {
        let symbol = model.focusedSymbol
        let paneTitle = "Signals" + (symbol.map { " " + model.marketNames.title($0) } ?? "") + model.staleTag(symbol: symbol)
        buffer.box(rect, title: Buffer.fittingTitle(titles(paneTitle, model.engine), width: rect.width), focused: focused)
        let inner = rect.inset(1)
        guard !inner.isEmpty else { return }
        guard let symbol, let market = model.engine.market(symbol) else {
            buffer.put("no market yet", x: inner.x + 1, y: inner.y, role: .dim)
            return
        }
        let readings = market.signalReadings
        // Value and level always; the baseline and the history when there is room; the title
        // takes the rest (a label may be shortened, a figure never is).
        // The value and baseline columns as wide as their widest figure (a number is never cut:
        // a spread of 19,999.33 bps on a book with a bid at 1 and an ask at 60,000).
        // Measured as drawn, in the market's asset (measured in cents, a coin's eight places were
        // drawn over the value's column: "3,027d 0.00000000"; operator trial).
        let texts = SignalKind.allCases.compactMap { readings[$0] }.map {
            formatted($0, unit: market.instrument.quantityUnit, asset: market.instrument.settlementAsset, stress: market.shownStress,
                quote: market.instrument.quote)
        }
        let valueWidth = max(12, (texts.map { DisplayWidth.of($0.0) }.max() ?? 0) + 1)
        let widestBaseline = max(12, (texts.map { DisplayWidth.of($0.1) }.max() ?? 0) + 1)
        let levelWidth = 7
        var rest = inner.width - valueWidth - levelWidth
        let baselineWidth = rest - widestBaseline >= 16 ? widestBaseline : 0
        rest -= baselineWidth
        var titleWidth = min(35, rest)
        var sparkWidth = rest - titleWidth - 2
        if sparkWidth < 4 { sparkWidth = 0; titleWidth = rest }
        var y = inner.y
        var header = Format.left("signal", titleWidth) + Format.right("value", valueWidth)
        if baselineWidth > 0 { header += Format.right("baseline", baselineWidth) }
        // Shortened with "…" where the column is narrower than its title, never cut (`histor`).
        if sparkWidth > 0 { header += " " + Format.name("history", sparkWidth) + " " }
        header += Format.right("level", levelWidth)
        buffer.put(header, x: inner.x, y: y, role: .header, limit: inner.width)
        y += 1
        if readings.isEmpty {
            buffer.put("warming up: signals are sampled once a second of session time", x: inner.x, y: y, role: .dim, limit: inner.width)
            return
        }
        let shown = shownKinds(SignalKind.allCases.filter { readings[$0] != nil }, rows: inner.maxY - y) { readings[$0]!.level }
        for kind in shown.kinds {
            let reading = readings[kind]!
            let (value, baseline) = formatted(reading, unit: market.instrument.quantityUnit, asset: market.instrument.settlementAsset,
                stress: market.shownStress, quote: market.instrument.quote, instrument: market.instrument)
            let role: StyleRole = reading.level == .alert ? .alert : (reading.level == .warn ? .warn : (reading.learning ? .dim : .ok))
            let title = title(of: kind, width: titleWidth)
            var x = buffer.put(Format.left(title, titleWidth), x: inner.x, y: y, role: .text)
            x = buffer.put(Format.right(value, valueWidth), x: x, y: y, role: reading.level == .ok ? .text : role)
            if baselineWidth > 0 { x = buffer.put(Format.right(baseline, baselineWidth), x: x, y: y, role: .dim) }
            if sparkWidth > 0 {
                x = buffer.put(" " + Format.left(Format.sparkline(market.signalHistory(kind, last: sparkWidth), width: sparkWidth, fromZero: true), sparkWidth) + " ", x: x, y: y,
                    role: reading.level == .ok ? .dim : role)
            }
            // Its baseline not learnt yet: no judgement, not `ok` (operator trial).
            let label = reading.level == .alert ? "ALERT" : (reading.level == .warn ? "WARN" : (reading.learning ? "learn" : "ok"))
            buffer.put(Format.right(label, levelWidth), x: x, y: y, role: role)
            y += 1
        }
        if !shown.hidden.isEmpty {
            let alerts = shown.hidden.filter { readings[$0]!.level == .alert }.count
            let warnings = shown.hidden.filter { readings[$0]!.level == .warn }.count
            // Not judged yet is not ok (`+6 more, all ok` hid four learning: operator trial).
            let learning = shown.hidden.filter { readings[$0]!.level == .ok && readings[$0]!.learning }.count
            var text = "+\(shown.hidden.count) more"
            text += alerts + warnings + learning == 0 ? ", all ok" : (alerts > 0 ? ", \(alerts) at ALERT" : "") + (warnings > 0 ? ", \(warnings) at WARN" : "")
                + (learning > 0 ? ", \(learning) learning" : "")
            buffer.put(text, x: inner.x, y: y, role: alerts > 0 ? .alert : (warnings > 0 ? .warn : .dim), limit: inner.width)
            return
        }
        // What the stressed deficit cannot put a price on: quantity the book would not fill.
        if let stressed = readings[.stressedDeficit], y < inner.maxY, stressed.pastShownQuantity != nil, !stressed.adlCertain {
            // Past the levels a top-of-book feed shows: not known to be unfillable, and the
            // deficit above is a floor.
            let quantity = Format.quantity(market.shownStress.pastShownQuantity, market.instrument)
            // A side cut to the level limit holds its nearest levels, not what a feed shows.
            // The side the stress walks: longs close into the bids.
            let cut = market.book.isCut((market.shownStress.positionsSide ?? .long).closingBookSide)
            let text = "stress: \(quantity) \(market.instrument.quantityUnit) past the \(Format.count(stressed.shownLevels)) levels \(cut ? "kept" : "the feed shows")"
            buffer.put(text, x: inner.x, y: y, role: .warn, limit: inner.width)
        } else if let stressed = readings[.stressedDeficit], y < inner.maxY, stressed.unfilledQuantity != nil || stressed.adlCertain {
            let cover = model.engine.configuration.unfilled == .adl ? "ADL" : "the fund takes it over"
            // How many positions the stress liquidated: the riskiest, and every one near
            // liquidation (`ADL 6.070 BTC` was the 50 riskiest alone, beside 1,699 liquidations
            // below an empty book: operator trial).
            let stress = market.shownStress
            var text = stress.positions > 0 ? "stress of " + stress.positionsInWords(Format.count) + ": " : "stress: "
            // The engine's exact quantity of the same sample, as the row above gives it (review).
            if stressed.unfilledQuantity != nil {
                text += "the book cannot fill \(Format.quantity(market.shownStress.unfilledQuantity, market.instrument)) \(market.instrument.quantityUnit) → \(cover)"
            }
            else { text += "the deficit exceeds the fund → ADL" }
            buffer.put(withNearest(text, stress, width: inner.width), x: inner.x, y: y, role: .alert, limit: inner.width)
        } else if let stressed = readings[.stressedDeficit], y < inner.maxY, stressed.level == .warn,
                  market.shownStress.bookShare != nil {
            // WARN with no money lost: the book they would leave behind.
            let stress = market.shownStress
            let text = "stress: the \(stress.bookSharePositionsInWords(Format.count)) near liquidation would take \(Format.bookShare(stress)) of the \(stress.bookShareBook)"
            buffer.put(withNearest(text, stress, width: inner.width), x: inner.x, y: y, role: .warn, limit: inner.width)
        }
    }

    /// The stress line with how far its nearest position is, where the pane has room for it.
    static func withNearest(_ text: String, _ stress: StressedDeficit, width: Int) -> String {
        guard let nearest = Format.nearestAway(stress) else { return text }
        let longer = text + " · " + nearest
        return DisplayWidth.of(longer) <= width ? longer : text
    }

    /// The title, and as of when the figures are where events came after they were read (the
    /// once-a-second sample of a session playing: the ladder beside them is of now), where there
    /// is room: to the millisecond, to the second, or not at all.
    static func titles(_ title: String, _ engine: Engine) -> [String] {
        let readAt = engine.signalsReadAt
        guard readAt > 0, engine.changedSinceSample else { return [title] }
        if readAt < engine.time {
            return [title + " · as of " + Format.clockMillis(readAt), title + " · as of " + Format.clock(readAt), title]
        }
        // Read at the first event of the second, before the events of the same millisecond that
        // came after it (a liquidation among them): `as of` the clock's own time would read as
        // current, and without a label the spread of a book since emptied read as now (operator
        // trial: 0.89 bps beside `no bids` at 23:56:20.000).
        // In brackets: a comma after the time's digits read as a grouped number cut (`000,`).
        return [title + " · as of " + Format.clockMillis(readAt) + " (before its later events)", title + " · before the latest events", title]
    }

    /// The signals a pane of `rows` rows shows, in their order, and those it has no room for.
    /// When not all fit, one row says how many more there are and at what level, and the rows
    /// shown are those at ALERT first, then at WARN, then the rest (each in the signals' order,
    /// but the stressed deficit, the deficit the book would leave, first of its level when at WARN
    /// or ALERT): at 80×24 four of eight fit, and the four shown read `ok` while the liquidation
    /// counts and the stressed deficit, hidden, were at ALERT.
    static func shownKinds(_ kinds: [SignalKind], rows: Int, level: (SignalKind) -> SignalLevel) -> (kinds: [SignalKind], hidden: [SignalKind]) {
        guard kinds.count > rows else { return (kinds, []) }
        let room = max(0, rows - 1)
        func rank(_ kind: SignalKind) -> Int { level(kind) == .alert ? 0 : (level(kind) == .warn ? 1 : 2) }
        func place(_ entry: (offset: Int, element: SignalKind)) -> (Int, Int) {
            (rank(entry.element), entry.element == .stressedDeficit && rank(entry.element) < 2 ? -1 : entry.offset)
        }
        let chosen = Set(kinds.enumerated().sorted { place($0) < place($1) }.prefix(room).map(\.element))
        return (kinds.filter { chosen.contains($0) }, kinds.filter { !chosen.contains($0) })
    }

    /// The value and the baseline as shown; `unit` is what the market's quantities count (`BTC`,
    /// `contracts`): the quantity the book cannot fill is one, not money (it read as if in USDT
    /// beside the fund).
    /// A signal's title in a column of `width` cells: the longest form that fits whole with a cell
    /// to spare; none, the shortest ending in "…" (`Thinner ±1` was read as ±1 bps: operator trial).
    static func title(of kind: SignalKind, width: Int) -> String {
        [kind.title, kind.shortTitle, kind.tinyTitle].first { DisplayWidth.of($0) < width } ?? Format.name(kind.tinyTitle, max(0, width - 1)).trimmingTrailingSpaces
    }

    /// `stress`: the engine's exact stress of the same sample (the reading holds it as a Double,
    /// and `245.16877871 UNI` here sat beside `245.16877870` in the markets pane: operator trial).
    static func formatted(_ reading: SignalReading, unit: String, asset: String, stress: StressedDeficit? = nil,
                          quote: String? = nil, instrument: Instrument? = nil) -> (String, String) {
        // The book past the levels a top-of-book feed shows is not known: a floor.
        let atLeast = reading.pastShownLevels ? "≥" : ""
        // No book yet: nothing read off it (it read `0.00 bps` and a depth of 0, "ok", beside a
        // market with no book at all).
        if reading.noBook { return ("no book", "—") }
        switch reading.kind {
        case .spread:
            // No spread to give: a side of the book is empty.
            if reading.sideMissing { return ("side empty", Format.decimal(reading.baseline, decimals: 2)) }
            return (atLeast + Format.decimal(reading.value, decimals: 2) + " bps", Format.decimal(reading.baseline, decimals: 2))
        // In the quote it is counted in: a coin-margined market's `1,200` beside its BTC ladder
        // and BTC fund read as coins; it is dollars (operator trial).
        case .depth10, .depth50:
            return (atLeast + Format.compact(reading.value) + (quote.map { " " + $0 } ?? ""), reading.baseline.map(Format.compact) ?? "—")
        case .spreadVsDepth, .drainVsRefill:
            return (atLeast + Format.decimal(reading.value, decimals: 2) + "x", Format.decimal(reading.baseline, decimals: 1) + "x")
        case .liquidations10s, .liquidations60s:
            return (Format.count(reading.count ?? 0) + " / " + Format.compact(reading.value), "—")
        case .stressedDeficit:
            // Quantity the book cannot fill has no price: it goes to ADL (or the fund), and says so.
            let deficit = stress?.deficit ?? Fixed(approximating: reading.value)
            if let unfilled = reading.unfilledQuantity, reading.adlCertain, !deficit.isPositive {
                let quantity = stress.map(\.unfilledQuantity) ?? Fixed(approximating: unfilled)
                // At the market's lot, as its sizes read (XRP's `4,223,438.000` beside sizes of `4,332`: operator trial).
                let text = instrument.map { Format.quantity(quantity, $0) } ?? quantity.quantityText(unit: unit)
                return ("ADL " + (reading.beyondLimit ? "≥" : "") + text + " " + unit, "fund " + (reading.baseline.map { Format.compactMoney($0, asset: asset) } ?? "—"))
            }
            // A coin's amount names its coin (`741.08886301` beside a UNI fund read as dollars), and
            // money and quantity the book cannot fill both say so (operator trial).
            let coin = AssetPrecision.decimals(forAsset: asset) >= 8 ? " " + asset : ""
            // ADL follows whether the book cannot fill some of it or the deficit passes the fund,
            // as the markets pane says it (it said `+ ADL` beside this pane's bare figure when the
            // fund, at 0, could not pay it: operator trial).
            let adl = reading.adlCertain ? " + ADL" : ""
            // Past the levels a top-of-book feed shows, the deficit is a floor.
            let floor = reading.pastShownQuantity != nil || reading.beyondLimit ? "≥" : ""
            // The book it would leave, where that warns: the share says why (a WARN beside
            // 8,437.54, 3.4 % of the fund, had no reason on screen: operator trial).
            var share = ""
            if !reading.adlCertain, reading.level == .warn, reading.bookShare != nil, let stress, stress.bookShare != nil {
                share = " · " + Format.bookShare(stress) + " " + stress.bookShareBook
            }
            if !share.isEmpty && !deficit.isPositive {
                return (floor + "0" + share, "fund " + (reading.baseline.map { Format.compactMoney($0, asset: asset) } ?? "—"))
            }
            return (floor + Format.stressMoney(deficit, asset: asset) + coin + adl + share,
                "fund " + (reading.baseline.map { Format.compactMoney($0, asset: asset) } ?? "—"))
        }
    }
}
