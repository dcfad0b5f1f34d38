/// Liquidation and settlement.
///
/// A bankrupt close is settled the way exchanges describe it: the position is closed *for its
/// owner* at the bankruptcy price (the owner loses exactly their collateral), and the insurance fund
/// stands between that price and the prices the book actually gave. A fill better than bankruptcy
/// leaves money that goes to the fund (the liquidation fee first, the rest as surplus); a fill worse
/// is a deficit the fund pays. What the fund cannot stand behind is not filled in the book under
/// ADL: that quantity is closed against profitable opposite positions at the bankruptcy price. Under
/// socialised loss the book fills everything and the shortfall is charged pro rata to the winners.
///
/// Quantity the book cannot fill at all (the walk ran out of levels) is covered by the rule of
/// `EngineConfiguration.unfilled`: ADL at the bankruptcy price (the default), or the fund takes it
/// over at the bankruptcy price and holds it marked to market. It is never booked as if the book
/// had filled it.
///
/// Every movement is a posting between two parties (`transfer`), so money is conserved.
extension Engine {
    mutating func liquidate(position index: Int32, into notes: inout [EngineNotification]) {
        let market = Int(positions[Int(index)].symbolIndex)
        if let block = liquidationBlock(market: market) {
            noteBlocked(market: market, block, into: &notes)
            return
        }
        if let waiting = crossLegMarkBlock(index) {
            noteBlocked(market: waiting.market, waiting.block, into: &notes)
            return
        }
        rememberStatement(index, byLiquidation: true)
        let account = positions[Int(index)].accountIndex
        var steps = 0
        while positions[Int(index)].isOpen && steps < 64 {
            steps += 1
            switch configuration.liquidation {
            case .full:
                closeBankrupt(index, into: &notes)
            case .tiered:
                if tieredStep(index, into: &notes) { steps = .max }
            case .partial(let fraction):
                if partialStep(index, quantity: fractionStep(index, fraction: fraction), into: &notes) { steps = .max }
            }
        }
        if positions[Int(index)].isOpen { reindex(index) }
        // A bankrupt close leaves a cross account's other positions with nothing behind them.
        liquidateTriggered(account: account, into: &notes)
    }

    /// Keeps a position as the operator last stated it, before the engine first changes its
    /// quantity (see `engineChangedPositions`).
    @inline(__always)
    mutating func rememberStatement(_ index: Int32, byLiquidation: Bool) {
        guard engineChangedPositions[index] == nil else { return }
        engineChangedPositions[index] = StatedPosition(positions[Int(index)], byLiquidation: byLiquidation)
        let account = positions[Int(index)].accountIndex
        if engineChangedWallets[account] == nil { engineChangedWallets[account] = accounts[Int(account)].walletBalance }
    }

    /// Puts an open position back into the trigger index after a step removed its entry.
    mutating func reindex(_ index: Int32) {
        bumpVersion(index)
        let position = positions[Int(index)]
        guard let trigger = position.triggerPrice else { return }
        markets[Int(position.symbolIndex)].triggers.insert(
            side: position.side, price: trigger, position: index, version: position.version)
    }

    // MARK: Partial steps

    /// `fraction` of the position, rounded up to a lot (at least one).
    func fractionStep(_ index: Int32, fraction: Fixed) -> Fixed {
        let position = positions[Int(index)]
        let lot = markets[Int(position.symbolIndex)].instrument.lotSize
        let step = (position.quantity * fraction).rounded(toMultipleOf: lot, .up)
        return Fixed.maximum(step, lot)
    }

    /// One step of the tiered rule: a position whose notional is above the first bracket is cut to
    /// the cap of the bracket below (the lot-rounded quantity whose notional fits under it); a
    /// first-bracket position is closed in full. Returns true when the account is compliant.
    mutating func tieredStep(_ index: Int32, into notes: inout [EngineNotification]) -> Bool {
        refreshPosition(index)
        let position = positions[Int(index)]
        let market = Int(position.symbolIndex)
        let instrument = markets[market].instrument
        guard let mark = markets[market].markPrice else { closeBankrupt(index, into: &notes); return true }
        let terms = terms(of: position)
        // The tier is chosen on what the venue measures it in: the notional at the mark (Binance,
        // Hyperliquid), the value at entry (Bybit), the contracts (OKX).
        let rules = marginRules(of: instrument)
        let price = rules == .bybit ? position.entryPrice : mark
        let table = instrument.brackets.brackets
        let current = MarginMath.tierMeasure(terms, rules: rules, at: mark)
        guard let tier = table.firstIndex(where: { current <= $0.notionalCap }) ?? (table.isEmpty ? nil : table.count - 1), tier > 0 else {
            closeBankrupt(index, into: &notes)
            return true
        }
        let cap = table[tier - 1].notionalCap
        let target = MarginMath.quantity(fittingTierCap: cap, terms, rules: rules, at: price, lot: instrument.lotSize)
        let step = position.quantity - Fixed.maximum(.zero, target)
        guard step.isPositive, step < position.quantity else {
            closeBankrupt(index, into: &notes)
            return true
        }
        return partialStep(index, quantity: step, into: &notes)
    }

