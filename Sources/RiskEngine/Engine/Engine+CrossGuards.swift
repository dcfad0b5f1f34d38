/// Guards: a mark re-works only the cross accounts of several symbols it could have brought to
/// their trigger, not every one holding its symbol.
///
/// A cross account's margin is shared by its legs, so a mark in one symbol moves the liquidation
/// price of its legs in every other. Working out every such account again on every mark cost
/// O(accounts) a mark: 20,000 accounts of two legs each made a replay of 0.14 s take 25 s, and a
/// million would have taken a second a mark. Instead each account's headroom at its last
/// working-out, `S` = wallet + unrealised PnL − maintenance (all its cross legs, at their marks),
/// is shared out: each of its `n` cross legs may lose at most `S ÷ 2n` of it (its PnL less its
/// maintenance, which only falls as the price moves against the leg). The price at which a leg
/// has lost that much is its guard, found by the liquidation-price rule itself with the wallet
/// short of the rest of the headroom (`collateral − (S − S ÷ 2n)`): a leg's liquidation price is
/// where its loss spends all of `S` with the others held. While no leg's mark has crossed its
/// guard the account has lost less than `S ÷ 2` in all, so none of its legs is at its trigger,
/// and working it out again would liquidate nothing. A mark that crosses a guard re-works that
/// account (its prices, its guards) and liquidates what is crossed, in the order and at the
/// moment the full re-working would (the tests run both side by side).
///
/// An account with little headroom (at most a millionth of its legs' notional, or none) is
/// guarded at its legs' marks on both sides: any move re-works it, as before. Its stored prices
/// stay exact, so one waiting for a blocked book is liquidated at the right price when it opens.
///
/// Between re-workings an account's stored liquidation and bankruptcy prices are those of its
/// last working-out: what the engine shows and reckons with comes from `currentPosition`, worked
/// out at the marks of now, and each signal sample (once a second of session time) works such
/// accounts out again (`settleCrossGuards`, up to 10,000 a sample, in turns past that), so the
/// riskiest positions it reads from the stored trigger prices are the exact ones; the dashboard's
/// sort and scan keys read the stored prices as of the sample. An account near its trigger is
/// re-worked by its guards long before a turn comes: its headroom, and so its guards' reach, is small.
extension Engine {
    /// The account's guards no longer hold (it is about to be worked out again).
    @inline(__always)
    mutating func retireCrossGuards(of account: Int32) {
        crossGuardStamps[account, default: 0] &+= 1
    }

    /// Whether the account's guards are set (its stamp is odd). An account holding one position
    /// is asked nothing more: only one that has held several can have guards.
    @inline(__always)
    public func hasCrossGuards(_ account: Int32) -> Bool {
        guard accounts[Int(account)].holdsSeveral, let stamp = crossGuardStamps[account] else { return false }
        return stamp & 1 == 1
    }

    /// The account's stamp (0 for one never guarded).
    func crossGuardStamp(of account: Int32) -> UInt32 { crossGuardStamps[account] ?? 0 }

    /// Whether a guard entry is its account's as it stands.
    @inline(__always)
    func isLiveGuard(_ entry: TriggerIndex.Entry) -> Bool {
        // An odd stamp (guards set) matching: an even one is never pushed.
        crossGuardStamps[entry.position] == entry.version
    }

