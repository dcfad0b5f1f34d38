import Foundation

/// Runs the real `liqwatch` binary built next to the test bundle.
enum BinaryRunner {
    struct Result {
        var status: Int32
        var standardOutput: String
        var standardError: String
    }

    static var binary: URL {
        // The test bundle and the executables share the build products directory.
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var directory = bundle.deletingLastPathComponent()
        if directory.lastPathComponent == "MacOS" { directory = directory.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent() }
        return directory.appendingPathComponent("liqwatch")
    }

    /// An empty config folder for every run: the binary under test must never read the real
    /// user's ~/.config/liqwatch/config.toml. A test that wants a file names it with --config, or
    /// sets XDG_CONFIG_HOME itself.
    static let isolatedConfigHome: String = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("liqwatch-e2e-no-config-\(ProcessInfo.processInfo.processIdentifier)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.path
    }()

    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// Runs a bash command line (process substitution, pipes) from the package root.
    static func runShell(_ command: String) throws -> Result {
        try run(["-c", command], executable: URL(fileURLWithPath: "/bin/bash"))
    }

    static func run(_ arguments: [String], standardInput: String? = nil, environment: [String: String] = [:],
        executable: URL? = nil) throws -> Result {
        let process = Process()
        process.executableURL = executable ?? binary
        process.arguments = arguments
        process.currentDirectoryURL = packageRoot
        var variables = ProcessInfo.processInfo.environment
        variables["XDG_CONFIG_HOME"] = isolatedConfigHome
        for (key, value) in environment { variables[key] = value }
        process.environment = variables
        let output = Pipe()
        let error = Pipe()
        let input = Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = input
        try process.run()
        if let standardInput { input.fileHandleForWriting.write(Data(standardInput.utf8)) }
        try input.fileHandleForWriting.close()
        // Read both pipes fully before waiting, so a large report cannot block the child.
        let group = DispatchGroup()
        nonisolated(unsafe) var outData = Data()
        nonisolated(unsafe) var errData = Data()
        group.enter()
        DispatchQueue.global().async { outData = output.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        group.enter()
        DispatchQueue.global().async { errData = error.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        group.wait()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, standardOutput: String(decoding: outData, as: UTF8.self),
            standardError: String(decoding: errData, as: UTF8.self))
    }
}
