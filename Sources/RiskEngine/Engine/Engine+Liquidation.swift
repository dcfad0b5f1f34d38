/// Liquidation and settlement.
///
/// A bankrupt close is settled the way exchanges describe it: the position is closed *for its
/// owner* at the bankruptcy price (the owner loses exactly their collateral), and the insurance fund
/// stands between that price and the prices the book actually gave. A fill better than bankruptcy
/// leaves money that goes to the fund (the liquidation fee first, the rest as surplus); a fill worse
/// is a deficit the fund pays. What the fund cannot pay is not filled in the book at all under ADL:
/// that quantity is closed against profitable opposite positions at the bankruptcy price. Under
/// socialised loss the book fills everything and the shortfall is charged pro rata to the winners.
///
/// Every movement goes between two parties (a wallet or an isolated margin, the fund, the clearing
/// side that stands for the book's counterparties, or bad debt), so money is conserved.
extension Engine {
    mutating func liquidate(position index: Int32, into notes: inout [EngineNotification]) {
        let account = positions[Int(index)].accountIndex
        var steps = 0
        while positions[Int(index)].isOpen && steps < 64 {
            steps += 1
            switch configuration.liquidation {
            case .full:
                closeBankrupt(index, into: &notes)
            case .partial(let fraction):
                if partialStep(index, fraction: fraction, into: &notes) { steps = .max }
            }
        }
        if positions[Int(index)].isOpen { reindex(index) }
        // A bankrupt close leaves a cross account's other positions with nothing behind them.
        liquidateTriggered(account: account, into: &notes)
    }

    /// Puts an open position back into the trigger index after a step removed its entry.
    mutating func reindex(_ index: Int32) {
        positions[Int(index)].version &+= 1
        let position = positions[Int(index)]
        guard position.liquidationPrice.isPositive else { return }
        markets[Int(position.symbolIndex)].triggers.insert(
            side: position.side, price: position.liquidationPrice, position: index, version: position.version)
    }

    // MARK: Partial

    /// One partial step. Returns true when the account is compliant again (or the position closed).
    mutating func partialStep(_ index: Int32, fraction: Fixed, into notes: inout [EngineNotification]) -> Bool {
        refreshPosition(index)
        let position = positions[Int(index)]
        let market = Int(position.symbolIndex)
        let instrument = markets[market].instrument
        let lot = instrument.lotSize
        var stepQuantity = (position.quantity * fraction).rounded(toMultipleOf: lot, .up)
        if stepQuantity < lot { stepQuantity = lot }
        guard stepQuantity < position.quantity, let bankruptcy = position.bankruptcy,
            let mark = markets[market].markPrice
        else {
            closeBankrupt(index, into: &notes)
            return true
        }
        let side = position.side.closingBookSide
        let walk = markets[market].book.walk(side, quantity: stepQuantity.bookUnits)
        guard walk.remainder == 0, let average = walk.averagePrice,
            position.side == .long ? average >= bankruptcy : average <= bankruptcy
        else {
            // The book cannot take the step above bankruptcy: close the rest as bankrupt.
            closeBankrupt(index, into: &notes)
            return true
        }
        var pnl = Fixed.zero
        for fill in walk.fills {
            pnl += fillSettlement(instrument, side: position.side, size: fill.size, price: fill.price, against: position.entryPrice)
        }
        let notional = fillsNotional(instrument, walk.fills)
        let account = Int(position.accountIndex)
        let asset = accounts[account].asset
        // The margin balance the account keeps after this step, which the fee may not exceed.
        let remaining = PositionTerms(side: position.side, quantity: position.quantity - stepQuantity,
            entryPrice: position.entryPrice, kind: instrument.kind, brackets: instrument.brackets)
        let collateral = position.mode == .isolated
            ? position.isolatedMargin : accounts[account].walletBalance + context(of: index).otherUnrealised
        let equityAfterPnL = collateral + pnl + MarginMath.unrealisedPnL(remaining, at: mark)
        let fee = Fixed.minimum(MarginMath.liquidationFee(notional: notional, rate: instrument.liquidationFeeRate),
            Fixed.maximum(.zero, equityAfterPnL))
        clearing[asset, default: .zero] -= pnl
        if position.mode == .isolated { positions[Int(index)].isolatedMargin += pnl - fee }
        else { accounts[account].walletBalance += pnl - fee }
        bookFund(asset: asset, amount: fee, cause: .liquidationFee, time: time, symbol: instrument.symbol,
            account: accounts[account].id, into: &notes)
        positions[Int(index)].quantity -= stepQuantity
        positions[Int(index)].version &+= 1
        markets[market].book.consume(side, fills: walk.fills)
        recordBookActivity(market: market, fills: walk.fills, quantity: stepQuantity, mark: mark)
        totals.partialSteps += 1
        refreshAccount(position.accountIndex)
        keepIndexed(index, changedAt: position.version &+ 1)
        let compliant = !isTriggered(index)
        notes.append(.liquidation(LiquidationRecord(
            time: time, symbol: instrument.symbol, account: accounts[account].id, position: index, side: position.side,
            quantity: stepQuantity, markPrice: mark, liquidationPrice: position.liquidation, bankruptcyPrice: bankruptcy,
            averageFill: average, filledQuantity: stepQuantity, remainderAtBankruptcy: .zero, adlQuantity: .zero,
            levelsConsumed: walk.levelsConsumed, slippageBps: slippageBps(side: position.side, average: average, mark: mark),
            notional: notional, fee: fee, surplus: .zero, deficit: .zero, fundPaid: .zero,
            fundAfter: fund(asset).balance, asset: asset, isPartial: true)))
        return compliant
    }