    /// Closes `quantity` of a position through the book, realising its PnL and paying the
    /// liquidation fee on the step's notional. When the book cannot take the whole step at or
    /// better than the bankruptcy price, the rest is closed as bankrupt instead. Returns true when
    /// the account is compliant again (or the position was closed).
    mutating func partialStep(_ index: Int32, quantity stepQuantity: Fixed, into notes: inout [EngineNotification]) -> Bool {
        refreshPosition(index)
        let position = positions[Int(index)]
        let market = Int(position.symbolIndex)
        let instrument = markets[market].instrument
        guard stepQuantity < position.quantity, let bankruptcy = position.bankruptcy, let mark = markets[market].markPrice else {
            closeBankrupt(index, into: &notes)
            return true
        }
        let side = position.side.closingBookSide
        let walk = markets[market].book.walk(side, quantity: stepQuantity.bookUnits)
        guard walk.remainder == 0, let average = averagePrice(instrument, walk.fills),
            position.side == .long ? average >= bankruptcy : average <= bankruptcy
        else {
            // The book cannot take the step above bankruptcy: close the rest as bankrupt.
            closeBankrupt(index, into: &notes)
            return true
        }
        var pnl = Fixed.zero
        // What the step's fills leave beyond its bankruptcy value: the fee is paid out of it, as a
        // whole liquidation's is (a step filled at the bankruptcy price paid a fee out of the
        // margin backing the rest, whose bankruptcy price then moved against the fund and the ADL
        // counterparties: attacker trial).
        var beyondBankruptcy = Fixed.zero
        for fill in walk.fills {
            pnl += fillSettlement(instrument, side: position.side, size: fill.size, price: fill.price, against: position.entryPrice)
            beyondBankruptcy += Engine.pnlAtBankruptcy(position, bankruptcy: bankruptcy, instrument: instrument, fill: fill)
        }
        let notional = fillsNotional(instrument, walk.fills)
        let account = Int(position.accountIndex)
        let asset = accounts[account].asset
        let owner: LedgerParty = position.mode == .isolated ? .isolatedMargin(index) : .wallet(Int32(account))
        // The margin balance the account keeps after this step, which the fee may not exceed.
        let remaining = instrument.terms(side: position.side, quantity: position.quantity - stepQuantity, entryPrice: position.entryPrice)
        let collateral = position.mode == .isolated
            ? position.isolatedMargin : accounts[account].walletBalance + context(of: index).otherUnrealised
        let equityAfterPnL = collateral + pnl + MarginMath.unrealisedPnL(remaining, at: mark)
        let fee = Fixed.minimum(MarginMath.liquidationFee(notional: notional, rate: instrument.liquidationFeeRate),
            Fixed.maximum(.zero, Fixed.minimum(equityAfterPnL, beyondBankruptcy)))
        let id = accounts[account].id
        willChangeADLInputs(index)
        transfer(pnl, asset: asset, from: .clearing, to: owner, cause: .realisedPnL, symbol: instrument.symbol, account: id, into: &notes)
        let fund = markets[market].fundIndex
        transfer(fee, asset: asset, from: owner, to: .fund(fund), cause: .liquidationFee, symbol: instrument.symbol, account: id, into: &notes)
        positions[Int(index)].quantity -= stepQuantity
        bumpVersion(index)
        didChangeADLInputs(index)
        markets[market].book.consume(side, fills: walk.fills)
        recordBookActivity(market: market, fills: walk.fills, quantity: stepQuantity, mark: mark)
        totals.partialSteps += 1
        refreshAccount(position.accountIndex)
        keepIndexed(index, changedAt: position.version &+ 1)
        let compliant = !isTriggered(index)
        notes.append(.liquidation(LiquidationRecord(
            time: time, symbol: instrument.symbol, account: id, position: index, side: position.side,
            quantity: stepQuantity, markPrice: mark, liquidationPrice: position.liquidation, bankruptcyPrice: bankruptcy,
            averageFill: average, filledQuantity: stepQuantity, unfilledQuantity: .zero, adlQuantity: .zero,
            fundTakeoverQuantity: .zero, levelsConsumed: walk.levelsConsumed,
            slippageBps: slippageBps(side: position.side, average: average, mark: mark),
            notional: notional, fee: fee, surplus: .zero, deficit: .zero, fundPaid: .zero,
            fundAfter: funds[Int(fund)].balance, asset: asset, isPartial: true,
            walk: LiquidationRecord.kept(walk.fills), worstFillPrice: walk.fills.last?.price)))
        return compliant
    }

