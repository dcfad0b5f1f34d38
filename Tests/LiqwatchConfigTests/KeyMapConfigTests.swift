import Dashboard
import RiskEngine
import ScreenKit
import Testing
@testable import LiqwatchConfig

@Suite("config.toml: [keys]")
struct KeyMapConfigTests {
    @Test("a [keys] table rebinds actions; the rest keep their standard keys")
    func rebinds() throws {
        let keymap = try read("""
            [keys]
            quit = ["q", "Q"]
            help = ["?", "F"]
            move_up = ["Up", "K"]
            focus_previous = "S-Tab"
            pause = ["space", "P"]
            back = ["esc"]
            """).settings.keymap
        #expect(keymap.action(for: .character("Q")) == .quit)
        #expect(keymap.action(for: .character("q")) == .quit)
        #expect(keymap.action(for: .character("F")) == .help)
        #expect(keymap.action(for: .character("K")) == .moveUp)
        // k is no longer move up: the action's keys were replaced, not added to.
        #expect(keymap.action(for: .character("k")) == nil)
        #expect(keymap.action(for: .backTab) == .focusPrevious)
        #expect(keymap.action(for: .character(" ")) == .pause)
        #expect(keymap.action(for: .character("P")) == .pause)
        #expect(keymap.action(for: .escape) == .back)
        #expect(keymap.action(for: .character("x")) == .whatIf)
        #expect(keymap.bindings.map(\.action) == Keymap.standard.bindings.map(\.action))
    }

    @Test("a key bound to two actions, an unknown action and an unknown key are refused with file, line and key")
    func refusals() {
        #expect(refusal("[keys]\n\nquit = [\"q\", \"h\"]\n") == [
            "config.toml:3: keys.quit: 'h' is also bound to health; a key may do one thing only",
        ])
        #expect(refusal("[keys]\nhealth = [\"H\"]\nquit = [\"q\", \"H\"]\n") == [
            "config.toml:3: keys.quit: 'H' is also bound to health; a key may do one thing only",
        ])
        let unknownAction = refusal("[keys]\nexplode = [\"e\"]\n")
        #expect(unknownAction.count == 1)
        #expect(unknownAction.first?.hasPrefix("config.toml:2: keys.explode: unknown action 'explode' (actions: help, quit, ") == true, "\(unknownAction)")
        let unknownKey = refusal("[keys]\nhelp = [\"?\", \"F13\"]\n")
        #expect(unknownKey == ["config.toml:2: keys.help: unknown key 'F13' (a key is \(KeyNames.spelledOut))"])
        #expect(refusal("[keys]\nquit = []\n") == [
            "config.toml:2: keys.quit: needs at least one key (an action with none could never be asked for)",
        ])
        #expect(refusal("[keys]\nquit = 1\n") == ["config.toml:2: keys.quit: must be a list of strings, not an integer"])
    }

    @Test("the effective map drives the keys, the help overlay and the footer")
    func drivesTheDashboard() throws {
        let keymap = try read("[keys]\nquit = [\"Q\"]\nhelp = [\"H\"]\nhealth = [\"F\"]\n").settings.keymap
        var model = AppModel(width: 120, height: 40, status: SessionStatus(kind: "DEMO", source: "test"), keymap: keymap)
        #expect(model.rendered().text.contains("H help  Q quit"))
        #expect(model.update(.key(.character("q"))).isEmpty)
        _ = model.update(.key(.character("H")))
        let help = model.rendered().text
        #expect(help.contains("Keys · H or Esc closes"), "\(help)")
        // The key column is 16 wide when every key fits in one column.
        let padding = String(repeating: " ", count: 15)
        #expect(help.contains("Q\(padding)quit"), "\(help)")
        #expect(help.contains("F\(padding)feed health"), "\(help)")
        _ = model.update(.key(.character("H")))
        #expect(!model.rendered().text.contains("Keys ·"))
        #expect(model.update(.key(.character("Q"))) == [.quit])
    }

    @Test("the standard map: every key names a key the file can write, and reads back as itself")
    func keyNames() {
        for binding in Keymap.standard.bindings {
            for key in binding.keys { #expect(KeyNames.key(named: KeyNames.name(of: key)) == key, "\(key)") }
        }
        for action in Action.allCases { #expect(ActionNames.action(named: ActionNames.name(of: action)) == action) }
        #expect(KeyNames.key(named: "PgDn") == .pageDown)
        #expect(KeyNames.key(named: "\u{1B}") == nil)
        // An invisible character would be a key the help cannot show.
        #expect(KeyNames.key(named: "\u{202E}") == nil)
        #expect(KeyNames.key(named: "\u{200B}") == nil)
        // Nor a key that shows nothing: a lone combining accent, a blank other than the space,
        // the braille blank, a noncharacter; nor one a terminal sends as several keys (a flag,
        // a skin-toned emoji, a conjunct, a letter with a combining accent): attacker trials.
        for name in ["\u{0301}", "\u{3000}", "\u{00A0}", "\u{2800}", "\u{FFFF}", "\u{3FFFE}", "🇺🇸", "👍🏽", "क्ष", "e\u{0301}"] {
            #expect(KeyNames.key(named: name) == nil, "\(KeyNames.visible(name))")
        }
        // A composed accented letter, a wide character, a one-scalar emoji are keys.
        #expect(KeyNames.key(named: "\u{00E9}") == .character("\u{00E9}"))
        #expect(KeyNames.key(named: "中") == .character("中"))
        #expect(KeyNames.key(named: "👍") == .character("👍"))
        #expect(KeyNames.key(named: " ") == .character(" "))
        #expect(KeyNames.visible("q\u{00A0}") == "qU+00A0")
        #expect(KeyNames.key(named: "F1") == nil)
    }
}
