import ArgumentParser
import MarketFeeds

/// The full-screen dashboard is built by the dashboard issue; until it lands, interactive runs say
/// how to get a report instead.
enum Dashboard {
    static func run(session: any SessionDriver) throws {
        throw ValidationError("the interactive dashboard is not built yet: add --headless for a report")
    }
}