    // MARK: Bankrupt close

    /// What a bankrupt close of `position` at `bankruptcy` takes from the book, before anything
    /// moves: the book's fills, those the fund can stand behind (ADL policy: while the fund covers
    /// the fills' loss), what they settle to, and what the book had no level for or the fund could
    /// not stand behind (`beyondFundUnits`). Read only: a sliced cascade asks it too, to guess
    /// whether the close will deleverage (`wantsPreparedRanking`).
    func bankruptClosePlan(_ position: Position, bankruptcy: Fixed, fundBefore: Fixed)
        -> (accepted: [Fill], net: Fixed, bookUnfilledUnits: Int64, beyondFundUnits: Int64, pastShownUnits: Int64, bookFills: Int,
            walkPastShownLevels: Bool)
    {
        let instrument = markets[Int(position.symbolIndex)].instrument
        let quantityUnits = position.quantity.bookUnits
        let walk = markets[Int(position.symbolIndex)].book.walk(position.side.closingBookSide, quantity: quantityUnits)
        // Take the book's fills while the fund can stand behind them (ADL policy), or all of them.
        var accepted: [Fill] = []
        var net = Fixed.zero
        let lotUnits = max(1, instrument.lotSize.bookUnits)
        // Past the levels a top-of-book feed shows, the book fills no better than its deepest level
        // shown: the remainder is settled there, a floor of the loss (sent to ADL at bankruptcy,
        // it cost the fund nothing, and a shock whose remainder was bankrupt far above those levels
        // read as a fund that survives: operator trial). The book beyond is not known, so nothing
        // is taken from it.
        var fills = walk.fills
        var bookUnfilledUnits = walk.remainder
        if let deepest = walk.deepestShownPrice {
            // No better than bankruptcy either: a floor of the loss claims no surplus for the fund
            // from a book it cannot see.
            let bankruptcyUnits = bankruptcy.bookUnits
            let price = position.side == .long ? min(deepest, bankruptcyUnits) : max(deepest, bankruptcyUnits)
            fills.append(Fill(price: price, size: walk.remainder))
            bookUnfilledUnits = 0
        }
        for fill in fills {
            let value = fillSettlement(instrument, side: position.side, size: fill.size, price: fill.price, against: bankruptcy)
            if configuration.shortfall == .adl && (fundBefore + net + value).isNegative {
                let perLot = -fillSettlement(instrument, side: position.side, size: lotUnits, price: fill.price, against: bankruptcy)
                if perLot.isPositive {
                    let lots = ((fundBefore + net) / perLot).rounded(places: 0, .down)
                    let lotsInLevel = fill.size / lotUnits
                    let wholeLots = lots >= Fixed(Int(lotsInLevel)) ? lotsInLevel : lots.bookUnits / BookUnits.perUnit
                    let affordable = min(fill.size, wholeLots * lotUnits)
                    if affordable > 0 {
                        accepted.append(Fill(price: fill.price, size: affordable))
                        net += fillSettlement(instrument, side: position.side, size: affordable, price: fill.price, against: bankruptcy)
                    }
                }
                break
            }
            accepted.append(fill)
            net += value
        }
        let filledUnits = accepted.reduce(Int64(0)) { $0 + $1.size }
        // What the book had no level for, and what it had but the fund could not stand behind.
        let beyondFundUnits = max(0, quantityUnits - filledUnits - bookUnfilledUnits)
        // Past the levels shown only what was settled there: the fund may have stopped the walk
        // before it, or part way through it (the what-if's list marked `≥999.81 +ADL` a close the
        // fund stopped at the second of three levels shown, and summed its whole remainder as
        // "past the levels shown": attacker trial).
        let settledPastShown = walk.remainderPastShownLevels && accepted.count > walk.fills.count ? accepted[walk.fills.count].size : 0
        return (accepted, net, bookUnfilledUnits, beyondFundUnits, settledPastShown, walk.fills.count, walk.remainderPastShownLevels)
    }

