import RiskEngine

extension SessionStatus {
    /// How the health view names a malformed line: its number and what was wrong first (numbers
    /// are never cut, so they lead), then where (a path or a publisher's address, the part that
    /// may be shortened). Every part came from outside, so each is filtered.
    public static func malformedLineText(place: String, line: Int, field: String) -> String {
        "line \(Format.count(line)) · \(SafeText.escaped(field)) · in \(SafeText.escaped(place))"
    }
}
