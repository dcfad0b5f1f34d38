import Foundation
import RiskEngine

/// A realistic book of monitored accounts placed around a symbol's first mark, so a replay of a real
/// market shows real risk: leverage from 2x to 125x skewed towards the high end (median about 30x),
/// log-normal notionals (median about 2,500 USDT, a long tail of whales), both sides (slightly more
/// longs), entries scattered ±0.4 % around the mark (never past the position's own trigger), three isolated accounts for every cross one, and
/// a tenth of the cross accounts also holding the symbols of their venue and settlement asset
/// that appear later.
public struct SyntheticPositions: Sendable {
    public let count: Int
    public let seed: UInt64
    var generator: SplitMix64
    /// The cross accounts drawn so far, by their wallet's venue and settlement asset
    /// (`bybit USDT`): a later symbol is joined only by accounts of its own venue and asset, as a
    /// cross wallet backs the positions of one venue in one asset (an account on Binance cannot
    /// hold a Bybit position, and a USDT wallet does not margin a coin-settled contract).
    var crossAccounts: [String: [String]] = [:]
    /// What each cross account's wallet (keyed as `crossAccounts`, then the account) was stated
    /// as, so a later symbol's position adds its own margin and buffer to it (without, a position
    /// of up to 5,000,000 at up to 125x joined a wallet sized for another: under water the moment
    /// it was placed, it was liquidated in the first second with a deficit of hundreds of thousands).
    var crossWallets: [String: [String: Fixed]] = [:]
    var symbolsSeeded = 0

    public init(count: Int, seed: UInt64) {
        self.count = count
        self.seed = seed
        self.generator = SplitMix64(seed: seed)
    }

    /// Positions for a symbol that has just received its first mark: `count` for the first symbol,
    /// half as many for each later one.
    public mutating func positions(for instrument: Instrument, mark: Fixed) -> [PositionUpdate] {
        var result: [PositionUpdate] = []
        positions(for: instrument, mark: mark, chunk: .max) { result.append(contentsOf: $0) }
        return result
    }

    /// How many positions `positions(for:mark:)` will draw for this instrument next: its new
    /// accounts' and those of the earlier cross accounts that join it. The engine makes room for
    /// them at once (grown chunk by chunk, its tables were copied at every doubling).
    public func positionCount(for instrument: Instrument) -> Int {
        // Every tenth of the wallet's cross accounts joins (see `positions`).
        newAccountsNext + ((crossAccounts[Self.walletKey(of: instrument)]?.count ?? 0) + 9) / 10
    }

    /// New accounts the next symbol seeded gets: `count` for the first, half as many for each later one.
    var newAccountsNext: Int { symbolsSeeded == 0 ? count : max(1, count / 2) }

    /// A cross wallet's venue and settlement asset (`binance-usdm USDT`), as `crossAccounts` and
    /// `crossWallets` are keyed.
    static func walletKey(of instrument: Instrument) -> String {
        MarketID.venueName(of: instrument.symbol) + " " + instrument.settlementAsset
    }

    /// The same positions, in the same order, handed over in chunks of at most `chunk` as they are
    /// drawn, so that placing one chunk can overlap drawing the next (`SyntheticSeeding`).
    public mutating func positions(for instrument: Instrument, mark: Fixed, chunk: Int, deliver: ([PositionUpdate]) -> Void) {
        let howMany = newAccountsNext
        let chunk = max(1, chunk)
        var result: [PositionUpdate] = []
        result.reserveCapacity(min(chunk, positionCount(for: instrument)))
        symbolsSeeded += 1
        let wallet = Self.walletKey(of: instrument)
        func flushIfFull() {
            guard result.count >= chunk else { return }
            deliver(result)
            result.removeAll(keepingCapacity: true)
        }
        let markValue = mark.approximateDouble
        // Cross accounts of earlier symbols of this venue and asset that also trade this one.
        let joining = (crossAccounts[wallet] ?? []).enumerated().filter { $0.offset % 10 == 0 }.map(\.element)
        for account in joining {
            result.append(position(account: account, cross: true, wallet: wallet, instrument: instrument, mark: markValue, newAccount: false))
            flushIfFull()
        }
        for index in 0..<howMany {
            let cross = generator.unit() < 0.25
            let account = Self.accountID(cross: cross, number: Self.accountNumber(symbol: symbolsSeeded, index: index, count: count))
            if cross { crossAccounts[wallet, default: []].append(account) }
            result.append(position(account: account, cross: cross, wallet: wallet, instrument: instrument, mark: markValue, newAccount: true))
            flushIfFull()
        }
        if !result.isEmpty { deliver(result) }
    }

    /// The number of the `index`th new account of the `symbol`th symbol seeded: a million numbers
    /// a symbol, ten million past a million positions (symbol 1's 1,000,005th account must not be
    /// symbol 2's 5th: X-2000005 both).
    static func accountNumber(symbol: Int, index: Int, count: Int) -> Int {
        symbol * (count < 1_000_000 ? 1_000_000 : 10_000_000) + index
    }

