import CNcurses
import RiskEngine
import Dashboard
import ScreenKit
#if canImport(Glibc)
import Glibc
#endif

/// What the terminal can show.
public enum ColourDepth: String, Sendable {
    case truecolor, palette256 = "256", palette16 = "16", palette8 = "8", none
}

/// Input from the terminal.
public enum TerminalInput: Sendable {
    case key(Key)
    case resize(width: Int, height: Int)
    case mouse(MouseEvent)
}

/// The only place that talks to ncurses. It flushes a `Buffer` to the screen (only the rows that
/// changed, through `wnoutrefresh`/`doupdate`, and nothing at all when nothing changed), reads keys,
/// follows resizes, maps theme colours to what the terminal can show, and restores the terminal on
/// exit, on Ctrl-C, SIGTERM, SIGHUP and on a crash.
public final class CursesTerminal {
    public let depth: ColourDepth
    public let unicode: Bool
    private var previous: Buffer?
    private var theme: Theme?
    private var ended = false
    private var rolePairs: [StyleRole: Int32] = [:]
    private var roleAttributes: [StyleRole: attr_t] = [:]
    private let screen: OpaquePointer?

    /// Starts curses on the controlling terminal. `output` lets a benchmark count the bytes curses
    /// writes (a memory stream); nil is the real terminal.
    public init(output: UnsafeMutablePointer<FILE>? = nil, input: UnsafeMutablePointer<FILE>? = nil, terminalType: String? = nil) {
        cn_set_locale_from_environment()
        unicode = cn_locale_is_utf8() != 0
        if output == nil {
            cn_save_terminal()
            cn_install_handlers()
        }
        if let output {
            screen = newterm(terminalType, output, input ?? fdopen(STDIN_FILENO, "r"))
            set_term(screen)
        } else {
            screen = nil
            initscr()
        }
        cbreak()
        noecho()
        nonl()
        keypad(cn_stdscr(), true)
        nodelay(cn_stdscr(), true)
        set_escdelay(25)
        curs_set(0)
        scrollok(cn_stdscr(), false)
        leaveok(cn_stdscr(), true)
        let noColour = getenv("NO_COLOR").map { String(cString: $0).isEmpty == false } ?? false
        if !noColour && has_colors() {
            start_color()
            use_default_colors()
            let colours = cn_colors()
            if colours >= 0x1000000 { depth = .truecolor }
            else if colours >= 256 { depth = .palette256 }
            else if colours >= 16 { depth = .palette16 }
            else if colours >= 8 { depth = .palette8 }
            else { depth = .none }
        } else {
            depth = .none
        }
    }

    deinit { restore() }

    /// Why the terminal `TERM` names cannot run the dashboard, or nil when it can: asked before
    /// curses starts, which ends the process itself on an unknown TERM (`Error opening terminal`)
    /// and drew nothing at all on TERM=dumb while q still quit (attacker trial).
    public static func unusableReason() -> String? {
        let name = getenv("TERM").map { String(cString: $0) } ?? ""
        let shown = SafeText.escaped(String(name.prefix(40)))
        let problem = cn_terminal_problem()
        if problem != 0 && name.isEmpty { return "TERM is not set: set it (xterm-256color), or use --headless for a report" }
        switch problem {
        case 0: return nil
        case 1: return "TERM=\(shown) names no terminal this system knows: set TERM (xterm-256color, screen-256color), or use --headless for a report"
        case 2: return "no terminfo database to describe TERM=\(shown): install ncurses-base, or use --headless for a report"
        default: return "TERM=\(shown) cannot place the cursor, which the dashboard needs: set TERM (xterm-256color), or use --headless for a report"
        }
    }

    public var size: (width: Int, height: Int) { (Int(cn_cols()), Int(cn_lines())) }

    /// Clicks and the wheel reach the dashboard (most terminals still select text with Shift).
    public func enableMouse() { cn_enable_mouse() }

    /// Leaves curses and gives the terminal back as it was.
    public func restore() {
        guard !ended else { return }
        ended = true
        // The alternate screen is cleared, with the cursor home, and left before curses leaves it
        // (its own exit puts the cursor on the last row first): tmux, resized while liqwatch ran,
        // brought the dashboard's rows back into the shell's screen as it left a full alternate
        // screen (found by replaying liqwatch's own output: a cleared one leaves nothing behind).
        // curses' own leaving is then a no-op.
        if screen == nil {
            let leave = "\u{1B}[H\u{1B}[2J\u{1B}[?1049l"
            _ = leave.withCString { write(STDOUT_FILENO, $0, strlen($0)) }
        }
        endwin()
        if let screen {
            // A terminal of our own (a benchmark's memory stream): the real one was never touched.
            delscreen(screen)
            return
        }
        cn_restore_terminal_raw()
    }

