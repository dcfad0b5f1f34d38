import CHookSpawn
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One run of the operator's `--on-alert` command: `/bin/sh -c COMMAND` in a process group of its
/// own, the alert on its standard input, its output discarded, no descriptor of liqwatch's open
/// in it (a terminal, a socket), the signals liqwatch ignores or blocks back at their defaults.
///
/// Its group can be signalled until it is waited for, and never after: the end is first seen
/// without reaping the shell (`WNOWAIT`), so its process id, and so its group's, cannot have been
/// given to another process when a signal is sent.
final class HookProcess: @unchecked Sendable {
    enum Ending: Equatable {
        case exited(Int32)
        /// `overTime`: stopped by liqwatch for running past its timeout.
        case signalled(Int32, overTime: Bool)
    }

    struct SpawnError: Error {
        let reason: String
    }

    let pid: pid_t
    private let lock = NSLock()
    private var ended = false
    private var stoppedForTime = false
    private var termSentAt: DispatchTime? = nil

    private init(pid: pid_t) { self.pid = pid }

    static func spawn(_ command: String, input: String) throws(SpawnError) -> HookProcess {
        var inputEnd: Int32 = -1
        let pid = liqwatch_spawn_hook(command, &inputEnd)
        guard pid > 0 else { throw SpawnError(reason: String(cString: strerror(errno))) }
        // The line is far below a pipe's buffer, and the write end is closed at once: a hook that
        // never reads its input does not hold us (SIGPIPE is ignored here: a hook gone is EPIPE).
        let bytes = Array(input.utf8)
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(inputEnd, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 { if errno == EINTR { continue } else { break } }
                offset += written
            }
        }
        close(inputEnd)
        return HookProcess(pid: pid)
    }

    /// Sends `signal` to the hook's whole group, unless its shell has ended (then nothing, and
    /// false). `overTime`: the hook is being stopped for its timeout, and its end is said so.
    @discardableResult
    func signalGroup(_ signal: Int32, overTime: Bool) -> Bool {
        lock.withLock {
            guard !ended else { return false }
            if overTime { stoppedForTime = true }
            if signal == SIGTERM && termSentAt == nil { termSentAt = .now() }
            kill(-pid, signal)
            return true
        }
    }

    /// Whether a process other than `leader` (the hook's shell, ended and not yet reaped) is in
    /// the process group `leader` leads, read from /proc (a zombie leader keeps `kill(-group, 0)`
    /// answering, so the group's size cannot be asked of it).
    static func groupHasOthers(_ leader: pid_t) -> Bool {
        guard let directory = opendir("/proc") else { return false }
        defer { closedir(directory) }
        var buffer = [UInt8](repeating: 0, count: 512)
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard let process = Int32(name), process != leader else { continue }
            let descriptor = open("/proc/\(process)/stat", O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else { continue }
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress!, $0.count) }
            close(descriptor)
            guard count > 0 else { continue }
            // `pid (comm) state ppid pgrp ...`: the name may hold spaces and parentheses, so the
            // fields are counted from the last `)`.
            guard let close = buffer[..<count].lastIndex(of: UInt8(ascii: ")")) else { continue }
            let fields = buffer[(close + 1)..<count].split(separator: UInt8(ascii: " "))
            guard fields.count > 2, let group = Int32(String(decoding: fields[2], as: UTF8.self)) else { continue }
            // One that ended and waits to be reaped (by init, or a subreaper) is gone already.
            let state = fields[0].first
            if group == leader && state != UInt8(ascii: "Z") && state != UInt8(ascii: "X") { return true }
        }
        return false
    }

    /// How long a hook stopped for its time has to end after SIGTERM before its group is killed.
    static let killGrace: Double = 2

    /// Blocks until the shell ends, and reaps it. A hook stopped for its time: what is left of its
    /// group gets SIGKILL once the grace is over, before the shell is reaped (its zombie keeps the
    /// group's id from being given to another; a child that handled SIGTERM outlived a shell
    /// that did not, and the SIGKILL, sent only while the shell ran, never came: review).
    func waitForEnd() -> Ending {
        var info = siginfo_t()
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) != 0 && errno == EINTR {}
        let (overTime, terminatedAt) = lock.withLock { () -> (Bool, DispatchTime?) in
            ended = true
            return (stoppedForTime, termSentAt)
        }
        if overTime, let terminatedAt {
            let deadline = (terminatedAt + HookProcess.killGrace).uptimeNanoseconds
            let now = DispatchTime.now().uptimeNanoseconds
            if deadline > now { usleep(useconds_t(min(deadline - now, 2_000_000_000) / 1_000)) }
            kill(-pid, SIGKILL)
        } else if HookProcess.groupHasOthers(pid) {
            // The shell ended and left processes running in its group (`notify & echo sent`): a
            // hook is over when its shell is, and they are stopped as a hook past its time is,
            // its slot held until they are gone (17 background `sleep`s outlived a session, past
            // both the limit of four at once and the timeout: attacker trial). One that left the
            // group (`setsid`) is beyond reach.
            kill(-pid, SIGTERM)
            let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(HookProcess.killGrace * 1e9)
            // Looked for every 100 ms (each look reads every process's /proc entry).
            while HookProcess.groupHasOthers(pid) && DispatchTime.now().uptimeNanoseconds < deadline { usleep(100_000) }
            kill(-pid, SIGKILL)
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        // WIFEXITED / WEXITSTATUS / WTERMSIG, written out (macros Swift does not import).
        let signal = status & 0x7f
        // Stopped for its time, it failed, however it ended (one that handles SIGTERM and exits
        // 0 counted as a success: review).
        if overTime { return .signalled(signal == 0 ? SIGTERM : signal, overTime: true) }
        if signal == 0 { return .exited((status >> 8) & 0xff) }
        return .signalled(signal, overTime: false)
    }
}