    mutating func closeBankrupt(_ index: Int32, into notes: inout [EngineNotification]) {
        refreshPosition(index)
        let position = positions[Int(index)]
        let market = Int(position.symbolIndex)
        let instrument = markets[market].instrument
        let account = Int(position.accountIndex)
        let asset = accounts[account].asset
        let id = accounts[account].id
        let symbol = instrument.symbol
        let mark = markets[market].markPrice ?? position.entryPrice
        let bankruptcy = position.bankruptcy ?? mark
        let side = position.side.closingBookSide
        let fund = markets[market].fundIndex
        let fundBefore = funds[Int(fund)].balance
        let plan = bankruptClosePlan(position, bankruptcy: bankruptcy, fundBefore: fundBefore)
        let accepted = plan.accepted
        let net = plan.net
        let bookUnfilledUnits = plan.bookUnfilledUnits
        let beyondFundUnits = plan.beyondFundUnits
        let filledUnits = accepted.reduce(Int64(0)) { $0 + $1.size }

        // The owner is closed at the bankruptcy price: they lose exactly their collateral.
        let ownerPnL = MarginMath.unrealisedPnL(terms(of: position), at: bankruptcy)
        let owner: LedgerParty = position.mode == .isolated ? .isolatedMargin(index) : .wallet(Int32(account))
        transfer(-ownerPnL, asset: asset, from: owner, to: .clearing, cause: .bankruptClose, symbol: symbol, account: id, into: &notes)
        if position.mode == .isolated {
            // Any rounding dust of the bankruptcy price stays with the owner, not lost.
            transfer(positions[Int(index)].isolatedMargin, asset: asset, from: owner, to: .wallet(Int32(account)),
                cause: .marginReturned, symbol: symbol, account: id, into: &notes)
        }

        // The fund stands between the bankruptcy price and the fills.
        let notional = fillsNotional(instrument, accepted)
        var fee = Fixed.zero
        var surplus = Fixed.zero
        var surplusToOwner = Fixed.zero
        var deficit = Fixed.zero
        var fundPaid = Fixed.zero
        if !net.isNegative {
            fee = Fixed.minimum(MarginMath.liquidationFee(notional: notional, rate: instrument.liquidationFeeRate), net)
            transfer(fee, asset: asset, from: .clearing, to: .fund(fund), cause: .liquidationFee, symbol: symbol, account: id, into: &notes)
            if marginRules(of: instrument).leavesSurplusWithTrader {
                // Hyperliquid's fund (its liquidator vault) gained it all: every what-if of a
                // Hyperliquid market overstated the fund after by 9 % (operator trial).
                surplusToOwner = net - fee
                transfer(surplusToOwner, asset: asset, from: .clearing, to: .wallet(Int32(account)), cause: .surplusToOwner,
                    symbol: symbol, account: id, into: &notes)
            } else {
                surplus = net - fee
                transfer(surplus, asset: asset, from: .clearing, to: .fund(fund), cause: .surplus, symbol: symbol, account: id, into: &notes)
            }
        } else {
            deficit = -net
            fundPaid = Fixed.minimum(deficit, Fixed.maximum(.zero, fundBefore))
            transfer(fundPaid, asset: asset, from: .fund(fund), to: .clearing, cause: .deficit, symbol: symbol, account: id, into: &notes)
            totals.deficits += 1
            totals.deficitTotal[asset, default: .zero] += deficit
            notes.append(.deficit(DeficitRecord(time: time, symbol: symbol, account: id, asset: asset, amount: deficit)))
            let shortfall = deficit - fundPaid
            if shortfall.isPositive {
                noteFundExhausted(fund, time: time, symbol: symbol, into: &notes)
                socialise(shortfall, market: market, bankruptSide: position.side, into: &notes)
            }
        }
        // Fills the fund could not stand behind (ADL policy) are a deficit it could not pay.
        if beyondFundUnits > 0 { noteFundExhausted(fund, time: time, symbol: symbol, into: &notes) }
        // The book's own fills only: a floor's fill past the levels shown takes nothing from it.
        let bookAccepted = accepted.count > plan.bookFills ? Array(accepted.prefix(plan.bookFills)) : accepted
        markets[market].book.consume(side, fills: bookAccepted)

        // Close the position, then cover what the book did not fill.
        willChangeADLInputs(index)
        positions[Int(index)].quantity = .zero
        bumpVersion(index)
        didChangeADLInputs(index)
        refreshAccount(Int32(account))
        var adlUnits = beyondFundUnits
        var takeoverUnits: Int64 = 0
        if bookUnfilledUnits > 0 {
            if configuration.unfilled == .fundTakesOver && funds[Int(fund)].balance.isPositive {
                takeoverUnits = bookUnfilledUnits
                takeOver(Fixed(bookUnits: takeoverUnits), side: position.side, price: bankruptcy, market: market)
            } else {
                adlUnits += bookUnfilledUnits
            }
        }
        let adlQuantity = Fixed(bookUnits: adlUnits)
        if adlUnits > 0 {
            let unfilled = deleverage(adlQuantity, market: market, bankruptSide: position.side, price: bankruptcy, excluding: index, into: &notes)
            if unfilled.isPositive {
                // ADL beyond the monitored positions begins ADL all the same (told unless a
                // monitored close just did).
                noteADLBegins(fund: fund, time: time, symbol: symbol, into: &notes)
                funds[Int(fund)].adlBeyondMonitored += 1
                funds[Int(fund)].lastDeleverageTime = time
                notes.append(.adlUnfilled(symbol: symbol, quantity: unfilled, time: time))
            }
        }

        recordBookActivity(market: market, fills: bookAccepted, quantity: position.quantity, mark: mark)
        totals.liquidations += 1
        if plan.pastShownUnits > 0 { totals.liquidationsPastShownLevels += 1 }
        // The walk as the book filled it: a floor's settlement past the levels shown is no level
        // (it is in the filled quantity, the notional and the settlement).
        let average = averagePrice(instrument, bookAccepted)
        notes.append(.liquidation(LiquidationRecord(
            time: time, symbol: symbol, account: id, position: index, side: position.side,
            quantity: position.quantity, markPrice: mark, liquidationPrice: position.liquidation, bankruptcyPrice: bankruptcy,
            averageFill: average, filledQuantity: Fixed(bookUnits: filledUnits),
            unfilledQuantity: Fixed(bookUnits: bookUnfilledUnits), adlQuantity: adlQuantity,
            fundTakeoverQuantity: Fixed(bookUnits: takeoverUnits),
            levelsConsumed: bookAccepted.count, slippageBps: average.map { slippageBps(side: position.side, average: $0, mark: mark) } ?? nil,
            notional: notional, fee: fee, surplus: surplus, surplusToOwner: surplusToOwner, deficit: deficit, fundPaid: fundPaid,
            fundAfter: funds[Int(fund)].balance, asset: asset, isPartial: false,
            walk: LiquidationRecord.kept(bookAccepted), worstFillPrice: bookAccepted.last?.price,
            // The levels shown whenever the walk ran past them, settled there or not (the view
            // says no level shown was left, not that the book had none: review).
            pastShownLevels: plan.walkPastShownLevels ? Int32(clamping: markets[market].book.shownLevels(position.side == .long ? .bid : .ask)) : 0,
            pastShownQuantity: Fixed(bookUnits: plan.pastShownUnits))))
    }

