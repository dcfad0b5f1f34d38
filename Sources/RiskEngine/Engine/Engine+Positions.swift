/// Every figure of one position, as the dashboard and the calculator show it.
public struct PositionRisk: Hashable, Sendable {
    public var index: Int32
    public var account: String
    public var symbol: String
    public var side: Side
    public var mode: MarginMode
    public var quantity: Fixed
    public var entryPrice: Fixed
    public var markPrice: Fixed?
    public var leverage: Fixed
    public var notional: Fixed
    public var unrealisedPnL: Fixed
    public var bracket: MarginBracket
    /// Maintenance margin of the position itself.
    public var maintenanceMargin: Fixed
    /// What the margin ratio divides: the position's maintenance margin when isolated, the sum
    /// over every cross leg of the account when cross.
    public var ratioMaintenanceMargin: Fixed
    public var marginBalance: Fixed
    public var marginRatio: Fixed?
    public var liquidationPrice: Fixed?
    public var bankruptcyPrice: Fixed?
    public var distanceToLiquidationPct: Fixed?
    public var asset: String
    /// Past its trigger at every price (`Position.isPastAtEveryPrice`): no liquidation price,
    /// because any mark liquidates it.
    public var pastAtEveryPrice = false

    /// Past its trigger at its own entry price: its maintenance margin at entry is more than its
    /// margin, so the first mark liquidates it (a 50x long of 50,000 XRP read `no mark` and a
    /// liquidation price above its entry, and nothing else, until it was liquidated: operator trial).
    public var liquidatedAtEntry: Bool {
        PositionRisk.liquidatesAtEntry(side: side, entry: entryPrice, liquidation: liquidationPrice, pastAtEveryPrice: pastAtEveryPrice)
    }

    /// Whether a position of `side` entered at `entry` with this liquidation price is past its
    /// trigger at its entry (see `liquidatedAtEntry`).
    public static func liquidatesAtEntry(side: Side, entry: Fixed, liquidation: Fixed?, pastAtEveryPrice: Bool) -> Bool {
        if pastAtEveryPrice { return true }
        guard let liquidation, liquidation.isPositive else { return false }
        return Position.crosses(side, trigger: liquidation, at: entry)
    }
}

extension Engine {
    // MARK: Position and account updates

    mutating func accountIndex(id: String, asset: String, venue: String, hash known: UInt64? = nil) -> Int32 {
        let hash = known ?? AccountTable.hash(id: id, asset: asset, venue: venue)
        if let known = accountIndexes.find(id: id, asset: asset, venue: venue, hash: hash, in: accounts) { return known }
        return newAccount(id: id, asset: asset, venue: venue, hash: hash)
    }

    /// An account that `accountIndexes.find` did not find, made (with its hash, computed once).
    @inline(__always)
    mutating func newAccount(id: String, asset: String, venue: String, hash: UInt64) -> Int32 {
        let index = Int32(accounts.count)
        accounts.append(Account(id: id, asset: asset, venue: venue, walletBalance: .zero))
        accountIndexes.insert(hash: hash, index: index)
        return index
    }

    /// Makes room for `count` more positions and accounts ahead of a batch of them (a positions
    /// file, a synthetic book), so their tables are sized once instead of regrown and rehashed.
    ///
    /// Grows geometrically: `Array.reserveCapacity` reallocates to exactly what is asked, so a
    /// batch after batch (a synthetic book placed in chunks) asking for a little more each time
    /// would copy every position each time.
    public mutating func reserveCapacity(forPositions count: Int) {
        func grow<Element>(_ array: inout [Element], by extra: Int) {
            let needed = array.count + extra
            guard needed > array.capacity else { return }
            array.reserveCapacity(Swift.max(needed, array.capacity * 2))
            // Each 2 MiB written past what was copied faults once, not 512 times (see `HugePages`).
            array.adviseHugePages()
        }
        grow(&accounts, by: count)
        grow(&positions, by: count)
        if keepsADLScanInputs { grow(&adlScanInputs, by: count) }
        if usesADLCells { adlCells.reserve(positions: Swift.max(positions.capacity, positions.count + count)) }
        accountIndexes.reserveCapacity(accountIndexes.count + count)
    }

    /// Places a batch of positions (a positions file, a synthetic book) as `apply(position:)` would
    /// one by one, calling `afterEach` with the notes of each. At a million accounts each one's
    /// table slot is a cache miss; here the slot of the position eight places ahead is prefetched,
    /// so the miss overlaps the work on the ones before it.
    public mutating func apply(
        positions updates: [PositionUpdate], time eventTime: Int64, into notes: inout [EngineNotification],
        afterEach: (inout [EngineNotification]) -> Void
    ) {
        if unfinishedCascade != nil { finishCascade(into: &notes) }
        guard EventTime.isRepresentable(eventTime) else {
            totals.eventsOutOfTimeRange += updates.count
            return
        }
        sampleBeforeGap(until: eventTime, into: &notes)
        if eventTime > time { time = eventTime }
        changedSinceSample = true
        revision &+= 1
        reserveCapacity(forPositions: updates.count)
        let ahead = 8
        var hashes = [AccountHash?](repeating: nil, count: ahead)
        // The settlement asset and venue of the last symbol seen (the key hashes them with the
        // id): the market the placing will find for it, if it exists yet.
        var lastSymbol = ""
        var lastKey: (asset: String, seed: UInt64, market: Int32)? = nil
        // Read in place: an update copied whole (two strings retained and released, 192 bytes)
        // twice a position was a twelfth of placing it.
        updates.withUnsafeBufferPointer { updates in
            func prefetch(_ offset: Int) {
                if updates[offset].symbol != lastSymbol {
                    lastSymbol = updates[offset].symbol
                    lastKey = symbolIndexes[lastSymbol].map { market in
                        let asset = markets[Int(market)].instrument.settlementAsset
                        return (asset, AccountTable.seed(asset: asset, venue: markets[Int(market)].venue), market)
                    }
                }
                guard let key = lastKey else { hashes[offset % ahead] = nil; return }
                let hash = AccountTable.hash(id: updates[offset].account, seed: key.seed)
                hashes[offset % ahead] = AccountHash(asset: key.asset, hash: hash, market: key.market)
                accountIndexes.prefetch(hash: hash)
            }
            for offset in 0..<min(ahead, updates.count) { prefetch(offset) }
            for offset in updates.indices {
                let hash = hashes[offset % ahead]
                if offset + ahead < updates.count { prefetch(offset + ahead) }
                upsertPosition(at: updates.baseAddress! + offset, accountHash: hash, into: &notes)
                // Set again: a sample after the first position cleared it.
                changedSinceSample = true
                if samplingEnabled && time >= nextSampleTime { sampleSignals(into: &notes) }
                afterEach(&notes)
            }
        }
    }

