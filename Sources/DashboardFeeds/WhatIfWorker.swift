import Dashboard
import Dispatch
import Foundation
import MarketFeeds
import Synchronization

/// Projects the dashboard's what-ifs on a thread of their own, one at a time: a shock and its
/// ladder cost a second at a million positions, which the keys and the session must not wait
/// for. The run loop hands a request over (`start`) and collects the outcome in a later turn
/// (`takeFinished`); a request made while one runs waits, and only the latest waiting one is
/// kept (the model shows only the latest).
public final class WhatIfWorker: Sendable {
    private struct State {
        var running = false
        /// Requests whose engines are being made independent of the session's.
        var separating = 0
        var waiting: WhatIfRequest?
        var finished: [WhatIfOutcome] = []
    }

    private let state = Mutex(State())
    private let queue = DispatchQueue(label: "liqwatch.what-if", qos: .userInitiated)

    public init() {}

    /// Whether a projection is under way or waiting (the run loop then wakes to collect it).
    public var isBusy: Bool { state.withLock { $0.running || $0.separating > 0 || $0.waiting != nil || !$0.finished.isEmpty } }

    /// Whether a request's engine still shares the session's arrays: the session must not change
    /// until it is done, or its first change copies them all on the UI thread (a few hundred
    /// milliseconds at a million positions). The keys and the screen go on meanwhile.
    public var isSeparating: Bool { state.withLock { $0.separating > 0 } }

    public func start(_ request: WhatIfRequest) {
        let handOver = HandOver(request)
        state.withLock { $0.separating += 1 }
        DispatchQueue.global(qos: .userInitiated).async { [self] in
            guard var separated = handOver.take() else { return }
            separated.separateStorage()
            let startNow = state.withLock { state -> Bool in
                state.separating -= 1
                if state.running {
                    // Only the latest request is worth projecting (the model shows only it).
                    if state.waiting.map({ $0.id < separated.id }) ?? true { state.waiting = separated }
                    return false
                }
                state.running = true
                return true
            }
            if startNow { run(separated) }
        }
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
