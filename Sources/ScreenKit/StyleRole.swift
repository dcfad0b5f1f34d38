import RiskEngine

/// What a cell means, never what colour it is: a theme maps roles to colours, and the terminal
/// backend maps colours to what the terminal can show.
public enum StyleRole: String, CaseIterable, Hashable, Sendable {
    case text
    case dim
    case title
    case border
    case header
    case selection
    case statusBar = "status_bar"
    case bookBid = "book_bid"
    case bookAsk = "book_ask"
    case bookBidBar = "book_bid_bar"
    case bookAskBar = "book_ask_bar"
    case spreadRow = "spread_row"
    case liquidationMarker = "liquidation_marker"
    case consumed
    case ok
    case warn
    case alert
    case positive
    case negative
    case fund
    case exchange
    case help

    /// Whether the role must stand out without colour (monochrome, NO_COLOR).
    public var isEmphasised: Bool {
        switch self {
        case .title, .header, .alert, .selection, .statusBar: return true
        default: return false
        }
    }
}

extension StyleRole {
    /// The role that shows an engine class: ok, warn or alert.
    public static func level(_ level: SignalLevel) -> StyleRole {
        switch level {
        case .ok: return .ok
        case .warn: return .warn
        case .alert: return .alert
        }
    }
}