    /// The fund takes over `quantity` of a bankrupt position at its bankruptcy price: it now holds
    /// it, marked to market (no money moves until it is closed: the owner's close at the same
    /// price already went to the clearing side).
    mutating func takeOver(_ quantity: Fixed, side: Side, price: Fixed, market: Int) {
        let instrument = markets[market].instrument
        var holding = side == .long ? markets[market].fundLong : markets[market].fundShort
        holding.add(quantity: quantity, price: price, kind: instrument.kind)
        if side == .long { markets[market].fundLong = holding } else { markets[market].fundShort = holding }
        totals.fundTakeovers += 1
    }

    // MARK: ADL and socialised loss

    /// Closes `quantity` against opposite positions at `price`, best ADL score first. Returns what
    /// no monitored position could take.
    mutating func deleverage(
        _ quantity: Fixed, market: Int, bankruptSide: Side, price: Fixed, excluding: Int32,
        into notes: inout [EngineNotification]
    ) -> Fixed {
        let side = bankruptSide.opposite
        var queue = takeADLQueue(market: market, side: side)
        var remaining = quantity
        var rank = 0
        let instrument = markets[market].instrument
        while remaining.isPositive {
            // The deferred scores that could come first, worked out (see `Engine+ADLBounds`).
            settle(&queue, market: market)
            guard let candidate = queue.heap.first else { break }
            let index = candidate.position
            let position = positions[Int(index)]
            // Closed (or turned) since the queue was ranked, pushed again since with a new score,
            // or the position being liquidated.
            guard position.isOpen, position.side == side, index != excluding, queue.isCurrent(candidate) else {
                Heap.pop(&queue.heap, before: ADLHeapEntry.before)
                continue
            }
            rank += 1
            // As the operator stated it, before its margin and quantity change.
            rememberStatement(index, byLiquidation: false)
            let take = Fixed.minimum(remaining, position.quantity)
            let closed = PositionTerms(side: position.side, quantity: take, entryPrice: position.entryPrice,
                kind: instrument.kind, brackets: instrument.brackets)
            let pnl = MarginMath.unrealisedPnL(closed, at: price)
            let account = Int(position.accountIndex)
            let asset = accounts[account].asset
            let id = accounts[account].id
            if position.mode == .isolated {
                // The closed part's share of the margin goes back to the wallet, and so does its
                // PnL: what stays on the position is its margin for the quantity it keeps.
                let margin = positions[Int(index)].isolatedMargin
                let released = margin * take / position.quantity
                transfer(released, asset: asset, from: .isolatedMargin(index), to: .wallet(Int32(account)),
                    cause: .marginReturned, symbol: instrument.symbol, account: id, into: &notes)
                transfer(pnl, asset: asset, from: .clearing, to: .wallet(Int32(account)), cause: .realisedPnL,
                    symbol: instrument.symbol, account: id, into: &notes)
            } else {
                transfer(pnl, asset: asset, from: .clearing, to: .wallet(Int32(account)), cause: .realisedPnL,
                    symbol: instrument.symbol, account: id, into: &notes)
            }
            willChangeADLInputs(index)
            positions[Int(index)].quantity -= take
            bumpVersion(index)
            didChangeADLInputs(index)
            if !positions[Int(index)].isOpen { Heap.pop(&queue.heap, before: ADLHeapEntry.before) }
            refreshAccount(Int32(account))
            if positions[Int(index)].isOpen { reindex(index) }
            remaining -= take
            let notional = MarginMath.notional(closed, at: price)
            totals.adlEvents += 1
            noteADLBegins(fund: markets[market].fundIndex, time: time, symbol: instrument.symbol, into: &notes)
            funds[Int(markets[market].fundIndex)].adlEvents += 1
            funds[Int(markets[market].fundIndex)].lastDeleverageTime = time
            totals.adlQuantityBySymbol[instrument.symbol, default: .zero] += take
            totals.adlNotional[asset, default: .zero] += notional
            notes.append(.adl(ADLRecord(
                time: time, symbol: instrument.symbol, account: id, position: index, side: position.side,
                quantity: take, price: price, notional: notional, asset: asset, score: candidate.score, rank: rank,
                forPosition: excluding)))
        }
        keepADLQueue(queue, market: market, side: side)
        return remaining
    }