    /// SIGINT, SIGTERM or SIGHUP arrived: the run loop should quit.
    public var quitRequested: Bool { CursesTerminal.quitSignalPending }

    /// The same, asked from anywhere (a read the signal interrupted; see `FileByteSource`).
    public static var quitSignalPending: Bool { cn_take_quit_signal() != 0 }

    /// The signal that asked to quit (SIGINT for Ctrl-C), if one did: the process exits 128 + it.
    public var quitSignal: Int32? {
        let number = cn_take_quit_signal()
        return number == 0 ? nil : number
    }

    // MARK: Input

    /// Every key waiting, without blocking.
    public func readInput() -> [TerminalInput] {
        var inputs: [TerminalInput] = []
        var value: UInt32 = 0
        while true {
            let result = cn_get_wch(&value)
            if result == cn_err() { break }
            if result == cn_key_code_yes() {
                let code = Int32(value)
                if code == cn_key_mouse() {
                    var x: Int32 = 0
                    var y: Int32 = 0
                    switch cn_get_mouse(&x, &y) {
                    case 1: inputs.append(.mouse(.click(x: Int(x), y: Int(y))))
                    case 2: inputs.append(.mouse(.wheelUp(x: Int(x), y: Int(y))))
                    case 3: inputs.append(.mouse(.wheelDown(x: Int(x), y: Int(y))))
                    default: break
                    }
                    continue
                }
                if code == cn_key_resize() {
                    previous = nil
                    inputs.append(.resize(width: Int(cn_cols()), height: Int(cn_lines())))
                    continue
                }
                let map: [Int32: Key] = [
                    cn_key_up(): .up, cn_key_down(): .down, cn_key_left(): .left, cn_key_right(): .right,
                    cn_key_enter(): .enter, cn_key_btab(): .backTab, cn_key_backspace(): .backspace,
                    cn_key_npage(): .pageDown, cn_key_ppage(): .pageUp, cn_key_home(): .home, cn_key_end(): .end,
                ]
                if let key = map[code] { inputs.append(.key(key)) }
                continue
            }
            switch value {
            case 9: inputs.append(.key(.tab))
            case 10, 13: inputs.append(.key(.enter))
            case 27: inputs.append(.key(.escape))
            case 8, 127: inputs.append(.key(.backspace))
            case 3: cn_quit_handler_request()
            case 21: inputs.append(.key(.character(AppModel.clearLine)))
            default:
                if let scalar = Unicode.Scalar(value), value >= 32 { inputs.append(.key(.character(Character(scalar)))) }
            }
        }
        return inputs
    }

    // MARK: Output

    /// Draws the buffer, writing only rows that differ from the last frame. Returns the number of
    /// rows written (0: nothing reached the terminal).
    @discardableResult
    public func draw(_ buffer: Buffer, theme newTheme: Theme) -> Int {
        if theme != newTheme {
            theme = newTheme
            setUpColours(newTheme)
            previous = nil
        }
        let diff = FrameDiff(from: previous, to: buffer)
        let written = diff.rows
        for run in diff.runs {
            attrset(Int32(bitPattern: attributes(for: run.role)))
            let text = LibcUnmeasured.drawable(run.text) { cn_wcwidth($0) }
            _ = mvaddstr(Int32(run.row), Int32(run.column), text)
        }
        if written > 0 {
            wnoutrefresh(cn_stdscr())
            doupdate()
        }
        previous = buffer
        return written
    }

    /// Forgets the last frame so the next draw repaints everything (after a resize or a theme).
    /// Rings the terminal bell (or flashes, as the terminal is set up to), for a new alert.
    public func bell() {
        guard !ended else { return }
        beep()
    }

    /// Sets the window (or tmux pane) title with OSC 2, on terminals that have titles. The text is
    /// the program's own (counts and states), made safe all the same. The title the terminal had
    /// comes back when liqwatch leaves (q, a signal, a crash).
    public func setTitle(_ text: String) {
        guard !ended, screen == nil, Self.hasTitles else { return }
        // The operator's own title is kept on the terminal's title stack, and given back on exit.
        cn_push_title()
        let safe = SafeText.escaped(text)
        let sequence = "\u{1B}]2;" + safe + "\u{07}"
        _ = sequence.withCString { write(STDOUT_FILENO, $0, strlen($0)) }
    }

    /// xterm and its kin, tmux and screen take OSC 2; a Linux console or a dumb terminal does not.
    static let hasTitles: Bool = {
        guard let type = getenv("TERM").map({ String(cString: $0) }) else { return false }
        return ["xterm", "screen", "tmux", "rxvt", "alacritty", "kitty", "foot", "wezterm", "konsole", "gnome", "vte", "st-"].contains { type.hasPrefix($0) }
    }()

