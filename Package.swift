// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "liqwatch",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "liqwatch", targets: ["liqwatch"]),
        .executable(name: "liqwatch-bench", targets: ["liqwatch-bench"]),
        .library(name: "RiskEngine", targets: ["RiskEngine"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // libm: Double rounding (signals, display scales) is not pulled in by Foundation here.
        .target(name: "RiskEngine", linkerSettings: [.linkedLibrary("m")]),
        .executableTarget(
            name: "liqwatch",
            dependencies: [
                "RiskEngine",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "liqwatch-bench", dependencies: ["RiskEngine"]),
        .testTarget(name: "RiskEngineTests", dependencies: ["RiskEngine"]),
        // Depends on the executable so that `swift test` always builds the binary it drives.
        .testTarget(name: "LiqwatchEndToEndTests", dependencies: ["liqwatch"]),
    ],
    swiftLanguageModes: [.v6]
)
