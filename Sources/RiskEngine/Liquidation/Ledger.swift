/// The parties money moves between. Every balance the engine holds belongs to one of them.
public enum LedgerParty: Hashable, Sendable {
    /// Money from (or back to) the operator's systems: wallet and margin statements, fund
    /// statements. Its balance is the negative of everything deposited.
    case outside
    /// An account's cross wallet (account index).
    case wallet(Int32)
    /// A position's isolated margin (position index).
    case isolatedMargin(Int32)
    /// A venue's insurance fund (index into `Engine.funds`).
    case fund(Int32)
    /// The book's counterparties: the other side of every fill and of every close at the
    /// bankruptcy price.
    case clearing
    /// Losses nobody could cover (socialised loss with too few winners): a negative balance.
    case badDebt

    /// The kind of party, for the ledger's totals.
    public var kind: LedgerParty.Kind {
        switch self {
        case .outside: return .outside
        case .wallet: return .wallets
        case .isolatedMargin: return .isolatedMargins
        case .fund: return .fund
        case .clearing: return .clearing
        case .badDebt: return .badDebt
        }
    }

    public enum Kind: Int, Hashable, Sendable, CaseIterable {
        case outside, wallets, isolatedMargins, fund, clearing, badDebt
    }
}

/// Why money moved.
public enum PostingCause: String, Hashable, Sendable, CaseIterable {
    /// A wallet, a margin or the fund stated by the operator's systems.
    case statement
    /// A liquidated owner closed at the bankruptcy price (they lose their collateral to the book).
    case bankruptClose = "bankrupt_close"
    /// What was left of an isolated margin after a bankrupt close, back to the wallet.
    case marginReturned = "margin_returned"
    /// A partial liquidation step's realised PnL, or an ADL close's.
    case realisedPnL = "realised_pnl"
    case liquidationFee = "liquidation_fee"
    /// Fills better than the bankruptcy price, after the fee.
    case surplus
    /// The same where the venue leaves it with the trader (Hyperliquid's liquidations through the
    /// book: "any remaining collateral remains with the trader"), back to the owner's wallet.
    case surplusToOwner = "surplus_to_owner"
    /// Fills worse than the bankruptcy price, paid by the fund.
    case deficit
    /// A deficit the fund could not pay, charged to the opposite side's winners.
    case socialisedLoss = "socialised_loss"
    /// What nobody could pay.
    case badDebt = "bad_debt"

    /// Hashes the case, not its raw string: every posting (two a position placed) adds to its
    /// cause's total, and hashing the raw value hashed a string each time.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(ordinal)
    }

    var ordinal: UInt8 {
        switch self {
        case .statement: return 0
        case .bankruptClose: return 1
        case .marginReturned: return 2
        case .realisedPnL: return 3
        case .liquidationFee: return 4
        case .surplus: return 5
        case .deficit: return 6
        case .socialisedLoss: return 7
        case .badDebt: return 8
        case .surplusToOwner: return 9
        }
    }
}

/// Every movement of money, as postings between two parties of one asset: one party's balance goes
/// down by exactly what the other's goes up, so money is conserved by construction. The ledger
/// keeps, per asset, what each kind of party holds according to the postings and what each cause
/// moved; the balances themselves live with their owners (wallets, margins, the fund), and a test
/// checks that the two agree after every event.
public struct Ledger: Sendable {
    public struct AssetTotals: Hashable, Sendable {
        /// Net amount posted to each kind of party (sums to zero).
        public var byKind: [Fixed] = Array(repeating: .zero, count: LedgerParty.Kind.allCases.count)
        /// Amount moved, per cause (`PostingCause.ordinal`): a list, as hashing the cause at
        /// every posting cost more than the posting.
        var causeTotals: [Fixed] = Array(repeating: .zero, count: PostingCause.allCases.count)
        /// The causes that moved anything, a bit each (a cause posted and netted to zero counts).
        var causesPosted: UInt16 = 0
        public var postings = 0

        /// Amount moved, per cause that moved anything.
        public var byCause: [PostingCause: Fixed] {
            var result: [PostingCause: Fixed] = [:]
            for cause in PostingCause.allCases where causesPosted & (1 << cause.ordinal) != 0 {
                result[cause] = causeTotals[Int(cause.ordinal)]
            }
            return result
        }

