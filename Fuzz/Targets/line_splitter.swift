// BoundedLineSplitter: how the operator's live event streams (tcp://, listen://, a followed file,
// standard input) are cut into lines before decoding. The bytes arrive in whatever pieces the
// network or the file gives, so the lines must not depend on the pieces: the input is fed once
// whole and once in uneven pieces (1, 2, 3, 5, 8, ... bytes), with lines bounded at 64 bytes (the
// overlong path) and at 16 MiB, and the pieces emitted must be the same (it traps if not). Every
// line is then decoded as a liqwatch event line, as the event stream does.
import MarketFeeds

func split(_ bytes: UnsafeRawBufferPointer, maximumLength: Int, pieces: Bool) -> [BoundedLineSplitter.Piece] {
    var splitter = BoundedLineSplitter(maximumLength: maximumLength)
    var result: [BoundedLineSplitter.Piece] = []
    if pieces {
        var start = 0
        var (a, b) = (1, 2)
        while start < bytes.count {
            let end = min(bytes.count, start + a)
            splitter.feed(UnsafeRawBufferPointer(rebasing: bytes[start..<end])) { result.append($0) }
            start = end
            (a, b) = (b, a + b > 4096 ? 1 : a + b)
        }
    } else {
        splitter.feed(bytes) { result.append($0) }
    }
    splitter.finish { result.append($0) }
    return result
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    var decoder = LiqwatchEventDecoder()
    var messages: [FeedMessage] = []
    for maximumLength in [64, LineReader.maximumLineLength] {
        let whole = split(bytes, maximumLength: maximumLength, pieces: false)
        let pieces = split(bytes, maximumLength: maximumLength, pieces: true)
        if whole != pieces {
            let index = zip(whole, pieces).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset ?? min(whole.count, pieces.count)
            fatalError("BoundedLineSplitter(maximumLength: \(maximumLength)): piece \(index + 1) differs when the bytes come in pieces (\(whole.count) pieces whole, \(pieces.count) in pieces)")
        }
        for case .line(let line) in whole where !line.isEmpty {
            line.withUnsafeBufferPointer { buffer in
                switch decoder.decode(buffer.baseAddress!, count: buffer.count, into: &messages) {
                case .decoded, .skipped, .header, .malformed: break
                }
            }
        }
    }
    _ = Fuzz.touch(messages)
    return 0
}
