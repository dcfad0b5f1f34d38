#if canImport(Glibc)
import Glibc
#endif
import RiskEngine

/// Market ids (`venue:symbol`) already made from a feed's symbol bytes. A feed names the same few
/// symbols on every frame, and making a `String` from bytes (with its UTF-8 check) cost more than
/// comparing the bytes with a name seen before: about 2 % of decoding a recording. Handing out the
/// same string each time also lets the engine find the market by comparing string identities.
public struct SymbolNames {
    /// How a symbol's venue is told.
    public enum Naming: Sendable {
        /// Binance frames: USDⓈ-M or COIN-M by the symbol's shape (`Venue.binance(forSymbol:)`).
        case binance
        case venue(Venue)
    }

    public let naming: Naming
    private var names: [(bytes: [UInt8], name: String)] = []
    /// Beyond this many distinct symbols (a feed of the whole market), names are made each time.
    private static let limit = 64

    public init(_ naming: Naming = .binance) { self.naming = naming }

    /// The market id of a symbol given as text.
    public func market(_ symbol: String) -> String {
        switch naming {
        case .binance: return MarketID.make(venue: Venue.binance(forSymbol: symbol), symbol: symbol)
        case .venue(let venue): return MarketID.make(venue: venue, symbol: symbol)
        }
    }

    public mutating func name(_ span: ByteSpan) -> String {
        // By index, so an entry is read in place (a `for entry in names` copied each one it looked
        // at, retaining and releasing its bytes and its name, for every message decoded).
        for index in names.indices where names[index].bytes.count == span.count {
            let same = names[index].bytes.withUnsafeBufferPointer { memcmp($0.baseAddress!, span.start, span.count) == 0 }
            if same { return names[index].name }
        }
        let name = market(span.string)
        if names.count < Self.limit { names.append((Array(UnsafeBufferPointer(start: span.start, count: span.count)), name)) }
        return name
    }
}