    /// Charges `loss` pro rata to the opposite side's winners; what they cannot cover is bad debt.
    mutating func socialise(_ loss: Fixed, market: Int, bankruptSide: Side, into notes: inout [EngineNotification]) {
        let instrument = markets[market].instrument
        var winners: [Int32] = []
        var profits: [Fixed] = []
        for index in markets[market].positionIndices {
            let position = positions[Int(index)]
            guard position.isOpen, position.side == bankruptSide.opposite else { continue }
            // The profit not charged already by an earlier loss.
            let charged = (socialisedCharges[index] ?? .zero) * position.quantity
            let profit = MarginMath.unrealisedPnL(terms(of: position), at: valuationMark(of: position)) - charged
            guard profit.isPositive else { continue }
            winners.append(index)
            profits.append(profit)
        }
        let shares = LossAllocation.socialise(loss: loss, profits: profits)
        var charged = Fixed.zero
        let asset = instrument.settlementAsset
        var touchedAccounts = Set<Int32>()
        for (index, share) in zip(winners, shares) where share.isPositive {
            let position = positions[Int(index)]
            let payer: LedgerParty = position.mode == .isolated ? .isolatedMargin(index) : .wallet(position.accountIndex)
            // The book's counterparties were already credited with the whole deficit when the fills
            // were settled; the winners (and, for what they cannot cover, bad debt) are the debit side.
            transfer(share, asset: asset, from: payer, to: .clearing, cause: .socialisedLoss, symbol: instrument.symbol,
                account: accounts[Int(position.accountIndex)].id, into: &notes)
            if position.mode == .isolated { didChangeADLInputs(index) }
            socialisedCharges[index, default: .zero] += share / position.quantity
            charged += share
            touchedAccounts.insert(position.accountIndex)
        }
        let unrecovered = loss - charged
        transfer(unrecovered, asset: asset, from: .badDebt, to: .clearing, cause: .badDebt, symbol: instrument.symbol, into: &notes)
        for account in touchedAccounts.sorted() { refreshAccount(account) }
        totals.socialisedLosses += 1
        totals.socialisedTotal[asset, default: .zero] += charged
        funds[Int(markets[market].fundIndex)].socialisedCharged += charged
        funds[Int(markets[market].fundIndex)].badDebt += unrecovered
        notes.append(.socialisedLoss(SocialisedLossRecord(
            time: time, symbol: instrument.symbol, asset: asset, loss: loss, unrecovered: unrecovered,
            accountsCharged: touchedAccounts.count)))
    }