    /// Sets the guards of a cross account of several symbols just worked out: `shares` holds each
    /// open cross leg's maintenance and unrealised PnL at its mark, in the slots of
    /// `accounts[account].positions`; `exact`, whether the totals are exact sums of them; `legs`
    /// and `grossNotional`, how many open cross legs and their notional at their marks.
    mutating func setCrossGuards(of account: Int32, shares: UnsafeBufferPointer<(maintenance: Fixed, unrealised: Fixed)>, exact: Bool,
                                 legs: Int, grossNotional gross: Fixed, totalMaintenance: Fixed, totalUnrealised: Fixed) {
        let indices = accounts[Int(account)].positions
        let collateral = accounts[Int(account)].walletBalance
        guard legs > 0 else { return }
        let headroom = collateral + totalUnrealised - totalMaintenance
        // Little or no headroom: every move re-works the account (a millionth of its notional
        // leaves room for the rounding of the prices it is compared with).
        let close = !exact || headroom <= gross / Fixed(1_000_000)
        let share = close ? Fixed.zero : headroom / Fixed(2 * legs)
        // Retired (even) by the refresh that set these: odd from here.
        crossGuardStamps[account, default: 0] &+= 1
        let stamp = crossGuardStamps[account, default: 0]
        for (slot, index) in indices.enumerated() {
            let position = positions[Int(index)]
            guard position.isOpen && position.mode == .cross else { continue }
            let market = Int(position.symbolIndex)
            let mark = valuationMark(of: position)
            if close {
                markets[market].crossGuards.insert(side: .long, price: mark, position: account, version: stamp)
                markets[market].crossGuards.insert(side: .short, price: mark, position: account, version: stamp)
            } else {
                let own = shares[slot]
                let terms = terms(of: position)
                let context = MarginContext(collateral: collateral - (headroom - share),
                    otherMaintenance: totalMaintenance - own.maintenance, otherUnrealised: totalUnrealised - own.unrealised)
                let guardPrice = MarginMath.liquidationPrice(terms, context: context, rules: marginRules(of: position))
                if let price = guardPrice, price.isPositive {
                    // On the side of the mark the leg loses on; else (a rule's edge) at the mark.
                    let ahead = position.side == .long ? price < mark : price > mark
                    markets[market].crossGuards.insert(side: position.side, price: ahead ? price : mark, position: account, version: stamp)
                } else if case .linear = terms.kind, position.side == .short {
                    // A linear short always has a price it loses its share at: none found, the mark.
                    markets[market].crossGuards.insert(side: .short, price: mark, position: account, version: stamp)
                }
                // Else no price spends the leg's share (a long's loss ends at a price of 0, an
                // inverse leg's in coin): no guard.
            }
            // At most four live entries an account holding the symbol (two legs, each close).
            let live = 4 * markets[market].multiSymbolCrossAccounts.count + 4
            if markets[market].crossGuards.needsCompacting(liveEntries: live) {
                let stamps = crossGuardStamps // shares storage; the closure must not read `self` while the guards mutate
                markets[market].crossGuards.compactIfNeeded(liveEntries: live) { entry in
                    stamps[entry.position] == entry.version
                }
            }
        }
    }

    /// The accounts whose guard in `market` the mark crosses, re-worked and liquidated in
    /// ascending order as the sweep of every account of the market's list takes them. One
    /// liquidated can change another of the list (an ADL close): the sweep comes to it in its turn
    /// whatever its guards say now (it may have no leg here any more, or none guarded), so it is
    /// taken then too (review: an ADL close left an account past its trigger, liquidated after a
    /// later account, or only at another market's next mark). The guards of one passed already
    /// (or just re-worked, close to its trigger and so guarded at the mark) are set back as they
    /// were, to be crossed by the next mark: the sweep does not come back to it within a mark.
    mutating func reworkGuardedAccounts(market index: Int, mark: Fixed, into notes: inout [EngineNotification]) {
        var setBack: [(side: Side, entry: TriggerIndex.Entry)] = []
        // The first crossing, ascending, read from the front; accounts added later (few) wait
        // beside it, sorted the other way so the next is taken from the end.
        var queue = firedCrossGuards(market: index, mark: mark).map(\.entry.position).sorted()
        queue.removeDuplicatesInOrder()
        var front = 0
        var later: [Int32] = []
        var last: Int32 = -1
        let outer = guardSweep
        guardSweep = (index, [])
        defer { guardSweep = outer }
        func add(_ account: Int32) {
            guard account > last, !queue[front...].sortedContains(account), !later.contains(account) else { return }
            later.append(account)
            later.sort(by: >)
        }
        while true {
            let next: Int32
            if let soonest = later.last, front == queue.count || soonest < queue[front] {
                next = later.removeLast()
            } else if front < queue.count {
                next = queue[front]
                front += 1
            } else {
                break
            }
            last = next
            refreshAccount(next, membership: false)
            liquidateTriggered(account: next, into: &notes)
            for fired in firedCrossGuards(market: index, mark: mark) {
                if fired.entry.position <= last { setBack.append(fired) } else { add(fired.entry.position) }
            }
            if let touched = guardSweep?.touched, !touched.isEmpty {
                guardSweep!.touched.removeAll()
                for account in touched { add(account) }
            }
        }
        for fired in setBack where isLiveGuard(fired.entry) {
            markets[index].crossGuards.insert(side: fired.side, price: fired.entry.price, position: fired.entry.position, version: fired.entry.version)
        }
    }

