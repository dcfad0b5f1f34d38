/// Everything a key can ask for.
public enum Action: Hashable, Sendable {
    case help, quit, focusNext, focusPrevious, moveUp, moveDown, pageUp, pageDown, top, bottom
    case drillDown, back, filter, nextSortColumn, reverseSort, pause, step, faster, slower
    case nextNotable, previousNotable, jumpToTime, whatIf, acknowledge, nextTheme, ladderGrouping, health
    case focusMarkets, alertsView
}

public struct KeyBinding: Sendable {
    public var keys: [Key]
    public var action: Action
    public var description: String
}

/// The one table that drives both key handling and the help overlay. Nothing here places or
/// changes an order: liqwatch only watches.
public enum Keymap {
    public static let bindings: [KeyBinding] = [
        KeyBinding(keys: [.character("?")], action: .help, description: "help (this screen)"),
        KeyBinding(keys: [.character("q")], action: .quit, description: "quit"),
        KeyBinding(keys: [.tab], action: .focusNext, description: "focus the next pane"),
        KeyBinding(keys: [.backTab], action: .focusPrevious, description: "focus the previous pane"),
        KeyBinding(keys: [.up, .character("k")], action: .moveUp, description: "move up (a click selects, the wheel scrolls)"),
        KeyBinding(keys: [.down, .character("j")], action: .moveDown, description: "move down"),
        KeyBinding(keys: [.pageUp], action: .pageUp, description: "page up"),
        KeyBinding(keys: [.pageDown], action: .pageDown, description: "page down"),
        KeyBinding(keys: [.home, .character("g")], action: .top, description: "first row"),
        KeyBinding(keys: [.end, .character("G")], action: .bottom, description: "last row"),
        KeyBinding(keys: [.character("m")], action: .focusMarkets, description: "focus the markets pane (sessions with more than one market)"),
        KeyBinding(keys: [.enter], action: .drillDown, description: "open: position, tape liquidation, or focus the market (or click the selected row)"),
        KeyBinding(keys: [.escape], action: .back, description: "back / close"),
        KeyBinding(keys: [.character("/")], action: .filter, description: "filter positions by account or symbol (markets by symbol)"),
        KeyBinding(keys: [.character("s")], action: .nextSortColumn, description: "sort positions (or markets) by the next column"),
        KeyBinding(keys: [.character("S")], action: .reverseSort, description: "reverse the sort direction"),
        KeyBinding(keys: [.character(" ")], action: .pause, description: "pause / resume the replay"),
        KeyBinding(keys: [.character(".")], action: .step, description: "step one event (pauses)"),
        KeyBinding(keys: [.character("+"), .character("=")], action: .faster, description: "replay faster"),
        KeyBinding(keys: [.character("-")], action: .slower, description: "replay slower"),
        KeyBinding(keys: [.character("]")], action: .nextNotable, description: "next liquidation, deficit or alert"),
        KeyBinding(keys: [.character("[")], action: .previousNotable, description: "previous liquidation, deficit or alert"),
        KeyBinding(keys: [.character(":")], action: .jumpToTime, description: "jump to a time (HH:MM:SS) or a percentage (50%)"),
        KeyBinding(keys: [.character("x")], action: .whatIf, description: "what-if: shock the mark by a percentage"),
        KeyBinding(keys: [.character("a")], action: .acknowledge, description: "mark every alert seen (they stay in the alerts view)"),
        KeyBinding(keys: [.character("A")], action: .alertsView, description: "alerts: every one with its time, market and value; Enter goes to its market (and time)"),
        KeyBinding(keys: [.character("t")], action: .nextTheme, description: "next theme"),
        KeyBinding(keys: [.character("z")], action: .ladderGrouping, description: "ladder grouping (1, 10, 100, 1000 ticks)"),
        KeyBinding(keys: [.character("h")], action: .health, description: "feed health: every stream, its age, rate, gaps, re-syncs, reconnects"),
    ]

    static let table: [Key: Action] = {
        var table: [Key: Action] = [:]
        for binding in bindings { for key in binding.keys { table[key] = binding.action } }
        return table
    }()

    public static func action(for key: Key) -> Action? { table[key] }
}
