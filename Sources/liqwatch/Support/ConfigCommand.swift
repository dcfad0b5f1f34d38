import ArgumentParser
import Dashboard
import Foundation
import LiqwatchConfig

/// `liqwatch config`: the config file's every key with its default, where it is looked for, and
/// whether a file is good. Never writes a file.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "The config file: every key with its default, where liqwatch looks for it, and a check of one.",
        discussion: """
            Examples:
              liqwatch config --print-default > ~/.config/liqwatch/config.toml
              liqwatch config --path
              liqwatch config --check ~/.config/liqwatch/config.toml
            """)

    @Flag(name: .customLong("print-default"), help: "Print a complete config.toml: every key at its default, with what it does.")
    var printDefault = false
    @Flag(name: .customLong("path"), help: "Print the file a run would read (--config FILE or --no-config as a run would take them).")
    var printPath = false
    @Option(name: .customLong("check"), help: ArgumentHelp("Check FILE: warnings and errors on standard error; exit 0 when it can be used, 1 when not.", valueName: "file"))
    var check: String?
    @OptionGroup var config: ConfigArguments

    func validate() throws {
        let asked = [printDefault, printPath, check != nil].filter { $0 }.count
        if asked != 1 { throw ValidationError("give one of --print-default, --path or --check FILE") }
    }

    func run() throws {
        if printDefault {
            FileHandleOutput.standardOutput(DefaultConfig.text)
        } else if printPath {
            switch config.location {
            case .given(let path), .found(let path):
                FileHandleOutput.standardOutput(path + "\n")
            case .absent(let lookedAt):
                if let lookedAt { FileHandleOutput.standardOutput(lookedAt + "\n") }
                FileHandleOutput.standardError("liqwatch: no config file there: the built-in defaults apply\n")
            case .ignored:
                FileHandleOutput.standardError("liqwatch: --no-config: no file is read\n")
            }
        } else if let check {
            do {
                let result = try ConfigFile.load(path: check)
                ConfigArguments.tell(result.warnings)
                // The theme file's own lines, as the dashboard will read them: a colour that is
                // not #RRGGBB passed the check and was warned of at the next start (attacker trial).
                var themeWarnings: [String] = []
                if BuiltInThemes.texts[result.settings.theme] == nil, let read = try? ThemeOption.readFile(result.settings.theme) {
                    themeWarnings = read.warnings
                    for warning in themeWarnings { FileHandleOutput.standardError("liqwatch: warning: theme \(warning)\n") }
                }
                let count = result.warnings.count + themeWarnings.count
                FileHandleOutput.standardOutput("\(check): ok\(count == 0 ? "" : " (\(count) warning\(count == 1 ? "" : "s"))")\n")
            } catch {
                ConfigArguments.tell(error.warnings)
                for problem in error.problems { FileHandleOutput.standardError("liqwatch: \(problem)\n") }
                throw ExitCode(1)
            }
        }
    }
}
