import RiskEngine

/// A key or column that is not one liqwatch reads but looks like one it does (`isolated_margn`,
/// `isolatedMargin`, `Isolated Margin`): read as unknown and passed over, it silently dropped a
/// stated margin, and the leverage-implied one liquidated a healthy position with a 1,010 USDT
/// deficit (attacker trial). Such a key is refused, naming the one it resembles; a key like none
/// (an export's `unrealized_pnl`) is still passed over, as documented.
enum KeyLookalike {
    /// Keys longer than this are no typo of a short key (and are not compared).
    static let longest = 64
    /// At most this many unknown keys an object or header are compared (a line of a hundred
    /// thousand keys must not cost their comparisons).
    static let compared = 64

    /// The first of `keys` that is not in `known` but resembles one of them, with that one: the
    /// same letters and digits whatever the case and the separators, or a key an exchange's
    /// export names that way (`marginType`), looked up for every key; or, for a key of eight
    /// letters and digits or more, one edit away (`isolated_margn`), worked out for the first
    /// `compared` unknown keys only (a misspelt key after 64 others was passed over with the first
    /// version, which stopped looking there: review). One edit on shorter keys, or two, took
    /// ordinary extra keys for typos (`account_id`, `position_id`, `sizes`, `site`: a position
    /// line refused, a positions file stopped; attacker trial).
    static func first(in keys: some Sequence<String>, known: [String]) -> (given: String, meant: String)? {
        let foldedKnown = known.map { (folded: fold($0), name: $0) }
        var looked = 0
        for key in keys where !known.contains(key) {
            let folded = fold(key)
            if let same = foldedKnown.first(where: { $0.folded == folded }) { return (key, same.name) }
            if let meant = exportNames[folded], known.contains(meant) { return (key, meant) }
            guard looked < compared, key.utf8.count <= longest else { continue }
            looked += 1
            guard folded.count >= 8 else { continue }
            let letters = Array(folded)
            if let near = foldedKnown.first(where: { distance(Array($0.folded), letters, atMost: 1) <= 1 }) { return (key, near.name) }
        }
        return nil
    }

    /// The known key `key` resembles (see `first(in:known:)`), or nil.
    static func resembled(_ key: String, known: [String]) -> String? {
        guard key.utf8.count <= longest else { return nil }
        return first(in: CollectionOfOne(key), known: known)?.meant
    }

    /// Keys of Binance's and Bybit's position exports that mean one liqwatch reads under another
    /// name (folded): read past, `marginType` left a cross position isolated and its wallet
    /// dropped, and it was liquidated with a deficit (attacker trial).
    static let exportNames: [String: String] = [
        "margintype": "margin_mode", "trademode": "margin_mode", "isolatedwallet": "isolated_margin",
        "positionamt": "size", "avgprice": "entry_price", "avgentryprice": "entry_price", "positionim": "isolated_margin",
        "walletbalance": "wallet_balance", "crosswalletbalance": "wallet_balance",
        // A position's margin and an account's money under the names exports give them (OKX's
        // `margin` is its isolated margin): passed over, a stated margin of 900 was dropped and
        // the leverage's implied 53,000 taken instead (attacker trial). Equity and margin
        // balance are not the wallet (they hold the unrealised PnL): refused all the same, so
        // the operator says which it is.
        "margin": "isolated_margin", "positionmargin": "isolated_margin", "posmargin": "isolated_margin",
        "initialmargin": "isolated_margin", "positioninitialmargin": "isolated_margin", "im": "isolated_margin",
        "collateral": "isolated_margin",
        "balance": "wallet_balance", "wallet": "wallet_balance", "equity": "wallet_balance", "marginbalance": "wallet_balance",
        "totalwalletbalance": "wallet_balance", "cashbal": "wallet_balance", "availablebalance": "wallet_balance",
        "availbal": "wallet_balance",
    ]

    /// Lowercased letters and digits only: `isolatedMargin`, `Isolated Margin`, `isolated-margin`
    /// and `isolated_margin` fold alike.
    static func fold(_ key: String) -> String {
        String(key.lowercased().unicodeScalars.filter { ($0 >= "a" && $0 <= "z") || ($0 >= "0" && $0 <= "9") }.map(Character.init))
    }

    /// The edit distance of two short strings (insertions, deletions, substitutions), or more
    /// than `atMost` as soon as it is sure to be.
    static func distance(_ a: [Character], _ b: [Character], atMost: Int) -> Int {
        if abs(a.count - b.count) > atMost { return atMost + 1 }
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            var rowBest = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                rowBest = min(rowBest, current[j])
            }
            if rowBest > atMost { return atMost + 1 }
            swap(&previous, &current)
        }
        return previous[b.count]
    }

    /// The field a refused key is named by: as given, escaped, at most 40 characters.
    static func field(_ found: (given: String, meant: String)) -> String { SafeText.escaped(String(found.given.prefix(40))) }

    /// The reason given for a refused key (or, `noun`, a CSV column).
    static func reason(_ found: (given: String, meant: String), noun: String = "key") -> String {
        // Equity and margin balance hold the unrealised PnL the engine adds to the wallet:
        // "did you mean wallet_balance?" invited renaming them, and counting the PnL twice (review).
        if notTheWallet.contains(fold(found.given)) {
            return "'\(field(found))' is not a \(noun) liqwatch reads, and not the wallet: wallet_balance is the wallet without unrealised PnL, which liqwatch adds itself (give the wallet as wallet_balance, or leave it out) (it would be passed over)"
        }
        return "'\(field(found))' is not a \(noun) liqwatch reads: did you mean \(found.meant)? (it would be passed over)"
    }

    /// Exports' names for an account's money that are not its wallet (they hold unrealised PnL,
    /// or take margin in use away from it).
    static let notTheWallet: Set<String> = ["equity", "marginbalance", "availablebalance", "availbal"]
}