    // MARK: Helpers

    /// What closing `size` book units of a `side` position entered at `reference` at `price` pays.
    func fillSettlement(_ instrument: Instrument, side: Side, size: Int64, price: Int64, against reference: Fixed) -> Fixed {
        let terms = PositionTerms(side: side, quantity: Fixed(bookUnits: size), entryPrice: reference,
            kind: instrument.kind, brackets: instrument.brackets)
        return MarginMath.unrealisedPnL(terms, at: Fixed(bookUnits: price))
    }

    /// Notional of fills in the contract's money (quote for linear, coin for inverse).
    func fillsNotional(_ instrument: Instrument, _ fills: [Fill]) -> Fixed {
        var total = Fixed.zero
        for fill in fills {
            switch instrument.kind {
            case .linear: total += Fixed(bookUnits: fill.size) * Fixed(bookUnits: fill.price)
            case .inverse(let size): total += Fixed(bookUnits: fill.size) * size / Fixed(bookUnits: fill.price)
            }
        }
        return total
    }

    /// The average price of fills: quantity-weighted for a linear contract; for an inverse one
    /// the harmonic mean (Σ contracts ÷ Σ contracts/price), the price at which the same contracts
    /// are worth the same coin. Nil without fills.
    func averagePrice(_ instrument: Instrument, _ fills: [Fill]) -> Fixed? {
        var size = Fixed.zero
        var weighted = Fixed.zero
        for fill in fills where fill.size > 0 && fill.price > 0 {
            let quantity = Fixed(bookUnits: fill.size)
            size += quantity
            if instrument.kind.isInverse { weighted += quantity / Fixed(bookUnits: fill.price) }
            else { weighted += quantity * Fixed(bookUnits: fill.price) }
        }
        guard size.isPositive, weighted.isPositive else { return nil }
        return instrument.kind.isInverse ? size / weighted : weighted / size
    }

    func slippageBps(side: Side, average: Fixed, mark: Fixed) -> Fixed? {
        guard mark.isPositive else { return nil }
        let adverse = side == .long ? mark - average : average - mark
        return adverse / mark * Fixed(10_000)
    }

    mutating func recordBookActivity(market: Int, fills: [Fill], quantity: Fixed, mark: Fixed) {
        let consumed = fills.reduce(0.0) { $0 + Double($1.price) * Double($1.size) / 1e16 }
        markets[market].signals.recordConsumed(notional: consumed)
        markets[market].signals.recordLiquidation(time: time, notional: usdValue(market: market, quantity: quantity, price: mark))
        markets[market].counters.simulatedLiquidations += 1
    }
}
