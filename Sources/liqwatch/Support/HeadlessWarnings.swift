import RiskEngine

/// What a headless run's report says that nobody reading only the terminal may miss, said again on
/// standard error after the run: positions the engine refused (past the session's 8,000 markets
/// for positions, a hedge conflict, …) and events of markets past the session's limit. Said only
/// deep in the report, a file of 8,100 markets' positions ran with a hundred of them unwatched and
/// nothing on the terminal (attacker trial).
enum HeadlessWarnings {
    static func lines(engine: Engine, log: SessionLog) -> [String] {
        var lines: [String] = []
        if log.rejectedPositions > 0 {
            let count = log.rejectedPositions
            var line = "\(count) position\(count == 1 ? "" : "s") refused, not watched"
            if let last = log.rejections.last {
                line += " (\(count == 1 ? "" : "last: ")\(SafeText.escaped(last.account)) \(SafeText.escaped(last.symbol)): \(SafeText.escaped(last.reason)))"
            }
            lines.append(line + "; the report lists them under positions refused")
        }
        let past = engine.totals.eventsPastMarketLimit
        if past > 0 {
            lines.append("\(past) event\(past == 1 ? "" : "s") of markets past the session's limit of \(Engine.marketLimit) not applied")
        }
        return lines
    }

    static func print(engine: Engine, log: SessionLog) {
        for line in lines(engine: engine, log: log) { FileHandleOutput.standardError("liqwatch: \(line)\n") }
    }
}
