import Foundation
import MarketFeeds
import RiskEngine

/// Headless replay of the real BTCUSDT recording with 10,000 synthetic positions, unpacked and
/// gzipped, against the two reference points the goals are stated in: a Python loop that only
/// parses the same lines with orjson, and `zcat > /dev/null`.
enum ReplayBenchmarks {
    static let recording = "../shared/data/binance-usdm/btcusdt_20240808.gz"

    static func run() {
        guard FileManager.default.fileExists(atPath: recording) else {
            print("replay: skipped (\(recording) is absent)")
            return
        }
        let unpacked = NSTemporaryDirectory() + "liqwatch-bench-btcusdt.txt"
        guard shell("zcat '\(recording)' > '\(unpacked)'") == 0 else { print("replay: skipped (zcat failed)"); return }
        defer { try? FileManager.default.removeItem(atPath: unpacked) }
        let bytes = Double((try? FileManager.default.attributesOfItem(atPath: unpacked)[.size] as? Int) ?? 0)

        for (label, path) in [("unpacked", unpacked), ("gzipped", recording)] {
            var best = Double.infinity
            var frames = 0
            for _ in 0..<5 {
                var options = ReplayOptions()
                options.syntheticPositions = 10_000
                let seconds = Stopwatch.measure {
                    guard let session = try? ReplaySession(paths: [path], options: options) else { return }
                    try? session.runToEnd()
                    frames = session.stats.read
                }
                best = min(best, seconds)
            }
            report("replay_\(label)_MB_per_second", bytes / best / 1e6, "MB/s", decimals: 1)
            report("replay_\(label)_frames_per_second", Double(frames) / best, "frames/s", decimals: 0)
            report("replay_\(label)_seconds", best, "s", decimals: 3)
        }

        var zcatBest = Double.infinity
        for _ in 0..<5 { zcatBest = min(zcatBest, Stopwatch.measure { _ = shell("zcat '\(recording)' > /dev/null") }) }
        report("reference_zcat_seconds", zcatBest, "s", decimals: 3)

        let script = """
            import orjson, sys, time
            best = 1e9
            for _ in range(3):
                start = time.perf_counter()
                with open(sys.argv[1], 'rb') as f:
                    for line in f:
                        orjson.loads(line[line.index(b' ') + 1:])
                best = min(best, time.perf_counter() - start)
            print(best)
            """
        let scriptPath = NSTemporaryDirectory() + "liqwatch-bench-orjson.py"
        try? script.write(toFile: scriptPath, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: scriptPath) }
        if let output = capture("python3 '\(scriptPath)' '\(unpacked)' 2>/dev/null"), let seconds = Double(output.trimmingCharacters(in: .whitespacesAndNewlines)) {
            report("reference_python_orjson_MB_per_second", bytes / seconds / 1e6, "MB/s", decimals: 1)
        } else {
            print("reference_python_orjson: skipped (python3 with orjson not available)")
        }
    }

    @discardableResult
    static func shell(_ command: String) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        guard (try? process.run()) != nil else { return -1 }
        process.waitUntilExit()
        return process.terminationStatus
    }

    static func capture(_ command: String) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        let pipe = Pipe()
        process.standardOutput = pipe
        guard (try? process.run()) != nil else { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return process.terminationStatus == 0 ? String(decoding: data, as: UTF8.self) : nil
    }
}
