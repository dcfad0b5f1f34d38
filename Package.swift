// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "liqwatch",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "liqwatch", targets: ["liqwatch"]),
        .executable(name: "liqwatch-bench", targets: ["liqwatch-bench"]),
        .executable(name: "liqwatch-live-bench", targets: ["liqwatch-live-bench"]),
        .library(name: "RiskEngine", targets: ["RiskEngine"]),
        .library(name: "MarketFeeds", targets: ["MarketFeeds"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // Live feeds: SwiftNIO's WebSocket client pipeline (NIOWebSocket, NIOHTTP1) with NIOSSL for
        // TLS, read on the event loop itself (LiveVenues' WebSocketConnection); SwiftNIO also serves
        // the loopback exchange the live tests and benchmark talk to.
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.0"),
        // The configuration file: a maintained TOML parser (toml++ underneath) that reports the line
        // and column of a syntax error.
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
    ],
    targets: [
        // libm: Double rounding (signals, display scales) is not pulled in by Foundation here.
        .target(name: "RiskEngine", dependencies: ["CPrefetch", "CWideDivision"], linkerSettings: [.linkedLibrary("m")]),
        // A cache prefetch hint (one inline C function): placing a million positions reads each
        // account's table slot a few positions ahead, so its cache miss overlaps other work.
        .target(name: "CPrefetch"),
        // A 128-by-64-bit division as the one instruction it is (one inline C function): Swift's
        // spelling of it calls the runtime's general 128-bit division, and every Fixed product
        // and quotient divides this way.
        .target(name: "CWideDivision"),
        .target(name: "CNcurses", linkerSettings: [.linkedLibrary("ncursesw")]),
        // Cells, buffers, rectangles, style roles, keys and the frame diff, with a terminal in
        // memory for tests: everything a screen is, without a terminal.
        .target(name: "ScreenKit", dependencies: ["RiskEngine"]),
        .target(name: "Dashboard", dependencies: ["RiskEngine", "ScreenKit"]),
        .target(name: "CursesTerminal", dependencies: ["CNcurses", "Dashboard", "ScreenKit", "RiskEngine"]),
        // The run loop's adapters between a session (replay, demo, live) and the dashboard: no
        // terminal, so they are unit-tested; the executable only wires them to curses.
        .target(name: "DashboardFeeds", dependencies: ["Dashboard", "MarketFeeds", "RiskEngine"]),
        // ISA-L's igzip: .gz recordings inflate about three times faster than with zlib, streamed.
        .systemLibrary(name: "CIsal", path: "Sources/CIsal", providers: [.apt(["libisal-dev"])]),
        .target(name: "MarketFeeds", dependencies: ["RiskEngine", "CIsal", "CHookSpawn"]),
        // Starting an alert hook in a process group of its own with nothing of ours open in it
        // (GNU extensions of posix_spawn that Swift's Glibc does not import).
        .target(name: "CHookSpawn"),
        // The live venue adapters (Binance, Bybit, OKX, Hyperliquid: WebSocket, and REST where a venue
        // syncs books from it): the only module that talks to exchanges.
        .target(
            name: "LiveVenues",
            dependencies: [
                "MarketFeeds",
                "RiskEngine",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        // The operator's event streams: standard input, followed files, and tcp:// and listen://
        // sockets with SwiftNIO (several publishers at once, bounded lines, backoff).
        .target(
            name: "EventStreams",
            dependencies: [
                "MarketFeeds",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // A loopback Binance (WebSocket combined streams + REST depth) serving a recording, for the
        // live tests and the live benchmark. Binds 127.0.0.1 only.
        .target(
            name: "LoopbackExchange",
            dependencies: [
                "MarketFeeds",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        // config.toml: where it is, what it says (every key checked, unknown ones warned about with
        // their line), the printed default, and the merge under the command line. Never writes a file.
        .target(
            name: "LiqwatchConfig",
            dependencies: [
                "RiskEngine",
                "Dashboard",
                "ScreenKit",
                .product(name: "TOMLKit", package: "TOMLKit"),
            ]
        ),
        .executableTarget(
            name: "liqwatch",
            dependencies: [
                "LiqwatchConfig",
                "CHookSpawn",
                "RiskEngine",
                "MarketFeeds",
                "LiveVenues",
                "EventStreams",
                "Dashboard",
                "DashboardFeeds",
                "CursesTerminal",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "liqwatch-bench", dependencies: ["RiskEngine", "MarketFeeds", "Dashboard", "CursesTerminal",
            .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        // Separate from liqwatch-bench so that benchmark stays free of SwiftNIO in release builds.
        .executableTarget(name: "liqwatch-live-bench", dependencies: ["LoopbackExchange", "MarketFeeds", "RiskEngine",
            .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .testTarget(name: "RiskEngineTests", dependencies: ["RiskEngine"]),
        .testTarget(name: "MarketFeedsTests", dependencies: ["MarketFeeds"]),
        .testTarget(name: "ScreenKitTests", dependencies: ["ScreenKit"]),
        // The whole-screen snapshots are read from the source tree (by #filePath), not bundled.
        .testTarget(name: "DashboardTests", dependencies: ["Dashboard"], exclude: ["Snapshots"]),
        .testTarget(name: "LiqwatchConfigTests", dependencies: ["LiqwatchConfig", "Dashboard", "ScreenKit", "RiskEngine"]),
        .testTarget(name: "DashboardFeedsTests", dependencies: ["DashboardFeeds", "Dashboard", "MarketFeeds", "RiskEngine"]),
        .testTarget(name: "EventStreamsTests", dependencies: ["EventStreams", "MarketFeeds", "RiskEngine",
            .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio")]),
        .testTarget(name: "LiveVenuesTests", dependencies: ["LiveVenues", "LoopbackExchange", "MarketFeeds", "RiskEngine",
            .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOEmbedded", package: "swift-nio"),
            .product(name: "NIOWebSocket", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl")]),
        // Depends on the executable so that `swift test` always builds the binary it drives.
        .testTarget(name: "LiqwatchEndToEndTests", dependencies: ["liqwatch", "LoopbackExchange"]),
    ],
    swiftLanguageModes: [.v6]
)
