import Foundation

/// Reads a config file from disk. Only reads: liqwatch never writes or rewrites it.
public enum ConfigFile {
    /// The largest config file read (the commented default is about 10 KB).
    public static let largest = 1 << 20

    /// The file's settings and warnings; a missing or unreadable file, a syntax error or a bad value
    /// is a `ConfigFailure` naming the file (and the line).
    public static func load(path: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(ConfigFailure) -> ConfigReader.Result {
        // Read through a handle, not FileManager.contents: `--config /dev/null` (no settings) and
        // `--config <(...)` (a pipe) are files too; and bounded: `--config /dev/zero` never ends.
        let data: Data
        switch BoundedRead.contents(of: path, limit: ConfigFile.largest) {
        case .success(let read): data = read
        case .failure(.missing):
            throw ConfigFailure(problems: [ConfigProblem(file: path, line: nil, key: nil, message: "no such config file")])
        case .failure(.tooLarge(let limit)):
            throw ConfigFailure(problems: [ConfigProblem(file: path, line: nil, key: nil, message: "larger than \(limit >> 20) MiB: not a config file")])
        case .failure(let failure) where failure == .noWriter || failure == .silent(seconds: Int(BoundedRead.silenceLimitSeconds)):
            throw ConfigFailure(problems: [ConfigProblem(file: path, line: nil, key: nil, message: "cannot read this config file: it " + failure.reason)])
        case .failure:
            throw ConfigFailure(problems: [ConfigProblem(file: path, line: nil, key: nil, message: "cannot read this config file")])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigFailure(problems: [ConfigProblem(file: path, line: nil, key: nil, message: "not UTF-8 text (TOML is UTF-8)")])
        }
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        return try ConfigReader.read(text: text, file: path, directory: directory, home: environment["HOME"])
    }
}
