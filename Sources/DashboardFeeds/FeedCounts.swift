import Dashboard
import MarketFeeds

extension SessionStatus {
    /// The feed's counts as the status bar and the health view show them, the same for a live
    /// session and a replay: malformed lines (and the last, named), gaps, re-syncs.
    mutating func takeCounts(of feed: FeedSummary) {
        malformed = feed.malformed
        lastMalformed = feed.lastMalformed.map { SessionStatus.malformedLineText(place: $0.file, line: $0.line, field: $0.field) }
        gaps = feed.gaps
        resyncs = feed.resyncs
    }
}
