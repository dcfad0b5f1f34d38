import Foundation
import RiskEngine

/// A field that failed validation, to be reported with its file and line.
public struct FieldError: Error, Hashable, Sendable {
    public var field: String
    public var reason: String
}

/// Reads the fields every position source shares (positions files, the liqwatch event stream).
/// Columns: account, symbol (`venue:symbol`, or a bare symbol that `resolver` resolves; or a
/// `venue` column beside it), side, size, entry_price, margin_mode, isolated_margin, wallet_balance,
/// leverage, position_side (BOTH, the default, for one-way mode; LONG or SHORT for a hedge-mode
/// leg). Empty values count as absent.
public enum PositionRow {
    /// The largest size or price a position may state.
    public static let largest = Fixed(10_000_000_000)
    /// The largest margin or wallet a position's row may state (a quadrillion, as for an
    /// insurance fund; a negative one is refused where the rows are assembled): a margin of 10¹⁸
    /// was placed, and overflowed the sums it entered.
    public static let largestMoney = MarginMath.largestImpliedMargin

    /// The longest account name a row or an event line may give, in UTF-8 bytes: exchange account
    /// ids and sub-account names are tens of characters; names of megabytes from an event stream
    /// held memory (300 refused positions with 4 MiB names: 1.45 GB, attacker trial).
    public static let longestAccount = 256

    /// The account name of a row or line: given, no longer than `longestAccount`, and without the
    /// text `\u{`, which is how every output writes a character it will not show (`SafeText`):
    /// an account named `a\u{1B}` in plain text and one named `a` + ESC read alike on screen and
    /// in the reports, two accounts whose deficits an operator could not tell apart.
    static func accountName(_ given: String) throws(FieldError) -> String {
        guard given.utf8.count <= longestAccount else {
            throw FieldError(field: "account", reason: "longer than \(longestAccount) bytes (\(given.utf8.count))")
        }
        guard !holdsEscapeText(given) else {
            throw FieldError(field: "account", reason: "holds the text \\u{, which liqwatch writes for a character it does not show: a name may not hold it")
        }
        return given
    }

    /// Whether `name` holds the text `\u{` (a backslash, `u`, an opening brace).
    static func holdsEscapeText(_ name: String) -> Bool {
        var name = name
        return name.withUTF8 { holdsEscapeText($0) }
    }