    // MARK: Bankrupt close

    mutating func closeBankrupt(_ index: Int32, into notes: inout [EngineNotification]) {
        refreshPosition(index)
        let position = positions[Int(index)]
        let market = Int(position.symbolIndex)
        let instrument = markets[market].instrument
        let account = Int(position.accountIndex)
        let asset = accounts[account].asset
        let mark = markets[market].markPrice ?? position.entryPrice
        let bankruptcy = position.bankruptcy ?? mark
        let side = position.side.closingBookSide
        let quantityUnits = position.quantity.bookUnits
        let walk = markets[market].book.walk(side, quantity: quantityUnits)
        let fundBefore = fund(asset).balance

        // Take the book's fills while the fund can stand behind them (ADL policy), or all of them.
        var accepted: [Fill] = []
        var net = Fixed.zero
        var adlUnits: Int64 = 0
        let lotUnits = max(1, instrument.lotSize.bookUnits)
        for fill in walk.fills {
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
                adlUnits = quantityUnits - accepted.reduce(0) { $0 + $1.size }
                break
            }
            accepted.append(fill)
            net += value
        }
        let filledUnits = accepted.reduce(Int64(0)) { $0 + $1.size }
        let remainderUnits = adlUnits > 0 ? 0 : quantityUnits - filledUnits

        // The owner is closed at the bankruptcy price: they lose exactly their collateral.
        let ownerPnL = MarginMath.unrealisedPnL(terms(of: position), at: bankruptcy)
        clearing[asset, default: .zero] -= ownerPnL
        if position.mode == .isolated {
            // Any rounding dust of the bankruptcy price stays with the owner, not lost.
            accounts[account].walletBalance += position.isolatedMargin + ownerPnL
            positions[Int(index)].isolatedMargin = .zero
        } else {
            accounts[account].walletBalance += ownerPnL
        }

