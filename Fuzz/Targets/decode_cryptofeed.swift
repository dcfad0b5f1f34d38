// cryptofeed's WebSocket capture: a `wss://... <-> <time>` header, then `<unix time>: <frame>`.
import MarketFeeds

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = Fuzz.touch(Fuzz.decodeLines(data, size, with: [CryptofeedLineDecoder()]))
    return 0
}
