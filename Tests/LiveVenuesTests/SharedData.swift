import Foundation
import Testing

/// The real recordings beside the project (`../shared/data`). Tests that need them are disabled
/// with this message when the folder is absent, and run when it is present.
enum SharedData {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/data")

    static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

    static var isPresent: Bool { FileManager.default.fileExists(atPath: root.path) }

    static let skipMessage: Comment = "../shared/data is absent: the real recordings are not here, so this test is skipped"
}
