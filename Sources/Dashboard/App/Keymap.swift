/// Everything a key can ask for.
public enum Action: Hashable, Sendable, CaseIterable {
    case help, quit, focusNext, focusPrevious, moveUp, moveDown, pageUp, pageDown, top, bottom
    case drillDown, back, filter, nextSortColumn, reverseSort, pause, step, faster, slower
    case nextNotable, previousNotable, jumpToTime, whatIf, acknowledge, nextTheme, ladderGrouping, health
    case focusMarkets, alertsView, tapeDeficitsOnly
}

public struct KeyBinding: Sendable, Equatable {
    public var keys: [Key]
    public var action: Action
    public var description: String
    /// At most 25 cells, for the help's two columns at 80×24 (a cut "filter positions by accou"
    /// said less than a short whole one).
    public var short: String? = nil

    /// The description that fits `width` cells: the whole one, else the short one.
    public func description(fitting width: Int) -> String {
        DisplayWidth.of(description) <= width ? description : (short ?? description)
    }
}

/// Why a key map was refused. A key that did two things would do one of them silently.
public enum KeymapError: Error, Equatable, Sendable {
    /// `key` was given to `action` but `other` has it too.
    case keyBoundTwice(Key, action: Action, other: Action)
    /// An action left with no key could never be asked for (Esc to close a view, `q` to quit).
    case noKeys(Action)
}

/// The one table that drives both key handling and the help overlay: `Keymap.standard`, or the
/// standard one with some actions rebound (config.toml's `[keys]`). Nothing here places or changes
/// an order: liqwatch only watches.
public struct Keymap: Sendable, Equatable {
    /// In the order the help lists them.
    public let bindings: [KeyBinding]
    private let table: [Key: Action]

    public static let standard = Keymap(checked: standardBindings)

    static let standardBindings: [KeyBinding] = [
        KeyBinding(keys: [.character("?")], action: .help, description: "help (this screen)"),
        KeyBinding(keys: [.character("q")], action: .quit, description: "quit"),
        KeyBinding(keys: [.tab], action: .focusNext, description: "focus the next pane"),
        KeyBinding(keys: [.backTab], action: .focusPrevious, description: "focus the previous pane"),
        KeyBinding(keys: [.up, .character("k")], action: .moveUp, description: "move up (a click selects, the wheel scrolls)", short: "move up (click, wheel)"),
        KeyBinding(keys: [.down, .character("j")], action: .moveDown, description: "move down"),
        KeyBinding(keys: [.pageUp], action: .pageUp, description: "page up"),
        KeyBinding(keys: [.pageDown], action: .pageDown, description: "page down"),
        KeyBinding(keys: [.home, .character("g")], action: .top, description: "first row"),
        KeyBinding(keys: [.end, .character("G")], action: .bottom, description: "last row"),
        KeyBinding(keys: [.character("m")], action: .focusMarkets, description: "focus the markets pane (sessions with more than one market)", short: "focus the markets pane"),
        KeyBinding(keys: [.enter], action: .drillDown, description: "open: position, tape liquidation, or focus the market (or click the selected row)", short: "open the selected row"),
        KeyBinding(keys: [.escape], action: .back, description: "back / close"),
        KeyBinding(keys: [.character("/")], action: .filter, description: "filter positions (or the tape) by account or symbol, markets by symbol", short: "filter by account, symbol"),
        KeyBinding(keys: [.character("d")], action: .tapeDeficitsOnly, description: "tape: only liquidations with a deficit or ADL (again: all)", short: "tape: deficits/ADL only"),
        KeyBinding(keys: [.character("s")], action: .nextSortColumn, description: "sort positions (or markets) by the next column", short: "sort by the next column"),
        KeyBinding(keys: [.character("S")], action: .reverseSort, description: "reverse the sort direction", short: "reverse the sort"),
        KeyBinding(keys: [.character(" ")], action: .pause, description: "pause / resume the replay", short: "pause / resume"),
        KeyBinding(keys: [.character(".")], action: .step, description: "step one event (pauses)", short: "step one event"),
        KeyBinding(keys: [.character("+"), .character("=")], action: .faster, description: "replay faster"),
        KeyBinding(keys: [.character("-")], action: .slower, description: "replay slower"),
        KeyBinding(keys: [.character("]")], action: .nextNotable, description: "next liquidation, deficit or alert (tape filter d on: deficit or ADL)", short: "next liquidation/alert"),
        KeyBinding(keys: [.character("[")], action: .previousNotable, description: "previous liquidation, deficit or alert (tape filter d on: deficit or ADL)", short: "prev. liquidation/alert"),
        KeyBinding(keys: [.character(":")], action: .jumpToTime, description: "jump to a time (HH:MM:SS, a date before it in a session of several days) or a percentage (50%)", short: "jump to HH:MM:SS or 50%"),
        KeyBinding(keys: [.character("x")], action: .whatIf, description: "what-if: shock the mark by a percentage", short: "what-if: shock the mark"),
        KeyBinding(keys: [.character("a")], action: .acknowledge, description: "mark every alert seen (they stay in the alerts view)", short: "mark every alert seen"),
        KeyBinding(keys: [.character("A")], action: .alertsView, description: "alerts: every one with its time, market and value; Enter goes to its market (and time)", short: "alerts view"),
        KeyBinding(keys: [.character("t")], action: .nextTheme, description: "next theme"),
        KeyBinding(keys: [.character("z")], action: .ladderGrouping, description: "ladder grouping (1, 10, 100, 1000 ticks)", short: "ladder grouping (ticks)"),
        KeyBinding(keys: [.character("h")], action: .health, description: "feed health: every stream, its age, rate, gaps, re-syncs, reconnects", short: "feed health per stream"),
    ]

    /// The standard table is known to be consistent (a test checks it), so it is built unchecked.
    private init(checked bindings: [KeyBinding]) {
        self.bindings = bindings
        var table: [Key: Action] = [:]
        for binding in bindings { for key in binding.keys { table[key] = binding.action } }
        self.table = table
    }

    /// The standard map with every action in `overrides` bound to its keys instead of the standard
    /// ones (the help keeps its order and descriptions). Refused when a key would do two things, or
    /// an action would be left with no key.
    public init(overrides: [Action: [Key]]) throws(KeymapError) {
        var bindings = Self.standardBindings
        for index in bindings.indices {
            guard let keys = overrides[bindings[index].action] else { continue }
            guard !keys.isEmpty else { throw .noKeys(bindings[index].action) }
            var unique: [Key] = []
            for key in keys where !unique.contains(key) { unique.append(key) }
            bindings[index].keys = unique
        }
        var table: [Key: Action] = [:]
        for binding in bindings {
            for key in binding.keys {
                if let other = table[key], other != binding.action {
                    throw .keyBoundTwice(key, action: binding.action, other: other)
                }
                table[key] = binding.action
            }
        }
        self.bindings = bindings
        self.table = table
    }

    public func action(for key: Key) -> Action? { table[key] }

    /// The keys bound to `action`, first the one the footer names.
    public func keys(for action: Action) -> [Key] { bindings.first { $0.action == action }?.keys ?? [] }

    /// How the footer and the titles name an action's key: its first key ("?", "Esc").
    public func label(for action: Action) -> String { keys(for: action).first?.label ?? "" }
}
