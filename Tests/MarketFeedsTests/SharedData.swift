import Foundation
import Testing
@testable import MarketFeeds
import RiskEngine

/// The real recordings beside the project (`../shared/data`). Tests that need them are disabled
/// with this message when the folder is absent, and run when it is present.
enum SharedData {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/data")

    static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

    static var isPresent: Bool { FileManager.default.fileExists(atPath: root.path) }

    static let skipMessage: Comment = "../shared/data is absent: the real recordings are not here, so this test is skipped"
}

/// A scratch directory removed at the end of the test.
final class ScratchDirectory {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("liqwatch-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(at: url) }

    func write(_ name: String, _ text: String) throws -> String {
        let file = url.appendingPathComponent(name)
        try text.write(to: file, atomically: true, encoding: .utf8)
        return file.path
    }

    func write(_ name: String, bytes: [UInt8]) throws -> String {
        let file = url.appendingPathComponent(name)
        try Data(bytes).write(to: file)
        return file.path
    }
}

func replay(_ paths: [String], configure: (inout SessionOptions) -> Void = { _ in }) throws -> ReplaySession {
    var options = SessionOptions()
    options.threaded = false
    configure(&options)
    let session = try ReplaySession(paths: paths, options: options)
    try session.runToEnd()
    return session
}
