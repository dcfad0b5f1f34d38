import ArgumentParser
import CursesTerminal
import Dashboard
import DashboardFeeds
import MarketFeeds
import RiskEngine
#if canImport(Glibc)
import Glibc
#endif

/// What the dashboard does with a new alert besides showing it: the bell, and the operator's
/// alert log and command.
struct DashboardAlerts {
    var bell = true
    var delivery: AlertDelivery? = nil
}

/// The interactive run loop: one thread owns the engine and the UI state. It sleeps in `poll` until
/// a key arrives or the next event is due (nothing else wakes it), applies the events the replay
/// clock says are due, and redraws at most 30 times a second, only when something changed.
enum DashboardRunner {
    static let frameInterval: UInt64 = 33_000_000

    static func run(session: any SessionDriver, themes: [Theme], speed: Double = 1, symbol: String? = nil, alerts: DashboardAlerts = DashboardAlerts(),
                    keymap: Keymap = .standard) throws {
        let clock = ReplayClock(driver: session)
        clock.setSpeed(speed, wall: Stopwatch.now())
        let feed = ReplayFeed(session: session, clock: clock)
        // A long jump is read a slice a turn: keys are answered meanwhile, space stops it.
        feed.jumpSlices = .interactive
        try run(feed: feed, themes: themes, symbol: symbol, alerts: alerts, keymap: keymap)
    }

    static func run(feed: any DashboardFeed, themes: [Theme], symbol: String? = nil, alerts: DashboardAlerts = DashboardAlerts(),
                    keymap: Keymap = .standard) throws {
        guard isatty(STDIN_FILENO) != 0 && isatty(STDOUT_FILENO) != 0 else {
            throw ValidationError("the dashboard needs a terminal; use --headless for a report")
        }
        if let reason = CursesTerminal.unusableReason() { throw ValidationError(reason) }
        let terminal = CursesTerminal()
        defer { terminal.restore() }
        // A replay blocked reading a silent FIFO or pipe gives the read up when a signal asks to
        // quit, so the first Ctrl-C or SIGTERM quits as it does otherwise.
        FileByteSource.givesUpInterruptedReads = { CursesTerminal.quitSignalPending }
        terminal.enableMouse()
        // However the loop ends: the last hooks a moment to finish (a second Ctrl-C ends the
        // wait), then none left behind (they outlived q and SIGTERM: attacker trial).
        defer {
            alerts.delivery?.waitForHooks(seconds: 2, stop: { CursesTerminal.quitSignalPending })
            alerts.delivery?.stopHooks()
        }
        try loop(feed: feed, themes: themes, terminal: terminal, symbol: symbol, alerts: alerts, keymap: keymap)
        // Quit by a signal: the terminal is restored (above), then the shell's convention,
        // 128 + the signal (130 for Ctrl-C).
        if let signal = terminal.quitSignal {
            terminal.restore()
            throw ExitCode(128 + signal)
        }
    }

