// cryptofeed's REST capture: `<url> -> <unix time>: <depth snapshot body>`.
import MarketFeeds

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = Fuzz.touch(Fuzz.decodeLines(data, size, with: [CryptofeedHTTPLineDecoder()]))
    return 0
}
