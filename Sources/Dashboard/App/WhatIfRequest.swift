import RiskEngine

/// A what-if the operator asked for: a shock of one market's mark, projected on a copy of the
/// engine as it was at the moment of asking (a value: the copy costs nothing until either side
/// changes).
public struct WhatIfRequest: Sendable {
    public let id: Int
    public let symbol: String
    public let shockPercent: Fixed
    public private(set) var engine: Engine

    /// Gives the request's engine arrays of its own (see `Engine.separateStorage`), so that the
    /// session's next change does not copy a million positions on the UI thread.
    public mutating func separateStorage() {
        engine.separateStorage()
    }

    /// The projection: the shock asked for and the standard ladder beside it. Runs for a second at
    /// a million positions, so the dashboard runs it off its UI thread.
    public func project() -> WhatIfOutcome {
        do throws(StressError) {
            let shock = try engine.stress(symbol: symbol, shockPercent: shockPercent)
            return WhatIfOutcome(id: id, result: .success(WhatIfOutcome.Projection(shock: shock, ladder: engine.stressLadder(symbol: symbol))))
        } catch {
            return WhatIfOutcome(id: id, result: .failure(error))
        }
    }
}

/// A projected what-if, for `AppModel.deliverWhatIf`.
public struct WhatIfOutcome: Sendable {
    public struct Projection: Sendable {
        public var shock: StressResult
        public var ladder: [StressResult]
    }

    public let id: Int
    public let result: Result<Projection, StressError>
}
