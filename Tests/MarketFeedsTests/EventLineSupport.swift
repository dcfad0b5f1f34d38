@testable import MarketFeeds

/// One liqwatch events line through a fresh decoder: what it made of it.
func decodeEventLine(_ line: String) -> DecodeOutcome {
    var decoder = LiqwatchEventDecoder()
    var messages: [FeedMessage] = []
    var bytes = Array(line.utf8)
    return bytes.withUnsafeMutableBufferPointer { decoder.decode($0.baseAddress!, count: $0.count, into: &messages) }
}