    /// An account key's hash computed ahead, with the asset it was computed for (the venue is the
    /// symbol's, the same for the placing as for the prefetch).
    struct AccountHash {
        var asset: String
        var hash: UInt64
        /// The symbol's market, found by the prefetch (the placing need not look it up again: the
        /// comparison of the update's symbol with the last one looked up was a full string
        /// comparison a row, the two strings being different objects).
        var market: Int32
    }

    mutating func upsertPosition(_ update: PositionUpdate, accountHash: AccountHash? = nil, into notes: inout [EngineNotification]) {
        withUnsafePointer(to: update) { upsertPosition(at: $0, accountHash: accountHash, into: &notes) }
    }

    /// The same, of an update read where it lies (a batch's): copied whole (192 bytes, two
    /// strings retained and released) it was a twentieth of placing a position.
    mutating func upsertPosition(at update: UnsafePointer<PositionUpdate>, accountHash: AccountHash?, into notes: inout [EngineNotification]) {
        if accountHash == nil && (markets.count >= Engine.marketLimit || marketsMadeForPositions >= Engine.positionMarketLimit)
            && symbolIndexes[update.pointee.symbol] == nil {
            // Past the session's limit an event of a new market is counted as such; past the
            // positions' own, the session has room, and the refusal is the position's alone
            // (counted as one; the report said 22,000 events past the limit of 10,000 while the
            // session held 8,000 markets: review).
            let sessionFull = markets.count >= Engine.marketLimit
            if sessionFull { totals.eventsPastMarketLimit += 1 }
            refuse(update, sessionFull ? "the session holds \(Engine.marketLimit) markets, its most"
                : "positions have made \(Engine.positionMarketLimit) markets, the most they may (the rest are kept for the feeds' markets)",
                into: &notes)
            return
        }
        let marketsBefore = markets.count
        let market = accountHash?.market ?? ensureMarket(update.pointee.symbol)
        if markets.count != marketsBefore { marketsMadeForPositions += 1 }
        // The two fields read in place: the instrument copied whole (its tiers, its strings
        // retained and released) was a sixteenth of placing a position (callgrind).
        let asset = markets[Int(market)].instrument.settlementAsset
        let kind = markets[Int(market)].instrument.kind
        // A hash computed ahead counts only for the asset it was computed with.
        let venue = markets[Int(market)].venue
        let accountHashed = (accountHash?.asset == asset ? accountHash?.hash : nil)
            ?? AccountTable.hash(id: update.pointee.account, asset: asset, venue: venue)
        // The account is made only once the update is taken (a wallet stated, a position
        // opened): a refused update, or the close of a position that is not there, used to leave
        // an empty account behind (an attacker's stream of them grew the table for nothing).
        var found = accountIndexes.find(id: update.pointee.account, asset: asset, venue: venue, hash: accountHashed, in: accounts)
        if !engineChangedPositions.isEmpty, let found, refusesAsStale(update, account: found, market: market) {
            refuse(update, "sent again as it was before liqwatch liquidated or deleveraged it: not applied (send its size now, or 0)",
                into: &notes)
            return
        }
        // Only a leg on the wrong side, or an account already holding positions, can conflict:
        // most updates (a new account each) skip the check, and the engine copy its call costs.
        if update.pointee.quantity.isPositive
            && (update.pointee.positionSide != .both || found.map { !accounts[Int($0)].positions.isEmpty } == true),
           let reason = hedgeConflict(update.pointee, account: found, market: market) {
            refuse(update, reason, into: &notes)
            return
        }
        // An update states the position as it is now: its old isolated margin is replaced, not
        // added to. The isolated margin is money the operator's system placed on the position, or
        // what its leverage implies: worked out before anything of the update is applied, because
        // past the money limit it is refused (a leverage of 10⁻¹⁸ from an event stream placed a
        // margin of 10³⁰, which saturated every sum it entered; a positions file refuses such a row
        // itself, naming its line).
        var margin = Fixed.zero
        let quantity = Fixed.maximum(.zero, update.pointee.quantity)
        if quantity.isPositive && update.pointee.mode == .isolated {
            if let stated = update.pointee.isolatedMargin {
                margin = stated
            } else if let leverage = update.pointee.leverage {
                guard let implied = Engine.amount(impliedBy: leverage, update, quantity: quantity, kind: kind) else {
                    refuse(update, Engine.pastTheLimit(leverage, implying: "an isolated margin", asset: asset), into: &notes)
                    return
                }
                margin = implied
            }
        }
        // A wallet stated before the account's first position (see `.account`), unless this
        // update states its own.
        let pendingKey = pendingWallets.isEmpty ? "" : update.pointee.account + "\u{0}" + asset
        var wallet = update.pointee.walletBalance ?? (pendingKey.isEmpty ? nil : pendingWallets[pendingKey])
        // Only a wallet the operator's system stated replaces the one kept from before the
        // engine's change: an implied one written there had a healthy leg judged against 30
        // and refused every period (attacker trial).
        let walletStated = wallet != nil
        var walletImplied = false
        // A cross position of an account whose wallet nobody has stated (no wallet, no cross
        // position before): liquidated at once against a wallet of 0, it booked a deficit of
        // 157,000 from an event stream whose account line came on the next line (attacker trial).
        // Its wallet is then what a positions file derives, notional ÷ leverage; without a
        // leverage the position is refused, saying what it needs. So is one of an account whose
        // wallet the engine's own liquidations emptied: its new position was liquidated at once
        // against it, before the account line stating the wallet now (attacker trial).
        // The share of an implied wallet this leg now stands for (set on its position below).
        var impliedShare: Fixed? = nil
        if wallet == nil && update.pointee.mode == .cross && quantity.isPositive, let found,
           let last = restatedLegWallet(update, account: found, market: market) {
            // The position the engine liquidated, stated again and found news against the wallet
            // last stated (`restatementWouldTrigger`): given that wallet. Given the one its
            // leverage implies (the engine had emptied the wallet), or what a new leg's implied
            // wallet left, it was applied only to be liquidated at once, a second deficit
            // (attacker trial). An implied wallet stays one (review).
            wallet = last
            walletImplied = hasImpliedWallet(found)
        } else if wallet == nil && update.pointee.mode == .cross && quantity.isPositive
            && (found.map(hasStatedWallet) != true || found.map(walletEmptiedByEngine) == true) {
            guard let leverage = update.pointee.leverage else {
                refuse(update, "a cross position of an account with no wallet yet: give wallet_balance or leverage, or an account line before it",
                    into: &notes)
                return
            }
            guard let implied = Engine.amount(impliedBy: leverage, update, quantity: quantity, kind: kind) else {
                refuse(update, Engine.pastTheLimit(leverage, implying: "a wallet", asset: asset), into: &notes)
                return
            }
            wallet = implied
            walletImplied = true
            impliedShare = implied
            if let found { forgetImpliedShares(of: found) }
        } else if wallet == nil, let found, hasImpliedWallet(found) {
            // An account whose wallet only its cross legs' leverage implies: the wallet moves by
            // this leg's share as it changes, as a positions file sums an account's cross rows
            // (the second leg of a 10x account streamed without its account line added nothing,
            // the account stood at 20x, and a 5 % move liquidated both legs that the same rows
            // in a file kept open: attacker trial). A leg closed, or made isolated, gives its share
            // back; one sent again unchanged moves nothing; one without a leverage keeps its share.
            let held = heldPosition(account: found, market: market, positionSide: update.pointee.positionSide)
            let old = held.flatMap { impliedShares[$0] } ?? .zero
            var share = Fixed.zero
            if update.pointee.mode == .cross && quantity.isPositive {
                share = update.pointee.leverage.flatMap { Engine.amount(impliedBy: $0, update, quantity: quantity, kind: kind) } ?? old
            }
            let moved = accounts[Int(found)].walletBalance + share - old
            if share != old, moved <= MarginMath.largestImpliedMargin {
                wallet = Fixed.maximum(moved, .zero)
                walletImplied = true
                impliedShare = share
            }
        }
        if !pendingKey.isEmpty { pendingWallets.removeValue(forKey: pendingKey) }
        if let wallet {
            let holder = found ?? newAccount(id: update.pointee.account, asset: asset, venue: venue, hash: accountHashed)
            found = holder
            noteWalletImplied(holder, walletImplied)
            if !walletImplied { forgetImpliedShares(of: holder) }
            if walletStated && !engineChangedWallets.isEmpty && engineChangedWallets[holder] != nil { engineChangedWallets[holder] = wallet }
            transfer(wallet - accounts[Int(holder)].walletBalance, asset: asset, from: .outside, to: .wallet(holder),
                cause: .statement, into: &notes)
            noteWalletStated(holder)
        }
        let index: Int32
        let account: Int32
        if let found, let held = heldPosition(account: found, market: market, positionSide: update.pointee.positionSide) {
            index = held
            account = found
        } else if update.pointee.quantity.isPositive {
            account = found ?? newAccount(id: update.pointee.account, asset: asset, venue: venue, hash: accountHashed)
            index = Int32(positions.count)
            var opened = Position(
                accountIndex: account, symbolIndex: market, side: update.pointee.side, mode: update.pointee.mode, quantity: .zero,
                entryPrice: update.pointee.entryPrice, isolatedMargin: .zero, leverage: .zero)
            opened.positionSide = update.pointee.positionSide
            positions.append(opened)
            if keepsADLScanInputs { adlScanInputs.append(.unknown) }
            markets[Int(market)].positionIndices.append(index)
            accounts[Int(account)].positions.append(index)
        } else {
            // Closing a position that is not there: only the wallet, if stated, changed.
            return
        }
        if let impliedShare {
            if impliedShare.isZero { impliedShares.removeValue(forKey: index) } else { impliedShares[index] = impliedShare }
        }
        willChangeADLInputs(index)
        transfer(margin - positions[Int(index)].isolatedMargin, asset: asset, from: .outside, to: .isolatedMargin(index),
            cause: .statement, into: &notes)
        // A close (size 0) keeps what the position was (its side, mode, entry and leverage), so
        // the closed row and its detail say what was closed; an event stream's close line may
        // leave the entry out.
        // A position opened anew carries no charge of the one it replaces (below).
        let wasOpen = positions[Int(index)].isOpen
        // Written in one access: each field written through the array was a uniqueness and a
        // bounds check of its own (seven a position placed, a twentieth of placing it).
        Engine.restate(&positions[Int(index)], as: update, quantity: quantity)
        markets[Int(market)].positionChanges &+= 1
        // Stated anew and applied: what the engine's change left is the operator's now.
        if !engineChangedPositions.isEmpty { engineChangedPositions.removeValue(forKey: index) }
        // The money socialised losses charged is given back only by a statement of it: an
        // isolated position's margin (restated above), or its account's wallet (cross); a cross
        // line sent again with no wallet gives nothing back, and its charges stand (review).
        if !socialisedCharges.isEmpty {
            if positions[Int(index)].mode == .isolated || !wasOpen { socialisedCharges.removeValue(forKey: index) }
            if wallet != nil { forgetSocialisedCharges(ofCrossPositionsOf: account) }
        }
        didChangeADLInputs(index)
        listForADL(index)
        let position = positions[Int(index)]
        refreshAccount(account)
        keepIndexed(index, changedAt: position.version)
        rescore(index)
        liquidateTriggered(account: account, into: &notes)
    }

