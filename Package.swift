// swift-tools-version:6.0
import PackageDescription

// Slurm layer only; the lead merges these targets into the main manifest.
let strict: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny")]

let package = Package(
    name: "SwiftPilot",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "PilotSlurm", targets: ["PilotSlurm"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.0.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.0.0"),
    ],
    targets: [
        .systemLibrary(name: "CSlurm", path: "Sources/CSlurm", providers: [.apt(["libslurm-dev"])]),
        .target(name: "PilotSlurm",
                dependencies: ["CSlurm",
                               .product(name: "Yams", package: "Yams"),
                               .product(name: "Mustache", package: "swift-mustache")],
                swiftSettings: strict),
        .testTarget(name: "PilotSlurmTests", dependencies: ["PilotSlurm"], resources: [.copy("Golden")],
                    swiftSettings: strict),
    ],
    swiftLanguageModes: [.v6]
)
