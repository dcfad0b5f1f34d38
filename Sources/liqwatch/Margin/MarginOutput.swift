import RiskEngine

/// How `liqwatch margin` prints its answer.
enum MarginOutput {
    /// Exactly the keys scripts rely on; the last three are null without --mark. A bankrupt
    /// position (margin balance ≤ 0 at the mark) has no margin ratio: `bankrupt` says so, where a
    /// null ratio alone read the same as no mark. Prices are rounded to the instrument's decimals,
    /// money to the cent (8 places for coin), the ratio to 6 places.
    /// Liquidated the moment it opens: its maintenance margin at entry is more than its margin,
    /// so its liquidation price is at or past its entry (a 125x long of 1,000 BTC at 60,000 printed
    /// a liquidation price of 65,147.09 and nothing else: attacker trial).
    static func liquidatedAtEntry(_ answer: MarginAnswer, _ question: MarginQuestion) -> Bool {
        guard let liquidation = answer.liquidationPrice else { return false }
        return question.side == .long ? liquidation >= question.entryPrice : liquidation <= question.entryPrice
    }

    /// The most leverage the position's bracket takes, and the leverage its margin gives (notional
    /// at entry ÷ margin, the wallet for a cross one), where it is more: the venues' initial margin
    /// rate is twice the bracket's maintenance rate (Binance's tiers, 125x at 0.40 %, 100x at
    /// 0.50 %, …; Bybit's and OKX's first tiers alike; Hyperliquid's by definition), so no venue
    /// opens it. A 1,000x position printed a liquidation price as if it could be opened, and one at
    /// 200x, under the rate's 250x where it would be liquidated at entry, said nothing (attacker
    /// trial). Nil when within it, or when the rate is 0.
    static func aboveVenueLeverage(_ answer: MarginAnswer, _ question: MarginQuestion) -> (maximum: Fixed, given: Fixed)? {
        let rate = question.rules == .okx ? answer.maintenanceMarginRate - question.liquidationFeeRate : answer.maintenanceMarginRate
        guard rate.isPositive, answer.notional.isPositive else { return nil }
        let margin: Fixed
        switch question.collateral {
        case .leverage(let leverage): margin = answer.notional / leverage
        case .isolatedMargin(let given): margin = given
        case .walletBalance(let wallet): margin = wallet
        }
        guard margin.isPositive else { return nil }
        // Leverage above 1 ÷ (2 × rate): margin below 2 × rate × notional.
        guard margin < Fixed(2) * rate * answer.notional else { return nil }
        return (Fixed.one / (Fixed(2) * rate), answer.notional / margin)
    }

    static func json(_ answer: MarginAnswer, question: MarginQuestion, priceDecimals: Int, moneyDecimals: Int, hasMark: Bool,
                     tiersAssumed: Bool = false) -> String {
        JSON.render(.object([
            ("initial_margin", JSON.number(answer.initialMargin, decimals: moneyDecimals)),
            ("maintenance_margin", JSON.number(answer.maintenanceMargin, decimals: moneyDecimals)),
            ("maintenance_margin_rate", JSON.number(answer.maintenanceMarginRate, decimals: 8)),
            ("maintenance_amount", JSON.number(answer.maintenanceAmount, decimals: moneyDecimals)),
            ("liquidation_price", JSON.number(answer.liquidationPrice, decimals: priceDecimals)),
            ("bankruptcy_price", JSON.number(answer.bankruptcyPrice, decimals: priceDecimals)),
            // Rounded down, as the table and the engine's bounds: 0.9999996 read `1`, a trigger
            // to a script, beside the table's `99.9999 %` (review).
            ("margin_ratio", JSON.number(answer.marginRatio?.rounded(places: 6, .down), decimals: 6)),
            ("distance_to_liquidation_pct", JSON.number(answer.distanceToLiquidationPct?.rounded(places: 4, .down), decimals: 4)),
            ("bankrupt", hasMark ? .bool(answer.marginRatio == nil) : .null),
            ("liquidated_at_entry", .bool(liquidatedAtEntry(answer, question))),
            ("above_venue_maximum_leverage", .bool(aboveVenueLeverage(answer, question) != nil)),
            // The table's note, for scripts (review).
            ("tiers_assumed", .bool(tiersAssumed)),
            // The bracket the liquidation price is worked out in (the one above is at entry, or
            // at the mark): they differ when the notional at that price crosses a bracket's cap.
            ("liquidation_maintenance_margin_rate", JSON.number(answer.liquidationBracket?.maintenanceMarginRate, decimals: 8)),
            ("liquidation_maintenance_amount", JSON.number(answer.liquidationBracket?.maintenanceAmount, decimals: moneyDecimals)),
        ]))
    }

