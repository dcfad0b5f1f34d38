#if canImport(Glibc)
import Glibc
#endif

/// Symbol names already made into strings. A feed names the same few symbols on every frame, and
/// making a `String` from bytes (with its UTF-8 check) cost more than comparing the bytes with a
/// name seen before: about 2 % of decoding a recording.
public struct SymbolNames {
    private var names: [(bytes: [UInt8], name: String)] = []
    /// Beyond this many distinct symbols (a feed of the whole market), names are made each time.
    private static let limit = 64

    public init() {}

    public mutating func name(_ span: ByteSpan) -> String {
        for entry in names where entry.bytes.count == span.count {
            let same = entry.bytes.withUnsafeBufferPointer { memcmp($0.baseAddress!, span.start, span.count) == 0 }
            if same { return entry.name }
        }
        let name = span.string
        if names.count < Self.limit { names.append((Array(UnsafeBufferPointer(start: span.start, count: span.count)), name)) }
        return name
    }
}
