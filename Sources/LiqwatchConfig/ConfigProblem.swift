import RiskEngine

/// Something wrong in a configuration file, told as compilers do (`config.toml:12: key: what`) so
/// an editor can jump to it.
public struct ConfigProblem: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file as the operator named it (or as it was found).
    public var file: String
    /// 1-based; nil when the line cannot be told (a value inside an inline table).
    public var line: Int?
    /// The dotted key (`signals.spread_warn_multiple`), nil for the whole file.
    public var key: String?
    public var message: String

    public init(file: String, line: Int?, key: String?, message: String) {
        self.file = file
        self.line = line
        self.key = key
        self.message = message
    }

    public var description: String {
        let place = line.map { "\(file):\($0)" } ?? file
        // One line, whatever the file's name or key holds (a key of "the\nme" forged a line).
        return SafeText.escaped(key.map { "\(place): \($0): \(message)" } ?? "\(place): \(message)")
    }
}

/// A file that cannot be used: nothing is started. Every bad value of the file is listed at once,
/// in line order, so one edit can fix them all.
public struct ConfigFailure: Error, Sendable, CustomStringConvertible {
    public var problems: [ConfigProblem]
    /// Warnings found before the errors (unknown keys), still worth telling.
    public var warnings: [ConfigProblem]

    public init(problems: [ConfigProblem], warnings: [ConfigProblem] = []) {
        self.problems = problems
        self.warnings = warnings
    }

    public var description: String { problems.map(\.description).joined(separator: "\n") }
}
