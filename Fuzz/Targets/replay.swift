// A whole replay of the input as a recording file: ReplaySession sniffs the format (a .gz when it
// starts with the gzip magic), decodes every line, keeps Binance books in sync (REST snapshot,
// depth updates, gaps and re-syncs), merges, applies to the engine with 200 synthetic positions
// seeded at each symbol's first mark (signals sampled, liquidations, fund, ADL), and records the
// session log. Single-threaded (threaded = false) so that a crash is reproducible.
//
// The file is named `fuzz_liquidations.csv` when the input's length is odd, `fuzz_input.csv` when
// it is even: only the name tells Tardis liquidations from trades.
import MarketFeeds
import RiskEngine

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let path = Scratch.write(data, size, name: size % 2 == 1 ? "fuzz_liquidations.csv" : "fuzz_input.csv")
    var options = SessionOptions()
    options.syntheticPositions = 200
    options.seed = 1
    options.threaded = false
    do {
        let session = try ReplaySession(paths: [path], options: options)
        try session.runToEnd()
        Fuzz.inspect(session.engine, stress: false)
        // What `--report` prints about the session's times (liqwatch's SessionReport).
        if let first = session.firstTime, let last = session.lastTime {
            _ = EventTime.iso8601(first) + EventTime.iso8601(last) + EventTime.duration(last - first)
        }
        for alert in session.log.alerts.suffix(20) { _ = EventTime.iso8601(alert.time) }
        for record in session.log.simulatedLiquidations.suffix(20) { _ = EventTime.iso8601(record.time) }
        for liquidation in session.log.exchangeLiquidations.suffix(20) { _ = EventTime.iso8601(liquidation.time) }
    } catch {
        // An unknown format or a damaged input is reported to the user: not a finding.
        _ = error.description
    }
    return 0
}