    /// A position as an update states it (see `upsertPosition`), its version bumped as
    /// `bumpVersion` does (the caller counts the change in its market).
    @inline(__always)
    static func restate(_ position: inout Position, as update: UnsafePointer<PositionUpdate>, quantity: Fixed) {
        if quantity.isPositive {
            position.side = update.pointee.side
            position.mode = update.pointee.mode
            position.entryPrice = update.pointee.entryPrice
            position.leverage = update.pointee.leverage ?? .zero
        }
        position.quantity = quantity
        position.version &+= 1
    }

    /// Puts an open position on its side's ADL list of its market, unless it is there.
    @inline(__always)
    mutating func listForADL(_ index: Int32) {
        let position = positions[Int(index)]
        guard position.isOpen else { return }
        let bit: UInt8 = position.side == .long ? 1 : 2
        guard position.listedSides & bit == 0 else { return }
        positions[Int(index)].listedSides |= bit
        if position.side == .long {
            markets[Int(position.symbolIndex)].adlLongIndices.append(index)
        } else {
            markets[Int(position.symbolIndex)].adlShortIndices.append(index)
        }
    }

    /// Hedge mode is supported for isolated legs, which are independent positions. Two cross legs
    /// of one symbol share one liquidation price that neither leg's own formula gives, so such an
    /// update is refused with this reason (never merged into or overwriting the other leg); so is a
    /// hedge leg beside a one-way position of the same symbol, and a leg on the wrong side.
    func hedgeConflict(_ update: PositionUpdate, account: Int32?, market: Int32) -> String? {
        guard update.quantity.isPositive else { return nil }
        if update.positionSide != .both && update.side.rawValue != update.positionSide.rawValue {
            return "position_side \(update.positionSide.label) with side \(update.side.label)"
        }
        // An account not made yet holds nothing to conflict with.
        guard let account else { return nil }
        for held in accounts[Int(account)].positions {
            let other = positions[Int(held)]
            guard other.symbolIndex == market, other.positionSide != update.positionSide, other.isOpen else { continue }
            if (other.positionSide == .both) != (update.positionSide == .both) {
                return "the account holds a \(other.positionSide == .both ? "one-way" : "hedge-mode \(other.positionSide.label)") position of this symbol: one-way and hedge-mode positions cannot be mixed"
            }
            if update.mode == .cross || other.mode == .cross {
                return "hedge-mode legs of one symbol in cross margin are not supported (they share one liquidation price): give them isolated margin"
            }
        }
        return nil
    }

