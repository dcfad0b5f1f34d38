import Dashboard
import Dispatch
import Synchronization

/// Projects the dashboard's what-ifs on a thread of their own, one at a time: a shock and its
/// ladder cost a second at a million positions, which the keys and the session must not wait
/// for. The run loop hands a request over (`start`) and collects the outcome in a later turn
/// (`takeFinished`); a request made while one runs waits, and only the latest waiting one is
/// kept (the model shows only the latest).
public final class WhatIfWorker: Sendable {
    private struct State {
        var running = false
        var waiting: WhatIfRequest?
        var finished: [WhatIfOutcome] = []
    }

    private let state = Mutex(State())
    private let queue = DispatchQueue(label: "liqwatch.what-if", qos: .userInitiated)

    public init() {}

    /// Whether a projection is under way or waiting (the run loop then wakes to collect it).
    public var isBusy: Bool { state.withLock { $0.running || $0.waiting != nil || !$0.finished.isEmpty } }

    public func start(_ request: WhatIfRequest) {
        let startNow = state.withLock { state -> Bool in
            if state.running { state.waiting = request; return false }
            state.running = true
            return true
        }
        if startNow { run(request) }
    }

    private func run(_ request: WhatIfRequest) {
        queue.async { [self] in
            let outcome = request.project()
            let next = state.withLock { state -> WhatIfRequest? in
                state.finished.append(outcome)
                guard let waiting = state.waiting else { state.running = false; return nil }
                state.waiting = nil
                return waiting
            }
            if let next { run(next) }
        }
    }

    /// The outcomes finished since the last call, oldest first.
    public func takeFinished() -> [WhatIfOutcome] {
        state.withLock { state in
            defer { state.finished.removeAll() }
            return state.finished
        }
    }
}
