// Binance frames, with the `<receive time ns> ` prefix (liqwatch's recordings) and without it
// (raw frames, whose time comes from "E" in milliseconds). Every line goes through both decoders,
// and through `VenueLineDecoder` with and without the prefix, which hands Bybit, OKX and Hyperliquid
// frames to their own decoders (the corpus has samples of Bybit's and Hyperliquid's recordings).
import MarketFeeds

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let messages = Fuzz.decodeLines(data, size, with: [BinanceLineDecoder(timestamped: true), BinanceLineDecoder(timestamped: false),
        VenueLineDecoder(timestamped: true), VenueLineDecoder(timestamped: false)])
    _ = Fuzz.touch(messages)
    return 0
}