    /// Whether the engine's own liquidations (or ADL) changed the account's positions since its
    /// wallet was last stated and left the wallet at nothing or less.
    @inline(__always)
    func walletEmptiedByEngine(_ account: Int32) -> Bool {
        // A wallet stated as 0 (before the engine's change, or since) is a wallet, not one emptied.
        guard !engineChangedWallets.isEmpty, let stated = engineChangedWallets[account], stated.isPositive else { return false }
        return !accounts[Int(account)].walletBalance.isPositive
    }

    /// Drops what socialised losses charged an account's cross positions: its wallet was stated
    /// anew, the charges with it.
    mutating func forgetSocialisedCharges(ofCrossPositionsOf account: Int32) {
        guard !socialisedCharges.isEmpty else { return }
        for index in accounts[Int(account)].positions where positions[Int(index)].mode == .cross {
            socialisedCharges.removeValue(forKey: index)
        }
    }

    /// Drops the implied shares of an account's positions (its wallet stated, or implied anew).
    mutating func forgetImpliedShares(of account: Int32) {
        guard !impliedShares.isEmpty else { return }
        for index in accounts[Int(account)].positions { impliedShares.removeValue(forKey: index) }
    }

    /// Marks an account's wallet as implied by its legs' leverage (or stated, when not).
    mutating func noteWalletImplied(_ account: Int32, _ implied: Bool) {
        if implied { impliedWallets.insert(account) } else { impliedWallets.remove(account) }
    }

    @inline(__always)
    func hasImpliedWallet(_ account: Int32) -> Bool { impliedWallets.contains(account) }

    /// Notes that an account's wallet was stated.
    @inline(__always)
    mutating func noteWalletStated(_ account: Int32) { statedWallets.insert(account) }

    /// Notional at entry ÷ leverage: the margin (or wallet) a leverage implies where none is stated;
    /// nil past the money limit (`MarginMath.largestImpliedMargin`). Static and given the kind only:
    /// given the instrument, a placing copied it (313 instructions a position, callgrind).
    @inline(__always)
    static func amount(impliedBy leverage: Fixed, _ update: UnsafePointer<PositionUpdate>, quantity: Fixed, kind: ContractKind) -> Fixed? {
        let notional = MarginMath.notional(kind: kind, quantity: quantity, at: update.pointee.entryPrice)
        guard MarginMath.impliedMarginIsWithinLimit(notional: notional, leverage: leverage) else { return nil }
        return notional / leverage
    }

    /// Why a leverage implying too much is refused.
    static func pastTheLimit(_ leverage: Fixed, implying what: String, asset: String) -> String {
        "leverage \(leverage) implies \(what) past \(MarginMath.largestImpliedMargin.formatted(0, grouping: true)) \(asset)"
    }

    /// Refuses an update: counted and noted with the reason (the session's log, the report, the
    /// dashboard's footer).
    mutating func refuse(_ update: UnsafePointer<PositionUpdate>, _ reason: String, into notes: inout [EngineNotification]) {
        totals.positionsRejected += 1
        notes.append(.positionRejected(account: update.pointee.account, symbol: update.pointee.symbol, reason: reason, time: time))
    }

    /// Whether an account's cross wallet is known: stated (an account line, a position's wallet,
    /// one derived from a leverage; 0 too), or a cross position held, open or closed (placed before
    /// the flag was kept by a restored checkpoint, its wallet stated then). A wallet of money an
    /// isolated close or an ADL credited is not one: a cross position then took it as its wallet
    /// and was liquidated at once (review).
    @inline(__always)
    func hasStatedWallet(_ account: Int32) -> Bool {
        if statedWallets.contains(account) { return true }
        for index in accounts[Int(account)].positions where positions[Int(index)].mode == .cross { return true }
        return false
    }

    /// The position an account holds (or held) in a market on one position side. An account's list
    /// is short (one entry a symbol and position side it ever held), so a scan costs less than a
    /// table of a million keys, whose every lookup is a cache miss.
    @inline(__always)
    func heldPosition(account: Int32, market: Int32, positionSide: PositionSide) -> Int32? {
        for index in accounts[Int(account)].positions {
            let position = positions[Int(index)]
            if position.symbolIndex == market && position.positionSide == positionSide { return index }
        }
        return nil
    }

    /// After a change that bumped a position's version and refreshed its account: when the refresh
    /// found its prices unchanged (an update re-sent as it was), it re-entered nothing, and the
    /// trigger entry it had belongs to the old version, which is no longer live. Without this the
    /// position would silently drop out of the trigger index and never be liquidated.
    mutating func keepIndexed(_ index: Int32, changedAt version: UInt32) {
        if positions[Int(index)].isOpen && positions[Int(index)].version == version { reindex(index) }
    }

    /// The venues where an account of this id and asset exists (`first`, then each venue liqwatch
    /// knows, then none), each with whether it holds an open position: a few table lookups, never
    /// a walk through a million accounts.
    func accountsNamed(id: String, asset: String, first: String) -> [(venue: String, holdsPositions: Bool)] {
        var found: [(venue: String, holdsPositions: Bool)] = []
        for venue in [first] + Venue.known.map(\.rawValue).filter({ $0 != first }) + (first.isEmpty ? [] : [""]) {
            guard let index = accountIndexes.find(id: id, asset: asset, venue: venue,
                hash: AccountTable.hash(id: id, asset: asset, venue: venue), in: accounts)
            else { continue }
            found.append((venue, accounts[Int(index)].positions.contains(where: { positions[Int($0)].isOpen })))
        }
        return found
    }

