import Foundation

/// Reads a config file from disk. Only reads: liqwatch never writes or rewrites it.
public enum ConfigFile {
    /// The file's settings and warnings; a missing or unreadable file, a syntax error or a bad value
    /// is a `ConfigFailure` naming the file (and the line).
    public static func load(path: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(ConfigFailure) -> ConfigReader.Result {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ConfigFailure(problems: [ConfigProblem(file: path, line: nil, key: nil, message: "no such config file")])
        }
        // Read through a handle, not FileManager.contents: `--config /dev/null` (no settings) and
        // `--config <(...)` (a pipe) are files too.
        let unreadable = ConfigFailure(problems: [ConfigProblem(file: path, line: nil, key: nil, message: "cannot read this config file")])
        guard !isDirectory.boolValue, let handle = FileHandle(forReadingAtPath: path) else { throw unreadable }
        defer { try? handle.close() }
        let data: Data
        do { data = try handle.readToEnd() ?? Data() } catch { throw unreadable }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigFailure(problems: [ConfigProblem(file: path, line: nil, key: nil, message: "not UTF-8 text (TOML is UTF-8)")])
        }
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        return try ConfigReader.read(text: text, file: path, directory: directory, home: environment["HOME"])
    }
}