    static func loop(feed: any DashboardFeed, themes: [Theme], terminal: CursesTerminal, symbol: String?, alerts: DashboardAlerts, keymap: Keymap) throws {
        let (width, height) = terminal.size
        var model = AppModel(width: width, height: height, status: feed.status(wall: Stopwatch.now()), engine: feed.engine,
            log: feed.log, themes: themes, unicode: terminal.unicode, symbol: symbol, keymap: keymap)
        var lastFrame: UInt64 = 0
        var failure: String? = nil
        var title = ""
        /// A jump read a slice a turn: its working notice, and what the footer said before it.
        var jumpUnderWay: (notice: String, said: String?)? = nil
        /// The session's state for the model, with how the alerts were handed on (the health view).
        func status(_ wall: UInt64) -> SessionStatus {
            var status = feed.status(wall: wall)
            status.alertDelivery = alerts.delivery?.summary.line
            return status
        }
        /// New alerts ring the bell (once for all that arrived together) and go to the log and hook.
        func tell(_ effects: [Effect]) {
            for case .told(let fresh) in effects {
                alerts.delivery?.deliver(fresh)
                if alerts.bell { terminal.bell() }
            }
        }
        /// Draws the frame now, and says so in the terminal's title when it changed.
        func draw(at wall: UInt64) {
            var buffer = Buffer(width: model.width, height: model.height, unicode: terminal.unicode)
            model.render(into: &buffer)
            terminal.draw(buffer, theme: model.theme)
            model.needsRedraw = false
            let wanted = model.windowTitle
            if wanted != title {
                title = wanted
                terminal.setTitle(wanted)
            }
            lastFrame = wall
        }
        model.detachSession()
        // What-ifs are projected off this thread: keys and the session go on meanwhile.
        model.projectsWhatIfInBackground = true
        let whatIfs = WhatIfWorker()
        loop: while true {
            if terminal.quitRequested { break }
            let inputs = terminal.readInput()
            // Keys first, on the screen the operator is looking at, and their answer drawn at once:
            // a key waits at most for the rest of the turn it arrived in (the session's work and
            // a slice of the table's rebuild), never for another turn's work or a frame's slot.
            if !inputs.isEmpty {
                model.attach(engine: feed.engine, log: feed.log)
                let wall = Stopwatch.now()
                for input in inputs {
                    // Ctrl-C (a signal) between keys too: behind a paste of 20,000 characters it
                    // waited 20 s for every key before it to be answered (attacker trial).
                    if terminal.quitRequested { break loop }
                    switch input {
                    case .resize(let newWidth, let newHeight):
                        terminal.invalidate()
                        _ = model.update(.resize(width: newWidth, height: newHeight))
                    case .key, .mouse:
                        let message: Msg
                        switch input {
                        case .key(let key): message = .key(key)
                        case .mouse(let event): message = .mouse(event)
                        case .resize: continue
                        }
                        for effect in model.update(message) {
                            if effect == .quit { break loop }
                            model.detachSession()
                            // A key for the replay stops a jump under way: its working notice goes.
                            if feed.isWorking && effect.actsOnTheReplay, let earlier = jumpUnderWay {
                                model.withdraw(notice: earlier.notice, restoring: earlier.said)
                                jumpUnderWay = nil
                            }
                            // Said before the work starts, drawn at once: it can take seconds.
                            let working = effect.workingNotice
                            let said = model.notice
                            if let working {
                                model.attach(engine: feed.engine, log: feed.log)
                                model.show(notice: working)
                                draw(at: Stopwatch.now())
                                model.detachSession()
                            }
                            do {
                                let replies = try feed.perform(effect, wall: wall)
                                if replies.contains(.underWay), let working {
                                    // Taken on a slice a turn: the notice stays until it lands.
                                    jumpUnderWay = (working, said)
                                } else if let working {
                                    model.withdraw(notice: working, restoring: said)
                                }
                                model.apply(replies)
                            } catch {
                                jumpUnderWay = nil
                                model.show(notice: error.description)
                            }
                            tell(model.update(.session(engine: feed.engine, log: feed.log, status: status(wall))))
                        }
                    }
                }
                // A key clears the footer's notice: a jump still under way says so again (the
                // footer read as if it had landed, its keys' help back, while the clock still ran).
                if let going = jumpUnderWay, feed.isWorking, model.notice == nil { model.show(notice: going.notice) }
                if let request = model.takeWhatIfRequest() { whatIfs.start(request) }
                if model.needsRedraw { draw(at: Stopwatch.now()) }
                model.detachSession()
            }
            // Delivered with the session attached: the view lays its list out with the markets'
            // instruments (detached, every quantity read three places and every price two: review).
            let finished = whatIfs.takeFinished()
            if !finished.isEmpty {
                model.attach(engine: feed.engine, log: feed.log)
                for outcome in finished { model.deliverWhatIf(outcome) }
                model.detachSession()
            }
            let now = Stopwatch.now()
            // The session's work, while the model holds no copy of the engine (see
            // `AppModel.attach`): the advance is bounded in wall time.
            var advanced = false
            // Not while a what-if's engine is being made independent of the session's (a moment).
            if failure == nil && !whatIfs.isSeparating {
                do { advanced = try feed.advance(wall: now) } catch {
                    failure = error.description
                    jumpUnderWay = nil
                    model.show(notice: "replay stopped: \(error.description)")
                }
            }
            // A jump that went on across turns has landed: what it says replaces its working notice.
            if let replies = feed.takeFinishedWork() {
                if let earlier = jumpUnderWay { model.withdraw(notice: earlier.notice, restoring: earlier.said) }
                jumpUnderWay = nil
                model.apply(replies)
            }
            if advanced {
                tell(model.update(.session(engine: feed.engine, log: feed.log, status: status(now))))
            } else {
                model.attach(engine: feed.engine, log: feed.log)
            }
            // The alerts are handed on after the status that counts them was taken, and a hook's
            // failure is counted when it ends: a replay read whole in its first turn showed
            // `alert log 0 written · on-alert 0 run` for good beside its written alert (attacker
            // trial). The health view's line follows the counts.
            if let delivery = alerts.delivery, delivery.summary.line != model.status.alertDelivery {
                tell(model.update(.session(engine: feed.engine, log: feed.log, status: status(now))))
            }
            // A slice of the table's rebuild (a few milliseconds, see `TableScan`): a pass over a
            // million positions is spread over turns, so keys are answered between slices.
            if model.hasPendingWork { model.completePendingWork(budget: .turn) }
            let afterWork = Stopwatch.now()
            if model.needsRedraw && afterWork &- lastFrame >= frameInterval { draw(at: afterWork) }
            model.detachSession()
            // Sleep until a key, the feed's next work, or the next allowed frame.
            var timeout: Int32 = failure == nil ? feed.millisecondsUntilDue(wall: afterWork) : -1
            if model.needsRedraw {
                let untilFrame = Int32((frameInterval &- min(frameInterval, afterWork &- lastFrame)) / 1_000_000)
                timeout = timeout < 0 ? untilFrame : min(timeout, untilFrame)
            }
            // A rebuild under way: the next turn does its next slice, unless a key arrives first.
            if model.hasPendingWork { timeout = 0 }
            // Hooks running: their ends are counted within a quarter of a second.
            if alerts.delivery?.hooksRunning == true { timeout = timeout < 0 ? 250 : min(timeout, 250) }
            // A what-if being projected: look for its result a few times a frame.
            if whatIfs.isBusy { timeout = timeout < 0 ? 10 : min(timeout, 10) }
            // A signal that came during the turn's work (one that gave up a blocked read, above)
            // does not interrupt the poll to come: seen now, or never.
            if terminal.quitRequested { break }
            var descriptors = [pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)]
            if let wake = feed.wakeDescriptor { descriptors.append(pollfd(fd: wake, events: Int16(POLLIN), revents: 0)) }
            _ = poll(&descriptors, nfds_t(descriptors.count), timeout)
        }
    }
}

/// Monotonic wall time for the run loop.
enum Stopwatch {
    static func now() -> UInt64 { UInt64(LiveClock.monotonicNanoseconds()) }
}