    /// The venue of an account line that named none, among the accounts of that name (`existing`,
    /// see `accountsNamed`): the one venue where it holds positions; else the default, or the one
    /// venue where such an account exists without positions. An events-only session defaults to
    /// Binance USDⓈ-M while its positions may be Bybit's, and a wallet stated there would margin
    /// nothing.
    func accountVenue(among existing: [(venue: String, holdsPositions: Bool)], default fallback: String) -> String {
        let holding = existing.filter(\.holdsPositions)
        if holding.count == 1 { return holding[0].venue }
        if existing.contains(where: { $0.venue == fallback }) || existing.count != 1 { return fallback }
        return existing[0].venue
    }

    mutating func setWallet(accountID: String, asset: String, venue: String, balance: Fixed, into notes: inout [EngineNotification]) {
        let account = accountIndex(id: accountID, asset: asset, venue: venue)
        transfer(balance - accounts[Int(account)].walletBalance, asset: asset, from: .outside, to: .wallet(account),
            cause: .statement, into: &notes)
        noteWalletStated(account)
        noteWalletImplied(account, false)
        forgetImpliedShares(of: account)
        forgetSocialisedCharges(ofCrossPositionsOf: account)
        if !engineChangedWallets.isEmpty && engineChangedWallets[account] != nil { engineChangedWallets[account] = balance }
        // A wallet stated before the account existed, still waiting, is older than this one.
        if !pendingWallets.isEmpty { pendingWallets.removeValue(forKey: accountID + "\u{0}" + asset) }
        refreshAccount(account)
        liquidateTriggered(account: account, into: &notes)
    }

    // MARK: Risk

    // The small readers below are inlined: Swift passes the engine (776 bytes) to a
    // non-mutating method called from a mutating one by copying it whole, twice a position placed
    // and five times a liquidation before they were.

    @inline(__always)
    func terms(of position: Position) -> PositionTerms {
        markets[Int(position.symbolIndex)].instrument.terms(side: position.side, quantity: position.quantity, entryPrice: position.entryPrice)
    }

    /// The margin rule a market's positions follow: the one the configuration imposes, else the
    /// market's own venue's.
    public func marginRules(of instrument: Instrument) -> MarginRules { configuration.rules ?? instrument.marginRules }

    @inline(__always)
    func marginRules(of position: Position) -> MarginRules { marginRules(of: markets[Int(position.symbolIndex)].instrument) }

    /// The mark a position is valued at: its symbol's mark, or its entry until a mark is known.
    @inline(__always)
    func valuationMark(of position: Position) -> Fixed {
        markets[Int(position.symbolIndex)].markPrice ?? position.entryPrice
    }

    /// The collateral a position draws on (see `MarginContext`).
    @inline(__always)
    func context(of positionIndex: Int32) -> MarginContext {
        let position = positions[Int(positionIndex)]
        if position.mode == .isolated { return .isolated(margin: position.isolatedMargin) }
        let account = accounts[Int(position.accountIndex)]
        var otherMaintenance = Fixed.zero
        var otherUnrealised = Fixed.zero
        for other in account.positions where other != positionIndex {
            let peer = positions[Int(other)]
            guard peer.isOpen && peer.mode == .cross else { continue }
            let mark = valuationMark(of: peer)
            otherMaintenance += MarginMath.maintenance(terms(of: peer), rules: marginRules(of: peer), at: mark).margin
            otherUnrealised += MarginMath.unrealisedPnL(terms(of: peer), at: mark)
        }
        return MarginContext(collateral: account.walletBalance, otherMaintenance: otherMaintenance, otherUnrealised: otherUnrealised)
    }

    /// Recomputes the liquidation and bankruptcy prices of every open position of an account,
    /// re-indexes them, and keeps the multi-symbol cross membership current.
    mutating func refreshAccount(_ account: Int32) {
        noteTouched(account: account)
        // One of the sweeping market's list changed during its sweep (before the refresh can take
        // it out of the list): its turn is kept (`reworkGuardedAccounts`).
        if let sweep = guardSweep, markets[sweep.market].multiSymbolCrossAccounts.contains(account) {
            guardSweep!.touched.append(account)
        }
        refreshAccount(account, membership: true)
    }

    /// `membership: false` when the account's positions are as they were at its last refresh
    /// (a mark moved): which symbols it is cross in cannot have changed, so the markets' sets
    /// are not touched (hashing the account into each of them on every mark).
    mutating func refreshAccount(_ account: Int32, membership: Bool) {
        // Its guards were set for the account as it was; new ones are set below if it still
        // holds cross legs in several symbols.
        if hasCrossGuards(account) { retireCrossGuards(of: account) }
        // Whether the account holds cross positions in two symbols or more: the first cross
        // symbol and whether another differs from it (no set: this runs for every position placed).
        var firstCrossSymbol: Int32? = nil
        var severalCrossSymbols = false
        let indices = accounts[Int(account)].positions
        if indices.count > 1 {
            refreshCrossPositions(of: account, firstCrossSymbol: &firstCrossSymbol, severalCrossSymbols: &severalCrossSymbols)
        } else {
            for index in indices {
                let position = positions[Int(index)]
                guard position.isOpen else { continue }
                if position.mode == .cross { firstCrossSymbol = position.symbolIndex }
                refreshPosition(index)
            }
        }
        guard membership else { return }
        for index in indices {
            let market = Int(positions[Int(index)].symbolIndex)
            // Asked before it is changed: on a copy of the engine (a shock) a change copies the
            // market, and an account holding positions in 2,000 markets copied all of them at each
            // of its liquidations (a report's stress tables took minutes: attacker trial).
            if markets[market].multiSymbolCrossAccounts.contains(account) != severalCrossSymbols {
                markets[market].setMultiSymbolCross(account, member: severalCrossSymbols)
            }
        }
    }

