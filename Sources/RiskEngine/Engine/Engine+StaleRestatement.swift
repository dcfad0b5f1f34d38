extension Engine {
    /// Whether a position update is the operator's system stating again a position the engine
    /// closed (a simulated liquidation, a step of one, an ADL close), not yet told of the close:
    /// such an update is refused (`upsertPosition`), and its deficit is not counted again.
    ///
    /// The position it names is the held one of its account, market and position side, or, for a
    /// leg the engine closed, the one of the other position side that holds the same side (a
    /// hedge-mode LONG leg stated again without its `position_side` is the same position: opened
    /// again beside the closed leg, it was liquidated again; attacker trial).
    ///
    /// After a liquidation: the same side, mode, size and entry is a position the system has not
    /// yet seen closed, whatever its margin or wallet now say (funding trims them a little every
    /// period, and each such statement reopened the position and booked its deficit again:
    /// attacker trial). It is refused while it would be liquidated again at the mark now, worked
    /// out from the update's own margin or wallet; a top-up that saves it, or a mark back past its
    /// liquidation price, is news and applied. After an ADL close, the statement exactly as it
    /// was (margin and wallet included) is refused: the position was never near its liquidation.
    /// Any other statement, a new size or entry, is applied, and the engine's change forgotten.
    func refusesAsStale(_ update: UnsafePointer<PositionUpdate>, account: Int32, market: Int32) -> Bool {
        guard let held = engineChangedLeg(account: account, market: market, update: update),
              let stated = engineChangedPositions[held]
        else { return false }
        if stated.byLiquidation {
            if stated.isSamePosition(update.pointee) && restatementWouldTrigger(update, in: held, account: account) { return true }
        } else if stated.isRestated(by: update.pointee, wallet: engineChangedWallets[account]) {
            return true
        }
        // Not stale: the statement is forgotten once the update is applied (`upsertPosition`),
        // not here: an update refused after this (a hedge conflict, a leverage past the limit)
        // took it with it, and the stale statement sent next was applied (review).
        return false
    }

    /// The position of the account and market the update names that the engine changed: the
    /// update's own position side's, else a closed leg of the other position side holding the
    /// update's side.
    func engineChangedLeg(account: Int32, market: Int32, update: UnsafePointer<PositionUpdate>) -> Int32? {
        if let held = heldPosition(account: account, market: market, positionSide: update.pointee.positionSide) {
            return engineChangedPositions[held] == nil ? nil : held
        }
        for index in accounts[Int(account)].positions {
            let position = positions[Int(index)]
            guard position.symbolIndex == market, !position.isOpen, position.side == update.pointee.side,
                  position.positionSide != update.pointee.positionSide, engineChangedPositions[index] != nil
            else { continue }
            return index
        }
        return nil
    }

    /// Whether the position `update` states, in place of `held` (closed by the engine), would be
    /// liquidated at its market's mark now: its liquidation price worked out from the update's
    /// margin (isolated: stated, or implied by its leverage) or, cross, the wallet it is given
    /// (stated, else the one the account last stated: see `engineChangedWallets`), beside the
    /// account's other cross positions both as last stated (`statedCrossShare`) and as they are
    /// now (`context(of:)`): triggered either way, it is refused. Judged beside its siblings as
    /// stated alone, a leg was applied while they were still closed and liquidated again at once
    /// (review); judged beside them as they are alone, the first leg of a two-market account was
    /// reopened while the second, as stated, would have had it liquidated (attacker trial). A leg
    /// that stands on its own comes back first, the others beside it the next time they are
    /// sent. No mark, or a wallet that cannot be worked out: stale (the engine closed it at a
    /// mark past its liquidation price).
    func restatementWouldTrigger(_ update: UnsafePointer<PositionUpdate>, in held: Int32, account: Int32) -> Bool {
        var candidate = positions[Int(held)]
        guard let mark = markets[Int(candidate.symbolIndex)].markPrice else { return true }
        let kind = markets[Int(candidate.symbolIndex)].instrument.kind
        let quantity = update.pointee.quantity
        candidate.side = update.pointee.side
        candidate.mode = update.pointee.mode
        candidate.quantity = quantity
        candidate.entryPrice = update.pointee.entryPrice
        let implied = update.pointee.leverage.flatMap { Engine.amount(impliedBy: $0, update, quantity: quantity, kind: kind) }
        if update.pointee.mode == .isolated {
            return isTriggered(candidate, at: mark, context: .isolated(margin: update.pointee.isolatedMargin ?? implied ?? .zero))
        }
        // The wallet the operator's system last stated (kept from before the engine's first
        // change, and replaced by every statement since; `rememberStatement` keeps it with every
        // statement, so it is there): a system that has not seen the close has not seen the
        // wallet emptied either. The wallet its leverage implies, which a position line before
        // its account line is given once the engine emptied the wallet, is ten times a 20x
        // position's margin: the resend was judged safe against it, reopened, and liquidated
        // again when the account line put the wallet back (attacker trial: a deficit for every
        // resend). `upsertPosition` gives it this wallet when it is applied.
        guard let wallet = update.pointee.walletBalance ?? engineChangedWallets[account] else { return true }
        let stated = statedCrossShare(besides: held, account: account)
        let now = context(of: held)
        return isTriggered(candidate, at: mark, context: MarginContext(collateral: wallet, otherMaintenance: stated.maintenance, otherUnrealised: stated.unrealised))
            || isTriggered(candidate, at: mark, context: MarginContext(collateral: wallet, otherMaintenance: now.otherMaintenance, otherUnrealised: now.otherUnrealised))
    }

    /// Whether `candidate`, in `context`, is past its trigger at `mark` (its liquidation price
    /// crossed, or every price past it).
    func isTriggered(_ candidate: Position, at mark: Fixed, context: MarginContext) -> Bool {
        var placed = candidate
        placed.liquidationPrice = Position.liquidationLevel(terms(of: candidate), context: context, rules: marginRules(of: candidate))
        return placed.isCrossed(at: mark)
    }

    /// The maintenance and unrealised PnL, at their marks now, of the account's cross positions
    /// other than `held`: a position the engine's liquidation changed (closed, stepped) as the
    /// operator's system last stated it, because a system that states `held` again has not seen
    /// those closes either, and its own restatement is judged alike, so the account comes back
    /// whole or not at all. Judged beside what is left of them instead (nothing, for a closed
    /// leg), the first leg of a cross account whose positions in two markets were both liquidated
    /// was reopened alone when its full state was sent again, the second refused against it, and
    /// a later mark drift booked the first's deficit again (attacker trial). A leg ADL closed
    /// counts as it is now: its own statement as it was is refused whatever the account, so
    /// judged as stated (in profit, it held the other up) the other was reopened beside a leg
    /// that stayed closed and liquidated again at once (attacker trial). Runs only for an update
    /// of a position the engine closed.
    func statedCrossShare(besides held: Int32, account: Int32) -> (maintenance: Fixed, unrealised: Fixed) {
        var maintenance = Fixed.zero
        var unrealised = Fixed.zero
        for other in accounts[Int(account)].positions where other != held {
            var peer = positions[Int(other)]
            if let stated = engineChangedPositions[other], stated.byLiquidation {
                peer.side = stated.side
                peer.mode = stated.mode
                peer.quantity = stated.quantity
                peer.entryPrice = stated.entryPrice
            }
            guard peer.quantity.isPositive && peer.mode == .cross else { continue }
            let mark = valuationMark(of: peer)
            maintenance += MarginMath.maintenance(terms(of: peer), rules: marginRules(of: peer), at: mark).margin
            unrealised += MarginMath.unrealisedPnL(terms(of: peer), at: mark)
        }
        return (maintenance, unrealised)
    }

    /// The wallet last stated for `account`, when `update` states again, as it was, a position of
    /// it the engine's liquidation closed: the wallet the update was judged against (see
    /// `restatementWouldTrigger`), which it is given when it states none.
    func restatedLegWallet(_ update: UnsafePointer<PositionUpdate>, account: Int32, market: Int32) -> Fixed? {
        guard !engineChangedPositions.isEmpty, let last = engineChangedWallets[account],
              let held = engineChangedLeg(account: account, market: market, update: update),
              let stated = engineChangedPositions[held], stated.byLiquidation, stated.isSamePosition(update.pointee)
        else { return nil }
        return last
    }
}
