import Foundation
import Testing

/// A feed whose prices fall between the instrument's ticks (an instrument file with a wrong tick,
/// or a venue that refined its tick): the prices shown and the ladder's rows are coarser than the
/// book, so the report says so, naming the first such price with every digit it had.
@Suite("Prices off the instrument's tick, end to end")
struct OffTickCommandTests {
    static func events(bid: String, secondBid: String = "59999.9", ask: String = "60000.2") -> String {
        [
            #"{"type":"book","symbol":"BTCUSDT","bids":[["\#(bid)","5"],["\#(secondBid)","2"]],"asks":[["\#(ask)","5"]],"time":1723161256000000000}"#,
            #"{"type":"mark","symbol":"BTCUSDT","price":"60000.1","time":1723161257000000000}"#,
            #"{"type":"book","symbol":"FOOUSDT","bids":[["1.00005","5"]],"asks":[["1.00015","5"]],"time":1723161258000000000}"#,
        ].joined(separator: "\n") + "\n"
    }

    @Test("a bid at 60,000.05 on BTCUSDT (tick 0.1): the text and JSON reports name it; a learnt tick never warns")
    func offTick() throws {
        let scratch = try BadInputCommandTests.Scratch()
        let off = try scratch.write("off.ndjson", Self.events(bid: "60000.05"))
        let text = try BinaryRunner.run(["replay", off, "--headless", "--report", "text"])
        #expect(text.status == 0, "\(text.standardError)")
        let btc = text.standardOutput.split(separator: "\n").first { $0.hasPrefix("binance-usdm:BTCUSDT:") } ?? ""
        #expect(btc.contains("PRICES OFF THE TICK 0.1 (first 60000.05): check the instrument's tick"), "\(btc)")
        let foo = text.standardOutput.split(separator: "\n").first { $0.hasPrefix("binance-usdm:FOOUSDT:") } ?? ""
        #expect(!foo.isEmpty && !foo.contains("OFF THE TICK"), "\(foo)")
        let json = try BinaryRunner.run(["replay", off, "--headless", "--report", "json"])
        #expect(json.standardOutput.contains(#""off_tick_price": "60000.05""#), "\(json.standardOutput)")

        let on = try scratch.write("on.ndjson", Self.events(bid: "60000.1"))
        let fine = try BinaryRunner.run(["replay", on, "--headless", "--report", "text"])
        #expect(!fine.standardOutput.contains("OFF THE TICK"), "\(fine.standardOutput)")
        // Every level at the same offset from the tick (the window's grid runs from the touch,
        // so no level disagrees with it): still said.
        let shifted = try scratch.write("shifted.ndjson", Self.events(bid: "60000.05", secondBid: "59999.95", ask: "60000.15"))
        let shiftedText = try BinaryRunner.run(["replay", shifted, "--headless", "--report", "text"])
        #expect(shiftedText.standardOutput.contains("PRICES OFF THE TICK 0.1 (first 600"), "\(shiftedText.standardOutput)")
        let fineJSON = try BinaryRunner.run(["replay", on, "--headless", "--report", "json"])
        #expect(!fineJSON.standardOutput.contains(#""off_tick_price": "6"#))
        #expect(fineJSON.standardOutput.contains(#""off_tick_price": null"#))
    }
}
