import RiskEngine

/// Counts of what the replay read, for the report.
public struct FrameStats: Sendable {
    public struct Malformed: Hashable, Sendable {
        public var file: String
        public var line: Int
        public var field: String
    }

    public var read = 0
    public var applied = 0
    public var malformed = 0
    public var skipped = 0
    public var firstMalformed: [Malformed] = []
    /// The newest malformed line, for the health view: in a shift's live session the first twenty
    /// say nothing of the line that went wrong now.
    public var lastMalformed: Malformed?
    /// Frames of instruments liqwatch does not watch, by instrument and reason (an OKX capture's
    /// spot `okx:BTC-USDT`): read, well-formed, skipped, and said so in the report.
    public var skippedInstruments: [String: Int] = [:]
    public static let malformedKept = 20

    /// Kept with what came from outside escaped (`SafeText`): some decoders' reasons quoted a
    /// line's text as it came (`unknown type '\u{1B}]0;…'`), and a script printing the JSON
    /// report's field wrote the escape sequence to its terminal (attacker trial).
    mutating func noteMalformed(file: String, line: Int, field: String) {
        malformed += 1
        let kept = Malformed(file: SafeText.escaped(file), line: line, field: SafeText.escaped(field))
        lastMalformed = kept
        if firstMalformed.count < FrameStats.malformedKept { firstMalformed.append(kept) }
    }
}
