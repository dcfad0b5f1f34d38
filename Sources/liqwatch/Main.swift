import ArgumentParser
import RiskEngine
#if canImport(Glibc)
import Glibc
#endif

/// Entry point. Bad flags exit with code 2 (the convention of POSIX utilities), not
/// ArgumentParser's 64, so that scripts can tell a usage error from a failed run.
@main
enum Main {
    static func main() {
        // A reader that goes away (an --on-alert command that does not read its input, a closed
        // pipe after `| head`) is an error on that write, never the end of the process.
        signal(SIGPIPE, SIG_IGN)
        // A write past a file-size limit (`ulimit -f`) fails with EFBIG and is counted (an alert
        // log, a recording); by default the signal ended the process mid-line, the terminal left
        // raw (attacker trial).
        signal(SIGXFSZ, SIG_IGN)
        // Signals that stop a run, unblocked: started with them blocked (a parent's mask is
        // inherited), a SIGTERM during the start stayed pending, and was discarded when the
        // headless run began ignoring it to watch for it: the run went on to its end (review).
        var stopping = sigset_t()
        sigemptyset(&stopping)
        for number in [SIGINT, SIGTERM, SIGHUP, SIGQUIT] { sigaddset(&stopping, number) }
        pthread_sigmask(SIG_UNBLOCK, &stopping, nil)
        do {
            var command = try Liqwatch.parseAsRoot()
            try command.run()
        } catch {
            // A file problem, also one a command's `validate()` met (ArgumentParser wraps what
            // `validate()` throws, and would exit 1 with its message).
            if let input = InputError.within(error) {
                FileHandleOutput.standardError("Error: \(input.description)\n")
                exit(2)
            }
            // ArgumentParser's own printing is bypassed so that every message goes through
            // `FileHandleOutput` (and `SafeText`): help to standard output, errors to standard error.
            let code = Liqwatch.exitCode(for: error)
            let message = Liqwatch.fullMessage(for: error)
            if code == .success {
                if !message.isEmpty { FileHandleOutput.standardOutput(message + "\n") }
                exit(0)
            }
            if !message.isEmpty { FileHandleOutput.standardError(message + "\n") }
            exit(code == .validationFailure ? 2 : code.rawValue)
        }
    }
}

/// Unbuffered writes to the standard streams without Foundation. Everything written passes
/// `SafeText`: names and fields from feeds and files reach messages and reports, and none of their
/// control characters may reach the terminal (newlines and tabs of the text itself stay).
enum FileHandleOutput {
    /// A message line longer than this is cut: a malformed line's value is quoted in its error,
    /// and a value of megabytes would make a message of megabytes.
    static let messageLineLimit = 2_000

    /// `text` with every line over `messageLineLimit` characters cut, saying how long it was.
    static func cutLongLines(_ text: String) -> String {
        guard text.utf8.count > messageLineLimit else { return text }
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            guard line.utf8.count > messageLineLimit else { return String(line) }
            return String(line.prefix(messageLineLimit)) + "… (\(line.utf8.count) bytes)"
        }.joined(separator: "\n")
    }

    static func standardError(_ text: String) {
        var copy = cutLongLines(SafeText.escaped(text, keepingLines: true))
        copy.withUTF8 { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(2, buffer.baseAddress! + offset, buffer.count - offset)
                if written <= 0 { return }
                offset += written
            }
        }
    }

    /// Returns the error that stopped the write (`errno`), nil when all of it was written.
    @discardableResult
    static func standardOutput(_ text: String) -> Int32? {
        var copy = SafeText.escaped(text, keepingLines: true)
        return copy.withUTF8 { buffer -> Int32? in
            var offset = 0
            while offset < buffer.count {
                let written = write(1, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 && errno == EINTR { continue }
                if written <= 0 { return written < 0 ? errno : EIO }
                offset += written
            }
            return nil
        }
    }

    /// A report on standard output, or exit 1 saying why it could not be written: a full disk,
    /// a file-size limit or a closed pipe left a script half a JSON document and exit 0 (attacker
    /// trial).
    static func report(_ text: String) throws {
        // Written (or failed): a stop signal's deadline for the report no longer applies.
        defer { HeadlessSignals.noteReportWritten() }
        guard let failure = standardOutput(text) else { return }
        // Its reader gone (`| head`): nothing to say to anyone, as other tools say nothing.
        if failure != EPIPE {
            standardError("liqwatch: the report could not be written to standard output: \(String(cString: strerror(failure)))\n")
        }
        throw ExitCode(1)
    }
}