    /// The same of a name's bytes (the positions CSV's fast path asks it of its cell): a name
    /// with no backslash, nearly every one, is passed by one `memchr`.
    static func holdsEscapeText(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return false }
        var from = 0
        while from < bytes.count, let found = memchr(base + from, Int32(UInt8(ascii: "\\")), bytes.count - from) {
            let at = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
            if at + 2 < bytes.count && base[at + 1] == UInt8(ascii: "u") && base[at + 2] == UInt8(ascii: "{") { return true }
            from = at + 1
        }
        return false
    }

    /// Whether a margin or wallet is within `largestMoney`.
    static func isWithinMoneyLimit(_ value: Fixed?) -> Bool {
        guard let value else { return true }
        return value <= largestMoney
    }

    /// Whether a size is a whole number of book units (10⁻⁸): a smaller part could be neither
    /// walked through a book nor shown (0.000000001 was liquidated as 0.000).
    static func isWholeBookUnits(_ size: Fixed) -> Bool { size.raw % 10_000_000_000 == 0 }

    /// Why a figure finer than the book's grid is refused, as a positions row and an events line say it.
    static func offGridReason(_ text: String) -> String {
        "'\(text)' has more than 8 decimal places (liqwatch holds figures to 0.00000001)"
    }

    /// `allowsClose`: a size of 0 closes the position (an event stream's line; its entry price and
    /// margins may then be left out). A positions file states open positions only.
    public static func parse(resolver: MarketResolver, allowsClose: Bool = false, _ value: (String) -> String?) throws(FieldError) -> PositionUpdate {
        func required(_ name: String) throws(FieldError) -> String {
            guard let text = value(name)?.trimmed, !text.isEmpty else { throw FieldError(field: name, reason: "missing") }
            return text
        }
        /// `onGrid`: money and prices, held to the book's 10⁻⁸ (a size has its own words for it,
        /// a leverage is a ratio).
        func decimal(_ name: String, required isRequired: Bool, onGrid: Bool = true) throws(FieldError) -> Fixed? {
            guard let text = value(name)?.trimmed, !text.isEmpty else {
                if isRequired { throw FieldError(field: name, reason: "missing") }
                return nil
            }
            guard let number = Fixed(text) else {
                // A decimal that does not fit says so: "not a decimal number" would send the
                // operator looking for a typo in forty digits.
                throw FieldError(field: name, reason: DecimalText.isDecimalSyntax(text)
                    ? "'\(text)' is too large or has more than 18 decimal places" : "'\(text)' is not a decimal number")
            }
            guard !number.isNegative else { throw FieldError(field: name, reason: "must not be negative") }
            // Every figure on the book's grid: an entry or a margin of nine places was taken as
            // given and rounded where it was used (attacker trial).
            guard !onGrid || isWholeBookUnits(number) else {
                throw FieldError(field: name, reason: offGridReason(text))
            }
            return number
        }
        let account = try accountName(try required("account"))
        var named = try required("symbol")
        if let venue = value("venue")?.trimmed, !venue.isEmpty {
            guard !named.contains(":") else { throw FieldError(field: "venue", reason: "the symbol already names its venue ('\(SafeText.escaped(named))')") }
            named = venue + ":" + named
        }
        let symbol: String
        do { symbol = try resolver.resolve(named) } catch { throw FieldError(field: "symbol", reason: error.description) }
        let sideGiven = try required("side")
        let side: Side
        switch sideGiven.lowercased() {
        case "long", "buy": side = .long
        case "short", "sell": side = .short
        // Quoted as written: the lowercased text is not what the operator will find in the file.
        default: throw FieldError(field: "side", reason: "expected long or short, got '\(sideGiven)'")
        }
        // Sizes and prices are held in book units (10⁻⁸, at most 92,233,720,368.54775807): larger
        // ones would be clamped, not held, so they are refused here.
        let size = try decimal("size", required: true, onGrid: false)!
        let closes = allowsClose && size.isZero
        guard size.isPositive || closes else { throw FieldError(field: "size", reason: "must be greater than zero") }
        guard size <= PositionRow.largest else { throw FieldError(field: "size", reason: "must be at most 10,000,000,000") }
        guard PositionRow.isWholeBookUnits(size) else {
            throw FieldError(field: "size", reason: "has more than 8 decimal places (a book holds sizes to 0.00000001)")
        }
        // A close names the position; its entry, if given, is checked as any other.
        let entry = try decimal("entry_price", required: !closes) ?? .zero
        guard entry.isPositive || (closes && entry.isZero) else { throw FieldError(field: "entry_price", reason: "must be greater than zero") }
        guard entry <= PositionRow.largest else { throw FieldError(field: "entry_price", reason: "must be at most 10,000,000,000") }
        let modeText = (value("margin_mode")?.trimmed).flatMap { $0.isEmpty ? nil : $0.lowercased() } ?? "isolated"
        guard let mode = MarginMode(rawValue: modeText == "crossed" ? "cross" : modeText) else {
            throw FieldError(field: "margin_mode", reason: "expected isolated or cross, got '\(modeText)'")
        }
        let isolatedMargin = try decimal("isolated_margin", required: false)
        let walletBalance = try decimal("wallet_balance", required: false)
        for (name, amount) in [("isolated_margin", isolatedMargin), ("wallet_balance", walletBalance)] where !isWithinMoneyLimit(amount) {
            throw FieldError(field: name, reason: "must be at most 1,000,000,000,000,000")
        }
        let leverage = try decimal("leverage", required: false, onGrid: false)
        if let leverage, !(leverage.isPositive && leverage <= Fixed(1000)) {
            throw FieldError(field: "leverage", reason: "must be in (0, 1000]")
        }
        // A cross position has no margin of its own: a margin given on its row was dropped
        // without a word, and the position liquidated against a wallet of 5 (attacker trial).
        // Zero, as exchanges' position lists give it for cross positions, says nothing.
        if mode == .cross, let isolatedMargin, !isolatedMargin.isZero {
            throw FieldError(field: "isolated_margin", reason: "a cross position has no isolated margin: give its account's wallet_balance, or make it isolated")
        }
        // An isolated position with no margin is bankrupt as it opens: a margin of 0 beside a
        // leverage of 2 was taken, and booked a deficit of 945 at the first mark (attacker trial).
        if mode == .isolated && !closes, let isolatedMargin, isolatedMargin.isZero {
            throw FieldError(field: "isolated_margin", reason: "an isolated position's margin must be greater than zero (leave it empty for the one its leverage implies)")
        }
        if mode == .isolated && isolatedMargin == nil && leverage == nil && !closes {
            throw FieldError(field: "isolated_margin", reason: "an isolated position needs isolated_margin or leverage")
        }
        let positionSideText = value("position_side")?.trimmed ?? ""
        guard let positionSide = PositionSide(label: positionSideText) else {
            throw FieldError(field: "position_side", reason: "expected BOTH, LONG or SHORT, got '\(positionSideText)'")
        }
        if positionSide != .both && positionSide.rawValue != side.rawValue {
            throw FieldError(field: "position_side", reason: "a \(positionSide.label) leg must have side \(positionSide == .long ? "long" : "short")")
        }
        // A wallet on an isolated row states the account's wallet as a cross row's does: it was
        // dropped without a word, and the account's cross leg judged against the wallet its
        // leverage implies, 3,000 where the row said 100 (attacker trial).
        return PositionUpdate(account: account, symbol: symbol, side: side, quantity: size, entryPrice: entry, mode: mode,
            isolatedMargin: mode == .isolated ? isolatedMargin : nil, walletBalance: walletBalance,
            leverage: leverage, positionSide: positionSide)
    }
}

extension String {
    /// Without the ASCII spaces and tabs around it (a padded CSV cell). Only those: Unicode's
    /// other spaces (no-break, ideographic, line separator) are part of a name, and trimmed they
    /// made `alice`, `alice` + NBSP and U+3000 + `alice` one account (attacker trial).
    var trimmed: String {
        var text = Substring(self)
        func isPadding(_ character: Character) -> Bool { character == " " || character == "\t" || character == "\r" || character == "\n" }
        while let first = text.first, isPadding(first) { text.removeFirst() }
        while let last = text.last, isPadding(last) { text.removeLast() }
        return String(text)
    }
}