    /// The account's open positions refreshed with each cross position's collateral taken from
    /// the account's totals less its own share: one margin figure a position, where asking
    /// `context(of:)` for each would work out every other position's again (a mark re-evaluates
    /// every multi-symbol cross account of its market this way). Exactly `context(of:)`'s sums:
    /// they are integers, and when the magnitudes could saturate a sum the slow way is taken.
    private mutating func refreshCrossPositions(of account: Int32, firstCrossSymbol: inout Int32?, severalCrossSymbols: inout Bool) {
        let indices = accounts[Int(account)].positions
        withUnsafeTemporaryAllocation(of: (maintenance: Fixed, unrealised: Fixed).self, capacity: indices.count) { shares in
            var totalMaintenance = Fixed.zero
            var totalUnrealised = Fixed.zero
            // The sum of every share's magnitude bounds every partial sum in any order: below the
            // largest Fixed, no sum saturated and total − own equals the others' sum.
            var magnitude = Fixed.zero
            // The cross legs and their notional, for the guards (`setCrossGuards`).
            var legs = 0
            var grossNotional = Fixed.zero
            for (slot, index) in indices.enumerated() {
                let position = positions[Int(index)]
                guard position.isOpen && position.mode == .cross else { continue }
                if let first = firstCrossSymbol { severalCrossSymbols = severalCrossSymbols || first != position.symbolIndex }
                else { firstCrossSymbol = position.symbolIndex }
                let mark = valuationMark(of: position)
                let terms = terms(of: position)
                legs += 1
                grossNotional = grossNotional + MarginMath.notional(terms, at: mark).magnitude
                let share = (maintenance: MarginMath.maintenance(terms, rules: marginRules(of: position), at: mark).margin,
                             unrealised: MarginMath.unrealisedPnL(terms, at: mark))
                shares[slot] = share
                totalMaintenance += share.maintenance
                totalUnrealised += share.unrealised
                magnitude = magnitude + share.maintenance.magnitude + share.unrealised.magnitude
            }
            let exact = magnitude < Fixed.max
            let collateral = accounts[Int(account)].walletBalance
            for (slot, index) in indices.enumerated() {
                let position = positions[Int(index)]
                guard position.isOpen else { continue }
                guard exact && position.mode == .cross else {
                    refreshPosition(index)
                    continue
                }
                let own = shares[slot]
                refreshPosition(index, context: MarginContext(
                    collateral: collateral, otherMaintenance: totalMaintenance - own.maintenance,
                    otherUnrealised: totalUnrealised - own.unrealised))
            }
            if severalCrossSymbols && configuration.crossGuards {
                setCrossGuards(of: account, shares: UnsafeBufferPointer(shares), exact: exact, legs: legs, grossNotional: grossNotional,
                    totalMaintenance: totalMaintenance, totalUnrealised: totalUnrealised)
            }
        }
    }

    mutating func refreshPosition(_ index: Int32) {
        refreshPosition(index, context: context(of: index))
    }

    mutating func refreshPosition(_ index: Int32, context: MarginContext) {
        let position = positions[Int(index)]
        let terms = terms(of: position)
        let rules = marginRules(of: position)
        let liquidation = Position.liquidationLevel(terms, context: context, rules: rules)
        let bankruptcy = MarginMath.bankruptcyPrice(terms, context: context, rules: rules) ?? .zero
        if liquidation == position.liquidationPrice && bankruptcy == position.bankruptcyPrice { return }
        // One access to the position (see `restate`), its version bumped as `bumpVersion` does.
        var changed = position
        changed.liquidationPrice = liquidation
        changed.bankruptcyPrice = bankruptcy
        changed.version &+= 1
        positions[Int(index)] = changed
        let market = Int(position.symbolIndex)
        markets[market].positionChanges &+= 1
        if let trigger = changed.triggerPrice {
            markets[market].triggers.insert(side: position.side, price: trigger, position: index, version: changed.version)
        }
        let live = markets[market].positionIndices.count
        // Asked first: the snapshot and the closure cost a seventh of placing a position.
        guard markets[market].triggers.needsCompacting(liveEntries: live) else { return }
        let snapshot = positions // shares storage; the closure must not read `self` while triggers mutate
        markets[market].triggers.compactIfNeeded(liveEntries: live) { entry in
            let candidate = snapshot[Int(entry.position)]
            return candidate.isOpen && candidate.version == entry.version
        }
    }

    /// A position changed (its quantity, its terms): its trigger entries go stale, and its
    /// market counts the change, so a reader of the market's entries that saw no change since
    /// knows they are all still live without looking at each (`leadingEntries`).
    @inline(__always)
    mutating func bumpVersion(_ index: Int32) {
        positions[Int(index)].version &+= 1
        markets[Int(positions[Int(index)].symbolIndex)].positionChanges &+= 1
    }

    func isLive(_ entry: TriggerIndex.Entry) -> Bool {
        Engine.isLive(positions[Int(entry.position)], as: entry)
    }

    /// Whether `entry` is `position`'s as it stands (open, and not changed since it was pushed).
    @inline(__always)
    static func isLive(_ position: Position, as entry: TriggerIndex.Entry) -> Bool {
        position.isOpen && position.version == entry.version
    }

    /// Whether a position's trigger is crossed at its mark: margin balance ≤ maintenance margin.
    @inline(__always)
    func isTriggered(_ index: Int32) -> Bool {
        let position = positions[Int(index)]
        guard position.isOpen, let mark = markets[Int(position.symbolIndex)].markPrice else { return false }
        return position.isCrossed(at: mark)
    }

    // MARK: Marks and triggers

    /// `givenAt`: the time the mark's own event carries (a stream's), when it has one. A mark is
    /// as old as that time says, not as the session's clock: a mark line of 1970, or of the day
    /// before, merged into a session of now was taken as fresh and liquidated healthy positions
    /// (attacker trial); with no mark held it is applied, and blocked as outdated until a mark of
    /// now comes (one dated before the mark held is refused where the event is applied).
    mutating func setMark(market index: Int, price: Fixed, givenAt: Int64? = nil, into notes: inout [EngineNotification]) {
        guard price.isPositive else { return }
        markets[index].markGivenTime = min(givenAt ?? time, time)
        // Not overtaken yet: by a book event dated after the book as it is now (see
        // `MarketState.markOvertakenBy`).
        markets[index].markArrivalBookTime = markets[index].lastBookTime
        markets[index].markOvertakenBy = nil
        markets[index].markOutdated = markets[index].markIsOutdated(now: time, maximumAge: configuration.maximumBookAge)
        // A mark set again, even unchanged, is a reference again (see `refuseSnapshot`), and is
        // fresh again.
        let wasDisputed = markets[index].markDisputed
        markets[index].markDisputed = false
        if wasDisputed && markets[index].liquidationBlocked == .disputedMark { markets[index].liquidationBlocked = nil }
        // A first mark ends the wait of cross accounts with a leg here (`noMark`) as a fresh one
        // ends an outdated mark's.
        let wasOutdated = markets[index].liquidationBlocked == .outdatedMark || markets[index].liquidationBlocked == .noMark
        if wasOutdated { markets[index].liquidationBlocked = nil }
        guard markets[index].markPrice != price else {
            // The same price again settles a dispute, or an outdated mark, all the same: what
            // crossed waited for it, here and in cross accounts with a leg here.
            if wasDisputed || wasOutdated {
                if !markets[index].multiSymbolCrossAccounts.isEmpty {
                    for account in markets[index].multiSymbolCrossOrder() { liquidateTriggered(account: account, into: &notes) }
                }
                processTriggers(market: index, into: &notes)
            }
            return
        }
        let hadMark = markets[index].markPrice != nil
        markets[index].markPrice = price
        markets[index].markTime = time
        // Cross accounts spanning several symbols: their other positions' prices moved with this
        // mark. Those whose guard it crosses are worked out again (`Engine+CrossGuards`); every
        // one on a first mark (its legs here were valued at their entries) or the end of a
        // block (one waiting for it may be crossed already), and when the guards are off.
        if !markets[index].multiSymbolCrossAccounts.isEmpty {
            if configuration.crossGuards && hadMark && !wasOutdated && !wasDisputed {
                markets[index].crossGuardsDrifted = true
                reworkGuardedAccounts(market: index, mark: price, into: &notes)
            } else {
                for account in markets[index].multiSymbolCrossOrder() {
                    refreshAccount(account, membership: false)
                    liquidateTriggered(account: account, into: &notes)
                }
            }
        }
        processTriggers(market: index, into: &notes)
    }

