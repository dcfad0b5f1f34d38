import Foundation
import Testing
@testable import LiqwatchConfig
import RiskEngine

/// Files the operator names are read up to a limit, and a setting naming a file wants a file.
@Suite("Files named by the operator: bounded, and files")
struct BoundedReadTests {
    @Test("a device that never ends, a directory and a missing file are refused by name, not read")
    func refusals() {
        #expect(BoundedRead.contents(of: "/dev/zero", limit: 1 << 20) == .failure(.tooLarge(limit: 1 << 20)))
        #expect(BoundedRead.contents(of: "/tmp", limit: 1 << 20) == .failure(.directory))
        #expect(BoundedRead.contents(of: "/nonexistent/liqwatch", limit: 1 << 20) == .failure(.missing))
        #expect(BoundedRead.contents(of: "/dev/null", limit: 1 << 20) == .success(Data()))
        #expect(!BoundedRead.isReadableFile("/tmp"))
        #expect(BoundedRead.isReadableFile("/dev/null"))
    }

    /// An attacker's trial: `--config`, `--instruments` or config.toml itself as a FIFO nobody
    /// writes to held the start for ever, with nothing said.
    @Test("a FIFO with no writer is refused at once; one whose writer writes is read whole; config names it")
    func fifo() throws {
        let fifo = NSTemporaryDirectory() + "liqwatch-bounded-fifo-\(getpid())"
        #expect(mkfifo(fifo, 0o600) == 0)
        defer { unlink(fifo) }
        let started = Date()
        #expect(BoundedRead.contents(of: fifo, limit: 1 << 20) == .failure(.noWriter))
        #expect(Date().timeIntervalSince(started) < 5)
        do { _ = try ConfigFile.load(path: fifo); Issue.record("a FIFO with no writer was read") } catch {
            #expect(error.problems.first?.description.contains("no process writes to") == true, "\(error.problems)")
        }
        // A writer that writes in two parts, the second after the reader has waited, and goes:
        // every byte is read. (Opened read-write, a FIFO's open returns at once, its writer
        // counted before the reader comes: no race between the two opens.)
        let descriptor = open(fifo, O_RDWR)
        #expect(descriptor >= 0)
        _ = "[dashboard]\n".withCString { write(descriptor, $0, strlen($0)) }
        let writer = Thread {
            Thread.sleep(forTimeInterval: 0.3)
            _ = "bell = true\n".withCString { write(descriptor, $0, strlen($0)) }
            close(descriptor)
        }
        writer.start()
        let read = BoundedRead.contents(of: fifo, limit: 1 << 20)
        #expect(read == .success(Data("[dashboard]\nbell = true\n".utf8)))
    }

    @Test("a file at the limit is read whole; a byte more is refused")
    func limit() throws {
        let path = NSTemporaryDirectory() + "liqwatch-bounded-\(getpid()).txt"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(repeating: 0x41, count: 100_000).write(to: URL(fileURLWithPath: path))
        #expect(BoundedRead.contents(of: path, limit: 100_000) == .success(Data(repeating: 0x41, count: 100_000)))
        #expect(BoundedRead.contents(of: path, limit: 99_999) == .failure(.tooLarge(limit: 99_999)))
    }

