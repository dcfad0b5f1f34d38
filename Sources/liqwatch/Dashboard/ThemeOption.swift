import ArgumentParser
import Dashboard
import Foundation
import LiqwatchConfig

/// `--theme NAME|PATH`: a built-in theme by name, or a theme file. The chosen theme comes first;
/// `t` cycles through it and the built-in ones.
enum ThemeOption {
    static func load(_ choice: String) throws -> [Theme] {
        var chosen: Theme
        if let text = BuiltInThemes.texts[choice] {
            chosen = Theme.parse(text, name: choice).theme
        } else if FileManager.default.fileExists(atPath: choice) {
            let result = try readFile(choice)
            for warning in result.warnings { FileHandleOutput.standardError("liqwatch: theme \(warning)\n") }
            chosen = result.theme
        } else {
            throw ValidationError("--theme: '\(choice)' is neither a built-in theme (\(BuiltInThemes.names.joined(separator: ", "))) nor a file")
        }
        chosen.name = choice
        let others = BuiltInThemes.names.filter { $0 != choice }.map { Theme.parse(BuiltInThemes.texts[$0]!, name: $0).theme }
        return [chosen] + others
    }

    /// A theme file as the dashboard reads it, with the warnings its lines give: the one reading
    /// `--theme` and `config --check` share (the check read and parsed the file a second way).
    static func readFile(_ path: String) throws -> (theme: Theme, warnings: [String]) {
        // A FIFO with no writer kept the dashboard waiting before it started; a device was read to
        // the limit (attacker trial). A directory is refused as one by the read.
        var isDirectory: ObjCBool = false
        _ = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        guard isDirectory.boolValue || BoundedRead.isRegularFile(path) else { throw InputError("--theme: \(path) is not a regular file (a theme file is)") }
        let result = Theme.parse(try readTextFile(path, flag: "theme", limit: 1 << 20), name: path)
        return (result.theme, result.warnings)
    }
}

/// `--speed 0.1…1000|max`
func parseSpeed(_ text: String) throws -> Double {
    guard let value = RuleChoices.speed(text) else { throw ValidationError("--speed must be between 0.1 and 1000, or max") }
    return value
}