    /// Liquidates, in trigger order, every position of the symbol whose trigger the mark crossed.
    /// Into a book that cannot be trusted nothing is liquidated: the crossed triggers stay in the
    /// index, the block is noted once, and the book's next snapshot processes them.
    mutating func processTriggers(market index: Int, into notes: inout [EngineNotification]) {
        // Inside a cut cascade nothing more happens to the market until the cascade goes on: as
        // applied whole, the event's later calls come after every crossed trigger is liquidated,
        // when they find none (the block cannot change within an event).
        guard unfinishedCascade == nil else { return }
        if let block = liquidationBlock(market: index) {
            if markets[index].liquidationBlocked != block && hasCrossedTrigger(market: index) {
                noteBlocked(market: index, block, into: &notes)
            }
            return
        }
        drainTriggers(market: index, into: &notes)
    }

    /// Liquidates crossed triggers, most crossed first, until none is left or the slice's
    /// liquidations are used up (then the market's cascade is left unfinished, to go on later).
    mutating func drainTriggers(market index: Int, into notes: inout [EngineNotification]) {
        // Cross positions whose account counts a leg at a mark that cannot be liquidated on: out
        // of the index while the rest drains (put back, they would be popped again), then back
        // once the cascade is over (a slice that leaves it unfinished keeps them out).
        defer {
            if unfinishedCascade == nil && !cascadeParked.isEmpty {
                for position in cascadeParked where positions[Int(position)].isOpen { reindex(position) }
                cascadeParked.removeAll()
            }
        }
        while let mark = markets[index].markPrice {
            var fired: Int32? = nil
            for side in [Side.long, Side.short] where fired == nil {
                while let top = markets[index].triggers.top(side) {
                    if !isLive(top) { markets[index].triggers.popTop(side); continue }
                    let crossed = side == .long ? mark <= top.price : mark >= top.price
                    if crossed {
                        // Before the slice's and the ranking's checks: a parked position neither
                        // spends the slice nor starts a ranking it will not use (review).
                        if let waiting = crossLegMarkBlock(top.position) {
                            markets[index].triggers.popTop(side)
                            cascadeParked.append(top.position)
                            noteBlocked(market: waiting.market, waiting.block, into: &notes)
                            continue
                        }
                        guard liquidationsLeftInSlice > 0 else {
                            unfinishedCascade = Int32(index)
                            return
                        }
                        // A slice does not rank a large side whole inside a liquidation: the
                        // cascade waits here while the ranking is prepared in slices.
                        if slicing, wantsPreparedRanking(market: index, side: side.opposite, liquidated: top.position) {
                            beginPreparation(market: index, side: side.opposite)
                            unfinishedCascade = Int32(index)
                            return
                        }
                        fired = top.position
                        markets[index].triggers.popTop(side)
                    }
                    break
                }
            }
            guard let position = fired else {
                dropPreparation()
                return
            }
            liquidationsLeftInSlice -= 1
            liquidate(position: position, into: &notes)
        }
    }

    /// Liquidates any position of an account whose trigger is crossed at its own mark, in markets
    /// whose book can be trusted; a crossed trigger elsewhere is noted as blocked.
    mutating func liquidateTriggered(account: Int32, into notes: inout [EngineNotification]) {
        // An account of one position not crossed (every new one placed): nothing to liquidate and
        // nothing to note. Both loops below ask `isTriggered` first of all, so this is what they
        // would find, without copying the list twice and calling through a closure.
        if let only = accounts[Int(account)].positions.onlyIndex, !isTriggered(only) { return }
        var guardCount = 0
        while guardCount < 64, let index = accounts[Int(account)].positions.first(where: { isTriggered($0) && isLiquidatable($0) }) {
            liquidate(position: index, into: &notes)
            guardCount += 1
        }
        for index in accounts[Int(account)].positions {
            let market = Int(positions[Int(index)].symbolIndex)
            if let block = liquidationBlock(market: market) {
                if markets[market].liquidationBlocked != block && isTriggered(index) { noteBlocked(market: market, block, into: &notes) }
            } else if isTriggered(index), let waiting = crossLegMarkBlock(index) {
                noteBlocked(market: waiting.market, waiting.block, into: &notes)
            }
        }
    }

    /// Whether the position's market has a book the engine liquidates into, and a cross
    /// position's account no leg at a mark it cannot liquidate on.
    func isLiquidatable(_ index: Int32) -> Bool {
        liquidationBlock(market: Int(positions[Int(index)].symbolIndex)) == nil && crossLegMarkBlock(index) == nil
    }

    /// Another market of a cross position's account whose mark cannot be liquidated on
    /// (never given, outdated, disputed), and why: the account's margin counts its leg there at that mark. A
    /// cross account's BTC long was liquidated on its ETH leg's loss at an ETH mark 54 years old
    /// (review, attacker trial). Nil for an isolated position, at once.
    @inline(__always)
    func crossLegMarkBlock(_ index: Int32) -> (market: Int, block: LiquidationBlock)? {
        let position = positions[Int(index)]
        guard position.mode == .cross else { return nil }
        for other in accounts[Int(position.accountIndex)].positions where other != index {
            let leg = positions[Int(other)]
            guard leg.isOpen && leg.mode == .cross && leg.symbolIndex != position.symbolIndex else { continue }
            let market = Int(leg.symbolIndex)
            // Never marked: the leg could only be counted at its entry (see `LiquidationBlock.noMark`).
            if markets[market].markPrice == nil { return (market, .noMark) }
            // The mark's block alone: a leg whose whole feed died has an outdated book too, which
            // `liquidationBlock` names first, and the leg was valued at its old mark (review).
            if let block = markets[market].markBlock(now: time, maximumAge: configuration.maximumBookAge) {
                return (market, block)
            }
        }
        return nil
    }

