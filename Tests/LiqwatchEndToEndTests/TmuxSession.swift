import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The real binary in a real terminal: a tmux server of its own (its own socket), keys sent with
/// send-keys, the screen read with capture-pane, as a person would see it.
final class TmuxSession {
    let socket = "liqwatch-test-\(UUID().uuidString.prefix(8))"
    let name = "e2e"

    static var isAvailable: Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux") }

    let scriptPath: String

    init(arguments: [String], width: Int = 120, height: Int = 40, locale: String = "C.UTF-8", term: String = "xterm-256color") throws {
        let binary = BinaryRunner.binary.path
        let quoted = ([binary] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        // A script file, so that nothing is expanded before liqwatch has run: after it exits, print
        // its status and the terminal modes it left behind, then wait to be read.
        scriptPath = FileManager.default.temporaryDirectory.appendingPathComponent("\(socket).sh").path
        let script = """
            cd '\(BinaryRunner.packageRoot.path)'
            export LANG=\(locale) LC_ALL=\(locale) TERM=\(term)
            # Never the real user's config file (see BinaryRunner.isolatedConfigHome).
            export XDG_CONFIG_HOME='\(BinaryRunner.isolatedConfigHome)'
            # Ctrl-C and Ctrl-\\ reach the whole foreground group: this shell must outlive them to
            # report liqwatch's status (liqwatch sets its own handlers, whatever it inherits).
            trap '' INT QUIT
            \(quoted)
            echo "EXIT=$?"
            echo "MODES $(stty -a | tr ' ;' '\\n\\n' | grep -x -e echo -e -echo -e icanon -e -icanon | tr '\\n' ' ')"
            sleep 120

            """
        try script.write(toFile: scriptPath, atomically: true, encoding: .utf8)
        try tmux(["new-session", "-d", "-s", name, "-x", "\(width)", "-y", "\(height)", "sh \(scriptPath)"])
    }

    deinit {
        _ = try? tmux(["kill-server"])
        try? FileManager.default.removeItem(atPath: scriptPath)
    }

    /// Runs a tmux command through the shell (`system`/`popen`: the tmux server it may start
    /// detaches, and nothing here waits on a pipe the server could inherit).
    @discardableResult
    func tmux(_ arguments: [String], output: Bool = false) throws -> String {
        let quoted = arguments.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        let command = "tmux -L \(socket) -f /dev/null \(quoted)"
        guard output else {
            // Under a loaded machine tmux can fail to reach its server; a key that was never sent
            // must not look like a key the dashboard ignored, so a failed command is retried.
            for attempt in 0..<3 {
                if system(command + " >/dev/null 2>&1 </dev/null") == 0 { break }
                Thread.sleep(forTimeInterval: 0.2 * Double(attempt + 1))
            }
            return ""
        }
        guard let stream = popen(command + " 2>/dev/null </dev/null", "r") else { return "" }
        var data = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = fread(&chunk, 1, chunk.count, stream)
            if count <= 0 { break }
            data.append(contentsOf: chunk[0..<count])
        }
        pclose(stream)
        return String(decoding: data, as: UTF8.self)
    }

    /// The terminal modes liqwatch left behind, as stty names them ("icanon", "-echo", ...).
    func modesAfterExit() -> Set<String> {
        guard let line = screen().split(separator: "\n").first(where: { $0.hasPrefix("MODES ") }) else { return [] }
        return Set(line.split(separator: " ").dropFirst().map { String($0) })
    }

    /// Sends a signal to liqwatch itself (the child of this session's shell), nothing else.
    func signal(_ signalName: String) {
        guard let shell = Int((try? tmux(["display-message", "-p", "-t", name, "#{pane_pid}"], output: true))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? "") else { return }
        _ = system("pkill -\(signalName) -P \(shell) >/dev/null 2>&1")
    }

    /// Everything the program writes to the terminal from now on, appended to `path` (raw bytes:
    /// the bell, title sequences).
    func pipeOutput(to path: String) { _ = try? tmux(["pipe-pane", "-o", "-t", name, "cat >> '\(path)'"]) }

    /// The pane's title, as the program set it (OSC 2).
    func paneTitle() -> String {
        ((try? tmux(["display-message", "-p", "-t", name, "#{pane_title}"], output: true)) ?? "").trimmingCharacters(in: .newlines)
    }

    func screen() -> String { (try? tmux(["capture-pane", "-t", name, "-p"], output: true)) ?? "" }

    func send(_ keys: String...) { _ = try? tmux(["send-keys", "-t", name] + keys) }

    /// Types text literally (a "-5" is not an option to send-keys).
    func type(_ text: String) { _ = try? tmux(["send-keys", "-t", name, "-l", "--", text]) }

    func resize(width: Int, height: Int) { _ = try? tmux(["resize-window", "-t", name, "-x", "\(width)", "-y", "\(height)"]) }

    /// Waits until one capture shows every text and matches every pattern, and returns it. Everything
    /// a test asserts about a screen belongs here: tmux can capture a frame that liqwatch is still
    /// writing (the top rows new, the rest old), so a screen that only satisfied a first condition
    /// may not yet show the rest.
    @discardableResult
    func waitFor(seconds: Double = 20, all texts: [String], patterns: [String] = []) -> String {
        waitFor(seconds: seconds) { screen in
            texts.allSatisfy(screen.contains)
                && patterns.allSatisfy { screen.range(of: $0, options: .regularExpression) != nil }
        }
    }

    /// Waits until two captures a second apart are the same (or the time runs out) and returns the
    /// last: a screen that stands still, for a test that reads a row's place off it and then acts
    /// on that place (the markets table re-sorted between a capture and the key that used it).
    @discardableResult
    func waitStill(seconds: Double = 20) -> String {
        let deadline = Date().addingTimeInterval(seconds)
        var still = screen()
        while Date() < deadline {
            Thread.sleep(forTimeInterval: 1)
            let next = screen()
            if next == still { break }
            still = next
        }
        return still
    }

    /// Waits until the screen satisfies `condition` (or the time runs out) and returns it.
    @discardableResult
    func waitFor(seconds: Double = 20, _ condition: (String) -> Bool) -> String {
        let deadline = Date().addingTimeInterval(seconds)
        var shown = screen()
        while !condition(shown) && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.2)
            shown = screen()
        }
        return shown
    }
}
