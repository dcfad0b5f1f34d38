// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "liqwatch",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "liqwatch", targets: ["liqwatch"]),
        .executable(name: "liqwatch-bench", targets: ["liqwatch-bench"]),
        .library(name: "RiskEngine", targets: ["RiskEngine"]),
        .library(name: "MarketFeeds", targets: ["MarketFeeds"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // libm: Double rounding (signals, display scales) is not pulled in by Foundation here.
        .target(name: "RiskEngine", linkerSettings: [.linkedLibrary("m")]),
        .target(name: "CNcurses", linkerSettings: [.linkedLibrary("ncursesw")]),
        .target(name: "Dashboard", dependencies: ["RiskEngine"]),
        .target(name: "CursesTerminal", dependencies: ["CNcurses", "Dashboard"]),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", providers: [.apt(["zlib1g-dev"])]),
        .target(name: "MarketFeeds", dependencies: ["RiskEngine", "CZlib"]),
        .executableTarget(
            name: "liqwatch",
            dependencies: [
                "RiskEngine",
                "MarketFeeds",
                "Dashboard",
                "CursesTerminal",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "liqwatch-bench", dependencies: ["RiskEngine", "MarketFeeds", "Dashboard", "CursesTerminal"]),
        .testTarget(name: "RiskEngineTests", dependencies: ["RiskEngine"]),
        .testTarget(name: "MarketFeedsTests", dependencies: ["MarketFeeds"]),
        .testTarget(name: "DashboardTests", dependencies: ["Dashboard"]),
        // Depends on the executable so that `swift test` always builds the binary it drives.
        .testTarget(name: "LiqwatchEndToEndTests", dependencies: ["liqwatch"]),
    ],
    swiftLanguageModes: [.v6]
)