    /// Whether a live trigger entry of the market is crossed at its mark.
    func hasCrossedTrigger(market index: Int) -> Bool {
        guard let mark = markets[index].markPrice else { return false }
        return crossesTrigger(market: index, at: mark)
    }

    /// Whether a mark of `price` would cross a live trigger of the market's positions.
    func crossesTrigger(market index: Int, at price: Fixed) -> Bool {
        for side in [Side.long, Side.short] {
            guard let top = markets[index].triggers.leading(side, count: 1, isLive: { isLive($0) }).first else { continue }
            if side == .long ? price <= top.price : price >= top.price { return true }
        }
        return false
    }

    /// Why the engine would not liquidate into a market's book now; nil when it would.
    @inline(__always)
    /// Why the engine would not liquidate in this market now (nil: it would).
    public func liquidationBlock(market index: Int) -> LiquidationBlock? {
        markets[index].liquidationBlock(now: time, maximumAge: configuration.maximumBookAge)
    }

    /// Notes, once per episode, that crossed triggers wait for the book.
    mutating func noteBlocked(market index: Int, _ block: LiquidationBlock, into notes: inout [EngineNotification]) {
        guard markets[index].liquidationBlocked != block else { return }
        markets[index].liquidationBlocked = block
        // An outdated book reads STALE from now until it changes.
        if block == .outdatedBook { markets[index].bookOutdated = true }
        markets[index].counters.blockedLiquidations += 1
        notes.append(.liquidationBlocked(symbol: markets[index].symbol, reason: block, time: time))
    }

    // MARK: Views

    public func risk(of index: Int32) -> PositionRisk {
        // A cross position's context worked out once, for its prices now and its margin ratio.
        let others = positions[Int(index)].mode == .cross ? context(of: index) : nil
        let position = currentPosition(index, context: others)
        let market = markets[Int(position.symbolIndex)]
        let account = accounts[Int(position.accountIndex)]
        let terms = terms(of: position)
        let mark = market.markPrice
        let valuation = mark ?? position.entryPrice
        let maintenance = MarginMath.maintenance(terms, rules: marginRules(of: position), at: valuation)
        let pnl = MarginMath.unrealisedPnL(terms, at: valuation)
        var ratioMaintenance = maintenance.margin
        var balance = position.isolatedMargin + pnl
        if let others {
            ratioMaintenance = maintenance.margin + others.otherMaintenance
            balance = account.walletBalance + pnl + others.otherUnrealised
        }
        return PositionRisk(
            index: index, account: account.id, symbol: market.symbol, side: position.side, mode: position.mode,
            quantity: position.quantity, entryPrice: position.entryPrice, markPrice: mark, leverage: position.leverage,
            notional: MarginMath.notional(terms, at: valuation), unrealisedPnL: pnl, bracket: maintenance.bracket,
            maintenanceMargin: maintenance.margin, ratioMaintenanceMargin: ratioMaintenance, marginBalance: balance,
            marginRatio: MarginMath.marginRatio(maintenance: ratioMaintenance, marginBalance: balance),
            liquidationPrice: position.liquidation, bankruptcyPrice: position.bankruptcy,
            distanceToLiquidationPct: mark.flatMap {
                MarginMath.distanceToLiquidationPercent(side: position.side, mark: $0, liquidationPrice: position.liquidation)
            },
            asset: account.asset, pastAtEveryPrice: position.isOpen && position.isPastAtEveryPrice)
    }
}

extension Engine {
    /// About how many bytes a copy of this engine holds once it no longer shares storage with the
    /// original: its positions (with their trigger entries and market lists) and accounts (with
    /// their identifiers and table entries), and the statements kept of what its liquidations
    /// changed (a cascade of a million positions keeps a hundred thousand, about 13 MB a copy, which
    /// the estimate left out). What keeps copies (checkpoints) sizes itself by it.
    public var approximateBytes: Int {
        positions.count * (MemoryLayout<Position>.stride + 40) + accounts.count * (MemoryLayout<Account>.stride + 120)
            + Engine.hashedBytes(engineChangedPositions.count, entry: MemoryLayout<Int32>.stride + MemoryLayout<StatedPosition>.stride)
            + Engine.hashedBytes(engineChangedWallets.count, entry: MemoryLayout<Int32>.stride + MemoryLayout<Fixed>.stride)
            + Engine.hashedBytes(socialisedCharges.count, entry: MemoryLayout<Int32>.stride + MemoryLayout<Fixed>.stride)
            + markets.reduce(0) { $0 + $1.approximateBytes }
            + 1_000_000
    }

    /// A dictionary's storage for `count` entries: Swift keeps its table at most three quarters
    /// full, a bit a bucket beside.
    static func hashedBytes(_ count: Int, entry: Int) -> Int {
        count == 0 ? 0 : count * 4 / 3 * entry + count / 4
    }
}

/// A position as the operator stated it last, kept when the engine first changes its quantity
/// (`Engine.engineChangedPositions`).
struct StatedPosition: Sendable {
    var side: Side
    var mode: MarginMode
    var quantity: Fixed
    var entryPrice: Fixed
    var isolatedMargin: Fixed
    var leverage: Fixed
    /// Changed first by a liquidation (not an ADL close).
    var byLiquidation: Bool

    init(_ position: Position, byLiquidation: Bool) {
        side = position.side
        mode = position.mode
        quantity = position.quantity
        entryPrice = position.entryPrice
        isolatedMargin = position.isolatedMargin
        leverage = position.leverage
        self.byLiquidation = byLiquidation
    }

    /// Whether `update` names the position as it was (its side, mode, size and entry): the
    /// operator's system has not seen it closed, whatever it now says of its margin or wallet.
    func isSamePosition(_ update: PositionUpdate) -> Bool {
        update.quantity == quantity && update.entryPrice == entryPrice && update.side == side && update.mode == mode
    }

    /// Whether `update` states the position as it was, and nothing new: the operator's system not
    /// yet told of what the engine did. Its side, mode, size and entry must be the same, and so
    /// must what it states of the rest: its isolated margin (or, with none, its leverage) and its
    /// wallet (`wallet`: the account's as last stated). A margin topped up, a new leverage or a new
    /// wallet is news, and the update is applied (refused, a top-up that saves a real position
    /// was lost, and with it the wallet: attacker trial).
    func isRestated(by update: PositionUpdate, wallet: Fixed?) -> Bool {
        guard update.quantity == quantity && update.entryPrice == entryPrice && update.side == side && update.mode == mode else { return false }
        if let margin = update.isolatedMargin {
            if mode == .isolated && margin != isolatedMargin { return false }
        } else if let leverage = update.leverage, leverage != self.leverage {
            return false
        }
        if let stated = update.walletBalance, stated != wallet { return false }
        return true
    }
}