        // The fund stands between the bankruptcy price and the fills.
        let notional = fillsNotional(instrument, accepted)
        var fee = Fixed.zero
        var surplus = Fixed.zero
        var deficit = Fixed.zero
        var fundPaid = Fixed.zero
        clearing[asset, default: .zero] -= net
        if !net.isNegative {
            fee = Fixed.minimum(MarginMath.liquidationFee(notional: notional, rate: instrument.liquidationFeeRate), net)
            surplus = net - fee
            if fee.isPositive { bookFund(asset: asset, amount: fee, cause: .liquidationFee, time: time, symbol: instrument.symbol, account: accounts[account].id, into: &notes) }
            if surplus.isPositive { bookFund(asset: asset, amount: surplus, cause: .surplus, time: time, symbol: instrument.symbol, account: accounts[account].id, into: &notes) }
        } else {
            deficit = -net
            fundPaid = Fixed.minimum(deficit, Fixed.maximum(.zero, fundBefore))
            if fundPaid.isPositive { bookFund(asset: asset, amount: -fundPaid, cause: .deficit, time: time, symbol: instrument.symbol, account: accounts[account].id, into: &notes) }
            totals.deficits += 1
            totals.deficitTotal[asset, default: .zero] += deficit
            notes.append(.deficit(symbol: instrument.symbol, asset: asset, amount: deficit, time: time))
            let shortfall = deficit - fundPaid
            if shortfall.isPositive { socialise(shortfall, market: market, bankruptSide: position.side, into: &notes) }
        }
        markets[market].book.consume(side, fills: accepted)

        // Close the position, then deleverage what the fund could not stand behind.
        positions[Int(index)].quantity = .zero
        positions[Int(index)].version &+= 1
        accounts[account].positions.removeAll { $0 == index }
        refreshAccount(Int32(account))
        var adlQuantity = Fixed.zero
        if adlUnits > 0 {
            adlQuantity = Fixed(bookUnits: adlUnits)
            let unfilled = deleverage(adlQuantity, market: market, bankruptSide: position.side, price: bankruptcy, excluding: index, into: &notes)
            if unfilled.isPositive { notes.append(.adlUnfilled(symbol: instrument.symbol, quantity: unfilled, time: time)) }
        }

