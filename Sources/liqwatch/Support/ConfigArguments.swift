import ArgumentParser
import Foundation
import LiqwatchConfig

/// `--config FILE` and `--no-config`, on every command that runs a session.
struct ConfigArguments: ParsableArguments {
    @Option(name: .customLong("config"), help: ArgumentHelp(
        "Read settings from FILE (default: $XDG_CONFIG_HOME/liqwatch/config.toml, else ~/.config/liqwatch/config.toml, when it exists). The command line wins over it.",
        valueName: "file"))
    var file: String?
    @Flag(name: .customLong("no-config"), help: "Read no config file: the built-in defaults and the command line only.")
    var ignore = false

    func validate() throws {
        if file != nil && ignore { throw ValidationError("give --config FILE or --no-config, not both") }
    }

    var location: ConfigLocation {
        ConfigLocation.choose(given: file, ignore: ignore, environment: ProcessInfo.processInfo.environment) {
            FileManager.default.fileExists(atPath: $0)
        }
    }

    /// The file's settings (the built-in defaults when there is none) with the command line on top.
    /// Warnings go to standard error and the run goes on; a bad file stops it before anything starts,
    /// with exit code 2 as for every other usage error.
    func settings(commandLine: CommandLineChoices) throws -> Settings {
        guard let path = location.path else { return Settings().applying(commandLine) }
        do {
            let result = try ConfigFile.load(path: path)
            Self.tell(result.warnings)
            return result.settings.applying(commandLine)
        } catch {
            Self.tell(error.warnings)
            for problem in error.problems { FileHandleOutput.standardError("liqwatch: \(problem)\n") }
            throw ExitCode(2)
        }
    }

    static func tell(_ warnings: [ConfigProblem]) {
        for warning in warnings { FileHandleOutput.standardError("liqwatch: warning: \(warning)\n") }
    }
}
