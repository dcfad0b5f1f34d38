import Foundation
import Testing

@Suite("Dashboard under tmux, end to end", .enabled(if: TmuxSession.isAvailable, "tmux is not installed"))
struct DashboardTmuxTests {
    static let panes = ["Depth ladder BTCUSDT", "Signals BTCUSDT", "Positions", "Insurance fund USDT", "Liquidation tape"]

    func demo() throws -> TmuxSession {
        let session = try TmuxSession(arguments: [])
        let screen = session.waitFor { screen in Self.panes.allSatisfy(screen.contains) && screen.contains(" I-") }
        #expect(Self.panes.allSatisfy(screen.contains), "\(screen)")
        return session
    }

    @Test("the demo at 120×40 shows every pane with real numbers")
    func everyPane() throws {
        let session = try demo()
        let screen = session.waitFor { $0.contains("balance") && $0.contains("60,0") || $0.contains("59,9") }
        #expect(screen.contains(" DEMO "))
        #expect(screen.range(of: #"(59,9|60,0)\d\d\.\d0"#, options: .regularExpression) != nil, "no BTC prices on the ladder:\n\(screen)")
        #expect(screen.contains("spread"))
        #expect(screen.contains("Spread widening + depth"))
        #expect(screen.range(of: #"balance\s+[0-9,]+\.\d\d"#, options: .regularExpression) != nil, "no fund balance:\n\(screen)")
        #expect(screen.range(of: #"I-\d{7}\s+BTCUSDT\s+[▲▼] (long|short)"#, options: .regularExpression) != nil, "no positions:\n\(screen)")
        #expect(screen.range(of: #"\d+\.\d%"#, options: .regularExpression) != nil, "no margin ratios:\n\(screen)")
    }

    @Test("? shows the help generated from the keymap, and closes again")
    func help() throws {
        let session = try demo()
        session.send("?")
        let screen = session.waitFor { $0.contains("Keys · ? or Esc closes") }
        #expect(screen.contains("what-if: shock the mark by a percentage"))
        #expect(screen.contains("pause / resume the replay"))
        session.send("?")
        #expect(!session.waitFor { !$0.contains("Keys · ?") }.contains("Keys · ?"))
    }

    @Test("Enter on a position shows its detail and Esc returns")
    func detail() throws {
        let session = try demo()
        session.send("Enter")
        let screen = session.waitFor { $0.contains("If liquidated now") }
        #expect(screen.contains("Position I-"))
        #expect(screen.contains("liquidation"))
        #expect(screen.contains("bankruptcy"))
        #expect(screen.contains("Margin ratio history"))
        session.send("Escape")
        let back = session.waitFor { !$0.contains("If liquidated now") }
        #expect(!back.contains("If liquidated now"))
        #expect(Self.panes.allSatisfy(back.contains))
    }

    @Test("x with −5 shows a projection")
    func whatIf() throws {
        let session = try demo()
        session.send("x")
        session.waitFor { $0.contains("What-if: shock the mark") }
        session.type("-5")
        session.send("Enter")
        let screen = session.waitFor { $0.contains("What-if BTCUSDT -5%") }
        #expect(screen.contains("What-if BTCUSDT -5%"), "\(screen)")
        #expect(screen.range(of: #"\d+ liquidations, \d+ positions hit"#, options: .regularExpression) != nil, "\(screen)")
        #expect(screen.contains("Total deficit"))
        #expect(screen.range(of: #"1\s+[IX]-\d{7}\s+▼ long"#, options: .regularExpression) != nil, "no projected liquidation rows:\n\(screen)")
    }

    @Test("60×15 shows the too-small screen; 120×40 brings the panes back; q exits 0 and the terminal is sane")
    func resizeAndQuit() throws {
        let session = try demo()
        session.resize(width: 60, height: 15)
        let small = session.waitFor { $0.contains("terminal too small") }
        #expect(small.contains("terminal too small"))
        #expect(small.contains("60×15"))
        session.resize(width: 120, height: 40)
        let big = session.waitFor { Self.panes.allSatisfy($0.contains) && !$0.contains("too small") }
        #expect(Self.panes.allSatisfy(big.contains))
        session.send("q")
        let after = session.waitFor { $0.contains("EXIT=") }
        #expect(after.contains("EXIT=0"), "\(after)")
        // stty -a after liqwatch: echo and icanon are on again (not -echo / -icanon).
        session.waitFor { $0.contains("MODES") }
        #expect(session.modesAfterExit() == ["echo", "icanon"], "\(after)")
    }

    @Test("SIGTERM restores the terminal too")
    func sigterm() throws {
        let session = try demo()
        session.signal("TERM")
        let after = session.waitFor { $0.contains("MODES") }
        #expect(after.contains("EXIT=0"), "\(after)")
        #expect(session.modesAfterExit() == ["echo", "icanon"], "\(after)")
    }

    @Test("a replay of the BTCUSDT recording shows BTCUSDT prices near 61,600–61,900 on the ladder",
          .enabled(if: FileManager.default.fileExists(atPath: BinaryRunner.packageRoot.appendingPathComponent("../shared/data/binance-usdm/btcusdt_20240808.gz").path),
                   "../shared/data is absent: the real recording is not here, so this test is skipped"))
    func realReplay() throws {
        let session = try TmuxSession(arguments: ["replay", "../shared/data/binance-usdm/btcusdt_20240808.gz", "--synthetic-positions", "2000"])
        let screen = session.waitFor { $0.range(of: #"61,[6-9]\d\d\.\d0"#, options: .regularExpression) != nil && $0.contains(" REPLAY ") }
        #expect(screen.contains(" REPLAY "), "\(screen)")
        #expect(screen.range(of: #"61,[6-9]\d\d\.\d0"#, options: .regularExpression) != nil, "no BTCUSDT prices near 61,600–61,900:\n\(screen)")
        #expect(screen.contains("Depth ladder BTCUSDT"))
    }
}
