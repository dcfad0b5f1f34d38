// Tardis.dev CSV: the first line is the header. Every input is decoded as each of the five
// formats (the header decides the columns; the format decides what a row means).
import MarketFeeds

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let formats: [RecordingFormat] = [.tardisIncrementalBook, .tardisBookSnapshot, .tardisTrades, .tardisLiquidations, .tardisDerivativeTicker]
    _ = Fuzz.touch(Fuzz.decodeLines(data, size, with: formats.map { TardisLineDecoder(format: $0) }))
    return 0
}
