import Dashboard
import RiskEngine
import ScreenKit

/// Keys as config.toml writes them: one character (`"q"`, `"?"`, `" "` or `"space"`), or the
/// name the help shows for a key that has no character (`"Up"`, `"PgDn"`, `"Esc"`, `"S-Tab"`).
public enum KeyNames {
    /// Lower-cased names: `"esc"`, `"ESC"` and `"Esc"` are the same key.
    static let named: [String: Key] = [
        "up": .up, "down": .down, "left": .left, "right": .right,
        "pgup": .pageUp, "pageup": .pageUp, "pgdn": .pageDown, "pagedown": .pageDown,
        "home": .home, "end": .end, "enter": .enter, "return": .enter,
        "esc": .escape, "escape": .escape, "tab": .tab,
        "s-tab": .backTab, "shift-tab": .backTab, "backtab": .backTab,
        "backspace": .backspace, "space": .character(" "),
    ]

    /// The key a name stands for, nil for a name no key has.
    public static func key(named name: String) -> Key? {
        if name.count == 1, let character = name.first {
            // A control or invisible format character is not a key one can type and see in the help.
            guard !character.unicodeScalars.contains(where: SafeText.isUnsafe) else { return nil }
            // Nor one that shows nothing: a lone combining accent, a blank other than the space
            // (`quit = ["\u0301"]` and `pause = ["\u3000"]` passed, and the help showed a key
            // of nothing: attacker trial).
            // One scalar: a terminal sends a flag, an emoji with a skin tone, a conjunct or a
            // letter with a combining accent as several keys, so such a key could never be typed
            // (bound to quit, only Ctrl-C got out: attacker trial); nor a noncharacter, a blank
            // that shows nothing (U+2800) or a character of no assigned meaning.
            guard character.unicodeScalars.count == 1, let scalar = character.unicodeScalars.first,
                  DisplayWidth.of(name) > 0, character == " " || !character.isWhitespace,
                  ![.nonspacingMark, .enclosingMark, .spacingMark, .unassigned, .privateUse, .surrogate]
                    .contains(scalar.properties.generalCategory),
                  !scalar.properties.isNoncharacterCodePoint, scalar.value != 0x2800
            else { return nil }
            return .character(character)
        }
        return named[name.lowercased()]
    }

    /// A key name as a message shows it: every character other than printable ASCII as its code
    /// point (`U+00A0`), so a blank or invisible one is seen.
    static func visible(_ name: String) -> String {
        name.unicodeScalars.map { $0.value >= 0x21 && $0.value <= 0x7E ? String($0) : String(format: "U+%04X", $0.value) }.joined()
    }

    /// How the printed default file names a key (read back by `key(named:)`).
    public static func name(of key: Key) -> String {
        switch key {
        case .character(" "): return "space"
        case .character(let character): return String(character)
        case .up: return "Up"
        case .down: return "Down"
        case .left: return "Left"
        case .right: return "Right"
        case .pageUp: return "PgUp"
        case .pageDown: return "PgDn"
        case .home: return "Home"
        case .end: return "End"
        case .enter: return "Enter"
        case .escape: return "Esc"
        case .tab: return "Tab"
        case .backTab: return "S-Tab"
        case .backspace: return "Backspace"
        }
    }

    /// Every name a key can be given by, for the message that refuses an unknown one.
    static let spelledOut = "one character, space, Up, Down, Left, Right, PgUp, PgDn, Home, End, Enter, Esc, Tab, S-Tab or Backspace"
}

/// Actions as config.toml's `[keys]` names them: snake case of what they do.
public enum ActionNames {
    public static func name(of action: Action) -> String {
        switch action {
        case .help: return "help"
        case .quit: return "quit"
        case .focusNext: return "focus_next"
        case .focusPrevious: return "focus_previous"
        case .moveUp: return "move_up"
        case .moveDown: return "move_down"
        case .pageUp: return "page_up"
        case .pageDown: return "page_down"
        case .top: return "top"
        case .bottom: return "bottom"
        case .drillDown: return "drill_down"
        case .back: return "back"
        case .filter: return "filter"
        case .nextSortColumn: return "next_sort_column"
        case .reverseSort: return "reverse_sort"
        case .pause: return "pause"
        case .step: return "step"
        case .faster: return "faster"
        case .slower: return "slower"
        case .nextNotable: return "next_notable"
        case .previousNotable: return "previous_notable"
        case .jumpToTime: return "jump_to_time"
        case .whatIf: return "what_if"
        case .acknowledge: return "acknowledge"
        case .nextTheme: return "next_theme"
        case .ladderGrouping: return "ladder_grouping"
        case .health: return "health"
        case .focusMarkets: return "focus_markets"
        case .alertsView: return "alerts_view"
        case .tapeDeficitsOnly: return "tape_deficits_only"
        }
    }

    public static func action(named name: String) -> Action? { Action.allCases.first { self.name(of: $0) == name } }
}