    /// Pops every guard of `market` the mark crosses: the live ones, with their sides.
    mutating func firedCrossGuards(market index: Int, mark: Fixed) -> [(side: Side, entry: TriggerIndex.Entry)] {
        var fired: [(side: Side, entry: TriggerIndex.Entry)] = []
        while let top = markets[index].crossGuards.top(.long), mark <= top.price {
            markets[index].crossGuards.popTop(.long)
            if isLiveGuard(top) { fired.append((.long, top)) }
        }
        while let top = markets[index].crossGuards.top(.short), mark >= top.price {
            markets[index].crossGuards.popTop(.short)
            if isLiveGuard(top) { fired.append((.short, top)) }
        }
        return fired
    }

    /// The position with its liquidation and bankruptcy prices as its account stands now: a
    /// cross leg of an account guarded between re-workings is worked out at today's marks (see
    /// above); every other position's stored prices are exact already.
    public func currentPosition(_ index: Int32) -> Position {
        currentPosition(index, context: nil)
    }

    /// The same, given the position's margin context where the caller has worked it out already
    /// (`risk(of:)` needs it for the margin ratio too).
    func currentPosition(_ index: Int32, context known: MarginContext?) -> Position {
        var position = positions[Int(index)]
        guard position.isOpen && position.mode == .cross && hasCrossGuards(position.accountIndex) else { return position }
        let terms = terms(of: position)
        let context = known ?? context(of: index)
        let rules = marginRules(of: position)
        position.liquidationPrice = Position.liquidationLevel(terms, context: context, rules: rules)
        position.bankruptcyPrice = MarginMath.bankruptcyPrice(terms, context: context, rules: rules) ?? .zero
        return position
    }

    /// How many accounts one signal sample works out again at most (see `settleCrossGuards`):
    /// about 8 ms of work (0.8 µs an account of two legs), within a dashboard's frame, and under
    /// 1 % of a core at one sample a second. A book of more such accounts is worked out in turns,
    /// this many a second.
    public static let crossSettleBudget = 10_000

    /// The guarded accounts of each market whose mark moved since they were last done, worked out
    /// again at the marks of now, so that their stored prices are exact; nothing is liquidated.
    /// Each signal sample does it (the riskiest positions are read from the stored trigger
    /// prices), up to `budget` accounts, going on where it stopped at the next; a report does it
    /// for every one before it reads them. One sample's work is what one mark cost before the
    /// guards; the marks between samples are the saving.
    @discardableResult
    public mutating func settleCrossGuards(budget: Int = .max) -> Bool {
        var left = budget
        var drifted: [Int32] = []
        // A share starts at the market where the last share ran out, so that a large market that
        // moves every second does not take every share and leave the markets after it unsettled.
        let start = budget == .max ? 0 : crossSettleStart % max(1, markets.count)
        for offset in 0..<markets.count where left > 0 {
            let index = (start + offset) % markets.count
            guard markets[index].crossGuardsDrifted else { continue }
            let order = markets[index].multiSymbolCrossOrder()
            // A share goes on where the last one stopped in this list (a list changed since is
            // taken from there all the same: the turn comes round again); all of it otherwise.
            let from = budget == .max ? 0 : min(markets[index].crossSettleCursor, order.count)
            let end = order.count - from <= left ? order.count : from + left
            drifted.append(contentsOf: order[from..<end])
            left -= end - from
            if end == order.count {
                markets[index].crossGuardsDrifted = false
                markets[index].crossSettleCursor = 0
            } else {
                markets[index].crossSettleCursor = end
                crossSettleStart = index
            }
        }
        guard !drifted.isEmpty else { return false }
        drifted.sort()
        drifted.removeDuplicatesInOrder()
        for account in drifted where hasCrossGuards(account) {
            refreshAccount(account, membership: false)
        }
        return true
    }

    /// Every guarded account worked out again for a report, and the signals read again if any was:
    /// a report after a sample whose share did not reach them all read that sample's riskiest.
    public mutating func settleForReport() {
        if settleCrossGuards() { changedSinceSample = true }
    }
}

extension Array where Element == Int32 {
    /// Drops each element equal to the one before it (a sorted array: its duplicates).
    mutating func removeDuplicatesInOrder() {
        guard count > 1 else { return }
        var kept = 1
        for index in 1..<count where self[index] != self[kept - 1] {
            self[kept] = self[index]
            kept += 1
        }
        removeLast(count - kept)
    }
}

extension ArraySlice where Element == Int32 {
    /// Whether a sorted slice holds `value` (a binary search).
    func sortedContains(_ value: Int32) -> Bool {
        var low = startIndex
        var high = endIndex
        while low < high {
            let middle = low + (high - low) / 2
            if self[middle] < value { low = middle + 1 } else { high = middle }
        }
        return low < endIndex && self[low] == value
    }
}
