import Foundation
import Testing
@testable import Dashboard
import MarketFeeds
@testable import RiskEngine

/// The fund pane's lines add up to its balance at every size: the opening, statements and inflows
/// shown (on their own lines, beside the balance, or counted into the inflows' line), less the
/// deficits paid. At 80×24 the pane read `balance 7,812.19`, `in +8,686.41`, `deficits
/// −8,874.22` (the 8,000 opening nowhere), and at 100×30 the balance lost its label to the
/// opening's parenthesis (operator trial).
@Suite("The fund pane adds up at every size")
struct FundPaneSumsAtEverySizeTests {
    /// The first figure of a line (`−8,874.22` → -8874.22).
    static func figure(_ text: Substring) -> Decimal? {
        guard let range = text.range(of: #"[−+-]?[0-9][0-9,]*\.[0-9]+"#, options: .regularExpression) else { return nil }
        let raw = text[range].replacingOccurrences(of: ",", with: "").replacingOccurrences(of: "−", with: "-")
        return Decimal(string: raw)
    }

    @Test("balance = what it started from and took in − deficits paid, as the pane shows them; the balance keeps its label",
          arguments: [(80, 24), (100, 30), (120, 40), (200, 60)])
    func addsUp(size: (Int, Int)) throws {
        // The demo's cascade, 58 % in (23:56:28): deficits paid, ADL under way.
        let demo = DemoSession(seed: 1, positions: 3_000)
        let clock = ReplayClock(driver: demo)
        try clock.seek(fraction: 0.58, wall: 0)
        var status = SessionStatus(kind: "DEMO", source: "test")
        status.time = demo.engine.time
        let screen = AppModel(width: size.0, height: size.1, status: status, engine: demo.engine, log: demo.log)
        let fund = screen.engine.fund("USDT")
        #expect(fund.outflows.isPositive, "the cascade paid deficits")
        let inner = screen.layout.fund.inset(1)
        let lines = screen.rendered().lines[inner.y..<inner.maxY].map { line -> Substring in
            let characters = Array(line)
            return Substring(String(characters[min(inner.x, characters.count)..<min(inner.maxX, characters.count)]))
        }
        let balanceLine = try #require(lines.first { $0.hasPrefix("bal") }, "\(lines)")
        let balance = try #require(Self.figure(balanceLine))
        var total = Decimal(0)
        var parts: [String] = []
        if let opened = balanceLine.range(of: "(opened ") {
            total += try #require(Self.figure(balanceLine[opened.upperBound...]))
            parts.append("opened")
        }
        for line in lines where !line.hasPrefix("bal") {
            let label = line.split(separator: " ").first.map(String.init) ?? ""
            let counted = ["open", "opening", "in", "fees", "surplus", "stated", "statements", "deficits", "out"].contains { label.hasPrefix($0) }
            guard counted, !label.hasPrefix("out:") || line.contains("deficits") || label == "out:", let value = Self.figure(line) else { continue }
            total += value
            parts.append(label)
        }
        #expect(total == balance, "\(size): \(parts) \(lines)")
        #expect(parts.contains { $0.hasPrefix("open") }, "\(size): the opening is on the pane: \(lines)")
    }
}