    public func invalidate() {
        previous = nil
        werase(cn_stdscr())
        clearok(cn_stdscr(), true)
    }

    private func attributes(for role: StyleRole) -> attr_t {
        (roleAttributes[role] ?? cn_a_normal()) | cn_color_pair(rolePairs[role] ?? 0)
    }

    private func setUpColours(_ theme: Theme) {
        rolePairs.removeAll()
        roleAttributes.removeAll()
        for (offset, role) in StyleRole.allCases.enumerated() {
            let style = theme.style(role)
            var attributes = style.bold ? cn_a_bold() : cn_a_normal()
            if depth == .none || theme.monochrome {
                // Emphasis without colour: bold and reverse video carry what colour would.
                if role.isEmphasised || role == .warn { attributes |= cn_a_bold() }
                if role == .selection || role == .statusBar || role == .alert { attributes |= cn_a_reverse() }
                if role == .dim || role == .border { attributes |= cn_a_dim() }
            }
            roleAttributes[role] = attributes
            guard depth != .none, !theme.monochrome else { continue }
            let pair = Int32(offset + 1)
            let foreground = colour(style.foreground)
            let background = (style.background ?? theme.background).map(colour) ?? -1
            if depth == .truecolor {
                init_extended_pair(pair, foreground, background)
            } else {
                init_pair(Int16(pair), Int16(foreground), Int16(background))
            }
            rolePairs[role] = pair
        }
        // Blank cells take the text role's colours, so a themed background fills the screen.
        if depth != .none && !theme.monochrome, let pair = rolePairs[.text] { bkgdset(cn_color_pair(pair)) }
    }

    /// A theme colour as the terminal's colour number.
    func colour(_ rgb: RGB) -> Int32 {
        switch depth {
        case .truecolor: return Int32(rgb.red) << 16 | Int32(rgb.green) << 8 | Int32(rgb.blue)
        case .palette256: return Int32(ColourMapping.xterm256(rgb))
        case .palette16: return Int32(ColourMapping.ansi(rgb, count: 16))
        case .palette8: return Int32(ColourMapping.ansi(rgb, count: 8))
        case .none: return -1
        }
    }
}

/// SIGINT by Ctrl-C when the terminal passes it through as a character (raw input).
func cn_quit_handler_request() { raise(SIGINT) }

/// Nearest-colour mapping for terminals without direct colour.
public enum ColourMapping {
    static let cubeLevels = [0, 95, 135, 175, 215, 255]

    /// The xterm 256-colour palette: the 6×6×6 cube or the 24 greys, whichever is closer.
    public static func xterm256(_ rgb: RGB) -> Int {
        func cubeIndex(_ value: UInt8) -> Int {
            var best = 0
            for (index, level) in cubeLevels.enumerated() where abs(level - Int(value)) < abs(cubeLevels[best] - Int(value)) { best = index }
            return best
        }
        let (r, g, b) = (cubeIndex(rgb.red), cubeIndex(rgb.green), cubeIndex(rgb.blue))
        let cube = 16 + 36 * r + 6 * g + b
        let cubeColour = (cubeLevels[r], cubeLevels[g], cubeLevels[b])
        let average = (Int(rgb.red) + Int(rgb.green) + Int(rgb.blue)) / 3
        let greyIndex = max(0, min(23, (average - 8 + 5) / 10))
        let greyLevel = 8 + 10 * greyIndex
        func distance(_ a: (Int, Int, Int)) -> Int {
            let dr = a.0 - Int(rgb.red), dg = a.1 - Int(rgb.green), db = a.2 - Int(rgb.blue)
            return dr * dr + dg * dg + db * db
        }
        return distance((greyLevel, greyLevel, greyLevel)) < distance(cubeColour) ? 232 + greyIndex : cube
    }

    static let ansiPalette: [(Int, Int, Int)] = [
        (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229),
        (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255), (255, 0, 255), (0, 255, 255), (255, 255, 255),
    ]

    public static func ansi(_ rgb: RGB, count: Int) -> Int {
        var best = 0
        var bestDistance = Int.max
        for index in 0..<min(count, ansiPalette.count) {
            let colour = ansiPalette[index]
            let dr = colour.0 - Int(rgb.red), dg = colour.1 - Int(rgb.green), db = colour.2 - Int(rgb.blue)
            let distance = dr * dr + dg * dg + db * db
            if distance < bestDistance { best = index; bestDistance = distance }
        }
        return best
    }
}