        public func balance(of kind: LedgerParty.Kind) -> Fixed { byKind[kind.rawValue] }
    }

    public private(set) var assets = AssetKeyed<AssetTotals>()
    public private(set) var postingCount = 0

    public init() {}

    mutating func record(asset: String, amount: Fixed, from: LedgerParty, to: LedgerParty, cause: PostingCause) {
        // In place: a copy taken out of the dictionary and stored back would copy its array and
        // dictionary at every posting (the dictionary still holds them while the copy changes).
        Ledger.post(&assets[asset, default: AssetTotals()], amount: amount, from: from, to: to, cause: cause)
        postingCount += 1
    }

    private static func post(_ totals: inout AssetTotals, amount: Fixed, from: LedgerParty, to: LedgerParty, cause: PostingCause) {
        totals.byKind[from.kind.rawValue] -= amount
        totals.byKind[to.kind.rawValue] += amount
        totals.causeTotals[Int(cause.ordinal)] += amount
        totals.causesPosted |= 1 << cause.ordinal
        totals.postings += 1
    }

    public func totals(_ asset: String) -> AssetTotals { assets[asset] ?? AssetTotals() }
}

extension Engine {
    /// Moves `amount` of `asset` from one party to another (a negative amount moves it back): the
    /// one way money changes hands in the engine.
    mutating func transfer(
        _ amount: Fixed, asset: String, from: LedgerParty, to: LedgerParty, cause: PostingCause,
        symbol: String? = nil, account: String? = nil, into notes: inout [EngineNotification]
    ) {
        guard !amount.isZero else { return }
        adjust(from, asset: asset, by: -amount, cause: cause, symbol: symbol, account: account, into: &notes)
        adjust(to, asset: asset, by: amount, cause: cause, symbol: symbol, account: account, into: &notes)
        ledger.record(asset: asset, amount: amount, from: from, to: to, cause: cause)
    }

    private mutating func adjust(
        _ party: LedgerParty, asset: String, by amount: Fixed, cause: PostingCause, symbol: String?, account: String?,
        into notes: inout [EngineNotification]
    ) {
        switch party {
        case .outside: deposits[asset, default: .zero] -= amount
        case .wallet(let index):
            accounts[Int(index)].walletBalance += amount
            noteTouched(account: index)
        case .isolatedMargin(let index):
            willChangeADLInputs(index)
            // Its scan inputs are written by the caller, once the change it is part of is made.
            positions[Int(index)].isolatedMargin += amount
            noteTouched(account: positions[Int(index)].accountIndex)
        case .clearing: clearing[asset, default: .zero] += amount
        case .badDebt: badDebt[asset, default: .zero] += amount
        case .fund(let index):
            bookFund(index, amount: amount, cause: FundCause(posting: cause, amount: amount), time: time,
                symbol: symbol, account: account, into: &notes)
        }
    }

    /// What the stored balances of an asset add up to, per kind of party (for the ledger's check).
    public func storedBalances(asset: String) -> [LedgerParty.Kind: Fixed] {
        var result: [LedgerParty.Kind: Fixed] = [:]
        var wallets = Fixed.zero
        for account in accounts where account.asset == asset { wallets += account.walletBalance }
        var margins = Fixed.zero
        for position in positions where accounts[Int(position.accountIndex)].asset == asset { margins += position.isolatedMargin }
        result[.outside] = -(deposits[asset] ?? .zero)
        result[.wallets] = wallets
        result[.isolatedMargins] = margins
        var funded = Fixed.zero
        for fund in funds where fund.asset == asset { funded += fund.balance }
        result[.fund] = funded
        result[.clearing] = clearing[asset] ?? .zero
        result[.badDebt] = badDebt[asset] ?? .zero
        return result
    }
}

extension FundCause {
    /// The fund's own cause for a posting to or from it.
    init(posting: PostingCause, amount: Fixed) {
        switch posting {
        case .liquidationFee: self = .liquidationFee
        case .surplus: self = .surplus
        case .deficit: self = .deficit
        case .statement: self = .statement
        default: self = amount.isNegative ? .deficit : .surplus
        }
    }
}
