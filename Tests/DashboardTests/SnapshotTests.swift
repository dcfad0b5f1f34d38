import Foundation
import Testing
@testable import Dashboard
@testable import RiskEngine

/// Whole screens compared as text with the snapshots in `Snapshots/`: every pane and overlay at
/// 80×24, 120×40 and 200×60, with one market and with five. A change to any cell of a screen fails
/// here and shows the lines that differ. `LIQWATCH_RECORD_SNAPSHOTS=1 swift test --filter
/// SnapshotTests` writes the screens as they are now (then read them before committing).
@Suite("Whole-screen snapshots")
struct SnapshotTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Snapshots")
    static let recording = ProcessInfo.processInfo.environment["LIQWATCH_RECORD_SNAPSHOTS"] == "1"
    static let sizes = [(80, 24), (120, 40), (200, 60)]

    enum Screen: String, CaseIterable {
        case main, help, detail, whatIf = "what-if", health, markets, alerts
    }

    static func screen(_ screen: Screen, markets: Int, width: Int, height: Int) -> AppModel {
        var model = model(width: width, height: height, engine: markets == 1 ? engine(positions: 30) : fiveMarkets())
        switch screen {
        case .main: break
        case .help: _ = model.update(.key(.character("?")))
        case .detail: _ = model.update(.key(.enter))
        case .whatIf:
            _ = model.update(.key(.character("x")))
            for character in "-5" { _ = model.update(.key(.character(character))) }
            _ = model.update(.key(.enter))
        case .health: _ = model.update(.key(.character("h")))
        case .markets:
            _ = model.update(.key(.character("m")))
            _ = model.update(.key(.character("j")))
            _ = model.update(.key(.enter))
        case .alerts:
            // Three alerts, the first seen, then the view.
            var log = SessionLog()
            log.record(.signal(SignalChange(time: 2_000_000_000, symbol: "BTCUSDT", kind: .spread, from: .warn, to: .alert, value: 12.5, baseline: 1)))
            _ = model.update(.session(engine: model.engine, log: log, status: model.status))
            _ = model.update(.key(.character("a")))
            log.record(.signal(SignalChange(time: 3_000_000_000, symbol: "BTCUSDT", kind: .stressedDeficit, from: .warn, to: .alert, value: 61_234, baseline: 50_000)))
            log.record(.signal(SignalChange(time: 3_000_000_000, symbol: "BTCUSDT", kind: .spreadVsDepth, from: .ok, to: .alert, value: 4.2, baseline: 1)))
            _ = model.update(.session(engine: model.engine, log: log, status: model.status))
            _ = model.update(.key(.character("A")))
        }
        return model
    }

    static func check(_ model: AppModel, name: String) throws {
        let rendered = model.rendered()
        let file = directory.appendingPathComponent(name + ".txt")
        if recording {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try (rendered.lines.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
            return
        }
        guard let stored = try? String(contentsOf: file, encoding: .utf8) else {
            Issue.record("no snapshot \(name).txt: record it with LIQWATCH_RECORD_SNAPSHOTS=1")
            return
        }
        var expectedLines = stored.components(separatedBy: "\n")
        if expectedLines.last == "" { expectedLines.removeLast() }
        let expected = Buffer(lines: expectedLines, width: rendered.width)
        if !rendered.sameText(as: expected) {
            let differing = zip(rendered.lines, expected.lines).enumerated().filter { $0.element.0 != $0.element.1 }.prefix(5)
            let report = differing.map { "line \($0.offset + 1):\n  now:      \($0.element.0)\n  snapshot: \($0.element.1)" }.joined(separator: "\n")
            Issue.record("\(name) differs from its snapshot (\(rendered.height) lines against \(expected.height)):\n\(report)")
        }
    }

    @Test("every screen, one market and five, at 80×24, 120×40 and 200×60", arguments: [1, 5])
    func screens(markets: Int) throws {
        for (width, height) in Self.sizes {
            for screen in Screen.allCases where !(screen == .markets && markets == 1) {
                try Self.check(Self.screen(screen, markets: markets, width: width, height: height),
                    name: "\(screen.rawValue)-\(markets)-market\(markets == 1 ? "" : "s")-\(width)x\(height)")
            }
        }
    }

    @Test("below 80×24: the too-small screen")
    func tooSmall() throws {
        try Self.check(model(width: 60, height: 15, engine: engine(positions: 5)), name: "too-small-60x15")
    }

    @Test("a screen is the same every time it is drawn (no hash order, no clock)")
    func deterministic() {
        for screen in Screen.allCases {
            let first = Self.screen(screen, markets: 5, width: 120, height: 40).rendered()
            let second = Self.screen(screen, markets: 5, width: 120, height: 40).rendered()
            #expect(first.sameText(as: second), "\(screen)")
        }
    }

    @Test("Buffer(lines:) reads back what it was given, wide characters included")
    func bufferFromLines() {
        let lines = ["┌─ Markets ─┐", "│▸ BTCUSDT 中 │", "└───────────┘"]
        let buffer = Buffer(lines: lines)
        #expect(buffer.lines == lines)
        #expect(buffer.width == 15)
    }
}

@Suite("Without UTF-8, pure ASCII")
struct AsciiScreenTests {
    @Test("every screen at every size draws only ASCII, and no glyph becomes a '?' that UTF-8 did not have")
    func everyScreenIsASCII() {
        for screen in SnapshotTests.Screen.allCases {
            for markets in [1, 5] {
                for (width, height) in SnapshotTests.sizes {
                    let model = SnapshotTests.screen(screen, markets: markets, width: width, height: height)
                    var ascii = Buffer(width: width, height: height, unicode: false)
                    model.render(into: &ascii)
                    let text = ascii.lines.joined(separator: "\n")
                    let name = "\(screen.rawValue) \(markets) \(width)x\(height)"
                    var foreign = ""
                    for scalar in text.unicodeScalars where !scalar.isASCII { foreign.unicodeScalars.append(scalar) }
                    #expect(foreign.isEmpty, "\(name): \(foreign)")
                    let utf8 = model.rendered().lines.joined(separator: "\n")
                    #expect(text.filter { $0 == "?" }.count == utf8.filter { $0 == "?" }.count, "\(name): a glyph has no ASCII stand-in\n\(text)")
                    // The minus of a price ladder row stays a minus.
                    if screen == .main { #expect(text.contains("- 60,00"), "\(name)") }
                }
            }
        }
    }
}
