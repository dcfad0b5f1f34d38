// liqwatch's event lines (one JSON object a line with a "type"; optionally `<receive time ns> `
// before it), decoded only. The engine_events target applies them.
import MarketFeeds

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = Fuzz.touch(Fuzz.decodeLines(data, size, with: [LiqwatchEventDecoder()]))
    return 0
}