    /// `X-1000042` (cross) or `I-1000042` (isolated), zero-padded to six digits at least. Written
    /// digit by digit: String(format:) cost more than the rest of the position together, and
    /// joining strings about a quarter of it.
    static func accountID(cross: Bool, number: Int) -> String {
        var digits = 1
        var probe = max(0, number) / 10
        while probe > 0 { digits += 1; probe /= 10 }
        let length = 2 + max(6, digits)
        return String(unsafeUninitializedCapacity: length) { buffer in
            buffer[0] = UInt8(ascii: cross ? "X" : "I")
            buffer[1] = UInt8(ascii: "-")
            var rest = max(0, number)
            for index in stride(from: length - 1, through: 2, by: -1) {
                buffer[index] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            }
            return length
        }
    }

    /// The step synthetic sizes are drawn in: the instrument's lot, or for a contract nobody
    /// described (a lot of one book unit) the smallest power of ten worth a cent at the mark, as
    /// venues set lots (AKROUSDT at 0.017: 1; BTC at 60,000: 0.000001). Sizes to the book unit
    /// (`85,151.80374329` KEEPUSDT) pushed the market and the deficit off the tape at 80×24
    /// (operator trial).
    static func lot(of instrument: Instrument, mark: Double) -> Fixed {
        guard instrument.lotSize == InstrumentCatalog.unknownStep, mark.isFinite, mark > 0 else { return instrument.lotSize }
        var lot = InstrumentCatalog.unknownStep
        while lot < Fixed(1_000_000), lot.approximateDouble * mark < 0.01 { lot = lot * Fixed(10) }
        return lot
    }

    mutating func position(account: String, cross: Bool, wallet walletKey: String, instrument: Instrument, mark: Double, newAccount: Bool)
        -> PositionUpdate
    {
        let side: Side = generator.unit() < 0.55 ? .long : .short
        var leverage = (exp(log(2.0) + (log(125.0) - log(2.0)) * pow(generator.unit(), 0.6))).rounded()
        let notional = min(5_000_000, 2_500 * exp(1.5 * generator.normal()))
        // Exchanges cap leverage by bracket: a position whose maintenance rate is at least its
        // margin rate would be liquidatable the moment it opened.
        let rate = instrument.brackets.bracket(forNotional: Fixed(approximating: notional)).maintenanceMarginRate.approximateDouble
        if rate > 0 { leverage = max(1, min(leverage, (0.5 / rate).rounded(.down))) }
        // Entries scatter around the mark by less for higher leverage (such positions are opened
        // close to the price), and a position is never born past its own trigger: an entry on the
        // losing side beyond half the margin is mirrored to the winning side.
        var deviation = 0.004 * generator.normal()
        let sideSign: Double = side == .long ? 1 : -1
        // A long loses when it bought above the mark, a short when it sold below.
        if deviation * sideSign > 0.25 / leverage { deviation = -deviation }
        let entry = max(mark * 0.5, mark * (1 + deviation))
        let entryPrice = Fixed(approximating: entry).rounded(toMultipleOf: instrument.tickSize)
        var quantity: Fixed
        switch instrument.kind {
        case .linear: quantity = Fixed(approximating: notional / entry)
        case .inverse(let size): quantity = Fixed(approximating: notional / size.approximateDouble)
        }
        let lot = SyntheticPositions.lot(of: instrument, mark: mark)
        quantity = Fixed.maximum(lot, quantity.rounded(toMultipleOf: lot))
        let terms = PositionTerms(side: side, quantity: quantity, entryPrice: entryPrice, kind: instrument.kind, brackets: instrument.brackets)
        let margin = MarginMath.notional(terms, at: entryPrice) / Fixed(approximating: leverage)
        if cross {
            // A cross wallet carries some buffer beyond each of its positions' margin: in cents
            // for a dollar wallet, to the satoshi for a coin's (rounded to cents, a coin wallet of
            // a few thousandths of a BTC was 0.00 or 0.01 and its account bankrupt at the first
            // mark: operator trial), and never rounded below the margin it backs.
            let buffered = margin * Fixed(approximating: 1 + generator.unit())
            let places = instrument.kind == .linear ? 2 : 8
            var added = buffered.rounded(places: places)
            // Rounded to nearest, a buffer of almost nothing can come out under the margin: up then.
            if added < margin { added = buffered.rounded(places: places, .up) }
            let wallet = (newAccount ? .zero : crossWallets[walletKey]?[account] ?? .zero) + added
            crossWallets[walletKey, default: [:]][account] = wallet
            return PositionUpdate(account: account, symbol: instrument.symbol, side: side, quantity: quantity, entryPrice: entryPrice,
                mode: .cross, walletBalance: wallet, leverage: Fixed(approximating: leverage))
        }
        return PositionUpdate(account: account, symbol: instrument.symbol, side: side, quantity: quantity, entryPrice: entryPrice,
            mode: .isolated, isolatedMargin: margin.rounded(places: 8), leverage: Fixed(approximating: leverage))
    }
}
