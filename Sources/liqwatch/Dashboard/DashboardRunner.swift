import ArgumentParser
import CursesTerminal
import Dashboard
import MarketFeeds
import RiskEngine
#if canImport(Glibc)
import Glibc
#endif

/// The interactive run loop: one thread owns the engine and the UI state. It sleeps in `poll` until
/// a key arrives or the next event is due (nothing else wakes it), applies the events the replay
/// clock says are due, and redraws at most 30 times a second, only when something changed.
enum DashboardRunner {
    static let frameInterval: UInt64 = 33_000_000

    static func run(session: any SessionDriver, themes: [Theme], speed: Double = 1) throws {
        guard isatty(STDIN_FILENO) != 0 && isatty(STDOUT_FILENO) != 0 else {
            throw ValidationError("the dashboard needs a terminal; use --headless for a report")
        }
        let clock = ReplayClock(driver: session)
        clock.setSpeed(speed, wall: Stopwatch.now())
        let terminal = CursesTerminal()
        defer { terminal.restore() }
        let (width, height) = terminal.size
        var model = AppModel(width: width, height: height, status: status(session, clock), engine: session.engine,
            log: session.log, themes: themes, unicode: terminal.unicode)
        var lastFrame: UInt64 = 0
        var failure: String? = nil
        loop: while true {
            if terminal.quitRequested { break }
            let now = Stopwatch.now()
            for input in terminal.readInput() {
                switch input {
                case .resize(let newWidth, let newHeight):
                    terminal.invalidate()
                    _ = model.update(.resize(width: newWidth, height: newHeight))
                case .key(let key):
                    for effect in model.update(.key(key)) {
                        if effect == .quit { break loop }
                        do { try perform(effect, clock: clock, session: session, model: &model, wall: now) } catch {
                            model.show(notice: error.description)
                        }
                        _ = model.update(.session(engine: session.engine, log: session.log, status: status(session, clock)))
                    }
                }
            }
            if failure == nil {
                do {
                    if try clock.advance(wall: now) > 0 || session.finished != model.status.finished {
                        _ = model.update(.session(engine: session.engine, log: session.log, status: status(session, clock)))
                    }
                } catch {
                    failure = error.description
                    model.show(notice: "replay stopped: \(error.description)")
                }
            }
            let afterWork = Stopwatch.now()
            if model.needsRedraw && afterWork &- lastFrame >= frameInterval {
                var buffer = Buffer(width: model.width, height: model.height, unicode: terminal.unicode)
                model.render(into: &buffer)
                terminal.draw(buffer, theme: model.theme)
                model.needsRedraw = false
                lastFrame = afterWork
            }
            // Sleep until a key, the next due event, or the next allowed frame.
            var timeout: Int32 = -1
            if failure == nil, let due = try? clock.wallUntilNextEvent(wall: afterWork) {
                timeout = Int32(min(1_000, due / 1_000_000))
            }
            if model.needsRedraw {
                let untilFrame = Int32((frameInterval &- min(frameInterval, afterWork &- lastFrame)) / 1_000_000)
                timeout = timeout < 0 ? untilFrame : min(timeout, untilFrame)
            }
            var descriptor = pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)
            _ = poll(&descriptor, 1, timeout)
        }
    }

    static func status(_ session: any SessionDriver, _ clock: ReplayClock) -> SessionStatus {
        var status = SessionStatus(kind: session.kind, source: session.sourceLabel)
        status.time = session.lastTime ?? session.firstTime ?? 0
        // Feed health: how far the session clock has run past the last message (event time).
        if let last = session.lastTime, !clock.paused && !session.finished {
            status.lastMessageAge = max(0, clock.currentTime(wall: Stopwatch.now()) - last)
        }
        status.progress = session.progress
        status.speed = clock.speedLabel
        status.paused = clock.paused
        status.finished = session.finished
        status.malformed = session.stats.malformed
        status.gaps = session.log.gaps
        if let replay = session as? ReplaySession {
            status.resyncs = replay.synchronizers.values.reduce(0) { $0 + $1.counters.resyncs }
        }
        return status
    }

    static func perform(_ effect: Effect, clock: ReplayClock, session: any SessionDriver, model: inout AppModel, wall: UInt64) throws(ReplayError) {
        switch effect {
        case .quit: break
        case .togglePause: clock.togglePause(wall: wall)
        case .step: try clock.stepOne(wall: wall)
        case .faster: clock.faster(wall: wall)
        case .slower: clock.slower(wall: wall)
        case .nextNotable:
            if try clock.jumpToNextNotable(wall: wall) == nil { model.show(notice: "no later liquidation, deficit or alert") }
        case .previousNotable:
            if try clock.jumpToPreviousNotable(wall: wall) == nil { model.show(notice: "no earlier liquidation, deficit or alert") }
        case .jump(let text):
            let peeked = try session.peekTime()
            if text.hasSuffix("%"), let percent = Double(text.dropLast()) {
                try clock.seek(fraction: percent / 100, wall: wall)
            } else if let start = session.firstTime ?? peeked, let target = EventTime.parse(text, sessionStart: start) {
                try clock.seek(to: target, wall: wall)
            } else {
                model.show(notice: "cannot jump to '\(text)': give HH:MM[:SS], an ISO time or a percentage like 50%")
            }
        }
    }
}

/// Monotonic wall time for the run loop.
enum Stopwatch {
    static func now() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }
}