        recordBookActivity(market: market, fills: accepted, quantity: position.quantity, mark: mark)
        totals.liquidations += 1
        let average = filledUnits > 0 ? fillsValue(accepted) / Fixed(bookUnits: filledUnits) : nil
        notes.append(.liquidation(LiquidationRecord(
            time: time, symbol: instrument.symbol, account: accounts[account].id, position: index, side: position.side,
            quantity: position.quantity, markPrice: mark, liquidationPrice: position.liquidation, bankruptcyPrice: bankruptcy,
            averageFill: average, filledQuantity: Fixed(bookUnits: filledUnits),
            remainderAtBankruptcy: Fixed(bookUnits: remainderUnits), adlQuantity: adlQuantity,
            levelsConsumed: accepted.count, slippageBps: average.map { slippageBps(side: position.side, average: $0, mark: mark) } ?? nil,
            notional: notional, fee: fee, surplus: surplus, deficit: deficit, fundPaid: fundPaid,
            fundAfter: fund(asset).balance, asset: asset, isPartial: false)))
    }

    // MARK: ADL and socialised loss

    /// Closes `quantity` against opposite positions at `price`, best ADL score first. Returns what
    /// no monitored position could take.
    mutating func deleverage(
        _ quantity: Fixed, market: Int, bankruptSide: Side, price: Fixed, excluding: Int32,
        into notes: inout [EngineNotification]
    ) -> Fixed {
        let ranked = adlRanking(market: market, side: bankruptSide.opposite).filter { $0.position != excluding }
        var remaining = quantity
        let instrument = markets[market].instrument
        for (rank, candidate) in ranked.enumerated() where remaining.isPositive {
            let index = candidate.position
            let position = positions[Int(index)]
            let take = Fixed.minimum(remaining, position.quantity)
            let closed = PositionTerms(side: position.side, quantity: take, entryPrice: position.entryPrice,
                kind: instrument.kind, brackets: instrument.brackets)
            let pnl = MarginMath.unrealisedPnL(closed, at: price)
            let account = Int(position.accountIndex)
            let asset = accounts[account].asset
            clearing[asset, default: .zero] -= pnl
            if position.mode == .isolated {
                let margin = position.isolatedMargin + pnl
                let kept = margin * (position.quantity - take) / position.quantity
                positions[Int(index)].isolatedMargin = kept
                accounts[account].walletBalance += margin - kept
            } else {
                accounts[account].walletBalance += pnl
            }
            positions[Int(index)].quantity -= take
            positions[Int(index)].version &+= 1
            if !positions[Int(index)].isOpen { accounts[account].positions.removeAll { $0 == index } }
            refreshAccount(Int32(account))
            if positions[Int(index)].isOpen { reindex(index) }
            remaining -= take
            totals.adlEvents += 1
            totals.adlQuantityBySymbol[instrument.symbol, default: .zero] += take
            totals.adlNotional[asset, default: .zero] += MarginMath.notional(closed, at: price)
            notes.append(.adl(ADLRecord(
                time: time, symbol: instrument.symbol, account: accounts[account].id, position: index, side: position.side,
                quantity: take, price: price, score: candidate.score, rank: rank + 1)))
        }
        return remaining
    }

    /// Opposite-side positions of a market in ADL order (highest score first; index breaks ties).
    public func adlRanking(market: Int, side: Side) -> [(position: Int32, score: Fixed)] {
        var ranked: [(position: Int32, score: Fixed)] = []
        for index in markets[market].positionIndices {
            let position = positions[Int(index)]
            guard position.isOpen, position.side == side else { continue }
            ranked.append((index, adlScore(of: index)))
        }
        ranked.sort { $0.score != $1.score ? $0.score > $1.score : $0.position < $1.position }
        return ranked
    }

    /// A position's ADL score at its mark (values signed: a short's are negative).
    public func adlScore(of index: Int32) -> Fixed {
        let position = positions[Int(index)]
        let terms = terms(of: position)
        let mark = valuationMark(of: position)
        let sign = position.side.sign
        let entryValue = MarginMath.notional(terms, at: position.entryPrice) * sign
        let markValue = MarginMath.notional(terms, at: mark) * sign
        // For inverse contracts value falls as price rises; PnL is what matters, so take the
        // linear-equivalent values entry value + PnL.
        let pnl = MarginMath.unrealisedPnL(terms, at: mark)
        let bankruptcy = position.bankruptcy ?? .zero
        let bankruptcyValue = bankruptcy.isPositive
            ? entryValue + MarginMath.unrealisedPnL(terms, at: bankruptcy) : .zero
        return LossAllocation.adlScore(
            entryValue: entryValue, markValue: terms.kind.isInverse ? entryValue + pnl : markValue,
            bankruptcyValue: bankruptcyValue)
    }

    /// Charges `loss` pro rata to the opposite side's winners; what they cannot cover is bad debt.
    mutating func socialise(_ loss: Fixed, market: Int, bankruptSide: Side, into notes: inout [EngineNotification]) {
        let instrument = markets[market].instrument
        var winners: [Int32] = []
        var profits: [Fixed] = []
        for index in markets[market].positionIndices {
            let position = positions[Int(index)]
            guard position.isOpen, position.side == bankruptSide.opposite else { continue }
            let profit = MarginMath.unrealisedPnL(terms(of: position), at: valuationMark(of: position))
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
            let account = Int(position.accountIndex)
            if position.mode == .isolated { positions[Int(index)].isolatedMargin -= share }
            else { accounts[account].walletBalance -= share }
            charged += share
            touchedAccounts.insert(position.accountIndex)
        }
        // The book's counterparties were already credited with the whole deficit when the fills were
        // settled; the winners (and, for what they cannot cover, bad debt) are the debit side.
        let unrecovered = loss - charged
        if unrecovered.isPositive { badDebt[asset, default: .zero] -= unrecovered }
        for account in touchedAccounts.sorted() { refreshAccount(account) }
        totals.socialisedLosses += 1
        totals.socialisedTotal[asset, default: .zero] += charged
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

    /// Σ price × size of fills.
    func fillsValue(_ fills: [Fill]) -> Fixed {
        fills.reduce(Fixed.zero) { $0 + Fixed(bookUnits: $1.size) * Fixed(bookUnits: $1.price) }
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
