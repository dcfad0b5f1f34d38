import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif

/// Entry point. Bad flags exit with code 2 (the convention of POSIX utilities), not
/// ArgumentParser's 64, so that scripts can tell a usage error from a failed run.
@main
enum Main {
    static func main() {
        do {
            var command = try Liqwatch.parseAsRoot()
            try command.run()
        } catch {
            let code = Liqwatch.exitCode(for: error)
            if code == .validationFailure {
                let message = Liqwatch.fullMessage(for: error)
                FileHandleOutput.standardError(message + "\n")
                exit(2)
            }
            Liqwatch.exit(withError: error)
        }
    }
}

/// Unbuffered writes to the standard streams without Foundation.
enum FileHandleOutput {
    static func standardError(_ text: String) {
        var copy = text
        copy.withUTF8 { buffer in _ = write(2, buffer.baseAddress, buffer.count) }
    }

    static func standardOutput(_ text: String) {
        var copy = text
        copy.withUTF8 { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(1, buffer.baseAddress! + offset, buffer.count - offset)
                if written <= 0 { return }
                offset += written
            }
        }
    }
}