    @Test("config: /dev/zero is refused, not read until memory runs out; a theme that is a directory is refused")
    func configFiles() throws {
        #expect(throws: ConfigFailure.self) { _ = try ConfigFile.load(path: "/dev/zero") }
        do { _ = try ConfigFile.load(path: "/dev/zero") } catch {
            #expect(error.problems.first?.description.contains("larger than 1 MiB") == true)
        }
        let directory = NSTemporaryDirectory() + "liqwatch-theme-dir-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let problems = refusal("[dashboard]\ntheme = \"\(directory)\"\n")
        #expect(problems.count == 1)
        #expect(problems.first?.contains("nor a readable file") == true)
    }

    /// An attacker's trial: `config --check` passed a theme that was a device, and the dashboard
    /// refused it naming `--theme`; a FIFO with no writer kept the dashboard waiting.
    @Test("config: a theme that is a device or a FIFO is refused as not a regular file; a theme file is read as the dashboard reads it")
    func themeIsARegularFile() throws {
        for device in ["/dev/zero", "/dev/null"] {
            let problems = refusal("[dashboard]\ntheme = \"\(device)\"\n")
            #expect(problems.count == 1 && problems.first?.contains("is not a regular file") == true, "\(problems)")
        }
        let fifo = NSTemporaryDirectory() + "liqwatch-theme-fifo-\(getpid())"
        #expect(mkfifo(fifo, 0o600) == 0)
        defer { unlink(fifo) }
        #expect(!BoundedRead.isRegularFile(fifo))
        #expect(refusal("[dashboard]\ntheme = \"\(fifo)\"\n").first?.contains("is not a regular file") == true)
        let big = NSTemporaryDirectory() + "liqwatch-theme-big-\(getpid())"
        try Data(repeating: 0x23, count: (1 << 20) + 1).write(to: URL(fileURLWithPath: big))
        defer { try? FileManager.default.removeItem(atPath: big) }
        #expect(refusal("[dashboard]\ntheme = \"\(big)\"\n").first?.contains("larger than 1 MiB") == true)
        let good = NSTemporaryDirectory() + "liqwatch-theme-good-\(getpid())"
        try Data("theme[ok]=\"#00FF00\"\n".utf8).write(to: URL(fileURLWithPath: good))
        defer { try? FileManager.default.removeItem(atPath: good) }
        #expect(try read("[dashboard]\ntheme = \"\(good)\"\n").settings.theme == good)
        // A link to a theme file is the file.
        let link = good + ".link"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: good)
        defer { try? FileManager.default.removeItem(atPath: link) }
        #expect(BoundedRead.isRegularFile(link))
        // `linked/../name` where `linked` is a link to a folder elsewhere: the kernel opens the
        // file beside that folder's target, here a FIFO, whatever the text of the path says.
        let base = NSTemporaryDirectory() + "liqwatch-theme-dotdot-\(getpid())"
        try FileManager.default.createDirectory(atPath: base + "/deep/inner", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: base) }
        #expect(mkfifo(base + "/deep/x.theme", 0o600) == 0)
        try Data("theme[ok]=\"#00FF00\"\n".utf8).write(to: URL(fileURLWithPath: base + "/x.theme"))
        try FileManager.default.createSymbolicLink(atPath: base + "/sub", withDestinationPath: base + "/deep/inner")
        #expect(!BoundedRead.isRegularFile(base + "/sub/../x.theme"))
        #expect(BoundedRead.isRegularFile(base + "/x.theme"))
    }

    /// An attacker's trial: `config --check` said ok, and the run refused the same file naming a
    /// flag nobody had passed.
    @Test("[markets] focus is checked as the run checks it: venue:symbol whole, a bare symbol by its form")
    func focusChecked() throws {
        let bad = refusal("[markets]\nfocus = \"evil\\u001b[2J:BTC\"\n")
        #expect(bad.count == 1 && bad.first?.contains("names no venue") == true, "\(bad)")
        #expect(refusal("[markets]\nfocus = \"binanse-usdm:BTCUSDT\"\n").first?.contains("unknown venue") == true)
        #expect(refusal("[markets]\nfocus = \"BTC USDT!\"\n").first?.contains("is not a symbol") == true)
        #expect(try read("[markets]\nfocus = \"binance-usdm:BTCUSDT\"\n").settings.focus == "binance-usdm:BTCUSDT")
        #expect(try read("[markets]\nfocus = \"ETHUSDT\"\n").settings.focus == "ETHUSDT")
        #expect(try read("[markets]\nfocus = \"\"\n").settings.focus?.isEmpty ?? true)
    }

    @Test("[markets] live_source is checked as the run checks it: a venue liqwatch live connects to, or venue:symbol")
    func liveSourceChecked() throws {
        let misspelt = refusal("[markets]\nlive_source = \"binanse-usdm\"\n")
        #expect(misspelt.count == 1 && misspelt.first?.contains("is not a venue liqwatch live connects to") == true, "\(misspelt)")
        let hidden = refusal("[markets]\nlive_source = \"bin\\u202eance\"\n")
        #expect(hidden.first.map { !$0.unicodeScalars.contains("\u{202E}") && $0.contains("\\u{202E}") } == true, "\(hidden)")
        #expect(refusal("[markets]\nlive_source = \"deribit\"\n").count == 1, "recordings only")
        #expect(refusal("[markets]\nlive_source = \"deribit:BTC-PERPETUAL\"\n").first?.contains("is not a venue liqwatch live connects to") == true)
        #expect(refusal("[markets]\nlive_source = \"binanse-usdm:BTCUSDT\"\n").first?.contains("unknown venue") == true)
        #expect(try read("[markets]\nlive_source = \"bybit\"\n").settings.liveSource == "bybit")
        #expect(try read("[markets]\nlive_source = \"okx:BTC-USDT-SWAP\"\n").settings.liveSource == "okx:BTC-USDT-SWAP")
        #expect(try read("[markets]\nlive_source = \"\"\n").settings.liveSource?.isEmpty ?? true)
    }

    @Test("[markets] live_symbols are checked against live_source's venue, as `liqwatch live` with no SOURCE looks them up")
    func liveSymbolsOfTheSourcesVenue() throws {
        let okx = refusal("[markets]\nlive_source = \"okx\"\nlive_symbols = [\"BTC-USDT-SWAP\", \"BTCUSDT\"]\n")
        #expect(okx.count == 1 && okx.first?.contains("live_symbols") == true && okx.first?.contains("okx lists no BTCUSDT") == true, "\(okx)")
        #expect(refusal("[markets]\nlive_source = \"hyperliquid\"\nlive_symbols = [\"BTC-USDT-SWAP\"]\n").count == 1)
        #expect(try read("[markets]\nlive_source = \"okx\"\nlive_symbols = [\"BTC-USDT-SWAP\", \"ETH-USD-SWAP\"]\n").settings.liveSymbols.count == 2)
        #expect(try read("[markets]\nlive_source = \"bybit\"\nlive_symbols = [\"BTCUSDT\"]\n").settings.liveSymbols == ["BTCUSDT"])
        // A market named whole is its own venue's (review: it was refused, and every command with it).
        #expect(try read("[markets]\nlive_source = \"okx\"\nlive_symbols = [\"binance-usdm:BTCUSDT\", \"BTC-USDT-SWAP\"]\n").settings.liveSymbols.count == 2)
        // No live_source, or a market named whole: the symbols go with a venue given at the run.
        #expect(try read("[markets]\nlive_symbols = [\"BTC-USDT-SWAP\"]\n").settings.liveSymbols.count == 1)
        #expect(try read("[markets]\nlive_source = \"okx:BTC-USDT-SWAP\"\nlive_symbols = [\"BTCUSDT\"]\n").settings.liveSymbols.count == 1)
    }
}