    static func table(
        _ answer: MarginAnswer, question: MarginQuestion, instrument: String, asset: String,
        priceDecimals: Int, moneyDecimals: Int, tiersAssumed: Bool = false, unit quantityUnit: String = ""
    ) -> String {
        func money(_ value: Fixed) -> String { value.formatted(moneyDecimals, grouping: true) + " " + asset }
        func price(_ value: Fixed?) -> String { value.map { $0.formatted(priceDecimals, grouping: true) } ?? "none" }
        // Rounded down, as the engine's bounds compare: 99.99996 % is not yet liquidated, and
        // rounded to the nearest it read `100.0000 %` with no "triggered" below it.
        func percent(_ value: Fixed) -> String { (value * Fixed(100)).formatted(4, rounding: .down) + " %" }
        let collateral: String
        switch question.collateral {
        case .isolatedMargin(let margin): collateral = "isolated margin \(margin.formatted(moneyDecimals, grouping: true))"
        case .walletBalance(let wallet): collateral = "cross, wallet balance \(wallet.formatted(moneyDecimals, grouping: true))"
        case .leverage(let leverage): collateral = "isolated at \(leverage)x"
        }
        let unit = quantityUnit.isEmpty ? (question.kind.isInverse ? " contracts" : "") : " " + quantityUnit
        let isCross: Bool
        if case .walletBalance = question.collateral { isCross = true } else { isCross = false }
        var rows: [(String, String)] = [
            ("Position", "\(question.side.label) \(question.quantity)\(unit) \(instrument) @ \(question.entryPrice.formatted(priceDecimals, grouping: true))"),
            ("Collateral", collateral),
            ("Rules", question.rules.rawValue),
            ("Notional at entry", money(answer.notional)),
            // Cross: no margin is set aside for the position; the wallet backs it (the row gave the
            // wallet as an initial margin of 500.00 on a notional of 1,000: operator trial).
            ("Initial margin", isCross ? "— (cross: the wallet balance backs the position)" : money(answer.initialMargin)),
            // Bybit values the position at entry whatever the mark (it read "(at mark)", operator trial).
            ("Maintenance margin", money(answer.maintenanceMargin) + (question.mark == nil || question.rules == .bybit ? "  (at entry)" : "  (at mark)")),
            // OKX's rate carries its liquidation fee: each said (it read as the tier's alone).
            ("Bracket rate", percent(answer.maintenanceMarginRate) + (question.liquidationFeeRate.isPositive && question.rules == .okx
                ? "  (tier " + percent(answer.maintenanceMarginRate - question.liquidationFeeRate) + " + liquidation fee " + percent(question.liquidationFeeRate) + ")"
                : "")),
            ("Maintenance amount", money(answer.maintenanceAmount)),
            ("Liquidation price", price(answer.liquidationPrice)),
        ]
        // Worked out in another bracket than the one above: said, with its rate and amount (the
        // figures above gave another price by hand: operator trial).
        if let other = answer.liquidationBracket, other.maintenanceMarginRate != answer.maintenanceMarginRate
            || other.maintenanceAmount != answer.maintenanceAmount {
            rows.append(("Note", "at that price the notional is in another bracket, rate \(percent(other.maintenanceMarginRate)), amount \(money(other.maintenanceAmount)): the price is worked out in it"))
        }
        rows.append(("Bankruptcy price", price(answer.bankruptcyPrice)))
        if let mark = question.mark {
            rows.append(("Mark price", price(mark)))
            if let pnl = answer.unrealisedPnL { rows.append(("Unrealised PnL", money(pnl))) }
            if let balance = answer.marginBalance { rows.append(("Margin balance", money(balance))) }
            // OKX's own "margin ratio" is the inverse (balance ÷ maintenance, liquidation at 100 %
            // from above): said, so an OKX user does not read 74 % as 26 % from liquidation.
            let okxNote = question.rules == .okx ? "  (maintenance ÷ margin balance; OKX's app shows the inverse)" : ""
            rows.append(("Margin ratio", (answer.marginRatio.map(percent) ?? "bankrupt (margin balance ≤ 0)") + (answer.marginRatio == nil ? "" : okxNote)))
            rows.append(("Distance to liquidation", answer.distanceToLiquidationPct.map { $0.formatted(2, rounding: .down) + " %" } ?? "no liquidation price"))
            if let ratio = answer.marginRatio, ratio >= .one { rows.append(("Status", "LIQUIDATION TRIGGERED (margin ratio ≥ 100 %)")) }
        } else {
            rows.append(("Margin ratio", "give --mark"))
            rows.append(("Distance to liquidation", "give --mark"))
        }
        // Said beside a trigger at the mark too (OKX's case printed the trigger alone: attacker trial).
        if liquidatedAtEntry(answer, question) {
            rows.append(("Status", "LIQUIDATED AT ENTRY (maintenance margin at entry exceeds the margin)"))
        }
        if let above = aboveVenueLeverage(answer, question) {
            func times(_ value: Fixed) -> String {
                let text = value.formatted(2, rounding: .down)
                return (text.hasSuffix(".00") ? String(text.dropLast(3)) : text) + "x"
            }
            rows.append(("Note", "\(times(above.given)) is above the \(times(above.maximum)) its bracket takes at most (the venues' initial margin is at least twice the maintenance rate): no venue opens this position"))
        }
        // Past the last bracket's cap (in notional; OKX's tiers count contracts) no venue takes
        // the position: its rate is used all the same, said so (a silent last bracket read as a
        // table that covers it: attacker trial).
        // The notional the bracket is chosen on: at the mark where one is given, at entry under
        // Bybit's rule or without one (at entry it named a bracket the mark's did not use: review).
        let valuation = question.rules == .bybit ? question.entryPrice : (question.mark ?? question.entryPrice)
        let tiered = MarginMath.notional(kind: question.kind, quantity: question.quantity, at: valuation)
        if question.rules != .okx, let last = question.brackets.brackets.last, last.notionalCap != .max, tiered > last.notionalCap {
            let at = question.rules == .bybit || question.mark == nil ? "at entry" : "at the mark"
            rows.append(("Note", "notional \(at) \(money(tiered)) is past the last bracket's cap \(last.notionalCap.formatted(0, grouping: true)): its rate is used (the venue takes no larger position)"))
        }
        // Right under the rate it is about, before the prices and the status worked out with it
        // (it came last, under `LIQUIDATED AT ENTRY`: operator trial).
        if tiersAssumed, let rate = rows.firstIndex(where: { $0.0 == "Bracket rate" }) {
            rows.insert(("Note", "tiers assumed, not the venue's (liqwatch's fallback for \(instrument)): give its table in an instrument file (--instruments), or --brackets"), at: rate + 1)
        }
        let width = rows.map(\.0.count).max() ?? 0
        return rows.map { $0.0.padding(to: width) + "  " + $0.1 }.joined(separator: "\n") + "\n"
    }
}

extension String {
    func padding(to width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}
