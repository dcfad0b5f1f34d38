import RiskEngine

/// The bottom line: what the keys do, a prompt being typed, or a notice.
enum FooterPane {
    static func render(_ model: AppModel, _ rect: Rect, _ buffer: inout Buffer) {
        buffer.fill(rect, role: .dim)
        // The screen's bottom-right cell is never written (a terminal scrolls when it is): a line
        // of the whole width lost its last character (`· paused (space plays on` at 80 columns).
        let room = max(0, rect.width - 1)
        if case .prompt(let prompt) = model.mode {
            let x = buffer.put(prompt.label, x: rect.x, y: rect.y, role: .title)
            buffer.put(prompt.text + "▏", x: x, y: rect.y, role: .text)
            return
        }
        if let notice = model.footerNotice {
            buffer.put(NoticeForms.fitting(notice, width: room), x: rect.x, y: rect.y, role: .warn)
            return
        }
        if let chosen = model.chosenSymbol, model.engine.market(chosen) == nil {
            // --symbol named a market the session has not shown yet (or never will); or a
            // market chosen in the session that a seek back went to before.
            let text = model.chosenOnCommandLine ? "--symbol \(chosen): no such market in this session yet; showing the riskiest"
                : "\(chosen): not in the session at this time (it appears later); showing the riskiest"
            buffer.put(Format.wordsThatFit(text, room), x: rect.x, y: rect.y, role: .warn)
            return
        }
        let hints = viewHints(model) ?? hints(model.keymap, replay: !model.status.isLive, tapeFocused: model.focus == .tape,
            listFocused: [.positions, .markets, .tape].contains(model.focus))
        buffer.put(hintsThatFit(hints, room), x: rect.x, y: rect.y, role: .dim)
    }

    /// A view's own keys, where they differ from the dashboard's: the footer said "Enter detail"
    /// in the what-if, where Enter does nothing (operator trial). Nil: the dashboard's.
    static func viewHints(_ model: AppModel) -> String? {
        func key(_ action: Action) -> String { model.keymap.label(for: action) }
        let scroll = "\(key(.moveUp))\(key(.moveDown)) \(key(.pageUp))/\(key(.pageDown)) \(key(.top))/\(key(.bottom)) scroll"
        switch model.mode {
        case .whatIf: return ["\(key(.back)) back", scroll, "\(key(.whatIf)) close", "\(key(.quit)) quit"].joined(separator: "  ")
        case .detail:
            // The jumps work in the view (it stays open while its position exists): said.
            let replayKeys = model.status.isLive ? [] : ["\(key(.pause)) pause", "\(key(.previousNotable)) \(key(.nextNotable)) jump", "\(key(.jumpToTime)) time"]
            return (["\(key(.back)) back", scroll] + replayKeys + ["\(key(.quit)) quit"]).joined(separator: "  ")
        case .alerts:
            // Its own keys: it showed the dashboard's (a tape filter, sorting) while none of them
            // acts in it (operator trial).
            return ["\(key(.drillDown)) go to", "\(key(.acknowledge)) seen", "\(key(.back)) back", scroll, "\(key(.quit)) quit"].joined(separator: "  ")
        case .help, .health:
            // Its keys: it showed the dashboard's, none of which acts in it (operator trial).
            let own: String
            if case .help = model.mode { own = key(.help) } else { own = key(.health) }
            return ["\(own) or \(key(.back)) back", "\(key(.quit)) quit"].joined(separator: "  ")
        case .liquidation(let entry):
            if case .simulated = entry {
                return ["\(key(.drillDown)) its position", "\(key(.back)) back", "\(key(.quit)) quit"].joined(separator: "  ")
            }
            return ["\(key(.back)) back", "\(key(.quit)) quit"].joined(separator: "  ")
        default: return nil
        }
    }

    /// The hints that fit whole (`space pau` told nothing); the help has them all.
    static func hintsThatFit(_ keymap: Keymap, _ width: Int, replay: Bool = true) -> String {
        hintsThatFit(hints(keymap, replay: replay), width)
    }

    /// The hints of `text` (separated by two spaces) that fit whole.
    static func hintsThatFit(_ text: String, _ width: Int) -> String {
        var shown = ""
        for hint in text.components(separatedBy: "  ") {
            let next = shown.isEmpty ? hint : shown + "  " + hint
            guard DisplayWidth.of(next) <= width else { break }
            shown = next
        }
        return shown
    }

    /// What the keys do, from the keymap in force: a rebound key is named as it now is. A live
    /// session is not told of the replay's keys (pause, step, speed, jumps), which it refuses.
    /// With the tape focused, its own keys in place of the sort's (which sorts the positions).
    /// A pane that is no list (the ladder, the signals, the fund) has no rows of its own to
    /// open or filter: the arrows and `/` act on the positions, and the hints say so (they offered
    /// `Enter detail`, which did nothing there: operator trial).
    static func hints(_ keymap: Keymap, replay: Bool = true, tapeFocused: Bool = false, listFocused: Bool = true) -> String {
        func key(_ action: Action) -> String { keymap.label(for: action) }
        let jumps = ["\(key(.previousNotable)) \(key(.nextNotable)) jump", "\(key(.jumpToTime)) time"]
        // A replay's pause, time and jumps come right after help and quit: at 80 columns they
        // went first, after the list's keys, and a cascade is when they are wanted (operator
        // trial). On the tape the jumps before the pause: found a deficit, going to it is the next key.
        let urgent = replay ? (tapeFocused ? jumps + ["\(key(.pause)) pause"] : ["\(key(.pause)) pause", jumps[1], jumps[0]]) : []
        let playing = replay ? ["\(key(.step)) step", "\(key(.faster))/\(key(.slower)) speed"] : []
        let listKeys = listFocused
            ? ["\(key(.moveUp))\(key(.moveDown)) move", "\(key(.drillDown)) detail"]
            : ["\(key(.moveUp))\(key(.moveDown)) positions"]
        return ([
            "\(key(.help)) help", "\(key(.quit)) quit",
        ] + urgent + ["\(key(.focusNext)) focus"] + listKeys + (tapeFocused
            ? ["\(key(.filter)) filter tape", "\(key(.tapeDeficitsOnly)) deficits/ADL"]
            : [listFocused ? "\(key(.filter)) filter" : "\(key(.filter)) filter positions", "\(key(.nextSortColumn))/\(key(.reverseSort)) sort"]) + playing + [
            "\(key(.whatIf)) what-if", "\(key(.acknowledge)) seen", "\(key(.alertsView)) alerts", "\(key(.nextTheme)) theme",
            "\(key(.ladderGrouping)) group",
        ]).joined(separator: "  ")
    }
}
