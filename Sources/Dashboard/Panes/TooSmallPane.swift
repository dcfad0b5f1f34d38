import RiskEngine

enum TooSmallPane {
    static func render(_ model: AppModel, _ buffer: inout Buffer) {
        let lines = lines(width: model.width, height: model.height)
        let top = max(0, (model.height - lines.count) / 2)
        for (offset, text) in lines.enumerated() {
            let x = max(0, (model.width - DisplayWidth.of(text)) / 2)
            buffer.put(text, x: x, y: top + offset, role: offset == 0 ? .alert : .text)
        }
    }

    /// The message wrapped at word boundaries into `width`, what matters first: the size needed
    /// is a word of its own, never cut (at 30×8 the one line read `liqwatch needs at l`, cut
    /// before the figure the operator needed: attacker trial). A word wider than the screen is
    /// left out, and lines past its height are.
    static func lines(width: Int, height: Int) -> [String] {
        let needed = "\(AppModel.minimumWidth)×\(AppModel.minimumHeight)"
        // A cell short of the width: a terminal's last cell of its last row is never written,
        // and a line ending there lost its last character (`80×2` at 5×2: attacker trial).
        let room = max(0, width - 1)
        let full = wrapped(["terminal too small", "needs at least \(needed)", "now \(width)×\(height)", "resize the window, or q to quit"], width: room)
        if full.count <= height { return full }
        let short = wrapped(["too small", "need \(needed)", "now \(width)×\(height)", "q quits"], width: room)
        if short.count <= height { return short }
        return Array(wrapped([needed, "too small", "q quits"], width: room).prefix(max(0, height)))
    }

    static func wrapped(_ phrases: [String], width: Int) -> [String] {
        var lines: [String] = []
        for phrase in phrases {
            var line = ""
            for word in phrase.split(separator: " ").map(String.init) where DisplayWidth.of(word) <= width {
                if line.isEmpty { line = word; continue }
                if DisplayWidth.of(line) + 1 + DisplayWidth.of(word) <= width { line += " " + word; continue }
                lines.append(line)
                line = word
            }
            if !line.isEmpty { lines.append(line) }
        }
        return lines
    }
}
